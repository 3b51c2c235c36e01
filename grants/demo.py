"""The illustrative demo portfolio: 11 REE projects, exactly Rs 9,33,00,000.

The data set (``grants/data/demo_portfolio.yaml``) holds what happened up to its
demo date, 22 Nov 2026: sanctions, budget lines, instalments and certificates.
Milestones and reports follow the ministry's reporting cadence (half-yearly
reports due 30 Apr and 30 Oct, annual UCs due 30 Jun after the fiscal year, final
report and UC three months after the end date). Loading ``as_of`` another day
shifts every date by the same number of days, so the overdue and upcoming
examples stay alive.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F

from grants import reminders, services
from grants.formatting import INDIA, fiscal_year_bounds, fiscal_year_of
from grants.models import (
    BudgetLine,
    Element,
    Extension,
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
from grants.services import reminders as reminder_services

DATA_FILE = Path(__file__).resolve().parent / "data" / "demo_portfolio.yaml"
DEMO_DATE = datetime.date(2026, 11, 22)
REFERENCE_PREFIX = "DEMO-"
STAFF_GROUPS = {
    "officer": "Programme officer",
    "finance": "Finance officer",
    "admin": "Ministry admin",
}
STAFF_PASSWORDS = {
    "officer": "demo-officer-pass",
    "finance": "demo-finance-pass",
    "admin": "demo-admin-pass",
}
GRANTEE_PASSWORD = "demo-grantee-pass"
EMAIL_DOMAIN = "demo.example"

SCHEME_CODES = {"S&T Programme": "st-programme", "S&T-PRISM": "st-prism"}
ORGANISATION_KINDS = {
    "academic institution": Organisation.Kind.ACADEMIC,
    "government R&D laboratory": Organisation.Kind.GOVERNMENT_LAB,
    "start-up": Organisation.Kind.STARTUP,
    "MSME": Organisation.Kind.MSME,
}
STATES = {label: code for code, label in Organisation.State.choices}

PRISM_CONDITIONS = [
    "On signing of the grant agreement (milestone 0).",
    "On acceptance of the milestone-1 report and a UC for tranche 1.",
    "On technical completion, with the final report and an audited SoE.",
]
PROGRAMME_CONDITION = "Project year {year} budget (year 1 includes all equipment)."

# Events of the demo that the data set states in words rather than figures.
EXTENSIONS = {
    "DEMO-REE-2324-01": {
        "months": 9,
        "reason": "Commissioning of the pilot reduction furnace slipped by two "
        "quarters after the vendor's delivery was delayed; no additional funds "
        "sought.",
        "requested_on": datetime.date(2026, 1, 28),
        "decided_on": datetime.date(2026, 2, 20),
        "approved": True,
    },
    "DEMO-REE-2425-03": {
        "months": 6,
        "reason": "Hydrogen-decrepitation furnace certification took longer than "
        "planned; six more months are needed for the end-of-life magnet trials.",
        "requested_on": datetime.date(2026, 10, 5),
        "approved": False,
    },
}
RETURN_REASONS = {
    ("DEMO-REE-2324-03", "2025-26"): (
        "(a) Equipment expenditure does not reconcile with the fixed-asset register "
        "(Form GFR-22); please attach the register and reconcile. (b) Interest earned "
        "(Rs 61,200) is shown as available instead of remitted to the Consolidated "
        "Fund of India (GFR 230(8)); remit it and resubmit."
    ),
}
LOW_UTILISATION_NOTES = {
    "DEMO-REE-2425-01": "Equipment delivered Jan 2026; payment made; year-2 salaries "
    "due.",
}
ABSTRACTS = {
    "DEMO-REE-2324-03": "Monazite is a prescribed substance under the Atomic Energy "
    "Act: the laboratory holds the atomic-energy permissions for handling "
    "monazite-bearing tailings, and the work stays at laboratory and bench scale.",
}
# Milestones whose state on the demo date differs from "accepted if past".
MILESTONE_STATES = {
    ("DEMO-REE-2324-05", "Half-yearly progress report, Apr–Sep 2026"): "pending",
    ("DEMO-REE-2425-04", "Half-yearly progress report, Apr–Sep 2026"): "submitted",
}
SUBMITTED_ON = {
    ("DEMO-REE-2425-04", "Half-yearly progress report, Apr–Sep 2026"): datetime.date(
        2026, 10, 28
    ),
}
DECIDED_ON = {
    ("DEMO-REE-2324-04", "Final technical report"): datetime.date(2026, 6, 30),
}
# P08's milestone-1 report was returned, then accepted on resubmission.
RESUBMISSIONS = {
    ("DEMO-REE-2425-03", "Milestone-1 report (month 9)"): {
        "returned_on": datetime.date(2025, 10, 20),
        "reason": "The report gives no recovery yield for the decrepitated powder "
        "and no oxygen-content analysis; add both with the test certificates.",
        "resubmitted_on": datetime.date(2025, 12, 22),
        "accepted_on": datetime.date(2026, 1, 15),
    },
}

# The demo's reminder history is what the daily sweep would have sent before the
# demo date (docs/reminders.md, "The demo"), with one exception: P05 is the demo's
# reminder-and-escalation example, so for its milestones still open on the demo
# date the history stops at the notices before and on the due date, and the demo
# date's sweep catches up the overdue notice and the escalation, once.
LADDER_LEFT_FOR_THE_SWEEP = {"DEMO-REE-2324-05"}
# The sweep runs at 09:00: the history says so.
SWEEP_TIME = datetime.time(9, 0)


@dataclass
class PlannedMilestone:
    kind: str
    title: str
    due_on: datetime.date
    months_after_end: int | None = None
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    fiscal_year: str = ""
    extra: dict = field(default_factory=dict)


def load_data() -> dict:
    with DATA_FILE.open(encoding="utf-8") as data:
        return yaml.safe_load(data)


def demo_projects():
    return Project.objects.filter(reference__startswith=REFERENCE_PREFIX)


def loaded_offset() -> datetime.timedelta | None:
    """How far the loaded demo was shifted from its demo date, or None if absent."""
    anchor = demo_projects().order_by("reference").first()
    if anchor is None:
        return None
    first = load_data()["projects"][0]
    original = Project.objects.get(reference=first["ref"]).sanctioned_on
    return original - first["sanction"]["date"]


def half_year_periods(start_on, end_on):
    """Yield (start, end, due, label) for each half-year that ends before end_on."""
    if start_on.month >= 10:
        period_start = datetime.date(start_on.year, 10, 1)
    elif start_on.month >= 4:
        period_start = datetime.date(start_on.year, 4, 1)
    else:
        period_start = datetime.date(start_on.year - 1, 10, 1)
    while True:
        period_end = period_start + relativedelta(months=6, days=-1)
        if period_end >= end_on:
            return
        if period_start.month == 4:
            due = datetime.date(period_start.year, 10, 30)
            label = f"Apr–Sep {period_start.year}"
        else:
            due = datetime.date(period_end.year, 4, 30)
            label = f"Oct {period_start.year}–Mar {period_end.year}"
        yield max(period_start, start_on), period_end, due, label
        period_start = period_end + datetime.timedelta(days=1)


def plan_milestones(data: dict, end_on: datetime.date) -> list[PlannedMilestone]:
    """Derive a project's milestones from its scheme's reporting cadence."""
    start_on = data["start"]
    planned = []
    if data["scheme"] == "S&T Programme":
        for period_start, period_end, due, label in half_year_periods(start_on, end_on):
            planned.append(
                PlannedMilestone(
                    Milestone.Kind.PROGRESS_REPORT,
                    f"Half-yearly progress report, {label}",
                    due,
                    period_start=period_start,
                    period_end=period_end,
                )
            )
        for year in range(start_on.year, end_on.year + 1):
            meeting = datetime.date(year, 12, 10)
            if start_on < meeting <= end_on:
                planned.append(
                    PlannedMilestone(
                        Milestone.Kind.REVIEW_MEETING,
                        f"Annual review meeting (PERC), {year}",
                        meeting,
                    )
                )
    else:
        for number, months in ((1, 9), (2, 18)):
            due = start_on + relativedelta(months=months)
            planned.append(
                PlannedMilestone(
                    Milestone.Kind.PROGRESS_REPORT,
                    f"Milestone-{number} report (month {months})",
                    due,
                    period_start=start_on,
                    period_end=due - datetime.timedelta(days=1),
                )
            )
        quarter = 1
        while (meeting := start_on + relativedelta(months=3 * quarter)) < end_on:
            planned.append(
                PlannedMilestone(
                    Milestone.Kind.REVIEW_MEETING,
                    f"Mentor review, quarter {quarter}",
                    meeting,
                )
            )
            quarter += 1
        planned.append(
            PlannedMilestone(
                Milestone.Kind.TECHNICAL_DELIVERABLE,
                "Technical completion",
                end_on,
                months_after_end=0,
                extra={"deliverable": "Pilot demonstrated at the target TRL."},
            )
        )

    releases = [i["released_on"] for i in data["instalments"] if i["released_on"]]
    final_instalment = data["instalments"][-1]
    last_money = max(end_on, final_instalment["released_on"] or end_on)
    fiscal_year = fiscal_year_of(min(releases))
    while fiscal_year != fiscal_year_of(last_money):
        fy_start, fy_end = fiscal_year_bounds(fiscal_year)
        planned.append(
            PlannedMilestone(
                Milestone.Kind.UTILISATION_CERTIFICATE,
                f"Annual UC {fiscal_year} (GFR 12-A)",
                datetime.date(fy_end.year, 6, 30),
                period_start=fy_start,
                period_end=fy_end,
                fiscal_year=fiscal_year,
            )
        )
        fiscal_year = fiscal_year_of(fy_end + datetime.timedelta(days=1))

    planned.append(
        PlannedMilestone(
            Milestone.Kind.FINAL_REPORT,
            "Final technical report",
            end_on + relativedelta(months=3),
            months_after_end=3,
            period_start=start_on,
            period_end=end_on,
        )
    )
    final_uc_due = end_on + relativedelta(months=3)
    months_after_end = 3
    if final_instalment["released_on"]:
        after_release = final_instalment["released_on"] + relativedelta(months=3)
        if after_release > final_uc_due:
            final_uc_due, months_after_end = after_release, None
    planned.append(
        PlannedMilestone(
            Milestone.Kind.UTILISATION_CERTIFICATE,
            "Final UC and audited statement of expenditure",
            final_uc_due,
            months_after_end=months_after_end,
            fiscal_year="final",
        )
    )
    return sorted(planned, key=lambda milestone: milestone.due_on)


class DemoLoader:
    """Write the demo portfolio, every date shifted by ``offset``."""

    def __init__(self, offset: datetime.timedelta):
        self.offset = offset
        self.data = load_data()

    def shift(self, day):
        return None if day is None else day + self.offset

    def fiscal_year(self, start, end):
        # The middle of a shifted period names its fiscal year, whatever the shift.
        return fiscal_year_of(self.shift(start + (end - start) / 2))

    def load(self):
        self.staff = self.create_staff()
        self.ladder = reminders.Ladder(ReminderRule.objects.all())
        self.division_heads = reminder_services.division_heads()
        self.extensions = {}
        for data in self.data["projects"]:
            project = self.create_project(data)
            self.create_reminder_history(project)

    def create_staff(self):
        staff = {}
        names = {
            "officer": ("Programme Officer (demo)", "Scientist 'D', Met-IV section"),
            "finance": ("Finance Officer (demo)", "Under Secretary (IFD)"),
            "admin": ("Ministry Administrator (demo)", "System administrator"),
        }
        for username, password in STAFF_PASSWORDS.items():
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "email": f"{username}@{EMAIL_DOMAIN}",
                    "display_name": names[username][0],
                    "designation": names[username][1],
                    "is_staff": True,
                    "is_superuser": username == "admin",
                },
            )
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=STAFF_GROUPS[username]))
            staff[username] = user
        return staff

    def create_grantee_user(
        self, username, display_name, designation, organisation, role
    ):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@{EMAIL_DOMAIN}",
                "display_name": display_name,
                "designation": designation,
            },
        )
        if created:
            user.set_password(GRANTEE_PASSWORD)
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(
            user=user, organisation=organisation, role=role
        )
        return user

    def create_organisation(self, data):
        org = data["organisation"]
        kind = ORGANISATION_KINDS[org["kind"]]
        is_institution = kind in (
            Organisation.Kind.ACADEMIC,
            Organisation.Kind.GOVERNMENT_LAB,
        )
        organisation, _ = Organisation.objects.update_or_create(
            slug=org["slug"],
            defaults={
                "name": org["name"],
                "kind": kind,
                "state": STATES[org["state"]],
                "head_name": (
                    "Registrar (demo)" if is_institution else "Director (demo)"
                ),
                "head_email": f"head-{org['slug']}@{EMAIL_DOMAIN}",
                "is_illustrative": True,
            },
        )
        return organisation

    def create_project(self, data):
        organisation = self.create_organisation(data)
        slug = organisation.slug
        pi = self.create_grantee_user(
            f"pi-{slug}",
            data["pi"],
            "Principal investigator",
            organisation,
            Membership.Role.PRINCIPAL_INVESTIGATOR,
        )
        self.create_grantee_user(
            f"fo-{slug}",
            f"Finance Officer, {organisation.name} (demo)",
            "Finance officer",
            organisation,
            Membership.Role.FINANCE_OFFICER,
        )
        sanctioned_end = data["start"] + relativedelta(
            months=data["duration_months"], days=-1
        )
        end_on = data.get("extended_to") or sanctioned_end
        project = Project(
            reference=data["ref"],
            title=data["title"],
            abstract=ABSTRACTS.get(data["ref"], ""),
            scheme=Scheme.objects.get(code=SCHEME_CODES[data["scheme"]]),
            organisation=organisation,
            principal_investigator=pi,
            programme_officer=self.staff["officer"],
            stage=data["stage"],
            trl_start=data["trl"]["start"],
            trl_target=data["trl"]["target"],
            trl_now=data["trl"]["now"],
            sanction_order_number=data["sanction"]["order_no"],
            sanctioned_on=self.shift(data["sanction"]["date"]),
            fiscal_year=fiscal_year_of(self.shift(data["sanction"]["date"])),
            start_on=self.shift(data["start"]),
            duration_months=data["duration_months"],
            end_on=self.shift(end_on),
            sanctioned_amount=data["sanctioned"],
            status=data["status"],
        )
        project.full_clean()
        project.save()
        project.elements.set(Element.objects.filter(symbol__in=data["elements"]))
        self.create_budget(project, data)
        self.create_extension(project, data, sanctioned_end)
        certificates = self.create_certificates(project, data)
        self.create_instalments(project, data)
        self.create_milestones(project, data, end_on, certificates)
        return project

    def create_budget(self, project, data):
        BudgetLine.objects.bulk_create(
            BudgetLine(project=project, head=head, project_year=year, amount=amount)
            for head, amounts in data["budget_lines"].items()
            for year, amount in enumerate(amounts, start=1)
            if amount
        )

    def create_extension(self, project, data, sanctioned_end):
        extension = EXTENSIONS.get(data["ref"])
        if extension is None:
            return
        if extension["approved"]:
            previous_end, new_end = self.shift(sanctioned_end), project.end_on
        else:
            previous_end = project.end_on
            new_end = project.end_on + relativedelta(months=extension["months"])
        Extension.objects.create(
            project=project,
            previous_end_on=previous_end,
            new_end_on=new_end,
            reason=extension["reason"],
            requested_on=self.shift(extension["requested_on"]),
            requested_by=project.principal_investigator,
            status=(
                Extension.Status.APPROVED
                if extension["approved"]
                else Extension.Status.REQUESTED
            ),
            decided_on=self.shift(extension.get("decided_on")),
            decided_by=self.staff["officer"] if extension["approved"] else None,
            decision_comment=(
                "No-cost extension approved." if extension["approved"] else ""
            ),
        )

    def create_certificates(self, project, data):
        """Create the UCs; return annual and final ones by fiscal year (or 'final')."""
        by_year = {}
        finance = self.staff["finance"]
        pi = project.principal_investigator
        for uc in data["utilisation_certificates"]:
            if uc["status"] == "not_submitted":
                continue
            if uc["kind"] == "provisional":
                period_start, period_end = data["start"], uc["as_on"]
                received = uc["cumulative_received"]
                spent = uc["cumulative_expenditure"]
                figures = {
                    "opening_balance": 0,
                    "interest_earned": 0,
                    "interest_remitted": 0,
                    "grant_received": received,
                    "expenditure": spent,
                    "closing_balance": received - spent,
                }
                submitted_on = min(
                    uc["as_on"] + datetime.timedelta(days=10),
                    uc["decided"] - datetime.timedelta(days=1),
                )
            else:
                period_start, period_end = fiscal_year_bounds(uc["fy"])
                if uc["kind"] == "final":
                    # Up to closure: the month before the final UC was submitted.
                    period_end = uc["submitted"].replace(day=1) - datetime.timedelta(
                        days=1
                    )
                figures = {
                    "opening_balance": uc["opening"],
                    "interest_earned": uc["interest_earned"],
                    "interest_remitted": uc["interest_remitted"],
                    "grant_received": uc["received"],
                    "expenditure": uc["expenditure"],
                    "closing_balance": uc["closing"],
                }
                submitted_on = uc["submitted"]
            status = uc["status"]
            certificate = UtilisationCertificate(
                project=project,
                kind=uc["kind"],
                fiscal_year=self.fiscal_year(period_start, period_end),
                period_start=self.shift(period_start),
                period_end=self.shift(period_end),
                status=status,
                submitted_on=self.shift(submitted_on),
                submitted_by=pi,
                decided_on=self.shift(uc.get("decided"))
                if status != "submitted"
                else None,
                decided_by=finance if status != "submitted" else None,
                return_reason=RETURN_REASONS.get((data["ref"], uc.get("fy")), ""),
                targets_achieved=(
                    "Quantified targets for the period met; see the progress report."
                    if status == "accepted"
                    else ""
                ),
                **figures,
            )
            certificate.full_clean()
            certificate.save()
            if uc["kind"] != "provisional":
                by_year["final" if uc["kind"] == "final" else uc["fy"]] = certificate
        return by_year

    def create_instalments(self, project, data):
        finance = self.staff["finance"]
        suffix = data["ref"].removeprefix("DEMO-REE-")
        previous_release = None
        for planned in data["instalments"]:
            released_on = self.shift(planned["released_on"])
            instalment = Instalment(
                project=project,
                sequence=planned["seq"],
                planned_on=self.shift(planned["planned"]),
                amount=planned["amount"],
                condition=(
                    PRISM_CONDITIONS[planned["seq"] - 1]
                    if data["scheme"] == "S&T-PRISM"
                    else PROGRAMME_CONDITION.format(year=planned["seq"])
                ),
            )
            if released_on:
                instalment.released_on = released_on
                instalment.release_order_number = f"DEMO/RO/{suffix}/{planned['seq']}"
                instalment.released_by = finance
                if previous_release is not None:
                    covering = services.find_covering_certificate(
                        project,
                        previous_release_on=previous_release,
                        release_on=released_on,
                    )
                    instalment.covering_certificate = covering
                    if (
                        covering is not None
                        and covering.utilisation_percent
                        < services.LOW_UTILISATION_PERCENT
                    ):
                        instalment.low_utilisation_note = LOW_UTILISATION_NOTES.get(
                            data["ref"],
                            f"Utilisation {covering.utilisation_percent:.0f}% noted; "
                            f"committed expenditure on manpower and consumables "
                            f"for the year confirmed by the PI.",
                        )
                previous_release = released_on
            instalment.full_clean()
            instalment.save()

    def create_milestones(self, project, data, end_on, certificates):
        reports = []
        for planned in plan_milestones(data, end_on):
            key = (data["ref"], planned.title)
            milestone = Milestone(
                project=project,
                kind=planned.kind,
                title=planned.title,
                deliverable=planned.extra.get("deliverable", ""),
                due_on=self.shift(planned.due_on),
                months_after_end=planned.months_after_end,
                period_start=self.shift(planned.period_start),
                period_end=self.shift(planned.period_end),
            )
            certificate = certificates.get(planned.fiscal_year)
            if planned.kind == Milestone.Kind.UTILISATION_CERTIFICATE:
                self.set_certificate_state(milestone, planned, certificate)
            else:
                self.set_state(milestone, planned, key)
            milestone.full_clean()
            milestone.save()
            if (
                planned.kind
                in (
                    Milestone.Kind.PROGRESS_REPORT,
                    Milestone.Kind.FINAL_REPORT,
                )
                and milestone.status != Milestone.Status.PENDING
            ):
                reports.append((milestone, planned, key))
        self.create_reports(project, data, reports)

    def set_certificate_state(self, milestone, planned, certificate):
        if certificate is None:
            milestone.status = Milestone.Status.PENDING
            return
        milestone.certificate = certificate
        milestone.status = {
            "accepted": Milestone.Status.ACCEPTED,
            "returned": Milestone.Status.RETURNED,
            "submitted": Milestone.Status.SUBMITTED,
        }[certificate.status]
        milestone.submitted_on = certificate.submitted_on
        milestone.decided_on = certificate.decided_on

    def set_state(self, milestone, planned, key):
        default = "accepted" if planned.due_on < DEMO_DATE else "pending"
        state = MILESTONE_STATES.get(key, default)
        milestone.status = state
        if state == "pending":
            return
        submitted_on = SUBMITTED_ON.get(
            key, planned.due_on - datetime.timedelta(days=5)
        )
        milestone.submitted_on = self.shift(submitted_on)
        if key in RESUBMISSIONS:
            submitted_on = RESUBMISSIONS[key]["resubmitted_on"]
            milestone.submitted_on = self.shift(submitted_on)
        if state == "accepted":
            decided_on = DECIDED_ON.get(key) or min(
                planned.due_on + datetime.timedelta(days=20),
                DEMO_DATE - datetime.timedelta(days=1),
            )
            if key in RESUBMISSIONS:
                decided_on = RESUBMISSIONS[key]["accepted_on"]
            milestone.decided_on = self.shift(decided_on)

    def create_reports(self, project, data, reports):
        trl_start, trl_now = data["trl"]["start"], data["trl"]["now"]
        officer = self.staff["officer"]
        for number, (milestone, planned, key) in enumerate(reports, start=1):
            trl = trl_start + round((trl_now - trl_start) * number / len(reports))
            common = {
                "milestone": milestone,
                "period_start": milestone.period_start or project.start_on,
                "period_end": milestone.period_end or milestone.due_on,
                "trl_now": trl,
                "publications": number % 3,
                "patents_filed": 1 if number == len(reports) and trl >= 5 else 0,
                "prototypes": 1 if trl >= 5 else 0,
                "people_trained": 2 + number,
                "submitted_by": project.principal_investigator,
            }
            resubmission = RESUBMISSIONS.get(key)
            if resubmission:
                first = ProgressReport(
                    version=1,
                    narrative=f"{planned.title}: work done in the period (demo).",
                    status=ProgressReport.Status.RETURNED,
                    submitted_on=self.shift(
                        planned.due_on - datetime.timedelta(days=3)
                    ),
                    decided_on=self.shift(resubmission["returned_on"]),
                    decided_by=officer,
                    review_comment=resubmission["reason"],
                    **common,
                )
                first.full_clean()
                first.save()
            report = ProgressReport(
                version=2 if resubmission else 1,
                narrative=(
                    f"{planned.title}: work done in the period, results, deviations "
                    f"from plan and the next period's plan (demo)."
                ),
                status=milestone.status,
                submitted_on=milestone.submitted_on,
                decided_on=milestone.decided_on,
                decided_by=officer if milestone.decided_on else None,
                review_comment=(
                    "Accepted." if milestone.status == Milestone.Status.ACCEPTED else ""
                ),
                **common,
            )
            report.full_clean()
            report.save()

    def open_periods(self, milestone, start):
        """Return the (first, last) days a milestone was open; last None = still.

        A submission closes it on its day (the 09:00 sweep came first); a return
        reopens it the next day.
        """
        events = []
        reports = sorted(milestone.reports.all(), key=lambda report: report.version)
        if reports:
            for report in reports:
                events.append(("close", report.submitted_on))
                if report.status == ProgressReport.Status.RETURNED:
                    events.append(("open", report.decided_on))
        elif milestone.certificate is not None:
            certificate = milestone.certificate
            events.append(("close", certificate.submitted_on))
            if certificate.status == UtilisationCertificate.Status.RETURNED:
                events.append(("open", certificate.decided_on))
        elif milestone.submitted_on:
            events.append(("close", milestone.submitted_on))
        periods, first = [], start
        for event, day in events:
            if event == "close" and first is not None:
                periods.append((first, day))
                first = None
            elif event == "open" and first is None:
                first = day + datetime.timedelta(days=1)
        if first is not None:
            periods.append((first, None))
        return periods

    def approved_extension(self, project):
        if project.pk not in self.extensions:
            self.extensions[project.pk] = project.extensions.filter(
                status=Extension.Status.APPROVED
            ).first()
        return self.extensions[project.pk]

    def due_dates(self, milestone, project, periods):
        """Return (due date, open periods) for each due date the milestone had.

        An approved extension moved the milestones derived from the end date: up
        to the day it was approved they were due on the old date.
        """
        extension = self.approved_extension(project)
        if extension is None or milestone.months_after_end is None:
            return [(milestone.due_on, periods)]
        moved_on = extension.decided_on
        old_due = extension.previous_end_on + relativedelta(
            months=milestone.months_after_end
        )
        before = [
            (first, min(last or moved_on, moved_on))
            for first, last in periods
            if first <= moved_on
        ]
        after = [
            (max(first, moved_on + datetime.timedelta(days=1)), last)
            for first, last in periods
            if last is None or last > moved_on
        ]
        return [(old_due, before), (milestone.due_on, after)]

    def create_reminder_history(self, project):
        """Record the reminders the demo's history says went out before its date."""
        demo_day = DEMO_DATE + self.offset
        organisation = project.organisation
        organisation.finance_memberships = list(
            organisation.memberships.filter(
                role=Membership.Role.FINANCE_OFFICER, is_active=True
            ).select_related("user")
        )
        milestones = (
            project.milestones.select_related(
                "certificate",
                "project__principal_investigator",
                "project__programme_officer",
            )
            .prefetch_related("reports")
            .order_by("due_on", "pk")
        )
        rows = []
        for milestone in milestones:
            milestone.project = project
            periods = self.open_periods(milestone, project.sanctioned_on)
            left_for_the_sweep = (
                project.reference in LADDER_LEFT_FOR_THE_SWEEP
                and milestone.status in reminders.REMINDED_STATUSES
            )
            for due_on, due_periods in self.due_dates(milestone, project, periods):
                for step in self.ladder.steps(milestone.kind):
                    if left_for_the_sweep and step.start > 0:
                        continue
                    day = reminders.first_day_open(
                        step, due_on, due_periods, before=demo_day
                    )
                    if day is None:
                        continue
                    rows += self.sent_reminders(milestone, step, due_on, day)
        Reminder.objects.bulk_create(rows)
        # The rows were made now; the history says when each was made and sent.
        Reminder.objects.filter(milestone__project=project).update(
            created_at=F("sent_at")
        )

    def sent_reminders(self, milestone, step, due_on, day):
        sent_at = datetime.datetime.combine(day, SWEEP_TIME, tzinfo=INDIA)
        people = reminder_services.recipients(
            milestone, (step.audience,), division_heads=self.division_heads
        )
        rows = []
        for person in people:
            reminder = Reminder(
                milestone=milestone,
                rule=step.rule,
                recipient=person.user,
                recipient_email=person.email,
                due_on=due_on,
                status=Reminder.Status.SENT,
                attempts=1,
                claimed_at=sent_at,
                sent_at=sent_at,
            )
            reminder.subject = reminder_services.reminder_subject(reminder, today=day)
            rows.append(reminder)
        return rows


