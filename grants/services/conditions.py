"""Release conditions that only a person can judge: marking one as met."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants.formatting import is_blank
from grants.models import Project, ReleaseCondition, User
from grants.services.common import GrantRuleError, _date, _save, in_default_language
from grants.services.dates import check_dated


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
    words = {
        "condition": condition.name,
        "sequence": instalment.sequence,
        "reference": instalment.project.reference,
    }
    if condition.kind != ReleaseCondition.Kind.OTHER:
        raise GrantRuleError(
            _(
                "The condition “%(condition)s” of instalment %(sequence)s of "
                "%(reference)s is read from the project's records, not marked by "
                "hand: it is met when they show it."
            )
            % words
        )
    if condition.met_on is not None:
        raise GrantRuleError(
            _(
                "The condition “%(condition)s” of instalment %(sequence)s of "
                "%(reference)s was already marked met on %(day)s."
            )
            % {**words, "day": _date(condition.met_on)}
        )
    if instalment.is_released:
        raise GrantRuleError(
            _(
                "The condition “%(condition)s” belongs to instalment %(sequence)s of "
                "%(reference)s, released on %(day)s: there is nothing left to decide."
            )
            % {**words, "day": _date(instalment.released_on)}
        )
    if met_on > timezone.localdate():
        raise GrantRuleError(
            {"met_on": _("A condition cannot be met on a day still to come.")}
        )
    check_dated("met_on", met_on, not_before=instalment.project.sanctioned_on)
    if is_blank(note):
        raise GrantRuleError({"note": _("Say how the condition was met: it is kept.")})
    condition.met_on = met_on
    condition.met_by = marked_by
    condition.met_note = note.strip()
    with in_default_language():
        why = _("Marked met: %(note)s") % {"note": note.strip()}
    return _save(condition, reason=why, by=marked_by)
