"""Documents: storing them by their content, uploading in the portal, downloading."""

import datetime
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grants import services
from grants.models import (
    Document,
    Membership,
    Milestone,
    ProgressReport,
    UtilisationCertificate,
)
from tests.factories import (
    DocumentFactory,
    InstalmentFactory,
    MembershipFactory,
    MilestoneFactory,
    ProgressReportFactory,
    ProjectFactory,
    UtilisationCertificateFactory,
)
from tests.test_uploads import PDF_BYTES, jpeg_bytes, png_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_project(organisation):
    return ProjectFactory(organisation=organisation)


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# Storing ---------------------------------------------------------------------------


def test_a_document_is_stored_under_a_random_name_with_its_type_from_its_content(
    own_project, grantee, settings
):
    document = services.store_document(
        own_project,
        uploaded_file=SimpleUploadedFile("../../Budget 2025-26.pdf", xlsx_bytes()),
        kind=Document.Kind.STATEMENT_OF_EXPENDITURE,
        uploaded_by=grantee,
        description="  Statement of expenditure  ",
    )

    assert document.original_name == "Budget 2025-26.xlsx"
    assert document.content_type == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert document.size == len(xlsx_bytes())
    assert document.description == "Statement of expenditure"
    assert document.file.name.startswith("documents/")
    assert document.file.name.endswith(".xlsx")
    assert "Budget" not in document.file.name
    assert default_storage.exists(document.file.name)
    media = Path(settings.MEDIA_ROOT).resolve()
    assert (
        Path(default_storage.path(document.file.name)).resolve().is_relative_to(media)
    )


def test_the_media_folder_is_outside_the_web_root_and_the_static_files():
    from django.conf import settings as project_settings

    location = Path(project_settings.STORAGES["default"]["OPTIONS"]["location"])
    static = [Path(folder) for folder in project_settings.STATICFILES_DIRS]
    assert not any(location.resolve().is_relative_to(s.resolve()) for s in static)
    assert not location.resolve().is_relative_to(
        Path(project_settings.STATIC_ROOT).resolve()
    )


def test_a_refused_file_is_not_stored(own_project, grantee, settings):
    with pytest.raises(services.GrantRuleError) as refused:
        services.store_document(
            own_project,
            uploaded_file=SimpleUploadedFile("x.pdf", b"<svg><script/></svg>"),
            kind=Document.Kind.OTHER,
            uploaded_by=grantee,
        )

    assert "its content is an SVG image" in refused.value.message_dict["file"][0]
    assert Document.objects.count() == 0
    assert stored_files(settings) == []


def test_a_signed_certificate_must_be_a_pdf_and_go_against_its_certificate(
    own_project, grantee
):
    certificate = UtilisationCertificateFactory(project=own_project)

    with pytest.raises(services.GrantRuleError) as not_pdf:
        services.store_document(
            own_project,
            uploaded_file=SimpleUploadedFile("signed.jpg", jpeg_bytes()),
            kind=Document.Kind.SIGNED_UC,
            uploaded_by=grantee,
            certificate=certificate,
        )
    with pytest.raises(services.GrantRuleError) as no_certificate:
        services.store_document(
            own_project,
            uploaded_file=SimpleUploadedFile("signed.pdf", PDF_BYTES),
            kind=Document.Kind.SIGNED_UC,
            uploaded_by=grantee,
        )

    assert "only PDF files are accepted" in not_pdf.value.message_dict["file"][0]
    assert "kind" in no_certificate.value.message_dict


def test_a_document_cannot_go_against_another_projects_report(own_project, grantee):
    report = ProgressReportFactory()

    with pytest.raises(services.GrantRuleError):
        services.store_document(
            own_project,
            uploaded_file=SimpleUploadedFile("a.pdf", PDF_BYTES),
            kind=Document.Kind.REPORT_ATTACHMENT,
            uploaded_by=grantee,
            report=report,
        )


def test_a_refused_attachment_leaves_no_report_no_document_and_no_file(
    own_project, grantee, settings
):
    milestone = MilestoneFactory(project=own_project)

    with pytest.raises(services.GrantRuleError) as refused:
        services.submit_report_with_attachments(
            milestone,
            attachments=[
                SimpleUploadedFile("fine.pdf", PDF_BYTES),
                SimpleUploadedFile("evil.pdf", b"MZ" + b"\x00" * 100),
            ],
            period_start=datetime.date(2025, 4, 1),
            period_end=datetime.date(2025, 9, 30),
            narrative="Work done.",
            trl_now=4,
            submitted_on=datetime.date(2025, 10, 20),
            submitted_by=grantee,
        )

    assert "a Windows program" in refused.value.message_dict["attachments"][0]
    assert ProgressReport.objects.count() == 0
    assert Document.objects.count() == 0
    assert stored_files(settings) == []
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.PENDING


