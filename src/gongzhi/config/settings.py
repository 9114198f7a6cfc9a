"""Settings for gongzhi, read from the environment.

Everything a deployment changes is an environment variable; the defaults give the
SQLite demo. `make demo` writes local secrets to `.env.local` on first run, which is
read here so that `manage.py` works from a shell without exporting anything.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent  # src/gongzhi
PROJECT_DIR = BASE_DIR.parent.parent  # repository root


def _load_env_file(path: Path) -> None:
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip())


_load_env_file(PROJECT_DIR / ".env.local")


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("GONGZHI_DEBUG", False)
SECRET_KEY = os.environ.get("GONGZHI_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or env_bool("GONGZHI_DEMO_MODE"):
        SECRET_KEY = "insecure-demo-only-secret-key-change-me"
    else:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("GONGZHI_SECRET_KEY must be set outside demo mode.")

ALLOWED_HOSTS = [
    h for h in os.environ.get("GONGZHI_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("GONGZHI_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

# Demo logins (demo-staff, demo-grid, ...) are refused unless this is on.
DEMO_MODE = env_bool("GONGZHI_DEMO_MODE", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    # django.contrib.staticfiles, publishing no source maps or unused bundles.
    "gongzhi.ops.staticfiles.StaticFilesConfig",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "ninja",  # serves the bundled Swagger UI assets for /api/v1/docs (no CDN)
    "gongzhi.core",
    "gongzhi.accounts",
    "gongzhi.places",
    "gongzhi.orgs",
    "gongzhi.register",
    "gongzhi.voices",
    "gongzhi.wishes",
    "gongzhi.renewal",
    "gongzhi.deliberation",
    "gongzhi.surveys",
    "gongzhi.open311",
    "gongzhi.venues",
    "gongzhi.exemplars",
    "gongzhi.mediation",
    "gongzhi.compounds",
    "gongzhi.activities",
    "gongzhi.points",
    "gongzhi.figures",
    "gongzhi.reports",
    "gongzhi.workbench",
    "gongzhi.api",
    "gongzhi.demo",
    "gongzhi.ops",
]

MIDDLEWARE = [
    # First: every later log line carries the request id, and the timing covers the rest.
    "gongzhi.ops.middleware.RequestIdMiddleware",
    "gongzhi.ops.middleware.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # After the locale (its refusal speaks the visitor's language), before anything reads input.
    "gongzhi.core.middleware.InputGuardMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gongzhi.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "gongzhi.config.urls"
WSGI_APPLICATION = "gongzhi.config.wsgi.application"

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
                "gongzhi.core.context_processors.site",
                "gongzhi.workbench.context_processors.menu",
            ],
        },
    }
]

DEFAULT_SQLITE = f"sqlite:///{PROJECT_DIR / 'var' / 'gongzhi.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", DEFAULT_SQLITE),
        conn_max_age=int(os.environ.get("GONGZHI_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at
    # BEGIN so that select_for_update-style services serialise instead of deadlocking.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
elif env_bool("GONGZHI_PG_PREPARED", True):
    # Parameters bound by the server, and a statement run this many times on a connection
    # kept as a prepared statement: PostgreSQL then plans a list's ten-table join once per
    # connection instead of on every request (planning was more of the inbox API's time
    # than running it). Connections are kept open (CONN_MAX_AGE), so the plans are reused.
    # Off (GONGZHI_PG_PREPARED=0) behind a pooler in transaction mode, which cannot follow
    # a prepared statement from one server connection to the next.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True,
        prepare_threshold=int(os.environ.get("GONGZHI_PG_PREPARE_THRESHOLD", "2")),
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["gongzhi.accounts.backends.PhoneOrUsernameBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed logins block the (account, client address) pair that made them, never the
# account everywhere: this many within the window block that pair until the oldest of them
# leaves the window. Every address is also capped across all accounts (a password spray).
LOGIN_MAX_FAILURES = int(os.environ.get("GONGZHI_LOGIN_MAX_FAILURES", "5"))
LOGIN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("GONGZHI_LOGIN_MAX_FAILURES_PER_ADDRESS", "30"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("GONGZHI_LOGIN_FAILURE_WINDOW_SECONDS", "900"))
# How many reverse proxies in front of the app append to X-Forwarded-For. 0: the client is
# REMOTE_ADDR and X-Forwarded-For is ignored (anyone can write it).
TRUSTED_PROXIES = int(os.environ.get("GONGZHI_TRUSTED_PROXIES", "0"))

# API tokens live this many days unless revoked earlier.
API_TOKEN_DAYS = int(os.environ.get("GONGZHI_API_TOKEN_DAYS", "30"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = PROJECT_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("GONGZHI_MEDIA_ROOT", PROJECT_DIR / "var" / "media"))
MEDIA_URL = "/media/"

# Uploads: a 12,000-row register is about 1 MB; anything past this is refused.
GONGZHI_MAX_UPLOAD_BYTES = int(os.environ.get("GONGZHI_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("GONGZHI_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): only this server's own files, no inline code or
# styles, no framing. Templates keep scripts in static files (tests/core/test_csp.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Swagger UI and the browsers' own widgets draw small icons as data: URLs.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}


def _rate(name: str, default: str) -> str:
    """A throttle rate, ``requests/period`` with period s, m, h or d (``10/m``)."""
    value = os.environ.get(name, default).strip()
    count, _, period = value.partition("/")
    if not (count.isdigit() and period in {"s", "m", "h", "d"}):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name} must look like 10/m, not {value!r}.")
    return value


# Requests per client address (see TRUSTED_PROXIES), counted in the cache; over the rate
# the answer is 429 with Retry-After.
GONGZHI_THROTTLE_RATES = {
    "auth_token": _rate("GONGZHI_THROTTLE_AUTH_TOKEN", "10/m"),
    "login": _rate("GONGZHI_THROTTLE_LOGIN", "20/m"),
    "open311_post": _rate("GONGZHI_THROTTLE_OPEN311_POST", "30/m"),
}

# Personal data keys. GONGZHI_FIELD_KEYS is "id:base64key,id:base64key" with the key
# used for new writes first; older keys stay to decrypt until `manage.py rotate_keys`.
# GONGZHI_BLIND_INDEX_KEY keys the HMAC used for exact lookup of ID numbers and phones.
GONGZHI_FIELD_KEYS = os.environ.get("GONGZHI_FIELD_KEYS", "")
GONGZHI_BLIND_INDEX_KEY = os.environ.get("GONGZHI_BLIND_INDEX_KEY", "")

# Text messages to residents: a dotted path to a backend class. The console backend prints
# (masked) messages, for the demo; a deployment names its gateway's backend here.
GONGZHI_SMS_BACKEND = os.environ.get(
    "GONGZHI_SMS_BACKEND", "gongzhi.voices.notify.ConsoleSMSBackend"
)

# Time limits (core.workcal, voices.deadlines): office hours of a working day; how many
# working hours before its deadline an item is "due soon" (即将超时) and warned about
# (empty: one working day); how long a process keeps the entered holiday schedules.
GONGZHI_WORK_PERIODS = os.environ.get("GONGZHI_WORK_PERIODS", "08:30-12:00,14:00-17:30")
GONGZHI_DUE_SOON_HOURS = os.environ.get("GONGZHI_DUE_SOON_HOURS", "")
GONGZHI_HOLIDAY_SCHEDULE_TTL = float(os.environ.get("GONGZHI_HOLIDAY_SCHEDULE_TTL", "300"))

# Tests set this to run an import in the service that starts it, before its transaction
# ends; everywhere else work is queued after commit (inline when there is no broker).
GONGZHI_TASKS_EAGER = env_bool("GONGZHI_TASKS_EAGER", False)

# Celery on Redis (gongzhi/config/celery.py). CELERY_BROKER_URL names the broker; without
# one (the SQLite demo, tests) every task runs inline in the process that queued it.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Django's LOGGING (JSON lines with the request id in production) stays in charge in workers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A task is acknowledged when it ends, not when it starts, and a worker killed under it
# hands it back: every task is written to be run twice safely (a claim on its row).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One task at a time per process: an import must not hold back the text messages queued
# behind it on the same process.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("GONGZHI_TASK_SOFT_TIME_LIMIT", "300"))
CELERY_TASK_TIME_LIMIT = int(os.environ.get("GONGZHI_TASK_TIME_LIMIT", "360"))
# Redis hands an unacknowledged task to another worker after this long; longer than the
# longest task (imports: GONGZHI_IMPORT_TIME_LIMIT), or a slow one would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
CELERY_WORKER_SEND_TASK_EVENTS = True
CELERY_TASK_SEND_SENT_EVENT = True

# The schedule (gongzhi/config/celery.py): voices_tick and the sweeps for stuck imports
# and text messages due again.
GONGZHI_TICK_SECONDS = float(os.environ.get("GONGZHI_TICK_SECONDS", "120"))
GONGZHI_SWEEP_SECONDS = float(os.environ.get("GONGZHI_SWEEP_SECONDS", "60"))
# An import holds a lease in the cache, renewed while it runs; a RUNNING job whose lease
# has lapsed lost its worker. After GONGZHI_IMPORT_MAX_RUNS starts it is failed.
GONGZHI_IMPORT_LEASE_SECONDS = float(os.environ.get("GONGZHI_IMPORT_LEASE_SECONDS", "60"))
GONGZHI_IMPORT_MAX_RUNS = int(os.environ.get("GONGZHI_IMPORT_MAX_RUNS", "3"))
GONGZHI_IMPORT_TIME_LIMIT = int(os.environ.get("GONGZHI_IMPORT_TIME_LIMIT", "3600"))
# Exports of more residents than this are written by a worker (a job page, a download
# for the requester only, deleted after 24 h); smaller ones in the request.
GONGZHI_EXPORT_INLINE_MAX = int(os.environ.get("GONGZHI_EXPORT_INLINE_MAX", "5000"))
# Text messages: attempts before one is given up, and the first wait (doubled each time).
GONGZHI_SMS_MAX_ATTEMPTS = int(os.environ.get("GONGZHI_SMS_MAX_ATTEMPTS", "5"))
GONGZHI_SMS_RETRY_SECONDS = int(os.environ.get("GONGZHI_SMS_RETRY_SECONDS", "30"))

# Request lines and access logs can carry an ID number or phone (an old bookmark, a client
# putting one in a query string); MaskPersonalData masks them before any handler writes.
# It sits on the loggers that log requests and on the console handler everything else
# reaches. The development server's and gunicorn's access loggers do not propagate, so
# they get handlers here (Django's own "django.server" set-up, gunicorn's access line to
# stdout); configuring a logger replaces the handlers it had.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "gongzhi.core.logging.MaskPersonalData"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_personal_data"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_personal_data"],
        },
        "access": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["mask_personal_data"],
        },
    },
    "loggers": {
        "django.request": {"filters": ["mask_personal_data"]},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["mask_personal_data"],
        },
        "gunicorn.access": {
            "handlers": ["access"],
            "level": "INFO",
            "propagate": False,
            "filters": ["mask_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("GONGZHI_LOG_LEVEL", "WARNING")},
}

# --- production ----------------------------------------------------------------------------
# GONGZHI_PRODUCTION=1 (deploy/env.example, `make stack`) turns on what a server behind nginx
# needs; `manage.py check --deploy` passes with no warnings there. The demo and the tests
# leave it off and keep the defaults above. docs/deployment.md explains every variable.
PRODUCTION = env_bool("GONGZHI_PRODUCTION", False)
if PRODUCTION:
    # nginx terminates TLS and says so in X-Forwarded-Proto (deploy/nginx/gongzhi.conf); it
    # also overwrites whatever a client sent in that header, so believing it is safe.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # GONGZHI_INSECURE_HTTP=1 is for the loopback stack only (`make stack`): no TLS there,
    # so the settings that need TLS are off instead of pretending the connection is https
    # (a Secure cookie over plain http is never sent back). `check --deploy` rightly warns
    # in that mode; a real server never sets it.
    _tls = not env_bool("GONGZHI_INSECURE_HTTP", False)
    SECURE_SSL_REDIRECT = _tls
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _tls
    SECURE_HSTS_SECONDS = int(os.environ.get("GONGZHI_HSTS_SECONDS", "31536000")) if _tls else 0
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("GONGZHI_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("GONGZHI_HSTS_PRELOAD", True)
    # Hashed names (app.3f2a1b.css) cached for a year by nginx, with .gz and .br written
    # beside each file at collectstatic; source maps and unused bundles left out
    # (gongzhi.ops.staticfiles).
    STORAGES["staticfiles"] = {"BACKEND": "gongzhi.ops.staticfiles.ProductionStaticFilesStorage"}
    STATIC_ROOT = Path(os.environ.get("GONGZHI_STATIC_ROOT", STATIC_ROOT))
    # One connection per worker thread, kept open and checked before reuse: no connect per
    # request, and a PostgreSQL restart costs one failed check, not a 500.
    if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("GONGZHI_CONN_MAX_AGE", "600"))
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Sessions in the Redis cache, written through to the database so a Redis restart logs
    # nobody out.
    if os.environ.get("REDIS_URL"):
        SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    # One JSON object per line, with the request id (gongzhi.core.logging.JsonFormatter).
    LOGGING["formatters"]["json"] = {"()": "gongzhi.core.logging.JsonFormatter"}
    LOGGING["handlers"]["console"]["formatter"] = "json"
    LOGGING["handlers"]["access"]["formatter"] = "json"
    LOGGING["root"]["level"] = os.environ.get("GONGZHI_LOG_LEVEL", "INFO")

# /metrics answers loopback clients (see GONGZHI_TRUSTED_PROXIES behind nginx) and anyone
# sending "Authorization: Bearer <this token>".
GONGZHI_METRICS_TOKEN = os.environ.get("GONGZHI_METRICS_TOKEN", "")
# /readyz asks a Celery worker to answer within this many seconds.
GONGZHI_READY_TIMEOUT = float(os.environ.get("GONGZHI_READY_TIMEOUT", "1.0"))
