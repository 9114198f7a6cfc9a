"""Every write to a renewal project. Each function is atomic, checks the actor against
``renewal.rules``, locks what it changes (``select_for_update``) before checking its state
against the maps in ``enums``, appends a ``ProjectEvent`` and writes the audit event.
Missing and forbidden both raise ``Http404``; a visible project the actor may not run
raises ``PermissionDenied``; input or a state that refuses raises a Chinese
``ValidationError`` per field, before anything is written.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, redact
from gongzhi.core.text import bounded_text
from gongzhi.core.uploads import ImageRejected, clean_image, sniff_image
from gongzhi.core.workcal import add_working_days
from gongzhi.places.enums import ResidentStatus
from gongzhi.places.models import Building, Entrance, Resident
from gongzhi.voices.models import Item
from gongzhi.voices.notify import notify

from . import inputs, rules
from .enums import (
    ANSWERED,
    MAX_ROUNDS,
    PHASE_ORDER,
    PHASE_TRANSITIONS,
    ROUND_TRANSITIONS,
    STAFF_CHANNELS,
    TAKEN,
    Answer,
    Decision,
    DocumentKind,
    EventKind,
    FundingKind,
    Kind,
    OpinionChannel,
    PhaseStatus,
    ProjectStatus,
    RoundStatus,
    UnitRole,
)
from .models import (
    NAME_MAX,
    PLAN_MAX,
    TEXT_MAX,
    Document,
    FundingSource,
    Milestone,
    Opinion,
    Phase,
    PlanRound,
    PlanVersion,
    Project,
    ProjectEntrance,
    ProjectEvent,
    ProjectUnit,
    VersionChange,
)

DESCRIPTION_MAX = 2000
BUDGET_MAX = Decimal("999999999999.99")
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
# How long a round collects opinions when staff do not say: two working weeks.
DEFAULT_ROUND_DAYS = 10
PDF_HEAD = b"%PDF-"


# --- checks -----------------------------------------------------------------------------


def _require_manage(actor, project: Project) -> None:
    """404 for a project out of sight (as for a missing one), 403 for one the actor sees
    (through a touched building, their home, their unit) but may not run."""
    if rules.may_manage(actor, project):
        return
    from .selectors import project_list_visible_to

    if project_list_visible_to(actor).filter(pk=project.pk).exists():
        raise PermissionDenied
    raise Http404


def _collect(errors: dict, fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
        return None


def clean_amount(value, *, field: str) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    try:
        amount = Decimal(str(value).replace(",", "").replace("，", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("请填写数字金额（元）。")]}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError({field: [_("金额不能是负数。")]})
    if amount > BUDGET_MAX:
        raise ValidationError({field: [_("金额太大了，请检查是否多填了位数。")]})
    return amount.quantize(Decimal("0.01"))


def _choice(value, choices, *, field: str, message: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: [message]})
    return value


def _project_fields(*, kind, name, description, budget) -> dict:
    errors: dict[str, list[str]] = {}
    out = {
        "kind": _collect(errors, _choice, kind, Kind, field="kind", message=_("请选择项目类别。")),
        "name": _collect(
            errors,
            bounded_text,
            name,
            field="name",
            limit=NAME_MAX,
            required=_("请填写项目名称。"),
        ),
        "description": _collect(
            errors, bounded_text, description, field="description", limit=DESCRIPTION_MAX
        ),
        "budget": _collect(errors, clean_amount, budget, field="budget"),
    }
    if errors:
        raise ValidationError(errors)
    return out


# --- helpers ----------------------------------------------------------------------------


def _lock_project(project: Project) -> Project:
    return Project.objects.select_for_update(of=("self",)).get(pk=project.pk)


def _label(actor) -> str:
    return str(actor)[:120] if actor is not None else ""


def _event(project, kind, *, actor, phase=None, round=None, note=""):
    ProjectEvent.objects.create(
        project=project,
        phase=phase,
        round=round,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=_label(actor),
        note=note[:TEXT_MAX],
    )


def _audit(actor, action: str, obj, project: Project, changes=None):
    audit.record(
        actor=actor,
        action=action,
        obj=obj,
        changes=changes or {},
        place=project.community,
    )


# --- projects ---------------------------------------------------------------------------


@transaction.atomic
def project_create(
    *, actor, community, kind: str, name: str, description: str = "", budget=None
) -> Project:
    """A new project in ``community``, with its five phases; the first (方案设计) opens."""
    from gongzhi.core.scoping import require

    require(actor, rules.MANAGE, community)
    fields = _project_fields(kind=kind, name=name, description=description, budget=budget)
    project = Project.objects.create(community=community, created_by=actor, **fields)
    now = timezone.now()
    phases = [
        Phase(
            project=project,
            kind=kind_,
            order=i,
            status=PhaseStatus.OPEN if i == 0 else PhaseStatus.PENDING,
            opened_at=now if i == 0 else None,
        )
        for i, kind_ in enumerate(PHASE_ORDER)
    ]
    Phase.objects.bulk_create(phases)
    first = Phase.objects.get(project=project, order=0)
    project.current_phase = first
    project.save(update_fields=["current_phase", "updated_at"])
    _event(project, EventKind.CREATED, actor=actor, phase=first)
    _audit(
        actor,
        "renewal.project.created",
        project,
        project,
        {"kind": fields["kind"], "name": fields["name"], "budget": str(fields["budget"])},
    )
    return project


@transaction.atomic
def project_edit(
    *, actor, project: Project, kind: str, name: str, description: str = "", budget=None
) -> Project:
    _require_manage(actor, project)
    fields = _project_fields(kind=kind, name=name, description=description, budget=budget)
    locked = _lock_project(project)
    before = audit.snapshot(locked, list(fields))
    for key, value in fields.items():
        setattr(locked, key, value)
    changes = audit.diff(before, audit.snapshot(locked, list(fields)))
    if not changes:
        return locked
    locked.save(update_fields=[*fields, "updated_at"])
    _event(locked, EventKind.EDITED, actor=actor)
    _audit(actor, "renewal.project.updated", locked, locked, changes)
    return locked


@transaction.atomic
def project_set_places(
    *, actor, project: Project, buildings=(), entrances=()
) -> list[ProjectEntrance]:
    """Say which buildings (all their entrances) and single entrances the project touches,
    replacing what was said before. Only places of the project's community."""
    _require_manage(actor, project)
    building_ids = {b.pk if hasattr(b, "pk") else int(b) for b in buildings}
    entrance_ids = {e.pk if hasattr(e, "pk") else int(e) for e in entrances}
    rows = list(
        Entrance.objects.filter(building_id__in=building_ids, community_id=project.community_id)
    )
    rows += list(
        Entrance.objects.filter(pk__in=entrance_ids, community_id=project.community_id).exclude(
            building_id__in=building_ids
        )
    )
    found_buildings = set(
        Building.objects.filter(pk__in=building_ids, community_id=project.community_id).values_list(
            "pk", flat=True
        )
    )
    found_entrances = {e.pk for e in rows}
    if found_buildings != building_ids or not entrance_ids <= found_entrances:
        raise ValidationError({"buildings": [_("只能选择本社区的楼栋和单元。")]})
    if not rows:
        raise ValidationError({"buildings": [_("请至少选择一栋楼或一个单元。")]})
    locked = _lock_project(project)
    before = sorted(
        ProjectEntrance.objects.filter(project=locked).values_list("entrance_id", flat=True)
    )
    ProjectEntrance.objects.filter(project=locked).delete()
    touches = ProjectEntrance.objects.bulk_create(
        [
            ProjectEntrance(
                project=locked,
                entrance=e,
                building_id=e.building_id,
                compound_id=e.compound_id,
                grid_id=e.grid_id,
                community_id=e.community_id,
            )
            for e in sorted(rows, key=lambda e: e.pk)
        ]
    )
    after = sorted(e.pk for e in rows)
    if before != after:
        _event(locked, EventKind.BUILDINGS, actor=actor)
        _audit(
            actor,
            "renewal.project.places_set",
            locked,
            locked,
            {"entrances": [before, after]},
        )
    return touches


