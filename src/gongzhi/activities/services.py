"""Every change to activities, sign-ups, check-ins, quizzes and volunteer groups:
validated, with the activity row locked (``select_for_update``), audited.

- An activity moves only along ``enums.TRANSITIONS`` (``_move``); every move is one
  ``ActivityEvent`` and one audit event.
- A sign-up is decided with the activity row locked: two residents taking the last place
  at once queue behind each other and the second is refused in Chinese.
- A check-in (by the resident's QR token or by name) is one row per resident per
  activity, inside the activity's time window; service hours for volunteers come from the
  activity's times, or are given by staff within bounds. Person-times and hours are
  counted from these rows, never typed.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.text import bounded_text
from gongzhi.orgs.models import PartnerUnit, Team
from gongzhi.places.models import Community, Resident
from gongzhi.points import services as points
from gongzhi.venues.models import Venue
from gongzhi.wishes.enums import Status as WishStatus
from gongzhi.wishes.models import Wish

from . import rules
from .enums import (
    OPEN,
    TRANSITIONS,
    ActivityKind,
    ActivityStatus,
    CheckInMethod,
    CheckInRole,
    GroupKind,
    OutreachFormat,
    ServiceArea,
)
from .models import (
    OPTION_MAX,
    PLACE_MAX,
    QUESTION_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Activity,
    ActivityEvent,
    CheckIn,
    GroupMembership,
    Option,
    Question,
    QuizAttempt,
    Signup,
    VolunteerGroup,
)

# Check-in opens an hour before the start and closes an hour after the end.
CHECK_IN_MARGIN = dt.timedelta(hours=1)
MAX_HOURS = 12
MAX_CAPACITY = 5000
TOKEN_SALT = "gongzhi.activities.resident-qr"


# --- hooks ---------------------------------------------------------------------------------


def award_check_in_points(check_in: CheckIn, *, actor) -> None:
    """Love points for turning up, in the check-in's own transaction (a refused check-in
    earns nothing): a volunteer earns the service-hour rule for the hours served, an
    attendee the attendance rule; the people served earn nothing for being helped. The
    key is the check-in's, so whatever retries, the points are posted once."""
    if check_in.role == CheckInRole.VOLUNTEER:
        rule, quantity = "service_hour", check_in.hours
    elif check_in.role == CheckInRole.ATTENDEE:
        rule, quantity = "activity_attendance", 1
    else:
        return
    points.award(
        actor=actor,
        resident=check_in.resident,
        rule_code=rule,
        quantity=quantity,
        key=f"checkin:{check_in.pk}",
        memo=check_in.activity.title,
        on=check_in.at,
    )


def award_quiz_points(attempt: QuizAttempt, *, actor) -> None:
    """Points for each correct answer of a 云宣讲 quiz, posted once per attempt."""
    points.award(
        actor=actor,
        resident=attempt.resident,
        rule_code="quiz_correct",
        quantity=attempt.correct,
        key=f"quiz:{attempt.pk}",
        memo=attempt.activity.title,
        on=attempt.at,
    )


# --- the resident's QR token ---------------------------------------------------------------


def resident_token(resident: Resident) -> str:
    """The text of a resident's check-in QR code: their id, signed with the site's key, so
    a code cannot be made up for someone else."""
    return signing.Signer(salt=TOKEN_SALT).sign(f"R{resident.pk}")


def resident_from_token(token: str) -> Resident:
    try:
        value = signing.Signer(salt=TOKEN_SALT).unsign((token or "").strip())
    except signing.BadSignature:
        raise ValidationError({"token": _("二维码无法识别，请重新扫码，或按姓名签到。")}) from None
    resident = Resident.objects.filter(pk=int(value[1:])).first() if value[1:].isdigit() else None
    if resident is None:
        raise ValidationError({"token": _("二维码无法识别，请重新扫码，或按姓名签到。")})
    return resident


