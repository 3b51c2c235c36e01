"""What the sanction order and a release order say, gathered in a few queries.

A sanction order states the grant: its purpose, its money by head and year
(recurring and non-recurring, GFR 2(xxi) and 2(xxvii)), its instalments and their
conditions, and when the grantee reports. A release order states one release:
the sanction it belongs to, the money released so far and still to come, and how
each condition stood on the day, the utilisation certificate that covered the
previous release, or the override finance recorded in its place.

Call these in the language the document is written in: the details of each
condition are sentences, put into words when they are read.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grants.formatting import format_date
from grants.models import (
    BudgetLine,
    Instalment,
    Milestone,
    Project,
    ReleaseCondition,
    UtilisationCertificate,
)
from grants.reads import conditions

# What the reporting schedule of a sanction lists: what the grantee sends, not
# the ministry's own review meetings.
REPORTING_KINDS = (
    Milestone.Kind.PROGRESS_REPORT,
    Milestone.Kind.UTILISATION_CERTIFICATE,
    Milestone.Kind.TECHNICAL_DELIVERABLE,
    Milestone.Kind.FINAL_REPORT,
)

PROJECT_RELATED = ("organisation", "scheme", "principal_investigator")


def _instalments_prefetch():
    return Prefetch(
        "instalments",
        queryset=Instalment.objects.select_related(
            "recommended_by", "released_by", "covering_certificate"
        ).order_by("sequence"),
    )


def _conditions_prefetch():
    return Prefetch(
        "instalments__conditions",
        queryset=ReleaseCondition.objects.select_related(
            "milestone", "met_by", "overridden_by"
        ).order_by("pk"),
    )


# The sanction order ------------------------------------------------------------------


@dataclass
class BudgetRow:
    label: str
    cells: list[int]
    total: int


@dataclass
class BudgetGroup:
    """The recurring or the non-recurring heads, with their subtotal."""

    label: str
    rule: str
    rows: list[BudgetRow]
    subtotal: BudgetRow


@dataclass
class SanctionBudget:
    years: list[int]
    groups: list[BudgetGroup]
    totals: list[int]
    grand_total: int
    sanctioned: int

    @property
    def difference(self) -> int:
        """Sanctioned less budgeted: 0 when the budget lines add up to the sanction."""
        return self.sanctioned - self.grand_total


@dataclass
class InstalmentTerms:
    instalment: Instalment
    conditions: list[ReleaseCondition]


@dataclass
class SanctionOrder:
    project: Project
    elements: list
    budget: SanctionBudget
    instalments: list[InstalmentTerms]
    instalments_total: int
    schedule: list[Milestone]
    sanctioned_end_on: datetime.date
    signatory: str = ""
    copy_to: list = field(default_factory=list)

    @property
    def illustrative(self) -> bool:
        return self.project.is_illustrative

    @property
    def instalments_difference(self) -> int:
        return self.project.sanctioned_amount - self.instalments_total


def projects_for_sanction_order():
    """Projects with everything their sanction order reads, fetched up front."""
    return Project.objects.select_related(*PROJECT_RELATED).prefetch_related(
        "elements",
        "budget_lines",
        _instalments_prefetch(),
        _conditions_prefetch(),
        Prefetch(
            "milestones",
            queryset=Milestone.objects.filter(kind__in=REPORTING_KINDS).order_by(
                "due_on", "pk"
            ),
            to_attr="reporting_milestones",
        ),
    )


def sanction_budget(project: Project, lines) -> SanctionBudget:
    """Budget lines by head and project year, non-recurring heads first.

    Equipment is bought once and is non-recurring; the other heads recur
    (``BudgetLine.Head.is_recurring``, GFR 2017 rules 2(xxi) and 2(xxvii)).
    """
    lines = list(lines)
    years = sorted({line.project_year for line in lines}) or [1]
    amounts: dict[str, dict[int, int]] = {}
    for line in lines:
        amounts.setdefault(line.head, {})[line.project_year] = line.amount
    groups = []
    for recurring, label, rule in (
        (False, gettext_lazy("Non-recurring"), "GFR 2(xxvii)"),
        (True, gettext_lazy("Recurring"), "GFR 2(xxi)"),
    ):
        rows = []
        for head in BudgetLine.Head:
            if head.is_recurring != recurring or head.value not in amounts:
                continue
            cells = [amounts[head.value].get(year, 0) for year in years]
            rows.append(BudgetRow(head.label, cells, sum(cells)))
        if not rows:
            continue
        cells = [sum(row.cells[i] for row in rows) for i in range(len(years))]
        groups.append(
            BudgetGroup(label, rule, rows, BudgetRow(label, cells, sum(cells)))
        )
    totals = [
        sum(group.subtotal.cells[i] for group in groups) for i in range(len(years))
    ]
    return SanctionBudget(
        years=years,
        groups=groups,
        totals=totals,
        grand_total=sum(totals),
        sanctioned=project.sanctioned_amount,
    )


def copy_to(project: Project) -> list[str]:
    """Who receives a copy of an order, as the order lists them."""
    investigator = project.principal_investigator
    return [
        _("The Pay and Accounts Officer, Ministry of Mines, New Delhi"),
        _("%(name)s, Principal Investigator, %(organisation)s")
        % {"name": investigator.get_full_name(), "organisation": project.organisation},
        _("Internal Finance Division, Ministry of Mines"),
        _("Guard file"),
    ]


def sanction_order(project: Project) -> SanctionOrder:
    """What the sanction order of ``project`` says.

    ``project`` should come from ``projects_for_sanction_order()``; any other
    project works too, at a query per relation.
    """
    instalments = list(project.instalments.all())
    milestones = getattr(project, "reporting_milestones", None)
    if milestones is None:
        milestones = list(
            project.milestones.filter(kind__in=REPORTING_KINDS).order_by("due_on", "pk")
        )
    return SanctionOrder(
        project=project,
        elements=list(project.elements.all()),
        budget=sanction_budget(project, project.budget_lines.all()),
        instalments=[
            InstalmentTerms(instalment, list(instalment.conditions.all()))
            for instalment in instalments
        ],
        instalments_total=sum(instalment.amount for instalment in instalments),
        schedule=list(milestones),
        sanctioned_end_on=project.sanctioned_end_on,
        signatory=settings.KHANIJ_SIGNATORY_NAME,
        copy_to=copy_to(project),
    )


# A release order ---------------------------------------------------------------------


class Outcome:
    MET = "met"
    OVERRIDDEN = "overridden"
    NOT_MET = "not_met"
    NOT_NEEDED = "not_needed"


@dataclass(frozen=True)
class ConditionAtRelease:
    """One condition as it stood on the day of the release."""

    name: str
    outcome: str
    detail: str
    on: datetime.date | None = None
    by: object = None


@dataclass
class ReleaseOrder:
    instalment: Instalment
    project: Project
    previous: Instalment | None
    released_before: int
    released_to_date: int
    balance: int
    covering: UtilisationCertificate | None
    conditions: list[ConditionAtRelease]
    instalment_count: int
    signatory: str = ""
    copy_to: list = field(default_factory=list)

    @property
    def illustrative(self) -> bool:
        return self.project.is_illustrative

    @property
    def is_first_release(self) -> bool:
        return self.previous is None

    @property
    def uc_overridden(self) -> bool:
        """Released after an earlier release with no accepted UC covering it."""
        return self.previous is not None and self.covering is None

    @property
    def overridden(self) -> list[ConditionAtRelease]:
        return [c for c in self.conditions if c.outcome == Outcome.OVERRIDDEN]


def instalments_for_release_order():
    """Released instalments: an unreleased one has no release order."""
    return Instalment.objects.released()


def _release_project(instalment: Instalment) -> Project:
    return (
        Project.objects.select_related(*PROJECT_RELATED)
        .prefetch_related(
            _instalments_prefetch(),
            *conditions.PREFETCH,
            Prefetch(
                "certificates",
                queryset=UtilisationCertificate.objects.order_by("period_end", "pk"),
            ),
        )
        .get(pk=instalment.project_id)
    )


def _covering_uc_outcome(order_previous, covering, instalment) -> ConditionAtRelease:
    name = _("Accepted UC covering the previous release (GFR 230(10), 238(2))")
    if order_previous is None:
        return ConditionAtRelease(
            name,
            Outcome.NOT_NEEDED,
            _("first release: there is no earlier release to cover"),
        )
    if covering is not None:
        return ConditionAtRelease(
            name,
            Outcome.MET,
            _("%(certificate)s, accepted on %(day)s")
            % {"certificate": covering, "day": format_date(covering.decided_on)},
            on=covering.decided_on,
        )
    return ConditionAtRelease(
        name,
        Outcome.OVERRIDDEN,
        instalment.override_reason,
        on=instalment.released_on,
        by=instalment.released_by,
    )


def release_order(instalment: Instalment) -> ReleaseOrder:
    """What the release order of a released ``instalment`` says."""
    if instalment.released_on is None:
        raise ValueError("Only a released instalment has a release order.")
    project = _release_project(instalment)
    instalments = list(project.instalments.all())
    this = next(other for other in instalments if other.pk == instalment.pk)
    earlier = [
        other
        for other in instalments
        if other.sequence < this.sequence and other.released_on is not None
    ]
    previous = max(earlier, key=lambda other: other.released_on, default=None)
    released_before = sum(other.amount for other in earlier)
    certificates = list(project.certificates.all())

    outcomes = [_covering_uc_outcome(previous, this.covering_certificate, this)]
    decided = {
        check.condition.pk: check
        for check in conditions.checks(
            this, project=project, certificates=certificates, on=this.released_on
        )
    }
    for condition in this.conditions.all():
        if condition.kind == ReleaseCondition.Kind.COVERING_UC:
            continue  # stated once, above, as the GFR rule binds every release
        if condition.overridden_on is not None:
            outcomes.append(
                ConditionAtRelease(
                    condition.name,
                    Outcome.OVERRIDDEN,
                    condition.override_reason,
                    on=condition.overridden_on,
                    by=condition.overridden_by,
                )
            )
            continue
        check = decided[condition.pk]
        outcomes.append(
            ConditionAtRelease(
                condition.name,
                Outcome.MET if check.met else Outcome.NOT_MET,
                check.detail,
                on=condition.met_on,
                by=condition.met_by,
            )
        )
    released_to_date = released_before + this.amount
    return ReleaseOrder(
        instalment=this,
        project=project,
        previous=previous,
        released_before=released_before,
        released_to_date=released_to_date,
        balance=project.sanctioned_amount - released_to_date,
        covering=this.covering_certificate,
        conditions=outcomes,
        instalment_count=len(instalments),
        signatory=settings.KHANIJ_SIGNATORY_NAME,
        copy_to=copy_to(project),
    )