def test_a_refused_signed_copy_leaves_no_certificate(own_project, grantee, settings):
    with pytest.raises(services.GrantRuleError) as refused:
        services.submit_certificate_with_signed_copy(
            own_project,
            kind=UtilisationCertificate.Kind.ANNUAL,
            period_start=datetime.date(2024, 4, 1),
            period_end=datetime.date(2025, 3, 31),
            figures=services.CertificateFigures(
                opening_balance=0,
                interest_earned=0,
                interest_remitted=0,
                grant_received=0,
                expenditure=0,
                closing_balance=0,
            ),
            received_instalments=[],
            signed_copy=SimpleUploadedFile("signed.pdf", png_bytes()),
            submitted_on=datetime.date(2025, 4, 20),
            submitted_by=grantee,
        )

    assert "only PDF files" in refused.value.message_dict["signed_copy"][0]
    assert UtilisationCertificate.objects.count() == 0
    assert Document.objects.count() == 0
    assert stored_files(settings) == []


def test_a_co_investigator_cannot_submit_a_certificate_through_the_service(
    own_project,
):
    co_investigator = MembershipFactory(
        organisation=own_project.organisation, role=Membership.Role.CO_INVESTIGATOR
    ).user

    with pytest.raises(services.GrantRuleError, match="Only the principal"):
        services.submit_certificate_with_signed_copy(
            own_project,
            kind=UtilisationCertificate.Kind.ANNUAL,
            period_start=datetime.date(2024, 4, 1),
            period_end=datetime.date(2025, 3, 31),
            figures=services.CertificateFigures(0, 0, 0, 0, 0, 0),
            received_instalments=[],
            signed_copy=SimpleUploadedFile("signed.pdf", PDF_BYTES),
            submitted_on=datetime.date(2025, 4, 20),
            submitted_by=co_investigator,
        )

    assert UtilisationCertificate.objects.count() == 0


def test_a_release_outside_the_period_cannot_be_listed_as_received(
    own_project, grantee
):
    release = InstalmentFactory(
        project=own_project, planned_on=datetime.date(2025, 5, 1), released=True
    )

    with pytest.raises(services.GrantRuleError) as refused:
        services.submit_certificate_with_signed_copy(
            own_project,
            kind=UtilisationCertificate.Kind.ANNUAL,
            period_start=datetime.date(2024, 4, 1),
            period_end=datetime.date(2025, 3, 31),
            figures=services.CertificateFigures(
                0, 0, 0, release.amount, 0, release.amount
            ),
            received_instalments=[release],
            signed_copy=SimpleUploadedFile("signed.pdf", PDF_BYTES),
            submitted_on=datetime.date(2025, 4, 20),
            submitted_by=grantee,
        )

    assert (
        "released on 01 May 2025, after the period ends on 31 Mar 2025"
        in (refused.value.message_dict["received_instalments"][0])
    )


# Uploading in the portal -----------------------------------------------------------


def test_a_member_uploads_a_document_against_the_project(client, grantee, own_project):
    client.force_login(grantee)

    response = client.post(
        reverse("portal:document-upload", args=[own_project.pk]),
        {
            "file": SimpleUploadedFile("site photo.png", png_bytes()),
            "kind": Document.Kind.OTHER,
            "attach_to": "project",
            "description": "Pilot plant, October",
        },
    )

    assert response.status_code == 302
    document = own_project.documents.get()
    assert document.original_name == "site photo.png"
    assert document.uploaded_by == grantee
    assert document.report is None


def test_a_member_uploads_a_document_against_a_report_under_review(
    client, grantee, own_project
):
    report = ProgressReportFactory(milestone=MilestoneFactory(project=own_project))
    client.force_login(grantee)

    client.post(
        reverse("portal:document-upload", args=[own_project.pk]),
        {
            "file": SimpleUploadedFile("annex.pdf", PDF_BYTES),
            "kind": Document.Kind.REPORT_ATTACHMENT,
            "attach_to": f"report-{report.pk}",
        },
    )

    assert report.documents.get().original_name == "annex.pdf"


def test_a_refused_upload_says_why_and_keeps_the_rest_of_the_form(
    client, grantee, own_project
):
    client.force_login(grantee)

    response = client.post(
        reverse("portal:document-upload", args=[own_project.pk]),
        {
            "file": SimpleUploadedFile("minutes.pdf", b"<html>hello</html>"),
            "kind": Document.Kind.OTHER,
            "attach_to": "project",
            "description": "Minutes of the PERC review",
        },
    )

    assert response.status_code == 200
    assert "its content is an HTML page" in response.context["form"].errors["file"][0]
    assert 'value="Minutes of the PERC review"' in response.content.decode()
    assert Document.objects.count() == 0


