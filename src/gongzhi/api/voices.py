"""Residents' voice over the API, through the same selectors and services as the pages.

A caller sees the items ``voices.selectors`` gives them: staff the items in their reach,
a partner unit's users what was dispatched to their unit (reporters masked), a resident
what they reported. Staff read the whole timeline; everyone else its public part. Writes
are the services: a service's ``ValidationError`` is 422 with Chinese field errors, its
``PermissionDenied`` 403, and anything outside the caller's sight 404."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Schema, Status
from ninja.pagination import paginate

from gongzhi.core.choices import choice_label
from gongzhi.core.dates import parse_month
from gongzhi.core.scoping import get_visible_or_404
from gongzhi.orgs.models import PartnerUnit
from gongzhi.places.models import (
    Building,
    Community,
    Compound,
    Entrance,
    Grid,
    Household,
    Resident,
)
from gongzhi.voices import measures, rules, selectors, services
from gongzhi.voices.deadlines import with_overdue
from gongzhi.voices.enums import PUBLISHABLE_STATUSES, Channel, Publication, Satisfaction, Solved
from gongzhi.voices.models import Category, Dispatch, EventSession, Item, ItemReporter

from .api import ERRORS, api
from .inputs import Id, code, filter_, limited
from .pagination import Mapped, Page

TAGS = ["voices"]


# --- output -------------------------------------------------------------------------------


class PlaceOut(Schema):
    """Where the problem is (not where its reporter lives)."""

    community: str
    grid: str | None
    compound: str | None = None
    building: str | None
    entrance: int | None = Field(None, description="单元号")


class CategoryOut(Schema):
    code: str
    name: str


class ItemOut(Schema):
    id: int
    number: str
    kind: str
    title: str
    channel: str
    status: str
    status_label: str
    level: str
    level_label: str
    stage: str
    stage_label: str
    urgent: bool
    is_overdue: bool
    is_due_soon: bool = Field(
        ..., description="即将超时：距时限不足设定的工作时间（默认一个工作日）"
    )
    supervised: bool = Field(..., description="督办中：上级手动督办，或超时后系统督办")
    due_at: dt.datetime
    submitted_at: dt.datetime
    category: CategoryOut | None
    suggested_category: CategoryOut | None
    responsible_unit: str | None
    place: PlaceOut


class TimelineEventOut(Schema):
    type: str
    label: str
    text: str
    by: str
    at: dt.datetime
    public: bool


class ReporterOut(Schema):
    id: int
    name: str
    phone: str = Field(..., description="已脱敏")
    entered_by: str
    channel: str
    is_original: bool


class DispatchOut(Schema):
    id: int
    unit: str
    role: str = Field(..., description="lead 主办 / support 协办（联合派单）")
    role_label: str
    status: str
    status_label: str
    instructions: str
    sent_at: dt.datetime
    accept_due_at: dt.datetime
    reply_due_at: dt.datetime | None
    reply: str
    return_reason: str


class ExtensionOut(Schema):
    id: int
    stage: str
    level: str
    days: int
    reason: str
    requested_by: str
    requested_at: dt.datetime
    due_before: dt.datetime
    outcome: str | None = Field(
        ..., description="approved 同意 / refused 不同意 / lapsed 环节已结束；null：待审批"
    )
    decision_note: str
    decided_by: str | None
    decided_at: dt.datetime | None
    due_after: dt.datetime | None


def _name(user) -> str | None:
    return (user.display_name or user.get_username()) if user is not None else None


def _extension_out(r) -> dict:
    decision = getattr(r, "decision", None)
    return {
        "id": r.pk,
        "stage": r.stage,
        "level": r.level,
        "days": r.days,
        "reason": r.reason,
        "requested_by": _name(r.requested_by),
        "requested_at": r.requested_at,
        "due_before": r.due_before,
        "outcome": decision.outcome if decision else None,
        "decision_note": decision.note if decision else "",
        "decided_by": _name(decision.decided_by) if decision else None,
        "decided_at": decision.decided_at if decision else None,
        "due_after": decision.due_after if decision else None,
    }


class ItemDetailOut(ItemOut):
    text: str
    private: bool
    publication: str
    location_text: str
    merged_into: str | None
    full_timeline: bool
    reporters: list[ReporterOut]
    timeline: list[TimelineEventOut]
    dispatches: list[DispatchOut]
    extensions: list[ExtensionOut] = Field(
        ..., description="延期申请及审批记录（只给办理该诉求的工作人员）"
    )
    actions: list[str] = Field(
        ..., description="调用者现在可以对该诉求执行的操作（accept、escalate、dispatch……）"
    )


def _category(c: Category | None) -> dict | None:
    return {"code": c.code, "name": c.name} if c is not None else None


def _item_out(item: Item, mask: selectors.PartnerMask | None = None) -> dict:
    """An item; with ``mask``, its title as a partner unit reads it."""
    unit = item.responsible_unit
    return {
        "id": item.pk,
        "number": item.number,
        "kind": item.kind,
        "title": mask.title(item) if mask else item.title,
        "channel": item.channel,
        "status": item.status,
        "status_label": choice_label(item, "status"),
        "level": item.level,
        "level_label": choice_label(item, "level"),
        "stage": item.stage,
        "stage_label": choice_label(item, "stage"),
        "urgent": item.urgent,
        "is_overdue": bool(getattr(item, "is_overdue", False)),
        "is_due_soon": bool(getattr(item, "is_due_soon", False)),
        "supervised": item.is_supervised,
        "due_at": item.due_at,
        "submitted_at": item.submitted_at,
        "category": _category(item.category),
        "suggested_category": _category(item.suggested_category),
        "responsible_unit": (unit.short_name or unit.name) if unit else None,
        "place": {
            "community": item.community.name,
            "grid": item.grid.name if item.grid_id else None,
            "compound": item.compound.name if item.compound_id else None,
            "building": str(item.building) if item.building_id else None,
            "entrance": item.entrance.number if item.entrance_id else None,
        },
    }


def _dispatch_out(d: Dispatch, mask: selectors.PartnerMask | None = None) -> dict:
    """A dispatch; with ``mask``, the community's instructions as the unit reads them."""
    return {
        "id": d.pk,
        "unit": d.unit.short_name or d.unit.name,
        "role": d.role,
        "role_label": choice_label(d, "role"),
        "status": d.status,
        "status_label": choice_label(d, "status"),
        "instructions": mask(d.item, d.instructions) if mask else d.instructions,
        "sent_at": d.sent_at,
        "accept_due_at": d.accept_due_at,
        "reply_due_at": d.reply_due_at,
        "reply": d.reply,
        "return_reason": d.return_reason,
    }


