"""Re-appropriation: a grantee asks to move money between budget lines; staff decide."""

import datetime
from decimal import Decimal

import pytest

from config.celery import app as celery_app
from grants import services
from grants.models import BudgetLine, Membership, Notice, Project, Reappropriation
from grants.reads.history import project_history
from grants.services import GrantRuleError
from tests.factories import (
    BudgetLineFactory,
    MembershipFactory,
    ProjectFactory,
    ReappropriationFactory,
    SchemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)
NBSP = "\u00a0"
EQUIPMENT, CONSUMABLES, TRAVEL = (
    BudgetLine.Head.EQUIPMENT,
    BudgetLine.Head.CONSUMABLES,
    BudgetLine.Head.TRAVEL,
)


@pytest.fixture
def project(db):
    """An ongoing 36-month project of Rs 10,00,000 whose four lines add up to it."""
    project = ProjectFactory(
        reference="TEST-REE-0800",
        status=Project.Status.ONGOING,
        sanctioned_amount=1_000_000,
        principal_investigator=UserFactory(username="pi", email="pi@ires.example.org"),
    )
    MembershipFactory(
        organisation=project.organisation,
        user=project.principal_investigator,
        role=Membership.Role.PRINCIPAL_INVESTIGATOR,
    )
    for head, year, amount in [
        (EQUIPMENT, 1, 400_000),
        (BudgetLine.Head.MANPOWER, 1, 200_000),
        (CONSUMABLES, 1, 200_000),
        (CONSUMABLES, 2, 200_000),
    ]:
        BudgetLineFactory(project=project, head=head, project_year=year, amount=amount)
    return project


def line(project, head, year):
    return BudgetLine.objects.filter(project=project, head=head, project_year=year)


def amount_of(project, head, year):
    found = line(project, head, year).first()
    return None if found is None else found.amount


def budget_total(project):
    return sum(
        BudgetLine.objects.filter(project=project).values_list("amount", flat=True)
    )


def ask(project, **changes):
    arguments = {
        "from_head": EQUIPMENT,
        "from_year": 1,
        "to_head": CONSUMABLES,
        "to_year": 2,
        "amount": 40_000,
        "reason": "The reagents cost more than quoted at sanction.",
        "requested_on": datetime.date(2026, 11, 2),
        "requested_by": project.principal_investigator,
        **changes,
    }
    return services.request_reappropriation(project, **arguments)


def refusal(excinfo) -> dict:
    return excinfo.value.message_dict


def approve(reappropriation, user, **changes):
    return services.approve_reappropriation(
        reappropriation, decided_on=TODAY, decided_by=user, **changes
    )


def reject(reappropriation, user, comment="The equipment is still needed."):
    return services.reject_reappropriation(
        reappropriation, decided_on=TODAY, decided_by=user, comment=comment
    )


# Asking -----------------------------------------------------------------------------


def test_a_request_records_the_move_and_changes_no_budget_line(project):
    reappropriation = ask(project)

    assert reappropriation.status == Reappropriation.Status.REQUESTED
    assert (reappropriation.amount, reappropriation.requested_by) == (
        40_000,
        project.principal_investigator,
    )
    assert amount_of(project, EQUIPMENT, 1) == 400_000
    assert amount_of(project, CONSUMABLES, 2) == 200_000
    assert reappropriation.history.get().history_change_reason == (
        f"Requested ₹{NBSP}40,000 from equipment, year 1 to consumables, year 2: "
        f"The reagents cost more than quoted at sanction."
    )


def test_a_move_of_the_threshold_exactly_is_for_the_programme_officer(project):
    # 10% of equipment year 1's Rs 4,00,000.
    assert ask(project, amount=40_000).needs_finance is False


def test_a_move_above_the_threshold_needs_finance(project):
    assert ask(project, amount=40_001).needs_finance is True


def test_the_threshold_is_the_schemes(project):
    project.scheme = SchemeFactory(reappropriation_threshold_percent=25)
    project.save()

    assert ask(project, amount=100_000).needs_finance is False
    assert ask(project, amount=100_001).needs_finance is True


def test_a_request_without_a_reason_is_refused(project):
    with pytest.raises(GrantRuleError) as excinfo:
        ask(project, reason="   ")
    assert refusal(excinfo) == {
        "reason": ["Say why the money is needed under the other head."]
    }
    assert not Reappropriation.objects.exists()


