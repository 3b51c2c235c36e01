from django.urls import NoReverseMatch, reverse
from django.views.generic import RedirectView


class HomeView(RedirectView):
    """Send staff to their workspace and grantees to the portal.

    Anonymous visitors never get here: the login-required middleware sends them
    to the login page first.
    """

    def get_redirect_url(self, *args, **kwargs):
        if self.request.user.is_staff:
            try:
                return reverse("staff:dashboard")
            except NoReverseMatch:
                # The staff workspace mounts at /staff/ whatever its first page.
                return "/staff/"
        return reverse("portal:home")
