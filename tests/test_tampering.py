"""A grantee cannot reach another organisation's rows through any portal form field.

Every POST the portal takes is sent with its fields tampered: another
organisation's project, milestone, instalment, certificate, report, document,
budget line, re-appropriation, asset, disposal, organisation or user ids, status
fields, decision fields and amounts only the ministry sets. The answer is a 404
(the URL names someone else's object), a field error (a choice that is not the
member's to make), or the field is ignored (it is not on the form at all). In
every case the other organisation's rows, field by field, and their audit
history are exactly as they were.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grants.models import (
    Asset,
    AssetDisposal,
    BudgetLine,
    Document,
    Extension,
    Instalment,
    Membership,
    Milestone,
    Organisation,
    ProgressReport,
    Project,
    Reappropriation,
    User,
    UtilisationCertificate,
)
from tests.factories import (
    BudgetLineFactory,
    InstalmentFactory,
    MembershipFactory,
    MilestoneFactory,
    ProgressReportFactory,
)
from tests.test_portal_access import build_organisation_world, portal_patterns
from tests.test_uploads import PDF_BYTES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_morning")]

TODAY = datetime.date(2026, 11, 22)


@pytest.fixture
def mine():
    return build_organisation_world()


@pytest.fixture
def theirs():
    world = build_organisation_world()
    world[Instalment] = Instalment.objects.get(project=world[Project])
    world[Organisation] = world[Project].organisation
    return world


def snapshot(world) -> dict:
    """Every row of one organisation, field by field, and how much history it has."""
    project = world[Project]
    organisation = project.organisation
    rows = {
        Organisation: Organisation.objects.filter(pk=organisation.pk),
        Membership: Membership.objects.filter(organisation=organisation),
        User: User.objects.filter(memberships__organisation=organisation),
        Project: Project.objects.filter(pk=project.pk),
        BudgetLine: BudgetLine.objects.filter(project=project),
        Instalment: Instalment.objects.filter(project=project),
        UtilisationCertificate: UtilisationCertificate.objects.filter(project=project),
        Milestone: Milestone.objects.filter(project=project),
        ProgressReport: ProgressReport.objects.filter(milestone__project=project),
        Extension: Extension.objects.filter(project=project),
        Document: Document.objects.filter(project=project),
        Reappropriation: Reappropriation.objects.filter(project=project),
        Asset: Asset.objects.filter(project=project),
        AssetDisposal: AssetDisposal.objects.filter(asset__project=project),
    }
    taken = {
        model.__name__: list(queryset.order_by("pk").values())
        for model, queryset in rows.items()
    }
    received = UtilisationCertificate.received_instalments.through.objects.filter(
        utilisationcertificate__project=project
    )
    taken["received instalments"] = list(received.order_by("pk").values())
    taken["history"] = {
        model.__name__: model.history.filter(id__in=rows[model].values("pk")).count()
        for model in rows
        if hasattr(model, "history")
    }
    return taken


# Progress reports ---------------------------------------------------------------------


def report_fields(**extra):
    return {
        "period_start": "2024-04-01",
        "period_end": "2024-09-30",
        "narrative": "Leaching trials at bench scale completed.",
        "trl_now": "4",
        "publications": "1",
        "patents_filed": "0",
        "prototypes": "0",
        "technologies_transferred": "0",
        "people_trained": "2",
        **extra,
    }


@dataclass(frozen=True)
class Tamper:
    """Fields added to an honest form: ``extra(mine, theirs)`` returns them."""

    id: str
    extra: object

    def fields(self, mine, theirs) -> dict:
        return {name: str(value) for name, value in self.extra(mine, theirs).items()}


def ids(item) -> str:
    return item.id


REPORT_EXTRAS = [
    Tamper("their-milestone", lambda m, t: {"milestone": t[Milestone].pk}),
    Tamper("their-milestone-id", lambda m, t: {"milestone_id": t[Milestone].pk}),
    Tamper("their-project", lambda m, t: {"project": t[Project].pk}),
    Tamper("their-organisation", lambda m, t: {"organisation": t[Organisation].pk}),
    Tamper(
        "their-report-id",
        lambda m, t: {"id": t[ProgressReport].pk, "pk": t[ProgressReport].pk},
    ),
    Tamper("status-accepted", lambda m, t: {"status": "accepted"}),
    Tamper("version", lambda m, t: {"version": 7}),
    Tamper(
        "a-decision",
        lambda m, t: {
            "decided_by": m["user"].pk,
            "decided_on": "2026-01-01",
            "review_comment": "Accepted, by myself.",
        },
    ),
    Tamper(
        "submitted-by-someone-else",
        lambda m, t: {"submitted_by": t["user"].pk, "submitted_on": "2020-01-01"},
    ),
    Tamper(
        "project-figures",
        lambda m, t: {"sanctioned_amount": 999_999_999, "trl_target": 9},
    ),
]


@pytest.mark.parametrize("tamper", REPORT_EXTRAS, ids=ids)
def test_extra_fields_on_a_report_are_ignored_and_the_other_organisation_untouched(
    client, mine, theirs, tamper
):
    client.force_login(mine["user"])
    before = snapshot(theirs)
    own_project = Project.objects.values().get(pk=mine[Project].pk)

    response = client.post(
        reverse("portal:report-submit", args=[mine[Milestone].pk]),
        report_fields(**tamper.fields(mine, theirs)),
    )

    assert response.status_code == 302
    report = ProgressReport.objects.get(milestone=mine[Milestone])
    assert report.version == 1
    assert report.status == ProgressReport.Status.SUBMITTED
    assert report.submitted_by == mine["user"]
    assert report.submitted_on == TODAY
    assert report.decided_by is None
    assert report.decided_on is None
    assert report.review_comment == ""
    assert Project.objects.values().get(pk=mine[Project].pk) == own_project
    assert snapshot(theirs) == before


@pytest.mark.parametrize("whose", ["their-pending-milestone", "their-submitted-report"])
def test_a_report_posted_to_another_organisations_milestone_is_a_404(
    client, mine, theirs, whose
):
    milestone = (
        theirs[Milestone]
        if whose == "their-pending-milestone"
        else theirs[ProgressReport].milestone
    )
    client.force_login(mine["user"])
    before = snapshot(theirs)

    response = client.post(
        reverse("portal:report-submit", args=[milestone.pk]), report_fields()
    )

    assert response.status_code == 404
    assert snapshot(theirs) == before
    assert not ProgressReport.objects.filter(submitted_by=mine["user"]).exists()


def test_a_report_cannot_reopen_the_members_own_decided_milestone(client, mine):
    milestone = mine[ProgressReport].milestone
    Milestone.objects.filter(pk=milestone.pk).update(status=Milestone.Status.ACCEPTED)
    client.force_login(mine["user"])

    response = client.post(
        reverse("portal:report-submit", args=[milestone.pk]),
        report_fields(status="pending"),
    )

    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.ACCEPTED
    assert milestone.reports.count() == 1


# Utilisation certificates -------------------------------------------------------------


def certificate_fields(mine, **extra):
    """A balanced 2024-25 UC: 0 + 0 - 0 + 20,00,000 - 16,00,000 = 4,00,000."""
    released = Instalment.objects.released().get(project=mine[Project])
    return {
        "kind": "annual",
        "period_start": "2024-04-01",
        "period_end": "2025-03-31",
        "opening_balance": "0",
        "interest_earned": "0",
        "interest_remitted": "0",
        "received_instalments": [released.pk],
        "grant_received": "20,00,000",
        "expenditure": "16,00,000",
        "closing_balance": "4,00,000",
        "targets_achieved": "Bench trials done.",
        "signed_copy": signed_pdf(),
        **extra,
    }


def signed_pdf():
    return SimpleUploadedFile("signed.pdf", PDF_BYTES, content_type="application/pdf")


CERTIFICATE_EXTRAS = [
    Tamper("their-project", lambda m, t: {"project": t[Project].pk}),
    Tamper("their-milestone", lambda m, t: {"milestone": t["uc_milestone"].pk}),
    Tamper(
        "their-certificate-id",
        lambda m, t: {
            "id": t[UtilisationCertificate].pk,
            "certificate": t[UtilisationCertificate].pk,
        },
    ),
    Tamper("their-organisation", lambda m, t: {"organisation": t[Organisation].pk}),
    Tamper("status-accepted", lambda m, t: {"status": "accepted"}),
    Tamper(
        "a-decision",
        lambda m, t: {
            "decided_by": m["user"].pk,
            "decided_on": "2026-01-01",
            "return_reason": "",
        },
    ),
    Tamper(
        "submitted-by-someone-else",
        lambda m, t: {"submitted_by": t["user"].pk, "submitted_on": "2020-01-01"},
    ),
    Tamper("fiscal-year", lambda m, t: {"fiscal_year": "1999-00"}),
    Tamper(
        "amounts-only-the-ministry-sets",
        lambda m, t: {
            "sanctioned_amount": 999_999_999,
            "amount": 1,
            "released_on": "2020-01-01",
            "release_order_number": "FORGED/1",
            "funds_available": 1,
            "utilisation_permille": 1000,
        },
    ),
]


def certificate_url(route, world):
    """The two certificate forms: against a milestone, or against the project."""
    if route == "for-a-milestone":
        return reverse(
            "portal:milestone-certificate-submit", args=[world["uc_milestone"].pk]
        )
    return reverse("portal:certificate-submit", args=[world[Project].pk])


CERTIFICATE_ROUTES = ["for-a-milestone", "for-the-project"]


@pytest.mark.parametrize("route", CERTIFICATE_ROUTES)
@pytest.mark.parametrize("tamper", CERTIFICATE_EXTRAS, ids=ids)
def test_extra_fields_on_a_certificate_are_ignored_and_the_other_organisation_untouched(
    client, mine, theirs, tamper, route
):
    client.force_login(mine["user"])
    before = snapshot(theirs)
    instalments = list(Instalment.objects.filter(project=mine[Project]).values())

    response = client.post(
        certificate_url(route, mine),
        certificate_fields(mine, **tamper.fields(mine, theirs)),
    )

    assert response.status_code == 302
    certificate = UtilisationCertificate.objects.get(
        project=mine[Project], fiscal_year="2024-25"
    )
    assert certificate.status == UtilisationCertificate.Status.SUBMITTED
    assert certificate.submitted_by == mine["user"]
    assert certificate.submitted_on == TODAY
    assert certificate.decided_by is None
    assert certificate.decided_on is None
    linked = [mine["uc_milestone"]] if route == "for-a-milestone" else []
    assert list(certificate.milestones.all()) == linked
    assert (
        list(Instalment.objects.filter(project=mine[Project]).values()) == instalments
    )
    assert snapshot(theirs) == before


@dataclass(frozen=True)
class Refused:
    """A field set to a value that is not the member's to choose."""

    id: str
    fields: object  # (mine, theirs) -> dict of fields to override
    field: str
    said: str


