"""People's mediation over the API, through the same rules, selectors and services as the
pages. Everyone in reach sees that a case exists and its outcome; the confidential record
(``/statements``) answers 404 to all but the case's mediators and the secretary."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from gongzhi.core.choices import choice_label
from gongzhi.core.scoping import scope_for
from gongzhi.mediation import rules, selectors, services
from gongzhi.mediation.models import NAME_MAX, NOTE_MAX, PLACE_MAX, TEXT_MAX, TITLE_MAX, Case
from gongzhi.places.models import Community, Resident
from gongzhi.voices import selectors as voice_selectors

from .api import ERRORS, api
from .inputs import Id, code, limited

TAGS = ["mediation"]
LIST_LIMIT = 500


class CaseOut(Schema):
    id: int
    number: str
    title: str
    community: str = Field(..., description="社区编码")
    grid: str | None = Field(None, description="网格编码")
    status: str
    status_label: str
    referred_to: str
    opened_at: dt.datetime
    concluded_at: dt.datetime | None
    item: str | None = Field(None, description="原诉求编号")


class FiguresOut(Schema):
    opened: int
    mediated: int
    agreements: int
    success_rate: float | None = Field(None, description="百分比")
    median_days: float | None


class PartyOut(Schema):
    id: int
    side: str
    name: str
    phone: str = Field(..., description="已遮挡")
    in_register: bool
    statement: str


class SessionOut(Schema):
    id: int
    held_at: dt.datetime
    place: str
    attendee_ids: list[int]
    notes: str


class FollowUpOut(Schema):
    id: int
    due_on: dt.date
    status: str
    note: str


class StatementsOut(Schema):
    case: CaseOut
    summary: str
    arose_on: dt.date
    mediators: list[str]
    agreement: str
    parties: list[PartyOut]
    sessions: list[SessionOut]
    follow_ups: list[FollowUpOut]


def _case_out(c: Case) -> dict:
    return {
        "id": c.pk,
        "number": c.number,
        "title": c.title,
        "community": c.community.code,
        "grid": c.grid.code if c.grid_id else None,
        "status": c.status,
        "status_label": choice_label(c, "status"),
        "referred_to": c.referred_to,
        "opened_at": c.opened_at,
        "concluded_at": c.concluded_at,
        "item": c.item.number if c.item_id else None,
    }


def _statements_out(c: Case) -> dict:
    return {
        "case": _case_out(c),
        "summary": c.summary,
        "arose_on": c.arose_on,
        "mediators": [m.name for m in c.mediators.all()],
        "agreement": c.agreement,
        "parties": [
            {
                "id": p.pk,
                "side": p.side,
                "name": p.name,
                "phone": p.phone_masked,
                "in_register": p.resident_id is not None,
                "statement": p.statement,
            }
            for p in c.parties.all()
        ],
        "sessions": [
            {
                "id": s.pk,
                "held_at": s.held_at,
                "place": s.place,
                "attendee_ids": [a.pk for a in s.attendees.all()],
                "notes": s.notes,
            }
            for s in c.sessions.all()
        ],
        "follow_ups": [
            {"id": f.pk, "due_on": f.due_on, "status": f.status, "note": f.note}
            for f in c.follow_ups.all()
        ],
    }


@api.get("/mediation/cases", response={200: list[CaseOut], **ERRORS}, tags=TAGS)
def mediation_cases(request):
    """Cases in the caller's reach and those they mediate, newest first (no confidential
    content)."""
    cases = selectors.case_list(request.auth).select_related("item").order_by("-opened_at", "-pk")
    return [_case_out(c) for c in cases[:LIST_LIMIT]]


@api.get("/mediation/figures", response={200: FiguresOut, **ERRORS}, tags=TAGS)
def mediation_figures(request):
    """Counted over the cases in reach: opened, mediated, agreements, success rate, median
    days to agreement."""
    return selectors.figures(selectors.case_list(request.auth)).__dict__


class CaseIn(Schema):
    community_id: Id | None = None
    item_id: Id | None = Field(None, description="从民意诉求转入时填写")
    title: str = limited(TITLE_MAX)
    summary: str = limited(TEXT_MAX)
    arose_on: dt.date | None = None
    mediator_ids: list[Id] = Field(default_factory=list, max_length=20)


def _community(user, pk: int | None) -> Community:
    if pk is None:
        raise Http404
    reach = scope_for(user, "view").filter(Community.objects.all())
    community = (
        Community.objects.filter(pk=pk).filter(
            pk__in=list(reach.values_list("pk", flat=True))
            + sorted(rules.mediator_communities(user))
        )
    ).first()
    if community is None:
        raise Http404
    return community


@api.post("/mediation/cases", response={201: CaseOut, **ERRORS}, tags=TAGS)
def mediation_case_create(request, payload: CaseIn):
    """Open a case: from a residents'-voice item (``item_id``), or directly in a community."""
    user = request.auth
    item = None
    if payload.item_id is not None:
        item = voice_selectors.get_item_visible_or_404(user, pk=payload.item_id)
        if not rules.may_open_from_item(user, item):
            raise Http404
        community = item.community
    else:
        community = _community(user, payload.community_id)
    mediators = list(
        Resident.objects.filter(pk__in=payload.mediator_ids, community_id=community.pk)
    )
    if len(mediators) != len(set(payload.mediator_ids)):
        raise ValidationError({"mediator_ids": [_("调解员须是本社区调解队队员。")]})
    case = services.case_open(
        actor=user,
        community=community,
        title=payload.title,
        summary=payload.summary,
        arose_on=payload.arose_on,
        mediators=mediators,
        item=item,
    )
    return Status(201, _case_out(case))


