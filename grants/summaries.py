"""Keep each project's ``ProjectSummary`` exact, cheaply.

Three parts:

- ``mark_changed`` runs on every save or delete of a project, instalment,
  utilisation certificate, milestone, release condition or audited statement
  of expenditure (signals connected in ``GrantsConfig``):
  one ``UPDATE`` adding one to the project's summary ``version`` and clearing its
  ``valid_until``, in the same transaction as the change, so a change and its mark
  commit or roll back together;
- ``refresh`` recomputes the summaries of some projects for a day, from their rows,
  with the same rules as the project page (``grants.reads.pipeline``) and the
  definitions in ``grants.reads.dashboard``;
- ``bring_up_to_date`` is what a reader calls first: it refreshes the few rows that
  changed since their last refresh or that the calendar has overtaken. The daily
  task refreshes those the calendar overtakes overnight, so the first reader of the
  day rarely has any to do.

Only writes that bypass ``save()`` (``QuerySet.update()``, bulk inserts) escape the
mark; the portfolio generator refreshes everything it wrote, and services change
these rows one ``save()`` at a time.
"""

import contextlib
import contextvars
import datetime
import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone, translation

from grants import rollup
from grants.formatting import fiscal_year_of
from grants.models import (
    Document,
    Instalment,
    Milestone,
    Organisation,
    PortfolioRollup,
    Project,
    ProjectSummary,
    ReleaseCondition,
    User,
    UtilisationCertificate,
)
from grants.reads import pipeline

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
EARLIEST = datetime.date(1900, 1, 1)
# ``valid_until`` of a summary the calendar never changes (nothing left to release).
LATEST = datetime.date(9999, 12, 31)
# Copied from the project as they are.
PROJECT_FIELDS = [
    "fiscal_year",
    "stage",
    "status",
    "trl_start",
    "trl_now",
    "trl_target",
]
FIGURE_FIELDS = [
    *PROJECT_FIELDS,
    "scheme",
    "organisation_kind",
    "sanctioned",
    "search_text",
    "released",
    "expenditure",
    "unspent",
    "next_instalment",
    "next_amount",
    "release_stage",
    "stage_since",
    "blockers",
    "blockers_hi",
    "released_by_year",
    "returned_milestones",
    "refreshed_version",
    "refreshed_for",
    "valid_until",
    "refreshed_at",
]


# Marking ------------------------------------------------------------------------------


_held = contextvars.ContextVar("summary_marks_held", default=None)


@contextlib.contextmanager
def marks_held():
    """Within, a changed project is noted and marked once, at the end.

    For a writer of many rows of the same projects in one transaction (an
    import), where an UPDATE per row written would cost more than the rows.
    """
    held = set()
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
    # Not after an error: the transaction it broke is rolled back anyway.
    ids = sorted(held)
    for start in range(0, len(ids), 500):
        ProjectSummary.objects.filter(project_id__in=ids[start : start + 500]).update(
            version=F("version") + 1, valid_until=None
        )


def mark_changed(project_id) -> None:
    """Record that a project's figures may have changed (one UPDATE)."""
    if project_id is None:
        return
    held = _held.get()
    if held is not None:
        held.add(project_id)
        return
    ProjectSummary.objects.filter(project_id=project_id).update(
        version=F("version") + 1, valid_until=None
    )


def project_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        # ignore_conflicts: a summary may exist already (a restored dump, say).
        ProjectSummary.objects.bulk_create(
            [ProjectSummary(project_id=instance.pk)], ignore_conflicts=True
        )
    else:
        mark_changed(instance.pk)


def project_row_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    mark_changed(instance.project_id)


def condition_changed(sender, instance, raw=False, **kwargs):
    # A condition met, added or overridden moves its instalment in the pipeline.
    if raw:
        return
    project_id = (
        Instalment.objects.filter(pk=instance.instalment_id)
        .values_list("project_id", flat=True)
        .first()
    )
    mark_changed(project_id)


def document_changed(sender, instance, raw=False, **kwargs):
    # An audited statement of expenditure can meet a condition of release.
    if raw or instance.kind != Document.Kind.AUDITED_SOE:
        return
    mark_changed(instance.project_id)


def user_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    # The summaries of the projects a person leads carry their name for the search;
    # a log-in (which saves only last_login) changes nothing there.
    if raw or created or (update_fields and set(update_fields) <= {"last_login"}):
        return
    ProjectSummary.objects.filter(project__principal_investigator=instance).update(
        version=F("version") + 1, valid_until=None
    )


def organisation_saved(sender, instance, created, raw=False, **kwargs):
    # Its projects' summaries carry its kind.
    if raw or created:
        return
    ProjectSummary.objects.filter(project__organisation=instance).update(
        version=F("version") + 1, valid_until=None
    )


# Computing ----------------------------------------------------------------------------


