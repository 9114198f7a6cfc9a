"""The surveys API: sync with per-record answers, rates, the assignment, scoped."""

import json

import pytest
from django.utils import timezone

from gongzhi.surveys.models import Response, Visit


class Api:
    def __init__(self, client):
        self.client = client

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path, body=None):
        return self.client.post(
            f"/api/v1{path}", json.dumps(body or {}), content_type="application/json"
        )


@pytest.fixture
def api_as(login):
    return lambda user: Api(login(user))


def _batch(survey):
    c, hh, now = survey.campaign, survey.households, timezone.now().isoformat()
    return [
        {
            "type": "visit",
            "client_id": "p1-v1",
            "campaign_id": c.pk,
            "household_id": hh["1-1-101"].pk,
            "outcome": "answered",
            "visited_at": now,
        },
        {
            "type": "response",
            "client_id": "p1-r1",
            "campaign_id": c.pk,
            "household_id": hh["1-1-101"].pk,
            "version_id": survey.version.pk,
            "answers": {"support": "支持", "needs": ["加装电梯"]},
            "respondent_id": survey.residents["zhangsan"].pk,
            "consent": True,
            "answered_at": now,
            "visit_client_id": "p1-v1",
        },
        {
            "type": "visit",
            "client_id": "p1-v2",
            "campaign_id": c.pk,
            "household_id": hh["1-2-201"].pk,
            "outcome": "banana",
            "visited_at": now,
        },
        {"type": "response", "client_id": "p1-r2", "campaign_id": c.pk},
    ]


def test_sync_then_replay(survey, api_as):
    api = api_as(survey.users["volunteer"])
    first = api.post("/surveys/sync", {"records": _batch(survey)})
    assert first.status_code == 200, first.content
    body = first.json()
    assert (body["ok"], body["replayed"], body["errors"]) == (2, 0, 2)
    assert body["results"][2] == {
        "client_id": "p1-v2",
        "status": "error",
        "error": "请选择走访结果。",
    }
    assert body["results"][3]["error"]
    again = api.post("/surveys/sync", {"records": _batch(survey)}).json()
    assert (again["ok"], again["replayed"], again["errors"]) == (0, 2, 2)
    assert Visit.objects.count() == 1 and Response.objects.count() == 1
    rates = api.get(f"/surveys/campaigns/{survey.campaign.pk}/rates").json()
    assert rates["overall"]["reached"] == 1
    assert rates["overall"]["valid"] == 1


def test_sync_malformed_batch(survey, api_as):
    api = api_as(survey.users["volunteer"])
    r = api.post("/surveys/sync", {"records": "nope"})
    assert r.status_code == 422
    assert r.json()["errors"]["records"] == ["应为列表。"]
    r = api.client.post("/api/v1/surveys/sync", "{not json", content_type="application/json")
    assert r.status_code == 400
    assert r.json() == {"detail": "请求内容不是有效的 JSON。"}
    too_many = [{"type": "visit"}] * 501
    r = api.post("/surveys/sync", {"records": too_many})
    assert r.status_code == 422


def test_rates_endpoint(survey, api_as, visit, answer):
    visit("1-1-101", "answered")
    answer("1-1-101")
    r = api_as(survey.users["staff"]).get(f"/surveys/campaigns/{survey.campaign.pk}/rates")
    body = r.json()
    assert body["overall"] == {
        "label": "",
        "households": 3,
        "reached": 1,
        "valid": 1,
        "stated": 1,
        "support": 1,
        "coverage": "33.33",
        "valid_rate": "100.00",
        "support_rate": "100.00",
    }
    assert [b["label"] for b in body["buildings"]] == ["1栋", "2栋"]
    grid = api_as(survey.users["grid"]).get(f"/surveys/campaigns/{survey.campaign.pk}/rates")
    assert grid.json()["overall"]["households"] == 2


def test_assignment_shows_only_the_visitors_buildings(survey, api_as):
    body = (
        api_as(survey.users["volunteer"])
        .get(f"/surveys/campaigns/{survey.campaign.pk}/assignment")
        .json()
    )
    assert [h["address"] for h in body["households"]] == ["1栋1单元101", "1栋2单元201"]
    assert body["households"][0]["members"] == [
        {"id": survey.residents["zhangsan"].pk, "label": "张*（1950年生）"}
    ]
    assert [q["key"] for q in body["questions"]] == ["support", "needs", "why_not", "note"]
    grid2 = (
        api_as(survey.users["grid_worker"])
        .get(f"/surveys/campaigns/{survey.campaign.pk}/assignment")
        .json()
    )
    assert [h["address"] for h in grid2["households"]] == ["2栋1单元101"]


@pytest.mark.parametrize("role", ["nobody", "other_staff", "partner", "resident"])
def test_campaign_out_of_reach_is_not_found(survey, api_as, role):
    api = api_as(survey.users[role])
    assert api.get(f"/surveys/campaigns/{survey.campaign.pk}/rates").status_code == 404
    assert api.get(f"/surveys/campaigns/{survey.campaign.pk}/assignment").status_code == 404
    assert api.get("/surveys/campaigns").json()["count"] == 0


@pytest.mark.parametrize(
    "role, seen", [("staff", 1), ("grid", 1), ("building", 1), ("volunteer", 1), ("nobody", 0)]
)
def test_campaign_list_by_role(survey, api_as, role, seen):
    assert api_as(survey.users[role]).get("/surveys/campaigns").json()["count"] == seen


def test_sync_refuses_anonymous(survey, client):
    r = client.post("/api/v1/surveys/sync", "{}", content_type="application/json")
    assert r.status_code == 401


def test_assignment_query_count(survey, api_as, django_assert_max_num_queries):
    api = api_as(survey.users["volunteer"])
    url = f"/surveys/campaigns/{survey.campaign.pk}/assignment"
    api.get(url)
    with django_assert_max_num_queries(12):
        assert api.get(url).status_code == 200