@transaction.atomic
def project_set_units(*, actor, project: Project, links: list[tuple]) -> list[ProjectUnit]:
    """Say which partner, design and construction units take part: ``links`` is a list of
    (unit, role). Units must serve the project's community."""
    from gongzhi.orgs.models import PartnerUnit

    _require_manage(actor, project)
    pairs = set()
    for unit, role in links:
        if role not in UnitRole.values:
            raise ValidationError({"units": [_("请选择单位在项目中的角色。")]})
        pairs.add((unit.pk if hasattr(unit, "pk") else int(unit), role))
    unit_ids = {u for u, _r in pairs}
    known = set(
        PartnerUnit.objects.filter(pk__in=unit_ids, communities=project.community_id).values_list(
            "pk", flat=True
        )
    )
    if known != unit_ids:
        raise ValidationError({"units": [_("只能选择与本社区共建的单位。")]})
    locked = _lock_project(project)
    ProjectUnit.objects.filter(project=locked).delete()
    rows = ProjectUnit.objects.bulk_create(
        [ProjectUnit(project=locked, unit_id=u, role=r) for u, r in sorted(pairs)]
    )
    _event(locked, EventKind.UNITS, actor=actor)
    _audit(actor, "renewal.project.units_set", locked, locked, {"units": sorted(pairs)})
    return rows


