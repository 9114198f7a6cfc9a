"""Two people at once, on PostgreSQL (real row locks; SQLite serialises writers anyway)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from gongzhi.voices import services
from gongzhi.voices.enums import Channel, ItemKind, Satisfaction, Solved, Status
from gongzhi.voices.models import ReturnVisit

pytestmark = pytest.mark.django_db(transaction=True)


def race(calls):
    """Run each call in its own thread and connection, released together."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = ("ok", call())
        except Exception as exc:  # the refusal is the result under test
            results[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_staff_closing_the_same_item(world, categories):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL")
    item = services.item_submit(
        actor=None,
        kind=ItemKind.PROBLEM,
        text="楼下路灯不亮",
        channel=Channel.PHONE,
        reporter_resident=world.residents["zhangsan"],
    )
    services.item_accept(actor=None, item=item, category=categories["lights"])
    services.item_resolve(actor=None, item=item, note="已修复")

    def close(user):
        return lambda: services.item_return_visit(
            actor=user, item=item, solved=Solved.SOLVED, satisfaction=Satisfaction.SATISFIED
        )

    results = race([close(world.users["staff"]), close(world.users["secretary"])])
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"]
    (error,) = [value for kind, value in results if kind == "error"]
    assert isinstance(error, ValidationError)
    assert error.messages == [f"诉求{item.number}当前为“已办结”，不能回访。"]
    item.refresh_from_db()
    assert item.status == Status.CLOSED
    assert ReturnVisit.objects.filter(item=item).count() == 1


def test_simultaneous_submissions_get_distinct_numbers(world, categories):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL")

    def submit():
        return services.item_submit(
            actor=None,
            kind=ItemKind.PROBLEM,
            text="楼下路灯不亮",
            channel=Channel.PHONE,
            reporter_resident=world.residents["zhangsan"],
        ).number

    results = race([submit for _ in range(8)])
    assert [kind for kind, _ in results] == ["ok"] * 8
    numbers = sorted(value for _, value in results)
    assert len(set(numbers)) == 8
    assert numbers[-1].endswith("-000008")
