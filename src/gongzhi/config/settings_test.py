"""Test settings: cheap hashing, eager tasks, fixed keys; the database comes from
DATABASE_URL (SQLite in memory unless CI points it at PostgreSQL)."""

import os

os.environ.setdefault("GONGZHI_DEMO_MODE", "1")
os.environ.setdefault("GONGZHI_FIELD_KEYS", "k1:dGVzdC1rZXktMzItYnl0ZXMtbG9uZy0wMDAwMDAwMDA=")
os.environ.setdefault("GONGZHI_BLIND_INDEX_KEY", "test-blind-index-key")
os.environ.setdefault("GONGZHI_SECRET_KEY", "test-secret-key")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = "sqlite:///:memory:"

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
GONGZHI_TASKS_EAGER = True
# Tasks run inline even where the environment names a broker; the one test that needs a
# real worker (tests/tasks/test_worker_kill.py) starts its own with its own settings.
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
GONGZHI_SMS_BACKEND = "gongzhi.voices.notify.LocmemSMSBackend"
DEMO_MODE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files straight from the app folders (no collectstatic before tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Every test shares one address and one cache: throttle tests lower these themselves.
GONGZHI_THROTTLE_RATES = {scope: "10000/m" for scope in GONGZHI_THROTTLE_RATES}  # noqa: F405
# Entered holiday schedules are read once per session (tests/conftest.py) and never again
# by the clock: a query count must not depend on when a test runs.
GONGZHI_HOLIDAY_SCHEDULE_TTL = float("inf")

# The reach is cached across requests in production (``core.scoping``). The suite's
# query-count guards compare a first request with a second one, so by default each request
# builds it afresh here; tests/core/test_scope_cache.py turns the cache on and checks it.
GONGZHI_SCOPE_CACHE = False
