"""Time limits of items, counted in working time, and what follows when they pass.

Overdue is *derived*: an open item whose ``due_at`` lies before now is overdue, whether or
not any job has run (``is_overdue``, ``overdue``). So is *due soon* (即将超时): an open item
whose deadline is at most ``GONGZHI_DUE_SOON_HOURS`` working hours away (default: one
working day, the office hours of a day) — ``is_due_soon``, ``with_overdue``. What the
periodic job (``tick``, run by ``manage.py voices_tick``) adds is the follow-up, one step at
a time and never twice:

    due soon                                → warning (临期提醒), once per stage
    past due                                → reminder (提醒) to the handlers of the level
    past due by one threshold more          → supervision notice (督办)
    past due by two thresholds more         → escalation one level up (超时自动上报)

The threshold is the stage's own limit in working hours, capped at one working day, so that
an urgent 4-hour stage is chased within hours and a 10-day partner stage within a day.
``Item.supervision`` records the last step sent and ``Item.warned`` the warning; a new stage
(accept, escalate, dispatch...) or a deadline moved by an extension resets both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone

from gongzhi.core import workcal

from .enums import OPEN_STATUSES, Stage, Supervision, TimeUnit
from .models import Category, Item

# Stage → (Category field, default when there is no category, as (amount, unit)).
STAGE_LIMITS: dict[str, tuple[str, tuple[int, str]]] = {
    Stage.RESPOND: ("respond_limit", (1, TimeUnit.DAYS)),
    Stage.HANDLE: ("handle_limit", (5, TimeUnit.DAYS)),
    Stage.PARTNER_ACCEPT: ("partner_accept_limit", (1, TimeUnit.DAYS)),
    Stage.PARTNER_HANDLE: ("partner_handle_limit", (10, TimeUnit.DAYS)),
    Stage.VERIFY: ("verify_limit", (3, TimeUnit.DAYS)),
}
# An urgent item is answered within hours whatever its category says.
URGENT_RESPOND_HOURS = 4
URGENT_HANDLE_HOURS = 24

# Statuses whose clock is running; a resolved item waits for its return visit, which has a
# limit of its own (VERIFY), so it counts as well.
RUNNING = sorted(OPEN_STATUSES)


def clock() -> dt.datetime:
    """The services' notion of now. Every service takes ``now=`` too; tests pass it."""
    return timezone.now()


def workday_hours() -> float:
    return sum(
        (dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, begin)).seconds
        / 3600
        for begin, end in workcal.work_periods()
    )


def stage_limit(category: Category | None, stage: str, *, urgent: bool = False) -> tuple[int, str]:
    """The limit of ``stage`` as (amount, TimeUnit)."""
    if urgent and stage == Stage.RESPOND:
        amount, unit = _category_limit(category, stage)
        if unit == TimeUnit.HOURS and amount <= URGENT_RESPOND_HOURS:
            return amount, unit
        return URGENT_RESPOND_HOURS, TimeUnit.HOURS
    if urgent and stage == Stage.HANDLE:
        amount, unit = _category_limit(category, stage)
        if unit == TimeUnit.HOURS:
            return min(amount, URGENT_HANDLE_HOURS), unit
        return URGENT_HANDLE_HOURS, TimeUnit.HOURS
    return _category_limit(category, stage)


def _category_limit(category: Category | None, stage: str) -> tuple[int, str]:
    column, default = STAGE_LIMITS[stage]
    if category is None:
        return default
    return getattr(category, column), category.time_unit


def limit_hours(category: Category | None, stage: str, *, urgent: bool = False) -> float:
    amount, unit = stage_limit(category, stage, urgent=urgent)
    return float(amount) if unit == TimeUnit.HOURS else amount * workday_hours()


def due_at(
    *, category: Category | None, stage: str, start: dt.datetime, urgent: bool = False
) -> dt.datetime:
    """The deadline of ``stage`` begun at ``start``, in working time on China's calendar."""
    amount, unit = stage_limit(category, stage, urgent=urgent)
    if unit == TimeUnit.HOURS:
        return workcal.add_working_hours(start, amount)
    return workcal.add_working_days(start, amount)


