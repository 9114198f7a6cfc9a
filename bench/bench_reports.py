"""The work report at city scale (issue 13 item 3).

``run()`` expects Django set up on a migrated database holding the city (``seed_demo
--scale city``), after ``bench_figures`` (whose round of roll-ups a subdistrict's and the
city's year read). It measures, through Django's test client, N requests each of:

1. the report page (``/reports/work/``) and
2. the .docx (``/reports/work/docx/``) — target p95 ≤ 10 s each — and
3. the ledgers (``/reports/work/xlsx/``, reported),

for one community (its staff), one subdistrict (its staff) and the city (a superuser),
over this year.
"""

from __future__ import annotations

import json

try:  # run as part of bench/run.py (package) or on its own
    from bench.timing import login_client, timed_gets
except ImportError:  # pragma: no cover
    from timing import login_client, timed_gets

REQUESTS = 5
TARGET_P95_MS = 10_000
PAGES = (
    ("page", "/reports/work/"),
    ("docx", "/reports/work/docx/"),
    ("xlsx", "/reports/work/xlsx/"),
)


def run(results_dir=None, *, requests: int = REQUESTS, pages=PAGES) -> dict | None:
    from django.utils import timezone

    from gongzhi.accounts.models import User

    staff = User.objects.filter(username="demo-staff").first()
    subdistrict = User.objects.filter(username="demo-subdistrict").first()
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if staff is None or subdistrict is None or admin is None:
        return None
    year = f"?from={timezone.localdate().year}-01-01"
    out: dict = {"target_p95_ms": TARGET_P95_MS}
    for label, user in (("community", staff), ("subdistrict", subdistrict), ("city", admin)):
        client = login_client(user)
        for name, path in pages:
            out[f"{name}_{label}"] = timed_gets(client, path + year, requests)
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
