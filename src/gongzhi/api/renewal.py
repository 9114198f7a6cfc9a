"""Urban renewal over the API, through the same selectors and services as the pages and
scoped like them: a building chief sees the projects touching their building, a resident
those touching their own building, a partner unit those it takes part in."""

import datetime as dt
from decimal import Decimal

from django.db.models import Q
from django.http import Http404
from ninja import Query, Schema, Status
from ninja.pagination import paginate

from gongzhi.core.choices import choice_label
from gongzhi.core.scoping import get_visible_or_404
from gongzhi.places.models import Community, Resident
from gongzhi.renewal import rules, selectors, services
from gongzhi.renewal.models import NAME_MAX, PLAN_MAX, TEXT_MAX, Opinion, PlanRound, Project

from .api import ERRORS, api
from .inputs import Id, code, filter_, limited
from .pagination import Mapped, Page


class RenewalPhaseOut(Schema):
    id: int
    kind: str
    label: str
    status: str
    status_label: str


class RenewalAffectedOut(Schema):
    buildings: int
    entrances: int
    households: int
    residents: int


class RenewalProjectOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    community: str
    status: str
    current_phase: str
    pending_opinions: int | None = None


class RenewalChangeOut(Schema):
    text: str
    opinion_ids: list[int]


class RenewalVersionOut(Schema):
    number: int
    title: str
    summary: str
    text: str
    changes: list[RenewalChangeOut]


class RenewalRoundOut(Schema):
    number: int
    status: str
    status_label: str
    published_at: dt.datetime | None
    closes_at: dt.datetime | None
    decision: str
    decision_note: str
    opinions: int
    answered: int
    version: RenewalVersionOut


class RenewalProjectDetailOut(RenewalProjectOut):
    description: str
    budget: Decimal
    affected: RenewalAffectedOut
    phases: list[RenewalPhaseOut]
    rounds: list[RenewalRoundOut]
    progress_percent: int
    units: list[str]


class RenewalOpinionOut(Schema):
    id: int
    round: int | None
    channel: str
    text: str
    answer: str
    answer_label: str
    reason: str
    public_text: str
    created_at: dt.datetime


def _project_out(p: Project) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "kind": p.kind,
        "kind_label": choice_label(p, "kind"),
        "community": p.community.name,
        "status": p.status,
        "current_phase": p.current_phase.kind if p.current_phase else "",
        "pending_opinions": getattr(p, "pending_count", None),
    }


def _version_out(v) -> dict:
    return {
        "number": v.number,
        "title": v.title,
        "summary": v.summary,
        "text": v.text,
        "changes": [
            {"text": c.text, "opinion_ids": [o.pk for o in c.opinions.all()]}
            for c in v.changes.all()
        ],
    }


def _round_out(r: PlanRound) -> dict:
    return {
        "number": r.number,
        "status": r.status,
        "status_label": choice_label(r, "status"),
        "published_at": r.published_at,
        "closes_at": r.closes_at,
        "decision": r.decision,
        "decision_note": r.decision_note,
        "opinions": getattr(r, "opinion_count", 0),
        "answered": getattr(r, "answered_count", 0),
        "version": _version_out(r.version),
    }


def _opinion_out(o: Opinion, *, full: bool) -> dict:
    return {
        "id": o.pk,
        "round": o.round.number if o.round_id else None,
        "channel": o.channel,
        # Others read what staff cleared; the project's staff and the author read it all.
        "text": o.text if full else o.public_text,
        "answer": o.answer,
        "answer_label": choice_label(o, "answer"),
        "reason": o.reason,
        "public_text": o.public_text,
        "created_at": o.created_at,
    }


def _project(request, project_id: int) -> Project:
    return selectors.project_get_visible(request.auth, project_id)


@api.get("/renewal/projects", response={200: list[RenewalProjectOut], **ERRORS}, tags=["renewal"])
@paginate(Page)
def renewal_projects(
    request,
    kind: str = filter_(20, description="类别代码"),
    status: str = filter_(20, description="状态代码"),
):
    """Renewal projects the caller may see, newest first."""
    return Mapped(selectors.project_list(request.auth, kind=kind, status=status), _project_out)


