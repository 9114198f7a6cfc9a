"""Every write of deliberation. Each function is atomic, checks the actor against
``deliberation.rules``, locks what it changes (``select_for_update``), checks a status move
against the maps in ``enums``, appends to the history and writes the audit event. Missing
and forbidden both raise ``Http404``; a visible record the actor may not change raises
``PermissionDenied``; input or a state that refuses raises ``ValidationError`` with a
Chinese message per field; a matter's refused move raises ``MoveRefused``, which the API
answers with 409.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core import audit, redact
from gongzhi.core.scoping import may, require
from gongzhi.core.text import bounded_text
from gongzhi.core.workcal import add_working_days
from gongzhi.orgs.models import PartnerUnit, PartyMember
from gongzhi.places.enums import ResidentStatus
from gongzhi.places.models import Building, Community, Grid, Household, Resident
from gongzhi.voices.models import Item
from gongzhi.voices.notify import notify

from . import rules
from .enums import (
    ORDER,
    STAGE_ALIASES,
    STAGE_NAMES,
    TALENT_TRANSITIONS,
    TOPIC_TRANSITIONS,
    TRANSITIONS,
    CornerKind,
    InviteeKind,
    MeetingForm,
    MeetingKind,
    Satisfaction,
    Stage,
    TalentSource,
    TalentStatus,
    TalentTitle,
    TopicSource,
    TopicStatus,
)
from .models import (
    LONG_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Corner,
    Decision,
    Invitee,
    Matter,
    MatterTransition,
    MatterVisit,
    Meeting,
    Objection,
    Talent,
    Task,
    Topic,
    Vote,
)

NOTICE_DAYS_MAX = 30
DUE_DAYS_MAX = 120
TASKS_PER_DECISION_MAX = 20
INVITEES_MAX = 500


class MoveRefused(ValidationError):
    """A matter's move refused: ``refusal`` is ``invalid_transition`` (a skip, or a move the
    map does not have) or ``unmet`` (a condition not met yet). The API answers 409."""

    def __init__(self, message: str, refusal: str):
        super().__init__({"to": [message]})
        self.refusal = refusal


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _label(actor) -> str:
    return str(actor)[:120] if actor is not None else ""


def stage_name(stage: str) -> str:
    return str(STAGE_NAMES.get(stage, stage))


def _collect(errors: dict, fn, *args, **kwargs):
    """Run one check and keep its field errors, so that a form shows every problem at once."""
    try:
        return fn(*args, **kwargs)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
        return None


def _bounded_int(value, *, field: str, low: int, high: int, message: str) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: [message]}) from None
    if not low <= n <= high:
        raise ValidationError({field: [message]})
    return n


# --- places -----------------------------------------------------------------------------


def _place(*, community: Community, grid: Grid | None, building: Building | None) -> dict:
    """Community, grid and building that agree with one another (a building fixes the
    other two)."""
    if building is not None:
        return {
            "community_id": building.community_id,
            "grid_id": building.grid_id,
            "building_id": building.pk,
        }
    if grid is not None:
        return {"community_id": grid.community_id, "grid_id": grid.pk, "building_id": None}
    if community is None:
        raise ValidationError({"community": [_("请选择社区。")]})
    return {"community_id": community.pk, "grid_id": None, "building_id": None}


def _place_node(place: dict):
    if place["building_id"]:
        return Building.objects.get(pk=place["building_id"])
    if place["grid_id"]:
        return Grid.objects.get(pk=place["grid_id"])
    return Community.objects.get(pk=place["community_id"])


def _require_run_at(actor, place: dict) -> None:
    """The actor runs deliberation over the place's narrowest node (404 when they do not
    even see it)."""
    require(actor, rules.RUN, _place_node(place))


# --- matters ----------------------------------------------------------------------------


def _clean_matter_text(title, summary) -> tuple[str, str]:
    errors: dict = {}
    title = _collect(
        errors,
        bounded_text,
        title,
        field="title",
        limit=TITLE_MAX,
        required=_("请填写议题名称。"),
    )
    summary = _collect(
        errors,
        bounded_text,
        summary,
        field="summary",
        limit=TEXT_MAX,
        required=_("请写明议题的情况说明（将在公示中展示）。"),
    )
    if errors:
        raise ValidationError(errors)
    return title, summary


@transaction.atomic
def matter_create(
    *,
    actor,
    title: str,
    summary: str,
    community: Community | None = None,
    grid: Grid | None = None,
    building: Building | None = None,
    item: Item | None = None,
    notice_days: int = 5,
    threshold: int = 80,
    now: dt.datetime | None = None,
) -> Matter:
    """Open a matter at 摸, at a place the actor runs, or raised from a hard item of
    residents' voice (the matter takes the item's place and keeps the link; the item's
    reporters are told)."""
    now = _now(now)
    if item is not None:
        require(actor, "view", item)
        place = {
            "community_id": item.community_id,
            "grid_id": item.grid_id,
            "building_id": item.building_id,
        }
    else:
        place = _place(community=community, grid=grid, building=building)
    _require_run_at(actor, place)
    errors: dict = {}
    cleaned = _collect(errors, _clean_matter_text, title, summary)
    notice_days = _collect(
        errors,
        _bounded_int,
        notice_days,
        field="notice_days",
        low=1,
        high=NOTICE_DAYS_MAX,
        message=_("公示天数请填写1到%(max)d之间的工作日数。") % {"max": NOTICE_DAYS_MAX},
    )
    threshold = _collect(
        errors,
        _bounded_int,
        threshold,
        field="threshold",
        low=1,
        high=100,
        message=_("满意度要求请填写1到100之间的百分数。"),
    )
    if item is not None:
        locked_item = Item.objects.select_for_update().get(pk=item.pk)
        if Matter.objects.filter(item=locked_item).exists():
            errors.setdefault("item", []).append(_("这条诉求已经列为议题了。"))
    if errors:
        raise ValidationError(errors)
    matter = Matter.objects.create(
        **place,
        title=cleaned[0],
        summary=cleaned[1],
        item=item,
        notice_days=notice_days,
        threshold=threshold,
        stage=Stage.INVESTIGATE,
        stage_started_at=now,
        created_by=actor,
    )
    MatterTransition.objects.create(
        matter=matter,
        from_stage="",
        to_stage=Stage.INVESTIGATE,
        actor=actor,
        actor_label=_label(actor),
        reason=_("立项"),
        at=now,
    )
    audit.record(
        actor=actor,
        action="deliberation.matter.created",
        obj=matter,
        changes={"item": item.number if item else ""},
    )
    if item is not None:
        _tell_reporters(
            item,
            _("您反映的“%(title)s”已列为社区议题，将按“摸、议、推、示、评”五步推进。")
            % {"title": item.title},
        )
    return matter


def _tell_reporters(item: Item, text: str) -> None:
    residents, users = [], []
    for r in item.reporters.select_related("resident", "user"):
        if r.resident_id:
            residents.append(r.resident)
        elif r.user_id:
            users.append(r.user)
    notify(item=item, text=text, residents=residents, users=users)


def _lock_matter(matter: Matter) -> Matter:
    return Matter.objects.select_for_update(of=("self",)).get(pk=matter.pk)


def clean_stage(value) -> str:
    value = (str(value) if value is not None else "").strip()
    value = STAGE_ALIASES.get(value, value)
    if value not in Stage.values:
        raise ValidationError(
            {"to": [_("不认识的环节，可选：摸、议、推、示、评、办结。")]}, code="invalid"
        )
    return value


def tally(matter: Matter, round: int | None = None) -> dict:
    """The satisfaction votes of a round (the current one by default), counted."""
    round = matter.evaluation_round if round is None else round
    counts = {c: 0 for c in Satisfaction.values}
    for choice in Vote.objects.filter(matter=matter, round=round).values_list("choice", flat=True):
        counts[choice] += 1
    total = sum(counts.values())
    good = counts[Satisfaction.SATISFIED] + counts[Satisfaction.BASICALLY]
    rate = round_rate(good, total)
    return {"counts": counts, "total": total, "good": good, "rate": rate}


def round_rate(good: int, total: int) -> float | None:
    return None if total == 0 else good * 100 / total


def unmet(matter: Matter, to: str, now: dt.datetime) -> str | None:
    """Why ``matter`` cannot move to ``to`` yet (``None`` when it can). The map has been
    checked already."""
    current = matter.stage
    if current == Stage.INVESTIGATE and to == Stage.DELIBERATE:
        visited = MatterVisit.objects.filter(matter=matter, households__isnull=False).exists()
        if not visited:
            return _("还没有走访记录：请先记录现场走访情况和征求过意见的住户（摸）。")
    elif current == Stage.DELIBERATE and to == Stage.IMPLEMENT:
        decided = Meeting.objects.filter(
            matter=matter, minutes_at__gte=matter.stage_started_at, decisions__isnull=False
        ).exists()
        if not decided:
            return _("还没有会议商定：请先召开会议、记录会议纪要和决定事项（议）。")
    elif current == Stage.IMPLEMENT and to == Stage.NOTICE:
        tasks = Task.objects.filter(matter=matter)
        if not tasks.exists():
            return _("还没有落实任务：请先列出任务清单（推）。")
        left = tasks.filter(done_at__isnull=True).count()
        if left:
            return _("还有%(n)d项任务没有完成，全部完成并上传完成情况后才能公示。") % {"n": left}
    elif current == Stage.NOTICE and to == Stage.EVALUATE:
        if matter.notice_ends_at and now < matter.notice_ends_at:
            return _("公示期还没有结束（%(end)s结束），公示期满才能评议。") % {
                "end": timezone.localtime(matter.notice_ends_at).strftime("%Y-%m-%d %H:%M")
            }
    elif current == Stage.NOTICE and to == Stage.DELIBERATE:
        if not Objection.objects.filter(matter=matter, at__gte=matter.notice_started_at).exists():
            return _("公示期内没有异议，不需要退回重议。")
    elif current == Stage.EVALUATE:
        t = tally(matter)
        if t["total"] == 0:
            return _("还没有住户评议，请先收集受影响住户的满意度。")
        passed = t["rate"] >= matter.threshold
        if to == Stage.CLOSED and not passed:
            return _("满意率为%(rate).0f%%，低于要求的%(need)d%%，应退回“推”继续落实。") % {
                "rate": t["rate"],
                "need": matter.threshold,
            }
        if to == Stage.IMPLEMENT and passed:
            return _("满意率为%(rate).0f%%，已达到要求的%(need)d%%，可以办结。") % {
                "rate": t["rate"],
                "need": matter.threshold,
            }
    return None


def _skip_message(matter: Matter, to: str) -> str:
    current = matter.stage
    if current == Stage.CLOSED:
        return _("议题已经办结，不能再变更环节。")
    if to == current:
        return _("议题已经处于“%(now)s”环节。") % {"now": stage_name(current)}
    following = ORDER[ORDER.index(current) + 1]
    return _("议题现在处于“%(now)s”，不能转到“%(to)s”：五步法不能跳过，下一步是“%(next)s”。") % {
        "now": stage_name(current),
        "to": stage_name(to),
        "next": stage_name(following),
    }


def _move(matter: Matter, to: str, *, actor, reason: str, now: dt.datetime) -> str:
    """Move a locked matter: the map, then the conditions, then the history."""
    if to not in TRANSITIONS[matter.stage]:
        raise MoveRefused(_skip_message(matter, to), "invalid_transition")
    why = unmet(matter, to, now)
    if why:
        raise MoveRefused(why, "unmet")
    before = matter.stage
    matter.stage = to
    matter.stage_started_at = now
    fields = ["stage", "stage_started_at"]
    if to == Stage.NOTICE:
        matter.notice_started_at = now
        matter.notice_ends_at = add_working_days(now, matter.notice_days)
        fields += ["notice_started_at", "notice_ends_at"]
    if to == Stage.EVALUATE:
        matter.evaluation_round += 1
        fields.append("evaluation_round")
    if to == Stage.CLOSED:
        matter.closed_at = now
        fields.append("closed_at")
    matter.save(update_fields=fields)
    MatterTransition.objects.create(
        matter=matter,
        from_stage=before,
        to_stage=to,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=_label(actor),
        reason=reason[:TEXT_MAX],
        at=now,
    )
    audit.record(
        actor=actor,
        action="deliberation.matter.moved",
        obj=matter,
        changes={"stage": [before, to]},
    )
    if to == Stage.CLOSED and matter.item_id:
        t = tally(matter)
        _tell_reporters(
            matter.item,
            _("您反映的“%(title)s”已按五步法办结，群众满意率%(rate).0f%%。谢谢您的参与！")
            % {"title": matter.item.title, "rate": t["rate"] or 0},
        )
    return before


@transaction.atomic
def matter_move(
    *, actor, matter: Matter, to: str, reason: str = "", now: dt.datetime | None = None
) -> Matter:
    """Move ``matter`` one step (or back where the method says so), after checking that
    the step's condition is met. Of two staff moving the same matter at once, the second
    waits for the first's lock and is then refused, because the matter is no longer where
    they saw it."""
    now = _now(now)
    to = clean_stage(to)
    reason = bounded_text(reason, field="reason", limit=TEXT_MAX)
    rules.require_run(actor, matter)
    locked = _lock_matter(matter)
    _move(locked, to, actor=actor, reason=reason, now=now)
    return locked


@transaction.atomic
def matter_visit(
    *,
    actor,
    matter: Matter,
    note: str,
    households: Sequence[Household] = (),
    now: dt.datetime | None = None,
) -> MatterVisit:
    """摸: record a site visit and the households whose views were taken."""
    rules.require_run(actor, matter)
    locked = _lock_matter(matter)
    errors: dict = {}
    note = _collect(
        errors,
        bounded_text,
        note,
        field="note",
        limit=TEXT_MAX,
        required=_("请写下走访看到的情况。"),
    )
    households = list(households)
    if not households:
        errors.setdefault("households", []).append(_("请选择征求过意见的住户。"))
    elif any(not rules.touches_household(locked, h) for h in households):
        errors.setdefault("households", []).append(_("只能选择本议题所涉范围内的住户。"))
    if locked.stage != Stage.INVESTIGATE:
        errors.setdefault("__all__", []).append(_("议题已经过了“摸”的环节，不能再补记走访。"))
    if errors:
        raise ValidationError(errors)
    visit = MatterVisit.objects.create(matter=locked, note=note, actor=actor)
    visit.households.set(households)
    audit.record(
        actor=actor,
        action="deliberation.matter.visited",
        obj=locked,
        changes={"households": len(households)},
    )
    return visit


def _resident_of(actor) -> Resident:
    resident = (
        Resident.objects.filter(pk=getattr(actor, "resident_id", None) or 0)
        .select_related("household")
        .first()
    )
    if resident is None or resident.status != ResidentStatus.LIVING:
        raise Http404
    return resident


def _public_matter(actor, matter: Matter) -> tuple[Matter, Resident]:
    """The locked matter and the acting resident, who must live where it touches."""
    resident = _resident_of(actor)
    locked = _lock_matter(matter)
    if not rules.touches_household(locked, resident.household):
        raise Http404
    return locked, resident


@transaction.atomic
def matter_object(*, actor, matter: Matter, text: str, now: dt.datetime | None = None) -> Objection:
    """A resident objects during the 示 window: the objection is kept and the matter goes
    back to 议 for another meeting."""
    now = _now(now)
    locked, resident = _public_matter(actor, matter)
    text = bounded_text(text, field="text", limit=TEXT_MAX, required=_("请写下您的异议。"))
    in_window = (
        locked.stage == Stage.NOTICE
        and locked.notice_ends_at is not None
        and now < locked.notice_ends_at
    )
    if not in_window:
        raise ValidationError({"text": [_("这个议题现在不在公示期内，不能提出异议。")]})
    objection = Objection.objects.create(matter=locked, resident=resident, text=text, at=now)
    audit.record(actor=actor, action="deliberation.matter.objected", obj=locked)
    _move(
        locked,
        Stage.DELIBERATE,
        actor=actor,
        reason=_("公示期内居民提出异议，退回重新商议"),
        now=now,
    )
    return objection


@transaction.atomic
def matter_vote(*, actor, matter: Matter, choice: str, now: dt.datetime | None = None) -> Vote:
    """评: one vote per affected household and round."""
    locked, resident = _public_matter(actor, matter)
    if choice not in Satisfaction.values:
        raise ValidationError({"choice": [_("请选择满意、基本满意或不满意。")]})
    if locked.stage != Stage.EVALUATE:
        raise ValidationError({"choice": [_("这个议题现在不在评议阶段。")]})
    try:
        with transaction.atomic():
            vote = Vote.objects.create(
                matter=locked,
                round=locked.evaluation_round,
                household_id=resident.household_id,
                resident=resident,
                choice=choice,
            )
    except IntegrityError:
        raise ValidationError({"choice": [_("您家已经评议过了，谢谢！")]}) from None
    audit.record(
        actor=actor, action="deliberation.matter.voted", obj=locked, changes={"choice": choice}
    )
    return vote


# --- meetings ---------------------------------------------------------------------------


def _clean_meeting(data: dict) -> dict:
    errors: dict = {}
    out = {}
    if data.get("kind") not in MeetingKind.values:
        errors["kind"] = [_("请选择会议类型。")]
    out["kind"] = data.get("kind")
    form = data.get("form") or MeetingForm.PLAIN
    if form not in MeetingForm.values:
        errors["form"] = [_("请选择会议形式。")]
    out["form"] = form
    for field, limit, message in (
        ("title", TITLE_MAX, _("请填写会议名称。")),
        ("place", 120, _("请填写会议地点。")),
        ("host_name", 60, _("请填写主持人。")),
        ("agenda", 2000, _("请填写会议议程。")),
    ):
        out[field] = _collect(
            errors, bounded_text, data.get(field), field=field, limit=limit, required=message
        )
    if not isinstance(data.get("starts_at"), dt.datetime):
        errors["starts_at"] = [_("请填写会议时间。")]
    out["starts_at"] = data.get("starts_at")
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def meeting_create(
    *,
    actor,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    place: str,
    host_name: str,
    agenda: str,
    form: str = MeetingForm.PLAIN,
    community: Community | None = None,
    grid: Grid | None = None,
    building: Building | None = None,
    matter: Matter | None = None,
    corner: Corner | None = None,
    topic: Topic | None = None,
    host_talent: Talent | None = None,
    phase=None,
) -> Meeting:
    """Plan a meeting. With a matter it is the matter's 议 meeting (at the matter's place);
    at a corner or on a topic it is a 微协商 session; a talent of the pool may host. With a
    renewal ``phase`` it is about that phase of the project, and its minutes count as the
    phase's resident input."""
    if matter is not None:
        rules.require_run(actor, matter)
        where = {
            "community_id": matter.community_id,
            "grid_id": matter.grid_id,
            "building_id": matter.building_id,
        }
    elif topic is not None:
        rules.require_run(actor, topic)
        where = {
            "community_id": topic.community_id,
            "grid_id": topic.grid_id,
            "building_id": topic.building_id,
        }
    else:
        where = _place(
            community=corner.community if corner and not community else community,
            grid=grid,
            building=building,
        )
    _require_run_at(actor, where)
    errors: dict = {}
    data = _collect(
        errors,
        _clean_meeting,
        {
            "kind": kind,
            "form": form,
            "title": title,
            "place": place,
            "host_name": host_name,
            "agenda": agenda,
            "starts_at": starts_at,
        },
    )
    if corner is not None and corner.community_id != where["community_id"]:
        errors.setdefault("corner", []).append(_("议事角不在本社区。"))
    if (corner is not None or topic is not None) and kind != MeetingKind.CONSULTATION:
        errors.setdefault("kind", []).append(_("议事角和协商议题只用于微协商。"))
    if topic is not None and topic.status != TopicStatus.APPROVED:
        errors.setdefault("topic", []).append(_("协商议题需先经社区审核采纳。"))
    if host_talent is not None and (
        not host_talent.may_show or host_talent.community_id != where["community_id"]
    ):
        errors.setdefault("host_talent", []).append(_("只能请本社区已入库并同意公开的能人主持。"))
    if phase is not None and phase.project.community_id != where["community_id"]:
        errors.setdefault("phase", []).append(_("更新项目不在本社区。"))
    if errors:
        raise ValidationError(errors)
    meeting = Meeting.objects.create(
        **where,
        **data,
        phase=phase,
        matter=matter,
        corner=corner,
        topic=topic,
        host_talent=host_talent,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="deliberation.meeting.created",
        obj=meeting,
        changes={"kind": meeting.kind, "matter": matter.pk if matter else None},
    )
    return meeting


