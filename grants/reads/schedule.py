"""Milestones against the calendar: what is due, and how many days are left."""

import datetime

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grants.models import Milestone

# How far ahead the portal lists what is due; later items are on project pages.
DUE_HORIZON_DAYS = 183
# What a list of due milestones shows (``due_table.html``), and no more: a
# milestone's and its project's other columns are long texts nobody reads there.
DUE_COLUMNS = ("project__reference", "kind", "title", "due_on", "status")


def days_label(days: int) -> str:
    """Say how far a due date is: "3 days left", "due today", "1 day overdue"."""
    if days == 0:
        return _("due today")
    if days > 0:
        return ngettext("%(count)s day left", "%(count)s days left", days) % {
            "count": days
        }
    return ngettext("%(count)s day overdue", "%(count)s days overdue", -days) % {
        "count": -days
    }


def with_days_left(milestones, *, today: datetime.date) -> list:
    """Return the milestones with ``days_left`` and ``days_label`` set for ``today``."""
    milestones = list(milestones)
    for milestone in milestones:
        milestone.days_left = milestone.days_until_due(on=today)
        milestone.days_label = days_label(milestone.days_left)
    return milestones


def _horizon(on: datetime.date) -> datetime.date:
    return on + datetime.timedelta(days=DUE_HORIZON_DAYS)


def _due_condition(*, on: datetime.date) -> Q:
    return Q(status=Milestone.Status.PENDING, due_on__lte=_horizon(on)) | Q(
        status=Milestone.Status.RETURNED
    )


def due_milestones(user, *, on: datetime.date):
    """The milestones a member acts on next, the most urgent first.

    Pending ones due by ``DUE_HORIZON_DAYS`` after ``on`` (the overdue among
    them) and returned ones, of the projects the user may see, by due date: the
    longest overdue first, then the soonest.
    """
    return (
        Milestone.objects.visible_to(user)
        .filter(_due_condition(on=on))
        .select_related("project")
        .only(*DUE_COLUMNS)
        .order_by("due_on", "pk")
    )


def due_counts(user, *, on: datetime.date) -> dict[str, int]:
    """Count ``due_milestones`` (``due``) and the pending ones due after it (``later``).

    One query, so that a page can list a few and still say how many there are.
    """
    later = Q(status=Milestone.Status.PENDING, due_on__gt=_horizon(on))
    return (
        Milestone.objects.visible_to(user)
        .open()
        .aggregate(
            due=Count("pk", filter=_due_condition(on=on)),
            later=Count("pk", filter=later),
        )
    )
