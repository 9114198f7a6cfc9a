"""Two staff press 下一步 on the same matter at the same moment: one move, one clear refusal.

Real concurrency needs real row locks, so this runs on PostgreSQL only: each thread has its
own connection and transaction, and a barrier releases them together."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gongzhi.accounts.models import User
from gongzhi.deliberation import services
from gongzhi.deliberation.enums import Stage
from gongzhi.deliberation.models import Matter, MatterTransition


@pytest.mark.django_db(transaction=True)
def test_two_staff_advancing_one_matter_one_moves_one_is_refused(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    matter = services.matter_create(
        actor=world.users["staff"], title="1栋加装电梯", summary="说明", building=world.b1
    )
    services.matter_visit(
        actor=world.users["staff"],
        matter=matter,
        note="走访",
        households=[world.households["1-1-101"]],
    )
    actors = [world.users["staff"].pk, world.users["secretary"].pk]
    barrier = threading.Barrier(len(actors))
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def press(user_pk):
        try:
            actor = User.objects.get(pk=user_pk)
            target = Matter.objects.get(pk=matter.pk)
            barrier.wait(timeout=30)
            try:
                services.matter_move(actor=actor, matter=target, to=Stage.DELIBERATE)
                outcome = "moved"
            except ValidationError as exc:
                outcome = exc.messages[0]
            with lock:
                results.append(outcome)
        except BaseException as exc:  # surfaced below: a thread must not fail silently
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(pk,)) for pk in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert sorted(results) == ["moved", "议题已经处于“议（会议商定）”环节。"]
    assert Matter.objects.get(pk=matter.pk).stage == Stage.DELIBERATE
    assert MatterTransition.objects.filter(matter=matter, to_stage=Stage.DELIBERATE).count() == 1
