"""Release conditions that only a person can judge: marking one as met."""

import datetime

from django.db import transaction

from grants.models import Project, ReleaseCondition, User
from grants.services.common import GrantRuleError, _date, _save


@transaction.atomic
def mark_condition_met(
    condition: ReleaseCondition,
    *,
    met_on: datetime.date,
    note: str,
    marked_by: User,
) -> ReleaseCondition:
    """Record that a free-text condition of a release holds, and how it was judged.

    Only free-text conditions are marked by hand: every other kind is read from
    the records (a milestone's decision, an uploaded statement, a UC, the TRL), so
    marking one would let a page say what the records do not.
    """
    # Lock the project, as a release does, so the two are decided one at a time.
    Project.objects.select_for_update().filter(pk=condition.instalment.project_id).get()
    condition = ReleaseCondition.objects.select_related("instalment__project").get(
        pk=condition.pk
    )
    instalment = condition.instalment
    label = (
        f"The condition “{condition.name}” of instalment {instalment.sequence} of "
        f"{instalment.project.reference}"
    )
    if condition.kind != ReleaseCondition.Kind.OTHER:
        raise GrantRuleError(
            f"{label} is read from the project's records, not marked by hand: "
            f"it is met when they show it."
        )
    if condition.met_on is not None:
        raise GrantRuleError(
            f"{label} was already marked met on {_date(condition.met_on)}."
        )
    if instalment.is_released:
        raise GrantRuleError(
            f"{label} belongs to an instalment released on "
            f"{_date(instalment.released_on)}: there is nothing left to decide."
        )
    if not note.strip():
        raise GrantRuleError({"note": "Say how the condition was met: it is kept."})
    condition.met_on = met_on
    condition.met_by = marked_by
    condition.met_note = note.strip()
    return _save(condition, reason=f"Marked met: {note.strip()}", by=marked_by)
