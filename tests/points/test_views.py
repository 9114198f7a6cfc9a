"""The points pages: the resident's balance, statement, shop, redeem with confirm and
redemptions; staff items, hand-over, redeeming for an elder, correction and rules — with a
constant number of queries however long the lists are."""

from __future__ import annotations

import re

import pytest

from gongzhi.points import services
from gongzhi.points.enums import RedemptionStatus, Relation
from gongzhi.points.models import Redemption, ShopItem, Transaction

from .conftest import NOW


def token_of(page: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)


def test_the_resident_home_links_to_points(world, login):
    page = login(world.users["resident"]).get("/").content.decode()
    assert 'href="/points/"' in page


def test_the_resident_sees_balance_and_statement(world, login, earn):
    earn(hours=3)
    page = login(world.users["resident"]).get("/points/").content.decode()
    assert "30 分" in page
    assert "获得：志愿服务" in page and "+30" in page


def test_the_statement_pages_with_constant_queries(
    world, login, earn, django_assert_max_num_queries
):
    client = login(world.users["resident"])
    earn(hours=1)
    client.get("/points/")
    with django_assert_max_num_queries(8) as one:
        client.get("/points/")
    for _n in range(30):
        earn(hours=1)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get("/points/?page=2").content.decode()
    assert "第2页，共2页" in page


def test_a_resident_redeems_after_confirming_and_a_double_submit_charges_once(
    world, login, earn, item
):
    earn(hours=10)
    client = login(world.users["resident"])
    shop = client.get("/points/shop/").content.decode()
    assert "大米一袋" in shop and "可用 100 分" in shop
    confirm = client.get(f"/points/shop/{item.pk}/").content.decode()
    assert "请确认兑换" in confirm
    token = token_of(confirm)
    first = client.post(f"/points/shop/{item.pk}/", {"quantity": "1", "token": token})
    second = client.post(f"/points/shop/{item.pk}/", {"quantity": "1", "token": token})
    assert first.status_code == second.status_code == 302
    assert Redemption.objects.count() == 1
    assert services.resident_account(world.residents["zhangsan"]).balance == 70
    mine = client.get("/points/redemptions/").content.decode()
    assert "大米一袋 × 1" in mine and "待领取" in mine


def test_a_spend_beyond_the_balance_shows_the_chinese_error(world, login, earn, item):
    earn(hours=1)
    client = login(world.users["resident"])
    token = token_of(client.get(f"/points/shop/{item.pk}/").content.decode())
    response = client.post(f"/points/shop/{item.pk}/", {"quantity": "1", "token": token})
    assert response.status_code == 400
    assert "积分不足：需要30分，可用10分。" in response.content.decode()
    assert not Transaction.objects.filter(kind="spend").exists()


def test_another_communitys_item_is_not_found(world, login, earn):
    other = ShopItem.objects.create(community=world.ot, name="外区商品", price=1, stock=1)
    assert login(world.users["resident"]).get(f"/points/shop/{other.pk}/").status_code == 404


