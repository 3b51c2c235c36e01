"""An import as the worker runs it: upload, check, confirm, import.

``start_import`` keeps the uploaded workbook in private storage and queues its
check; the worker (``check_import``) reads it and runs every row through the
services without keeping anything, and stores the report. Once the user has read
it, ``confirm_import`` queues the import itself (``run_import``), which reads
the same file again and writes it all or nothing. Both steps count the projects
done in the shared cache (``progress``): the rows they write are inside one
transaction, which no other connection sees until it commits.

A step may run twice (tasks are acknowledged late): a second run of a finished
step does nothing.
"""

import datetime
import functools
import logging

from django.conf import settings
from django.core.cache import caches
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from grants import summaries
from grants.imports.reading import WorkbookRefused, read_workbook
from grants.imports.report import Report
from grants.models import PortfolioImport, User
from grants.services import queue
from grants.services.common import GrantRuleError
from grants.services.imports import import_portfolio

logger = logging.getLogger(__name__)

# The cache every process shares (Redis, or files on the embedded default).
PROGRESS_CACHE = "pages"
PROGRESS_SECONDS = 24 * 3600


# A worker silent this long has died: another may take its step again.
CLAIM_EXPIRES = datetime.timedelta(hours=6)


def _progress_key(job_id: int, step: str) -> str:
    return f"portfolio-import-progress:{job_id}:{step}"


def progress(job: PortfolioImport) -> tuple[int, int]:
    """Projects done and projects in all, as the running step last counted."""
    done, total = caches[PROGRESS_CACHE].get(_progress_key(job.pk, job.status), (0, 0))
    return done, total


def _counter(job_id: int, step: str):
    cache = caches[PROGRESS_CACHE]
    written = {"last": -1}

    def counted(done: int, total: int) -> None:
        # Every hundredth project and the last: a cache write per project would
        # cost a large import more than the bar is worth.
        if done == total or done - written["last"] >= 100:
            written["last"] = done
            cache.set(_progress_key(job_id, step), (done, total), PROGRESS_SECONDS)

    return counted


def start_import(uploaded_file, *, by: User, language: str) -> PortfolioImport:
    """Keep an uploaded workbook and queue its check after the commit."""
    with transaction.atomic():
        job = PortfolioImport(
            original_name=str(getattr(uploaded_file, "name", ""))[:200],
            sha256=PortfolioImport.digest(uploaded_file),
            language=language,
            uploaded_by=by,
        )
        job.file.save(
            f"workbook-{job.sha256[:16]}.xlsx", File(uploaded_file), save=False
        )
        job.save()
        transaction.on_commit(functools.partial(_queue, job.pk))
    return job


def confirm_import(job: PortfolioImport, *, by: User) -> PortfolioImport:
    """Queue the import of a checked workbook whose report has no errors."""
    with transaction.atomic():
        job = PortfolioImport.objects.select_for_update().get(pk=job.pk)
        report = Report.from_json(job.report)
        if job.status != PortfolioImport.Status.CHECKED:
            raise GrantRuleError(
                _("This workbook is %(status)s: only a checked one can be imported.")
                % {"status": job.get_status_display()}
            )
        if report.has_errors:
            raise GrantRuleError(
                _("The check found errors: correct the workbook and upload it again.")
            )
        if report.changes_nothing:
            raise GrantRuleError(
                _("The workbook changes nothing on record: there is nothing to import.")
            )
        job.status = PortfolioImport.Status.IMPORTING
        job.confirmed_by = by
        job.confirmed_at = timezone.now()
        job.claimed_at = None
        job.save(update_fields=["status", "confirmed_by", "confirmed_at", "claimed_at"])
        transaction.on_commit(functools.partial(_queue, job.pk))
    return job


