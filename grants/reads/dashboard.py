"""The figures of the portfolio dashboard: read logic only.

Every figure comes from a few aggregate queries whose number does not depend on how
many projects there are: the money figures and their five breakdowns are one
``GROUP BY`` over every dimension at once, releases by fiscal year one more, the
TRL view one query of conditional counts.

Definitions (the dashboard and ``docs/staff-workspace.md`` say the same):

- *released*: instalments with a release date;
- *pending*: sanctioned minus released;
- *expenditure reported*: column 6 of every accepted annual or final utilisation
  certificate. Provisional ("as on") certificates repeat cumulative figures that a
  later annual certificate reports again, so they are left out to avoid counting
  money twice;
- *unspent balance held by grantees*: per project, the closing balance (column 7) of
  its latest accepted certificate of any kind, plus every release dated after that
  certificate's period; a project with no accepted certificate holds all that was
  released to it; a closed project holds nothing (its balance was refunded at
  closure).
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils.translation import gettext_lazy as _

from grants import summaries
from grants.formatting import fiscal_year_bounds, fiscal_year_of
from grants.models import (
    Instalment,
    Milestone,
    Organisation,
    ProgressReport,
    Project,
    ProjectSummary,
    UtilisationCertificate,
    count_of,
)
from grants.models.reference import in_current_language
from grants.reads import pipeline

# Work queues on the dashboard are short; their "see all" links lead to the tables.
QUEUE_LENGTH = 10
DUE_SOON_DAYS = 30
EARLIEST = datetime.date(1900, 1, 1)


# Per-project annotations --------------------------------------------------------------


def with_accepted_expenditure(projects):
    """Annotate ``accepted_expenditure``: column 6 of accepted annual and final UCs."""
    spent = (
        UtilisationCertificate.objects.accepted()
        .exclude(kind=UtilisationCertificate.Kind.PROVISIONAL)
        .filter(project=OuterRef("pk"))
        .values("project")
        .annotate(total=Sum("expenditure"))
        .values("total")
    )
    return projects.annotate(accepted_expenditure=Coalesce(Subquery(spent), Value(0)))


def with_unspent_balance(projects):
    """Annotate ``unspent_balance``: what the grantee holds, by the definition above.

    Also annotates ``latest_closing_balance`` and ``latest_certificate_end``.
    """
    latest = (
        UtilisationCertificate.objects.accepted()
        .filter(project=OuterRef("pk"))
        .order_by("-period_end", F("decided_on").desc(nulls_last=True), "-pk")
    )
    released_after = (
        Instalment.objects.released()
        .filter(
            project=OuterRef("pk"),
            released_on__gt=Coalesce(
                OuterRef("latest_certificate_end"),
                Value(EARLIEST, output_field=DateField()),
            ),
        )
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return projects.annotate(
        latest_closing_balance=Subquery(latest.values("closing_balance")[:1]),
        latest_certificate_end=Subquery(latest.values("period_end")[:1]),
    ).annotate(
        unspent_balance=Case(
            When(status=Project.Status.CLOSED, then=Value(0)),
            default=Coalesce("latest_closing_balance", Value(0))
            + Coalesce(Subquery(released_after), Value(0)),
            output_field=IntegerField(),
        )
    )


def with_portfolio_figures(projects):
    """Annotate every per-project figure the dashboard sums.

    Adds ``released_total``, ``pending_total``, ``accepted_expenditure`` and
    ``unspent_balance`` (with the two annotations it is built from).
    """
    return with_unspent_balance(
        with_accepted_expenditure(projects.with_pending_total())
    )


# Figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """The portfolio's money for a set of projects, in whole rupees."""

    projects: int = 0
    sanctioned: int = 0
    released: int = 0
    expenditure: int = 0
    unspent: int = 0

    @property
    def pending(self) -> int:
        return self.sanctioned - self.released

    @property
    def released_percent(self) -> float:
        return 100 * self.released / self.sanctioned if self.sanctioned else 0.0


FIGURE_AGGREGATES = {
    "projects": Count("pk"),
    "sanctioned": Sum("sanctioned"),
    "released": Sum("released"),
    "expenditure": Sum("expenditure"),
    "unspent": Sum("unspent"),
}


