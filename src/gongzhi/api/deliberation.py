"""Deliberation over the API: matters and their five steps, meetings, tasks, consultation
corners and topics, and the talent pool, through the same selectors and services as the
pages. A matter's move that skips a step or whose condition is not met answers 409 with
the Chinese reason."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from ninja import Field, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from gongzhi.core.choices import choice_label
from gongzhi.core.scoping import get_visible_or_404
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.enums import STAGE_NAMES
from gongzhi.deliberation.models import LONG_MAX, TEXT_MAX, TITLE_MAX, Matter, Meeting, Task
from gongzhi.orgs.models import PartnerUnit
from gongzhi.places.models import Building, Community, Grid, Household, Resident
from gongzhi.voices.models import Item

from .api import ERRORS, ErrorOut, api
from .inputs import Id, code, filter_, limited
from .pagination import Mapped, Page

MOVE_ERRORS = {**ERRORS, 409: ErrorOut}
TAGS = ["deliberation"]


# --- matters ----------------------------------------------------------------------------


class TransitionOut(Schema):
    from_stage: str
    to_stage: str
    to_label: str
    by: str
    reason: str
    at: dt.datetime


class MatterOut(Schema):
    id: int
    title: str
    summary: str
    stage: str
    stage_label: str
    community: str
    building: str
    item_number: str
    notice_ends_at: dt.datetime | None
    threshold: int
    created_at: dt.datetime
    history: list[TransitionOut] | None = None


def _matter_out(m: Matter, *, history: bool = False) -> dict:
    return {
        "id": m.pk,
        "title": m.title,
        "summary": m.summary,
        "stage": m.stage,
        "stage_label": str(STAGE_NAMES[m.stage]),
        "community": m.community.name,
        "building": str(m.building) if m.building_id else "",
        "item_number": m.item.number if m.item_id else "",
        "notice_ends_at": m.notice_ends_at,
        "threshold": m.threshold,
        "created_at": m.created_at,
        "history": [
            {
                "from_stage": t.from_stage,
                "to_stage": t.to_stage,
                "to_label": str(STAGE_NAMES[t.to_stage]),
                "by": t.actor_label,
                "reason": t.reason,
                "at": t.at,
            }
            for t in selectors.history(m)
        ]
        if history
        else None,
    }


@api.get("/matters", response={200: list[MatterOut], **ERRORS}, tags=TAGS)
@paginate(Page)
def matters(request, stage: str = filter_(20, description="环节代码")):
    """Matters in the caller's reach, newest first; ``stage`` narrows to one step."""
    return Mapped(selectors.matter_list_visible_to(request.auth, stage=stage), _matter_out)


class MatterIn(Schema):
    title: str = limited(TITLE_MAX, ...)
    summary: str = limited(TEXT_MAX, ...)
    community_id: Id | None = None
    grid_id: Id | None = None
    building_id: Id | None = None
    item_id: Id | None = Field(None, description="由居民诉求转为议题时填写")
    notice_days: int = Field(5, ge=1, le=services.NOTICE_DAYS_MAX)
    threshold: int = Field(80, ge=1, le=100)


@api.post("/matters", response={201: MatterOut, **ERRORS}, tags=TAGS)
def matter_create(request, payload: MatterIn):
    """Open a matter at 摸: at a community, grid or building the caller runs, or raised
    from an item of residents' voice (``item_id``), which keeps the link."""
    user = request.auth
    found = {}
    for key, model in (
        ("community", Community),
        ("grid", Grid),
        ("building", Building),
        ("item", Item),
    ):
        pk = getattr(payload, f"{key}_id")
        found[key] = get_visible_or_404(user, model.objects.all(), pk=pk) if pk else None
    if not any(found.values()):
        raise Http404
    matter = services.matter_create(
        actor=user,
        title=payload.title,
        summary=payload.summary,
        notice_days=payload.notice_days,
        threshold=payload.threshold,
        **found,
    )
    return Status(201, _matter_out(selectors.matter_get_visible(user, matter.pk), history=True))


