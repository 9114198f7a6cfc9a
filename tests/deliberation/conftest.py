import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.deliberation import services
from gongzhi.deliberation.enums import Stage

# A fixed Monday morning, so that working-day windows do not depend on today.
MONDAY = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))


@pytest.fixture
def make_matter(world):
    """A matter on building 1 (grid 1) brought to ``stage`` through the services."""

    def _make(stage=Stage.INVESTIGATE, *, actor="staff", now=MONDAY, building=None):
        staff = world.users[actor]
        matter = services.matter_create(
            actor=staff,
            title="1栋加装电梯",
            summary="1栋住户提出加装电梯，涉及低层住户意见。",
            building=building or world.b1,
            now=now,
        )
        if stage == Stage.INVESTIGATE:
            return matter
        services.matter_visit(
            actor=staff,
            matter=matter,
            note="现场查看了1栋两个单元，低层住户担心采光。",
            households=[world.households["1-1-101"], world.households["1-2-201"]],
        )
        services.matter_move(actor=staff, matter=matter, to=Stage.DELIBERATE, now=now)
        if stage == Stage.DELIBERATE:
            return _fresh(matter)
        meeting = services.meeting_create(
            actor=staff,
            kind="coordination",
            title="1栋加装电梯协调会",
            starts_at=now,
            place="社区会议室",
            host_name="王书记",
            agenda="一、情况通报；二、低层住户补偿",
            matter=matter,
        )
        services.meeting_minutes(
            actor=staff, meeting=meeting, minutes="与会住户同意方案。", now=now
        )
        services.decision_create(
            actor=staff,
            meeting=meeting,
            text="按方案实施，低层住户给予补偿。",
            tasks=[{"title": "联系施工单位", "owner_user": staff, "due_days": 5}],
            now=now,
        )
        services.matter_move(actor=staff, matter=matter, to=Stage.IMPLEMENT, now=now)
        if stage == Stage.IMPLEMENT:
            return _fresh(matter)
        for task in matter.tasks.all():
            services.task_complete(actor=staff, task=task, evidence="已签约施工单位。", now=now)
        services.matter_move(actor=staff, matter=matter, to=Stage.NOTICE, now=now)
        if stage == Stage.NOTICE:
            return _fresh(matter)
        later = _fresh(matter).notice_ends_at + dt.timedelta(minutes=1)
        services.matter_move(actor=staff, matter=matter, to=Stage.EVALUATE, now=later)
        return _fresh(matter)

    return _make


def _fresh(matter):
    matter.refresh_from_db()
    return matter


@pytest.fixture
def voice_item(world):
    """A hard item 王五 (building 2) raised, entered for him on a visit."""
    from gongzhi.voices import services as voices

    return voices.item_submit(
        actor=world.users["admin"],
        kind="problem",
        text="2栋顶楼屋面漏水好几年了，一直没人管。",
        channel="visit",
        on_behalf_of=world.residents["wangwu"],
    )
