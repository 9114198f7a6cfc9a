"""The place tree and the register. Personal data leaves only masked; the full value of one
field of one resident comes from ``/residents/{id}/reveal``, which is audited."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from gongzhi.core.choices import choice_label
from gongzhi.core.scoping import get_visible_or_404, visible
from gongzhi.places import services
from gongzhi.places.enums import Gender, Relation, Residence, ResidentStatus
from gongzhi.places.models import Building, CareTag, Entrance, Grid, Household, Resident
from gongzhi.places.selectors import community_figures, is_personal_query, resident_search

from .api import ERRORS, api
from .inputs import Id, code, filter_, limited
from .pagination import MAX_OFFSET, Mapped, Page

GenderCode = Literal[tuple(Gender.values)]
RelationCode = Literal[tuple(Relation.values)]
ResidenceCode = Literal[tuple(Residence.values)]
StatusCode = Literal[tuple(ResidentStatus.values)]


class CommunityOut(Schema):
    code: str
    name: str
    buildings: int
    households: int
    residents: int
    residents_60_plus: int


@api.get("/communities", response={200: list[CommunityOut], **ERRORS}, tags=["places"])
def communities(request):
    """Communities the caller may see, with figures counted from records in the caller's reach."""
    return [
        {
            "code": row["community"].code,
            "name": row["community"].name,
            "buildings": row["buildings"],
            "households": row["households"],
            "residents": row["residents"],
            "residents_60_plus": row["residents_60_plus"],
        }
        for row in community_figures(request.auth)
    ]


class GridOut(Schema):
    id: int
    code: str
    name: str
    community: str = Field(..., description="社区编码")


@api.get("/grids", response={200: list[GridOut], **ERRORS}, tags=["places"])
def grids(request, community: str = filter_(32, description="社区编码")):
    """Grids in the caller's reach (and the grid that contains it), optionally of one community."""
    qs = visible(request.auth, Grid.objects.select_related("community"))
    if community:
        qs = qs.filter(community__code=community)
    return [
        {"id": g.pk, "code": g.code, "name": g.name, "community": g.community.code}
        for g in qs.order_by("community_id", "sort_key", "code")
    ]


class BuildingOut(Schema):
    id: int
    number: str
    label: str
    community: str
    grid: str
    compound: str
    floors: int
    has_lift: bool
    year_built: int | None
    address: str


def _building_out(b: Building) -> dict:
    return {
        "id": b.pk,
        "number": b.number,
        "label": str(b),
        "community": b.community.code,
        "grid": b.grid.code,
        "compound": b.compound.name,
        "floors": b.floors,
        "has_lift": b.has_lift,
        "year_built": b.year_built,
        "address": b.address,
    }


@api.get("/buildings", response={200: list[BuildingOut], **ERRORS}, tags=["places"])
@paginate(Page)
def buildings(
    request,
    community: str = filter_(32, description="社区编码"),
    grid: str = filter_(32, description="网格编码"),
):
    """Buildings in the caller's reach; ``community`` and ``grid`` take codes."""
    qs = visible(request.auth, Building.objects.select_related("community", "grid", "compound"))
    if community:
        qs = qs.filter(community__code=community)
    if grid:
        qs = qs.filter(grid__code=grid)
    return Mapped(qs.order_by("community_id", "sort_key", "number", "id"), _building_out)


class EntranceOut(Schema):
    id: int
    number: int
    households: int


class HouseholdBriefOut(Schema):
    id: int
    entrance: int
    door_number: str
    address: str
    residents: int = Field(..., description="在住人数")


class FloorOut(Schema):
    floor: int
    households: list[HouseholdBriefOut]


class BuildingDetailOut(BuildingOut):
    entrances: list[EntranceOut]
    floors_summary: list[FloorOut]


@api.get("/buildings/{building_id}", response={200: BuildingDetailOut, **ERRORS}, tags=["places"])
def building_detail(request, building_id: Id):
    """One building with its entrances and, floor by floor, the households in the caller's
    reach and how many people live in each."""
    user = request.auth
    building = get_visible_or_404(
        user, Building.objects.select_related("community", "grid", "compound"), pk=building_id
    )
    households = list(
        visible(user, Household.objects.filter(building=building))
        .select_related("entrance")
        .annotate(living=Count("residents", filter=Q(residents__status=ResidentStatus.LIVING)))
        .order_by("-floor", "entrance__number", "door_number")
    )
    per_entrance: dict[int, int] = {}
    floors: dict[int, list[dict]] = {}
    for h in households:
        per_entrance[h.entrance_id] = per_entrance.get(h.entrance_id, 0) + 1
        floors.setdefault(h.floor, []).append(
            {
                "id": h.pk,
                "entrance": h.entrance.number,
                "door_number": h.door_number,
                "address": h.address_label,
                "residents": h.living,
            }
        )
    entrances = visible(user, Entrance.objects.filter(building=building)).order_by("number")
    return {
        **_building_out(building),
        "entrances": [
            {"id": e.pk, "number": e.number, "households": per_entrance.get(e.pk, 0)}
            for e in entrances
        ],
        "floors_summary": [{"floor": floor, "households": rows} for floor, rows in floors.items()],
    }


