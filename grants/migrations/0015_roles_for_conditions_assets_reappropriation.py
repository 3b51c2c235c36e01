"""What each staff role may do with release conditions, assets and re-appropriations.

A programme officer marks free-text release conditions as met, decides
re-appropriations up to the scheme's threshold and decides asset disposals; finance
decides re-appropriations above the threshold (and below it, as the senior
authority) and asset disposals too.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

NEW_MODELS = ["releasecondition", "asset", "assetdisposal", "reappropriation"]
VIEW_NEW = [f"view_{model}" for model in NEW_MODELS]

GRANTS = {
    "Programme officer": VIEW_NEW
    + ["mark_condition_met", "decide_reappropriation", "decide_asset_disposal"],
    "Finance officer": VIEW_NEW
    + [
        "decide_reappropriation",
        "decide_large_reappropriation",
        "decide_asset_disposal",
    ],
    "Ministry admin": [
        f"{action}_{model}"
        for model in NEW_MODELS
        for action in ("add", "change", "delete", "view")
    ],
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
    dependencies = [("grants", "0014_release_conditions_assets_reappropriation")]

    operations = [migrations.RunPython(grant, revoke)]
