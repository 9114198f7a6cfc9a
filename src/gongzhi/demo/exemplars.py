"""Exemplars (微典型) in the Wangjiang demo: three dozen nominations of all three sources
over the last two years, reviewed; stories staff wrote for the accepted ones, published
with the person's consent on record (one taken down when its person withdrew consent, a
few drafts still waiting for consent); and commendations for the two past years.

Residents hand in recommendation forms (推荐表) at the community office and staff enter
them, so a resident's nomination carries the resident who recommended (``nominator``) and
the staff login that entered it. Rows are written directly, dated in the past, like the
rest of the demo's history; every figure a page shows is counted from them.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from gongzhi.deliberation.enums import TalentStatus
from gongzhi.deliberation.models import Talent
from gongzhi.exemplars.enums import (
    Category,
    ConsentMethod,
    NominationStatus,
    Source,
    StoryStatus,
)
from gongzhi.exemplars.models import Commendation, Consent, Nomination, NominationEvent, Story
from gongzhi.orgs.enums import PostKind
from gongzhi.orgs.models import Post
from gongzhi.places.enums import ResidentStatus
from gongzhi.places.models import Community, Resident

NOMINATIONS = 36
# Of the nominations, in order: accepted, declined, under review, waiting.
OUTCOMES = [NominationStatus.ACCEPTED] * 20 + [NominationStatus.DECLINED] * 8
OUTCOMES += [NominationStatus.UNDER_REVIEW] * 4 + [NominationStatus.NOMINATED] * 4
SOURCES = [Source.RECOMMENDED, Source.SELF, Source.COMMUNITY]

REASONS = {
    Category.VOLUNTEER: "每周都参加小区的环境整治和文明劝导，下雨天也不落下。",
    Category.NEIGHBOUR: "楼里谁家有事都搭把手，帮独居老人取快递、换灯泡。",
    Category.FILIAL: "照顾瘫痪在床的母亲多年，从无怨言。",
    Category.HELPFUL: "看到老人摔倒第一个上前，还垫付了医药费。",
    Category.DEDICATED: "退休后仍坚持给小区孩子义务辅导功课。",
    Category.PARTY_MEMBER: "老党员，加装电梯时挨家挨户做工作。",
}
STORIES = {
    Category.VOLUNTEER: (
        "{name}：志愿红马甲，风雨无阻",
        "清晨的望江街，总能看到{name}穿着红马甲捡拾垃圾、劝导文明停车。"
        "环境焕新、平安建设，哪里需要志愿者，哪里就有{name}的身影。"
        "“能为大家做点事，心里踏实。”{name}说。",
    ),
    Category.NEIGHBOUR: (
        "好邻居{name}：楼里的“热心肠”",
        "谁家水管漏了、灯泡坏了，邻居们第一个想到的就是{name}。"
        "楼里的独居老人，{name}隔三岔五上门问候，帮忙买菜取药。"
        "远亲不如近邻，{name}让这句老话有了温度。",
    ),
    Category.FILIAL: (
        "孝老爱亲的{name}",
        "{name}多年如一日照料卧床的老人，端水喂饭、擦身翻身，从不喊累。"
        "邻居们说，{name}家的小院总是干干净净，老人脸上总带着笑。",
    ),
    Category.HELPFUL: (
        "{name}：危急时刻伸出援手",
        "那天傍晚，一位老人在小区门口摔倒，{name}第一个冲上前，"
        "拨打急救电话、陪同就医。事后{name}只说：“换了谁都会这么做。”",
    ),
    Category.DEDICATED: (
        "{name}和孩子们的“四点半课堂”",
        "每天下午四点半，{name}都会在社区活动室等着放学的孩子们，"
        "辅导功课、讲故事。家长们说，孩子们最盼的就是这一个多小时。",
    ),
    Category.PARTY_MEMBER: (
        "老党员{name}：加装电梯的“说和人”",
        "加装电梯，低层和高层意见不一。{name}一户户上门，听意见、讲政策、算细账，"
        "最终促成全楼签字同意。{name}说：“党员就要冲在前头。”",
    ),
}
CITATIONS = {
    Category.VOLUNTEER: "常年参加社区志愿服务，热心公益。",
    Category.NEIGHBOUR: "热心帮助邻里，关爱独居老人。",
    Category.FILIAL: "多年悉心照料老人，孝老爱亲。",
    Category.HELPFUL: "见义勇为，助人为乐。",
    Category.DEDICATED: "义务辅导社区儿童，甘于奉献。",
    Category.PARTY_MEMBER: "发挥党员先锋作用，推动加装电梯。",
}
DECLINE_REASONS = ["事迹暂时无法核实", "本人婉拒推荐", "与已有推荐重复"]


def _staff(community: Community):
    post = (
        Post.objects.active()
        .filter(
            community=community,
            kind__in=[PostKind.COMMUNITY_SECRETARY, PostKind.COMMUNITY_STAFF],
            user__isnull=False,
        )
        .select_related("user")
        .order_by("-kind", "id")
        .first()
    )
    return post.user if post else None


def _at(day: dt.date, hour: int) -> dt.datetime:
    from django.utils import timezone

    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=timezone.get_current_timezone())


@transaction.atomic
def seed_exemplars(*, seed: int, community: Community, end: dt.datetime, log=print) -> dict:
    """Write Wangjiang's nominations, stories, consents and commendations, ending at ``end``."""
    staff = _staff(community)
    rng = random.Random(seed * 7 + 11)
    living = list(
        Resident.objects.filter(
            community=community,
            status=ResidentStatus.LIVING,
            birth_date__year__range=(1940, 2000),
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:3000]
    )
    if staff is None or len(living) < NOMINATIONS * 2:
        return {}
    picked = rng.sample(living, NOMINATIONS * 2)
    nominees = {r.pk: r for r in Resident.objects.filter(pk__in=picked[:NOMINATIONS])}
    talents = {
        t.resident_id: t
        for t in Talent.objects.filter(resident_id__in=list(nominees), status=TalentStatus.APPROVED)
    }
    categories = list(Category.values)
    last = end.date()
    stats = {"nominations": 0, "stories": 0, "published": 0, "withdrawn": 0, "commendations": 0}
    accepted: list[tuple[Nomination, dt.date]] = []
    for i, outcome in enumerate(OUTCOMES):
        nominee = nominees[picked[i]]
        source = SOURCES[i % 3]
        category = categories[i % len(categories)]
        nominator = None
        if source == Source.RECOMMENDED:
            nominator = Resident.objects.get(pk=picked[NOMINATIONS + i])
        elif source == Source.SELF:
            nominator = nominee
        day = last - dt.timedelta(days=600 - i * 16)
        reviewed = outcome != NominationStatus.NOMINATED
        decided = outcome in (NominationStatus.ACCEPTED, NominationStatus.DECLINED)
        reason = DECLINE_REASONS[i % 3] if outcome == NominationStatus.DECLINED else ""
        n = Nomination.objects.create(
            community=community,
            grid_id=nominee.grid_id if reviewed else (nominator or nominee).grid_id,
            source=source,
            category=category,
            nominee_name=nominee.name,
            nominee=nominee,
            talent=talents.get(nominee.pk) if reviewed else None,
            reasons=REASONS[category],
            nominated_by=staff,
            nominator=nominator,
            status=outcome,
            decision_reason=reason,
        )
        Nomination.objects.filter(pk=n.pk).update(created_at=_at(day, 10))
        events = [(NominationStatus.NOMINATED, _at(day, 10), "")]
        if reviewed:
            events.append((NominationStatus.UNDER_REVIEW, _at(day + dt.timedelta(days=2), 9), ""))
        if decided:
            events.append((outcome, _at(day + dt.timedelta(days=7), 15), reason))
        NominationEvent.objects.bulk_create(
            NominationEvent(
                nomination=n, status=status, at=at, actor=None if s == 0 else staff, note=note
            )
            for s, (status, at, note) in enumerate(events)
        )
        stats["nominations"] += 1
        if outcome == NominationStatus.ACCEPTED:
            accepted.append((n, day))
    commendable = []
    for j, (n, day) in enumerate(accepted):
        if j >= 18:  # the last two accepted wait for their story
            continue
        title, text = STORIES[n.category]
        published = j < 15
        story = Story.objects.create(
            nomination=n,
            resident=n.nominee,
            community=community,
            grid_id=n.nominee.grid_id,
            category=n.category,
            title=title.format(name=n.nominee.name),
            text=text.format(name=n.nominee.name),
            status=StoryStatus.PUBLISHED if published else StoryStatus.DRAFT,
            published_at=_at(day + dt.timedelta(days=21), 10) if published else None,
            created_by=staff,
        )
        stats["stories"] += 1
        if published:
            consent = Consent.objects.create(
                story=story,
                method=ConsentMethod.IN_PERSON,
                note="在社区办公室当面同意，本人看过全文",
                given_on=day + dt.timedelta(days=18),
                recorded_by=staff,
                recorded_at=_at(day + dt.timedelta(days=18), 16),
            )
            if j == 14:
                withdrawn = _at(day + dt.timedelta(days=60), 11)
                Consent.objects.filter(pk=consent.pk).update(
                    withdrawn_at=withdrawn,
                    withdrawn_by=staff,
                    withdraw_note="本人来电，希望不再公开",
                )
                Story.objects.filter(pk=story.pk).update(
                    status=StoryStatus.WITHDRAWN,
                    withdrawn_at=withdrawn,
                    withdraw_reason="本人撤回同意",
                )
                stats["withdrawn"] += 1
            else:
                stats["published"] += 1
                commendable.append((n, story))
    for k, (n, story) in enumerate(commendable[:9]):
        year = last.year - (2 if k < 4 else 1)
        Commendation.objects.create(
            community=community,
            grid_id=n.nominee.grid_id,
            resident=n.nominee,
            title=n.category,
            year=year,
            citation=CITATIONS[n.category],
            story=story,
            consent_method=ConsentMethod.IN_PERSON,
            created_by=staff,
        )
        stats["commendations"] += 1
    log(
        f"微典型：{stats['nominations']} 条推荐、{stats['published']} 个已发布故事、"
        f"{stats['commendations']} 项表彰"
    )
    return stats
