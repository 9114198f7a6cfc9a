"""Random sequences of everything staff and residents can do to a matter never put it in a
stage out of order: every move in its history is one the map allows, each row starts where
the previous one ended, and a forward move is always exactly one step."""

import contextlib
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gongzhi.deliberation import services
from gongzhi.deliberation.enums import ORDER, TRANSITIONS, Stage
from gongzhi.deliberation.models import Matter
from tests.world import make_user

from .conftest import MONDAY

RANDOM = st.one_of(
    st.tuples(st.just("move"), st.sampled_from(Stage.values)),
    st.tuples(st.just("visit"), st.none()),
    st.tuples(st.just("meeting"), st.none()),
    st.tuples(st.just("task"), st.none()),
    st.tuples(st.just("finish"), st.none()),
    st.tuples(st.just("object"), st.none()),
    st.tuples(st.just("vote"), st.sampled_from(["satisfied", "basically", "dissatisfied"])),
    st.tuples(st.just("wait"), st.integers(min_value=1, max_value=10)),
)
# Do what the current stage needs and move on: as likely as any other action, so that
# sequences reach the late stages and the random actions land in every stage.
ACTIONS = st.one_of(st.tuples(st.just("step"), st.none()), RANDOM)

PREPARE = {
    Stage.INVESTIGATE: ["visit"],
    Stage.DELIBERATE: ["meeting"],
    Stage.IMPLEMENT: ["task", "finish"],
    Stage.NOTICE: [],
    Stage.EVALUATE: ["vote"],
}


def _run(world, voters, matter, action, arg, now):
    staff = world.users["staff"]
    if action == "move":
        services.matter_move(actor=staff, matter=matter, to=arg, now=now)
    elif action == "visit":
        services.matter_visit(
            actor=staff, matter=matter, note="走访", households=[world.households["1-1-101"]]
        )
    elif action == "meeting":
        meeting = services.meeting_create(
            actor=staff,
            kind="coordination",
            title="协调会",
            starts_at=now,
            place="会议室",
            host_name="主持人",
            agenda="议程",
            matter=matter,
        )
        services.meeting_minutes(actor=staff, meeting=meeting, minutes="纪要", now=now)
        services.decision_create(actor=staff, meeting=meeting, text="决定", now=now)
    elif action == "task":
        services.task_create(
            actor=staff, matter=matter, title="任务", owner_user=staff, due_days=2, now=now
        )
    elif action == "finish":
        for task in matter.tasks.filter(done_at=None):
            services.task_complete(actor=staff, task=task, evidence="完成", now=now)
    elif action == "object":
        services.matter_object(actor=voters[0], matter=matter, text="有异议", now=now)
    elif action == "step":
        if matter.stage == Stage.CLOSED:
            return
        for prep in PREPARE[matter.stage]:
            _run(world, voters, matter, prep, "satisfied", now)
        following = ORDER[ORDER.index(matter.stage) + 1]
        services.matter_move(actor=staff, matter=matter, to=following, now=now)
    elif action == "vote":
        for voter in voters:
            with contextlib.suppress(ValidationError):
                services.matter_vote(actor=voter, matter=matter, choice=arg, now=now)


def _check_history(matter: Matter):
    rows = list(matter.transitions.order_by("at", "id").values_list("from_stage", "to_stage"))
    assert rows[0] == ("", Stage.INVESTIGATE)
    for (_, before), (start, to) in zip(rows, rows[1:], strict=False):
        assert start == before
        assert to in TRANSITIONS[start]
        if ORDER.index(to) > ORDER.index(start):
            assert ORDER.index(to) == ORDER.index(start) + 1
    assert matter.stage == rows[-1][1]


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=st.lists(ACTIONS, min_size=10, max_size=50))
def test_random_actions_never_reach_a_stage_out_of_order(world, actions):
    voters = [world.users["resident"]]
    lisi = world.users.get("lisi") or make_user(
        f"r-lisi-{len(actions)}-{Matter.objects.count()}", resident=world.residents["lisi"]
    )
    world.users["lisi"] = lisi
    voters.append(lisi)
    matter = services.matter_create(
        actor=world.users["staff"], title="议题", summary="说明", building=world.b1, now=MONDAY
    )
    now = MONDAY
    reached = {Stage.INVESTIGATE}
    for action, arg in actions:
        now += dt.timedelta(hours=1)
        if action == "wait":
            now += dt.timedelta(days=arg)
            continue
        before = matter.stage
        with contextlib.suppress(ValidationError):
            _run(world, voters, matter, action, arg, now)
        matter.refresh_from_db()
        if action == "step" and matter.stage == Stage.NOTICE:
            now = matter.notice_ends_at + dt.timedelta(minutes=1)
        if action == "move" and matter.stage != before:
            assert matter.stage == arg
        _check_history(matter)
        reached.add(matter.stage)
    # A stage is reached only when every stage before it was reached first.
    event(f"reached {max(ORDER.index(s) for s in reached)}")
    for stage in reached:
        assert set(ORDER[: ORDER.index(stage)]) <= reached
