"""Release conditions as data: each kind is checked by recommend and release.

A condition that does not hold refuses the recommendation and the release by its
name, and nothing is written; finance may release anyway only with a reason, which
is kept against each condition and in the instalment's history.
"""

import datetime

import pytest
from django.utils import timezone

from grants import services
from grants.formatting import INDIA
from grants.models import (
    Document,
    Instalment,
    Milestone,
    Notice,
    ReleaseCondition,
    UtilisationCertificate,
)
from grants.reads import pipeline
from grants.services import GrantRuleError
from tests.factories import (
    DocumentFactory,
    InstalmentFactory,
    MilestoneFactory,
    ProjectFactory,
    ReleaseConditionFactory,
    UtilisationCertificateFactory,
)

pytestmark = pytest.mark.django_db

FIRST_RELEASE_ON = datetime.date(2024, 6, 2)
RELEASE_ON = datetime.date(2025, 6, 2)
Kind = ReleaseCondition.Kind


def second_instalment(**project_fields):
    """Instalment 2 of an ongoing project, with instalment 1 out and covered."""
    project = ProjectFactory(ongoing=True, **project_fields)
    InstalmentFactory(
        project=project,
        sequence=1,
        planned_on=FIRST_RELEASE_ON,
        released=True,
    )
    # Annual UC 2024-25, accepted 12 May 2025: covers the first release.
    UtilisationCertificateFactory(project=project, accepted=True)
    return InstalmentFactory(project=project, sequence=2, planned_on=RELEASE_ON)


def release(instalment, user, **overrides):
    terms = {
        "released_on": RELEASE_ON,
        "release_order_number": "MoM/RO/2025/17",
        "released_by": user,
    }
    terms.update(overrides)
    return services.release_instalment(instalment, **terms)


def refusal(call) -> str:
    with pytest.raises(GrantRuleError) as caught:
        call()
    return " ".join(caught.value.messages)


def assert_not_released(instalment):
    instalment = Instalment.objects.get(pk=instalment.pk)
    assert instalment.released_on is None
    assert instalment.override_reason == ""
    assert not instalment.conditions.filter(overridden_on__isnull=False).exists()


# Milestones ------------------------------------------------------------------------


def test_a_release_waits_for_a_named_milestone_to_be_accepted(finance_user):
    instalment = second_instalment()
    ReleaseConditionFactory(instalment=instalment)

    message = refusal(lambda: release(instalment, finance_user))

    assert "conditions are not met" in message
    assert "Final technical report accepted (pending, due on 30 Oct 2025)" in message
    assert "record an override with a reason" in message
    assert_not_released(instalment)


def test_an_accepted_milestone_meets_its_condition(finance_user):
    instalment = second_instalment()
    condition = ReleaseConditionFactory(instalment=instalment)
    Milestone.objects.filter(pk=condition.milestone_id).update(
        status=Milestone.Status.ACCEPTED, decided_on=datetime.date(2025, 5, 20)
    )

    release(instalment, finance_user)

    instalment.refresh_from_db()
    assert instalment.released_on == RELEASE_ON
    assert instalment.override_reason == ""


def test_a_waived_milestone_meets_its_condition(finance_user, staff_user):
    instalment = second_instalment()
    condition = ReleaseConditionFactory(instalment=instalment)
    services.waive_milestone(
        condition.milestone,
        reason="Merged into the final report.",
        decided_by=staff_user,
        decided_on=datetime.date(2025, 5, 1),
    )

    release(instalment, finance_user)

    assert Instalment.objects.get(pk=instalment.pk).released_on == RELEASE_ON


def test_a_submitted_milestone_puts_the_instalment_under_review_not_awaiting():
    instalment = second_instalment()
    condition = ReleaseConditionFactory(instalment=instalment)
    Milestone.objects.filter(pk=condition.milestone_id).update(
        status=Milestone.Status.SUBMITTED, submitted_on=datetime.date(2025, 6, 5)
    )
    project = pipeline.projects_for_pipeline(
        type(instalment.project).objects.filter(pk=instalment.project_id)
    ).get()

    state = pipeline.next_release_state(project, on=datetime.date(2025, 6, 10))

    assert state.stage == pipeline.Stage.UNDER_REVIEW
    assert state.since == datetime.date(2025, 6, 5)
    assert state.blockers == [
        "Condition not met: Final technical report accepted (submitted on "
        "05 Jun 2025, under the ministry's review)."
    ]


