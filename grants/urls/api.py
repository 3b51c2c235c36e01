"""The REST API under ``/api/``: ``v1/`` and its OpenAPI document and docs pages.

The document and both docs pages are open without signing in: they describe the
API and hold no data, and a grantee's developer reads them before having a token.
Both docs pages are served from the app's own static files (drf-spectacular-sidecar).
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from rest_framework import routers

from grants.api import dashboard, docs, viewsets
from grants.api.base import NoSuchAddress, RootView


class Router(routers.DefaultRouter):
    APIRootView = RootView
    include_format_suffixes = False


router = Router()
router.register("projects", viewsets.ProjectViewSet, basename="project")
router.register("budget-lines", viewsets.BudgetLineViewSet, basename="budget-line")
router.register("instalments", viewsets.InstalmentViewSet, basename="instalment")
router.register("certificates", viewsets.CertificateViewSet, basename="certificate")
router.register("milestones", viewsets.MilestoneViewSet, basename="milestone")
router.register("reports", viewsets.ReportViewSet, basename="report")
router.register("documents", viewsets.DocumentViewSet, basename="document")

app_name = "api"
urlpatterns = [
    path("v1/dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("v1/", include(router.urls)),
    path("schema/", login_not_required(docs.SchemaView.as_view()), name="schema"),
    path(
        "docs/",
        login_not_required(docs.SwaggerView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path(
        "redoc/",
        login_not_required(docs.RedocView.as_view(url_name="api:schema")),
        name="redoc",
    ),
    path("redoc/redoc.standalone.js", docs.redoc_script, name="redoc-script"),
    # Last: any other address under /api/ is a problem detail, not the site's page.
    re_path(r"^.*$", NoSuchAddress.as_view(), name="not-found"),
]
