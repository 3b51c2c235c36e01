import datetime
from io import StringIO

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.auth import authenticate
from django.core import serializers
from django.core.management import call_command
from django.db.models import Count, Sum

from grants import demo, services
from grants.formatting import fiscal_year_of
from grants.models import (
    AgendaItem,
    BudgetLine,
    Committee,
    Extension,
    Instalment,
    Meeting,
    Membership,
    Milestone,
    Organisation,
    ProgressReport,
    Project,
    ReleaseCondition,
    User,
    UtilisationCertificate,
)

pytestmark = pytest.mark.django_db

DEMO_DATE = datetime.date(2026, 11, 22)


@pytest.fixture
def seeded():
    demo.seed(as_of=DEMO_DATE, today=DEMO_DATE)


def snapshot():
    """Every demo row, serialised: equal snapshots mean nothing changed."""
    models = [
        Organisation,
        Membership,
        User,
        Project,
        Extension,
        BudgetLine,
        Instalment,
        UtilisationCertificate,
        Milestone,
        ProgressReport,
        Committee,
        Meeting,
        AgendaItem,
    ]
    return {
        model.__name__: serializers.serialize("json", model.objects.order_by("pk"))
        for model in models
    }


def test_demo_has_eleven_projects_sanctioned_for_exactly_rs_9_33_crore(seeded):
    projects = Project.objects.all()
    assert projects.count() == 11
    assert projects.aggregate(total=Sum("sanctioned_amount"))["total"] == 93_300_000


def test_demo_sanctions_split_by_fiscal_year_as_published(seeded):
    by_year = {
        row["fiscal_year"]: (row["count"], row["total"])
        for row in Project.objects.values("fiscal_year").annotate(
            total=Sum("sanctioned_amount"), count=Count("pk")
        )
    }
    assert by_year == {"2023-24": (5, 44_245_000), "2024-25": (6, 49_055_000)}


def test_demo_releases_match_the_portfolio_figures(seeded):
    released = Instalment.objects.released()
    assert released.aggregate(total=Sum("amount"))["total"] == 77_002_000
    by_year = {}
    for instalment in released:
        year = fiscal_year_of(instalment.released_on)
        by_year[year] = by_year.get(year, 0) + instalment.amount
    assert by_year == {
        "2023-24": 21_828_000,
        "2024-25": 32_299_000,
        "2025-26": 17_135_000,
        "2026-27": 5_740_000,
    }
    pending = Project.objects.with_pending_total().aggregate(total=Sum("pending_total"))
    assert pending["total"] == 16_298_000


def test_demo_budget_lines_and_instalments_each_add_up_to_the_sanction(seeded):
    for project in Project.objects.all():
        budget = project.budget_lines.aggregate(total=Sum("amount"))["total"]
        planned = project.instalments.aggregate(total=Sum("amount"))["total"]
        assert budget == project.sanctioned_amount, project.reference
        assert planned == project.sanctioned_amount, project.reference


def test_every_demo_certificate_balances(seeded):
    certificates = UtilisationCertificate.objects.all()
    assert certificates.count() == 32
    for uc in certificates:
        assert uc.closing_balance == uc.total_available - uc.expenditure, str(uc)


def test_every_demo_release_after_the_first_is_covered_by_an_accepted_certificate(
    seeded,
):
    later_releases = Instalment.objects.released().filter(sequence__gt=1)
    assert later_releases.count() == 13
    for instalment in later_releases.select_related("covering_certificate"):
        previous = (
            Instalment.objects.released()
            .filter(project=instalment.project, sequence__lt=instalment.sequence)
            .order_by("-released_on")
            .first()
        )
        covering = services.find_covering_certificate(
            instalment.project,
            previous_release_on=previous.released_on,
            release_on=instalment.released_on,
        )
        assert covering is not None, str(instalment)
        assert instalment.covering_certificate == covering
        assert covering.status == UtilisationCertificate.Status.ACCEPTED
        assert covering.decided_on <= instalment.released_on
        assert covering.period_end >= previous.released_on
        if covering.utilisation_percent < services.LOW_UTILISATION_PERCENT:
            assert instalment.low_utilisation_note, str(instalment)
        # No release overrode the GFR rule; an override names a condition instead.
        overridden = instalment.conditions.filter(overridden_on__isnull=False)
        assert bool(instalment.override_reason) == overridden.exists(), str(instalment)


