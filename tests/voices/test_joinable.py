"""我也遇到了: which items a resident may join — open ones of their own building, or of
their compound when the item names no building — and the join page using exactly that."""

from __future__ import annotations

import pytest
from django.http import Http404

from gongzhi.places.models import Compound
from gongzhi.voices import selectors, services
from gongzhi.voices.enums import Channel, ItemKind, Status
from gongzhi.voices.models import Item


def by_resident(world, key, text="门口路灯坏了不亮"):
    return services.item_submit(
        actor=world.users["admin"],
        kind=ItemKind.PROBLEM,
        text=text,
        channel=Channel.VISIT,
        on_behalf_of=world.residents[key],
    )


def about(world, *, community=None, text="小区大门坏了"):
    """An item entered by staff about the community; tests then place it."""
    return services.item_submit(
        actor=world.users["admin"],
        kind=ItemKind.PROBLEM,
        text=text,
        channel=Channel.STAFF,
        community=community or world.wj,
        reporter_name="热心居民",
    )


def test_an_open_item_of_ones_own_building_is_joinable(world, categories):
    item = by_resident(world, "lisi")  # 1栋, as 张三
    assert selectors.joinable_item_or_404(world.users["resident"], item.pk) == item


def test_an_item_of_ones_compound_without_a_building_is_joinable(world, categories):
    item = about(world)
    Item.objects.filter(pk=item.pk).update(compound=Compound.objects.get(grid=world.g1))
    assert selectors.joinable_item_or_404(world.users["resident"], item.pk) == item


@pytest.mark.parametrize(
    "where",
    ["other building", "other compound without building", "other community", "closed"],
)
def test_everything_else_is_not_found(world, categories, where):
    if where == "other building":
        item = by_resident(world, "wangwu")
    elif where == "other compound without building":
        item = about(world)
        Item.objects.filter(pk=item.pk).update(compound=Compound.objects.get(grid=world.g2))
    elif where == "other community":
        item = by_resident(world, "zhaoliu")
    else:
        item = by_resident(world, "lisi")
        Item.objects.filter(pk=item.pk).update(status=Status.WITHDRAWN)
    with pytest.raises(Http404):
        selectors.joinable_item_or_404(world.users["resident"], item.pk)


@pytest.mark.parametrize("actor", ["staff", "grid", "partner", "nobody"])
def test_only_a_resident_joins(world, categories, actor):
    item = by_resident(world, "lisi")
    with pytest.raises(Http404):
        selectors.joinable_item_or_404(world.users[actor], item.pk)


def test_a_missing_item_is_not_found(world):
    with pytest.raises(Http404):
        selectors.joinable_item_or_404(world.users["resident"], 999_999)


def test_the_join_page_joins_a_compound_item(world, categories, login):
    item = about(world)
    Item.objects.filter(pk=item.pk).update(compound=Compound.objects.get(grid=world.g1))
    response = login(world.users["resident"]).post(f"/voices/{item.pk}/join/")
    assert response.status_code == 302
    assert response.url == f"/voices/{item.pk}/"
    assert item.reporters.filter(resident=world.residents["zhangsan"], is_original=False).exists()


def test_the_join_page_refuses_a_closed_item_as_missing(world, categories, login):
    item = by_resident(world, "lisi")
    Item.objects.filter(pk=item.pk).update(status=Status.CLOSED)
    response = login(world.users["resident"]).post(f"/voices/{item.pk}/join/")
    assert response.status_code == 404
    assert item.reporters.count() == 1


def test_joining_twice_is_refused_in_chinese(world, categories, login):
    item = by_resident(world, "lisi")
    client = login(world.users["resident"])
    client.post(f"/voices/{item.pk}/join/")
    again = client.post(f"/voices/{item.pk}/join/", follow=True)
    assert "您已反映或附议过该诉求。" in again.content.decode()
    assert item.reporters.count() == 2
