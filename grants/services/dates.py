"""The dates people type, kept to what can be true: the project's life and today.

A date outside 2000-2099 is a slip (0001-01-01, 9999-12-31): every form's date
field refuses it (``out_of_range``), and so do the services' checks below. What
depends on the project is decided here too: the forms that know the project ask
while they are cleaned, so the refusal is shown next to the field, and the
services ask again before anything is written, so a date is refused however it
arrives. Each message names the dates that would be accepted, "01 Apr 2024".

- A progress report's period falls within the project, from its start date to its
  end date (moved by any approved extension), and has begun by the day it is
  submitted. It may end later that day: a report is often sent in the last weeks
  of its period, as the plan's own dates invite.
- A decision, a release, a recommendation, a condition met or a closure is dated
  today or earlier (the form's ``DayField(done=True)``), and not before what it
  follows: the request or submission it decides, or the project's sanction.
- An extension moves the end date later, by at most ``EXTENSION_MONTHS_MAX``
  months at a time.
- A new due date is today or later, and (on the form) no later than the last day
  certificates may cover (the end date plus the closing period).

Certificates keep their own, finer rules (``grants.services.certificate_rules``);
assets theirs (``grants.services.assets.asset_date_problems``).
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grants.models import Project
from grants.reads.certificate_chain import last_day_covered
from grants.services.common import GrantRuleError, _date

# No date the app keeps comes near these: a date outside them is a slip (a year
# typed 0001 or 9999). Every form's date field refuses it, and so does every
# service that takes a date a person types.
EARLIEST_DAY = datetime.date(2000, 1, 1)
LATEST_DAY = datetime.date(2099, 12, 31)

# No sanction lets a project run on indefinitely: one request moves the end date
# by at most three years (ministry practice, default).
EXTENSION_MONTHS_MAX = 36


def out_of_range(day: datetime.date) -> str | None:
    """Say that a date is a slip if it falls outside ``EARLIEST_DAY..LATEST_DAY``."""
    if EARLIEST_DAY <= day <= LATEST_DAY:
        return None
    return _(
        "That date cannot be right: enter a date from %(earliest)s to %(latest)s."
    ) % {"earliest": _date(EARLIEST_DAY), "latest": _date(LATEST_DAY)}


def report_period_problems(
    project: Project,
    *,
    period_start: datetime.date,
    period_end: datetime.date,
    submitted_on: datetime.date,
) -> dict[str, str]:
    """Return what is wrong with a progress report's period, by form field."""
    problems = {}
    if period_end < period_start:
        problems["period_end"] = _("The period cannot end before it starts.")
    within = _("The period must fall within the project, %(start)s to %(end)s.") % {
        "start": _date(project.start_on),
        "end": _date(project.end_on),
    }
    for field, day in (("period_start", period_start), ("period_end", period_end)):
        if not project.start_on <= day <= project.end_on:
            problems.setdefault(field, within)
    if period_start > submitted_on:
        problems.setdefault(
            "period_start",
            _(
                "The period cannot start after today, %(today)s: a report covers "
                "time that has begun."
            )
            % {"today": _date(submitted_on)},
        )
    return problems


def check_report_period(project: Project, **period) -> None:
    """Refuse a progress report's period that ``report_period_problems`` faults."""
    problems = report_period_problems(project, **period)
    if problems:
        raise GrantRuleError(problems)


def dated_problem(
    day: datetime.date,
    *,
    not_before: datetime.date | None = None,
    asked_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> str | None:
    """Say what is wrong with the date of something done: a decision, a release.

    It is not before ``asked_on``, the day the request or submission it decides
    was made, nor before ``not_before``, the project's sanction; and, when
    ``today`` is given, not after it. The forms see to today (their date fields
    are ``DayField(done=True)``); the services, also called for days other than
    today (the tests' calendars, a script), check the order of the dates.
    """
    if problem := out_of_range(day):
        return problem
    if today is not None and day > today:
        return after_today(today)
    if asked_on is not None and day < asked_on:
        return _("The date cannot be before the day it was asked for, %(day)s.") % {
            "day": _date(asked_on)
        }
    if not_before is not None and day < not_before:
        return _("The date cannot be before the project's sanction, %(day)s.") % {
            "day": _date(not_before)
        }
    return None


def after_today(today: datetime.date | None = None) -> str:
    """Say that the date of something done cannot be a day still to come."""
    return _("The date cannot be after today, %(today)s.") % {
        "today": _date(today or timezone.localdate())
    }


def check_dated(field: str, day: datetime.date, **bounds) -> None:
    """Refuse, under ``field``, a date ``dated_problem`` faults."""
    problem = dated_problem(day, **bounds)
    if problem:
        raise GrantRuleError({field: problem})


def latest_extension(project: Project) -> datetime.date:
    """The latest end date one extension request may ask for."""
    return project.end_on + relativedelta(months=EXTENSION_MONTHS_MAX)


def extension_end_problem(project: Project, new_end_on: datetime.date) -> str | None:
    """Say what is wrong with an extension's new end date, if anything."""
    if new_end_on <= project.end_on:
        return _("The new end date must be after the current end date, %(end)s.") % {
            "end": _date(project.end_on)
        }
    latest = latest_extension(project)
    if new_end_on > latest:
        return ngettext(
            "An extension moves the end date by at most %(months)s month at a "
            "time: the new end date is %(latest)s at the latest.",
            "An extension moves the end date by at most %(months)s months at a "
            "time: the new end date is %(latest)s at the latest.",
            EXTENSION_MONTHS_MAX,
        ) % {"months": EXTENSION_MONTHS_MAX, "latest": _date(latest)}
    return None


def not_in_the_past(
    new_due_on: datetime.date, *, today: datetime.date | None = None
) -> str | None:
    """Say what is wrong with a new due date whatever the project: a slip, or a
    day already gone."""
    if problem := out_of_range(new_due_on):
        return problem
    if new_due_on < (today or timezone.localdate()):
        return _("The new due date cannot be in the past.")
    return None


def due_date_problem(
    project: Project, new_due_on: datetime.date, *, today: datetime.date | None = None
) -> str | None:
    """Say what is wrong with a milestone's new due date, if anything: it is
    today or later, and by the end of the project's closing period.

    The reschedule form asks; the service refuses a date in the past or out of
    range, and leaves the closing period to the form (its callers plan further).
    """
    if problem := not_in_the_past(new_due_on, today=today):
        return problem
    latest = last_day_covered(project)
    if new_due_on > latest:
        return _(
            "%(reference)s ends on %(end)s: nothing is due after %(latest)s, the "
            "end of its closing period."
        ) % {
            "reference": project.reference,
            "end": _date(project.end_on),
            "latest": _date(latest),
        }
    return None
