"""The admin: every registered model's pages render, queries stay flat, actions obey."""

import datetime

import factory
import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.messages import ERROR, SUCCESS, get_messages
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factory.django import DjangoModelFactory

from grants import summaries
from grants.models import (
    AgendaItem,
    ApiRequest,
    ApiToken,
    Asset,
    AssetDisposal,
    BudgetLine,
    Committee,
    ConflictDeclaration,
    Digest,
    Document,
    Element,
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
    Reminder,
    ReminderRule,
    Scheme,
    Score,
    TwoFactorInvitation,
    User,
    UtilisationCertificate,
)
from tests.factories import (
    AgendaItemFactory,
    ApiRequestFactory,
    ApiTokenFactory,
    AssetDisposalFactory,
    AssetFactory,
    BudgetLineFactory,
    CommitteeFactory,
    CommitteeMemberFactory,
    ConflictDeclarationFactory,
    DigestFactory,
    DocumentFactory,
    ExtensionFactory,
    InstalmentFactory,
    MeetingFactory,
    MembershipFactory,
    MilestoneFactory,
    NoticeFactory,
    OrganisationFactory,
    ProgressReportFactory,
    ProjectFactory,
    ReappropriationFactory,
    RecommendationFactory,
    ReleaseConditionFactory,
    ReminderFactory,
    ReminderRuleFactory,
    SchemeFactory,
    ScoreFactory,
    TwoFactorInvitationFactory,
    UserFactory,
    UtilisationCertificateFactory,
)

pytestmark = pytest.mark.django_db


class GroupFactory(DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Reviewers {n}")


class ElementFactory(DjangoModelFactory):
    """A made-up element, for growing the element list beyond the seventeen."""

    class Meta:
        model = Element

    symbol = factory.Sequence(lambda n: f"X{n % 100}")
    name = factory.Sequence(lambda n: f"Testium {n}")
    atomic_number = factory.Sequence(lambda n: 200 + n)
    series = Element.Series.LIGHT


# How to make a new row of every model the admin shows. A model registered without
# an entry here fails test_every_registered_model_has_a_factory.
FACTORIES = {
    Group: GroupFactory,
    User: UserFactory,
    Scheme: SchemeFactory,
    Element: ElementFactory,
    Organisation: OrganisationFactory,
    Membership: MembershipFactory,
    Project: ProjectFactory,
    BudgetLine: BudgetLineFactory,
    Instalment: InstalmentFactory,
    UtilisationCertificate: UtilisationCertificateFactory,
    Milestone: MilestoneFactory,
    ProgressReport: ProgressReportFactory,
    Extension: ExtensionFactory,
    Document: DocumentFactory,
    Reminder: ReminderFactory,
    ReminderRule: ReminderRuleFactory,
    Digest: DigestFactory,
    Notice: NoticeFactory,
    Asset: AssetFactory,
    AssetDisposal: AssetDisposalFactory,
    Reappropriation: ReappropriationFactory,
    TwoFactorInvitation: TwoFactorInvitationFactory,
    ApiToken: ApiTokenFactory,
    ApiRequest: ApiRequestFactory,
    Committee: CommitteeFactory,
    Meeting: MeetingFactory,
    AgendaItem: AgendaItemFactory,
    ConflictDeclaration: ConflictDeclarationFactory,
    Score: ScoreFactory,
    Recommendation: RecommendationFactory,
}

# The project's own models and the users and groups it manages. The admin pages of
# installed libraries (Celery beat schedules, OTP devices, lockout records) are
# smoke-tested below without factories.
OWN_APPS = {"grants", "auth"}
REGISTERED_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in OWN_APPS),
    key=lambda model: model._meta.label,
)
LIBRARY_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label not in OWN_APPS),
    key=lambda model: model._meta.label,
)


@pytest.mark.parametrize("model", LIBRARY_MODELS, ids=lambda m: m._meta.label)
def test_library_changelists_and_add_pages_render(client, superuser, model):
    client.force_login(superuser)
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    assert client.get(reverse(f"{prefix}_changelist")).status_code == 200
    if admin.site._registry[model].has_add_permission(_request_for(superuser)):
        assert client.get(reverse(f"{prefix}_add")).status_code == 200


def sample_row(model):
    """Return one row of the model: the reference data where the migration has it."""
    if model is Element:
        return Element.objects.get(symbol="Nd")
    if model is Scheme:
        return Scheme.objects.get(code="st-programme")
    return FACTORIES[model]()


