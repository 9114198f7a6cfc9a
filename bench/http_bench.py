"""Requests over HTTP with concurrent clients, beside a bare view in the same run.

``python bench/http_bench.py [--base-url URL] [--clients C] [--seconds S]``

Against ``--base-url`` (or ``BENCH_BASE_URL``; e.g. the nginx of ``make stack``) when given;
otherwise the benchmark starts its own two gunicorn servers (2 workers × 4 threads each, as
the stack runs them) on 127.0.0.1:8421-8422 on the database in ``DATABASE_URL`` and stops
them at the end. The database must hold the demo community (``seed_demo``; the city,
``seed_demo --scale city``, for the figures the issue compares with).

1. ``bench/http_fixture.py`` prepares bench accounts and tokens in that database;
2. every endpoint is driven by C clients (threads, one keep-alive connection each) for S
   seconds; the bare view (``/healthz``: a small JSON answer through the whole middleware)
   is measured before each endpoint, and an endpoint's share is its throughput over the
   mean of the bare runs — same run, same load on the machine;
3. intake: C residents, each with a token of their own, file items through
   ``POST /api/v1/voices/items`` for S seconds; afterwards the database must hold exactly
   one item per 201 answer (each text carries a unique marker); then again asking for the
   short answer (``Prefer: return=minimal``);
4. figures go to ``bench/results/http.json`` and ``bench/results/http.md``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import pathlib
import platform
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

ROOT = pathlib.Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WORKDIR = ROOT / "var" / "bench"
PY = sys.executable

# Share of the bare view's throughput each endpoint should reach (issue 8).
TARGETS = {
    "inbox_api": 0.5,
    "search_api": 0.5,
    "routing_suggest": 0.5,
    "resident_home": 0.5,
    "building_page": 0.25,
    "measures_page": 0.25,
}
INTAKE_TARGET = 500  # submissions per second


# -- a client ----------------------------------------------------------------------------


class Client:
    """One keep-alive connection; a session cookie or a bearer token."""

    def __init__(self, base: str, *, token: str = "", cookies: dict | None = None):
        url = urllib.parse.urlsplit(base)
        self.host, self.port = url.hostname, url.port or 80
        self.prefix = url.path.rstrip("/")
        self.token = token
        self.cookies = dict(cookies or {})
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body=None, headers: dict | None = None):
        hdrs = {"Host": f"{self.host}:{self.port}", "Accept-Encoding": "identity"}
        if self.token:
            hdrs["Authorization"] = f"Bearer {self.token}"
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if isinstance(body, dict):
            body = json.dumps(body, ensure_ascii=False).encode()
            hdrs["Content-Type"] = "application/json"
        elif isinstance(body, str):
            body = body.encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        hdrs.update(headers or {})
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.conn.request(method, self.prefix + path, body=body, headers=hdrs)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.HTTPException, OSError):
                self.close()
                # A keep-alive connection the server closed between requests: once more on
                # a fresh one, only for a request that cannot have been acted on twice.
                if attempt == 2 or method != "GET":
                    raise
                continue
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, data
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def login(base: str, username: str, password: str) -> dict:
    """A session through the login form, CSRF token and all, as a browser gets one."""
    client = Client(base)
    status, page = client.request("GET", "/accounts/login/")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or not match:
        raise SystemExit(f"login page answered {status} without a CSRF token")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": match.group(1).decode(), "login": username, "password": password}
    )
    status, _ = client.request(
        "POST", "/accounts/login/", body=form, headers={"Referer": base + "/accounts/login/"}
    )
    client.close()
    if status != 302 or "sessionid" not in client.cookies:
        raise SystemExit(f"login as {username} answered {status}, no session")
    return client.cookies


# -- measuring ---------------------------------------------------------------------------


def percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def drive(make_client, send, clients: int, seconds: float, expect=(200,)) -> dict:
    """C threads, each with its own client, sending for ``seconds``; latencies and status
    codes of every answer. ``send(client, n)`` makes the n-th request of a thread and
    returns (status, body)."""
    stop = time.perf_counter() + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    failures: list[str] = []

    def run(i: int):
        client = make_client(i)
        n = 0
        mine, codes, kept = [], {}, []
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                status, body = send(client, i, n)
            except (http.client.HTTPException, OSError) as exc:
                status, body = 0, str(exc).encode()
            mine.append(time.perf_counter() - started)
            codes[status] = codes.get(status, 0) + 1
            if status not in expect and len(kept) < 3:
                kept.append(f"{status}: {body[:200]!r}")
            n += 1
        client.close()
        with lock:
            latencies.extend(mine)
            for code, count in codes.items():
                statuses[code] = statuses.get(code, 0) + count
            failures.extend(kept)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    ok = sum(c for s, c in statuses.items() if s in expect)
    return {
        "requests": len(latencies),
        "ok": ok,
        "errors": len(latencies) - ok,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "error_samples": failures[:5],
        "seconds": round(elapsed, 2),
        "rps": round(ok / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
    }


def endpoints(fx: dict) -> list[dict]:
    """What is measured: name, method, path (or a function of the request number), body,
    and who asks (a token, a session, or nobody)."""
    queries = fx["search_queries"] or ["wang"]
    texts = ["楼道里的灯坏了，晚上很黑", "小区门口垃圾没人清理", "电梯经常停运，老人上下楼困难"]
    return [
        {"name": "communities_api", "path": "/api/v1/communities", "auth": "staff_token"},
        {
            "name": "inbox_api",
            "path": "/api/v1/voices/items?status=submitted,accepted,dispatched,resolved",
            "auth": "staff_token",
        },
        {
            "name": "search_api",
            "path": lambda n: (
                "/api/v1/residents?q=" + urllib.parse.quote(queries[n % len(queries)])
            ),
            "auth": "staff_token",
        },
        {
            "name": "routing_suggest",
            "method": "POST",
            "path": "/api/v1/routing/suggest",
            "body": lambda n: {"text": texts[n % len(texts)]},
            "auth": "staff_token",
        },
        {"name": "resident_home", "path": "/", "auth": "resident_session"},
        {
            "name": "building_page",
            "path": f"/building/{fx['building']['id']}/",
            "auth": "staff_session",
        },
        {"name": "measures_page", "path": "/voices/measures/", "auth": "staff_session"},
        {"name": "inbox_page", "path": "/voices/inbox/", "auth": "staff_session"},
    ]


def client_factory(base: str, fx: dict, sessions: dict, auth: str):
    if auth == "staff_token":
        return lambda i: Client(base, token=fx["accounts"]["staff"]["token"])
    if auth.endswith("_session"):
        cookies = sessions[auth.removesuffix("_session")]
        return lambda i: Client(base, cookies=cookies)
    return lambda i: Client(base)


def sender(endpoint: dict):
    method = endpoint.get("method", "GET")
    path, body = endpoint["path"], endpoint.get("body")

    def send(client: Client, i: int, n: int):
        p = path(i * 100_000 + n) if callable(path) else path
        b = body(n) if callable(body) else body
        return client.request(method, p, body=b)

    return send


def intake(
    base: str, fx: dict, clients: int, seconds: float, marker: str, *, minimal: bool = False
) -> dict:
    """Residents filing through the API; each 201 is counted, each text marked. With
    ``minimal``, each asks for the short answer (``Prefer: return=minimal``): the item's
    number and deadline instead of its whole detail read back."""
    residents = fx["residents"]
    clients = min(clients, len(residents))
    headers = {"Prefer": "return=minimal"} if minimal else None

    def make(i: int) -> Client:
        return Client(base, token=residents[i]["token"])

    def send(client: Client, i: int, n: int):
        text = f"楼道灯不亮，晚上走路看不见，请尽快修理。{marker}-{i}-{n}"
        return client.request("POST", "/api/v1/voices/items", body={"text": text}, headers=headers)

    figures = drive(make, send, clients, seconds, expect=(201,))
    figures["clients"] = clients
    return figures


def count_marked(marker: str) -> int:
    """Items whose text carries ``marker``, counted in the database by a process of its own."""
    code = (
        "import django,sys;django.setup();"
        "from gongzhi.voices.models import Item;"
        f"print(Item.objects.filter(text__contains={marker!r}).count())"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gongzhi.config.settings"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    out = subprocess.run(
        [PY, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip().splitlines()[-1])


# -- our own servers, when no base URL is given ------------------------------------------


def ensure_database() -> None:
    """Without a base URL and without ``DATABASE_URL``: a PostgreSQL database of the
    benchmark's own (``BENCH_DATABASE_URL``), migrated and holding the city; generated on
    the first run only (a few minutes), kept for the next."""
    if os.environ.get("DATABASE_URL"):
        return
    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gongzhi_bench_http"
    )
    server, _, name = url.rpartition("/")
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=3) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    manage = [PY, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, check=True)
    subprocess.run(
        [*manage, "seed_demo", "--scale", "city", "--if-empty", "-v0"], cwd=ROOT, check=True
    )


def start_servers(ports: list[int]) -> list[subprocess.Popen]:
    WORKDIR.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.setdefault("GONGZHI_LOG_LEVEL", "ERROR")
    procs = []
    for port in ports:
        # Open for the life of the server, which writes to it; closed when we exit.
        log = open(WORKDIR / f"gunicorn-{port}.log", "ab")  # noqa: SIM115
        procs.append(
            subprocess.Popen(
                [
                    str(pathlib.Path(PY).parent / "gunicorn"),
                    "gongzhi.config.wsgi",
                    "-b",
                    f"127.0.0.1:{port}",
                    "-w",
                    "2",
                    "--threads",
                    "4",
                    "--pid",
                    str(WORKDIR / f"gunicorn-{port}.pid"),
                    "--access-logfile",
                    "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
            )
        )
    for port in ports:
        deadline = time.time() + 60
        while True:
            try:
                status, _ = Client(f"http://127.0.0.1:{port}").request("GET", "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                stop_servers(procs)
                raise SystemExit(f"gunicorn on {port} did not answer /healthz within 60 s")
            time.sleep(0.5)
    return procs


def stop_servers(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()


# -- the run -----------------------------------------------------------------------------


def prepare_fixture(residents: int) -> dict:
    out = WORKDIR / "http_fixture.json"
    WORKDIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [PY, str(ROOT / "bench" / "http_fixture.py"), str(out), "--residents", str(residents)],
        cwd=ROOT,
        check=True,
    )
    return json.loads(out.read_text(encoding="utf-8"))


def run(base: str, clients: int, seconds: float, bare_path: str, only: set[str]) -> dict:
    fx = prepare_fixture(max(clients, 8))
    sessions = {
        role: login(base, fx["accounts"][role]["username"], fx["accounts"][role]["password"])
        for role in ("staff", "resident")
    }
    bare = {"name": "bare", "path": bare_path, "auth": "none"}
    report: dict = {
        "started_at": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "base_url": base,
        "clients": clients,
        "seconds_each": seconds,
        "bare_path": bare_path,
        "building_residents": fx["building"]["residents"],
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": list(os.getloadavg()),
        },
        "targets": TARGETS,
        "bare_runs": [],
        "endpoints": {},
    }
    # Warm every server process (imports, caches, connections) before timing anything.
    for ep in [bare, *endpoints(fx)]:
        drive(
            client_factory(base, fx, sessions, ep["auth"]),
            sender(ep),
            clients,
            min(1.0, seconds),
        )
    for ep in endpoints(fx):
        if only and ep["name"] not in only:
            continue
        print(f"  bare, then {ep['name']} ...", flush=True)
        report["bare_runs"].append(
            drive(client_factory(base, fx, sessions, "none"), sender(bare), clients, seconds)
        )
        figures = drive(
            client_factory(base, fx, sessions, ep["auth"]), sender(ep), clients, seconds
        )
        figures["path"] = ep["path"] if isinstance(ep["path"], str) else "(rotating queries)"
        figures["method"] = ep.get("method", "GET")
        report["endpoints"][ep["name"]] = figures
    report["bare_runs"].append(
        drive(client_factory(base, fx, sessions, "none"), sender(bare), clients, seconds)
    )
    bare_rps = sum(r["rps"] for r in report["bare_runs"]) / len(report["bare_runs"])
    report["bare_rps"] = round(bare_rps, 1)
    for name, figures in report["endpoints"].items():
        figures["share_of_bare"] = round(figures["rps"] / bare_rps, 4) if bare_rps else None
        target = TARGETS.get(name)
        figures["target"] = target
        figures["meets_target"] = None if target is None else figures["share_of_bare"] >= target
    for key, minimal in (("intake", False), ("intake_minimal", True)):
        if only and key not in only:
            continue
        print(f"  {key} ...", flush=True)
        marker = "BENCH" + uuid.uuid4().hex[:12]
        figures = intake(base, fx, clients, seconds, marker, minimal=minimal)
        figures["marker"] = marker
        figures["items_in_database"] = count_marked(marker)
        figures["nothing_lost_or_doubled"] = figures["items_in_database"] == figures["ok"]
        figures["target_per_second"] = INTAKE_TARGET
        report[key] = figures
    report["machine"]["load_average_at_end"] = list(os.getloadavg())
    return report


def render(report: dict) -> str:
    lines = [
        "# HTTP benchmark",
        "",
        f"Run {report['started_at']} against {report['base_url']}: {report['clients']} "
        f"concurrent clients (keep-alive), {report['seconds_each']} s per endpoint, on "
        f"{report['machine']['cpus']} CPUs shared with the servers and the database; load "
        f"average {report['machine']['load_average_at_start'][0]:.1f} at start, "
        f"{report['machine']['load_average_at_end'][0]:.1f} at end. The bare view "
        f"(`{report['bare_path']}`) ran before every endpoint: "
        f"{', '.join(str(r['rps']) for r in report['bare_runs'])} req/s, mean "
        f"**{report['bare_rps']} req/s**.",
        "",
        "| endpoint | req/s | share of bare | target | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, f in report["endpoints"].items():
        share = f["share_of_bare"]
        share_txt = f"{share:.1%} (1/{1 / share:.0f})" if share else "—"
        target = (
            f"≥ {f['target']:.0%} {'✅' if f['meets_target'] else '❌'}" if f["target"] else "—"
        )
        label = name + (
            f" ({report['building_residents']} residents)" if name == "building_page" else ""
        )
        lines.append(
            f"| {label} | {f['rps']} | {share_txt} | {target} | {f['p50_ms']} | "
            f"{f['p95_ms']} | {f['p99_ms']} | {f['errors']} |"
        )
    floor = report["endpoints"].get("communities_api")
    if floor and floor.get("share_of_bare"):
        # Why the shares below it are what they are: this answer checks a bearer token and
        # reads one row, and does nothing else an endpoint could skip. An endpoint that reads
        # more than one row for a signed-in caller is not cheaper than this.
        lines += [
            "",
            f"`communities_api` is the cheapest authenticated answer measured: a bearer token "
            f"checked (one query) and one community read (one query). It reaches "
            f"{floor['share_of_bare']:.1%} of the bare view in this run.",
        ]
    for key, how in (
        ("intake", "answered with the item's whole detail (the default)"),
        ("intake_minimal", "asking for the short answer (`Prefer: return=minimal`)"),
    ):
        it = report.get(key)
        if not it:
            continue
        verdict = "✅" if it["rps"] >= it["target_per_second"] else "❌"
        lines += [
            "",
            f"## Intake through the full HTTP path, {how}",
            "",
            f"{it['clients']} residents, each with a token of their own, filing "
            f"`POST /api/v1/voices/items` for {it['seconds']} s: **{it['rps']} "
            f"submissions/s** {verdict} (target ≥ {it['target_per_second']}/s), p50 "
            f"{it['p50_ms']} ms, p95 {it['p95_ms']} ms, p99 {it['p99_ms']} ms; "
            f"{it['ok']} answered 201, {it['errors']} did not (statuses {it['statuses']}). "
            f"In the database afterwards: {it['items_in_database']} items carry the run's "
            f"marker — {'equal to the 201s: nothing lost, nothing doubled' if it['nothing_lost_or_doubled'] else 'NOT equal to the 201s'}.",
        ]
    samples = [
        f"- {name}: {s}"
        for name, f in [
            *report["endpoints"].items(),
            *((k, report.get(k) or {}) for k in ("intake", "intake_minimal")),
        ]
        for s in f.get("error_samples", [])
    ]
    if samples:
        lines += ["", "## Error samples", "", *samples]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", default=os.environ.get("BENCH_BASE_URL", ""))
    parser.add_argument("--clients", type=int, default=int(os.environ.get("BENCH_CLIENTS", "8")))
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", "5"))
    )
    parser.add_argument("--bare-path", default=os.environ.get("BENCH_BARE_PATH", "/healthz"))
    parser.add_argument("--only", default="", help="comma-separated endpoint names (and intake)")
    parser.add_argument("--ports", default="8421", help="for the server(s) started here")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    procs: list[subprocess.Popen] = []
    base = args.base_url.rstrip("/")
    try:
        if not base:
            ensure_database()
            ports = [int(p) for p in args.ports.split(",")]
            print(f"== starting gunicorn on {ports} (DATABASE_URL from the environment)")
            procs = start_servers(ports)
            # Without nginx in front, the first server takes the requests.
            base = f"http://127.0.0.1:{ports[0]}"
        print(f"== HTTP benchmark against {base}")
        only = {n for n in args.only.split(",") if n}
        report = run(base, args.clients, args.seconds, args.bare_path, only)
    finally:
        stop_servers(procs)
    suffix = "" if not args.only else "-partial"
    (RESULTS / f"http{suffix}.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    summary = render(report)
    (RESULTS / f"http{suffix}.md").write_text(summary, encoding="utf-8")
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