@pytest.mark.parametrize("amount", [0, -5_000])
def test_an_amount_of_zero_or_less_is_refused(project, amount):
    with pytest.raises(GrantRuleError) as excinfo:
        ask(project, amount=amount)
    assert refusal(excinfo) == {"amount": ["The amount to move must be above zero."]}


@pytest.mark.parametrize("amount", [Decimal("40000.50"), 399.9, "40000"])
def test_an_amount_that_is_not_whole_rupees_is_refused(project, amount):
    with pytest.raises(GrantRuleError) as excinfo:
        ask(project, amount=amount)
    assert refusal(excinfo) == {"amount": ["Enter whole rupees, like 50,000."]}


def test_a_whole_number_of_rupees_written_as_a_decimal_is_taken(project):
    assert ask(project, amount=Decimal("40000.00")).amount == 40_000


def test_moving_a_line_to_itself_is_refused(project):
    with pytest.raises(GrantRuleError) as excinfo:
        ask(project, to_head=EQUIPMENT, to_year=1)
    assert refusal(excinfo) == {
        "to_head": [
            "Choose a different head or year to move the amount to: equipment, "
            "year 1 is the line it comes from."
        ]
    }


def test_a_line_the_budget_does_not_have_is_refused(project):
    with pytest.raises(GrantRuleError) as excinfo:
        ask(project, from_head=TRAVEL, from_year=1)
    assert refusal(excinfo) == {
        "from_head": [
            "The budget has no line for travel, year 1: there is nothing to move "
            "from it."
        ]
    }


def test_an_amount_larger_than_the_head_is_refused_with_what_it_holds(project):
    with pytest.raises(GrantRuleError) as excinfo:
        ask(project, amount=400_001)
    assert refusal(excinfo) == {
        "amount": [
            f"Equipment, year 1 holds ₹{NBSP}4,00,000: it cannot give ₹{NBSP}4,00,001."
        ]
    }


def test_a_year_outside_the_project_is_refused(project):
    with pytest.raises(GrantRuleError) as excinfo:
        ask(project, to_year=4)
    assert refusal(excinfo) == {
        "to_year": [
            "TEST-REE-0800 has 3 project years, running to 31 Mar 2027: there is "
            "no year 4."
        ]
    }


def test_an_extended_project_may_move_money_into_its_added_year(project):
    project.end_on = datetime.date(2027, 9, 30)
    project.status = Project.Status.EXTENDED
    project.save()

    assert ask(project, to_year=4).to_year == 4


@pytest.mark.parametrize(
    "status",
    [Project.Status.COMPLETED, Project.Status.CLOSED, Project.Status.TERMINATED],
)
def test_a_project_that_has_ended_cannot_move_money(project, status):
    Project.objects.filter(pk=project.pk).update(status=status)
    project.refresh_from_db()

    with pytest.raises(GrantRuleError) as excinfo:
        ask(project)
    assert "its budget can no longer be changed" in " ".join(excinfo.value.messages)


# Approving --------------------------------------------------------------------------


def test_approving_moves_the_amount_from_one_line_to_the_other(
    project, programme_officer
):
    reappropriation = approve(ask(project), programme_officer, comment="Agreed.")

    assert reappropriation.status == Reappropriation.Status.APPROVED
    assert (reappropriation.decided_on, reappropriation.decided_by) == (
        TODAY,
        programme_officer,
    )
    assert reappropriation.decision_comment == "Agreed."
    assert amount_of(project, EQUIPMENT, 1) == 360_000
    assert amount_of(project, CONSUMABLES, 2) == 240_000


def test_approving_creates_the_line_the_budget_did_not_have(project, programme_officer):
    approve(ask(project, to_head=TRAVEL, to_year=3), programme_officer)

    assert amount_of(project, TRAVEL, 3) == 40_000
    assert amount_of(project, EQUIPMENT, 1) == 360_000


def test_the_budget_lines_still_add_up_to_the_sanction_after_a_move(
    project, finance_officer
):
    approve(ask(project, amount=150_000, to_head=TRAVEL, to_year=2), finance_officer)
    approve(ask(project, amount=250_000), finance_officer)

    assert amount_of(project, EQUIPMENT, 1) == 0
    assert budget_total(project) == project.sanctioned_amount == 1_000_000


