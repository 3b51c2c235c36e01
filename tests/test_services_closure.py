"""Closing a project: the refund reconciled with the final UC, the paperwork still
open, the challan, and each asset's disposition (GFR 230(8), 230(9), 230(16), 233)."""

import datetime

import pytest

from grants import services
from grants.models import (
    Asset,
    AssetDisposal,
    Milestone,
    Notice,
    Project,
    UtilisationCertificate,
)
from grants.reads import closure as reads
from grants.services import GrantRuleError
from tests.factories import (
    AssetDisposalFactory,
    AssetFactory,
    MilestoneFactory,
    ProgressReportFactory,
    StaffUserFactory,
    UtilisationCertificateFactory,
)
from tests.test_services import CLOSED_ON, project_ready_to_close

pytestmark = pytest.mark.django_db

# The final UC of project_ready_to_close: closing balance Rs 1,25,000, of which
# Rs 10,000 is interest earned (12,000) and not remitted (2,000).
CLOSING = 125_000
UNREMITTED = 10_000


def close(project, **overrides):
    terms = {
        "closed_on": CLOSED_ON,
        "unspent_refunded": CLOSING - UNREMITTED,
        "interest_refunded": UNREMITTED,
        "refund_reference": "BharatKosh 2708140012345",
        "asset_disposition": "No asset was bought from the grant.",
    }
    terms.update(overrides)
    return services.close_project(project, **terms)


def status_of(project):
    return Project.objects.get(pk=project.pk).status


# The reconciliation ---------------------------------------------------------------


def test_the_reconciliation_reads_the_final_ucs_closing_balance_once():
    project = project_ready_to_close()

    reconciliation = reads.reconcile(
        project, unspent_refunded=115_000, interest_refunded=10_000
    )

    assert reconciliation.closing_balance == CLOSING
    assert reconciliation.interest_earned == 12_000
    assert reconciliation.interest_remitted == 2_000
    assert reconciliation.unremitted_interest == UNREMITTED
    assert reconciliation.refund_total == CLOSING
    assert reconciliation.difference == 0


def test_refunding_the_closing_balance_and_the_interest_again_counts_it_twice():
    """Column 7 already holds the unremitted interest: adding it once more is an
    excess of exactly that interest."""
    project = project_ready_to_close()

    reconciliation = reads.reconcile(
        project, unspent_refunded=CLOSING, interest_refunded=UNREMITTED
    )

    assert reconciliation.difference == UNREMITTED


def test_a_refund_equal_to_the_final_closing_balance_closes_with_no_reason():
    project = project_ready_to_close()

    close(project)

    project.refresh_from_db()
    assert project.status == Project.Status.CLOSED
    assert project.unspent_refunded + project.interest_refunded == CLOSING
    assert project.refund_difference_reason == ""


@pytest.mark.parametrize(
    ("unspent", "words"),
    [(100_000, "₹\u00a015,000 less"), (125_000, "₹\u00a010,000 more")],
    ids=["shortfall", "excess"],
)
def test_a_refund_that_differs_from_the_final_closing_balance_needs_a_reason(
    unspent, words
):
    project = project_ready_to_close()

    with pytest.raises(GrantRuleError) as error:
        close(project, unspent_refunded=unspent)

    [message] = error.value.message_dict["refund_difference_reason"]
    assert words in message
    assert "closing balance of ₹\u00a01,25,000" in message
    assert status_of(project) == Project.Status.COMPLETED

    close(
        project,
        unspent_refunded=unspent,
        refund_difference_reason="  Bank charges deducted by the grantee's bank. ",
    )

    project.refresh_from_db()
    assert project.status == Project.Status.CLOSED
    assert project.unspent_refunded == unspent
    assert project.refund_difference_reason == (
        "Bank charges deducted by the grantee's bank."
    )
    record = project.history.order_by("-history_id")[0]
    assert "Bank charges deducted" in record.history_change_reason


def test_unremitted_interest_is_refunded_as_interest_unless_the_reason_is_recorded():
    """The total matches, but interest was refunded as unspent grant (GFR 230(8))."""
    project = project_ready_to_close()

    with pytest.raises(GrantRuleError) as error:
        close(project, unspent_refunded=CLOSING, interest_refunded=0)

    assert set(error.value.message_dict) == {"interest_refunded"}
    assert "230(8)" in error.value.message_dict["interest_refunded"][0]

    close(
        project,
        unspent_refunded=CLOSING,
        interest_refunded=0,
        refund_difference_reason="Interest sent with the grant in one challan.",
    )
    assert status_of(project) == Project.Status.CLOSED


