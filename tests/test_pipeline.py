import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.models import Milestone, Project, UtilisationCertificate
from grants.reads import pipeline
from grants.reads.pipeline import Stage
from tests.factories import (
    InstalmentFactory,
    MilestoneFactory,
    ProjectFactory,
    StaffUserFactory,
    UtilisationCertificateFactory,
)

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 11, 22)


def states_of(project, on=ON):
    prefetched = pipeline.projects_for_pipeline(
        Project.objects.filter(pk=project.pk)
    ).get()
    return pipeline.release_states(prefetched, on=on)


def project_with_first_release(released_on=datetime.date(2025, 4, 10), **kwargs):
    project = ProjectFactory(ongoing=True, **kwargs)
    InstalmentFactory(
        project=project,
        sequence=1,
        planned_on=released_on,
        released_on=released_on,
        release_order_number="RO/1",
    )
    second = InstalmentFactory(
        project=project, sequence=2, planned_on=datetime.date(2026, 4, 1)
    )
    return project, second


def test_a_first_instalment_due_is_eligible_without_a_certificate():
    project = ProjectFactory()
    InstalmentFactory(project=project, sequence=1, planned_on=datetime.date(2026, 4, 1))

    (state,) = states_of(project)

    assert state.stage == Stage.ELIGIBLE
    assert state.blockers == []
    assert state.days_waiting(on=ON) == (ON - datetime.date(2026, 4, 1)).days


def test_an_instalment_not_yet_due_is_planned_and_has_not_waited():
    project = ProjectFactory()
    InstalmentFactory(project=project, sequence=1, planned_on=datetime.date(2027, 1, 1))

    (state,) = states_of(project)

    assert state.stage == Stage.PLANNED
    assert state.days_waiting(on=ON) is None


def test_a_second_instalment_without_a_covering_certificate_is_blocked():
    project, _ = project_with_first_release()

    state = states_of(project)[1]

    assert state.stage == Stage.AWAITING_DOCUMENTS
    assert state.is_blocked
    assert state.blockers == [
        "An accepted utilisation certificate covering the release of 10 Apr 2025 is "
        "needed (GFR 2017 rules 230(10) and 238(2))."
    ]


def test_a_certificate_ending_before_the_previous_release_does_not_cover_it():
    project, _ = project_with_first_release()
    UtilisationCertificateFactory(
        project=project,
        accepted=True,
        period_start=datetime.date(2024, 4, 1),
        period_end=datetime.date(2025, 3, 31),
    )

    assert states_of(project)[1].stage == Stage.AWAITING_DOCUMENTS


def test_a_covering_certificate_under_review_puts_the_instalment_under_review():
    project, _ = project_with_first_release()
    uc = UtilisationCertificateFactory(
        project=project,
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2026, 3, 31),
        submitted_on=datetime.date(2026, 5, 2),
    )

    state = states_of(project)[1]

    assert state.stage == Stage.UNDER_REVIEW
    assert state.since == datetime.date(2026, 5, 2)
    assert state.blockers == [f"{uc} submitted on 02 May 2026 is under review."]


def test_a_returned_certificate_is_named_as_awaited():
    project, _ = project_with_first_release()
    UtilisationCertificateFactory(
        project=project,
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2026, 3, 31),
        status=UtilisationCertificate.Status.RETURNED,
        decided_on=datetime.date(2026, 6, 15),
        return_reason="Asset register missing.",
    )

    state = states_of(project)[1]

    assert state.stage == Stage.AWAITING_DOCUMENTS
    assert (
        "was returned on 15 Jun 2026: a corrected certificate is awaited"
        in (state.blockers[0])
    )


def test_an_accepted_covering_certificate_makes_it_eligible_from_its_acceptance():
    project, _ = project_with_first_release()
    uc = UtilisationCertificateFactory(
        project=project,
        accepted=True,
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2026, 3, 31),
        decided_on=datetime.date(2026, 5, 20),
    )

    state = states_of(project)[1]

    assert state.stage == Stage.ELIGIBLE
    assert state.covering_certificate == uc
    assert state.since == datetime.date(2026, 5, 20)


def test_a_certificate_accepted_after_the_day_asked_about_does_not_count_yet():
    project, _ = project_with_first_release()
    UtilisationCertificateFactory(
        project=project,
        accepted=True,
        period_start=datetime.date(2025, 4, 1),
        period_end=datetime.date(2026, 3, 31),
        decided_on=datetime.date(2026, 12, 1),
    )

    assert states_of(project)[1].stage == Stage.AWAITING_DOCUMENTS