@api.get("/matters/{matter_id}", response={200: MatterOut, **ERRORS}, tags=TAGS)
def matter_detail(request, matter_id: Id):
    """One matter with its history of moves."""
    return _matter_out(selectors.matter_get_visible(request.auth, matter_id), history=True)


class TransitionIn(Schema):
    to: str = code(
        20,
        ...,
        description="investigate/deliberate/implement/notice/evaluate/closed，或 摸/议/推/示/评/办结",
    )
    reason: str = limited(TEXT_MAX)


@api.post("/matters/{matter_id}/transitions", response={200: MatterOut, **MOVE_ERRORS}, tags=TAGS)
def matter_transition(request, matter_id: Id, payload: TransitionIn):
    """Move a matter one step. A skipped step or an unmet condition answers 409 with the
    reason in Chinese (``detail``); so does the second of two simultaneous moves."""
    matter = selectors.matter_get_visible(request.auth, matter_id)
    try:
        services.matter_move(
            actor=request.auth, matter=matter, to=payload.to, reason=payload.reason
        )
    except services.MoveRefused as exc:
        raise HttpError(409, exc.messages[0]) from None
    return _matter_out(selectors.matter_get_visible(request.auth, matter_id), history=True)


class VisitIn(Schema):
    note: str = limited(TEXT_MAX, ...)
    household_ids: list[Id] = Field(..., max_length=200)


class OkOut(Schema):
    id: int


@api.post("/matters/{matter_id}/visits", response={201: OkOut, **ERRORS}, tags=TAGS)
def matter_visit(request, matter_id: Id, payload: VisitIn):
    """摸: record a site visit and the households asked."""
    user = request.auth
    matter = selectors.matter_get_visible(user, matter_id)
    ids = sorted(set(payload.household_ids))
    households = list(get_households(user, ids))
    visit = services.matter_visit(
        actor=user, matter=matter, note=payload.note, households=households
    )
    return Status(201, {"id": visit.pk})


def get_households(user, ids):
    from gongzhi.core.scoping import visible

    found = list(visible(user, Household.objects.filter(pk__in=ids)))
    if len(found) != len(ids):
        raise Http404
    return found


class ObjectionIn(Schema):
    text: str = limited(TEXT_MAX, ...)


@api.post("/matters/{matter_id}/objections", response={201: OkOut, **ERRORS}, tags=TAGS)
def matter_objection(request, matter_id: Id, payload: ObjectionIn):
    """A resident objects during the 示 window; the matter goes back to 议."""
    matter = selectors.matter_public(matter_id)
    objection = services.matter_object(actor=request.auth, matter=matter, text=payload.text)
    return Status(201, {"id": objection.pk})


class VoteIn(Schema):
    choice: str = code(20, ..., description="satisfied / basically / dissatisfied")


@api.post("/matters/{matter_id}/votes", response={201: OkOut, **ERRORS}, tags=TAGS)
def matter_vote(request, matter_id: Id, payload: VoteIn):
    """A resident's household says how satisfied it is (评), once per round."""
    matter = selectors.matter_public(matter_id)
    vote = services.matter_vote(actor=request.auth, matter=matter, choice=payload.choice)
    return Status(201, {"id": vote.pk})


# --- tasks ------------------------------------------------------------------------------


class TaskOut(Schema):
    id: int
    title: str
    owner: str
    matter_id: int | None
    meeting_id: int | None
    due_days: int
    due_at: dt.datetime
    done_at: dt.datetime | None
    evidence: str


def _task_out(t: Task) -> dict:
    return {
        "id": t.pk,
        "title": t.title,
        "owner": t.owner_label,
        "matter_id": t.matter_id,
        "meeting_id": t.meeting_id,
        "due_days": t.due_days,
        "due_at": t.due_at,
        "done_at": t.done_at,
        "evidence": t.evidence,
    }


