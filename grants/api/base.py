"""What every API view shares: the language, the log, and rows through ``access``."""

from axes.helpers import get_client_ip_address
from django.contrib.auth.decorators import login_not_required
from django.utils.decorators import method_decorator
from rest_framework import routers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.views import APIView

from grants import language, services
from grants.api import access, refusals
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

    # No OPTIONS answer: it would describe an object without looking it up.
    metadata_class = None

    def initial(self, request, *args, **kwargs):
        refusals.check(request)
        super().initial(request, *args, **kwargs)

    def perform_authentication(self, request):
        super().perform_authentication(request)
        # Before the permissions and the rate: their refusals are in it too.
        language.for_api_request(request, request.user)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # A user's data, asked for with a token: kept by no cache on the way.
        response.headers.setdefault("Cache-Control", "private, no-store")
        # What authentication found, without asking again (a refused token
        # would be refused a second time).
        user = getattr(request, "_user", None)
        token = getattr(request, "_auth", None)
        if response.status_code == 401:
            refusals.count(request)
        services.record_api_request(
            user=user,
            token=token if isinstance(token, ApiToken) else None,
            method=request.method,
            path=request.get_full_path(),
            status=response.status_code,
            address=get_client_ip_address(request._request),
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
    # The columns the answer reads, where a row and its joins have many more.
    columns = ()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            # The OpenAPI document asks for the model alone, with no user.
            return self.model.objects.none()
        queryset = access.visible(self.model, self.request.user)
        queryset = queryset.select_related(*self.related).prefetch_related(
            *self.prefetch
        )
        if self.columns:
            queryset = queryset.only(*self.columns)
        return self.rows(queryset)

    def rows(self, queryset):
        """The rows as the list reads them (annotations the filters need)."""
        return queryset


class RootView(Logged, routers.APIRootView):
    """``/api/v1/``: where each list is."""


class NoSuchAddress(Logged, APIView):
    """Any other address under ``/api/``: a problem, logged like the rest."""

    permission_classes = []
    schema = None  # not an operation of the OpenAPI document

    def dispatch_missing(self, request, *args, **kwargs):
        raise NotFound

    get = post = put = patch = delete = head = dispatch_missing
