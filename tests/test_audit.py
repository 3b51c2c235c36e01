"""The audit history: every service that changes an audited row says who, when,
what and why, and nobody can edit the history afterwards.

Each service below is called directly, as a task or the admin would call it,
with no web request to borrow a user from. For every row it changes, the newest
history record must name the officer or grantee who acted, carry the moment of
the call, differ from the record before it in the fields the service changed,
and, where the service asks a person for a reason, hold that reason.
"""

import datetime
import inspect
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import time_machine
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import NoReverseMatch, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from grants import services
from grants.models import (
    BudgetLine,
    Extension,
    Instalment,
    Membership,
    Milestone,
    ProgressReport,
    Project,
    Reappropriation,
    ReleaseCondition,
    TwoFactorInvitation,
    UtilisationCertificate,
)
from tests.factories import (
    AgendaItemFactory,
    AssetDisposalFactory,
    AssetFactory,
    CommitteeMemberFactory,
    ConflictDeclarationFactory,
    ExtensionFactory,
    ExternalExpertFactory,
    InstalmentFactory,
    MeetingFactory,
    MilestoneFactory,
    OrganisationFactory,
    ProgressReportFactory,
    ProjectFactory,
    ReappropriationFactory,
    RecommendationFactory,
    ReleaseConditionFactory,
    SchemeFactory,
    ScoreFactory,
    StaffUserFactory,
    TwoFactorInvitationFactory,
    UserFactory,
    UtilisationCertificateFactory,
)
from tests.test_services import project_ready_to_close
from tests.test_uploads import PDF_BYTES

pytestmark = pytest.mark.django_db

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
SET_UP_AT = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=IST)
ACTED_AT = datetime.datetime(2026, 11, 22, 11, 30, tzinfo=IST)
TODAY = ACTED_AT.date()

AUDITED_MODELS = [
    Membership,
    ReleaseCondition,
    Reappropriation,
    Project,
    Extension,
    BudgetLine,
    Instalment,
    UtilisationCertificate,
    Milestone,
    ProgressReport,
    TwoFactorInvitation,
]


@pytest.fixture(autouse=True)
def _set_up_before_the_call():
    with time_machine.travel(SET_UP_AT, tick=False):
        yield


@dataclass
class Audited:
    """A row a service changed, and what its newest history record must say."""

    row: models.Model
    action: str  # "+" created, "~" changed
    changed: set[str] = field(default_factory=set)
    reason: str | None = None  # words the recorded reason must hold


@dataclass(frozen=True)
class Service:
    """A call of one service by ``actor``; it returns the rows it must have audited."""

    id: str
    who: str  # which fixture acts: an officer or a grantee
    call: Callable


def ids(item) -> str:
    return item.id


def acting():
    """The moment the service is called, apart from when its rows were set up."""
    return time_machine.travel(ACTED_AT, tick=False)


# The calls ----------------------------------------------------------------------------


def sanction(actor):
    with acting():
        project = services.sanction_project(
            reference="MoM-REE-AUDIT-01",
            title="Recovery of REE from red mud",
            scheme=SchemeFactory(),
            organisation=OrganisationFactory(),
            principal_investigator=UserFactory(),
            programme_officer=None,
            stage=Project.Stage.EXTRACTION,
            sanction_order_number="MoM/SO/2026/41",
            sanctioned_on=TODAY,
            start_on=datetime.date(2026, 12, 1),
            duration_months=24,
            sanctioned_amount=4_000_000,
            trl_start=3,
            trl_target=5,
            budget_lines=[
                services.PlannedBudgetLine("equipment", 1, 2_500_000),
                services.PlannedBudgetLine("manpower", 2, 1_500_000),
            ],
            instalments=[
                services.PlannedInstalment(1, datetime.date(2026, 12, 1), 2_000_000),
                services.PlannedInstalment(2, datetime.date(2027, 12, 1), 2_000_000),
            ],
            sanctioned_by=actor,
        )
    return [
        Audited(project, "+"),
        *[Audited(line, "+") for line in project.budget_lines.all()],
        *[Audited(instalment, "+") for instalment in project.instalments.all()],
    ]


