"""Settings for Khanij R&D, read from the environment alone.

With no variable set it runs on the embedded default: SQLite, the filesystem Celery
broker and e-mail written to files, all under ``var/``. Setting ``DATABASE_URL``,
``CELERY_BROKER_URL``, ``EMAIL_URL``, ``DJANGO_SECRET_KEY`` and ``DJANGO_ALLOWED_HOSTS``
makes it a production configuration; ``manage.py check --deploy`` guards that one.
"""

import os
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KHANIJ_VAR_DIR", BASE_DIR / "var"))

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment variables win

PRODUCTION_VARIABLES = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "EMAIL_URL",
    "DJANGO_SECRET_KEY",
)
# The embedded default: plain HTTP on this machine, files under var/.
EMBEDDED = not any(os.environ.get(name) for name in PRODUCTION_VARIABLES)

# Core
# DEBUG only when a developer asks for it (DJANGO_DEBUG=1): the embedded default of
# `make run` runs without it, as production does, so no technical page (Django's 404
# lists every URL pattern) is ever shown to a visitor.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Plain HTTP is right for the embedded default and for a developer's DEBUG run only.
PLAIN_HTTP = DEBUG or EMBEDDED
# check --deploy flags this default (security.W009), so it cannot reach production.
# Read as it is: django-environ takes a value starting with "$" for the name of
# another variable, and one in fifty random keys starts so.
SECRET_KEY = (
    os.environ.get("DJANGO_SECRET_KEY")
    or "django-insecure-embedded-default-only-never-use-in-production"
)
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    "simple_history",
    "django_otp",
    # The two-factor and lockout libraries, under readable names (grants/apps.py).
    "grants.apps.AuthenticatorDevicesConfig",
    "grants.apps.BackupCodesConfig",
    "grants.apps.LockoutConfig",
    # Beat's schedule lives in the database, so a ministry admin can change the
    # time of the reminder sweep, or pause it, in the admin.
    "django_celery_beat",
    # The REST API (grants/api/, docs/api.md).
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "grants",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # No-store for signed-in pages and files, and a Permissions-Policy everywhere.
    "grants.headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language of a request before login: the cookie, then Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # A signed-in user's own language wins over the cookie and the browser.
    "grants.language.UserLanguageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "grants.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each change in the audit history.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "grants.context_processors.illustrative_data",
            ],
        },
    },
]

# Database
DATABASES = {
    "default": env.db_url_config(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat write at once: WAL lets readers run beside the writer,
    # IMMEDIATE takes the write lock at BEGIN so the busy timeout applies (a
    # deferred read-then-write transaction fails at once with "database is locked").
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not Django's shared in-memory database, so a Celery worker thread or
    # process in the integration tests sees what the test wrote. One file per test
    # run, so runs side by side do not share it.
    DATABASES["default"]["TEST"] = {
        "NAME": env(
            "KHANIJ_TEST_DB", default=str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")
        )
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache
# The throttles (grants/services/throttle.py: password-reset mails per address, reset
# requests per client) must count alike in every web process and in the worker. The
# database is what all of them already share, in both configurations, so the
# "shared" cache is a table in it: no extra service to run, unlike Redis (not there
# in the embedded default), and unlike the per-process in-memory default. `migrate`
# creates the table (grants/apps.py runs createcachetable after it). Room for many
# entries, so a flood of addresses cannot push the counters out early.
#
# The "pages" cache holds rendered parts of pages many people read (the dashboard),
# under a version that every change to the portfolio replaces (grants/page_cache.py).
# Every web process must see the same entries, or one would serve a part another
# has replaced: Redis in production (CACHE_URL, e.g. redis://127.0.0.1:6379/1),
# else a folder under var/ that the processes of the embedded default share.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "khanij_shared_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
    "pages": (
        {**env.cache_url_config(os.environ["CACHE_URL"]), "KEY_PREFIX": "khanij-pages"}
        if os.environ.get("CACHE_URL")
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache" / "pages"),
            "OPTIONS": {"MAX_ENTRIES": 2_000},
        }
    ),
}

# Auth
AUTH_USER_MODEL = "grants.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out user name is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "grants.backends.ModelBackend",
]
# Staff must confirm a second factor (an authenticator app or a backup code) in
# production. The embedded demo leaves it optional so its printed logins work.
KHANIJ_STAFF_2FA_REQUIRED = env.bool("KHANIJ_STAFF_2FA_REQUIRED", default=not EMBEDDED)
OTP_TOTP_ISSUER = "Khanij R&D"
# Staff link an authenticator only through a one-time link an administrator
# e-mails (Admin -> Users -> reset two-factor sign-in); it works for this long.
KHANIJ_2FA_INVITATION_HOURS = env.int("KHANIJ_2FA_INVITATION_HOURS", default=72)
# The audit history keeps a service's reason in full (a return reason can run to
# a paragraph), not cut at 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# Lock a user name *from one address* after repeated failures, never a user name
# everywhere: anyone who knows a name could otherwise lock its owner out. An
# address is locked as a whole only once it has tried many different user names
# (guessing through a list); a ministry office shares one address, and a few
# colleagues mistyping must not lock it. Both locks last AXES_COOLOFF_TIME hours.
# grants/lockout.py counts the names, since axes has one limit for every count.
AXES_HANDLER = "grants.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_HOURS", default=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Ten names with wrong passwords and no right one from one address in an hour: far
# more than an office sees, far fewer than a list of names to try.
KHANIJ_LOCKOUT_ADDRESS_NAME_LIMIT = env.int(
    "KHANIJ_LOCKOUT_ADDRESS_NAME_LIMIT", default=10
)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# Behind a reverse proxy, the client address is the last one it appends.
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("hi", "हिन्दी")]
TIME_ZONE = "Asia/Kolkata"
USE_I18N = True
# The catalogue (locale/hi/LC_MESSAGES/django.po) is compiled by `make` targets
# (manage.py compile_catalogues); the .mo files are not kept in git.
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "khanij_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_TZ = True
# Django's own en locale groups numbers in threes and wins over NUMBER_GROUPING, so
# the project's format files set the Indian grouping (lakh, crore) for en and hi.
FORMAT_MODULE_PATH = ["config.formats"]

