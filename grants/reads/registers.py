"""The Register of Grants (Form GFR 21, GFR 2017 rule 234): one entry per sanction.

``grant_register_rows()`` is one query: every figure a register entry needs is an
annotation (a correlated subquery per figure, each on an indexed foreign key), so
the page, the spreadsheet and the PDF read the same rows at the same cost however
many there are. ``register_entry()`` then turns one annotated row into the
thirteen columns of the form, in the active language, without a query.

The rules each column follows (where the app keeps no record of its own, the
column says so):

- (i) serial number: the entry's place in the register as filtered, in order of
  sanction date, then reference;
- (viii) dated initials of the sanctioning authority: the sanction order's date
  and the programme officer who keeps the file;
- (ix) accounts and UC due: the earliest open UC milestone; without one, the
  latest UC milestone already met; without any, 31 March after the close of the
  fiscal year of the last release (GFR 238(1): within 12 months of the close of
  the financial year);
- (x) the UC due to the Accounts Officer one month after (ix);
- (xi) statements received: the latest UC received (submitted or accepted), late
  by the days after (ix); while a UC milestone is open, "not received" with the
  days overdue, or the date it was returned for correction;
- (xii) UC to the Pay and Accounts Office: the date that UC was accepted, late by
  the days after (x);
- (xiii) unspent balance: the closing balance of the latest accepted UC;
  surrendered: the unspent balance refunded when the project was closed.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils.translation import get_language, gettext, ngettext

from grants.formatting import fiscal_year_bounds, fiscal_year_of, format_date
from grants.models import (
    Instalment,
    Milestone,
    Project,
    ReleaseCondition,
    Scheme,
    UtilisationCertificate,
)

# The register's own order: the order the sanctions were made in.
REGISTER_ORDER = ("sanctioned_on", "reference")
NOTHING = "—"
RECEIVED = (
    UtilisationCertificate.Status.SUBMITTED,
    UtilisationCertificate.Status.ACCEPTED,
)
MET = (Milestone.Status.SUBMITTED, Milestone.Status.ACCEPTED)


def _count(queryset, group):
    return Coalesce(
        Subquery(queryset.order_by().values(group).annotate(n=Count("pk")).values("n")),
        Value(0),
    )


def _first(queryset, field):
    return Subquery(queryset.values(field)[:1])


def grant_register_rows(queryset=None, *, on: datetime.date):
    """Projects annotated with every figure of their register entry, in register order.

    ``serial`` numbers the rows in order of sanction as the filter leaves them;
    ``on`` is the day the register is read on, which decides what is overdue.
    """
    queryset = Project.objects.all() if queryset is None else queryset
    released = (
        Instalment.objects.released().filter(project=OuterRef("pk")).order_by()
    ).values("project")
    conditions = ReleaseCondition.objects.filter(instalment__project=OuterRef("pk"))
    kind = ReleaseCondition.Kind
    uc_milestones = Milestone.objects.filter(
        project=OuterRef("pk"), kind=Milestone.Kind.UTILISATION_CERTIFICATE
    )
    # Outstanding: open and due by ``on``, or back with the grantee for correction.
    outstanding = uc_milestones.filter(
        Q(due_on__lte=on) | Q(status=Milestone.Status.RETURNED),
        status__in=Milestone.OPEN_STATUSES,
    ).order_by("due_on", "pk")
    upcoming = uc_milestones.filter(
        status=Milestone.Status.PENDING, due_on__gt=on
    ).order_by("due_on", "pk")
    met_uc = uc_milestones.filter(status__in=MET).order_by("-due_on", "-pk")
    received = UtilisationCertificate.objects.filter(
        project=OuterRef("pk"), status__in=RECEIVED
    ).order_by("-submitted_on", "-pk")
    return (
        queryset.with_latest_closing_balance()
        .select_related("scheme", "programme_officer")
        .annotate(
            serial=Window(
                RowNumber(), order_by=[F(name).asc() for name in REGISTER_ORDER]
            ),
            released_total=Coalesce(
                Subquery(released.annotate(total=Sum("amount")).values("total")),
                Value(0),
            ),
            release_count=_count(released, "project"),
            last_released_on=Subquery(
                released.annotate(last=Max("released_on")).values("last")
            ),
            instalment_count=_count(
                Instalment.objects.filter(project=OuterRef("pk")), "project"
            ),
            covering_uc=Exists(conditions.filter(kind=kind.COVERING_UC)),
            milestone_conditions=_count(
                conditions.filter(kind=kind.MILESTONE), "instalment__project"
            ),
            audited_soe=Exists(conditions.filter(kind=kind.AUDITED_SOE)),
            min_utilisation=Subquery(
                conditions.filter(kind=kind.MIN_UTILISATION)
                .order_by("-min_utilisation_percent")
                .values("min_utilisation_percent")[:1]
            ),
            trl_condition=Subquery(
                conditions.filter(kind=kind.TRL).order_by("-trl").values("trl")[:1]
            ),
            other_conditions=_count(
                conditions.filter(kind=kind.OTHER), "instalment__project"
            ),
            outstanding_uc_due_on=_first(outstanding, "due_on"),
            outstanding_uc_status=_first(outstanding, "status"),
            outstanding_uc_returned_on=_first(outstanding, "decided_on"),
            next_uc_due_on=_first(upcoming, "due_on"),
            met_uc_due_on=_first(met_uc, "due_on"),
            uc_submitted_on=_first(received, "submitted_on"),
            uc_status=_first(received, "status"),
            uc_decided_on=_first(received, "decided_on"),
        )
        .order_by(*REGISTER_ORDER)
    )


def filtered_register(
    *, on: datetime.date, fiscal_year: str = "", scheme_id: int | None = None
):
    """The register rows for a fiscal year of sanction and a scheme (either blank)."""
    queryset = Project.objects.all()
    if fiscal_year:
        queryset = queryset.filter(fiscal_year=fiscal_year)
    if scheme_id:
        queryset = queryset.filter(scheme_id=scheme_id)
    return grant_register_rows(queryset, on=on)


def register_document(
    *, on: datetime.date, fiscal_year: str = "", scheme_id: int | None = None
):
    """The rows of the register on paper and what its first page states.

    Returns ``(rows, context)``: the filtered rows in register order, and the
    filter in words (fiscal year, scheme's name in the active language), the date,
    the number of entries and whether the data is illustrative.
    """
    rows = filtered_register(on=on, fiscal_year=fiscal_year, scheme_id=scheme_id)
    scheme = Scheme.objects.filter(pk=scheme_id).first() if scheme_id else None
    return rows, {
        "generated_on": on,
        "fiscal_year": fiscal_year,
        "scheme": scheme.local_name if scheme else "",
        "row_count": rows.count(),
        "illustrative": is_illustrative(rows),
    }


def is_illustrative(queryset) -> bool:
    """Whether any row is a demo record, so the paper must say so."""
    return (
        queryset.filter(
            Q(reference__startswith="DEMO-") | Q(organisation__is_illustrative=True)
        )
        .order_by()
        .exists()
    )


# One entry -----------------------------------------------------------------------


@dataclass
class RegisterEntry:
    """The thirteen columns of Form GFR 21 for one sanction, ready to show."""

    serial: int
    project_id: int
    reference: str
    sanction_number: str  # (ii)
    sanctioned_on: datetime.date  # (ii)
    purpose: str  # (iii)
    scheme: str  # (iii)
    conditions: str  # (iv)
    sanctioned: int  # (v)
    released: int  # (vi)
    release_count: int  # (vi)
    last_released_on: datetime.date | None  # (vi)
    accepted_without_reservation: str  # (vii)
    authority: str  # (viii)
    authority_line: str  # (viii) as one line: date, name
    uc_due_on: datetime.date | None  # (ix)
    uc_due_note: str  # (ix) where the date comes from, or the next one
    ao_due_on: datetime.date | None  # (x)
    received_on: datetime.date | None  # (xi)
    received_note: str  # (xi) delay and reasons
    pao_on: datetime.date | None  # (xii)
    pao_note: str  # (xii) delay and reasons
    unspent: int | None  # (xiii)
    surrendered: int | None  # (xiii)
    surrender_note: str  # (xiii)


def gfr_238_due(released_on: datetime.date | None) -> datetime.date | None:
    """31 March of the year after the fiscal year of a release (GFR 238(1))."""
    if released_on is None:
        return None
    _start, year_end = fiscal_year_bounds(fiscal_year_of(released_on))
    return year_end.replace(year=year_end.year + 1)


def accounts_officer_due(uc_due_on: datetime.date | None) -> datetime.date | None:
    """One month after the UC is due from the grantee (column x)."""
    return uc_due_on + relativedelta(months=1) if uc_due_on else None


def _late(day, due) -> int:
    """Days ``day`` came after ``due``; 0 when on time or when either is unknown."""
    if day is None or due is None:
        return 0
    return max((day - due).days, 0)


def _days_late(days: int) -> str:
    return ngettext("%(days)s day late", "%(days)s days late", days) % {"days": days}


def _conditions(row) -> str:
    """Column iv in brief: the sanction's general conditions, then each release's."""
    asked = []
    if row.covering_uc:
        asked.append(gettext("previous UC accepted"))
    if row.milestone_conditions:
        asked.append(
            ngettext(
                "%(count)s milestone accepted",
                "%(count)s milestones accepted",
                row.milestone_conditions,
            )
            % {"count": row.milestone_conditions}
        )
    if row.audited_soe:
        asked.append(gettext("audited SoE"))
    if row.min_utilisation:
        asked.append(
            gettext("utilisation of %(percent)s%% or more")
            % {"percent": row.min_utilisation}
        )
    if row.trl_condition:
        asked.append(gettext("TRL %(trl)s reached") % {"trl": row.trl_condition})
    if row.other_conditions:
        asked.append(
            ngettext("%(count)s other", "%(count)s other", row.other_conditions)
            % {"count": row.other_conditions}
        )
    parts = [gettext("As in the sanction order (GFR 230, 238)")]
    if row.instalment_count:
        parts.append(
            ngettext(
                "%(count)s instalment", "%(count)s instalments", row.instalment_count
            )
            % {"count": row.instalment_count}
        )
    if asked:
        parts.append(
            gettext("released on: %(conditions)s") % {"conditions": ", ".join(asked)}
        )
    return "; ".join(parts)


def _uc_due(row) -> tuple[datetime.date | None, str]:
    """Column ix: the date and what it comes from."""
    if row.outstanding_uc_due_on:
        return row.outstanding_uc_due_on, ""
    if row.met_uc_due_on:
        if row.next_uc_due_on:
            return row.met_uc_due_on, gettext("next UC due %(date)s") % {
                "date": format_date(row.next_uc_due_on, "d M Y")
            }
        return row.met_uc_due_on, ""
    if row.next_uc_due_on:
        return row.next_uc_due_on, ""
    due = gfr_238_due(row.last_released_on)
    return due, gettext("12 months after the year of the last release (GFR 238(1))")


def _nothing_received_yet(row) -> bool:
    """The UC in view is one still to come: none fell due, none was received."""
    return not (row.outstanding_uc_due_on or row.met_uc_due_on) and bool(
        row.next_uc_due_on
    )


def _received(row, uc_due_on, on) -> tuple[datetime.date | None, str]:
    """Column xi: the date and a note saying how late, or why nothing came."""
    if row.outstanding_uc_due_on:
        if row.outstanding_uc_status == Milestone.Status.RETURNED:
            return None, gettext(
                "Not received: returned for correction on %(date)s"
            ) % {
                "date": format_date(row.outstanding_uc_returned_on, "d M Y")
                if row.outstanding_uc_returned_on
                else NOTHING
            }
        days = (on - row.outstanding_uc_due_on).days
        if days <= 0:
            return None, gettext("Not received: due today")
        return None, ngettext(
            "Not received: %(days)s day overdue",
            "Not received: %(days)s days overdue",
            days,
        ) % {"days": days}
    if _nothing_received_yet(row):
        return None, gettext("Not yet due")
    if row.uc_submitted_on is None:
        return None, gettext("Not received") if uc_due_on else NOTHING
    days = _late(row.uc_submitted_on, uc_due_on)
    return row.uc_submitted_on, _days_late(days) if days else gettext("In time")


def _to_pao(row, ao_due_on) -> tuple[datetime.date | None, str]:
    """Column xii: the date the UC was accepted and so sent on to the PAO."""
    if row.outstanding_uc_due_on or _nothing_received_yet(row) or not row.uc_status:
        return None, NOTHING
    if row.uc_status != UtilisationCertificate.Status.ACCEPTED:
        return None, gettext("Under examination")
    days = _late(row.uc_decided_on, ao_due_on)
    return row.uc_decided_on, _days_late(days) if days else gettext("In time")


def _surrender(row) -> tuple[int | None, str]:
    if row.status != Project.Status.CLOSED:
        return None, gettext("Not yet")
    closed = format_date(row.closed_on, "d M Y") if row.closed_on else NOTHING
    if row.unspent_refunded:
        return row.unspent_refunded, gettext("Surrendered on closure, %(date)s") % {
            "date": closed
        }
    return 0, gettext("Closed %(date)s with nothing to surrender") % {"date": closed}


def _purpose(row) -> str:
    """The title in the reader's language where the project has a Hindi one."""
    if row.title_hi and (get_language() or "").startswith("hi"):
        return row.title_hi
    return row.title


def register_entry(row, *, on: datetime.date) -> RegisterEntry:
    """The register entry of one row of ``grant_register_rows()``; no query."""
    uc_due_on, uc_due_note = _uc_due(row)
    ao_due_on = accounts_officer_due(uc_due_on)
    received_on, received_note = _received(row, uc_due_on, on)
    pao_on, pao_note = _to_pao(row, ao_due_on)
    surrendered, surrender_note = _surrender(row)
    officer = row.programme_officer
    authority = (officer.get_full_name() or officer.username) if officer else NOTHING
    return RegisterEntry(
        serial=row.serial,
        project_id=row.pk,
        reference=row.reference,
        sanction_number=row.sanction_order_number,
        sanctioned_on=row.sanctioned_on,
        purpose=_purpose(row),
        scheme=row.scheme.local_name,
        conditions=_conditions(row),
        sanctioned=row.sanctioned_amount,
        released=row.released_total,
        release_count=row.release_count,
        last_released_on=row.last_released_on,
        accepted_without_reservation=NOTHING,
        authority=authority,
        authority_line=f"{format_date(row.sanctioned_on, 'd M Y')}, {authority}",
        uc_due_on=uc_due_on,
        uc_due_note=uc_due_note,
        ao_due_on=ao_due_on,
        received_on=received_on,
        received_note=received_note,
        pao_on=pao_on,
        pao_note=pao_note,
        unspent=row.latest_closing_balance,
        surrendered=surrendered,
        surrender_note=surrender_note,
    )


def register_entries(queryset, *, on: datetime.date, chunk_size: int = 500):
    """Each row's entry, reading the database ``chunk_size`` rows at a time."""
    for row in queryset.iterator(chunk_size=chunk_size):
        yield register_entry(row, on=on)


class EntryValues:
    """The entries as ``grants.exports`` reads a queryset: ``values_list(...)``.

    An export column's path names a ``RegisterEntry`` field, so the spreadsheet
    holds the same words and figures as the page and the PDF.
    """

    def __init__(self, queryset, *, on: datetime.date):
        self.queryset = queryset
        self.on = on
        self.paths: tuple[str, ...] = ()

    def values_list(self, *paths):
        self.paths = paths
        return self

    def iterator(self, chunk_size: int = 500) -> Iterator[tuple]:
        for entry in register_entries(self.queryset, on=self.on, chunk_size=chunk_size):
            yield tuple(getattr(entry, path) for path in self.paths)


REGISTER_TOTALS = ("sanctioned", "released", "unspent", "surrendered")