def first_release(actor):
    project = ProjectFactory()
    instalment = InstalmentFactory(project=project, sequence=1)
    with acting():
        services.release_instalment(
            instalment,
            released_on=TODAY,
            release_order_number="MoM/RO/2026/88",
            released_by=actor,
        )
    return [
        Audited(
            instalment,
            "~",
            {"released_on", "release_order_number", "released_by"},
            "Released by order MoM/RO/2026/88",
        ),
        Audited(project, "~", {"status"}),
    ]


def released_project():
    """An ongoing project with instalment 1 out and instalment 2 due."""
    project = ProjectFactory(ongoing=True)
    InstalmentFactory(
        project=project,
        sequence=1,
        planned_on=datetime.date(2024, 4, 10),
        released=True,
    )
    second = InstalmentFactory(
        project=project, sequence=2, planned_on=datetime.date(2026, 10, 1)
    )
    return project, second


def release_with_override(actor):
    _project, second = released_project()
    with acting():
        services.release_instalment(
            second,
            released_on=TODAY,
            release_order_number="MoM/RO/2026/89",
            released_by=actor,
            override_reason="Minister's directive of 20 Nov 2026",
        )
    return [
        Audited(
            second,
            "~",
            {"released_on", "release_order_number", "override_reason"},
            "override: Minister's directive of 20 Nov 2026",
        )
    ]


def release_with_low_utilisation(actor):
    project, second = released_project()
    # 25% utilisation: 5,00,000 spent of 20,00,000 received.
    UtilisationCertificateFactory(project=project, accepted=True, expenditure=500_000)
    with acting():
        services.release_instalment(
            second,
            released_on=TODAY,
            release_order_number="MoM/RO/2026/90",
            released_by=actor,
            low_utilisation_note="Equipment bought in 2025-26; spending follows.",
        )
    return [
        Audited(
            second,
            "~",
            {"released_on", "covering_certificate", "low_utilisation_note"},
            "Equipment bought in 2025-26; spending follows.",
        )
    ]


def recommend(actor):
    project, second = released_project()
    UtilisationCertificateFactory(project=project, accepted=True)
    with acting():
        services.recommend_instalment(
            second, recommended_on=TODAY, recommended_by=actor
        )
    return [
        Audited(
            second,
            "~",
            {"recommended_on", "recommended_by"},
            "Recommended for release",
        )
    ]


def waive(actor):
    milestone = MilestoneFactory()
    with acting():
        services.waive_milestone(
            milestone,
            reason="Merged with the consolidated report.",
            decided_by=actor,
            decided_on=TODAY,
        )
    return [
        Audited(
            milestone,
            "~",
            {"status", "waiver_reason", "decided_on"},
            "Merged with the consolidated report.",
        )
    ]


def reschedule(actor):
    milestone = MilestoneFactory(due_on=datetime.date(2026, 12, 1))
    with acting():
        services.reschedule_milestone(
            milestone,
            new_due_on=datetime.date(2027, 1, 15),
            reason="PERC review moved to January.",
            decided_by=actor,
        )
    return [
        Audited(
            milestone,
            "~",
            {"due_on", "original_due_on", "reschedule_reason"},
            "PERC review moved to January.",
        )
    ]


FIGURES = services.CertificateFigures(
    opening_balance=0,
    interest_earned=0,
    interest_remitted=0,
    grant_received=2_000_000,
    expenditure=1_600_000,
    closing_balance=400_000,
)


def grantee_project(actor):
    """A project of the actor's organisation, with its first release and due UC."""
    project = ProjectFactory(organisation=actor.memberships.get().organisation)
    release = InstalmentFactory(
        project=project,
        sequence=1,
        planned_on=datetime.date(2024, 4, 10),
        released=True,
    )
    milestone = MilestoneFactory(
        project=project,
        kind=Milestone.Kind.UTILISATION_CERTIFICATE,
        period_start=datetime.date(2024, 4, 1),
        period_end=datetime.date(2025, 3, 31),
    )
    return project, release, milestone


def submit_certificate(actor):
    project, _release, milestone = grantee_project(actor)
    with acting():
        certificate = services.submit_certificate(
            project,
            kind="annual",
            period_start=datetime.date(2024, 4, 1),
            period_end=datetime.date(2025, 3, 31),
            figures=FIGURES,
            submitted_on=TODAY,
            submitted_by=actor,
            milestone=milestone,
        )
    return [
        Audited(certificate, "+"),
        Audited(milestone, "~", {"status", "submitted_on", "certificate"}),
    ]


