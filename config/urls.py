from django.contrib import admin
from django.urls import include, path

from grants.urls import portal_patterns, staff_patterns
from grants.views import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("staff/", include((staff_patterns, "staff"))),
    path("portal/", include((portal_patterns, "portal"))),
    path("", include("grants.urls")),
]

admin.site.site_header = "Khanij R&D – REE grant portfolio"
admin.site.site_title = "Khanij R&D"
admin.site.index_title = "Portfolio administration"
