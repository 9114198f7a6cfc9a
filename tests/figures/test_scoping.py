"""Who reads which figures: role × scope for both routes, and bad input answered in
Chinese, never with a 500."""

from __future__ import annotations

import json

import pytest

from .conftest import PERIOD

WJ, OT, SD = "510402001001", "510402001002", "510402001"

# role → (buildings, households, residents, outreach_talks, participants) over PERIOD.
MATRIX = {
    "admin": (3, 4, 4, 3, 4),
    "subdistrict": (3, 4, 4, 3, 4),
    "secretary": (2, 3, 3, 2, 3),
    "staff": (2, 3, 3, 2, 3),
    # Posts below the community: the register of their place; activities belong to the
    # community as a whole, so a grid or building post counts none of them.
    "grid": (1, 2, 2, 0, 2),
    "grid_worker": (1, 1, 1, 0, 1),
    "building": (1, 2, 2, 0, 2),
    "entrance": (1, 1, 1, 0, 1),
    "other_staff": (1, 1, 1, 1, 1),
    # No reach over the register: every figure is 0, as /voices/measures answers them.
    "resident": (0, 0, 0, 0, 0),
    "partner": (0, 0, 0, 0, 0),
    "nobody": (0, 0, 0, 0, 0),
}
KEYS = ("buildings", "households", "residents", "outreach_talks", "participants")
# Names and numbers from outside each role's reach, by role.
OUTSIDE_WJ = ["赵六", "13600003333", "136****3333"]
OUTSIDE_GRID1 = ["王五", "2栋", "2-1-101", *OUTSIDE_WJ]
NEVER = ["13812345678", "13900001111", "13700002222", "510402195003"]


@pytest.mark.parametrize("role", list(MATRIX))
def test_each_role_reads_the_figures_of_its_reach(records, figures_of, role):
    got = figures_of(records.users[role], **PERIOD)
    assert tuple(got[k] for k in KEYS) == MATRIX[role]
    if MATRIX[role] == (0, 0, 0, 0, 0):
        assert set(got.values()) == {0}


@pytest.mark.parametrize("role", list(MATRIX))
def test_each_role_opens_only_records_of_its_reach(records, api_as, role):
    client = api_as(records.users[role])
    outside = {"grid": OUTSIDE_GRID1, "building": OUTSIDE_GRID1, "entrance": OUTSIDE_GRID1}.get(
        role, OUTSIDE_WJ if role in ("staff", "secretary") else []
    )
    for key in ("residents", "households", "participants", "opinions", "survey_households"):
        response = client.get(f"/figures/{key}/rows", limit=200, **PERIOD)
        text = json.dumps(response.json(), ensure_ascii=False)
        assert response.status_code == 200
        assert [s for s in outside if s in text] == [], (role, key)
        assert [s for s in NEVER if s in text] == [], (role, key)
        if MATRIX[role][0] == 0:
            assert response.json() == {"items": [], "count": 0}


def test_the_other_communitys_staff_see_none_of_wangjiang(records, api_as):
    client = api_as(records.users["other_staff"])
    rows = client.get("/figures/residents/rows").json()
    assert [r["label"] for r in rows["items"]] == ["赵六"]
    refused = client.get("/figures", community=WJ)
    assert refused.status_code == 422
    assert "没有找到编码为“510402001001”的社区" in refused.json()["errors"]["community"][0]


def test_a_grid_chief_may_ask_for_the_community_that_holds_the_grid(records, figures_of):
    got = figures_of(records.users["grid"], community=WJ, **PERIOD)
    assert got["households"] == 2


def test_community_staff_may_ask_for_their_subdistrict_and_read_their_community(
    records, figures_of
):
    got = figures_of(records.users["staff"], subdistrict=SD, **PERIOD)
    assert got["households"] == 3


@pytest.mark.parametrize("path", ["/api/v1/figures", "/api/v1/figures/households/rows"])
def test_anonymous_is_asked_to_log_in(client, world, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.json()["detail"] == "请先登录。"


# --- bad input ------------------------------------------------------------------------------

BAD = [
    ({"community": "999"}, "community", "没有找到编码为“999”的社区"),
    ({"subdistrict": "999"}, "subdistrict", "没有找到编码为“999”的街道"),
    ({"community": OT, "subdistrict": "510402999"}, "subdistrict", "街道"),
    ({"from": "2026-12-01", "to": "2026-01-01"}, "from", "开始日期不能晚于结束日期"),
    ({"from": "2026-13-01"}, "from", "2026-03-01"),
    ({"to": "昨天"}, "to", "2026-03-01"),
    ({"from": "9999-01-01"}, "from", "1900"),
    ({"to": "2026-02-30"}, "to", "2026-03-01"),
]


@pytest.mark.parametrize("path", ["/figures", "/figures/households/rows"])
@pytest.mark.parametrize(("params", "field", "words"), BAD)
def test_bad_input_is_refused_in_chinese(world, api_as, path, params, field, words):
    response = api_as(world.users["admin"]).get(path, **params)
    body = response.json()
    assert response.status_code == 422, body
    assert words in body["errors"][field][0]
    assert body["detail"] == "请检查填写的内容。"


def test_a_community_in_another_subdistrict_is_refused(world, api_as):
    from gongzhi.places.models import Subdistrict

    Subdistrict.objects.create(code="510402002", name="另一个街道")
    response = api_as(world.users["admin"]).get("/figures", community=WJ, subdistrict="510402002")
    assert response.status_code == 422
    assert "社区" in response.json()["errors"]["community"][0]


def test_a_code_too_long_is_refused_by_the_schema(world, api_as):
    response = api_as(world.users["admin"]).get("/figures", community="1" * 40)
    assert response.status_code == 422
    assert response.json()["errors"]["community"] == ["不能超过32字。"]


def test_an_unknown_figure_is_not_found(world, api_as):
    response = api_as(world.users["admin"]).get("/figures/no_such_figure/rows")
    assert response.status_code == 404
    assert response.json()["detail"] == "未找到。"


def test_a_resident_asking_for_a_community_is_refused_like_an_unknown_code(world, api_as):
    response = api_as(world.users["resident"]).get("/figures", community=WJ)
    assert response.status_code == 422
    assert "不在您的查看范围内" in response.json()["errors"]["community"][0]