@api.get("/mediation/cases/{case_id}", response={200: CaseOut, **ERRORS}, tags=TAGS)
def mediation_case(request, case_id: Id):
    return _case_out(selectors.case_or_404(request.auth, case_id))


@api.get(
    "/mediation/cases/{case_id}/statements", response={200: StatementsOut, **ERRORS}, tags=TAGS
)
def mediation_statements(request, case_id: Id):
    """The confidential record: summary, parties (masked phones) and their statements,
    sessions and notes, the agreement, follow-ups. 404 to anyone but the case's mediators
    and the community secretary."""
    return _statements_out(selectors.statements_or_404(request.auth, case_id))


class PartyIn(Schema):
    side: str = code(20)
    resident_id: Id | None = None
    name: str = limited(NAME_MAX)
    phone: str = code(20)
    statement: str = limited(TEXT_MAX)


@api.post("/mediation/cases/{case_id}/parties", response={201: StatementsOut, **ERRORS}, tags=TAGS)
def mediation_party_add(request, case_id: Id, payload: PartyIn):
    user = request.auth
    case = selectors.statements_or_404(user, case_id)
    resident = None
    if payload.resident_id is not None:
        resident = Resident.objects.filter(pk=payload.resident_id).first()
        if resident is None:
            raise Http404
    services.party_add(
        actor=user,
        case=case,
        side=payload.side,
        resident=resident,
        name=payload.name,
        phone=payload.phone,
        statement=payload.statement,
    )
    return Status(201, _statements_out(selectors.statements_or_404(user, case_id)))


class SessionIn(Schema):
    held_at: dt.datetime
    place: str = limited(PLACE_MAX)
    notes: str = limited(TEXT_MAX)
    attendee_ids: list[Id] = Field(default_factory=list, max_length=50)


@api.post("/mediation/cases/{case_id}/sessions", response={201: StatementsOut, **ERRORS}, tags=TAGS)
def mediation_session_record(request, case_id: Id, payload: SessionIn):
    user = request.auth
    case = selectors.statements_or_404(user, case_id)
    attendees = [p for p in case.parties.all() if p.pk in set(payload.attendee_ids)]
    if len(attendees) != len(set(payload.attendee_ids)):
        raise ValidationError({"attendee_ids": [_("到场人员须是本案当事人。")]})
    services.session_record(
        actor=user,
        case=case,
        held_at=payload.held_at,
        place=payload.place,
        notes=payload.notes,
        attendees=attendees,
    )
    return Status(201, _statements_out(selectors.statements_or_404(user, case_id)))


class ConcludeIn(Schema):
    outcome: str = code(20, description="agreed / partial / failed / referred")
    agreement: str = limited(TEXT_MAX)
    referred_to: str = code(20, description="judicial_office / police_station / court")
    note: str = limited(NOTE_MAX)


@api.post("/mediation/cases/{case_id}/conclude", response={200: StatementsOut, **ERRORS}, tags=TAGS)
def mediation_case_conclude(request, case_id: Id, payload: ConcludeIn):
    user = request.auth
    case = selectors.statements_or_404(user, case_id)
    services.case_conclude(
        actor=user,
        case=case,
        outcome=payload.outcome,
        agreement=payload.agreement,
        referred_to=payload.referred_to,
        note=payload.note,
    )
    return _statements_out(selectors.statements_or_404(user, case_id))


class FollowUpIn(Schema):
    kept: bool
    note: str = limited(NOTE_MAX)


@api.post(
    "/mediation/follow-ups/{follow_up_id}", response={200: StatementsOut, **ERRORS}, tags=TAGS
)
def mediation_follow_up_record(request, follow_up_id: Id, payload: FollowUpIn):
    user = request.auth
    visit = selectors.follow_up_or_404(user, follow_up_id)
    services.follow_up_record(actor=user, follow_up=visit, kept=payload.kept, note=payload.note)
    return _statements_out(selectors.statements_or_404(user, visit.case_id))
