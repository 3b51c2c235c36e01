from django.contrib import admin
from django.urls import include, path

from grants.views import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("grants.urls.accounts")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("staff/", include("grants.urls.staff")),
    path("portal/", include("grants.urls.portal")),
    path("", include("grants.urls.shared")),
]

admin.site.site_header = "Khanij R&D – REE grant portfolio"
admin.site.site_title = "Khanij R&D"
admin.site.index_title = "Portfolio administration"

# A database outage answers a clean 503 page instead of a traceback.
handler500 = "grants.views.errors.server_error"
