"""The closure page: figures, then the reconciliation to confirm, then the closure."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from grants.models import Asset, Milestone, Notice, Project
from tests.factories import AssetFactory, MilestoneFactory
from tests.test_services import project_ready_to_close

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(
        datetime.datetime(2027, 8, 14, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Kolkata")),
        tick=False,
    ):
        yield


def figures(asset=None, **overrides):
    data = {
        "closed_on": "14-08-2027",
        "unspent_refunded": "100000",
        "interest_refunded": "10000",
        "refund_reference": "UTR SBIN2708140001",
        "refund_difference_reason": "Rs 15,000 of audit fees allowed by the PERC.",
        "asset_disposition": "",
    }
    if asset is not None:
        data[f"asset_{asset.pk}_disposition"] = Asset.Disposition.SOLD
        data[f"asset_{asset.pk}_sale_proceeds"] = "45000"
        data[f"asset_{asset.pk}_note"] = "Sold by tender."
    data.update(overrides)
    return data


def test_the_close_page_shows_the_reconciliation_before_anything_is_written(
    client, finance_officer
):
    project = project_ready_to_close()
    asset = AssetFactory(project=project, particulars="Muffle furnace")
    client.force_login(finance_officer)
    url = reverse("staff:project-close", args=[project.pk])

    response = client.post(url, figures(asset))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Confirm the closure" in page
    reconciliation = response.context["reconciliation"]
    assert reconciliation.closing_balance == 125_000
    assert reconciliation.unremitted_interest == 10_000
    assert reconciliation.refund_total == 110_000
    assert reconciliation.difference == -15_000
    for shown in ("₹\u00a01,25,000", "₹\u00a01,10,000", "-₹\u00a015,000"):
        assert shown in page
    assert "audit fees allowed by the PERC" in page
    assert "Muffle furnace" in page
    assert "sold, proceeds to the ministry" in page
    # Nothing is written until the officer confirms.
    project.refresh_from_db()
    asset.refresh_from_db()
    assert project.status == Project.Status.COMPLETED
    assert asset.disposition == ""
    assert not Notice.objects.exists()

    response = client.post(url, {**figures(asset), "confirm": "1"})

    assert response.status_code == 302
    project.refresh_from_db()
    asset.refresh_from_db()
    assert project.status == Project.Status.CLOSED
    assert project.refund_difference_reason.startswith("Rs 15,000 of audit fees")
    assert asset.disposition == Asset.Disposition.SOLD
    assert asset.sale_proceeds == 45_000


def test_a_refusal_shows_on_the_figures_page_not_the_confirmation(
    client, finance_officer
):
    project = project_ready_to_close()
    client.force_login(finance_officer)

    response = client.post(
        reverse("staff:project-close", args=[project.pk]),
        figures(refund_difference_reason="", asset_disposition="None bought."),
    )

    assert response.status_code == 200
    assert "Confirm the closure" not in response.content.decode()
    assert (
        "record why the refund differs"
        in (response.context["form"].errors["refund_difference_reason"][0])
    )


def test_the_close_page_lists_open_paperwork_with_a_link_to_waive_it(
    client, finance_officer
):
    project = project_ready_to_close()
    milestone = MilestoneFactory(
        project=project,
        kind=Milestone.Kind.UTILISATION_CERTIFICATE,
        title="Annual UC 2025-26",
    )
    client.force_login(finance_officer)

    page = client.get(reverse("staff:project-close", args=[project.pk]))

    content = page.content.decode()
    assert "Annual UC 2025-26" in content
    assert reverse("staff:milestone-waive", args=[milestone.pk]) in content
    assert "₹\u00a01,25,000" in content