# What an item row shows comes partly in its own query and partly by key afterwards. Joined
# in one query, the ten tables cost PostgreSQL 35-50 ms to plan on the city, for a query it
# then ran in 1 ms; and it planned it again on every request (a prepared statement stayed on
# custom plans: the generic one was estimated dearer). With four joins it plans in under
# 1 ms, and each relation below is one query by primary keys. ``merged_into`` is read by the
# detail only, and only for a merged item.
_JOINED = ("category", "suggested_category", "community", "grid")
_BY_KEY = ("compound", "building", "entrance", "responsible_unit")


# Columns an item row of a list does not show (a partner's list still reads the text: its
# titles are masked with it).
_LIST_UNREAD = (
    "text",
    "public_text",
    "withheld_reason",
    "category__keywords",
    "suggested_category__keywords",
)


def _items(user):
    return (
        with_overdue(selectors.item_list_visible_to(user))
        .select_related(*_JOINED)
        .prefetch_related(*_BY_KEY)
    )


def _get(user, item_id: int) -> Item:
    # No ordering: one row by its key, and compiling the list's ORDER BY against the
    # overdue annotations cost more than running the query.
    item = _items(user).filter(pk=item_id).order_by().first()
    if item is None:
        raise Http404
    return item


def _detail(user, item_id: int) -> dict:
    item = _get(user, item_id)
    full = selectors.sees_internal(user, item)
    # A partner unit reads the item's words with nobody in them (voices.selectors).
    mask = selectors.PartnerMask() if selectors.reads_as_partner(user, item) else None
    dispatches = item.dispatches.select_related("unit", "item").order_by("sent_at", "role", "pk")
    if not full:
        # A partner unit reads its own dispatches, never another unit's instructions.
        unit_id = getattr(user, "partner_unit_id", None)
        dispatches = dispatches.filter(unit_id=unit_id) if unit_id else dispatches.none()
    return {
        **_item_out(item, mask),
        "text": mask(item, item.text) if mask else item.text,
        "private": item.private,
        "publication": item.publication,
        "location_text": item.location_text if full else "",
        "merged_into": item.merged_into.number if item.merged_into_id else None,
        "full_timeline": full,
        "actions": [
            name
            for name, allowed in rules.abilities(user, item, selectors.live_dispatch(item)).items()
            if allowed
        ],
        "reporters": [
            {
                "id": r.pk,
                "name": r.name,
                "phone": r.phone,
                "entered_by": r.entered_by,
                "channel": r.channel,
                "is_original": r.is_original,
            }
            for r in selectors.item_reporters_for(user, item)
        ],
        "timeline": [
            {
                "type": row.event.type,
                "label": choice_label(row.event, "type"),
                "text": row.text,
                "by": row.by,
                "at": row.event.at,
                "public": row.event.public,
            }
            for row in selectors.item_timeline_rows(user, item)
        ],
        "dispatches": [_dispatch_out(d, mask) for d in dispatches],
        "extensions": (
            [_extension_out(r) for r in selectors.extension_history(item)] if full else []
        ),
    }


# --- reads --------------------------------------------------------------------------------


