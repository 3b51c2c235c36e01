from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "grants"
    verbose_name = _("Grants")

    def ready(self):
        # The task module registers what services queue (grants.services.queue).
        from grants import summaries, tasks  # noqa: F401

        summaries.connect_signals()
