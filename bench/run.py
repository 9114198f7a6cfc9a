"""Benchmarks, run by ``make bench``; figures go to bench/results/ (results.json, summary.md).

For SQLite (a fresh file under var/bench/) and PostgreSQL (a fresh database, when a server
answers), each in its own process because Django is set up once per process:

1. generate the city (``seed_demo --scale city``: 100 communities, ~1.2M residents);
2. resident search through ``places.selectors.resident_search`` as a community staff
   member, a subdistrict staff member and a superuser, over a mix of real queries;
3. the building page as a grid chief, through Django's test client;
4. residents' voice (``bench/bench_voices.py``): the routing model trained on Wangjiang's
   history, the year copied to every community (≥ 100,000 items), then intake throughput
   (duplicate lookup + ``item_submit`` with classification), the staff inbox and the
   measures page;

then the register import benchmark (``bench/bench_import.py``) when it is there.
``--quick`` generates a 5-community city instead, for a smoke test. Temporary databases
are removed at the end, also after a failure, so the command can be run again as is.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import pathlib
import platform
import random
import secrets
import shutil
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WORKDIR = ROOT / "var" / "bench"
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_DATABASE = "gongzhi_bench_city"
SEED = 2001

TARGETS = {
    "search_p95_ms": 50,
    "building_page_p95_ms": 100,
    "import_s": 5,
    "city_s": 180,
    "inbox_p95_ms": 100,
    "measures_p95_ms": 200,
}
QUERY_KINDS = (
    "initials",
    "pinyin_prefix",
    "name_fragment",
    "phone_last4",
    "address_cn",
    "address_code",
)


def _bootstrap() -> None:
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings")
    # The benchmark needs keys even on a machine where `make env` never ran; its own
    # throw-away keys do, since its databases are deleted afterwards.
    os.environ.setdefault("GONGZHI_DEMO_MODE", "1")
    os.environ.setdefault("GONGZHI_FIELD_KEYS", "b1:" + base64.b64encode(os.urandom(32)).decode())
    os.environ.setdefault("GONGZHI_BLIND_INDEX_KEY", secrets.token_urlsafe(32))
    os.environ["GONGZHI_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ.setdefault("GONGZHI_LOG_LEVEL", "ERROR")


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]

    return {
        "n": len(ordered),
        "p50_ms": round(pct(0.50) * 1000, 2),
        "p95_ms": round(pct(0.95) * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


# -- one database, in a child process --------------------------------------------------


def worker(database: str, communities: int, out: pathlib.Path) -> None:
    """Generate the city on ``database`` ("sqlite" or "postgresql") and measure it."""
    if database == "sqlite":
        path = WORKDIR / "city.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
    _bootstrap()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from gongzhi.demo.seed import seed

    result = seed(seed=SEED, scale="city", communities=communities, log=lambda m: None)
    figures = {
        "database": connection.vendor,
        "communities": result.communities,
        "residents": result.stats.residents,
        "households": result.stats.households,
        "rows": result.stats.rows,
        "seconds": round(result.seconds, 1),
        "rows_per_second": round(result.rows_per_second),
        "residents_per_second": round(result.stats.residents / result.seconds),
    }
    report = {"city": figures, "search": search_bench(), "building_page": building_page_bench()}
    if connection.vendor == "postgresql":
        report["explain"] = explain_search()
    report["voices"] = voices_bench()
    report["surveys"] = surveys_bench()
    report["renewal"] = _module_bench("bench_renewal")
    report["activities"] = _module_bench("bench_activities")
    report["points"] = _module_bench("bench_points")
    report["figures"] = _module_bench("bench_figures")
    report["reports"] = _module_bench("bench_reports")
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


def _queries(rng: random.Random, community_ids: list[int], per_kind: int) -> list[tuple[str, str]]:
    """Queries people type, drawn from the data so that most of them find someone."""
    from gongzhi.places.models import Household, Resident

    people = list(
        Resident.objects.filter(community_id__in=community_ids, status="living")
        .order_by("?")
        .values_list("name", "name_pinyin", "name_initials", "phone_last4")[: per_kind * 4]
    )
    households = list(
        Household.objects.filter(community_id__in=community_ids)
        .order_by("?")
        .select_related("building", "entrance")[:per_kind]
    )
    queries = []
    for _name, _pinyin, initials, _p in people[:per_kind]:
        queries.append(("initials", initials))
    for _name, pinyin, *_ in people[per_kind : per_kind * 2]:
        queries.append(("pinyin_prefix", pinyin[: max(4, len(pinyin) - 2)]))
    for name, *_ in people[per_kind * 2 : per_kind * 3]:
        queries.append(("name_fragment", name[1:] if len(name) > 2 else name))
    phones = [p[3] for p in people if p[3]]
    for last4 in (phones * 2)[:per_kind]:
        queries.append(("phone_last4", last4))
    for h in households:
        queries.append(("address_cn", f"{h.building.number}栋{h.entrance.number}单元"))
        queries.append(("address_code", f"{h.building.number}-{h.entrance.number}-{h.door_number}"))
    rng.shuffle(queries)
    return queries


def search_bench(per_kind: int = 40) -> dict:
    """p50/p95 of ``resident_search`` (the query evaluated, as a page would) per user and
    per query kind. The user is read again for every query, so that building the user's
    scope — one or two queries per request in the application — is inside the timing."""
    from django.db import reset_queries

    from gongzhi.accounts.models import User
    from gongzhi.places.models import Community
    from gongzhi.places.selectors import resident_search

    rng = random.Random(SEED)
    if not User.objects.filter(username="bench-admin").exists():
        User.objects.create_superuser("bench-admin", password=secrets.token_urlsafe(12))
    wangjiang = Community.objects.get(name="望江街社区")
    subdistrict_ids = list(
        Community.objects.filter(subdistrict_id=wangjiang.subdistrict_id).values_list(
            "pk", flat=True
        )
    )
    all_ids = list(Community.objects.values_list("pk", flat=True))
    users = {
        "community_staff": ("demo-staff", [wangjiang.pk]),
        "subdistrict_staff": ("demo-subdistrict", subdistrict_ids),
        "superuser": ("bench-admin", all_ids),
    }
    report = {}
    for label, (username, scope_ids) in users.items():
        queries = _queries(rng, scope_ids, per_kind)
        # Warm the connection and the caches a running server would have warm.
        for _kind, q in queries[:10]:
            list(resident_search(User.objects.get(username=username), q))
        by_kind: dict[str, list[float]] = {k: [] for k in QUERY_KINDS}
        hits = 0
        for kind, q in queries:
            started = time.perf_counter()
            user = User.objects.get(username=username)
            rows = list(resident_search(user, q))
            by_kind[kind].append(time.perf_counter() - started)
            hits += bool(rows)
            reset_queries()
        samples = [s for v in by_kind.values() for s in v]
        report[label] = {
            "username": username,
            "communities_in_scope": len(scope_ids),
            **_percentiles(samples),
            "found_share": round(hits / len(queries), 3),
            "by_kind": {k: _percentiles(v) for k, v in by_kind.items() if v},
        }
    return report


def _building_url(pk: int) -> tuple[str | None, str]:
    from django.urls import NoReverseMatch, reverse

    for name in ("workbench:building", "building", "wb-building"):
        try:
            return reverse(name, args=[pk]), name
        except NoReverseMatch:
            continue
    return None, ""


def building_page_bench(requests: int = 200) -> dict:
    """The building page as the demo grid chief, over the buildings of the chief's grid."""
    from django.test import Client

    from gongzhi.accounts.models import User
    from gongzhi.orgs.models import Post
    from gongzhi.places.models import Building, Household, Resident
    from gongzhi.places.selectors import building_list_visible_to, household_list_visible_to

    user = User.objects.get(username="demo-grid")
    grid_id = Post.objects.get(user=user).grid_id
    buildings = list(Building.objects.filter(grid_id=grid_id).values_list("pk", flat=True))
    url, name = _building_url(buildings[0])
    samples = []
    if url is not None:
        client = Client()
        client.force_login(user, backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
        status = client.get(_building_url(buildings[0])[0]).status_code
        for i in range(requests):
            u = _building_url(buildings[i % len(buildings)])[0]
            started = time.perf_counter()
            response = client.get(u)
            samples.append(time.perf_counter() - started)
            if response.status_code != 200:
                status = response.status_code
        return {
            "measured": "page",
            "url_name": name,
            "status": status,
            "buildings": len(buildings),
            **_percentiles(samples),
        }
    # No page yet: time what the page will have to read.
    for i in range(requests):
        pk = buildings[i % len(buildings)]
        started = time.perf_counter()
        u = User.objects.get(pk=user.pk)
        building_list_visible_to(u).get(pk=pk)
        list(household_list_visible_to(u).filter(building_id=pk))
        list(Resident.objects.filter(building_id=pk, status="living").select_related("household"))
        Household.objects.filter(building_id=pk).count()
        samples.append(time.perf_counter() - started)
    return {"measured": "selectors (no building page URL yet)", **_percentiles(samples)}


def explain_search() -> dict:
    """PostgreSQL's plan for one query of each kind, as the subdistrict user and superuser."""
    from django.db import connection

    from gongzhi.accounts.models import User
    from gongzhi.places.selectors import resident_search

    samples = {
        "initials": "zjg",
        "pinyin_prefix": "wangjian",
        "name_fragment": "建国",
        "phone_last4": "1234",
        "address_cn": "3栋2单元",
        "address_code": "3-2-501",
    }
    plans = {}
    for username in ("demo-subdistrict", "bench-admin"):
        user = User.objects.get(username=username)
        for kind, q in samples.items():
            sql, params = resident_search(user, q).query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                plans[f"{username}:{kind}"] = [row[0] for row in cursor.fetchall()]
    return plans


def voices_bench() -> dict | None:
    """Residents' voice on the city just measured (``bench/bench_voices.py``)."""
    if not (ROOT / "bench" / "bench_voices.py").exists():
        return None
    import bench.bench_voices as bench_voices

    return bench_voices.run(RESULTS)


def surveys_bench() -> dict | None:
    """The phone's sync and the rates endpoint (``bench/bench_surveys.py``)."""
    if not (ROOT / "bench" / "bench_surveys.py").exists():
        return None
    import bench.bench_surveys as bench_surveys

    return bench_surveys.run(RESULTS)


def _module_bench(name: str) -> dict | None:
    """A benchmark module's ``run()`` on the city just measured, when the module is there."""
    if not (ROOT / "bench" / f"{name}.py").exists():
        return None
    import importlib

    return importlib.import_module(f"bench.{name}").run(RESULTS)


# -- the import benchmark, in a child process ------------------------------------------


def import_worker(out: pathlib.Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR / 'import.sqlite3'}"
    _bootstrap()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import bench.bench_import as bench_import

    out.write_text(
        json.dumps(bench_import.run(RESULTS), ensure_ascii=False, indent=2), encoding="utf-8"
    )


def routing_worker(out: pathlib.Path) -> None:
    """The Wangjiang demo with its year of history, then the classifier's held-out accuracy."""
    os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR / 'routing.sqlite3'}"
    _bootstrap()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", seed=SEED, verbosity=0)
    import bench.bench_routing as bench_routing

    out.write_text(
        json.dumps(bench_routing.run(RESULTS), ensure_ascii=False, indent=2), encoding="utf-8"
    )


