"""Milestones against the calendar: how many days are left, in words."""

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


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
