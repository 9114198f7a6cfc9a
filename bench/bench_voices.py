"""Residents' voice at city scale: intake throughput, the staff inbox and the measures page.

``run(results_dir)`` expects Django set up on a migrated database holding the city
(``seed_demo --scale city``: Wangjiang first, with its year of history). In order:

1. train the routing model on the confirmed history (as ``manage.py train_routing``), so
   that intake is measured on the path a community with history takes: the naive Bayes
   model leading, the keyword rules as a prior;
2. copy Wangjiang's year to every other community of the city (``bulk_history``), so that
   the item tables hold what a city would (≥ 100,000 items over 100 communities);
3. intake: N sequential submissions by residents of Wangjiang, each through what the
   confirm-and-submit steps of the page do — the duplicate lookup of the resident's
   building (``duplicates.similar_open_items``) and ``services.item_submit`` (validation,
   classification by ``routing.suggest``, numbering, the item, its reporter, timeline,
   audit row and notifications, committed);
4. the staff inbox through Django's test client, logged in as Wangjiang's community staff
   and as a grid chief (and, for scale, a subdistrict staff member and a superuser);
5. the measures page as community staff, grouped by grid and by partner unit, for the
   current and the previous month.

The copy is a benchmark device and lives here, not in the application: items keep the
source's columns (status, stage, level, deadlines, category, unit, dates and outcomes)
and get a place in the target community (a household of the grid with the same rank,
or the grid or community alone where the source named no household), a number from the
community's own prefix and counter, their original reporter (a resident of that
household), and their dispatches and return visits. Timelines, notifications and event
sessions are not copied: no page measured here reads them.

Text messages go to the in-memory backend while measuring: a gateway's latency is not
the application's.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict

SEED = 2001
INTAKE_N = 600
INTAKE_WARMUP = 30
INTAKE_USERS = 60
INBOX_REQUESTS = 120
INBOX_REQUESTS_WIDE = 40  # subdistrict and superuser: many communities per request
MEASURES_REQUESTS = 60
SOURCE_COMMUNITY = "望江街社区"
SMS_BACKEND = "gongzhi.voices.notify.LocmemSMSBackend"


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


def _wangjiang():
    from gongzhi.places.models import Community

    return Community.objects.get(name=SOURCE_COMMUNITY)


# -- 1. the routing model ------------------------------------------------------------------


def train_model() -> dict:
    """Train as ``manage.py train_routing`` does and say which path ``suggest`` will take."""
    from gongzhi.voices import routing

    started = time.perf_counter()
    row = routing.train(holdout=0.2, seed=SEED)
    seconds = time.perf_counter() - started
    routing.clear_model_cache()
    model, _units, trained_on = routing.current_model()
    serving = model is not None and trained_on >= routing.MIN_HISTORY
    return {
        "trained_on": row.trained_on,
        "holdout_top1": row.accuracy_top1,
        "holdout_top3": row.accuracy_top3,
        "train_seconds": round(seconds, 2),
        "path": "model (logistic regression + keyword and danger evidence)"
        if serving
        else "keyword rules only",
        "model_serving": serving,
    }


# -- 2. the city's items -------------------------------------------------------------------


def _copy_fields(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if not f.primary_key]


_NO_PLACE = {"grid_id": None, "compound_id": None, "building_id": None, "entrance_id": None,
             "household_id": None}  # fmt: skip


def _place(item: dict, grids: list, source_grids: dict, households_by_grid: dict, rng) -> dict:
    """The copy's place: a household (or its building) of the grid with the same rank as the
    source's grid, or that grid alone, or no grid, as the source had."""
    if not grids or item["grid_id"] is None:
        return dict(_NO_PLACE)
    grid = grids[source_grids.get(item["grid_id"], 0) % len(grids)]
    choices = households_by_grid.get(grid.pk)
    if not choices or (item["household_id"] is None and item["building_id"] is None):
        return {**_NO_PLACE, "grid_id": grid.pk}
    pk, grid_id, compound_id, building_id, entrance_id = rng.choice(choices)
    if item["household_id"] is None:  # a building, not a door
        return {**_NO_PLACE, "grid_id": grid_id, "compound_id": compound_id,
                "building_id": building_id}  # fmt: skip
    return {"grid_id": grid_id, "compound_id": compound_id, "building_id": building_id,
            "entrance_id": entrance_id, "household_id": pk}  # fmt: skip


