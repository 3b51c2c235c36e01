"""Who may see and do what in the portal, decided in one place.

Every queryset goes through ``visible_to(request.user)``, so another organisation's
object is a 404, never a 403 that confirms it exists. ``PortalObjectMixin`` finds a
view's object that way before the request method is even looked at, so GET and
POST answer alike. What a member may submit follows their role
(``services.REPORT_SUBMITTER_ROLES``, ``CERTIFICATE_SUBMITTER_ROLES``).
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from grants import services
from grants.models import Milestone, Project


class PortalObjectMixin:
    """Find the URL's object among those the user may see, or answer 404.

    The lookup runs in ``dispatch``, before the method is dispatched, so a GET and
    a POST to another organisation's object are both a 404.
    """

    model = None
    pk_url_kwarg = "pk"

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def dispatch(self, request, *args, **kwargs):
        self.object = get_object_or_404(
            self.get_queryset(), pk=kwargs[self.pk_url_kwarg]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, queryset=None):
        return self.object


class RoleRequiredMixin:
    """Refuse, with a page that says why, a member whose role may not do this."""

    allowed_roles: frozenset = frozenset()

    def get_project(self) -> Project:
        raise NotImplementedError

    def refusal(self, project) -> str:
        raise NotImplementedError

    @cached_property
    def roles(self) -> set[str]:
        return services.member_roles(self.request.user, self.get_project())

    def dispatch(self, request, *args, **kwargs):
        # PortalObjectMixin comes first in the bases, so the object is found (or
        # the request is a 404) before the role is looked at.
        if not self.roles & self.allowed_roles:
            return refused(
                request, self.refusal(self.get_project()), self.get_project()
            )
        return super().dispatch(request, *args, **kwargs)


def refused(request, message: str, project: Project):
    """Answer 403 with a page that says who may do this instead."""
    return TemplateResponse(
        request,
        "grants/portal/refused.html",
        {"message": message, "project": project},
        status=403,
    )


class OpenMilestoneMixin:
    """Send a member to the right form, or back, when a milestone takes nothing now.

    A report form asked for a certificate milestone (or the other way round)
    redirects to the other form, ``other_form`` being its URL name; a milestone
    that is no longer open sends the member back to the project.
    """

    takes_certificate = False
    other_form = ""

    def get(self, request, *args, **kwargs):
        if response := self.redirect_if_not_open():
            return response
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if response := self.redirect_if_not_open():
            return response
        return super().post(request, *args, **kwargs)

    def redirect_if_not_open(self):
        milestone = self.object
        is_certificate = milestone.kind == Milestone.Kind.UTILISATION_CERTIFICATE
        if is_certificate != self.takes_certificate:
            return redirect(self.other_form, pk=milestone.pk)
        if milestone.status not in Milestone.OPEN_STATUSES:
            messages.info(
                self.request,
                _("“%(title)s” is %(status)s: there is nothing to submit for it now.")
                % {"title": milestone.title, "status": milestone.get_status_display()},
            )
            return redirect("portal:project-detail", pk=milestone.project_id)
        return None