def _detail(request, project: Project) -> dict:
    rounds = selectors.rounds_of(project)
    staff = rules.may_manage(request.auth, project)
    if not staff:
        rounds = [r for r in rounds if r.status != "draft"]
    a = selectors.affected(project)
    return {
        **_project_out(project),
        "description": project.description,
        "budget": project.budget,
        "affected": a.__dict__,
        "phases": [
            {
                "id": ph.pk,
                "kind": ph.kind,
                "label": choice_label(ph, "kind"),
                "status": ph.status,
                "status_label": choice_label(ph, "status"),
            }
            for ph in project.phases.order_by("order")
        ],
        "rounds": [_round_out(r) for r in rounds],
        "progress_percent": selectors.progress(project)[2],
        "units": [
            f"{link.get_role_display()}：{link.unit.name}"
            for link in project.unit_links.select_related("unit")
        ],
    }


@api.get(
    "/renewal/projects/{project_id}",
    response={200: RenewalProjectDetailOut, **ERRORS},
    tags=["renewal"],
)
def renewal_project(request, project_id: Id):
    """One project: phases, affected counts (from the register), rounds and versions."""
    return _detail(request, _project(request, project_id))


class RenewalProjectIn(Schema):
    community_id: Id
    kind: str = code(20, ...)
    name: str = limited(NAME_MAX, ...)
    description: str = limited(2000, "")
    budget: str = code(20, "")


@api.post("/renewal/projects", response={201: RenewalProjectDetailOut, **ERRORS}, tags=["renewal"])
def renewal_project_create(request, payload: RenewalProjectIn):
    """A new project with its five phases (needs ``dispatch`` over the community)."""
    community = get_visible_or_404(
        request.auth, Community.objects.all(), rules.MANAGE, pk=payload.community_id
    )
    project = services.project_create(
        actor=request.auth,
        community=community,
        kind=payload.kind,
        name=payload.name,
        description=payload.description,
        budget=payload.budget,
    )
    return Status(201, _detail(request, _project(request, project.pk)))


class RenewalPlacesIn(Schema):
    building_ids: list[Id] = []
    entrance_ids: list[Id] = []


@api.post(
    "/renewal/projects/{project_id}/places",
    response={200: RenewalProjectDetailOut, **ERRORS},
    tags=["renewal"],
)
def renewal_project_places(request, project_id: Id, payload: RenewalPlacesIn):
    """The buildings (all their entrances) and single entrances the project touches."""
    project = _project(request, project_id)
    services.project_set_places(
        actor=request.auth,
        project=project,
        buildings=payload.building_ids,
        entrances=payload.entrance_ids,
    )
    return _detail(request, _project(request, project_id))


class RenewalUnitIn(Schema):
    unit_id: Id
    role: str = code(20, ...)


class RenewalUnitsIn(Schema):
    units: list[RenewalUnitIn]


@api.post(
    "/renewal/projects/{project_id}/units",
    response={200: RenewalProjectDetailOut, **ERRORS},
    tags=["renewal"],
)
def renewal_project_units(request, project_id: Id, payload: RenewalUnitsIn):
    """The partner, design and construction units taking part."""
    project = _project(request, project_id)
    services.project_set_units(
        actor=request.auth,
        project=project,
        links=[(u.unit_id, u.role) for u in payload.units],
    )
    return _detail(request, _project(request, project_id))


@api.get(
    "/renewal/projects/{project_id}/rounds",
    response={200: list[RenewalRoundOut], **ERRORS},
    tags=["renewal"],
)
def renewal_rounds(request, project_id: Id):
    """The 三上三下 rounds with their versions (drafts only for those who run it)."""
    return _detail(request, _project(request, project_id))["rounds"]


class RenewalChangeIn(Schema):
    text: str = limited(TEXT_MAX, ...)
    opinion_ids: list[Id] = []


class RenewalRoundIn(Schema):
    title: str = limited(NAME_MAX, ...)
    summary: str = limited(TEXT_MAX, ...)
    text: str = limited(PLAN_MAX, ...)
    changes: list[RenewalChangeIn] = []


@api.post(
    "/renewal/projects/{project_id}/rounds",
    response={201: RenewalRoundOut, **ERRORS},
    tags=["renewal"],
)
def renewal_round_create(request, project_id: Id, payload: RenewalRoundIn):
    """Draft the next version; from round 2 say what changed and which opinions caused it."""
    project = _project(request, project_id)
    rnd = services.round_draft(
        actor=request.auth,
        project=project,
        title=payload.title,
        summary=payload.summary,
        text=payload.text,
        changes=[(c.text, c.opinion_ids) for c in payload.changes],
    )
    out = next(r for r in selectors.rounds_of(project) if r.pk == rnd.pk)
    return Status(201, _round_out(out))


class RenewalPublishIn(Schema):
    closes_at: dt.datetime | None = None


