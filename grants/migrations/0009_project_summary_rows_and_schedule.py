"""Give every existing project a summary row and schedule the nightly refresh.

The rows start out of date (version 1, refreshed version 0): the first reader or
the nightly task computes them.
"""

from django.db import migrations
from django.utils import timezone

INDIA = "Asia/Kolkata"
NAME = "Nightly refresh of project summaries"
TASK = "grants.tasks.refresh_project_summaries"
DESCRIPTION = (
    "Just after midnight: recomputes the dashboard's per-project figures that the "
    "new day changes (instalments falling due, milestones becoming non-compliant), "
    "and any left out of date. Safe to run at any time."
)


def create(apps, schema_editor):
    Project = apps.get_model("grants", "Project")
    ProjectSummary = apps.get_model("grants", "ProjectSummary")
    ProjectSummary.objects.bulk_create(
        [
            ProjectSummary(project_id=pk)
            for pk in Project.objects.values_list("pk", flat=True)
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )

    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="5",
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
        ("grants", "0008_project_summary"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
