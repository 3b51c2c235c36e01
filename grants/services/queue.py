"""Where services hand work to Celery, without importing the task module.

Queueing goes one way: ``grants/tasks.py`` registers, when it is imported, the task
that sends each kind of row (``register``); a service asks for the sender by that
kind (``sender``) and queues it after its transaction commits. So services never
import tasks, and the tasks are free to import services. The app's ``ready()``
imports the task module, so every process (web, worker, shell) has the senders.
"""

REMINDER = "reminder"
DIGEST = "digest"
NOTICE = "notice"
# A meeting's agenda to one committee member (``AgendaNotice``).
AGENDA = "agenda"
# Not a row: the task takes the e-mail address a password reset was asked for.
PASSWORD_RESET = "password_reset"
# A register (``RegisterExport``) built as a file by the worker.
REGISTER_EXPORT = "register_export"
# A workbook (``PortfolioImport``) checked, then imported, by the worker.
PORTFOLIO_IMPORT = "portfolio_import"

_senders = {}


def register(kind: str, task) -> None:
    """Name the Celery task that sends one row of ``kind`` by its id."""
    _senders[kind] = task


def sender(kind: str):
    """Return the task registered for ``kind``; a missing one is a wiring error."""
    try:
        return _senders[kind]
    except KeyError:
        raise LookupError(
            f"No task sends {kind!r} rows: grants.tasks registers them when the "
            f"grants app is ready."
        ) from None