@transaction.atomic
def funding_add(*, actor, project: Project, kind: str, amount, note: str = "") -> FundingSource:
    _require_manage(actor, project)
    errors: dict[str, list[str]] = {}
    kind = _collect(errors, _choice, kind, FundingKind, field="kind", message=_("请选择资金来源。"))
    amount = _collect(errors, clean_amount, amount, field="amount")
    note = _collect(errors, bounded_text, note, field="note", limit=200)
    if amount is not None and amount <= 0 and "amount" not in errors:
        errors["amount"] = [_("请填写大于零的金额。")]
    if errors:
        raise ValidationError(errors)
    locked = _lock_project(project)
    source = FundingSource.objects.create(project=locked, kind=kind, amount=amount, note=note)
    _event(locked, EventKind.FUNDING, actor=actor, note=f"{source}")
    _audit(actor, "renewal.funding.added", source, locked, {"kind": kind, "amount": str(amount)})
    return source


@transaction.atomic
def milestone_add(
    *, actor, project: Project, title: str, due_on: dt.date | None = None
) -> Milestone:
    _require_manage(actor, project)
    title = bounded_text(title, field="title", limit=NAME_MAX, required=_("请填写节点名称。"))
    locked = _lock_project(project)
    milestone = Milestone.objects.create(
        project=locked, phase=locked.current_phase, title=title, due_on=due_on
    )
    _event(locked, EventKind.MILESTONE, actor=actor, note=title)
    _audit(actor, "renewal.milestone.added", milestone, locked, {"title": title})
    return milestone


@transaction.atomic
def milestone_done(*, actor, milestone: Milestone, done_on: dt.date | None = None) -> Milestone:
    project = milestone.project
    _require_manage(actor, project)
    locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if locked.done_on is not None:
        raise ValidationError({"done_on": [_("这个节点已经完成了。")]})
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": [_("完成日期不能晚于今天。")]})
    locked.done_on = done_on
    locked.save(update_fields=["done_on"])
    _event(project, EventKind.MILESTONE_DONE, actor=actor, note=locked.title)
    _audit(actor, "renewal.milestone.done", locked, project, {"done_on": done_on.isoformat()})
    return locked