def test_a_recommended_instalment_is_in_the_recommended_stage():
    project = ProjectFactory()
    InstalmentFactory(
        project=project,
        sequence=1,
        planned_on=datetime.date(2026, 4, 1),
        recommended_on=datetime.date(2026, 11, 2),
        recommended_by=StaffUserFactory(),
    )

    (state,) = states_of(project)

    assert state.stage == Stage.RECOMMENDED
    assert state.days_waiting(on=ON) == 20


def test_an_instalment_recommended_before_its_planned_date_is_recommended_not_planned():
    project = ProjectFactory()
    InstalmentFactory(
        project=project,
        sequence=1,
        planned_on=datetime.date(2027, 4, 1),
        recommended_on=datetime.date(2026, 11, 20),
        recommended_by=StaffUserFactory(),
    )

    (state,) = states_of(project)

    assert state.stage == Stage.RECOMMENDED
    assert state.since == datetime.date(2026, 11, 20)


def test_a_milestone_overdue_thirty_days_blocks_the_release():
    project = ProjectFactory()
    InstalmentFactory(project=project, sequence=1, planned_on=datetime.date(2026, 4, 1))
    MilestoneFactory(
        project=project, title="Annual UC 2025-26", due_on=ON - datetime.timedelta(30)
    )

    (state,) = states_of(project)

    assert state.stage == Stage.AWAITING_DOCUMENTS
    assert state.blockers == [
        "Annual UC 2025-26 is 30 days overdue (due 23 Oct 2026): the project is "
        "non-compliant."
    ]


def test_a_milestone_overdue_less_than_thirty_days_does_not_block():
    project = ProjectFactory()
    InstalmentFactory(project=project, sequence=1, planned_on=datetime.date(2026, 4, 1))
    MilestoneFactory(project=project, due_on=ON - datetime.timedelta(29))

    assert states_of(project)[0].stage == Stage.ELIGIBLE


def test_a_later_instalment_waits_for_the_earlier_one():
    project = ProjectFactory()
    InstalmentFactory(project=project, sequence=1, planned_on=datetime.date(2026, 4, 1))
    InstalmentFactory(project=project, sequence=2, planned_on=datetime.date(2026, 6, 1))

    second = states_of(project)[1]

    assert second.blockers == ["The earlier instalment has not been released yet."]


def test_a_closed_project_releases_nothing_more_and_leaves_the_pipeline():
    project = ProjectFactory(status=Project.Status.CLOSED, closed_on=ON)
    InstalmentFactory(project=project, sequence=1, planned_on=datetime.date(2026, 4, 1))

    (state,) = states_of(project)

    assert state.blockers == ["The project is closed: nothing more is released."]
    assert pipeline.pipeline(Project.objects.all(), on=ON) == {}


def test_next_release_state_skips_released_instalments():
    project, second = project_with_first_release()

    assert pipeline.next_release_state(project, on=ON).instalment == second


def test_next_release_state_is_none_when_everything_is_released():
    project = ProjectFactory()
    InstalmentFactory(project=project, sequence=1, released=True)

    assert pipeline.next_release_state(project, on=ON) is None


def test_on_the_demo_date_p03_and_p05_are_blocked_and_the_rest_planned(
    demo_portfolio,
):
    stages = pipeline.pipeline(Project.objects.all(), on=demo_portfolio)

    blocked = {
        state.instalment.project.reference: state.blockers
        for state in stages[Stage.AWAITING_DOCUMENTS]
    }
    assert set(blocked) == {"DEMO-REE-2324-03", "DEMO-REE-2324-05"}
    assert (
        "annual UC 2025-26 was returned on 15 Jun 2026"
        in (blocked["DEMO-REE-2324-03"][0])
    )
    assert any("145 days overdue" in b for b in blocked["DEMO-REE-2324-05"])
    assert {state.instalment.sequence for state in stages[Stage.PLANNED]} == {3}
    assert len(stages[Stage.PLANNED]) == 7
    assert set(stages) == {Stage.AWAITING_DOCUMENTS, Stage.PLANNED}


def test_the_pipeline_runs_the_same_queries_for_one_project_or_eleven():
    def build(count):
        for _ in range(count):
            project, _ = project_with_first_release()
            UtilisationCertificateFactory(project=project, accepted=True)
            MilestoneFactory(project=project, status=Milestone.Status.PENDING)

    build(1)
    with CaptureQueriesContext(connection) as one:
        pipeline.pipeline(Project.objects.all(), on=ON)
    build(10)
    with CaptureQueriesContext(connection) as eleven:
        stages = pipeline.pipeline(Project.objects.all(), on=ON)

    assert sum(len(states) for states in stages.values()) == 11
    # Projects, instalments, their conditions, certificates, open milestones and
    # audited statements: one query each, however many projects.
    assert len(eleven) == len(one) == 6
