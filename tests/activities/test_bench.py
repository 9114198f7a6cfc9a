"""The activities benchmark runs on any database holding the demo logins and activities,
and reports the resident's list with its p95 target."""

from __future__ import annotations

import pytest

from gongzhi.orgs.enums import PostKind
from tests.world import make_user

pytestmark = pytest.mark.django_db


def test_the_benchmark_reports_the_near_me_list(world, make_activity, settings):
    import bench.bench_activities as bench

    settings.ALLOWED_HOSTS = ["testserver"]
    assert bench.run(requests=2) is None  # no demo logins yet
    make_user("demo-resident", resident=world.residents["lisi"])
    make_user("demo-staff", kind=PostKind.COMMUNITY_STAFF, node=world.wj)
    make_activity()
    out = bench.run(requests=2)
    assert (out["activities"], out["near_me"]["n"], out["target_p95_ms"]) == (1, 2, 100)
    assert out["staff_list"]["url"] == "/activities/manage/"