# --- activities ----------------------------------------------------------------------------


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _clean_activity(
    *,
    community: Community,
    kind: str,
    title: str,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    capacity: int | None,
    outreach_format: str,
    service_area: str,
    description: str,
    team: Team | None,
    group: VolunteerGroup | None,
    partner: PartnerUnit | None,
    venue: Venue | None,
    place: str,
    wish: Wish | None,
) -> dict:
    errors: dict[str, list[str]] = {}

    def fail(field, message):
        errors.setdefault(field, []).append(message)

    for field, value, limit, required in [
        ("title", title, TITLE_MAX, _("请填写活动名称。")),
        ("description", description, TEXT_MAX, ""),
        ("place", place, PLACE_MAX, ""),
    ]:
        try:
            bounded_text(value, field=field, limit=limit, required=required)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    title = (title or "").strip()
    description = (description or "").strip()
    place = (place or "").strip()
    if kind not in ActivityKind.values:
        fail("kind", _("请选择活动类别。"))
    if kind == ActivityKind.OUTREACH and outreach_format not in OutreachFormat.values:
        fail("outreach_format", _("宣讲请选择形式：集中宣讲、微宣讲或云宣讲。"))
    if kind != ActivityKind.OUTREACH:
        outreach_format = ""
    if kind == ActivityKind.VOLUNTEER and service_area not in ServiceArea.values:
        fail("service_area", _("志愿服务请选择五类服务之一。"))
    if kind != ActivityKind.VOLUNTEER:
        service_area = ""
    organisers = [o for o in (team, group, partner) if o is not None]
    if len(organisers) != 1:
        fail("organiser", _("请选择一个组织方：队伍、志愿服务组织或共建单位。"))
    if team is not None and team.community_id != community.pk:
        fail("organiser", _("这支队伍不属于本社区。"))
    if group is not None and group.community_id != community.pk:
        fail("organiser", _("这个志愿服务组织不属于本社区。"))
    if partner is not None and not partner.communities.filter(pk=community.pk).exists():
        fail("organiser", _("这个单位不是本社区的共建单位。"))
    if kind == ActivityKind.CO_BUILDING and partner is None:
        fail("organiser", _("共建活动请选择共建单位。"))
    if venue is not None and venue.community_id != community.pk:
        fail("venue", _("场地不属于本社区。"))
    if venue is None and not place and outreach_format != OutreachFormat.CLOUD:
        fail("place", _("请选择场地或填写地点。"))
    if wish is not None:
        if kind != ActivityKind.MICRO_SERVICE:
            fail("wish", _("只有微服务可以对应微心愿。"))
        elif wish.community_id != community.pk or wish.status not in (
            WishStatus.PUBLISHED,
            WishStatus.CLAIMED,
        ):
            fail("wish", _("只能对应本社区尚未实现的微心愿。"))
    if starts_at is None:
        fail("starts_at", _("请填写开始时间。"))
    if ends_at is None:
        fail("ends_at", _("请填写结束时间。"))
    if starts_at and ends_at:
        if ends_at <= starts_at:
            fail("ends_at", _("结束时间应晚于开始时间。"))
        elif ends_at - starts_at > dt.timedelta(hours=MAX_HOURS):
            fail("ends_at", _("一次活动最长%(n)d小时。") % {"n": MAX_HOURS})
    if not 1 <= (capacity or 0) <= MAX_CAPACITY:
        fail("capacity", _("名额应在1到%(n)d之间。") % {"n": MAX_CAPACITY})
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "title": title,
        "description": description,
        "place": place,
        "outreach_format": outreach_format,
        "service_area": service_area,
        "team": team,
        "group": group,
        "partner": partner,
        "venue": venue,
        "wish": wish,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "capacity": capacity,
    }


def _event(activity: Activity, status: str, actor, now: dt.datetime, note: str = "") -> None:
    ActivityEvent.objects.create(
        activity=activity,
        status=status,
        at=now,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
    )


@transaction.atomic
def activity_create(
    *,
    actor,
    community: Community,
    kind: str,
    title: str,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    capacity: int | None,
    outreach_format: str = "",
    service_area: str = "",
    description: str = "",
    team: Team | None = None,
    group: VolunteerGroup | None = None,
    partner: PartnerUnit | None = None,
    venue: Venue | None = None,
    place: str = "",
    wish: Wish | None = None,
    now: dt.datetime | None = None,
) -> Activity:
    """A new activity, as a draft: residents see it once it is published."""
    now = now or timezone.now()
    if actor is not None and not rules.may_manage_in(actor, community):
        raise PermissionDenied(_("没有权限在这个社区组织活动。"))
    data = _clean_activity(
        community=community,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        outreach_format=outreach_format,
        service_area=service_area,
        description=description,
        team=team,
        group=group,
        partner=partner,
        venue=venue,
        place=place,
        wish=wish,
    )
    if data["starts_at"] < now:
        raise ValidationError({"starts_at": _("不能安排在已经过去的时间。")})
    activity = Activity.objects.create(
        community=community,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **data,
    )
    _event(activity, ActivityStatus.DRAFT, actor, now)
    audit.record(
        actor=actor, action="activities.activity.created", obj=activity, changes={"kind": kind}
    )
    return activity