@api.get("/voices/items", response={200: list[ItemOut], **ERRORS}, tags=TAGS)
@paginate(Page)
def voice_items(
    request,
    status: str = filter_(200, description="状态，可用逗号分隔多个"),
    level: str = filter_(20),
    overdue: bool | None = None,
    category: str = filter_(400, description="分类代码，可用逗号分隔多个"),
    grid: str = filter_(32, description="网格编码"),
):
    """Items the caller may see, newest first. ``status`` and ``category`` take several
    values separated by commas; ``grid`` takes a grid code; ``overdue`` true or false."""
    qs = _items(request.auth)
    if status:
        qs = qs.filter(status__in=status.split(","))
    if level:
        qs = qs.filter(level=level)
    if overdue is not None:
        qs = qs.filter(is_overdue=overdue)
    if category:
        qs = qs.filter(category__code__in=category.split(","))
    if grid:
        qs = qs.filter(grid__code=grid)
    user = request.auth
    if not getattr(user, "partner_unit_id", None):
        # A row shows the title, never the text or the public text, nor a category's routing
        # keywords: they are not read (a resident's text may run to thousands of characters).
        return Mapped(qs.defer(*_LIST_UNREAD).order_by("-submitted_at", "-pk"), _item_out)
    # A partner unit's titles are masked: their reporters come with the page.
    qs = qs.prefetch_related(
        Prefetch("reporters", queryset=ItemReporter.objects.select_related("resident"))
    )
    mask = selectors.PartnerMask()
    return Mapped(
        qs.order_by("-submitted_at", "-pk"),
        lambda item: _item_out(item, mask if selectors.reads_as_partner(user, item) else None),
    )


@api.get("/voices/items/{item_id}", response={200: ItemDetailOut, **ERRORS}, tags=TAGS)
def voice_item_detail(request, item_id: Id):
    """One item with its reporters (masked as the caller may see them), its timeline (in
    full for the staff who hold it, the public part for everyone else) and dispatches."""
    return _detail(request.auth, item_id)


# --- intake -------------------------------------------------------------------------------


class ItemIn(Schema):
    text: str = limited(services.MAX_TEXT, ..., description="诉求内容")
    kind: Literal["problem", "suggestion"] = "problem"
    title: str = limited(services.MAX_TITLE, description="不填时取内容开头")
    resident_id: Id | None = Field(None, description="代为反映的居民")
    reporter_name: str = limited(services.MAX_NAME, description="无登记居民时的反映人姓名")
    place: Literal["home", "building", "other", "public"] | None = Field(
        None,
        description=(
            "问题在哪里：home 反映人家里，building 反映人住的楼，other 另一栋楼或单元"
            "（building_id 或 entrance_id），public 小区或社区的公共场所（location_text 说明"
            "位置，compound_id 为所在小区，不填为社区）。不填时：填了位置的在该位置，"
            "否则在反映人家里"
        ),
    )
    household_id: Id | None = None
    building_id: Id | None = Field(None, description="问题所在的楼栋（反映人所在社区的）")
    entrance_id: Id | None = Field(None, description="问题所在的单元（反映人所在社区的）")
    compound_id: Id | None = Field(None, description="公共场所所在的小区（反映人所在社区的）")
    grid: str = code(32, description="网格编码")
    community: str = code(32, description="社区编码")
    location_text: str = limited(services.MAX_LOCATION)
    channel: Literal["online", "visit", "phone", "paper", "staff"] | None = None
    share_phone_with_partner: bool = False
    private: bool = Field(
        False,
        description="不公开（私下反映）：永不公开；内容写有“私下反映”“请勿告知他人”“不要公开”的同样处理",
    )
    project_label: str = limited(services.MAX_PROJECT_LABEL)
    project_phase: str = limited(services.MAX_PROJECT_PHASE)


def _place(user, model, pk):
    return get_visible_or_404(user, model.objects.all(), pk=pk) if pk is not None else None


def _reporter(user, on_behalf: Resident | None, reporter_name: str) -> Resident | None:
    """The registered resident a report is by: the one filed for, or the caller
    themselves when they file as a resident (naming nobody else)."""
    if on_behalf is not None:
        return on_behalf
    if user.resident_id and not reporter_name.strip():
        return get_visible_or_404(user, Resident.objects.all(), pk=user.resident_id)
    return None


def _spots(user, payload, reporter: Resident | None) -> dict:
    """The building, entrance and compound named in ``payload``: of the reporter's
    community (``selectors.report_place_or_404``), else in the caller's reach; 404 for any
    other."""
    return {
        name: selectors.report_place_or_404(
            user, model, getattr(payload, f"{name}_id"), reporter=reporter
        )
        for name, model in (("building", Building), ("entrance", Entrance), ("compound", Compound))
    }


class ItemReceiptOut(Schema):
    """What a filing returns when the caller asks for the short answer
    (``Prefer: return=minimal``)."""

    id: int
    number: str
    status: str
    status_label: str
    submitted_at: dt.datetime
    due_at: dt.datetime | None


def wants_minimal(prefer: str) -> bool:
    """Whether a ``Prefer`` header (RFC 7240) asks for ``return=minimal``."""
    return any(
        token.split(";", 1)[0].strip().replace(" ", "").lower() == "return=minimal"
        for token in prefer.split(",")
    )


def _receipt(item: Item) -> dict:
    return {
        "id": item.pk,
        "number": item.number,
        "status": item.status,
        "status_label": choice_label(item, "status"),
        "submitted_at": timezone.localtime(item.submitted_at),
        "due_at": timezone.localtime(item.due_at) if item.due_at else None,
    }


