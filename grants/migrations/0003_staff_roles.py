"""The ministry's staff roles as groups, with what each may do.

A programme officer reviews reports, recommends releases and manages milestones and
extensions; a finance officer accepts or returns utilisation certificates, records
releases and closes projects; a ministry admin manages everything in the admin.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS_MODELS = [
    "scheme",
    "element",
    "organisation",
    "membership",
    "project",
    "extension",
    "budgetline",
    "instalment",
    "utilisationcertificate",
    "milestone",
    "progressreport",
    "document",
    "reminderrule",
    "reminder",
    "digest",
]
VIEW_ALL = [f"view_{model}" for model in GRANTS_MODELS]

ROLES = {
    "Programme officer": VIEW_ALL
    + [
        "decide_report",
        "recommend_instalment",
        "waive_milestone",
        "reschedule_milestone",
        "approve_extension",
        "add_milestone",
        "change_milestone",
    ],
    "Finance officer": VIEW_ALL
    + [
        "decide_certificate",
        "release_instalment",
        "close_project",
    ],
    "Ministry admin": [
        f"{action}_{model}"
        for model in GRANTS_MODELS
        for action in ("add", "change", "delete", "view")
    ]
    + ["add_user", "change_user", "view_user", "view_group"],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(
                codename__in=codenames,
                content_type__app_label__in=["grants", "auth"],
            )
        )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0002_reference_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
