"""A synthetic portfolio of any size, for measuring the system at national scale.

Every generated record is illustrative: references start ``GEN-``, organisations are
flagged illustrative. The same ``seed`` gives the same portfolio. Rows go in with
``bulk_create`` in batches, so 100,000 projects (about 3.5 million rows) load in
minutes; they bypass the audit history, which records changes, not loads.
"""

import datetime
import random
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from grants import page_cache, summaries
from grants.formatting import fiscal_year_bounds, fiscal_year_of
from grants.models import (
    BudgetLine,
    Element,
    Instalment,
    Membership,
    Milestone,
    Organisation,
    ProgressReport,
    Project,
    Reminder,
    ReminderRule,
    Scheme,
    User,
    UtilisationCertificate,
)

REFERENCE_PREFIX = "GEN-"
BATCH_SIZE = 5000
PROJECTS_PER_ORGANISATION = 5
PROGRAMME_OFFICERS = 25

# Real portfolios are not uniform: most grants go to academic institutions and
# laboratories, and to the middle of the value chain.
KIND_WEIGHTS = {
    Organisation.Kind.ACADEMIC: 40,
    Organisation.Kind.GOVERNMENT_LAB: 25,
    Organisation.Kind.STARTUP: 15,
    Organisation.Kind.MSME: 12,
    Organisation.Kind.PSU: 5,
    Organisation.Kind.PRIVATE: 3,
}
STAGE_WEIGHTS = {
    Project.Stage.EXPLORATION: 12,
    Project.Stage.BENEFICIATION: 14,
    Project.Stage.EXTRACTION: 22,
    Project.Stage.SEPARATION: 20,
    Project.Stage.METALS: 10,
    Project.Stage.MAGNETS: 10,
    Project.Stage.RECYCLING: 12,
}
HEADS = [
    BudgetLine.Head.MANPOWER,
    BudgetLine.Head.EQUIPMENT,
    BudgetLine.Head.CONSUMABLES,
    BudgetLine.Head.TRAVEL,
    BudgetLine.Head.CONTINGENCY,
]
# Share of a sanction per head (equipment in year 1 only).
HEAD_SHARES = {
    BudgetLine.Head.MANPOWER: 30,
    BudgetLine.Head.EQUIPMENT: 40,
    BudgetLine.Head.CONSUMABLES: 20,
    BudgetLine.Head.TRAVEL: 4,
    BudgetLine.Head.CONTINGENCY: 6,
}


@dataclass
class GeneratedCounts:
    projects: int = 0
    organisations: int = 0
    budget_lines: int = 0
    instalments: int = 0
    certificates: int = 0
    milestones: int = 0
    reports: int = 0
    reminders: int = 0
    summaries: int = 0


