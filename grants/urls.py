from django.urls import path

from grants.views import home

urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
]