# Static & media
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Grantees' files live outside the web root; they are served only by a view
    # that checks the user may see the object they belong to.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
        },
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if PLAIN_HTTP
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Without collectstatic (the embedded default, a developer's run), WhiteNoise serves
# the files straight from the app's static folders; production serves the collected,
# hashed and compressed copies.
WHITENOISE_USE_FINDERS = PLAIN_HTTP
MEDIA_ROOT = STORAGES["default"]["OPTIONS"]["location"]
UPLOAD_MAX_BYTES = env.int("KHANIJ_UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
# A workbook of a whole portfolio is larger than a grantee's document: ten
# thousand projects with their instalments, certificates and milestones take
# about a tenth of this.
IMPORT_MAX_BYTES = env.int("KHANIJ_IMPORT_MAX_BYTES", default=100 * 1024 * 1024)

# Email
if os.environ.get("EMAIL_URL"):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
# Without a timeout a stalled SMTP server blocks a worker slot for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Khanij R&D <noreply@khanij-rd.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_QUEUE_DIR = VAR_DIR / "celery" / "queue"
    CELERY_CONTROL_DIR = VAR_DIR / "celery" / "control"
    # kombu does not create these folders itself.
    CELERY_QUEUE_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_CONTROL_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR),
        "data_folder_out": str(CELERY_QUEUE_DIR),
        "control_folder": str(CELERY_CONTROL_DIR),
    }
else:
    # Retries and countdowns stay well under this, so Redis never redelivers a
    # task that is merely waiting.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        # A broker that accepts connections but never answers must not hang a
        # web request that enqueues work.
        "socket_connect_timeout": 5,
        "socket_timeout": 10,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 5
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker process that has grown past this (KiB; large registers laid out as PDF
# take hundreds of MiB) finishes its task and is replaced by a fresh one.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int(
    "KHANIJ_WORKER_MAX_MEMORY_KIB", default=1024 * 1024
)
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
# The schedule (the daily reminder sweep, the weekly digest) is data, created by
# the grants migrations and edited in the admin; beat reads it from the database.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Reminders
# E-mails link to pages by absolute address: the site as its users reach it.
KHANIJ_SITE_URL = env("KHANIJ_SITE_URL", default="http://127.0.0.1:8000")
# Who answers questions about the app: shown on /help/ and /accessibility/.
KHANIJ_HELPDESK_EMAIL = env(
    "KHANIJ_HELPDESK_EMAIL", default="rnd-helpdesk@khanij-rd.example"
)
KHANIJ_HELPDESK_PHONE = env("KHANIJ_HELPDESK_PHONE", default="")

