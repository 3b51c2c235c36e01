"""Committees at work: seats, meetings, agendas, declarations, scores, recommendations.

The rules, each with a test named after it in ``tests/test_services_committees.py``:

- the member secretary is ministry staff; a member from outside the ministry holds
  the external expert role and no other access (``CommitteeMember.clean``);
- a meeting has a place or an online link, and its number follows the last one;
- an agenda item is about a project of a scheme the committee serves; an extension,
  re-appropriation or release item names a request or instalment of that project
  still waiting; an annual review takes the project's open review milestone;
- a member declares on an item before its papers open; the declaration stands;
- a member with a conflict, or whose own organisation is the grantee, cannot open,
  score or join the recommendation (``AgendaItem.objects.open_to``: one place);
- only the member secretary records the recommendation and the decision, on or
  after the meeting; a recommendation needs at least one score free of conflict,
  and closes the scoring and the item's review milestone;
- the approving committee's decision flows into the workflow: an approved extension
  is the extension's approval, an approved cost revision the re-appropriation's; a
  refused one their rejection.
"""

import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from grants.formatting import is_blank
from grants.models import (
    AgendaItem,
    Committee,
    CommitteeMember,
    ConflictDeclaration,
    Extension,
    Instalment,
    Meeting,
    Milestone,
    Organisation,
    Project,
    Reappropriation,
    Recommendation,
    Score,
    User,
)
from grants.services.common import GrantRuleError, _date, _save, in_default_language
from grants.services.dates import check_dated, out_of_range
from grants.services.projects import approve_extension, reject_extension
from grants.services.reappropriations import (
    approve_reappropriation,
    reject_reappropriation,
)


def _refuse_unless_secretary(committee: Committee, user: User) -> None:
    is_secretary = CommitteeMember.objects.active().filter(
        committee=committee, user=user, role=CommitteeMember.Role.SECRETARY
    )
    if not is_secretary.exists():
        raise GrantRuleError(
            _("Only the member secretary of %(committee)s records its outcomes.")
            % {"committee": committee}
        )


def appoint_member(
    committee: Committee,
    user: User,
    *,
    role: str = CommitteeMember.Role.MEMBER,
    organisation: Organisation | None = None,
    appointed_by: User,
) -> CommitteeMember:
    """Give a user a seat on a committee (``CommitteeMember.clean`` keeps the rules)."""
    seat = CommitteeMember(
        committee=committee, user=user, role=role, organisation=organisation
    )
    with in_default_language():
        reason = f"Appointed {seat.get_role_display()}"
    return _save(seat, reason=reason, by=appointed_by)


@transaction.atomic
def schedule_meeting(
    committee: Committee,
    *,
    held_on: datetime.date,
    place: str = "",
    online_link: str = "",
    starts_at: datetime.time | None = None,
    scheduled_by: User,
) -> Meeting:
    """Schedule the committee's next meeting, numbered after its last one."""
    _refuse_unless_secretary(committee, scheduled_by)
    if problem := out_of_range(held_on):
        raise GrantRuleError({"held_on": problem})
    # Lock the committee so two meetings scheduled at once take different numbers.
    Committee.objects.select_for_update().get(pk=committee.pk)
    last = committee.meetings.aggregate(last=Max("number"))["last"] or 0
    meeting = Meeting(
        committee=committee,
        number=last + 1,
        held_on=held_on,
        starts_at=starts_at,
        place=place.strip(),
        online_link=online_link.strip(),
        scheduled_by=scheduled_by,
    )
    return _save(meeting, reason="Scheduled", by=scheduled_by)


def _refuse_if_outside_schemes(committee: Committee, project: Project) -> None:
    schemes = set(committee.schemes.values_list("pk", flat=True))
    if schemes and project.scheme_id not in schemes:
        raise GrantRuleError(
            {
                "project": _(
                    "%(committee)s does not serve the scheme of %(reference)s, "
                    "%(scheme)s."
                )
                % {
                    "committee": committee,
                    "reference": project.reference,
                    "scheme": project.scheme,
                }
            }
        )