def delete_demo():
    """Remove the demo projects and organisations; users stay, with their history."""
    projects = demo_projects()
    Instalment.objects.filter(project__in=projects).update(covering_certificate=None)
    projects.delete()
    Organisation.objects.filter(is_illustrative=True, projects__isnull=True).delete()


@transaction.atomic
def seed(*, as_of: datetime.date | None, today: datetime.date) -> str:
    """Load the demo portfolio, idempotently; return what was done, in words.

    With ``as_of`` the demo is (re)loaded shifted to that date. Without it, an
    existing demo stays as it is, and a new one is loaded as of ``today``.
    """
    current = loaded_offset()
    if as_of is None:
        if current is not None:
            DemoLoader(current).create_staff()
            return (
                f"Demo portfolio already loaded (as of "
                f"{DEMO_DATE + current:%d %b %Y}); nothing changed."
            )
        as_of = today
    offset = as_of - DEMO_DATE
    if current == offset:
        DemoLoader(current).create_staff()
        return f"Demo portfolio already loaded as of {as_of:%d %b %Y}; nothing changed."
    if current is not None:
        delete_demo()
    DemoLoader(offset).load()
    return (
        f"Loaded the demo portfolio as of {as_of:%d %b %Y}: "
        f"{demo_projects().count()} projects."
    )