def test_another_organisations_report_cannot_be_a_target(client, grantee, own_project):
    foreign = ProgressReportFactory()
    client.force_login(grantee)

    response = client.post(
        reverse("portal:document-upload", args=[own_project.pk]),
        {
            "file": SimpleUploadedFile("annex.pdf", PDF_BYTES),
            "kind": Document.Kind.REPORT_ATTACHMENT,
            "attach_to": f"report-{foreign.pk}",
        },
    )

    assert "attach_to" in response.context["form"].errors
    assert Document.objects.count() == 0


def test_a_co_investigator_cannot_attach_files_to_a_certificate(
    client, organisation, own_project
):
    certificate = UtilisationCertificateFactory(project=own_project)
    co_investigator = MembershipFactory(
        organisation=organisation, role=Membership.Role.CO_INVESTIGATOR
    ).user
    client.force_login(co_investigator)

    response = client.post(
        reverse("portal:document-upload", args=[own_project.pk]),
        {
            "file": SimpleUploadedFile("soe.pdf", PDF_BYTES),
            "kind": Document.Kind.STATEMENT_OF_EXPENDITURE,
            "attach_to": f"certificate-{certificate.pk}",
        },
    )

    assert "attach_to" in response.context["form"].errors
    assert Document.objects.count() == 0


# Downloading -----------------------------------------------------------------------


def test_a_member_downloads_their_document_as_an_attachment(
    client, grantee, own_project
):
    document = DocumentFactory(
        project=own_project, original_name="UC 2025-26 (signed).pdf"
    )
    client.force_login(grantee)

    response = client.get(reverse("document-download", args=[document.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n%%EOF\n"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="UC 2025-26 (signed).pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_the_download_name_is_chosen_by_the_server(client, grantee, own_project):
    document = DocumentFactory(
        project=own_project, original_name='../evil"\r\nSet-Cookie: x=1.html'
    )
    client.force_login(grantee)

    response = client.get(reverse("document-download", args=[document.pk]))

    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\r" not in disposition
    assert "\n" not in disposition
    assert disposition.endswith('.pdf"')
    assert ".." not in disposition


def test_a_stored_type_not_uploaded_through_the_checks_goes_out_as_bytes(
    client, grantee, own_project
):
    document = DocumentFactory(project=own_project, content_type="text/html")
    client.force_login(grantee)

    response = client.get(reverse("document-download", args=[document.pk]))

    assert response["Content-Type"] == "application/octet-stream"


def test_another_organisations_document_is_a_404(client, grantee):
    foreign = DocumentFactory()
    client.force_login(grantee)

    assert (
        client.get(reverse("document-download", args=[foreign.pk])).status_code == 404
    )


def test_staff_may_download_any_document(client, staff_user):
    document = DocumentFactory()
    client.force_login(staff_user)

    assert (
        client.get(reverse("document-download", args=[document.pk])).status_code == 200
    )


def test_an_anonymous_visitor_is_sent_to_log_in_before_a_download(client):
    document = DocumentFactory()

    response = client.get(reverse("document-download", args=[document.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_document_whose_file_is_missing_is_a_404(client, grantee, own_project):
    document = DocumentFactory(project=own_project)
    document.file.delete(save=False)
    client.force_login(grantee)

    assert (
        client.get(reverse("document-download", args=[document.pk])).status_code == 404
    )


def test_a_download_cannot_be_posted_to(client, grantee, own_project):
    document = DocumentFactory(project=own_project)
    client.force_login(grantee)

    assert (
        client.post(reverse("document-download", args=[document.pk])).status_code == 405
    )


def test_a_document_uploaded_in_the_portal_can_be_downloaded_back(
    client, grantee, own_project
):
    client.force_login(grantee)
    client.post(
        reverse("portal:document-upload", args=[own_project.pk]),
        {
            "file": SimpleUploadedFile("Scan 01.JPG", jpeg_bytes()),
            "kind": Document.Kind.OTHER,
            "attach_to": "project",
        },
    )
    document = Document.objects.get()

    response = client.get(reverse("document-download", args=[document.pk]))

    assert b"".join(response.streaming_content) == jpeg_bytes()
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'attachment; filename="Scan 01.jpg"'


def test_a_provisional_certificate_lists_every_release_up_to_its_date(
    own_project, grantee
):
    early = InstalmentFactory(
        project=own_project,
        sequence=1,
        planned_on=datetime.date(2024, 3, 27),  # before the project starts
        released=True,
    )

    certificate = services.submit_certificate_with_signed_copy(
        own_project,
        kind=UtilisationCertificate.Kind.PROVISIONAL,
        period_start=own_project.start_on,
        period_end=datetime.date(2025, 1, 31),
        figures=services.CertificateFigures(
            0, 0, 0, early.amount, 1_700_000, early.amount - 1_700_000
        ),
        received_instalments=[early],
        signed_copy=SimpleUploadedFile("signed.pdf", PDF_BYTES),
        submitted_on=datetime.date(2025, 2, 5),
        submitted_by=grantee,
    )

    assert list(certificate.received_instalments.all()) == [early]
    assert certificate.documents.get().kind == Document.Kind.SIGNED_UC
