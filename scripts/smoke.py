"""Smoke test of the running stack (`make stack`, then `make smoke`), through nginx.

Checks, in order: /healthz and /readyz; a static file with a hashed name served with a
year's immutable cache and precompressed (gzip, and brotli when nginx has the module); an
HTML page compressed; a demo resident logs in through the web form and files an item
through the API, and sees it back on their page; the item's deadline is moved into the
past and the reminder that the beat-scheduled tick sends appears; a register import runs
to the end. Exits non-zero with a message naming the step that failed.

Reads the stack's settings (port, database) from var/stack/env, as scripts/stack.sh wrote
them; STACK_URL overrides the address. The steps that depend on how background work is
wired (the tick's schedule, the import job) are one small function each.
"""

from __future__ import annotations

import gzip
import http.cookiejar
import io
import json
import os
import random
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STACK_DIR = Path(os.environ.get("STACK_DIR", ROOT / "var" / "stack"))
PASSWORD = os.environ.get("GONGZHI_DEMO_PASSWORD") or "gongzhi-demo"
REMINDER_WAIT = float(os.environ.get("SMOKE_REMINDER_WAIT", "90"))
IMPORT_WAIT = float(os.environ.get("SMOKE_IMPORT_WAIT", "120"))


class SmokeFailure(Exception):
    pass


def check(condition, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def stack_env() -> dict[str, str]:
    path = STACK_DIR / "env"
    check(path.exists(), f"{path} is missing: start the stack with `make stack` first")
    env = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key.strip()] = value.strip()
    return env


ENV = stack_env()
BASE = os.environ.get("STACK_URL", f"http://127.0.0.1:{ENV.get('STACK_PORT', '8400')}")


# --- HTTP -------------------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """A browser-like client: cookies, CSRF token, optional bearer token."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )
        self.token = None

    def request(self, method, path, *, data=None, json_body=None, headers=None, files=None):
        headers = {"Accept-Encoding": "identity", **(headers or {})}
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif files is not None:
            body, headers["Content-Type"] = multipart(data or {}, files)
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if method != "GET":
            csrf = self.cookie("csrftoken")
            if csrf:
                headers["X-CSRFToken"] = csrf
            headers["Referer"] = BASE + "/"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(BASE + path, data=body, headers=headers, method=method)
        try:
            response = self.opener.open(req, timeout=30)
        except urllib.error.HTTPError as exc:
            response = exc
        except OSError as exc:
            raise SmokeFailure(f"{method} {path}: no answer from {BASE} ({exc})") from None
        raw = response.read()
        return response.status, response.headers, raw

    def text(self, method, path, **kwargs):
        status, headers, raw = self.request(method, path, **kwargs)
        return status, headers, raw.decode("utf-8", "replace")

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), None)

    def login(self, username):
        status, _, page = self.text("GET", "/accounts/login/")
        check(status == 200, f"login page answered {status}")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        check(token, "login page has no CSRF token")
        status, headers, page = self.text(
            "POST",
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "login": username,
                "password": PASSWORD,
            },
        )
        check(
            status == 302,
            f"logging in as {username} answered {status}, not a redirect "
            "(is demo mode on in the stack? GONGZHI_DEMO_MODE)",
        )


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = f"----smoke{random.randrange(10**12)}"
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(f"{value}\r\n".encode())
    for name, (filename, content, content_type) in files.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
        )
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def stack_shell(code: str) -> str:
    """Run Python in `manage.py shell` against the stack's database; its stdout."""
    env = {**os.environ, **ENV}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    check(result.returncode == 0, f"manage.py shell failed:\n{result.stderr[-2000:]}")
    # The last line: `shell` may first say how many objects it imported.
    return result.stdout.strip().rpartition("\n")[2]


# --- the steps --------------------------------------------------------------------------


def step_health(c: Client):
    status, _, body = c.text("GET", "/healthz")
    check(status == 200 and json.loads(body)["status"] == "ok", f"/healthz: {status} {body}")
    status, _, body = c.text("GET", "/readyz")
    check(status == 200, f"/readyz is not green: {status} {body}")
    return body