def bulk_history(*, seed: int = SEED, log=print) -> dict:
    """Copy Wangjiang's items (with their original reporter, dispatches and return
    visits) to every other community of the city. Returns counts and seconds."""
    from django.db import transaction
    from django.utils import timezone

    from gongzhi.core.bulk import bulk_insert
    from gongzhi.demo.history import _insert_as_given
    from gongzhi.places.enums import ResidentStatus
    from gongzhi.places.models import Community, Grid, Household, Resident
    from gongzhi.voices.models import (
        Dispatch,
        Item,
        ItemNumberCounter,
        ItemReporter,
        ReturnVisit,
    )
    from gongzhi.voices.services import _number_prefix

    started = time.perf_counter()
    source = _wangjiang()
    item_fields = _copy_fields(Item)
    items = list(Item.objects.filter(community=source).order_by("id").values(*item_fields, "id"))
    originals = {
        r["item_id"]: r
        for r in ItemReporter.objects.filter(item__community=source, is_original=True).values(
            "item_id", "channel", "share_phone_with_partner", "joined_at", "entered_by_id"
        )
    }
    dispatch_fields = [f for f in _copy_fields(Dispatch) if f != "item_id"]
    dispatches = defaultdict(list)
    for d in (
        Dispatch.objects.filter(item__community=source)
        .order_by("id")
        .values("item_id", *dispatch_fields)
    ):
        dispatches[d.pop("item_id")].append(d)
    visit_fields = [f for f in _copy_fields(ReturnVisit) if f != "item_id"]
    visits = defaultdict(list)
    for v in (
        ReturnVisit.objects.filter(item__community=source)
        .order_by("id")
        .values("item_id", *visit_fields)
    ):
        visits[v.pop("item_id")].append(v)
    source_grids = {
        pk: i
        for i, pk in enumerate(
            Grid.objects.filter(community=source).order_by("code").values_list("pk", flat=True)
        )
    }
    counters = {(c.prefix, c.year): c.last for c in ItemNumberCounter.objects.all().order_by("pk")}
    # Merged items point at their target, which must be written first.
    plain = [i for i in items if i["merged_into_id"] is None]
    merged = [i for i in items if i["merged_into_id"] is not None]
    totals: Counter = Counter()

    for community in Community.objects.exclude(pk=source.pk).order_by("pk"):
        rng = random.Random(f"{seed}:voices:{community.pk}")
        prefix = _number_prefix(community)
        grids = list(Grid.objects.filter(community=community).order_by("code"))
        households_by_grid = defaultdict(list)
        for row in Household.objects.filter(community=community).values_list(
            "pk", "grid_id", "compound_id", "building_id", "entrance_id"
        ):
            households_by_grid[row[1]].append(row)
        residents = defaultdict(list)
        for pk, household_id in Resident.objects.filter(
            community=community, status=ResidentStatus.LIVING
        ).values_list("pk", "household_id"):
            residents[household_id].append(pk)
        new_pk: dict[int, int] = {}
        reporters, new_dispatches, new_visits = [], [], []

        with transaction.atomic():
            for group in (plain, merged):
                rows = []
                for src in group:
                    row = {k: src[k] for k in item_fields}
                    row.update(_place(src, grids, source_grids, households_by_grid, rng))
                    row["community_id"] = community.pk
                    row["event_session_id"] = None
                    row["lead_user_id"] = None
                    if src["merged_into_id"] is not None:
                        row["merged_into_id"] = new_pk.get(src["merged_into_id"])
                    year = timezone.localtime(src["submitted_at"]).year
                    counters[(prefix, year)] = counters.get((prefix, year), 0) + 1
                    row["number"] = f"{prefix}{year}-{counters[(prefix, year)]:06d}"
                    rows.append((src["id"], Item(**row)))
                bulk_insert(Item, [obj for _id, obj in rows])
                by_number = dict(
                    Item.objects.filter(
                        community=community, number__in=[obj.number for _id, obj in rows]
                    ).values_list("number", "pk")
                )
                for src_id, obj in rows:
                    new_pk[src_id] = by_number[obj.number]
                    totals["items"] += 1
                    original = originals.get(src_id)
                    if original is not None:
                        people = residents.get(obj.household_id) or []
                        reporters.append(
                            ItemReporter(
                                item_id=new_pk[src_id],
                                resident_id=rng.choice(people) if people else None,
                                name="" if people else "居民",
                                channel=original["channel"],
                                is_original=True,
                                share_phone_with_partner=original["share_phone_with_partner"],
                                joined_at=original["joined_at"],
                                # Wangjiang's staff did not type in another community's
                                # items: keeping them would put thousands of far items in
                                # demo-staff's reach and its inbox.
                                entered_by_id=None,
                            )
                        )
                    for d in dispatches.get(src_id, ()):
                        new_dispatches.append(Dispatch(item_id=new_pk[src_id], **d))
                    for v in visits.get(src_id, ()):
                        new_visits.append(ReturnVisit(item_id=new_pk[src_id], **v))
            _insert_as_given(ItemReporter, reporters)
            bulk_insert(Dispatch, new_dispatches)
            bulk_insert(ReturnVisit, new_visits)
        totals["communities"] += 1
        totals["reporters"] += len(reporters)
        totals["dispatches"] += len(new_dispatches)
        totals["return_visits"] += len(new_visits)
    with transaction.atomic():
        for (prefix, year), last in counters.items():
            ItemNumberCounter.objects.update_or_create(
                prefix=prefix, year=year, defaults={"last": last}
            )
    seconds = time.perf_counter() - started
    report = {
        "copied_to_communities": totals["communities"],
        "items_per_community": len(items),
        "items_copied": totals["items"],
        "reporters_copied": totals["reporters"],
        "dispatches_copied": totals["dispatches"],
        "return_visits_copied": totals["return_visits"],
        "items_in_database": Item.objects.count(),
        "seconds": round(seconds, 1),
    }
    _analyze()
    log(f"  items copied: {report['items_copied']:,} in {report['seconds']} s")
    return report