def submit_certificate_with_signed_copy(actor):
    project, release, milestone = grantee_project(actor)
    with acting():
        certificate = services.submit_certificate_with_signed_copy(
            project,
            kind="annual",
            period_start=datetime.date(2024, 4, 1),
            period_end=datetime.date(2025, 3, 31),
            figures=FIGURES,
            received_instalments=[release],
            signed_copy=SimpleUploadedFile("signed.pdf", PDF_BYTES),
            submitted_on=TODAY,
            submitted_by=actor,
            milestone=milestone,
        )
    return [
        Audited(certificate, "+"),
        Audited(milestone, "~", {"status", "submitted_on", "certificate"}),
    ]


def submitted_certificate():
    certificate = UtilisationCertificateFactory(signed=True)
    milestone = MilestoneFactory(
        project=certificate.project,
        kind=Milestone.Kind.UTILISATION_CERTIFICATE,
        status=Milestone.Status.SUBMITTED,
        certificate=certificate,
    )
    return certificate, milestone


def accept_certificate(actor):
    certificate, milestone = submitted_certificate()
    with acting():
        services.accept_certificate(certificate, decided_on=TODAY, decided_by=actor)
    return [
        Audited(certificate, "~", {"status", "decided_on", "decided_by"}, "Accepted"),
        Audited(milestone, "~", {"status", "decided_on"}),
    ]


def return_certificate(actor):
    certificate, milestone = submitted_certificate()
    with acting():
        services.return_certificate(
            certificate,
            reason="Interest earned must be remitted.",
            decided_on=TODAY,
            decided_by=actor,
        )
    return [
        Audited(
            certificate,
            "~",
            {"status", "decided_on", "decided_by", "return_reason"},
            "Interest earned must be remitted.",
        ),
        Audited(
            milestone,
            "~",
            {"status", "decided_on"},
            "Interest earned must be remitted.",
        ),
    ]


def report_terms():
    return {
        "period_start": datetime.date(2026, 4, 1),
        "period_end": datetime.date(2026, 9, 30),
        "narrative": "Bench-scale leaching completed.",
        "trl_now": 4,
        "submitted_on": TODAY,
    }


def submit_report(actor):
    project = ProjectFactory(organisation=actor.memberships.get().organisation)
    milestone = MilestoneFactory(project=project)
    with acting():
        report = services.submit_progress_report(
            milestone, submitted_by=actor, **report_terms()
        )
    return [
        Audited(report, "+"),
        Audited(milestone, "~", {"status", "submitted_on"}),
    ]


def submit_report_with_attachments(actor):
    project = ProjectFactory(organisation=actor.memberships.get().organisation)
    milestone = MilestoneFactory(project=project)
    with acting():
        report = services.submit_report_with_attachments(
            milestone,
            attachments=[SimpleUploadedFile("results.pdf", PDF_BYTES)],
            submitted_by=actor,
            **report_terms(),
        )
    return [
        Audited(report, "+"),
        Audited(milestone, "~", {"status", "submitted_on"}),
    ]


def submitted_report():
    milestone = MilestoneFactory(status=Milestone.Status.SUBMITTED)
    return ProgressReportFactory(milestone=milestone, trl_now=5), milestone


def accept_report(actor):
    report, milestone = submitted_report()
    with acting():
        services.accept_progress_report(
            report, decided_on=TODAY, decided_by=actor, comment="Good progress."
        )
    return [
        Audited(
            report,
            "~",
            {"status", "decided_on", "decided_by", "review_comment"},
            "Accepted",
        ),
        Audited(milestone, "~", {"status", "decided_on"}),
        Audited(milestone.project, "~", {"trl_now"}),
    ]


def return_report(actor):
    report, milestone = submitted_report()
    with acting():
        services.return_progress_report(
            report,
            reason="Give the recovery per batch.",
            decided_on=TODAY,
            decided_by=actor,
        )
    return [
        Audited(
            report,
            "~",
            {"status", "decided_on", "decided_by", "review_comment"},
            "Give the recovery per batch.",
        ),
        Audited(
            milestone, "~", {"status", "decided_on"}, "Give the recovery per batch."
        ),
    ]