# -- the parent ------------------------------------------------------------------------


def _pg_admin(sql: str) -> bool:
    try:
        import psycopg
    except ImportError:
        return False
    try:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(sql)
        return True
    except psycopg.Error as exc:
        print(f"  PostgreSQL: {exc.__class__.__name__}: {str(exc).strip()[:120]}")
        return False


def _clean_sqlite() -> None:
    for name in ("city.sqlite3", "import.sqlite3", "routing.sqlite3"):
        for suffix in ("", "-wal", "-shm", "-journal"):
            (WORKDIR / f"{name}{suffix}").unlink(missing_ok=True)


def _child(args: list[str], out: pathlib.Path, timeout: int) -> dict | None:
    out.unlink(missing_ok=True)
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, *args, "--out", str(out)], timeout=timeout, cwd=ROOT
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0 or not out.exists():
        print(f"  failed (exit {proc.returncode}) after {elapsed:.0f}s")
        return None
    data = json.loads(out.read_text(encoding="utf-8"))
    out.unlink()
    data["wall_seconds"] = round(elapsed, 1)
    return data


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a 5-community city (smoke test)")
    parser.add_argument("--communities", type=int, default=None)
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument(
        "--worker", choices=["sqlite", "postgresql", "import", "routing"], help=argparse.SUPPRESS
    )
    parser.add_argument("--out", type=pathlib.Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    communities = args.communities or (5 if args.quick else 100)
    if args.worker == "import":
        import_worker(args.out)
        return 0
    if args.worker == "routing":
        routing_worker(args.out)
        return 0
    if args.worker:
        worker(args.worker, communities, args.out)
        return 0

    WORKDIR.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    report: dict = {
        "started_at": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "quick": args.quick,
        "communities": communities,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_start": list(os.getloadavg()),
        },
        "targets": TARGETS,
        "databases": {},
        "notes": [],
    }
    tmp = WORKDIR / "worker.json"
    try:
        _clean_sqlite()
        print(f"== SQLite: city of {communities} communities, search, building page, voices")
        report["databases"]["sqlite"] = _child(
            ["--worker", "sqlite", "--communities", str(communities)], tmp, 1800
        )
        _clean_sqlite()
        if args.skip_pg:
            report["notes"].append("PostgreSQL skipped (--skip-pg).")
        elif _pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE}") and _pg_admin(
            f"CREATE DATABASE {PG_DATABASE}"
        ):
            print(
                f"== PostgreSQL: city of {communities} communities, search, building page, voices"
            )
            try:
                report["databases"]["postgresql"] = _child(
                    ["--worker", "postgresql", "--communities", str(communities)], tmp, 1800
                )
            finally:
                _pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        else:
            report["notes"].append("PostgreSQL not reachable: skipped.")
        if (ROOT / "bench" / "bench_import.py").exists():
            print("== register import")
            report["import"] = _child(["--worker", "import"], tmp, 900)
        else:
            report["notes"].append("bench/bench_import.py not present: import benchmark skipped.")
        print("== routing (classifier accuracy on the demo history)")
        report["routing"] = _child(["--worker", "routing"], tmp, 900)
    finally:
        _clean_sqlite()
        tmp.unlink(missing_ok=True)
        if WORKDIR.exists() and not any(WORKDIR.iterdir()):
            shutil.rmtree(WORKDIR)
    report["total_seconds"] = round(time.perf_counter() - started, 1)
    report["machine"]["load_average_at_end"] = list(os.getloadavg())
    name = "results-quick" if args.quick else "results"
    (RESULTS / f"{name}.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    summary = render_summary(report)
    (RESULTS / f"{name.replace('results', 'summary')}.md").write_text(summary, encoding="utf-8")
    print(summary)
    return 0


def _verdict(value, target) -> str:
    if value is None:
        return "—"
    return "✅" if value <= target else "❌"


def render_summary(report: dict) -> str:
    lines = [
        f"# Benchmarks ({'quick, ' if report['quick'] else ''}{report['communities']} communities)",
        "",
        f"Run {report['started_at']} on {report['machine']['cpus']} CPUs, Python {report['machine']['python']}; "
        f"load average at start {report['machine']['load_average_at_start'][0]:.1f}. Total {report['total_seconds']} s.",
        "",
        "| measure | SQLite | PostgreSQL | target |",
        "|---|---|---|---|",
    ]
    dbs = report["databases"]

    def cell(db, getter):
        data = dbs.get(db)
        if not data:
            return "—"
        try:
            return getter(data)
        except (KeyError, TypeError):
            return "—"

    def city(d):
        c = d["city"]
        return f"{c['seconds']} s, {c['rows_per_second']:,} rows/s ({c['residents']:,} residents) {_verdict(c['seconds'], TARGETS['city_s'])}"

    lines.append(
        f"| generate the city | {cell('sqlite', city)} | {cell('postgresql', city)} | ≤ {TARGETS['city_s']} s |"
    )
    for label in ("community_staff", "subdistrict_staff", "superuser"):

        def search(d, label=label):
            s = d["search"][label]
            return f"p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms {_verdict(s['p95_ms'], TARGETS['search_p95_ms'])}"

        lines.append(
            f"| search as {label.replace('_', ' ')} | {cell('sqlite', search)} | {cell('postgresql', search)} | p95 ≤ {TARGETS['search_p95_ms']} ms |"
        )

    def page(d):
        b = d["building_page"]
        return f"p50 {b['p50_ms']} ms, p95 {b['p95_ms']} ms ({b['measured']}) {_verdict(b['p95_ms'], TARGETS['building_page_p95_ms'])}"

    lines.append(
        f"| building page (grid chief) | {cell('sqlite', page)} | {cell('postgresql', page)} | p95 ≤ {TARGETS['building_page_p95_ms']} ms |"
    )
    lines += _voices_rows(cell)
    lines += _page_rows(cell)
    lines += _surveys_rows(cell)

    def redemptions(d):
        r = d["points"]["redemptions"]
        return f"{r['per_second']} /s ({r['threads']} threads, {r['failures']} refused)"

    lines.append(
        f"| points: redemptions per second | {cell('sqlite', redemptions)} | "
        f"{cell('postgresql', redemptions)} | reported |"
    )
    imp = report.get("import")
    if imp and "first_import" in imp:
        lines.append(
            f"| register import, 12,000 rows (SQLite) | {imp['first_import']['median_s']} s first, "
            f"{imp['reimport_unchanged']['median_s']} s unchanged, {imp['reimport_changed']['median_s']} s changed "
            f"{_verdict(imp['first_import']['median_s'], TARGETS['import_s'])} | | ≤ {TARGETS['import_s']} s |"
        )
    rt = report.get("routing")
    if rt:
        lines.append(
            f"| classifier, top-1 / top-3 on a held-out 20 % of the demo history and on the "
            f"evaluation set written apart (SQLite) | {_routing_cell(rt)} | | eval top-3 ≥ 90 %, "
            f"urgent recall 100 % |"
        )
    lines += [
        "",
        "## Search p95 by query kind (ms)",
        "",
        "| user | kind | SQLite | PostgreSQL |",
        "|---|---|---|---|",
    ]
    for label in ("community_staff", "subdistrict_staff", "superuser"):
        for kind in QUERY_KINDS:
            values = [
                cell(db, lambda d, k=kind, lb=label: d["search"][lb]["by_kind"][k]["p95_ms"])
                for db in ("sqlite", "postgresql")
            ]
            lines.append(f"| {label} | {kind} | {values[0]} | {values[1]} |")
    lines += _voices_details(cell)
    if report["notes"]:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in report["notes"]]
    return "\n".join(lines) + "\n"


