"""The two-factor steps and the password-reset request, under ``/accounts/``.

Mounted before Django's own account views (config/urls.py), so these win.
"""

from django.urls import path

from grants.views import accounts, api_tokens, passwords

urlpatterns = [
    # A user's own API tokens (docs/api.md).
    path("api-tokens/", api_tokens.ApiTokensView.as_view(), name="api-tokens"),
    path(
        "api-tokens/<str:key>/revoke/",
        api_tokens.ApiTokenRevokeView.as_view(),
        name="api-token-revoke",
    ),
    # Before Django's own view of the same name: the e-mail goes through the worker.
    path(
        "password_reset/",
        passwords.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "two-factor/",
        accounts.TwoFactorVerifyView.as_view(),
        name="two-factor-verify",
    ),
    path(
        "two-factor/setup/",
        accounts.TwoFactorSetupView.as_view(),
        name="two-factor-setup",
    ),
    # The one-time link an administrator e-mails (grants.services.enrolment).
    path(
        "two-factor/enrol/<str:token>/",
        accounts.TwoFactorInvitationView.as_view(),
        name="two-factor-invitation",
    ),
    path(
        "two-factor/setup/qr.svg",
        accounts.TwoFactorQRCodeView.as_view(),
        name="two-factor-qr",
    ),
    path(
        "two-factor/backup-codes/",
        accounts.BackupCodesView.as_view(),
        name="two-factor-backup-codes",
    ),
]