class ResidentOut(Schema):
    id: int
    name: str
    gender: str
    gender_label: str
    age: int | None
    relation: str
    relation_label: str
    residence: str
    status: str
    status_label: str
    household_id: int
    address: str
    community: str
    id_number_masked: str
    phone_masked: str
    care_tags: list[str]


def _resident_out(r: Resident) -> dict:
    return {
        "id": r.pk,
        "name": r.name,
        "gender": r.gender,
        "gender_label": choice_label(r, "gender"),
        "age": r.age(),
        "relation": r.relation,
        "relation_label": choice_label(r, "relation"),
        "residence": r.residence,
        "status": r.status,
        "status_label": choice_label(r, "status"),
        "household_id": r.household_id,
        "address": r.household.address_label,
        "community": r.community.code,
        "id_number_masked": r.id_number_masked,
        "phone_masked": r.phone_masked,
        # Read from the prefetch cache: one query for the whole page.
        "care_tags": [t.code for t in r.care_tags.all()],
    }


def _residents(qs):
    return qs.select_related("household", "community").prefetch_related("care_tags")


class HouseholdOut(Schema):
    id: int
    address: str
    address_code: str
    building_id: int
    entrance: int
    floor: int
    door_number: str
    members: list[ResidentOut]


@api.get("/households/{household_id}", response={200: HouseholdOut, **ERRORS}, tags=["places"])
def household_detail(request, household_id: Id):
    """One household and its members (masked), moved-out and deceased members included."""
    user = request.auth
    household = get_visible_or_404(
        user, Household.objects.select_related("entrance"), pk=household_id
    )
    members = _residents(visible(user, Resident.objects.filter(household=household))).order_by("id")
    return {
        "id": household.pk,
        "address": household.address_label,
        "address_code": household.address_code,
        "building_id": household.building_id,
        "entrance": household.entrance.number,
        "floor": household.floor,
        "door_number": household.door_number,
        "members": [_resident_out(r) for r in members],
    }


class HouseholdIn(Schema):
    entrance_id: Id
    door_number: str = code(20, ..., description="门牌号，如 501")
    floor: int = Field(..., ge=-5, le=200, description="楼层（地下为负数）")


@api.post("/households", response={201: HouseholdOut, **ERRORS}, tags=["places"])
def household_create(request, payload: HouseholdIn):
    """Register a new household (a door) behind an entrance in the caller's reach. Needs
    ``edit_registry`` there; a door number already taken there, or a floor the building does
    not have, answers 422 in Chinese."""
    user = request.auth
    entrance = get_visible_or_404(user, Entrance.objects.all(), pk=payload.entrance_id)
    household = services.household_create(
        actor=user, entrance=entrance, door_number=payload.door_number, floor=payload.floor
    )
    return Status(201, household_detail(request, household.pk))


def _search(request, q: str, include_inactive: bool) -> Mapped:
    # No cap from the selector: the page slices, and the count is over the whole match.
    qs = resident_search(request.auth, q, include_inactive=include_inactive, limit=None)
    return Mapped(qs.prefetch_related("care_tags"), _resident_out)


@api.get("/residents", response={200: list[ResidentOut], **ERRORS}, tags=["register"])
@paginate(Page)
def residents(
    request,
    q: str = filter_(100, description="姓名、拼音或首字母、手机尾号4位或地址"),
    include_inactive: bool = False,
):
    """Search residents in the caller's reach by name, pinyin or initials, the last four
    digits of a phone, or an address such as ``3栋2单元501``. A full phone or ID number is
    refused here (400): a URL is written to access logs on its way; send it in the body of
    ``POST /residents/search``."""
    if is_personal_query(q):
        raise HttpError(
            400,
            _(
                "身份证号和手机号不能放在网址中（网址会被记录在访问日志里）。"
                "请改用 POST /api/v1/residents/search，在请求正文中提交 q。"
            ),
        )
    return _search(request, q, include_inactive)


class ResidentSearchIn(Schema):
    q: str = code(100, description="姓名、拼音或首字母、手机尾号4位、完整手机号或身份证号、地址")
    include_inactive: bool = False
    limit: int = Field(50, ge=1, le=Page.MAX, description="每页条数（最多200）")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")


class ResidentPageOut(Schema):
    items: list[ResidentOut]
    count: int


@api.post(
    "/residents/search",
    response={200: ResidentPageOut, **ERRORS},
    tags=["register"],
)
def residents_search(request, payload: ResidentSearchIn):
    """The same search as ``GET /residents``, everything in the request body, so that a
    full phone or ID number never appears in a URL. Answers a page like the GET."""
    found = _search(request, payload.q, payload.include_inactive)
    return {
        "items": found[payload.offset : payload.offset + payload.limit],
        "count": found.count(),
    }


