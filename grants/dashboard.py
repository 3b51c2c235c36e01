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
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear

from grants import pipeline
from grants.formatting import fiscal_year_bounds, fiscal_year_of, format_inr
from grants.models import (
    BudgetLine,
    Extension,
    GFRComponent,
    Instalment,
    Milestone,
    Organisation,
    ProgressReport,
    Project,
    UtilisationCertificate,
)

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
    "sanctioned": Sum("sanctioned_amount"),
    "released": Sum("released_total"),
    "expenditure": Sum("accepted_expenditure"),
    "unspent": Sum("unspent_balance"),
}


def _figures(row) -> Figures:
    return Figures(**{name: row.get(name) or 0 for name in FIGURE_AGGREGATES})


@dataclass(frozen=True)
class Dimension:
    key: str
    title: str
    field: str
    choices: tuple = ()  # (value, label) in display order; every one is shown


DIMENSIONS = [
    Dimension("fiscal_year", "By fiscal year of sanction", "fiscal_year"),
    Dimension("scheme", "By scheme", "scheme__name"),
    Dimension(
        "kind",
        "By grantee kind",
        "organisation__kind",
        tuple(Organisation.Kind.choices),
    ),
    Dimension(
        "stage", "By REE value-chain stage", "stage", tuple(Project.Stage.choices)
    ),
    Dimension("status", "By status", "status", tuple(Project.Status.choices)),
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


def grouped_figures(projects) -> list[dict]:
    """Sum the figures for each combination of every dimension (one query).

    The per-project figures are computed once, and the database sums them by
    fiscal year, scheme, kind, stage and status together. A portfolio has few
    such combinations, so the result stays short however many projects there
    are; the headline totals and every breakdown are sums of these rows.
    """
    fields = [dimension.field for dimension in DIMENSIONS]
    return list(
        with_portfolio_figures(projects)
        .values(*fields)
        .annotate(**FIGURE_AGGREGATES)
        .order_by(*fields)
    )


def totals(grouped: list[dict]) -> Figures:
    """Return the headline figures from ``grouped_figures`` rows."""
    return _sum(_figures(row) for row in grouped)


def breakdown(grouped: list[dict], dimension: Dimension) -> Breakdown:
    """Return the figures by one dimension from ``grouped_figures`` rows."""
    found = {}
    for row in grouped:
        value = row[dimension.field]
        found[value] = _sum([found.get(value, Figures()), _figures(row)])
    if dimension.choices:
        rows = [
            (str(label), found.get(value, Figures()))
            for value, label in dimension.choices
        ]
    else:
        rows = [(str(value), found[value]) for value in sorted(found)]
    return Breakdown(dimension, rows)


def released_by_fiscal_year(instalments=None) -> list[tuple[str, int]]:
    """Return the money released in each fiscal year of release, oldest first."""
    instalments = Instalment.objects.released() if instalments is None else instalments
    year = ExtractYear("released_on")
    fiscal_start = Case(
        When(Q(released_on__month__gte=4), then=year),
        default=year - 1,
        output_field=IntegerField(),
    )
    rows = (
        instalments.annotate(fiscal_start=fiscal_start)
        .values("fiscal_start")
        .annotate(total=Sum("amount"))
        .order_by("fiscal_start")
    )
    return [
        (fiscal_year_of(datetime.date(row["fiscal_start"], 4, 1)), row["total"])
        for row in rows
    ]


TRL_LEVELS = range(1, 10)
TRL_FIELDS = {"start": "trl_start", "now": "trl_now", "target": "trl_target"}


@dataclass(frozen=True)
class TRLRow:
    level: int
    start: int
    now: int
    target: int


def trl_view(projects) -> list[TRLRow]:
    """Count projects at each TRL at start, now and as the target (one query)."""
    counts = projects.aggregate(
        **{
            f"{name}_{level}": Count("pk", filter=Q(**{field: level}))
            for name, field in TRL_FIELDS.items()
            for level in TRL_LEVELS
        }
    )
    return [
        TRLRow(level, *(counts[f"{name}_{level}"] for name in TRL_FIELDS))
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
    """Fetch the first rows and count them all.

    With ``days_from`` (a date field), each row gets ``days``: the days from that
    date to ``on``.
    """
    rows = list(queryset[:length])
    count = queryset.count()
    if days_from:
        for row in rows:
            row.days = (on - getattr(row, days_from)).days
    return Queue(rows, count)


def overdue_milestones(*, on: datetime.date) -> Queue:
    """Pending milestones past their due date, the longest overdue first."""
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
        UtilisationCertificate.objects.awaiting_review()
        .select_related("project__organisation")
        .order_by("submitted_on", "pk"),
        days_from="submitted_on",
        on=on,
    )


def reports_awaiting_review(*, on: datetime.date) -> Queue:
    """Submitted progress reports, the longest waiting first."""
    return _queue(
        ProgressReport.objects.awaiting_review()
        .select_related("milestone__project__organisation")
        .order_by("submitted_on", "pk"),
        days_from="submitted_on",
        on=on,
    )


def projects_with_unreleased_instalments(projects):
    """Return the projects that still have money to release."""
    unreleased = Instalment.objects.unreleased().filter(project=OuterRef("pk"))
    return projects.filter(Exists(unreleased))


PIPELINE_STAGES = [
    pipeline.Stage.PLANNED,
    pipeline.Stage.AWAITING_DOCUMENTS,
    pipeline.Stage.UNDER_REVIEW,
    pipeline.Stage.ELIGIBLE,
    pipeline.Stage.RECOMMENDED,
]


@dataclass
class PipelineColumn:
    stage: str
    label: str
    states: list
    amount: int

    @property
    def shown(self) -> list:
        """The longest-waiting few, for the page; the rest are counted."""
        return self.states[:QUEUE_LENGTH]

    @property
    def more(self) -> int:
        return len(self.states) - len(self.shown)


def release_pipeline(projects, *, on: datetime.date) -> list[PipelineColumn]:
    """Each project's next instalment by stage, the longest waiting first."""
    stages = pipeline.pipeline(
        projects_with_unreleased_instalments(projects).select_related("organisation"),
        on=on,
    )
    columns = []
    for stage in PIPELINE_STAGES:
        states = sorted(
            stages.get(stage, []),
            key=lambda state: (state.since or on, state.instalment.project.reference),
        )
        for state in states:
            state.days = state.days_waiting(on=on)
        columns.append(
            PipelineColumn(
                stage,
                pipeline.Stage.LABELS[stage],
                states,
                sum(state.instalment.amount for state in states),
            )
        )
    return columns


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
    projects = Project.objects.all()
    grouped = grouped_figures(projects)
    return Dashboard(
        on=on,
        totals=totals(grouped),
        breakdowns=[breakdown(grouped, dimension) for dimension in DIMENSIONS],
        released_by_year=released_by_fiscal_year(),
        trl=trl_view(projects),
        overdue=overdue_milestones(on=on),
        due_soon=milestones_due_soon(on=on),
        certificates=certificates_awaiting_review(on=on),
        reports=reports_awaiting_review(on=on),
        returned=Milestone.objects.filter(status=Milestone.Status.RETURNED).count(),
        pipeline=release_pipeline(projects, on=on),
        released_recently=released_this_fiscal_year(on=on),
        fiscal_year=fiscal_year_of(on),
    )


# One project's page -------------------------------------------------------------------


def project_year_of(project: Project, day: datetime.date) -> int:
    """The project year (from 1) a date falls in, counted from the start date."""
    start = project.start_on
    months = (day.year - start.year) * 12 + day.month - start.month
    if day.day < start.day:
        months -= 1
    return max(months // 12 + 1, 1)


@dataclass
class FinanceRow:
    label: str
    cells: list
    total: int


@dataclass
class ProjectFinance:
    """The money of one project, from rows already fetched (no query)."""

    years: list[int]
    heads: list[FinanceRow]
    budget: FinanceRow
    released: FinanceRow
    expenditure: FinanceRow
    components: list[dict]
    certificates: list
    interest_earned: int
    interest_remitted: int

    @property
    def interest_unremitted(self) -> int:
        return self.interest_earned - self.interest_remitted


def _row(label, by_year, years) -> FinanceRow:
    cells = [by_year.get(year, 0) for year in years]
    return FinanceRow(label, cells, sum(cells))


def project_finance(project: Project, *, budget_lines, instalments, certificates):
    """Budget by head and project year against releases and reported expenditure.

    Releases count in the project year of their release date, and an accepted
    annual or final UC's expenditure in the project year its period ends in.
    """
    accepted = [
        uc
        for uc in certificates
        if uc.status == UtilisationCertificate.Status.ACCEPTED
        and uc.kind != UtilisationCertificate.Kind.PROVISIONAL
    ]
    released_by_year, spent_by_year, budget_by_year = {}, {}, {}
    for instalment in instalments:
        if instalment.released_on:
            year = project_year_of(project, instalment.released_on)
            released_by_year[year] = released_by_year.get(year, 0) + instalment.amount
    for uc in accepted:
        year = project_year_of(project, uc.period_end)
        spent_by_year[year] = spent_by_year.get(year, 0) + uc.expenditure
    by_head = {}
    for line in budget_lines:
        by_head.setdefault(line.head, {})[line.project_year] = line.amount
        budget_by_year[line.project_year] = (
            budget_by_year.get(line.project_year, 0) + line.amount
        )
    years = sorted({*budget_by_year, *released_by_year, *spent_by_year}) or [1]
    heads = [
        _row(str(label), by_head[head], years)
        for head, label in BudgetLine.Head.choices
        if head in by_head
    ]

    components = []
    spent_field = {
        GFRComponent.GENERAL: "expenditure_general",
        GFRComponent.SALARY: "expenditure_salary",
        GFRComponent.CAPITAL_ASSETS: "expenditure_capital",
    }
    for component, label in GFRComponent.choices:
        budget = sum(
            line.amount
            for line in budget_lines
            if BudgetLine.Head(line.head).gfr_component == component
        )
        reported = [getattr(uc, spent_field[component]) for uc in accepted]
        components.append(
            {
                "label": str(label),
                "budget": budget,
                "spent": sum(value or 0 for value in reported),
                "unreported": sum(1 for value in reported if value is None),
            }
        )
    return ProjectFinance(
        years=years,
        heads=heads,
        budget=_row("Budget", budget_by_year, years),
        released=_row("Released", released_by_year, years),
        expenditure=_row("Expenditure in accepted UCs", spent_by_year, years),
        components=components,
        certificates=accepted,
        interest_earned=sum(uc.interest_earned for uc in accepted),
        interest_remitted=sum(uc.interest_remitted for uc in accepted),
    )


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime.datetime
    order: int
    who: object
    what: str
    action: str
    reason: str
    changes: list[Change]


HISTORY_LENGTH = 60
# Bookkeeping fields that change on every save and say nothing to a reader.
HISTORY_IGNORED = {"updated_at", "created_at"}


def _show(field, value) -> str:
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        return f"#{value}"
    if isinstance(value, datetime.datetime):
        return f"{value:%d %b %Y %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%d %b %Y}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if "(Rs)" in str(field.verbose_name):
        return f"₹\u00a0{format_inr(value)}"
    text = str(value)
    return text if len(text) <= 120 else text[:119] + "…"


def _entries(records, describe) -> list[HistoryEntry]:
    """Turn history records of one model into entries with field-by-field changes."""
    entries, previous = [], {}
    for record in records:
        before = previous.get(record.id)
        changes = []
        if before is not None and record.history_type == "~":
            delta = record.diff_against(before)
            model_fields = {f.name: f for f in record.instance_type._meta.fields}
            for change in delta.changes:
                if change.field in HISTORY_IGNORED:
                    continue
                field = model_fields[change.field]
                changes.append(
                    Change(
                        str(field.verbose_name),
                        _show(field, change.old),
                        _show(field, change.new),
                    )
                )
        previous[record.id] = record
        if record.history_type == "~" and before is not None and not changes:
            continue
        entries.append(
            HistoryEntry(
                when=record.history_date,
                order=record.history_id,
                who=record.history_user,
                what=describe(record),
                action=record.get_history_type_display(),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return entries


def project_history(project: Project, *, length: int = HISTORY_LENGTH):
    """The latest changes to a project and its rows, newest first (a query per model).

    Each entry says who changed what, when, field by field, and the recorded reason.
    """
    sources = [
        (project.history.all(), lambda r: "Project"),
        (
            Instalment.history.filter(project_id=project.pk),
            lambda r: f"Instalment {r.sequence}",
        ),
        (
            UtilisationCertificate.history.filter(project_id=project.pk),
            lambda r: f"UC {r.get_kind_display()} {r.fiscal_year}",
        ),
        (Milestone.history.filter(project_id=project.pk), lambda r: r.title),
        (
            ProgressReport.history.filter(milestone__project_id=project.pk),
            lambda r: f"Report v{r.version} (milestone #{r.milestone_id})",
        ),
        (
            Extension.history.filter(project_id=project.pk),
            lambda r: f"Extension to {r.new_end_on:%d %b %Y}",
        ),
        (
            BudgetLine.history.filter(project_id=project.pk),
            lambda r: f"Budget: {r.get_head_display()}, year {r.project_year}",
        ),
    ]
    entries = []
    for records, describe in sources:
        ordered = records.select_related("history_user").order_by(
            "history_date", "history_id"
        )
        entries.extend(_entries(ordered, describe))
    entries.sort(key=lambda entry: (entry.when, entry.order), reverse=True)
    return entries[:length], len(entries)
