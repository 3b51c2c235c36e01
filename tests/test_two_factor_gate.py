"""What a staff member signed in with the password alone may reach before the code."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "test-pass-123"


@pytest.fixture
def half_signed_in(client, settings):
    """Staff with an authenticator, past the password and not yet past the code."""
    settings.KHANIJ_STAFF_2FA_REQUIRED = True
    user = StaffUserFactory(is_superuser=True)
    TOTPDevice.objects.create(user=user, name="Authenticator app")
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return user


def sent_to_the_code(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        reverse("two-factor-verify")
    )


def test_the_password_cannot_be_changed_before_the_second_factor(
    client, half_signed_in
):
    # Finding 7: everything under /accounts/ was open to a half-signed-in session.
    page = client.get(reverse("password_change"))
    change = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-thiefs-new-pass-9",
            "new_password2": "a-thiefs-new-pass-9",
        },
    )

    assert sent_to_the_code(page)
    assert sent_to_the_code(change)
    half_signed_in.refresh_from_db()
    assert half_signed_in.check_password(PASSWORD)
    assert not half_signed_in.check_password("a-thiefs-new-pass-9")
    assert sent_to_the_code(client.get(reverse("password_change_done")))


@pytest.mark.parametrize(
    "name",
    [
        "login",
        "two-factor-verify",
        "password_reset",
        "password_reset_done",
        "password_reset_complete",
        "help",
        "accessibility",
        "healthz",
        "favicon",
    ],
)
def test_the_steps_to_finish_logging_in_stay_open_before_the_second_factor(
    client, half_signed_in, name
):
    response = client.get(reverse(name))

    assert not sent_to_the_code(response)
    assert response.status_code in (200, 301)


def test_the_language_switch_and_log_out_stay_open_before_the_second_factor(
    client, half_signed_in
):
    switched = client.post(
        reverse("set_language"), {"language": "hi", "next": reverse("help")}
    )
    assert switched["Location"] == reverse("help")

    logged_out = client.post(reverse("logout"))
    assert logged_out["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_a_reset_link_opens_before_the_second_factor(client, half_signed_in):
    link = reverse(
        "password_reset_confirm", kwargs={"uidb64": "MQ", "token": "set-password"}
    )

    assert not sent_to_the_code(client.get(link))


@pytest.mark.parametrize(
    "path", ["/staff/", "/admin/", "/portal/", "/accounts/no-such-page/", "/"]
)
def test_every_other_page_waits_for_the_second_factor(client, half_signed_in, path):
    assert sent_to_the_code(client.get(path))
