"""The demo's deliberation: matters standing in every stage, raised from hard items of the
seeded year and keeping their link; 30+ coordination meetings with sign-ins; the three
议事角 with sessions; a talent pool where only consenting people may be shown."""

import pytest

from gongzhi.deliberation.enums import MeetingKind, Stage
from gongzhi.deliberation.models import Corner, Invitee, Matter, Meeting, Talent
from gongzhi.demo.seed import seed
from tests.demo.test_history import SMALL
from tests.world import empty_database

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_deliberation_consistent_with_the_history(db):
    empty_database()
    seed(seed=3, **SMALL)
    stages = set(Matter.objects.values_list("stage", flat=True))
    assert stages == set(Stage.values)
    assert Matter.objects.filter(item__isnull=True).count() == 0
    assert all(m.item.community_id == m.community_id for m in Matter.objects.select_related("item"))
    assert Meeting.objects.filter(kind=MeetingKind.COORDINATION).count() >= 30
    assert Invitee.objects.filter(signed_in_at__isnull=False).exists()
    assert Corner.objects.count() == 3
    assert Meeting.objects.filter(kind=MeetingKind.CONSULTATION, corner__isnull=False).count() >= 3
    assert Talent.objects.count() >= 8
    hosts = Talent.objects.filter(hosted__isnull=False).distinct()
    assert all(t.may_show for t in hosts)
