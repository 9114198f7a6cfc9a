import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from gongzhi.core.models import AuditEvent
from gongzhi.deliberation import services
from gongzhi.deliberation.enums import Stage
from gongzhi.deliberation.models import (
    Decision,
    Matter,
    MatterTransition,
    Objection,
    Task,
    Vote,
)
from gongzhi.voices.models import Notification
from tests.world import make_user

from .conftest import MONDAY

pytestmark = pytest.mark.django_db


def _refused(exc) -> str:
    return exc.value.message_dict["to"][0]


def test_a_new_matter_stands_at_investigate_with_its_history(world, make_matter):
    matter = make_matter()
    assert matter.stage == Stage.INVESTIGATE
    assert (matter.community_id, matter.grid_id, matter.building_id) == (
        world.wj.pk,
        world.g1.pk,
        world.b1.pk,
    )
    assert list(matter.transitions.values_list("from_stage", "to_stage")) == [("", "investigate")]
    assert AuditEvent.objects.filter(action="deliberation.matter.created").count() == 1


@pytest.mark.parametrize("to", [Stage.IMPLEMENT, Stage.NOTICE, Stage.EVALUATE, Stage.CLOSED])
def test_no_step_can_be_skipped(world, make_matter, to):
    matter = make_matter()
    with pytest.raises(ValidationError) as exc:
        services.matter_move(actor=world.users["staff"], matter=matter, to=to)
    assert exc.value.refusal == "invalid_transition"
    assert "五步法不能跳过，下一步是“议（会议商定）”" in _refused(exc)
    matter.refresh_from_db()
    assert matter.stage == Stage.INVESTIGATE
    assert matter.transitions.count() == 1


def test_investigate_needs_a_visit_with_households(world, make_matter):
    matter = make_matter()
    with pytest.raises(ValidationError) as exc:
        services.matter_move(actor=world.users["staff"], matter=matter, to="议")
    assert exc.value.refusal == "unmet"
    assert _refused(exc).startswith("还没有走访记录")


def test_a_visit_must_name_households_of_the_matter(world, make_matter):
    matter = make_matter()
    with pytest.raises(ValidationError) as exc:
        services.matter_visit(
            actor=world.users["staff"],
            matter=matter,
            note="看过了",
            households=[world.households["2-1-101"]],
        )
    assert exc.value.message_dict["households"] == ["只能选择本议题所涉范围内的住户。"]
    with pytest.raises(ValidationError) as exc:
        services.matter_visit(actor=world.users["staff"], matter=matter, note="", households=[])
    assert set(exc.value.message_dict) == {"note", "households"}
    assert matter.visits.count() == 0


def test_deliberate_needs_a_meeting_with_minutes_and_a_decision(world, make_matter):
    matter = make_matter(Stage.DELIBERATE)
    with pytest.raises(ValidationError) as exc:
        services.matter_move(actor=world.users["staff"], matter=matter, to=Stage.IMPLEMENT)
    assert _refused(exc).startswith("还没有会议商定")


def test_notice_needs_every_task_done(world, make_matter):
    matter = make_matter(Stage.IMPLEMENT)
    with pytest.raises(ValidationError) as exc:
        services.matter_move(actor=world.users["staff"], matter=matter, to=Stage.NOTICE)
    assert _refused(exc) == "还有1项任务没有完成，全部完成并上传完成情况后才能公示。"


def test_the_notice_runs_its_working_days_before_evaluation(world, make_matter):
    matter = make_matter(Stage.NOTICE)
    # Monday 2 March 2026 + 5 working days: Monday 9 March, at the close of the day.
    assert matter.notice_ends_at.date() == dt.date(2026, 3, 9)
    with pytest.raises(ValidationError) as exc:
        services.matter_move(
            actor=world.users["staff"], matter=matter, to=Stage.EVALUATE, now=MONDAY
        )
    assert _refused(exc).startswith("公示期还没有结束")


def test_an_objection_in_the_window_sends_the_matter_back_to_deliberate(world, make_matter):
    matter = make_matter(Stage.NOTICE)
    services.matter_object(
        actor=world.users["resident"],
        matter=matter,
        text="补偿方案没有征求一楼意见。",
        now=MONDAY + dt.timedelta(days=1),
    )
    matter.refresh_from_db()
    assert matter.stage == Stage.DELIBERATE
    last = matter.transitions.last()
    assert (last.from_stage, last.to_stage) == ("notice", "deliberate")
    assert "异议" in last.reason
    # The old meeting does not count for the new round: a new one must decide.
    with pytest.raises(ValidationError) as exc:
        services.matter_move(
            actor=world.users["staff"],
            matter=matter,
            to=Stage.IMPLEMENT,
            now=MONDAY + dt.timedelta(days=2),
        )
    assert _refused(exc).startswith("还没有会议商定")


def test_an_objection_outside_the_window_or_place_is_refused(world, make_matter):
    matter = make_matter(Stage.IMPLEMENT)
    with pytest.raises(ValidationError) as exc:
        services.matter_object(actor=world.users["resident"], matter=matter, text="不同意")
    assert exc.value.message_dict["text"] == ["这个议题现在不在公示期内，不能提出异议。"]
    wangwu = make_user("r-wangwu", resident=world.residents["wangwu"])
    with pytest.raises(Http404):
        services.matter_object(actor=wangwu, matter=matter, text="不同意")
    assert Objection.objects.count() == 0


