"""factory_boy factories: each default builds a valid row that meets every rule."""

import datetime
import hashlib

import factory
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from factory.django import DjangoModelFactory

from grants.formatting import fiscal_year_of
from grants.models import (
    EXTERNAL_EXPERT_GROUP,
    AgendaItem,
    ApiRequest,
    ApiToken,
    Asset,
    AssetDisposal,
    BudgetLine,
    Committee,
    CommitteeMember,
    ConflictDeclaration,
    Digest,
    Document,
    Extension,
    Instalment,
    Meeting,
    Membership,
    Milestone,
    Notice,
    Organisation,
    ProgressReport,
    Project,
    Reappropriation,
    Recommendation,
    RegisterExport,
    ReleaseCondition,
    Reminder,
    ReminderRule,
    Scheme,
    Score,
    TwoFactorInvitation,
    User,
    UtilisationCertificate,
)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    display_name = factory.Faker("name", locale="en_IN")
    password = factory.django.Password("test-pass-123")


class StaffUserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True


class SchemeFactory(DjangoModelFactory):
    class Meta:
        model = Scheme
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"scheme-{n}")
    name = factory.Sequence(lambda n: f"Scheme {n}")
    max_duration_months = 36


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Institute of Rare Earth Studies {n}")
    slug = factory.Sequence(lambda n: f"ires-{n}")
    kind = Organisation.Kind.ACADEMIC
    state = Organisation.State.OD
    head_name = "The Registrar"
    head_email = factory.LazyAttribute(lambda org: f"registrar@{org.slug}.example.org")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.PRINCIPAL_INVESTIGATOR


