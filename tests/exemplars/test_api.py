"""Exemplars over the API: the same rules as the pages, refusals in Chinese (422), the
nomination's reasons shown to reviewers only."""

from __future__ import annotations


def test_published_stories_of_the_callers_community(world, published, api_as):
    page = api_as(world.users["resident"]).get("/exemplars/stories").json()
    assert page["count"] == 1
    (row,) = page["items"]
    assert (row["title"], row["name"], row["category_label"], row["photos"]) == (
        "热心肠的好邻居李四",
        "李四",
        "好邻居",
        0,
    )
    assert "13812345678" not in str(page)
    assert api_as(world.users["other_staff"]).get("/exemplars/stories").json()["count"] == 0


def test_a_draft_is_not_listed(world, story, api_as):
    assert api_as(world.users["resident"]).get("/exemplars/stories").json()["count"] == 0


def test_a_resident_nominates_and_does_not_see_the_review_list(world, api_as):
    api = api_as(world.users["resident"])
    response = api.post(
        "/exemplars/nominations",
        {"category": "neighbour", "reasons": "热心帮助邻居", "nominee_name": "李四"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["source"], body["status"], body["reasons"], body["nominee_id"]) == (
        "recommended",
        "nominated",
        None,
        None,
    )
    assert api.get("/exemplars/nominations").json()["count"] == 0


def test_bad_nominations_answer_422_in_chinese(world, api_as):
    response = api_as(world.users["resident"]).post(
        "/exemplars/nominations", {"category": "neighbour", "reasons": "", "nominee_name": "李四"}
    )
    assert response.status_code == 422
    assert "请写一写推荐的理由" in response.content.decode()


def test_staff_nominate_by_resident_and_list_with_reasons(world, api_as):
    staff = api_as(world.users["staff"])
    response = staff.post(
        "/exemplars/nominations",
        {
            "category": "volunteer",
            "reasons": "常年巡逻",
            "resident_id": world.residents["wangwu"].pk,
        },
    )
    assert response.status_code == 201
    assert response.json()["source"] == "community"
    (row,) = staff.get("/exemplars/nominations").json()["items"]
    assert (row["nominee_name"], row["reasons"]) == ("王五", "常年巡逻")
    # 王五 lives in grid 2: not the grid 1 chief's to review.
    assert api_as(world.users["grid"]).get("/exemplars/nominations").json()["count"] == 0


def test_staff_cannot_nominate_outside_their_reach(world, api_as):
    response = api_as(world.users["staff"]).post(
        "/exemplars/nominations",
        {"category": "volunteer", "reasons": "越界", "resident_id": world.residents["zhaoliu"].pk},
    )
    assert response.status_code == 404


def test_a_login_without_a_household_cannot_nominate(world, api_as):
    response = api_as(world.users["partner"]).post(
        "/exemplars/nominations", {"category": "volunteer", "reasons": "x", "nominee_name": "李四"}
    )
    assert response.status_code == 404


def test_lists_cost_the_same_for_one_row_and_many(world, api_as, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .test_views import _more_stories

    _more_stories(world, 1)
    staff = api_as(world.users["staff"])
    counts = {}
    for path in ["/exemplars/stories", "/exemplars/nominations"]:
        with CaptureQueriesContext(connection) as ctx:
            assert staff.get(path).status_code == 200
        counts[path] = len(ctx.captured_queries)
    _more_stories(world, 3, start=1)
    for path, n in counts.items():
        with django_assert_max_num_queries(n):
            assert staff.get(path).json()["count"] == 4
