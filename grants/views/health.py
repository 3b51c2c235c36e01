import logging

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app as celery_app

logger = logging.getLogger(__name__)


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


# Seconds the broker check may take, so a probe gets its answer before it gives up.
BROKER_TIMEOUT = 3


def check_broker():
    # The Redis transport ignores connect_timeout: without socket timeouts a broker
    # that accepts the connection but never answers holds the check for ever.
    with celery_app.connection_for_write(
        connect_timeout=BROKER_TIMEOUT,
        transport_options={
            "socket_connect_timeout": BROKER_TIMEOUT,
            "socket_timeout": BROKER_TIMEOUT,
        },
    ) as broker:
        broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)


CHECKS = {"database": check_database, "broker": check_broker}


@never_cache
@login_not_required
@require_GET
def healthz(request):
    """Report whether the database and the Celery broker answer: 200 or 503."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # any failure means "not ready", whatever it is
            logger.warning("health check %s failed: %s", name, error)
            results[name] = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        else:
            results[name] = {"ok": True}
    healthy = all(result["ok"] for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **results},
        status=200 if healthy else 503,
    )