CERTIFICATE_REFUSALS = [
    Refused(
        "their-released-instalment",
        lambda m, t: {
            "received_instalments": [t[Instalment].pk],
        },
        "received_instalments",
        "Select a valid choice.",
    ),
    Refused(
        "their-and-my-instalments",
        lambda m, t: {
            "received_instalments": [
                Instalment.objects.released().get(project=m[Project]).pk,
                t[Instalment].pk,
            ],
        },
        "received_instalments",
        "Select a valid choice.",
    ),
    Refused(
        "my-unreleased-instalment",
        lambda m, t: {
            "received_instalments": [
                InstalmentFactory(
                    project=m[Project], sequence=2, planned_on=datetime.date(2025, 1, 1)
                ).pk
            ],
        },
        "received_instalments",
        "Select a valid choice.",
    ),
    Refused(
        "not-an-id",
        lambda m, t: {"received_instalments": ["1 OR 1=1"]},
        "received_instalments",
        "is not a valid value",
    ),
    Refused(
        "unknown-kind",
        lambda m, t: {"kind": "sanctioned"},
        "kind",
        "Select a valid choice.",
    ),
]


@pytest.mark.parametrize("route", CERTIFICATE_ROUTES)
@pytest.mark.parametrize("refused", CERTIFICATE_REFUSALS, ids=ids)
def test_a_certificate_naming_rows_that_are_not_the_members_is_refused(
    client, mine, theirs, refused, route
):
    client.force_login(mine["user"])
    overrides = refused.fields(mine, theirs)
    before = snapshot(theirs)
    own_before = snapshot(mine)

    response = client.post(
        certificate_url(route, mine), certificate_fields(mine, **overrides)
    )

    assert response.status_code == 200
    errors = response.context["form"].errors[refused.field]
    assert any(refused.said in error for error in errors), errors
    assert snapshot(theirs) == before
    assert snapshot(mine) == own_before


