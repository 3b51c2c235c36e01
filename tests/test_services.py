"""The business rules in grants.services: what each allows, refuses and records.

Every refusal is checked three ways: the error type, a message a finance officer
can act on (amounts in Indian grouping, dates, instalment numbers), and that
nothing was written (rows are read back from the database).
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from grants import services
from grants.models import (
    BudgetLine,
    Document,
    Element,
    Extension,
    Instalment,
    Milestone,
    ProgressReport,
    Project,
    UtilisationCertificate,
)
from grants.services import CertificateFigures, GrantRuleError, LowUtilisationWarning
from tests.factories import (
    DocumentFactory,
    ExtensionFactory,
    InstalmentFactory,
    MilestoneFactory,
    OrganisationFactory,
    ProgressReportFactory,
    ProjectFactory,
    SchemeFactory,
    StaffUserFactory,
    UserFactory,
    UtilisationCertificateFactory,
)

pytestmark = pytest.mark.django_db

FIRST_RELEASE_ON = datetime.date(2024, 6, 2)
SECOND_RELEASE_ON = datetime.date(2025, 6, 2)

Head = BudgetLine.Head
PlannedBudgetLine = services.PlannedBudgetLine
PlannedInstalment = services.PlannedInstalment


def row_counts():
    """Count the rows of every table a service writes to."""
    return {
        model.__name__: model.objects.count()
        for model in (
            Project,
            BudgetLine,
            Instalment,
            UtilisationCertificate,
            Milestone,
            ProgressReport,
            Extension,
        )
    }


def message_of(error) -> str:
    return " ".join(error.messages)


# Sanction ----------------------------------------------------------------------


def two_year_budget():
    """Rs 60,00,000 over two project years."""
    return [
        PlannedBudgetLine(Head.EQUIPMENT, 1, 2_500_000),
        PlannedBudgetLine(Head.MANPOWER, 1, 1_200_000),
        PlannedBudgetLine(Head.CONSUMABLES, 1, 300_000),
        PlannedBudgetLine(Head.MANPOWER, 2, 1_200_000),
        PlannedBudgetLine(Head.CONSUMABLES, 2, 500_000),
        PlannedBudgetLine(Head.TRAVEL, 2, 300_000),
    ]


def two_instalments():
    return [
        PlannedInstalment(1, datetime.date(2024, 4, 15), 4_000_000),
        PlannedInstalment(
            2, datetime.date(2025, 4, 15), 2_000_000, "On an accepted UC for 2024-25"
        ),
    ]


def sanction(**overrides):
    """Sanction a valid 24-month, Rs 60,00,000 project; overrides change one term."""
    terms = {
        "reference": "MoM-REE-2023-07",
        "title": "Solvent extraction of Nd-Pr from monazite leach liquor",
        "scheme": SchemeFactory(),
        "organisation": OrganisationFactory(),
        "principal_investigator": UserFactory(),
        "programme_officer": StaffUserFactory(),
        "stage": Project.Stage.SEPARATION,
        "sanction_order_number": "MoM/S&T/REE/07/2024",
        "sanctioned_on": datetime.date(2024, 2, 29),
        "start_on": datetime.date(2024, 4, 1),
        "duration_months": 24,
        "sanctioned_amount": 6_000_000,
        "trl_start": 3,
        "trl_target": 6,
        "budget_lines": two_year_budget(),
        "instalments": two_instalments(),
    }
    terms.update(overrides)
    return services.sanction_project(**terms)


def test_sanction_records_the_project_with_its_budget_and_instalments():
    elements = Element.objects.filter(symbol__in=["Nd", "Pr"])

    project = sanction(elements=elements, abstract="Pilot-scale SX circuit.")

    project = Project.objects.get(pk=project.pk)
    assert project.status == Project.Status.SANCTIONED
    assert project.sanctioned_amount == 6_000_000
    assert project.trl_now == 3
    assert project.abstract == "Pilot-scale SX circuit."
    assert sorted(project.elements.values_list("symbol", flat=True)) == ["Nd", "Pr"]
    assert list(project.budget_lines.values_list("project_year", "head", "amount")) == [
        (1, Head.CONSUMABLES, 300_000),
        (1, Head.EQUIPMENT, 2_500_000),
        (1, Head.MANPOWER, 1_200_000),
        (2, Head.CONSUMABLES, 500_000),
        (2, Head.MANPOWER, 1_200_000),
        (2, Head.TRAVEL, 300_000),
    ]
    assert list(project.instalments.values_list("sequence", "amount", "condition")) == [
        (1, 4_000_000, ""),
        (2, 2_000_000, "On an accepted UC for 2024-25"),
    ]
    assert not project.instalments.released().exists()


def test_sanction_dated_29_february_2024_falls_in_fiscal_year_2023_24():
    project = sanction(sanctioned_on=datetime.date(2024, 2, 29))

    assert project.fiscal_year == "2023-24"


def test_sanction_dated_1_april_falls_in_the_new_fiscal_year():
    project = sanction(sanctioned_on=datetime.date(2024, 4, 1))

    assert project.fiscal_year == "2024-25"


def test_sanction_ends_the_day_before_the_duration_runs_out():
    project = sanction(start_on=datetime.date(2024, 4, 1), duration_months=24)

    assert project.end_on == datetime.date(2026, 3, 31)


def test_sanction_refuses_budget_lines_that_do_not_add_up_and_gives_the_difference():
    budget = [*two_year_budget()[:-1], PlannedBudgetLine(Head.TRAVEL, 2, 200_000)]
    before = row_counts()

    with pytest.raises(GrantRuleError) as error:
        sanction(budget_lines=budget)

    message = message_of(error.value)
    assert "₹\u00a059,00,000" in message
    assert "₹\u00a060,00,000" in message
    assert "difference of ₹\u00a01,00,000" in message
    assert row_counts() == before


def test_sanction_refuses_instalments_that_do_not_add_up_and_gives_the_difference():
    instalments = [
        PlannedInstalment(1, datetime.date(2024, 4, 15), 4_000_000),
        PlannedInstalment(2, datetime.date(2025, 4, 15), 2_500_000),
    ]
    before = row_counts()

    with pytest.raises(GrantRuleError) as error:
        sanction(instalments=instalments)

    message = message_of(error.value)
    assert "instalments add up to ₹\u00a065,00,000" in message
    assert "₹\u00a060,00,000" in message
    assert "difference of ₹\u00a05,00,000" in message
    assert row_counts() == before


def test_sanction_refuses_a_budget_line_for_year_3_of_a_24_month_project():
    budget = [*two_year_budget()[:-1], PlannedBudgetLine(Head.TRAVEL, 3, 300_000)]
    before = row_counts()

    with pytest.raises(GrantRuleError) as error:
        sanction(budget_lines=budget, duration_months=24)

    message = message_of(error.value)
    assert "24-month project has 2 project years" in message
    assert "year 3" in message
    assert row_counts() == before


def test_sanction_allows_year_3_lines_for_a_30_month_project():
    budget = [*two_year_budget()[:-1], PlannedBudgetLine(Head.TRAVEL, 3, 300_000)]

    project = sanction(budget_lines=budget, duration_months=30)

    assert project.budget_lines.filter(project_year=3).count() == 1
    assert project.end_on == datetime.date(2026, 9, 30)


def test_sanction_refused_half_way_leaves_no_project_behind():
    # Two instalments numbered 1: the second fails only after the project is saved.
    instalments = [
        PlannedInstalment(1, datetime.date(2024, 4, 15), 4_000_000),
        PlannedInstalment(1, datetime.date(2025, 4, 15), 2_000_000),
    ]
    before = row_counts()

    with pytest.raises(ValidationError):
        sanction(instalments=instalments)

    assert row_counts() == before


# Release -----------------------------------------------------------------------


def project_with_first_release(
    *, sanctioned_amount=6_000_000, first_amount=2_000_000, second_amount=2_000_000
):
    """An ongoing project whose instalment 1 went out on 02 Jun 2024.

    Returns the project and its unreleased instalment 2.
    """
    project = ProjectFactory(ongoing=True, sanctioned_amount=sanctioned_amount)
    InstalmentFactory(
        project=project,
        sequence=1,
        amount=first_amount,
        planned_on=FIRST_RELEASE_ON,
        released=True,
    )
    second = InstalmentFactory(
        project=project,
        sequence=2,
        amount=second_amount,
        planned_on=SECOND_RELEASE_ON,
    )
    return project, second


def accepted_uc(project, **overrides):
    """An accepted annual UC for 2024-25 (to 31 Mar 2025, accepted 12 May 2025)."""
    return UtilisationCertificateFactory(project=project, accepted=True, **overrides)


def release(instalment, user, **overrides):
    terms = {
        "released_on": SECOND_RELEASE_ON,
        "release_order_number": "MoM/RO/2025/17",
        "released_by": user,
    }
    terms.update(overrides)
    return services.release_instalment(instalment, **terms)


def assert_not_released(instalment, *, project_status):
    instalment = Instalment.objects.get(pk=instalment.pk)
    assert instalment.released_on is None
    assert instalment.release_order_number == ""
    assert instalment.released_by is None
    assert instalment.covering_certificate is None
    assert instalment.override_reason == ""
    assert instalment.low_utilisation_note == ""
    assert Project.objects.get(pk=instalment.project_id).status == project_status


def test_first_release_needs_no_certificate_and_makes_the_project_ongoing(
    finance_user,
):
    project = ProjectFactory()
    first = InstalmentFactory(project=project, sequence=1, amount=2_000_000)

    release(
        first,
        finance_user,
        released_on=FIRST_RELEASE_ON,
        release_order_number="  MoM/RO/2024/03 ",
    )

    first.refresh_from_db()
    assert first.released_on == FIRST_RELEASE_ON
    assert first.release_order_number == "MoM/RO/2024/03"
    assert first.released_by == finance_user
    assert first.covering_certificate is None
    assert first.override_reason == ""
    assert Project.objects.get(pk=project.pk).status == Project.Status.ONGOING


def test_release_refuses_an_instalment_already_released(finance_user):
    project, second = project_with_first_release()
    first = project.instalments.get(sequence=1)
    order = first.release_order_number

    with pytest.raises(GrantRuleError) as error:
        release(first, finance_user, released_on=SECOND_RELEASE_ON)

    message = message_of(error.value)
    assert f"Instalment 1 of {project.reference}" in message
    assert "already released on 02 Jun 2024" in message
    assert order in message
    first.refresh_from_db()
    assert first.released_on == FIRST_RELEASE_ON
    assert first.release_order_number == order
    assert first.released_by is None


@pytest.mark.parametrize("order_number", ["", "   "])
def test_release_refuses_an_empty_release_order_number(finance_user, order_number):
    project = ProjectFactory()
    first = InstalmentFactory(project=project, sequence=1)

    with pytest.raises(GrantRuleError) as error:
        release(first, finance_user, release_order_number=order_number)

    assert "release order number" in message_of(error.value)
    assert_not_released(first, project_status=Project.Status.SANCTIONED)


def test_release_refuses_instalment_2_before_instalment_1(finance_user):
    project = ProjectFactory()
    InstalmentFactory(project=project, sequence=1, amount=4_000_000)
    second = InstalmentFactory(project=project, sequence=2, amount=2_000_000)

    with pytest.raises(GrantRuleError) as error:
        release(second, finance_user)

    assert message_of(error.value) == (
        f"Instalment 2 of {project.reference} cannot be released before instalment 1."
    )
    assert_not_released(second, project_status=Project.Status.SANCTIONED)


def test_release_refuses_to_exceed_the_sanction_and_says_by_how_much(finance_user):
    # Instalments created directly can plan more than the sanction.
    project, second = project_with_first_release(
        first_amount=4_000_000, second_amount=3_000_000
    )
    accepted_uc(project)

    with pytest.raises(GrantRuleError) as error:
        release(second, finance_user)

    message = message_of(error.value)
    assert f"Instalment 2 of {project.reference}" in message
    assert "₹\u00a040,00,000 is already released" in message
    assert "₹\u00a030,00,000 more" in message
    assert "sanctioned ₹\u00a060,00,000 by ₹\u00a010,00,000" in message
    assert_not_released(second, project_status=Project.Status.ONGOING)


def test_release_refuses_a_first_instalment_larger_than_the_sanction(finance_user):
    project = ProjectFactory(sanctioned_amount=1_000_000)
    first = InstalmentFactory(project=project, sequence=1, amount=1_000_001)

    with pytest.raises(GrantRuleError) as error:
        release(first, finance_user)

    assert "sanctioned ₹\u00a010,00,000 by ₹\u00a01" in message_of(error.value)
    assert_not_released(first, project_status=Project.Status.SANCTIONED)


def test_release_up_to_exactly_the_sanction_is_allowed(finance_user):
    project, second = project_with_first_release(
        first_amount=4_000_000, second_amount=2_000_000
    )
    accepted_uc(project)

    release(second, finance_user)

    assert Instalment.objects.get(pk=second.pk).is_released


def test_second_release_with_an_accepted_covering_certificate_records_it(
    finance_user,
):
    project, second = project_with_first_release()
    uc = accepted_uc(project)

    release(second, finance_user)

    second.refresh_from_db()
    assert second.released_on == SECOND_RELEASE_ON
    assert second.covering_certificate == uc
    assert second.override_reason == ""
    assert second.low_utilisation_note == ""
    assert Project.objects.get(pk=project.pk).status == Project.Status.ONGOING


def test_second_release_without_any_certificate_is_refused_citing_gfr(finance_user):
    project, second = project_with_first_release()

    with pytest.raises(GrantRuleError) as error:
        release(second, finance_user)

    message = message_of(error.value)
    assert f"Instalment 2 of {project.reference}" in message
    assert "previous release of 02 Jun 2024" in message
    assert "230(10)" in message
    assert "238(2)" in message
    assert "override" in message
    assert_not_released(second, project_status=Project.Status.ONGOING)


def test_second_release_is_refused_when_the_uc_was_accepted_after_the_release_date(
    finance_user,
):
    project, second = project_with_first_release()
    accepted_uc(project, decided_on=SECOND_RELEASE_ON + datetime.timedelta(days=1))

    with pytest.raises(GrantRuleError) as error:
        release(second, finance_user)

    assert "previous release of 02 Jun 2024" in message_of(error.value)
    assert_not_released(second, project_status=Project.Status.ONGOING)


def test_second_release_counts_a_uc_accepted_on_the_release_date(finance_user):
    project, second = project_with_first_release()
    uc = accepted_uc(project, decided_on=SECOND_RELEASE_ON)

    release(second, finance_user)

    assert Instalment.objects.get(pk=second.pk).covering_certificate == uc


def test_second_release_is_refused_when_the_uc_ends_the_day_before_the_previous_release(
    finance_user,
):
    project, second = project_with_first_release()
    accepted_uc(
        project,
        kind=UtilisationCertificate.Kind.PROVISIONAL,
        period_end=FIRST_RELEASE_ON - datetime.timedelta(days=1),
    )

    with pytest.raises(GrantRuleError) as error:
        release(second, finance_user)

    assert "previous release of 02 Jun 2024" in message_of(error.value)
    assert_not_released(second, project_status=Project.Status.ONGOING)


def test_second_release_counts_a_uc_ending_on_the_previous_release_date(
    finance_user,
):
    project, second = project_with_first_release()
    uc = accepted_uc(
        project,
        kind=UtilisationCertificate.Kind.PROVISIONAL,
        period_end=FIRST_RELEASE_ON,
    )

    release(second, finance_user)

    assert Instalment.objects.get(pk=second.pk).covering_certificate == uc


def test_second_release_is_refused_on_a_submitted_but_not_accepted_uc(finance_user):
    project, second = project_with_first_release()
    UtilisationCertificateFactory(project=project)

    with pytest.raises(GrantRuleError) as error:
        release(second, finance_user)

    assert "needs an accepted utilisation certificate" in message_of(error.value)
    assert_not_released(second, project_status=Project.Status.ONGOING)


def test_second_release_is_refused_on_a_returned_uc(finance_user):
    project, second = project_with_first_release()
    UtilisationCertificateFactory(
        project=project,
        status=UtilisationCertificate.Status.RETURNED,
        decided_on=datetime.date(2025, 5, 12),
        return_reason="Interest earned is not shown.",
    )

    with pytest.raises(GrantRuleError) as error:
        release(second, finance_user)

    assert "needs an accepted utilisation certificate" in message_of(error.value)
    assert_not_released(second, project_status=Project.Status.ONGOING)


@pytest.mark.parametrize(
    "kind",
    [UtilisationCertificate.Kind.PROVISIONAL, UtilisationCertificate.Kind.FINAL],
)
def test_second_release_counts_a_provisional_or_final_uc(finance_user, kind):
    project, second = project_with_first_release()
    uc = accepted_uc(project, kind=kind, period_end=datetime.date(2025, 3, 31))

    release(second, finance_user)

    assert Instalment.objects.get(pk=second.pk).covering_certificate == uc


def test_second_release_with_an_override_reason_goes_through_without_a_certificate(
    finance_user,
):
    project, second = project_with_first_release()

    release(
        second,
        finance_user,
        override_reason="  Secretary's approval of 28 May 2025, file 14/2/2025  ",
    )

    second.refresh_from_db()
    assert second.is_released
    assert second.covering_certificate is None
    assert second.override_reason == (
        "Secretary's approval of 28 May 2025, file 14/2/2025"
    )


def test_second_release_with_a_blank_override_reason_is_refused(finance_user):
    project, second = project_with_first_release()

    with pytest.raises(GrantRuleError):
        release(second, finance_user, override_reason="   ")

    assert_not_released(second, project_status=Project.Status.ONGOING)


def test_an_override_is_not_recorded_when_an_accepted_uc_covers_the_release(
    finance_user,
):
    project, second = project_with_first_release()
    uc = accepted_uc(project)

    release(second, finance_user, override_reason="Not needed after all")

    second.refresh_from_db()
    assert second.covering_certificate == uc
    assert second.override_reason == ""


def test_a_covering_uc_under_75_percent_needs_an_acknowledgement(finance_user):
    project, second = project_with_first_release()
    uc = accepted_uc(project, grant_received=2_000_000, expenditure=1_000_000)

    with pytest.raises(LowUtilisationWarning) as error:
        release(second, finance_user)

    message = message_of(error.value)
    assert str(uc) in message
    assert "50.0% utilisation" in message
    assert "₹\u00a010,00,000 spent of ₹\u00a020,00,000 available" in message
    assert "75%" in message
    assert "note" in message
    assert_not_released(second, project_status=Project.Status.ONGOING)


def test_a_low_utilisation_warning_is_also_a_grant_rule_error(finance_user):
    project, second = project_with_first_release()
    accepted_uc(project, expenditure=1_000_000)

    with pytest.raises(GrantRuleError):
        release(second, finance_user)


def test_utilisation_just_under_75_percent_is_not_shown_as_75_percent(finance_user):
    project, second = project_with_first_release()
    accepted_uc(project, grant_received=2_000_000, expenditure=1_499_999)

    with pytest.raises(LowUtilisationWarning) as error:
        release(second, finance_user)

    message = message_of(error.value)
    assert "74.9% utilisation" in message
    assert "₹\u00a014,99,999 spent of ₹\u00a020,00,000 available" in message


def test_low_utilisation_with_a_note_is_released_and_the_note_recorded(finance_user):
    project, second = project_with_first_release()
    uc = accepted_uc(project, expenditure=1_000_000)

    release(
        second,
        finance_user,
        low_utilisation_note=" Equipment order placed; payment due in July. ",
    )

    second.refresh_from_db()
    assert second.is_released
    assert second.covering_certificate == uc
    assert second.low_utilisation_note == "Equipment order placed; payment due in July."


def test_exactly_75_percent_utilisation_is_released_without_a_note(finance_user):
    project, second = project_with_first_release()
    uc = accepted_uc(project, grant_received=2_000_000, expenditure=1_500_000)

    release(second, finance_user)

    second.refresh_from_db()
    assert second.covering_certificate == uc
    assert second.low_utilisation_note == ""


def test_utilisation_counts_the_opening_balance_and_interest_as_available(
    finance_user,
):
    # 15,00,000 spent of 5,00,000 + 20,000 - 20,000 + 15,00,000 = 20,00,000: 75%.
    project, second = project_with_first_release()
    accepted_uc(
        project,
        opening_balance=500_000,
        interest_earned=20_000,
        interest_remitted=20_000,
        grant_received=1_500_000,
        expenditure=1_500_000,
    )

    release(second, finance_user)

    assert Instalment.objects.get(pk=second.pk).is_released


def test_the_most_recent_qualifying_uc_is_recorded_as_covering(finance_user):
    project, second = project_with_first_release()
    accepted_uc(
        project,
        kind=UtilisationCertificate.Kind.PROVISIONAL,
        period_end=datetime.date(2024, 9, 30),
        decided_on=datetime.date(2025, 5, 20),
    )
    annual = accepted_uc(project, decided_on=datetime.date(2025, 5, 12))
    # Later still, but accepted after the release date: it does not count.
    accepted_uc(
        project,
        kind=UtilisationCertificate.Kind.PROVISIONAL,
        period_end=datetime.date(2025, 5, 31),
        decided_on=datetime.date(2025, 6, 10),
    )

    release(second, finance_user)

    assert Instalment.objects.get(pk=second.pk).covering_certificate == annual


def test_the_covering_uc_is_judged_on_its_own_utilisation(finance_user):
    # The older UC shows 50%, but the newest one (90%) speaks for the money.
    project, second = project_with_first_release()
    accepted_uc(
        project,
        kind=UtilisationCertificate.Kind.PROVISIONAL,
        period_end=datetime.date(2024, 9, 30),
        expenditure=1_000_000,
    )
    annual = accepted_uc(project, expenditure=1_800_000)

    release(second, finance_user)

    assert Instalment.objects.get(pk=second.pk).covering_certificate == annual


def test_release_dated_before_the_previous_release_is_refused(finance_user):
    project, second = project_with_first_release()

    with pytest.raises(GrantRuleError) as error:
        release(second, finance_user, released_on=datetime.date(2024, 6, 1))

    message = message_of(error.value)
    assert "cannot be dated 01 Jun 2024" in message
    assert "previous release on 02 Jun 2024" in message
    assert_not_released(second, project_status=Project.Status.ONGOING)


@pytest.mark.parametrize("status", [Project.Status.CLOSED, Project.Status.TERMINATED])
def test_release_on_a_closed_or_terminated_project_is_refused(finance_user, status):
    project, second = project_with_first_release()
    Project.objects.filter(pk=project.pk).update(
        status=status,
        closed_on=datetime.date(2025, 5, 1)
        if status == Project.Status.CLOSED
        else None,
    )
    accepted_uc(project)

    with pytest.raises(GrantRuleError) as error:
        release(second, finance_user)

    message = message_of(error.value)
    assert f"Instalment 2 of {project.reference} cannot be released" in message
    assert str(status.label) in message
    assert_not_released(second, project_status=status)


# Utilisation certificates ----------------------------------------------------------


def figures(**overrides):
    """Balanced GFR 12-A figures: 0 + 0 - 0 + 20,00,000 - 16,00,000 = 4,00,000."""
    values = {
        "opening_balance": 0,
        "interest_earned": 0,
        "interest_remitted": 0,
        "grant_received": 2_000_000,
        "expenditure": 1_600_000,
        "closing_balance": 400_000,
    }
    values.update(overrides)
    return CertificateFigures(**values)


def funded_project():
    """An ongoing project to which the Rs 20,00,000 its UC counts were released."""
    project = ProjectFactory(ongoing=True)
    InstalmentFactory(
        project=project,
        sequence=1,
        amount=2_000_000,
        planned_on=datetime.date(2024, 4, 10),
        released=True,
    )
    return project


def submit_annual_uc(project, user=None, **overrides):
    terms = {
        "kind": UtilisationCertificate.Kind.ANNUAL,
        "period_start": datetime.date(2024, 4, 1),
        "period_end": datetime.date(2025, 3, 31),
        "figures": figures(),
        "submitted_on": datetime.date(2025, 4, 25),
        "submitted_by": user,
    }
    terms.update(overrides)
    certificate = services.submit_certificate(project, **terms)
    DocumentFactory(
        project=project, certificate=certificate, kind=Document.Kind.SIGNED_UC
    )
    return certificate


def uc_milestone(project, **overrides):
    return MilestoneFactory(
        project=project,
        kind=Milestone.Kind.UTILISATION_CERTIFICATE,
        title="Annual UC 2024-25",
        due_on=datetime.date(2025, 4, 30),
        **overrides,
    )


def test_submit_certificate_records_a_submitted_uc_and_marks_its_milestone():
    project = funded_project()
    milestone = uc_milestone(project)
    finance_member = UserFactory()

    uc = submit_annual_uc(
        project,
        finance_member,
        milestone=milestone,
        figures=figures(
            expenditure_general=400_000,
            expenditure_salary=700_000,
            expenditure_capital=500_000,
        ),
        targets_achieved="Bench-scale leaching targets met.",
    )

    uc = UtilisationCertificate.objects.get(pk=uc.pk)
    assert uc.status == UtilisationCertificate.Status.SUBMITTED
    assert uc.fiscal_year == "2024-25"
    assert uc.submitted_by == finance_member
    assert uc.submitted_on == datetime.date(2025, 4, 25)
    assert (uc.grant_received, uc.expenditure, uc.closing_balance) == (
        2_000_000,
        1_600_000,
        400_000,
    )
    assert (
        uc.expenditure_general,
        uc.expenditure_salary,
        uc.expenditure_capital,
    ) == (400_000, 700_000, 500_000)
    assert uc.targets_achieved == "Bench-scale leaching targets met."
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.SUBMITTED
    assert milestone.submitted_on == datetime.date(2025, 4, 25)
    assert milestone.certificate == uc


def test_a_provisional_uc_takes_its_fiscal_year_from_the_period_end():
    project = funded_project()

    uc = services.submit_certificate(
        project,
        kind=UtilisationCertificate.Kind.PROVISIONAL,
        period_start=datetime.date(2024, 4, 1),
        period_end=datetime.date(2025, 6, 30),
        figures=figures(),
        submitted_on=datetime.date(2025, 7, 10),
        submitted_by=None,
    )

    assert uc.fiscal_year == "2025-26"


@pytest.mark.parametrize(
    ("closing_balance", "words"),
    [(401_000, "₹\u00a01,000 too high"), (399_500, "₹\u00a0500 too low")],
)
def test_submit_certificate_refuses_a_closing_balance_that_does_not_balance(
    closing_balance, words
):
    project = ProjectFactory(ongoing=True)
    milestone = uc_milestone(project)
    before = row_counts()

    with pytest.raises(GrantRuleError) as error:
        submit_annual_uc(
            project,
            milestone=milestone,
            figures=figures(closing_balance=closing_balance),
        )

    [message] = error.value.message_dict["closing_balance"]
    assert "should be ₹\u00a04,00,000" in message
    assert words in message
    assert row_counts() == before
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.PENDING
    assert milestone.certificate is None


def test_submit_certificate_refuses_components_that_do_not_add_up_to_expenditure():
    project = ProjectFactory(ongoing=True)
    before = row_counts()

    with pytest.raises(GrantRuleError) as error:
        submit_annual_uc(
            project,
            figures=figures(
                expenditure_general=500_000,
                expenditure_salary=800_000,
                expenditure_capital=200_000,
            ),
        )

    [message] = error.value.message_dict["expenditure"]
    assert "add up to ₹\u00a015,00,000" in message
    assert "₹\u00a01,00,000 less" in message
    assert "expenditure of ₹\u00a016,00,000" in message
    assert row_counts() == before


def test_submit_certificate_counts_a_missing_component_as_zero():
    project = ProjectFactory(ongoing=True)

    with pytest.raises(GrantRuleError) as error:
        submit_annual_uc(project, figures=figures(expenditure_salary=1_700_000))

    [message] = error.value.message_dict["expenditure"]
    assert "₹\u00a01,00,000 more" in message


def test_submit_certificate_refuses_a_negative_figure():
    project = ProjectFactory(ongoing=True)
    before = row_counts()

    with pytest.raises(GrantRuleError) as error:
        submit_annual_uc(
            project, figures=figures(interest_earned=-5_000, closing_balance=395_000)
        )

    assert error.value.message_dict == {
        "interest_earned": ["An amount cannot be negative."]
    }
    assert row_counts() == before


def test_submit_certificate_refuses_paise():
    project = ProjectFactory(ongoing=True)

    with pytest.raises(GrantRuleError) as error:
        submit_annual_uc(project, figures=figures(expenditure=1_600_000.5))

    assert error.value.message_dict == {"expenditure": ["Enter whole rupees."]}


def test_submit_certificate_refuses_a_period_that_ends_before_it_starts():
    project = ProjectFactory(ongoing=True)
    before = row_counts()

    with pytest.raises(GrantRuleError) as error:
        submit_annual_uc(
            project,
            kind=UtilisationCertificate.Kind.PROVISIONAL,
            period_start=datetime.date(2025, 3, 31),
            period_end=datetime.date(2024, 4, 1),
        )

    assert "period_end" in error.value.message_dict
    assert row_counts() == before


@pytest.mark.parametrize(
    "status",
    [UtilisationCertificate.Status.SUBMITTED, UtilisationCertificate.Status.ACCEPTED],
)
def test_a_second_live_annual_uc_for_the_same_fiscal_year_is_refused(status):
    project = ProjectFactory(ongoing=True)
    UtilisationCertificateFactory(
        project=project,
        status=status,
        decided_on=datetime.date(2025, 5, 12) if status == "accepted" else None,
    )
    before = row_counts()

    with pytest.raises(GrantRuleError) as error:
        submit_annual_uc(project)

    message = message_of(error.value)
    assert project.reference in message
    assert "already has an annual UC for 2024-25" in message
    assert row_counts() == before


def test_after_a_return_a_new_annual_uc_is_accepted_and_both_versions_kept(
    staff_user,
):
    project = funded_project()
    milestone = uc_milestone(project)
    first = submit_annual_uc(project, milestone=milestone)
    services.return_certificate(
        first,
        reason="Interest earned is not shown.",
        decided_on=datetime.date(2025, 5, 2),
        decided_by=staff_user,
    )

    second = submit_annual_uc(
        project,
        milestone=milestone,
        figures=figures(interest_earned=8_000, closing_balance=408_000),
        submitted_on=datetime.date(2025, 5, 9),
    )

    assert list(
        project.certificates.filter(fiscal_year="2024-25")
        .order_by("pk")
        .values_list("pk", "status")
    ) == [
        (first.pk, UtilisationCertificate.Status.RETURNED),
        (second.pk, UtilisationCertificate.Status.SUBMITTED),
    ]
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.SUBMITTED
    assert milestone.certificate == second


def test_submit_certificate_refuses_a_milestone_of_another_project():
    project = ProjectFactory(ongoing=True)
    other_milestone = uc_milestone(ProjectFactory(ongoing=True))
    before = row_counts()

    with pytest.raises(GrantRuleError) as error:
        submit_annual_uc(project, milestone=other_milestone)

    assert "another project" in message_of(error.value)
    assert row_counts() == before
    other_milestone.refresh_from_db()
    assert other_milestone.status == Milestone.Status.PENDING
    assert other_milestone.certificate is None


def test_an_annual_uc_that_starts_before_the_fiscal_year_is_refused():
    project = ProjectFactory(ongoing=True)
    before = row_counts()

    with pytest.raises(GrantRuleError) as error:
        submit_annual_uc(project, period_start=datetime.date(2024, 3, 12))

    [message] = error.value.message_dict["period_start"]
    assert "for 2024-25, enter 01 Apr 2024" in message
    assert row_counts() == before


def submitted_uc_with_milestone(project=None):
    project = project or funded_project()
    milestone = uc_milestone(project)
    uc = submit_annual_uc(project, milestone=milestone)
    return uc, milestone


def test_accept_certificate_marks_the_uc_and_its_milestone_accepted(staff_user):
    uc, milestone = submitted_uc_with_milestone()

    services.accept_certificate(
        uc, decided_on=datetime.date(2025, 5, 12), decided_by=staff_user
    )

    uc = UtilisationCertificate.objects.get(pk=uc.pk)
    assert uc.status == UtilisationCertificate.Status.ACCEPTED
    assert uc.decided_on == datetime.date(2025, 5, 12)
    assert uc.decided_by == staff_user
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.ACCEPTED
    assert milestone.decided_on == datetime.date(2025, 5, 12)


def test_return_certificate_stores_the_reason_and_reopens_the_milestone(staff_user):
    uc, milestone = submitted_uc_with_milestone()

    services.return_certificate(
        uc,
        reason="  Interest earned is not shown.  ",
        decided_on=datetime.date(2025, 5, 2),
        decided_by=staff_user,
    )

    uc = UtilisationCertificate.objects.get(pk=uc.pk)
    assert uc.status == UtilisationCertificate.Status.RETURNED
    assert uc.return_reason == "Interest earned is not shown."
    assert uc.decided_by == staff_user
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.RETURNED
    assert milestone.decided_on == datetime.date(2025, 5, 2)


@pytest.mark.parametrize("reason", ["", "  \n "])
def test_return_certificate_without_a_reason_is_refused(staff_user, reason):
    uc, milestone = submitted_uc_with_milestone()

    with pytest.raises(GrantRuleError) as error:
        services.return_certificate(
            uc,
            reason=reason,
            decided_on=datetime.date(2025, 5, 2),
            decided_by=staff_user,
        )

    assert "grantee" in error.value.message_dict["reason"][0]
    uc = UtilisationCertificate.objects.get(pk=uc.pk)
    assert uc.status == UtilisationCertificate.Status.SUBMITTED
    assert uc.decided_on is None
    assert uc.return_reason == ""
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.SUBMITTED


def test_accepting_an_already_accepted_uc_is_refused(staff_user):
    uc = UtilisationCertificateFactory(accepted=True)

    with pytest.raises(GrantRuleError) as error:
        services.accept_certificate(
            uc, decided_on=datetime.date(2025, 6, 1), decided_by=staff_user
        )

    message = message_of(error.value)
    assert str(uc) in message
    assert "is accepted" in message
    assert "only a submitted one" in message
    uc = UtilisationCertificate.objects.get(pk=uc.pk)
    assert uc.decided_on == datetime.date(2025, 5, 12)
    assert uc.decided_by is None


def test_returning_an_already_accepted_uc_is_refused(staff_user):
    uc = UtilisationCertificateFactory(accepted=True)
    milestone = uc_milestone(
        uc.project, status=Milestone.Status.ACCEPTED, certificate=uc
    )

    with pytest.raises(GrantRuleError):
        services.return_certificate(
            uc,
            reason="Second thoughts.",
            decided_on=datetime.date(2025, 6, 1),
            decided_by=staff_user,
        )

    uc = UtilisationCertificate.objects.get(pk=uc.pk)
    assert uc.status == UtilisationCertificate.Status.ACCEPTED
    assert uc.return_reason == ""
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.ACCEPTED


# Progress reports -----------------------------------------------------------------


def submit_report(milestone, **overrides):
    terms = {
        "period_start": datetime.date(2025, 4, 1),
        "period_end": datetime.date(2025, 9, 30),
        "narrative": "Leaching trials at bench scale completed.",
        "trl_now": 4,
        "submitted_on": datetime.date(2025, 10, 25),
        "submitted_by": None,
    }
    terms.update(overrides)
    return services.submit_progress_report(milestone, **terms)


def test_submit_progress_report_records_version_1_and_marks_the_milestone():
    milestone = MilestoneFactory()
    pi = milestone.project.principal_investigator

    report = submit_report(
        milestone,
        submitted_by=pi,
        narrative="  Leaching trials done.  ",
        publications=2,
        patents_filed=1,
    )

    report = ProgressReport.objects.get(pk=report.pk)
    assert report.version == 1
    assert report.status == ProgressReport.Status.SUBMITTED
    assert report.narrative == "Leaching trials done."
    assert (report.publications, report.patents_filed) == (2, 1)
    assert report.submitted_by == pi
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.SUBMITTED
    assert milestone.submitted_on == datetime.date(2025, 10, 25)


def test_a_report_resubmitted_after_a_return_is_version_2(staff_user):
    milestone = MilestoneFactory()
    first = submit_report(milestone)
    services.return_progress_report(
        first,
        reason="Add the recovery figures.",
        decided_on=datetime.date(2025, 11, 3),
        decided_by=staff_user,
    )
    milestone.refresh_from_db()

    second = submit_report(milestone, submitted_on=datetime.date(2025, 11, 20))

    assert list(
        milestone.reports.order_by("version").values_list("version", "status")
    ) == [
        (1, ProgressReport.Status.RETURNED),
        (2, ProgressReport.Status.SUBMITTED),
    ]
    assert second.version == 2
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.SUBMITTED
    assert milestone.submitted_on == datetime.date(2025, 11, 20)


@pytest.mark.parametrize(
    "status", [Milestone.Status.SUBMITTED, Milestone.Status.ACCEPTED]
)
def test_submit_progress_report_is_refused_unless_the_milestone_is_open(status):
    milestone = MilestoneFactory(status=status)
    before = row_counts()

    with pytest.raises(GrantRuleError) as error:
        submit_report(milestone)

    message = message_of(error.value)
    assert str(milestone) in message
    assert f"is {status.label}" in message
    assert "pending or returned" in message
    assert row_counts() == before
    assert Milestone.objects.get(pk=milestone.pk).status == status


@pytest.mark.parametrize("narrative", ["", "   "])
def test_submit_progress_report_without_a_narrative_is_refused(narrative):
    milestone = MilestoneFactory()
    before = row_counts()

    with pytest.raises(GrantRuleError) as error:
        submit_report(milestone, narrative=narrative)

    assert "narrative" in error.value.message_dict
    assert row_counts() == before
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.PENDING


def test_accepting_a_report_meets_the_milestone_and_updates_the_project_trl(
    staff_user,
):
    milestone = MilestoneFactory(status=Milestone.Status.SUBMITTED)
    report = ProgressReportFactory(milestone=milestone, trl_now=5)

    services.accept_progress_report(
        report,
        decided_on=datetime.date(2025, 11, 3),
        decided_by=staff_user,
        comment=" Good progress. ",
    )

    report = ProgressReport.objects.get(pk=report.pk)
    assert report.status == ProgressReport.Status.ACCEPTED
    assert report.decided_by == staff_user
    assert report.review_comment == "Good progress."
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.ACCEPTED
    assert milestone.decided_on == datetime.date(2025, 11, 3)
    assert Project.objects.get(pk=milestone.project_id).trl_now == 5


def test_accepting_an_already_accepted_report_is_refused(staff_user):
    milestone = MilestoneFactory(status=Milestone.Status.ACCEPTED)
    report = ProgressReportFactory(
        milestone=milestone,
        status=ProgressReport.Status.ACCEPTED,
        decided_on=datetime.date(2025, 11, 3),
        trl_now=5,
    )

    with pytest.raises(GrantRuleError) as error:
        services.accept_progress_report(
            report, decided_on=datetime.date(2025, 12, 1), decided_by=staff_user
        )

    assert "only a submitted one" in message_of(error.value)
    report = ProgressReport.objects.get(pk=report.pk)
    assert report.decided_on == datetime.date(2025, 11, 3)
    assert Project.objects.get(pk=milestone.project_id).trl_now == 3


def test_returning_a_report_stores_the_reason_and_reopens_the_milestone(staff_user):
    milestone = MilestoneFactory(status=Milestone.Status.SUBMITTED)
    report = ProgressReportFactory(milestone=milestone)

    services.return_progress_report(
        report,
        reason=" Add the recovery figures. ",
        decided_on=datetime.date(2025, 11, 3),
        decided_by=staff_user,
    )

    report = ProgressReport.objects.get(pk=report.pk)
    assert report.status == ProgressReport.Status.RETURNED
    assert report.review_comment == "Add the recovery figures."
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.RETURNED


@pytest.mark.parametrize("reason", ["", "   "])
def test_returning_a_report_without_a_reason_is_refused(staff_user, reason):
    milestone = MilestoneFactory(status=Milestone.Status.SUBMITTED)
    report = ProgressReportFactory(milestone=milestone)

    with pytest.raises(GrantRuleError) as error:
        services.return_progress_report(
            report,
            reason=reason,
            decided_on=datetime.date(2025, 11, 3),
            decided_by=staff_user,
        )

    assert "grantee" in error.value.message_dict["reason"][0]
    report = ProgressReport.objects.get(pk=report.pk)
    assert report.status == ProgressReport.Status.SUBMITTED
    assert report.review_comment == ""
    assert report.decided_on is None
    assert Milestone.objects.get(pk=milestone.pk).status == Milestone.Status.SUBMITTED


# Extensions --------------------------------------------------------------------

END_ON = datetime.date(2027, 3, 31)  # the factory project's end date
NEW_END_ON = datetime.date(2027, 9, 30)


def test_request_extension_records_a_request_and_leaves_the_end_date():
    project = ProjectFactory(ongoing=True)
    pi = project.principal_investigator

    extension = services.request_extension(
        project,
        new_end_on=NEW_END_ON,
        reason=" Magnet press delivered late. ",
        requested_on=datetime.date(2027, 1, 10),
        requested_by=pi,
    )

    extension = Extension.objects.get(pk=extension.pk)
    assert extension.status == Extension.Status.REQUESTED
    assert extension.previous_end_on == END_ON
    assert extension.new_end_on == NEW_END_ON
    assert extension.reason == "Magnet press delivered late."
    assert extension.requested_by == pi
    project = Project.objects.get(pk=project.pk)
    assert project.end_on == END_ON
    assert project.status == Project.Status.ONGOING


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"reason": "  "}, "reason", "Say why"),
        (
            {"new_end_on": END_ON},
            "new_end_on",
            "after the current end date, 31 Mar 2027",
        ),
        (
            {"new_end_on": datetime.date(2027, 1, 31)},
            "new_end_on",
            "31 Mar 2027",
        ),
    ],
)
def test_request_extension_is_refused_without_a_reason_or_a_later_end(
    overrides, field, words
):
    project = ProjectFactory(ongoing=True)
    terms = {
        "new_end_on": NEW_END_ON,
        "reason": "Magnet press delivered late.",
        "requested_on": datetime.date(2027, 1, 10),
        "requested_by": None,
    }
    terms.update(overrides)
    before = row_counts()

    with pytest.raises(GrantRuleError) as error:
        services.request_extension(project, **terms)

    assert words in error.value.message_dict[field][0]
    assert row_counts() == before


@pytest.mark.parametrize(
    "status",
    [Project.Status.COMPLETED, Project.Status.CLOSED, Project.Status.TERMINATED],
)
def test_request_extension_on_a_finished_project_is_refused(status):
    project = ProjectFactory(
        status=status,
        closed_on=datetime.date(2027, 6, 1)
        if status == Project.Status.CLOSED
        else None,
    )
    before = row_counts()

    with pytest.raises(GrantRuleError) as error:
        services.request_extension(
            project,
            new_end_on=NEW_END_ON,
            reason="Magnet press delivered late.",
            requested_on=datetime.date(2027, 1, 10),
            requested_by=None,
        )

    message = message_of(error.value)
    assert project.reference in message
    assert str(status.label) in message
    assert row_counts() == before


def milestones_around_the_end(project):
    """Milestones of a project ending 31 Mar 2027, some tied to the end date."""
    return {
        "final_report": MilestoneFactory(
            project=project,
            kind=Milestone.Kind.FINAL_REPORT,
            title="Final technical report",
            due_on=datetime.date(2027, 6, 30),
            months_after_end=3,
        ),
        "returned_final_uc": MilestoneFactory(
            project=project,
            kind=Milestone.Kind.UTILISATION_CERTIFICATE,
            title="Final UC",
            due_on=datetime.date(2027, 6, 30),
            months_after_end=3,
            status=Milestone.Status.RETURNED,
        ),
        "accepted_completion": MilestoneFactory(
            project=project,
            kind=Milestone.Kind.TECHNICAL_DELIVERABLE,
            title="Technical completion",
            due_on=datetime.date(2027, 3, 31),
            months_after_end=0,
            status=Milestone.Status.ACCEPTED,
        ),
        "fixed_report": MilestoneFactory(
            project=project,
            title="Half-yearly progress report",
            due_on=datetime.date(2026, 10, 30),
        ),
    }


def due_dates(milestones):
    return {
        name: Milestone.objects.get(pk=milestone.pk).due_on
        for name, milestone in milestones.items()
    }


def test_approving_an_extension_moves_the_end_date_and_the_milestones_tied_to_it(
    staff_user,
):
    project = ProjectFactory(ongoing=True)
    milestones = milestones_around_the_end(project)
    request = ExtensionFactory(project=project, new_end_on=NEW_END_ON)

    services.approve_extension(
        request,
        decided_on=datetime.date(2027, 2, 1),
        decided_by=staff_user,
        comment="Approved by the Project Review Committee.",
    )

    project = Project.objects.get(pk=project.pk)
    assert project.end_on == NEW_END_ON
    assert project.status == Project.Status.EXTENDED
    assert project.duration_months == 36
    request = Extension.objects.get(pk=request.pk)
    assert request.status == Extension.Status.APPROVED
    assert request.decided_on == datetime.date(2027, 2, 1)
    assert request.decided_by == staff_user
    assert request.decision_comment == "Approved by the Project Review Committee."
    assert due_dates(milestones) == {
        "final_report": datetime.date(2027, 12, 30),
        "returned_final_uc": datetime.date(2027, 12, 30),
        "accepted_completion": datetime.date(2027, 3, 31),
        "fixed_report": datetime.date(2026, 10, 30),
    }


def test_approving_without_a_comment_keeps_the_request_reason(staff_user):
    request = ExtensionFactory(project=ProjectFactory(ongoing=True))

    services.approve_extension(
        request, decided_on=datetime.date(2027, 2, 1), decided_by=staff_user, comment=""
    )

    request = Extension.objects.get(pk=request.pk)
    assert request.decision_comment == "Equipment delivered late."


def test_extend_project_without_a_request_records_an_approved_extension(staff_user):
    project = ProjectFactory(ongoing=True)

    extension = services.extend_project(
        project,
        new_end_on=NEW_END_ON,
        reason="Extended by the Secretary at the annual review.",
        decided_on=datetime.date(2027, 2, 1),
        decided_by=staff_user,
    )

    extension = Extension.objects.get(pk=extension.pk)
    assert extension.project == project
    assert extension.status == Extension.Status.APPROVED
    assert extension.previous_end_on == END_ON
    assert extension.new_end_on == NEW_END_ON
    assert extension.requested_on == datetime.date(2027, 2, 1)
    assert extension.decided_by == staff_user
    assert Project.objects.get(pk=project.pk).end_on == NEW_END_ON


def test_a_second_extension_moves_the_end_date_again(staff_user):
    project = ProjectFactory(ongoing=True)
    final_report = milestones_around_the_end(project)["final_report"]
    for new_end_on in (NEW_END_ON, datetime.date(2027, 12, 31)):
        services.extend_project(
            project,
            new_end_on=new_end_on,
            reason="Pilot plant commissioning slipped.",
            decided_on=datetime.date(2027, 2, 1),
            decided_by=staff_user,
        )

    assert Project.objects.get(pk=project.pk).end_on == datetime.date(2027, 12, 31)
    assert Milestone.objects.get(pk=final_report.pk).due_on == datetime.date(
        2028, 3, 31
    )
    assert list(project.extensions.values_list("previous_end_on", "new_end_on")) == [
        (END_ON, NEW_END_ON),
        (NEW_END_ON, datetime.date(2027, 12, 31)),
    ]


def assert_not_extended(project, milestones, status):
    project = Project.objects.get(pk=project.pk)
    assert project.end_on == END_ON
    assert project.status == status
    assert due_dates(milestones) == {
        "final_report": datetime.date(2027, 6, 30),
        "returned_final_uc": datetime.date(2027, 6, 30),
        "accepted_completion": datetime.date(2027, 3, 31),
        "fixed_report": datetime.date(2026, 10, 30),
    }


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"reason": " "}, "reason", "Record why"),
        (
            {"new_end_on": END_ON},
            "new_end_on",
            "after the current end date, 31 Mar 2027",
        ),
    ],
)
def test_extend_project_is_refused_without_a_reason_or_a_later_end(
    staff_user, overrides, field, words
):
    project = ProjectFactory(ongoing=True)
    milestones = milestones_around_the_end(project)
    terms = {
        "new_end_on": NEW_END_ON,
        "reason": "Pilot plant commissioning slipped.",
        "decided_on": datetime.date(2027, 2, 1),
        "decided_by": staff_user,
    }
    terms.update(overrides)
    before = row_counts()

    with pytest.raises(GrantRuleError) as error:
        services.extend_project(project, **terms)

    assert words in error.value.message_dict[field][0]
    assert row_counts() == before
    assert_not_extended(project, milestones, Project.Status.ONGOING)


@pytest.mark.parametrize(
    "status",
    [Project.Status.COMPLETED, Project.Status.CLOSED, Project.Status.TERMINATED],
)
def test_extending_a_finished_project_is_refused(staff_user, status):
    project = ProjectFactory(
        status=status,
        closed_on=datetime.date(2027, 6, 1)
        if status == Project.Status.CLOSED
        else None,
    )
    milestones = milestones_around_the_end(project)
    request = ExtensionFactory(project=project, new_end_on=NEW_END_ON)
    before = row_counts()

    with pytest.raises(GrantRuleError) as error:
        services.approve_extension(
            request,
            decided_on=datetime.date(2027, 2, 1),
            decided_by=staff_user,
            comment="Approved.",
        )

    message = message_of(error.value)
    assert project.reference in message
    assert str(status.label) in message
    assert row_counts() == before
    assert Extension.objects.get(pk=request.pk).status == Extension.Status.REQUESTED
    assert_not_extended(project, milestones, status)


def test_approving_an_extension_twice_is_refused_as_already_approved(staff_user):
    project = ProjectFactory(ongoing=True)
    request = ExtensionFactory(project=project, new_end_on=NEW_END_ON)
    services.approve_extension(
        request,
        decided_on=datetime.date(2027, 2, 1),
        decided_by=staff_user,
        comment="Approved.",
    )
    # A second officer working from the same, now stale, request.
    stale = Extension.objects.get(pk=request.pk)
    stale.status = Extension.Status.REQUESTED
    other_officer = StaffUserFactory()

    with pytest.raises(GrantRuleError) as error:
        services.approve_extension(
            stale,
            decided_on=datetime.date(2027, 2, 3),
            decided_by=other_officer,
            comment="Approved again.",
        )

    assert message_of(error.value) == (
        "This extension request was already approved on 01 Feb 2027."
    )
    request = Extension.objects.get(pk=request.pk)
    assert request.decided_by == staff_user
    assert request.decision_comment == "Approved."
    assert Project.objects.get(pk=project.pk).end_on == NEW_END_ON


def test_approving_a_rejected_extension_is_refused(staff_user):
    project = ProjectFactory(ongoing=True)
    request = ExtensionFactory(
        project=project,
        new_end_on=NEW_END_ON,
        status=Extension.Status.REJECTED,
        decided_on=datetime.date(2027, 1, 20),
    )

    with pytest.raises(GrantRuleError) as error:
        services.approve_extension(
            request,
            decided_on=datetime.date(2027, 2, 1),
            decided_by=staff_user,
            comment="Approved.",
        )

    assert "already rejected on 20 Jan 2027" in message_of(error.value)
    assert Project.objects.get(pk=project.pk).end_on == END_ON
    assert Extension.objects.get(pk=request.pk).status == Extension.Status.REJECTED


# Closure -----------------------------------------------------------------------

CLOSED_ON = datetime.date(2027, 8, 14)


def project_ready_to_close(*, final_report=True, final_uc=True, **uc_figures):
    """A completed project with the final report and final UC accepted.

    The final UC's closing balance is Rs 1,25,000, which holds the Rs 10,000 of
    interest not remitted: 0 + 12,000 - 2,000 + 60,00,000 - 58,85,000 = 1,25,000.
    So Rs 1,15,000 of unspent grant and Rs 10,000 of interest are refunded.
    """
    project = ProjectFactory(status=Project.Status.COMPLETED)
    if final_report:
        MilestoneFactory(
            project=project,
            kind=Milestone.Kind.FINAL_REPORT,
            title="Final technical report",
            due_on=datetime.date(2027, 6, 30),
            months_after_end=3,
            status=Milestone.Status.ACCEPTED,
        )
    if final_uc:
        figures = {
            "interest_earned": 12_000,
            "interest_remitted": 2_000,
            "grant_received": 6_000_000,
            "expenditure": 5_885_000,
        }
        figures.update(uc_figures)
        UtilisationCertificateFactory(
            project=project,
            kind=UtilisationCertificate.Kind.FINAL,
            period_start=datetime.date(2024, 4, 1),
            period_end=datetime.date(2027, 3, 31),
            status=UtilisationCertificate.Status.ACCEPTED,
            decided_on=datetime.date(2027, 7, 20),
            **figures,
        )
    return project


def close(project, **overrides):
    terms = {
        "closed_on": CLOSED_ON,
        "unspent_refunded": 115_000,
        "interest_refunded": 10_000,
        "refund_reference": "  BharatKosh 2707240012345 ",
        "asset_disposition": " ICP-MS retained by the institute (GFR 233). ",
    }
    terms.update(overrides)
    return services.close_project(project, **terms)


def assert_not_closed(project):
    project = Project.objects.get(pk=project.pk)
    assert project.status == Project.Status.COMPLETED
    assert project.closed_on is None
    assert project.unspent_refunded == 0
    assert project.interest_refunded == 0
    assert project.refund_reference == ""
    assert project.asset_disposition == ""


def test_close_project_records_the_closure_and_the_refunds():
    project = project_ready_to_close()

    close(project)

    project = Project.objects.get(pk=project.pk)
    assert project.status == Project.Status.CLOSED
    assert project.closed_on == CLOSED_ON
    assert project.unspent_refunded == 115_000
    assert project.interest_refunded == 10_000
    assert project.refund_reference == "BharatKosh 2707240012345"
    assert project.asset_disposition == "ICP-MS retained by the institute (GFR 233)."


def test_close_project_with_nothing_to_refund_needs_no_challan():
    project = project_ready_to_close(interest_remitted=12_000, expenditure=6_000_000)

    close(project, unspent_refunded=0, interest_refunded=0, refund_reference="")

    assert Project.objects.get(pk=project.pk).status == Project.Status.CLOSED


def test_close_project_accepts_a_waived_final_report():
    project = project_ready_to_close(final_report=False)
    MilestoneFactory(
        project=project,
        kind=Milestone.Kind.FINAL_REPORT,
        status=Milestone.Status.WAIVED,
        waiver_reason="Merged with the consolidated report of the consortium.",
    )

    close(project)

    assert Project.objects.get(pk=project.pk).status == Project.Status.CLOSED


def test_close_project_without_final_report_and_final_uc_lists_both():
    project = project_ready_to_close(final_report=False, final_uc=False)

    with pytest.raises(GrantRuleError) as error:
        close(project)

    assert message_of(error.value) == (
        f"{project.reference} cannot be closed: the final technical report is not "
        f"accepted and the final utilisation certificate is not accepted."
    )
    assert_not_closed(project)


def test_close_project_is_refused_while_the_final_report_is_only_submitted():
    project = project_ready_to_close(final_report=False)
    MilestoneFactory(
        project=project,
        kind=Milestone.Kind.FINAL_REPORT,
        status=Milestone.Status.SUBMITTED,
    )

    with pytest.raises(GrantRuleError) as error:
        close(project)

    message = message_of(error.value)
    assert "final technical report is not accepted" in message
    assert "utilisation certificate" not in message
    assert_not_closed(project)


def test_close_project_is_refused_without_an_accepted_final_uc():
    project = project_ready_to_close(final_uc=False)
    # Submitted but not accepted, and an accepted annual UC: neither will do.
    UtilisationCertificateFactory(
        project=project,
        kind=UtilisationCertificate.Kind.FINAL,
        period_end=datetime.date(2027, 3, 31),
    )
    UtilisationCertificateFactory(project=project, accepted=True)

    with pytest.raises(GrantRuleError) as error:
        close(project)

    message = message_of(error.value)
    assert "final utilisation certificate is not accepted" in message
    assert "technical report" not in message
    assert_not_closed(project)


def test_close_project_is_refused_when_less_than_the_closing_balance_is_refunded():
    """A shortfall needs the reason it differs (the new closure rule)."""
    project = project_ready_to_close()

    with pytest.raises(GrantRuleError) as error:
        close(project, unspent_refunded=100_000)

    [message] = error.value.message_dict["refund_difference_reason"]
    assert "refund of ₹\u00a01,10,000" in message
    assert "₹\u00a015,000 less than the final UC's closing balance" in message
    assert "closing balance of ₹\u00a01,25,000" in message
    assert_not_closed(project)


def test_close_project_is_refused_when_unremitted_interest_is_not_refunded():
    project = project_ready_to_close()

    with pytest.raises(GrantRuleError) as error:
        close(project, interest_refunded=4_000)

    [message] = error.value.message_dict["interest_refunded"]
    assert "₹\u00a010,000 of interest not yet remitted" in message
    assert "230(8)" in message
    assert_not_closed(project)


@pytest.mark.parametrize("reference", ["", "   "])
def test_close_project_is_refused_when_a_refund_has_no_challan(reference):
    project = project_ready_to_close()

    with pytest.raises(GrantRuleError) as error:
        close(project, refund_reference=reference)

    assert "challan or UTR" in error.value.message_dict["refund_reference"][0]
    assert_not_closed(project)


@pytest.mark.parametrize("disposition", ["", "  "])
def test_close_project_is_refused_without_an_asset_disposition(disposition):
    project = project_ready_to_close()

    with pytest.raises(GrantRuleError) as error:
        close(project, asset_disposition=disposition)

    assert "assets" in error.value.message_dict["asset_disposition"][0]
    assert_not_closed(project)


def test_closing_a_closed_project_is_refused():
    project = project_ready_to_close()
    close(project)

    with pytest.raises(GrantRuleError) as error:
        close(project, closed_on=datetime.date(2027, 9, 1))

    assert message_of(error.value) == f"{project.reference} is already closed."
    assert Project.objects.get(pk=project.pk).closed_on == CLOSED_ON


def test_closing_an_ongoing_project_before_its_end_date_is_refused():
    project = project_ready_to_close()
    Project.objects.filter(pk=project.pk).update(status=Project.Status.ONGOING)

    with pytest.raises(GrantRuleError) as error:
        close(project, closed_on=project.end_on)

    assert "runs until 31 Mar 2027" in message_of(error.value)
    project.refresh_from_db()
    assert project.status == Project.Status.ONGOING
    assert project.closed_on is None


def test_an_ongoing_project_past_its_end_date_can_be_closed():
    project = project_ready_to_close()
    Project.objects.filter(pk=project.pk).update(status=Project.Status.ONGOING)

    close(project)

    assert Project.objects.get(pk=project.pk).status == Project.Status.CLOSED


def test_submit_certificate_refuses_a_milestone_already_accepted():
    project = ProjectFactory(ongoing=True)
    milestone = uc_milestone(project, status=Milestone.Status.ACCEPTED)
    before = row_counts()

    with pytest.raises(GrantRuleError) as error:
        submit_annual_uc(project, milestone=milestone)

    assert "only while it is pending or returned" in message_of(error.value)
    assert row_counts() == before
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.ACCEPTED


def test_a_returned_certificate_records_the_reason_in_its_history(staff_user):
    uc, _ = submitted_uc_with_milestone()

    services.return_certificate(
        uc,
        reason="Interest is not remitted.",
        decided_on=datetime.date(2025, 5, 2),
        decided_by=staff_user,
    )

    latest = uc.history.latest()
    assert latest.status == UtilisationCertificate.Status.RETURNED
    assert latest.history_change_reason == "Returned: Interest is not remitted."


# What the history says of a release (an override only where a rule was overridden)


def latest_reason(instalment):
    return instalment.history.order_by("-history_id").first().history_change_reason


def test_a_first_release_records_that_it_needed_no_covering_uc_and_no_override(
    finance_user,
):
    first = InstalmentFactory(project=ProjectFactory(), sequence=1)

    release(
        first,
        finance_user,
        released_on=FIRST_RELEASE_ON,
        # Nothing to override on a first release: a reason given is not kept.
        override_reason="Not needed",
    )

    first.refresh_from_db()
    reason = latest_reason(first)
    assert reason == (
        "Released by order MoM/RO/2025/17; first release: no covering UC needed"
    )
    assert "override" not in reason
    assert first.override_reason == ""


def test_a_covered_release_records_the_order_alone(finance_user):
    project, second = project_with_first_release()
    accepted_uc(project)

    release(second, finance_user)

    assert latest_reason(second) == "Released by order MoM/RO/2025/17"


def test_an_overridden_release_names_the_rule_and_the_reason(finance_user):
    _project, second = project_with_first_release()

    release(second, finance_user, override_reason="Secretary's approval of 28 May")

    reason = latest_reason(second)
    assert reason == (
        "Released by order MoM/RO/2025/17; rule overridden: GFR 230(10) and 238(2), "
        "no accepted UC covers the release of 02 Jun 2024; "
        "override: Secretary's approval of 28 May"
    )


def test_a_second_release_of_the_same_instalment_names_who_released_it(
    finance_user,
):
    first = InstalmentFactory(project=ProjectFactory(), sequence=1)
    release(first, finance_user, released_on=FIRST_RELEASE_ON)

    with pytest.raises(GrantRuleError) as error:
        release(first, finance_user, release_order_number="MoM/RO/2025/99")

    message = message_of(error.value)
    assert "already released on 02 Jun 2024 (order MoM/RO/2025/17)" in message
    assert f"by {finance_user}" in message


def test_a_release_order_number_names_one_release_across_the_portfolio(
    finance_user,
):
    project, second = project_with_first_release()
    accepted_uc(project)
    used = project.instalments.get(sequence=1).release_order_number

    with pytest.raises(GrantRuleError) as caught:
        release(second, finance_user, release_order_number=f" {used} ")

    assert (
        "already released instalment 1 of"
        in caught.value.message_dict["release_order_number"][0]
    )
    assert_not_released(second, project_status=Project.Status.ONGOING)
