"""Love points at city scale (issue 11).

``run()`` expects Django set up on a migrated database holding the city (``seed_demo
--scale city`` writes Wangjiang's year of points). It measures:

1. the statement page (``/points/``) of the demo resident after giving them a long history
   (``HISTORY`` earnings, through the ledger's own ``award``), first page and a deep page,
   p50/p95 (target p95 ≤ 50 ms);
2. redemptions per second: ``THREADS`` threads, each its own connection, each resident
   redeeming from one well-stocked item — on PostgreSQL (row locks, real concurrency);
   on SQLite one thread, reported as such. Reconciliation must find nothing afterwards.
"""

from __future__ import annotations

import json
import threading
import time

try:  # run as part of bench/run.py (package) or on its own
    from bench.timing import login_client, timed_gets
except ImportError:  # pragma: no cover
    from timing import login_client, timed_gets

REQUESTS = 100
HISTORY = 2000
THREADS = 8
PER_THREAD = 25
TARGET_P95_MS = 50


def _long_history(resident) -> int:
    from gongzhi.points import services
    from gongzhi.points.models import Entry

    have = Entry.objects.filter(account__code=f"resident:{resident.pk}").count()
    for n in range(have, HISTORY):
        services.award(
            actor=None,
            resident=resident,
            rule_code="activity_attendance",
            key=f"bench:history:{resident.pk}:{n}",
            memo="基准测试：参加活动",
        )
    return Entry.objects.filter(account__code=f"resident:{resident.pk}").count()


def _redemptions_per_second(community) -> dict:
    from django.db import connection, connections

    from gongzhi.places.models import Resident
    from gongzhi.points import services
    from gongzhi.points.models import ShopItem

    threads = THREADS if connection.vendor == "postgresql" else 1
    people = list(Resident.objects.filter(community=community).living().order_by("pk")[:threads])
    item, _created = ShopItem.objects.get_or_create(
        community=community, name="基准测试商品", defaults={"price": 1, "stock": 0}
    )
    ShopItem.objects.filter(pk=item.pk).update(stock=threads * PER_THREAD)
    run_id = time.time_ns()
    for person in people:
        services.award(
            actor=None,
            resident=person,
            rule_code="service_hour",
            quantity=PER_THREAD,
            key=f"bench:redeem:{run_id}:{person.pk}",
        )
    failures: list[Exception] = []
    barrier = threading.Barrier(len(people))

    def work(person):
        try:
            barrier.wait()
            for n in range(PER_THREAD):
                services.redeem(actor=None, resident=person, item=item, key=f"bench:{run_id}:{n}")
        except Exception as exc:  # counted and reported
            failures.append(exc)
        finally:
            connections.close_all()

    started = time.perf_counter()
    workers = [threading.Thread(target=work, args=(p,)) for p in people]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    seconds = time.perf_counter() - started
    done = len(people) * PER_THREAD - len(failures)
    return {
        "database": connection.vendor,
        "threads": len(people),
        "redemptions": done,
        "failures": len(failures),
        "seconds": round(seconds, 2),
        "per_second": round(done / seconds, 1) if seconds else 0.0,
        "reconcile_differences": len(services.reconcile()),
    }


def run(results_dir=None, *, requests: int = REQUESTS) -> dict | None:
    from gongzhi.accounts.models import User

    user = User.objects.filter(username="demo-resident").select_related("resident").first()
    if user is None or user.resident is None:
        return None
    resident = user.resident
    entries = _long_history(resident)
    client = login_client(user)
    pages = max(1, entries // 20)
    return {
        "statement_entries": entries,
        "statement": timed_gets(client, "/points/", requests),
        "statement_deep_page": timed_gets(client, f"/points/?page={pages // 2 or 1}", requests),
        "redemptions": _redemptions_per_second(resident.community),
        "target_p95_ms": TARGET_P95_MS,
    }


if __name__ == "__main__":  # pragma: no cover
    import os
    import sys

    sys.path[:0] = ["src", "."]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings")
    os.environ["GONGZHI_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    import django

    django.setup()
    print(json.dumps(run(), ensure_ascii=False, indent=2))
