"""Keep ``PortfolioRollup`` equal to the sums of the project summaries.

Each refreshed summary *contributes* to a few rollup rows: one per dimension the
dashboard breaks the portfolio down by (its fiscal year, scheme, grantee kind,
value-chain stage and status, each with its money), its three TRLs (a project
each), its release stage (a project and its next instalment), the fiscal years in
which it was paid (the money paid in each) and the whole portfolio (``all``, with
the milestones returned to the grantee). A summary never refreshed contributes
nothing.

``grants.summaries`` reads the old summaries under a row lock, writes the new ones
and adds the difference of their contributions here, all in one transaction; a
summary deleted (with its project) takes its contribution away. So the rollup is
exact whenever the summaries are, and the dashboard sums a few dozen rows instead
of every project. ``rebuild`` recomputes it from the summaries, for an upgrade or
a repair.
"""

from collections import defaultdict

from django.db import connection, transaction

from grants.models import PortfolioRollup, ProjectSummary

MEASURES = (
    "projects",
    "sanctioned",
    "released",
    "expenditure",
    "unspent",
    "next_amount",
    "returned",
)
# The breakdowns: the dimension's name in the rollup, and the summary's field.
BREAKDOWN_FIELDS = {
    "fiscal_year": "fiscal_year",
    "scheme": "scheme_id",
    "kind": "organisation_kind",
    "stage": "stage",
    "status": "status",
}
TRL_FIELDS = ("trl_start", "trl_now", "trl_target")
ALL = ("all", "")
# What a summary's contribution is read from.
SUMMARY_FIELDS = (
    "project_id",
    *BREAKDOWN_FIELDS.values(),
    *TRL_FIELDS,
    "sanctioned",
    "released",
    "expenditure",
    "unspent",
    "release_stage",
    "next_amount",
    "released_by_year",
    "returned_milestones",
    "refreshed_at",
)
# Rows per INSERT: well under SQLite's limit of bound parameters.
CHUNK = 500


def contributions(summary) -> dict[tuple[str, str], dict[str, int]]:
    """What one summary adds to each rollup row, by (dimension, value)."""
    if summary.refreshed_at is None:
        return {}
    money = {
        "projects": 1,
        "sanctioned": summary.sanctioned,
        "released": summary.released,
        "expenditure": summary.expenditure,
        "unspent": summary.unspent,
    }
    rows = {ALL: {**money, "returned": summary.returned_milestones}}
    for dimension, field in BREAKDOWN_FIELDS.items():
        value = getattr(summary, field)
        rows[(dimension, "" if value is None else str(value))] = dict(money)
    for field in TRL_FIELDS:
        level = getattr(summary, field)
        if level is not None:
            rows[(field, str(level))] = {"projects": 1}
    if summary.release_stage:
        rows[("release_stage", summary.release_stage)] = {
            "projects": 1,
            "next_amount": summary.next_amount,
        }
    for year, amount in (summary.released_by_year or {}).items():
        rows[("released_in", year)] = {"released": amount}
    return rows


def _add(total, summaries, sign):
    for summary in summaries:
        for key, measures in contributions(summary).items():
            row = total[key]
            for name, amount in measures.items():
                row[name] += sign * amount


def difference(old, new) -> dict[tuple[str, str], dict[str, int]]:
    """The change to each rollup row when summaries ``old`` become ``new``."""
    total = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    _add(total, new, 1)
    _add(total, old, -1)
    return {key: row for key, row in total.items() if any(row.values())}


def add(changes: dict[tuple[str, str], dict[str, int]]) -> None:
    """Add ``changes`` to the rollup rows, creating the rows that are missing.

    One ``INSERT ... ON CONFLICT DO UPDATE`` adding to the stored values (the
    same statement on SQLite and PostgreSQL; the ORM's upsert can only overwrite),
    in key order, so two refreshes lock the rows they share in the same order.
    """
    if not changes:
        return
    table = connection.ops.quote_name(PortfolioRollup._meta.db_table)
    columns = ", ".join(["dimension", "value", *MEASURES])
    updates = ", ".join(
        f"{name} = {table}.{name} + excluded.{name}" for name in MEASURES
    )
    placeholders = "(" + ", ".join(["%s"] * (2 + len(MEASURES))) + ")"
    keys = sorted(changes)
    with connection.cursor() as cursor:
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608 - names are constants
                f"VALUES {', '.join([placeholders] * len(chunk))} "
                f"ON CONFLICT (dimension, value) DO UPDATE SET {updates}",
                [
                    value
                    for key in chunk
                    for value in (*key, *(changes[key][name] for name in MEASURES))
                ],
            )


def old_summaries(project_ids) -> list[ProjectSummary]:
    """The stored summaries of these projects, locked until the transaction ends."""
    return list(
        ProjectSummary.objects.select_for_update()
        .filter(project_id__in=project_ids)
        .order_by("project_id")
        .only(*SUMMARY_FIELDS)
    )


def summary_deleted(sender, instance, **kwargs):
    """Take a deleted summary's contribution away (same transaction as the delete)."""
    add(difference([instance], []))


def from_summaries() -> dict[tuple[str, str], dict[str, int]]:
    """The rollup as the stored summaries add up to, computed afresh."""
    total = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    _add(
        total,
        ProjectSummary.objects.only(*SUMMARY_FIELDS).order_by().iterator(2000),
        1,
    )
    return {key: row for key, row in total.items() if any(row.values())}


def stored() -> dict[tuple[str, str], dict[str, int]]:
    """The rollup rows as stored, without rows that add nothing."""
    rows = {}
    for row in PortfolioRollup.objects.values("dimension", "value", *MEASURES):
        measures = {name: row[name] for name in MEASURES}
        if any(measures.values()):
            rows[(row["dimension"], row["value"])] = measures
    return rows


def rebuild() -> int:
    """Recompute every rollup row from the summaries; return how many rows."""
    with transaction.atomic():
        # Refreshes wait for the summaries they lock; lock them all first, so none
        # changes between the sums and the write.
        list(ProjectSummary.objects.select_for_update().values_list("pk", flat=True))
        PortfolioRollup.objects.all().delete()
        rows = from_summaries()
        add(rows)
    return len(rows)
