"""Milestones decided by the ministry, and recommending an instalment for release."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants.formatting import is_blank
from grants.models import Instalment, Milestone, Notice, Project, User
from grants.reads import pipeline
from grants.services.common import GrantRuleError, _date, _save, in_default_language
from grants.services.dates import check_dated, not_in_the_past
from grants.services.notices import tell_milestone_decision

# The audit history keeps a change reason of up to 100 characters; the full text
# stays on the row itself (waiver_reason, reschedule_reason).
HISTORY_REASON_LENGTH = 100


def _history_reason(text: str) -> str:
    if len(text) <= HISTORY_REASON_LENGTH:
        return text
    return text[: HISTORY_REASON_LENGTH - 1].rstrip() + "…"


def _open_milestone(milestone: Milestone, *, refusal: str) -> Milestone:
    """Lock and return the milestone afresh; refuse unless it is still open.

    ``refusal`` is the message, with ``%(milestone)s`` and ``%(status)s`` in it.
    """
    milestone = (
        Milestone.objects.select_for_update()
        .select_related("project")
        .get(pk=milestone.pk)
    )
    if milestone.status not in Milestone.OPEN_STATUSES:
        raise GrantRuleError(
            refusal % {"milestone": milestone, "status": milestone.get_status_display()}
        )
    return milestone


@transaction.atomic
def waive_milestone(
    milestone: Milestone,
    *,
    reason: str,
    decided_by: User,
    decided_on: datetime.date,
) -> Milestone:
    """Waive an open milestone: the grantee no longer owes it.

    The reason stays on the milestone and in its audit history, with who waived it.
    """
    if is_blank(reason):
        raise GrantRuleError({"reason": _("Say why the milestone is waived.")})
    milestone = _open_milestone(
        milestone,
        refusal=_(
            "%(milestone)s is %(status)s: only a pending or returned milestone can "
            "be waived."
        ),
    )
    check_dated("decided_on", decided_on, not_before=milestone.project.sanctioned_on)
    milestone.status = Milestone.Status.WAIVED
    milestone.waiver_reason = reason.strip()
    milestone.decided_on = decided_on
    milestone._history_user = decided_by
    _save(
        milestone,
        reason=_history_reason(f"Waived: {reason.strip()}"),
        update_fields=["status", "waiver_reason", "decided_on"],
    )
    tell_milestone_decision(
        milestone,
        kind=Notice.Kind.MILESTONE_WAIVED,
        decided_by=decided_by,
        decided_on=decided_on,
    )
    return milestone


@transaction.atomic
def reschedule_milestone(
    milestone: Milestone,
    *,
    new_due_on: datetime.date,
    reason: str,
    decided_by: User,
) -> Milestone:
    """Move an open milestone's due date, keeping the date first planned.

    ``original_due_on`` is set the first time only, so it always says what the
    sanction planned. A date set by hand no longer follows the project's end date:
    a later extension leaves it where it was put.
    """
    errors = {}
    if is_blank(reason):
        errors["reason"] = _("Say why the due date moves.")
    if new_due_on is None:
        errors["new_due_on"] = _("Enter the new due date.")
    elif problem := not_in_the_past(new_due_on):
        errors["new_due_on"] = problem
    if errors:
        raise GrantRuleError(errors)
    milestone = _open_milestone(
        milestone,
        refusal=_(
            "%(milestone)s is %(status)s: only a pending or returned milestone can "
            "be rescheduled."
        ),
    )
    if new_due_on == milestone.due_on:
        raise GrantRuleError(
            {
                "new_due_on": _("%(title)s is already due on %(day)s.")
                % {"title": milestone.title, "day": _date(new_due_on)}
            }
        )
    previous = milestone.due_on
    if milestone.original_due_on is None:
        milestone.original_due_on = previous
    milestone.due_on = new_due_on
    milestone.reschedule_reason = reason.strip()
    milestone.months_after_end = None
    milestone._history_user = decided_by
    with in_default_language():
        why = f"Due {_date(previous)} -> {_date(new_due_on)}: {reason.strip()}"
    _save(
        milestone,
        reason=_history_reason(why),
        update_fields=[
            "due_on",
            "original_due_on",
            "reschedule_reason",
            "months_after_end",
        ],
    )
    tell_milestone_decision(
        milestone,
        kind=Notice.Kind.MILESTONE_RESCHEDULED,
        decided_by=decided_by,
        decided_on=timezone.localdate(),
    )
    return milestone


@transaction.atomic
def recommend_instalment(
    instalment: Instalment,
    *,
    recommended_on: datetime.date,
    recommended_by: User,
) -> Instalment:
    """Recommend an instalment to finance for release.

    The release pipeline decides: an instalment already released or recommended, or
    one that something still blocks (a missing or returned UC, an earlier
    instalment unpaid, a project non-compliant), cannot be recommended.
    """
    # Lock the project, as a release does, so the two are decided one at a time.
    project = pipeline.projects_for_pipeline(
        Project.objects.select_for_update().filter(pk=instalment.project_id)
    ).get()
    check_dated("recommended_on", recommended_on, not_before=project.sanctioned_on)
    states = pipeline.release_states(project, on=recommended_on)
    state = next(s for s in states if s.instalment.pk == instalment.pk)
    instalment = state.instalment
    words = {"sequence": instalment.sequence, "reference": project.reference}
    if state.stage == pipeline.Stage.RELEASED:
        raise GrantRuleError(
            _(
                "Instalment %(sequence)s of %(reference)s was already released on "
                "%(day)s."
            )
            % {**words, "day": _date(instalment.released_on)}
        )
    if instalment.recommended_on is not None:
        raise GrantRuleError(
            _(
                "Instalment %(sequence)s of %(reference)s was already recommended on "
                "%(day)s."
            )
            % {**words, "day": _date(instalment.recommended_on)}
        )
    if state.blockers:
        # Each blocker is a whole sentence.
        raise GrantRuleError(
            _(
                "Instalment %(sequence)s of %(reference)s cannot be recommended yet: "
                "%(blockers)s"
            )
            % {**words, "blockers": " ".join(str(b) for b in state.blockers)}
        )
    instalment.recommended_on = recommended_on
    instalment.recommended_by = recommended_by
    instalment._history_user = recommended_by
    _save(
        instalment,
        reason="Recommended for release",
        update_fields=["recommended_on", "recommended_by"],
    )
    return instalment
