import datetime
import zoneinfo

import pytest
import time_machine

from grants import services
from grants.models import Instalment, Milestone
from tests.factories import (
    InstalmentFactory,
    MilestoneFactory,
    ProjectFactory,
    StaffUserFactory,
    UtilisationCertificateFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(
        datetime.datetime(
            2026, 11, 22, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Kolkata")
        ),
        tick=False,
    ):
        yield


@pytest.fixture
def officer(programme_officer):
    return programme_officer


def latest_history(instance):
    return instance.history.order_by("-history_date", "-history_id").first()


# Waive --------------------------------------------------------------------------------


def test_waiving_a_pending_milestone_records_the_reason_and_who_decided(officer):
    milestone = MilestoneFactory()

    services.waive_milestone(
        milestone,
        reason="Merged with the consolidated report.",
        decided_by=officer,
        decided_on=TODAY,
    )

    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.WAIVED
    assert milestone.waiver_reason == "Merged with the consolidated report."
    assert milestone.decided_on == TODAY
    record = latest_history(milestone)
    assert (
        record.history_change_reason == "Waived: Merged with the consolidated report."
    )
    assert record.history_user == officer


def test_a_returned_milestone_can_be_waived(officer):
    milestone = MilestoneFactory(status=Milestone.Status.RETURNED)

    services.waive_milestone(
        milestone, reason="Not needed.", decided_by=officer, decided_on=TODAY
    )

    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.WAIVED


def test_waiving_without_a_reason_is_refused_and_writes_nothing(officer):
    milestone = MilestoneFactory()

    with pytest.raises(services.GrantRuleError) as error:
        services.waive_milestone(
            milestone, reason="   ", decided_by=officer, decided_on=TODAY
        )

    assert "reason" in error.value.message_dict
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.PENDING
    assert milestone.history.count() == 1


@pytest.mark.parametrize(
    "status",
    [Milestone.Status.ACCEPTED, Milestone.Status.SUBMITTED, Milestone.Status.WAIVED],
)
def test_only_an_open_milestone_can_be_waived(officer, status):
    milestone = MilestoneFactory(status=status, waiver_reason="x")

    with pytest.raises(services.GrantRuleError, match="only a pending or returned"):
        services.waive_milestone(
            milestone, reason="No longer needed.", decided_by=officer, decided_on=TODAY
        )

    milestone.refresh_from_db()
    assert milestone.status == status


def test_a_long_waiver_reason_is_kept_whole_on_the_row_and_shortened_in_history(
    officer,
):
    milestone = MilestoneFactory()
    reason = "The deliverable was folded into the consortium report. " * 6

    services.waive_milestone(
        milestone, reason=reason, decided_by=officer, decided_on=TODAY
    )

    milestone.refresh_from_db()
    assert milestone.waiver_reason == reason.strip()
    change_reason = latest_history(milestone).history_change_reason
    assert len(change_reason) <= 100
    assert change_reason.endswith("…")


# Reschedule ---------------------------------------------------------------------------


def test_rescheduling_keeps_the_original_due_date_and_records_why(officer):
    milestone = MilestoneFactory(due_on=datetime.date(2026, 12, 10))

    services.reschedule_milestone(
        milestone,
        new_due_on=datetime.date(2027, 1, 15),
        reason="Review committee meets in January.",
        decided_by=officer,
    )

    milestone.refresh_from_db()
    assert milestone.due_on == datetime.date(2027, 1, 15)
    assert milestone.original_due_on == datetime.date(2026, 12, 10)
    assert milestone.reschedule_reason == "Review committee meets in January."
    record = latest_history(milestone)
    assert record.history_change_reason == (
        "Due 10 Dec 2026 -> 15 Jan 2027: Review committee meets in January."
    )
    assert record.history_user == officer


def test_a_second_reschedule_keeps_the_first_original_due_date(officer):
    milestone = MilestoneFactory(due_on=datetime.date(2026, 12, 10))
    services.reschedule_milestone(
        milestone,
        new_due_on=datetime.date(2027, 1, 15),
        reason="First move.",
        decided_by=officer,
    )

    services.reschedule_milestone(
        milestone,
        new_due_on=datetime.date(2027, 2, 15),
        reason="Second move.",
        decided_by=officer,
    )

    milestone.refresh_from_db()
    assert milestone.original_due_on == datetime.date(2026, 12, 10)
    assert milestone.due_on == datetime.date(2027, 2, 15)
    assert milestone.reschedule_reason == "Second move."


def test_a_rescheduled_date_no_longer_follows_the_end_date(officer):
    milestone = MilestoneFactory(
        kind=Milestone.Kind.FINAL_REPORT,
        due_on=datetime.date(2027, 6, 30),
        months_after_end=3,
    )

    services.reschedule_milestone(
        milestone,
        new_due_on=datetime.date(2027, 8, 31),
        reason="External examiner available in August.",
        decided_by=officer,
    )

    milestone.refresh_from_db()
    assert milestone.months_after_end is None


@pytest.mark.parametrize(
    ("new_due_on", "reason", "field"),
    [
        (datetime.date(2027, 1, 15), "", "reason"),
        (datetime.date(2026, 11, 21), "Because.", "new_due_on"),
        (datetime.date(2026, 12, 10), "Same day.", "new_due_on"),
    ],
    ids=["no reason", "in the past", "same day"],
)
def test_a_reschedule_without_reason_into_the_past_or_to_the_same_day_is_refused(
    officer, new_due_on, reason, field
):
    milestone = MilestoneFactory(due_on=datetime.date(2026, 12, 10))

    with pytest.raises(services.GrantRuleError) as error:
        services.reschedule_milestone(
            milestone, new_due_on=new_due_on, reason=reason, decided_by=officer
        )

    assert field in error.value.message_dict
    saved = Milestone.objects.get(pk=milestone.pk)
    assert saved.due_on == datetime.date(2026, 12, 10)
    assert saved.original_due_on is None
    assert saved.reschedule_reason == ""


def test_an_accepted_milestone_cannot_be_rescheduled(officer):
    milestone = MilestoneFactory(status=Milestone.Status.ACCEPTED)

    with pytest.raises(services.GrantRuleError, match="only a pending or returned"):
        services.reschedule_milestone(
            milestone,
            new_due_on=datetime.date(2027, 1, 1),
            reason="Late.",
            decided_by=officer,
        )


# Recommend ----------------------------------------------------------------------------


def released_first_instalment(project, **kwargs):
    return InstalmentFactory(
        project=project,
        sequence=1,
        planned_on=datetime.date(2024, 4, 1),
        released=True,
        **kwargs,
    )


def test_an_eligible_instalment_is_recommended(officer):
    project = ProjectFactory(ongoing=True)
    released_first_instalment(project)
    UtilisationCertificateFactory(project=project, accepted=True)
    second = InstalmentFactory(
        project=project, sequence=2, planned_on=datetime.date(2025, 6, 1)
    )

    services.recommend_instalment(second, recommended_on=TODAY, recommended_by=officer)

    second.refresh_from_db()
    assert second.recommended_on == TODAY
    assert second.recommended_by == officer
    assert latest_history(second).history_change_reason == "Recommended for release"


def test_a_blocked_instalment_cannot_be_recommended_and_nothing_is_written(officer):
    project = ProjectFactory(ongoing=True)
    released_first_instalment(project)
    second = InstalmentFactory(
        project=project, sequence=2, planned_on=datetime.date(2025, 6, 1)
    )

    with pytest.raises(services.GrantRuleError) as error:
        services.recommend_instalment(
            second, recommended_on=TODAY, recommended_by=officer
        )

    assert "cannot be recommended yet" in error.value.messages[0]
    assert (
        "accepted utilisation certificate covering the release of 01 Apr 2024"
        in (error.value.messages[0])
    )
    second.refresh_from_db()
    assert second.recommended_on is None
    assert second.history.count() == 1


def test_an_instalment_is_not_recommended_before_the_earlier_one_is_released(officer):
    project = ProjectFactory()
    InstalmentFactory(project=project, sequence=1)
    second = InstalmentFactory(project=project, sequence=2)

    with pytest.raises(services.GrantRuleError, match="earlier instalment"):
        services.recommend_instalment(
            second, recommended_on=TODAY, recommended_by=officer
        )


def test_a_released_instalment_cannot_be_recommended(officer):
    instalment = released_first_instalment(ProjectFactory(ongoing=True))

    with pytest.raises(services.GrantRuleError, match="already released"):
        services.recommend_instalment(
            instalment, recommended_on=TODAY, recommended_by=officer
        )


def test_an_instalment_is_recommended_once(officer):
    instalment = InstalmentFactory(
        sequence=1, recommended_on=datetime.date(2026, 11, 1), recommended_by=officer
    )

    with pytest.raises(services.GrantRuleError, match="already recommended on 01 Nov"):
        services.recommend_instalment(
            instalment, recommended_on=TODAY, recommended_by=StaffUserFactory()
        )

    instalment.refresh_from_db()
    assert instalment.recommended_on == datetime.date(2026, 11, 1)


def test_an_instalment_of_a_closed_project_cannot_be_recommended(officer):
    project = ProjectFactory(status="closed", closed_on=datetime.date(2026, 10, 1))
    instalment = InstalmentFactory(project=project, sequence=1)

    with pytest.raises(services.GrantRuleError, match="closed"):
        services.recommend_instalment(
            instalment, recommended_on=TODAY, recommended_by=officer
        )
    assert Instalment.objects.get(pk=instalment.pk).recommended_on is None


def test_the_new_services_are_exported_by_the_package():
    assert {"waive_milestone", "reschedule_milestone", "recommend_instalment"} <= set(
        services.__all__
    )
