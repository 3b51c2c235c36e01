"""Finding 6: with staff 2FA required, a password alone must not enrol a device.

A staff user without an authenticator links one only through the one-time link an
administrator e-mails; the link expires and works once. An administrator resets a
device (the users' admin action, or ``manage.py reset_two_factor`` on the server),
and the reset is in the audit history with the administrator's name.

The reset e-mails its link once its transaction commits, and the admin then says
whether the e-mail went; tests of the admin action and of the command therefore
commit for real (``committed``), as the request and the command do.
"""

import datetime
import hashlib
import re
from urllib.parse import urlsplit

import pytest
import time_machine
from django.contrib.messages import ERROR, SUCCESS, get_messages
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from grants import services
from grants.models import TwoFactorInvitation
from grants.views.accounts import replace_backup_codes
from tests.factories import (
    MembershipFactory,
    StaffUserFactory,
    TwoFactorInvitationFactory,
)
from tests.test_two_factor import current_code, log_in

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/accounts/two-factor/enrol/[^/\s]+/")
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def staff_two_factor_required(settings):
    settings.KHANIJ_STAFF_2FA_REQUIRED = True


@pytest.fixture
def officer(db):
    return StaffUserFactory(username="officer-new", email="officer.new@mines.example")


def sign_in_with_both_factors(client, user):
    device = TOTPDevice.objects.create(user=user, name="Authenticator app")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def administrator(db):
    return StaffUserFactory(username="sysadmin", is_superuser=True)


@pytest.fixture
def admin_page(client, administrator):
    """The browser of an administrator signed in with both factors."""
    return sign_in_with_both_factors(client, administrator)


@pytest.fixture
def officer_browser():
    """The officer's own browser, beside the administrator's."""
    return Client()


def reset_in_the_admin(browser, *users):
    return browser.post(
        reverse("admin:grants_user_changelist"),
        {
            "action": "reset_two_factor",
            "_selected_action": [user.pk for user in users],
        },
    )


def messages_of(response):
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def link_in(message) -> str:
    """The path of the one enrolment link in an e-mail."""
    [link] = set(LINK.findall(message.body))
    return urlsplit(link).path


def devices_of(user):
    return TOTPDevice.objects.filter(user=user).count() + (
        StaticDevice.objects.filter(user=user).count()
    )


def enrol(client, user):
    """Link an authenticator on the set-up page; return the response to the code."""
    assert client.get(reverse("two-factor-setup")).status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    return client.post(
        reverse("two-factor-setup"), {"token": current_code(device), "next": "/admin/"}
    )


# A password alone -------------------------------------------------------------------


def test_with_staff_2fa_required_a_password_alone_cannot_enrol_a_device(
    client, officer
):
    log_in(client, officer)

    page = client.get(reverse("two-factor-setup"))
    posted = client.post(reverse("two-factor-setup"), {"token": "123456"})

    assert page.status_code == 403
    assert "An enrolment link is needed" in page.content.decode()
    assert "your password alone is not enough" in page.content.decode()
    assert posted.status_code == 403
    assert devices_of(officer) == 0
    assert client.get(reverse("two-factor-qr")).status_code == 404
    assert client.get("/admin/").status_code == 302


def test_a_grantee_still_turns_on_two_factor_with_the_password(client):
    grantee = MembershipFactory().user
    log_in(client, grantee)

    assert client.get(reverse("two-factor-setup")).status_code == 200


def test_a_verified_staff_user_replaces_the_authenticator_without_an_invitation(
    client, officer
):
    old = TOTPDevice.objects.create(user=officer, name="Authenticator app")
    log_in(client, officer)
    client.post(reverse("two-factor-verify"), {"token": current_code(old)})

    response = enrol(client, officer)

    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=officer).values_list("confirmed")) == [
        (True,)
    ]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


# The administrator's link -----------------------------------------------------------


def test_with_staff_2fa_required_the_emailed_link_enrols_the_real_user(
    client, officer, django_capture_on_commit_callbacks
):
    administrator = StaffUserFactory(is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.reset_two_factor(officer, by=administrator)
    [message] = mail.outbox
    link = link_in(message)

    # Opened before signing in: the login page brings the officer back to it.
    to_login = client.get(link)
    assert to_login.status_code == 302
    assert to_login["Location"].startswith(reverse("login"))
    signed_in = client.post(
        to_login["Location"],
        {"username": officer.username, "password": "test-pass-123"},
    )
    assert signed_in["Location"] == link
    to_setup = client.get(link)
    assert to_setup["Location"] == reverse("two-factor-setup")
    response = enrol(client, officer)

    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=officer).confirmed
    assert StaticDevice.objects.get(user=officer).token_set.count() == 10
    assert client.get("/admin/").status_code == 200
    invitation.refresh_from_db()
    assert invitation.used_at is not None
    record = invitation.history.order_by("-history_id").first()
    assert record.history_user == officer
    assert record.history_change_reason == "Used to link an authenticator"