def admin_url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def messages_of(response):
    return [
        (message.level, str(message)) for message in get_messages(response.wsgi_request)
    ]


def run_action(client, model, action, *objects):
    return client.post(
        admin_url(model, "changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
    )


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def test_every_registered_model_has_a_factory():
    missing = [
        model._meta.label for model in REGISTERED_MODELS if model not in FACTORIES
    ]
    assert missing == [], f"Add these models to FACTORIES in test_admin.py: {missing}"


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=lambda m: m._meta.label)
def test_the_changelist_renders(admin_client, model):
    sample_row(model)

    response = admin_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=lambda m: m._meta.label)
def test_the_add_page_renders_where_adding_is_allowed(
    admin_client, superuser, rf, model
):
    request = rf.get("/")
    request.user = superuser
    if not admin.site._registry[model].has_add_permission(request):
        pytest.skip(f"The admin does not add {model._meta.verbose_name_plural}.")

    response = admin_client.get(admin_url(model, "add"))

    assert response.status_code == 200


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=lambda m: m._meta.label)
def test_the_change_page_renders(admin_client, model):
    obj = sample_row(model)

    response = admin_client.get(admin_url(model, "change", obj.pk))

    assert response.status_code == 200
    assert response.context["original"] == obj


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=lambda m: m._meta.label)
def test_changelist_queries_do_not_grow_with_rows(admin_client, model):
    sample_row(model)
    url = admin_url(model, "changelist")
    admin_client.get(url)  # warm the per-process caches (content types, sites)
    baseline = count_queries(admin_client, url)

    for _ in range(10):
        FACTORIES[model]()
    # The project list reads summaries, which the first reader after a change
    # refreshes: a cost of the change, in batches, not of the rows listed.
    summaries.bring_up_to_date()
    grown = count_queries(admin_client, url)

    assert grown == baseline


def project_with_inline_rows(rows):
    project = ProjectFactory()
    for year in range(1, rows + 1):
        BudgetLineFactory(project=project, project_year=year)
        InstalmentFactory(project=project)
        MilestoneFactory(project=project)
        UtilisationCertificateFactory(
            project=project, kind=UtilisationCertificate.Kind.PROVISIONAL
        )
        ExtensionFactory(
            project=project,
            new_end_on=project.end_on + datetime.timedelta(days=30 * year),
        )
    return project


def organisation_with_members(rows):
    organisation = OrganisationFactory()
    MembershipFactory.create_batch(rows, organisation=organisation)
    return organisation


# How to make a row with `rows` rows in each of its inlines, for every admin that
# has inlines. An admin given inlines without an entry here fails
# test_every_admin_with_inlines_has_a_maker.
def asset_with_disposals(rows):
    asset = AssetFactory()
    AssetDisposalFactory.create_batch(
        rows,
        asset=asset,
        status=AssetDisposal.Status.REFUSED,
        decided_on=datetime.date(2026, 11, 20),
        decision_comment="Repair it under the warranty.",
    )
    return asset


def instalment_with_conditions(rows):
    instalment = InstalmentFactory()
    for _ in range(rows):
        ReleaseConditionFactory(instalment=instalment)
    return instalment


def committee_with_members(rows):
    committee = CommitteeFactory()
    CommitteeMemberFactory.create_batch(rows, committee=committee)
    return committee


WITH_INLINE_ROWS = {
    Committee: committee_with_members,
    Instalment: instalment_with_conditions,
    Project: project_with_inline_rows,
    Organisation: organisation_with_members,
    Asset: asset_with_disposals,
}

MODELS_WITH_INLINES = [
    model for model in REGISTERED_MODELS if admin.site._registry[model].inlines
]


def test_every_admin_with_inlines_has_a_maker():
    missing = [
        model._meta.label
        for model in MODELS_WITH_INLINES
        if model not in WITH_INLINE_ROWS
    ]
    assert missing == [], f"Add these to WITH_INLINE_ROWS in test_admin.py: {missing}"


@pytest.mark.parametrize("model", MODELS_WITH_INLINES, ids=lambda m: m._meta.label)
def test_change_page_queries_do_not_grow_with_inline_rows(admin_client, model):
    small = WITH_INLINE_ROWS[model](1)
    large = WITH_INLINE_ROWS[model](10)
    admin_client.get(admin_url(model, "change", small.pk))  # warm the caches

    baseline = count_queries(admin_client, admin_url(model, "change", small.pk))
    grown = count_queries(admin_client, admin_url(model, "change", large.pk))

    assert grown == baseline


