"""URLs outside both namespaces: the home redirect, the favicon, file downloads."""

from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from grants.views import documents, home


class FaviconView(RedirectView):
    # Resolved per request: the hashed static name exists only after collectstatic.
    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("img/favicon.svg")


urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    # Browsers and feed readers ask for /favicon.ico whatever the page says.
    path("favicon.ico", login_not_required(FaviconView.as_view()), name="favicon"),
    path(
        "documents/<int:pk>/",
        documents.DocumentDownloadView.as_view(),
        name="document-download",
    ),
]