@api.post("/voices/items", response={201: ItemDetailOut | ItemReceiptOut, **ERRORS}, tags=TAGS)
def voice_item_create(
    request,
    response: HttpResponse,
    payload: ItemIn,
    prefer: str = Header(
        "",
        alias="Prefer",
        description="return=minimal：只返回事项编号、状态和受理期限（不返回完整详情），"
        "适合批量或弱网提交；详情可随后按 Location 读取",
    ),
    idempotency_key: str = Header(
        "",
        alias="Idempotency-Key",
        description="请求编号（8–80位字母、数字或 -_.:，如 UUID）：网络断开后重发同一编号，"
        "只会返回第一次提交的事项，不会重复登记；同一编号配不同内容会被拒绝（422）",
    ),
):
    """File a problem or suggestion: a resident for themselves, or a leader for a resident
    (``resident_id``) or a named person and place, recorded as entered by the caller.
    With an ``Idempotency-Key`` header, a retry of the same submission answers with the
    item the first one filed (the same 201) and files nothing. ``Location`` names the
    new item; with ``Prefer: return=minimal`` the body is its number, status and
    deadline only."""
    user = request.auth
    on_behalf = _place(user, Resident, payload.resident_id)
    spots = _spots(user, payload, _reporter(user, on_behalf, payload.reporter_name))
    grid = get_visible_or_404(user, Grid.objects.all(), code=payload.grid) if payload.grid else None
    community = (
        get_visible_or_404(user, Community.objects.all(), code=payload.community)
        if payload.community
        else None
    )
    for_someone = on_behalf is not None or bool(payload.reporter_name.strip())
    channel = payload.channel or (Channel.VISIT if for_someone else Channel.ONLINE)
    item = services.item_submit(
        actor=user,
        kind=payload.kind,
        text=payload.text,
        title=payload.title,
        channel=channel,
        community=community,
        grid=grid,
        household=_place(user, Household, payload.household_id),
        place=payload.place,
        **spots,
        location_text=payload.location_text,
        reporter_name=payload.reporter_name,
        on_behalf_of=on_behalf,
        share_phone_with_partner=payload.share_phone_with_partner,
        private=payload.private,
        project_label=payload.project_label,
        project_phase=payload.project_phase,
        idempotency_key=idempotency_key,
    )
    response["Location"] = f"{request.path.rstrip('/')}/{item.pk}"
    if wants_minimal(prefer):
        # Re-reading the new item with its reporters, timeline and what the caller may
        # do next was more than half of a filing's time; a client that only needs the
        # number (a phone queue, an Open311 relay, a load of paper forms) skips it.
        response["Preference-Applied"] = "return=minimal"
        return Status(201, _receipt(item))
    return Status(201, _detail(user, item.pk))


class SimilarIn(Schema):
    text: str = limited(services.MAX_TEXT, ..., description="居民要反映的内容")
    place: Literal["home", "building", "other", "public"] | None = Field(
        None, description="问题在哪里，同提交诉求；不填为居民住的楼"
    )
    building_id: Id | None = None
    entrance_id: Id | None = None
    compound_id: Id | None = None


class JoinOfferOut(Schema):
    item_id: int
    number: str
    status: str
    status_label: str
    text: str
    offer: str = Field(..., description="附议凭据：24 小时内用于“我也遇到了”")


@api.post("/voices/similar", response={200: list[JoinOfferOut], **ERRORS}, tags=TAGS)
def voice_similar(request, payload: SimilarIn):
    """Before filing, a resident sees the open items at and near where the problem is
    (their own building unless ``place`` says otherwise) that read like what they are
    about to say, each with an ``offer`` that lets them, and only them, join it
    ("我也遇到了") within a day."""
    user = request.auth
    if not user.resident_id:
        raise Http404
    resident = get_visible_or_404(user, Resident.objects.all(), pk=user.resident_id)
    spots = _spots(user, payload, resident)
    return [
        {
            "item_id": o.item.pk,
            "number": o.item.number,
            "status": o.item.status,
            "status_label": choice_label(o.item, "status"),
            "text": o.text,
            "offer": o.token,
        }
        for o in selectors.join_offers(resident, payload.text, place=payload.place, **spots)
    ]


class JoinIn(Schema):
    offer: str = code(300, description="居民本人附议时：查重结果给出的附议凭据")
    resident_id: Id | None = Field(None, description="代为附议的居民；居民本人附议时不填")


class JoinOut(Schema):
    item_id: int
    number: str
    status: str
    detail: str


@api.post("/voices/items/{item_id}/join", response={200: JoinOut, **ERRORS}, tags=TAGS)
def voice_item_join(request, item_id: Id, payload: JoinIn):
    """ "Me too": a resident joins an open item the duplicate finder offered them (the
    ``offer`` from ``/voices/similar``); a leader joins a resident they serve to an item in
    their reach. The answer says only that it is done: nothing about the other reporters."""
    user = request.auth
    resident = _place(user, Resident, payload.resident_id)
    if resident is not None:
        item = _get(user, item_id)
    else:
        item = selectors.offered_item_or_404(user, item_id, payload.offer)
    services.item_join(actor=user, item=item, resident=resident)
    return {
        "item_id": item.pk,
        "number": item.number,
        "status": item.status,
        "detail": _("已附议，办理进展会通知您。"),
    }


class EventRowIn(Schema):
    text: str = limited(services.MAX_TEXT, ...)
    title: str = limited(services.MAX_TITLE)
    kind: Literal["problem", "suggestion"] = "suggestion"
    reporter_name: str = limited(services.MAX_NAME)
    household_id: Id | None = None
    building_id: Id | None = None
    location_text: str = limited(services.MAX_LOCATION)


