"""URLs outside both namespaces: the home redirect and file downloads."""

from django.urls import path

from grants.views import documents, home

urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path(
        "documents/<int:pk>/",
        documents.DocumentDownloadView.as_view(),
        name="document-download",
    ),
]
