"""Compound self-governance over the API, through the same rules, selectors and services
as the pages: the compounds in reach and who governs them, a compound's bodies, the
writes (terms, members, contracts, self-management, stewards, meetings, notices), routing
a property case, and the grid stations' duty."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from gongzhi.compounds import rules, selectors, services
from gongzhi.compounds.enums import Governance
from gongzhi.compounds.models import NAME_MAX, NOTE_MAX, TEXT_MAX, TITLE_MAX, CommitteeTerm
from gongzhi.core.scoping import get_visible_or_404, visible
from gongzhi.orgs.enums import PartnerKind
from gongzhi.orgs.models import PartnerUnit
from gongzhi.places.models import Building, Compound, Resident
from gongzhi.voices import selectors as voice_selectors

from .api import ERRORS, api
from .inputs import Id, limited

TAGS = ["compounds"]
LIST_LIMIT = 500


class CompoundOut(Schema):
    id: int
    name: str
    community: str = Field(..., description="社区编码")
    governance: str = Field(..., description="property | self | none（今天）")
    governance_label: str
    responsible_unit: str | None = Field(None, description="物业类诉求转交的单位")


class CompoundMemberOut(Schema):
    name: str
    post: str
    party_member: bool = Field(..., description="按党员登记计算")


class CompoundTermOut(Schema):
    id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date
    members: list[CompoundMemberOut]
    red_share: int = Field(..., description="党员占比（百分比）")


class CompoundContractOut(Schema):
    id: int
    company: str
    starts_on: dt.date
    ends_on: dt.date
    scope: str
    fee: Decimal
    contact_name: str
    contact_phone: str = Field(..., description="已遮挡")
    manager_name: str
    red_share: int


class CompoundStewardOut(Schema):
    name: str
    duty: str
    receives_dispatches: bool


class CompoundDetailOut(CompoundOut):
    terms: list[CompoundTermOut]
    contracts: list[CompoundContractOut]
    self_management: str | None
    stewards: list[CompoundStewardOut]


class CompoundMeasureOut(Schema):
    company: str
    compounds: int
    dispatches: int
    on_time: int
    verified: int


class CompoundShiftOut(Schema):
    id: int
    on: dt.date
    name: str
    team: str | None
    hours: str


class CompoundStationOut(Schema):
    id: int
    name: str
    address: str
    shifts: list[CompoundShiftOut]


class CompoundTermIn(Schema):
    name: str = limited(NAME_MAX)
    elected_on: dt.date | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    votes_cast: int = Field(0, ge=0, le=1_000_000)
    note: str = limited(NOTE_MAX)


class CompoundMemberIn(Schema):
    term_id: Id
    post: str = limited(20)
    resident_id: Id | None = None
    name: str = limited(NAME_MAX)


class CompoundContractIn(Schema):
    company_id: Id
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    scope: str = limited(NOTE_MAX)
    fee: str = limited(12)
    contact_name: str = limited(NAME_MAX)
    contact_phone: str = limited(20)
    manager_name: str = limited(NAME_MAX)


class CompoundGroupIn(Schema):
    name: str = limited(TITLE_MAX)
    started_on: dt.date | None = None


class CompoundStewardIn(Schema):
    resident_id: Id | None = None
    name: str = limited(NAME_MAX)
    duty: str = limited(NAME_MAX)


class CompoundMeetingIn(Schema):
    body: str = limited(20)
    held_on: dt.date | None = None
    title: str = limited(TITLE_MAX)
    minutes: str = limited(TEXT_MAX)
    decisions: list[str] = Field(default_factory=list, max_length=20)


class CompoundNoticeIn(Schema):
    body: str = limited(20)
    title: str = limited(TITLE_MAX)
    text: str = limited(TEXT_MAX)
    building_ids: list[Id] = Field(default_factory=list, max_length=200)


class CompoundShiftIn(Schema):
    on: dt.date | None = None
    name: str = limited(NAME_MAX)
    resident_id: Id | None = None
    phone: str = limited(20)
    hours: str = limited(40, "9:00-17:00")


class CompoundDispatchOut(Schema):
    id: int
    item: str
    unit: str
    status: str


def _compound_out(compound: Compound, day: dt.date, governing=None) -> dict:
    governing = governing or selectors.governance_of([compound], day)[compound.pk]
    how, unit = governing.governance, governing.unit
    return {
        "id": compound.pk,
        "name": compound.name,
        "community": compound.community.code,
        "governance": how,
        "governance_label": str(Governance(how).label),
        "responsible_unit": (unit.short_name or unit.name) if unit else None,
    }


def _compound(user, compound_id: int) -> Compound:
    return get_visible_or_404(user, Compound.objects.select_related("community"), pk=compound_id)


def _managed(user, compound_id: int) -> Compound:
    compound = _compound(user, compound_id)
    if not rules.may_manage(user, compound):
        raise Http404
    return compound


def _resident(user, compound: Compound, pk: int | None) -> Resident | None:
    if pk is None:
        return None
    resident = visible(user, Resident.objects.filter(community=compound.community_id)).filter(pk=pk)
    found = resident.first()
    if found is None:
        raise ValidationError({"resident_id": [_("请选择本社区的居民。")]})
    return found


@api.get("/compounds", response={200: list[CompoundOut], **ERRORS}, tags=TAGS)
def compounds_list(request):
    """The compounds in reach and who governs each today."""
    user = request.auth
    if not rules.uses_compounds(user):
        raise Http404
    day = timezone.localdate()
    compounds = list(selectors.compound_list(user).select_related("community")[:LIST_LIMIT])
    governing = selectors.governance_of(compounds, day)
    return [_compound_out(c, day, governing[c.pk]) for c in compounds]


@api.get("/compounds/measures", response={200: list[CompoundMeasureOut], **ERRORS}, tags=TAGS)
def compounds_measures(request):
    """Per property company serving a compound in reach: dispatches, on time, verified."""
    user = request.auth
    if not rules.uses_compounds(user):
        raise Http404
    return [
        {
            "company": m.unit.name,
            "compounds": m.compounds,
            "dispatches": m.dispatches,
            "on_time": m.on_time,
            "verified": m.verified,
        }
        for m in selectors.company_measures(user)
    ]


@api.get("/compounds/on-duty", response={200: list[CompoundStationOut], **ERRORS}, tags=TAGS)
def compounds_on_duty(request):
    """今天谁值班: a resident's own grid station; staff, the stations in reach."""
    user = request.auth
    if getattr(user, "resident_id", None) and not rules.uses_compounds(user):
        stations = list(selectors.resident_stations(user))
    else:
        stations = list(selectors.station_list(user)[:LIST_LIMIT])
    duty = selectors.on_duty(stations, timezone.localdate())
    return [_station_out(s, duty.get(s.pk, [])) for s in stations]