class EventRowsIn(Schema):
    # Refused here, before each row's place is looked up; a larger batch waits for the
    # background-job path.
    rows: list[EventRowIn] = Field(
        ...,
        max_length=services.MAX_EVENT_ROWS,
        description=f"每次最多{services.MAX_EVENT_ROWS}条，全部成功或全部不录入",
    )


class EventItemsOut(Schema):
    items: list[ItemOut]


@api.post(
    "/voices/event-sessions/{session_id}/items",
    response={201: EventItemsOut, **ERRORS},
    tags=TAGS,
)
def voice_event_items(request, session_id: Id, payload: EventRowsIn):
    """Enter the opinions gathered at an event, all or nothing; a refusal names each bad
    row (``errors.rows``). At most 200 rows per request: a larger batch will go through a
    background job once the task queue arrives."""
    user = request.auth
    session = get_visible_or_404(user, EventSession.objects.all(), pk=session_id)
    rows = [
        {
            "text": row.text,
            "title": row.title,
            "kind": row.kind,
            "reporter_name": row.reporter_name,
            "household": _place(user, Household, row.household_id),
            "building": _place(user, Building, row.building_id),
            "location_text": row.location_text,
        }
        for row in payload.rows
    ]
    created = services.items_submit_from_event(actor=user, event_session=session, rows=rows)
    items = _items(user).filter(pk__in=[i.pk for i in created]).order_by("pk")
    return Status(201, {"items": [_item_out(i) for i in items]})


# --- handling -----------------------------------------------------------------------------


class AcceptIn(Schema):
    category: str = code(40, ..., description="分类代码")
    level: Literal["grid", "community", "subdistrict"] | None = None
    responsible_unit_id: Id | None = None
    note: str = limited(services.MAX_TEXT)


def _unit(item: Item, pk: int | None) -> PartnerUnit | None:
    """A partner unit serving the item's community (the only ones an item can go to, and
    the ones the caller, who sees the item, may name); any other id is 404, as a missing
    one is."""
    if pk is None:
        return None
    unit = PartnerUnit.objects.filter(pk=pk, communities=item.community_id).first()
    if unit is None:
        raise Http404
    return unit


@api.post("/voices/items/{item_id}/accept", response={200: ItemDetailOut, **ERRORS}, tags=TAGS)
def voice_item_accept(request, item_id: Id, payload: AcceptIn):
    """受理: confirm or correct the category; the first acceptor keeps the lead."""
    user = request.auth
    item = _get(user, item_id)
    category = Category.objects.filter(code=payload.category, is_active=True).first()
    services.item_accept(
        actor=user,
        item=item,
        category=category,
        level=payload.level,
        responsible_unit=_unit(item, payload.responsible_unit_id),
        note=payload.note,
    )
    return _detail(user, item_id)


class ReasonIn(Schema):
    reason: str = limited(services.MAX_REASON)


class NoteIn(Schema):
    note: str = limited(services.MAX_TEXT)


@api.post("/voices/items/{item_id}/escalate", response={200: ItemDetailOut, **ERRORS}, tags=TAGS)
def voice_item_escalate(request, item_id: Id, payload: ReasonIn):
    """上报 one level: grid → community → subdistrict."""
    user = request.auth
    services.item_escalate(actor=user, item=_get(user, item_id), reason=payload.reason)
    return _detail(user, item_id)


class DispatchIn(Schema):
    unit_id: Id = Field(..., description="主办单位")
    supporting_unit_ids: list[Id] = Field(
        default_factory=list,
        max_length=services.MAX_SUPPORTING_UNITS,
        description=f"协办单位（联合派单），最多{services.MAX_SUPPORTING_UNITS}个",
    )
    instructions: str = limited(services.MAX_TEXT)


@api.post("/voices/items/{item_id}/dispatch", response={200: ItemDetailOut, **ERRORS}, tags=TAGS)
def voice_item_dispatch(request, item_id: Id, payload: DispatchIn):
    """吹哨: send an accepted community-level item to a partner unit of its community; with
    ``supporting_unit_ids`` a joint dispatch (联合派单): the unit leads (主办), the others
    support (协办), each signing and replying on its own; the lead's verified reply
    resolves the item."""
    user = request.auth
    item = _get(user, item_id)
    services.item_dispatch(
        actor=user,
        item=item,
        unit=_unit(item, payload.unit_id),
        supporting_units=[_unit(item, pk) for pk in payload.supporting_unit_ids],
        instructions=payload.instructions,
    )
    return _detail(user, item_id)


# --- 督办 and extensions (延期申请) ----------------------------------------------------------


class SuperviseIn(Schema):
    message: str = limited(services.MAX_SUPERVISION_MESSAGE, ..., description="督办意见")


@api.post("/voices/items/{item_id}/supervise", response={200: ItemDetailOut, **ERRORS}, tags=TAGS)
def voice_item_supervise(request, item_id: Id, payload: SuperviseIn):
    """督办 by the level above (community staff over a grid-level item, subdistrict staff
    over a community-level one): the item's handlers are told, the timeline records it."""
    user = request.auth
    services.item_supervise(actor=user, item=_get(user, item_id), message=payload.message)
    return _detail(user, item_id)