@dataclass(frozen=True)
class Dimension:
    key: str
    title: str
    field: str
    choices: tuple = ()  # (value, label) in display order; every one is shown
    # A row's Hindi name, shown on Hindi pages where one is given (schemes).
    hindi_field: str = ""


DIMENSIONS = [
    Dimension("fiscal_year", _("By fiscal year of sanction"), "fiscal_year"),
    Dimension("scheme", _("By scheme"), "scheme__name", hindi_field="scheme__name_hi"),
    Dimension(
        "kind",
        _("By grantee kind"),
        "organisation_kind",
        tuple(Organisation.Kind.choices),
    ),
    Dimension(
        "stage", _("By REE value-chain stage"), "stage", tuple(Project.Stage.choices)
    ),
    Dimension("status", _("By status"), "status", tuple(Project.Status.choices)),
]


def _sum(figures) -> Figures:
    figures = list(figures)
    return Figures(
        **{
            name: sum(getattr(item, name) for item in figures)
            for name in FIGURE_AGGREGATES
        }
    )


@dataclass
class Breakdown:
    dimension: Dimension
    rows: list[tuple[str, Figures]]

    @property
    def total(self) -> Figures:
        return _sum(figures for _, figures in self.rows)


def grouped_figures(*, on: datetime.date) -> list[dict]:
    """Sum the figures for each combination of every dimension (one query).

    The per-project figures and the project columns grouped by come from the
    ``ProjectSummary`` table, brought up to date for ``on`` by the caller, and the
    database sums them by fiscal year, scheme, kind, stage and status together,
    counting the projects at each TRL on the way. A portfolio has few such
    combinations, so the result stays short however many projects there are; the
    headline totals, every breakdown and the TRL view are sums of these rows.

    Each row also carries two counts of the whole portfolio, each taken once by
    the database: its projects, and its milestones returned to the grantee. When
    the summaries count fewer projects, some project was written without one (a
    bulk insert), so the missing summaries are made and the sums taken again.
    """
    fields = [dimension.field for dimension in DIMENSIONS] + [
        dimension.hindi_field for dimension in DIMENSIONS if dimension.hindi_field
    ]

    def grouped():
        return list(
            ProjectSummary.objects.values(*fields)
            .annotate(
                **FIGURE_AGGREGATES,
                **TRL_AGGREGATES,
                portfolio=count_of(Project.objects.all()),
                returned=count_of(
                    Milestone.objects.filter(status=Milestone.Status.RETURNED)
                ),
            )
            .order_by(*fields)
        )

    rows = grouped()
    in_portfolio = rows[0]["portfolio"] if rows else Project.objects.count()
    if sum(row["projects"] for row in rows) != in_portfolio:
        summaries.create_missing(on=on)
        rows = grouped()
    return rows


def _add_up(rows, names) -> dict:
    """Sum the columns ``names`` over ``rows`` (plain integers: a thousand rows of
    a large portfolio are summed six times per page)."""
    sums = dict.fromkeys(names, 0)
    for row in rows:
        for name in names:
            sums[name] += row[name] or 0
    return sums


def totals(grouped: list[dict]) -> Figures:
    """Return the headline figures from ``grouped_figures`` rows."""
    return Figures(**_add_up(grouped, FIGURE_AGGREGATES))


def breakdown(grouped: list[dict], dimension: Dimension) -> Breakdown:
    """Return the figures by one dimension from ``grouped_figures`` rows."""
    by_value = {}
    for row in grouped:
        by_value.setdefault(row[dimension.field], []).append(row)
    found = {
        value: Figures(**_add_up(rows, FIGURE_AGGREGATES))
        for value, rows in by_value.items()
    }
    if dimension.choices:
        rows = [
            (str(label), found.get(value, Figures()))
            for value, label in dimension.choices
        ]
    else:
        hindi = {
            row[dimension.field]: row.get(dimension.hindi_field) or ""
            for row in grouped
            if dimension.hindi_field
        }
        rows = [
            (in_current_language(str(value), hindi.get(value, "")), found[value])
            for value in sorted(found)
        ]
    return Breakdown(dimension, rows)