def latest_accepted(certificates):
    """The certificate ``dashboard.with_unspent_balance`` takes as the latest."""
    accepted = [
        uc for uc in certificates if uc.status == UtilisationCertificate.Status.ACCEPTED
    ]
    if not accepted:
        return None
    # Newest period, then newest decision (a missing one counts as oldest), then pk.
    return max(
        accepted,
        key=lambda uc: (uc.period_end, uc.decided_on or EARLIEST, uc.pk),
    )


def figures(project, *, instalments, certificates) -> dict:
    """Released, expenditure and unspent balance, as the dashboard defines them."""
    released = sum(i.amount for i in instalments if i.released_on is not None)
    expenditure = sum(
        uc.expenditure
        for uc in certificates
        if uc.status == UtilisationCertificate.Status.ACCEPTED
        and uc.kind != UtilisationCertificate.Kind.PROVISIONAL
    )
    if project.status == Project.Status.CLOSED:
        unspent = 0
    else:
        latest = latest_accepted(certificates)
        held = latest.closing_balance if latest else 0
        since = latest.period_end if latest else EARLIEST
        unspent = held + sum(
            i.amount
            for i in instalments
            if i.released_on is not None and i.released_on > since
        )
    return {"released": released, "expenditure": expenditure, "unspent": unspent}


def search_text(project) -> str:
    """What the projects tables' search looks in, in capitals (``str.upper``)."""
    investigator = project.principal_investigator
    words = [
        project.reference,
        project.sanction_order_number,
        project.title,
        project.organisation.name,
        investigator.display_name,
        investigator.first_name,
        investigator.last_name,
        investigator.username,
    ]
    return " ".join(word for word in words if word).upper()


def released_by_year(instalments) -> dict[str, int]:
    """Money released in each fiscal year of release, ``{"2024-25": rupees}``."""
    years = {}
    for instalment in instalments:
        if instalment.released_on is not None:
            year = fiscal_year_of(instalment.released_on)
            years[year] = years.get(year, 0) + instalment.amount
    return years


def _first_after(days: Iterable[datetime.date | None], on: datetime.date):
    later = [day for day in days if day is not None and day > on]
    return min(later) if later else None


def _summary(project, *, on, crossing, returned) -> ProjectSummary:
    instalments = list(project.instalments.all())
    certificates = list(project.certificates.all())
    summary = ProjectSummary(
        project_id=project.pk,
        valid_until=LATEST,
        search_text=search_text(project),
        released_by_year=released_by_year(instalments),
        returned_milestones=returned.get(project.pk, 0),
        scheme_id=project.scheme_id,
        organisation_kind=project.organisation.kind,
        sanctioned=project.sanctioned_amount,
        **{field: getattr(project, field) for field in PROJECT_FIELDS},
        **figures(project, instalments=instalments, certificates=certificates),
    )
    state = hindi = None
    if project.status not in pipeline.ENDED_STATUSES:
        # The blockers are stored in both languages, whatever the language of the
        # page or task that refreshes them; the rules run on prefetched rows.
        with translation.override("en"):
            state = pipeline.next_release_state(project, on=on)
        with translation.override("hi"):
            hindi = pipeline.next_release_state(project, on=on)
    if state is not None:
        summary.next_instalment = state.instalment
        summary.next_amount = state.instalment.amount
        summary.release_stage = state.stage
        summary.stage_since = state.since
        summary.blockers = "\n".join(state.blockers)
        summary.blockers_hi = "\n".join(hindi.blockers)
        # The calendar changes the stage when the instalment falls due, when an
        # open milestone reaches NON_COMPLIANT_AFTER_DAYS overdue, or when a
        # certificate's recorded decision date arrives.
        summary.valid_until = (
            _first_after(
                [
                    state.instalment.planned_on,
                    crossing.get(project.pk),
                    *(uc.decided_on for uc in certificates),
                ],
                on,
            )
            or LATEST
        )
    return summary


def _crossings(project_ids, *, on) -> dict:
    """The first day each project's open milestones reach the non-compliance mark.

    Only milestones not yet past it are looked at: those already past it are in
    the prefetched open milestones and block the release already.
    """
    days = datetime.timedelta(days=pipeline.NON_COMPLIANT_AFTER_DAYS)
    rows = (
        Milestone.objects.filter(
            project_id__in=project_ids,
            status__in=Milestone.OPEN_STATUSES,
            due_on__gt=on - days,
        )
        .values("project_id")
        .annotate(first_due=Min("due_on"))
        .order_by()
    )
    return {row["project_id"]: row["first_due"] + days for row in rows}