class ExtensionIn(Schema):
    days: int = Field(
        ...,
        description=f"延长的工作日数，每次1至{rules.MAX_EXTENSION_DAYS}个；"
        f"每个办理环节最多申请{rules.MAX_EXTENSIONS_PER_STAGE}次",
    )
    reason: str = limited(services.MAX_REASON, ..., description="延期理由")


@api.post("/voices/items/{item_id}/extensions", response={200: ItemDetailOut, **ERRORS}, tags=TAGS)
def voice_item_extension_request(request, item_id: Id, payload: ExtensionIn):
    """延期申请: a handler asks for more working days on the handling stage, before its
    deadline; the level above decides. Over the limits: 422 with the reason in Chinese."""
    user = request.auth
    services.extension_request(
        actor=user, item=_get(user, item_id), days=payload.days, reason=payload.reason
    )
    return _detail(user, item_id)


class ExtensionDecisionIn(Schema):
    approve: bool
    note: str = limited(services.MAX_REASON, description="审批意见；不同意时必填")


@api.post(
    "/voices/items/{item_id}/extension-decision",
    response={200: ItemDetailOut, **ERRORS},
    tags=TAGS,
)
def voice_item_extension_decide(request, item_id: Id, payload: ExtensionDecisionIn):
    """审批 the item's pending extension request: approved, its deadline moves on by the
    days asked for on the working calendar; refused (a note says why), it stays."""
    user = request.auth
    services.extension_decide(
        actor=user, item=_get(user, item_id), approve=payload.approve, note=payload.note
    )
    return _detail(user, item_id)


class ExtensionQueueOut(ExtensionOut):
    item_id: int
    item_number: str
    item_title: str
    item_level: str
    due_at: dt.datetime
    proposed_due_at: dt.datetime = Field(..., description="同意后的新时限")


@api.get("/voices/extension-queue", response={200: list[ExtensionQueueOut], **ERRORS}, tags=TAGS)
@paginate(Page)
def voice_extension_queue(request):
    """延期审批: the requests awaiting the caller's decision, oldest first."""

    def out(r) -> dict:
        return {
            **_extension_out(r),
            "item_id": r.item_id,
            "item_number": r.item.number,
            "item_title": r.item.title,
            "item_level": r.item.level,
            "due_at": r.item.due_at,
            "proposed_due_at": services.extension_new_due(r.item, r.days),
        }

    return Mapped(selectors.extension_queue(request.auth), out)


@api.post("/voices/items/{item_id}/resolve", response={200: ItemDetailOut, **ERRORS}, tags=TAGS)
def voice_item_resolve(request, item_id: Id, payload: NoteIn):
    """办结 by the level that holds it; the item then waits for its return visit."""
    user = request.auth
    services.item_resolve(actor=user, item=_get(user, item_id), note=payload.note)
    return _detail(user, item_id)


class WithdrawIn(Schema):
    reason: str = limited(services.MAX_REASON, description="撤回原因（可不填）")


@api.post("/voices/items/{item_id}/withdraw", response={200: ItemDetailOut, **ERRORS}, tags=TAGS)
def voice_item_withdraw(request, item_id: Id, payload: WithdrawIn):
    """撤回 by the person who filed it (or who entered it for them), before anyone accepts
    it and while nobody else has joined it."""
    user = request.auth
    services.item_withdraw(actor=user, item=_get(user, item_id), reason=payload.reason)
    return _detail(user, item_id)


class ReasonedRevealIn(Schema):
    reason: str = code(
        20,
        description="查看事由（必填）：home_visit 入户走访 / verify_identity 核实身份 / "
        "emergency 紧急联系 / other 其他（须在 reason_note 中说明）",
    )
    reason_note: str = limited(200, description="补充说明；reason 为 other 时必填")


class PhoneOut(Schema):
    phone: str


@api.post(
    "/voices/items/{item_id}/reporters/{reporter_id}/reveal",
    response={200: PhoneOut, **ERRORS},
    tags=TAGS,
)
def voice_reporter_reveal(request, item_id: Id, reporter_id: Id, payload: ReasonedRevealIn):
    """The full phone of one reporter of the item, to call them back, for a reason
    (查看事由). Staff with ``reveal_pii`` over the item; a partner unit only where the
    reporter agreed to share it. Every reveal is audited with its reason."""
    user = request.auth
    item = _get(user, item_id)
    reporter = item.reporters.select_related("resident", "user").filter(pk=reporter_id).first()
    if reporter is None:
        raise Http404
    phone = services.reporter_phone_reveal(
        actor=user, reporter=reporter, reason=payload.reason, reason_note=payload.reason_note
    )
    return {"phone": phone}


class ReturnVisitIn(Schema):
    solved: Literal[tuple(Solved.values)] = Field(
        ..., description="solved 已解决 / partly 部分解决 / not_solved 未解决"
    )
    satisfaction: Literal[tuple(Satisfaction.values)] = Field(
        ..., description="satisfied 满意 / basically 基本满意 / dissatisfied 不满意"
    )
    comment: str = limited(services.MAX_TEXT)