def test_the_demo_shows_one_release_that_went_out_with_a_condition_overridden(seeded):
    overridden = ReleaseCondition.objects.filter(overridden_on__isnull=False)

    assert [
        (c.instalment.project.reference, c.instalment.sequence, c.kind)
        for c in overridden
    ] == [("DEMO-REE-2324-04", 3, ReleaseCondition.Kind.AUDITED_SOE)]
    (condition,) = overridden
    assert condition.overridden_on == condition.instalment.released_on
    assert condition.overridden_by.username == "finance"
    assert "audited statement follows with the final UC" in condition.override_reason


def test_every_unreleased_prism_instalment_waits_for_named_milestones(seeded):
    for instalment in Instalment.objects.unreleased().filter(
        project__scheme__code="st-prism"
    ):
        kinds = set(instalment.conditions.values_list("kind", flat=True))
        assert ReleaseCondition.Kind.MILESTONE in kinds, str(instalment)
        assert ReleaseCondition.Kind.COVERING_UC in kinds, str(instalment)


def test_demo_low_utilisation_release_of_p06_records_the_finance_note(seeded):
    instalment = Instalment.objects.get(
        project__reference="DEMO-REE-2425-01", sequence=2
    )
    assert round(instalment.covering_certificate.utilisation_percent) == 12
    assert instalment.low_utilisation_note.startswith("Equipment delivered Jan 2026")


def test_demo_work_queues_hold_the_documented_examples(seeded):
    overdue = Milestone.objects.overdue(on=DEMO_DATE).select_related("project")
    assert sorted((m.project.reference, m.due_on) for m in overdue) == [
        # P03's certificate, returned on 15 Jun, was due again on 15 Jul.
        ("DEMO-REE-2324-03", datetime.date(2026, 7, 15)),
        ("DEMO-REE-2324-05", datetime.date(2026, 6, 30)),
        ("DEMO-REE-2324-05", datetime.date(2026, 10, 30)),
    ]
    returned = Milestone.objects.filter(status=Milestone.Status.RETURNED)
    assert [m.project.reference for m in returned] == ["DEMO-REE-2324-03"]
    under_review = UtilisationCertificate.objects.awaiting_review().count()
    under_review += ProgressReport.objects.awaiting_review().count()
    assert under_review == 2
    assert (
        UtilisationCertificate.objects.get(
            status=UtilisationCertificate.Status.SUBMITTED
        ).project.reference
        == "DEMO-REE-2324-04"
    )
    assert (
        ProgressReport.objects.get(
            status=ProgressReport.Status.SUBMITTED
        ).milestone.project.reference
        == "DEMO-REE-2425-04"
    )


def test_demo_p03_certificate_is_returned_with_both_reasons(seeded):
    uc = UtilisationCertificate.objects.get(
        project__reference="DEMO-REE-2324-03", fiscal_year="2025-26"
    )
    assert uc.status == UtilisationCertificate.Status.RETURNED
    assert "GFR-22" in uc.return_reason
    assert "230(8)" in uc.return_reason
    assert uc.closing_balance == 512_200


def test_demo_p08_report_was_returned_then_accepted_on_resubmission(seeded):
    milestone = Milestone.objects.get(
        project__reference="DEMO-REE-2425-03", title__startswith="Milestone-1"
    )
    versions = list(milestone.reports.values_list("version", "status"))
    assert versions == [(1, "returned"), (2, "accepted")]
    assert milestone.decided_on == datetime.date(2026, 1, 15)


def test_demo_extensions_are_recorded(seeded):
    p01 = Project.objects.get(reference="DEMO-REE-2324-01")
    assert p01.status == Project.Status.EXTENDED
    assert p01.end_on == datetime.date(2026, 12, 14)
    approved = p01.extensions.get()
    assert (approved.previous_end_on, approved.months) == (
        datetime.date(2026, 3, 14),
        9,
    )
    assert approved.status == Extension.Status.APPROVED
    pending = Extension.objects.get(project__reference="DEMO-REE-2425-03")
    assert pending.status == Extension.Status.REQUESTED
    assert pending.months == 6


