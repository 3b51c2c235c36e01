"""The register of fixed assets in the portal and the staff workspace."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.models import Asset, AssetDisposal, Document, Membership
from tests.factories import (
    AssetDisposalFactory,
    AssetFactory,
    DocumentFactory,
    MembershipFactory,
    ProjectFactory,
)
from tests.test_uploads import PDF_BYTES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_morning")]


@pytest.fixture
def own_project(organisation, grantee):
    return ProjectFactory(organisation=organisation, ongoing=True)


def asset_with_invoice(project, **fields):
    invoice = DocumentFactory(
        project=project, kind=Document.Kind.ASSET_INVOICE, original_name="bill.pdf"
    )
    return AssetFactory(project=project, invoice=invoice, **fields)


# The portal page ---------------------------------------------------------------------


def test_the_portal_register_lists_gfr_22_columns_in_order_with_the_invoice(
    client, grantee, own_project
):
    asset = asset_with_invoice(own_project, particulars="ICP-OES spectrometer")
    client.force_login(grantee)

    response = client.get(reverse("portal:assets", args=[own_project.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    headings = ["1. Date", "2. Particulars", "3. Supplier", "4. Bill", "5. Cost"]
    positions = [page.index(heading) for heading in headings + ["6. Location"]]
    assert positions == sorted(positions)
    assert "ICP-OES spectrometer" in page
    assert "₹\u00a018,50,000" in page
    assert reverse("document-download", args=[asset.invoice_id]) in page
    assert "Record the asset" in page


def test_another_organisations_register_is_a_404(client, grantee):
    elsewhere = ProjectFactory(ongoing=True)
    AssetFactory(project=elsewhere)
    client.force_login(grantee)
    url = reverse("portal:assets", args=[elsewhere.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "record"}).status_code == 404


def test_another_organisations_invoice_cannot_be_downloaded(client, grantee):
    asset = asset_with_invoice(ProjectFactory())
    client.force_login(grantee)

    response = client.get(reverse("document-download", args=[asset.invoice_id]))

    assert response.status_code == 404


def test_a_grantee_records_an_asset_from_the_portal(client, grantee, own_project):
    client.force_login(grantee)
    url = reverse("portal:assets", args=[own_project.pk])

    response = client.post(
        url,
        {
            "action": "record",
            "acquired_on": "20-01-2025",
            "particulars": "Glovebox",
            "supplier": "Inert Systems, Pune",
            "bill_number": "IS/118",
            "bill_date": "14-01-2025",
            "cost": "9,40,000",
            "location": "Alloy laboratory",
            "invoice_file": io.BytesIO(PDF_BYTES),
        },
    )

    assert response.status_code == 302
    asset = Asset.objects.get()
    assert asset.cost == 940_000
    assert asset.bill_date == datetime.date(2025, 1, 14)
    assert asset.invoice.kind == Document.Kind.ASSET_INVOICE


def test_a_bill_before_the_sanction_is_shown_next_to_its_field(
    client, grantee, own_project
):
    client.force_login(grantee)
    invoice = io.BytesIO(PDF_BYTES)
    invoice.name = "bill.pdf"

    response = client.post(
        reverse("portal:assets", args=[own_project.pk]),
        {
            "action": "record",
            "acquired_on": "20-01-2025",
            "particulars": "Glovebox",
            "supplier": "Inert Systems, Pune",
            "bill_number": "IS/118",
            "bill_date": "01-01-2024",
            "cost": "9,40,000",
            "location": "Alloy laboratory",
            "invoice_file": invoice,
        },
    )

    assert response.status_code == 200
    assert "before the project" in response.context["form"].errors["bill_date"][0]
    assert not Asset.objects.exists()
    assert not Document.objects.exists()


def test_a_grantee_asks_to_dispose_of_an_asset_from_the_portal(
    client, grantee, own_project
):
    asset = AssetFactory(project=own_project)
    client.force_login(grantee)

    response = client.post(
        reverse("portal:assets", args=[own_project.pk]),
        {
            "action": "dispose",
            "asset": asset.pk,
            f"disposal-{asset.pk}-kind": "write_off",
            f"disposal-{asset.pk}-reason": "The torch cracked.",
            f"disposal-{asset.pk}-expected_proceeds": "0",
        },
    )

    assert response.status_code == 302
    disposal = AssetDisposal.objects.get()
    assert disposal.asset == asset
    assert disposal.requested_by == grantee
    page = client.get(response.url).content.decode()
    assert "asked for on 22 Nov 2026: waiting for the ministry's decision" in page


def test_a_co_investigator_reads_the_register_but_cannot_record(
    client, organisation, own_project
):
    co_pi = MembershipFactory(
        organisation=organisation, role=Membership.Role.CO_INVESTIGATOR
    ).user
    client.force_login(co_pi)
    url = reverse("portal:assets", args=[own_project.pk])

    assert "Record the asset" not in client.get(url).content.decode()
    assert client.post(url, {"action": "record"}).status_code == 403


def test_the_portal_project_page_links_to_the_register(client, grantee, own_project):
    client.force_login(grantee)

    page = client.get(reverse("portal:project-detail", args=[own_project.pk]))

    assert reverse("portal:assets", args=[own_project.pk]) in (page.content.decode())


# The staff register -----------------------------------------------------------------


def test_the_staff_register_queries_do_not_grow_with_rows(client, programme_officer):
    client.force_login(programme_officer)
    url = reverse("staff:asset-register")
    asset_with_invoice(ProjectFactory())
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(url).status_code == 200

    for _ in range(5):
        project = ProjectFactory()
        asset_with_invoice(project)
        AssetDisposalFactory(asset=asset_with_invoice(project))
    with CaptureQueriesContext(connection) as grown:
        client.get(url)

    assert len(grown) == len(baseline)


def test_the_staff_register_export_opens_with_its_header_row(client, programme_officer):
    asset = AssetFactory(particulars="Muffle furnace")
    client.force_login(programme_officer)

    response = client.get(reverse("staff:asset-register") + "?_export=csv")

    rows = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))
        )
    )
    assert rows[0][:10] == [
        "Project",
        "Organisation",
        "1. Date",
        "2. Particulars of the asset",
        "3. Supplier's name and address",
        "4. Bill number",
        "4. Bill date",
        "5. Cost of the asset (Rs)",
        "6. Location of the asset",
        "7. Remarks",
    ]
    assert "Disposition" in rows[0]
    assert rows[1][0] == asset.project.reference
    assert rows[1][3] == "Muffle furnace"
    assert rows[1][7] == "1850000"


def test_the_staff_register_filters_by_disposal_state(client, programme_officer):
    AssetFactory(particulars="Kept in use")
    AssetDisposalFactory(asset=AssetFactory(particulars="Asked to write off"))
    client.force_login(programme_officer)

    response = client.get(reverse("staff:asset-register") + "?disposal_state=requested")

    page = response.content.decode()
    assert "Asked to write off" in page
    assert "Kept in use" not in page


def test_the_staff_navigation_links_to_the_register(client, programme_officer):
    client.force_login(programme_officer)

    page = client.get(reverse("staff:dashboard")).content.decode()

    assert reverse("staff:asset-register") in page


# The disposal decision --------------------------------------------------------------


def test_an_officer_approves_a_disposal_from_its_page(client, programme_officer):
    disposal = AssetDisposalFactory()
    client.force_login(programme_officer)
    url = reverse("staff:asset-disposal", args=[disposal.pk])

    assert disposal.reason in client.get(url).content.decode()
    response = client.post(url, {"decided_on": "22-11-2026", "decision": "approve"})

    assert response.status_code == 302
    disposal.refresh_from_db()
    assert disposal.status == AssetDisposal.Status.APPROVED


def test_refusing_without_a_reason_is_shown_on_the_form(client, finance_officer):
    disposal = AssetDisposalFactory()
    client.force_login(finance_officer)

    response = client.post(
        reverse("staff:asset-disposal", args=[disposal.pk]),
        {"decided_on": "22-11-2026", "decision": "refuse", "comment": ""},
    )

    assert response.status_code == 200
    assert "Say why the disposal is refused" in response.content.decode()
    disposal.refresh_from_db()
    assert disposal.status == AssetDisposal.Status.REQUESTED


def test_staff_without_the_permission_cannot_open_the_decision(client, staff_user):
    disposal = AssetDisposalFactory()
    client.force_login(staff_user)

    response = client.get(reverse("staff:asset-disposal", args=[disposal.pk]))

    assert response.status_code == 403
