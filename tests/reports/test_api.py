"""GET /api/v1/reports/work: the report's sections and figures, in the caller's reach."""

from __future__ import annotations

import pytest

from gongzhi.figures import registry

from .conftest import ASKED, WJ

pytestmark = pytest.mark.django_db


def test_the_api_gives_sections_and_figures(many_events, api_as):
    response = api_as(many_events.users["secretary"]).get("/reports/work", **ASKED)
    body = response.json()
    assert response.status_code == 200, body
    assert [s["key"] for s in body["sections"]] == ["overview", "core", "voice", "reach", "micro"]
    figures = {f["key"]: f for s in body["sections"] for f in s["figures"]}
    assert sorted(figures) == sorted(registry.FIGURES)
    assert (figures["opinion_events"]["text"], figures["opinion_events"]["exact"]) == (
        "130余场",
        "138场",
    )
    assert figures["opinion_events"]["drill"] == (
        f"/figures/opinion_events/?community={WJ}&from=2026-01-01&to=2026-11-30"
    )
    assert "民意征集活动130余场" in body["sections"][2]["sentences"][1]
    assert (body["from"], body["to"]) == ("2026-01-01", "2026-11-30")


@pytest.mark.parametrize("role", ["resident", "partner", "nobody"])
def test_who_has_no_reach_gets_404(world, api_as, role):
    assert api_as(world.users[role]).get("/reports/work", **ASKED).status_code == 404


def test_a_bad_period_is_refused_in_chinese(world, api_as):
    response = api_as(world.users["secretary"]).get(
        "/reports/work", **{**ASKED, "from": "2026-12-01"}
    )
    # A refusal of what was asked, field by field, as every route of the API answers it.
    assert response.status_code == 422
    assert response.json()["errors"] == {"from": ["开始日期不能晚于结束日期。"]}