def _waiting(kind: str, project: Project, **named) -> dict:
    """Check the request or instalment an item names: the project's, still open."""
    extension = named.get("extension")
    reappropriation = named.get("reappropriation")
    instalment = named.get("instalment")
    if kind == AgendaItem.Kind.EXTENSION:
        if extension is None or extension.project_id != project.pk:
            raise GrantRuleError(
                {"extension": _("Name an extension request of this project.")}
            )
        if extension.status != Extension.Status.REQUESTED:
            raise GrantRuleError(
                {"extension": _("This extension request was decided already.")}
            )
    if reappropriation is not None and (
        reappropriation.project_id != project.pk
        or reappropriation.status != Reappropriation.Status.REQUESTED
    ):
        raise GrantRuleError(
            {
                "reappropriation": _(
                    "Name a re-appropriation of this project still waiting for a "
                    "decision."
                )
            }
        )
    if kind == AgendaItem.Kind.RELEASE and (
        instalment is None
        or instalment.project_id != project.pk
        or instalment.released_on is not None
    ):
        raise GrantRuleError(
            {"instalment": _("Name an instalment of this project not yet released.")}
        )
    return {
        "extension": extension if kind == AgendaItem.Kind.EXTENSION else None,
        "reappropriation": (
            reappropriation if kind == AgendaItem.Kind.COST_REVISION else None
        ),
        "instalment": instalment if kind == AgendaItem.Kind.RELEASE else None,
    }


# An annual review milestone is met by a meeting within half a year of its date.
REVIEW_WINDOW = datetime.timedelta(days=183)


def review_milestone_for(project: Project, held_on: datetime.date) -> Milestone | None:
    """The project's open review-meeting milestone nearest the meeting, within half
    a year of it. An open one may already be on an earlier meeting's agenda that
    recorded no recommendation: it is carried to this one."""
    candidates = project.milestones.open().filter(
        kind=Milestone.Kind.REVIEW_MEETING,
        due_on__range=(held_on - REVIEW_WINDOW, held_on + REVIEW_WINDOW),
    )
    return min(
        candidates, key=lambda m: (abs((m.due_on - held_on).days), m.pk), default=None
    )


@transaction.atomic
def add_agenda_item(
    meeting: Meeting,
    *,
    kind: str,
    project: Project,
    note: str = "",
    extension: Extension | None = None,
    reappropriation: Reappropriation | None = None,
    instalment: Instalment | None = None,
    added_by: User,
) -> AgendaItem:
    """Put a matter on a meeting's agenda, numbered after the last item."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _refuse_unless_secretary(meeting.committee, added_by)
    if Recommendation.objects.filter(agenda_item__meeting=meeting).exists():
        raise GrantRuleError(
            _("The meeting has recorded recommendations: its agenda is closed.")
        )
    _refuse_if_outside_schemes(meeting.committee, project)
    named = _waiting(
        kind,
        project,
        extension=extension,
        reappropriation=reappropriation,
        instalment=instalment,
    )
    milestone = None
    if kind == AgendaItem.Kind.ANNUAL_REVIEW:
        milestone = review_milestone_for(project, meeting.held_on)
    last = meeting.items.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem(
        meeting=meeting,
        position=last + 1,
        kind=kind,
        project=project,
        milestone=milestone,
        note=note.strip(),
        added_by=added_by,
        **named,
    )
    return _save(item, reason="Added to the agenda", by=added_by)


def _refuse_if_closed_to(item: AgendaItem, user: User) -> None:
    """A member secretary with a conflict on the item records nothing on it."""
    if AgendaItem.objects.closed_to(user).filter(pk=item.pk).exists():
        raise GrantRuleError(
            _(
                "You take no part in this item (a conflict of interest, or your own "
                "organisation is the grantee): the ministry admin seats another "
                "member secretary to record the committee's outcome on it."
            )
        )


def _refuse_if_recommended(item: AgendaItem) -> None:
    if Recommendation.objects.filter(agenda_item=item).exists():
        raise GrantRuleError(
            _("The committee's recommendation on this item is recorded: it is closed.")
        )


def _item_open_to(item: AgendaItem, member: User) -> AgendaItem:
    """The item, if the member may take part in it; refused in the member's words."""
    if not AgendaItem.objects.of_member(member).filter(pk=item.pk).exists():
        raise GrantRuleError(_("You do not sit on the committee of this meeting."))
    if not AgendaItem.objects.open_to(member).filter(pk=item.pk).exists():
        raise GrantRuleError(
            _(
                "You take no part in this item: a conflict of interest was declared, "
                "or the grantee is your own organisation."
            )
        )
    return item