def test_demo_records_are_marked_illustrative_and_carry_no_real_identifiers(seeded):
    assert all(p.reference.startswith("DEMO-") for p in Project.objects.all())
    assert all(
        p.sanction_order_number.startswith("DEMO/SO/") for p in Project.objects.all()
    )
    assert all(
        i.release_order_number.startswith("DEMO/RO/")
        for i in Instalment.objects.released()
    )
    organisations = Organisation.objects.all()
    assert organisations.count() == 11
    assert all(org.is_illustrative for org in organisations)
    assert not organisations.exclude(pan="", udyam_number="", dpiit_number="").exists()
    pis = User.objects.filter(username__startswith="pi-")
    assert pis.count() == 11
    assert all("(demo)" in pi.display_name for pi in pis)


def test_demo_logins_work_with_the_documented_passwords(seeded):
    assert authenticate(username="officer", password="demo-officer-pass").is_staff
    assert authenticate(username="finance", password="demo-finance-pass").is_staff
    assert authenticate(username="admin", password="demo-admin-pass").is_superuser
    pi = authenticate(username="pi-calcinova-metals", password="demo-grantee-pass")
    assert pi is not None
    assert not pi.is_staff
    assert Project.objects.visible_to(pi).get().reference == "DEMO-REE-2324-01"
    assert Membership.objects.filter(
        user__username="fo-konkan-ust", role=Membership.Role.FINANCE_OFFICER
    ).exists()


def test_the_demo_has_a_perc_with_two_external_experts_one_from_a_grantee(seeded):
    perc = Committee.objects.get(kind=Committee.Kind.PERC)
    experts = [seat for seat in perc.seats.select_related("user") if seat.is_external]
    assert {seat.user.username for seat in experts} == {"expert-iyer", "expert-konkan"}
    konkan = next(seat for seat in experts if seat.user.username == "expert-konkan")
    assert konkan.organisation.slug == "konkan-ust"
    assert authenticate(username="expert-konkan", password="demo-expert-pass")
    assert not Membership.objects.filter(user=konkan.user).exists()
    assert perc.approving_committee.kind == Committee.Kind.SSAG


def test_the_demo_perc_meets_in_december_on_the_programmes_annual_reviews(seeded):
    meeting = Meeting.objects.get(
        committee__kind=Committee.Kind.PERC, held_on=datetime.date(2026, 12, 10)
    )
    assert meeting.number == 2
    items = meeting.items.select_related("project", "milestone")
    assert [item.project.reference for item in items] == [
        "DEMO-REE-2324-02",
        "DEMO-REE-2324-03",
        "DEMO-REE-2324-05",
        "DEMO-REE-2425-01",
        "DEMO-REE-2425-04",
        "DEMO-REE-2425-06",
    ]
    assert all(item.milestone.kind == Milestone.Kind.REVIEW_MEETING for item in items)


def test_the_perc_met_last_december_and_its_record_is_complete(seeded):
    meeting = Meeting.objects.get(
        committee__kind=Committee.Kind.PERC, held_on=datetime.date(2025, 12, 10)
    )
    items = meeting.items.select_related("recommendation", "project")
    assert meeting.number == 1
    assert meeting.attendees.count() == 4
    assert all(item.recommendation.decision == "approved" for item in items)
    conditional = items.get(project__reference="DEMO-REE-2324-03").recommendation
    assert conditional.outcome == "continue_with_conditions"
    konkan = items.get(project__reference="DEMO-REE-2324-05")
    assert not konkan.declarations.filter(member__username="expert-konkan").exists()
    assert set(konkan.recommendation.members.values_list("username", flat=True)) == {
        "expert-iyer",
        "finance",
    }


def test_the_conflicted_demo_expert_cannot_open_their_own_institutions_item(seeded):
    expert = User.objects.get(username="expert-konkan")
    upcoming = AgendaItem.objects.filter(meeting__held_on=datetime.date(2026, 12, 10))
    closed = AgendaItem.objects.closed_to(expert).filter(pk__in=upcoming).get()
    assert closed.project.reference == "DEMO-REE-2324-05"
    assert closed not in AgendaItem.objects.open_to(expert)
    assert AgendaItem.objects.open_to(expert).filter(pk__in=upcoming).count() == 5
    other = User.objects.get(username="expert-iyer")
    assert closed in AgendaItem.objects.open_to(other)