# Other kinds -----------------------------------------------------------------------


def uploaded(document, day: datetime.date):
    """Date an upload as if it had come in on ``day``, at 11:00 IST."""
    moment = datetime.datetime.combine(day, datetime.time(11), tzinfo=INDIA)
    Document.objects.filter(pk=document.pk).update(uploaded_at=moment)


def test_an_audited_statement_received_since_the_previous_release_meets_its_condition(
    finance_user,
):
    instalment = second_instalment()
    ReleaseConditionFactory(instalment=instalment, kind=Kind.AUDITED_SOE)
    project = instalment.project

    assert (
        "Audited statement of expenditure received (none uploaded since the release "
        "of 02 Jun 2024)" in refusal(lambda: release(instalment, finance_user))
    )
    # A plain statement of expenditure is not the audited one.
    uploaded(
        DocumentFactory(project=project, kind=Document.Kind.STATEMENT_OF_EXPENDITURE),
        datetime.date(2025, 4, 30),
    )
    assert "Audited statement" in refusal(lambda: release(instalment, finance_user))

    uploaded(
        DocumentFactory(project=project, kind=Document.Kind.AUDITED_SOE),
        datetime.date(2025, 4, 30),
    )
    release(instalment, finance_user)

    assert Instalment.objects.get(pk=instalment.pk).released_on == RELEASE_ON


def test_an_audited_statement_from_before_the_previous_release_does_not_count(
    finance_user,
):
    instalment = second_instalment()
    ReleaseConditionFactory(instalment=instalment, kind=Kind.AUDITED_SOE)
    uploaded(
        DocumentFactory(project=instalment.project, kind=Document.Kind.AUDITED_SOE),
        datetime.date(2024, 5, 31),
    )

    assert "none uploaded since the release of 02 Jun 2024" in refusal(
        lambda: release(instalment, finance_user)
    )


def test_a_milestone_accepted_after_the_release_date_did_not_hold_on_it(
    finance_user,
):
    instalment = second_instalment()
    condition = ReleaseConditionFactory(instalment=instalment)
    Milestone.objects.filter(pk=condition.milestone_id).update(
        status=Milestone.Status.ACCEPTED, decided_on=datetime.date(2025, 6, 10)
    )

    message = refusal(lambda: release(instalment, finance_user))

    assert "Final technical report accepted (accepted only on 10 Jun 2025)" in message
    assert_not_released(instalment)


def test_a_condition_cannot_be_marked_met_on_a_day_still_to_come(programme_officer):
    condition = ReleaseConditionFactory(
        instalment=second_instalment(), kind=Kind.OTHER, text="Agreement signed"
    )

    with pytest.raises(GrantRuleError) as caught:
        services.mark_condition_met(
            condition,
            met_on=timezone.localdate() + datetime.timedelta(days=2),
            note="Will be signed.",
            marked_by=programme_officer,
        )

    assert "met_on" in caught.value.message_dict
    condition.refresh_from_db()
    assert condition.met_on is None


def test_a_minimum_utilisation_condition_reads_the_latest_accepted_certificate(
    finance_user,
):
    # The factory's UC: 16,00,000 spent of 20,00,000 available, 80%.
    instalment = second_instalment()
    ReleaseConditionFactory(
        instalment=instalment, kind=Kind.MIN_UTILISATION, min_utilisation_percent=85
    )

    message = refusal(lambda: release(instalment, finance_user))

    assert "Utilisation of earlier releases of at least 85%" in message
    assert "shows 80.0%" in message
    ReleaseCondition.objects.filter(instalment=instalment).update(
        min_utilisation_percent=80
    )
    release(instalment, finance_user)
    assert Instalment.objects.get(pk=instalment.pk).released_on == RELEASE_ON