def test_evaluation_below_the_threshold_goes_back_to_implement(world, make_matter):
    matter = make_matter(Stage.EVALUATE)
    lisi = make_user("r-lisi", resident=world.residents["lisi"])
    services.matter_vote(actor=world.users["resident"], matter=matter, choice="satisfied")
    services.matter_vote(actor=lisi, matter=matter, choice="dissatisfied")
    with pytest.raises(ValidationError) as exc:
        services.matter_move(actor=world.users["staff"], matter=matter, to=Stage.CLOSED)
    assert _refused(exc) == "满意率为50%，低于要求的80%，应退回“推”继续落实。"
    services.matter_move(actor=world.users["staff"], matter=matter, to=Stage.IMPLEMENT)
    matter.refresh_from_db()
    assert matter.stage == Stage.IMPLEMENT


def test_one_vote_per_household_and_round(world, make_matter):
    matter = make_matter(Stage.EVALUATE)
    services.matter_vote(actor=world.users["resident"], matter=matter, choice="satisfied")
    with pytest.raises(ValidationError) as exc:
        services.matter_vote(actor=world.users["resident"], matter=matter, choice="basically")
    assert exc.value.message_dict["choice"] == ["您家已经评议过了，谢谢！"]
    assert Vote.objects.count() == 1


def test_closing_tells_the_reporters_of_the_raised_item(world, voice_item):
    staff = world.users["staff"]
    matter = services.matter_create(
        actor=staff, title="2栋屋面漏水", summary="2栋顶楼漏水，需要维修。", item=voice_item
    )
    assert (matter.community_id, matter.building_id) == (world.wj.pk, world.b2.pk)
    assert Notification.objects.filter(item=voice_item, text__contains="已列为社区议题").exists()
    with pytest.raises(ValidationError) as exc:
        services.matter_create(actor=staff, title="again", summary="again", item=voice_item)
    assert exc.value.message_dict["item"] == ["这条诉求已经列为议题了。"]
    matter.stage = Stage.EVALUATE
    matter.evaluation_round = 1
    matter.save()
    wangwu = make_user("r-wangwu", resident=world.residents["wangwu"])
    services.matter_vote(actor=wangwu, matter=matter, choice="satisfied")
    services.matter_move(actor=staff, matter=matter, to=Stage.CLOSED)
    note = Notification.objects.filter(item=voice_item, text__contains="已按五步法办结").get()
    assert "满意率100%" in note.text


def test_closed_is_final(world, make_matter):
    matter = make_matter(Stage.EVALUATE)
    services.matter_vote(actor=world.users["resident"], matter=matter, choice="satisfied")
    services.matter_move(actor=world.users["staff"], matter=matter, to=Stage.CLOSED)
    with pytest.raises(ValidationError) as exc:
        services.matter_move(actor=world.users["staff"], matter=matter, to=Stage.IMPLEMENT)
    assert _refused(exc) == "议题已经办结，不能再变更环节。"
    stages = list(matter.transitions.values_list("to_stage", flat=True))
    assert stages == ["investigate", "deliberate", "implement", "notice", "evaluate", "closed"]


def test_a_task_without_an_owner_refuses_the_whole_decision(world, make_matter):
    matter = make_matter(Stage.DELIBERATE)
    staff = world.users["staff"]
    meeting = services.meeting_create(
        actor=staff,
        kind="coordination",
        title="协调会",
        starts_at=MONDAY,
        place="会议室",
        host_name="王书记",
        agenda="议程",
        matter=matter,
    )
    with pytest.raises(ValidationError) as exc:
        services.decision_create(
            actor=staff,
            meeting=meeting,
            text="实施",
            tasks=[
                {"title": "联系施工", "owner_user": staff, "due_days": 5},
                {"title": "没人管", "due_days": 5},
            ],
        )
    assert exc.value.message_dict == {
        "tasks.1.owner": ["请指定责任人或责任单位，任务不能没有人负责。"]
    }
    assert Decision.objects.count() == 0
    assert Task.objects.count() == 0


def test_a_partner_unit_owns_and_completes_its_task(world, make_matter):
    matter = make_matter(Stage.IMPLEMENT)
    task = services.task_create(
        actor=world.users["staff"],
        matter=matter,
        title="管线迁改",
        owner_unit=world.partner,
        due_days=3,
        now=MONDAY,
    )
    assert task.due_at.date() == dt.date(2026, 3, 5)
    with pytest.raises(ValidationError) as exc:
        services.task_complete(actor=world.users["partner"], task=task, evidence="")
    assert exc.value.message_dict["evidence"] == ["请写明完成情况。"]
    services.task_complete(actor=world.users["partner"], task=task, evidence="已迁改完毕。")
    with pytest.raises(Http404):
        services.task_complete(actor=world.users["other_staff"], task=task, evidence="x")


def test_oversized_text_is_refused_in_chinese_and_nothing_is_written(world):
    with pytest.raises(ValidationError) as exc:
        services.matter_create(
            actor=world.users["staff"], title="议" * 81, summary="说" * 501, community=world.wj
        )
    assert exc.value.message_dict == {
        "title": ["不能超过80字（现有81字）。"],
        "summary": ["不能超过500字（现有501字）。"],
    }
    assert Matter.objects.count() == 0
    assert MatterTransition.objects.count() == 0


def test_the_history_is_append_only(world, make_matter):
    matter = make_matter()
    row = matter.transitions.get()
    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        matter.transitions.update(reason="x")


def test_task_reminders_go_once_to_the_owner(world, make_matter):
    matter = make_matter(Stage.IMPLEMENT)
    task = matter.tasks.get()
    assert services.tasks_remind(now=MONDAY) == 0
    later = task.due_at - dt.timedelta(hours=2)
    assert services.tasks_remind(now=later) == 1
    assert services.tasks_remind(now=later) == 0
    note = Notification.objects.get(user=world.users["staff"])
    assert "联系施工单位" in note.text
