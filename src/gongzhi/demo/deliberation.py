"""Deliberation in the Wangjiang demo: hard items of the seeded year of residents' voice
raised into five-step matters standing in every stage, their meetings and tasks, 30+
coordination meetings with invitations and sign-ins, the three 议事角 of "有4说事" with
their sessions, and a talent pool. Everything is written through the services, so every
figure a page shows is counted from these records."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction

from gongzhi.core.workcal import add_working_days
from gongzhi.deliberation import services
from gongzhi.deliberation.enums import CornerKind, MeetingForm, MeetingKind, Stage
from gongzhi.orgs.enums import PostKind
from gongzhi.orgs.models import PartnerUnit, Post
from gongzhi.places.enums import ResidentStatus
from gongzhi.places.models import Community, Household, Resident
from gongzhi.voices.enums import Level
from gongzhi.voices.models import Item, Notification

# Each matter is left standing at its stage; two of every stage, two closed.
STANDING = [
    Stage.INVESTIGATE,
    Stage.INVESTIGATE,
    Stage.DELIBERATE,
    Stage.DELIBERATE,
    Stage.IMPLEMENT,
    Stage.IMPLEMENT,
    Stage.NOTICE,
    Stage.NOTICE,
    Stage.EVALUATE,
    Stage.EVALUATE,
    Stage.CLOSED,
    Stage.CLOSED,
]
COORDINATION_MEETINGS = 32
CORNERS = [
    ("有4说事·甘露园议事角", "甘露园小区党群服务站"),
    ("有4说事·民安巷议事角", "民安巷小区凉亭"),
    ("有4说事·望江坝坝议事角", "望江街社区广场"),
]
TOPICS = [
    "小区停车位不够，晚上车停到消防通道上。",
    "广场舞音乐太响，影响老人午休。",
    "楼道堆放杂物，想商量统一清理的时间。",
    "想在小区空地建一个晾晒区。",
    "快递柜位置不方便老人取件。",
    "想给小区大门装一个遮雨棚。",
]
TALENTS = [
    ("刘建华", "lead_goose", "退休工程师，熟悉加装电梯流程"),
    ("陈秀英", "alley_premier", "调解邻里纠纷二十年"),
    ("杨国强", "lead_goose", "原施工单位项目经理"),
    ("周玉兰", "alley_premier", "楼栋长，熟悉每一户情况"),
    ("黄志明", "skilled", "水电维修"),
    ("吴丽萍", "skilled", "书法，可开能人微课堂"),
    ("赵德福", "lead_goose", "老党员，组织过管线迁改协调"),
    ("孙桂芳", "skilled", "家庭收纳和垃圾分类讲解"),
]


@dataclass
class _PaperVote:
    """A resident's objection or vote collected on paper at the door and entered for them:
    the household is the resident's, no login acts."""

    resident_id: int
    is_authenticated = False

    def __str__(self) -> str:
        return "纸质意见"


def _staff(community: Community):
    post = (
        Post.objects.active()
        .filter(
            community=community,
            kind__in=[PostKind.COMMUNITY_SECRETARY, PostKind.COMMUNITY_STAFF],
            user__isnull=False,
        )
        .select_related("user")
        .order_by("kind", "id")
        .first()
    )
    return post.user if post else None


def _voters(matter, limit: int) -> list[_PaperVote]:
    households = Household.objects.filter(community_id=matter.community_id)
    if matter.building_id:
        households = households.filter(building_id=matter.building_id)
    out = []
    for h in households.order_by("id")[: limit * 2]:
        r = (
            Resident.objects.filter(household=h, status=ResidentStatus.LIVING)
            .order_by("id")
            .first()
        )
        if r is not None:
            out.append(_PaperVote(resident_id=r.pk))
        if len(out) >= limit:
            break
    return out