@pytest.mark.parametrize(
    "whose", ["their-project", "their-certificate-milestone", "their-report-milestone"]
)
def test_a_certificate_posted_to_another_organisations_page_is_a_404(
    client, mine, theirs, whose
):
    url = {
        "their-project": reverse(
            "portal:certificate-submit", args=[theirs[Project].pk]
        ),
        "their-certificate-milestone": reverse(
            "portal:milestone-certificate-submit", args=[theirs["uc_milestone"].pk]
        ),
        "their-report-milestone": reverse(
            "portal:milestone-certificate-submit", args=[theirs[Milestone].pk]
        ),
    }[whose]
    client.force_login(mine["user"])
    before = snapshot(theirs)
    own_before = snapshot(mine)

    response = client.post(url, certificate_fields(mine))

    assert response.status_code == 404
    assert snapshot(theirs) == before
    assert snapshot(mine) == own_before


# Documents ----------------------------------------------------------------------------


def upload_fields(**extra):
    return {
        "file": SimpleUploadedFile(
            "results.pdf", PDF_BYTES, content_type="application/pdf"
        ),
        "kind": "other",
        "attach_to": "project",
        "description": "Bench trial results",
        **extra,
    }


DOCUMENT_EXTRAS = [
    Tamper("their-project", lambda m, t: {"project": t[Project].pk}),
    Tamper("their-report", lambda m, t: {"report": t[ProgressReport].pk}),
    Tamper(
        "their-certificate", lambda m, t: {"certificate": t[UtilisationCertificate].pk}
    ),
    Tamper(
        "their-document-id", lambda m, t: {"id": t[Document].pk, "pk": t[Document].pk}
    ),
    Tamper("their-organisation", lambda m, t: {"organisation": t[Organisation].pk}),
    Tamper("uploaded-by-someone-else", lambda m, t: {"uploaded_by": t["user"].pk}),
    Tamper(
        "stored-facts",
        lambda m, t: {
            "original_name": "invoice.html",
            "content_type": "text/html",
            "size": 1,
            "uploaded_at": "2020-01-01T00:00:00",
        },
    ),
]


@pytest.mark.parametrize("tamper", DOCUMENT_EXTRAS, ids=ids)
def test_extra_fields_on_an_upload_are_ignored_and_the_other_organisation_untouched(
    client, mine, theirs, tamper
):
    client.force_login(mine["user"])
    before = snapshot(theirs)
    documents_before = set(Document.objects.values_list("pk", flat=True))

    response = client.post(
        reverse("portal:document-upload", args=[mine[Project].pk]),
        upload_fields(**tamper.fields(mine, theirs)),
    )

    assert response.status_code == 302
    document = Document.objects.exclude(pk__in=documents_before).get()
    assert document.project == mine[Project]
    assert document.report is None
    assert document.certificate is None
    assert document.uploaded_by == mine["user"]
    assert document.original_name == "results.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF_BYTES)
    assert snapshot(theirs) == before