def _returned(project_ids) -> dict:
    """How many milestones of each project are returned to the grantee."""
    rows = (
        Milestone.objects.filter(
            project_id__in=project_ids, status=Milestone.Status.RETURNED
        )
        .values("project_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {row["project_id"]: row["count"] for row in rows}


def refresh(project_ids: Iterable[int], *, on: datetime.date | None = None) -> int:
    """Recompute the summaries of these projects for ``on`` (today); return how many.

    Works in batches; each batch reads the versions first, then the rows, and
    writes its summaries in one statement, so a change committed meanwhile leaves
    its summary marked out of date instead of being lost.
    """
    on = on or timezone.localdate()
    project_ids = list(project_ids)
    done = 0
    for start in range(0, len(project_ids), BATCH_SIZE):
        done += _refresh_batch(project_ids[start : start + BATCH_SIZE], on=on)
    return done


def _refresh_batch(project_ids, *, on) -> int:
    versions = dict(
        ProjectSummary.objects.filter(project_id__in=project_ids).values_list(
            "project_id", "version"
        )
    )
    projects = list(
        pipeline.projects_for_pipeline(
            Project.objects.filter(pk__in=project_ids)
            .select_related("organisation", "principal_investigator")
            .order_by(),
            on=on,
        )
    )
    crossing = _crossings(project_ids, on=on)
    returned = _returned(project_ids)
    now = timezone.now()
    summaries = []
    for project in projects:
        summary = _summary(project, on=on, crossing=crossing, returned=returned)
        summary.version = versions.get(project.pk, 1)
        summary.refreshed_version = versions.get(project.pk, 1)
        summary.refreshed_for = on
        summary.refreshed_at = now
        summaries.append(summary)
    with transaction.atomic():
        # The stored summaries, locked: a refresh running beside this one waits,
        # then reads what this one wrote, so each difference is added once.
        old = rollup.old_summaries([summary.project_id for summary in summaries])
        ProjectSummary.objects.bulk_create(
            summaries,
            update_conflicts=True,
            unique_fields=["project"],
            update_fields=FIGURE_FIELDS,
        )
        # A change committed after the versions were read has just had its mark
        # (valid_until cleared) overwritten: put the mark back. A change still
        # running waits for these rows and marks them after this commits.
        ProjectSummary.objects.filter(
            project_id__in=[summary.project_id for summary in summaries],
            version__gt=F("refreshed_version"),
        ).update(valid_until=None)
        rollup.add(rollup.difference(old, summaries))
    return len(summaries)


# Reading ------------------------------------------------------------------------------


def out_of_date(*, on: datetime.date):
    """Summaries that do not hold for ``on``: changed, or overtaken by the calendar."""
    return ProjectSummary.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__lte=on) | Q(refreshed_for__gt=on)
    )


def bring_up_to_date(*, on: datetime.date | None = None) -> int:
    """Refresh every summary that does not hold for ``on``; return how many."""
    on = on or timezone.localdate()
    stale = list(out_of_date(on=on).values_list("project_id", flat=True))
    if stale:
        refresh(stale, on=on)
    return len(stale)


def create_missing(*, on: datetime.date | None = None) -> int:
    """Create and compute the summaries of projects that have none (bulk inserts)."""
    missing = list(
        Project.objects.filter(summary__isnull=True).values_list("pk", flat=True)
    )
    if missing:
        ProjectSummary.objects.bulk_create(
            [ProjectSummary(project_id=pk) for pk in missing], ignore_conflicts=True
        )
        refresh(missing, on=on)
    return len(missing)


def refresh_all(*, on: datetime.date | None = None) -> int:
    """Recompute every project's summary; return how many."""
    create_missing(on=on)
    return refresh(Project.objects.values_list("pk", flat=True), on=on)


def fill_rollup_if_empty() -> int:
    """Refresh every summary and rebuild the rollup if it is empty while summaries
    were refreshed before it existed (a database upgraded to it); return how many
    summaries were refreshed. Run after every migrate: one indexed look otherwise.
    """
    if (
        PortfolioRollup.objects.exists()
        or not ProjectSummary.objects.filter(refreshed_at__isnull=False).exists()
    ):
        return 0
    logger.warning("Filling the dashboard's rollup from every project summary.")
    done = refresh_all()
    rollup.rebuild()
    return done


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    post_save.connect(project_saved, sender=Project, dispatch_uid="summary-project")
    post_delete.connect(
        rollup.summary_deleted, sender=ProjectSummary, dispatch_uid="summary-rollup"
    )
    post_save.connect(
        organisation_saved, sender=Organisation, dispatch_uid="summary-organisation"
    )
    post_save.connect(user_saved, sender=User, dispatch_uid="summary-user")
    for signal in (post_save, post_delete):
        signal.connect(
            condition_changed,
            sender=ReleaseCondition,
            dispatch_uid=f"summary-releasecondition-{signal}",
        )
        signal.connect(
            document_changed,
            sender=Document,
            dispatch_uid=f"summary-document-{signal}",
        )
    for model in (Instalment, UtilisationCertificate, Milestone):
        for signal in (post_save, post_delete):
            signal.connect(
                project_row_changed,
                sender=model,
                dispatch_uid=f"summary-{model._meta.model_name}-{signal}",
            )