def _lock(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().get(pk=activity.pk)


def _check_manage(actor, activity: Activity) -> None:
    if actor is not None and not rules.may_manage(actor, activity):
        raise PermissionDenied(_("没有权限管理这个活动。"))


@transaction.atomic
def activity_update(*, actor, activity: Activity, **fields) -> Activity:
    """Change what a draft or published activity says. Capacity never drops below the
    people already signed up."""
    _check_manage(actor, activity)
    locked = _lock(activity)
    if locked.status not in (ActivityStatus.DRAFT, ActivityStatus.PUBLISHED):
        raise ValidationError(
            _("活动当前为“%(s)s”，不能再修改。") % {"s": locked.get_status_display()}
        )
    current = {
        name: getattr(locked, name)
        for name in [
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "capacity",
            "outreach_format",
            "service_area",
            "description",
            "team",
            "group",
            "partner",
            "venue",
            "place",
            "wish",
        ]
    }
    unknown = set(fields) - set(current)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    data = _clean_activity(community=locked.community, **{**current, **fields})
    taken = locked.signups.filter(cancelled_at__isnull=True).count()
    if data["capacity"] < taken:
        raise ValidationError(
            {"capacity": _("已有%(n)d人报名，名额不能少于%(n)d。") % {"n": taken}}
        )
    changes = {}
    for name, value in data.items():
        if current[name] != value:
            changes[name] = [str(current[name] or ""), str(value or "")]
            setattr(locked, name, value)
    locked.save()
    audit.record(actor=actor, action="activities.activity.updated", obj=locked, changes=changes)
    return locked


def _move(activity: Activity, to: str) -> None:
    if to not in TRANSITIONS[ActivityStatus(activity.status)]:
        raise ValidationError(
            _("活动当前为“%(status)s”，不能%(action)s。")
            % {
                "status": activity.get_status_display(),
                "action": {
                    ActivityStatus.PUBLISHED: _("发布"),
                    ActivityStatus.RUNNING: _("开始"),
                    ActivityStatus.FINISHED: _("结束"),
                    ActivityStatus.CANCELLED: _("取消"),
                }[to],
            }
        )
    activity.status = to


@transaction.atomic
def activity_publish(*, actor, activity: Activity, now: dt.datetime | None = None) -> Activity:
    now = now or timezone.now()
    _check_manage(actor, activity)
    locked = _lock(activity)
    _move(locked, ActivityStatus.PUBLISHED)
    if locked.ends_at <= now:
        raise ValidationError(_("活动时间已过，不能发布。"))
    locked.save(update_fields=["status"])
    _event(locked, ActivityStatus.PUBLISHED, actor, now)
    audit.record(actor=actor, action="activities.activity.published", obj=locked)
    return locked


@transaction.atomic
def activity_cancel(
    *, actor, activity: Activity, reason: str = "", now: dt.datetime | None = None
) -> Activity:
    """Cancel an activity that has not started; the sign-ups stay as they were."""
    now = now or timezone.now()
    _check_manage(actor, activity)
    reason = bounded_text(
        reason, field="reason", limit=200, required=_("请写明取消的原因，报名的居民会看到。")
    )
    locked = _lock(activity)
    _move(locked, ActivityStatus.CANCELLED)
    locked.save(update_fields=["status"])
    _event(locked, ActivityStatus.CANCELLED, actor, now, reason)
    audit.record(
        actor=actor, action="activities.activity.cancelled", obj=locked, changes={"reason": reason}
    )
    return locked


@transaction.atomic
def activity_finish(*, actor, activity: Activity, now: dt.datetime | None = None) -> Activity:
    """Close an activity once it has begun: no more check-ins."""
    now = now or timezone.now()
    _check_manage(actor, activity)
    locked = _lock(activity)
    _move(locked, ActivityStatus.FINISHED)
    if now < locked.starts_at:
        raise ValidationError(_("活动还没开始，不能结束；不办了请取消。"))
    locked.save(update_fields=["status"])
    _event(locked, ActivityStatus.FINISHED, actor, now)
    audit.record(actor=actor, action="activities.activity.finished", obj=locked)
    return locked


# --- sign-ups ------------------------------------------------------------------------------


def _resident_for(actor, activity: Activity, resident: Resident | None) -> Resident:
    """Whom a sign-up is for: oneself, or (for a post holder of the community) an elder
    without a phone."""
    own = getattr(actor, "resident", None) if getattr(actor, "resident_id", None) else None
    if resident is None or (own is not None and resident.pk == own.pk):
        if own is None:
            raise PermissionDenied(_("您的账号还没有关联居民信息，请联系社区工作人员。"))
        return own
    if not rules.holds_a_post_in(actor, activity.community_id):
        raise PermissionDenied(_("只能为自己报名。"))
    return Resident.objects.get(pk=resident.pk)


@transaction.atomic
def signup_create(
    *, actor, activity: Activity, resident: Resident | None = None, now: dt.datetime | None = None
) -> Signup:
    """Sign ``resident`` (by default the actor) up. Decided with the activity row locked, so
    the last place goes to one person only."""
    now = now or timezone.now()
    if not rules.may_see(actor, activity):
        raise Http404
    resident = _resident_for(actor, activity, resident)
    locked = _lock(activity)
    if not rules.may_take_part(resident, locked):
        raise ValidationError(_("只有本社区的居民可以报名这个活动。"))
    if locked.status != ActivityStatus.PUBLISHED or locked.ends_at <= now:
        raise ValidationError(
            _("这个活动现在不能报名（%(s)s）。") % {"s": locked.get_status_display()}
        )
    existing = Signup.objects.filter(activity=locked, resident=resident).first()
    if existing is not None and existing.cancelled_at is None:
        raise ValidationError(_("%(name)s已经报过名了，不用重复报名。") % {"name": resident.name})
    taken = Signup.objects.filter(activity=locked, cancelled_at__isnull=True).count()
    if taken >= locked.capacity:
        raise ValidationError(_("名额已满（共%(n)d个），下次早点报名。") % {"n": locked.capacity})
    by = actor if getattr(actor, "is_authenticated", False) else None
    if existing is not None:
        existing.cancelled_at, existing.created_at, existing.by = None, now, by
        existing.save(update_fields=["cancelled_at", "created_at", "by"])
        signup = existing
    else:
        signup = Signup.objects.create(
            activity=locked,
            resident=resident,
            community_id=locked.community_id,
            created_at=now,
            by=by,
        )
    audit.record(
        actor=actor,
        action="activities.signup.created",
        obj=locked,
        changes={"resident": resident.pk},
    )
    return signup


@transaction.atomic
def signup_cancel(
    *, actor, activity: Activity, resident: Resident | None = None, now: dt.datetime | None = None
) -> Signup:
    now = now or timezone.now()
    if not rules.may_see(actor, activity):
        raise Http404
    resident = _resident_for(actor, activity, resident)
    locked = _lock(activity)
    signup = Signup.objects.filter(
        activity=locked, resident=resident, cancelled_at__isnull=True
    ).first()
    if signup is None:
        raise ValidationError(_("没有找到报名，不用取消。"))
    if locked.starts_at <= now:
        raise ValidationError(_("活动已经开始，不能取消报名。"))
    signup.cancelled_at = now
    signup.save(update_fields=["cancelled_at"])
    audit.record(
        actor=actor,
        action="activities.signup.cancelled",
        obj=locked,
        changes={"resident": resident.pk},
    )
    return signup


# --- check-in ------------------------------------------------------------------------------


def _round_half(hours: float) -> Decimal:
    return (Decimal(str(hours)) * 2).quantize(Decimal("1"), rounding=ROUND_HALF_UP) / 2


def _volunteer_hours(activity: Activity, hours) -> Decimal:
    planned = max(_round_half(activity.hours), Decimal("0.5"))
    if hours in (None, ""):
        return planned
    try:
        given = _round_half(float(hours))
    except (TypeError, ValueError):
        raise ValidationError({"hours": _("服务时长请填数字，例如 1.5。")}) from None
    if not Decimal("0.5") <= given <= planned:
        raise ValidationError(
            {"hours": _("服务时长应在0.5到%(n)s小时之间（活动时长）。") % {"n": planned}}
        )
    return given


@transaction.atomic
def check_in(
    *,
    actor,
    activity: Activity,
    token: str = "",
    resident: Resident | None = None,
    role: str = CheckInRole.ATTENDEE,
    hours=None,
    now: dt.datetime | None = None,
) -> CheckIn:
    """Check a resident in, by the QR token they show or by name (``resident``), on a
    volunteer's or staff member's phone. Once per resident per activity, only while the
    activity runs (from an hour before its start to an hour after its end)."""
    now = now or timezone.now()
    if actor is not None and not rules.may_see(actor, activity):
        raise Http404
    if actor is not None and not rules.may_check_in(actor, activity):
        raise PermissionDenied(_("只有社区工作人员和组织方志愿者可以签到。"))
    if token:
        resident, method = resident_from_token(token), CheckInMethod.QR
    elif resident is not None:
        # As the register says now, not as the caller's copy remembers.
        resident, method = Resident.objects.get(pk=resident.pk), CheckInMethod.NAME
    else:
        raise ValidationError({"token": _("请扫码，或从报名名单里选人签到。")})
    if role not in CheckInRole.values:
        raise ValidationError({"role": _("请选择签到身份。")})
    locked = _lock(activity)
    if locked.status not in OPEN:
        raise ValidationError(
            _("活动当前为“%(s)s”，不能签到。") % {"s": locked.get_status_display()}
        )
    if not locked.starts_at - CHECK_IN_MARGIN <= now <= locked.ends_at + CHECK_IN_MARGIN:
        raise ValidationError(
            _("现在不在活动时间内（%(start)s–%(end)s），不能签到。")
            % {
                "start": _fmt(locked.starts_at),
                "end": timezone.localtime(locked.ends_at).strftime("%H:%M"),
            }
        )
    if not rules.may_take_part(resident, locked):
        raise ValidationError(_("%(name)s不是本社区在住居民，不能签到。") % {"name": resident.name})
    earlier = CheckIn.objects.filter(activity=locked, resident=resident).first()
    if earlier is not None:
        raise ValidationError(
            _("%(name)s已在%(at)s签到过了，不用重复签到。")
            % {"name": resident.name, "at": timezone.localtime(earlier.at).strftime("%H:%M")}
        )
    given = _volunteer_hours(locked, hours) if role == CheckInRole.VOLUNTEER else Decimal(0)
    if locked.status == ActivityStatus.PUBLISHED:
        _move(locked, ActivityStatus.RUNNING)
        locked.save(update_fields=["status"])
        _event(locked, ActivityStatus.RUNNING, actor, now)
    try:
        with transaction.atomic():
            row = CheckIn.objects.create(
                activity=locked,
                resident=resident,
                community_id=locked.community_id,
                role=role,
                hours=given,
                method=method,
                at=now,
                by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError:
        raise ValidationError(
            _("%(name)s已经签到过了，不用重复签到。") % {"name": resident.name}
        ) from None
    audit.record(
        actor=actor,
        action="activities.check_in.recorded",
        obj=locked,
        changes={"resident": resident.pk, "role": role, "method": method, "hours": str(given)},
    )
    award_check_in_points(row, actor=actor)
    return row


# --- quizzes -------------------------------------------------------------------------------


@transaction.atomic
def quiz_question_add(
    *, actor, activity: Activity, text: str, options: list[str], correct: int
) -> Question:
    """Add a question to a 云宣讲 quiz, before anyone has answered it."""
    _check_manage(actor, activity)
    locked = _lock(activity)
    if locked.outreach_format != "cloud":
        raise ValidationError(_("只有云宣讲可以设置有奖竞答。"))
    if locked.attempts.exists():
        raise ValidationError(_("已经有居民答过题，不能再改题目。"))
    text = bounded_text(text, field="text", limit=QUESTION_MAX, required=_("请填写题目。"))
    options = [o.strip() for o in options if o and o.strip()]
    if not 2 <= len(options) <= 6:
        raise ValidationError({"options": _("每道题要有2到6个选项。")})
    if any(len(o) > OPTION_MAX for o in options):
        raise ValidationError({"options": _("选项最多%(n)d个字。") % {"n": OPTION_MAX}})
    if not 0 <= correct < len(options):
        raise ValidationError({"correct": _("请选择正确答案。")})
    question = Question.objects.create(
        activity=locked, text=text, order=locked.questions.count() + 1
    )
    Option.objects.bulk_create(
        Option(question=question, text=o, is_correct=i == correct) for i, o in enumerate(options)
    )
    audit.record(
        actor=actor, action="activities.quiz.question_added", obj=locked, changes={"text": text}
    )
    return question


@transaction.atomic
def quiz_submit(
    *, actor, activity: Activity, answers: dict[int, int], now: dt.datetime | None = None
) -> QuizAttempt:
    """The resident's one attempt: ``answers`` maps question id → option id. Every question
    must be answered; the number right is counted here, not sent."""
    now = now or timezone.now()
    if not rules.may_see(actor, activity):
        raise Http404
    resident = _resident_for(actor, activity, None)
    locked = _lock(activity)
    if locked.outreach_format != "cloud" or locked.status not in OPEN:
        raise ValidationError(_("这个活动现在没有竞答。"))
    if not rules.may_take_part(resident, locked):
        raise ValidationError(_("只有本社区的居民可以参加竞答。"))
    if QuizAttempt.objects.filter(activity=locked, resident=resident).exists():
        raise ValidationError(_("您已经答过题了，每人只能答一次。"))
    questions = list(locked.questions.prefetch_related("options"))
    if not questions:
        raise ValidationError(_("这个活动还没有设置题目。"))
    chosen, correct = {}, 0
    for q in questions:
        option_id = answers.get(q.pk)
        option = next((o for o in q.options.all() if o.pk == option_id), None)
        if option is None:
            raise ValidationError({f"q{q.pk}": _("第%(n)d题还没有选答案。") % {"n": q.order}})
        chosen[str(q.pk)] = option.pk
        correct += option.is_correct
    try:
        with transaction.atomic():
            attempt = QuizAttempt.objects.create(
                activity=locked,
                resident=resident,
                community_id=locked.community_id,
                answers=chosen,
                correct=correct,
                total=len(questions),
                at=now,
            )
    except IntegrityError:
        raise ValidationError(_("您已经答过题了，每人只能答一次。")) from None
    audit.record(
        actor=actor,
        action="activities.quiz.submitted",
        obj=locked,
        changes={"correct": correct, "total": len(questions)},
    )
    award_quiz_points(attempt, actor=actor)
    return attempt


# --- volunteer groups ----------------------------------------------------------------------


@transaction.atomic
def group_create(
    *, actor, community: Community, name: str, kind: str = GroupKind.GROUP, description: str = ""
) -> VolunteerGroup:
    if actor is not None and not rules.may_manage_in(actor, community):
        raise PermissionDenied(_("没有权限管理这个社区的志愿服务组织。"))
    name = bounded_text(name, field="name", limit=TITLE_MAX, required=_("请填写名称。"))
    if kind not in GroupKind.values:
        raise ValidationError({"kind": _("请选择类别。")})
    if VolunteerGroup.objects.filter(community=community, name=name).exists():
        raise ValidationError({"name": _("本社区已有同名的志愿服务组织。")})
    group = VolunteerGroup.objects.create(
        community=community,
        name=name,
        kind=kind,
        description=bounded_text(description, field="description", limit=200),
    )
    audit.record(actor=actor, action="activities.group.created", obj=group)
    return group


@transaction.atomic
def group_member_add(
    *, actor, group: VolunteerGroup, resident: Resident, now: dt.datetime | None = None
) -> GroupMembership:
    """A registered resident of the group's community joins it."""
    now = now or timezone.now()
    if actor is not None and not rules.may_manage_in(actor, group.community):
        raise PermissionDenied(_("没有权限管理这个志愿服务组织。"))
    locked = VolunteerGroup.objects.select_for_update().get(pk=group.pk)
    if resident.community_id != locked.community_id:
        raise ValidationError({"resident": _("只能添加本社区的居民。")})
    if GroupMembership.objects.filter(group=locked, resident=resident).exists():
        raise ValidationError({"resident": _("%(name)s已经是成员了。") % {"name": resident.name}})
    membership = GroupMembership.objects.create(
        group=locked, resident=resident, joined_on=timezone.localdate(now)
    )
    audit.record(
        actor=actor,
        action="activities.group.member_added",
        obj=locked,
        changes={"resident": resident.pk},
    )
    return membership
