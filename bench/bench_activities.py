"""Activities at city scale (issue 11).

``run()`` expects Django set up on a migrated database holding the city with Wangjiang's
year of activities (``seed_demo --scale city`` writes them). Through Django's test client,
N requests each:

1. the resident's "this week near me" list (``/activities/``) as the demo resident,
   p50/p95 (target p95 ≤ 100 ms);
2. the staff activity list (``/activities/manage/``) as the community's staff member
   (reported).
"""

from __future__ import annotations

import json

try:  # run as part of bench/run.py (package) or on its own
    from bench.timing import login_client, timed_gets
except ImportError:  # pragma: no cover
    from timing import login_client, timed_gets

REQUESTS = 100
TARGET_P95_MS = 100


def run(results_dir=None, *, requests: int = REQUESTS) -> dict | None:
    from gongzhi.accounts.models import User
    from gongzhi.activities.models import Activity, CheckIn

    resident = User.objects.filter(username="demo-resident").first()
    staff = User.objects.filter(username="demo-staff").first()
    if resident is None or staff is None or not Activity.objects.exists():
        return None
    return {
        "activities": Activity.objects.count(),
        "check_ins": CheckIn.objects.count(),
        "near_me": timed_gets(login_client(resident), "/activities/", requests),
        "staff_list": timed_gets(login_client(staff), "/activities/manage/", requests),
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