def released_by_fiscal_year(instalments=None) -> list[tuple[str, int]]:
    """Return the money released in each fiscal year of release, oldest first.

    The database sums by release date (an index covers the date and amount, and
    there are a few thousand dates, not hundreds of thousands of instalments);
    the dates are then put into fiscal years here.
    """
    instalments = Instalment.objects.released() if instalments is None else instalments
    by_year = {}
    for released_on, total in (
        instalments.order_by()
        .values("released_on")
        .annotate(total=Sum("amount"))
        .values_list("released_on", "total")
    ):
        year = fiscal_year_of(released_on)
        by_year[year] = by_year.get(year, 0) + total
    return sorted(by_year.items())


TRL_LEVELS = range(1, 10)
TRL_FIELDS = {"start": "trl_start", "now": "trl_now", "target": "trl_target"}


@dataclass(frozen=True)
class TRLRow:
    level: int
    start: int
    now: int
    target: int


TRL_AGGREGATES = {
    f"trl_{name}_{level}": Count("pk", filter=Q(**{field: level}))
    for name, field in TRL_FIELDS.items()
    for level in TRL_LEVELS
}


def trl_view(grouped: list[dict]) -> list[TRLRow]:
    """Count projects at each TRL at start, now and as the target."""
    counts = _add_up(grouped, TRL_AGGREGATES)
    return [
        TRLRow(level, *(counts[f"trl_{name}_{level}"] for name in TRL_FIELDS))
        for level in TRL_LEVELS
    ]


# Work queues --------------------------------------------------------------------------


@dataclass
class Queue:
    """The first rows of a work queue and how many there are in all."""

    rows: list
    count: int

    @property
    def more(self) -> int:
        return self.count - len(self.rows)


def _queue(queryset, *, days_from=None, on=None, length=QUEUE_LENGTH) -> Queue:
    """Fetch the first rows and, in the same query, how many there are in all.

    With ``days_from`` (a date field), each row gets ``days``: the days from that
    date to ``on``.
    """
    rows = list(queryset.annotate(queue_count=count_of(queryset))[:length])
    count = rows[0].queue_count if rows else 0
    if days_from:
        for row in rows:
            row.days = (on - getattr(row, days_from)).days
    return Queue(rows, count)


def overdue_milestones(*, on: datetime.date) -> Queue:
    """Open milestones past their due date, the longest overdue first."""
    return _queue(
        Milestone.objects.overdue(on=on)
        .select_related("project__organisation")
        .order_by("due_on", "pk"),
        days_from="due_on",
        on=on,
    )


def milestones_due_soon(*, on: datetime.date, days: int = DUE_SOON_DAYS) -> Queue:
    """Pending milestones due from today to ``days`` ahead, the soonest first."""
    queue = _queue(
        Milestone.objects.due_between(on, on + datetime.timedelta(days=days))
        .select_related("project__organisation")
        .order_by("due_on", "pk"),
    )
    for milestone in queue.rows:
        milestone.days = (milestone.due_on - on).days
    return queue


def certificates_awaiting_review(*, on: datetime.date) -> Queue:
    """Submitted utilisation certificates, the longest waiting first."""
    return _queue(
        UtilisationCertificate.objects.review_queue().select_related(
            "project__organisation"
        ),
        days_from="submitted_on",
        on=on,
    )


def reports_awaiting_review(*, on: datetime.date) -> Queue:
    """Submitted progress reports, the longest waiting first."""
    return _queue(
        ProgressReport.objects.review_queue().select_related(
            "milestone__project__organisation"
        ),
        days_from="submitted_on",
        on=on,
    )


PIPELINE_STAGES = [
    pipeline.Stage.PLANNED,
    pipeline.Stage.AWAITING_DOCUMENTS,
    pipeline.Stage.UNDER_REVIEW,
    pipeline.Stage.ELIGIBLE,
    pipeline.Stage.RECOMMENDED,
]


@dataclass
class PipelineEntry:
    """A project's next instalment on the dashboard, from its summary."""

    instalment: Instalment
    stage: str
    since: datetime.date | None
    blockers: list[str]
    days: int | None


