"""The figures' records (tests/figures/conftest.py), and helpers to open a report."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.voices.enums import EventFormat
from gongzhi.voices.models import EventSession
from tests.api.conftest import api_as  # noqa: F401 — the JSON client fixture
from tests.figures.conftest import PERIOD, records  # noqa: F401 — the records fixture

WJ, OT, SD = "510402001001", "510402001002", "510402001"
# The report of Wangjiang from the first of January to a fixed day, so that the tests do
# not move with the calendar: the records of tests/figures fall before it.
ASKED = {"community": WJ, "from": "2026-01-01", "to": "2026-11-30"}


@pytest.fixture
def many_events(records):
    """138 opinion-gathering events in Wangjiang in 2026: "130余场" in the report."""
    EventSession.objects.bulk_create(
        EventSession(
            community=records.wj,
            title=f"促膝恳谈会 {i}",
            format=EventFormat.HEART_TO_HEART,
            held_on=dt.date(2026, 5, 1) + dt.timedelta(days=i % 150),
        )
        for i in range(136)
    )
    return records


def page(client, user, path="/reports/work/", **params):
    client.force_login(user)
    return client.get(path, params)


__all__ = ["ASKED", "OT", "PERIOD", "SD", "WJ", "api_as", "many_events", "page", "records"]
