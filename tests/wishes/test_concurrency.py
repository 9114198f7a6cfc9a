"""Twenty sponsors press 认领 on the same wish at the same moment: exactly one wins.

Real concurrency needs real row locks, so this runs on PostgreSQL only: each thread has its
own connection and transaction, and a barrier releases them together."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gongzhi.accounts.models import User
from gongzhi.orgs.models import PartnerUnit
from gongzhi.wishes import services
from gongzhi.wishes.enums import ClaimStatus, Status
from gongzhi.wishes.models import Wish, WishClaim, WishEvent
from tests.world import make_user

SPONSORS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_claims_one_winner(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    users = []
    for i in range(SPONSORS):
        unit = PartnerUnit.objects.create(name=f"爱心企业{i}", kind="enterprise")
        unit.communities.add(world.wj)
        users.append(make_user(f"sponsor-{i}", partner=unit))
    wish = services.wish_submit(
        actor=world.users["resident"],
        resident=world.residents["zhangsan"],
        category="repair",
        text="电视机坏了，想请人修一修。",
    )
    services.wish_publish(actor=world.users["staff"], wish=wish)

    barrier = threading.Barrier(SPONSORS)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def press(user_pk):
        try:
            actor = User.objects.get(pk=user_pk)
            target = Wish.objects.get(pk=wish.pk)
            barrier.wait(timeout=30)
            try:
                services.wish_claim(actor=actor, wish=target)
                outcome = "won"
            except ValidationError as exc:
                outcome = exc.messages[0]
            with lock:
                results.append(outcome)
        except BaseException as exc:  # surfaced below: a thread must not fail silently
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(u.pk,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert sorted(results) == sorted(
        ["won"] + ["这个心愿已被认领，谢谢您的爱心！"] * (SPONSORS - 1)
    )
    assert WishClaim.objects.filter(wish=wish).exclude(status=ClaimStatus.RELEASED).count() == 1
    assert Wish.objects.get(pk=wish.pk).status == Status.CLAIMED
    assert WishEvent.objects.filter(wish=wish, kind="claimed").count() == 1