def test_a_minimum_utilisation_condition_with_no_accepted_certificate_is_unmet(
    finance_user,
):
    instalment = second_instalment()
    UtilisationCertificate.objects.update(
        status=UtilisationCertificate.Status.SUBMITTED
    )
    ReleaseConditionFactory(
        instalment=instalment, kind=Kind.MIN_UTILISATION, min_utilisation_percent=50
    )

    message = refusal(lambda: release(instalment, finance_user, override_reason=""))

    # The covering UC is missing too; the GFR rule says so first.
    assert "needs an accepted utilisation certificate" in message


def test_a_trl_condition_reads_the_project_trl_now(finance_user):
    instalment = second_instalment(trl_now=4)
    ReleaseConditionFactory(instalment=instalment, kind=Kind.TRL, trl=5)

    assert "TRL 5 reached (TRL now 4)" in refusal(
        lambda: release(instalment, finance_user)
    )
    type(instalment.project).objects.filter(pk=instalment.project_id).update(trl_now=5)
    release(instalment, finance_user)

    assert Instalment.objects.get(pk=instalment.pk).released_on == RELEASE_ON


# Free-text conditions --------------------------------------------------------------


def test_a_free_text_condition_is_met_only_when_the_officer_marks_it_with_a_note(
    finance_user, programme_officer
):
    instalment = second_instalment()
    condition = ReleaseConditionFactory(
        instalment=instalment, kind=Kind.OTHER, text="Pilot plant site inspected"
    )
    assert "Pilot plant site inspected (the programme officer has not marked it" in (
        refusal(lambda: release(instalment, finance_user))
    )

    with pytest.raises(GrantRuleError) as blank:
        services.mark_condition_met(
            condition, met_on=RELEASE_ON, note="  ", marked_by=programme_officer
        )
    assert "note" in blank.value.message_dict
    services.mark_condition_met(
        condition,
        met_on=datetime.date(2025, 5, 30),
        note="Inspected by the PERC member on 28 May.",
        marked_by=programme_officer,
    )
    release(instalment, finance_user)

    condition.refresh_from_db()
    assert condition.met_by == programme_officer
    assert condition.history.first().history_change_reason == (
        "Marked met: Inspected by the PERC member on 28 May."
    )
    assert Instalment.objects.get(pk=instalment.pk).released_on == RELEASE_ON


def test_a_condition_read_from_the_records_cannot_be_marked_met_by_hand(
    programme_officer,
):
    condition = ReleaseConditionFactory(instalment=second_instalment())

    message = refusal(
        lambda: services.mark_condition_met(
            condition,
            met_on=RELEASE_ON,
            note="Looks fine.",
            marked_by=programme_officer,
        )
    )

    assert "read from the project's records" in message
    condition.refresh_from_db()
    assert condition.met_on is None


def test_a_free_text_condition_is_marked_met_only_once(programme_officer):
    condition = ReleaseConditionFactory(
        instalment=second_instalment(), kind=Kind.OTHER, text="Agreement signed"
    )
    services.mark_condition_met(
        condition, met_on=RELEASE_ON, note="Signed.", marked_by=programme_officer
    )

    assert "already marked met on 02 Jun 2025" in refusal(
        lambda: services.mark_condition_met(
            condition, met_on=RELEASE_ON, note="Again.", marked_by=programme_officer
        )
    )


# Recommend and override ------------------------------------------------------------


def test_recommend_refuses_an_instalment_whose_condition_is_unmet_naming_it(
    programme_officer,
):
    instalment = second_instalment()
    ReleaseConditionFactory(instalment=instalment)

    message = refusal(
        lambda: services.recommend_instalment(
            instalment, recommended_on=RELEASE_ON, recommended_by=programme_officer
        )
    )

    assert "cannot be recommended yet" in message
    assert "Final technical report accepted" in message
    assert Instalment.objects.get(pk=instalment.pk).recommended_on is None