NEW_END_ON = datetime.date(2027, 9, 30)


def request_extension(actor):
    project = ProjectFactory(
        organisation=actor.memberships.get().organisation, ongoing=True
    )
    with acting():
        extension = services.request_extension(
            project,
            new_end_on=NEW_END_ON,
            reason="ICP-MS delivered eight months late.",
            requested_on=TODAY,
            requested_by=actor,
        )
    return [Audited(extension, "+", reason="ICP-MS delivered eight months late.")]


def tied_to_the_end(project):
    return MilestoneFactory(
        project=project,
        kind=Milestone.Kind.FINAL_REPORT,
        due_on=datetime.date(2027, 6, 30),
        months_after_end=3,
    )


def extend(actor):
    project = ProjectFactory(ongoing=True)
    final_report = tied_to_the_end(project)
    with acting():
        extension = services.extend_project(
            project,
            new_end_on=NEW_END_ON,
            reason="PERC recommended six more months.",
            decided_on=TODAY,
            decided_by=actor,
        )
    why = "PERC recommended six more months."
    return [
        Audited(extension, "+", reason=why),
        Audited(project, "~", {"end_on", "status"}, why),
        Audited(final_report, "~", {"due_on"}, why),
    ]


def approve_extension(actor):
    project = ProjectFactory(ongoing=True)
    final_report = tied_to_the_end(project)
    request = ExtensionFactory(project=project, new_end_on=NEW_END_ON)
    with acting():
        services.approve_extension(
            request,
            decided_on=TODAY,
            decided_by=actor,
            comment="Approved by the PERC on 18 Nov 2026.",
        )
    why = "Approved by the PERC on 18 Nov 2026."
    return [
        Audited(
            request,
            "~",
            {"status", "decided_on", "decided_by", "decision_comment"},
            why,
        ),
        Audited(project, "~", {"end_on", "status"}, why),
        Audited(final_report, "~", {"due_on"}, why),
    ]


def reject_extension(actor):
    request = ExtensionFactory(project=ProjectFactory(ongoing=True))
    with acting():
        services.reject_extension(
            request,
            decided_on=TODAY,
            decided_by=actor,
            comment="The PERC found no technical ground for more time.",
        )
    return [
        Audited(
            request,
            "~",
            {"status", "decided_on", "decided_by", "decision_comment"},
            "Rejected: The PERC found no technical ground for more time.",
        )
    ]


def close(actor):
    project = project_ready_to_close()
    with acting():
        services.close_project(
            project,
            closed_on=TODAY,
            unspent_refunded=115_000,
            interest_refunded=10_000,
            refund_reference="BharatKosh 2611220012345",
            asset_disposition="ICP-MS retained by the institute (GFR 233).",
            closed_by=actor,
        )
    return [
        Audited(
            project,
            "~",
            {
                "status",
                "closed_on",
                "unspent_refunded",
                "interest_refunded",
                "refund_reference",
                "asset_disposition",
            },
            "ICP-MS retained by the institute (GFR 233).",
        )
    ]


def keeper_project(actor):
    return ProjectFactory(
        organisation=actor.memberships.get().organisation, ongoing=True
    )


def record_asset(actor):
    project = keeper_project(actor)
    with acting():
        asset = services.record_asset(
            project,
            acquired_on=datetime.date(2026, 11, 10),
            particulars="Glovebox for magnet alloys",
            supplier="Inert Systems, Pune",
            bill_number="IS/2026/118",
            bill_date=datetime.date(2026, 11, 5),
            cost=940_000,
            location="Alloy laboratory",
            invoice_file=SimpleUploadedFile("invoice.pdf", PDF_BYTES),
            recorded_on=TODAY,
            recorded_by=actor,
        )
    return [Audited(asset, "+", reason="Recorded: bill IS/2026/118")]


def request_disposal(actor):
    asset = AssetFactory(project=keeper_project(actor))
    with acting():
        disposal = services.request_disposal(
            asset,
            kind="write_off",
            reason="The glovebox seals have failed beyond repair.",
            requested_on=TODAY,
            requested_by=actor,
        )
    return [Audited(disposal, "+", reason="The glovebox seals have failed")]