# Documents (sanction and release orders): the officer who signs them for the
# ministry. Left empty, the orders carry a blank line to sign on.
KHANIJ_SIGNATORY_NAME = env("KHANIJ_SIGNATORY_NAME", default="")
# The register of grants as PDF: up to this many rows it is written while the
# officer waits; a longer one is built by the worker, with a page showing progress.
KHANIJ_REGISTER_INLINE_ROWS = env.int("KHANIJ_REGISTER_INLINE_ROWS", default=300)

# Security: on except over the plain HTTP of the embedded default or a DEBUG run, so
# the same file is safe in both places.
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=not PLAIN_HTTP)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=not PLAIN_HTTP)
LANGUAGE_COOKIE_SECURE = not PLAIN_HTTP
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not PLAIN_HTTP)
# Load balancers probe the health check over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int(
    "DJANGO_SECURE_HSTS_SECONDS", default=0 if PLAIN_HTTP else 60 * 60 * 24 * 365
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not PLAIN_HTTP
SECURE_HSTS_PRELOAD = not PLAIN_HTTP
# What the pages may use of the browser: nothing beyond the page itself
# (grants/headers.py sends it with every response).
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), "
    "encrypted-media=(), fullscreen=(self), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), "
    "publickey-credentials-get=(), screen-wake-lock=(), usb=(), xr-spatial-tracking=()"
)
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
# Content Security Policy: everything from this site, nothing inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# The REST API (grants/api/, docs/api.md). Only tokens sign in: no session, so no
# cookie a page elsewhere could ride on, and a staff session's second factor is not
# needed per request (the token was made after it). JSON in and out, nothing else.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["grants.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["grants.api.access.SignedIn"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["grants.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env("KHANIJ_API_RATE", default="600/minute")},
    "DEFAULT_SCHEMA_CLASS": "grants.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATE_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "grants.api.problems.ProblemHandler",
    "EXCEPTION_FORMATTER_CLASS": "grants.api.problems.ProblemFormatter",
}
# Tokens are stored as a SHA-512 digest and a short prefix that names them; the
# secret is shown once. The prefix lets a leaked token be recognised by scanners.
KNOX_TOKEN_MODEL = "grants.ApiToken"
# knox's own migrations create its AuthToken table even when the model is swapped
# for ours; with none, no table is made for a model nothing uses (one that would
# hold a foreign key to every user, and stop PostgreSQL emptying the user table).
MIGRATION_MODULES = {"knox": None}
# Days the API's request log is kept (pruned nightly): over a fiscal year, for audit.
KHANIJ_API_LOG_DAYS = env.int("KHANIJ_API_LOG_DAYS", default=400)
# Refused sign-ins (401) one address may make in a minute before it is told to wait.
KHANIJ_API_REFUSALS_PER_MINUTE = env.int("KHANIJ_API_REFUSALS_PER_MINUTE", default=30)
REST_KNOX = {
    "TOKEN_PREFIX": "khanij_",
    "TOKEN_TTL": None,  # each token's lifetime is chosen when it is made
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": gettext_lazy("Khanij R&D API"),
    "DESCRIPTION": gettext_lazy(
        "The REE research-grant portfolio of the Ministry of Mines: projects and "
        "their money, instalments and their release conditions, utilisation "
        "certificates, milestones, progress reports and documents."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Operations grouped by what they are about: projects, certificates, ...
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status" or a "kind": each its own name in the document.
    "ENUM_NAME_OVERRIDES": {
        "ProjectStatusEnum": "grants.models.Project.Status",
        "MilestoneStatusEnum": "grants.models.Milestone.Status",
        # A certificate and a report move through the same three: one name.
        "SubmissionStatusEnum": "grants.models.ProgressReport.Status",
        "CertificateKindEnum": "grants.models.UtilisationCertificate.Kind",
        "MilestoneKindEnum": "grants.models.Milestone.Kind",
        "DocumentKindEnum": "grants.models.Document.Kind",
        "ConditionKindEnum": "grants.models.ReleaseCondition.Kind",
        "OrganisationKindEnum": "grants.models.Organisation.Kind",
    },
}
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=60 * 60 * 8)
SESSION_SAVE_EVERY_REQUEST = True  # the age counts from the last request


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools narrate every step of every document at INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
