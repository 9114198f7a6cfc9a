"""Every figure of the 1235 model, defined once: its key, label, unit, definition, how it
is counted and which records lie behind it (docs/figures.md is this table in prose).

A figure is counted from ``records(window)`` — the very queryset its drill route lists —
so the number and the list it opens into cannot disagree. A rate or share is counted from
two such querysets; its drill lists the numerator's records, and its definition says so.
Percentages have two decimals, rounded half up (``surveys.selectors.ratio``); a rate over
nothing is 0, since a page of figures must not break on a community that has just begun.

Records come through ``Window.scoped`` only (``core.scoping.visible``), so nothing is
counted outside the caller's reach. Labels, units and definitions are lazy: each answer
reads them in its reader's language.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.activities.enums import ActivityKind, ActivityStatus, CheckInRole
from gongzhi.activities.models import Activity, CheckIn, QuizAttempt, Signup
from gongzhi.deliberation.enums import MeetingKind, Stage
from gongzhi.deliberation.models import Invitee, Matter, Meeting, Objection, Vote
from gongzhi.places.models import Building, Household, Resident, elderly_cutoff
from gongzhi.renewal.models import Opinion as RenewalOpinion
from gongzhi.surveys.models import Campaign, CampaignHousehold, Response, Visit
from gongzhi.surveys.selectors import Rates, ratio, with_flags
from gongzhi.voices.enums import DispatchStatus
from gongzhi.voices.enums import Status as ItemStatus
from gongzhi.voices.measures import NOT_RECEIVED, SATISFIED
from gongzhi.voices.models import Dispatch, EventSession, Item, ItemReporter, ReturnVisit
from gongzhi.wishes.enums import Status as WishStatus
from gongzhi.wishes.models import Wish

from .selectors import Window

# An activity counts once it has taken place: running (someone checked in) or finished.
# Drafts, activities still open for sign-up and cancelled ones are not held.
HELD = (ActivityStatus.RUNNING, ActivityStatus.FINISHED)
# The article's examples of hard problems the alliance solved together: lift retrofits,
# illegal structures, pipeline relocation, building demolition (voices catalogue codes).
HARD_CATEGORIES = (
    "elevator_retrofit",
    "illegal_structure",
    "pipeline_relocation",
    "building_demolition",
)
ZERO = Decimal("0.00")


def percent(part: int, whole: int) -> Decimal:
    return ratio(part, whole) or ZERO


@dataclass(frozen=True)
class Figure:
    key: str
    label: Any  # lazy: read in the reader's language
    unit: Any
    definition: Any
    # The records behind the figure (for a rate: its numerator's), scoped and ordered.
    records: Callable[[Window], QuerySet | list]
    # One record as a row of the drill list.
    row: Callable[[Any, Window], dict]
    # The figure; without it, the number of ``records``.
    value: Callable[[Window], int | Decimal] | None = None
    # The column that dates a record, for the trend by month; None: the figure is a state
    # (households) or a distinct count (participants), which months do not add up to.
    month: str | None = None

    def count(self, window: Window) -> int | Decimal:
        if self.value is not None:
            return self.value(window)
        return _counted(window, self.records)

    @property
    def drill(self) -> str:
        return reverse("api:figure_rows", kwargs={"key": self.key})


# --- rows of the drill lists: names and addresses only where the caller's reach already
# shows them (the register), never an ID number or a phone, never what a resident wrote.


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment else None


def _row(obj_id: int, kind: str, label: str, *, day=None, place: str = "", detail: str = ""):
    return {
        "id": obj_id,
        "kind": kind,
        "label": label,
        "date": day,
        "place": place,
        "detail": detail,
    }


def _building_row(b: Building, w: Window) -> dict:
    return _row(b.pk, "building", str(b), place=b.community.name, detail=b.compound.name)


def _household_row(h: Household, w: Window) -> dict:
    return _row(h.pk, "household", h.address_label, place=h.community.name)


def _resident_row(r: Resident, w: Window) -> dict:
    age = r.age(w.end)
    return _row(
        r.pk,
        "resident",
        r.name,
        place=f"{r.community.name} {r.household.address_label}",
        detail=str(_("%(age)d岁") % {"age": age}) if age is not None else "",
    )


def _activity_row(a: Activity, w: Window) -> dict:
    return _row(
        a.pk,
        "activity",
        a.title,
        day=_day(a.starts_at),
        place=a.community.name,
        detail=str(a.get_kind_display()),
    )


def _check_in_row(c: CheckIn, w: Window) -> dict:
    # The activity and the role, not the person: a figure of person-times needs no name.
    return _row(
        c.pk,
        "check_in",
        c.activity.title,
        day=_day(c.at),
        place=c.community.name,
        detail=str(c.get_role_display()),
    )


def _event_row(e: EventSession, w: Window) -> dict:
    return _row(
        e.pk,
        "opinion_event",
        e.title,
        day=e.held_on,
        place=e.community.name,
        detail=str(e.get_format_display()),
    )


def _item_row(i: Item, w: Window) -> dict:
    # The number, kind and channel: what a resident wrote stays on the item's own page.
    return _row(
        i.pk,
        "voice_item",
        i.number,
        day=_day(i.submitted_at),
        place=i.community.name,
        detail=f"{i.get_kind_display()} · {i.get_channel_display()}",
    )


def _visit_row(v: ReturnVisit, w: Window) -> dict:
    # The item visited, and what the resident said of it in two words; their comment
    # stays on the item's own page.
    return _row(
        v.item_id,
        "voice_item",
        v.item.number,
        day=_day(v.visited_at),
        place=v.item.community.name,
        detail=f"{v.get_solved_display()} · {v.get_satisfaction_display()}",
    )


def _meeting_row(m: Meeting, w: Window) -> dict:
    return _row(
        m.pk,
        "meeting",
        m.title,
        day=_day(m.starts_at),
        place=m.community.name,
        detail=str(m.get_kind_display()),
    )


def _matter_row(m: Matter, w: Window) -> dict:
    return _row(
        m.pk,
        "matter",
        m.title,
        day=_day(m.closed_at),
        place=m.community.name,
        detail=str(m.get_stage_display()),
    )


def _wish_row(x: Wish, w: Window) -> dict:
    return _row(
        x.pk,
        "wish",
        str(x.get_category_display()),
        day=_day(x.confirmed_at),
        place=x.community.name,
        detail=str(x.get_status_display()),
    )


def _survey_row(h: CampaignHousehold, w: Window) -> dict:
    flags = [
        str(label)
        for flag, label in (
            ("reached_flag", _("已走访")),
            ("valid_flag", _("有效问卷")),
            ("support_flag", _("支持")),
        )
        if getattr(h, flag, False)
    ]
    return _row(
        h.pk,
        "survey_household",
        h.campaign.name,
        day=h.campaign.starts_on,
        place=h.household.address_label,
        detail="、".join(flags),
    )


def _survey_day_row(day: dt.date, w: Window) -> dict:
    return _row(day.toordinal(), "survey_day", day.isoformat(), day=day)


# --- records ---------------------------------------------------------------------------


def _buildings(w: Window) -> QuerySet:
    return w.scoped(Building.objects.select_related("community", "compound")).order_by(
        "community_id", "sort_key", "number", "pk"
    )


def _households(w: Window) -> QuerySet:
    return w.scoped(Household.objects.select_related("community")).order_by(
        "community_id", "building_id", "entrance_id", "floor", "door_number", "pk"
    )


def _residents(w: Window) -> QuerySet:
    return w.scoped(Resident.objects.living().select_related("community", "household")).order_by(
        "household_id", "pk"
    )


def _elderly(w: Window) -> QuerySet:
    # Aged 60 or over on the last day of the period.
    return _residents(w).elderly(w.end)


def _campaign_households(w: Window) -> QuerySet:
    campaigns = Campaign.objects.filter(w.overlaps("starts_on", "ends_on"))
    return with_flags(
        w.scoped(
            CampaignHousehold.objects.filter(campaign__in=campaigns).select_related(
                "campaign", "household"
            )
        )
    ).order_by("campaign_id", "building_id", "household_id", "pk")


def _survey_rates(w: Window) -> Rates:
    """The four counts of the surveys in the window, in one query, kept for the request;
    the rates are ``surveys.selectors.Rates``', as on the campaign's own page."""
    if "survey" not in w.memo:
        n = _campaign_households(w).aggregate(
            households=Count("id"),
            reached=Count("id", filter=Q(reached_flag=True)),
            valid=Count("id", filter=Q(valid_flag=True)),
            support=Count("id", filter=Q(support_flag=True)),
            stated=Count("id", filter=Q(stated_flag=True)),
        )
        w.memo["survey"] = Rates(
            n["households"], n["reached"], n["valid"], n["support"], stated=n["stated"]
        )
    return w.memo["survey"]


def _survey_days(w: Window) -> list[dt.date]:
    if "survey_days" not in w.memo:
        days: set[dt.date] = set()
        for model, column in ((Visit, "visited_at"), (Response, "answered_at")):
            days.update(
                w.scoped(model.objects.filter(w.moments(column)))
                .annotate(day=TruncDate(column))
                .order_by()
                .values_list("day", flat=True)
                .distinct()
            )
        w.memo["survey_days"] = sorted(days)
    return w.memo["survey_days"]


def _held(w: Window, kind: str) -> QuerySet:
    return (
        w.scoped(Activity.objects.filter(kind=kind, status__in=HELD).filter(w.moments("starts_at")))
        .select_related("community")
        .order_by("starts_at", "pk")
    )


def _check_ins(w: Window, kind: str, role: str) -> QuerySet:
    return (
        w.scoped(CheckIn.objects.filter(role=role, activity__in=_held(w, kind).values("pk")))
        .select_related("activity", "community")
        .order_by("at", "pk")
    )


def _events(w: Window) -> QuerySet:
    return (
        w.scoped(EventSession.objects.filter(w.days("held_on")))
        .select_related("community")
        .order_by("held_on", "pk")
    )


def _opinions(w: Window) -> QuerySet:
    return (
        w.scoped(Item.objects.filter(w.moments("submitted_at")).exclude(status__in=NOT_RECEIVED))
        .select_related("community")
        .order_by("submitted_at", "pk")
    )


def _coordination_meetings(w: Window) -> QuerySet:
    # A meeting set for later in the period has not been held yet.
    return (
        w.scoped(
            Meeting.objects.filter(
                w.moments("starts_at"),
                kind=MeetingKind.COORDINATION,
                starts_at__lte=timezone.now(),
            )
        )
        .select_related("community")
        .order_by("starts_at", "pk")
    )


def _solved_matters(w: Window) -> QuerySet:
    return (
        w.scoped(Matter.objects.filter(w.moments("closed_at"), stage=Stage.CLOSED))
        .select_related("community")
        .order_by("closed_at", "pk")
    )


def _solved_with_partners(w: Window) -> QuerySet:
    verified = Dispatch.objects.filter(item=OuterRef("pk"), status=DispatchStatus.VERIFIED)
    return (
        w.scoped(
            Item.objects.filter(
                w.moments("closed_at"),
                Exists(verified),
                status=ItemStatus.CLOSED,
                category__code__in=HARD_CATEGORIES,
            )
        )
        .select_related("community")
        .order_by("closed_at", "pk")
    )


def _return_visits(w: Window) -> QuerySet:
    """Return visits in the period to items in the window: what residents said of the
    handling of their own items (the measures page's 满意率, over any period)."""
    items = w.scoped(Item.objects.all()).values("pk").order_by()
    return (
        ReturnVisit.objects.filter(w.moments("visited_at"), item__in=items)
        .select_related("item__community")
        .order_by("visited_at", "pk")
    )


def _satisfied_visits(w: Window) -> QuerySet:
    return _return_visits(w).filter(satisfaction__in=SATISFIED)


def _fulfilled_wishes(w: Window) -> QuerySet:
    return (
        w.scoped(Wish.objects.filter(w.moments("confirmed_at"), status=WishStatus.CONFIRMED))
        .select_related("community")
        .order_by("confirmed_at", "pk")
    )


# What counts as taking part: (records, the column naming the resident, the moment).
PARTICIPATION = [
    (lambda: CheckIn.objects.all(), "resident_id", "at"),
    (lambda: Signup.objects.filter(cancelled_at__isnull=True), "resident_id", "created_at"),
    (lambda: QuizAttempt.objects.all(), "resident_id", "at"),
    (lambda: Response.objects.filter(respondent__isnull=False), "respondent_id", "answered_at"),
    (lambda: ItemReporter.objects.filter(resident__isnull=False), "resident_id", "joined_at"),
    (lambda: Wish.objects.all(), "resident_id", "created_at"),
    (lambda: Invitee.objects.filter(resident__isnull=False), "resident_id", "signed_in_at"),
    (lambda: Vote.objects.all(), "resident_id", "at"),
    (lambda: Objection.objects.all(), "resident_id", "at"),
    (lambda: RenewalOpinion.objects.filter(resident__isnull=False), "resident_id", "created_at"),
]


def _participants(w: Window) -> QuerySet:
    """Distinct residents who took part in anything in the period, counted where they live
    (a resident of one community at another's talk counts in their own)."""
    q = Q(pk__in=[])
    for records, person, moment in PARTICIPATION:
        q |= Q(pk__in=records().filter(w.moments(moment)).values(person).order_by())
    return w.scoped(Resident.objects.filter(q).select_related("community", "household")).order_by(
        "household_id", "pk"
    )


def participant_counts(w: Window) -> tuple[int, int]:
    """(participants, those of them aged 60+ on the period's last day), in one query kept for
    the window: the figure, its share's numerator and the roll-up's part share it, and each
    count walks every kind of taking part."""
    if "participants" not in w.memo:
        found = (
            _participants(w)
            .order_by()
            .aggregate(
                n=Count("pk"), old=Count("pk", filter=Q(birth_date__lte=elderly_cutoff(w.end)))
            )
        )
        w.memo["participants"] = (found["n"], found["old"])
    return w.memo["participants"]


def first_participation(w: Window) -> dict[dt.date, tuple[int, int]]:
    """{month: (residents who took part for the first time ever that month, those of them
    aged 60+ on the period's last day)} for the months of the period: the shift the model
    aims at, new people drawn in. One grouped query per kind of taking part, over the
    residents in the window's reach; earlier years count, so a resident who came in 2025
    is not new in 2026."""
    residents = w.scoped(Resident.objects.all()).values("pk").order_by()
    firsts: dict[int, dt.datetime] = {}
    for records, person, moment in PARTICIPATION:
        rows = (
            records()
            .filter(**{f"{person}__in": residents, f"{moment}__lt": w.until})
            .order_by()
            .values(person)
            .annotate(first=Min(moment))
            .values_list(person, "first")
        )
        for pk, first in rows:
            if pk not in firsts or first < firsts[pk]:
                firsts[pk] = first
    # A city holds a million first moments: each is placed by bisecting the months' local
    # midnights, not converted to local time one by one (which cost more than the queries).
    month_list = months_of(w)
    starts = [timezone.make_aware(dt.datetime.combine(m, dt.time.min)) for m in month_list]
    since, until = w.since, w.until
    elderly = set(
        w.scoped(Resident.objects.filter(birth_date__lte=elderly_cutoff(w.end)))
        .order_by()
        .values_list("pk", flat=True)
    )
    counts = [[0, 0] for _ in month_list]
    for pk, first in firsts.items():
        if (since is not None and first < since) or first >= until:
            continue
        at = bisect.bisect_right(starts, first) - 1
        if at < 0:
            continue
        counts[at][0] += 1
        counts[at][1] += pk in elderly
    return {m: (n, old) for m, (n, old) in zip(month_list, counts, strict=True)}


def _counted(w: Window, records: Callable[[Window], QuerySet | list]) -> int:
    """The number of ``records(w)``, counted once per window: a share's whole is also a
    figure of its own (residents, participants, return visits), and the dashboard shows
    both."""
    key = ("count", records)
    if key not in w.memo:
        found = records(w)
        w.memo[key] = len(found) if isinstance(found, list) else found.count()
    return w.memo[key]


def _share(numerator: Callable[[Window], QuerySet], whole: Callable[[Window], QuerySet]):
    return lambda w: percent(numerator(w).count(), _counted(w, whole))


# --- the figures -----------------------------------------------------------------------

HOUSEHOLD = _("户")
PERSON = _("人")
PERSON_TIMES = _("人次")
TIMES = _("场")
ITEMS = _("条")
PIECES = _("份")
PERCENT = "%"
DAYS = _("天")
BUILDINGS = _("栋")
MATTERS = _("件")
ACTIVITIES = _("次")

_FIGURES = [
    Figure(
        "buildings",
        _("居民楼栋"),
        BUILDINGS,
        _("登记在册的楼栋数（当前登记）。"),
        _buildings,
        _building_row,
    ),
    Figure(
        "households",
        _("住户"),
        HOUSEHOLD,
        _("登记在册的住户数（当前登记）。"),
        _households,
        _household_row,
    ),
    Figure(
        "residents",
        _("居民"),
        PERSON,
        _("在册且状态为在住的居民数（当前登记）。"),
        _residents,
        _resident_row,
    ),
    Figure(
        "residents_60_plus_share",
        _("60岁及以上居民占比"),
        PERCENT,
        _("在住居民中，按出生日期于统计期末日满60岁者所占比例；明细列出这些60岁及以上的居民。"),
        _elderly,
        _resident_row,
        _share(_elderly, _residents),
    ),
    Figure(
        "survey_households",
        _("入户调查住户"),
        HOUSEHOLD,
        _("与统计期有交集的入户调查所含住户数（同一住户在两次调查中计两次）。"),
        _campaign_households,
        _survey_row,
        lambda w: _survey_rates(w).households,
    ),
    Figure(
        "survey_days",
        _("调查天数"),
        DAYS,
        _("统计期内有入户走访或答卷记录的天数；明细每天一行。"),
        _survey_days,
        _survey_day_row,
    ),
    Figure(
        "survey_valid",
        _("有效问卷"),
        PIECES,
        _("上述调查住户中有有效答卷的户数（每户至多一份有效答卷）。"),
        lambda w: _campaign_households(w).filter(valid_flag=True),
        _survey_row,
        lambda w: _survey_rates(w).valid,
    ),
    Figure(
        "survey_coverage",
        _("调查覆盖率"),
        PERCENT,
        _(
            "已走访到的住户（有已答卷、拒绝、已搬离、空房的走访记录或有答卷）占调查住户的比例；"
            "明细列出已走访到的住户。"
        ),
        lambda w: _campaign_households(w).filter(reached_flag=True),
        _survey_row,
        lambda w: _survey_rates(w).coverage or ZERO,
    ),
    Figure(
        "survey_valid_rate",
        _("问卷有效率"),
        PERCENT,
        _("有效问卷占已走访到的住户的比例；明细列出有有效问卷的住户。"),
        lambda w: _campaign_households(w).filter(valid_flag=True),
        _survey_row,
        lambda w: _survey_rates(w).valid_rate or ZERO,
    ),
    Figure(
        "survey_support_rate",
        _("支持率"),
        PERCENT,
        _("有效问卷中支持题答“支持”的比例；明细列出答“支持”的住户。"),
        lambda w: _campaign_households(w).filter(support_flag=True),
        _survey_row,
        lambda w: _survey_rates(w).support_rate or ZERO,
    ),
    Figure(
        "opinion_events",
        _("民意征集活动"),
        TIMES,
        _("统计期内举行的民意征集活动（促膝恳谈会、坝坝龙门阵、城市更新论坛等）场次。"),
        _events,
        _event_row,
        month="held_on",
    ),
    Figure(
        "opinions",
        _("收集意见"),
        ITEMS,
        _(
            "统计期内提交的居民诉求与建议条数（各渠道，含议事活动录入），"
            "不含撤回和合并到其他诉求的。"
        ),
        _opinions,
        _item_row,
        month="submitted_at",
    ),
    Figure(
        "outreach_talks",
        _("宣讲"),
        TIMES,
        _("统计期内开始、已举行（进行中或已结束）的宣讲活动场次。"),
        lambda w: _held(w, ActivityKind.OUTREACH),
        _activity_row,
        month="starts_at",
    ),
    Figure(
        "outreach_audience",
        _("宣讲受众"),
        PERSON_TIMES,
        _("上述宣讲中以“参加”身份签到的人次。"),
        lambda w: _check_ins(w, ActivityKind.OUTREACH, CheckInRole.ATTENDEE),
        _check_in_row,
        month="at",
    ),
    Figure(
        "volunteer_services",
        _("志愿服务"),
        ACTIVITIES,
        _("统计期内开始、已举行的志愿服务活动次数。"),
        lambda w: _held(w, ActivityKind.VOLUNTEER),
        _activity_row,
        month="starts_at",
    ),
    Figure(
        "volunteer_served",
        _("志愿服务对象"),
        PERSON_TIMES,
        _("上述志愿服务中以“服务对象”身份签到的人次。"),
        lambda w: _check_ins(w, ActivityKind.VOLUNTEER, CheckInRole.SERVED),
        _check_in_row,
        month="at",
    ),
    Figure(
        "cobuilding_activities",
        _("共建活动"),
        ACTIVITIES,
        _("统计期内开始、已举行、由共建单位组织的共建活动次数。"),
        lambda w: _held(w, ActivityKind.CO_BUILDING),
        _activity_row,
        month="starts_at",
    ),
    Figure(
        "coordination_meetings",
        _("问题协调会"),
        TIMES,
        _("统计期内已召开（开始时间已过）的问题协调会场次。"),
        _coordination_meetings,
        _meeting_row,
        month="starts_at",
    ),
    Figure(
        "matters_closed",
        _("五步法办结议题"),
        MATTERS,
        _(
            "统计期内办结的议题数：走完“摸、议、推、示、评”五步、满意度达到要求而办结的议题"
            "（小事在网格办结的诉求不计）。"
        ),
        _solved_matters,
        _matter_row,
        month="closed_at",
    ),
    Figure(
        "hard_problems_solved",
        _("解决难题"),
        ITEMS,
        _(
            "统计期内办结的加装电梯、违建拆除、管线迁改、房屋拆除四类诉求中，"
            "派给共建单位、答复经社区核实、回访后办结的条数（共建联盟联合解决的难题）。"
        ),
        _solved_with_partners,
        _item_row,
        month="closed_at",
    ),
    Figure(
        "return_visits",
        _("诉求回访"),
        ACTIVITIES,
        _("统计期内对居民诉求的回访次数（居民自评或工作人员回访记录）。"),
        _return_visits,
        _visit_row,
        month="visited_at",
    ),
    Figure(
        "satisfied_visits",
        _("满意回访"),
        ACTIVITIES,
        _("上述回访中居民表示“满意”或“基本满意”的次数。"),
        _satisfied_visits,
        _visit_row,
        month="visited_at",
    ),
    Figure(
        "satisfaction_rate",
        _("回访满意率"),
        PERCENT,
        _("满意回访占诉求回访的比例；明细列出满意的回访。"),
        _satisfied_visits,
        _visit_row,
        _share(_satisfied_visits, _return_visits),
    ),
    Figure(
        "micro_services",
        _("微服务"),
        ACTIVITIES,
        _("统计期内开始、已举行的微服务活动次数。"),
        lambda w: _held(w, ActivityKind.MICRO_SERVICE),
        _activity_row,
        month="starts_at",
    ),
    Figure(
        "wishes_fulfilled",
        _("实现微心愿"),
        ITEMS,
        _("统计期内经居民（或代为）确认已实现的微心愿数。"),
        _fulfilled_wishes,
        _wish_row,
        month="confirmed_at",
    ),
    Figure(
        "participants",
        _("参与居民"),
        PERSON,
        _(
            "统计期内参与过任何事项的不同居民人数：活动报名（未取消）与签到、有奖竞答、"
            "调查答卷、提出或附议诉求、提交微心愿、会议签到、满意度评议、公示异议、"
            "更新项目意见；按居住地计入。"
        ),
        _participants,
        _resident_row,
        lambda w: participant_counts(w)[0],
    ),
    Figure(
        "participants_60_plus_share",
        _("参与居民中60岁及以上占比"),
        PERCENT,
        _("参与居民中于统计期末日满60岁者所占比例；明细列出这些居民。"),
        lambda w: _participants(w).elderly(w.end),
        _resident_row,
        lambda w: percent(participant_counts(w)[1], participant_counts(w)[0]),
    ),
]

FIGURES: dict[str, Figure] = {f.key: f for f in _FIGURES}


def figure_get(key: str) -> Figure | None:
    return FIGURES.get(key)


def count_all(window: Window) -> list[tuple[Figure, int | Decimal]]:
    """Every figure over ``window``, in the order of the table: one query per figure at
    most, whatever the number of records."""
    return [(f, f.count(window)) for f in _FIGURES]


def months_of(window: Window) -> list[dt.date]:
    """The first day of every month the period touches, oldest first. A period without a
    beginning starts at its end's January: a trend needs a first month."""
    first = (window.start or window.end.replace(month=1)).replace(day=1)
    months = []
    while first <= window.end:
        months.append(first)
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return months


def monthly(figure: Figure, window: Window) -> list[int]:
    """The figure month by month over the period, in one grouped query: the months add up
    to the figure, since each counts the same records by the month ``figure.month`` puts
    them in (local time)."""
    if figure.month is None:
        raise ValueError(f"{figure.key} has no month column")
    counts = {
        (m.date() if isinstance(m, dt.datetime) else m): n
        for m, n in figure.records(window)
        .order_by()
        .annotate(m=TruncMonth(figure.month))
        .values("m")
        .annotate(n=Count("pk"))
        .values_list("m", "n")
    }
    return [counts.get(month, 0) for month in months_of(window)]