@transaction.atomic
def declare_conflict(
    item: AgendaItem, *, member: User, conflict: str, note: str = ""
) -> ConflictDeclaration:
    """Record a member's declaration on an item, before its papers open to them.

    A declaration of no conflict may later become a conflict, found in the papers
    (the item then closes to the member, and their score no longer counts); a
    conflict is never withdrawn, and "none" is declared once.
    """
    _item_open_to(item, member)
    _refuse_if_recommended(item)
    if conflict != ConflictDeclaration.Conflict.NONE and is_blank(note):
        raise GrantRuleError({"note": _("Say what the conflict is.")})
    declaration = (
        ConflictDeclaration.objects.select_for_update()
        .filter(agenda_item=item, member=member)
        .first()
    )
    if declaration is not None and conflict == ConflictDeclaration.Conflict.NONE:
        raise GrantRuleError(
            _(
                "You have declared no conflict of interest on this item already. If "
                "you find one, declare it: the item then closes to you."
            )
        )
    declaration = declaration or ConflictDeclaration(agenda_item=item, member=member)
    found_later = declaration.pk is not None
    declaration.conflict = conflict
    declaration.note = note.strip()
    declaration.declared_at = timezone.now()
    with in_default_language():
        reason = f"Declared: {declaration.get_conflict_display()}"
        if found_later:
            reason = f"{reason} (found after the papers opened)"
    return _save(declaration, reason=reason, by=member)


def has_declared_none(item: AgendaItem, member: User) -> bool:
    return ConflictDeclaration.objects.filter(
        agenda_item=item, member=member, conflict=ConflictDeclaration.Conflict.NONE
    ).exists()


@transaction.atomic
def score_item(
    item: AgendaItem,
    *,
    member: User,
    progress: int,
    outputs: int,
    use_of_funds: int,
    trl_likelihood: int,
    comment: str = "",
) -> Score:
    """Record or revise a member's score, until the recommendation is recorded."""
    _item_open_to(item, member)
    _refuse_if_recommended(item)
    if not has_declared_none(item, member):
        raise GrantRuleError(
            _("Declare that you have no conflict of interest before you score.")
        )
    score = Score.objects.filter(agenda_item=item, member=member).first() or Score(
        agenda_item=item, member=member
    )
    score.progress = progress
    score.outputs = outputs
    score.use_of_funds = use_of_funds
    score.trl_likelihood = trl_likelihood
    score.comment = comment.strip()
    score.scored_at = timezone.now()
    return _save(score, reason="Scored", by=member)


@transaction.atomic
def record_attendance(meeting: Meeting, *, attendees, recorded_by: User) -> Meeting:
    """Record who attended: members of the committee only."""
    _refuse_unless_secretary(meeting.committee, recorded_by)
    members = set(meeting.committee.seats.active().values_list("user_id", flat=True))
    strangers = [user for user in attendees if user.pk not in members]
    if strangers:
        raise GrantRuleError(
            {
                "attendees": _("%(names)s do not sit on %(committee)s.")
                % {
                    "names": ", ".join(str(user) for user in strangers),
                    "committee": meeting.committee,
                }
            }
        )
    meeting.attendees.set(attendees)
    return _save(meeting, reason="Attendance recorded", by=recorded_by)


def eligible_scores(item: AgendaItem):
    """The scores of members who may join the item's recommendation."""
    members = [
        score
        for score in item.scores.select_related("member")
        if AgendaItem.objects.open_to(score.member).filter(pk=item.pk).exists()
        and has_declared_none(item, score.member)
    ]
    return members


@transaction.atomic
def record_recommendation(
    item: AgendaItem,
    *,
    outcome: str,
    reasons: str,
    conditions: str = "",
    recorded_on: datetime.date,
    recorded_by: User,
) -> Recommendation:
    """Record the committee's recommendation on an item.

    The members who scored it free of conflict join it. The item's annual review
    milestone is met, dated the day the recommendation is recorded.
    """
    item = (
        AgendaItem.objects.select_for_update().select_related("meeting").get(pk=item.pk)
    )
    _refuse_unless_secretary(item.meeting.committee, recorded_by)
    _refuse_if_closed_to(item, recorded_by)
    _refuse_if_recommended(item)
    check_dated("recorded_on", recorded_on, asked_on=item.meeting.held_on)
    if is_blank(reasons):
        raise GrantRuleError({"reasons": _("Give the committee's reasons.")})
    scores = eligible_scores(item)
    if not scores:
        raise GrantRuleError(
            _(
                "No member free of a conflict of interest has scored this item: the "
                "committee's recommendation needs at least one score."
            )
        )
    recommendation = Recommendation(
        agenda_item=item,
        outcome=outcome,
        reasons=reasons.strip(),
        conditions=conditions.strip(),
        recorded_on=recorded_on,
        recorded_by=recorded_by,
    )
    with in_default_language():
        reason = f"Recommended: {recommendation.get_outcome_display()}"
    _save(recommendation, reason=reason, by=recorded_by)
    recommendation.members.set([score.member for score in scores])
    if item.milestone_id:
        _meet_review_milestone(item.milestone, on=recorded_on, by=recorded_by)
    return recommendation


