"""The dashboard and the figures endpoint at city scale (issue 13).

``run()`` expects Django set up on a migrated database holding the city (``seed_demo
--scale city``). It measures, through Django's test client, N requests each:

1. one round of the roll-ups (``figures.rollups.refresh_stale``) over every community:
   what the worker spends, in seconds, when everything is due at once (the first round,
   or the first of a new day);
2. the dashboard (``/figures/``) for one community (its staff, from its fresh roll-up),
   one subdistrict (its staff, from the roll-ups) and the city (a superuser, from the
   roll-ups), p50/p95 — target p95 ≤ 100 ms each;
3. the dashboard for the one community counted live, as its first look after a change or
   any period that is not a calendar year is (February to today), p50/p95 (reported);
4. ``GET /api/v1/figures`` for the same three, p50/p95 (reported).
"""

from __future__ import annotations

import json
import time

try:  # run as part of bench/run.py (package) or on its own
    from bench.timing import login_client, timed_gets
except ImportError:  # pragma: no cover
    from timing import login_client, timed_gets

REQUESTS = 50
TARGET_P95_MS = 100


def run(results_dir=None, *, requests: int = REQUESTS) -> dict | None:
    from django.utils import timezone

    from gongzhi.accounts.models import User
    from gongzhi.figures import rollups

    staff = User.objects.filter(username="demo-staff").first()
    subdistrict = User.objects.filter(username="demo-subdistrict").first()
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if staff is None or subdistrict is None or admin is None:
        return None
    started = time.perf_counter()
    recounted = rollups.refresh_stale()
    refresh_s = time.perf_counter() - started
    year = f"?from={timezone.localdate().year}-01-01"
    out: dict = {
        "rollup_round": {"community_years": len(recounted), "seconds": round(refresh_s, 1)},
        "target_p95_ms": TARGET_P95_MS,
    }
    for label, user in (("community", staff), ("subdistrict", subdistrict), ("city", admin)):
        client = login_client(user)
        out[f"dashboard_{label}"] = timed_gets(client, "/figures/" + year, requests)
    live = f"?from={timezone.localdate().year}-02-01"
    out["dashboard_community_live"] = timed_gets(login_client(staff), "/figures/" + live, requests)
    for label, user in (("community", staff), ("subdistrict", subdistrict), ("city", admin)):
        client = login_client(user)
        out[f"api_{label}"] = timed_gets(client, "/api/v1/figures" + year, requests)
    return out


if __name__ == "__main__":  # pragma: no cover
    import os
    import sys

    sys.path[:0] = ["src", "."]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings")
    os.environ["GONGZHI_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    import django

    django.setup()
    print(json.dumps(run(), ensure_ascii=False, indent=2))