def _analyze() -> None:
    """Fresh planner statistics after the bulk load, as autovacuum would give PostgreSQL a
    moment later and as ``ANALYZE`` gives SQLite."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# -- 3. intake -----------------------------------------------------------------------------


def _intake_texts(rng: random.Random) -> list[tuple[str, str]]:
    from bench.bench_routing import generated_corpus

    train, test = generated_corpus(SEED)
    texts = train + test
    rng.shuffle(texts)
    return texts


def intake_bench(*, n: int = INTAKE_N, warmup: int = INTAKE_WARMUP) -> dict:
    """Sequential submissions by residents of Wangjiang, each as the page's last two steps
    do it: the duplicate lookup, then ``item_submit`` (one transaction, committed)."""
    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext

    from gongzhi.accounts.models import User
    from gongzhi.places.enums import ResidentStatus
    from gongzhi.places.models import Resident
    from gongzhi.voices import duplicates, routing, services
    from gongzhi.voices.enums import ItemKind
    from gongzhi.voices.models import Item
    from gongzhi.voices.notify import LocmemSMSBackend

    rng = random.Random(f"{SEED}:intake")
    community = _wangjiang()
    residents = list(
        Resident.objects.filter(
            community=community,
            status=ResidentStatus.LIVING,
            user__isnull=True,
            household__isnull=False,
        ).order_by("pk")[:5000]
    )
    chosen = rng.sample(residents, min(INTAKE_USERS, len(residents)))
    users = []
    for i, resident in enumerate(chosen):
        user = User(username=f"bench-resident-{i}", resident=resident)
        user.set_unusable_password()
        user.save()
        users.append(user)
    texts = _intake_texts(rng)
    model, _units, trained_on = routing.current_model()
    path = (
        "model (naive Bayes + keyword prior)"
        if model is not None and trained_on >= routing.MIN_HISTORY
        else "keyword rules only"
    )
    before = Item.objects.filter(community=community).count()

    def submit(i: int) -> tuple[float, float, bool]:
        text, code = texts[i % len(texts)]
        user = users[i % len(users)]
        t0 = time.perf_counter()
        # What the page reads on the confirm step, for the resident's own building.
        resident = Resident.objects.select_related("household").get(pk=user.resident_id)
        household = resident.household
        duplicates.similar_open_items(
            text=text,
            community=household.community_id,
            building=household.building_id,
            compound=None if household.building_id else household.compound_id,
            limit=3,
        )
        t1 = time.perf_counter()
        item = services.item_submit(
            actor=user,
            kind=ItemKind.SUGGESTION if i % 7 == 0 else ItemKind.PROBLEM,
            text=text,
            channel="online",
        )
        t2 = time.perf_counter()
        return (
            t1 - t0,
            t2 - t0,
            bool(item.suggested_category_id and item.suggested_category.code == code),
        )

    with override_settings(GONGZHI_SMS_BACKEND=SMS_BACKEND):
        for i in range(warmup - 1):
            submit(i)
        with CaptureQueriesContext(connection) as ctx:
            submit(warmup - 1)
        queries = len(ctx.captured_queries)
        samples, lookups, right = [], [], 0
        started = time.perf_counter()
        for i in range(warmup, warmup + n):
            lookup, total, ok = submit(i)
            samples.append(total)
            lookups.append(lookup)
            right += ok
        wall = time.perf_counter() - started
    LocmemSMSBackend.outbox.clear()
    after = Item.objects.filter(community=community).count()
    return {
        "submissions": n,
        "warmup": warmup,
        "residents": len(users),
        "items_per_second": round(n / wall, 1),
        **_percentiles(samples),
        "duplicate_lookup": _percentiles(lookups),
        "queries_per_submission": queries,
        "classifier_path": path,
        "suggested_category_matches_phrase": round(right / n, 3),
        "items_written": after - before,
        "items_in_database_after": Item.objects.count(),
    }


# -- 4 and 5. the pages --------------------------------------------------------------------


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user, backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
    return client


def _time_page(client, urls: list[str], requests: int) -> tuple[list[float], set[int], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for url in urls[:3]:  # warm the connection, templates and caches
        client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(urls[0])
    queries = len(ctx.captured_queries)
    samples, statuses = [], set()
    for i in range(requests):
        started = time.perf_counter()
        response = client.get(urls[i % len(urls)])
        samples.append(time.perf_counter() - started)
        statuses.add(response.status_code)
    return samples, statuses, queries


def _staff_users() -> dict:
    import secrets

    from gongzhi.accounts.models import User
    from gongzhi.voices.selectors import inbox

    if not User.objects.filter(username="bench-admin").exists():
        User.objects.create_superuser("bench-admin", password=secrets.token_urlsafe(12))
    users = {}
    for label, username in (
        ("community_staff", "demo-staff"),
        ("grid_chief", "demo-grid"),
        ("subdistrict_staff", "demo-subdistrict"),
        ("superuser", "bench-admin"),
    ):
        user = User.objects.filter(username=username).first()
        if user is not None:
            users[label] = (user, inbox(user).count())
    return users


def inbox_bench() -> dict:
    """The inbox page (first page, as opened; and filtered to overdue items) per user."""
    from django.urls import reverse

    url = reverse("voices:inbox")
    report = {}
    for label, (user, open_items) in _staff_users().items():
        requests = (
            INBOX_REQUESTS if label in ("community_staff", "grid_chief") else (INBOX_REQUESTS_WIDE)
        )
        samples, statuses, queries = _time_page(
            _client(user), [url, url + "?overdue=on", url + "?page=2"], requests
        )
        report[label] = {
            "username": user.username,
            "open_items_in_reach": open_items,
            "status": sorted(statuses),
            "queries_per_page": queries,
            **_percentiles(samples),
        }
    return report


def measures_bench() -> dict:
    """The measures page as Wangjiang's community staff, grouped by grid and by unit, for
    the current month (the page's default) and the previous one."""
    import datetime as dt

    from django.urls import reverse
    from django.utils import timezone

    from gongzhi.accounts.models import User

    user = User.objects.get(username="demo-staff")
    this_month = timezone.localdate().replace(day=1)
    previous = (this_month - dt.timedelta(days=1)).replace(day=1)
    url = reverse("voices:measures")
    report = {}
    for group_by in ("grid", "unit"):
        urls = [
            f"{url}?group_by={group_by}",
            f"{url}?group_by={group_by}&month={previous:%Y-%m}",
        ]
        samples, statuses, queries = _time_page(_client(user), urls, MEASURES_REQUESTS)
        report[group_by] = {
            "username": user.username,
            "months": [f"{this_month:%Y-%m}", f"{previous:%Y-%m}"],
            "status": sorted(statuses),
            "queries_per_page": queries,
            **_percentiles(samples),
        }
    return report


def explain_pages() -> dict:
    """The plans of the slowest queries of one inbox and one measures request: EXPLAIN
    ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite. ``execute_ms`` is the time of the
    execute call as Django logs it; SQLite computes much of a result while it is fetched,
    so there it understates the query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from gongzhi.accounts.models import User

    pages = {
        "inbox:community_staff": ("demo-staff", reverse("voices:inbox")),
        "inbox:grid_chief": ("demo-grid", reverse("voices:inbox")),
        "measures:grid": ("demo-staff", reverse("voices:measures") + "?group_by=grid"),
        "measures:unit": ("demo-staff", reverse("voices:measures") + "?group_by=unit"),
    }
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    plans = {}
    for name, (username, url) in pages.items():
        client = _client(User.objects.get(username=username))
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        slowest = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:2]
        plans[name] = []
        for query in slowest:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute(prefix + sql)
                rows = cursor.fetchall()
            plans[name].append(
                {
                    "execute_ms": round(float(query["time"]) * 1000, 2),
                    "sql": sql[:2000],
                    "plan": [" ".join(str(c) for c in row) for row in rows],
                }
            )
    return plans


# -- all of it -----------------------------------------------------------------------------


def run(results_dir=None, *, log=print) -> dict:
    """Everything above, in order, on the database Django is set up on."""
    from django.db import connection

    log("  training the routing model")
    report = {"routing_model": train_model()}
    log("  copying the year of history to every community")
    report["city_items"] = bulk_history(log=log)
    log("  intake")
    report["intake"] = intake_bench()
    log("  inbox")
    report["inbox"] = inbox_bench()
    log("  measures")
    report["measures"] = measures_bench()
    report["explain"] = explain_pages()
    report["database"] = connection.vendor
    return report