def _invitee_row(meeting: Meeting, kind: str, ref: int) -> Invitee:
    """An unsaved invitation of one person, household or unit of the meeting's community."""
    if kind in (InviteeKind.RESIDENT, InviteeKind.PARTY_MEMBER):
        resident = Resident.objects.filter(
            pk=ref, community_id=meeting.community_id, status=ResidentStatus.LIVING
        ).first()
        if resident is None:
            raise ValidationError({"invitees": [_("只能邀请本社区在住的居民。")]})
        if (
            kind == InviteeKind.PARTY_MEMBER
            and not PartyMember.objects.filter(resident=resident).exists()
        ):
            raise ValidationError(
                {"invitees": [_("%(name)s 不是登记的党员。") % {"name": resident.name}]}
            )
        return Invitee(meeting=meeting, kind=kind, resident=resident, label=resident.name)
    if kind == InviteeKind.HOUSEHOLD:
        household = (
            Household.objects.filter(pk=ref, community_id=meeting.community_id)
            .select_related("building")
            .first()
        )
        if household is None:
            raise ValidationError({"invitees": [_("只能邀请本社区的住户。")]})
        return Invitee(meeting=meeting, kind=kind, household=household, label=str(household))
    if kind == InviteeKind.PARTNER:
        unit = PartnerUnit.objects.filter(pk=ref, communities=meeting.community_id).first()
        if unit is None:
            raise ValidationError({"invitees": [_("只能邀请与本社区共建的单位。")]})
        return Invitee(
            meeting=meeting, kind=kind, partner_unit=unit, label=unit.short_name or unit.name
        )
    raise ValidationError({"invitees": [_("不认识的参会人员类别。")]})


