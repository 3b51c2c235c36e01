"""The committees' rules, each test named after the rule it holds."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from grants import services
from grants.models import (
    AgendaItem,
    CommitteeMember,
    ConflictDeclaration,
    Extension,
    Milestone,
    Project,
    Recommendation,
)
from tests.factories import (
    AgendaItemFactory,
    BudgetLineFactory,
    CommitteeFactory,
    CommitteeMemberFactory,
    ConflictDeclarationFactory,
    ExtensionFactory,
    ExternalExpertFactory,
    InstalmentFactory,
    MeetingFactory,
    MembershipFactory,
    MilestoneFactory,
    ProjectFactory,
    ReappropriationFactory,
    RecommendationFactory,
    SchemeFactory,
    ScoreFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MEETING_DAY = datetime.date(2026, 12, 15)


@pytest.fixture
def committee():
    return CommitteeFactory()


@pytest.fixture
def secretary(committee):
    """The member secretary: a programme officer, who decides extensions."""
    user = CommitteeMemberFactory(committee=committee, secretary=True).user
    user.groups.add(Group.objects.get(name="Programme officer"))
    return user


@pytest.fixture
def expert(committee):
    return CommitteeMemberFactory(committee=committee).user


@pytest.fixture
def meeting(committee, secretary):
    return MeetingFactory(committee=committee, held_on=MEETING_DAY)


@pytest.fixture
def project():
    return ProjectFactory(ongoing=True)


@pytest.fixture
def item(meeting, project):
    return AgendaItemFactory(meeting=meeting, project=project)


@pytest.fixture
def affiliated_expert(committee, project):
    """An expert whose own institution is the grantee of ``project``."""
    return CommitteeMemberFactory(
        committee=committee, organisation=project.organisation
    ).user


def declared_and_scored(item, member):
    ConflictDeclarationFactory(agenda_item=item, member=member)
    return ScoreFactory(agenda_item=item, member=member)


# Seats ---------------------------------------------------------------------------


def test_the_member_secretary_is_ministry_staff(committee, secretary):
    with pytest.raises(ValidationError, match="member secretary is ministry staff"):
        services.appoint_member(
            CommitteeFactory(),
            ExternalExpertFactory(),
            role=CommitteeMember.Role.SECRETARY,
            appointed_by=secretary,
        )


def test_a_member_from_outside_the_ministry_holds_the_external_expert_role(
    committee, secretary
):
    with pytest.raises(ValidationError, match="external expert role"):
        services.appoint_member(committee, UserFactory(), appointed_by=secretary)


def test_an_external_expert_has_no_other_access(committee, secretary):
    expert = ExternalExpertFactory()
    MembershipFactory(user=expert)

    with pytest.raises(ValidationError, match="no other access"):
        services.appoint_member(committee, expert, appointed_by=secretary)


def test_a_committee_has_one_member_secretary(committee, secretary):
    with pytest.raises(ValidationError, match="one member secretary"):
        services.appoint_member(
            committee,
            StaffUserFactory(),
            role=CommitteeMember.Role.SECRETARY,
            appointed_by=secretary,
        )


def test_an_expert_is_appointed_with_their_own_institution(committee, secretary):
    project = ProjectFactory()

    seat = services.appoint_member(
        committee,
        ExternalExpertFactory(),
        organisation=project.organisation,
        appointed_by=secretary,
    )

    assert seat.is_external
    assert seat.history.first().history_user == secretary


# Meetings and agendas ---------------------------------------------------------------


def test_meetings_are_numbered_in_turn(committee, secretary):
    first = services.schedule_meeting(
        committee, held_on=MEETING_DAY, place="Shastri Bhawan", scheduled_by=secretary
    )
    second = services.schedule_meeting(
        committee,
        held_on=MEETING_DAY + datetime.timedelta(days=180),
        online_link="https://meet.example.gov.in/perc",
        scheduled_by=secretary,
    )

    assert (first.number, second.number) == (1, 2)


def test_a_meeting_has_a_place_or_an_online_link(committee, secretary):
    with pytest.raises(ValidationError, match="place or the online link"):
        services.schedule_meeting(
            committee, held_on=MEETING_DAY, scheduled_by=secretary
        )


def test_only_the_member_secretary_schedules_a_meeting(committee, secretary, expert):
    with pytest.raises(services.GrantRuleError, match="Only the member secretary"):
        services.schedule_meeting(
            committee, held_on=MEETING_DAY, place="Nagpur", scheduled_by=expert
        )


def test_an_item_is_about_a_project_of_a_scheme_the_committee_serves(
    committee, meeting, secretary
):
    committee.schemes.add(SchemeFactory(code="st-prism"))
    project = ProjectFactory(scheme=SchemeFactory(code="st-programme"))

    with pytest.raises(ValidationError, match="does not serve the scheme"):
        services.add_agenda_item(
            meeting,
            kind=AgendaItem.Kind.ANNUAL_REVIEW,
            project=project,
            added_by=secretary,
        )


def test_items_are_numbered_in_turn(meeting, secretary):
    items = [
        services.add_agenda_item(
            meeting,
            kind=AgendaItem.Kind.ANNUAL_REVIEW,
            project=ProjectFactory(ongoing=True),
            added_by=secretary,
        )
        for _ in range(2)
    ]

    assert [item.position for item in items] == [1, 2]


def test_an_annual_review_takes_the_projects_open_review_milestone(
    meeting, secretary, project
):
    MilestoneFactory(
        project=project,
        kind=Milestone.Kind.REVIEW_MEETING,
        due_on=datetime.date(2025, 12, 10),
        status=Milestone.Status.ACCEPTED,
    )
    nearest = MilestoneFactory(
        project=project,
        kind=Milestone.Kind.REVIEW_MEETING,
        due_on=datetime.date(2026, 12, 10),
    )
    MilestoneFactory(
        project=project,
        kind=Milestone.Kind.REVIEW_MEETING,
        due_on=datetime.date(2027, 12, 10),
    )

    item = services.add_agenda_item(
        meeting,
        kind=AgendaItem.Kind.ANNUAL_REVIEW,
        project=project,
        added_by=secretary,
    )

    assert item.milestone == nearest


def test_an_extension_item_names_a_request_of_the_project_still_waiting(
    meeting, secretary, project
):
    others = ExtensionFactory()

    with pytest.raises(ValidationError, match="extension request of this project"):
        services.add_agenda_item(
            meeting,
            kind=AgendaItem.Kind.EXTENSION,
            project=project,
            extension=others,
            added_by=secretary,
        )
    decided = ExtensionFactory(project=project, status=Extension.Status.APPROVED)
    with pytest.raises(ValidationError, match="decided already"):
        services.add_agenda_item(
            meeting,
            kind=AgendaItem.Kind.EXTENSION,
            project=project,
            extension=decided,
            added_by=secretary,
        )


def test_a_release_item_names_an_instalment_not_yet_released(
    meeting, secretary, project
):
    released = InstalmentFactory(project=project, sequence=1, released=True)

    with pytest.raises(ValidationError, match="not yet released"):
        services.add_agenda_item(
            meeting,
            kind=AgendaItem.Kind.RELEASE,
            project=project,
            instalment=released,
            added_by=secretary,
        )


def test_the_agenda_closes_once_a_recommendation_is_recorded(meeting, secretary, item):
    RecommendationFactory(agenda_item=item)

    with pytest.raises(services.GrantRuleError, match="agenda is closed"):
        services.add_agenda_item(
            meeting,
            kind=AgendaItem.Kind.ANNUAL_REVIEW,
            project=ProjectFactory(ongoing=True),
            added_by=secretary,
        )


# Conflict of interest -------------------------------------------------------------


def test_a_member_sees_the_items_of_their_committees_meetings_only(item, expert):
    elsewhere = AgendaItemFactory()

    assert list(AgendaItem.objects.open_to(expert)) == [item]
    assert elsewhere not in AgendaItem.objects.open_to(expert)


def test_a_member_who_declares_a_conflict_cannot_open_the_item(item, expert):
    services.declare_conflict(
        item,
        member=expert,
        conflict=ConflictDeclaration.Conflict.COLLABORATOR,
        note="Co-authored two papers with the PI in 2025.",
    )

    assert item not in AgendaItem.objects.open_to(expert)
    assert item in AgendaItem.objects.closed_to(expert)


def test_a_member_whose_institution_is_the_grantee_cannot_open_the_item(
    item, affiliated_expert
):
    assert item not in AgendaItem.objects.open_to(affiliated_expert)
    with pytest.raises(services.GrantRuleError, match="take no part"):
        services.declare_conflict(
            item, member=affiliated_expert, conflict=ConflictDeclaration.Conflict.NONE
        )


def test_a_staff_member_of_the_grantee_organisation_cannot_open_the_item(
    committee, item
):
    officer = CommitteeMemberFactory(committee=committee, user=StaffUserFactory()).user
    MembershipFactory(user=officer, organisation=item.project.organisation)

    assert item not in AgendaItem.objects.open_to(officer)


def test_a_declared_conflict_needs_a_note(item, expert):
    with pytest.raises(ValidationError, match="what the conflict is"):
        services.declare_conflict(
            item, member=expert, conflict=ConflictDeclaration.Conflict.RELATIVE
        )


def test_no_conflict_is_declared_once(item, expert):
    services.declare_conflict(
        item, member=expert, conflict=ConflictDeclaration.Conflict.NONE
    )

    with pytest.raises(services.GrantRuleError, match="declared no conflict"):
        services.declare_conflict(
            item, member=expert, conflict=ConflictDeclaration.Conflict.NONE
        )


def test_a_conflict_found_in_the_papers_closes_the_item_and_its_score_stops_counting(
    item, expert, secretary
):
    colleague = CommitteeMemberFactory(committee=item.meeting.committee).user
    declared_and_scored(item, colleague)
    declared_and_scored(item, expert)

    later = services.declare_conflict(
        item,
        member=expert,
        conflict=ConflictDeclaration.Conflict.COLLABORATOR,
        note="The papers name my former student as co-investigator.",
    )

    assert later.history.first().history_change_reason.endswith(
        "(found after the papers opened)"
    )
    assert item not in AgendaItem.objects.open_to(expert)
    recommendation = recommend(item, secretary)
    assert list(recommendation.members.all()) == [colleague]


def test_a_declared_conflict_is_never_withdrawn(item, expert):
    services.declare_conflict(
        item,
        member=expert,
        conflict=ConflictDeclaration.Conflict.FINANCIAL,
        note="Shares in the company.",
    )

    with pytest.raises(services.GrantRuleError, match="take no part"):
        services.declare_conflict(
            item, member=expert, conflict=ConflictDeclaration.Conflict.NONE
        )


def test_a_member_of_another_committee_cannot_declare(item):
    stranger = CommitteeMemberFactory().user

    with pytest.raises(services.GrantRuleError, match="do not sit on the committee"):
        services.declare_conflict(
            item, member=stranger, conflict=ConflictDeclaration.Conflict.NONE
        )


# Scores ------------------------------------------------------------------------


def score(item, member, **marks):
    return services.score_item(
        item,
        member=member,
        progress=marks.get("progress", 4),
        outputs=marks.get("outputs", 4),
        use_of_funds=marks.get("use_of_funds", 3),
        trl_likelihood=marks.get("trl_likelihood", 3),
        comment="Sound work.",
    )


def test_a_member_scores_only_after_declaring_no_conflict(item, expert):
    with pytest.raises(services.GrantRuleError, match="before you score"):
        score(item, expert)

    services.declare_conflict(
        item, member=expert, conflict=ConflictDeclaration.Conflict.NONE
    )

    assert score(item, expert).total == 14


def test_a_conflicted_member_cannot_score(item, expert):
    services.declare_conflict(
        item,
        member=expert,
        conflict=ConflictDeclaration.Conflict.SAME_INSTITUTION,
        note="I moved to the grantee institute in November.",
    )

    with pytest.raises(services.GrantRuleError, match="take no part"):
        score(item, expert)


def test_a_member_may_revise_their_score_until_the_recommendation(item, expert):
    services.declare_conflict(
        item, member=expert, conflict=ConflictDeclaration.Conflict.NONE
    )
    score(item, expert, progress=2)

    revised = score(item, expert, progress=5)

    assert revised.progress == 5
    assert item.scores.count() == 1
    RecommendationFactory(agenda_item=item)
    with pytest.raises(services.GrantRuleError, match="is closed"):
        score(item, expert, progress=1)


def test_a_score_is_from_1_to_5(item, expert):
    services.declare_conflict(
        item, member=expert, conflict=ConflictDeclaration.Conflict.NONE
    )

    with pytest.raises(ValidationError):
        score(item, expert, outputs=6)


# Recommendations and decisions ------------------------------------------------------


def recommend(item, secretary, **kwargs):
    kwargs.setdefault("outcome", Recommendation.Outcome.CONTINUE)
    kwargs.setdefault("reasons", "Progress matches the plan.")
    kwargs.setdefault("recorded_on", MEETING_DAY)
    return services.record_recommendation(item, recorded_by=secretary, **kwargs)


def test_only_the_member_secretary_records_a_recommendation(item, expert):
    declared_and_scored(item, expert)

    with pytest.raises(services.GrantRuleError, match="Only the member secretary"):
        recommend(item, expert)


def test_a_recommendation_is_recorded_on_or_after_the_meeting(item, expert, secretary):
    declared_and_scored(item, expert)

    with pytest.raises(ValidationError, match="cannot be before"):
        recommend(item, secretary, recorded_on=MEETING_DAY - datetime.timedelta(1))


def test_a_recommendation_needs_a_score_free_of_conflict(
    item, secretary, affiliated_expert
):
    ScoreFactory(agenda_item=item, member=affiliated_expert)

    with pytest.raises(services.GrantRuleError, match="at least one score"):
        recommend(item, secretary)


def test_only_members_free_of_conflict_join_the_recommendation(
    item, expert, secretary, affiliated_expert
):
    declared_and_scored(item, expert)
    # A score written around the rules (by the admin, say) still does not count.
    ScoreFactory(agenda_item=item, member=affiliated_expert)

    recommendation = recommend(item, secretary)

    assert list(recommendation.members.all()) == [expert]


def test_continuing_with_conditions_needs_the_conditions(item, expert, secretary):
    declared_and_scored(item, expert)

    with pytest.raises(ValidationError, match="Write the conditions"):
        recommend(
            item, secretary, outcome=Recommendation.Outcome.CONTINUE_WITH_CONDITIONS
        )


def test_the_recommendation_meets_the_items_review_milestone(
    meeting, secretary, expert, project
):
    milestone = MilestoneFactory(
        project=project, kind=Milestone.Kind.REVIEW_MEETING, due_on=MEETING_DAY
    )
    item = services.add_agenda_item(
        meeting, kind=AgendaItem.Kind.ANNUAL_REVIEW, project=project, added_by=secretary
    )
    declared_and_scored(item, expert)

    recommend(item, secretary, recorded_on=MEETING_DAY + datetime.timedelta(days=2))

    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.ACCEPTED
    assert milestone.decided_on == MEETING_DAY + datetime.timedelta(days=2)


def test_an_approved_extension_becomes_the_extension_decision(
    meeting, secretary, expert
):
    project = ProjectFactory(ongoing=True, status=Project.Status.ONGOING)
    extension = ExtensionFactory(project=project, requested_on=MEETING_DAY)
    item = services.add_agenda_item(
        meeting,
        kind=AgendaItem.Kind.EXTENSION,
        project=project,
        extension=extension,
        added_by=secretary,
    )
    declared_and_scored(item, expert)
    recommendation = recommend(item, secretary, outcome=Recommendation.Outcome.EXTEND)

    services.record_decision(
        recommendation,
        decision=Recommendation.Decision.APPROVED,
        decided_on=MEETING_DAY + datetime.timedelta(days=10),
        decided_by=secretary,
    )

    extension.refresh_from_db()
    project.refresh_from_db()
    assert extension.status == Extension.Status.APPROVED
    assert project.end_on == extension.new_end_on
    assert "on the recommendation of" in extension.decision_comment


def test_a_refused_cost_revision_rejects_the_reappropriation(
    meeting, secretary, expert
):
    reappropriation = ReappropriationFactory(requested_on=MEETING_DAY)
    item = services.add_agenda_item(
        meeting,
        kind=AgendaItem.Kind.COST_REVISION,
        project=reappropriation.project,
        reappropriation=reappropriation,
        added_by=secretary,
    )
    declared_and_scored(item, expert)
    recommendation = recommend(
        item, secretary, outcome=Recommendation.Outcome.REVISE_COST
    )

    services.record_decision(
        recommendation,
        decision=Recommendation.Decision.NOT_APPROVED,
        note="The equipment can be shared with the institute's central facility.",
        decided_on=MEETING_DAY,
        decided_by=secretary,
    )

    reappropriation.refresh_from_db()
    assert reappropriation.status == reappropriation.Status.REJECTED


def test_a_decision_not_approved_says_why(item, expert, secretary):
    declared_and_scored(item, expert)
    recommendation = recommend(item, secretary)

    with pytest.raises(ValidationError, match="Say why"):
        services.record_decision(
            recommendation,
            decision=Recommendation.Decision.NOT_APPROVED,
            decided_on=MEETING_DAY,
            decided_by=secretary,
        )


def test_a_decision_is_recorded_once(item, expert, secretary):
    declared_and_scored(item, expert)
    recommendation = recommend(item, secretary)
    services.record_decision(
        recommendation,
        decision=Recommendation.Decision.APPROVED,
        decided_on=MEETING_DAY,
        decided_by=secretary,
    )

    with pytest.raises(services.GrantRuleError, match="was recorded on"):
        services.record_decision(
            recommendation,
            decision=Recommendation.Decision.APPROVED,
            decided_on=MEETING_DAY,
            decided_by=secretary,
        )


def test_attendance_is_of_members_only(meeting, secretary, expert):
    with pytest.raises(ValidationError, match="do not sit on"):
        services.record_attendance(
            meeting, attendees=[expert, UserFactory()], recorded_by=secretary
        )

    services.record_attendance(meeting, attendees=[expert], recorded_by=secretary)

    assert list(meeting.attendees.all()) == [expert]


def extension_item(meeting, secretary, expert, *, outcome):
    project = ProjectFactory(ongoing=True)
    extension = ExtensionFactory(project=project, requested_on=MEETING_DAY)
    item = services.add_agenda_item(
        meeting,
        kind=AgendaItem.Kind.EXTENSION,
        project=project,
        extension=extension,
        added_by=secretary,
    )
    declared_and_scored(item, expert)
    return extension, recommend(item, secretary, outcome=outcome)


def test_an_approved_recommendation_not_to_extend_rejects_the_extension(
    meeting, secretary, expert
):
    extension, recommendation = extension_item(
        meeting, secretary, expert, outcome=Recommendation.Outcome.CONTINUE
    )

    services.record_decision(
        recommendation,
        decision=Recommendation.Decision.APPROVED,
        decided_on=MEETING_DAY,
        decided_by=secretary,
    )

    extension.refresh_from_db()
    assert extension.status == Extension.Status.REJECTED


def test_a_secretary_without_the_officers_permission_leaves_the_request_waiting(
    meeting, secretary, expert
):
    extension, recommendation = extension_item(
        meeting, secretary, expert, outcome=Recommendation.Outcome.EXTEND
    )
    secretary.groups.clear()
    secretary = type(secretary).objects.get(pk=secretary.pk)  # forget cached perms

    services.record_decision(
        recommendation,
        decision=Recommendation.Decision.APPROVED,
        decided_on=MEETING_DAY,
        decided_by=secretary,
    )

    extension.refresh_from_db()
    recommendation.refresh_from_db()
    assert recommendation.decision == Recommendation.Decision.APPROVED
    assert extension.status == Extension.Status.REQUESTED


def test_a_request_decided_outside_the_committee_is_left_as_it_was(
    meeting, secretary, expert
):
    extension, recommendation = extension_item(
        meeting, secretary, expert, outcome=Recommendation.Outcome.EXTEND
    )
    services.reject_extension(
        extension,
        decided_on=MEETING_DAY,
        decided_by=secretary,
        comment="The sanction cannot run past the scheme's end.",
    )

    services.record_decision(
        recommendation,
        decision=Recommendation.Decision.APPROVED,
        decided_on=MEETING_DAY,
        decided_by=secretary,
    )

    extension.refresh_from_db()
    assert extension.status == Extension.Status.REJECTED


def cost_revision(meeting, secretary, expert, **fields):
    project = ProjectFactory(ongoing=True, sanctioned_amount=1_000_000)
    for head, year, amount in (("equipment", 1, 600_000), ("consumables", 2, 400_000)):
        BudgetLineFactory(project=project, head=head, project_year=year, amount=amount)
    reappropriation = ReappropriationFactory(
        project=project, requested_on=MEETING_DAY, **fields
    )
    item = services.add_agenda_item(
        meeting,
        kind=AgendaItem.Kind.COST_REVISION,
        project=reappropriation.project,
        reappropriation=reappropriation,
        added_by=secretary,
    )
    declared_and_scored(item, expert)
    recommendation = recommend(
        item, secretary, outcome=Recommendation.Outcome.REVISE_COST
    )
    services.record_decision(
        recommendation,
        decision=Recommendation.Decision.APPROVED,
        decided_on=MEETING_DAY,
        decided_by=secretary,
    )
    reappropriation.refresh_from_db()
    return reappropriation


def test_an_approved_cost_revision_approves_the_reappropriation(
    meeting, secretary, expert
):
    reappropriation = cost_revision(meeting, secretary, expert)

    assert reappropriation.status == reappropriation.Status.APPROVED


def test_a_move_above_the_threshold_approved_by_the_committee_waits_for_finance(
    meeting, secretary, expert
):
    reappropriation = cost_revision(meeting, secretary, expert, needs_finance=True)

    assert reappropriation.status == reappropriation.Status.REQUESTED


def test_a_conflicted_member_secretary_records_nothing_on_the_item(
    item, expert, secretary
):
    declared_and_scored(item, expert)
    services.declare_conflict(
        item,
        member=secretary,
        conflict=ConflictDeclaration.Conflict.RELATIVE,
        note="The PI is my brother-in-law.",
    )

    with pytest.raises(services.GrantRuleError, match="another member secretary"):
        recommend(item, secretary)


def test_an_item_deferred_without_a_recommendation_hands_its_milestone_on(
    committee, meeting, secretary, project
):
    milestone = MilestoneFactory(
        project=project, kind=Milestone.Kind.REVIEW_MEETING, due_on=MEETING_DAY
    )
    services.add_agenda_item(
        meeting, kind=AgendaItem.Kind.ANNUAL_REVIEW, project=project, added_by=secretary
    )
    later = MeetingFactory(
        committee=committee, held_on=MEETING_DAY + datetime.timedelta(days=60)
    )

    carried = services.add_agenda_item(
        later, kind=AgendaItem.Kind.ANNUAL_REVIEW, project=project, added_by=secretary
    )

    assert carried.milestone == milestone
