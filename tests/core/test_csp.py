"""The Content-Security-Policy: this server's own files only, no inline code or styles,
no framing; and templates that keep it that way. tests/browser/test_csp.py walks the pages
in Chromium and fails on any violation it reports."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = sorted(Path(settings.BASE_DIR).rglob("templates/**/*.html"))


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    out = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


EXPECTED = {
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


@pytest.mark.parametrize("url", ["/accounts/login/", "/api/v1/me", "/api/v1/openapi.json"])
def test_policy_on_pages_and_the_api(db, client, url):
    response = client.get(url)
    assert directives(response) == EXPECTED
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_policy_on_a_logged_in_page_keeps_the_other_security_headers(world, login):
    response = login(world.users["grid"]).get("/")
    assert directives(response) == EXPECTED
    assert (
        response["X-Frame-Options"],
        response["X-Content-Type-Options"],
        response["Referrer-Policy"],
    ) == ("DENY", "nosniff", "same-origin")


def test_htmx_is_told_not_to_inject_its_indicator_style(db, client):
    html = client.get("/accounts/login/").content.decode()
    meta = re.search(r"""<meta name="htmx-config" content='([^']*)'>""", html)
    assert json.loads(meta.group(1)) == {"includeIndicatorStyles": False}
    # Read when htmx starts, so it must come first.
    assert meta.start() < html.index("htmx-2.min.js")


# Inline code the policy would refuse, found in the template source.
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
STYLE_ATTR = re.compile(r"""\sstyle\s*=""", re.I)
HANDLER_ATTR = re.compile(r"""\son[a-z]+\s*=\s*["'{]""", re.I)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def inline_problems(text: str) -> list[str]:
    problems = []
    for attrs, body in SCRIPT.findall(text):
        is_data = re.search(r"""type\s*=\s*["']application/(ld\+)?json["']""", attrs)
        if body.strip() and not is_data:
            problems.append("inline <script> with code")
        if not body.strip() and "src=" not in attrs:
            problems.append("<script> without src")
    for pattern, what in [
        (STYLE_ELEMENT, "<style> element"),
        (STYLE_ATTR, 'style="" attribute'),
        (HANDLER_ATTR, "on*= event handler attribute"),
        (JS_URL, "javascript: URL"),
    ]:
        if pattern.search(text):
            problems.append(what)
    return problems


def test_the_scan_finds_what_it_looks_for():
    assert inline_problems('<script>alert(1)</script><p style="x" onclick="y">') == [
        "inline <script> with code",
        'style="" attribute',
        "on*= event handler attribute",
    ]
    assert inline_problems('<a href="javascript:void(0)">') == ["javascript: URL"]
    assert inline_problems("<style>p{}</style>") == ["<style> element"]
    assert inline_problems('<script src="/static/js/app.js" defer></script>') == []
    assert inline_problems('<script type="application/json" id="x">{"a": 1}</script>') == []
    # Words that merely contain "on" or "style" are not attributes.
    assert inline_problems('<p class="lifestyle" data-ontology="x">onion</p>') == []


def test_templates_have_no_inline_code_or_styles():
    assert len(TEMPLATES) > 20
    found = {
        str(path.relative_to(settings.BASE_DIR)): problems
        for path in TEMPLATES
        if (problems := inline_problems(path.read_text(encoding="utf-8")))
    }
    assert found == {}, (
        "The Content-Security-Policy refuses inline code and styles: move scripts to "
        "static/js, styles to static/css, and handlers to addEventListener."
    )
