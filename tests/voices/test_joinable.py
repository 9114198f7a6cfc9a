"""我也遇到了: a resident joins only an item the duplicate finder showed them — an open item
of their own building, or of their compound when the item names no building — through a
signed offer made for them. Any other id, a forged or borrowed offer, and anyone who is
not that resident get the same 404 as a missing item; the answer of a join says nothing
about the other reporters, and neither does the item afterwards."""

from __future__ import annotations

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404

from gongzhi.places.models import Compound
from gongzhi.voices import selectors, services
from gongzhi.voices.enums import Channel, ItemKind, Status
from gongzhi.voices.models import Item, ItemReporter

TEXT = "门口路灯坏了不亮"


def by_resident(world, key, text=TEXT):
    return services.item_submit(
        actor=world.users["admin"],
        kind=ItemKind.PROBLEM,
        text=text,
        channel=Channel.VISIT,
        on_behalf_of=world.residents[key],
    )


def about(world, *, community=None, text="小区大门坏了关不上"):
    """An item entered by staff about the community; tests then place it."""
    return services.item_submit(
        actor=world.users["admin"],
        kind=ItemKind.PROBLEM,
        text=text,
        channel=Channel.STAFF,
        community=community or world.wj,
        reporter_name="热心居民",
    )


def offers_to_zhangsan(world, text=TEXT):
    return {o.item.pk: o.token for o in selectors.join_offers(world.residents["zhangsan"], text)}


def test_an_open_item_of_ones_own_building_is_offered_and_joinable(world, categories):
    item = by_resident(world, "lisi")  # 1栋, as 张三
    token = offers_to_zhangsan(world)[item.pk]
    assert selectors.offered_item_or_404(world.users["resident"], item.pk, token) == item


def test_an_item_of_ones_compound_without_a_building_is_offered(world, categories):
    item = about(world)
    Item.objects.filter(pk=item.pk).update(compound=Compound.objects.get(grid=world.g1))
    token = offers_to_zhangsan(world, "小区大门坏了")[item.pk]
    assert selectors.offered_item_or_404(world.users["resident"], item.pk, token) == item


@pytest.mark.parametrize(
    "where",
    ["other building", "other compound without building", "other community", "closed"],
)
def test_everything_else_is_neither_offered_nor_joinable(world, categories, where):
    if where == "other building":
        item = by_resident(world, "wangwu")
    elif where == "other compound without building":
        item = about(world, text=TEXT)
        Item.objects.filter(pk=item.pk).update(compound=Compound.objects.get(grid=world.g2))
    elif where == "other community":
        item = by_resident(world, "zhaoliu")
    else:
        item = by_resident(world, "lisi")
        Item.objects.filter(pk=item.pk).update(status=Status.WITHDRAWN)
    assert item.pk not in offers_to_zhangsan(world)
    forged = signing.dumps({"r": 0, "i": item.pk}, salt="not-the-salt")
    with pytest.raises(Http404):
        selectors.offered_item_or_404(world.users["resident"], item.pk, forged)


def test_an_offer_opens_only_its_own_item(world, categories):
    offered = by_resident(world, "lisi")
    other = by_resident(world, "wangwu")
    token = offers_to_zhangsan(world)[offered.pk]
    with pytest.raises(Http404):
        selectors.offered_item_or_404(world.users["resident"], other.pk, token)


def test_an_offer_made_to_one_resident_opens_nothing_for_another(world, categories):
    from tests.world import make_user

    item = by_resident(world, "lisi")
    token = offers_to_zhangsan(world)[item.pk]
    lisi = make_user("resident-lisi", resident=world.residents["lisi"])
    with pytest.raises(Http404):
        selectors.offered_item_or_404(lisi, item.pk, token)


@pytest.mark.parametrize("actor", ["staff", "grid", "partner", "nobody"])
def test_only_the_resident_it_was_made_for_joins(world, categories, actor):
    item = by_resident(world, "lisi")
    token = offers_to_zhangsan(world)[item.pk]
    with pytest.raises(Http404):
        selectors.offered_item_or_404(world.users[actor], item.pk, token)