def test_finance_overrides_unmet_conditions_with_a_reason_kept_on_each_and_in_history(
    finance_user,
):
    instalment = second_instalment()
    report = ReleaseConditionFactory(instalment=instalment)
    soe = ReleaseConditionFactory(instalment=instalment, kind=Kind.AUDITED_SOE)

    release(
        instalment,
        finance_user,
        override_reason="Secretary's approval of 30 May: the pilot must not stall.",
    )

    instalment.refresh_from_db()
    assert instalment.override_reason.startswith("Secretary's approval")
    reason = instalment.history.first().history_change_reason
    assert "conditions overridden: Final technical report accepted; Audited " in reason
    assert "override: Secretary's approval of 30 May" in reason
    for condition in (report, soe):
        condition.refresh_from_db()
        assert condition.overridden_on == RELEASE_ON
        assert condition.overridden_by == finance_user
        assert condition.override_reason == instalment.override_reason


def test_a_met_condition_is_not_recorded_as_overridden(finance_user):
    instalment = second_instalment()
    met = ReleaseConditionFactory(instalment=instalment, kind=Kind.TRL, trl=3)
    unmet = ReleaseConditionFactory(instalment=instalment, kind=Kind.TRL, trl=9)

    release(instalment, finance_user, override_reason="Approved on file.")

    met.refresh_from_db()
    unmet.refresh_from_db()
    assert met.overridden_on is None
    assert unmet.overridden_on == RELEASE_ON


# Sanction --------------------------------------------------------------------------


def test_every_release_after_the_first_waits_for_the_covering_uc_from_the_sanction():
    project = ProjectFactory()
    first = InstalmentFactory(project=project, sequence=1)
    second = InstalmentFactory(project=project, sequence=2)

    services.set_release_conditions(first)
    services.set_release_conditions(
        second,
        (services.PlannedCondition(kind=Kind.TRL, trl=5),),
    )

    assert list(first.conditions.values_list("kind", flat=True)) == []
    assert list(second.conditions.values_list("kind", flat=True)) == [
        Kind.COVERING_UC,
        Kind.TRL,
    ]


def test_a_condition_cannot_wait_for_another_projects_milestone():
    instalment = InstalmentFactory(sequence=1)
    elsewhere = MilestoneFactory()

    message = refusal(
        lambda: services.set_release_conditions(
            instalment,
            (services.PlannedCondition(kind=Kind.MILESTONE, milestone=elsewhere),),
        )
    )

    assert "belongs to another project" in message
    assert not instalment.conditions.exists()


# The pipeline ----------------------------------------------------------------------


def test_the_pipeline_names_each_unmet_condition_and_the_met_ones_are_listed_as_met():
    instalment = second_instalment()
    ReleaseConditionFactory(instalment=instalment)
    ReleaseConditionFactory(instalment=instalment, kind=Kind.TRL, trl=3)
    project = pipeline.projects_for_pipeline(
        type(instalment.project).objects.filter(pk=instalment.project_id)
    ).get()

    state = pipeline.next_release_state(project, on=datetime.date(2025, 6, 10))

    assert state.stage == pipeline.Stage.AWAITING_DOCUMENTS
    assert state.blockers == [
        "Condition not met: Final technical report accepted (pending, due on "
        "30 Oct 2025)."
    ]
    assert [(check.name, check.met) for check in state.conditions] == [
        ("Final technical report accepted", False),
        ("TRL 3 reached", True),
    ]


def test_the_release_notice_says_what_was_overridden_and_what_is_still_owed(
    finance_user,
):
    instalment = second_instalment()
    ReleaseConditionFactory(instalment=instalment)

    release(instalment, finance_user, override_reason="Secretary's approval.")

    notice = Notice.objects.get(kind=Notice.Kind.INSTALMENT_RELEASED, is_copy=False)
    assert "Released before every condition of the release was met: Secretary's" in (
        notice.reason
    )
    assert "Still due from you: Final technical report accepted." in notice.next_step
