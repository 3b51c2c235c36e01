"""Release conditions on the staff pages: named before a release, marked met by hand."""

import datetime

import pytest
from django.urls import reverse

from grants.models import Instalment, Milestone, ReleaseCondition
from tests.factories import (
    InstalmentFactory,
    ProjectFactory,
    ReleaseConditionFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_morning")]

TODAY = datetime.date(2026, 11, 22)


@pytest.fixture
def first_instalment():
    """Instalment 1 of an ongoing project, waiting for a signed agreement."""
    project = ProjectFactory(ongoing=True)
    instalment = InstalmentFactory(
        project=project, sequence=1, planned_on=datetime.date(2026, 11, 1)
    )
    ReleaseConditionFactory(
        instalment=instalment,
        kind=ReleaseCondition.Kind.OTHER,
        text="Grant agreement signed",
    )
    return instalment


def release(client, instalment, **data):
    return client.post(
        reverse("staff:instalment-release", args=[instalment.pk]),
        {"released_on": "22-11-2026", "release_order_number": "RO/2026/7", **data},
        follow=True,
    )


def test_the_release_page_names_each_unmet_condition_and_asks_for_an_override(
    client, finance_officer, first_instalment
):
    client.force_login(finance_officer)

    page = client.get(
        reverse("staff:instalment-release", args=[first_instalment.pk])
    ).content.decode()

    assert "1 condition of the release is not met on the release date" in page
    assert "<strong>Grant agreement signed</strong>: not met (the programme " in page
    assert 'name="override_reason"' in page


def test_a_release_with_an_unmet_condition_and_no_reason_writes_nothing(
    client, finance_officer, first_instalment
):
    client.force_login(finance_officer)

    response = release(client, first_instalment)

    assert response.context["form"].errors["override_reason"]
    assert Instalment.objects.get(pk=first_instalment.pk).released_on is None


def test_a_release_with_an_override_reason_marks_the_condition_overridden(
    client, finance_officer, first_instalment
):
    client.force_login(finance_officer)

    release(client, first_instalment, override_reason="Agreement signed on file.")

    condition = first_instalment.conditions.get()
    assert condition.overridden_on == TODAY
    assert condition.override_reason == "Agreement signed on file."
    page = client.get(
        reverse("staff:project-detail", args=[first_instalment.project_id])
    ).content.decode()
    assert "Overridden on 22 Nov 2026" in page


def test_a_programme_officer_marks_a_free_text_condition_met_from_the_project_page(
    client, programme_officer, first_instalment
):
    client.force_login(programme_officer)
    condition = first_instalment.conditions.get()
    url = reverse("staff:condition-met", args=[condition.pk])

    page = client.get(
        reverse("staff:project-detail", args=[first_instalment.project_id])
    ).content.decode()
    assert url in page
    assert "Grant agreement signed" in page

    blank = client.post(url, {"met_on": "22-11-2026", "note": " "})
    assert blank.status_code == 200
    client.post(url, {"met_on": "22-11-2026", "note": "Signed copy received."})

    condition.refresh_from_db()
    assert condition.met_on == TODAY
    assert condition.met_by == programme_officer


def test_finance_may_not_mark_a_condition_met(
    client, finance_officer, first_instalment
):
    client.force_login(finance_officer)
    condition = first_instalment.conditions.get()

    response = client.post(
        reverse("staff:condition-met", args=[condition.pk]),
        {"met_on": "22-11-2026", "note": "Looks fine."},
    )

    assert response.status_code == 403
    condition.refresh_from_db()
    assert condition.met_on is None


def test_a_grantee_cannot_reach_the_mark_met_page(client, grantee, first_instalment):
    client.force_login(grantee)
    condition = first_instalment.conditions.get()

    response = client.post(
        reverse("staff:condition-met", args=[condition.pk]),
        {"met_on": "22-11-2026", "note": "Done."},
    )

    assert response.status_code == 403
    condition.refresh_from_db()
    assert condition.met_on is None


def test_an_override_stays_shown_after_the_condition_is_met_later(
    client, finance_officer
):
    instalment = InstalmentFactory(
        project=ProjectFactory(ongoing=True),
        sequence=1,
        planned_on=datetime.date(2026, 11, 1),
    )
    condition = ReleaseConditionFactory(instalment=instalment)
    client.force_login(finance_officer)
    release(client, instalment, override_reason="Minister's directive of 20 Nov.")
    Milestone.objects.filter(pk=condition.milestone_id).update(
        status=Milestone.Status.ACCEPTED, decided_on=TODAY
    )

    page = client.get(
        reverse("staff:project-detail", args=[instalment.project_id])
    ).content.decode()

    assert "overridden at release" in page
    assert "Minister&#x27;s directive of 20 Nov." in page