def inline_management_form(prefix, *, initial):
    return {
        f"{prefix}-TOTAL_FORMS": str(initial),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_a_member_is_added_and_a_role_changed_on_the_organisation_page(
    admin_client,
):
    membership = MembershipFactory(role=Membership.Role.PRINCIPAL_INVESTIGATOR)
    organisation = membership.organisation
    newcomer = UserFactory()
    data = {
        "name": organisation.name,
        "slug": organisation.slug,
        "kind": organisation.kind,
        "state": organisation.state,
        "head_name": organisation.head_name,
        "head_email": organisation.head_email,
        **inline_management_form("memberships", initial=1),
        "memberships-0-id": membership.pk,
        "memberships-0-organisation": organisation.pk,
        "memberships-0-role": Membership.Role.CO_INVESTIGATOR,
        "memberships-0-is_active": "on",
        **inline_management_form("memberships-2", initial=0),
        "memberships-2-TOTAL_FORMS": "1",
        "memberships-2-0-organisation": organisation.pk,
        "memberships-2-0-user": newcomer.pk,
        "memberships-2-0-role": Membership.Role.FINANCE_OFFICER,
        "memberships-2-0-is_active": "on",
    }

    response = admin_client.post(
        admin_url(Organisation, "change", organisation.pk), data
    )

    assert response.status_code == 302, response.context["errors"]
    membership.refresh_from_db()
    assert membership.role == Membership.Role.CO_INVESTIGATOR
    assert organisation.memberships.get(user=newcomer).role == "finance"


def test_accepting_a_submitted_certificate_goes_through_the_rule(
    admin_client, superuser
):
    certificate = UtilisationCertificateFactory(signed=True)
    milestone = MilestoneFactory(
        project=certificate.project,
        kind=Milestone.Kind.UTILISATION_CERTIFICATE,
        status=Milestone.Status.SUBMITTED,
        certificate=certificate,
    )

    response = run_action(
        admin_client, UtilisationCertificate, "accept_selected", certificate
    )

    assert response.status_code == 302
    certificate.refresh_from_db()
    milestone.refresh_from_db()
    assert certificate.status == UtilisationCertificate.Status.ACCEPTED
    assert certificate.decided_by == superuser
    assert milestone.status == Milestone.Status.ACCEPTED
    assert messages_of(response) == [(SUCCESS, "1 certificate accepted.")]


def test_accepting_an_accepted_certificate_reports_an_error_and_changes_nothing(
    admin_client,
):
    decider = UserFactory()
    certificate = UtilisationCertificateFactory(accepted=True, decided_by=decider)

    response = run_action(
        admin_client, UtilisationCertificate, "accept_selected", certificate
    )

    certificate.refresh_from_db()
    assert certificate.status == UtilisationCertificate.Status.ACCEPTED
    assert certificate.decided_by == decider
    assert certificate.decided_on == datetime.date(2025, 5, 12)
    [(level, text)] = messages_of(response)
    assert level == ERROR
    assert text.startswith(f"{certificate}: ")


def test_accepting_a_submitted_report_goes_through_the_rule(admin_client, superuser):
    report = ProgressReportFactory(trl_now=4)

    response = run_action(admin_client, ProgressReport, "accept_selected", report)

    report.refresh_from_db()
    assert report.status == ProgressReport.Status.ACCEPTED
    assert report.decided_by == superuser
    assert report.milestone.status == Milestone.Status.ACCEPTED
    assert report.milestone.project.trl_now == 4
    assert messages_of(response) == [(SUCCESS, "1 report accepted.")]


def test_accepting_an_accepted_report_reports_an_error_and_changes_nothing(
    admin_client,
):
    report = ProgressReportFactory(
        status=ProgressReport.Status.ACCEPTED, decided_on=datetime.date(2025, 11, 3)
    )

    response = run_action(admin_client, ProgressReport, "accept_selected", report)

    report.refresh_from_db()
    assert report.status == ProgressReport.Status.ACCEPTED
    assert report.decided_on == datetime.date(2025, 11, 3)
    assert report.decided_by is None
    [(level, text)] = messages_of(response)
    assert level == ERROR
    assert text.startswith(f"{report}: ")


def test_approving_a_requested_extension_moves_the_end_date(admin_client, superuser):
    extension = ExtensionFactory()
    new_end_on = extension.new_end_on

    response = run_action(admin_client, Extension, "approve_selected", extension)

    extension.refresh_from_db()
    extension.project.refresh_from_db()
    assert extension.status == Extension.Status.APPROVED
    assert extension.decided_by == superuser
    assert extension.project.end_on == new_end_on
    assert extension.project.status == Project.Status.EXTENDED
    assert messages_of(response) == [(SUCCESS, "1 extension approved.")]


def test_approving_an_approved_extension_reports_an_error_and_changes_nothing(
    admin_client,
):
    extension = ExtensionFactory(status=Extension.Status.APPROVED)
    end_on = extension.project.end_on

    response = run_action(admin_client, Extension, "approve_selected", extension)

    extension.refresh_from_db()
    extension.project.refresh_from_db()
    assert extension.status == Extension.Status.APPROVED
    assert extension.decided_by is None
    assert extension.project.end_on == end_on
    [(level, text)] = messages_of(response)
    assert level == ERROR
    assert text.startswith(f"{extension}: ")


def test_an_action_reports_each_refusal_and_still_applies_the_rest(admin_client):
    submitted = UtilisationCertificateFactory(signed=True)
    accepted = UtilisationCertificateFactory(accepted=True)

    response = run_action(
        admin_client, UtilisationCertificate, "accept_selected", submitted, accepted
    )

    submitted.refresh_from_db()
    assert submitted.status == UtilisationCertificate.Status.ACCEPTED
    levels = sorted(level for level, _ in messages_of(response))
    assert levels == [SUCCESS, ERROR]


def test_project_changelist_shows_released_pending_and_the_sanctioned_total(
    admin_client,
):
    project = ProjectFactory(sanctioned_amount=6_000_000)
    InstalmentFactory(project=project, amount=2_000_000, released=True)
    InstalmentFactory(project=project, amount=2_000_000)  # planned, not released
    ProjectFactory(sanctioned_amount=4_000_000)

    response = admin_client.get(admin_url(Project, "changelist"))

    html = response.content.decode()
    assert ">Released<" in html
    assert ">Pending<" in html
    assert "₹\u00a060,00,000" in html
    assert "₹\u00a020,00,000" in html
    assert "₹\u00a040,00,000" in html
    total = "<strong>₹\u00a01,00,00,000</strong>"
    assert f"Sanctioned across the projects listed: {total}" in html


def test_the_sanctioned_total_follows_the_filter(admin_client):
    ProjectFactory(sanctioned_amount=6_000_000, status=Project.Status.ONGOING)
    ProjectFactory(sanctioned_amount=4_000_000)

    response = admin_client.get(
        admin_url(Project, "changelist"), {"status__exact": "ongoing"}
    )

    assert response.context["sanctioned_total"] == "₹\u00a060,00,000"


def test_the_admin_shows_the_illustrative_banner_when_demo_records_exist(
    admin_client,
):
    OrganisationFactory(is_illustrative=True)

    response = admin_client.get(reverse("admin:index"))

    assert "Illustrative data" in response.content.decode()


def test_the_admin_has_no_illustrative_banner_without_demo_records(admin_client):
    OrganisationFactory(is_illustrative=False)

    response = admin_client.get(reverse("admin:index"))

    assert "Illustrative data" not in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/grants/project/"], ids=["index", "changelist"]
)
def test_a_user_who_is_not_staff_is_sent_to_the_admin_login(client, url):
    client.force_login(UserFactory())

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={url}"


def _request_for(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.mark.parametrize(
    ("model", "reason"),
    [(UtilisationCertificate, "return_reason"), (ProgressReport, "review_comment")],
)
def test_a_submission_form_lists_who_submitted_after_its_figures_and_before_the_reason(
    superuser, rf, model, reason
):
    request = rf.get("/")
    request.user = superuser

    fields = list(admin.site._registry[model].get_fields(request))

    at = fields.index("submitted_on")
    assert fields[at : at + 3] == ["submitted_on", "submitted_by", reason]
    assert fields.index("period_end") < at


def test_the_admin_index_names_every_app_in_words(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    for heading in (
        "Two-factor sign-in: authenticator apps",
        "Two-factor sign-in: backup codes",
        "Failed logins and lockouts",
        "Periodic Tasks",
    ):
        assert heading in html
    for raw in ("Otp_Totp", "Otp_Static", ">Axes<"):
        assert raw not in html