class _Seeder:
    def __init__(self, seed: int, community: Community, end: dt.datetime):
        self.rng = random.Random(seed)
        self.community = community
        self.staff = _staff(community)
        self.end = end
        self.units = list(PartnerUnit.objects.filter(communities=community).order_by("id"))

    def meeting(self, *, matter=None, when, kind=MeetingKind.COORDINATION, building=None, **extra):
        place_building = building if matter is None else None
        m = services.meeting_create(
            actor=self.staff,
            kind=kind,
            form=extra.pop("form", MeetingForm.PLAIN),
            title=extra.pop("title"),
            starts_at=when,
            place=extra.pop("place", "望江街社区党群服务中心会议室"),
            host_name=extra.pop("host_name", "社区党委书记"),
            agenda=extra.pop("agenda", "一、情况通报；二、各方意见；三、形成决定"),
            matter=matter,
            community=None if (matter or place_building) else self.community,
            building=place_building,
            **extra,
        )
        households = Household.objects.filter(community_id=m.community_id)
        if m.building_id:
            households = households.filter(building_id=m.building_id)
        pairs = [("household", h.pk) for h in households.order_by("id")[:12]]
        pairs += [("partner", u.pk) for u in self.units[:2]]
        if pairs:
            services.meeting_invite(actor=self.staff, meeting=m, invitees=pairs)
        for invitee in list(m.invitees.all()):
            if self.rng.random() < 0.7:
                if invitee.partner_unit_id:
                    services.meeting_sign_in(
                        actor=self.staff, meeting=m, unit=invitee.partner_unit, now=when
                    )
                else:
                    r = (
                        Resident.objects.filter(
                            household_id=invitee.household_id, status=ResidentStatus.LIVING
                        )
                        .order_by("id")
                        .first()
                    )
                    if r is not None:
                        services.meeting_sign_in(actor=self.staff, meeting=m, resident=r, now=when)
        return m

    def matter(self, item: Item, standing: str, start: dt.datetime) -> None:
        staff = self.staff
        now = start
        m = services.matter_create(
            actor=staff,
            title=item.title[:80],
            summary=f"居民反映：{item.title}。社区按“摸、议、推、示、评”五步推进。",
            item=item,
            now=now,
        )
        self.backdate(item, now)
        if standing == Stage.INVESTIGATE:
            return
        voters = _voters(m, 6)
        households = list(
            Household.objects.filter(
                pk__in=[Resident.objects.get(pk=v.resident_id).household_id for v in voters]
            )
        )
        if not households:
            return
        services.matter_visit(
            actor=staff, matter=m, note="现场查看，逐户征求意见。", households=households
        )
        now += dt.timedelta(days=2)
        services.matter_move(actor=staff, matter=m, to=Stage.DELIBERATE, now=now)
        if standing == Stage.DELIBERATE:
            return
        meeting = self.meeting(matter=m, when=now, title=f"{m.title[:60]}协调会")
        services.meeting_minutes(
            actor=staff, meeting=meeting, minutes="各方充分发表意见，形成一致意见。", now=now
        )
        owner = {"owner_unit": self.units[0]} if self.units else {"owner_user": staff}
        services.decision_create(
            actor=staff,
            meeting=meeting,
            text="按商定方案实施，社区跟踪督办。",
            tasks=[{"title": "按方案组织实施", "due_days": 10, **owner}],
            now=now,
        )
        services.matter_move(actor=staff, matter=m, to=Stage.IMPLEMENT, now=now)
        if standing == Stage.IMPLEMENT:
            return
        now += dt.timedelta(days=7)
        for task in m.tasks.all():
            services.task_complete(actor=staff, task=task, evidence="已按方案完成。", now=now)
        services.matter_move(actor=staff, matter=m, to=Stage.NOTICE, now=now)
        if standing == Stage.NOTICE:
            return
        m.refresh_from_db()
        now = m.notice_ends_at + dt.timedelta(hours=1)
        services.matter_move(actor=staff, matter=m, to=Stage.EVALUATE, now=now)
        for voter in voters:
            choice = "satisfied" if self.rng.random() < 0.8 else "basically"
            services.matter_vote(actor=voter, matter=m, choice=choice, now=now)
        if standing == Stage.EVALUATE:
            return
        services.matter_move(actor=staff, matter=m, to=Stage.CLOSED, now=now)
        self.backdate(item, now)

    def backdate(self, item: Item, moment: dt.datetime) -> None:
        # The reporters' notifications carry the moment of the step that sent them, as the
        # history's do, not the moment the demo was written.
        Notification.objects.filter(item=item, created_at__gt=self.end).update(created_at=moment)

    def write(self) -> dict:
        if self.staff is None:
            return {}
        hard = list(
            Item.objects.filter(
                community=self.community,
                level__in=[Level.COMMUNITY, Level.SUBDISTRICT],
                building__isnull=False,
            ).order_by("submitted_at", "id")[: len(STANDING)]
        )
        # Matters start far enough back that the closed ones ran their whole course.
        start = add_working_days(self.end - dt.timedelta(days=120), 0)
        for n, (item, standing) in enumerate(zip(hard, STANDING, strict=False)):
            self.matter(item, standing, start + dt.timedelta(days=5 * n))
        made = Item.objects.filter(community=self.community, matter__isnull=False).count()
        for n in range(COORDINATION_MEETINGS):
            when = self.end - dt.timedelta(days=330 - n * 10)
            form = [MeetingForm.PLAIN, MeetingForm.HEART_TO_HEART, MeetingForm.BABA_LONGMENZHEN]
            m = self.meeting(when=when, title=f"问题协调会（第{n + 1}次）", form=form[n % 3])
            services.meeting_minutes(
                actor=self.staff, meeting=m, minutes="协调各方，明确责任和时限。", now=when
            )
        corners = [
            services.corner_create(
                actor=self.staff,
                community=self.community,
                kind=CornerKind.CORNER,
                name=name,
                place=place,
            )
            for name, place in CORNERS
        ]
        talents = []
        for name, title, skills in TALENTS:
            t = services.talent_propose(
                actor=self.staff, name=name, title=title, skills=skills, community=self.community
            )
            services.talent_review(actor=self.staff, talent=t, approve=True)
            if self.rng.random() < 0.8:
                t = services.talent_consent(actor=self.staff, talent=t, note="本人签字同意")
            talents.append(t)
        hosts = [t for t in talents if t.may_show]
        for n, text in enumerate(TOPICS):
            topic = services.topic_propose(actor=self.staff, text=text, community=self.community)
            when = self.end - dt.timedelta(days=60 - n * 7)
            corner = corners[n % len(corners)]
            host = hosts[n % len(hosts)] if hosts else None
            m = self.meeting(
                when=when,
                kind=MeetingKind.CONSULTATION,
                form=MeetingForm.BABA_LONGMENZHEN,
                title=f"有4说事：{text[:20]}",
                place=corner.place,
                host_name=host.name if host else "社区工作人员",
                host_talent=host,
                corner=corner,
                topic=topic,
            )
            services.meeting_minutes(
                actor=self.staff,
                meeting=m,
                minutes="居民围坐议事，各抒己见。",
                outcome="形成共识，由楼栋长牵头落实。",
                now=when,
            )
        return {"matters": made, "corners": len(corners), "talents": len(talents)}


def seed_deliberation(*, seed: int, community: Community, end: dt.datetime, log=print) -> dict:
    """Write Wangjiang's deliberation on top of its year of residents' voice."""
    with transaction.atomic():
        stats = _Seeder(seed, community, end).write()
    log(
        f"议事协商：{stats.get('matters', 0)} 个议题、{stats.get('corners', 0)} 个议事角、"
        f"{stats.get('talents', 0)} 位能人"
    )
    return stats
