"""The rules a utilisation certificate's period and figures must keep.

``services.submit_certificate`` asks ``certificate_problems`` inside its
transaction, with the project row locked, and refuses the certificate with every
problem found, each filed under the form field that is off and saying which value
would be accepted. The rules and their sources are listed in
``docs/domain-model.md`` ("Utilisation certificate rules").
"""

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grants.formatting import fiscal_year_bounds, fiscal_year_of, is_blank
from grants.models import Project, UtilisationCertificate
from grants.reads.certificate_chain import (
    CLOSING_PERIOD_MONTHS,
    ONE_DAY,
    chain_position,
    earlier_links,
    first_day,
    last_day_covered,
    overlapping_links,
    released_instalments,
)
from grants.reads.paperwork import certificate_title
from grants.services.common import _date, _rupees

Kind = UtilisationCertificate.Kind


def certificate_problems(
    project: Project,
    *,
    kind: str,
    period_start: datetime.date,
    period_end: datetime.date,
    figures,
    submitted_on: datetime.date,
    gap_reason: str,
) -> dict[str, str]:
    """Return the broken rules as {form field: what would be accepted}.

    ``project`` is the locked, freshly read row. The period must already end on or
    after its start.
    """
    certificates = list(project.certificates.all())
    releases = list(released_instalments(project))
    problems: dict[str, str] = {}
    as_on = list(_as_on_date(project, period_end, submitted_on, releases))
    for field, message in [
        *as_on,
        *_annual_end(project, kind, period_end),
        *_chain(
            project, certificates, releases, kind, period_start, period_end, gap_reason
        ),
        *_period_start(project, period_start, releases, end_faulted=bool(as_on)),
        *_interest(certificates, kind, period_start, figures),
        *_grant_received(
            project, certificates, releases, kind, period_start, period_end, figures
        ),
    ]:
        problems.setdefault(field, message)
    return problems


def period_problems(
    project: Project,
    *,
    period_start: datetime.date,
    period_end: datetime.date,
    submitted_on: datetime.date,
) -> dict[str, str]:
    """Return what is wrong with a period whatever the certificate's kind and
    figures: it has ended, falls within the project's life and closing period, and
    starts no earlier than the fiscal year of the project's first money.

    The certificate form asks this while it is cleaned; ``certificate_problems``
    asks the same, with the chain's finer rules, before anything is written.
    """
    releases = list(released_instalments(project))
    problems: dict[str, str] = {}
    if period_end < period_start:
        problems["period_end"] = _("The period cannot end before it starts.")
    as_on = list(_as_on_date(project, period_end, submitted_on, releases))
    for field, message in [
        *as_on,
        *_period_start(project, period_start, releases, end_faulted=bool(as_on)),
    ]:
        problems.setdefault(field, message)
    return problems


def _period_start(project, period_start, releases, *, end_faulted: bool):
    """A period starts within the project's life and closing period, and no
    earlier than the fiscal year of the project's first money.

    The start is said to be too early only of a period whose end is right: one
    that ends before the money starts is told so, and that says enough.
    """
    limit = last_day_covered(project)
    if period_start > limit:
        yield (
            "period_start",
            _(
                "%(reference)s ends on %(end)s, and no certificate covers time after "
                "%(limit)s: a period starting on %(start)s is outside the project."
            )
            % {
                "reference": project.reference,
                "end": _date(project.end_on),
                "limit": _date(limit),
                "start": _date(period_start),
            },
        )
        return
    if end_faulted:
        return
    first = first_day(project, releases)
    earliest, _fy_end = fiscal_year_bounds(fiscal_year_of(first))
    if period_start < earliest:
        yield (
            "period_start",
            _(
                "%(reference)s's money starts on %(first)s: a certificate's period "
                "starts on %(earliest)s (the first day of that fiscal year) or "
                "later."
            )
            % {
                "reference": project.reference,
                "first": _date(first),
                "earliest": _date(earliest),
            },
        )


def _as_on_date(project, period_end, submitted_on, releases):
    """Rule 3: the period has ended, within the project's life and closing period."""
    if period_end > submitted_on:
        yield (
            "period_end",
            _(
                "A certificate is made for time that has passed: the period ends "
                "on %(day)s, the day it is submitted, or earlier."
            )
            % {"day": _date(submitted_on)},
        )
        return
    first = first_day(project, releases)
    if period_end < first:
        yield (
            "period_end",
            _(
                "%(reference)s's money starts on %(first)s (its start date, or its "
                "first release if that came earlier): the period ends on %(first)s "
                "or later."
            )
            % {"reference": project.reference, "first": _date(first)},
        )
    limit = last_day_covered(project)
    if period_end > limit:
        yield (
            "period_end",
            ngettext(
                "%(reference)s ends on %(end)s, and its certificates cover at most "
                "the %(months)s month after that: the period ends on %(limit)s at "
                "the latest.",
                "%(reference)s ends on %(end)s, and its certificates cover at most "
                "the %(months)s months after that: the period ends on %(limit)s at "
                "the latest.",
                CLOSING_PERIOD_MONTHS,
            )
            % {
                "reference": project.reference,
                "end": _date(project.end_on),
                "months": CLOSING_PERIOD_MONTHS,
                "limit": _date(limit),
            },
        )


