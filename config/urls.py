from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from grants import language
from grants.views import health, pages

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # The language switch on every page; a signed-in user's choice is kept.
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("accessibility/", pages.AccessibilityView.as_view(), name="accessibility"),
    path("help/", pages.HelpView.as_view(), name="help"),
    path("accounts/", include("grants.urls.accounts")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("staff/", include("grants.urls.staff")),
    path("portal/", include("grants.urls.portal")),
    path("review/", include("grants.urls.review")),
    path("api/", include("grants.urls.api")),
    path("", include("grants.urls.shared")),
]

admin.site.site_header = _("Khanij R&D – REE grant portfolio")
admin.site.site_title = _("Khanij R&D")
admin.site.index_title = _("Portfolio administration")

# A database outage answers a clean 503 page instead of a traceback.
handler500 = "grants.views.errors.server_error"