def accepted_report(world):
    milestone = MilestoneFactory(project=world[Project], status="accepted")
    return ProgressReportFactory(
        milestone=milestone, status="accepted", decided_on=datetime.date(2026, 1, 5)
    )


DOCUMENT_REFUSALS = [
    Refused(
        "their-report",
        lambda m, t: {"attach_to": f"report-{t[ProgressReport].pk}"},
        "attach_to",
        "Select a valid choice.",
    ),
    Refused(
        "their-certificate",
        lambda m, t: {"attach_to": f"certificate-{t[UtilisationCertificate].pk}"},
        "attach_to",
        "Select a valid choice.",
    ),
    Refused(
        "my-decided-report",
        lambda m, t: {"attach_to": f"report-{accepted_report(m).pk}"},
        "attach_to",
        "Select a valid choice.",
    ),
    Refused(
        "a-kind-only-the-ministry-uploads",
        lambda m, t: {"kind": "sanction_order"},
        "kind",
        "Select a valid choice.",
    ),
    Refused(
        "a-server-path-instead-of-a-file",
        lambda m, t: {"file": "/etc/passwd"},
        "file",
        "Choose the file to upload.",
    ),
]


@pytest.mark.parametrize("refused", DOCUMENT_REFUSALS, ids=ids)
def test_an_upload_aimed_at_rows_that_are_not_the_members_is_refused(
    client, mine, theirs, refused
):
    client.force_login(mine["user"])
    overrides = refused.fields(mine, theirs)
    before = snapshot(theirs)
    own_before = snapshot(mine)

    response = client.post(
        reverse("portal:document-upload", args=[mine[Project].pk]),
        upload_fields(**overrides),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors[refused.field]
    assert any(refused.said in error for error in errors), errors
    assert snapshot(theirs) == before
    assert snapshot(mine) == own_before


def test_an_upload_posted_to_another_organisations_project_is_a_404(
    client, mine, theirs
):
    client.force_login(mine["user"])
    before = snapshot(theirs)

    response = client.post(
        reverse("portal:document-upload", args=[theirs[Project].pk]),
        upload_fields(attach_to=f"report-{theirs[ProgressReport].pk}"),
    )

    assert response.status_code == 404
    assert snapshot(theirs) == before


# Roles --------------------------------------------------------------------------------


def test_a_co_investigator_cannot_claim_a_role_to_submit_a_certificate(client, mine):
    co_investigator = MembershipFactory(
        organisation=mine[Project].organisation, role=Membership.Role.CO_INVESTIGATOR
    ).user
    client.force_login(co_investigator)
    own_before = snapshot(mine)

    response = client.post(
        reverse("portal:milestone-certificate-submit", args=[mine["uc_milestone"].pk]),
        certificate_fields(mine, role="pi", is_staff="on", user=mine["user"].pk),
    )

    assert response.status_code == 403
    assert snapshot(mine) == own_before
    assert not co_investigator.memberships.filter(role="pi").exists()


# Extension requests -------------------------------------------------------------------


def extension_fields(**extra):
    return {"new_end_on": "2030-03-31", "reason": "The furnace came late.", **extra}


def test_an_extension_asked_for_another_organisations_project_is_a_404(
    client, mine, theirs
):
    client.force_login(mine["user"])
    before = snapshot(theirs)

    response = client.post(
        reverse("portal:extension-request", args=[theirs[Project].pk]),
        extension_fields(),
    )

    assert response.status_code == 404
    assert snapshot(theirs) == before


def test_an_extension_request_cannot_approve_itself_or_name_its_own_dates(
    client, mine, theirs
):
    client.force_login(mine["user"])
    project = mine[Project]
    before = snapshot(theirs)

    client.post(
        reverse("portal:extension-request", args=[project.pk]),
        extension_fields(
            status="approved",
            previous_end_on="2020-01-01",
            decided_by=mine["user"].pk,
            decided_on="2026-11-22",
            requested_by=theirs["user"].pk,
            project=theirs[Project].pk,
        ),
    )

    extension = Extension.objects.get(project=project)
    assert extension.status == Extension.Status.REQUESTED
    assert extension.previous_end_on == project.end_on
    assert extension.decided_by is None
    assert extension.requested_by == mine["user"]
    assert snapshot(theirs) == before
    project.refresh_from_db()
    assert project.end_on == extension.previous_end_on


# Re-appropriation requests ------------------------------------------------------------


def reappropriation_fields(**extra):
    """Move Rs 5,00,000 from equipment, year 1 (Rs 30,00,000): above the 10% line."""
    return {
        "from_head": "equipment",
        "from_year": "1",
        "to_head": "consumables",
        "to_year": "2",
        "amount": "5,00,000",
        "reason": "The reagents cost more than quoted.",
        **extra,
    }


def test_a_reappropriation_asked_for_another_organisations_project_is_a_404(
    client, mine, theirs
):
    client.force_login(mine["user"])
    before = snapshot(theirs)

    response = client.post(
        reverse("portal:reappropriations", args=[theirs[Project].pk]),
        reappropriation_fields(project=mine[Project].pk),
    )

    assert response.status_code == 404
    assert snapshot(theirs) == before
    assert not Reappropriation.objects.filter(requested_by=mine["user"]).exists()


REAPPROPRIATION_EXTRAS = [
    Tamper(
        "their-project",
        lambda m, t: {"project": t[Project].pk, "project_id": t[Project].pk},
    ),
    Tamper("their-organisation", lambda m, t: {"organisation": t[Organisation].pk}),
    Tamper(
        "their-request-id",
        lambda m, t: {
            "id": t[Reappropriation].pk,
            "pk": t[Reappropriation].pk,
            "reappropriation": t[Reappropriation].pk,
        },
    ),
    Tamper("status-approved", lambda m, t: {"status": "approved"}),
    Tamper(
        "a-decision",
        lambda m, t: {
            "decided_by": m["user"].pk,
            "decided_on": "2026-11-22",
            "decision_comment": "Approved, by myself.",
        },
    ),
    Tamper("needs-no-finance", lambda m, t: {"needs_finance": False}),
    Tamper(
        "requested-by-someone-else",
        lambda m, t: {"requested_by": t["user"].pk, "requested_on": "2020-01-01"},
    ),
    Tamper(
        "their-budget-lines",
        lambda m, t: {
            "budget_line": t[BudgetLine].pk,
            "from_line": t[BudgetLine].pk,
            "to_line": t[BudgetLine].pk,
        },
    ),
    Tamper(
        "amounts-only-the-ministry-sets",
        lambda m, t: {"sanctioned_amount": 999_999_999, "line_amount": 1},
    ),
]


@pytest.mark.parametrize("tamper", REAPPROPRIATION_EXTRAS, ids=ids)
def test_extra_fields_on_a_reappropriation_are_ignored_and_theirs_untouched(
    client, mine, theirs, tamper
):
    client.force_login(mine["user"])
    before = snapshot(theirs)
    lines = list(BudgetLine.objects.filter(project=mine[Project]).values())

    response = client.post(
        reverse("portal:reappropriations", args=[mine[Project].pk]),
        reappropriation_fields(**tamper.fields(mine, theirs)),
    )

    assert response.status_code == 302
    asked = Reappropriation.objects.exclude(
        pk__in=[mine[Reappropriation].pk, theirs[Reappropriation].pk]
    ).get()
    assert asked.project == mine[Project]
    assert (asked.from_head, asked.from_year) == ("equipment", 1)
    assert (asked.to_head, asked.to_year) == ("consumables", 2)
    assert asked.amount == 500_000
    assert asked.status == Reappropriation.Status.REQUESTED
    assert asked.needs_finance is True
    assert asked.decided_by is None
    assert asked.decided_on is None
    assert asked.decision_comment == ""
    assert asked.requested_by == mine["user"]
    assert asked.requested_on == TODAY
    # Asking moves nothing, here or there.
    assert list(BudgetLine.objects.filter(project=mine[Project]).values()) == lines
    assert snapshot(theirs) == before


def a_line_only_they_have(theirs):
    BudgetLineFactory(
        project=theirs[Project], head="travel", project_year=1, amount=2_000_000
    )
    return {"from_head": "travel", "from_year": "1", "amount": "1,00,000"}


def their_equipment_line_holds_more(theirs):
    BudgetLine.objects.filter(pk=theirs[BudgetLine].pk).update(amount=5_000_000)
    return {"amount": "40,00,000"}


REAPPROPRIATION_REFUSALS = [
    Refused(
        "a-line-only-their-project-has",
        lambda m, t: a_line_only_they_have(t),
        "from_head",
        "has no line for travel, year 1",
    ),
    Refused(
        "more-than-my-line-though-their-line-holds-it",
        lambda m, t: their_equipment_line_holds_more(t),
        "amount",
        "cannot give",
    ),
    Refused(
        "a-year-the-project-does-not-have",
        lambda m, t: {"from_year": "9"},
        "from_year",
        "Select a valid choice.",
    ),
    Refused(
        "to-a-year-the-project-does-not-have",
        lambda m, t: {"to_year": "9"},
        "to_year",
        "Select a valid choice.",
    ),
    Refused(
        "not-a-year",
        lambda m, t: {"from_year": "1 OR 1=1"},
        "from_year",
        "Select a valid choice.",
    ),
    Refused(
        "unknown-head",
        lambda m, t: {"from_head": "sanctioned"},
        "from_head",
        "Select a valid choice.",
    ),
    Refused(
        "a-negative-amount",
        lambda m, t: {"amount": "-5,00,000"},
        "amount",
        "cannot be negative",
    ),
]


@pytest.mark.parametrize("refused", REAPPROPRIATION_REFUSALS, ids=ids)
def test_a_reappropriation_naming_lines_that_are_not_the_members_is_refused(
    client, mine, theirs, refused
):
    client.force_login(mine["user"])
    overrides = refused.fields(mine, theirs)
    before = snapshot(theirs)
    own_before = snapshot(mine)

    response = client.post(
        reverse("portal:reappropriations", args=[mine[Project].pk]),
        reappropriation_fields(**overrides),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors[refused.field]
    assert any(refused.said in error for error in errors), errors
    assert snapshot(theirs) == before
    assert snapshot(mine) == own_before


# The register of assets ---------------------------------------------------------------


def invoice_pdf():
    return SimpleUploadedFile("bill.pdf", PDF_BYTES, content_type="application/pdf")


def asset_fields(**extra):
    """One honest row of Form GFR-22, with its invoice."""
    return {
        "action": "record",
        "acquired_on": "20-01-2025",
        "particulars": "Glovebox",
        "supplier": "Inert Systems, Pune",
        "bill_number": "IS/118",
        "bill_date": "14-01-2025",
        "cost": "9,40,000",
        "location": "Alloy laboratory",
        "invoice_file": invoice_pdf(),
        **extra,
    }


def disposal_fields(asset_pk, *, prefix_pk=None, **extra):
    """Ask to sell an asset; the form's fields carry the asset's prefix."""
    prefix = f"disposal-{asset_pk if prefix_pk is None else prefix_pk}"
    return {
        "action": "dispose",
        "asset": asset_pk,
        f"{prefix}-kind": "sale",
        f"{prefix}-reason": "Beyond economic repair; a dealer offers Rs 1,00,000.",
        f"{prefix}-expected_proceeds": "1,00,000",
        **extra,
    }


def prefixed_too(asset, extra: dict) -> dict:
    """Each extra field, bare and with the disposal form's prefix."""
    return {**extra, **{f"disposal-{asset.pk}-{k}": v for k, v in extra.items()}}


@pytest.mark.parametrize("action", ["record", "dispose"])
def test_the_register_of_another_organisations_project_is_a_404(
    client, mine, theirs, action
):
    client.force_login(mine["user"])
    before = snapshot(theirs)
    documents = Document.objects.count()
    fields = asset_fields() if action == "record" else disposal_fields(theirs[Asset].pk)

    response = client.post(reverse("portal:assets", args=[theirs[Project].pk]), fields)

    assert response.status_code == 404
    assert snapshot(theirs) == before
    assert Document.objects.count() == documents
    assert not Asset.objects.filter(recorded_by=mine["user"]).exists()
    assert not AssetDisposal.objects.filter(requested_by=mine["user"]).exists()


ASSET_EXTRAS = [
    Tamper(
        "their-project",
        lambda m, t: {"project": t[Project].pk, "project_id": t[Project].pk},
    ),
    Tamper("their-organisation", lambda m, t: {"organisation": t[Organisation].pk}),
    Tamper(
        "their-asset-id",
        lambda m, t: {"id": t[Asset].pk, "pk": t[Asset].pk, "asset": t[Asset].pk},
    ),
    Tamper(
        "their-invoice",
        lambda m, t: {"invoice": t[Asset].invoice_id, "invoice_id": t[Document].pk},
    ),
    Tamper(
        "their-budget-line-by-id", lambda m, t: {"budget_line_id": t[BudgetLine].pk}
    ),
    Tamper(
        "recorded-by-someone-else",
        lambda m, t: {"recorded_by": t["user"].pk, "recorded_on": "2020-01-01"},
    ),
    Tamper(
        "a-disposition",
        lambda m, t: {
            "disposition": "sold",
            "sale_proceeds": "9,99,999",
            "disposed_on": "22-11-2026",
            "disposition_note": "Sold to myself.",
        },
    ),
    Tamper(
        "a-decision",
        lambda m, t: {
            "status": "approved",
            "decided_by": m["user"].pk,
            "decided_on": "22-11-2026",
        },
    ),
    Tamper("an-unknown-action", lambda m, t: {"action": "approve"}),
]


@pytest.mark.parametrize("tamper", ASSET_EXTRAS, ids=ids)
def test_extra_fields_on_an_asset_are_ignored_and_the_other_organisation_untouched(
    client, mine, theirs, tamper
):
    client.force_login(mine["user"])
    before = snapshot(theirs)
    assets_before = list(Asset.objects.values_list("pk", flat=True))
    documents_before = list(Document.objects.values_list("pk", flat=True))
    own_assets = list(Asset.objects.filter(project=mine[Project]).values())

    response = client.post(
        reverse("portal:assets", args=[mine[Project].pk]),
        asset_fields(**tamper.fields(mine, theirs)),
    )

    assert response.status_code == 302
    asset = Asset.objects.exclude(pk__in=assets_before).get()
    assert asset.project == mine[Project]
    assert asset.particulars == "Glovebox"
    assert asset.cost == 940_000
    assert asset.budget_line is None
    assert asset.recorded_by == mine["user"]
    assert asset.recorded_on == TODAY
    assert asset.disposition == ""
    assert asset.sale_proceeds == 0
    assert asset.disposed_on is None
    assert asset.disposition_note == ""
    assert not asset.disposals.exists()
    invoice = Document.objects.exclude(pk__in=documents_before).get()
    assert asset.invoice == invoice
    assert invoice.project == mine[Project]
    assert invoice.kind == Document.Kind.ASSET_INVOICE
    assert invoice.uploaded_by == mine["user"]
    assert (
        list(Asset.objects.filter(pk__in=assets_before, project=mine[Project]).values())
        == own_assets
    )
    assert snapshot(theirs) == before


ASSET_REFUSALS = [
    Refused(
        "their-budget-line",
        lambda m, t: {"budget_line": t[BudgetLine].pk},
        "budget_line",
        "Select a valid choice.",
    ),
    Refused(
        "not-a-budget-line",
        lambda m, t: {"budget_line": "1 OR 1=1"},
        "budget_line",
        "Select a valid choice.",
    ),
    Refused(
        "a-server-path-instead-of-an-invoice",
        lambda m, t: {"invoice_file": "/etc/passwd"},
        "invoice_file",
        "Choose the invoice to upload.",
    ),
]


@pytest.mark.parametrize("refused", ASSET_REFUSALS, ids=ids)
def test_an_asset_naming_rows_that_are_not_the_members_is_refused(
    client, mine, theirs, refused
):
    client.force_login(mine["user"])
    overrides = refused.fields(mine, theirs)
    before = snapshot(theirs)
    own_before = snapshot(mine)

    response = client.post(
        reverse("portal:assets", args=[mine[Project].pk]), asset_fields(**overrides)
    )

    assert response.status_code == 200
    errors = response.context["form"].errors[refused.field]
    assert any(refused.said in error for error in errors), errors
    assert snapshot(theirs) == before
    assert snapshot(mine) == own_before


DISPOSAL_EXTRAS = [
    Tamper(
        "their-project",
        lambda m, t: {"project": t[Project].pk, "project_id": t[Project].pk},
    ),
    Tamper("their-organisation", lambda m, t: {"organisation": t[Organisation].pk}),
    Tamper(
        "their-asset-under-other-names",
        lambda m, t: {"asset_id": t[Asset].pk, "target": t[Asset].pk},
    ),
    Tamper(
        "their-disposal-id",
        lambda m, t: {
            "id": t[AssetDisposal].pk,
            "pk": t[AssetDisposal].pk,
            "disposal": t[AssetDisposal].pk,
        },
    ),
    Tamper("status-approved", lambda m, t: {"status": "approved"}),
    Tamper(
        "a-decision",
        lambda m, t: {
            "decided_by": m["user"].pk,
            "decided_on": "22-11-2026",
            "decision_comment": "Approved, by myself.",
        },
    ),
    Tamper(
        "requested-by-someone-else",
        lambda m, t: {"requested_by": t["user"].pk, "requested_on": "01-01-2020"},
    ),
    Tamper(
        "the-assets-disposition",
        lambda m, t: {
            "disposition": "sold",
            "sale_proceeds": "9,99,999",
            "disposed_on": "22-11-2026",
            "disposition_note": "Sold to myself.",
        },
    ),
    Tamper(
        "recorded-by-someone-else",
        lambda m, t: {"recorded_by": t["user"].pk, "cost": "1"},
    ),
]


@pytest.mark.parametrize("tamper", DISPOSAL_EXTRAS, ids=ids)
def test_extra_fields_on_a_disposal_are_ignored_and_the_other_organisation_untouched(
    client, mine, theirs, tamper
):
    asset = mine[Asset]
    client.force_login(mine["user"])
    before = snapshot(theirs)
    asset_before = Asset.objects.values().get(pk=asset.pk)

    response = client.post(
        reverse("portal:assets", args=[mine[Project].pk]),
        disposal_fields(asset.pk, **prefixed_too(asset, tamper.fields(mine, theirs))),
    )

    assert response.status_code == 302
    disposal = AssetDisposal.objects.get(asset=asset)
    assert disposal.kind == AssetDisposal.Kind.SALE
    assert disposal.expected_proceeds == 100_000
    assert disposal.status == AssetDisposal.Status.REQUESTED
    assert disposal.decided_by is None
    assert disposal.decided_on is None
    assert disposal.decision_comment == ""
    assert disposal.requested_by == mine["user"]
    assert disposal.requested_on == TODAY
    # Nothing leaves the register until the ministry approves.
    assert Asset.objects.values().get(pk=asset.pk) == asset_before
    assert snapshot(theirs) == before


def without_asset(fields):
    fields.pop("asset")
    return fields


DISPOSAL_TARGETS = [
    pytest.param(lambda m, t: disposal_fields(t[Asset].pk), id="their-asset"),
    pytest.param(
        lambda m, t: disposal_fields(t[Asset].pk, prefix_pk=m[Asset].pk),
        id="their-asset-with-my-assets-fields",
    ),
    pytest.param(
        lambda m, t: disposal_fields(t[AssetDisposal].asset_id),
        id="their-asset-already-asked-about",
    ),
    pytest.param(
        lambda m, t: {
            **disposal_fields(t[Asset].pk),
            "asset": [m[Asset].pk, t[Asset].pk],
        },
        id="mine-then-theirs",
    ),
    pytest.param(
        lambda m, t: disposal_fields(Asset.objects.order_by("-pk")[0].pk + 1000),
        id="an-asset-that-does-not-exist",
    ),
    pytest.param(
        lambda m, t: without_asset(disposal_fields(m[Asset].pk)), id="no-asset-field"
    ),
    pytest.param(
        lambda m, t: disposal_fields("", prefix_pk=m[Asset].pk),
        id="an-empty-asset",
    ),
    pytest.param(
        lambda m, t: disposal_fields(f"{t[Asset].pk} OR 1=1", prefix_pk=t[Asset].pk),
        id="not-an-id",
    ),
]


@pytest.mark.parametrize("fields", DISPOSAL_TARGETS)
def test_a_disposal_of_an_asset_that_is_not_the_members_is_refused(
    client, mine, theirs, fields
):
    client.force_login(mine["user"])
    before = snapshot(theirs)
    own_before = snapshot(mine)

    response = client.post(
        reverse("portal:assets", args=[mine[Project].pk]), fields(mine, theirs)
    )

    assert response.status_code == 404
    assert snapshot(theirs) == before
    assert snapshot(mine) == own_before
    assert not AssetDisposal.objects.filter(requested_by=mine["user"]).exists()


def a_co_investigator(mine, theirs):
    return MembershipFactory(
        organisation=mine[Project].organisation, role=Membership.Role.CO_INVESTIGATOR
    ).user


def their_pi_and_my_co_investigator(mine, theirs):
    """Keeps their register; only a co-investigator here."""
    MembershipFactory(
        user=theirs["user"],
        organisation=mine[Project].organisation,
        role=Membership.Role.CO_INVESTIGATOR,
    )
    return theirs["user"]


@pytest.mark.parametrize(
    "member",
    [a_co_investigator, their_pi_and_my_co_investigator],
    ids=lambda f: f.__name__,
)
@pytest.mark.parametrize("action", ["record", "dispose"])
def test_a_member_who_does_not_keep_the_register_cannot_claim_a_role_to_write_it(
    client, mine, theirs, member, action
):
    user = member(mine, theirs)
    client.force_login(user)
    own_before = snapshot(mine)
    before = snapshot(theirs)
    claims = {"role": "pi", "is_staff": "on", "user": mine["user"].pk}
    fields = (
        asset_fields(**claims)
        if action == "record"
        else disposal_fields(mine[Asset].pk, **claims)
    )

    response = client.post(reverse("portal:assets", args=[mine[Project].pk]), fields)

    assert response.status_code == 403
    assert snapshot(mine) == own_before
    assert snapshot(theirs) == before
    assert not user.memberships.filter(
        organisation=mine[Project].organisation, role="pi"
    ).exists()


@pytest.mark.parametrize("name", ["reappropriations", "assets"])
def test_a_former_member_cannot_write_to_the_new_pages(client, mine, name):
    Membership.objects.filter(user=mine["user"]).update(is_active=False)
    client.force_login(mine["user"])
    own_before = snapshot(mine)
    fields = reappropriation_fields() if name == "reappropriations" else asset_fields()

    response = client.post(reverse(f"portal:{name}", args=[mine[Project].pk]), fields)

    assert response.status_code == 404
    assert snapshot(mine) == own_before


# Calendar -----------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["create", "regenerate", "revoke"])
def test_the_calendar_form_only_ever_changes_the_members_own_address(
    client, mine, theirs, action
):
    client.force_login(mine["user"])
    their_token = theirs["user"].calendar_token
    my_token = mine["user"].calendar_token

    response = client.post(
        reverse("portal:calendar"),
        {
            "action": action,
            "user": theirs["user"].pk,
            "user_id": theirs["user"].pk,
            "pk": theirs["user"].pk,
            "calendar_token": "chosen-by-the-member",
            "is_staff": "on",
        },
    )

    assert response.status_code == 302
    theirs["user"].refresh_from_db()
    mine["user"].refresh_from_db()
    assert theirs["user"].calendar_token == their_token
    assert mine["user"].calendar_token != my_token
    assert mine["user"].calendar_token != "chosen-by-the-member"
    assert not mine["user"].is_staff


# Pages that take no POST --------------------------------------------------------------

READ_ONLY_PAGES = [
    ("home", lambda w: reverse("portal:home")),
    (
        "project-detail",
        lambda w: reverse("portal:project-detail", args=[w[Project].pk]),
    ),
    (
        "report-detail",
        lambda w: reverse("portal:report-detail", args=[w[ProgressReport].pk]),
    ),
    (
        "certificate-detail",
        lambda w: reverse(
            "portal:certificate-detail", args=[w[UtilisationCertificate].pk]
        ),
    ),
]


@pytest.mark.parametrize(
    ("name", "url_of"), READ_ONLY_PAGES, ids=[p[0] for p in READ_ONLY_PAGES]
)
def test_a_tampered_post_to_a_page_that_only_shows_is_refused(
    client, mine, theirs, name, url_of
):
    client.force_login(mine["user"])
    own_before = snapshot(mine)
    before = snapshot(theirs)

    response = client.post(
        url_of(mine),
        {
            "status": "accepted",
            "accepted_by": mine["user"].pk,
            "organisation": theirs[Organisation].pk,
            "sanctioned_amount": 1,
            "trl_now": 9,
        },
    )

    assert response.status_code == 405
    assert snapshot(mine) == own_before
    assert snapshot(theirs) == before


def test_every_portal_post_is_covered_here():
    """A new portal form must be added to these tamper tests."""
    takes_post = {
        name
        for name, _kwargs, view_class in portal_patterns()
        if view_class is not None and hasattr(view_class, "post")
    }

    assert takes_post == {
        "report-submit",
        "certificate-submit",
        "milestone-certificate-submit",
        "document-upload",
        "extension-request",
        "reappropriations",
        "assets",
        "calendar",
    }