def _queue(job_id: int) -> None:
    try:
        queue.sender(queue.PORTFOLIO_IMPORT).delay(job_id)
    except Exception as error:  # any broker failure: say so on the job's page
        logger.warning("portfolio import %s was not queued: %s", job_id, error)
        job = PortfolioImport.objects.get(pk=job_id)
        with translation.override(job.language):
            reason = _(
                "The task queue did not answer, so the workbook was not read. "
                "Upload it again in a few minutes."
            )
        PortfolioImport.objects.filter(
            pk=job_id, status__in=job.PENDING_STATUSES
        ).update(
            status=PortfolioImport.Status.FAILED,
            error=reason,
            finished_at=timezone.now(),
        )


def run_import_step(job_id: int) -> str:
    """Run the step a job waits for (its check, or its import); return its status."""
    job = (
        PortfolioImport.objects.select_related("uploaded_by", "confirmed_by")
        .filter(pk=job_id)
        .first()
    )
    if job is None or not job.is_pending:
        return job.status if job else "missing"
    now = timezone.now()
    claimed = (
        PortfolioImport.objects.filter(pk=job.pk, status=job.status)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_EXPIRES))
        .update(claimed_at=now)
    )
    if not claimed:
        return job.status  # another delivery of the task is running it
    # Only the claim that took the step writes its outcome.
    mine = PortfolioImport.objects.filter(pk=job.pk, status=job.status, claimed_at=now)
    applying = job.status == PortfolioImport.Status.IMPORTING
    by = job.confirmed_by if applying else job.uploaded_by

    def recorded(report):
        # Inside the import's transaction: the rows and the outcome go together.
        mine.update(
            status=PortfolioImport.Status.IMPORTED,
            report=report.as_json(),
            error="",
            finished_at=timezone.now(),
        )

    with translation.override(job.language):
        try:
            with job.file.open("rb") as workbook:
                contents = read_workbook(workbook, name=job.original_name)
                report = import_portfolio(
                    contents,
                    by=by,
                    apply=applying,
                    progress=_counter(job.pk, job.status),
                    checked=job.report.get("fingerprint", "") if applying else "",
                    before_commit=recorded,
                )
        except WorkbookRefused as refusal:
            mine.update(
                status=PortfolioImport.Status.REFUSED,
                error=refusal.message,
                finished_at=timezone.now(),
            )
            return PortfolioImport.Status.REFUSED
        except Exception as error:
            logger.exception("portfolio import %s failed", job.pk)
            mine.update(
                status=PortfolioImport.Status.FAILED,
                error=_failure(error),
                finished_at=timezone.now(),
            )
            return PortfolioImport.Status.FAILED
        if report.applied:
            _summarise()
            return PortfolioImport.Status.IMPORTED
        if applying:
            status = PortfolioImport.Status.FAILED
            error = _(
                "Nothing was imported: the portfolio on record changed since the "
                "check, and the workbook no longer goes in as it is. The report "
                "says where; upload the workbook again to check it afresh."
            )
        else:
            status, error = PortfolioImport.Status.CHECKED, ""
    mine.update(
        status=status, report=report.as_json(), error=error, finished_at=timezone.now()
    )
    return status


def import_file(path, *, by: User, apply: bool) -> Report:
    """Check (or import) a workbook on disk, in this process: the command's way."""
    with open(path, "rb") as handle:
        workbook = File(handle, name=str(path))
        contents = read_workbook(workbook)
        report = import_portfolio(contents, by=by, apply=apply)
    if report.applied:
        _summarise()
    return report


def _summarise() -> None:
    """Bring the imported projects' summaries up to date now, in the worker, so
    the first dashboard after a large import does not do it while an officer
    waits (the nightly task would, too)."""
    summaries.bring_up_to_date()


def _failure(error: Exception) -> str:
    detail = str(error) or type(error).__name__
    return _(
        "The workbook could not be processed (%(detail)s). Upload it again; if it "
        "fails again, write to %(helpdesk)s."
    ) % {"detail": detail, "helpdesk": settings.KHANIJ_HELPDESK_EMAIL}
