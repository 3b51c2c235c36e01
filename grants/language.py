"""Which language a person reads the app in, decided in one place.

Before login the choice is Django's language cookie, and without one the browser's
Accept-Language (Django's LocaleMiddleware), then English. Once signed in, the
user's ``preferred_language`` wins: it follows them to any machine, and the same
field decides the language of every e-mail they are sent.

- The language switch posts to ``set_language``; a signed-in user's choice is saved
  on the user as well as in the cookie.
- At login, a choice made on the login page (the cookie) is kept on the user;
  without one, the user's own choice is applied and written to the cookie.
- E-mails use the same choice (``grants.services.recipients.language_of``).
- An API request (no session, no cookie) is answered in the language its
  ``Accept-Language`` asks for, else in its token's user's (``for_api_request``).
- At logout the cookie goes, so the next person at a shared machine is not signed
  in to the previous person's language.
"""

from django.conf import settings
from django.contrib.auth import user_logged_in, user_logged_out
from django.contrib.auth.decorators import login_not_required
from django.dispatch import receiver
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

# One rule for a person's language, pages and e-mails alike.
from grants.services.recipients import language_of


def supported(code: str | None) -> str | None:
    """The app's code for a language code, or None: 'hi-IN' -> 'hi'."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def _set_cookie(response, code: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class UserLanguageMiddleware:
    """Apply a signed-in user's language; keep the cookie in step with it.

    After AuthenticationMiddleware. The user is loaded already on every signed-in
    page, so this adds no query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            code = language_of(user)
            translation.activate(code)
            request.LANGUAGE_CODE = code
        response = self.get_response(request)
        user = getattr(request, "user", None)  # the login view replaces it
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if getattr(request, "_forget_language", False):
            response.delete_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        elif user is not None and user.is_authenticated:
            code = language_of(user)
            if cookie != code and settings.LANGUAGE_COOKIE_NAME not in response.cookies:
                _set_cookie(response, code)
        return response


def for_api_request(request, user) -> str:
    """Activate and return the language of an API request signed in as ``user``.

    The first language of ``Accept-Language`` the app has; without one, the
    user's own (a script rarely says), else the site's.
    """
    code = None
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for asked, _quality in translation.trans_real.parse_accept_lang_header(header):
        if asked != "*" and (code := supported(asked)):
            break
    if code is None:
        code = language_of(user) if user.is_authenticated else settings.LANGUAGE_CODE
    translation.activate(code)
    request.LANGUAGE_CODE = code
    return code


@receiver(user_logged_in, dispatch_uid="grants.language.adopt_language_at_login")
def adopt_language_at_login(sender, request, user, **kwargs):
    if request is None:
        return
    chosen = supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if chosen and chosen != user.preferred_language:
        user.preferred_language = chosen
        user.save(update_fields=["preferred_language"])
    translation.activate(language_of(user))


@receiver(user_logged_out, dispatch_uid="grants.language.forget_language_at_logout")
def forget_language_at_logout(sender, request, user, **kwargs):
    if request is not None:
        request._forget_language = True


@login_not_required
@require_POST
def set_language(request):
    """Django's set_language, and a signed-in user's choice kept on the user."""
    response = django_set_language(request)
    chosen = supported(request.POST.get("language"))
    user = request.user
    if chosen and user.is_authenticated and user.preferred_language != chosen:
        user.preferred_language = chosen
        user.save(update_fields=["preferred_language"])
    return response
