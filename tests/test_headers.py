"""Headers every response carries (grants/headers.py)."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db


def test_a_signed_in_page_is_never_stored_by_a_browser_or_proxy(client):
    client.force_login(StaffUserFactory())
    response = client.get(reverse("staff:project-list"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_an_export_is_never_stored_by_a_browser_or_proxy(client, export_format):
    client.force_login(StaffUserFactory())
    response = client.get(reverse("staff:project-list"), {"_export": export_format})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_every_response_carries_a_permissions_policy(client):
    response = client.get(reverse("login"))
    assert response["Permissions-Policy"] == settings.PERMISSIONS_POLICY
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_a_missing_page_is_the_sites_404_not_a_list_of_url_patterns(client):
    client.force_login(StaffUserFactory())
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"URLconf" not in response.content
    assert b"staff/projects/" not in response.content
