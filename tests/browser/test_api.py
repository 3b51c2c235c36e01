"""A grantee makes an API token, uses it from a script, revokes it; the docs load."""

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from grants.models import Project
from tests.browser.conftest import axe_violations, log_in, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def api_get(url, secret):
    request = urllib.request.Request(url, headers={"Authorization": f"Token {secret}"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_a_grantee_makes_a_token_uses_it_and_revokes_it(open_page, demo_site):
    project = Project.objects.get(reference="DEMO-REE-2324-05")
    pi = project.principal_investigator
    page = open_page(bypass_csp=True)
    log_in(page, demo_site, pi.username, "demo-grantee-pass")

    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    page.get_by_label("What the token is for").fill("Project office uploads")
    page.get_by_label("It stops working after").select_option(label="30 days")
    page.get_by_role("button", name="Make the token").click()

    secret = page.locator("code.secret").inner_text()
    assert secret.startswith("khanij_")
    expect(
        page.get_by_role("cell", name="Project office uploads", exact=True)
    ).to_be_visible()
    screenshot(page, "api-token-made")
    assert axe_violations(page, "api-tokens") == []

    status, answer = api_get(f"{demo_site}/api/v1/projects/", secret)
    assert status == 200
    organisations = {row["organisation"]["id"] for row in answer["results"]}
    assert organisations == {project.organisation_id}

    page.get_by_role("button", name="Revoke “Project office uploads”").click()
    expect(page.get_by_text("it no longer works")).to_be_visible()
    status, problem = api_get(f"{demo_site}/api/v1/projects/", secret)
    assert status == 401
    assert problem["type"] == "urn:khanij:problem:token-refused"


def test_the_api_docs_load_from_the_site_alone(open_page, demo_site):
    # No bypass of the site's policy: a blocked script or style fails the test.
    page = open_page()
    outside = []
    page.on(
        "request",
        # ReDoc's search worker is a blob: made in the page from the site's script.
        lambda request: (
            request.url.startswith((demo_site, f"blob:{demo_site}"))
            or outside.append(request.url)
        ),
    )

    page.goto(f"{demo_site}/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.get_by_text("/api/v1/projects/").first).to_be_visible()
    screenshot(page, "api-docs-swagger")

    page.goto(f"{demo_site}/api/redoc/")
    expect(
        page.get_by_role("heading", name="Projects, with their money and pipeline")
    ).to_be_visible()
    screenshot(page, "api-docs-redoc")
    assert outside == [], outside
