"""Registers as PDF files: written at once when short, built by the worker when long.

``write_grant_register`` writes Form GFR 21 for a filter into a file, a part of
rows at a time (``grants.paper.parts``), so its memory does not grow with the
register. The page calls it for a register of up to
``settings.KHANIJ_REGISTER_INLINE_ROWS`` rows; a longer one is asked for with
``request_register_export``, which records a ``RegisterExport`` and queues its
build after the commit. The worker runs ``build_register_export``: the job moves
from queued to running, counts its rows done after each part, and ends ready with
its file in private storage, or failed with a reason a person can act on.

A job may run twice (the task is acknowledged late, so a worker lost mid-build
hands it on): a second run of a finished job does nothing, of an unfinished one
starts it again.
"""

import datetime
import functools
import logging
import tempfile
from typing import BinaryIO

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from grants.models import RegisterExport
from grants.paper.parts import write_pdf_in_parts
from grants.reads.registers import (
    REGISTER_TOTALS,
    register_document,
    register_entries,
)
from grants.services import queue

logger = logging.getLogger(__name__)

TEMPLATE = "paper/grant_register.html"
# Rows rendered at a time. The time per row is the same for parts of 50 to 400
# rows (WeasyPrint lays out line by line); memory grows with the part, by about
# 60 MB at 100 rows (bench/documents.py).
PART_SIZE = 100


def register_parameters(parameters: dict) -> dict:
    """The filter a register is asked with, reduced to what the register reads."""
    scheme = parameters.get("scheme")
    return {
        "fiscal_year": str(parameters.get("fiscal_year") or ""),
        "scheme": int(scheme) if scheme else None,
    }


def write_grant_register(
    output: BinaryIO,
    parameters: dict,
    *,
    on: datetime.date,
    started=None,
    progress=None,
) -> int:
    """Write Form GFR 21 for ``parameters`` into ``output`` in the active language.

    ``started`` is called with the number of rows the filter matches before the
    first is written, ``progress`` with the rows written so far after each part.
    Returns the number of rows written.
    """
    wanted = register_parameters(parameters)
    rows, context = register_document(
        on=on, fiscal_year=wanted["fiscal_year"], scheme_id=wanted["scheme"]
    )
    if started is not None:
        started(context["row_count"])
    written = 0

    def counted(entries):
        nonlocal written
        for entry in entries:
            written += 1
            yield entry

    write_pdf_in_parts(
        TEMPLATE,
        context,
        counted(register_entries(rows, on=on)),
        output=output,
        part_size=PART_SIZE,
        totals=REGISTER_TOTALS,
        progress=progress,
    )
    return written


def request_register_export(
    user, parameters: dict, language: str, *, rows_total: int = 0
) -> RegisterExport:
    """Record a register to be built by the worker, and queue it after the commit."""
    with transaction.atomic():
        job = RegisterExport.objects.create(
            kind=RegisterExport.Kind.GRANTS_PDF,
            parameters=register_parameters(parameters),
            language=language,
            requested_by=user,
            rows_total=rows_total,
        )
        transaction.on_commit(functools.partial(_queue, job.pk, language))
    return job


def _queue(job_id: int, language: str) -> None:
    try:
        queue.sender(queue.REGISTER_EXPORT).delay(job_id)
    except Exception as error:  # any broker failure: say so on the job's page
        logger.warning("register export %s was not queued: %s", job_id, error)
        with translation.override(language):
            reason = gettext(
                "The task queue did not answer, so the register was not started. "
                "Ask for it again in a few minutes."
            )
        RegisterExport.objects.filter(
            pk=job_id, status=RegisterExport.Status.QUEUED
        ).update(
            status=RegisterExport.Status.FAILED,
            error=reason,
            finished_at=timezone.now(),
        )


def build_register_export(job_id: int) -> str:
    """Build a queued register's PDF, counting its rows done; return its status."""
    job = RegisterExport.objects.filter(pk=job_id).first()
    if job is None or not job.is_pending:
        return job.status if job else "missing"
    jobs = RegisterExport.objects.filter(pk=job.pk)
    jobs.update(status=RegisterExport.Status.RUNNING, rows_done=0, error="")
    on = timezone.localdate()
    with translation.override(job.language):
        total = {"rows": 0}

        def started(rows):
            total["rows"] = rows
            jobs.update(rows_total=rows)

        def progress(done):
            # Rows added since the count are built too; the bar stops at full.
            jobs.update(rows_done=min(done, total["rows"]))

        try:
            with tempfile.TemporaryFile() as output:
                written = write_grant_register(
                    output, job.parameters, on=on, started=started, progress=progress
                )
                output.seek(0)
                job.file.save(_filename(job, on), File(output), save=False)
        except Exception as error:
            logger.exception("register export %s failed", job.pk)
            jobs.update(
                status=RegisterExport.Status.FAILED,
                error=_failure(error),
                finished_at=timezone.now(),
            )
            return RegisterExport.Status.FAILED
    jobs.update(
        status=RegisterExport.Status.READY,
        file=job.file.name,
        rows_total=written,
        rows_done=written,
        finished_at=timezone.now(),
    )
    return RegisterExport.Status.READY


def _filename(job: RegisterExport, on: datetime.date) -> str:
    return f"register-of-grants-{on:%Y-%m-%d}-{job.pk}-{job.language}.pdf"


def _failure(error: Exception) -> str:
    """Why the build stopped, for the officer who asked (in the job's language)."""
    detail = str(error) or type(error).__name__
    return gettext(
        "The register could not be built (%(detail)s). Ask for it again; if it "
        "fails again, write to %(helpdesk)s."
    ) % {"detail": detail, "helpdesk": settings.KHANIJ_HELPDESK_EMAIL}
