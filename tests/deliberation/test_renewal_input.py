"""A meeting about a renewal phase counts as the phase's resident input once its minutes
are recorded; a meeting about another community's project is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongzhi.deliberation import services
from gongzhi.deliberation.models import Meeting
from gongzhi.renewal import inputs
from gongzhi.renewal import services as renewal


def _phase(world, community=None):
    admin = world.users["admin"]
    project = renewal.project_create(
        actor=admin, community=community or world.wj, kind="elevator", name="1栋加装电梯"
    )
    return project.phases.order_by("order").first()


def _meeting(world, phase):
    return services.meeting_create(
        actor=world.users["admin"],
        kind="solicitation",
        title="加装电梯意见征集会",
        starts_at=timezone.now() + dt.timedelta(days=1),
        place="党群服务中心",
        host_name="社区书记",
        agenda="方案介绍、听取意见",
        community=world.wj,
        phase=phase,
    )


def test_a_meeting_with_minutes_is_resident_input(world):
    phase = _phase(world)
    assert "还没有开过关于本阶段的会议" in inputs.missing_input(phase)
    meeting = _meeting(world, phase)
    assert "本阶段的会议还没有会议记录" in inputs.missing_input(phase)
    Meeting.objects.filter(pk=meeting.pk).update(minutes="居民同意方案。")
    assert inputs.missing_input(phase) is None


def test_a_phase_of_another_community_is_refused(world):
    phase = _phase(world, community=world.ot)
    with pytest.raises(ValidationError) as exc:
        _meeting(world, phase)
    assert exc.value.message_dict["phase"] == ["更新项目不在本社区。"]
    assert not Meeting.objects.exists()
