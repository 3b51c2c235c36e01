"""Which reminders are due on a given day: pure logic, no queries, no e-mail.

A ``ReminderRule`` is one step of the ladder: so many days before or after a
milestone's due date, to some audiences (the grantee, the programme officer, the
head of the grantee organisation, the division head). This module turns the rules
into a ``Ladder`` and answers two questions for the sweep:

- which due dates can have a step due today (``Ladder.candidate_filter``): the
  sweep finds its candidates with that one indexed query on (status, due_on);
- which steps, to which audiences, are due today for one milestone
  (``Ladder.steps_due``).

**Catch-up, once.** A step is due on its day, and it stays due (its *window*)
until the next step that reaches the same audience, so a day the sweep did not run
(beat down, a machine lost) is caught up by the next sweep, and a recipient hears
the latest step once, never the whole missed ladder. The ``Reminder`` table's
unique (milestone, recipient, rule, due date) stops a step that was sent from
being sent again. Two limits keep a window sensible:

- a step on or before the due date (a reminder) is never sent after the due date:
  "7 days left" is not caught up once the day has passed;
- a step after the due date (an overdue notice, an escalation) is caught up for at
  most ``CATCH_UP_DAYS``; older steps are a matter for a person, not an e-mail.

**Which milestones.** Only open ones: pending, or returned to the grantee (a
returned report or certificate is back with them, so reminding is right). A
submitted, accepted or waived milestone gets nothing. Projects that are closed or
terminated get nothing either.

**Rules by kind.** A rule with a milestone kind applies to that kind only; a rule
with a blank kind applies to every kind that has no rule of its own with the same
code. An *inactive* kind-specific rule still shadows the general one: that is how a
step is switched off for one kind (a review meeting, which the ministry convenes,
has only its 7-day notice).
"""

import datetime
import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce

from django.db.models import Q

from grants.models import Milestone, Project, ReminderRule

# A step after the due date is caught up for at most this many days.
CATCH_UP_DAYS = 365

GRANTEE = "grantee"
PROGRAMME_OFFICER = "programme_officer"
ORGANISATION_HEAD = "organisation_head"
DIVISION_HEAD = "division_head"
AUDIENCES = (GRANTEE, PROGRAMME_OFFICER, ORGANISATION_HEAD, DIVISION_HEAD)
AUDIENCE_FIELDS = {
    GRANTEE: "to_grantee",
    PROGRAMME_OFFICER: "to_programme_officer",
    ORGANISATION_HEAD: "to_organisation_head",
    DIVISION_HEAD: "to_division_head",
}

# Reminders go for these milestones, and for no others.
REMINDED_STATUSES = Milestone.OPEN_STATUSES
# Projects in these states are over: their milestones are not chased.
SILENT_PROJECT_STATUSES = (Project.Status.CLOSED, Project.Status.TERMINATED)


def audiences_of(rule: ReminderRule) -> tuple[str, ...]:
    """Return the audiences a rule writes to, in the order of ``AUDIENCES``."""
    return tuple(
        audience for audience in AUDIENCES if getattr(rule, AUDIENCE_FIELDS[audience])
    )


@dataclass(frozen=True)
class Step:
    """One rule for one audience, due from ``start`` to before ``end``.

    ``start`` and ``end`` count days from the due date (negative before it), so a
    step is due on a day when ``start <= (day - due_on).days < end``.
    """

    rule: ReminderRule
    audience: str
    start: int
    end: int

    def is_due(self, days_after_due: int) -> bool:
        return self.start <= days_after_due < self.end

    def first_day(self, due_on: datetime.date) -> datetime.date:
        return due_on + datetime.timedelta(days=self.start)

    def last_day(self, due_on: datetime.date) -> datetime.date:
        return due_on + datetime.timedelta(days=self.end - 1)