@transaction.atomic
def document_add(*, actor, project: Project, title: str, upload) -> Document:
    """A photo (cleaned of its EXIF block, as every photo the app keeps) or a PDF."""
    _require_manage(actor, project)
    errors: dict[str, list[str]] = {}
    title = _collect(
        errors, bounded_text, title, field="title", limit=NAME_MAX, required=_("请填写标题。")
    )
    if upload is None:
        errors.setdefault("file", []).append(_("请选择要上传的照片或PDF文件。"))
    elif upload.size > DOCUMENT_MAX_BYTES:
        errors.setdefault("file", []).append(_("文件不能超过10MB。"))
    if errors:
        raise ValidationError(errors)
    data = upload.read(DOCUMENT_MAX_BYTES + 1)
    thumbnail = b""
    if data.startswith(PDF_HEAD):
        kind, content_type, ext = DocumentKind.DOCUMENT, "application/pdf", "pdf"
    elif sniff_image(data[:16]):
        try:
            clean = clean_image(data)
        except ImageRejected:
            raise ValidationError({"file": [_("照片已损坏或无法打开，请换一张。")]}) from None
        kind, content_type, ext = DocumentKind.PHOTO, clean.content_type, clean.extension
        data, thumbnail = clean.content, clean.thumbnail
    else:
        raise ValidationError({"file": [_("只能上传 JPEG、PNG、WebP 照片或 PDF 文件。")]})
    locked = _lock_project(project)
    doc = Document(
        project=locked,
        phase=locked.current_phase,
        kind=kind,
        title=title,
        content_type=content_type,
        size=len(data),
        uploaded_by=actor,
    )
    name = f"{uuid.uuid4().hex}.{ext}"
    doc.file.save(name, ContentFile(data), save=False)
    if thumbnail:
        doc.thumbnail.save(f"thumb-{name}", ContentFile(thumbnail), save=False)
    doc.save()
    _event(locked, EventKind.DOCUMENT, actor=actor, note=title)
    _audit(actor, "renewal.document.added", doc, locked, {"title": title, "kind": kind})
    return doc


# --- phases -----------------------------------------------------------------------------


def _move_phase(phase: Phase, target: str) -> None:
    if target not in PHASE_TRANSITIONS[phase.status]:
        raise ValidationError(
            {
                "phase": [
                    _("“%(phase)s”阶段现在是“%(now)s”，不能这样操作。")
                    % {"phase": phase.get_kind_display(), "now": phase.get_status_display()}
                ]
            },
            code="invalid_transition",
        )
    phase.status = target


@transaction.atomic
def phase_close(*, actor, phase: Phase, note: str = "") -> Phase:
    """Close the open phase and open the next. Refused, saying in Chinese what is missing,
    unless the phase has resident input on record (``renewal.inputs``)."""
    project = phase.project
    _require_manage(actor, project)
    note = bounded_text(note, field="note", limit=TEXT_MAX)
    locked_project = _lock_project(project)
    locked = Phase.objects.select_for_update().get(pk=phase.pk)
    _move_phase(locked, PhaseStatus.CLOSED)
    open_round = PlanRound.objects.filter(phase=locked, status=RoundStatus.OPEN).first()
    if open_round is not None:
        raise ValidationError(
            {"phase": [_("第%(n)s轮方案还在征求意见，请先结束这一轮。") % {"n": open_round.number}]}
        )
    missing = inputs.missing_input(locked)
    if missing:
        raise ValidationError({"phase": [missing]}, code="missing_input")
    now = timezone.now()
    locked.closed_at = now
    locked.closed_by = actor
    locked.close_note = note
    locked.save(update_fields=["status", "closed_at", "closed_by", "close_note"])
    _event(locked_project, EventKind.PHASE_CLOSED, actor=actor, phase=locked, note=note)
    _audit(
        actor,
        "renewal.phase.closed",
        locked,
        locked_project,
        {"phase": locked.kind, "status": [PhaseStatus.OPEN, PhaseStatus.CLOSED]},
    )
    following = (
        Phase.objects.select_for_update()
        .filter(project=locked_project, order=locked.order + 1)
        .first()
    )
    if following is None:
        locked_project.current_phase = None
        locked_project.status = ProjectStatus.COMPLETED
        locked_project.save(update_fields=["current_phase", "status", "updated_at"])
        _event(locked_project, EventKind.COMPLETED, actor=actor)
        return locked
    _move_phase(following, PhaseStatus.OPEN)
    following.opened_at = now
    following.save(update_fields=["status", "opened_at"])
    locked_project.current_phase = following
    locked_project.save(update_fields=["current_phase", "updated_at"])
    _event(locked_project, EventKind.PHASE_OPENED, actor=actor, phase=following)
    return locked


# --- 三上三下 -----------------------------------------------------------------------------