def _annual_end(project, kind, period_end):
    """Rule 4: an annual UC runs to 31 March, or to the project's end in that year."""
    if kind != Kind.ANNUAL:
        return
    fiscal_year = fiscal_year_of(period_end)
    fy_start, fy_end = fiscal_year_bounds(fiscal_year)
    endings = {
        day: label
        for day, label in (
            (project.end_on, _("the project's end date")),
            (project.closed_on, _("the day the project was closed")),
        )
        if day is not None and fy_start <= day < fy_end
    }
    if period_end == fy_end or period_end in endings:
        return
    accepted = _date(fy_end)
    for day, label in sorted(endings.items()):
        accepted = _("%(accepted)s, or %(day)s (%(label)s)") % {
            "accepted": accepted,
            "day": _date(day),
            "label": label,
        }
    yield (
        "period_end",
        _(
            "An annual UC covers the fiscal year %(fiscal_year)s to its end: the "
            "period ends on %(accepted)s."
        )
        % {"fiscal_year": fiscal_year, "accepted": accepted},
    )


def _chain(project, certificates, releases, kind, start, end, gap_reason):
    """Rule 2: a period starts the day after the previous certificate ends."""
    if kind == Kind.PROVISIONAL:
        return
    overlapping = overlapping_links(certificates, start=start, end=end)
    earlier = [c for c in overlapping if c.period_start <= start]
    later = [c for c in overlapping if c.period_start > start]
    if earlier:
        previous = max(earlier, key=lambda c: (c.period_end, c.pk))
        yield (
            "period_start",
            _(
                "The previous certificate (%(title)s) ends on %(end)s: this period "
                "starts on %(start)s."
            )
            % {
                "title": certificate_title(previous),
                "end": _date(previous.period_end),
                "start": _date(previous.period_end + ONE_DAY),
            },
        )
        return
    if later:
        following = min(later, key=lambda c: (c.period_start, c.pk))
        yield (
            "period_end",
            _(
                "The next certificate (%(title)s) starts on %(start)s: this period "
                "ends on %(end)s at the latest."
            )
            % {
                "title": certificate_title(following),
                "start": _date(following.period_start),
                "end": _date(following.period_start - ONE_DAY),
            },
        )
        return
    position = chain_position(project, certificates, releases, before=start)
    if start < position.earliest:
        # Only the first certificate: a later one would overlap its previous.
        yield (
            "period_start",
            _(
                "This is the first certificate of %(reference)s, whose money starts "
                "on %(first)s: the period starts on %(earliest)s (the first day of "
                "that fiscal year) or on %(first)s."
            )
            % {
                "reference": project.reference,
                "first": _date(position.first_day),
                "earliest": _date(position.earliest),
            },
        )
    elif start > position.latest and is_blank(gap_reason):
        if position.previous is not None:
            after = _("The previous certificate (%(title)s) ends on %(end)s") % {
                "title": certificate_title(position.previous),
                "end": _date(position.previous.period_end),
            }
        else:
            after = _(
                "This is the first certificate, and %(reference)s's money "
                "starts on %(first)s"
            ) % {
                "reference": project.reference,
                "first": _date(position.first_day),
            }
        days = (start - position.latest).days
        yield (
            "gap_reason",
            ngettext(
                "%(after)s: the period starts on %(expected)s. To start it on "
                "%(start)s instead, say why the %(days)s day before it is not "
                "covered by a certificate.",
                "%(after)s: the period starts on %(expected)s. To start it on "
                "%(start)s instead, say why the %(days)s days before it are not "
                "covered by a certificate.",
                days,
            )
            % {
                "after": after,
                "expected": _date(position.latest),
                "start": _date(start),
                "days": days,
            },
        )


def _interest(certificates, kind, start, figures):
    """Rule 1: interest remitted is at most what was earned and not yet remitted."""
    earlier = earlier_links(certificates, kind=kind, period_start=start)
    unremitted = max(0, sum(c.interest_earned - c.interest_remitted for c in earlier))
    most = figures.interest_earned + unremitted
    if figures.interest_remitted > most:
        yield (
            "interest_remitted",
            _(
                "Interest remitted can be at most %(most)s: the interest earned "
                "(%(earned)s) plus interest earned and not remitted under earlier "
                "certificates (%(unremitted)s)."
            )
            % {
                "most": _rupees(most),
                "earned": _rupees(figures.interest_earned),
                "unremitted": _rupees(unremitted),
            },
        )


def _grant_received(project, certificates, releases, kind, start, end, figures):
    """Rule 5: grant received is at most what was released by the period's end."""
    released = sum(i.amount for i in releases if i.released_on <= end)
    if kind == Kind.PROVISIONAL:
        if figures.grant_received > released:
            yield (
                "grant_received",
                _(
                    "Grant received can be at most %(most)s: the releases to "
                    "%(reference)s up to %(end)s, counted from the project's start "
                    "as a provisional certificate does."
                )
                % {
                    "most": _rupees(released),
                    "reference": project.reference,
                    "end": _date(end),
                },
            )
        return
    earlier = earlier_links(certificates, kind=kind, period_start=start)
    counted = sum(c.grant_received for c in earlier)
    most = max(0, released - counted)
    if figures.grant_received > most:
        yield (
            "grant_received",
            _(
                "Grant received can be at most %(most)s: the releases to "
                "%(reference)s up to %(end)s total %(released)s, and earlier "
                "certificates already count %(counted)s of them."
            )
            % {
                "most": _rupees(most),
                "reference": project.reference,
                "end": _date(end),
                "released": _rupees(released),
                "counted": _rupees(counted),
            },
        )


def period_leaves_gap(
    project: Project, *, kind: str, period_start: datetime.date
) -> bool:
    """Whether a chained period starts later than the day the chain reaches."""
    if kind == Kind.PROVISIONAL:
        return False
    position = chain_position(
        project,
        list(project.certificates.all()),
        list(released_instalments(project)),
        before=period_start,
    )
    return period_start > position.latest
