from django.urls import NoReverseMatch, reverse
from django.views.generic import RedirectView

from grants.models import CommitteeMember, Membership
from grants.views.review.access import remember_seat


class HomeView(RedirectView):
    """Send staff to their workspace, grantees to the portal, and an external
    expert (no grantee membership, a seat on a committee) to their reviews.

    Anonymous visitors never get here: the login-required middleware sends them
    to the login page first.
    """

    def get_redirect_url(self, *args, **kwargs):
        user = self.request.user
        has_seat = CommitteeMember.objects.active().filter(user=user).exists()
        # The header's "Reviews" link follows this, without a query on every page.
        remember_seat(self.request, has_seat)
        if user.is_staff:
            try:
                return reverse("staff:dashboard")
            except NoReverseMatch:
                # The staff workspace mounts at /staff/ whatever its first page.
                return "/staff/"
        if has_seat and not Membership.objects.active().filter(user=user).exists():
            return reverse("review:home")
        return reverse("portal:home")