class TaskIn(Schema):
    title: str = limited(200, "")
    owner_user_id: Id | None = None
    owner_unit_id: Id | None = None
    due_days: int = Field(..., ge=1, le=services.DUE_DAYS_MAX)


def _owners(user, spec: TaskIn) -> dict:
    """A task's owner: a login, or a partner unit serving communities the caller sees."""
    from gongzhi.accounts.models import User

    owner_user = owner_unit = None
    if spec.owner_user_id:
        owner_user = User.objects.filter(pk=spec.owner_user_id, is_active=True).first()
        if owner_user is None:
            raise Http404
    if spec.owner_unit_id:
        owner_unit = PartnerUnit.objects.filter(pk=spec.owner_unit_id).first()
        if owner_unit is None:
            raise Http404
    return {"owner_user": owner_user, "owner_unit": owner_unit}


@api.post("/matters/{matter_id}/tasks", response={201: TaskOut, **ERRORS}, tags=TAGS)
def matter_task(request, matter_id: Id, payload: TaskIn):
    """Add a task to the matter's 推 checklist: an owner (login or partner unit) is
    required, the deadline is in working days."""
    matter = selectors.matter_get_visible(request.auth, matter_id)
    task = services.task_create(
        actor=request.auth,
        matter=matter,
        title=payload.title,
        due_days=payload.due_days,
        **_owners(request.auth, payload),
    )
    return Status(201, _task_out(task))


@api.get("/tasks", response={200: list[TaskOut], **ERRORS}, tags=TAGS)
@paginate(Page)
def tasks(request, open: bool = False):
    """Tasks in the caller's reach, given to them or to their partner unit."""
    return Mapped(selectors.task_list_visible_to(request.auth, open_only=open), _task_out)


class CompleteIn(Schema):
    evidence: str = limited(TEXT_MAX, ...)


@api.post("/tasks/{task_id}/complete", response={200: TaskOut, **ERRORS}, tags=TAGS)
def task_complete(request, task_id: Id, payload: CompleteIn):
    """Mark a task done with what was done (its owner, or staff over its place)."""
    task = selectors.task_get_visible(request.auth, task_id)
    task = services.task_complete(actor=request.auth, task=task, evidence=payload.evidence)
    return _task_out(selectors.task_get_visible(request.auth, task.pk))


# --- meetings ---------------------------------------------------------------------------


class MeetingOut(Schema):
    id: int
    kind: str
    kind_label: str
    form: str
    title: str
    starts_at: dt.datetime
    place: str
    host_name: str
    agenda: str
    matter_id: int | None
    corner_id: int | None
    topic_id: int | None
    minutes: str
    outcome: str
    invited: int
    attended: int


def _meeting_out(m: Meeting) -> dict:
    return {
        "id": m.pk,
        "kind": m.kind,
        "kind_label": choice_label(m, "kind"),
        "form": m.form,
        "title": m.title,
        "starts_at": m.starts_at,
        "place": m.place,
        "host_name": m.host_name,
        "agenda": m.agenda,
        "matter_id": m.matter_id,
        "corner_id": m.corner_id,
        "topic_id": m.topic_id,
        "minutes": m.minutes,
        "outcome": m.outcome,
        "invited": m.invited,
        "attended": m.attended,
    }


@api.get("/meetings", response={200: list[MeetingOut], **ERRORS}, tags=TAGS)
@paginate(Page)
def meetings(request, kind: str = filter_(20, description="会议类型代码")):
    """Meetings in the caller's reach, latest first, with invited and signed-in counts."""
    return Mapped(selectors.meeting_list_visible_to(request.auth, kind=kind), _meeting_out)


class MeetingIn(Schema):
    kind: str = code(20, ...)
    form: str = code(20, "plain")
    title: str = limited(TITLE_MAX, ...)
    starts_at: dt.datetime
    place: str = limited(120, ...)
    host_name: str = limited(60, ...)
    agenda: str = limited(2000, ...)
    community_id: Id | None = None
    building_id: Id | None = None
    matter_id: Id | None = None
    corner_id: Id | None = None
    topic_id: Id | None = None
    host_talent_id: Id | None = None


