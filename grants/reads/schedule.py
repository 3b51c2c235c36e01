"""Milestones against the calendar: how many days are left, in words."""

import datetime


def days_label(days: int) -> str:
    """Say how far a due date is: "3 days left", "due today", "1 day overdue"."""
    if days == 0:
        return "due today"
    if days > 0:
        return f"{days} day{'s' if days != 1 else ''} left"
    return f"{-days} day{'s' if days != -1 else ''} overdue"


def with_days_left(milestones, *, today: datetime.date) -> list:
    """Return the milestones with ``days_left`` and ``days_label`` set for ``today``."""
    milestones = list(milestones)
    for milestone in milestones:
        milestone.days_left = milestone.days_until_due(on=today)
        milestone.days_label = days_label(milestone.days_left)
    return milestones