class ProjectFactory(DjangoModelFactory):
    """A 36-month project sanctioned on 12 Mar 2024 for Rs 60,00,000."""

    class Meta:
        model = Project

    class Params:
        ongoing = factory.Trait(status=Project.Status.ONGOING)

    reference = factory.Sequence(lambda n: f"TEST-REE-{n:04d}")
    title = factory.Sequence(lambda n: f"Recovery of rare earths from tailings {n}")
    scheme = factory.SubFactory(SchemeFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    principal_investigator = factory.SubFactory(UserFactory)
    programme_officer = factory.SubFactory(StaffUserFactory)
    stage = Project.Stage.EXTRACTION
    trl_start = 3
    trl_target = 5
    trl_now = 3
    sanction_order_number = factory.Sequence(lambda n: f"TEST/SO/{n:04d}")
    sanctioned_on = datetime.date(2024, 3, 12)
    fiscal_year = factory.LazyAttribute(lambda p: fiscal_year_of(p.sanctioned_on))
    start_on = datetime.date(2024, 4, 1)
    duration_months = 36
    end_on = factory.LazyAttribute(
        lambda p: p.start_on + relativedelta(months=p.duration_months, days=-1)
    )
    sanctioned_amount = 6_000_000
    status = Project.Status.SANCTIONED


class BudgetLineFactory(DjangoModelFactory):
    class Meta:
        model = BudgetLine

    project = factory.SubFactory(ProjectFactory)
    head = BudgetLine.Head.MANPOWER
    project_year = 1
    amount = 1_000_000


class InstalmentFactory(DjangoModelFactory):
    class Meta:
        model = Instalment

    class Params:
        released = factory.Trait(
            released_on=factory.LazyAttribute(lambda i: i.planned_on),
            release_order_number=factory.Sequence(lambda n: f"TEST/RO/{n:04d}"),
        )

    project = factory.SubFactory(ProjectFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    planned_on = datetime.date(2024, 4, 1)
    amount = 2_000_000


class UtilisationCertificateFactory(DjangoModelFactory):
    """An annual UC for 2024-25 that balances: 0 + 0 - 0 + 20,00,000 - 16,00,000."""

    class Meta:
        model = UtilisationCertificate
        skip_postgeneration_save = True

    class Params:
        accepted = factory.Trait(
            status=UtilisationCertificate.Status.ACCEPTED,
            decided_on=datetime.date(2025, 5, 12),
        )

    project = factory.SubFactory(ProjectFactory)
    kind = UtilisationCertificate.Kind.ANNUAL
    period_start = datetime.date(2024, 4, 1)
    period_end = datetime.date(2025, 3, 31)
    fiscal_year = factory.LazyAttribute(lambda uc: fiscal_year_of(uc.period_end))
    opening_balance = 0
    interest_earned = 0
    interest_remitted = 0
    grant_received = 2_000_000
    expenditure = 1_600_000
    closing_balance = factory.LazyAttribute(
        lambda uc: (
            uc.opening_balance
            + uc.interest_earned
            - uc.interest_remitted
            + uc.grant_received
            - uc.expenditure
        )
    )
    submitted_on = datetime.date(2025, 4, 25)

    @factory.post_generation
    def signed(certificate, create, extracted, **kwargs):
        """With ``signed=True``, its signed copy, as the portal requires one."""
        if create and extracted:
            DocumentFactory(
                project=certificate.project,
                certificate=certificate,
                kind=Document.Kind.SIGNED_UC,
                original_name="signed-uc.pdf",
            )


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    kind = Milestone.Kind.PROGRESS_REPORT
    title = factory.Sequence(lambda n: f"Half-yearly progress report {n}")
    due_on = datetime.date(2025, 10, 30)


class ProgressReportFactory(DjangoModelFactory):
    class Meta:
        model = ProgressReport

    milestone = factory.SubFactory(MilestoneFactory)
    version = 1
    period_start = datetime.date(2025, 4, 1)
    period_end = datetime.date(2025, 9, 30)
    narrative = "Leaching trials at bench scale completed."
    trl_now = 4
    submitted_on = datetime.date(2025, 10, 25)


class ExtensionFactory(DjangoModelFactory):
    class Meta:
        model = Extension

    project = factory.SubFactory(ProjectFactory)
    previous_end_on = factory.LazyAttribute(lambda e: e.project.end_on)
    new_end_on = factory.LazyAttribute(
        lambda e: e.previous_end_on + relativedelta(months=6)
    )
    reason = "Equipment delivered late."
    requested_on = datetime.date(2026, 10, 5)


class DocumentFactory(DjangoModelFactory):
    class Meta:
        model = Document

    project = factory.SubFactory(ProjectFactory)
    file = factory.django.FileField(filename="report.pdf", data=b"%PDF-1.4\n%%EOF\n")
    original_name = "report.pdf"
    content_type = "application/pdf"
    size = 15


class ReminderRuleFactory(DjangoModelFactory):
    class Meta:
        model = ReminderRule

    code = factory.Sequence(lambda n: f"before-30-{n}")
    name = "30 days before"
    offset_days = -30


class ReminderFactory(DjangoModelFactory):
    class Meta:
        model = Reminder

    milestone = factory.SubFactory(MilestoneFactory)
    recipient = factory.SubFactory(UserFactory)
    recipient_email = factory.LazyAttribute(lambda r: r.recipient.email)
    rule = factory.SubFactory(ReminderRuleFactory)
    due_on = factory.LazyAttribute(lambda r: r.milestone.due_on)


class NoticeFactory(DjangoModelFactory):
    class Meta:
        model = Notice

    project = factory.SubFactory(ProjectFactory)
    kind = Notice.Kind.INSTALMENT_RELEASED
    decision = factory.Sequence(lambda n: f"instalment_released:instalment:{n}:{n}")
    about = "Instalment 1 of ₹ 10,00,000"
    decided_on = datetime.date(2026, 11, 20)
    portal_path = factory.LazyAttribute(lambda n: f"/portal/projects/{n.project.pk}/")
    recipient = factory.SubFactory(UserFactory)
    recipient_email = factory.LazyAttribute(lambda n: n.recipient.email)


class DigestFactory(DjangoModelFactory):
    class Meta:
        model = Digest

    recipient = factory.SubFactory(StaffUserFactory)
    week_starting = factory.Sequence(
        lambda n: datetime.date(2026, 11, 16) - datetime.timedelta(weeks=n)
    )


class ReappropriationFactory(DjangoModelFactory):
    """A request to move Rs 50,000 from equipment, year 1 to consumables, year 2.

    The row is valid on its own; a test that approves it gives the project the
    budget lines to move between.
    """

    class Meta:
        model = Reappropriation

    project = factory.SubFactory(ProjectFactory)
    from_head = BudgetLine.Head.EQUIPMENT
    from_year = 1
    to_head = BudgetLine.Head.CONSUMABLES
    to_year = 2
    amount = 50_000
    reason = "The leaching reagents cost more than quoted at sanction."
    requested_on = datetime.date(2026, 11, 2)


class AssetFactory(DjangoModelFactory):
    """A row of Form GFR-22: an ICP-OES bought in June 2024 for Rs 18,50,000."""

    class Meta:
        model = Asset

    project = factory.SubFactory(ProjectFactory)
    acquired_on = datetime.date(2024, 6, 20)
    particulars = factory.Sequence(lambda n: f"ICP-OES spectrometer {n}")
    supplier = "Analytica Instruments Pvt Ltd, Bhubaneswar"
    bill_number = factory.Sequence(lambda n: f"AI/24-25/{n:04d}")
    bill_date = datetime.date(2024, 6, 14)
    cost = 1_850_000
    location = "Hydrometallurgy laboratory, room 112"
    recorded_on = datetime.date(2024, 7, 1)


class AssetDisposalFactory(DjangoModelFactory):
    """A request, awaiting the ministry, to write off an unserviceable asset."""

    class Meta:
        model = AssetDisposal

    asset = factory.SubFactory(AssetFactory)
    kind = AssetDisposal.Kind.WRITE_OFF
    reason = "The plasma torch cracked; repair costs more than a new unit."
    requested_on = datetime.date(2026, 11, 2)


class ReleaseConditionFactory(DjangoModelFactory):
    """A condition that the instalment's milestone be accepted."""

    class Meta:
        model = ReleaseCondition

    instalment = factory.SubFactory(InstalmentFactory)
    kind = ReleaseCondition.Kind.MILESTONE
    milestone = factory.LazyAttribute(
        lambda c: (
            MilestoneFactory(
                project=c.instalment.project,
                kind=Milestone.Kind.FINAL_REPORT,
                title="Final technical report",
            )
            if c.kind == ReleaseCondition.Kind.MILESTONE
            else None
        )
    )


class TwoFactorInvitationFactory(DjangoModelFactory):
    """An administrator's unused invitation for a staff user to link an authenticator.

    ``token`` is the secret in the e-mailed link; only its SHA-256 hash is stored.
    ``expired`` and ``used`` make a link that no longer works.
    """

    class Meta:
        model = TwoFactorInvitation

    class Params:
        token = factory.Sequence(lambda n: f"enrolment-link-token-{n}")
        expired = factory.Trait(
            created_at=factory.LazyFunction(
                lambda: timezone.now() - datetime.timedelta(hours=80)
            )
        )
        used = factory.Trait(
            used_at=factory.LazyAttribute(
                lambda i: i.created_at + datetime.timedelta(hours=1)
            )
        )

    user = factory.SubFactory(StaffUserFactory)
    token_hash = factory.LazyAttribute(
        lambda i: hashlib.sha256(i.token.encode()).hexdigest()
    )
    created_by = factory.SubFactory(StaffUserFactory, is_superuser=True)
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(
        lambda i: i.created_at + datetime.timedelta(hours=72)
    )


class RegisterExportFactory(DjangoModelFactory):
    """A register of grants the worker is building: 10 of 30 rows written."""

    class Meta:
        model = RegisterExport

    class Params:
        ready = factory.Trait(
            status=RegisterExport.Status.READY,
            rows_done=30,
            file=factory.django.FileField(
                filename="register-of-grants.pdf", data=b"%PDF-1.4\n%%EOF\n"
            ),
            finished_at=factory.LazyFunction(timezone.now),
        )
        failed = factory.Trait(
            status=RegisterExport.Status.FAILED,
            error="The register could not be built (disk full).",
            finished_at=factory.LazyFunction(timezone.now),
        )

    kind = RegisterExport.Kind.GRANTS_PDF
    parameters = factory.LazyFunction(lambda: {"fiscal_year": "", "scheme": None})
    language = "en"
    requested_by = factory.SubFactory(StaffUserFactory)
    status = RegisterExport.Status.RUNNING
    rows_done = 10
    rows_total = 30


class ApiTokenFactory(DjangoModelFactory):
    """A token as knox keeps it: a digest and a prefix, never the secret."""

    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = "reconciliation script"

    @classmethod
    def _create(cls, model_class, *args, user, name, **kwargs):
        # knox's manager makes the secret and returns it beside the token.
        token, _secret = model_class.objects.create(user, expiry=None, name=name)
        return token


class ApiRequestFactory(DjangoModelFactory):
    class Meta:
        model = ApiRequest

    user = factory.SubFactory(UserFactory)
    token_key = "khanij_0000abcd"
    token_name = "reconciliation script"
    method = "GET"
    path = "/api/v1/instalments/?released_in=2026-27"
    status = 200
    address = "10.0.0.7"


class ExternalExpertFactory(UserFactory):
    """A reviewer from outside the ministry: the external expert role, nothing else."""

    username = factory.Sequence(lambda n: f"expert{n}")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            from django.contrib.auth.models import Group

            group, _ = Group.objects.get_or_create(name=EXTERNAL_EXPERT_GROUP)
            self.groups.add(group)


class CommitteeFactory(DjangoModelFactory):
    class Meta:
        model = Committee
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Project Evaluation and Review Committee {n}")
    kind = Committee.Kind.PERC
    agenda_days_before = 7


class CommitteeMemberFactory(DjangoModelFactory):
    class Meta:
        model = CommitteeMember

    committee = factory.SubFactory(CommitteeFactory)
    user = factory.SubFactory(ExternalExpertFactory)
    role = CommitteeMember.Role.MEMBER

    class Params:
        secretary = factory.Trait(
            role=CommitteeMember.Role.SECRETARY,
            user=factory.SubFactory(StaffUserFactory),
        )


class MeetingFactory(DjangoModelFactory):
    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    committee = factory.SubFactory(CommitteeFactory)
    number = factory.Sequence(lambda n: n + 1)
    held_on = datetime.date(2026, 12, 15)
    place = "JNARDDC, Nagpur"


class AgendaItemFactory(DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(lambda n: n + 1)
    kind = AgendaItem.Kind.ANNUAL_REVIEW
    project = factory.SubFactory(ProjectFactory, ongoing=True)


class ConflictDeclarationFactory(DjangoModelFactory):
    class Meta:
        model = ConflictDeclaration

    agenda_item = factory.SubFactory(AgendaItemFactory)
    member = factory.SubFactory(ExternalExpertFactory)
    conflict = ConflictDeclaration.Conflict.NONE


class ScoreFactory(DjangoModelFactory):
    class Meta:
        model = Score

    agenda_item = factory.SubFactory(AgendaItemFactory)
    member = factory.SubFactory(ExternalExpertFactory)
    progress = 4
    outputs = 3
    use_of_funds = 4
    trl_likelihood = 3
    comment = "Pilot plant on schedule; publications modest."


class RecommendationFactory(DjangoModelFactory):
    class Meta:
        model = Recommendation
        skip_postgeneration_save = True

    agenda_item = factory.SubFactory(AgendaItemFactory)
    outcome = Recommendation.Outcome.CONTINUE
    reasons = "Progress matches the milestones."
    recorded_on = datetime.date(2026, 12, 15)