def rules_by_kind(rules: Iterable[ReminderRule]) -> dict[str, list[ReminderRule]]:
    """Return the active rules that apply to each milestone kind.

    A kind's own rule replaces the general rule (blank kind) with the same code,
    whether the kind's rule is active or not.
    """
    rules = list(rules)
    general = {rule.code: rule for rule in rules if not rule.milestone_kind}
    applicable = {}
    for kind in Milestone.Kind.values:
        own = {rule.code: rule for rule in rules if rule.milestone_kind == kind}
        merged = {**general, **own}
        applicable[kind] = sorted(
            (rule for rule in merged.values() if rule.is_active),
            key=lambda rule: (rule.offset_days, rule.code),
        )
    return applicable


def ladder_steps(rules: list[ReminderRule]) -> list[Step]:
    """Give each (rule, audience) its window; ``rules`` are one kind's, active."""
    steps = []
    for rule in rules:
        for audience in audiences_of(rule):
            later = [
                other.offset_days
                for other in rules
                if other.offset_days > rule.offset_days
                and audience in audiences_of(other)
            ]
            # A reminder is never sent once its due date has passed; an overdue
            # step is caught up for a year at most.
            limit = 1 if rule.offset_days <= 0 else rule.offset_days + CATCH_UP_DAYS
            end = min([*later, limit])
            steps.append(Step(rule, audience, rule.offset_days, end))
    return steps


def merge_intervals(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge half-open day intervals that overlap or touch."""
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


class Ladder:
    """The reminder ladder of every milestone kind, built from the rules."""

    def __init__(self, rules: Iterable[ReminderRule]):
        self.steps_by_kind = {
            kind: ladder_steps(kind_rules)
            for kind, kind_rules in rules_by_kind(rules).items()
        }

    def steps(self, kind: str) -> list[Step]:
        return self.steps_by_kind.get(kind, [])

    def steps_due(self, kind: str, due_on: datetime.date, on: datetime.date):
        """Return the steps due ``on`` a day for a milestone of a kind and due date."""
        days = (on - due_on).days
        return [step for step in self.steps(kind) if step.is_due(days)]

    def windows(self, kind: str) -> list[tuple[int, int]]:
        """Return the days from the due date on which a kind has any step due."""
        return merge_intervals((step.start, step.end) for step in self.steps(kind))

    def candidate_filter(self, on: datetime.date) -> Q:
        """Return the filter for open milestones that may have a step due ``on``.

        One condition per group of kinds with the same windows: the kind, and a
        due-date range per window, so the (status, due_on) index does the work.
        Matches nothing when no rule is active.
        """
        kinds_by_windows = defaultdict(list)
        for kind in self.steps_by_kind:
            windows = tuple(self.windows(kind))
            if windows:
                kinds_by_windows[windows].append(kind)
        if not kinds_by_windows:
            return Q(pk__in=[])
        conditions = []
        for windows, kinds in sorted(kinds_by_windows.items()):
            ranges = [
                Q(
                    due_on__range=(
                        on - datetime.timedelta(days=end - 1),
                        on - datetime.timedelta(days=start),
                    )
                )
                for start, end in windows
            ]
            conditions.append(Q(kind__in=sorted(kinds)) & reduce(operator.or_, ranges))
        return (
            Q(status__in=REMINDED_STATUSES)
            & ~Q(project__status__in=SILENT_PROJECT_STATUSES)
            & reduce(operator.or_, conditions)
        )


def first_day_open(
    step: Step,
    due_on: datetime.date,
    open_periods: Iterable[tuple[datetime.date, datetime.date | None]],
    *,
    before: datetime.date,
) -> datetime.date | None:
    """Return the first day before ``before`` a daily sweep would have sent a step.

    ``open_periods`` are the (first, last) days the milestone was open for this due
    date, ``last`` None for "still open". The answer is the first day of the step's
    window that falls in an open period, or None if there is none.
    """
    window_first, window_last = step.first_day(due_on), step.last_day(due_on)
    days = []
    for first, last in open_periods:
        start = max(first, window_first)
        end = min(last or window_last, window_last, before - datetime.timedelta(days=1))
        if start <= end:
            days.append(start)
    return min(days, default=None)
