"""/healthz: the probe load balancers and the deployment use to see the site is up."""

import os
import socket
import time

import pytest
import redis
from django.db import OperationalError
from django.urls import reverse

from config.celery import app as celery_app
from grants.views import health

pytestmark = pytest.mark.django_db

# The check gives the broker three seconds; a probe must never wait much longer.
PROBE_PATIENCE_SECONDS = 10


class BrokenConnection:
    """Stands in for the database connection when the database is down."""

    def cursor(self):
        raise OperationalError("could not connect to server: Connection refused")


@pytest.fixture
def use_broker(monkeypatch):
    """Point the Celery app at another broker for one test, and back afterwards."""
    # Celery reads these variables before its own setting, so they must not win.
    for name in ("CELERY_BROKER_URL", "CELERY_BROKER_WRITE_URL"):
        monkeypatch.delenv(name, raising=False)

    def use(url):
        monkeypatch.setitem(celery_app.conf, "broker_url", url)

    return use


@pytest.fixture
def silent_server():
    """Yield the port of a server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    yield server.getsockname()[1]
    server.close()


def get_health(client):
    started = time.monotonic()
    response = client.get(reverse("healthz"))
    return response, time.monotonic() - started


def test_health_is_ok_when_the_database_and_broker_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "database": {"ok": True},
        "broker": {"ok": True},
    }


def test_health_needs_no_login_and_is_never_cached(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]


def test_health_answers_over_plain_http_when_https_is_enforced(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


def test_health_is_unavailable_and_names_the_database_when_it_fails(
    client, monkeypatch
):
    monkeypatch.setattr(health, "connection", BrokenConnection())

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"]["ok"] is False
    assert body["database"]["error"].startswith("OperationalError: ")
    assert body["broker"] == {"ok": True}


def test_health_reports_any_failing_check_by_its_name(client, monkeypatch):
    def fail():
        raise RuntimeError("disk full")

    monkeypatch.setitem(health.CHECKS, "database", fail)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == {
        "ok": False,
        "error": "RuntimeError: disk full",
    }


def test_health_is_unavailable_quickly_when_the_broker_refuses(client, use_broker):
    use_broker("redis://127.0.0.1:1/0")

    response, elapsed = get_health(client)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == {"ok": True}
    assert body["broker"]["ok"] is False
    assert "OperationalError" in body["broker"]["error"]
    assert elapsed < PROBE_PATIENCE_SECONDS


def test_health_is_unavailable_quickly_when_the_broker_never_answers(
    client, use_broker, silent_server
):
    use_broker(f"redis://127.0.0.1:{silent_server}/0")

    response, elapsed = get_health(client)

    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert elapsed < PROBE_PATIENCE_SECONDS


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_health_refuses_anything_but_get(client, method):
    response = getattr(client, method)("/healthz")

    assert response.status_code == 405


def redis_unavailable_reason(url):
    """Say why the Redis broker test cannot run, or return None when it can."""
    if not url:
        return "REDIS_URL is not set"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as error:
        return f"Redis at {url} does not answer ({error})"
    return None


@pytest.mark.redis
def test_health_is_ok_with_the_redis_broker(client, use_broker):
    url = os.environ.get("REDIS_URL", "")
    reason = redis_unavailable_reason(url)
    if reason and os.environ.get("KHANIJ_REQUIRE_REDIS") == "1":
        pytest.fail(f"{reason}, and KHANIJ_REQUIRE_REDIS=1 requires it.")
    if reason:
        pytest.skip(reason)
    use_broker(url)

    response = client.get("/healthz")

    assert response.status_code == 200, response.json()
    assert response.json()["broker"] == {"ok": True}