def approve_disposal(actor):
    disposal = AssetDisposalFactory(kind="sale", expected_proceeds=120_000)
    with acting():
        services.approve_disposal(
            disposal, decided_on=TODAY, decided_by=actor, comment="Sell by auction."
        )
    return [
        Audited(disposal, "~", {"status", "decided_on", "decided_by"}, "Sell by"),
        Audited(
            disposal.asset,
            "~",
            {"disposition", "sale_proceeds", "disposed_on"},
            "Sell by auction.",
        ),
    ]


def refuse_disposal(actor):
    disposal = AssetDisposalFactory()
    with acting():
        services.refuse_disposal(
            disposal, decided_on=TODAY, decided_by=actor, comment="Repair it first."
        )
    return [Audited(disposal, "~", {"status", "decision_comment"}, "Repair it first")]


def mark_condition_met(actor):
    instalment = InstalmentFactory(project=ProjectFactory(ongoing=True), sequence=2)
    condition = ReleaseConditionFactory(
        instalment=instalment, kind="other", text="Pilot site inspected"
    )
    with acting():
        services.mark_condition_met(
            condition, met_on=TODAY, note="Inspected on 20 Nov.", marked_by=actor
        )
    return [
        Audited(
            condition,
            "~",
            {"met_on", "met_by", "met_note"},
            "Marked met: Inspected on 20 Nov.",
        )
    ]


def set_release_conditions(actor):
    instalment = InstalmentFactory(sequence=2)
    with acting():
        rows = services.set_release_conditions(
            instalment, (services.PlannedCondition(kind="trl", trl=5),), by=actor
        )
    return [Audited(row, "+") for row in rows]


def budget_for_a_move():
    """A Rs 60,00,000 project whose equipment, year 1 line holds Rs 60,00,000."""
    project = ProjectFactory(ongoing=True)
    BudgetLine.objects.create(
        project=project, head="equipment", project_year=1, amount=6_000_000
    )
    return project


def request_reappropriation(actor):
    project = budget_for_a_move()
    with acting():
        row = services.request_reappropriation(
            project,
            from_head="equipment",
            from_year=1,
            to_head="consumables",
            to_year=2,
            amount=50_000,
            reason="Reagents cost more.",
            requested_on=TODAY,
            requested_by=actor,
        )
    return [Audited(row, "+", reason="Reagents cost more.")]


def approve_reappropriation(actor):
    request = ReappropriationFactory(project=budget_for_a_move())
    with acting():
        services.approve_reappropriation(request, decided_on=TODAY, decided_by=actor)
    source = BudgetLine.objects.get(project=request.project, head="equipment")
    target = BudgetLine.objects.get(project=request.project, head="consumables")
    return [
        Audited(request, "~", {"status", "decided_on", "decided_by"}),
        Audited(source, "~", {"amount"}, "Re-appropriated"),
        Audited(target, "+", reason="Re-appropriated"),
    ]


def reject_reappropriation(actor):
    request = ReappropriationFactory(project=budget_for_a_move())
    with acting():
        services.reject_reappropriation(
            request, decided_on=TODAY, decided_by=actor, comment="Not justified."
        )
    return [Audited(request, "~", {"status", "decision_comment"}, "Not justified.")]


def reset_two_factor(actor):
    officer = StaffUserFactory()
    TOTPDevice.objects.create(user=officer, name="Authenticator app")
    older = TwoFactorInvitationFactory(user=officer)
    with acting():
        invitation = services.reset_two_factor(officer, by=actor)
    return [
        Audited(invitation, "+", reason="Two-factor sign-in reset (1 device removed)"),
        Audited(older, "~", {"expires_at"}, "Replaced by a newer invitation"),
    ]


def use_two_factor_invitation(actor):
    invitation = TwoFactorInvitationFactory(user=actor)
    with acting():
        services.use_two_factor_invitation(invitation, user=actor)
    return [
        Audited(invitation, "~", {"used_at"}, "Used to link an authenticator"),
    ]


def import_portfolio(actor):
    from grants.imports.reading import read_workbook
    from tests import workbooks

    contents = read_workbook(workbooks.upload(workbooks.one_project()))
    with acting():
        services.import_portfolio(contents, by=actor, apply=True)
    project = Project.objects.get(reference="REE-2425-01")
    return [
        Audited(
            project.milestones.get(title="Final report"),
            "+",
            reason="Imported from a workbook",
        ),
    ]


