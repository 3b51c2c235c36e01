"""URLs of the staff workspace and the grantee portal.

The two lists are mounted under their own prefixes and namespaces by
``config/urls.py``; the split is a security boundary (see ``views/``).
"""

from django.urls import path

from grants.views import documents, home, portal, staff

staff_patterns = [
    *staff.urlpatterns,
]

portal_patterns = [
    *portal.urlpatterns,
]

urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path(
        "documents/<int:pk>/",
        documents.DocumentDownloadView.as_view(),
        name="document-download",
    ),
]