@pytest.mark.parametrize("reference", ["", "  "])
def test_a_refund_above_zero_needs_its_challan_or_utr(reference):
    project = project_ready_to_close()

    with pytest.raises(GrantRuleError) as error:
        close(project, refund_reference=reference)

    assert "challan or UTR" in error.value.message_dict["refund_reference"][0]
    assert status_of(project) == Project.Status.COMPLETED


def test_a_refund_of_nothing_needs_no_challan():
    project = project_ready_to_close(interest_remitted=12_000, expenditure=6_000_000)

    close(project, unspent_refunded=0, interest_refunded=0, refund_reference="")

    assert status_of(project) == Project.Status.CLOSED


# Paperwork still open -------------------------------------------------------------


def test_an_open_report_or_certificate_blocks_closure_until_waived():
    project = project_ready_to_close()
    report = MilestoneFactory(
        project=project,
        kind=Milestone.Kind.PROGRESS_REPORT,
        title="Half-yearly progress report 5",
        due_on=datetime.date(2026, 10, 30),
    )
    certificate = MilestoneFactory(
        project=project,
        kind=Milestone.Kind.UTILISATION_CERTIFICATE,
        title="Annual UC 2025-26",
        due_on=datetime.date(2026, 9, 30),
        status=Milestone.Status.RETURNED,
    )
    # A review meeting owes no paperwork: it never blocks closure.
    MilestoneFactory(project=project, kind=Milestone.Kind.REVIEW_MEETING)

    with pytest.raises(GrantRuleError) as error:
        close(project)

    message = " ".join(error.value.messages)
    assert "Half-yearly progress report 5, due 30 Oct 2025" not in message
    assert "Half-yearly progress report 5, due 30 Oct 2026, is pending" in message
    assert "Annual UC 2025-26, due 30 Sep 2026, is returned" in message
    assert "review meeting" not in message.lower()
    assert status_of(project) == Project.Status.COMPLETED

    officer = StaffUserFactory()
    for milestone in (report, certificate):
        services.waive_milestone(
            milestone,
            reason="Covered by the final report.",
            decided_by=officer,
            decided_on=CLOSED_ON,
        )
    close(project)

    assert status_of(project) == Project.Status.CLOSED


def test_a_report_or_certificate_awaiting_review_blocks_closure_naming_it():
    project = project_ready_to_close()
    ProgressReportFactory(
        milestone=MilestoneFactory(
            project=project,
            title="Half-yearly progress report 6",
            status=Milestone.Status.SUBMITTED,
        ),
        submitted_on=datetime.date(2027, 4, 10),
    )
    UtilisationCertificateFactory(project=project)  # submitted, not decided

    with pytest.raises(GrantRuleError) as error:
        close(project)

    message = " ".join(error.value.messages)
    assert "Half-yearly progress report 6 (version 1), submitted 10 Apr 2027" in message
    assert "Annual UC 2024-25, submitted 25 Apr 2025, awaits review" in message
    assert status_of(project) == Project.Status.COMPLETED


def test_a_disposal_awaiting_the_ministry_blocks_closure():
    project = project_ready_to_close()
    AssetDisposalFactory(asset=AssetFactory(project=project, particulars="Furnace"))

    with pytest.raises(GrantRuleError) as error:
        close(project)

    assert "dispose of Furnace awaits a decision" in " ".join(error.value.messages)


# Assets -------------------------------------------------------------------------------


def test_each_asset_gets_its_disposition_at_closure():
    project = project_ready_to_close()
    kept = AssetFactory(project=project, particulars="ICP-OES")
    sold = AssetFactory(project=project, particulars="Muffle furnace")
    vested = AssetFactory(project=project, particulars="Pilot leaching column")

    close(
        project,
        asset_disposition="",
        asset_dispositions={
            kept.pk: (Asset.Disposition.RETAINED, "Gifted to the institute.", 0),
            sold.pk: (Asset.Disposition.SOLD, "", 45_000),
            vested.pk: (Asset.Disposition.VESTED, "Sponsored project.", 0),
        },
    )

    for asset, disposition, proceeds in [
        (kept, Asset.Disposition.RETAINED, 0),
        (sold, Asset.Disposition.SOLD, 45_000),
        (vested, Asset.Disposition.VESTED, 0),
    ]:
        asset.refresh_from_db()
        assert asset.disposition == disposition
        assert asset.sale_proceeds == proceeds
        assert asset.disposed_on == CLOSED_ON
    assert kept.disposition_note == "Gifted to the institute."
    project.refresh_from_db()
    assert project.status == Project.Status.CLOSED
    assert "Muffle furnace: sold, proceeds to the ministry (₹\u00a045,000)" in (
        project.asset_disposition
    )
    assert "ICP-OES: retained by the grantee, Gifted to the institute." in (
        project.asset_disposition
    )


