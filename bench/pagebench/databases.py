"""The PostgreSQL server to use, and Django set up on a throwaway database.

The throwaway PostgreSQL database itself is made by ``sweep.postgresql_scratch``.
"""

import contextlib
import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pagebench.config import BASE_DIR, DEFAULT_POSTGRESQL


def postgresql_server():
    """Return the URL of the PostgreSQL server to use, or None with a printed note."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_POSTGRESQL
    try:
        import psycopg

        with psycopg.connect(admin_url(url), connect_timeout=3):
            pass
    except Exception as error:  # noqa: BLE001 - any failure means "not there"
        print(
            f"PostgreSQL at {redact(url)} does not answer ({type(error).__name__}: "
            f"{str(error).strip().splitlines()[0] if str(error) else ''}); "
            "skipping the PostgreSQL sizes."
        )
        return None
    return url


def admin_url(url):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))


def redact(url):
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def set_django_environment(var_dir):
    """Environment for a production-like process: DEBUG off, plain HTTP."""
    os.environ["KHANIJ_VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    os.environ["DJANGO_SESSION_COOKIE_SECURE"] = "0"
    os.environ["DJANGO_CSRF_COOKIE_SECURE"] = "0"
    os.environ["DJANGO_SECURE_HSTS_SECONDS"] = "0"


def scratch_environment(name: str):
    """A temporary folder and database named for one benchmark.

    The folder (``KHANIJ_VAR_DIR``) holds the SQLite database, or with
    DATABASE_URL set to PostgreSQL, a new database ``khanij_bench_<name>`` is
    made next to the one named and dropped by the clean-up. Returns (folder,
    backend, clean-up).
    """
    import shutil
    import tempfile
    from pathlib import Path

    scratch = Path(tempfile.mkdtemp(prefix=f"khanij-bench-{name}-"))
    set_django_environment(scratch)
    cleanups = [lambda: shutil.rmtree(scratch, ignore_errors=True)]
    backend = "sqlite"
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        from sweep import postgresql_scratch

        url, drop = postgresql_scratch(
            os.environ["DATABASE_URL"], name=f"khanij_bench_{name}"
        )
        os.environ["DATABASE_URL"] = url
        cleanups.insert(0, drop)
        backend = "postgresql"

    def clean_up():
        for cleanup in cleanups:
            cleanup()

    return scratch, backend, clean_up


def setup_django():
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    override_settings(
        # As the tests do: the second factor and the lockout are tested elsewhere.
        KHANIJ_STAFF_2FA_REQUIRED=False,
        AXES_ENABLED=False,
        SECURE_SSL_REDIRECT=False,
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        # The manifest storage needs collectstatic; a static URL costs the same.
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            },
        },
    ).enable()
    if settings.DEBUG:
        raise SystemExit("DEBUG must be off while timing.")
    # Load every view and the project's templates now, so that the code measured
    # is the code of one moment even when files change during a long run.
    from django.template import TemplateSyntaxError, engines
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018
    engine = engines["django"].engine
    for folder in map(Path, engines["django"].template_dirs):
        if BASE_DIR not in folder.parents:
            continue
        for template in folder.rglob("*"):
            if template.suffix in (".html", ".txt") and template.is_file():
                with contextlib.suppress(TemplateSyntaxError):
                    engine.get_template(str(template.relative_to(folder)))
