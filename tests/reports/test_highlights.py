"""Highlights drawn from the records: a renewal project's rounds down and up (三上三下),
exemplar stories; names stay within the reader's reach."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.reports import builder
from gongzhi.reports.selectors import area_for
from tests.renewal.conftest import open_round, project  # noqa: F401 — fixtures

pytestmark = pytest.mark.django_db


def _voice(user, **asked):
    area = area_for(user, **asked)
    report = builder.build(area.window, area=area.name, asked=asked)
    return next(s for s in report.sections if s.key == "voice").highlights


def test_a_project_out_with_residents_is_told_with_its_rounds(world, open_round):  # noqa: F811
    today = timezone.localdate()
    asked = {"community": "510402001001", "start": today.replace(day=1).isoformat()}
    assert _voice(world.users["staff"], **asked) == [
        "“1栋加装电梯”项目方案一下零上征求居民意见，收集意见0条。"
    ]
    # Outside the reach, and before the round went down: no project.
    assert _voice(world.users["other_staff"], start=today.replace(day=1).isoformat()) == []
    before = today - dt.timedelta(days=40)
    assert (
        _voice(
            world.users["staff"],
            community="510402001001",
            start=(before - dt.timedelta(days=10)).isoformat(),
            end=before.isoformat(),
        )
        == []
    )