@transaction.atomic
def meeting_invite(
    *, actor, meeting: Meeting, invitees: Iterable[tuple[str, int]]
) -> list[Invitee]:
    """Invite ``(kind, id)`` pairs: residents, party members, households, partner units.
    Someone invited already is left as they are."""
    rules.require_run(actor, meeting)
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    pairs = list(dict.fromkeys((str(k), int(i)) for k, i in invitees))
    if not pairs:
        raise ValidationError({"invitees": [_("请选择要邀请的人员。")]})
    if len(pairs) > INVITEES_MAX:
        raise ValidationError({"invitees": [_("一次最多邀请%(n)d位。") % {"n": INVITEES_MAX}]})
    rows = [_invitee_row(locked, kind, ref) for kind, ref in pairs]
    existing = Invitee.objects.filter(meeting=locked)
    have = {("r", r) for r in existing.exclude(resident=None).values_list("resident_id", flat=True)}
    have |= {
        ("h", h)
        for h in existing.filter(resident=None)
        .exclude(household=None)
        .values_list("household_id", flat=True)
    }
    have |= {
        ("u", u)
        for u in existing.exclude(partner_unit=None).values_list("partner_unit_id", flat=True)
    }
    new = []
    for row in rows:
        key = (
            ("r", row.resident_id)
            if row.resident_id
            else ("h", row.household_id)
            if row.household_id
            else ("u", row.partner_unit_id)
        )
        if key not in have:
            have.add(key)
            new.append(row)
    Invitee.objects.bulk_create(new)
    audit.record(
        actor=actor, action="deliberation.meeting.invited", obj=locked, changes={"added": len(new)}
    )
    return new