@api.post(
    "/voices/items/{item_id}/return-visit",
    response={200: ItemDetailOut, **ERRORS},
    tags=TAGS,
)
def voice_item_return_visit(request, item_id: Id, payload: ReturnVisitIn):
    """回访: recorded by the staff who hold the item, or the reporter's own rating. "Not
    solved" reopens the item."""
    user = request.auth
    item = _get(user, item_id)
    services.item_return_visit(
        actor=user,
        item=item,
        solved=payload.solved,
        satisfaction=payload.satisfaction,
        comment=payload.comment,
        by_resident=not selectors.sees_internal(user, item) and selectors.is_reporter(user, item),
    )
    return _detail(user, item_id)


class MergeIn(Schema):
    into_id: Id


@api.post("/voices/items/{item_id}/merge", response={200: ItemDetailOut, **ERRORS}, tags=TAGS)
def voice_item_merge(request, item_id: Id, payload: MergeIn):
    """合并 a duplicate into another open item of the same community; its reporters hear
    the outcome of the other. Answers the item merged into."""
    user = request.auth
    into = services.item_merge(
        actor=user, item=_get(user, item_id), into=_get(user, payload.into_id)
    )
    return _detail(user, into.pk)


# --- dispatches: 社区吹哨、部门报到 --------------------------------------------------------


def _partner_dispatch(request, dispatch_id: int) -> Dispatch:
    return selectors.get_dispatch_for_partner_or_404(request.auth, dispatch_id)


@api.post(
    "/voices/dispatches/{dispatch_id}/accept",
    response={200: DispatchOut, **ERRORS},
    tags=TAGS,
)
def voice_dispatch_accept(request, dispatch_id: Id):
    """报到: the partner unit signs for a dispatch to it."""
    d = services.dispatch_accept(
        actor=request.auth, dispatch=_partner_dispatch(request, dispatch_id)
    )
    return _dispatch_out(
        Dispatch.objects.select_related("unit", "item").get(pk=d.pk), selectors.PartnerMask()
    )


class ReplyIn(Schema):
    reply: str = limited(services.MAX_TEXT, ...)


@api.post(
    "/voices/dispatches/{dispatch_id}/reply",
    response={200: DispatchOut, **ERRORS},
    tags=TAGS,
)
def voice_dispatch_reply(request, dispatch_id: Id, payload: ReplyIn):
    """The partner unit answers what it did (photos as evidence are added on the page)."""
    d = services.dispatch_reply(
        actor=request.auth, dispatch=_partner_dispatch(request, dispatch_id), reply=payload.reply
    )
    return _dispatch_out(
        Dispatch.objects.select_related("unit", "item").get(pk=d.pk), selectors.PartnerMask()
    )


@api.post(
    "/voices/dispatches/{dispatch_id}/return",
    response={200: DispatchOut, **ERRORS},
    tags=TAGS,
)
def voice_dispatch_return(request, dispatch_id: Id, payload: ReasonIn):
    """The partner unit returns a dispatch with a reason."""
    d = services.dispatch_return(
        actor=request.auth,
        dispatch=_partner_dispatch(request, dispatch_id),
        reason=payload.reason,
    )
    return _dispatch_out(
        Dispatch.objects.select_related("unit", "item").get(pk=d.pk), selectors.PartnerMask()
    )


class VerifyIn(Schema):
    accepted: bool
    note: str = limited(services.MAX_TEXT)


@api.post(
    "/voices/dispatches/{dispatch_id}/verify",
    response={200: ItemDetailOut, **ERRORS},
    tags=TAGS,
)
def voice_dispatch_verify(request, dispatch_id: Id, payload: VerifyIn):
    """The community checks the unit's reply: accepted, the item awaits its return visit;
    not accepted (a note says why), it goes back to the community."""
    user = request.auth
    dispatch = (
        Dispatch.objects.filter(item__in=selectors.item_list_visible_to(user), pk=dispatch_id)
        .select_related("unit")
        .first()
    )
    if dispatch is None:
        raise Http404
    services.dispatch_verify(
        actor=user, dispatch=dispatch, accepted=payload.accepted, note=payload.note
    )
    return _detail(user, dispatch.item_id)


# --- measures and notifications -----------------------------------------------------------


class RatioOut(Schema):
    numerator: int
    denominator: int
    rate: float | None


class MeasureRowOut(Schema):
    key: int | None
    label: str
    received: int
    response: RatioOut
    resolution: RatioOut
    satisfaction: RatioOut
    on_time: RatioOut


class MeasuresOut(Schema):
    month: str
    group_by: str
    rows: list[MeasureRowOut]


def _ratio(r: measures.Ratio) -> dict:
    return {"numerator": r.numerator, "denominator": r.denominator, "rate": r.rate}


@api.get("/voices/measures", response={200: MeasuresOut, **ERRORS}, tags=TAGS)
def voice_measures(
    request,
    month: str = Query(..., description="YYYY-MM，1900-01 至 2100-12", pattern=r"^\d{4}-\d{2}$"),
    group_by: Literal["grid", "community", "unit"] = "grid",
):
    """Response, resolution, satisfaction and on-time rates of one month per grid,
    community or partner unit, each with its numerator and denominator."""
    first = parse_month(month)
    rows = measures.monthly(request.auth, month=first, group_by=group_by)
    return {
        "month": month,
        "group_by": group_by,
        "rows": [
            {
                "key": r.key,
                "label": r.label,
                "received": r.received,
                "response": _ratio(r.response),
                "resolution": _ratio(r.resolution),
                "satisfaction": _ratio(r.satisfaction),
                "on_time": _ratio(r.on_time),
            }
            for r in rows
        ],
    }


