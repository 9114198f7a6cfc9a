"""Random sequences of earns, spends, expiries, corrections and reversals: after each step
every transaction sums to zero, no resident's lot (and so no balance) is below zero, the
cached balances equal the entries, and reconciliation finds nothing."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.points import services
from gongzhi.points.enums import AccountKind
from gongzhi.points.models import Entry, ShopItem, Transaction

from .conftest import TZ

steps = st.lists(
    st.one_of(
        st.tuples(st.just("earn"), st.integers(0, 1), st.integers(1, 8), st.integers(0, 30)),
        st.tuples(st.just("spend"), st.integers(0, 1), st.integers(1, 3), st.integers(0, 30)),
        st.tuples(st.just("expire"), st.just(0), st.just(0), st.integers(0, 30)),
        st.tuples(st.just("reverse"), st.integers(0, 1), st.integers(0, 50), st.integers(0, 30)),
        st.tuples(st.just("correct"), st.integers(0, 1), st.integers(-30, 30), st.integers(0, 30)),
        st.tuples(st.just("cancel"), st.integers(0, 1), st.integers(0, 50), st.integers(0, 30)),
    ),
    max_size=25,
)


def check():
    assert services.reconcile() == []
    unbalanced = Entry.objects.values("transaction_id").annotate(s=Sum("amount")).exclude(s=0)
    assert not unbalanced.exists()
    negative = (
        Entry.objects.filter(account__kind=AccountKind.RESIDENT)
        .values("account_id", "earned_year")
        .annotate(s=Sum("amount"))
        .filter(s__lt=0)
    )
    assert not negative.exists()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(sequence=steps)
def test_the_ledger_stays_balanced(world, sequence):
    # Each example in a savepoint of its own, rolled back at the end: examples share no rows.
    with transaction.atomic():
        _run(world, sequence)
        transaction.set_rollback(True)


def _run(w, sequence):
    people = [w.residents["zhangsan"], w.residents["lisi"]]
    staff = w.users["staff"]
    item = ShopItem.objects.create(community=w.wj, name="毛巾", price=15, stock=1000)
    day = dt.datetime(2024, 1, 1, 10, tzinfo=TZ)
    redemptions = []
    for n, (op, who, amount, days) in enumerate(sequence):
        day += dt.timedelta(days=days * 10)
        resident = people[who]
        try:
            if op == "earn":
                services.award(
                    actor=None,
                    resident=resident,
                    rule_code="service_hour",
                    quantity=amount,
                    key=f"h:{n}",
                    on=day,
                )
            elif op == "spend":
                redemptions.append(
                    services.redeem(
                        actor=None,
                        resident=resident,
                        item=item,
                        quantity=amount,
                        key=f"s:{n}",
                        on=day,
                    )
                )
            elif op == "expire":
                services.expire(on=day)
            elif op == "reverse":
                txns = list(Transaction.objects.order_by("pk"))
                if txns:
                    services.reverse(actor=None, txn=txns[amount % len(txns)], on=day)
            elif op == "correct" and amount:
                services.correct(
                    actor=staff,
                    resident=resident,
                    amount=amount,
                    reason="随机更正",
                    key=f"c:{n}",
                    on=day,
                )
            elif op == "cancel" and redemptions:
                services.redemption_cancel(
                    actor=staff, redemption=redemptions[amount % len(redemptions)], on=day
                )
        except ValidationError:
            pass  # a refusal writes nothing; the checks below say so
        check()
