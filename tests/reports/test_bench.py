"""The work report's benchmark runs on any database holding the demo logins, and times the
page, the .docx and the ledgers for a community, a subdistrict and the city."""

from __future__ import annotations

import pytest

from gongzhi.orgs.enums import PostKind
from tests.figures.conftest import make_activities
from tests.world import make_user

pytestmark = pytest.mark.django_db


def test_the_benchmark_times_each_download_for_each_reach(world, settings):
    import bench.bench_reports as bench

    settings.ALLOWED_HOSTS = ["testserver"]
    assert bench.run(requests=1) is None  # no demo logins yet
    make_user("demo-staff", kind=PostKind.COMMUNITY_STAFF, node=world.wj)
    make_user("demo-subdistrict", kind=PostKind.SUBDISTRICT_STAFF, node=world.sd)
    make_activities(world)
    out = bench.run(requests=1)
    assert out["target_p95_ms"] == 10_000
    assert sorted(k for k in out if k != "target_p95_ms") == sorted(
        f"{page}_{reach}"
        for page in ("page", "docx", "xlsx")
        for reach in ("community", "subdistrict", "city")
    )
    assert out["docx_city"]["url"].startswith("/reports/work/docx/?from=")
    assert out["page_community"]["n"] == 1
