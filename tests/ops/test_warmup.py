"""The application warms up where it is loaded (the gunicorn master, before it forks), so a
new or replaced worker does not spend its first request importing the API and compiling
templates; gunicorn freezes what the master built before forking."""

from __future__ import annotations

import gc
import os
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.template import engines
from django.test import override_settings

from gongzhi.config.warmup import warm_up

ROOT = Path(__file__).resolve().parents[2]


def test_every_project_template_compiles():
    result = warm_up()
    on_disk = list(Path(settings.BASE_DIR).rglob("templates/**/*.html"))
    assert len(on_disk) > 100
    assert result == {"templates": len(on_disk), "failed": 0}


def test_a_template_that_does_not_compile_is_counted_and_the_rest_still_load(tmp_path):
    (tmp_path / "warm").mkdir()
    (tmp_path / "warm" / "good.html").write_text("{% load i18n %}{% translate 'ok' %}")
    (tmp_path / "warm" / "broken.html").write_text("{% if %}never closed")
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path], "APP_DIRS": False}]
    with override_settings(TEMPLATES=templates):
        result = warm_up(project=tmp_path)
        assert result == {"templates": 1, "failed": 1}
        assert engines["django"].get_template("warm/good.html").render({}) == "ok"


def test_loading_the_wsgi_application_builds_urls_catalogues_and_templates():
    # A fresh interpreter, as the gunicorn master is: nothing has been requested yet.
    code = (
        "import gongzhi.config.wsgi\n"
        "from django.urls import get_resolver\n"
        "from django.template import engines\n"
        "from django.utils.translation import trans_real\n"
        "r = get_resolver()\n"
        "print('urls', 'url_patterns' in r.__dict__ and r._populated)\n"
        "print('languages', sorted(trans_real._translations))\n"
        "loader = engines['django'].engine.template_loaders[0]\n"
        "print('templates', len(loader.get_template_cache) > 100)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gongzhi.config.settings_test"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "urls True" in lines
    assert "templates True" in lines
    wanted = sorted(code for code, _name in settings.LANGUAGES)
    assert f"languages {wanted}" in lines


def _gunicorn_config():
    return runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))


def test_the_master_freezes_what_it_built_before_forking_only_when_it_preloads():
    config = _gunicorn_config()
    before = gc.get_freeze_count()
    try:
        config["when_ready"](SimpleNamespace(cfg=SimpleNamespace(preload_app=False)))
        assert gc.get_freeze_count() == before
        config["when_ready"](SimpleNamespace(cfg=SimpleNamespace(preload_app=True)))
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()


def test_workers_are_replaced_after_many_requests_not_a_few_thousand(monkeypatch):
    monkeypatch.delenv("GUNICORN_MAX_REQUESTS", raising=False)
    monkeypatch.delenv("GUNICORN_MAX_REQUESTS_JITTER", raising=False)
    config = _gunicorn_config()
    assert config["preload_app"] is True
    assert config["max_requests"] >= 10_000
    assert 0 < config["max_requests_jitter"] < config["max_requests"]
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "500")
    assert _gunicorn_config()["max_requests"] == 500
