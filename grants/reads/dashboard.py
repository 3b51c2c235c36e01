"""The figures of the portfolio dashboard: read logic only.

Every figure of money and every count by dimension comes from ``PortfolioRollup``
(``grants.rollup``): a few dozen rows kept equal to the sums of the project
summaries, so reading them costs the same for ten projects or a hundred thousand.
The work queues read their first rows by index and count the rest.

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
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from grants import rollup, summaries
from grants.formatting import fiscal_year_bounds, fiscal_year_of
from grants.models import (
    Instalment,
    Milestone,
    Organisation,
    ProgressReport,
    Project,
    ProjectSummary,
    Scheme,
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


FIGURE_NAMES = ("projects", "sanctioned", "released", "expenditure", "unspent")


@dataclass(frozen=True)
class Dimension:
    key: str  # the dimension's name in ``PortfolioRollup``
    title: str
    choices: tuple = ()  # (value, label) in display order; every one is shown


DIMENSIONS = [
    Dimension("fiscal_year", _("By fiscal year of sanction")),
    Dimension("scheme", _("By scheme")),
    Dimension("kind", _("By grantee kind"), tuple(Organisation.Kind.choices)),
    Dimension("stage", _("By REE value-chain stage"), tuple(Project.Stage.choices)),
    Dimension("status", _("By status"), tuple(Project.Status.choices)),
]


def _sum(figures) -> Figures:
    figures = list(figures)
    return Figures(
        **{name: sum(getattr(item, name) for item in figures) for name in FIGURE_NAMES}
    )


@dataclass
class Breakdown:
    dimension: Dimension
    rows: list[tuple[str, Figures]]
    # Each row's value of the dimension ("2024-25", "msme"), for machines to read.
    values: list[str] = field(default_factory=list)

    @property
    def total(self) -> Figures:
        return _sum(figures for _, figures in self.rows)


@dataclass
class Rollup:
    """The portfolio's totals by dimension and value, as ``PortfolioRollup`` keeps
    them, with the schemes' names."""

    rows: dict[str, dict[str, dict[str, int]]]
    schemes: dict[str, Scheme]

    def of(self, dimension: str) -> dict[str, dict[str, int]]:
        return self.rows.get(dimension, {})

    def figures(self, dimension: str, value: str) -> Figures:
        row = self.of(dimension).get(value, {})
        return Figures(**{name: row.get(name, 0) for name in FIGURE_NAMES})

    def label(self, dimension: Dimension, value: str) -> str:
        if dimension.key == "scheme" and value in self.schemes:
            scheme = self.schemes[value]
            return in_current_language(scheme.name, scheme.name_hi)
        return value or "—"


def read_rollup(*, on: datetime.date) -> Rollup:
    """Read the portfolio's totals: a few dozen rows, however many projects.

    The rollup sums the project summaries, brought up to date for ``on`` by the
    caller. Projects written by a bulk insert have no summary until one is made
    for them (the generator and the import make them; the nightly task makes any
    left): a project numbered after every summary is one such, and is given its
    summary here, which costs two index lookups to notice.
    """
    newest_summary = ProjectSummary.objects.order_by("-project_id").values(
        "project_id"
    )[:1]
    newest = (
        Project.objects.order_by("-pk")
        .annotate(newest_summary=Subquery(newest_summary))
        .values_list("pk", "newest_summary")
        .first()
    )
    if newest and (newest[1] is None or newest[0] > newest[1]):
        summaries.create_missing(on=on)
    rows = {}
    for (dimension, value), measures in rollup.stored().items():
        rows.setdefault(dimension, {})[value] = measures
    schemes = {str(scheme.pk): scheme for scheme in Scheme.objects.all()}
    return Rollup(rows, schemes)


def totals(portfolio: Rollup) -> Figures:
    """Return the headline figures."""
    return portfolio.figures(*rollup.ALL)


def breakdown(portfolio: Rollup, dimension: Dimension) -> Breakdown:
    """Return the figures by one dimension: every choice, else every value found."""
    if dimension.choices:
        found = [
            (value, str(label), portfolio.figures(dimension.key, value))
            for value, label in dimension.choices
        ]
    else:
        found = sorted(
            (
                (
                    value,
                    portfolio.label(dimension, value),
                    portfolio.figures(dimension.key, value),
                )
                for value, row in portfolio.of(dimension.key).items()
                if row["projects"]
            ),
            key=lambda row: row[1],
        )
    return Breakdown(
        dimension,
        rows=[(label, figures) for _value, label, figures in found],
        values=[value for value, _label, _figures in found],
    )


def released_by_fiscal_year(portfolio: Rollup) -> list[tuple[str, int]]:
    """Return the money released in each fiscal year of release, oldest first."""
    return sorted(
        (year, row["released"])
        for year, row in portfolio.of("released_in").items()
        if row["released"]
    )


TRL_LEVELS = range(1, 10)
TRL_FIELDS = {"start": "trl_start", "now": "trl_now", "target": "trl_target"}


@dataclass(frozen=True)
class TRLRow:
    level: int
    start: int
    now: int
    target: int


def trl_view(portfolio: Rollup) -> list[TRLRow]:
    """Count projects at each TRL at start, now and as the target."""
    return [
        TRLRow(
            level,
            *(
                portfolio.of(field).get(str(level), {}).get("projects", 0)
                for field in TRL_FIELDS.values()
            ),
        )
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


def first_of_each_stage(length: int) -> RawSQL:
    """The projects whose next instalment has waited longest at each stage.

    Each stage's first ``length`` rows are an index range read in order and cut
    short, joined by ``UNION ALL``: no ranking of every live summary. Written as
    SQL because the ORM cannot put a ``LIMIT`` inside a ``UNION`` on SQLite,
    which accepts one inside a subquery of it, as PostgreSQL does.
    """
    table = ProjectSummary._meta.db_table
    part = (
        f"SELECT project_id FROM (SELECT project_id FROM {table} "  # noqa: S608
        "WHERE release_stage = %s ORDER BY stage_since, project_id LIMIT %s) AS s{n}"
    )
    sql = " UNION ALL ".join(part.format(n=n) for n in range(len(PIPELINE_STAGES)))
    params = [value for stage in PIPELINE_STAGES for value in (stage, length)]
    return RawSQL(sql, params)


def release_pipeline(portfolio: Rollup, *, on: datetime.date) -> list[PipelineColumn]:
    """Each live project's next instalment by stage, the longest waiting first.

    Each stage's count and amount come from the rollup; one short query reads the
    first few of each stage from an index of the summaries (stage, date, project,
    amount, instalment), with their instalments and projects.
    """
    totals = {
        stage: (row["projects"], row["next_amount"])
        for stage, row in portfolio.of("release_stage").items()
    }
    shown = {}
    for summary in (
        ProjectSummary.objects.filter(pk__in=first_of_each_stage(QUEUE_LENGTH))
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
    portfolio = read_rollup(on=on)
    return Dashboard(
        on=on,
        totals=totals(portfolio),
        breakdowns=[breakdown(portfolio, dimension) for dimension in DIMENSIONS],
        released_by_year=released_by_fiscal_year(portfolio),
        trl=trl_view(portfolio),
        overdue=overdue_milestones(on=on),
        due_soon=milestones_due_soon(on=on),
        certificates=certificates_awaiting_review(on=on),
        reports=reports_awaiting_review(on=on),
        returned=portfolio.of("all").get("", {}).get("returned", 0),
        pipeline=release_pipeline(portfolio, on=on),
        released_recently=released_this_fiscal_year(on=on),
        fiscal_year=fiscal_year_of(on),
    )