def step_static(c: Client):
    status, _, page = c.text("GET", "/accounts/login/")
    found = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page)
    check(found, "the login page names no stylesheet with a hashed name (manifest storage?)")
    path = found.group(1)
    seen = []
    for encoding in ("br", "gzip"):
        status, headers, raw = c.request("GET", path, headers={"Accept-Encoding": encoding})
        check(status == 200, f"{path}: {status}")
        cache = headers.get("Cache-Control", "")
        check(
            "max-age=31536000" in cache and "immutable" in cache,
            f"{path}: Cache-Control is {cache!r}, not a year immutable",
        )
        got = headers.get("Content-Encoding", "")
        if encoding == "gzip":
            check(got == "gzip", f"{path}: not served gzip-compressed ({got!r})")
            gzip.decompress(raw)
        seen.append(got or "identity")
    status, _, _ = c.request("GET", path.rsplit(".", 1)[0] + ".css.map")
    check(status == 404, f"a source map is published ({status})")
    return f"{path} ({', '.join(seen)}; max-age=31536000, immutable)"


def step_html_compressed(c: Client):
    status, headers, raw = c.request("GET", "/accounts/login/", headers={"Accept-Encoding": "gzip"})
    check(status == 200, f"login page: {status}")
    check(headers.get("Content-Encoding") == "gzip", "HTML is not gzip-compressed by nginx")
    check(b"<html" in gzip.decompress(raw), "compressed HTML does not decompress to a page")
    check(headers.get("X-Request-ID"), "no X-Request-ID on the answer")
    return f"gzip, X-Request-ID {headers['X-Request-ID']}"


def step_file_item(c: Client):
    c.login("demo-resident")
    status, _, _ = c.text("GET", "/")
    check(status == 200, f"the resident's home page answered {status}")
    api = Client()
    status, _, body = api.text(
        "POST",
        "/api/v1/auth/token",
        json_body={"username": "demo-resident", "password": PASSWORD, "name": "smoke"},
    )
    check(status == 200, f"API token for demo-resident: {status} {body}")
    api.token = json.loads(body)["token"]
    text = f"冒烟测试：楼道灯不亮（{time.strftime('%H:%M:%S')}）"
    status, _, body = api.text("POST", "/api/v1/voices/items", json_body={"text": text})
    check(status == 201, f"filing an item: {status} {body}")
    item = json.loads(body)
    status, _, body = api.text("GET", f"/api/v1/voices/items/{item['id']}")
    check(status == 200 and json.loads(body)["number"] == item["number"], f"item back: {status}")
    status, _, page = c.text("GET", "/voices/")
    check(status == 200 and item["number"] in page, "the item is not on the resident's page")
    return item


def beat_runs_tick() -> bool:
    """Whether the Celery beat schedule has an entry that runs the deadline tick."""
    out = stack_shell(
        "from gongzhi.config.celery import app; "
        "print(any('tick' in str(e.get('task', '')) for e in "
        "(app.conf.beat_schedule or {}).values()))"
    )
    return out == "True"


def move_deadline_into_past(item_id: int) -> None:
    # A rehearsal of time passing, straight in the stack's database: no service moves a
    # deadline backwards, and none should.
    stack_shell(
        "import datetime as dt; from django.utils import timezone; "
        "from gongzhi.voices.models import Item; "
        f"Item.objects.filter(pk={item_id}).update(due_at=timezone.now() - dt.timedelta(minutes=1))"
    )


def reminder_sent(item_id: int) -> bool:
    out = stack_shell(
        f"from gongzhi.voices.models import Item; print(Item.objects.get(pk={item_id}).supervision)"
    )
    return out.isdigit() and int(out) >= 1


