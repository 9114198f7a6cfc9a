"""Roll-ups: a subdistrict's or a city's year summed from each community's kept parts equals
the live count; the communities to recount are those with no roll-up, those whose records
changed (their audit events) and, in the current year, those counted on an earlier day;
a grid chief's part is always counted live, and one community reads its roll-up only while
no audit event of it came after the count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.figures import registry, rollups
from gongzhi.figures.models import Rollup
from gongzhi.figures.selectors import window_for
from gongzhi.figures.tasks import refresh_task
from gongzhi.wishes import services as wishes

from .conftest import PERIOD, activity, make_activities

pytestmark = pytest.mark.django_db


def live(window) -> dict:
    return {f.key: v for f, v in registry.count_all(window)}


def year_window(user, **area):
    return window_for(user, start=f"{timezone.localdate().year}-01-01", **area)


@pytest.mark.parametrize(
    "role, area", [("admin", {}), ("subdistrict", {"subdistrict": "510402001"})]
)
def test_the_sum_of_the_communities_parts_is_the_live_count(records, role, area):
    window = year_window(records.users[role], **area)
    rolled = rollups.summed(window)
    assert rolled is not None
    assert rolled.values == live(year_window(records.users[role], **area))
    for key in rollups.TRENDED:
        assert rolled.monthly[key] == registry.monthly(registry.FIGURES[key], window), key
    assert Rollup.objects.count() == 2


def test_survey_days_shared_by_two_communities_count_once():
    one = {"survey_days": ["2026-03-01", "2026-03-02"], "opinions": 2}
    two = {"survey_days": ["2026-03-02"], "opinions": 3}
    total = rollups.add([one, two])
    assert total == {"survey_days": ["2026-03-01", "2026-03-02"], "opinions": 5}
    assert rollups.values(total)["survey_days"] == 2


@pytest.mark.parametrize(
    "role, area, period",
    [
        ("staff", {}, {}),  # one community
        ("admin", {"community": "510402001001"}, {}),  # one community asked
        ("grid", {}, {}),  # a part of a community
        ("admin", {}, {"end": "2026-06-30"}),  # not a calendar year
    ],
)
def test_the_rest_is_counted_live(world, role, area, period):
    start = f"{timezone.localdate().year}-01-01"
    window = window_for(world.users[role], start=start, **area, **period)
    assert rollups.summed(window) is None
    assert Rollup.objects.count() == 0


def test_only_the_communities_that_changed_are_recounted(world):
    today = timezone.localdate()
    year = today.year
    assert rollups.stale(year) == sorted([world.wj.pk, world.ot.pk])
    assert sorted(rollups.refresh_stale()) == sorted([world.wj.pk, world.ot.pk] * 2)
    assert rollups.stale(year) == []
    # A wish filed in Wangjiang writes its audit event there: only Wangjiang is due.
    wishes.wish_submit(
        actor=world.users["resident"],
        resident=world.residents["zhangsan"],
        category="daily_goods",
        text="想要一个放大镜。",
    )
    assert rollups.stale(year) == [world.wj.pk]
    # Tomorrow, the year so far has grown by a day: every community of the year is due.
    assert rollups.stale(year, today=today + dt.timedelta(days=1)) == sorted(
        [world.wj.pk, world.ot.pk]
    )
    # Wangjiang's year, and its last year (a late change can still move it).
    assert refresh_task() == "recounted 2 community-years"
    assert rollups.stale(year) == []


@pytest.mark.parametrize("role, area", [("staff", {}), ("admin", {"community": "510402001001"})])
def test_one_community_reads_its_roll_up_only_while_nothing_changed(world, role, area):
    # A window is one request's: it keeps what it counted, so each look takes a new one.
    def window():
        return year_window(world.users[role], **area)

    rollups.refresh(world.wj.pk, timezone.localdate().year)
    rolled = rollups.summed(window())
    assert rolled is not None and rolled.communities == 1
    assert rolled.values == live(window())
    # Any change in the community writes its audit event: the next look counts live, so
    # the staff see their own change at once.
    wishes.wish_submit(
        actor=world.users["resident"],
        resident=world.residents["zhangsan"],
        category="daily_goods",
        text="想要一个放大镜。",
    )
    assert rollups.summed(window()) is None
    assert live(window())["participants"] == rolled.values["participants"] + 1
    rollups.refresh(world.wj.pk, timezone.localdate().year)
    assert rollups.summed(window()).values == live(window())


def test_a_grid_chiefs_part_is_counted_live_even_beside_a_roll_up(world):
    rollups.refresh(world.wj.pk, timezone.localdate().year)
    assert rollups.summed(year_window(world.users["grid"])) is None


def test_a_city_page_reads_the_kept_figures_until_they_are_recounted(client, world):
    admin = world.users["admin"]
    client.force_login(admin)
    year_start = {"from": f"{timezone.localdate().year}-01-01"}
    first = client.get("/figures/", year_start).content.decode()
    assert "多个社区的全年数字由各社区的汇总相加" in first
    # Written around the services (no audit event): the kept figures do not know yet.
    activity(world, "outreach", timezone.now() - dt.timedelta(hours=3))
    window = window_for(admin, start=year_start["from"])
    assert rollups.summed(window).values["outreach_talks"] == 0
    assert live(window)["outreach_talks"] == 1
    rollups.refresh(world.wj.pk, timezone.localdate().year)
    assert rollups.summed(window).values["outreach_talks"] == 1


def test_a_city_page_costs_the_same_queries_for_few_records_and_many(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.users["admin"])
    client.get("/figures/", PERIOD)  # counts the roll-ups
    make_activities(world, extra=30)
    Rollup.objects.update(counted_at=timezone.now())
    with CaptureQueriesContext(connection) as few:
        client.get("/figures/", PERIOD)
    make_activities(world, extra=30)
    with CaptureQueriesContext(connection) as many:
        client.get("/figures/", PERIOD)
    assert len(many.captured_queries) == len(few.captured_queries) < 15
