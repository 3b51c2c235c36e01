"""What every API view shares: the language, the log, and rows through ``access``."""

from django.contrib.auth.decorators import login_not_required
from django.utils.decorators import method_decorator
from ipware import get_client_ip
from rest_framework import routers, viewsets

from grants import language, services
from grants.api import access
from grants.api.pagination import Cursor
from grants.models import ApiToken


class Logged:
    """Answer in the user's language, and log the request with its token.

    A token, not a session, signs in to the API, so the site's sign-in page is not
    where an API request without one goes: it is answered 401 here.
    """

    @method_decorator(login_not_required)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        language.for_api_request(request, request.user)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # A user's data, asked for with a token: kept by no cache on the way.
        response.headers.setdefault("Cache-Control", "private, no-store")
        # What authentication found, without asking again (a refused token
        # would be refused a second time).
        user = getattr(request, "_user", None)
        token = getattr(request, "_auth", None)
        services.record_api_request(
            user=user,
            token=token if isinstance(token, ApiToken) else None,
            method=request.method,
            path=request.get_full_path(),
            status=response.status_code,
            address=get_client_ip(request)[0],
        )
        return response


class ReadViewSet(Logged, viewsets.ReadOnlyModelViewSet):
    """A list (cursor-paged, filtered like the staff table) and one object.

    Rows come from ``access.visible``: staff by their permission, anyone else
    through ``visible_to``, so another organisation's id is a 404.
    """

    model = None
    pagination_class = Cursor
    # What the serializer reads beside each row, in the same query or one more.
    related = ()
    prefetch = ()

    def get_queryset(self):
        queryset = access.visible(self.model, self.request.user)
        return self.rows(
            queryset.select_related(*self.related).prefetch_related(*self.prefetch)
        )

    def rows(self, queryset):
        """The rows as the list reads them (annotations the filters need)."""
        return queryset


class RootView(Logged, routers.APIRootView):
    """``/api/v1/``: where each list is."""