# Pages measured by the module benchmarks: (report key, entry, label, p95 target or None).
PAGE_ROWS = [
    ("renewal", "project_page", "renewal: project page (community staff)", 100),
    ("renewal", "matter_list", "deliberation: matter list (community staff)", 100),
    ("renewal", "matter_list_superuser", "deliberation: matter list (superuser, city)", None),
    ("renewal", "version_comparison", "renewal: plan version comparison", None),
    ("activities", "near_me", "activities: this week near a resident", 100),
    ("activities", "staff_list", "activities: staff list (community staff)", None),
    ("points", "statement", "points: statement, long history (resident)", 50),
    ("points", "statement_deep_page", "points: statement, a deep page (resident)", None),
    ("figures", "dashboard_community", "figures: dashboard, one community (its roll-up)", 100),
    ("figures", "dashboard_subdistrict", "figures: dashboard, a subdistrict (roll-ups)", 100),
    ("figures", "dashboard_city", "figures: dashboard, the city (roll-ups)", 100),
    ("figures", "dashboard_community_live", "figures: dashboard, one community counted live", None),
    ("figures", "api_community", "figures: API, one community (its roll-up)", None),
    ("figures", "api_subdistrict", "figures: API, a subdistrict (roll-ups)", None),
    ("figures", "api_city", "figures: API, the city (roll-ups)", None),
    ("reports", "page_community", "work report: page, one community", 10_000),
    ("reports", "page_subdistrict", "work report: page, a subdistrict", 10_000),
    ("reports", "page_city", "work report: page, the city", 10_000),
    ("reports", "docx_community", "work report: .docx, one community", 10_000),
    ("reports", "docx_subdistrict", "work report: .docx, a subdistrict", 10_000),
    ("reports", "docx_city", "work report: .docx, the city", 10_000),
    ("reports", "xlsx_community", "work report: ledgers .xlsx, one community", None),
    ("reports", "xlsx_subdistrict", "work report: ledgers .xlsx, a subdistrict", None),
    ("reports", "xlsx_city", "work report: ledgers .xlsx, the city", None),
]


