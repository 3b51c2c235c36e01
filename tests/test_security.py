"""Log-in lockout, security headers and the Content Security Policy."""

import re
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings as django_settings
from django.urls import reverse

from tests.factories import StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(django_settings.BASE_DIR) / "templates"


@pytest.fixture
def lockout_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5


def attempt(client, username, password, address="10.1.1.1"):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_a_user_name_is_locked_after_five_wrong_passwords(client, lockout_on):
    user = UserFactory(username="pi-target")
    for _ in range(4):
        assert attempt(client, "pi-target", "wrong").status_code == 200

    locked = attempt(client, "pi-target", "wrong")

    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode()
    right_password = attempt(client, "pi-target", "test-pass-123")
    assert right_password.status_code == 429
    assert "_auth_user_id" not in client.session
    assert user.pk


def test_wrong_passwords_from_another_address_do_not_lock_the_user_out(
    client, lockout_on
):
    # Finding 5: six wrong passwords for a name from a stranger's address locked
    # its owner out everywhere for an hour.
    UserFactory(username="pi-iast")
    for _ in range(6):
        attempt(client, "pi-iast", "wrong", address="10.0.0.1")

    from_the_stranger = attempt(client, "pi-iast", "test-pass-123", "10.0.0.1")
    assert from_the_stranger.status_code == 429
    assert "_auth_user_id" not in client.session

    from_the_owner = attempt(client, "pi-iast", "test-pass-123", "10.0.0.2")
    assert from_the_owner.status_code == 302
    assert client.session["_auth_user_id"]


def test_a_staff_account_is_not_locked_out_by_another_address_either(
    client, lockout_on
):
    StaffUserFactory(username="po-ministry", is_superuser=True)
    for _ in range(6):
        attempt(client, "po-ministry", "wrong", address="10.0.0.1")
        client.post(
            reverse("admin:login"),
            {"username": "po-ministry", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
        )

    assert attempt(client, "po-ministry", "test-pass-123", "10.0.0.1").status_code == (
        429
    )
    assert attempt(client, "po-ministry", "test-pass-123", "10.0.0.2").status_code == (
        302
    )


def test_an_address_trying_many_user_names_is_throttled(client, lockout_on, settings):
    settings.KHANIJ_LOCKOUT_ADDRESS_NAME_LIMIT = 10
    UserFactory(username="pi-iast")
    for number in range(9):
        response = attempt(client, f"guess-{number}", "wrong", address="10.0.0.1")
        assert response.status_code == 200

    tenth_name = attempt(client, "guess-9", "wrong", address="10.0.0.1")

    assert tenth_name.status_code == 429
    # Every name from that address waits now, even with the right password ...
    assert attempt(client, "pi-iast", "test-pass-123", "10.0.0.1").status_code == 429
    assert "_auth_user_id" not in client.session
    # ... and nobody anywhere else is affected.
    assert attempt(client, "pi-iast", "test-pass-123", "10.0.0.2").status_code == 302


def test_colleagues_who_mistype_and_then_log_in_do_not_lock_their_office(
    client, lockout_on, settings
):
    settings.KHANIJ_LOCKOUT_ADDRESS_NAME_LIMIT = 3
    colleagues = [UserFactory(username=f"fo-{number}") for number in range(5)]
    for colleague in colleagues:
        attempt(client, colleague.username, "wrong", address="10.1.1.1")
        assert attempt(client, colleague.username, "test-pass-123").status_code == 302
        client.logout()

    late = attempt(client, "fo-0", "test-pass-123", address="10.1.1.1")

    assert late.status_code == 302


def test_an_attacker_behind_a_shared_address_does_not_lock_out_the_office(
    client, lockout_on
):
    UserFactory(username="pi-target")
    colleague = UserFactory(username="fo-colleague")
    for _ in range(5):
        attempt(client, "pi-target", "wrong", address="10.1.1.1")

    same_office = attempt(client, colleague.username, "test-pass-123", "10.1.1.1")

    assert same_office.status_code == 302


def test_an_admin_unlocks_a_locked_user(client, lockout_on):
    UserFactory(username="pi-target")
    for _ in range(5):
        attempt(client, "pi-target", "wrong")
    assert AccessAttempt.objects.filter(username="pi-target").exists()

    reset(username="pi-target")

    assert attempt(client, "pi-target", "test-pass-123").status_code == 302


def test_a_successful_log_in_clears_earlier_failures(client, lockout_on):
    UserFactory(username="pi-target")
    for _ in range(4):
        attempt(client, "pi-target", "wrong")
    assert attempt(client, "pi-target", "test-pass-123").status_code == 302
    client.logout()

    for _ in range(4):
        attempt(client, "pi-target", "wrong")

    assert attempt(client, "pi-target", "test-pass-123").status_code == 302


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/", "/healthz"])
def test_every_response_carries_a_csp_without_inline_script(client, path):
    response = client.get(path)

    policy = response["Content-Security-Policy"]
    directives = dict(
        part.strip().split(" ", 1) for part in policy.split(";") if part.strip()
    )
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_staff_pages_carry_the_policy_too(client):
    client.force_login(StaffUserFactory(is_superuser=True))
    response = client.get("/admin/")
    assert "script-src 'self'" in response["Content-Security-Policy"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)


def test_no_template_has_inline_script_or_style_that_the_policy_would_block():
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        if "emails" in template.parts:
            continue  # e-mails are read in mail clients, not under the site's CSP
        text = template.read_text(encoding="utf-8")
        for name, pattern in [
            ("inline <script>", INLINE_SCRIPT),
            ("event handler attribute", EVENT_HANDLER),
            ("style attribute", STYLE_ATTRIBUTE),
            ("<style> element", STYLE_ELEMENT),
        ]:
            if pattern.search(text):
                offenders.append(f"{template.relative_to(TEMPLATES)}: {name}")
    assert offenders == []
