"""A year of Wangjiang's activities, consistent with the article's figures: 110+ outreach
talks by the six teams (5,000+ audience), 70+ volunteer services in the five kinds (2,600+
people served), 40+ co-building activities with partner units, 10+ micro-services; the
five volunteer groups and the brands, their members taken from the groups' team rosters;
and a few activities this week that residents can still sign up for.

Everything is written as rows in bulk (no audit events), like the rest of the demo's
history. Audience, people served and service hours are check-in rows: the pages count
them, nothing is typed.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.activities.enums import (
    ActivityKind,
    ActivityStatus,
    CheckInMethod,
    CheckInRole,
    GroupKind,
    OutreachFormat,
    ServiceArea,
)
from gongzhi.activities.models import (
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
from gongzhi.orgs.enums import TeamKind
from gongzhi.orgs.models import PartnerUnit, Team, TeamMembership
from gongzhi.places.models import Community, Resident
from gongzhi.venues.models import Venue
from gongzhi.wishes.enums import Status as WishStatus
from gongzhi.wishes.models import Wish

OUTREACH_TEAMS = ["牵手", "菩提", "金穗", "春雨", "守望", "远声"]
GROUPS = [
    ("老年康乐协会", "老年人文体活动与结对关爱。"),
    ("辉荣志愿者协会", "环境整治、文明劝导、停车划线。"),
    ("“银河”志愿队", "助老陪护与上门服务。"),
    ("“逐梦”青年服务队", "青年志愿服务。"),
    ("“先锋”党员服务队", "在职党员双报到服务。"),
]
BRANDS = [
    ("“爱的里程”", "助老陪护品牌。"),
    ("“远方的家”", "外来务工人员和随迁老人融入社区。"),
    ("“乐扶青葵”", "青少年成长陪伴。"),
    ("“爱心积分”", "志愿服务积分激励。"),
]
TALKS = {
    OutreachFormat.CENTRAL: ["城市更新论坛", "“新”老年课堂", "政策宣讲进楼栋", "流动课堂"],
    OutreachFormat.MICRO: ["趣说更新", "微宣讲：加装电梯怎么办", "微宣讲：垃圾分类"],
    OutreachFormat.CLOUD: ["云宣讲：城市更新知多少", "云宣讲：防范电信诈骗"],
}
SERVICES = {
    ServiceArea.IDEAS: ["文明实践宣传", "政策入户解读"],
    ServiceArea.ENVIRONMENT: ["楼道清洁", "小区除草", "停车划线"],
    ServiceArea.SAFETY: ["夜间巡逻", "防火检查", "防诈骗劝导"],
    ServiceArea.NEIGHBOURS: ["邻里节", "文艺汇演", "书法进家庭"],
    ServiceArea.CARE: ["独居老人探访", "助餐送餐", "陪同就医"],
}
MICRO = ["免费眼科检查", "义务理发", "家电维修", "量血压测血糖", "磨刀补鞋"]
QUIZ = [
    ("城市更新首先要做什么？", ["问需于民", "先拆再说", "只听专家"], 0),
    ("“有4说事”议事有几步？", ["三步", "五步", "七步"], 1),
    ("遇到陌生电话要求转账，应该？", ["马上转账", "挂断并核实", "告诉验证码"], 1),
]


def _scaled(count: int, scale: float) -> int:
    """Fewer activities for the quick demos of the tests (``history_scale`` < 1)."""
    return max(1, round(count * scale))


OUTREACH_COUNT = 115
VOLUNTEER_COUNT = 72
CO_BUILDING_COUNT = 42
MICRO_COUNT = 12


def seed_activities(
    *, community: Community, seed: int, end: dt.datetime | None = None, scale: float = 1.0
) -> dict:
    """Write the year before ``end`` (default now) and this week's coming activities.
    Returns counts for the log."""
    rng = random.Random(seed * 31 + 11)
    end = end or timezone.now()
    tz = timezone.get_current_timezone()
    staff = User.objects.filter(username="demo-staff").first()
    teams = {t.name: t for t in Team.objects.filter(community=community)}
    outreach = [teams[f"{n}宣讲队"] for n in OUTREACH_TEAMS if f"{n}宣讲队" in teams]
    partners = list(PartnerUnit.objects.filter(communities=community).order_by("pk"))
    if not outreach or not partners:
        return {}
    venues = list(Venue.objects.filter(community=community).order_by("pk"))
    resident_ids = list(
        Resident.objects.filter(community=community).living().values_list("pk", flat=True)
    )

    groups = VolunteerGroup.objects.bulk_create(
        [
            VolunteerGroup(community=community, name=n, kind=GroupKind.GROUP, description=d)
            for n, d in GROUPS
        ]
        + [
            VolunteerGroup(community=community, name=n, kind=GroupKind.BRAND, description=d)
            for n, d in BRANDS
        ]
    )
    rosters = {}
    joined = (end - dt.timedelta(days=400)).date()
    memberships = []
    for g in groups[: len(GROUPS)]:
        team = teams.get(g.name)
        ids = (
            list(TeamMembership.objects.filter(team=team).values_list("resident_id", flat=True))
            if team is not None and team.kind == TeamKind.VOLUNTEER_GROUP
            else []
        ) or rng.sample(resident_ids, 20)
        rosters[g.pk] = ids
        memberships += [GroupMembership(group=g, resident_id=r, joined_on=joined) for r in ids]
    everyone = sorted({r for ids in rosters.values() for r in ids})
    for g in groups[len(GROUPS) :]:
        ids = rng.sample(everyone, min(15, len(everyone)))
        rosters[g.pk] = ids
        memberships += [GroupMembership(group=g, resident_id=r, joined_on=joined) for r in ids]
    GroupMembership.objects.bulk_create(memberships)
    real_groups = groups[: len(GROUPS)]

    open_wishes = list(
        Wish.objects.filter(
            community=community, status__in=[WishStatus.PUBLISHED, WishStatus.CLAIMED]
        ).order_by("pk")[:MICRO_COUNT]
    )

    def moment(days_ago: int) -> tuple[dt.datetime, dt.datetime]:
        day = (end - dt.timedelta(days=days_ago)).astimezone(tz).date()
        hour = rng.choice([9, 10, 14, 15, 19])
        start = dt.datetime.combine(day, dt.time(hour), tzinfo=tz)
        return start, start + dt.timedelta(hours=rng.choice([1, 1.5, 2]))

    plans = []  # (activity, audience role, how many, volunteers from)
    for i in range(_scaled(OUTREACH_COUNT, scale)):
        fmt = [OutreachFormat.CENTRAL, OutreachFormat.MICRO, OutreachFormat.CLOUD][i % 3]
        start, stop = moment(rng.randint(3, 360))
        a = Activity(
            kind=ActivityKind.OUTREACH,
            outreach_format=fmt,
            title=rng.choice(TALKS[fmt]),
            team=outreach[i % len(outreach)],
            venue=rng.choice(venues) if venues and fmt != OutreachFormat.CLOUD else None,
            starts_at=start,
            ends_at=stop,
            capacity=80,
        )
        plans.append((a, CheckInRole.ATTENDEE, rng.randint(36, 60), None))
    areas = list(ServiceArea)
    for i in range(_scaled(VOLUNTEER_COUNT, scale)):
        area = areas[i % len(areas)]
        group = real_groups[i % len(real_groups)]
        start, stop = moment(rng.randint(3, 360))
        a = Activity(
            kind=ActivityKind.VOLUNTEER,
            service_area=area,
            title=rng.choice(SERVICES[area]),
            group=group,
            place="望江街社区",
            starts_at=start,
            ends_at=stop,
            capacity=60,
        )
        plans.append((a, CheckInRole.SERVED, rng.randint(30, 46), group.pk))
    for i in range(_scaled(CO_BUILDING_COUNT, scale)):
        unit = partners[i % len(partners)]
        start, stop = moment(rng.randint(3, 360))
        a = Activity(
            kind=ActivityKind.CO_BUILDING,
            title=f"{unit.short_name or unit.name}共建活动",
            partner=unit,
            venue=rng.choice(venues) if venues else None,
            place="" if venues else "望江街社区",
            starts_at=start,
            ends_at=stop,
            capacity=40,
        )
        plans.append((a, CheckInRole.ATTENDEE, rng.randint(12, 30), None))
    clinic = next((p for p in partners if "眼科" in p.name), partners[0])
    for i in range(_scaled(MICRO_COUNT, scale)):
        start, stop = moment(rng.randint(3, 360))
        a = Activity(
            kind=ActivityKind.MICRO_SERVICE,
            title=MICRO[i % len(MICRO)],
            partner=clinic if i % len(MICRO) == 0 else partners[(i * 3) % len(partners)],
            place="望江街社区党群服务中心",
            starts_at=start,
            ends_at=stop,
            capacity=30,
            wish=open_wishes[i] if i < len(open_wishes) else None,
        )
        plans.append((a, CheckInRole.SERVED, rng.randint(10, 20), None))

    for a, *_rest in plans:
        a.community = community
        a.status = ActivityStatus.FINISHED
        a.created_by = staff
        a.place = a.place if (a.venue is not None or a.place) else "线上"
    # This week: what residents can still sign up for.
    coming = []
    today = timezone.localdate()
    for day in range(1, 7):
        start = dt.datetime.combine(
            today + dt.timedelta(days=day),
            dt.time(9 + day % 3 * 3),
            tzinfo=tz,
        )
        area = areas[day % len(areas)]
        coming.append(
            Activity(
                community=community,
                kind=ActivityKind.VOLUNTEER if day % 2 else ActivityKind.OUTREACH,
                service_area=area if day % 2 else "",
                outreach_format="" if day % 2 else OutreachFormat.CENTRAL,
                title=rng.choice(SERVICES[area]) if day % 2 else "城市更新论坛",
                group=real_groups[day % len(real_groups)] if day % 2 else None,
                team=None if day % 2 else outreach[day % len(outreach)],
                place="望江街社区党群服务中心",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=2),
                capacity=40,
                status=ActivityStatus.PUBLISHED,
                created_by=staff,
            )
        )
    made = Activity.objects.bulk_create([a for a, *_ in plans] + coming)
    past, coming = made[: len(plans)], made[len(plans) :]

    events = []
    for a in past:
        published = a.starts_at - dt.timedelta(days=7)
        events += [
            ActivityEvent(activity=a, status=ActivityStatus.DRAFT, at=published, actor=staff),
            ActivityEvent(activity=a, status=ActivityStatus.PUBLISHED, at=published, actor=staff),
            ActivityEvent(activity=a, status=ActivityStatus.RUNNING, at=a.starts_at, actor=staff),
            ActivityEvent(activity=a, status=ActivityStatus.FINISHED, at=a.ends_at, actor=staff),
        ]
    for a in coming:
        events += [
            ActivityEvent(activity=a, status=s, at=end, actor=staff)
            for s in (ActivityStatus.DRAFT, ActivityStatus.PUBLISHED)
        ]
    ActivityEvent.objects.bulk_create(events)

    checks, signups = [], []
    for a, (_, role, n, group_id) in zip(past, plans, strict=True):
        people = rng.sample(resident_ids, min(len(resident_ids), _scaled(n, scale)))
        at = a.starts_at + dt.timedelta(minutes=5)
        for r in people:
            method = CheckInMethod.QR if rng.random() < 0.6 else CheckInMethod.NAME
            checks.append(
                CheckIn(
                    activity=a,
                    resident_id=r,
                    community=community,
                    role=role,
                    method=method,
                    at=at,
                    by=staff,
                )
            )
        if group_id is not None:
            hours = Decimal(str(a.hours))
            for r in rng.sample(rosters[group_id], min(6, len(rosters[group_id]))):
                if r in people:
                    continue
                checks.append(
                    CheckIn(
                        activity=a,
                        resident_id=r,
                        community=community,
                        role=CheckInRole.VOLUNTEER,
                        hours=hours,
                        method=CheckInMethod.QR,
                        at=at,
                        by=staff,
                    )
                )
    for a in coming:
        for r in rng.sample(resident_ids, rng.randint(5, 25)):
            signups.append(
                Signup(activity=a, resident_id=r, community=community, created_at=end, by=None)
            )
    demo_resident = User.objects.filter(username="demo-resident").values("resident_id").first()
    if demo_resident and demo_resident["resident_id"] and coming:
        rid = demo_resident["resident_id"]
        if not any(s.activity_id == coming[0].pk and s.resident_id == rid for s in signups):
            signups.append(
                Signup(activity=coming[0], resident_id=rid, community=community, created_at=end)
            )
    CheckIn.objects.bulk_create(checks, batch_size=2000)
    Signup.objects.bulk_create(signups, batch_size=2000)

    # The cloud talks' quizzes, and the answers of those who listened.
    questions, options, attempts = [], [], []
    cloud = [a for a in past if a.outreach_format == OutreachFormat.CLOUD]
    for a in cloud:
        for order, (text, _opts, _right) in enumerate(QUIZ, start=1):
            questions.append(Question(activity=a, text=text, order=order))
    questions = Question.objects.bulk_create(questions)
    for q in questions:
        _text, opts, right = QUIZ[q.order - 1]
        options += [Option(question=q, text=o, is_correct=i == right) for i, o in enumerate(opts)]
    options = Option.objects.bulk_create(options)
    by_question: dict[int, list[Option]] = {}
    for o in options:
        by_question.setdefault(o.question_id, []).append(o)
    by_activity: dict[int, list[Question]] = {}
    for q in questions:
        by_activity.setdefault(q.activity_id, []).append(q)
    listeners: dict[int, list[int]] = {}
    for c in checks:
        if c.activity.outreach_format == OutreachFormat.CLOUD:
            listeners.setdefault(c.activity_id, []).append(c.resident_id)
    for a in cloud:
        for r in listeners.get(a.pk, [])[:20]:
            answers, correct = {}, 0
            for q in by_activity[a.pk]:
                o = (
                    rng.choice(by_question[q.pk])
                    if rng.random() < 0.3
                    else next(x for x in by_question[q.pk] if x.is_correct)
                )
                answers[str(q.pk)] = o.pk
                correct += o.is_correct
            attempts.append(
                QuizAttempt(
                    activity=a,
                    resident_id=r,
                    community=community,
                    answers=answers,
                    correct=correct,
                    total=len(by_activity[a.pk]),
                    at=a.ends_at,
                )
            )
    QuizAttempt.objects.bulk_create(attempts, batch_size=2000)
    return {"activities": len(made), "check_ins": len(checks), "signups": len(signups)}