@api.post("/meetings", response={201: MeetingOut, **ERRORS}, tags=TAGS)
def meeting_create(request, payload: MeetingIn):
    """Plan a meeting: for a matter's 议 step (``matter_id``), a 微协商 session at a
    corner on an approved topic, or at a community or building."""
    user = request.auth
    community = (
        get_visible_or_404(user, Community.objects.all(), pk=payload.community_id)
        if payload.community_id
        else None
    )
    building = (
        get_visible_or_404(user, Building.objects.all(), pk=payload.building_id)
        if payload.building_id
        else None
    )
    matter = selectors.matter_get_visible(user, payload.matter_id) if payload.matter_id else None
    topic = selectors.topic_get_visible(user, payload.topic_id) if payload.topic_id else None
    corner = None
    if payload.corner_id:
        corner = selectors.corner_list_visible_to(user).filter(pk=payload.corner_id).first()
        if corner is None:
            raise Http404
    talent = (
        selectors.talent_get_visible(user, payload.host_talent_id)
        if payload.host_talent_id
        else None
    )
    if not any((community, building, matter, topic, corner)):
        raise Http404
    meeting = services.meeting_create(
        actor=user,
        kind=payload.kind,
        form=payload.form,
        title=payload.title,
        starts_at=payload.starts_at,
        place=payload.place,
        host_name=payload.host_name,
        agenda=payload.agenda,
        community=community,
        building=building,
        matter=matter,
        corner=corner,
        topic=topic,
        host_talent=talent,
    )
    return Status(201, _meeting_out(selectors.meeting_get_visible(user, meeting.pk)))


@api.get("/meetings/{meeting_id}", response={200: MeetingOut, **ERRORS}, tags=TAGS)
def meeting_detail(request, meeting_id: Id):
    return _meeting_out(selectors.meeting_get_visible(request.auth, meeting_id))


class InviteeIn(Schema):
    kind: str = code(20, ..., description="household / resident / party_member / partner")
    id: Id


class InviteIn(Schema):
    invitees: list[InviteeIn] = Field(..., max_length=services.INVITEES_MAX)


@api.post("/meetings/{meeting_id}/invitees", response={200: MeetingOut, **ERRORS}, tags=TAGS)
def meeting_invite(request, meeting_id: Id, payload: InviteIn):
    """Invite households, residents, party members and partner units of the community."""
    meeting = selectors.meeting_get_visible(request.auth, meeting_id)
    services.meeting_invite(
        actor=request.auth, meeting=meeting, invitees=[(i.kind, i.id) for i in payload.invitees]
    )
    return _meeting_out(selectors.meeting_get_visible(request.auth, meeting_id))


class SignInIn(Schema):
    resident_id: Id | None = None
    unit_id: Id | None = None


@api.post("/meetings/{meeting_id}/sign-ins", response={200: MeetingOut, **ERRORS}, tags=TAGS)
def meeting_sign_in(request, meeting_id: Id, payload: SignInIn):
    """Tick an invited resident (by name or as a member of an invited household) or unit
    present. Someone not invited is refused."""
    meeting = selectors.meeting_get_visible(request.auth, meeting_id)
    resident = unit = None
    if payload.resident_id:
        resident = Resident.objects.filter(
            pk=payload.resident_id, community_id=meeting.community_id
        ).first()
        if resident is None:
            raise Http404
    elif payload.unit_id:
        unit = PartnerUnit.objects.filter(pk=payload.unit_id).first()
        if unit is None:
            raise Http404
    services.meeting_sign_in(actor=request.auth, meeting=meeting, resident=resident, unit=unit)
    return _meeting_out(selectors.meeting_get_visible(request.auth, meeting_id))