def _move_round(rnd: PlanRound, target: str) -> str:
    current = rnd.status
    if target not in ROUND_TRANSITIONS[current]:
        raise ValidationError(
            {
                "round": [
                    _("第%(n)s轮方案现在是“%(now)s”，不能这样操作。")
                    % {"n": rnd.number, "now": rnd.get_status_display()}
                ]
            },
            code="invalid_transition",
        )
    rnd.status = target
    return current


@transaction.atomic
def round_draft(
    *,
    actor,
    project: Project,
    title: str,
    summary: str,
    text: str,
    changes: list[tuple[str, list[int]]] = (),
) -> PlanRound:
    """The next plan version, ready to go down. From round 2 on it must say what changed
    (``changes``: (what changed, [ids of the opinions that caused it])); the opinions of
    the round before must all be answered, and only adopted or partly adopted opinions of
    this project's earlier rounds can be named as causes."""
    _require_manage(actor, project)
    errors: dict[str, list[str]] = {}
    title = _collect(
        errors, bounded_text, title, field="title", limit=NAME_MAX, required=_("请填写方案标题。")
    )
    summary = _collect(
        errors,
        bounded_text,
        summary,
        field="summary",
        limit=TEXT_MAX,
        required=_("请用几句话概括这一版方案。"),
    )
    text = _collect(
        errors, bounded_text, text, field="text", limit=PLAN_MAX, required=_("请填写方案内容。")
    )
    locked = _lock_project(project)
    if locked.current_phase_id is None:
        raise ValidationError({"round": [_("项目已经结束，不能再下发方案。")]})
    previous = PlanRound.objects.filter(project=locked).order_by("-number").first()
    number = previous.number + 1 if previous else 1
    if number > MAX_ROUNDS:
        raise ValidationError({"round": [_("三上三下已满三轮，不能再增加轮次。")]})
    if previous is not None and previous.status in (RoundStatus.DRAFT, RoundStatus.OPEN):
        raise ValidationError(
            {"round": [_("第%(n)s轮还没有结束，不能开始下一轮。") % {"n": previous.number}]}
        )
    if previous is not None:
        pending = Opinion.objects.filter(round=previous, answer=Answer.PENDING).count()
        if pending:
            raise ValidationError(
                {
                    "round": [
                        _("第%(n)s轮还有 %(p)s 条意见未答复，请先逐条答复。")
                        % {"n": previous.number, "p": pending}
                    ]
                }
            )
    cleaned: list[tuple[str, list[int]]] = []
    for i, (change_text, opinion_ids) in enumerate(changes):
        change_text = (change_text or "").strip()
        if not change_text:
            continue
        if len(change_text) > TEXT_MAX:
            errors.setdefault("changes", []).append(
                _("第%(i)s条修改说明不能超过%(max)s字。") % {"i": i + 1, "max": TEXT_MAX}
            )
            continue
        cleaned.append((change_text, sorted({int(o) for o in opinion_ids})))
    if number > 1 and not cleaned and "changes" not in errors:
        errors["changes"] = [_("请写明这一版相比上一版改了什么。")]
    cited = {o for _t, ids in cleaned for o in ids}
    if cited:
        allowed = set(
            Opinion.objects.filter(
                pk__in=cited, project=locked, answer__in=TAKEN, round__number__lt=number
            ).values_list("pk", flat=True)
        )
        if allowed != cited:
            errors.setdefault("changes", []).append(
                _("修改依据只能是本项目前几轮中已采纳或部分采纳的居民意见。")
            )
    if errors:
        raise ValidationError(errors)
    rnd = PlanRound.objects.create(project=locked, phase=locked.current_phase, number=number)
    version = PlanVersion.objects.create(
        round=rnd, number=number, title=title, summary=summary, text=text, created_by=actor
    )
    for order, (change_text, ids) in enumerate(cleaned):
        change = VersionChange.objects.create(version=version, order=order, text=change_text)
        if ids:
            change.opinions.set(ids)
    _event(locked, EventKind.VERSION, actor=actor, phase=rnd.phase, round=rnd, note=title)
    _audit(
        actor,
        "renewal.round.drafted",
        rnd,
        locked,
        {"number": number, "changes": len(cleaned), "opinions": sorted(cited)},
    )
    return rnd


