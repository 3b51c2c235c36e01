"""The dashboard's rollup, two more figures per summary, and two indexes.

An existing portfolio gets its rollup filled after this migration, by a refresh of
every summary (``grants.summaries.fill_rollup_if_empty``, run after ``migrate``).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0019_register_export"),
    ]

    operations = [
        migrations.CreateModel(
            name="PortfolioRollup",
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
                    "dimension",
                    models.CharField(max_length=20, verbose_name="dimension"),
                ),
                (
                    "value",
                    models.CharField(blank=True, max_length=40, verbose_name="value"),
                ),
                (
                    "projects",
                    models.BigIntegerField(default=0, verbose_name="projects"),
                ),
                (
                    "sanctioned",
                    models.BigIntegerField(
                        default=0, verbose_name="sanctioned amount (Rs)"
                    ),
                ),
                (
                    "released",
                    models.BigIntegerField(default=0, verbose_name="released (Rs)"),
                ),
                (
                    "expenditure",
                    models.BigIntegerField(
                        default=0, verbose_name="expenditure in accepted UCs (Rs)"
                    ),
                ),
                (
                    "unspent",
                    models.BigIntegerField(
                        default=0, verbose_name="unspent balance held by grantees (Rs)"
                    ),
                ),
                (
                    "next_amount",
                    models.BigIntegerField(
                        default=0, verbose_name="next instalments (Rs)"
                    ),
                ),
                (
                    "returned",
                    models.BigIntegerField(
                        default=0, verbose_name="milestones returned for resubmission"
                    ),
                ),
            ],
            options={
                "verbose_name": "portfolio total",
                "verbose_name_plural": "portfolio totals",
            },
        ),
        migrations.AddField(
            model_name="projectsummary",
            name="released_by_year",
            field=models.JSONField(
                blank=True, default=dict, verbose_name="released by fiscal year (Rs)"
            ),
        ),
        migrations.AddField(
            model_name="projectsummary",
            name="returned_milestones",
            field=models.PositiveIntegerField(
                default=0, verbose_name="milestones returned for resubmission"
            ),
        ),
        migrations.AddIndex(
            model_name="milestone",
            index=models.Index(
                condition=models.Q(("status__in", ["pending", "returned"])),
                fields=["due_on", "id"],
                name="milestone_open_due",
            ),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(fields=["sanctioned_on"], name="project_sanctioned_on"),
        ),
        migrations.AddConstraint(
            model_name="portfoliorollup",
            constraint=models.UniqueConstraint(
                fields=("dimension", "value"), name="rollup_dimension_value"
            ),
        ),
    ]
