"""Imports of a portfolio from a workbook, and certificates accepted on paper.

The ministry admin and finance may import (``import_portfolio``); a certificate
accepted before the ministry's files came here records where its signed copy is.
"""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

GRANTS = {
    "Ministry admin": ["import_portfolio", "view_portfolioimport"],
    "Finance officer": ["import_portfolio", "view_portfolioimport"],
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                codename__in=codenames, content_type__app_label="grants"
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.filter(
                    codename__in=codenames, content_type__app_label="grants"
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0020_portfolio_rollup"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalutilisationcertificate",
            name="signed_copy_elsewhere",
            field=models.TextField(
                blank=True,
                help_text="For a certificate accepted before the ministry's files came here: where its signed copy is kept (a file number).",
                verbose_name="signed copy kept elsewhere",
            ),
        ),
        migrations.AddField(
            model_name="utilisationcertificate",
            name="signed_copy_elsewhere",
            field=models.TextField(
                blank=True,
                help_text="For a certificate accepted before the ministry's files came here: where its signed copy is kept (a file number).",
                verbose_name="signed copy kept elsewhere",
            ),
        ),
        migrations.CreateModel(
            name="PortfolioImport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        max_length=200, upload_to="imports/%Y/%m/", verbose_name="file"
                    ),
                ),
                (
                    "original_name",
                    models.CharField(max_length=200, verbose_name="file name"),
                ),
                (
                    "sha256",
                    models.CharField(max_length=64, verbose_name="SHA-256 of the file"),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[("en", "English"), ("hi", "हिन्दी")],
                        default="en",
                        max_length=5,
                        verbose_name="language",
                    ),
                ),
                (
                    "uploaded_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="uploaded at"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("checking", "being checked"),
                            ("checked", "checked"),
                            ("refused", "refused"),
                            ("importing", "being imported"),
                            ("imported", "imported"),
                            ("failed", "failed"),
                        ],
                        default="checking",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "report",
                    models.JSONField(blank=True, default=dict, verbose_name="report"),
                ),
                ("error", models.TextField(blank=True, verbose_name="error")),
                (
                    "confirmed_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="confirmed at"
                    ),
                ),
                (
                    "finished_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="finished at"
                    ),
                ),
                (
                    "claimed_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="claimed at"
                    ),
                ),
                (
                    "confirmed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="confirmed by",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="portfolio_imports",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="uploaded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "portfolio import",
                "verbose_name_plural": "portfolio imports",
                "ordering": ["-uploaded_at", "-pk"],
                "permissions": [
                    ("import_portfolio", "Can import a portfolio from a workbook")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("status__in", ["refused", "failed"]), _negated=True
                            ),
                            models.Q(("error", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="portfolioimport_refusal_says_why",
                        violation_error_message="A refused or failed import says why.",
                    )
                ],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