@transaction.atomic
def round_publish(*, actor, round: PlanRound, closes_at: dt.datetime | None = None) -> PlanRound:
    """下: the version goes down to the affected households — a notice on their building
    page, an SMS through the outbox — and opinions are taken until ``closes_at`` (default
    ten working days)."""
    project = round.project
    _require_manage(actor, project)
    now = timezone.now()
    if closes_at is None:
        closes_at = add_working_days(now, DEFAULT_ROUND_DAYS)
    if closes_at <= now:
        raise ValidationError({"closes_at": [_("意见截止时间必须晚于现在。")]})
    if closes_at > now + dt.timedelta(days=90):
        raise ValidationError({"closes_at": [_("征求意见最长三个月，请缩短截止时间。")]})
    if not ProjectEntrance.objects.filter(project=project).exists():
        raise ValidationError({"round": [_("请先选择项目涉及的楼栋，方案才能下发到居民。")]})
    locked_project = _lock_project(project)
    locked = PlanRound.objects.select_for_update().get(pk=round.pk)
    before = _move_round(locked, RoundStatus.OPEN)
    locked.published_at = now
    locked.published_by = actor
    locked.closes_at = closes_at
    locked.save(update_fields=["status", "published_at", "published_by", "closes_at"])
    from .selectors import affected_residents

    text = _("【%(community)s】“%(project)s”第%(n)s轮方案已公示，请在%(date)s前提出您的意见。") % {
        "community": locked_project.community.name,
        "project": locked_project.name,
        "n": locked.number,
        "date": timezone.localtime(closes_at).strftime("%m月%d日"),
    }
    told = notify(item=None, text=text, residents=affected_residents(locked_project))
    _event(
        locked_project,
        EventKind.ROUND_PUBLISHED,
        actor=actor,
        phase=locked.phase,
        round=locked,
        note=_("通知 %(n)s 位居民") % {"n": told},
    )
    _audit(
        actor,
        "renewal.round.published",
        locked,
        locked_project,
        {"status": [before, locked.status], "notified": told},
    )
    return locked


@transaction.atomic
def round_close(*, actor, round: PlanRound) -> PlanRound:
    """End a round's collection of opinions (staff, or the tick when ``closes_at`` has
    passed: ``actor`` None)."""
    project = round.project
    if actor is not None:
        _require_manage(actor, project)
    locked = PlanRound.objects.select_for_update().get(pk=round.pk)
    before = _move_round(locked, RoundStatus.CLOSED)
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at"])
    _event(project, EventKind.ROUND_CLOSED, actor=actor, phase=locked.phase, round=locked)
    _audit(actor, "renewal.round.closed", locked, project, {"status": [before, locked.status]})
    return locked


@transaction.atomic
def round_decide(*, actor, round: PlanRound, decision: str, note: str = "") -> PlanRound:
    """The third round ends in a decision, once every opinion has its answer."""
    project = round.project
    _require_manage(actor, project)
    errors: dict[str, list[str]] = {}
    decision = _collect(
        errors, _choice, decision, Decision, field="decision", message=_("请选择决定。")
    )
    note = _collect(
        errors, bounded_text, note, field="note", limit=TEXT_MAX, required=_("请写明决定的理由。")
    )
    if errors:
        raise ValidationError(errors)
    locked = PlanRound.objects.select_for_update().get(pk=round.pk)
    if locked.number != MAX_ROUNDS:
        raise ValidationError({"decision": [_("只有第三轮方案才形成最终决定。")]})
    pending = Opinion.objects.filter(round=locked, answer=Answer.PENDING).count()
    if pending:
        raise ValidationError(
            {"decision": [_("还有 %(p)s 条意见未答复，请先逐条答复。") % {"p": pending}]}
        )
    before = _move_round(locked, RoundStatus.DECIDED)
    locked.decision = decision
    locked.decision_note = note
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decision", "decision_note", "decided_at"])
    _event(
        project,
        EventKind.ROUND_DECIDED,
        actor=actor,
        phase=locked.phase,
        round=locked,
        note=f"{locked.get_decision_display()}：{note}",
    )
    _audit(
        actor,
        "renewal.round.decided",
        locked,
        project,
        {"status": [before, locked.status], "decision": decision},
    )
    return locked