def _meet_review_milestone(milestone: Milestone, *, on: datetime.date, by: User):
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.status not in Milestone.OPEN_STATUSES:
        return
    milestone.status = Milestone.Status.ACCEPTED
    milestone.submitted_on = on
    milestone.decided_on = on
    _save(milestone, reason="Met: the committee's recommendation is recorded", by=by)


@transaction.atomic
def record_decision(
    recommendation: Recommendation,
    *,
    decision: str,
    note: str = "",
    decided_on: datetime.date,
    decided_by: User,
) -> Recommendation:
    """Record the approving committee's decision, and carry it into the workflow."""
    recommendation = (
        Recommendation.objects.select_for_update()
        .select_related("agenda_item__meeting__committee")
        .get(pk=recommendation.pk)
    )
    item = recommendation.agenda_item
    _refuse_unless_secretary(item.meeting.committee, decided_by)
    _refuse_if_closed_to(item, decided_by)
    if recommendation.decision != Recommendation.Decision.PENDING:
        raise GrantRuleError(
            _("The decision on this recommendation was recorded on %(day)s.")
            % {"day": _date(recommendation.decided_on)}
        )
    if decision == Recommendation.Decision.PENDING:
        raise GrantRuleError({"decision": _("Choose approved or not approved.")})
    check_dated("decided_on", decided_on, asked_on=recommendation.recorded_on)
    if decision == Recommendation.Decision.NOT_APPROVED and is_blank(note):
        raise GrantRuleError(
            {"note": _("Say why it was not approved: the record keeps it.")}
        )
    recommendation.decision = decision
    recommendation.decision_note = note.strip()
    recommendation.decided_on = decided_on
    recommendation.decided_by = decided_by
    with in_default_language():
        reason = f"Decided: {recommendation.get_decision_display()}"
    _save(recommendation, reason=reason, by=decided_by)
    _carry_into_workflow(recommendation, decided_by=decided_by)
    return recommendation


def _carry_into_workflow(recommendation: Recommendation, *, decided_by: User) -> None:
    """The approving committee's decision decides the request on the item.

    On an extension item, approving "extend" approves the extension; any other
    decision rejects it (the committee did not support more time). The same for a
    re-appropriation and "revise cost". The request's own rules still hold: the
    decision is carried only to a request still waiting, and only if the member
    secretary holds the officer's permission for it (a move above the scheme's
    threshold is finance's); if not, the request stays as it is, for that officer,
    and the meeting page shows where it stands.
    """
    item = recommendation.agenda_item
    approved = recommendation.decision == Recommendation.Decision.APPROVED
    committee = item.meeting.committee
    approver = committee.approving_committee or committee
    with in_default_language():
        comment = _(
            "Decided by the %(approver)s on the recommendation of the %(committee)s."
        ) % {"approver": approver, "committee": committee}
    comment = f"{comment} {recommendation.decision_note}".strip()
    decided = {
        "decided_on": recommendation.decided_on,
        "decided_by": decided_by,
        "comment": comment,
    }
    if item.extension_id and may_carry(recommendation, decided_by):
        supported = approved and recommendation.outcome == Recommendation.Outcome.EXTEND
        (approve_extension if supported else reject_extension)(
            item.extension, **decided
        )
    if item.reappropriation_id and may_carry(recommendation, decided_by):
        supported = (
            approved and recommendation.outcome == Recommendation.Outcome.REVISE_COST
        )
        decide = approve_reappropriation if supported else reject_reappropriation
        decide(item.reappropriation, **decided)


def may_carry(recommendation: Recommendation, user: User) -> bool:
    """Whether ``user`` may decide the request the recommendation's item names."""
    item = recommendation.agenda_item
    request = item.extension or item.reappropriation
    if request is None or request.status != request.Status.REQUESTED:
        return False
    if item.extension_id:
        return user.has_perm("grants.approve_extension")
    if item.reappropriation_id:
        needed = (
            "grants.decide_large_reappropriation"
            if item.reappropriation.needs_finance
            else "grants.decide_reappropriation"
        )
        return user.has_perm(needed)
    return False
