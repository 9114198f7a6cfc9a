"""The points benchmark runs on a small world (the numbers themselves come from the city)."""

from __future__ import annotations

import pytest
from bench import bench_points

from gongzhi.points import services


@pytest.mark.django_db(transaction=True)
def test_the_benchmark_runs_and_leaves_the_ledger_balanced(world, monkeypatch):
    monkeypatch.setattr(bench_points, "HISTORY", 25)
    monkeypatch.setattr(bench_points, "PER_THREAD", 3)
    from gongzhi.points.models import EarningRule

    for code, points in (("service_hour", 10), ("activity_attendance", 5)):
        EarningRule.objects.get_or_create(code=code, defaults={"label": code, "points": points})
    user = world.users["resident"]
    user.username = "demo-resident"
    user.save(update_fields=["username"])
    out = bench_points.run(requests=3)
    assert out["statement_entries"] == 25
    assert out["statement"]["n"] == 3
    r = out["redemptions"]
    assert r["failures"] == 0 and r["redemptions"] == r["threads"] * 3
    assert r["reconcile_differences"] == 0
    assert services.reconcile() == []
