"""The demo's year of points: earned, spent and expired, all through the ledger, so that
reconciliation finds nothing; the same seed writes the same ledger."""

from __future__ import annotations

from gongzhi.demo.points import seed_points
from gongzhi.orgs.models import Team, TeamMembership
from gongzhi.points import services
from gongzhi.points.enums import RedemptionStatus, TxnKind
from gongzhi.points.models import Entry, Redemption, Transaction

from .conftest import at


def test_a_year_of_points_reconciles(world):
    team = Team.objects.create(community=world.wj, name="银河志愿队", kind="service")
    for name in ("zhangsan", "lisi", "wangwu"):
        TeamMembership.objects.create(team=team, resident=world.residents[name])
    lines = []
    stats = seed_points(community=world.wj, seed=7, end=at(2026, 11, 30, 18), log=lines.append)
    assert services.reconcile() == []
    kinds = set(Transaction.objects.values_list("kind", flat=True))
    assert {TxnKind.EARN, TxnKind.SPEND, TxnKind.EXPIRE} <= kinds
    assert stats.earned > stats.spent > 0 and stats.expired > 0
    assert Redemption.objects.filter(status=RedemptionStatus.HANDED_OVER).exists()
    assert lines and lines[0].startswith("爱心积分：获得")
    earned = sum(
        Entry.objects.filter(transaction__kind=TxnKind.EARN, amount__gt=0).values_list(
            "amount", flat=True
        )
    )
    assert earned == stats.earned
