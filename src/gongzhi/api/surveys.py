"""Surveys over the API, through the same selectors and services as the pages.

A visitor sees only their assignment; a grid chief their grid's households; community staff
the whole campaign. ``POST /surveys/sync`` takes the phone's queued records and answers
each one on its own: ok, replayed (already applied, nothing changed) or a Chinese error."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from gongzhi.accounts.models import User
from gongzhi.core.scoping import get_visible_or_404
from gongzhi.places.models import Building, Community
from gongzhi.surveys import selectors, services
from gongzhi.surveys.models import Campaign, Questionnaire

from .api import ERRORS, api
from .inputs import Id, code, limited
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
    # Valid answers that take a side on the support question: the support rate's base.
    stated: int
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


class SurveyHouseholdOut(Schema):
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
    households: list[SurveyHouseholdOut]


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


# --- management: the data-driven questionnaire builder, campaigns, the base survey ------


class IdOut(Schema):
    id: int


class QuestionnaireIn(Schema):
    community_id: Id
    title: str = limited(100, ...)


@api.post("/surveys/questionnaires", response={201: IdOut, **ERRORS}, tags=["surveys"])
def survey_questionnaire_create(request, payload: QuestionnaireIn):
    """A questionnaire of a community (community staff), with an empty first version."""
    community = get_visible_or_404(request.auth, Community.objects.all(), pk=payload.community_id)
    q = services.questionnaire_create(actor=request.auth, community=community, title=payload.title)
    return Status(201, {"id": q.pk})


class QuestionIn(Schema):
    key: str = code(40, ...)
    text: str = limited(200, ...)
    kind: str = code(20, ..., description="single、multiple、text、number、yes_no、photo")
    required: bool = True
    choices: list[str] = Field(default_factory=list, max_length=30)
    show_if_key: str = code(40)
    show_if_values: list[str] = Field(default_factory=list, max_length=30)
    is_support: bool = False
    support_value: str = code(100)
    against_value: str = code(100)


class QuestionAddedOut(Schema):
    id: int
    version: int


@api.post(
    "/surveys/questionnaires/{questionnaire_id}/questions",
    response={201: QuestionAddedOut, **ERRORS},
    tags=["surveys"],
)
def survey_question_add(request, questionnaire_id: Id, payload: QuestionIn):
    """Add a question. A version with answers is frozen: the question then goes into a new
    version, with the earlier questions copied."""
    questionnaire = get_visible_or_404(
        request.auth, Questionnaire.objects.select_related("community"), pk=questionnaire_id
    )
    q = services.question_add(actor=request.auth, questionnaire=questionnaire, **payload.dict())
    return Status(201, {"id": q.pk, "version": q.version.number})


class CampaignIn(Schema):
    community_id: Id
    questionnaire_id: Id
    name: str = limited(100, ...)
    area_name: str = limited(100, ...)
    starts_on: dt.date
    ends_on: dt.date
    grid_ids: list[Id] = Field(default_factory=list, max_length=500)
    compound_ids: list[Id] = Field(default_factory=list, max_length=500)
    building_ids: list[Id] = Field(default_factory=list, max_length=5000)


@api.post("/surveys/campaigns", response={201: CampaignOut, **ERRORS}, tags=["surveys"])
def survey_campaign_create(request, payload: CampaignIn):
    """A campaign over the households of the chosen grids, compounds and buildings."""
    community = get_visible_or_404(request.auth, Community.objects.all(), pk=payload.community_id)
    questionnaire = get_visible_or_404(
        request.auth, Questionnaire.objects.all(), pk=payload.questionnaire_id
    )
    campaign = services.campaign_create(
        actor=request.auth,
        community=community,
        name=payload.name,
        area_name=payload.area_name,
        questionnaire=questionnaire,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        grids=payload.grid_ids,
        compounds=payload.compound_ids,
        buildings=payload.building_ids,
    )
    return Status(201, _campaign_out(campaign))


class AssignmentIn(Schema):
    building_id: Id
    visitor_id: Id
    visitor_kind: str = code(20, ..., description="grid_worker、party_member、volunteer")


@api.post(
    "/surveys/campaigns/{campaign_id}/assignments",
    response={201: IdOut, **ERRORS},
    tags=["surveys"],
)
def survey_assignment_add(request, campaign_id: Id, payload: AssignmentIn):
    """Give a building's households in the campaign to a visitor."""
    campaign = selectors.campaign_get_visible(request.auth, campaign_id)
    building = get_visible_or_404(request.auth, Building.objects.all(), pk=payload.building_id)
    visitor = User.objects.filter(pk=payload.visitor_id, is_active=True).first()
    if visitor is None:
        raise Http404
    a = services.assignment_add(
        actor=request.auth,
        campaign=campaign,
        building=building,
        visitor=visitor,
        visitor_kind=payload.visitor_kind,
    )
    return Status(201, {"id": a.pk})


class BaseSurveyIn(Schema):
    community_id: Id
    name: str = limited(100, ...)
    starts_on: dt.date
    target_on: dt.date


@api.post("/surveys/base-surveys", response={201: IdOut, **ERRORS}, tags=["surveys"])
def survey_base_create(request, payload: BaseSurveyIn):
    """摸排 of a community's buildings, with a target date."""
    community = get_visible_or_404(request.auth, Community.objects.all(), pk=payload.community_id)
    s = services.base_survey_create(
        actor=request.auth,
        community=community,
        name=payload.name,
        starts_on=payload.starts_on,
        target_on=payload.target_on,
    )
    return Status(201, {"id": s.pk})


class BuildingSurveyIn(Schema):
    building_id: Id
    surveyed_on: dt.date
    structure: str = code(20, ...)
    floors: int = Field(..., ge=1, le=100)
    year_built: int | None = Field(None, ge=1900, le=2100)
    has_elevator: bool = False
    gas: str = code(20, "none")
    water: str = code(20, "none")
    power: str = code(20, "none")
    comms: str = code(20, "none")
    has_railings: bool = False
    illegal_count: int = Field(0, ge=0, le=1000)
    illegal_kind: str = limited(200)
    note: str = limited(500)


@api.post(
    "/surveys/base-surveys/{base_survey_id}/buildings",
    response={201: IdOut, **ERRORS},
    tags=["surveys"],
)
def survey_building_record(request, base_survey_id: Id, payload: BuildingSurveyIn):
    """What the surveyor observed of one building (grid staff of its grid)."""
    survey = selectors.base_surveys_visible_to(request.auth).filter(pk=base_survey_id).first()
    if survey is None:
        raise Http404
    building = get_visible_or_404(request.auth, Building.objects.all(), pk=payload.building_id)
    fields = payload.dict()
    fields.pop("building_id")
    record = services.building_survey_record(
        actor=request.auth, base_survey=survey, building=building, **fields
    )
    return Status(201, {"id": record.pk})