def _page_rows(cell) -> list[str]:
    lines = []
    for key, entry, label, target in PAGE_ROWS:

        def value(d, key=key, entry=entry, target=target):
            m = d[key][entry]
            verdict = f" {_verdict(m['p95_ms'], target)}" if target else ""
            return f"p50 {m['p50_ms']} ms, p95 {m['p95_ms']} ms{verdict}"

        goal = f"p95 ≤ {target} ms" if target else "reported"
        lines.append(
            f"| {label} | {cell('sqlite', value)} | {cell('postgresql', value)} | {goal} |"
        )
    return lines


def _surveys_rows(cell) -> list[str]:
    """The surveys rows: the phone's sync, and the rates endpoint for one campaign and for
    the campaign copied to every community of the city."""

    def sync(d):
        s = d["surveys"]["sync"]
        return (
            f"{s['records']} records in {s['seconds']} s ({s['records_per_second']}/s); "
            f"replay {s['replay_seconds']} s, {s['replayed']} replayed, rows added {s['rows_added']}"
        )

    def rates(d, entry):
        r = d["surveys"][entry]
        size = (
            f"{r['households']:,} households"
            if "households" in r
            else f"{r['campaigns']} campaigns"
        )
        return f"p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms ({size}) {_verdict(r['p95_ms'], 100)}"

    def one(d):
        return rates(d, "rates")

    def city(d):
        return rates(d, "rates_all_campaigns")

    def own(d):
        return rates(d, "rates_each_community_staff")

    return [
        f"| surveys: sync of queued records (visitor) | {cell('sqlite', sync)} | {cell('postgresql', sync)} | reported |",
        f"| surveys: rates, one campaign (community staff) | {cell('sqlite', one)} | {cell('postgresql', one)} | p95 ≤ 100 ms |",
        f"| surveys: rates, every community's campaign (superuser) | {cell('sqlite', city)} | {cell('postgresql', city)} | p95 ≤ 100 ms |",
        f"| surveys: rates, every community's campaign (its own staff) | {cell('sqlite', own)} | {cell('postgresql', own)} | p95 ≤ 100 ms |",
    ]