# Committees: the secretary's records, and a member's declaration and score.


def seated(actor, *, secretary=True):
    """A meeting of a committee whose secretary (or member) is ``actor``."""
    from grants.models import CommitteeMember

    meeting = MeetingFactory(held_on=datetime.date(2026, 11, 20))
    role = CommitteeMember.Role.SECRETARY if secretary else CommitteeMember.Role.MEMBER
    CommitteeMemberFactory(committee=meeting.committee, user=actor, role=role)
    return meeting


def appoint_member(actor):
    committee = seated(actor).committee
    with acting():
        seat = services.appoint_member(
            committee, ExternalExpertFactory(), appointed_by=actor
        )
    return [Audited(seat, "+", reason="Appointed member")]


def schedule_meeting(actor):
    committee = seated(actor).committee
    with acting():
        meeting = services.schedule_meeting(
            committee, held_on=TODAY, place="Shastri Bhawan", scheduled_by=actor
        )
    return [Audited(meeting, "+", reason="Scheduled")]


def add_agenda_item(actor):
    meeting = seated(actor)
    with acting():
        item = services.add_agenda_item(
            meeting,
            kind="annual_review",
            project=ProjectFactory(ongoing=True),
            added_by=actor,
        )
    return [Audited(item, "+", reason="Added to the agenda")]


def record_attendance(actor):
    meeting = seated(actor)
    with acting():
        services.record_attendance(meeting, attendees=[actor], recorded_by=actor)
    return [Audited(meeting, "~", reason="Attendance recorded")]


def declare_conflict(actor):
    item = AgendaItemFactory(meeting=seated(actor, secretary=False))
    with acting():
        declaration = services.declare_conflict(
            item, member=actor, conflict="collaborator", note="Co-author in 2025."
        )
    return [Audited(declaration, "+", reason="collaborator in the last three years")]


def score_item(actor):
    item = AgendaItemFactory(meeting=seated(actor, secretary=False))
    ConflictDeclarationFactory(agenda_item=item, member=actor)
    with acting():
        score = services.score_item(
            item,
            member=actor,
            progress=4,
            outputs=4,
            use_of_funds=3,
            trl_likelihood=3,
        )
    return [Audited(score, "+", reason="Scored")]


def scored_item(actor):
    from grants.models import CommitteeMember

    item = AgendaItemFactory(meeting=seated(actor))
    expert = CommitteeMemberFactory(
        committee=item.meeting.committee, role=CommitteeMember.Role.MEMBER
    ).user
    ConflictDeclarationFactory(agenda_item=item, member=expert)
    ScoreFactory(agenda_item=item, member=expert)
    return item


def record_recommendation(actor):
    item = scored_item(actor)
    with acting():
        recommendation = services.record_recommendation(
            item,
            outcome="continue",
            reasons="On schedule.",
            recorded_on=TODAY,
            recorded_by=actor,
        )
    return [Audited(recommendation, "+", reason="Recommended: continue")]


def record_decision(actor):
    recommendation = RecommendationFactory(
        agenda_item=scored_item(actor), recorded_on=datetime.date(2026, 11, 20)
    )
    with acting():
        services.record_decision(
            recommendation, decision="approved", decided_on=TODAY, decided_by=actor
        )
    return [Audited(recommendation, "~", {"decision"}, "Decided: approved")]


