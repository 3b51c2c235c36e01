"""Which language a person reads the app in (grants/language.py)."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import UserFactory

COOKIE = settings.LANGUAGE_COOKIE_NAME
pytestmark = pytest.mark.django_db


def html_lang(response) -> str:
    html = response.content.decode()
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_the_login_page_follows_the_browsers_accept_language(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="hi-IN,hi;q=0.9")
    assert html_lang(response) == "hi"


def test_without_a_choice_or_a_hindi_browser_the_page_is_english(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr-FR")
    assert html_lang(response) == "en"


def test_every_page_carries_a_switch_naming_each_language_in_its_own_script(client):
    html = client.get(reverse("login")).content.decode()
    assert f'action="{reverse("set_language")}"' in html
    assert 'value="en" lang="en"' in html
    assert ">English</button>" in html
    assert 'value="hi" lang="hi"' in html
    assert ">हिन्दी</button>" in html


def test_the_switch_before_login_is_a_cookie(client):
    response = client.post(
        reverse("set_language"), {"language": "hi", "next": reverse("login")}
    )
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "hi"
    assert html_lang(client.get(reverse("login"))) == "hi"


def test_the_switch_is_a_post_with_a_csrf_token(client):
    assert client.get(reverse("set_language")).status_code == 405
    guarded = type(client)(enforce_csrf_checks=True)
    assert guarded.post(reverse("set_language"), {"language": "hi"}).status_code == 403


def test_a_signed_in_users_choice_is_kept_on_the_user(client):
    user = UserFactory(preferred_language="en")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "hi", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "hi"


def test_the_users_choice_follows_them_to_a_machine_without_the_cookie(client):
    user = UserFactory(preferred_language="hi")
    client.force_login(user)
    response = client.get(reverse("help"), HTTP_ACCEPT_LANGUAGE="en")
    assert html_lang(response) == "hi"
    assert response.cookies[COOKIE].value == "hi"


def test_a_language_chosen_on_the_login_page_is_kept_at_login(client):
    user = UserFactory(username="pi-x", preferred_language="en")
    client.cookies[COOKIE] = "hi"
    client.post(reverse("login"), {"username": "pi-x", "password": "test-pass-123"})
    user.refresh_from_db()
    assert user.preferred_language == "hi"


def test_logging_in_without_a_choice_keeps_the_users_own(client):
    user = UserFactory(username="pi-y", preferred_language="hi")
    client.post(
        reverse("login"),
        {"username": "pi-y", "password": "test-pass-123"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    user.refresh_from_db()
    assert user.preferred_language == "hi"
    assert html_lang(client.get(reverse("help"))) == "hi"


def test_logging_out_forgets_the_cookie_for_the_next_person(client):
    client.force_login(UserFactory(preferred_language="hi"))
    client.cookies[COOKIE] = "hi"
    response = client.post(reverse("logout"))
    assert response.cookies[COOKIE].value == ""
    assert response.cookies[COOKIE]["max-age"] == 0


def test_an_unknown_language_changes_nothing(client):
    user = UserFactory(preferred_language="hi")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "hi"


def test_the_switch_returns_to_the_page_it_was_on_and_never_off_the_site(client):
    response = client.post(
        reverse("set_language"), {"language": "hi", "next": reverse("help")}
    )
    assert response.url == reverse("help")
    response = client.post(
        reverse("set_language"), {"language": "hi", "next": "https://evil.example/"}
    )
    assert "evil.example" not in response.url
