"""Who may see committees, and the external expert's role.

Programme and finance officers see the committees, their meetings and what was
declared, scored and recommended; what a member may do at a meeting follows their
seat (the member secretary records), not a permission. A ministry admin keeps the
committees and their members in the admin. An external expert is a group with no
permission at all: their only page is the reviewer's, open to committee members.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

NEW_MODELS = [
    "committee",
    "committeemember",
    "meeting",
    "agendaitem",
    "conflictdeclaration",
    "score",
    "recommendation",
]
VIEW_NEW = [f"view_{model}" for model in NEW_MODELS]

GRANTS = {
    "Programme officer": VIEW_NEW,
    "Finance officer": VIEW_NEW,
    "Ministry admin": [
        f"{action}_{model}"
        for model in NEW_MODELS
        for action in ("add", "change", "delete", "view")
    ],
}
EXTERNAL_EXPERT_GROUP = "External expert"


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.get_or_create(name=EXTERNAL_EXPERT_GROUP)
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
    Group.objects.filter(name=EXTERNAL_EXPERT_GROUP).delete()
    for name, codenames in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.filter(
                    codename__in=codenames, content_type__app_label="grants"
                )
            )


class Migration(migrations.Migration):
    dependencies = [("grants", "0024_committees")]

    operations = [migrations.RunPython(grant, revoke)]