def test_staff_add_an_item_and_hand_over(world, login, earn, item):
    staff = login(world.users["staff"])
    assert "新增商品" in staff.get("/points/manage/").content.decode()
    response = staff.post(
        "/points/manage/items/new/",
        {
            "name": "理发一次",
            "price": "20",
            "stock": "10",
            "supplier": str(world.partner.pk),
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert ShopItem.objects.get(name="理发一次").supplier == world.partner
    refused = staff.post(
        "/points/manage/items/new/", {"name": "理发一次", "price": "0", "stock": "1"}
    )
    assert refused.status_code == 400
    earn(hours=10)
    r = services.redeem(
        actor=None, resident=world.residents["zhangsan"], item=item, key="k", on=NOW
    )
    queue = staff.get("/points/manage/handover/").content.decode()
    assert "张三已领取" in queue
    ask = staff.post(f"/points/redemptions/{r.pk}/hand-over/")
    assert "请确认：居民已领取" in ask.content.decode()
    r.refresh_from_db()
    assert r.status == RedemptionStatus.PLACED
    staff.post(f"/points/redemptions/{r.pk}/hand-over/", {"confirm": "1"})
    r.refresh_from_db()
    assert r.status == RedemptionStatus.HANDED_OVER


def test_a_building_chief_sees_items_but_may_not_add(world, login, item):
    chief = login(world.users["building"])
    page = chief.get("/points/manage/").content.decode()
    assert "大米一袋" in page and "新增商品" not in page
    assert chief.get("/points/manage/items/new/").status_code == 404
    assert chief.get(f"/points/manage/items/{item.pk}/edit/").status_code == 404
    assert (
        login(world.users["other_staff"]).get(f"/points/manage/items/{item.pk}/edit/").status_code
        == 404
    )


def test_a_grid_chief_redeems_for_an_elder(world, login, earn, item):
    earn(hours=10)
    chief = login(world.users["grid"])
    found = chief.get("/points/manage/for/", {"q": "张三"}).content.decode()
    zhangsan = world.residents["zhangsan"]
    assert f"/points/manage/for/{zhangsan.pk}/" in found
    page = chief.get(f"/points/manage/for/{zhangsan.pk}/").content.decode()
    assert "余额 100 分" in page
    url = f"/points/manage/for/{zhangsan.pk}/redeem/{item.pk}/"
    token = token_of(chief.get(url).content.decode())
    assert chief.post(url, {"quantity": "2", "token": token}).status_code == 302
    r = Redemption.objects.get()
    assert (r.relation, r.quantity, r.placed_by) == (Relation.VOLUNTEER, 2, world.users["grid"])
    assert (
        login(world.users["other_staff"]).get(f"/points/manage/for/{zhangsan.pk}/").status_code
        == 404
    )


def test_a_correction_asks_first(world, login, earn):
    earn(hours=1)
    zhangsan = world.residents["zhangsan"]
    staff = login(world.users["staff"])
    url = f"/points/manage/for/{zhangsan.pk}/correct/"
    token = token_of(staff.get(url).content.decode())
    ask = staff.post(url, {"amount": "15", "reason": "补录活动", "token": token})
    assert "请确认" in ask.content.decode()
    assert not Transaction.objects.filter(kind="correct").exists()
    staff.post(url, {"amount": "15", "reason": "补录活动", "token": token, "confirm": "1"})
    staff.post(url, {"amount": "15", "reason": "补录活动", "token": token, "confirm": "1"})
    assert services.resident_account(zhangsan).balance == 25
    assert login(world.users["grid"]).get(url).status_code == 404


def test_the_resident_cancels_and_gets_the_points_back(world, login, earn, item):
    earn(hours=10)
    r = services.redeem(
        actor=world.users["resident"],
        resident=world.residents["zhangsan"],
        item=item,
        key="k",
        on=NOW,
    )
    client = login(world.users["resident"])
    client.post(f"/points/redemptions/{r.pk}/cancel/", {"confirm": "1"})
    r.refresh_from_db()
    assert r.status == RedemptionStatus.CANCELLED
    assert services.resident_account(world.residents["zhangsan"]).balance == 100
    assert (
        login(world.users["other_staff"]).post(f"/points/redemptions/{r.pk}/cancel/").status_code
        == 404
    )


def test_rules_list(world, login):
    page = login(world.users["grid"]).get("/points/manage/rules/").content.decode()
    assert "志愿服务" in page and "每小时 10 分" in page


@pytest.mark.parametrize("role", ["nobody", "partner"])
def test_others_have_no_points_pages(world, login, role):
    client = login(world.users[role])
    assert client.get("/points/manage/").status_code == 404
    assert client.get("/points/").status_code == 200  # says whom to ask


def test_the_shop_lists_keep_a_constant_number_of_queries(
    world, login, earn, item, django_assert_max_num_queries
):
    earn(hours=100)
    zhangsan = world.residents["zhangsan"]
    services.redeem(actor=None, resident=zhangsan, item=item, key="first", on=NOW)
    urls = [
        ("resident", "/points/shop/"),
        ("resident", "/points/redemptions/"),
        ("staff", "/points/manage/"),
        ("staff", "/points/manage/handover/"),
    ]
    counts = {}
    for role, url in urls:
        client = login(world.users[role])
        client.get(url)
        with django_assert_max_num_queries(12) as few:
            assert client.get(url).status_code == 200
        counts[url] = len(few.captured_queries)
    for n in range(5):
        extra = services.item_create(
            actor=None,
            community=world.wj,
            name=f"商品{n}",
            price=10,
            stock=5,
            supplier=world.partner,
        )
        services.redeem(actor=None, resident=zhangsan, item=extra, key=f"more{n}", on=NOW)
    for role, url in urls:
        client = login(world.users[role])
        client.get(url)
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200