# --- opinions (上) ----------------------------------------------------------------------


def closed_round_message(rnd: PlanRound) -> str:
    return _("第%(n)s轮方案的征求意见已经结束，不能再提意见了。") % {"n": rnd.number}


def _open_round(project: Project, round: PlanRound | None) -> PlanRound:
    if round is None:
        round = PlanRound.objects.filter(project=project).exclude(status=RoundStatus.DRAFT).last()
        if round is None:
            raise ValidationError({"round": [_("这个项目还没有下发方案，暂时不能提意见。")]})
    locked = PlanRound.objects.select_for_update().get(pk=round.pk)
    if locked.project_id != project.pk:
        raise Http404
    if locked.status != RoundStatus.OPEN or (
        locked.closes_at is not None and locked.closes_at <= timezone.now()
    ):
        raise ValidationError({"round": [closed_round_message(locked)]}, code="round_closed")
    return locked


@transaction.atomic
def opinion_submit(
    *,
    actor,
    project: Project,
    text: str,
    resident: Resident | None = None,
    channel: str | None = None,
    round: PlanRound | None = None,
) -> Opinion:
    """上: an opinion on the round now open — by a resident of a touched building on their
    page, or entered by a post holder from paper, a visit, a call or a meeting."""
    if resident is None:
        if actor is None or not getattr(actor, "resident_id", None):
            raise ValidationError({"resident": [_("请选择提意见的居民。")]})
        resident = Resident.objects.get(pk=actor.resident_id)
    if not rules.may_enter_for(actor, resident):
        raise Http404
    on_behalf = actor.resident_id != resident.pk
    if on_behalf:
        channel = channel or OpinionChannel.PAPER
        if channel not in STAFF_CHANNELS:
            raise ValidationError({"channel": [_("请选择意见的收集方式。")]})
    else:
        channel = OpinionChannel.ONLINE
    text = bounded_text(text, field="text", limit=TEXT_MAX, required=_("请写下您的意见。"))
    resident = Resident.objects.select_related("household").get(pk=resident.pk)
    if resident.status != ResidentStatus.LIVING:
        raise ValidationError({"resident": [_("这位居民已不在本社区居住。")]})
    h = resident.household
    if not ProjectEntrance.objects.filter(project=project, building_id=h.building_id).exists():
        raise ValidationError({"resident": [_("这个项目不涉及这位居民所在的楼栋。")]})
    rnd = _open_round(project, round)
    opinion = Opinion.objects.create(
        project=project,
        phase_id=rnd.phase_id,
        round=rnd,
        resident=resident,
        household=h,
        entrance_id=h.entrance_id,
        building_id=h.building_id,
        compound_id=h.compound_id,
        grid_id=h.grid_id,
        community_id=h.community_id,
        channel=channel,
        text=text,
        entered_by=actor,
    )
    note = (
        _("由%(who)s代为录入（%(channel)s）")
        % {"who": actor, "channel": OpinionChannel(channel).label}
        if on_behalf
        else ""
    )
    _event(project, EventKind.OPINION, actor=actor, phase=rnd.phase, round=rnd, note=note)
    _audit(
        actor,
        "renewal.opinion.submitted",
        opinion,
        project,
        {"round": rnd.number, "channel": channel, "on_behalf": on_behalf},
    )
    return opinion


