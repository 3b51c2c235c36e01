from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


class StaffTwoFactorMiddleware:
    """Send staff who have not confirmed a second factor to do so, for every page.

    On when ``KHANIJ_STAFF_2FA_REQUIRED`` is (always in production). The account
    pages (log in, log out, two-factor, password reset), the health check and
    static files stay reachable, or nobody could ever finish logging in.
    """

    OPEN_PREFIXES = ("/accounts/", "/healthz", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.KHANIJ_STAFF_2FA_REQUIRED
            and user.is_authenticated
            and user.is_staff
            and not user.is_verified()
            and not request.path.startswith(self.OPEN_PREFIXES)
        ):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('two-factor-verify')}?{query}")
        return self.get_response(request)