@dataclass
class PipelineColumn:
    stage: str
    label: str
    shown: list[PipelineEntry]  # the longest waiting few, for the page
    count: int
    amount: int

    @property
    def more(self) -> int:
        return self.count - len(self.shown)


def release_pipeline(*, on: datetime.date) -> list[PipelineColumn]:
    """Each live project's next instalment by stage, the longest waiting first.

    Three short queries, however many projects, each reading an index of the
    summaries (stage, date, project, amount, instalment) rather than the rows:
    each stage's count and amount; the first few of each stage, ranked by a
    window function; and those few with their instalments and projects.
    """
    # "Greater than blank", not "not blank": a range on the index's first column.
    live = ProjectSummary.objects.filter(release_stage__gt="")
    totals = {
        row["release_stage"]: (row["count"], row["amount"])
        for row in live.values("release_stage")
        .annotate(count=Count("pk"), amount=Sum("next_amount"))
        .order_by()
    }
    first_of_each_stage = list(
        live.annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("release_stage"),
                order_by=[F("stage_since").asc(), F("project_id").asc()],
            )
        )
        .filter(rank__lte=QUEUE_LENGTH)
        .values_list("pk", flat=True)
    )
    shown = {}
    for summary in (
        ProjectSummary.objects.filter(pk__in=first_of_each_stage)
        .select_related("next_instalment__project")
        .order_by("release_stage", "stage_since", "project_id")
    ):
        since = summary.stage_since
        shown.setdefault(summary.release_stage, []).append(
            PipelineEntry(
                instalment=summary.next_instalment,
                stage=summary.release_stage,
                since=since,
                blockers=summary.blocker_list,
                days=(on - since).days if since and since <= on else None,
            )
        )
    return [
        PipelineColumn(
            stage,
            pipeline.Stage.LABELS[stage],
            shown.get(stage, []),
            *totals.get(stage, (0, 0)),
        )
        for stage in PIPELINE_STAGES
    ]


def released_this_fiscal_year(*, on: datetime.date) -> Queue:
    """Instalments released in the current fiscal year, the latest first."""
    start, end = fiscal_year_bounds(fiscal_year_of(on))
    return _queue(
        Instalment.objects.released()
        .filter(released_on__range=(start, min(end, on)))
        .select_related("project")
        .order_by("-released_on", "pk")
    )


# The whole page -----------------------------------------------------------------------


@dataclass
class Dashboard:
    on: datetime.date
    totals: Figures
    breakdowns: list[Breakdown]
    released_by_year: list[tuple[str, int]]
    trl: list[TRLRow]
    overdue: Queue
    due_soon: Queue
    certificates: Queue
    reports: Queue
    returned: int
    pipeline: list[PipelineColumn]
    released_recently: Queue
    fiscal_year: str = ""

    @property
    def blocked(self) -> PipelineColumn:
        """Due instalments held back by missing documents, with why."""
        return next(
            column
            for column in self.pipeline
            if column.stage == pipeline.Stage.AWAITING_DOCUMENTS
        )

    @property
    def under_review(self) -> int:
        return self.certificates.count + self.reports.count


def build(*, on: datetime.date) -> Dashboard:
    """Gather every figure and queue of the dashboard as of ``on``."""
    summaries.bring_up_to_date(on=on)
    grouped = grouped_figures(on=on)
    return Dashboard(
        on=on,
        totals=totals(grouped),
        breakdowns=[breakdown(grouped, dimension) for dimension in DIMENSIONS],
        released_by_year=released_by_fiscal_year(),
        trl=trl_view(grouped),
        overdue=overdue_milestones(on=on),
        due_soon=milestones_due_soon(on=on),
        certificates=certificates_awaiting_review(on=on),
        reports=reports_awaiting_review(on=on),
        returned=(
            grouped[0]["returned"]
            if grouped
            else Milestone.objects.filter(status=Milestone.Status.RETURNED).count()
        ),
        pipeline=release_pipeline(on=on),
        released_recently=released_this_fiscal_year(on=on),
        fiscal_year=fiscal_year_of(on),
    )