@transaction.atomic
def opinion_from_item(*, actor, project: Project, item: Item) -> Opinion:
    """Attach a residents'-voice item to the project's current phase (and the round now
    open, if any) as an opinion, keeping the link."""
    from gongzhi.core.scoping import may

    _require_manage(actor, project)
    if not may(actor, "view", item):
        raise Http404
    if item.community_id != project.community_id:
        raise ValidationError({"item": [_("只能关联本社区的居民诉求。")]})
    locked = _lock_project(project)
    if locked.current_phase_id is None:
        raise ValidationError({"item": [_("项目已经结束，不能再关联意见。")]})
    if Opinion.objects.filter(voice_item=item, phase_id=locked.current_phase_id).exists():
        raise ValidationError({"item": [_("这条诉求已经关联到本阶段了。")]})
    rnd = PlanRound.objects.filter(
        project=locked, phase_id=locked.current_phase_id, status=RoundStatus.OPEN
    ).first()
    reporter = item.reporters.select_related("resident").first()
    text = f"{item.title}：{item.text}"
    if len(text) > TEXT_MAX:
        text = text[: TEXT_MAX - 1] + "…"
    opinion = Opinion.objects.create(
        project=locked,
        phase_id=locked.current_phase_id,
        round=rnd,
        voice_item=item,
        resident=reporter.resident if reporter and reporter.resident_id else None,
        household_id=item.household_id,
        entrance_id=item.entrance_id,
        building_id=item.building_id,
        compound_id=item.compound_id,
        grid_id=item.grid_id,
        community_id=item.community_id,
        channel=OpinionChannel.VOICES,
        text=text,
        entered_by=actor,
    )
    _event(
        locked,
        EventKind.OPINION,
        actor=actor,
        phase=opinion.phase,
        round=rnd,
        note=_("关联民意诉求 %(number)s") % {"number": item.number},
    )
    _audit(actor, "renewal.opinion.linked", opinion, locked, {"item": item.number})
    return opinion


@transaction.atomic
def opinion_answer(
    *, actor, opinion: Opinion, answer: str, reason: str, public_text: str | None = None
) -> Opinion:
    """Answer an opinion: adopted, partly adopted or not adopted, always with a reason.
    ``public_text`` is what other residents will read under "你说 · 我改"; by default the
    opinion with names, phones and door numbers masked (``core.redact``)."""
    project = opinion.project
    _require_manage(actor, project)
    errors: dict[str, list[str]] = {}
    if answer not in ANSWERED:
        errors["answer"] = [_("请选择采纳、部分采纳或不采纳。")]
    reason = _collect(
        errors,
        bounded_text,
        reason,
        field="reason",
        limit=TEXT_MAX,
        required=_("请写明答复理由，居民会看到。"),
    )
    if public_text is not None:
        public_text = _collect(
            errors, bounded_text, public_text, field="public_text", limit=TEXT_MAX
        )
    if errors:
        raise ValidationError(errors)
    locked = (
        Opinion.objects.select_for_update(of=("self",)).select_related("round").get(pk=opinion.pk)
    )
    if locked.answer != Answer.PENDING:
        raise ValidationError({"answer": [_("这条意见已经答复过了。")]}, code="invalid_transition")
    if not public_text:
        names = []
        if locked.household_id:
            names = list(
                Resident.objects.filter(household_id=locked.household_id).values_list(
                    "name", flat=True
                )
            )
        public_text = redact.redact(locked.text, names=names)[:TEXT_MAX]
    locked.answer = answer
    locked.reason = reason
    locked.public_text = public_text
    locked.answered_by = actor
    locked.answered_at = timezone.now()
    locked.save(update_fields=["answer", "reason", "public_text", "answered_by", "answered_at"])
    _event(
        project,
        EventKind.ANSWERED,
        actor=actor,
        phase=locked.phase,
        round=locked.round,
        note=f"{locked.get_answer_display()}：{reason}",
    )
    _audit(
        actor,
        "renewal.opinion.answered",
        locked,
        project,
        {"answer": [Answer.PENDING, answer]},
    )
    if locked.resident_id:
        notify(
            item=locked.voice_item,
            text=_("您对“%(project)s”的意见已答复：%(answer)s。")
            % {"project": project.name, "answer": locked.get_answer_display()},
            residents=[locked.resident],
        )
    return locked


def round_sweep(*, now: dt.datetime | None = None) -> int:
    """Close the rounds whose time for opinions has passed (run by the tick)."""
    now = now or timezone.now()
    closed = 0
    for rnd in PlanRound.objects.filter(status=RoundStatus.OPEN, closes_at__lte=now).select_related(
        "project__community"
    ):
        try:
            round_close(actor=None, round=rnd)
            closed += 1
        except ValidationError:
            continue
    return closed
