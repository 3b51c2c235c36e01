import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from grants.views.accounts import replace_backup_codes
from tests.factories import (
    MembershipFactory,
    StaffUserFactory,
    TwoFactorInvitationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def staff_two_factor_required(settings):
    settings.KHANIJ_STAFF_2FA_REQUIRED = True


def current_code(device):
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:06d}"


def log_in(client, user):
    response = client.post(
        reverse("login"), {"username": user.username, "password": "test-pass-123"}
    )
    assert response.status_code == 302
    return response


def open_enrolment_link(client, user):
    """Follow the link an administrator e-mailed: staff enrol only through one."""
    TwoFactorInvitationFactory(user=user, token=f"enrolment-link-of-{user.username}")
    link = reverse("two-factor-invitation", args=[f"enrolment-link-of-{user.username}"])
    assert client.get(link)["Location"] == reverse("two-factor-setup")


@pytest.fixture
def staff_with_authenticator(db):
    user = StaffUserFactory(is_superuser=True)
    device = TOTPDevice.objects.create(user=user, name="Authenticator app")
    return user, device


@pytest.mark.parametrize("path", ["/admin/", "/staff/"])
def test_staff_without_a_confirmed_device_cannot_reach_staff_pages(client, path):
    user = StaffUserFactory(is_superuser=True)
    log_in(client, user)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two-factor-verify"))
    follow = client.get(response["Location"])
    assert follow.status_code == 302
    assert follow["Location"].startswith(reverse("two-factor-setup"))


def test_setting_up_an_authenticator_lets_staff_in_and_shows_backup_codes(client):
    user = StaffUserFactory(is_superuser=True)
    log_in(client, user)
    open_enrolment_link(client, user)
    assert client.get(reverse("two-factor-setup")).status_code == 200
    qr = client.get(reverse("two-factor-qr"))
    assert qr["Content-Type"] == "image/svg+xml"
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    response = client.post(
        reverse("two-factor-setup"), {"token": current_code(device), "next": "/admin/"}
    )

    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    codes_page = client.get(response["Location"])
    codes = codes_page.context["codes"]
    assert len(codes) == 10
    assert StaticDevice.objects.get(user=user).token_set.count() == 10
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_during_setup_is_refused_and_nothing_is_confirmed(client):
    user = StaffUserFactory()
    log_in(client, user)
    open_enrolment_link(client, user)
    client.get(reverse("two-factor-setup"))

    response = client.post(reverse("two-factor-setup"), {"token": "000000"})

    assert response.status_code == 200
    assert "does not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_staff_with_an_authenticator_enter_a_code_after_the_password(
    client, staff_with_authenticator
):
    user, device = staff_with_authenticator
    log_in(client, user)
    assert client.get("/admin/").status_code == 302

    wrong = client.post(reverse("two-factor-verify"), {"token": "123456"})
    assert "not right" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302
    too_soon = client.post(
        reverse("two-factor-verify"), {"token": current_code(device)}
    )
    assert "Too many wrong codes" in too_soon.content.decode()

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):
        right = client.post(
            reverse("two-factor-verify"),
            {"token": current_code(device), "next": "/admin/"},
        )
        assert right["Location"] == "/admin/"
        assert client.get("/admin/").status_code == 200


def test_a_backup_code_works_once(client, staff_with_authenticator):
    user, _ = staff_with_authenticator
    code = replace_backup_codes(user)[0]
    log_in(client, user)
    client.post(reverse("two-factor-verify"), {"token": code})
    assert client.get("/admin/").status_code == 200

    client.logout()
    log_in(client, user)
    again = client.post(reverse("two-factor-verify"), {"token": code})
    assert again.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_regenerated_backup_codes_replace_the_old_ones(
    client, staff_with_authenticator
):
    user, device = staff_with_authenticator
    old = replace_backup_codes(user)
    log_in(client, user)
    client.post(reverse("two-factor-verify"), {"token": current_code(device)})

    client.post(reverse("two-factor-backup-codes"))

    new = client.get(reverse("two-factor-backup-codes")).context["codes"]
    assert len(new) == 10
    tokens = set(
        StaticDevice.objects.get(user=user).token_set.values_list("token", flat=True)
    )
    assert tokens == set(new)
    assert not tokens & set(old)


def test_a_password_alone_cannot_replace_an_existing_authenticator(
    client, staff_with_authenticator
):
    user, _ = staff_with_authenticator
    log_in(client, user)

    response = client.get(reverse("two-factor-setup"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two-factor-verify"))


def test_grantees_are_not_required_to_use_two_factor(client):
    grantee = MembershipFactory().user
    log_in(client, grantee)

    response = client.get("/portal/")

    assert response.status_code == 200


def test_the_embedded_demo_can_leave_two_factor_optional(client, settings):
    settings.KHANIJ_STAFF_2FA_REQUIRED = False
    user = StaffUserFactory(is_superuser=True)
    log_in(client, user)

    assert client.get("/admin/").status_code == 200
