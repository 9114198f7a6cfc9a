"""Redemptions at once, on PostgreSQL (real row locks; SQLite serialises writers anyway)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gongzhi.points import services
from gongzhi.points.models import Entry, Redemption, ShopItem, Transaction
from tests.voices.test_concurrency import race

from .conftest import NOW

pytestmark = pytest.mark.django_db(transaction=True)


def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL")


def test_twenty_redemptions_of_the_last_item_one_succeeds(world, earn, item):
    _postgresql_only()
    people = [world.residents[n] for n in ("zhangsan", "lisi", "wangwu")]
    for person in people:
        earn(hours=100, resident=person)
    ShopItem.objects.filter(pk=item.pk).update(stock=1)

    def one(i):
        return lambda: services.redeem(
            actor=None, resident=people[i % 3], item=item, key=f"race-{i}", on=NOW
        )

    results = race([one(i) for i in range(20)])
    kinds = sorted(kind for kind, _value in results)
    assert kinds == ["error"] * 19 + ["ok"]
    errors = [value for kind, value in results if kind == "error"]
    assert all(isinstance(e, ValidationError) for e in errors), errors
    assert {e.messages[0] for e in errors} == {"“大米一袋”已兑完。"}
    assert Redemption.objects.count() == 1
    assert ShopItem.objects.get(pk=item.pk).stock == 0
    assert services.reconcile() == []


def test_the_same_redemption_sent_twice_at_once_charges_once(world, zhangsan, earn, item):
    _postgresql_only()
    earn(hours=10)

    def same():
        return services.redeem(actor=None, resident=zhangsan, item=item, key="double", on=NOW)

    results = race([same, same])
    assert [kind for kind, _value in results] == ["ok", "ok"], results
    assert results[0][1].pk == results[1][1].pk
    assert Redemption.objects.count() == 1
    assert services.resident_account(zhangsan).balance == 70
    assert ShopItem.objects.get(pk=item.pk).stock == 4


def test_a_spend_beyond_the_balance_writes_nothing(world, zhangsan, earn, item):
    _postgresql_only()
    earn(hours=2)
    before = (Transaction.objects.count(), Entry.objects.count())
    with pytest.raises(ValidationError) as exc:
        services.redeem(actor=None, resident=zhangsan, item=item, key="x", on=NOW)
    assert exc.value.messages == ["积分不足：需要30分，可用20分。"]
    assert (Transaction.objects.count(), Entry.objects.count()) == before
    assert ShopItem.objects.get(pk=item.pk).stock == 5


def test_a_cancel_and_redemptions_at_once_do_not_deadlock(world, earn, item):
    _postgresql_only()
    people = [world.residents[n] for n in ("zhangsan", "lisi", "wangwu")]
    for person in people:
        earn(hours=100, resident=person)
    first = services.redeem(actor=None, resident=people[0], item=item, key="first", on=NOW)

    def redeem(i):
        return lambda: services.redeem(
            actor=None, resident=people[1 + i % 2], item=item, key=f"r{i}", on=NOW
        )

    calls = [lambda: services.redemption_cancel(actor=None, redemption=first)]
    calls += [redeem(i) for i in range(3)]
    results = race(calls)
    assert [kind for kind, _value in results] == ["ok"] * 4, results
    assert ShopItem.objects.get(pk=item.pk).stock == 5 - 3
    assert services.reconcile() == []
