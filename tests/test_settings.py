"""Settings come from the environment alone; each case reads them in a new process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.utils import get_random_secret_key
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION_VARIABLES = {
    "DATABASE_URL": "postgres://khanij:secret@db.internal:5432/khanij",
    "CELERY_BROKER_URL": "redis://cache.internal:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
    "DJANGO_SECRET_KEY": get_random_secret_key(),  # 50 random characters
}

needs_no_dotenv = pytest.mark.skipif(
    (BASE_DIR / ".env").exists(),
    reason="a .env file in the project root sets variables these cases control",
)


def environment(**variables):
    """Return this process's environment without the settings' own variables."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in PRODUCTION_VARIABLES
        and name != "EMAIL_TIMEOUT"
        and not name.startswith(("DJANGO_", "KHANIJ_"))
    }
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env.update(variables)
    return env


def run(*args, **variables):
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=environment(**variables),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def read_settings(*names, **variables):
    """Import the settings in a new process and return the named values."""
    code = (
        "import json\n"
        "from django.conf import settings\n"
        f"values = {{name: getattr(settings, name) for name in {names!r}}}\n"
        "print(json.dumps(values, default=str))"
    )
    result = run("-c", code, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@needs_no_dotenv
def test_embedded_default_runs_without_debug_on_sqlite_in_wal_mode():
    values = read_settings("DEBUG", "DATABASES", "WHITENOISE_USE_FINDERS")
    database = values["DATABASES"]["default"]
    # No technical 404 listing every URL: DEBUG only when a developer asks for it.
    assert values["DEBUG"] is False
    # Static files come from the app's folders, without collectstatic.
    assert values["WHITENOISE_USE_FINDERS"] is True
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(BASE_DIR / "var" / "db.sqlite3")
    assert "PRAGMA journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert database["OPTIONS"]["timeout"] >= 5


@needs_no_dotenv
def test_embedded_default_queues_tasks_in_folders_it_creates(tmp_path):
    var_dir = tmp_path / "var"
    values = read_settings(
        "CELERY_BROKER_URL",
        "CELERY_BROKER_TRANSPORT_OPTIONS",
        "DATABASES",
        KHANIJ_VAR_DIR=str(var_dir),
    )
    options = values["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert values["CELERY_BROKER_URL"] == "filesystem://"
    assert options["data_folder_in"] == options["data_folder_out"]
    assert Path(options["data_folder_in"]).is_dir()
    assert Path(options["control_folder"]).is_dir()
    assert Path(options["data_folder_in"]).is_relative_to(var_dir)
    assert values["DATABASES"]["default"]["NAME"] == str(var_dir / "db.sqlite3")


@needs_no_dotenv
def test_embedded_default_writes_mail_to_files_under_var():
    values = read_settings("EMAIL_BACKEND", "EMAIL_FILE_PATH")
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert values["EMAIL_FILE_PATH"] == str(BASE_DIR / "var" / "mail")


@needs_no_dotenv
def test_embedded_default_leaves_https_settings_off_for_local_use():
    values = read_settings(
        "SESSION_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"
    )
    assert values == {
        "SESSION_COOKIE_SECURE": False,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
    }


@needs_no_dotenv
def test_production_variables_configure_postgresql_redis_and_smtp():
    values = read_settings(
        "DEBUG",
        "SECRET_KEY",
        "DATABASES",
        "CELERY_BROKER_URL",
        "CELERY_BROKER_TRANSPORT_OPTIONS",
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_USE_TLS",
        "EMAIL_TIMEOUT",
        **PRODUCTION_VARIABLES,
    )
    database = values["DATABASES"]["default"]
    assert values["DEBUG"] is False
    assert values["SECRET_KEY"] == PRODUCTION_VARIABLES["DJANGO_SECRET_KEY"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["NAME"]) == ("db.internal", "khanij")
    assert database["CONN_MAX_AGE"] > 0
    assert "init_command" not in database.get("OPTIONS", {})
    assert values["CELERY_BROKER_URL"] == "redis://cache.internal:6379/0"
    assert values["CELERY_BROKER_TRANSPORT_OPTIONS"]["visibility_timeout"] > 0
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (values["EMAIL_HOST"], values["EMAIL_PORT"]) == ("smtp.example.org", 587)
    assert values["EMAIL_USE_TLS"] is True
    assert 0 < values["EMAIL_TIMEOUT"] <= 60


@needs_no_dotenv
def test_a_secret_key_starting_with_a_dollar_is_taken_as_it_is():
    """django-environ would read "$..." as the name of another variable."""
    key = "$" + get_random_secret_key()[1:]

    values = read_settings(
        "SECRET_KEY", **{**PRODUCTION_VARIABLES, "DJANGO_SECRET_KEY": key}
    )

    assert values["SECRET_KEY"] == key


@needs_no_dotenv
def test_production_variables_turn_on_https_only_cookies_redirect_and_hsts():
    values = read_settings(
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "STORAGES",
        **PRODUCTION_VARIABLES,
    )
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 365
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )


@needs_no_dotenv
@pytest.mark.parametrize("name", sorted(PRODUCTION_VARIABLES))
def test_any_one_production_variable_turns_debug_off(name):
    values = read_settings("DEBUG", **{name: PRODUCTION_VARIABLES[name]})
    assert values["DEBUG"] is False


@needs_no_dotenv
def test_deploy_check_passes_with_the_production_variables():
    result = run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **{
            **PRODUCTION_VARIABLES,
            # check --deploy reads no table, but give it a server that exists.
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
            "DJANGO_ALLOWED_HOSTS": "khanij.example.org",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@needs_no_dotenv
def test_deploy_check_fails_on_the_embedded_default():
    result = run("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W009" in result.stderr  # the embedded, insecure key
    assert "security.W008" in result.stderr  # plain HTTP, no redirect to HTTPS


@needs_no_dotenv
def test_debug_is_an_explicit_development_setting():
    assert read_settings("DEBUG", DJANGO_DEBUG="1")["DEBUG"] is True


def test_project_runs_on_indian_time_and_english():
    assert settings.TIME_ZONE == "Asia/Kolkata"
    assert settings.LANGUAGE_CODE == "en"
    assert dict(settings.LANGUAGES) == {"en": "English", "hi": "हिन्दी"}
    assert settings.USE_TZ is True


def test_users_are_the_grants_user_model():
    assert settings.AUTH_USER_MODEL == "grants.User"
    assert get_user_model()._meta.label == "grants.User"


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite journal mode")
def test_sqlite_connection_runs_in_wal_mode_with_a_busy_timeout():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 1  # NORMAL
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5_000


@needs_no_dotenv
def test_embedded_default_caches_page_parts_in_a_folder_every_process_shares(
    tmp_path,
):
    values = read_settings("CACHES", KHANIJ_VAR_DIR=str(tmp_path / "var"))
    pages = values["CACHES"]["pages"]
    assert pages["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert pages["LOCATION"] == str(tmp_path / "var" / "cache" / "pages")


def test_cache_url_puts_page_parts_in_redis():
    values = read_settings(
        "CACHES", **PRODUCTION_VARIABLES, CACHE_URL="redis://cache.internal:6379/1"
    )
    pages = values["CACHES"]["pages"]
    assert pages["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert pages["LOCATION"] == "redis://cache.internal:6379/1"
