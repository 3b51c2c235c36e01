"""Who may read and do what through the API, decided in one place.

Staff read what their permissions allow: a model's rows need its ``view``
permission (every staff role has them), and a decision the permission its page
needs. Anyone else reads through the model's ``visible_to(user)``, the same rule
the portal uses, so another organisation's object is a 404, never a 403 that
confirms it exists.
"""

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission


class SignedIn(BasePermission):
    """Every endpoint needs a token (401 without one)."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)


class PortfolioFigures(SignedIn):
    """The portfolio's figures: staff whose role reads the projects, nobody else."""

    message = _("Only ministry staff whose role reads the projects may read this.")

    def has_permission(self, request, view):
        user = request.user
        return (
            super().has_permission(request, view)
            and user.is_staff
            and user.has_perm("grants.view_project")
        )


def visible(model: type[Model], user) -> QuerySet:
    """The rows of ``model`` that ``user`` may read through the API."""
    if user.is_staff:
        meta = model._meta
        if not user.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
            raise PermissionDenied(
                _("Your role may not read %(things)s.")
                % {"things": meta.verbose_name_plural}
            )
        return model.objects.all()
    return model.objects.visible_to(user)


def require_permission(user, permission: str) -> None:
    """Refuse, with 403, a user whose role may not make this decision."""
    if not user.is_staff or not user.has_perm(permission):
        raise PermissionDenied(_("Your role may not make this decision."))