def test_a_move_is_refused_when_the_lines_do_not_add_up_to_the_sanction(
    project, programme_officer
):
    reappropriation = ask(project)
    # A line entered by hand in the admin, outside the sanction.
    BudgetLineFactory(project=project, head=TRAVEL, project_year=3, amount=5_000)

    with pytest.raises(GrantRuleError) as excinfo:
        approve(reappropriation, programme_officer)

    assert (
        f"add up to ₹{NBSP}10,05,000, not the sanctioned ₹{NBSP}10,00,000: nothing "
        f"was moved"
    ) in " ".join(excinfo.value.messages)
    assert amount_of(project, EQUIPMENT, 1) == 400_000
    assert amount_of(project, CONSUMABLES, 2) == 200_000
    reappropriation.refresh_from_db()
    assert reappropriation.status == Reappropriation.Status.REQUESTED
    assert not Notice.objects.exists()


def test_a_programme_officer_cannot_decide_a_move_above_the_threshold(
    project, programme_officer
):
    reappropriation = ask(project, amount=40_001)

    for decide in (approve, reject):
        with pytest.raises(GrantRuleError) as excinfo:
            decide(reappropriation, programme_officer)
        assert excinfo.value.messages == [
            f"₹{NBSP}40,001 from equipment, year 1 to consumables, year 2 is above "
            f"the scheme's 10% threshold: finance decides."
        ]
    assert amount_of(project, EQUIPMENT, 1) == 400_000


def test_a_finance_officer_approves_a_move_above_the_threshold(
    project, finance_officer
):
    approve(ask(project, amount=40_001), finance_officer)

    assert amount_of(project, EQUIPMENT, 1) == 359_999


def test_a_request_decided_twice_is_refused(project, programme_officer):
    reappropriation = ask(project)
    stale = Reappropriation.objects.get(pk=reappropriation.pk)
    approve(reappropriation, programme_officer)

    for decide in (approve, reject):
        with pytest.raises(GrantRuleError) as excinfo:
            decide(stale, programme_officer)
        assert excinfo.value.messages == [
            "This re-appropriation request was already approved on 22 Nov 2026."
        ]
    # Moved once, not twice.
    assert amount_of(project, EQUIPMENT, 1) == 360_000


def test_approval_checks_the_line_again_after_another_approval_took_from_it(
    project, finance_officer
):
    first = ask(project, amount=300_000)
    # Asked for on paper before the first was entered: both are waiting.
    second = ReappropriationFactory(
        project=project, amount=300_000, to_head=TRAVEL, to_year=1
    )
    approve(first, finance_officer)

    with pytest.raises(GrantRuleError) as excinfo:
        approve(second, finance_officer)

    assert refusal(excinfo) == {
        "amount": [
            f"Equipment, year 1 holds ₹{NBSP}1,00,000: it cannot give ₹{NBSP}3,00,000."
        ]
    }
    assert amount_of(project, EQUIPMENT, 1) == 100_000
    assert not line(project, TRAVEL, 1).exists()
    assert budget_total(project) == 1_000_000


def test_a_project_that_ended_after_the_request_cannot_have_it_approved(
    project, programme_officer
):
    reappropriation = ask(project)
    Project.objects.filter(pk=project.pk).update(status=Project.Status.COMPLETED)

    with pytest.raises(GrantRuleError):
        approve(reappropriation, programme_officer)
    assert amount_of(project, EQUIPMENT, 1) == 400_000


def test_the_history_shows_the_move(project, programme_officer):
    approve(ask(project), programme_officer)

    entries, _total = project_history(project)

    why = (
        f"Re-appropriated ₹{NBSP}40,000 from equipment, year 1 to consumables, "
        f"year 2: The reagents cost more than quoted at sanction."
    )
    moved = {entry.what: entry for entry in entries if entry.reason == why}
    assert set(moved) == {
        "Budget: equipment, year 1",
        "Budget: consumables, year 2",
        "Re-appropriation: equipment, year 1 to consumables, year 2",
    }
    source = moved["Budget: equipment, year 1"]
    assert source.who == programme_officer
    assert [(c.old, c.new) for c in source.changes] == [
        (f"₹{NBSP}4,00,000", f"₹{NBSP}3,60,000")
    ]


