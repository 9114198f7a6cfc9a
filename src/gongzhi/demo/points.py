"""A year of love points (爱心积分) in Wangjiang: earned, spent in the shop and expired.

Points are earned the way the running system earns them: every check-in of the seeded
activities (service hours for a volunteer, one activity for an attendee) and every quiz
answered goes through the activities' own award functions, under the same keys, so a
resident's statement matches their check-ins. Before the first seeded activity, the
community's volunteers (members of its teams) carry points from the paper ledger, given
week by week through ``points.services.award`` — the door every earning goes through — so
that a year's lot has lapsed by now. The shop is stocked by
the community's partner units; volunteers with enough points redeem, most collect, a few
cancel. Points earned the year before last lapse on the first of January. Every figure is
posted through the ledger's services, so ``reconcile_points`` finds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from gongzhi.activities import services as activities
from gongzhi.activities.enums import CheckInRole
from gongzhi.activities.models import CheckIn, QuizAttempt
from gongzhi.orgs.models import PartnerUnit, TeamMembership
from gongzhi.places.models import Community, Resident
from gongzhi.points import services
from gongzhi.points.enums import TxnKind
from gongzhi.points.models import Entry, ShopItem

# (name, description, price, stock)
SHOP = [
    ("东北大米5斤", "凭兑换记录到党群服务中心领取", 120, 40),
    ("食用油1桶", "凭兑换记录到党群服务中心领取", 150, 30),
    ("洗衣液1瓶", "凭兑换记录到党群服务中心领取", 60, 60),
    ("理发一次", "共建单位志愿理发，每月第一个周六", 40, 80),
    ("免费眼科检查", "共建医院眼科医生上门，每季度一次", 30, 50),
    ("小家电维修一次", "电饭煲、电风扇等小家电", 50, 40),
]
MAX_VOLUNTEERS = 40


@dataclass
class PointsStats:
    earned: int = 0
    spent: int = 0
    expired: int = 0
    redemptions: int = 0


def _moment(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def seed_points(*, community: Community, seed: int, end: dt.datetime, log=None) -> PointsStats:
    """Points from 1 October of the year before last up to ``end``: earnings every few
    weeks for up to 40 volunteers, redemptions when they can afford them, and the expiry
    of the oldest lot on 1 January. Deterministic for a ``seed``."""
    services.ensure_default_rules()
    rng = random.Random(seed * 31 + 11)
    stats = PointsStats()
    end_day = timezone.localtime(end).date()
    start = dt.date(end_day.year - 2, 10, 1)
    volunteer_ids = sorted(
        set(
            TeamMembership.objects.filter(team__community=community).values_list(
                "resident_id", flat=True
            )
        )
    )
    if not volunteer_ids:
        volunteer_ids = list(
            Resident.objects.filter(community=community)
            .living()
            .order_by("pk")
            .values_list("pk", flat=True)[:MAX_VOLUNTEERS]
        )
    volunteers = list(
        Resident.objects.filter(
            pk__in=rng.sample(volunteer_ids, min(len(volunteer_ids), MAX_VOLUNTEERS))
        ).order_by("pk")
    )
    suppliers = list(PartnerUnit.objects.filter(communities=community).order_by("pk"))
    items = []
    for n, (name, description, price, stock) in enumerate(SHOP):
        item = ShopItem.objects.filter(community=community, name=name).first()
        if item is None:
            item = services.item_create(
                actor=None,
                community=community,
                name=name,
                description=description,
                price=price,
                stock=stock,
                supplier=suppliers[n % len(suppliers)] if suppliers else None,
            )
        items.append(item)

    check_ins = list(
        CheckIn.objects.filter(
            community=community, role__in=[CheckInRole.VOLUNTEER, CheckInRole.ATTENDEE]
        )
        .select_related("resident", "activity")
        .order_by("at", "pk")
    )
    attempts = list(
        QuizAttempt.objects.filter(community=community)
        .select_related("resident", "activity")
        .order_by("at", "pk")
    )
    first = min([c.at for c in check_ins[:1]] + [a.at for a in attempts[:1]], default=end)
    first_day = timezone.localtime(first).date()

    # (moment, kind, row): the paper ledger's days of service before the first activity,
    # a few weeks apart per volunteer, then the check-ins and quizzes as they happened.
    plan: list[tuple[dt.datetime, str, object]] = []
    for person in volunteers:
        day = start + dt.timedelta(days=rng.randint(0, 20))
        while day < first_day:
            plan.append((_moment(day, rng.randint(8, 17)), "ledger", person))
            day += dt.timedelta(days=rng.randint(14, 35))
    plan += [(c.at, "check_in", c) for c in check_ins]
    plan += [(a.at, "quiz", a) for a in attempts]
    plan.sort(key=lambda row: (row[0], row[1], row[2].pk))

    # Some residents never visit the shop: their oldest points are the ones that lapse.
    shops: dict[int, float] = {}
    expiry_day = dt.date(end_day.year, 1, 1)
    expired = False
    placed = []
    for n, (on, kind, row) in enumerate(plan):
        if not expired and timezone.localtime(on).date() >= expiry_day:
            for txn in services.expire(on=_moment(expiry_day, 0), community=community):
                stats.expired += sum(e.amount for e in txn.entries.all() if e.amount > 0)
            expired = True
        if kind == "check_in":
            activities.award_check_in_points(row, actor=None)
            person = row.resident
        elif kind == "quiz":
            activities.award_quiz_points(row, actor=None)
            person = row.resident
        else:
            person = row
            services.award(
                actor=None,
                resident=person,
                rule_code="service_hour",
                quantity=rng.choice([1, 1.5, 2, 2, 3, 4]),
                key=f"demo:{seed}:{n}",
                memo=rng.choice(
                    ["环境焕新志愿服务", "平安巡逻", "与爱同行：探访独居老人", "文化睦邻活动"]
                ),
                on=on,
            )
        # Now and then, someone with enough points visits the shop a few days later.
        if person.pk not in shops:
            # The first to earn never shops, so some points always lapse.
            shops[person.pk] = rng.choice([0.0, 0.3, 0.5]) if shops else 0.0
        if rng.random() < shops[person.pk]:
            item = rng.choice(items)
            if item.stock <= 0:
                continue
            try:
                redemption = services.redeem(
                    actor=None,
                    resident=person,
                    item=item,
                    key=f"demo:{seed}:r{n}",
                    on=min(on + dt.timedelta(days=rng.randint(1, 5)), end),
                )
            except ValidationError:
                continue  # not enough points yet, or the item is gone
            item.refresh_from_db(fields=["stock"])
            stats.redemptions += 1
            stats.spent += redemption.points
            placed.append(redemption)
    if not expired and end_day >= expiry_day:
        for txn in services.expire(on=_moment(expiry_day, 0), community=community):
            stats.expired += sum(e.amount for e in txn.entries.all() if e.amount > 0)

    # Most are collected; a few cancelled (the points come back); the last week's wait.
    recent = end - dt.timedelta(days=7)
    for redemption in placed:
        if redemption.created_at >= recent:
            continue
        when = redemption.created_at + dt.timedelta(days=rng.randint(1, 3))
        if rng.random() < 0.08:
            services.redemption_cancel(
                actor=None, redemption=redemption, reason="居民改选其他商品", on=when
            )
            stats.spent -= redemption.points
        else:
            services.redemption_hand_over(actor=None, redemption=redemption, on=when)
    stats.earned = sum(
        Entry.objects.filter(
            transaction__community=community, transaction__kind=TxnKind.EARN, amount__gt=0
        ).values_list("amount", flat=True)
    )
    if log:
        log(
            f"爱心积分：获得 {stats.earned} 分，兑换 {stats.redemptions} 次共 {stats.spent} 分，"
            f"过期 {stats.expired} 分"
        )
    return stats
