"""Writing the demo portfolio: staff, organisations, projects and their history."""

import datetime

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import Group
from simple_history.utils import bulk_create_with_history

from grants import reminders, services
from grants.demo import registers
from grants.demo.certificates import complete_certificates
from grants.demo.committees import create_committees
from grants.demo.data import (
    ABSTRACTS,
    CITIES,
    DECIDED_ON,
    DEMO_DATE,
    EMAIL_DOMAIN,
    EXTENSIONS,
    GRANTEE_PASSWORD,
    LOW_UTILISATION_NOTES,
    MILESTONE_STATES,
    ORGANISATION_KINDS,
    OVERRIDES,
    PRISM_CONDITIONS,
    PRISM_RELEASE_CONDITIONS,
    PROGRAMME_CONDITION,
    RESUBMISSIONS,
    RETURN_REASONS,
    SCHEME_CODES,
    STAFF_GROUPS,
    STAFF_PASSWORDS,
    STATES,
    SUBMITTED_ON,
    TITLES_HI,
    load_data,
)
from grants.demo.dates import plan_milestones
from grants.demo.history import ReminderHistory
from grants.demo.paper import attach_signed_copy
from grants.formatting import fiscal_year_bounds, fiscal_year_of
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
    ReleaseCondition,
    ReminderRule,
    Scheme,
    User,
    UtilisationCertificate,
)
from grants.reads import conditions
from grants.services import reminders as reminder_services


class DemoLoader(ReminderHistory):
    """Write the demo portfolio, every date moved by ``years`` whole years.

    Whole years keep every period on its boundaries: a fiscal year still runs
    1 April to 31 March, a half-year still ends on 30 September or 31 March. A
    29 February moves to 28 February in a year without one.
    """

    def __init__(self, years: int):
        self.years = years
        self.data = load_data()

    def shift(self, day):
        return None if day is None else day + relativedelta(years=self.years)

    @property
    def demo_day(self) -> datetime.date:
        """The day the demo's story reaches, moved like every other date."""
        return self.shift(DEMO_DATE)

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
        create_committees(self.staff, story_day=self.demo_day)

    def create_staff(self):
        staff = {}
        names = {
            "officer": ("Programme Officer (demo)", "Scientist 'D', Met-IV section"),
            "finance": ("Finance Officer (demo)", "Under Secretary (IFD)"),
            "admin": ("Ministry Administrator (demo)", "System administrator"),
            "divhead": ("Division Head (demo)", "Joint Secretary, Met-IV division"),
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
                    "is_division_head": username == "divhead",
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
        number = sorted(CITIES).index(org["slug"]) + 1
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
                "city": CITIES[org["slug"]],
                "pfms_agency_code": f"DEMO{number:08d}",
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
            title_hi=TITLES_HI.get(data["ref"], ""),
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
        complete_certificates(project)
        self.create_milestones(project, data, end_on, certificates)
        self.create_release_conditions(project, data)
        registers.create_assets(project, shift=self.shift, recorded_by=pi)
        registers.create_reappropriation(project, shift=self.shift, requested_by=pi)
        return project

    def create_budget(self, project, data):
        # With their history, so a later move reads "₹ X → ₹ Y" on the history tab.
        bulk_create_with_history(
            [
                BudgetLine(project=project, head=head, project_year=year, amount=amount)
                for head, amounts in data["budget_lines"].items()
                for year, amount in enumerate(amounts, start=1)
                if amount
            ],
            BudgetLine,
            default_user=self.staff["finance"],
            default_change_reason="Sanctioned",
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
            attach_signed_copy(certificate, uploaded_by=pi)
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

    def create_release_conditions(self, project, data):
        """Each instalment's conditions as rows the release checks.

        S&T-PRISM releases "strictly on a milestone basis", so its instalments wait
        for named milestones; every release after the first waits for the covering
        UC (added by the service). The S&T Programme's wording names the project
        year's budget, which is no condition: it stays as the sanction's words.
        """
        if data["scheme"] != "S&T-PRISM":
            for instalment in project.instalments.order_by("sequence"):
                services.set_release_conditions(instalment, by=self.staff["officer"])
            return
        milestones = {
            milestone.title: milestone for milestone in project.milestones.all()
        }
        Kind = ReleaseCondition.Kind
        for instalment in project.instalments.order_by("sequence"):
            planned = [
                services.PlannedCondition(kind=kind, milestone=milestones[words])
                if kind == Kind.MILESTONE
                else services.PlannedCondition(kind=kind, text=words)
                for kind, words in PRISM_RELEASE_CONDITIONS[instalment.sequence - 1]
            ]
            rows = services.set_release_conditions(
                instalment, tuple(planned), by=self.staff["officer"]
            )
            for row in rows:
                if row.kind == Kind.OTHER and instalment.released_on:
                    # Met before the money went out: the agreement was signed.
                    row.met_on = instalment.released_on - datetime.timedelta(days=3)
                    row.met_by = self.staff["officer"]
                    row.met_note = "Grant agreement signed by both parties."
                    row.full_clean()
                    row.save()
            if instalment.released_on:
                self.record_overrides(project, instalment)

    def record_overrides(self, project, instalment):
        """A condition a past release went out without is an override on record."""
        unmet = conditions.unmet(
            instalment,
            project=project,
            certificates=list(project.certificates.all()),
            on=instalment.released_on,
        )
        if not unmet:
            return
        reason = OVERRIDES[project.reference]
        for check in unmet:
            row = check.condition
            row.overridden_on = instalment.released_on
            row.overridden_by = self.staff["finance"]
            row.override_reason = reason
            row.full_clean()
            row.save()
        instalment.override_reason = instalment.override_reason or reason
        instalment.full_clean()
        instalment.save(update_fields=["override_reason"])

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
        if certificate.status == UtilisationCertificate.Status.RETURNED:
            self.move_to_resubmission(milestone, returned_on=certificate.decided_on)

    def move_to_resubmission(self, milestone, *, returned_on):
        """A return moves the due date to the resubmission date, as the service does."""
        due_again = services.resubmission_due(milestone, returned_on=returned_on)
        if due_again != milestone.due_on:
            milestone.original_due_on = milestone.due_on
            milestone.due_on = due_again

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
            self.move_to_resubmission(
                milestone, returned_on=self.shift(RESUBMISSIONS[key]["returned_on"])
            )
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