def _station_out(station, shifts) -> dict:
    return {
        "id": station.pk,
        "name": station.name,
        "address": station.address,
        "shifts": [
            {
                "id": s.pk,
                "on": s.on,
                "name": s.name,
                "team": s.team.name if s.team_id else None,
                "hours": s.hours,
            }
            for s in shifts
        ],
    }


@api.get("/compounds/{compound_id}", response={200: CompoundDetailOut, **ERRORS}, tags=TAGS)
def compounds_detail(request, compound_id: Id):
    user = request.auth
    if not rules.uses_compounds(user):
        raise Http404
    compound = _compound(user, compound_id)
    v = selectors.compound_view(compound)
    out = _compound_out(compound, timezone.localdate())
    out["terms"] = [
        {
            "id": t.pk,
            "name": t.name,
            "starts_on": t.starts_on,
            "ends_on": t.ends_on,
            "members": [
                {
                    "name": m.name,
                    "post": m.post,
                    "party_member": m.resident_id in v.party_ids,
                }
                for m in t.members.all()
            ],
            "red_share": selectors.red_share_of_members(t.members.all(), v.party_ids).percent,
        }
        for t in v.terms
    ]
    out["contracts"] = [
        {
            "id": c.pk,
            "company": c.company.name,
            "starts_on": c.starts_on,
            "ends_on": c.ends_on,
            "scope": c.scope,
            "fee": c.fee,
            "contact_name": c.contact_name,
            "contact_phone": c.contact_phone_masked,
            "manager_name": c.manager_name,
            "red_share": selectors.red_share_of_members(c.staff.all(), v.party_ids).percent,
        }
        for c in v.contracts
    ]
    out["self_management"] = v.group.name if v.group else None
    out["stewards"] = (
        [
            {"name": s.name, "duty": s.duty, "receives_dispatches": bool(s.user_id)}
            for s in v.group.stewards.all()
        ]
        if v.group
        else []
    )
    return out


@api.post("/compounds/{compound_id}/terms", response={201: CompoundOut, **ERRORS}, tags=TAGS)
def compounds_term_create(request, compound_id: Id, payload: CompoundTermIn):
    user = request.auth
    compound = _managed(user, compound_id)
    services.committee_term_create(actor=user, compound=compound, **payload.dict())
    return Status(201, _compound_out(compound, timezone.localdate()))


@api.post("/compounds/{compound_id}/members", response={201: CompoundOut, **ERRORS}, tags=TAGS)
def compounds_member_add(request, compound_id: Id, payload: CompoundMemberIn):
    user = request.auth
    compound = _managed(user, compound_id)
    term = CommitteeTerm.objects.filter(compound=compound, pk=payload.term_id).first()
    if term is None:
        raise ValidationError({"term_id": [_("请选择本小区的业主委员会届次。")]})
    services.committee_member_add(
        actor=user,
        term=term,
        post=payload.post,
        resident=_resident(user, compound, payload.resident_id),
        name=payload.name,
    )
    return Status(201, _compound_out(compound, timezone.localdate()))


