"""Duplicates: a neighbour's report of the same thing in the same building is found, even
worded differently; other buildings, closed items and different matters are not."""

from __future__ import annotations

import itertools

import pytest
from django.utils import timezone

from gongzhi.core.text import to_traditional
from gongzhi.voices.duplicates import similar_open_items
from gongzhi.voices.enums import Status
from gongzhi.voices.models import Item

_numbers = itertools.count(1)


def make_item(world, text, *, building=None, compound=None, status=Status.SUBMITTED):
    now = timezone.now()
    building = building if building is not None else world.b1
    return Item.objects.create(
        number=f"T{next(_numbers):06d}",
        title=text[:20],
        text=text,
        channel="online",
        community=building.community if building else world.wj,
        grid=building.grid if building else None,
        compound=compound or (building.compound if building else None),
        building=building,
        status=status,
        stage_started_at=now,
        due_at=now,
        submitted_at=now,
    )


PARAPHRASES = [
    ("1单元楼道的灯坏了好几天，晚上黑漆漆的", "楼道灯不亮了，晚上上楼看不见"),
    ("楼上有人从窗户拉电线给电瓶车充电", "有住户私拉电线从窗户吊下来充电瓶车"),
    ("单元门口的垃圾桶满了没人清运，很臭", "垃圾桶堆满了好几天都没人来清，臭味很大"),
    ("三楼水管漏水，墙都泡湿了", "水管一直在漏水，楼道墙面都湿了"),
    ("晚上广场舞音响声音太大，吵得睡不着", "广场舞的音响太吵了，老人晚上没法睡觉"),
]


@pytest.mark.parametrize(("original", "paraphrase"), PARAPHRASES)
def test_a_paraphrase_in_the_same_building_is_found(world, original, paraphrase):
    item = make_item(world, original)
    make_item(world, "想申请加装电梯，老人爬楼太累")
    found = similar_open_items(text=paraphrase, community=world.wj, building=world.b1)
    assert [i for i, _score in found][:1] == [item]
    assert 0 < found[0][1] <= 1


def test_traditional_paraphrase_is_found(world):
    item = make_item(world, "1单元楼道的灯坏了好几天，晚上黑漆漆的")
    found = similar_open_items(
        text=to_traditional("楼道灯不亮了，晚上上楼看不见"), community=world.wj, building=world.b1
    )
    assert [i for i, _s in found] == [item]


def test_other_buildings_closed_items_and_other_matters_are_not_found(world):
    make_item(world, "楼道灯坏了好几天", building=world.b2)  # another building
    make_item(world, "楼道灯坏了好几天", status=Status.CLOSED)  # closed
    make_item(world, "楼道灯坏了好几天", status=Status.MERGED)  # merged away
    make_item(world, "想申请加装电梯，老人爬楼太累")  # another matter
    make_item(world, "小区门口乱停车，消防通道被堵")
    found = similar_open_items(text="楼道的灯不亮了", community=world.wj, building=world.b1)
    assert found == []


def test_every_open_status_counts(world):
    items = [
        make_item(world, "楼道灯坏了好几天", status=status)
        for status in (Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.RESOLVED)
    ]
    found = similar_open_items(text="楼道灯坏了", community=world.wj, building=world.b1)
    assert {i for i, _s in found} == set(items)


def test_compound_is_used_when_no_building_is_given(world):
    compound = world.b1.compound
    item = make_item(world, "小区大门的门禁坏了，谁都能进来")
    make_item(world, "小区大门的门禁坏了", building=world.b2)  # another compound
    found = similar_open_items(text="大门门禁坏了", community=world.wj, compound=compound)
    assert [i for i, _s in found] == [item]


def test_the_item_itself_can_be_excluded(world):
    item = make_item(world, "楼道灯坏了好几天")
    assert (
        similar_open_items(text=item.text, community=world.wj, building=world.b1, exclude=item)
        == []
    )


def test_best_first_and_limited(world):
    exact = make_item(world, "楼道灯坏了好几天没人修")
    for _ in range(6):
        make_item(world, "楼道灯坏了")
    found = similar_open_items(
        text="楼道灯坏了好几天没人修", community=world.wj, building=world.b1, limit=3
    )
    assert len(found) == 3
    assert found[0][0] == exact
    assert [s for _i, s in found] == sorted((s for _i, s in found), reverse=True)


def test_nothing_to_compare_without_a_place_or_text(world):
    make_item(world, "楼道灯坏了")
    assert similar_open_items(text="楼道灯坏了", community=world.wj) == []
    assert similar_open_items(text="  ", community=world.wj, building=world.b1) == []


@pytest.mark.parametrize("count", [1, 3, 20])
def test_one_query_however_many_candidates(world, django_assert_num_queries, count):
    for n in range(count):
        make_item(world, f"楼道灯坏了第{n}次")
    with django_assert_num_queries(1):
        found = similar_open_items(text="楼道灯坏了", community=world.wj, building=world.b1)
    assert len(found) == min(count, 5)
