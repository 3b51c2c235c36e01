"""API tokens: made once on the account page, stored hashed, revoked at once."""

import datetime
import hashlib

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from grants import services
from grants.models import ApiRequest, ApiToken
from tests.api import api_client, token_for
from tests.factories import MembershipFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


def signed_in_with_second_factor(client, user):
    device = TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


# The service --------------------------------------------------------------------------


def test_a_token_is_kept_as_a_digest_and_its_secret_returned_once(grantee):
    token, secret = services.create_api_token(
        grantee, name="MIS pull", lifetime_days=90, second_factor_passed=False
    )

    assert secret.startswith("khanij_")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == hashlib.sha512(secret.encode()).hexdigest()
    assert secret not in {stored.digest, stored.token_key, stored.name}
    assert secret.startswith(stored.token_key)
    assert stored.expiry.date() == (timezone.now() + datetime.timedelta(90)).date()


def test_a_staff_token_needs_the_second_factor(programme_officer):
    with pytest.raises(services.GrantRuleError, match="second factor"):
        services.create_api_token(
            programme_officer, name="MIS", lifetime_days=30, second_factor_passed=False
        )

    token, _secret = services.create_api_token(
        programme_officer, name="MIS", lifetime_days=30, second_factor_passed=True
    )
    assert token.second_factor


def test_a_token_needs_a_name_and_a_lifetime_offered(grantee):
    with pytest.raises(services.GrantRuleError) as refused:
        services.create_api_token(
            grantee, name="  ", lifetime_days=90, second_factor_passed=False
        )
    assert "name" in refused.value.message_dict

    with pytest.raises(services.GrantRuleError) as refused:
        services.create_api_token(
            grantee, name="x", lifetime_days=10_000, second_factor_passed=False
        )
    assert "lifetime_days" in refused.value.message_dict


def test_a_user_keeps_at_most_ten_tokens(grantee):
    for number in range(services.api_tokens.MAX_TOKENS_PER_USER):
        token_for(grantee, name=f"script {number}")

    with pytest.raises(services.GrantRuleError, match="Revoke one"):
        services.create_api_token(
            grantee, name="one more", lifetime_days=30, second_factor_passed=False
        )


# Signing in with one ------------------------------------------------------------------


def test_a_token_signs_in_as_its_user(grantee):
    response = api_client(grantee).get(reverse("api:project-list"))

    assert response.status_code == 200


def test_a_revoked_token_is_refused_at_once(grantee):
    token, secret = token_for(grantee)
    client = api_client(secret=secret)
    assert client.get(reverse("api:project-list")).status_code == 200

    services.revoke_api_token(token)
    response = client.get(reverse("api:project-list"))

    assert response.status_code == 401
    assert response.json()["type"] == "urn:khanij:problem:token-refused"


def test_an_expired_token_is_refused(grantee):
    _token, secret = token_for(grantee, days=30)

    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        response = api_client(secret=secret).get(reverse("api:project-list"))

    assert response.status_code == 401
    assert not ApiToken.objects.exists()


def test_a_made_up_token_is_refused(grantee):
    _token, secret = token_for(grantee)
    forged = secret[:-4] + "0000"

    response = api_client(secret=forged).get(reverse("api:project-list"))

    assert response.status_code == 401


def test_a_token_of_a_deactivated_user_is_refused(grantee):
    _token, secret = token_for(grantee)
    grantee.is_active = False
    grantee.save()

    response = api_client(secret=secret).get(reverse("api:project-list"))

    assert response.status_code == 401


def test_every_request_is_logged_with_its_token_but_not_its_secret(grantee):
    token, secret = token_for(grantee, name="half-yearly upload")
    client = api_client(secret=secret)

    client.get(reverse("api:project-list") + "?status=ongoing")
    api_client().get(reverse("api:project-list"))

    signed, anonymous = ApiRequest.objects.order_by("pk")
    assert (signed.user, signed.token_key, signed.token_name) == (
        grantee,
        token.token_key,
        "half-yearly upload",
    )
    assert (signed.method, signed.path, signed.status) == (
        "GET",
        "/api/v1/projects/?status=ongoing",
        200,
    )
    assert (anonymous.user, anonymous.token_key, anonymous.status) == (None, "", 401)
    for row in ApiRequest.objects.values():
        assert secret not in str(row)


def test_a_token_notes_when_it_was_last_used(grantee):
    token, secret = token_for(grantee)

    api_client(secret=secret).get(reverse("api:project-list"))

    token.refresh_from_db()
    assert token.last_used_at is not None


# The account page ---------------------------------------------------------------------


def test_the_account_page_shows_a_new_secret_once(client, grantee):
    client.force_login(grantee)

    made = client.post(
        reverse("api-tokens"), {"name": "Project office", "lifetime_days": "90"}
    )

    token = ApiToken.objects.get(user=grantee)
    secret = made.context["secret"]
    assert secret.startswith(token.token_key)
    assert secret in made.content.decode()
    assert "no-store" in made["Cache-Control"]
    again = client.get(reverse("api-tokens")).content.decode()
    assert secret not in again
    assert token.token_key in again
    assert api_client(secret=secret).get(reverse("api:project-list")).status_code == 200


