"""Surveys over the API, through the same selectors and services as the pages.

A visitor sees only their assignment; a grid chief their grid's households; community staff
the whole campaign. ``POST /surveys/sync`` takes the phone's queued records and answers
each one on its own: ok, replayed (already applied, nothing changed) or a Chinese error."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from ninja.pagination import paginate

from gongzhi.surveys import selectors, services
from gongzhi.surveys.models import Campaign

from .api import ERRORS, api
from .inputs import Id
from .pagination import Mapped, Page


class CampaignOut(Schema):
    id: int
    name: str
    area_name: str
    status: str
    starts_on: dt.date
    ends_on: dt.date


def _campaign_out(c: Campaign) -> dict:
    return {
        "id": c.pk,
        "name": c.name,
        "area_name": c.area_name,
        "status": c.status,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
    }


@api.get("/surveys/campaigns", response={200: list[CampaignOut], **ERRORS}, tags=["surveys"])
@paginate(Page)
def survey_campaigns(request):
    """Campaigns over the caller's reach or assignment."""
    return Mapped(selectors.campaigns_visible_to(request.auth), _campaign_out)


class RatesRow(Schema):
    label: str = ""
    households: int
    reached: int
    valid: int
    support: int
    coverage: Decimal | None
    valid_rate: Decimal | None
    support_rate: Decimal | None


class RatesOut(Schema):
    campaign_id: int
    overall: RatesRow
    buildings: list[RatesRow]
    grids: list[RatesRow]


def _row(r) -> dict:
    return {"label": r.label, **r.as_dict()}


@api.get(
    "/surveys/campaigns/{campaign_id}/rates",
    response={200: RatesOut, **ERRORS},
    tags=["surveys"],
)
def survey_campaign_rates(request, campaign_id: Id):
    """Households, reached, valid, support, coverage (reached/households), valid rate
    (valid/reached) and support rate (support/valid), in percent with two decimals: overall
    and per building and grid, over the households the caller reaches."""
    campaign = selectors.campaign_get_visible(request.auth, campaign_id)
    r = selectors.rates(request.auth, campaign)
    return {
        "campaign_id": campaign.pk,
        "overall": _row(r.overall),
        "buildings": [_row(b) for b in r.buildings],
        "grids": [_row(g) for g in r.grids],
    }


class QuestionOut(Schema):
    key: str
    position: int
    text: str
    kind: str
    required: bool
    choices: list[str]
    show_if_key: str
    show_if_values: list[str]
    is_support: bool


class MemberOut(Schema):
    id: int
    label: str


class HouseholdOut(Schema):
    id: int
    address: str
    building: str
    reached: bool
    valid: bool
    members: list[MemberOut]


class AssignmentOut(Schema):
    campaign: CampaignOut
    version_id: int | None
    version: int | None
    questions: list[QuestionOut]
    households: list[HouseholdOut]


@api.get(
    "/surveys/campaigns/{campaign_id}/assignment",
    response={200: AssignmentOut, **ERRORS},
    tags=["surveys"],
)
def survey_assignment(request, campaign_id: Id):
    """The caller's households to visit, by building, with the questionnaire to ask: a
    visitor's assigned buildings; a grid chief or grid worker without an assignment, their
    grid."""
    campaign = selectors.campaign_get_visible(request.auth, campaign_id)
    return selectors.assignment_data(request.auth, campaign)


class SyncIn(Schema):
    records: list[Any] = Field(
        ...,
        max_length=services.SYNC_MAX_RECORDS,
        description=(
            "手机上排队的记录，每条带手机生成的 client_id。走访："
            '{"type": "visit", "client_id", "campaign_id", "household_id", "outcome", '
            '"visited_at", "note"}；答卷：{"type": "response", "client_id", "campaign_id", '
            '"household_id", "version_id", "answers", "respondent_id", "consent", '
            '"answered_at", "visit_client_id", "photo"（data: URL，最大2MB）}'
        ),
    )


class SyncResult(Schema):
    client_id: str
    status: str = Field(..., description="ok、replayed 或 error")
    error: str


class SyncOut(Schema):
    ok: int
    replayed: int
    errors: int
    results: list[SyncResult]


@api.post("/surveys/sync", response={200: SyncOut, **ERRORS}, tags=["surveys"])
def survey_sync(request, payload: SyncIn):
    """Apply the phone's queued visits and answers, each record in its own savepoint. A bad
    record gets its own Chinese error and the rest are kept; a record already applied (its
    client_id known) is reported as replayed and changes nothing."""
    results = services.sync_apply(actor=request.auth, records=payload.records)
    count = {s: sum(1 for r in results if r["status"] == s) for s in ("ok", "replayed", "error")}
    return {
        "ok": count["ok"],
        "replayed": count["replayed"],
        "errors": count["error"],
        "results": results,
    }