def _weighted(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _round_thousand(amount):
    return int(round(amount / 1000) * 1000)


class FastInserter:
    """Insert model instances in bulk, giving them their primary keys here.

    ``bulk_create`` spends most of its time compiling SQL for every row; this writes
    plain tuples instead, with PostgreSQL's COPY or SQLite's ``executemany``, and
    resets the id sequences at the end. Instances are built as usual, so Django's
    field defaults still apply.
    """

    def __init__(self):
        self.next_id = {}
        self.now = timezone.now()
        self.touched = set()

    def insert(self, model, objects):
        if not objects:
            return objects
        if model not in self.next_id:
            highest = model.objects.aggregate(highest=Max("pk"))["highest"] or 0
            self.next_id[model] = highest + 1
        fields = model._meta.concrete_fields
        for obj in objects:
            obj.pk = self.next_id[model]
            self.next_id[model] += 1
            for field in fields:
                if getattr(field, "auto_now", False) or getattr(
                    field, "auto_now_add", False
                ):
                    setattr(obj, field.attname, self.now)
        columns = [field.column for field in fields]
        attnames = [field.attname for field in fields]
        rows = [tuple(getattr(obj, name) for name in attnames) for obj in objects]
        table = connection.ops.quote_name(model._meta.db_table)
        quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({quoted}) VALUES ({marks})",
                    [tuple(_sqlite_value(value) for value in row) for row in rows],
                )
        for obj in objects:
            obj._state.adding = False
        self.touched.add(model)
        return objects

    def finish(self):
        """Move the id sequences past the ids given out here (PostgreSQL)."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.touched))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _sqlite_value(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class PortfolioGenerator:
    """Build the rows of a synthetic portfolio; ``write`` inserts them in batches."""

    def __init__(self, *, projects: int, seed: int, today: datetime.date):
        self.total = projects
        self.rng = random.Random(seed)
        self.seed = seed
        self.today = today
        self.counts = GeneratedCounts()

    # People and organisations --------------------------------------------------

    def create_people(self):
        prefix = f"gen{self.seed}"
        officers = [
            User(
                username=f"{prefix}-po-{n}",
                email=f"{prefix}-po-{n}@generated.example",
                display_name=f"Programme Officer {n} (generated)",
                is_staff=True,
            )
            for n in range(PROGRAMME_OFFICERS)
        ]
        User.objects.bulk_create(officers, batch_size=BATCH_SIZE)
        self.officers = list(
            User.objects.filter(username__startswith=f"{prefix}-po-").order_by("pk")
        )
        organisations = []
        states = [code for code, _ in Organisation.State.choices]
        for n in range(max(1, self.total // PROJECTS_PER_ORGANISATION)):
            organisations.append(
                Organisation(
                    name=f"Generated Research Organisation {self.seed}-{n}",
                    slug=f"gen-{self.seed}-{n}",
                    kind=_weighted(self.rng, KIND_WEIGHTS),
                    state=self.rng.choice(states),
                    head_name="Registrar (generated)",
                    head_email=f"head-{self.seed}-{n}@generated.example",
                    is_illustrative=True,
                )
            )
        self.organisations = Organisation.objects.bulk_create(
            organisations, batch_size=BATCH_SIZE
        )
        self.counts.organisations = len(self.organisations)
        pis = [
            User(
                username=f"{prefix}-pi-{n}",
                email=f"{prefix}-pi-{n}@generated.example",
                display_name=f"Principal Investigator {n} (generated)",
            )
            for n in range(len(self.organisations))
        ]
        User.objects.bulk_create(pis, batch_size=BATCH_SIZE)
        self.pis = list(
            User.objects.filter(username__startswith=f"{prefix}-pi-").order_by("pk")
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    user=pi,
                    organisation=org,
                    role=Membership.Role.PRINCIPAL_INVESTIGATOR,
                )
                for pi, org in zip(self.pis, self.organisations, strict=True)
            ],
            batch_size=BATCH_SIZE,
        )

    # Projects -------------------------------------------------------------------

    def build_project(self, n, schemes):
        rng = self.rng
        index = rng.randrange(len(self.organisations))
        organisation = self.organisations[index]
        prism = organisation.kind in (Organisation.Kind.STARTUP, Organisation.Kind.MSME)
        scheme = schemes["st-prism" if prism else "st-programme"]
        duration = 24 if prism else 36
        # Sanctioned over the last seven fiscal years, more in recent ones.
        days_ago = int(rng.triangular(0, 7 * 365, 365))
        sanctioned_on = self.today - datetime.timedelta(days=days_ago)
        start_on = sanctioned_on + datetime.timedelta(days=rng.randint(10, 60))
        end_on = start_on + relativedelta(months=duration, days=-1)
        amount = _round_thousand(rng.uniform(20, 100 if prism else 150) * 100_000)
        trl_start = rng.randint(2, 5)
        trl_target = min(9, trl_start + rng.randint(1, 3))
        if end_on < self.today - datetime.timedelta(days=365):
            status = rng.choice([Project.Status.CLOSED, Project.Status.COMPLETED])
        elif end_on < self.today:
            status = Project.Status.COMPLETED
        else:
            status = _weighted(
                rng,
                {
                    Project.Status.ONGOING: 85,
                    Project.Status.EXTENDED: 10,
                    Project.Status.TERMINATED: 1,
                    Project.Status.SANCTIONED: 4,
                },
            )
        stage = _weighted(rng, STAGE_WEIGHTS)
        return Project(
            reference=f"{REFERENCE_PREFIX}{self.seed}-{n:07d}",
            title=f"Generated REE project {n}: {stage.label}",
            scheme=scheme,
            organisation=organisation,
            principal_investigator=self.pis[index],
            programme_officer=rng.choice(self.officers),
            stage=stage,
            trl_start=trl_start,
            trl_target=trl_target,
            trl_now=rng.randint(trl_start, trl_target),
            sanction_order_number=f"GEN/SO/{self.seed}/{n:07d}",
            sanctioned_on=sanctioned_on,
            fiscal_year=fiscal_year_of(sanctioned_on),
            start_on=start_on,
            duration_months=duration,
            end_on=end_on,
            sanctioned_amount=amount,
            status=status,
            closed_on=end_on + relativedelta(months=6)
            if status == Project.Status.CLOSED
            else None,
        )

    def build_children(self, project, rules):
        rng = self.rng
        years = project.duration_months // 12
        rows = {
            "budget": [],
            "instalments": [],
            "certificates": [],
            "milestones": [],
            "reports": [],
            "reminders": [],
        }
        # Budget: equipment in year 1, the other heads spread over the years;
        # the last line takes the rounding so the lines add up to the sanction.
        remaining = project.sanctioned_amount
        lines = []
        for head in HEADS:
            head_total = project.sanctioned_amount * HEAD_SHARES[head] // 100
            spread = [1] if head == BudgetLine.Head.EQUIPMENT else [1] * years
            for year, _ in enumerate(spread, start=1):
                share = _round_thousand(head_total / len(spread))
                lines.append([head, year, share])
                remaining -= share
        lines[0][2] += remaining
        rows["budget"] = [
            BudgetLine(project=project, head=head, project_year=year, amount=amount)
            for head, year, amount in lines
        ]
        # Three instalments: 40% / 40% / 20%, released while their date has passed.
        amounts = [project.sanctioned_amount * 2 // 5] * 2
        amounts.append(project.sanctioned_amount - sum(amounts))
        released_total = 0
        previous_release = None
        for sequence, amount in enumerate(amounts, start=1):
            planned_on = project.start_on + relativedelta(months=(sequence - 1) * 11)
            released_on = None
            if (
                planned_on + datetime.timedelta(days=30) < self.today
                and project.status != Project.Status.SANCTIONED
                and (
                    sequence < 3
                    or project.status
                    in (Project.Status.COMPLETED, Project.Status.CLOSED)
                )
                and rng.random() < 0.92
                and (sequence == 1 or previous_release is not None)
            ):
                released_on = planned_on + datetime.timedelta(days=rng.randint(0, 45))
                released_total += amount
            rows["instalments"].append(
                Instalment(
                    project=project,
                    sequence=sequence,
                    planned_on=planned_on,
                    amount=amount,
                    released_on=released_on,
                    release_order_number=(
                        f"GEN/RO/{project.reference}/{sequence}" if released_on else ""
                    ),
                )
            )
            previous_release = released_on
        # One annual UC per fiscal year with money, the books balancing each year.
        first_release = rows["instalments"][0].released_on
        opening = 0
        if first_release:
            fiscal_year = fiscal_year_of(first_release)
            for _ in range(3):
                fy_start, fy_end = fiscal_year_bounds(fiscal_year)
                if fy_end + datetime.timedelta(days=60) > self.today:
                    break
                received = sum(
                    i.amount
                    for i in rows["instalments"]
                    if i.released_on and fy_start <= i.released_on <= fy_end
                )
                available = opening + received
                spent = int(available * rng.uniform(0.4, 0.95))
                interest = int(opening * 0.03)
                rows["certificates"].append(
                    UtilisationCertificate(
                        project=project,
                        kind=UtilisationCertificate.Kind.ANNUAL,
                        fiscal_year=fiscal_year,
                        period_start=fy_start,
                        period_end=fy_end,
                        opening_balance=opening,
                        interest_earned=interest,
                        interest_remitted=interest,
                        grant_received=received,
                        expenditure=spent,
                        closing_balance=available - spent,
                        status=UtilisationCertificate.Status.ACCEPTED,
                        submitted_on=fy_end + datetime.timedelta(days=25),
                        decided_on=fy_end + datetime.timedelta(days=42),
                    )
                )
                opening = available - spent
                fiscal_year = fiscal_year_of(fy_end + datetime.timedelta(days=1))
        # Twelve milestones: half-yearly reports, annual UCs, a review, final items.
        for number in range(12):
            due_on = project.start_on + relativedelta(months=2 * number + 6)
            kind = (
                Milestone.Kind.PROGRESS_REPORT
                if number % 3 != 2
                else Milestone.Kind.UTILISATION_CERTIFICATE
            )
            if number == 11:
                kind = Milestone.Kind.FINAL_REPORT
            if due_on < self.today - datetime.timedelta(days=14):
                status = _weighted(
                    rng,
                    {
                        Milestone.Status.ACCEPTED: 88,
                        Milestone.Status.PENDING: 6,
                        Milestone.Status.SUBMITTED: 3,
                        Milestone.Status.RETURNED: 2,
                        Milestone.Status.WAIVED: 1,
                    },
                )
            elif due_on < self.today:
                status = rng.choice(
                    [Milestone.Status.SUBMITTED, Milestone.Status.PENDING]
                )
            else:
                status = Milestone.Status.PENDING
            rows["milestones"].append(
                Milestone(
                    project=project,
                    kind=kind,
                    title=f"{Milestone.Kind(kind).label.capitalize()} {number + 1}",
                    due_on=due_on,
                    months_after_end=3 if kind == Milestone.Kind.FINAL_REPORT else None,
                    status=status,
                    submitted_on=due_on - datetime.timedelta(days=3)
                    if status != Milestone.Status.PENDING
                    else None,
                    waiver_reason="Covered by the review meeting."
                    if status == Milestone.Status.WAIVED
                    else "",
                )
            )
        return rows

    def build_reports_and_reminders(self, milestones, rules):
        """Reports for submitted milestones, reminders already sent for overdue ones."""
        rng = self.rng
        reports, reminders = [], []
        for milestone in milestones:
            if milestone.kind in (
                Milestone.Kind.PROGRESS_REPORT,
                Milestone.Kind.FINAL_REPORT,
            ) and milestone.status in (
                Milestone.Status.SUBMITTED,
                Milestone.Status.ACCEPTED,
                Milestone.Status.RETURNED,
            ):
                status = {
                    Milestone.Status.SUBMITTED: ProgressReport.Status.SUBMITTED,
                    Milestone.Status.ACCEPTED: ProgressReport.Status.ACCEPTED,
                    Milestone.Status.RETURNED: ProgressReport.Status.RETURNED,
                }[milestone.status]
                reports.append(
                    ProgressReport(
                        milestone=milestone,
                        period_start=milestone.due_on - relativedelta(months=6),
                        period_end=milestone.due_on - datetime.timedelta(days=1),
                        narrative="Work done in the period (generated).",
                        trl_now=rng.randint(2, 6),
                        publications=rng.randint(0, 3),
                        submitted_on=milestone.submitted_on,
                        decided_on=milestone.due_on + datetime.timedelta(days=20)
                        if status != ProgressReport.Status.SUBMITTED
                        else None,
                        review_comment="Please add the yield data."
                        if status == ProgressReport.Status.RETURNED
                        else "",
                        status=status,
                    )
                )
            if (
                rules
                and milestone.status == Milestone.Status.PENDING
                and milestone.due_on < self.today
            ):
                for rule in rules:
                    if (
                        milestone.due_on + datetime.timedelta(rule.offset_days)
                        <= self.today
                    ):
                        reminders.append(
                            Reminder(
                                milestone=milestone,
                                rule=rule,
                                recipient_email=f"pi-{milestone.project_id}@generated.example",
                                due_on=milestone.due_on,
                                status=Reminder.Status.SENT,
                                attempts=1,
                            )
                        )
        return reports, reminders

    def write(self):
        schemes = {scheme.code: scheme for scheme in Scheme.objects.all()}
        rules = list(
            ReminderRule.objects.filter(is_active=True, milestone_kind="").order_by(
                "offset_days"
            )[:3]
        )
        elements = list(Element.objects.all())
        self.create_people()
        inserter = FastInserter()
        done = 0
        while done < self.total:
            size = min(BATCH_SIZE // 10, self.total - done)
            with transaction.atomic():
                projects = inserter.insert(
                    Project,
                    [self.build_project(done + n, schemes) for n in range(size)],
                )
                children = {
                    key: []
                    for key in ("budget", "instalments", "certificates", "milestones")
                }
                links = []
                for project in projects:
                    rows = self.build_children(project, rules)
                    for key in children:
                        children[key].extend(rows[key])
                    for element in self.rng.sample(elements, k=self.rng.randint(1, 4)):
                        links.append(
                            Project.elements.through(
                                project_id=project.pk, element_id=element.pk
                            )
                        )
                inserter.insert(Project.elements.through, links)
                inserter.insert(BudgetLine, children["budget"])
                inserter.insert(Instalment, children["instalments"])
                inserter.insert(UtilisationCertificate, children["certificates"])
                milestones = inserter.insert(Milestone, children["milestones"])
                reports, reminders = self.build_reports_and_reminders(milestones, rules)
                inserter.insert(ProgressReport, reports)
                inserter.insert(Reminder, reminders)
            self.counts.projects += len(projects)
            self.counts.budget_lines += len(children["budget"])
            self.counts.instalments += len(children["instalments"])
            self.counts.certificates += len(children["certificates"])
            self.counts.milestones += len(milestones)
            self.counts.reports += len(reports)
            self.counts.reminders += len(reminders)
            done += size
        inserter.finish()
        # Bulk inserts send no signals: compute the dashboard summaries here, and
        # put the cached page parts out of date.
        self.counts.summaries = summaries.create_missing(on=self.today)
        page_cache.portfolio_changed()
        return self.counts


def generate_portfolio(*, projects: int, seed: int, today: datetime.date):
    """Insert a synthetic, illustrative portfolio and return how many rows of each."""
    if Project.objects.filter(
        reference__startswith=f"{REFERENCE_PREFIX}{seed}-"
    ).exists():
        raise ValueError(
            f"A portfolio generated with seed {seed} is already loaded; "
            f"use another seed."
        )
    return PortfolioGenerator(projects=projects, seed=seed, today=today).write()