def test_the_account_page_refuses_a_staff_token_without_the_second_factor(client):
    staff = StaffUserFactory()
    client.force_login(staff)

    page = client.post(reverse("api-tokens"), {"name": "MIS", "lifetime_days": "30"})

    assert page.status_code == 200
    assert "second factor" in page.content.decode()
    assert not ApiToken.objects.exists()


def test_the_account_page_makes_a_staff_token_after_the_second_factor(client):
    staff = StaffUserFactory()
    signed_in_with_second_factor(client, staff)

    client.post(reverse("api-tokens"), {"name": "MIS", "lifetime_days": "30"})

    assert ApiToken.objects.get(user=staff).second_factor


def test_a_user_revokes_their_own_token_and_no_one_elses(client, grantee):
    mine, my_secret = token_for(grantee)
    other = MembershipFactory().user
    theirs, their_secret = token_for(other)
    client.force_login(grantee)

    refused = client.post(reverse("api-token-revoke", args=[theirs.token_key]))
    revoked = client.post(reverse("api-token-revoke", args=[mine.token_key]))

    assert refused.status_code == 404
    assert revoked.status_code == 302
    assert api_client(secret=my_secret).get("/api/v1/").status_code == 401
    assert api_client(secret=their_secret).get("/api/v1/").status_code == 200


def test_the_account_page_says_what_is_wrong_with_the_form(client, grantee):
    client.force_login(grantee)

    page = client.post(reverse("api-tokens"), {"name": "", "lifetime_days": "90"})

    assert "Say what the token is for." in page.content.decode()
    assert not ApiToken.objects.exists()


# Keys that must stop working ----------------------------------------------------------


def test_a_token_made_before_its_user_joined_the_staff_is_refused(grantee):
    _token, secret = token_for(grantee)
    grantee.is_staff = True
    grantee.save()

    response = api_client(secret=secret).get(reverse("api:project-list"))

    assert response.status_code == 401
    assert "second factor" in response.json()["detail"]


def test_a_new_password_revokes_every_token(grantee):
    _token, secret = token_for(grantee)
    token_for(grantee, name="another")

    grantee.set_password("a-new-password-for-2027")
    grantee.save()

    assert not ApiToken.objects.filter(user=grantee).exists()
    assert api_client(secret=secret).get("/api/v1/").status_code == 401


def test_saving_a_user_without_a_new_password_keeps_their_tokens(grantee):
    token_for(grantee)

    grantee.display_name = "Dr A. Rao"
    grantee.save()

    assert ApiToken.objects.filter(user=grantee).exists()


def test_a_second_factor_reset_revokes_every_token(superuser):
    staff = StaffUserFactory(email="officer@mines.example")
    token_for(staff)

    services.reset_two_factor(staff, by=superuser)

    assert not ApiToken.objects.filter(user=staff).exists()


def test_expired_tokens_hold_no_place_among_the_ten(grantee):
    for number in range(services.api_tokens.MAX_TOKENS_PER_USER):
        token_for(grantee, name=f"old script {number}", days=1)

    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        token, _secret = services.create_api_token(
            grantee, name="new script", lifetime_days=30, second_factor_passed=False
        )

    assert list(ApiToken.objects.filter(user=grantee)) == [token]


def test_the_log_keeps_the_address_that_connected_not_one_a_header_claims(grantee):
    client = api_client(grantee)

    client.get(
        reverse("api:project-list"),
        REMOTE_ADDR="10.1.2.3",
        HTTP_X_FORWARDED_FOR="8.8.8.8",
    )

    assert ApiRequest.objects.get().address == "10.1.2.3"


def test_an_address_refused_again_and_again_is_told_to_wait(settings, grantee):
    settings.KHANIJ_API_REFUSALS_PER_MINUTE = 3
    wrong = api_client(secret="khanij_" + "0" * 64)
    url = reverse("api:project-list")

    answers = [wrong.get(url).status_code for _ in range(4)]
    good = api_client(grantee).get(url)

    assert answers == [401, 401, 401, 429]
    assert good.status_code == 429  # the same address: it waits too
    assert int(good["Retry-After"]) <= 60


def test_the_request_log_is_pruned_after_its_keeping(settings, grantee):
    settings.KHANIJ_API_LOG_DAYS = 30
    api_client(grantee).get("/api/v1/")
    old = ApiRequest.objects.get()
    ApiRequest.objects.filter(pk=old.pk).update(
        at=timezone.now() - datetime.timedelta(days=31)
    )
    api_client(grantee).get("/api/v1/")

    assert services.prune_api_requests() == 1
    assert ApiRequest.objects.count() == 1


def test_the_token_forms_need_their_csrf_token(grantee):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(grantee)
    token, _secret = token_for(grantee)

    made = client.post(reverse("api-tokens"), {"name": "x", "lifetime_days": "30"})
    revoked = client.post(reverse("api-token-revoke", args=[token.token_key]))

    assert (made.status_code, revoked.status_code) == (403, 403)
    assert list(ApiToken.objects.filter(user=grantee)) == [token]
