"""The register of fixed assets (Form GFR-22) and disposals with the ministry's prior
approval (GFR 230(9), 233)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grants import services
from grants.models import (
    Asset,
    AssetDisposal,
    BudgetLine,
    Document,
    Membership,
    Notice,
    Project,
)
from grants.services import GrantRuleError
from grants.services.notices import build_notice_email
from tests.factories import (
    AssetDisposalFactory,
    AssetFactory,
    BudgetLineFactory,
    MembershipFactory,
    ProjectFactory,
    StaffUserFactory,
)
from tests.test_uploads import PDF_BYTES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_morning")]

TODAY = datetime.date(2026, 11, 22)


@pytest.fixture
def keeper_project(organisation, grantee):
    """An ongoing project of the grantee's organisation, sanctioned 12 Mar 2024."""
    return ProjectFactory(organisation=organisation, ongoing=True)


def invoice(data=PDF_BYTES, name="invoice.pdf"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def record(project, user, **overrides):
    terms = {
        "acquired_on": datetime.date(2025, 1, 20),
        "particulars": "ICP-OES spectrometer",
        "supplier": "Analytica Instruments, Bhubaneswar",
        "bill_number": "AI/24-25/0412",
        "bill_date": datetime.date(2025, 1, 14),
        "cost": 1_850_000,
        "location": "Hydrometallurgy laboratory",
        "remarks": "",
        "budget_line": None,
        "invoice_file": invoice(),
        "recorded_on": TODAY,
        "recorded_by": user,
    }
    terms.update(overrides)
    return services.record_asset(project, **terms)


# Recording an asset -------------------------------------------------------------


def test_a_grantee_records_an_asset_with_its_invoice_kept_as_a_document(
    keeper_project, grantee
):
    line = BudgetLineFactory(project=keeper_project, head=BudgetLine.Head.EQUIPMENT)

    asset = record(keeper_project, grantee, budget_line=line)

    asset.refresh_from_db()
    assert asset.project == keeper_project
    assert asset.cost == 1_850_000
    assert asset.budget_line == line
    assert asset.recorded_by == grantee
    assert asset.invoice.kind == Document.Kind.ASSET_INVOICE
    assert asset.invoice.project == keeper_project
    assert asset.invoice.original_name == "invoice.pdf"
    assert asset.history.get().history_change_reason.startswith(
        "Recorded: bill AI/24-25/0412"
    )


def test_a_bill_dated_before_the_sanction_is_refused(keeper_project, grantee):
    with pytest.raises(GrantRuleError) as error:
        record(keeper_project, grantee, bill_date=datetime.date(2024, 3, 11))

    [message] = error.value.message_dict["bill_date"]
    assert "before the project's sanction of 12 Mar 2024" in message
    assert "230(15)" in message
    assert not Asset.objects.exists()
    assert not Document.objects.exists()


def test_a_bill_dated_on_the_sanction_day_is_accepted(keeper_project, grantee):
    record(keeper_project, grantee, bill_date=datetime.date(2024, 3, 12))

    assert Asset.objects.count() == 1


def test_a_bill_dated_after_today_is_refused(keeper_project, grantee):
    with pytest.raises(GrantRuleError) as error:
        record(keeper_project, grantee, bill_date=TODAY + datetime.timedelta(days=1))

    assert "after today" in error.value.message_dict["bill_date"][0]
    assert not Asset.objects.exists()


@pytest.mark.parametrize("cost", [0, -1])
def test_an_asset_must_cost_more_than_nothing(keeper_project, grantee, cost):
    with pytest.raises(GrantRuleError) as error:
        record(keeper_project, grantee, cost=cost)

    assert "above zero" in error.value.message_dict["cost"][0]


def test_a_budget_line_of_another_project_is_refused(keeper_project, grantee):
    elsewhere = BudgetLineFactory(head=BudgetLine.Head.EQUIPMENT)

    with pytest.raises(GrantRuleError) as error:
        record(keeper_project, grantee, budget_line=elsewhere)

    assert "another project" in error.value.message_dict["budget_line"][0]


def test_a_closed_projects_register_is_final(keeper_project, grantee):
    Project.objects.filter(pk=keeper_project.pk).update(
        status=Project.Status.CLOSED, closed_on=datetime.date(2026, 10, 1)
    )
    keeper_project.refresh_from_db()

    with pytest.raises(GrantRuleError) as error:
        record(keeper_project, grantee)

    assert "is closed" in " ".join(error.value.messages)


def test_a_refused_invoice_keeps_neither_asset_nor_file(keeper_project, grantee):
    page = b"<html><script>alert(1)</script></html>"

    with pytest.raises(GrantRuleError) as error:
        record(keeper_project, grantee, invoice_file=invoice(page, "invoice.pdf"))

    assert "invoice_file" in error.value.message_dict
    assert not Asset.objects.exists()
    assert not Document.objects.exists()


def test_a_co_investigator_cannot_record_an_asset(keeper_project, organisation):
    co_pi = MembershipFactory(
        organisation=organisation, role=Membership.Role.CO_INVESTIGATOR
    ).user

    with pytest.raises(GrantRuleError) as error:
        record(keeper_project, co_pi)

    assert "principal investigator or the finance officer" in error.value.messages[0]
    assert not Asset.objects.exists()


def test_a_member_of_another_organisation_cannot_record_an_asset(grantee):
    with pytest.raises(GrantRuleError):
        record(ProjectFactory(ongoing=True), grantee)


# Asking to dispose of an asset ------------------------------------------------------


def ask(asset, user, **overrides):
    terms = {
        "kind": AssetDisposal.Kind.SALE,
        "reason": "Replaced by a newer model.",
        "expected_proceeds": 300_000,
        "requested_on": TODAY,
        "requested_by": user,
    }
    terms.update(overrides)
    return services.request_disposal(asset, **terms)


def test_a_grantee_asks_to_dispose_of_an_asset(keeper_project, grantee):
    asset = AssetFactory(project=keeper_project)

    disposal = ask(asset, grantee)

    assert disposal.status == AssetDisposal.Status.REQUESTED
    assert disposal.expected_proceeds == 300_000
    assert disposal.requested_by == grantee


def test_one_disposal_request_at_a_time(keeper_project, grantee):
    asset = AssetFactory(project=keeper_project)
    ask(asset, grantee)

    with pytest.raises(GrantRuleError) as error:
        ask(asset, grantee, kind=AssetDisposal.Kind.WRITE_OFF, expected_proceeds=0)

    assert "one request at a time" in error.value.messages[0]
    assert asset.disposals.count() == 1


def test_an_asset_already_disposed_of_cannot_be_asked_for_again(
    keeper_project, grantee
):
    asset = AssetFactory(
        project=keeper_project,
        disposition=Asset.Disposition.TRANSFERRED,
        disposed_on=datetime.date(2026, 5, 1),
    )

    with pytest.raises(GrantRuleError) as error:
        ask(asset, grantee)

    assert "already disposed of on 01 May 2026" in error.value.messages[0]


def test_a_sale_says_what_it_should_bring_and_nothing_else_brings_proceeds(
    keeper_project, grantee
):
    asset = AssetFactory(project=keeper_project)

    with pytest.raises(GrantRuleError) as sale:
        ask(asset, grantee, expected_proceeds=0)
    with pytest.raises(GrantRuleError) as transfer:
        ask(asset, grantee, kind=AssetDisposal.Kind.TRANSFER, expected_proceeds=5)

    assert "expected to bring" in sale.value.message_dict["expected_proceeds"][0]
    assert "Only a sale" in transfer.value.message_dict["expected_proceeds"][0]


def test_a_disposal_request_needs_a_reason(keeper_project, grantee):
    with pytest.raises(GrantRuleError) as error:
        ask(AssetFactory(project=keeper_project), grantee, reason="  ")

    assert "reason" in error.value.message_dict


# The ministry decides ----------------------------------------------------------------


def test_approving_a_sale_marks_the_asset_sold_and_tells_the_grantee(
    programme_officer,
):
    disposal = AssetDisposalFactory(
        kind=AssetDisposal.Kind.SALE, expected_proceeds=300_000
    )

    services.approve_disposal(
        disposal, decided_on=TODAY, decided_by=programme_officer, comment="By auction."
    )

    disposal.refresh_from_db()
    asset = disposal.asset
    asset.refresh_from_db()
    assert disposal.status == AssetDisposal.Status.APPROVED
    assert disposal.decided_by == programme_officer
    assert asset.disposition == Asset.Disposition.SOLD
    assert asset.sale_proceeds == 300_000
    assert asset.disposed_on == TODAY
    notice = Notice.objects.get(kind=Notice.Kind.DISPOSAL_APPROVED, is_copy=False)
    assert notice.project == asset.project
    assert notice.recipient == asset.project.principal_investigator
    assert notice.reason == "By auction."
    assert "₹\u00a03,00,000" in notice.next_step
    assert notice.portal_path == reverse("portal:assets", args=[asset.project.pk])


@pytest.mark.parametrize(
    ("kind", "disposition"),
    [
        (AssetDisposal.Kind.TRANSFER, Asset.Disposition.TRANSFERRED),
        (AssetDisposal.Kind.WRITE_OFF, ""),
    ],
)
def test_approving_a_transfer_or_write_off_takes_the_asset_off_the_register(
    finance_officer, kind, disposition
):
    disposal = AssetDisposalFactory(kind=kind)

    services.approve_disposal(disposal, decided_on=TODAY, decided_by=finance_officer)

    asset = Asset.objects.get(pk=disposal.asset_id)
    assert asset.disposition == disposition
    assert asset.disposed_on == TODAY
    assert asset.sale_proceeds == 0
    assert "approved on 22 Nov 2026" in asset.disposition_note


def test_refusing_a_disposal_needs_a_reason_and_tells_the_grantee(programme_officer):
    disposal = AssetDisposalFactory()

    with pytest.raises(GrantRuleError) as error:
        services.refuse_disposal(
            disposal, decided_on=TODAY, decided_by=programme_officer, comment=" "
        )
    assert "comment" in error.value.message_dict
    assert not Notice.objects.exists()

    services.refuse_disposal(
        disposal,
        decided_on=TODAY,
        decided_by=programme_officer,
        comment="Repair it under the warranty.",
    )

    disposal.refresh_from_db()
    assert disposal.status == AssetDisposal.Status.REFUSED
    assert disposal.decision_comment == "Repair it under the warranty."
    asset = Asset.objects.get(pk=disposal.asset_id)
    assert asset.disposition == ""
    assert asset.disposed_on is None
    notice = Notice.objects.get(kind=Notice.Kind.DISPOSAL_REFUSED, is_copy=False)
    assert notice.reason == "Repair it under the warranty."
    assert "GFR 230(9)" in notice.next_step


def test_a_decided_request_is_not_decided_again(programme_officer):
    disposal = AssetDisposalFactory()
    services.refuse_disposal(
        disposal, decided_on=TODAY, decided_by=programme_officer, comment="No."
    )

    with pytest.raises(GrantRuleError) as error:
        services.approve_disposal(
            disposal, decided_on=TODAY, decided_by=programme_officer
        )

    assert "already refused on 22 Nov 2026" in error.value.messages[0]
    assert Asset.objects.get(pk=disposal.asset_id).disposition == ""


def test_staff_without_the_permission_cannot_decide_a_disposal():
    disposal = AssetDisposalFactory()

    with pytest.raises(GrantRuleError):
        services.approve_disposal(
            disposal, decided_on=TODAY, decided_by=StaffUserFactory()
        )

    disposal.refresh_from_db()
    assert disposal.status == AssetDisposal.Status.REQUESTED


def test_the_disposal_notice_is_written_as_an_email(programme_officer):
    disposal = AssetDisposalFactory(asset=AssetFactory(particulars="Muffle furnace"))
    services.refuse_disposal(
        disposal, decided_on=TODAY, decided_by=programme_officer, comment="Repair it."
    )
    notice = Notice.objects.get(is_copy=False)

    email = build_notice_email(notice, today=TODAY)

    assert "Muffle furnace" in email.subject + email.body
    assert "Repair it." in email.body


@pytest.mark.parametrize("decide", ["approve_disposal", "refuse_disposal"])
def test_a_disposal_cannot_be_decided_on_a_day_still_to_come(programme_officer, decide):
    disposal = AssetDisposalFactory(
        kind=AssetDisposal.Kind.SALE, expected_proceeds=300_000
    )

    with pytest.raises(GrantRuleError) as caught:
        getattr(services, decide)(
            disposal,
            decided_on=TODAY + datetime.timedelta(days=28),
            decided_by=programme_officer,
            comment="By auction.",
        )

    assert caught.value.message_dict == {
        "decided_on": ["A decision cannot be dated a day still to come."]
    }
    disposal.refresh_from_db()
    disposal.asset.refresh_from_db()
    assert disposal.status == AssetDisposal.Status.REQUESTED
    assert disposal.asset.disposed_on is None