def is_overdue(item: Item, now: dt.datetime | None = None) -> bool:
    now = now or clock()
    return item.status in OPEN_STATUSES and item.due_at < now


def overdue(qs: QuerySet[Item], now: dt.datetime | None = None) -> QuerySet[Item]:
    """Only the overdue items of ``qs``."""
    return qs.filter(overdue_q(now or clock()))


def overdue_q(now: dt.datetime) -> Q:
    return Q(status__in=RUNNING, due_at__lt=now)


def due_soon_hours() -> float:
    """How many working hours before its deadline an item counts as due soon."""
    value = getattr(settings, "GONGZHI_DUE_SOON_HOURS", None)
    return float(value) if value not in (None, "") else workday_hours()


def due_soon_until(now: dt.datetime) -> dt.datetime:
    """The latest deadline that is due soon at ``now``."""
    return workcal.add_working_hours(now, due_soon_hours())


def due_soon_q(now: dt.datetime, until: dt.datetime | None = None) -> Q:
    return Q(status__in=RUNNING, due_at__gte=now, due_at__lte=until or due_soon_until(now))


def is_due_soon(item: Item, now: dt.datetime | None = None) -> bool:
    now = now or clock()
    return item.status in OPEN_STATUSES and now <= item.due_at <= due_soon_until(now)


def with_overdue(qs: QuerySet[Item], now: dt.datetime | None = None) -> QuerySet[Item]:
    """``qs`` annotated with ``is_overdue`` and ``is_due_soon`` (boolean columns, for lists
    and sorting), both derived from ``due_at`` at the moment of reading."""
    now = now or clock()
    return qs.annotate(
        is_overdue=Case(
            When(overdue_q(now), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        is_due_soon=Case(
            When(due_soon_q(now), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def supervision_threshold(item: Item) -> float:
    """Working hours past the deadline between one follow-up step and the next."""
    return min(limit_hours(item.category, item.stage, urgent=item.urgent), workday_hours())


def supervision_due(item: Item, now: dt.datetime | None = None) -> Supervision:
    """The follow-up step the item should have reached by ``now`` (NONE when in time)."""
    now = now or clock()
    if not is_overdue(item, now):
        return Supervision.NONE
    late = workcal.working_hours_between(item.due_at, now)
    threshold = supervision_threshold(item)
    if late >= 2 * threshold:
        return Supervision.ESCALATED
    if late >= threshold:
        return Supervision.SUPERVISED
    return Supervision.REMINDED


@dataclass
class TickReport:
    warned: list[str] = field(default_factory=list)
    reminded: list[str] = field(default_factory=list)
    supervised: list[str] = field(default_factory=list)
    escalated: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.warned) + len(self.reminded) + len(self.supervised) + len(self.escalated)


def tick(*, now: dt.datetime | None = None) -> TickReport:
    """Send every warning and follow-up step that is due and not yet sent. Safe to run as
    often as one likes: a step already recorded on the item is never sent again."""
    from . import services

    now = now or clock()
    report = TickReport()
    soon = (
        Item.objects.filter(due_soon_q(now), warned=False)
        .select_related("category")
        .order_by("due_at", "pk")
    )
    for item in soon.iterator(chunk_size=500):
        if services.item_warn(item=item, now=now):
            report.warned.append(item.number)
    candidates = (
        overdue(Item.objects.all(), now)
        .filter(supervision__lt=Supervision.ESCALATED)
        .select_related("category")
        .order_by("due_at", "pk")
    )
    for item in candidates.iterator(chunk_size=500):
        target = supervision_due(item, now)
        if target <= item.supervision:
            continue
        step = services.item_follow_up(item=item, target=target, now=now)
        if step == Supervision.ESCALATED:
            report.escalated.append(item.number)
        elif step == Supervision.SUPERVISED:
            report.supervised.append(item.number)
        elif step == Supervision.REMINDED:
            report.reminded.append(item.number)
    return report