@api.post(
    "/renewal/projects/{project_id}/rounds/{number}/publish",
    response={200: RenewalRoundOut, **ERRORS},
    tags=["renewal"],
)
def renewal_round_publish(request, project_id: Id, number: Id, payload: RenewalPublishIn):
    """下: send the version down to the affected households (notice and SMS)."""
    project = _project(request, project_id)
    rnd = services.round_publish(
        actor=request.auth,
        round=selectors.round_get(project, number),
        closes_at=payload.closes_at,
    )
    return _round_out(next(r for r in selectors.rounds_of(project) if r.pk == rnd.pk))


@api.get(
    "/renewal/projects/{project_id}/opinions",
    response={200: list[RenewalOpinionOut], **ERRORS},
    tags=["renewal"],
)
@paginate(Page)
def renewal_opinions(request, project_id: Id, answer: str = filter_(20, description="答复代码")):
    """Opinions on the project: all of them for those who run it; otherwise the caller's
    own in full and the answered ones as staff cleared them."""
    project = _project(request, project_id)
    qs = selectors.opinions_of(project)
    if answer:
        qs = qs.filter(answer=answer)
    if rules.may_manage(request.auth, project):
        return Mapped(qs, lambda o: _opinion_out(o, full=True))
    own = request.auth.resident_id
    if own:
        qs = qs.filter(Q(resident_id=own) | ~Q(answer="pending"))
    else:
        qs = qs.exclude(answer="pending")
    return Mapped(qs, lambda o: _opinion_out(o, full=bool(own) and o.resident_id == own))


class RenewalOpinionIn(Schema):
    text: str = limited(TEXT_MAX, ...)
    resident_id: Id | None = None
    channel: str | None = code(20, None, description="代为录入时：paper / visit / phone / meeting")


@api.post(
    "/renewal/projects/{project_id}/opinions",
    response={201: RenewalOpinionOut, **ERRORS},
    tags=["renewal"],
)
def renewal_opinion_create(request, project_id: Id, payload: RenewalOpinionIn):
    """上: an opinion on the round now open — one's own, or entered for ``resident_id`` by a
    post holder whose reach holds them. On a closed round: 422 with the reason."""
    user = request.auth
    project = _project(request, project_id)
    resident = None
    if payload.resident_id is not None:
        resident = get_visible_or_404(user, Resident.objects.all(), pk=payload.resident_id)
    elif not user.resident_id:
        raise Http404
    opinion = services.opinion_submit(
        actor=user,
        project=project,
        text=payload.text,
        resident=resident,
        channel=payload.channel,
    )
    return Status(201, _opinion_out(opinion, full=True))


class RenewalAnswerIn(Schema):
    answer: str = code(20, ...)
    reason: str = limited(TEXT_MAX, ...)
    public_text: str | None = limited(TEXT_MAX, None, description="不填时自动隐去个人信息")


@api.post(
    "/renewal/opinions/{opinion_id}/answer",
    response={200: RenewalOpinionOut, **ERRORS},
    tags=["renewal"],
)
def renewal_opinion_answer(request, opinion_id: Id, payload: RenewalAnswerIn):
    """Answer an opinion: adopted, partly or not adopted, with a reason."""
    opinion = Opinion.objects.filter(pk=opinion_id).select_related("project").first()
    if opinion is None:
        raise Http404
    _project(request, opinion.project_id)
    opinion = services.opinion_answer(
        actor=request.auth,
        opinion=opinion,
        answer=payload.answer,
        reason=payload.reason,
        public_text=payload.public_text,
    )
    return _opinion_out(opinion, full=True)


class RenewalCompareOut(Schema):
    left: RenewalVersionOut
    right: RenewalVersionOut
    changes: list[RenewalChangeOut]


@api.get(
    "/renewal/projects/{project_id}/compare",
    response={200: RenewalCompareOut, **ERRORS},
    tags=["renewal"],
)
def renewal_compare(
    request, project_id: Id, a: int = Query(1, ge=1, le=3), b: int = Query(2, ge=1, le=3)
):
    """Two versions side by side, with what changed between them and which opinions
    caused it."""
    project = _project(request, project_id)
    c = selectors.compare(project, a, b)
    staff = rules.may_manage(request.auth, project)
    if not staff and any(v.round.status == "draft" for v in (c.left, c.right)):
        raise Http404
    return {
        "left": _version_out(c.left),
        "right": _version_out(c.right),
        "changes": [
            {"text": ch.text, "opinion_ids": [o.pk for o in ch.opinions.all()]} for ch in c.changes
        ],
    }