def _voices_rows(cell) -> list[str]:
    """The residents' voice rows of the main table."""

    def items(d):
        c = d["voices"]["city_items"]
        return (
            f"{c['items_in_database']:,} items ({c['items_copied']:,} copied in {c['seconds']} s)"
        )

    def intake(d):
        v = d["voices"]["intake"]
        return (
            f"{v['items_per_second']} items/s, p50 {v['p50_ms']} ms, p95 {v['p95_ms']} ms "
            f"(n={v['submissions']}, {'model' if 'model' in v['classifier_path'] else 'keywords'})"
        )

    rows = [
        f"| voices: items in the city (history copied to every community) | {cell('sqlite', items)} | {cell('postgresql', items)} | ≥ 100,000 |",
        f"| voices: intake, duplicate lookup + submit with classification | {cell('sqlite', intake)} | {cell('postgresql', intake)} | reported |",
    ]
    for label, target in (
        ("community_staff", True),
        ("grid_chief", True),
        ("subdistrict_staff", False),
        ("superuser", False),
    ):

        def inbox(d, label=label, target=target):
            b = d["voices"]["inbox"][label]
            verdict = f" {_verdict(b['p95_ms'], TARGETS['inbox_p95_ms'])}" if target else ""
            return (
                f"p50 {b['p50_ms']} ms, p95 {b['p95_ms']} ms "
                f"({b['open_items_in_reach']:,} open){verdict}"
            )

        goal = f"p95 ≤ {TARGETS['inbox_p95_ms']} ms" if target else "reported"
        rows.append(
            f"| voices: inbox as {label.replace('_', ' ')} | {cell('sqlite', inbox)} | {cell('postgresql', inbox)} | {goal} |"
        )
    for group_by in ("grid", "unit"):

        def measures(d, group_by=group_by):
            m = d["voices"]["measures"][group_by]
            return f"p50 {m['p50_ms']} ms, p95 {m['p95_ms']} ms {_verdict(m['p95_ms'], TARGETS['measures_p95_ms'])}"

        rows.append(
            f"| voices: measures page by {group_by} (community staff) | {cell('sqlite', measures)} | {cell('postgresql', measures)} | p95 ≤ {TARGETS['measures_p95_ms']} ms |"
        )
    return rows


