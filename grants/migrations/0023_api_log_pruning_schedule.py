"""Schedule the nightly pruning of the API's request log."""

from django.db import migrations
from django.utils import timezone

INDIA = "Asia/Kolkata"
NAME = "Nightly pruning of the API request log"
TASK = "grants.tasks.prune_api_log"
DESCRIPTION = (
    "Just after midnight: deletes the API's request log rows older than "
    "KHANIJ_API_LOG_DAYS (400 days unless set). Safe to run at any time."
)


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="20",
        hour="0",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=INDIA,
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={"task": TASK, "crontab": crontab, "description": DESCRIPTION},
    )
    # A running beat reloads its schedule when this row changes.
    PeriodicTasks.objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0022_api_tokens"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