def _visible_resident(request, resident_id: int) -> Resident:
    return get_visible_or_404(request.auth, _residents(Resident.objects.all()), pk=resident_id)


@api.get("/residents/{resident_id}", response={200: ResidentOut, **ERRORS}, tags=["register"])
def resident_detail(request, resident_id: Id):
    return _resident_out(_visible_resident(request, resident_id))


class RevealIn(Schema):
    field: Literal["id_number", "phone"]
    reason: str = Field(
        "",
        description="查看事由（必填）：home_visit 入户走访 / verify_identity 核实身份 / "
        "emergency 紧急联系 / other 其他（须在 reason_note 中说明）",
    )
    reason_note: str = Field("", description="补充说明；reason 为 other 时必填")


class RevealOut(Schema):
    field: str
    value: str


@api.post("/residents/{resident_id}/reveal", response={200: RevealOut, **ERRORS}, tags=["register"])
def resident_reveal(request, resident_id: Id, payload: RevealIn):
    """The full ID number or phone of one resident, for a reason (查看事由). Needs
    ``reveal_pii``; a call without a reason answers 422 and shows nothing; every reveal is
    written to the audit log with its reason."""
    resident = _visible_resident(request, resident_id)
    value = services.resident_reveal(
        actor=request.auth,
        resident=resident,
        field=payload.field,
        reason=payload.reason,
        reason_note=payload.reason_note,
    )
    return {"field": payload.field, "value": value}


def _care_tags(codes: list[str] | None):
    if codes is None:
        return None
    tags = list(CareTag.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {t.code for t in tags})
    if unknown:
        raise ValidationError(
            {"care_tags": _("未知的关爱标签：%(codes)s") % {"codes": "、".join(unknown)}}
        )
    return tags


class ResidentIn(Schema):
    household_id: Id
    name: str = limited(services.NAME_MAX, ...)
    id_number: str = code(40, description="18位身份证号")
    phone: str = code(40, description="11位手机号")
    gender: GenderCode | None = None
    birth_date: dt.date | None = Field(None, description="1900年至今天")
    relation: RelationCode = "head"
    residence: ResidenceCode = "both"
    registered_address: str = limited(services.ADDRESS_MAX)
    note: str = limited(services.NOTE_MAX)
    care_tags: list[str] = Field(default_factory=list, max_length=20, description="关爱标签代码")


@api.post("/residents", response={201: ResidentOut, **ERRORS}, tags=["register"])
def resident_create(request, payload: ResidentIn):
    """Register a resident in a household in the caller's reach (needs ``edit_registry``)."""
    household = get_visible_or_404(request.auth, Household.objects.all(), pk=payload.household_id)
    data = payload.dict(exclude={"household_id", "care_tags"})
    resident = services.resident_create(
        actor=request.auth, household=household, care_tags=_care_tags(payload.care_tags), **data
    )
    return Status(201, _resident_out(_visible_resident(request, resident.pk)))


class ResidentPatch(Schema):
    """Only the fields sent change. A field may be left out but not sent as null, except
    ``birth_date``, whose null clears it."""

    name: str = limited(services.NAME_MAX, None)
    id_number: str = code(40, None, description="18位身份证号；空字符串清除")
    phone: str = code(40, None, description="11位手机号；空字符串清除")
    gender: GenderCode = None
    birth_date: dt.date | None = Field(None, description="1900年至今天；null 清除")
    relation: RelationCode = None
    residence: ResidenceCode = None
    registered_address: str = limited(services.ADDRESS_MAX, None)
    note: str = limited(services.NOTE_MAX, None)
    care_tags: list[str] = Field(None, max_length=20, description="关爱标签代码")


@api.patch("/residents/{resident_id}", response={200: ResidentOut, **ERRORS}, tags=["register"])
def resident_update(request, resident_id: Id, payload: ResidentPatch):
    """Change the fields sent; an empty ``id_number`` or ``phone`` clears it."""
    resident = _visible_resident(request, resident_id)
    data = payload.dict(exclude_unset=True)
    care_tags = _care_tags(data.pop("care_tags", None))
    services.resident_update(actor=request.auth, resident=resident, care_tags=care_tags, **data)
    return _resident_out(_visible_resident(request, resident_id))


class StatusIn(Schema):
    status: StatusCode = Field(..., description="living 在住 / moved_out 已迁出 / deceased 已故")
    effective_on: dt.date | None = Field(None, description="1900年至2100年；不填为今天")
    reason: str = limited(services.REASON_MAX)


@api.post(
    "/residents/{resident_id}/status",
    response={200: ResidentOut, **ERRORS},
    tags=["register"],
)
def resident_set_status(request, resident_id: Id, payload: StatusIn):
    """Move a resident to another status (moved out, back, deceased); the history is kept."""
    resident = _visible_resident(request, resident_id)
    services.resident_set_status(
        actor=request.auth,
        resident=resident,
        status=payload.status,
        effective_on=payload.effective_on,
        reason=payload.reason,
    )
    return _resident_out(_visible_resident(request, resident_id))