# Rejecting --------------------------------------------------------------------------


def test_a_rejection_needs_a_reason(project, programme_officer):
    reappropriation = ask(project)

    with pytest.raises(GrantRuleError) as excinfo:
        reject(reappropriation, programme_officer, comment=" ")

    assert refusal(excinfo) == {
        "comment": ["Say why the re-appropriation is refused: the grantee sees it."]
    }
    reappropriation.refresh_from_db()
    assert reappropriation.status == Reappropriation.Status.REQUESTED


def test_a_rejection_leaves_the_budget_as_it_was(project, programme_officer):
    reappropriation = reject(ask(project), programme_officer)

    assert reappropriation.status == Reappropriation.Status.REJECTED
    assert reappropriation.decision_comment == "The equipment is still needed."
    assert amount_of(project, EQUIPMENT, 1) == 400_000
    assert amount_of(project, CONSUMABLES, 2) == 200_000


# Telling the grantee ----------------------------------------------------------------


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def test_an_approval_is_told_to_the_grantee_after_the_commit(
    eager, django_capture_on_commit_callbacks, mailoutbox, project, programme_officer
):
    with django_capture_on_commit_callbacks(execute=True):
        approve(ask(project), programme_officer)

    notice = Notice.objects.get(recipient_email="pi@ires.example.org")
    assert notice.kind == Notice.Kind.REAPPROPRIATION_APPROVED
    assert notice.status == Notice.Status.SENT
    [mail] = [m for m in mailoutbox if m.to == ["pi@ires.example.org"]]
    assert mail.subject == (
        "[TEST-REE-0800] Decision: Re-appropriation approved: Re-appropriation of "
        "₹ 40,000 from equipment, year 1 to consumables, year 2"
    )
    assert (
        "The budget now holds ₹ 40,000 less under equipment, year 1 and as much "
        "more under consumables, year 2"
    ) in mail.body
    assert f"/portal/projects/{project.pk}/reappropriations/" in mail.body


def test_a_rejection_is_told_to_the_grantee_with_the_reason(
    eager, django_capture_on_commit_callbacks, mailoutbox, project, programme_officer
):
    with django_capture_on_commit_callbacks(execute=True):
        reject(ask(project), programme_officer)

    notice = Notice.objects.get(recipient_email="pi@ires.example.org")
    assert notice.kind == Notice.Kind.REAPPROPRIATION_REJECTED
    [mail] = [m for m in mailoutbox if m.to == ["pi@ires.example.org"]]
    assert "The equipment is still needed." in mail.body
    assert "The budget stays as it was." in mail.body


def test_who_decides_is_judged_again_on_the_line_as_it_stands_at_approval(
    project, programme_officer, finance_officer
):
    # Rs 40,000 is 10% of equipment, year 1 (Rs 4,00,000) when asked: the officer's.
    first = ask(project, amount=40_000)
    second = ask(project, amount=40_000)
    assert first.needs_finance is False
    assert second.needs_finance is False
    approve(first, programme_officer)

    # The line now holds Rs 3,60,000: Rs 40,000 is 11.1% of it, for finance.
    with pytest.raises(GrantRuleError) as excinfo:
        approve(second, programme_officer)

    assert "finance decides" in " ".join(excinfo.value.messages)
    assert amount_of(project, EQUIPMENT, 1) == 360_000
    approve(second, finance_officer)
    second.refresh_from_db()
    assert second.needs_finance is True
    assert amount_of(project, EQUIPMENT, 1) == 320_000


def test_requests_still_waiting_count_against_the_line_they_take_from(project):
    # Equipment, year 1 holds Rs 4,00,000; Rs 3,50,000 is already asked of it.
    ask(project, amount=200_000)
    ask(project, amount=150_000)

    with pytest.raises(GrantRuleError) as excinfo:
        ask(project, amount=60_000)

    assert refusal(excinfo) == {
        "amount": [
            f"Equipment, year 1 holds ₹{NBSP}4,00,000, and ₹{NBSP}3,50,000 of it is "
            f"already asked for in requests still waiting: at most ₹{NBSP}50,000 "
            f"more can be asked."
        ]
    }
    assert Reappropriation.objects.count() == 2
    ask(project, amount=50_000)
    assert Reappropriation.objects.count() == 3
