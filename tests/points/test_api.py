"""Love points over the API: the same rules and refusals as the pages."""

from __future__ import annotations

from gongzhi.points import services
from gongzhi.points.enums import RedemptionStatus, Relation
from gongzhi.points.models import Redemption

from .conftest import NOW


def test_balance_statement_and_shop(world, api_as, earn, item, django_assert_max_num_queries):
    earn(hours=3)
    client = api_as(world.users["resident"])
    assert client.get("/points/me").json() == {
        "resident_id": world.residents["zhangsan"].pk,
        "balance": 30,
        "spendable": 30,
    }
    client.get("/points/me/statement")
    with django_assert_max_num_queries(10) as few:
        body = client.get("/points/me/statement").json()
    assert body["count"] == 1 and body["items"][0]["amount"] == 30
    for _n in range(20):
        earn(hours=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/points/me/statement").json()["count"] == 21
    shop = client.get("/points/shop").json()
    assert [(i["name"], i["price"], i["stock"]) for i in shop] == [("大米一袋", 30, 5)]


def test_redeem_twice_with_one_key_charges_once(world, api_as, earn, item):
    earn(hours=10)
    client = api_as(world.users["resident"])
    first = client.post(f"/points/shop/{item.pk}/redeem", {"key": "abc"})
    second = client.post(f"/points/shop/{item.pk}/redeem", {"key": "abc"})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert client.get("/points/me").json()["balance"] == 70
    assert [r["status"] for r in client.get("/points/redemptions").json()["items"]] == ["placed"]


def test_a_spend_beyond_the_balance_is_422_in_chinese(world, api_as, earn, item):
    earn(hours=1)
    response = api_as(world.users["resident"]).post(f"/points/shop/{item.pk}/redeem", {"key": "x"})
    assert response.status_code == 422
    assert "积分不足：需要30分，可用10分。" in str(response.json())
    assert not Redemption.objects.exists()


def test_a_post_holder_redeems_for_a_resident_in_reach_only(world, api_as, earn, item):
    earn(hours=10)
    zhangsan = world.residents["zhangsan"]
    body = {"key": "v", "resident_id": zhangsan.pk}
    assert (
        api_as(world.users["other_staff"]).post(f"/points/shop/{item.pk}/redeem", body).status_code
        == 404
    )
    response = api_as(world.users["grid"]).post(f"/points/shop/{item.pk}/redeem", body)
    assert response.status_code == 201
    assert response.json()["relation"] == Relation.VOLUNTEER


def test_staff_hand_over_through_the_api(world, api_as, earn, item):
    earn(hours=10)
    r = services.redeem(
        actor=None, resident=world.residents["zhangsan"], item=item, key="k", on=NOW
    )
    assert (
        api_as(world.users["grid"]).post(f"/points/redemptions/{r.pk}/hand-over").status_code == 404
    )
    staff = api_as(world.users["staff"])
    assert [x["id"] for x in staff.get("/points/staff/redemptions").json()["items"]] == [r.pk]
    done = staff.post(f"/points/redemptions/{r.pk}/hand-over")
    assert done.status_code == 200 and done.json()["status"] == RedemptionStatus.HANDED_OVER
    again = staff.post(f"/points/redemptions/{r.pk}/cancel", {"reason": ""})
    assert again.status_code == 422