def test_seeding_twice_changes_nothing(seeded):
    before = snapshot()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert snapshot() == before


def test_seeding_as_of_the_same_day_again_changes_nothing(seeded):
    before = snapshot()
    assert "nothing changed" in demo.seed(as_of=DEMO_DATE, today=DEMO_DATE)
    assert snapshot() == before


def test_seeding_keeps_a_changed_demo_password(seeded):
    officer = User.objects.get(username="officer")
    officer.set_password("a-new-secret-pass")
    officer.save()
    demo.seed(as_of=None, today=DEMO_DATE)
    assert authenticate(username="officer", password="a-new-secret-pass")


def test_seeding_for_a_day_within_the_demo_year_keeps_every_date(seeded):
    before = snapshot()
    later = DEMO_DATE + datetime.timedelta(days=45)
    out = StringIO()
    call_command("seed_demo", "--as-of", later.isoformat(), stdout=out)
    assert "nothing changed" in out.getvalue()
    assert snapshot() == before
    # The days since the demo date count as they do in life: more is overdue.
    assert Milestone.objects.overdue(on=later).count() > 2


def test_seeding_a_year_later_moves_every_date_by_one_whole_year(seeded):
    def due_dates():
        """Each project's due dates by kind, in order (titles name years)."""
        dates = {}
        for milestone in Milestone.objects.select_related("project"):
            key = (milestone.project.reference, milestone.kind)
            dates.setdefault(key, []).append(milestone.due_on)
        return {key: sorted(days) for key, days in dates.items()}

    before = due_dates()
    later = DEMO_DATE + relativedelta(years=1)
    call_command("seed_demo", "--as-of", later.isoformat(), stdout=StringIO())
    after = due_dates()
    assert set(after) == set(before)
    assert all(
        after[key] == [day + relativedelta(years=1) for day in before[key]]
        for key in before
    )
    # A sanction of 29 Feb 2024 moves to 28 Feb 2025.
    project = Project.objects.get(reference="DEMO-REE-2324-01")
    assert project.sanctioned_on == datetime.date(2025, 2, 28)
    assert Milestone.objects.overdue(on=later).count() == 3
    assert Project.objects.count() == 11


def test_seeding_a_fresh_database_defaults_to_today():
    today = DEMO_DATE + relativedelta(years=1, days=10)
    demo.seed(as_of=None, today=today)
    assert demo.loaded_years() == 1
    overdue = Milestone.objects.overdue(on=today - datetime.timedelta(days=10))
    assert sorted(m.project.reference for m in overdue) == [
        "DEMO-REE-2324-03",
        "DEMO-REE-2324-05",
        "DEMO-REE-2324-05",
    ]


@pytest.mark.parametrize(
    ("day", "years"),
    [
        (datetime.date(2026, 11, 22), 0),
        (datetime.date(2026, 11, 21), -1),
        (datetime.date(2027, 3, 31), 0),
        (datetime.date(2027, 11, 22), 1),
        (datetime.date(2028, 2, 29), 1),
    ],
)
def test_the_demo_moves_by_the_latest_whole_year_that_keeps_its_story_past(day, years):
    assert demo.years_for(day) == years


def test_milestone_plan_follows_the_reporting_cadence():
    data = next(
        p for p in demo.load_data()["projects"] if p["ref"] == "DEMO-REE-2425-01"
    )
    plan = demo.plan_milestones(data, end_on=datetime.date(2027, 12, 31))
    reports = [m for m in plan if m.kind == Milestone.Kind.PROGRESS_REPORT]
    assert {m.due_on.strftime("%d %b") for m in reports} == {"30 Apr", "30 Oct"}
    first = reports[0]
    assert (first.period_start, first.due_on) == (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 4, 30),
    )
    annual = [m.fiscal_year for m in plan if m.title.startswith("Annual UC")]
    assert annual == ["2024-25", "2025-26", "2026-27"]
    final_report = next(m for m in plan if m.kind == Milestone.Kind.FINAL_REPORT)
    assert (final_report.due_on, final_report.months_after_end) == (
        datetime.date(2028, 3, 31),
        3,
    )