def test_the_invitation_email_goes_to_the_user_in_their_language(
    officer, django_capture_on_commit_callbacks
):
    officer.preferred_language = "hi"
    officer.save()

    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.reset_two_factor(
            officer, by=StaffUserFactory(display_name="Smt. Kavita Rao")
        )

    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert message.to == ["officer.new@mines.example"]
    assert '<html lang="hi">' in html
    assert "Smt. Kavita Rao" in message.body
    assert LINK.search(html)
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


def test_an_invitation_keeps_only_a_hash_of_its_link(
    officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.reset_two_factor(officer, by=None)
    token = link_in(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]

    invitation.refresh_from_db()
    assert len(token) >= 40
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [
        str(value) for row in TwoFactorInvitation.history.values_list() for value in row
    ] + [str(value) for value in TwoFactorInvitation.objects.values_list()[0]]
    assert not any(token in value for value in stored)


@pytest.mark.parametrize(
    "link",
    ["expired", "used", "someone else's", "made up", "the stored hash"],
)
def test_an_enrolment_link_that_is_expired_used_or_not_the_users_is_refused(
    client, officer, link
):
    mine = TwoFactorInvitationFactory(
        user=officer,
        token="the-officers-link",
        expired=link == "expired",
        used=link == "used",
    )
    TwoFactorInvitationFactory(token="a-colleagues-link")
    token = {
        "someone else's": "a-colleagues-link",
        "made up": "0" * 43,
        "the stored hash": mine.token_hash,
    }.get(link, "the-officers-link")
    log_in(client, officer)

    opened = client.get(reverse("two-factor-invitation", args=[token]))
    setup = client.get(reverse("two-factor-setup"))

    assert opened.status_code == 403
    assert "expired or was already used" in opened.content.decode()
    assert setup.status_code == 403
    assert devices_of(officer) == 0


def test_an_enrolment_link_runs_out_after_the_configured_hours(
    client, officer, settings, django_capture_on_commit_callbacks
):
    settings.KHANIJ_2FA_INVITATION_HOURS = 24
    with django_capture_on_commit_callbacks(execute=True):
        issued = services.reset_two_factor(officer, by=None)
    link = link_in(mail.outbox[0])
    assert issued.expires_at - issued.created_at == datetime.timedelta(hours=24)

    with time_machine.travel(issued.expires_at + datetime.timedelta(seconds=1)):
        log_in(client, officer)
        opened = client.get(link)

    assert opened.status_code == 403
    assert devices_of(officer) == 0


def test_a_link_that_expires_before_the_code_is_typed_confirms_nothing(client, officer):
    invitation = TwoFactorInvitationFactory(
        user=officer,
        token="the-officers-link",
        expires_at=timezone.now() + datetime.timedelta(minutes=2),
    )
    log_in(client, officer)
    client.get(reverse("two-factor-invitation", args=["the-officers-link"]))
    assert client.get(reverse("two-factor-setup")).status_code == 200
    device = TOTPDevice.objects.get(user=officer, confirmed=False)

    with time_machine.travel(invitation.expires_at + datetime.timedelta(seconds=1)):
        response = client.post(
            reverse("two-factor-setup"), {"token": current_code(device)}
        )

    assert response.status_code == 403
    device.refresh_from_db()
    assert not device.confirmed
    invitation.refresh_from_db()
    assert invitation.used_at is None


def test_a_used_link_does_not_enrol_a_second_device_for_whoever_has_the_password(
    client, officer
):
    TwoFactorInvitationFactory(user=officer, token="the-officers-link")
    log_in(client, officer)
    client.get(reverse("two-factor-invitation", args=["the-officers-link"]))
    assert enrol(client, officer).status_code == 302
    real = TOTPDevice.objects.get(user=officer)

    # Someone else with the password and a copy of the e-mail, in another browser.
    client.logout()
    log_in(client, officer)
    opened = client.get(reverse("two-factor-invitation", args=["the-officers-link"]))
    setup = client.get(reverse("two-factor-setup"))

    assert opened.status_code == 403
    assert setup.status_code == 302
    assert setup["Location"].startswith(reverse("two-factor-verify"))
    assert list(TOTPDevice.objects.filter(user=officer)) == [real]


@pytest.mark.parametrize("who", ["staff officer", "grantee"])
def test_another_session_with_the_password_never_sees_the_key_being_set_up(
    client, officer, who
):
    user = officer if who == "staff officer" else MembershipFactory().user
    TwoFactorInvitationFactory(user=user, token="the-users-link")
    log_in(client, user)
    client.get(reverse("two-factor-invitation", args=["the-users-link"]))
    key = client.get(reverse("two-factor-setup")).context["secret"]

    other = Client()
    log_in(other, user)
    qr = other.get(reverse("two-factor-qr"))
    other_page = other.get(reverse("two-factor-setup"))

    assert qr.status_code == 404
    assert key not in other_page.content.decode()
    assert client.get(reverse("two-factor-qr")).status_code == 200


# The administrator's reset ----------------------------------------------------------


@committed
def test_the_admins_reset_deletes_the_devices_records_who_did_it_and_emails_a_link(
    admin_page, administrator, officer_browser, officer
):
    # Someone with the password linked a device before the real user could.
    wrong = TOTPDevice.objects.create(user=officer, name="Authenticator app")
    replace_backup_codes(officer)
    older = TwoFactorInvitationFactory(user=officer, token="an-older-link")

    response = reset_in_the_admin(admin_page, officer)

    assert response.status_code == 302
    assert messages_of(response) == [
        (
            SUCCESS,
            "Two-factor sign-in reset for 1 user; the enrolment invitation is "
            "e-mailed.",
        )
    ]
    assert devices_of(officer) == 0
    assert not TOTPDevice.objects.filter(pk=wrong.pk).exists()
    invitation = TwoFactorInvitation.objects.get(user=officer, pk__gt=older.pk)
    assert invitation.created_by == administrator
    assert invitation.devices_removed == 2
    record = invitation.history.get()
    assert record.history_type == "+"
    assert record.history_user == administrator
    assert record.history_change_reason == (
        "Two-factor sign-in reset (2 devices removed); enrolment invitation "
        "e-mailed to officer.new@mines.example"
    )
    older.refresh_from_db()
    assert older.expires_at <= timezone.now()
    [message] = mail.outbox
    assert message.to == ["officer.new@mines.example"]
    assert message.subject == "Link an authenticator app to your Khanij R&D account"
    assert "no longer work" in message.body

    # The real user enrols with the new link; the old one is refused.
    log_in(officer_browser, officer)
    refused = officer_browser.get(
        reverse("two-factor-invitation", args=["an-older-link"])
    )
    assert refused.status_code == 403
    officer_browser.get(link_in(message))
    assert enrol(officer_browser, officer).status_code == 302
    assert officer_browser.get("/staff/").status_code == 200


@committed
def test_a_reset_signs_out_the_second_factor_of_whoever_had_linked_the_device(
    admin_page, officer_browser, officer
):
    device = TOTPDevice.objects.create(user=officer, name="Authenticator app")
    log_in(officer_browser, officer)
    officer_browser.post(reverse("two-factor-verify"), {"token": current_code(device)})
    assert officer_browser.get("/staff/").status_code == 200

    reset_in_the_admin(admin_page, officer)

    assert officer_browser.get("/staff/").status_code == 302
    assert officer_browser.get(reverse("two-factor-setup")).status_code == 403


def test_a_reset_is_refused_for_an_inactive_user_or_one_without_an_address(
    admin_page,
):
    inactive = StaffUserFactory(is_active=False, display_name="A. Inactive")
    TOTPDevice.objects.create(user=inactive, name="Authenticator app")
    no_address = StaffUserFactory(email="", display_name="B. Unreachable")

    response = reset_in_the_admin(admin_page, inactive, no_address)

    assert sorted(messages_of(response)) == [
        (ERROR, "A. Inactive: The account is not active: nobody signs in."),
        (
            ERROR,
            "B. Unreachable: The account has no e-mail address to send the "
            "invitation to.",
        ),
    ]
    assert devices_of(inactive) == 1
    assert not TwoFactorInvitation.objects.exists()
    assert mail.outbox == []


@committed
def test_the_admin_is_told_when_the_invitation_could_not_be_emailed(
    admin_page, officer, settings
):
    # A mail server that does not answer: nothing listens on port 9 of this host.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9
    settings.EMAIL_TIMEOUT = 2

    response = reset_in_the_admin(admin_page, officer)

    assert messages_of(response) == [
        (
            ERROR,
            f"{officer}: two-factor sign-in was reset, but the invitation could not "
            f"be e-mailed. Try again.",
        )
    ]
    assert TwoFactorInvitation.objects.get(user=officer).sent_at is None


def test_only_an_administrator_who_may_change_users_can_reset(client, officer):
    clerk = sign_in_with_both_factors(client, StaffUserFactory())
    TOTPDevice.objects.create(user=officer, name="Authenticator app")

    reset_in_the_admin(clerk, officer)

    assert devices_of(officer) == 1
    assert not TwoFactorInvitation.objects.exists()


@committed
def test_the_first_administrator_is_invited_from_the_servers_command_line(officer):
    call_command("reset_two_factor", officer.username)

    invitation = TwoFactorInvitation.objects.get(user=officer)
    record = invitation.history.get()
    assert record.history_user is None
    assert "from the server's command line" in record.history_change_reason
    assert mail.outbox[0].to == [officer.email]
