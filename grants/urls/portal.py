"""The grantee portal's URLs, mounted at ``/portal/`` in the ``portal`` namespace."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from grants.views.portal import (
    assets,
    calendar,
    certificate_forms,
    documents,
    extensions,
    home,
    projects,
    reappropriations,
    submissions,
)

app_name = "portal"

urlpatterns = [
    path("", home.PortalHomeView.as_view(), name="home"),
    path("due/", home.DueListView.as_view(), name="due"),
    path(
        "projects/<int:pk>/",
        projects.ProjectDetailView.as_view(),
        name="project-detail",
    ),
    path(
        "projects/<int:pk>/certificates/new/",
        submissions.ProjectCertificateSubmitView.as_view(),
        name="certificate-submit",
    ),
    path(
        "projects/<int:pk>/extension/",
        extensions.ExtensionRequestView.as_view(),
        name="extension-request",
    ),
    path(
        "projects/<int:pk>/reappropriations/",
        reappropriations.ReappropriationView.as_view(),
        name="reappropriations",
    ),
    path(
        "projects/<int:pk>/assets/",
        assets.AssetRegisterView.as_view(),
        name="assets",
    ),
    path(
        "projects/<int:pk>/assets.pdf",
        assets.AssetRegisterPdfView.as_view(),
        name="assets-pdf",
    ),
    path(
        "projects/<int:pk>/documents/new/",
        documents.DocumentUploadView.as_view(),
        name="document-upload",
    ),
    path(
        "milestones/<int:pk>/report/",
        submissions.ProgressReportSubmitView.as_view(),
        name="report-submit",
    ),
    path(
        "milestones/<int:pk>/certificate/",
        submissions.MilestoneCertificateSubmitView.as_view(),
        name="milestone-certificate-submit",
    ),
    path(
        "reports/<int:pk>/",
        submissions.ProgressReportDetailView.as_view(),
        name="report-detail",
    ),
    path(
        "certificates/<int:pk>/",
        submissions.UtilisationCertificateDetailView.as_view(),
        name="certificate-detail",
    ),
    path(
        "certificates/<int:pk>/gfr-12a.pdf",
        certificate_forms.CertificateGfr12aView.as_view(),
        name="certificate-gfr-12a",
    ),
    path("calendar/", calendar.CalendarView.as_view(), name="calendar"),
    # Calendar applications cannot log in: the secret token is the credential.
    path(
        "calendar/<str:token>.ics",
        login_not_required(calendar.CalendarFeedView.as_view()),
        name="calendar-feed",
    ),
]
