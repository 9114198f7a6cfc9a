"""Fixtures for background work: register files and the SMS outbox."""

from __future__ import annotations

import pytest

from gongzhi.voices.notify import LocmemSMSBackend
from tests.register.conftest import id_number, person, xlsx  # noqa: F401


@pytest.fixture
def staff(world):
    return world.users["staff"]


@pytest.fixture
def sms(settings):
    settings.GONGZHI_SMS_BACKEND = "gongzhi.voices.notify.LocmemSMSBackend"
    LocmemSMSBackend.outbox = []
    yield LocmemSMSBackend.outbox
    LocmemSMSBackend.outbox = []
