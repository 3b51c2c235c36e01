"""The forgotten-password page: Django's, with the e-mail sent by the worker."""

from axes.helpers import get_client_ip_address
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect

from grants import services


class PasswordResetView(auth_views.PasswordResetView):
    """Queue the reset e-mail and answer "check your e-mail", whatever the address.

    The answer is the same, and as fast, for an address with an account, one
    without, and a client that asked too often: nothing is looked up or sent in
    the request (``grants.services.password_reset``). The client's address is the
    one the log-in lockout uses (behind a proxy, what the proxy appended).
    """

    def form_valid(self, form):
        services.request_password_reset(
            form.cleaned_data["email"], client=get_client_ip_address(self.request)
        )
        return HttpResponseRedirect(self.get_success_url())