SERVICES = [
    Service("sanction_project", "finance_officer", sanction),
    Service("import_portfolio", "finance_officer", import_portfolio),
    Service("mark_condition_met", "programme_officer", mark_condition_met),
    Service("set_release_conditions", "programme_officer", set_release_conditions),
    Service("request_reappropriation", "grantee", request_reappropriation),
    Service("approve_reappropriation", "programme_officer", approve_reappropriation),
    Service("reject_reappropriation", "programme_officer", reject_reappropriation),
    Service("release_instalment", "finance_officer", first_release),
    Service("release_instalment-override", "finance_officer", release_with_override),
    Service(
        "release_instalment-low-utilisation",
        "finance_officer",
        release_with_low_utilisation,
    ),
    Service("recommend_instalment", "programme_officer", recommend),
    Service("waive_milestone", "programme_officer", waive),
    Service("reschedule_milestone", "programme_officer", reschedule),
    Service("submit_certificate", "grantee", submit_certificate),
    Service(
        "submit_certificate_with_signed_copy",
        "grantee",
        submit_certificate_with_signed_copy,
    ),
    Service("accept_certificate", "finance_officer", accept_certificate),
    Service("return_certificate", "finance_officer", return_certificate),
    Service("submit_progress_report", "grantee", submit_report),
    Service(
        "submit_report_with_attachments", "grantee", submit_report_with_attachments
    ),
    Service("accept_progress_report", "programme_officer", accept_report),
    Service("return_progress_report", "programme_officer", return_report),
    Service("request_extension", "grantee", request_extension),
    Service("extend_project", "programme_officer", extend),
    Service("approve_extension", "programme_officer", approve_extension),
    Service("reject_extension", "programme_officer", reject_extension),
    Service("close_project", "finance_officer", close),
    Service("record_asset", "grantee", record_asset),
    Service("request_disposal", "grantee", request_disposal),
    Service("approve_disposal", "programme_officer", approve_disposal),
    Service("refuse_disposal", "finance_officer", refuse_disposal),
    Service("reset_two_factor", "superuser", reset_two_factor),
    Service("use_two_factor_invitation", "staff_user", use_two_factor_invitation),
    Service("appoint_member", "programme_officer", appoint_member),
    Service("schedule_meeting", "programme_officer", schedule_meeting),
    Service("add_agenda_item", "programme_officer", add_agenda_item),
    Service("record_attendance", "programme_officer", record_attendance),
    Service("declare_conflict", "programme_officer", declare_conflict),
    Service("score_item", "programme_officer", score_item),
    Service("record_recommendation", "programme_officer", record_recommendation),
    Service("record_decision", "programme_officer", record_decision),
]

# What the rest of the package changes, and why no audit history is kept of it.
NOT_AUDITED = {
    "create_api_token": "a user's own key; the account page lists it",
    "revoke_api_token": "a user's own key; the request log keeps its name",
    "revoke_all_api_tokens": "a user's own keys, after a new password or factor",
    "token_used": "when a user's own key was last used",
    "record_api_request": "it is the log",
    "prune_api_requests": "the log's own rows past their keeping",
    "already_released": "words only: what the loser of a release race is told",
    "find_covering_certificate": "reads only",
    "is_above_threshold": "reads only: whether a move needs finance's decision",
    "member_roles": "reads only",
    "refusal_for_certificates": "reads only",
    "refusal_for_reports": "reads only",
    "resubmission_due": "reads only: the date a returned milestone is due again",
    "store_document": "a Document is kept with who uploaded it and when",
    "regenerate_calendar_token": "a user's own calendar secret",
    "revoke_calendar_token": "a user's own calendar secret",
    "check_closure": "reads only: what closing a project would refuse",
    "refusal_for_assets": "reads only: who may keep the register of assets",
    "send_digest": "a Digest row records its own delivery",
    "send_weekly_digests": "Digest rows record their own delivery",
    "send_reminder": "a Reminder row records its own delivery",
    "record_notice": "a Notice row records who was told what, and when",
    "send_notice": "a Notice row records its own delivery",
    "send_agenda_notice": "an AgendaNotice row records its own delivery",
    "send_reminder_now": "a Reminder row records its own delivery",
    "sweep_reminders": "Reminder rows record their own delivery",
    "needs_invitation_to_enrol": "reads only: whether linking a device needs a link",
    "invitation_from_link": "reads only: the invitation an e-mailed link names",
    "invitation_in_force": "reads only: whether a remembered invitation still works",
    "request_password_reset": "changes no row: queues the e-mail for the worker",
    "send_password_reset": "changes no row: Django's reset link needs none",
    "request_register_export": "a RegisterExport row records who asked for it, when",
    "build_register_export": "a RegisterExport row records its own progress and end",
    "write_grant_register": "changes no row: writes the register as a PDF",
    "start_import": "a PortfolioImport row records who uploaded the workbook, when",
    "confirm_import": "a PortfolioImport row records who confirmed it, when",
    "run_import_step": "writes through import_portfolio, audited above",
    "import_file": "writes through import_portfolio, audited above",
}


