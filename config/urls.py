from django.contrib import admin
from django.urls import include, path

from grants.urls import portal_patterns, staff_patterns
from grants.views import accounts, health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path(
        "accounts/two-factor/",
        accounts.TwoFactorVerifyView.as_view(),
        name="two-factor-verify",
    ),
    path(
        "accounts/two-factor/setup/",
        accounts.TwoFactorSetupView.as_view(),
        name="two-factor-setup",
    ),
    path(
        "accounts/two-factor/setup/qr.svg",
        accounts.TwoFactorQRCodeView.as_view(),
        name="two-factor-qr",
    ),
    path(
        "accounts/two-factor/backup-codes/",
        accounts.BackupCodesView.as_view(),
        name="two-factor-backup-codes",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("staff/", include((staff_patterns, "staff"))),
    path("portal/", include((portal_patterns, "portal"))),
    path("", include("grants.urls")),
]

admin.site.site_header = "Khanij R&D – REE grant portfolio"
admin.site.site_title = "Khanij R&D"
admin.site.index_title = "Portfolio administration"

# A database outage answers a clean 503 page instead of a traceback.
handler500 = "grants.views.errors.server_error"
