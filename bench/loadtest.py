"""The load test, run by ``make loadtest``: headless locust, bounded in time, on loopback.

``python bench/loadtest.py [--base-url URL] [--users N] [--seconds S] [--kill-pid-file F]``

With ``--base-url`` (or ``BENCH_BASE_URL``, e.g. the nginx of ``make stack``) the test runs
against it, and ``--kill-pid-file`` (``BENCH_KILL_PID_FILE``) names the pid file of the app
server to kill. Without, it starts its own: two gunicorn servers (2 workers × 4 threads)
on 127.0.0.1:8421-8422 on the database in ``DATABASE_URL``, and nginx on 127.0.0.1:8420
in front of them (``proxy_next_upstream error timeout``), all under var/bench/, stopped at
the end. The database should hold the city (``seed_demo --scale city``).

A third of the way through, one app server's master is killed (SIGKILL). Afterwards every
item the test believes filed must be in the database exactly once (counted by the marker in
its text). Figures to ``bench/results/loadtest.json`` and ``loadtest.md``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import contextlib

import http_bench  # noqa: E402

ROOT = http_bench.ROOT
WORKDIR = http_bench.WORKDIR
RESULTS = http_bench.RESULTS
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
TARGETS = {"errors": 0, "grid chief: inbox": 50, "staff: search": 30}

NGINX_CONF = """\
{user}worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    # No keep-alive to the app servers: gunicorn closes an idle connection after 2 s, and
    # nginx reusing one it closed counts as a failure of a healthy server.
    upstream app {{
        server 127.0.0.1:{port_a} max_fails=1 fail_timeout=10s;
        server 127.0.0.1:{port_b} max_fails=1 fail_timeout=10s;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://app;
            proxy_set_header Host $http_host;
            proxy_next_upstream error timeout;
            proxy_connect_timeout 2s;
        }}
    }}
}}
"""


def start_nginx(port: int, upstreams: list[int]) -> pathlib.Path:
    conf_dir = WORKDIR / "nginx"
    conf_dir.mkdir(parents=True, exist_ok=True)
    conf = conf_dir / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            user="user root;\n" if os.geteuid() == 0 else "",
            dir=conf_dir,
            port=port,
            port_a=upstreams[0],
            port_b=upstreams[1],
        ),
        encoding="utf-8",
    )
    subprocess.run([NGINX, "-p", str(conf_dir), "-c", str(conf)], check=True)
    return conf_dir / "nginx.pid"


def stop_nginx(pid_file: pathlib.Path) -> None:
    if pid_file.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid_file.read_text().strip()), signal.SIGQUIT)


def kill_later(pid_file: pathlib.Path, delay: float, log: dict) -> threading.Timer:
    def kill():
        pid = int(pid_file.read_text().strip())
        os.kill(pid, signal.SIGKILL)
        # Relative to the checkout when it is in it: results are committed.
        shown = pid_file.relative_to(ROOT) if pid_file.is_relative_to(ROOT) else pid_file.name
        log["killed"] = {"pid_file": str(shown), "pid": pid, "after_s": delay}
        print(f"  killed app server master {pid} ({pid_file.name}) after {delay:.0f} s")

    timer = threading.Timer(delay, kill)
    timer.start()
    return timer


def count_markers(markers: list[str]) -> dict:
    """How many items carry each marker, in the database, from a process of its own."""
    path = WORKDIR / "markers.json"
    path.write_text(json.dumps(markers))
    code = (
        "import django,json,re,collections;django.setup();"
        "from gongzhi.voices.models import Item;"
        f"m=set(json.load(open({str(path)!r})));c=collections.Counter();"
        "[c.update([x]) for t in Item.objects.filter(text__contains='LT').values_list('text',flat=True)"
        " for x in re.findall(r'LT[0-9a-f]{16}',t) if x in m];"
        "print(json.dumps(c))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gongzhi.config.settings"}
    env["PYTHONPATH"] = str(ROOT / "src")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def read_stats(prefix: pathlib.Path) -> dict:
    kinds = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            kinds[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 1),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "p99_ms": float(row["99%"] or 0),
                "max_ms": round(float(row["Max Response Time"] or 0)),
            }
    failures = []
    with open(f"{prefix}_failures.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            failures.append(
                {"name": row["Name"], "error": row["Error"][:200], "count": int(row["Occurrences"])}
            )
    return {"kinds": kinds, "failures": failures}


def render(report: dict) -> str:
    lines = [
        "# Load test",
        "",
        f"Run {report['started_at']} against {report['base_url']}: {report['users']} locust "
        f"users for {report['seconds']} s on {report['machine']['cpus']} CPUs shared with "
        f"the servers, database and other work (load average "
        f"{report['machine']['load_average_at_start'][0]:.1f} at start, "
        f"{report['machine']['load_average_at_end'][0]:.1f} at end).",
    ]
    killed = report.get("killed")
    lines.append(
        f"One app server's master (pid {killed['pid']}) was killed with SIGKILL after "
        f"{killed['after_s']:.0f} s."
        if killed
        else "No app server was killed (no pid file)."
    )
    lines += [
        "",
        "| request kind | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms | target |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, k in report["kinds"].items():
        target = TARGETS.get(name)
        goal = (
            f"p95 ≤ {target} ms {'✅' if k['p95_ms'] <= target else '❌'}"
            if isinstance(target, int) and name != "errors"
            else ""
        )
        lines.append(
            f"| {name} | {k['requests']} | {k['failures']} | {k['rps']} | {k['p50_ms']:.0f} | "
            f"{k['p95_ms']:.0f} | {k['p99_ms']:.0f} | {k['max_ms']} | {goal} |"
        )
    total = report["kinds"].get("Aggregated", {})
    c = report["check"]
    lines += [
        "",
        f"Errors: {total.get('failures', '?')} of {total.get('requests', '?')} requests "
        f"(target 0 {'✅' if total.get('failures') == 0 else '❌'}).",
        "",
        f"Database check: {c['filed']} items the test believes filed; {c['found_once']} found "
        f"exactly once, {c['missing']} missing, {c['doubled']} filed more than once; "
        f"{c['doubtful']} submissions left in doubt after a retry, of which "
        f"{c['doubtful_found']} are in the database; {c['retried']} submissions were sent "
        f"a second time (same key) after a connection error or 502/503/504. "
        + ("✅" if c["missing"] == 0 and c["doubled"] == 0 else "❌"),
    ]
    if report["failures"]:
        lines += ["", "## Failures", ""]
        lines += [f"- {f['name']}: {f['count']} × {f['error']}" for f in report["failures"]]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", default=os.environ.get("BENCH_BASE_URL", ""))
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOADTEST_USERS", "50")))
    parser.add_argument(
        "--seconds", type=int, default=int(os.environ.get("LOADTEST_SECONDS", "60"))
    )
    parser.add_argument("--kill-pid-file", default=os.environ.get("BENCH_KILL_PID_FILE", ""))
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--upstreams", default="8421,8422")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    WORKDIR.mkdir(parents=True, exist_ok=True)
    procs, nginx_pid = [], None
    base = args.base_url.rstrip("/")
    kill_file = pathlib.Path(args.kill_pid_file) if args.kill_pid_file else None
    report: dict = {
        "started_at": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "users": args.users,
        "seconds": args.seconds,
        "machine": {"cpus": os.cpu_count(), "load_average_at_start": list(os.getloadavg())},
        "targets": TARGETS,
    }
    timer = None
    try:
        if not base:
            http_bench.ensure_database()
            ports = [int(p) for p in args.upstreams.split(",")]
            print(f"== starting gunicorn on {ports} and nginx on {args.port}")
            procs = http_bench.start_servers(ports)
            nginx_pid = start_nginx(args.port, ports)
            base = f"http://127.0.0.1:{args.port}"
            kill_file = WORKDIR / f"gunicorn-{ports[1]}.pid"
        report["base_url"] = base
        fixture = WORKDIR / "http_fixture.json"
        http_bench.prepare_fixture(max(args.users, 16))
        filed_file = WORKDIR / "loadtest_filed.json"
        filed_file.unlink(missing_ok=True)
        prefix = WORKDIR / "loadtest"
        if kill_file is not None:
            timer = kill_later(kill_file, args.seconds / 3, report)
        print(f"== locust: {args.users} users, {args.seconds} s against {base}")
        subprocess.run(
            [
                str(pathlib.Path(sys.executable).parent / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(max(1, args.users // 5)),
                "-t",
                f"{args.seconds}s",
                "--host",
                base,
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env={**os.environ, "BENCH_FIXTURE": str(fixture), "BENCH_FILED": str(filed_file)},
            cwd=ROOT,
            check=False,
        )
    finally:
        if timer is not None:
            timer.cancel()
        if nginx_pid is not None:
            stop_nginx(nginx_pid)
        http_bench.stop_servers(procs)
    report.update(read_stats(prefix))
    believed = json.loads(filed_file.read_text(encoding="utf-8"))
    counts = count_markers(believed["filed"] + believed["doubtful"])
    report["check"] = {
        "filed": len(believed["filed"]),
        "found_once": sum(1 for m in believed["filed"] if counts.get(m) == 1),
        "missing": sum(1 for m in believed["filed"] if not counts.get(m)),
        "doubled": sum(1 for m in believed["filed"] + believed["doubtful"] if counts.get(m, 0) > 1),
        "doubtful": len(believed["doubtful"]),
        "doubtful_found": sum(1 for m in believed["doubtful"] if counts.get(m)),
        "retried": len(believed.get("retried", [])),
    }
    report["machine"]["load_average_at_end"] = list(os.getloadavg())
    (RESULTS / "loadtest.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    summary = render(report)
    (RESULTS / "loadtest.md").write_text(summary, encoding="utf-8")
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
