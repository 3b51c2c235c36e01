"""Where a project's next utilisation certificate fits among the ones it has.

Annual and final certificates that were not returned make a chain: each period
starts the day after the previous one ends. Provisional certificates are "as on"
statements, cumulative from the project's start, and are not part of it. The
certificate form's pre-fill and ``services.submit_certificate`` both ask here, so
the period the form offers is the one the service accepts.
"""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from grants.formatting import fiscal_year_bounds, fiscal_year_of
from grants.models import Instalment, Project, UtilisationCertificate
from grants.reads.paperwork import previous_certificate

# Ministry practice (default): certificates may cover the project's life and the
# 12 months after its end date, the time GFR 238(1) gives after a year's close.
CLOSING_PERIOD_MONTHS = 12

ONE_DAY = datetime.timedelta(days=1)


def first_day(project: Project, releases) -> datetime.date:
    """The project's first day of money: its start, or an earlier first release.

    A March release for an April start is common; the certificate for the year of
    the release accounts for it.
    """
    released = [i.released_on for i in releases if i.released_on is not None]
    return min([project.start_on, *released])


def last_day_covered(project: Project) -> datetime.date:
    """The last day a certificate may cover: the end date plus the closing period."""
    return project.end_on + relativedelta(months=CLOSING_PERIOD_MONTHS)


def is_chained(certificate: UtilisationCertificate) -> bool:
    """Whether a certificate is a link of the chain: annual or final, not returned."""
    return (
        certificate.kind != UtilisationCertificate.Kind.PROVISIONAL
        and certificate.status != UtilisationCertificate.Status.RETURNED
    )


def earlier_links(certificates, *, kind: str, period_start: datetime.date) -> list:
    """The chain's certificates that end before a period starts.

    None for a provisional certificate: it is cumulative, so its own figures already
    hold what came before.
    """
    if kind == UtilisationCertificate.Kind.PROVISIONAL:
        return []
    return [c for c in certificates if is_chained(c) and c.period_end < period_start]


def overlapping_links(certificates, *, start: datetime.date, end: datetime.date):
    """The chain's certificates whose period shares a day with start..end."""
    return [
        c
        for c in certificates
        if is_chained(c) and c.period_start <= end and c.period_end >= start
    ]


@dataclass(frozen=True)
class ChainPosition:
    """Where a period starting after ``previous`` may start.

    Any start from ``earliest`` to ``latest`` leaves no gap; a later one leaves a
    gap that needs a reason. With a previous certificate both are the day after it
    ends. For the first certificate the range runs from 1 April of the fiscal year
    of the project's first day (Form GFR 12-A is "for the year") to that day.
    """

    previous: UtilisationCertificate | None
    first_day: datetime.date
    earliest: datetime.date
    latest: datetime.date


def chain_position(
    project: Project, certificates, releases, *, before: datetime.date
) -> ChainPosition:
    """Return where a chained period starting on ``before`` should start."""
    previous = previous_certificate(certificates, before=before)
    first = first_day(project, releases)
    if previous is not None:
        after = previous.period_end + ONE_DAY
        return ChainPosition(previous, first, after, after)
    fy_start, _fy_end = fiscal_year_bounds(fiscal_year_of(first))
    return ChainPosition(None, first, fy_start, first)


def released_instalments(project: Project):
    """The project's instalments whose money has gone out, in order."""
    return Instalment.objects.released().filter(project=project).order_by("sequence")
