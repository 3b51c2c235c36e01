from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode


class StaffTwoFactorMiddleware:
    """Send staff who have not confirmed a second factor to do so, for every page.

    On when ``KHANIJ_STAFF_2FA_REQUIRED`` is (always in production). Before the
    second factor only the pages named below are reachable, or nobody could ever
    finish logging in: everything else, the password change included, waits for it.
    A page is known by its URL name, resolved per request, so a new page under
    ``/accounts/`` is closed until it is named here.
    """

    OPEN_URL_NAMES = frozenset(
        {
            "login",
            "logout",
            # The two-factor steps; the backup codes come after the second factor.
            "two-factor-verify",
            "two-factor-setup",
            "two-factor-invitation",
            "two-factor-qr",
            # A forgotten password is reset without being signed in at all.
            "password_reset",
            "password_reset_done",
            "password_reset_confirm",
            "password_reset_complete",
            # What every page links to, or answers without a session.
            "set_language",
            "help",
            "accessibility",
            "healthz",
            "favicon",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.KHANIJ_STAFF_2FA_REQUIRED
            and user.is_authenticated
            and user.is_staff
            and not user.is_verified()
            and not self.is_open(request)
        ):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('two-factor-verify')}?{query}")
        return self.get_response(request)

    def is_open(self, request) -> bool:
        if request.path.startswith(settings.STATIC_URL):
            return True
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return False
        return match.view_name in self.OPEN_URL_NAMES
