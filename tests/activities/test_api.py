"""Activities over the API: scoped lists, sign-up, my sign-ups, check-in; refusals are 422
in Chinese, out of reach is 404."""

from __future__ import annotations

import pytest

from gongzhi.activities import services
from gongzhi.activities.models import CheckIn, Signup

from .test_views import soon

pytestmark = pytest.mark.django_db


def said(response) -> str:
    return " ".join(m for ms in response.json()["errors"].values() for m in ms)


@pytest.fixture
def live(world, make_activity):
    start, end = soon()
    return make_activity(starts_at=start, ends_at=end, now=None)


def test_a_resident_lists_signs_up_and_sees_it(world, live, api_as):
    me = api_as(world.users["resident"])
    (row,) = me.get("/activities/near").json()
    assert (row["title"], row["signed_up"], row["status"]) == ("楼道清洁", 0, "published")
    created = me.post(f"/activities/{live.pk}/signup")
    assert created.status_code == 201
    again = me.post(f"/activities/{live.pk}/signup")
    assert again.status_code == 422
    assert said(again) == "张三已经报过名了，不用重复报名。"
    assert [s["activity_id"] for s in me.get("/activities/my-signups").json()] == [live.pk]
    assert me.get(f"/activities/{live.pk}").json()["signed_up"] == 1
    assert me.post(f"/activities/{live.pk}/signup/cancel").status_code == 200
    assert Signup.objects.get().cancelled_at is not None


def test_full_is_a_clear_422(world, make_activity, api_as):
    start, end = soon()
    a = make_activity(starts_at=start, ends_at=end, now=None, capacity=1)
    services.signup_create(actor=world.users["staff"], activity=a, resident=world.residents["lisi"])
    response = api_as(world.users["resident"]).post(f"/activities/{a.pk}/signup")
    assert response.status_code == 422
    assert "名额已满" in said(response)


def test_check_in_by_token_then_twice(world, live, api_as):
    grid = api_as(world.users["grid"])
    token = services.resident_token(world.residents["zhangsan"])
    ok = grid.post(f"/activities/{live.pk}/check-ins", {"token": token})
    assert ok.status_code == 201
    assert (ok.json()["resident_name"], ok.json()["method"]) == ("张三", "qr")
    twice = grid.post(
        f"/activities/{live.pk}/check-ins", {"resident_id": world.residents["zhangsan"].pk}
    )
    assert twice.status_code == 422
    assert "不用重复签到" in said(twice)
    assert CheckIn.objects.count() == 1
    assert grid.get(f"/activities/{live.pk}").json()["checked_in"] == 1


def test_check_in_of_an_activity_not_running(world, make_activity, api_as):
    start, end = soon(hours=48)
    a = make_activity(starts_at=start, ends_at=end, now=None)
    response = api_as(world.users["staff"]).post(
        f"/activities/{a.pk}/check-ins", {"resident_id": world.residents["lisi"].pk}
    )
    assert response.status_code == 422
    assert "不在活动时间内" in said(response)


@pytest.mark.parametrize(
    "role, status", [("resident", 404), ("other_staff", 404), ("partner", 404), ("nobody", 404)]
)
def test_who_may_not_check_in(world, live, api_as, role, status):
    response = api_as(world.users[role]).post(
        f"/activities/{live.pk}/check-ins", {"resident_id": world.residents["lisi"].pk}
    )
    assert response.status_code == status
    assert CheckIn.objects.count() == 0


def test_lists_are_scoped(world, live, make_activity, api_as):
    draft = make_activity(publish=False, title="草稿")
    assert api_as(world.users["other_staff"]).get("/activities").json() == []
    assert api_as(world.users["other_staff"]).get(f"/activities/{live.pk}").status_code == 404
    resident_titles = [
        r["title"] for r in api_as(world.users["resident"]).get("/activities").json()
    ]
    assert resident_titles == ["楼道清洁"]
    assert api_as(world.users["resident"]).get(f"/activities/{draft.pk}").status_code == 404
    staff_titles = {r["title"] for r in api_as(world.users["staff"]).get("/activities").json()}
    assert staff_titles == {"楼道清洁", "草稿"}


def test_the_list_costs_the_same_with_more(
    world, make_activity, api_as, django_assert_max_num_queries
):
    staff = api_as(world.users["staff"])
    make_activity()
    staff.get("/activities")
    with django_assert_max_num_queries(10):
        staff.get("/activities")
    for n in range(4):
        make_activity(title=f"活动{n}")
    with django_assert_max_num_queries(10):
        assert len(staff.get("/activities").json()) == 5
