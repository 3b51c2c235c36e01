from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig


class GrantsConfig(AppConfig):
    # This module also holds the libraries' configs below: say which is the app's.
    default = True
    default_auto_field = "django.db.models.BigAutoField"
    name = "grants"
    verbose_name = _("Grants")

    def ready(self):
        # The task module registers what services queue (grants.services.queue).
        # The language module listens for logins and logouts.
        from grants import language, page_cache, summaries, tasks  # noqa: F401
        from grants.services import api_tokens

        summaries.connect_signals()
        page_cache.connect_signals()
        api_tokens.connect_signals()
        # The throttles' cache table (CACHES["shared"]) comes with every migrate,
        # so no deployment step can forget it.
        post_migrate.connect(create_cache_tables, sender=self)
        post_migrate.connect(fill_portfolio_rollup, sender=self)


def create_cache_tables(using, **kwargs):
    """Create the database cache tables that do not exist yet (idempotent)."""
    call_command("createcachetable", database=using, verbosity=0)


def fill_portfolio_rollup(**kwargs):
    """Fill the dashboard's rollup where summaries exist without one (an upgrade)."""
    from grants import summaries

    summaries.fill_rollup_if_empty()


# The libraries' apps under names a ministry admin reads in the admin's index. Each
# subclass keeps its library's name and label, so migrations and tables stay theirs.
class AuthenticatorDevicesConfig(TOTPConfig):
    verbose_name = _("Two-factor sign-in: authenticator apps")


class BackupCodesConfig(StaticConfig):
    verbose_name = _("Two-factor sign-in: backup codes")


class LockoutConfig(AxesConfig):
    verbose_name = _("Failed logins and lockouts")
