"""The demo's exemplars, seeded with a small Wangjiang into an empty database: all three
sources, every outcome, published stories with consent only, one withdrawn, and
commendations for the two past years — as the pages count them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gongzhi.accounts.models import User
from gongzhi.demo.seed import seed
from gongzhi.exemplars import selectors
from gongzhi.exemplars.enums import NominationStatus, Source, StoryStatus
from gongzhi.exemplars.models import Commendation, Consent, Nomination, Story
from tests.world import empty_database

END = dt.datetime(2026, 6, 30, 18, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def demo(db):
    empty_database()
    seed(
        seed=3,
        households=400,
        communities=1,
        history_scale=0.15,
        history_end=END,
        log=lambda m: None,
    )


def test_the_demo_exemplars(demo):
    nominations = Nomination.objects.all()
    assert nominations.count() >= 30
    assert set(nominations.values_list("source", flat=True)) == set(Source.values)
    assert set(nominations.values_list("status", flat=True)) == set(NominationStatus.values)
    assert not nominations.filter(created_at__gt=END).exists()
    published = Story.objects.filter(status=StoryStatus.PUBLISHED)
    assert published.count() >= 10
    # Every published story has a live consent; the withdrawn one has none.
    assert all(
        Consent.objects.filter(story=s, withdrawn_at__isnull=True).exists() for s in published
    )
    (withdrawn,) = Story.objects.filter(status=StoryStatus.WITHDRAWN)
    assert not Consent.objects.filter(story=withdrawn, withdrawn_at__isnull=True).exists()
    assert sorted(set(Commendation.objects.values_list("year", flat=True))) == [2024, 2025]
    resident = User.objects.get(username="demo-resident")
    assert selectors.stories_public(resident).count() == published.count()