def test_no_offer_is_not_found(world, categories):
    item = by_resident(world, "lisi")
    for token in ["", "garbage", "a:b:c"]:
        with pytest.raises(Http404):
            selectors.offered_item_or_404(world.users["resident"], item.pk, token)


def test_an_expired_offer_is_refused_in_chinese(world, categories, monkeypatch):
    item = by_resident(world, "lisi")
    token = offers_to_zhangsan(world)[item.pk]
    monkeypatch.setattr(selectors, "JOIN_OFFER_MAX_AGE", -1)  # every offer is a day old
    with pytest.raises(ValidationError) as exc:
        selectors.offered_item_or_404(world.users["resident"], item.pk, token)
    assert exc.value.messages == ["这条提示已过期，请重新反映一次，系统会再为您查找相同的诉求。"]


def test_a_missing_item_is_not_found(world, categories):
    token = signing.dumps({"r": world.residents["zhangsan"].pk, "i": 999_999}, salt="x")
    with pytest.raises(Http404):
        selectors.offered_item_or_404(world.users["resident"], 999_999, token)


def test_the_join_page_joins_an_offered_item(world, categories, login):
    item = about(world)
    Item.objects.filter(pk=item.pk).update(compound=Compound.objects.get(grid=world.g1))
    token = offers_to_zhangsan(world, "小区大门坏了")[item.pk]
    response = login(world.users["resident"]).post(f"/voices/{item.pk}/join/", {"offer": token})
    assert response.status_code == 302
    assert response.url == f"/voices/{item.pk}/"
    assert item.reporters.filter(resident=world.residents["zhangsan"], is_original=False).exists()


def test_the_join_page_without_an_offer_is_not_found_and_changes_nothing(world, categories, login):
    # The attack: item ids are sequential, so every open item of the building was one POST
    # away, and the answer showed the neighbour's text and name.
    item = by_resident(world, "lisi")
    response = login(world.users["resident"]).post(f"/voices/{item.pk}/join/")
    assert response.status_code == 404
    assert "李四" not in response.content.decode()
    assert item.reporters.count() == 1


def test_the_join_page_refuses_a_closed_item_as_missing(world, categories, login):
    item = by_resident(world, "lisi")
    token = offers_to_zhangsan(world)[item.pk]
    Item.objects.filter(pk=item.pk).update(status=Status.CLOSED)
    response = login(world.users["resident"]).post(f"/voices/{item.pk}/join/", {"offer": token})
    assert response.status_code == 404
    assert item.reporters.count() == 1


def test_joining_twice_is_refused_in_chinese(world, categories, login):
    item = by_resident(world, "lisi")
    token = offers_to_zhangsan(world)[item.pk]
    client = login(world.users["resident"])
    client.post(f"/voices/{item.pk}/join/", {"offer": token})
    again = client.post(f"/voices/{item.pk}/join/", {"offer": token}, follow=True)
    assert "您已反映或附议过该诉求。" in again.content.decode()
    assert item.reporters.count() == 2


def test_a_joiner_reads_neither_the_neighbours_name_nor_their_line(world, categories, login):
    from tests.world import make_user

    lisi = make_user("resident-lisi", resident=world.residents["lisi"])
    item = services.item_submit(actor=lisi, kind=ItemKind.PROBLEM, text=TEXT, channel="online")
    token = offers_to_zhangsan(world)[item.pk]
    client = login(world.users["resident"])
    client.post(f"/voices/{item.pk}/join/", {"offer": token})
    resident = world.users["resident"]
    assert [r.name for r in selectors.item_reporters_for(resident, item)] == ["张三"]
    signed = [(row.event.type, row.by) for row in selectors.item_timeline_rows(resident, item)]
    assert signed[:2] == [("submitted", "居民"), ("joined", "resident-zhangsan")]
    page = client.get(f"/voices/{item.pk}/").content.decode()
    assert "李四" not in page and "resident-lisi" not in page
    # Staff who hold the item still see both reporters and who filed it.
    staff = world.users["staff"]
    assert sorted(r.name for r in selectors.item_reporters_for(staff, item)) == ["张三", "李四"]
    staff_rows = selectors.item_timeline_rows(staff, item)
    assert staff_rows[0].by == "resident-lisi"
    assert ItemReporter.objects.filter(item=item).count() == 2