def test_an_asset_without_a_disposition_keeps_the_project_open():
    project = project_ready_to_close()
    first = AssetFactory(project=project, particulars="ICP-OES")
    second = AssetFactory(project=project, particulars="Glovebox")

    with pytest.raises(GrantRuleError) as error:
        close(
            project,
            asset_dispositions={first.pk: (Asset.Disposition.RETAINED, "", 0)},
        )

    assert f"asset_{second.pk}_disposition" in error.value.message_dict
    assert f"asset_{first.pk}_disposition" not in error.value.message_dict
    first.refresh_from_db()
    assert first.disposition == ""
    assert status_of(project) == Project.Status.COMPLETED


def test_a_sold_asset_needs_its_proceeds_and_only_a_sold_one_has_any():
    project = project_ready_to_close()
    sold = AssetFactory(project=project)
    kept = AssetFactory(project=project)

    with pytest.raises(GrantRuleError) as error:
        close(
            project,
            asset_dispositions={
                sold.pk: (Asset.Disposition.SOLD, "", 0),
                kept.pk: (Asset.Disposition.RETAINED, "", 5_000),
            },
        )

    errors = error.value.message_dict
    assert "record the proceeds" in errors[f"asset_{sold.pk}_sale_proceeds"][0]
    assert "Only a sold asset" in errors[f"asset_{kept.pk}_sale_proceeds"][0]
    assert status_of(project) == Project.Status.COMPLETED


def test_an_asset_disposed_of_before_closure_keeps_its_disposition():
    project = project_ready_to_close()
    AssetFactory(
        project=project,
        disposition=Asset.Disposition.TRANSFERRED,
        disposed_on=datetime.date(2026, 12, 1),
    )

    close(project, asset_disposition="")

    project.refresh_from_db()
    assert project.status == Project.Status.CLOSED
    assert "transferred before closure, 01 Dec 2026" in project.asset_disposition


def test_another_projects_asset_is_refused_at_closure():
    project = project_ready_to_close()
    stranger = AssetFactory()

    with pytest.raises(GrantRuleError) as error:
        close(
            project,
            asset_dispositions={stranger.pk: (Asset.Disposition.RETAINED, "", 0)},
        )

    assert "is not on the register" in " ".join(error.value.messages)
    stranger.refresh_from_db()
    assert stranger.disposition == ""


def test_with_an_empty_register_the_summary_is_still_asked_for():
    project = project_ready_to_close()

    with pytest.raises(GrantRuleError) as error:
        close(project, asset_disposition=" ")

    assert "none were bought" in error.value.message_dict["asset_disposition"][0]


def test_a_refused_closure_writes_no_asset_and_no_notice():
    project = project_ready_to_close()
    asset = AssetFactory(project=project)

    with pytest.raises(GrantRuleError):
        close(
            project,
            unspent_refunded=0,
            asset_dispositions={asset.pk: (Asset.Disposition.RETAINED, "", 0)},
        )

    asset.refresh_from_db()
    assert asset.disposition == ""
    assert asset.history.count() == 1
    assert not Notice.objects.filter(project=project).exists()


def test_check_closure_refuses_as_the_closure_would_and_writes_nothing():
    project = project_ready_to_close()
    terms = {
        "closed_on": CLOSED_ON,
        "unspent_refunded": CLOSING,
        "interest_refunded": UNREMITTED,
        "refund_reference": "UTR 1",
        "asset_disposition": "None bought.",
    }

    with pytest.raises(GrantRuleError) as error:
        services.check_closure(project, **terms)

    assert "refund_difference_reason" in error.value.message_dict
    reconciliation = services.check_closure(
        project, **terms, refund_difference_reason="Interest paid twice by mistake."
    )
    assert reconciliation.difference == UNREMITTED
    assert status_of(project) == Project.Status.COMPLETED
    assert not AssetDisposal.objects.exists()
    assert (
        UtilisationCertificate.objects.get(project=project).closing_balance == CLOSING
    )