def not_invited_message() -> str:
    return _("不在本次会议的邀请名单中，不能签到。")


@transaction.atomic
def meeting_sign_in(
    *,
    actor,
    meeting: Meeting,
    resident: Resident | None = None,
    unit: PartnerUnit | None = None,
    now: dt.datetime | None = None,
) -> Invitee:
    """Tick someone present: a resident invited by name, or as a member of an invited
    household, or an invited partner unit. Anyone else is refused."""
    now = _now(now)
    rules.require_run(actor, meeting)
    invitees = Invitee.objects.select_for_update().filter(meeting=meeting)
    row = None
    if resident is not None:
        row = invitees.filter(resident=resident).first()
        if row is None:
            household_row = invitees.filter(
                household_id=resident.household_id, resident=None
            ).first()
            if household_row is not None:
                # A household is invited; the member who came signs in by name.
                if household_row.signed_in_at is None:
                    row = household_row
                    row.resident = resident
                    row.label = f"{household_row.label} {resident.name}"
                    row.save(update_fields=["resident", "label"])
                else:
                    row = Invitee.objects.create(
                        meeting=meeting,
                        kind=InviteeKind.HOUSEHOLD,
                        household_id=resident.household_id,
                        resident=resident,
                        label=f"{household_row.label} {resident.name}",
                    )
    elif unit is not None:
        row = invitees.filter(partner_unit=unit).first()
    if row is None:
        raise ValidationError({"who": [not_invited_message()]})
    if row.signed_in_at is not None:
        raise ValidationError({"who": [_("%(who)s 已经签到了。") % {"who": row.label}]})
    row.signed_in_at = now
    row.signed_in_by = actor
    row.save(update_fields=["signed_in_at", "signed_in_by"])
    audit.record(
        actor=actor,
        action="deliberation.meeting.signed_in",
        obj=meeting,
        changes={"invitee": row.pk},
    )
    return row


