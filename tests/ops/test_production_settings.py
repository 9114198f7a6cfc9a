"""Production settings (GONGZHI_PRODUCTION): `manage.py check --deploy` finds nothing, and
the loopback stack's plain-http mode turns off only what needs TLS."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "gongzhi.config.settings",
    "GONGZHI_PRODUCTION": "1",
    "GONGZHI_SECRET_KEY": "x7Gq2-production-like-secret-key-of-sixty-characters-Zk93PqLw",
    "GONGZHI_ALLOWED_HOSTS": "gongzhi.example.org",
    "GONGZHI_DEMO_MODE": "0",
    "GONGZHI_DEBUG": "0",
}


def _run(code_or_args, extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGZHI_", "DJANGO_"))}
    env.update(PRODUCTION_ENV, **(extra or {}))
    # Keys from a developer's .env.local would only be defaults; the ones above win.
    return subprocess.run(
        [sys.executable, *code_or_args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_no_warnings():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _settings(extra=None) -> dict:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'redirect': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS, "
        "'cookie': s.SESSION_COOKIE_SECURE, 'proxy': list(s.SECURE_PROXY_SSL_HEADER or []), "
        "'static': s.STORAGES['staticfiles']['BACKEND'], 'session': s.SESSION_ENGINE, "
        "'age': s.DATABASES['default']['CONN_MAX_AGE'], "
        "'health': s.DATABASES['default'].get('CONN_HEALTH_CHECKS'), "
        "'formatter': s.LOGGING['handlers']['console'].get('formatter')}))"
    )
    result = _run(["-c", code], extra)
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_on_postgresql_with_redis():
    s = _settings(
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/none",
            "REDIS_URL": "redis://127.0.0.1:6379/9",
        }
    )
    assert s["redirect"] and s["cookie"] and s["hsts"] >= 31536000
    assert s["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert s["static"] == "gongzhi.ops.staticfiles.ProductionStaticFilesStorage"
    assert s["session"] == "django.contrib.sessions.backends.cached_db"
    assert s["age"] == 600 and s["health"] is True
    assert s["formatter"] == "json"


def test_loopback_stack_mode_turns_off_only_what_needs_tls():
    s = _settings({"GONGZHI_INSECURE_HTTP": "1"})
    assert not s["redirect"] and not s["cookie"] and s["hsts"] == 0
    assert s["static"] == "gongzhi.ops.staticfiles.ProductionStaticFilesStorage"
    # And check --deploy says so: this mode is never for a server.
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        {"GONGZHI_INSECURE_HTTP": "1"},
    )
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stdout + result.stderr


def test_collectstatic_publishes_no_source_maps_or_unused_bundles(tmp_path):
    result = _run(
        ["manage.py", "collectstatic", "--noinput", "-v0"],
        {"GONGZHI_STATIC_ROOT": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    names = [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()]
    assert not [n for n in names if ".map" in n]
    assert not [n for n in names if "redoc" in n]
    # What /api/v1/docs needs is there, hashed and precompressed.
    bundle = [n for n in names if n.startswith("ninja/swagger-ui-bundle.")]
    assert any(n.endswith(".js.br") for n in bundle) and any(n.endswith(".js.gz") for n in bundle)
    css = next(p for p in tmp_path.glob("ninja/swagger-ui.*.css") if len(p.name.split(".")) == 3)
    assert "sourceMappingURL" not in css.read_text(encoding="utf-8")