def _voices_details(cell) -> list[str]:
    """How the residents' voice figures were obtained, from the run's own data."""
    lines = [
        "",
        "## Residents' voice",
        "",
        "| | SQLite | PostgreSQL |",
        "|---|---|---|",
    ]
    details = {
        "routing model (trained before intake)": lambda d: (
            f"{d['voices']['routing_model']['path']}, trained on "
            f"{d['voices']['routing_model']['trained_on']:,} confirmed items"
        ),
        "intake: duplicate lookup alone": lambda d: (
            f"p50 {d['voices']['intake']['duplicate_lookup']['p50_ms']} ms, "
            f"p95 {d['voices']['intake']['duplicate_lookup']['p95_ms']} ms"
        ),
        "intake: suggested category = phrase's category": lambda d: (
            f"{d['voices']['intake']['suggested_category_matches_phrase']:.1%}"
        ),
        "intake: max per submission": lambda d: f"{d['voices']['intake']['max_ms']} ms",
        "intake: queries per submission": lambda d: (
            f"{d['voices']['intake']['queries_per_submission']}"
        ),
        "inbox: queries per page (community staff / grid chief)": lambda d: (
            f"{d['voices']['inbox']['community_staff']['queries_per_page']} / "
            f"{d['voices']['inbox']['grid_chief']['queries_per_page']}"
        ),
        "measures: queries per page (grid / unit)": lambda d: (
            f"{d['voices']['measures']['grid']['queries_per_page']} / "
            f"{d['voices']['measures']['unit']['queries_per_page']}"
        ),
    }
    for label, getter in details.items():
        lines.append(f"| {label} | {cell('sqlite', getter)} | {cell('postgresql', getter)} |")
    return lines


def _routing_cell(rt: dict) -> str:
    """One line from bench_routing's result: both sets side by side, then latency."""
    if "evaluation_set" not in rt:
        return "not measured"
    demo, ev = rt["demo_history"], rt["evaluation_set"]
    return (
        f"demo history top-1 {demo['top1']:.1%}, top-3 {demo['top3']:.1%}; "
        f"evaluation set top-1 {ev['top1']:.1%}, top-3 {ev['top3']:.1%}, "
        f"urgent recall {ev['urgent']['recall']:.0%} ({ev['urgent']['false_alarms']} false); "
        f"suggest p50 {rt['suggest']['p50_ms']} ms, p95 {rt['suggest']['p95_ms']} ms"
    )


if __name__ == "__main__":
    sys.exit(main())