@transaction.atomic
def meeting_minutes(
    *, actor, meeting: Meeting, minutes: str, outcome: str = "", now: dt.datetime | None = None
) -> Meeting:
    """Record (or correct) the minutes and, for a consultation, its outcome."""
    now = _now(now)
    rules.require_run(actor, meeting)
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    errors: dict = {}
    minutes = _collect(
        errors,
        bounded_text,
        minutes,
        field="minutes",
        limit=LONG_MAX,
        required=_("请填写会议记录。"),
    )
    outcome = _collect(errors, bounded_text, outcome, field="outcome", limit=TEXT_MAX)
    if errors:
        raise ValidationError(errors)
    locked.minutes = minutes
    locked.outcome = outcome or ""
    locked.minutes_at = now
    locked.save(update_fields=["minutes", "outcome", "minutes_at"])
    if locked.topic_id:
        topic = Topic.objects.select_for_update().get(pk=locked.topic_id)
        if topic.status == TopicStatus.APPROVED:
            _topic_move(topic, TopicStatus.DISCUSSED)
            topic.save(update_fields=["status"])
    audit.record(actor=actor, action="deliberation.meeting.minutes_recorded", obj=locked)
    return locked


# --- tasks ------------------------------------------------------------------------------


def _clean_task(spec: dict, *, place: dict, index: int | None = None) -> dict:
    """A task's title, owner and deadline; field names carry the task's index in a list."""
    prefix = "" if index is None else f"tasks.{index}."
    errors: dict = {}
    title = _collect(
        errors,
        bounded_text,
        spec.get("title"),
        field=f"{prefix}title",
        limit=200,
        required=_("请写明任务内容。"),
    )
    owner_user = spec.get("owner_user")
    owner_unit = spec.get("owner_unit")
    if owner_user is None and owner_unit is None:
        errors.setdefault(f"{prefix}owner", []).append(
            _("请指定责任人或责任单位，任务不能没有人负责。")
        )
    if owner_user is not None:
        node = _place_node(place)
        if not owner_user.is_active or not may(owner_user, "view", node):
            errors.setdefault(f"{prefix}owner", []).append(_("责任人须是负责这一片区的工作人员。"))
    if (
        owner_unit is not None
        and not owner_unit.communities.filter(pk=place["community_id"]).exists()
    ):
        errors.setdefault(f"{prefix}owner", []).append(_("责任单位须是与本社区共建的单位。"))
    due_days = _collect(
        errors,
        _bounded_int,
        spec.get("due_days"),
        field=f"{prefix}due_days",
        low=1,
        high=DUE_DAYS_MAX,
        message=_("完成时限请填写1到%(max)d个工作日。") % {"max": DUE_DAYS_MAX},
    )
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "owner_user": owner_user,
        "owner_unit": owner_unit,
        "due_days": due_days,
    }


