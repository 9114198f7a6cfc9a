"""Urban renewal and deliberation pages at city scale (issue 9).

``run()`` expects Django set up on a migrated database holding the city with Wangjiang's
renewal projects and deliberation matters (``seed_demo --scale city`` writes them). As
the community's staff member, through Django's test client, N requests each:

1. the project page of the flagship project (the one with the most plan rounds, i.e. the
   complete 三上三下), p50/p95 (target p95 ≤ 100 ms);
2. the matter list (``/deliberation/matters/``), p95 ≤ 100 ms; and the same list as the
   superuser, who reaches the whole city (reported);
3. the side-by-side comparison of the flagship's first and last plan versions (reported).
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
    from django.db.models import Count

    from gongzhi.accounts.models import User
    from gongzhi.deliberation.models import Matter
    from gongzhi.renewal.models import PlanVersion, Project

    project = (
        Project.objects.annotate(round_count=Count("rounds", distinct=True))
        .order_by("-round_count", "pk")
        .first()
    )
    if project is None:
        return None
    versions = list(
        PlanVersion.objects.filter(round__project=project)
        .order_by("round__number")
        .values_list("round__number", flat=True)
    )
    staff = login_client(User.objects.get(username="demo-staff"))
    out = {
        "projects": Project.objects.count(),
        "matters": Matter.objects.count(),
        "project_page": timed_gets(staff, f"/renewal/{project.pk}/", requests),
        "matter_list": timed_gets(staff, "/deliberation/matters/", requests),
        "target_p95_ms": TARGET_P95_MS,
    }
    if len(versions) >= 2:
        out["version_comparison"] = timed_gets(
            staff, f"/renewal/{project.pk}/compare/?a={versions[0]}&b={versions[-1]}", requests
        )
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if admin is not None:
        out["matter_list_superuser"] = timed_gets(
            login_client(admin), "/deliberation/matters/", requests
        )
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
