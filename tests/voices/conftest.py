"""Fixtures for residents' voice: a small catalogue, SMS kept in memory, uploads in a
temporary folder, and a helper that runs what a step queued for after its commit."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gongzhi.voices.enums import Level, TimeUnit
from gongzhi.voices.models import Category
from gongzhi.voices.notify import LocmemSMSBackend

TZ = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    """A local (Beijing) moment: at(2026, 9, 30, 10) is 30 September 2026, 10:00."""
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture(autouse=True)
def sms(settings, tmp_path):
    settings.GONGZHI_SMS_BACKEND = "gongzhi.voices.notify.LocmemSMSBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    LocmemSMSBackend.outbox = []
    yield LocmemSMSBackend.outbox
    LocmemSMSBackend.outbox = []


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """``with commit(): service(...)`` runs the SMS sending queued for after the commit."""

    def _commit():
        return django_capture_on_commit_callbacks(execute=True)

    return _commit


@pytest.fixture
def categories(world):
    """Three categories: street lights (grid, days), building repairs (community, with the
    partner as default unit) and gas (urgent, hours)."""
    lights = Category.objects.create(
        code="street_lights",
        name="路灯照明",
        keywords="路灯 灯 不亮",
        default_level=Level.GRID,
        respond_limit=1,
        handle_limit=3,
        sort_order=1,
    )
    building = Category.objects.create(
        code="building_repair",
        name="房屋维修",
        keywords="墙 裂缝 屋顶 漏水 外墙",
        default_level=Level.COMMUNITY,
        default_unit=world.partner,
        respond_limit=1,
        handle_limit=5,
        partner_accept_limit=1,
        partner_handle_limit=10,
        sort_order=2,
    )
    gas = Category.objects.create(
        code="gas",
        name="燃气安全",
        keywords="煤气 燃气 天然气",
        default_level=Level.COMMUNITY,
        urgent=True,
        time_unit=TimeUnit.HOURS,
        respond_limit=2,
        handle_limit=8,
        sort_order=3,
    )
    other = Category.objects.create(code="other", name="其他", sort_order=99)
    return {"lights": lights, "building": building, "gas": gas, "other": other}


@pytest.fixture(autouse=True)
def _no_holiday_schedule_outlives_its_test():
    """As in tests/core: a schedule a test entered does not outlive its transaction."""
    from gongzhi.core import workcal

    yield
    workcal.reset_schedules({})