def _make_task(clean: dict, *, place: dict, actor, now, **links) -> Task:
    task = Task.objects.create(
        **place,
        **clean,
        **links,
        due_at=add_working_days(now, clean["due_days"]),
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="deliberation.task.created",
        obj=task,
        changes={"owner": task.owner_label, "due_days": task.due_days},
    )
    return task


def _task_owner(owner_user_id, owner_unit_id) -> dict:
    return {
        "owner_user": User.objects.filter(pk=owner_user_id).first() if owner_user_id else None,
        "owner_unit": PartnerUnit.objects.filter(pk=owner_unit_id).first()
        if owner_unit_id
        else None,
    }


@transaction.atomic
def decision_create(
    *, actor, meeting: Meeting, text: str, tasks: Sequence[dict] = (), now=None
) -> Decision:
    """Record a decision of a meeting and the tasks it gives out. Each task is
    ``{"title", "owner_user" or "owner_unit", "due_days"}``; one task without an owner
    refuses the whole decision, so nothing is half written."""
    now = _now(now)
    rules.require_run(actor, meeting)
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    place = {
        "community_id": locked.community_id,
        "grid_id": locked.grid_id,
        "building_id": locked.building_id,
    }
    errors: dict = {}
    text = _collect(
        errors, bounded_text, text, field="text", limit=TEXT_MAX, required=_("请写明决定事项。")
    )
    tasks = list(tasks)
    if len(tasks) > TASKS_PER_DECISION_MAX:
        errors.setdefault("tasks", []).append(
            _("一项决定最多分派%(n)d个任务。") % {"n": TASKS_PER_DECISION_MAX}
        )
        tasks = []
    cleaned = [
        _collect(errors, _clean_task, spec, place=place, index=i) for i, spec in enumerate(tasks)
    ]
    if errors:
        raise ValidationError(errors)
    decision = Decision.objects.create(meeting=locked, text=text)
    audit.record(
        actor=actor,
        action="deliberation.decision.created",
        obj=locked,
        changes={"decision": decision.pk, "tasks": len(cleaned)},
    )
    for clean in cleaned:
        _make_task(
            clean,
            place=place,
            actor=actor,
            now=now,
            meeting=locked,
            decision=decision,
            matter_id=locked.matter_id,
        )
    return decision