class NotificationOut(Schema):
    id: int
    text: str
    item_id: int | None
    item_number: str | None
    created_at: dt.datetime
    read: bool


def _notification_out(n) -> dict:
    return {
        "id": n.pk,
        "text": n.text,
        "item_id": n.item_id,
        "item_number": n.item.number if n.item_id else None,
        "created_at": n.created_at,
        "read": n.read_at is not None,
    }


@api.get("/voices/notifications", response={200: list[NotificationOut], **ERRORS}, tags=TAGS)
@paginate(Page)
def voice_notifications(request, unread: bool = False):
    """What the caller has been told, newest first."""
    qs = selectors.notifications_for(request.auth)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return Mapped(qs.order_by("-created_at", "-pk"), _notification_out)


# --- publication: what the public may read ------------------------------------------------


class PublicationOut(Schema):
    id: int
    number: str
    private: bool
    publication: str
    publication_label: str
    public_text: str = Field(..., description="审核通过、已公开的内容")
    published_at: dt.datetime | None
    published_by: str | None
    withheld_reason: str
    suggested_public_text: str = Field(
        ..., description="隐去电话、身份证号、门牌号和姓名后的建议公开内容，供审核修改"
    )


class PublicationQueueOut(ItemOut):
    text: str
    suggested_public_text: str


class ItemPublishIn(Schema):
    public_text: str = limited(services.MAX_PUBLIC_TEXT, ..., description="审核后公开的内容")


def _publication_item(user, item_id: int) -> Item:
    """The item for a publication decision: 404 out of sight, 403 for those who see it but
    do not decide (``rules.may_publish``)."""
    item = _get(user, item_id)
    if not rules.may_publish(user, item):
        raise PermissionDenied(_("没有权限执行此操作。"))
    return item


def _publication_out(item: Item) -> dict:
    item = Item.objects.select_related("published_by").get(pk=item.pk)
    suggest = (
        not item.private
        and item.publication != Publication.PUBLISHED
        and item.status in PUBLISHABLE_STATUSES
    )
    by = item.published_by
    return {
        "id": item.pk,
        "number": item.number,
        "private": item.private,
        "publication": item.publication,
        "publication_label": choice_label(item, "publication"),
        "public_text": item.public_text,
        "published_at": item.published_at,
        "published_by": (by.display_name or by.get_username()) if by else None,
        "withheld_reason": item.withheld_reason,
        "suggested_public_text": selectors.public_text_suggestion(item) if suggest else "",
    }


@api.get(
    "/voices/publication-queue",
    response={200: list[PublicationQueueOut], **ERRORS},
    tags=TAGS,
)
@paginate(Page)
def voice_publication_queue(request, all: bool = False):
    """待公开审核: items the caller may publish that nobody has reviewed yet — resolved and
    closed ones, or with ``all`` every publishable one — oldest first, each with the text
    and a suggested public text (names, phones, ID and door numbers masked)."""
    qs = (
        with_overdue(selectors.publication_queue(request.auth, done_only=not all))
        # The item rows as the list has them (_JOINED, _BY_KEY), not the page's joins.
        .select_related(None)
        .select_related(*_JOINED)
        .prefetch_related(
            *_BY_KEY,
            Prefetch("reporters", queryset=ItemReporter.objects.select_related("resident")),
        )
    )
    names: dict[int, object] = {}

    def out(item: Item) -> dict:
        # One read of the register per community on the page, not per item.
        if item.community_id not in names:
            names[item.community_id] = selectors.register_names(item.community_id)
        return {
            **_item_out(item),
            "text": item.text,
            "suggested_public_text": selectors.public_text_suggestion(
                item, names[item.community_id]
            ),
        }

    return Mapped(qs, out)


@api.get(
    "/voices/items/{item_id}/publication",
    response={200: PublicationOut, **ERRORS},
    tags=TAGS,
)
def voice_item_publication(request, item_id: Id):
    """An item's publication: its state, the approved public text, and a suggestion to
    start from. For the staff who decide it."""
    return _publication_out(_publication_item(request.auth, item_id))


@api.post("/voices/items/{item_id}/publish", response={200: PublicationOut, **ERRORS}, tags=TAGS)
def voice_item_publish(request, item_id: Id, payload: ItemPublishIn):
    """Approve ``public_text`` and publish it (Open311 and public pages show only this).
    Refused for a private item and for a text still carrying a phone, ID, door or plate
    number, an e-mail or a reporter's name."""
    user = request.auth
    item = services.item_publish(
        actor=user, item=_get(user, item_id), public_text=payload.public_text
    )
    return _publication_out(item)


@api.post("/voices/items/{item_id}/withhold", response={200: PublicationOut, **ERRORS}, tags=TAGS)
def voice_item_withhold(request, item_id: Id, payload: ReasonIn):
    """Keep the item off every public surface (a published one is taken down)."""
    user = request.auth
    item = services.item_withhold(actor=user, item=_get(user, item_id), reason=payload.reason)
    return _publication_out(item)
