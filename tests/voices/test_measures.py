"""Measures: each definition of docs/measures.md against a small month of records, scoped
by reach, traceable to its records, and counted with a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.voices import measures, selectors, services
from gongzhi.voices.enums import Channel, ItemKind, Level, Satisfaction, Solved
from gongzhi.voices.measures import Ratio

from .conftest import at

JUNE = dt.date(2026, 6, 1)


def submit(world, resident="zhangsan", now=None):
    return services.item_submit(
        actor=None,
        kind=ItemKind.PROBLEM,
        text="楼下路灯不亮",
        channel=Channel.PHONE,
        reporter_resident=world.residents[resident],
        now=now or at(2026, 6, 9, 9),
    )


@pytest.fixture
def june(world, categories):
    """A: on time, solved, satisfied. B: late, not solved, dissatisfied (reopened).
    C: only received (grid 2). D: withdrawn (not received). E: the other community."""
    lights = categories["lights"]
    a = submit(world)
    services.item_accept(actor=None, item=a, category=lights, now=at(2026, 6, 9, 10))
    services.item_resolve(actor=None, item=a, note="修好", now=at(2026, 6, 10, 10))
    services.item_return_visit(
        actor=world.users["grid"],
        item=a,
        solved=Solved.SOLVED,
        satisfaction=Satisfaction.SATISFIED,
        now=at(2026, 6, 11, 10),
    )
    b = submit(world, resident="lisi")
    services.item_accept(actor=None, item=b, category=lights, now=at(2026, 6, 12, 10))
    services.item_resolve(actor=None, item=b, note="修好", now=at(2026, 6, 30, 10))
    services.item_return_visit(
        actor=world.users["grid"],
        item=b,
        solved=Solved.NOT_SOLVED,
        satisfaction=Satisfaction.DISSATISFIED,
        comment="还是不亮",
        now=at(2026, 6, 30, 16),
    )
    c = submit(world, resident="wangwu")
    d = submit(world)
    services.item_withdraw(actor=world.users["resident"], item=d, now=at(2026, 6, 9, 12))
    e = submit(world, resident="zhaoliu")
    # Next month's work is not June's.
    submit(world, now=at(2026, 7, 1, 9))
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def by_key(rows):
    return {r.key: r for r in rows}


def test_community_figures(world, june):
    (row,) = measures.monthly(world.users["staff"], month=JUNE, group_by="community")
    assert (row.key, row.label) == (world.wj.pk, "望江街社区")
    assert row.received == 3  # A, B, C; the withdrawn one is not counted
    assert row.response == Ratio(1, 2)  # B was accepted after its respond limit
    assert row.on_time == Ratio(1, 2)  # B was resolved after its handling limit
    assert row.resolution == Ratio(1, 2)  # visits: A solved, B not solved
    assert row.satisfaction == Ratio(1, 2)
    assert row.satisfaction.percent == "50.0%"


def test_grid_figures_and_reach(world, june):
    rows = by_key(measures.monthly(world.users["staff"], month=JUNE, group_by="grid"))
    assert set(rows) == {world.g1.pk, world.g2.pk}
    assert (rows[world.g1.pk].received, rows[world.g2.pk].received) == (2, 1)
    assert rows[world.g2.pk].response == Ratio(0, 0)
    assert rows[world.g2.pk].response.rate is None  # nothing to rate is not 0 %
    # The grid chief sees only grid 1; the subdistrict both communities.
    assert [r.key for r in measures.monthly(world.users["grid"], month=JUNE, group_by="grid")] == [
        world.g1.pk
    ]
    assert {
        r.key
        for r in measures.monthly(world.users["subdistrict"], month=JUNE, group_by="community")
    } == {world.wj.pk, world.ot.pk}


@pytest.mark.parametrize("role", ["resident", "nobody"])
def test_no_measures_without_the_capability(world, june, role):
    assert measures.monthly(world.users[role], month=JUNE, group_by="community") == []


@pytest.mark.parametrize(
    ("role", "received"),
    # The grid worker of grid 2 counts C (王五); the building chief of building 1 counts A
    # and B; the entrance chief of entrance 2 counts B (李四) only.
    [("grid_worker", 1), ("building", 2), ("entrance", 1)],
)
def test_posts_below_the_grid_read_their_own_place(world, june, role, received):
    rows = measures.monthly(world.users[role], month=JUNE, group_by="community")
    assert [(r.key, r.received) for r in rows] == [(world.wj.pk, received)]


def test_every_figure_opens_into_its_records(world, june):
    staff = world.users["staff"]
    den, num = measures.records(
        staff, month=JUNE, group_by="community", key=world.wj.pk, measure="response"
    )
    assert set(den) == {june["a"], june["b"]}
    assert list(num) == [june["a"]]
    den, num = measures.records(
        staff, month=JUNE, group_by="community", key=world.wj.pk, measure="satisfaction"
    )
    assert {v.item for v in den} == {june["a"], june["b"]}
    assert [v.item for v in num] == [june["a"]]
    den, _num = measures.records(
        staff, month=JUNE, group_by="community", key=world.wj.pk, measure="received"
    )
    assert set(den) == {june["a"], june["b"], june["c"]}


def test_partner_unit_figures(world, categories):
    item = submit(world)
    services.item_accept(
        actor=None,
        item=item,
        category=categories["building"],
        level=Level.COMMUNITY,
        now=at(2026, 6, 9, 10),
    )
    dispatch = services.item_dispatch(
        actor=world.users["staff"], item=item, unit=world.partner, now=at(2026, 6, 9, 11)
    )
    # Signed for two days late, replied within ten working days.
    services.dispatch_accept(
        actor=world.users["partner"], dispatch=dispatch, now=at(2026, 6, 12, 9)
    )
    services.dispatch_reply(
        actor=world.users["partner"], dispatch=dispatch, reply="已修复", now=at(2026, 6, 15, 9)
    )
    services.dispatch_verify(
        actor=world.users["staff"], dispatch=dispatch, accepted=True, now=at(2026, 6, 15, 10)
    )
    services.item_return_visit(
        actor=world.users["staff"],
        item=item,
        solved=Solved.PARTLY,
        satisfaction=Satisfaction.BASICALLY,
        now=at(2026, 6, 16, 10),
    )
    for user in (world.users["staff"], world.users["partner"]):
        (row,) = measures.monthly(user, month=JUNE, group_by="unit")
        assert (row.key, row.label) == (world.partner.pk, "市住建局")
        assert row.received == 1
        assert row.response == Ratio(0, 1)
        assert row.on_time == Ratio(1, 1)
        assert row.resolution == Ratio(1, 1)
        assert row.satisfaction == Ratio(1, 1)


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("group_by", ["grid", "community", "unit"])
def test_measures_take_the_same_queries_for_one_or_many_items(world, categories, group_by):
    staff = world.users["staff"]
    submit(world)
    measures.monthly(staff, month=JUNE, group_by=group_by)  # warm the reach cache
    one = count_queries(lambda: measures.monthly(staff, month=JUNE, group_by=group_by))
    for resident in ("lisi", "wangwu", "zhangsan"):
        submit(world, resident=resident)
    many = count_queries(lambda: measures.monthly(staff, month=JUNE, group_by=group_by))
    assert one == many <= 4


def test_inbox_and_my_items_take_the_same_queries(world, categories):
    grid = world.users["grid"]
    resident = world.users["resident"]
    submit(world)
    list(selectors.inbox(grid))
    one = count_queries(lambda: [(i.category, i.grid, i.building) for i in selectors.inbox(grid)])
    mine_one = count_queries(lambda: [i.category for i in selectors.items_reported_by(resident)])
    for _ in range(2):
        submit(world)
        submit(world, resident="lisi")
    many = count_queries(lambda: [(i.category, i.grid, i.building) for i in selectors.inbox(grid)])
    mine_many = count_queries(lambda: [i.category for i in selectors.items_reported_by(resident)])
    # The inbox reads the ids of the staff member's own reports first (see
    # selectors.item_visibility_q), then the page: two queries however many items.
    assert (one, mine_one) == (many, mine_many) == (2, 1)
    assert len(list(selectors.inbox(grid))) == 5


def test_unit_dispatch_list_takes_the_same_queries(world, categories):
    partner = world.users["partner"]

    def dispatch_one():
        item = submit(world)
        services.item_accept(
            actor=None, item=item, category=categories["building"], level=Level.COMMUNITY
        )
        services.item_dispatch(actor=world.users["staff"], item=item, unit=world.partner)

    dispatch_one()

    def read():
        return [
            (d.item.number, d.item.category, d.unit)
            for d in selectors.dispatch_list_for_unit(partner)
        ]

    one = count_queries(read)
    dispatch_one()
    dispatch_one()
    assert count_queries(read) == one == 1
