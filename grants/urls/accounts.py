"""The two-factor steps, mounted under ``/accounts/`` beside Django's own views."""

from django.urls import path

from grants.views import accounts

urlpatterns = [
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