class MinutesIn(Schema):
    minutes: str = limited(LONG_MAX, ...)
    outcome: str = limited(TEXT_MAX)


@api.post("/meetings/{meeting_id}/minutes", response={200: MeetingOut, **ERRORS}, tags=TAGS)
def meeting_minutes(request, meeting_id: Id, payload: MinutesIn):
    meeting = selectors.meeting_get_visible(request.auth, meeting_id)
    services.meeting_minutes(
        actor=request.auth, meeting=meeting, minutes=payload.minutes, outcome=payload.outcome
    )
    return _meeting_out(selectors.meeting_get_visible(request.auth, meeting_id))


class DecisionIn(Schema):
    text: str = limited(TEXT_MAX, ...)
    tasks: list[TaskIn] = Field([], max_length=services.TASKS_PER_DECISION_MAX)


class DecisionOut(Schema):
    id: int
    text: str
    tasks: list[TaskOut]


@api.post("/meetings/{meeting_id}/decisions", response={201: DecisionOut, **ERRORS}, tags=TAGS)
def meeting_decision(request, meeting_id: Id, payload: DecisionIn):
    """Record a decision and the tasks it gives out; a task without an owner refuses the
    whole decision."""
    meeting = selectors.meeting_get_visible(request.auth, meeting_id)
    specs = [
        {"title": t.title, "due_days": t.due_days, **_owners(request.auth, t)}
        for t in payload.tasks
    ]
    decision = services.decision_create(
        actor=request.auth, meeting=meeting, text=payload.text, tasks=specs
    )
    rows = decision.tasks.select_related("owner_user", "owner_unit").order_by("id")
    return Status(
        201, {"id": decision.pk, "text": decision.text, "tasks": [_task_out(t) for t in rows]}
    )


# --- consultations ----------------------------------------------------------------------


class CornerOut(Schema):
    id: int
    kind: str
    name: str
    place: str
    brand: str
    sessions: int


@api.get("/corners", response={200: list[CornerOut], **ERRORS}, tags=TAGS)
@paginate(Page)
def corners(request):
    """Consultation corners (议事角) and liaison stations in the caller's reach."""
    return Mapped(
        selectors.corner_list_visible_to(request.auth),
        lambda c: {
            "id": c.pk,
            "kind": c.kind,
            "name": c.name,
            "place": c.place,
            "brand": c.brand,
            "sessions": c.sessions_count,
        },
    )


class CornerIn(Schema):
    community_id: Id
    kind: str = code(20, "corner", description="corner（议事角）/ liaison（人大代表联络站）")
    name: str = limited(60, ...)
    place: str = limited(120, ...)


@api.post("/corners", response={201: CornerOut, **ERRORS}, tags=TAGS)
def corner_create(request, payload: CornerIn):
    """Set up a consultation corner in a community the caller runs."""
    community = get_visible_or_404(request.auth, Community.objects.all(), pk=payload.community_id)
    c = services.corner_create(
        actor=request.auth,
        community=community,
        kind=payload.kind,
        name=payload.name,
        place=payload.place,
    )
    out = {"id": c.pk, "kind": c.kind, "name": c.name, "place": c.place, "brand": c.brand}
    return Status(201, {**out, "sessions": 0})


class TopicOut(Schema):
    id: int
    source: str
    status: str
    status_label: str
    text: str
    public_text: str
    created_at: dt.datetime


def _topic_out(t) -> dict:
    return {
        "id": t.pk,
        "source": t.source,
        "status": t.status,
        "status_label": choice_label(t, "status"),
        "text": t.text,
        "public_text": t.public_text,
        "created_at": t.created_at,
    }


@api.get("/topics", response={200: list[TopicOut], **ERRORS}, tags=TAGS)
@paginate(Page)
def topics(request):
    """Consultation topics in the caller's reach, newest first."""
    return Mapped(selectors.topic_list_visible_to(request.auth), _topic_out)


