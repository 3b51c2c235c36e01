"""Forgetting or changing a password: the pages and the e-mail, in the app's look."""

import re

import pytest
from django.urls import reverse

from config.celery import app as celery_app
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_login_page_offers_forgot_password(client):
    html = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in html
    assert "Forgot password?" in html


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


def test_a_forgotten_password_is_reset_from_the_link_in_the_e_mail(
    client, eager, django_capture_on_commit_callbacks, mailoutbox
):
    user = UserFactory(username="pi-demo", email="pi@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "pi@example.org"})
    assert response.url == reverse("password_reset_done")
    (message,) = mailoutbox
    assert message.subject == "Khanij R&D: choose a new password"
    link = re.search(r"https?://\S+/accounts/reset/\S+/", message.body)[0]

    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-long-new-pass-7", "new_password2": "a-long-new-pass-7"},
    )
    assert done.url == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password("a-long-new-pass-7")


def test_an_unknown_address_is_told_the_same_and_sent_nothing(
    client, eager, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("password_reset"), {"email": "nobody@example.org"}
        )
    assert response.url == reverse("password_reset_done")
    assert mailoutbox == []


def test_the_header_reaches_change_password_and_two_factor_setup(client, grantee):
    client.force_login(grantee)
    html = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("password_change")}"' in html
    assert f'href="{reverse("two-factor-setup")}"' in html
    page = client.get(reverse("password_change")).content.decode()
    assert "Change password" in page
