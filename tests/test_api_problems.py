"""Every refusal is a problem detail (RFC 9457), and a token has a rate."""

import pytest
from django.urls import reverse

from tests.api import api_client

pytestmark = pytest.mark.django_db


def test_a_refusal_is_a_problem_with_every_member_rfc_9457_names(grantee):
    response = api_client(grantee).get(reverse("api:project-detail", args=[999_999]))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert set(problem) == {"type", "title", "status", "detail", "instance", "errors"}
    assert problem["type"] == "urn:khanij:problem:not-found"
    assert problem["status"] == 404
    assert problem["instance"] == "/api/v1/projects/999999/"


def test_a_token_over_its_rate_is_told_when_to_come_back(grantee, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute"},
    }
    client = api_client(grantee)
    url = reverse("api:project-list")

    answers = [client.get(url).status_code for _ in range(4)]
    refused = client.get(url)

    assert answers == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["type"] == "urn:khanij:problem:throttled"


def test_the_rate_is_per_token(grantee, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "1/minute"},
    }
    first, second = api_client(grantee), api_client(grantee)
    url = reverse("api:project-list")

    assert first.get(url).status_code == 200
    assert first.get(url).status_code == 429
    assert second.get(url).status_code == 200


def test_the_libraries_own_refusals_come_in_hindi(grantee):
    client = api_client(grantee, language="hi")

    missing = client.get(reverse("api:project-detail", args=[999_999]))
    no_token = api_client(language="hi").get(reverse("api:project-list"))

    for response in (missing, no_token):
        detail = response.json()["detail"]
        assert any("\u0900" <= letter <= "\u097f" for letter in detail), detail


def test_answers_are_not_kept_by_caches_on_the_way(grantee):
    response = api_client(grantee).get(reverse("api:project-list"))

    assert "no-store" in response["Cache-Control"]
