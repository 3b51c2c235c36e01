"""The default reminder ladder, and beat's schedule for the sweep and the digest.

The ladder follows the ministry's practice (docs/reminders.md): reminders to the
grantee 30 and 7 days before a milestone is due and on the day; an overdue notice
at 7 days, copied to the programme officer; an escalation at 30 days to the head of
the grantee organisation and the programme officer (the project is non-compliant
and its next instalment blocked); at 90 days to the division head. A review meeting
is convened by the ministry, so it gets only a notice 7 days before: its own
inactive rules switch the other steps off for that kind.

The schedule is data (django-celery-beat), so a ministry admin can move or pause it
in the admin: the sweep daily at 09:00 and the digest on Mondays at 08:30, India
time.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.utils import timezone

INDIA = "Asia/Kolkata"
GRANTEE = {"to_grantee": True}
RULES = [
    # code, name, offset, template, recipients, marks non-compliant
    ("before-30", "30 days before", -30, "reminder", GRANTEE, False),
    ("before-7", "7 days before", -7, "reminder", GRANTEE, False),
    ("due-today", "On the due date", 0, "reminder", GRANTEE, False),
    (
        "overdue-7",
        "Overdue by 7 days",
        7,
        "overdue",
        {"to_grantee": True, "to_programme_officer": True},
        False,
    ),
    (
        "escalation-30",
        "Escalation at 30 days overdue",
        30,
        "escalation",
        {"to_organisation_head": True, "to_programme_officer": True},
        True,
    ),
    (
        "escalation-90",
        "Escalation to the division head at 90 days overdue",
        90,
        "escalation",
        {"to_division_head": True},
        True,
    ),
]
REVIEW_MEETING = "review_meeting"
REVIEW_MEETING_RULES = {
    "before-7": ("Review meeting notice, 7 days before", True),
}
SCHEDULES = [
    # name, task, crontab (minute, hour, day of week), description
    (
        "Daily reminder sweep",
        "grants.tasks.sweep_reminders",
        ("0", "9", "*"),
        "Records the reminders and escalations due today and sends each once. "
        "Safe to run again: a second sweep sends nothing twice.",
    ),
    (
        "Weekly digest to programme officers",
        "grants.tasks.send_weekly_digests",
        ("30", "8", "1"),
        "Every Monday: each programme officer's overdue and upcoming milestones.",
    ),
]


def rule_fields(offset, template, recipients, non_compliant):
    return {
        "offset_days": offset,
        "template": template,
        "to_grantee": recipients.get("to_grantee", False),
        "to_programme_officer": recipients.get("to_programme_officer", False),
        "to_organisation_head": recipients.get("to_organisation_head", False),
        "to_division_head": recipients.get("to_division_head", False),
        "marks_non_compliant": non_compliant,
    }


def create_defaults(apps, schema_editor):
    ReminderRule = apps.get_model("grants", "ReminderRule")
    for code, name, offset, template, recipients, non_compliant in RULES:
        fields = rule_fields(offset, template, recipients, non_compliant)
        ReminderRule.objects.get_or_create(
            code=code, milestone_kind="", defaults={"name": name, **fields}
        )
        own_name, active = REVIEW_MEETING_RULES.get(
            code, (f"{name} (not for review meetings)", False)
        )
        ReminderRule.objects.get_or_create(
            code=code,
            milestone_kind=REVIEW_MEETING,
            defaults={"name": own_name, "is_active": active, **fields},
        )

    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, task, (minute, hour, day_of_week), description in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week=day_of_week,
            day_of_month="*",
            month_of_year="*",
            timezone=INDIA,
        )
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={"task": task, "crontab": crontab, "description": description},
        )
    # A running beat reloads its schedule when this row changes.
    PeriodicTasks.objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )

    # Permissions are normally created after all migrations; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admins, _ = Group.objects.get_or_create(name="Ministry admin")
    admins.permissions.add(
        *Permission.objects.filter(content_type__app_label="django_celery_beat"),
        *Permission.objects.filter(
            content_type__app_label="grants",
            content_type__model__in=["reminderrule", "reminder", "digest"],
        ),
    )


def remove_defaults(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_ in SCHEDULES]).delete()
    ReminderRule = apps.get_model("grants", "ReminderRule")
    ReminderRule.objects.filter(
        code__in=[code for code, *_ in RULES], reminders__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0004_audit_history"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