@transaction.atomic
def task_create(
    *,
    actor,
    matter: Matter,
    title: str,
    owner_user=None,
    owner_unit: PartnerUnit | None = None,
    due_days=None,
    now: dt.datetime | None = None,
) -> Task:
    """Add a task to a matter's 推 checklist."""
    now = _now(now)
    rules.require_run(actor, matter)
    locked = _lock_matter(matter)
    place = {
        "community_id": locked.community_id,
        "grid_id": locked.grid_id,
        "building_id": locked.building_id,
    }
    clean = _clean_task(
        {"title": title, "owner_user": owner_user, "owner_unit": owner_unit, "due_days": due_days},
        place=place,
    )
    if locked.stage not in (Stage.DELIBERATE, Stage.IMPLEMENT):
        raise ValidationError({"__all__": [_("只有在“议”或“推”环节才能添加任务。")]})
    return _make_task(clean, place=place, actor=actor, now=now, matter=locked)


@transaction.atomic
def task_complete(*, actor, task: Task, evidence: str, now: dt.datetime | None = None) -> Task:
    """The owner (or staff over its place) marks a task done, with what was done."""
    now = _now(now)
    if not rules.may_task_done(actor, task):
        raise Http404
    locked = Task.objects.select_for_update().get(pk=task.pk)
    evidence = bounded_text(
        evidence, field="evidence", limit=TEXT_MAX, required=_("请写明完成情况。")
    )
    if locked.done_at is not None:
        raise ValidationError({"evidence": [_("这项任务已经完成了。")]})
    locked.done_at = now
    locked.done_by = actor
    locked.evidence = evidence
    locked.save(update_fields=["done_at", "done_by", "evidence"])
    audit.record(actor=actor, action="deliberation.task.completed", obj=locked)
    return locked


REMIND_BEFORE_DAYS = 1


def tasks_remind(*, now: dt.datetime | None = None) -> int:
    """Tell each owner once of an open task due within a working day (or overdue). Run by
    the schedule's tick."""
    now = _now(now)
    horizon = add_working_days(now, REMIND_BEFORE_DAYS)
    sent = 0
    ids = list(
        Task.objects.filter(done_at=None, reminded_at=None, due_at__lte=horizon).values_list(
            "pk", flat=True
        )[:500]
    )
    for pk in ids:
        with transaction.atomic():
            task = (
                Task.objects.select_for_update(of=("self",))
                .select_related("owner_unit", "owner_user")
                .filter(pk=pk, done_at=None, reminded_at=None)
                .first()
            )
            if task is None:
                continue
            users = [task.owner_user] if task.owner_user_id else []
            if task.owner_unit_id:
                users += list(User.objects.filter(partner_unit=task.owner_unit, is_active=True))
            notify(
                item=None,
                text=_("任务提醒：“%(title)s”将于%(due)s到期，请按时完成并上传完成情况。")
                % {"title": task.title, "due": timezone.localtime(task.due_at).strftime("%m-%d")},
                users=users,
            )
            task.reminded_at = now
            task.save(update_fields=["reminded_at"])
            audit.record(actor=None, action="deliberation.task.reminded", obj=task)
            sent += 1
    return sent


# --- consultations ----------------------------------------------------------------------


@transaction.atomic
def corner_create(*, actor, community: Community, kind: str, name: str, place: str) -> Corner:
    """Set up a consultation corner (议事角) or the deputies' liaison station."""
    require(actor, rules.RUN, community)
    errors: dict = {}
    if kind not in CornerKind.values:
        errors["kind"] = [_("请选择类别。")]
    name = _collect(errors, bounded_text, name, field="name", limit=60, required=_("请填写名称。"))
    place = _collect(
        errors, bounded_text, place, field="place", limit=120, required=_("请填写地点。")
    )
    if not errors and Corner.objects.filter(community=community, name=name).exists():
        errors["name"] = [_("本社区已有同名的议事角。")]
    if errors:
        raise ValidationError(errors)
    corner = Corner.objects.create(community=community, kind=kind, name=name, place=place)
    audit.record(actor=actor, action="deliberation.corner.created", obj=corner)
    return corner


def _topic_move(topic: Topic, to: str) -> None:
    if to not in TOPIC_TRANSITIONS[topic.status]:
        raise ValidationError(
            {
                "status": [
                    _("这个议题现在是“%(now)s”，不能这样操作。")
                    % {"now": topic.get_status_display()}
                ]
            }
        )
    topic.status = to