def latest_record(row):
    return row.history.order_by("-history_date", "-history_id")[0]


@pytest.mark.parametrize("service", SERVICES, ids=ids)
def test_a_service_records_who_when_what_and_why_for_every_row_it_changes(
    request, service
):
    actor = request.getfixturevalue(service.who)

    audited = service.call(actor)

    assert audited
    for expected in audited:
        record = latest_record(expected.row)
        label = f"{type(expected.row).__name__} {expected.row.pk}"
        assert record.history_type == expected.action, label
        assert record.history_user == actor, label
        assert record.history_date == ACTED_AT, label
        if expected.action == "~":
            delta = record.diff_against(record.prev_record)
            assert expected.changed <= set(delta.changed_fields), label
        if expected.reason:
            assert expected.reason in (record.history_change_reason or ""), label


def test_every_public_service_is_either_audited_here_or_says_why_not():
    functions = {
        name for name in services.__all__ if inspect.isfunction(getattr(services, name))
    }
    audited = {service.id.split("-")[0] for service in SERVICES}

    assert audited.isdisjoint(NOT_AUDITED)
    assert functions == audited | set(NOT_AUDITED)


def test_a_service_refused_by_a_rule_leaves_no_history_behind(finance_officer):
    _project, second = released_project()
    before = {model: model.history.count() for model in AUDITED_MODELS}

    with pytest.raises(services.GrantRuleError):
        services.release_instalment(
            second,
            released_on=TODAY,
            release_order_number="MoM/RO/2026/91",
            released_by=finance_officer,
        )

    assert {model: model.history.count() for model in AUDITED_MODELS} == before


def test_a_change_made_through_a_staff_page_names_the_officer_and_the_reason(
    client, finance_officer
):
    certificate, _milestone = submitted_certificate()

    with acting():
        client.force_login(finance_officer)
        response = client.post(
            reverse("staff:certificate-return", args=[certificate.pk]),
            {"decided_on": "2026-11-22", "reason": "Sign every page."},
        )

    assert response.status_code == 302
    record = latest_record(certificate)
    assert record.history_user == finance_officer
    assert record.history_date == ACTED_AT
    assert record.history_change_reason == "Returned: Sign every page."


# Nobody edits the history -------------------------------------------------------------


@pytest.mark.parametrize("model", AUDITED_MODELS, ids=lambda m: m.__name__)
def test_the_history_of_a_model_has_no_page_in_the_admin(client, superuser, model):
    historical = model.history.model
    client.force_login(superuser)
    name = historical._meta.model_name

    assert not admin.site.is_registered(historical)
    with pytest.raises(NoReverseMatch):
        reverse(f"admin:grants_{name}_change", args=[1])
    assert client.get(f"/admin/grants/{name}/").status_code == 404
    assert client.post(f"/admin/grants/{name}/1/change/", {}).status_code == 404


def test_no_admin_page_edits_a_historical_model():
    historical = {model.history.model for model in AUDITED_MODELS}

    assert historical.isdisjoint(admin.site._registry)
    assert not any(
        model.__name__.startswith("Historical") for model in admin.site._registry
    )


def history_section(page: str) -> str:
    match = re.search(r'<section id="history".*?</section>', page, re.DOTALL)
    assert match, "the history tab has a history section"
    return match.group(0)


def test_the_history_tab_shows_the_history_without_any_way_to_change_it(
    client, finance_officer
):
    certificate, _milestone = submitted_certificate()
    services.return_certificate(
        certificate,
        reason="Sign every page.",
        decided_on=TODAY,
        decided_by=finance_officer,
    )
    client.force_login(finance_officer)
    url = reverse("staff:project-history", args=[certificate.project_id])

    section = history_section(client.get(url).content.decode())

    assert "Returned: Sign every page." in section
    assert str(finance_officer) in section
    for control in ("<form", "<input", "<textarea", "<select", "<button"):
        assert control not in section
    assert (
        client.post(url, {"history_change_reason": "Nothing happened"}).status_code
        == 405
    )
    assert (
        latest_record(certificate).history_change_reason == "Returned: Sign every page."
    )