@api.post("/compounds/{compound_id}/contracts", response={201: CompoundOut, **ERRORS}, tags=TAGS)
def compounds_contract_create(request, compound_id: Id, payload: CompoundContractIn):
    user = request.auth
    compound = _managed(user, compound_id)
    company = PartnerUnit.objects.filter(pk=payload.company_id, kind=PartnerKind.ENTERPRISE).first()
    if company is None:
        raise ValidationError({"company_id": [_("请选择物业服务企业。")]})
    data = payload.dict()
    data.pop("company_id")
    services.property_contract_create(actor=user, compound=compound, company=company, **data)
    return Status(201, _compound_out(compound, timezone.localdate()))


@api.post(
    "/compounds/{compound_id}/self-management",
    response={201: CompoundOut, **ERRORS},
    tags=TAGS,
)
def compounds_group_create(request, compound_id: Id, payload: CompoundGroupIn):
    user = request.auth
    compound = _managed(user, compound_id)
    services.self_management_create(
        actor=user, compound=compound, name=payload.name, started_on=payload.started_on
    )
    return Status(201, _compound_out(compound, timezone.localdate()))


@api.post("/compounds/{compound_id}/stewards", response={201: CompoundOut, **ERRORS}, tags=TAGS)
def compounds_steward_add(request, compound_id: Id, payload: CompoundStewardIn):
    """A steward without a login; logins are given on the page, by username."""
    user = request.auth
    compound = _managed(user, compound_id)
    group = selectors.group_on(compound, timezone.localdate())
    if group is None:
        raise ValidationError(_("请先成立小区自治管理小组。"))
    services.steward_add(
        actor=user,
        group=group,
        resident=_resident(user, compound, payload.resident_id),
        name=payload.name,
        duty=payload.duty,
    )
    return Status(201, _compound_out(compound, timezone.localdate()))


@api.post("/compounds/{compound_id}/meetings", response={201: CompoundOut, **ERRORS}, tags=TAGS)
def compounds_meeting_record(request, compound_id: Id, payload: CompoundMeetingIn):
    user = request.auth
    compound = _managed(user, compound_id)
    services.meeting_record(actor=user, compound=compound, **payload.dict())
    return Status(201, _compound_out(compound, timezone.localdate()))


@api.post("/compounds/{compound_id}/notices", response={201: CompoundOut, **ERRORS}, tags=TAGS)
def compounds_notice_post(request, compound_id: Id, payload: CompoundNoticeIn):
    user = request.auth
    compound = _managed(user, compound_id)
    buildings = list(Building.objects.filter(pk__in=payload.building_ids))
    if len(buildings) != len(set(payload.building_ids)):
        raise ValidationError({"building_ids": [_("只能发布到本小区的楼栋。")]})
    services.notice_post(
        actor=user,
        compound=compound,
        body=payload.body,
        title=payload.title,
        text=payload.text,
        buildings=buildings,
    )
    return Status(201, _compound_out(compound, timezone.localdate()))


@api.post("/compounds/route/{item_id}", response={201: CompoundDispatchOut, **ERRORS}, tags=TAGS)
def compounds_route(request, item_id: Id):
    """Send a property case to its compound's company, or to the stewards."""
    user = request.auth
    item = voice_selectors.get_item_visible_or_404(user, pk=item_id)
    dispatch = services.item_route_to_compound(actor=user, item=item)
    return Status(
        201,
        {
            "id": dispatch.pk,
            "item": item.number,
            "unit": dispatch.unit.name,
            "status": dispatch.status,
        },
    )


@api.post(
    "/compounds/stations/{station_id}/shifts",
    response={201: CompoundStationOut, **ERRORS},
    tags=TAGS,
)
def compounds_shift_add(request, station_id: Id, payload: CompoundShiftIn):
    user = request.auth
    station = get_visible_or_404(user, selectors.station_list(user), pk=station_id)
    if not rules.may_keep_roster(user, station):
        raise Http404
    resident = None
    if payload.resident_id is not None:
        resident = (
            visible(user, Resident.objects.filter(community=station.community_id))
            .filter(pk=payload.resident_id)
            .first()
        )
        if resident is None:
            raise ValidationError({"resident_id": [_("请选择本社区的居民。")]})
    services.duty_shift_add(
        actor=user,
        station=station,
        on=payload.on,
        name=payload.name,
        resident=resident,
        phone=payload.phone,
        hours=payload.hours,
    )
    duty = selectors.on_duty([station], payload.on)
    return Status(201, _station_out(station, duty.get(station.pk, [])))
