"""Throughput of the pages and API endpoints that item 3 of issue 8 made cheaper, over HTTP,
as a share of a baseline view's, in one run.

Runs gunicorn (2 workers x 4 threads) on a loopback port against DATABASE_URL (seeded with
``manage.py seed_demo``), logs in as the demo accounts, and drives each endpoint with
``wrk`` (Debian package ``wrk``) for a few seconds. Usage::

    DATABASE_URL=postgres://... REDIS_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python bench/speed_http.py [--port 8410] [--seconds 5] [--src DIR]

``--src`` runs another checkout's ``src`` (to compare before and after on the same
database). The machine's other load makes absolute figures noisy: compare the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = os.environ.get("GONGZHI_DEMO_PASSWORD", "gongzhi-demo")


def login(base: str, username: str) -> str:
    s = requests.Session()
    s.get(f"{base}/accounts/login/")
    r = s.post(
        f"{base}/accounts/login/",
        data={
            "login": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": s.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
    )
    if "sessionid" not in s.cookies:
        raise SystemExit(f"login failed for {username}: {r.status_code}")
    return f"sessionid={s.cookies['sessionid']}; csrftoken={s.cookies['csrftoken']}", s.cookies[
        "csrftoken"
    ]


def wrk(url: str, cookie: str, seconds: int, *, body: str | None = None, csrf: str = "") -> dict:
    args = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", "-H", f"Cookie: {cookie}"]
    script = None
    if body is not None:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(
                'wrk.method = "POST"\n'
                f"wrk.body = {json.dumps(body)}\n"
                'wrk.headers["Content-Type"] = "application/json"\n'
                f'wrk.headers["X-CSRFToken"] = "{csrf}"\n'
                f'wrk.headers["Referer"] = "{url}"\n'
            )
        args += ["-s", script.name]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    lat = dict(re.findall(r"\s+(50|99)%\s+([\d.]+\w+)", out))
    return {
        "rps": rps,
        "errors": int(non2xx.group(1)) if non2xx else 0,
        "p50": lat.get("50"),
        "p99": lat.get("99"),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8410)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--src", default=str(ROOT / "src"))
    parser.add_argument("--building", type=int, default=0, help="id of the building page")
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    env = {
        **os.environ,
        "PYTHONPATH": args.src,
        "DJANGO_SETTINGS_MODULE": "gongzhi.config.settings",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "gongzhi.config.wsgi:application",
            "-w",
            "2",
            "--threads",
            "4",
            "-b",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                if requests.get(f"{base}/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        staff, staff_csrf = login(base, "demo-staff")
        resident, _ = login(base, "demo-resident")
        building = args.building
        if not building:
            import django

            sys.path.insert(0, args.src)
            django.setup()
            from django.db.models import Count

            from gongzhi.places.models import Building

            building = (
                Building.objects.annotate(n=Count("residents"))
                .order_by("-n")
                .values_list("pk", flat=True)[0]
            )
        cases = [
            ("baseline /healthz", "/healthz", "", None),
            ("/api/v1/communities", "/api/v1/communities", staff, None),
            ("staff inbox API", "/api/v1/voices/items", staff, None),
            ("resident search API", "/api/v1/residents?q=%E5%BC%A0", staff, None),
            (
                "routing suggestion",
                "/api/v1/routing/suggest",
                staff,
                json.dumps({"text": "楼道里的灯坏了，晚上很黑"}),
            ),
            ("resident home", "/", resident, None),
            ("building page", f"/building/{building}/", staff, None),
            ("measures page", "/voices/measures/", staff, None),
            ("inbox page", "/voices/inbox/", staff, None),
        ]
        results = {}
        for name, path, cookie, body in cases:
            if args.only and name != "baseline /healthz" and args.only not in name:
                continue
            # one warm-up request, checked: a figure for an error page is no figure
            if body is None:
                r = requests.get(base + path, headers={"Cookie": cookie})
            else:
                r = requests.post(
                    base + path,
                    data=body.encode(),
                    headers={
                        "Cookie": cookie,
                        "X-CSRFToken": staff_csrf,
                        "Content-Type": "application/json",
                        "Referer": base + path,
                    },
                )
            assert r.status_code == 200, (name, r.status_code, r.text[:300])
            results[name] = wrk(base + path, cookie, args.seconds, body=body, csrf=staff_csrf)
        bare = results["baseline /healthz"]["rps"]
        print(f"{'endpoint':28} {'req/s':>8} {'share':>8} {'p50':>9} {'p99':>9} errors")
        for name, r in results.items():
            print(
                f"{name:28} {r['rps']:8.1f} {'1/' + format(bare / r['rps'], '.1f'):>8} {r['p50']:>9} {r['p99']:>9} {r['errors']}"
            )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