@transaction.atomic
def topic_propose(
    *, actor, text: str, community: Community | None = None, building: Building | None = None
) -> Topic:
    """A topic for consultation: from a resident (about their own building; staff review it
    before anyone else sees it) or from staff (at a place they run, approved at once)."""
    text = bounded_text(text, field="text", limit=TEXT_MAX, required=_("请说说想协商的事。"))
    if getattr(actor, "resident_id", None) and community is None and building is None:
        resident = _resident_of(actor)
        h = resident.household
        topic = Topic.objects.create(
            community_id=h.community_id,
            grid_id=h.grid_id,
            building_id=h.building_id,
            source=TopicSource.RESIDENT,
            resident=resident,
            text=text,
            created_by=actor,
        )
    else:
        place = _place(community=community, grid=None, building=building)
        _require_run_at(actor, place)
        topic = Topic.objects.create(
            **place,
            source=TopicSource.STAFF,
            text=text,
            public_text=text,
            status=TopicStatus.APPROVED,
            created_by=actor,
        )
    audit.record(actor=actor, action="deliberation.topic.proposed", obj=topic)
    return topic


@transaction.atomic
def topic_review(
    *, actor, topic: Topic, approve: bool, public_text: str = "", reason: str = ""
) -> Topic:
    """Approve a resident's topic with the words the public may read (no names, phones or
    door numbers), or decline it with a reason."""
    rules.require_run(actor, topic)
    locked = Topic.objects.select_for_update().get(pk=topic.pk)
    if approve:
        text = bounded_text(
            public_text or locked.text,
            field="public_text",
            limit=TEXT_MAX,
            required=_("请填写公开的议题内容。"),
        )
        if redact.identifiers(text):
            raise ValidationError(
                {"public_text": [_("公开的内容里不能有姓名、电话或门牌号，请删去后再提交。")]}
            )
        _topic_move(locked, TopicStatus.APPROVED)
        locked.public_text = text
        action = "deliberation.topic.approved"
    else:
        reason = bounded_text(reason, field="reason", limit=200, required=_("请写明不采纳的原因。"))
        _topic_move(locked, TopicStatus.REJECTED)
        locked.reject_reason = reason
        action = "deliberation.topic.rejected"
    locked.save(update_fields=["status", "public_text", "reject_reason"])
    audit.record(actor=actor, action=action, obj=locked)
    return locked


# --- talent pool ------------------------------------------------------------------------


@transaction.atomic
def talent_propose(
    *,
    actor,
    name: str,
    title: str,
    skills: str,
    resident: Resident | None = None,
    community: Community | None = None,
    myself: bool = False,
) -> Talent:
    """Put someone forward for the talent pool: a resident recommends a neighbour or
    themself, or staff record someone the community found. Nothing is shown until staff
    approve and the person's consent is on record."""
    errors: dict = {}
    name = _collect(errors, bounded_text, name, field="name", limit=40, required=_("请填写姓名。"))
    if title not in TalentTitle.values:
        errors["title"] = [_("请选择称号。")]
    skills = _collect(
        errors, bounded_text, skills, field="skills", limit=200, required=_("请写明特长。")
    )
    if getattr(actor, "resident_id", None) and community is None:
        me = _resident_of(actor)
        community_id = me.community_id
        if myself or (resident is not None and resident.pk == me.pk):
            source, resident = TalentSource.SELF, me
        else:
            source = TalentSource.RECOMMENDED
        recommended_by = me
    else:
        if community is None:
            raise Http404
        require(actor, rules.RUN, community)
        community_id = community.pk
        source = TalentSource.COMMUNITY
        recommended_by = None
    if resident is not None and resident.community_id != community_id:
        errors.setdefault("resident", []).append(_("只能推荐本社区的居民。"))
    if errors:
        raise ValidationError(errors)
    talent = Talent.objects.create(
        community_id=community_id,
        resident=resident,
        name=name,
        title=title,
        skills=skills,
        source=source,
        recommended_by=recommended_by,
        created_by=actor,
    )
    audit.record(
        actor=actor, action="deliberation.talent.proposed", obj=talent, changes={"source": source}
    )
    return talent


@transaction.atomic
def talent_review(*, actor, talent: Talent, approve: bool) -> Talent:
    require(actor, rules.RUN, talent)
    locked = Talent.objects.select_for_update().get(pk=talent.pk)
    to = TalentStatus.APPROVED if approve else TalentStatus.REJECTED
    if to not in TALENT_TRANSITIONS[locked.status]:
        raise ValidationError({"status": [_("这位能人已经审核过了。")]})
    locked.status = to
    locked.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="deliberation.talent.approved" if approve else "deliberation.talent.rejected",
        obj=locked,
    )
    return locked


@transaction.atomic
def talent_consent(*, actor, talent: Talent, note: str, now: dt.datetime | None = None) -> Talent:
    """Record that the person agreed to be shown (how: signed form, in person...)."""
    require(actor, rules.RUN, talent)
    locked = Talent.objects.select_for_update().get(pk=talent.pk)
    note = bounded_text(note, field="consent_note", limit=200, required=_("请写明本人同意的方式。"))
    if locked.consent_at is not None:
        raise ValidationError({"consent_note": [_("已经记录过本人同意。")]})
    locked.consent_at = _now(now)
    locked.consent_note = note
    locked.save(update_fields=["consent_at", "consent_note"])
    audit.record(actor=actor, action="deliberation.talent.consented", obj=locked)
    return locked