def step_reminder(item: dict):
    move_deadline_into_past(item["id"])
    note = ""
    if not beat_runs_tick():
        raise SmokeFailure("no beat entry runs the deadline tick (config/celery.py)")
    deadline = time.monotonic() + REMINDER_WAIT
    while time.monotonic() < deadline:
        if reminder_sent(item["id"]):
            return f"reminder recorded on {item['number']}{note}"
        time.sleep(2)
    raise SmokeFailure(
        f"no reminder for {item['number']} within {REMINDER_WAIT:.0f} s of its deadline "
        "passing (is beat running? var/stack/beat.log, worker.log)"
    )


def register_file() -> bytes:
    """One new resident in building 1 of the demo community, with a fresh ID number."""
    import datetime as dt

    import openpyxl

    sys.path.insert(0, str(ROOT / "src"))
    from gongzhi.core.identity import make_id_number

    n = random.randrange(100, 999)
    born = dt.date(1950, 1, 1) + dt.timedelta(days=random.randrange(20000))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "居民登记"
    columns = ["楼栋号", "单元号", "门牌号", "楼层", "姓名", "身份证号", "手机号"]
    sheet.append(columns)
    sheet.append(["1", 1, "101", 1, f"冒烟{n}", make_id_number("510402", born, n), ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def start_import(c: Client) -> int:
    """Upload a register file through the import page; the job's id."""
    status, _, page = c.text("GET", "/register/")
    check(status == 200, f"the import page answered {status}")
    community = re.search(r'<select name="community"[^>]*>\s*<option value="(\d+)"', page)
    check(community, "the import page offers no community")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    status, headers, body = c.text(
        "POST",
        "/register/",
        data={"csrfmiddlewaretoken": token.group(1), "community": community.group(1)},
        files={
            "file": (
                "smoke.xlsx",
                register_file(),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        },
    )
    check(status == 302, f"uploading the register answered {status}: {body[-600:]}")
    job = re.search(r"/register/jobs/(\d+)/", headers.get("Location", ""))
    check(job, f"no job page after the upload ({headers.get('Location')})")
    return int(job.group(1))


def import_status(job_id: int) -> tuple[str, str]:
    out = stack_shell(
        "from gongzhi.register.models import ImportJob; "
        f"j = ImportJob.objects.get(pk={job_id}); print(j.status, j.error_count)"
    )
    status, _, errors = out.partition(" ")
    return status, errors


def step_import(c: Client):
    c.login("demo-secretary")
    job_id = start_import(c)
    deadline = time.monotonic() + IMPORT_WAIT
    status = ""
    while time.monotonic() < deadline:
        status, errors = import_status(job_id)
        if status == "done":
            page_status, _, _ = c.text("GET", f"/register/jobs/{job_id}/")
            check(page_status == 200, f"job page answered {page_status}")
            return f"job {job_id} done"
        check(status != "failed", f"import job {job_id} failed ({errors} errors)")
        time.sleep(2)
    raise SmokeFailure(f"import job {job_id} still {status!r} after {IMPORT_WAIT:.0f} s")


def main() -> int:
    started = time.monotonic()
    print(f"smoke test of {BASE}")
    item = None
    steps = [
        ("healthz and readyz", lambda: step_health(Client())),
        ("static file: hashed name, long cache, compressed", lambda: step_static(Client())),
        ("HTML compressed", lambda: step_html_compressed(Client())),
        ("resident logs in, files an item, sees it", lambda: step_file_item(Client())),
        ("reminder after the deadline passes", lambda: step_reminder(item)),
        ("register import runs to the end", lambda: step_import(Client())),
        ("readyz still green", lambda: step_health(Client())),
    ]
    for name, run in steps:
        t = time.monotonic()
        try:
            result = run()
        except SmokeFailure as exc:
            print(f"FAIL  {name}: {exc}", file=sys.stderr)
            return 1
        if isinstance(result, dict):
            item = result
            result = f"item {item['number']}"
        print(f"ok    {name} ({time.monotonic() - t:.1f} s): {result}")
    print(f"smoke test passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