class TopicIn(Schema):
    text: str = limited(TEXT_MAX, ...)
    community_id: Id | None = Field(None, description="社区工作人员提出时填写")


@api.post("/topics", response={201: TopicOut, **ERRORS}, tags=TAGS)
def topic_create(request, payload: TopicIn):
    """Propose a topic: a resident about their own building (reviewed before anyone sees
    it), or staff for a community they run."""
    user = request.auth
    community = None
    if payload.community_id:
        community = get_visible_or_404(user, Community.objects.all(), pk=payload.community_id)
    elif not user.resident_id:
        raise Http404
    topic = services.topic_propose(actor=user, text=payload.text, community=community)
    return Status(201, _topic_out(topic))


class ReviewIn(Schema):
    approve: bool
    public_text: str = limited(TEXT_MAX)
    reason: str = limited(200)


@api.post("/topics/{topic_id}/review", response={200: TopicOut, **ERRORS}, tags=TAGS)
def topic_review(request, topic_id: Id, payload: ReviewIn):
    """Approve a resident's topic with its public wording, or decline it with a reason."""
    topic = selectors.topic_get_visible(request.auth, topic_id)
    topic = services.topic_review(
        actor=request.auth,
        topic=topic,
        approve=payload.approve,
        public_text=payload.public_text,
        reason=payload.reason,
    )
    return _topic_out(topic)


# --- talent pool ------------------------------------------------------------------------


class TalentOut(Schema):
    id: int
    name: str
    title: str
    title_label: str
    skills: str
    source: str
    status: str
    consented: bool


def _talent_out(t) -> dict:
    return {
        "id": t.pk,
        "name": t.name,
        "title": t.title,
        "title_label": choice_label(t, "title"),
        "skills": t.skills,
        "source": t.source,
        "status": t.status,
        "consented": t.consent_at is not None,
    }


@api.get("/talents", response={200: list[TalentOut], **ERRORS}, tags=TAGS)
@paginate(Page)
def talents(request):
    """The talent pool of the caller's reach, with each person's review and consent."""
    return Mapped(selectors.talent_list_visible_to(request.auth), _talent_out)


class TalentIn(Schema):
    name: str = limited(40, ...)
    title: str = code(20, ...)
    skills: str = limited(200, ...)
    community_id: Id | None = Field(None, description="社区工作人员登记时填写")
    myself: bool = Field(False, description="居民自荐时为 true")


@api.post("/talents", response={201: TalentOut, **ERRORS}, tags=TAGS)
def talent_create(request, payload: TalentIn):
    """Put someone forward for the pool: a resident nominates themself or a neighbour (by
    name), staff record someone the community found."""
    user = request.auth
    community = None
    if payload.community_id:
        community = get_visible_or_404(user, Community.objects.all(), pk=payload.community_id)
    elif not user.resident_id:
        raise Http404
    talent = services.talent_propose(
        actor=user,
        name=payload.name,
        title=payload.title,
        skills=payload.skills,
        community=community,
        myself=payload.myself,
    )
    return Status(201, _talent_out(talent))


class TalentReviewIn(Schema):
    approve: bool


@api.post("/talents/{talent_id}/review", response={200: TalentOut, **ERRORS}, tags=TAGS)
def talent_review(request, talent_id: Id, payload: TalentReviewIn):
    talent = selectors.talent_get_visible(request.auth, talent_id)
    return _talent_out(
        services.talent_review(actor=request.auth, talent=talent, approve=payload.approve)
    )


class ConsentIn(Schema):
    note: str = limited(200, ...)


@api.post("/talents/{talent_id}/consent", response={200: TalentOut, **ERRORS}, tags=TAGS)
def talent_consent(request, talent_id: Id, payload: ConsentIn):
    """Record the person's consent to be shown (how it was given)."""
    talent = selectors.talent_get_visible(request.auth, talent_id)
    return _talent_out(
        services.talent_consent(actor=request.auth, talent=talent, note=payload.note)
    )
