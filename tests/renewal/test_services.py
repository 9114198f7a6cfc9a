"""Renewal services: the phases and the 三上三下 rounds as state machines, opinions from
every channel, answers, and refusals in Chinese that write nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.renewal import inputs, selectors, services
from gongzhi.renewal.enums import PhaseStatus, ProjectStatus, RoundStatus
from gongzhi.renewal.models import (
    Opinion,
    Phase,
    PlanRound,
    Project,
    ProjectEntrance,
    ProjectEvent,
    VersionChange,
)
from gongzhi.voices.models import Notification


def _counts():
    return (
        Project.objects.count(),
        PlanRound.objects.count(),
        Opinion.objects.count(),
        ProjectEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def test_create_makes_five_phases_and_opens_the_first(world, project):
    phases = list(project.phases.order_by("order"))
    assert [p.kind for p in phases] == ["design", "adjust", "build", "manage", "operate"]
    assert [p.status for p in phases] == ["open"] + ["pending"] * 4
    assert project.current_phase == phases[0]
    assert AuditEvent.objects.filter(action="renewal.project.created").count() == 1


def test_affected_counts_come_from_the_register(world, project):
    a = selectors.affected(project)
    assert (a.buildings, a.entrances, a.households, a.residents) == (1, 2, 2, 2)
    services.project_set_places(
        actor=world.users["staff"], project=project, entrances=[world.b1.entrances.get(number=2)]
    )
    a = selectors.affected(project)
    assert (a.entrances, a.households, a.residents) == (1, 1, 1)


def test_places_of_another_community_are_refused(world, project):
    before = list(ProjectEntrance.objects.filter(project=project).values_list("pk", flat=True))
    with pytest.raises(ValidationError) as exc:
        services.project_set_places(
            actor=world.users["staff"], project=project, buildings=[world.b3]
        )
    assert "本社区" in str(exc.value)
    assert (
        list(ProjectEntrance.objects.filter(project=project).values_list("pk", flat=True)) == before
    )


def test_bad_project_input_is_refused_per_field_and_writes_nothing(world):
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        services.project_create(
            actor=world.users["staff"],
            community=world.wj,
            kind="castle",
            name="",
            description="长" * 2001,
            budget="-5",
        )
    errors = exc.value.message_dict
    assert set(errors) == {"kind", "name", "description", "budget"}
    assert "请填写项目名称。" in errors["name"]
    assert _counts() == before


def test_publish_tells_the_affected_households_by_sms_outbox(world, project, open_round):
    assert open_round.status == RoundStatus.OPEN
    told = Notification.objects.filter(text__contains="1栋加装电梯")
    assert {n.resident_id for n in told} == {
        world.residents["zhangsan"].pk,
        world.residents["lisi"].pk,
    }


def test_a_resident_gives_an_opinion_and_staff_answer_it(world, project, open_round):
    opinion = services.opinion_submit(
        actor=world.users["resident"], project=project, text="电梯别挡住我家窗户，电话13812345678"
    )
    assert opinion.channel == "online" and opinion.round == open_round
    assert opinion.building_id == world.b1.pk
    answered = services.opinion_answer(
        actor=world.users["staff"], opinion=opinion, answer="adopted", reason="改到东侧"
    )
    assert answered.answer == "adopted"
    # What others will read has the phone masked.
    assert "13812345678" not in answered.public_text
    assert Notification.objects.filter(
        resident=world.residents["zhangsan"], text__contains="已答复"
    ).exists()


def test_staff_enter_a_paper_opinion_for_a_resident(world, project, open_round):
    opinion = services.opinion_submit(
        actor=world.users["building"],
        project=project,
        resident=world.residents["lisi"],
        text="希望施工避开午休",
        channel="paper",
    )
    assert opinion.channel == "paper" and opinion.entered_by == world.users["building"]


def test_a_resident_of_an_untouched_building_is_refused(world, project, open_round):
    with pytest.raises(ValidationError) as exc:
        services.opinion_submit(
            actor=world.users["admin"],
            project=project,
            resident=world.residents["wangwu"],
            text="我也想说",
            channel="visit",
        )
    assert "不涉及" in str(exc.value)


def test_an_opinion_on_a_closed_round_is_refused_in_chinese(world, project, open_round):
    services.round_close(actor=world.users["staff"], round=open_round)
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        services.opinion_submit(actor=world.users["resident"], project=project, text="晚了")
    assert exc.value.message_dict["round"] == ["第1轮方案的征求意见已经结束，不能再提意见了。"]
    assert _counts() == before


def test_an_opinion_after_the_deadline_is_refused_even_before_the_tick(world, project):
    staff = world.users["staff"]
    rnd = services.round_draft(actor=staff, project=project, title="t", summary="s", text="x")
    rnd = services.round_publish(
        actor=staff, round=rnd, closes_at=timezone.now() + dt.timedelta(minutes=1)
    )
    PlanRound.objects.filter(pk=rnd.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ValidationError):
        services.opinion_submit(actor=world.users["resident"], project=project, text="晚了")
    assert services.round_sweep() == 1
    assert PlanRound.objects.get(pk=rnd.pk).status == RoundStatus.CLOSED


def test_oversized_opinion_is_refused(world, project, open_round):
    with pytest.raises(ValidationError) as exc:
        services.opinion_submit(actor=world.users["resident"], project=project, text="长" * 501)
    assert "不能超过500字" in exc.value.message_dict["text"][0]


def test_phase_close_names_what_is_missing(world, project):
    phase = project.current_phase
    with pytest.raises(ValidationError) as exc:
        services.phase_close(actor=world.users["staff"], phase=phase)
    assert "还没有下发过方案征求意见" in exc.value.message_dict["phase"][0]
    assert Phase.objects.get(pk=phase.pk).status == PhaseStatus.OPEN


def test_phase_close_needs_every_opinion_answered(world, project, open_round):
    staff = world.users["staff"]
    opinion = services.opinion_submit(actor=world.users["resident"], project=project, text="好")
    services.round_close(actor=staff, round=open_round)
    with pytest.raises(ValidationError) as exc:
        services.phase_close(actor=staff, phase=project.current_phase)
    assert "1 条居民意见未答复" in exc.value.message_dict["phase"][0]
    services.opinion_answer(actor=staff, opinion=opinion, answer="not_adopted", reason="超预算")
    services.phase_close(actor=staff, phase=project.current_phase)
    project.refresh_from_db()
    assert project.current_phase.kind == "adjust"
    assert project.current_phase.status == PhaseStatus.OPEN


def test_another_app_can_register_its_input(world, project):
    inputs.register("test.meeting", lambda: "一次会议且有纪要", lambda phase: (True, ""))
    try:
        services.phase_close(actor=world.users["staff"], phase=project.current_phase)
    finally:
        inputs.unregister("test.meeting")
    assert Phase.objects.get(project=project, kind="design").status == PhaseStatus.CLOSED


def test_closing_every_phase_completes_the_project(world, project):
    inputs.register("test.any", lambda: "x", lambda phase: (True, ""))
    try:
        for _ in range(5):
            project.refresh_from_db()
            services.phase_close(actor=world.users["staff"], phase=project.current_phase)
    finally:
        inputs.unregister("test.any")
    project.refresh_from_db()
    assert project.status == ProjectStatus.COMPLETED and project.current_phase is None
    with pytest.raises(ValidationError):
        services.phase_close(
            actor=world.users["staff"], phase=Phase.objects.get(project=project, kind="operate")
        )


def _three_rounds(world, project):
    staff = world.users["staff"]
    resident = world.users["resident"]
    r1 = services.round_draft(actor=staff, project=project, title="v1", summary="北侧", text="北")
    services.round_publish(actor=staff, round=r1)
    o1 = services.opinion_submit(actor=resident, project=project, text="北侧挡光")
    services.opinion_answer(actor=staff, opinion=o1, answer="adopted", reason="改东侧")
    services.round_close(actor=staff, round=r1)
    r2 = services.round_draft(
        actor=staff,
        project=project,
        title="v2",
        summary="东侧",
        text="东",
        changes=[("电梯位置由北侧改为东侧", [o1.pk])],
    )
    return r1, r2, o1


def test_the_next_version_records_what_changed_and_why(world, project):
    r1, r2, o1 = _three_rounds(world, project)
    change = VersionChange.objects.get(version__round=r2)
    assert list(change.opinions.all()) == [o1]
    comparison = selectors.compare(project, 1, 2)
    assert comparison.left.title == "v1" and comparison.right.title == "v2"
    assert [c.text for c in comparison.changes] == ["电梯位置由北侧改为东侧"]
    said = selectors.said_and_changed(project)
    assert [c.text for c in said] == ["电梯位置由北侧改为东侧"]


def test_round_two_without_changes_is_refused(world, project):
    staff = world.users["staff"]
    r1 = services.round_draft(actor=staff, project=project, title="v1", summary="s", text="t")
    services.round_publish(actor=staff, round=r1)
    services.round_close(actor=staff, round=r1)
    with pytest.raises(ValidationError) as exc:
        services.round_draft(actor=staff, project=project, title="v2", summary="s", text="t")
    assert "改了什么" in exc.value.message_dict["changes"][0]


def test_a_change_cannot_cite_an_unadopted_opinion(world, project):
    staff = world.users["staff"]
    r1 = services.round_draft(actor=staff, project=project, title="v1", summary="s", text="t")
    services.round_publish(actor=staff, round=r1)
    o = services.opinion_submit(actor=world.users["resident"], project=project, text="不同意")
    services.opinion_answer(actor=staff, opinion=o, answer="not_adopted", reason="不可行")
    services.round_close(actor=staff, round=r1)
    before = _counts()
    with pytest.raises(ValidationError):
        services.round_draft(
            actor=staff, project=project, title="v2", summary="s", text="t", changes=[("x", [o.pk])]
        )
    assert _counts() == before


def test_the_next_round_waits_for_answers_and_the_end_of_the_last(world, project, open_round):
    staff = world.users["staff"]
    with pytest.raises(ValidationError) as exc:
        services.round_draft(actor=staff, project=project, title="v2", summary="s", text="t")
    assert "还没有结束" in exc.value.message_dict["round"][0]
    services.opinion_submit(actor=world.users["resident"], project=project, text="意见")
    services.round_close(actor=staff, round=open_round)
    with pytest.raises(ValidationError) as exc:
        services.round_draft(
            actor=staff, project=project, title="v2", summary="s", text="t", changes=[("c", [])]
        )
    assert "未答复" in exc.value.message_dict["round"][0]


def test_round_three_ends_in_a_decision_and_there_is_no_fourth(world, project):
    staff = world.users["staff"]
    r1, r2, _o1 = _three_rounds(world, project)
    services.round_publish(actor=staff, round=r2)
    with pytest.raises(ValidationError) as exc:
        services.round_decide(actor=staff, round=r2, decision="approved", note="通过")
    services.round_close(actor=staff, round=r2)
    with pytest.raises(ValidationError) as exc:
        services.round_decide(actor=staff, round=r2, decision="approved", note="通过")
    assert "第三轮" in exc.value.message_dict["decision"][0]
    r3 = services.round_draft(
        actor=staff, project=project, title="v3", summary="s", text="t", changes=[("细化", [])]
    )
    services.round_publish(actor=staff, round=r3)
    services.round_close(actor=staff, round=r3)
    r3 = services.round_decide(actor=staff, round=r3, decision="approved", note="业主全部同意")
    assert r3.status == RoundStatus.DECIDED and r3.decision == "approved"
    with pytest.raises(ValidationError) as exc:
        services.round_draft(
            actor=staff, project=project, title="v4", summary="s", text="t", changes=[("x", [])]
        )
    assert "三轮" in exc.value.message_dict["round"][0]


def test_an_answer_is_given_once_with_a_reason(world, project, open_round):
    staff = world.users["staff"]
    o = services.opinion_submit(actor=world.users["resident"], project=project, text="意见")
    with pytest.raises(ValidationError) as exc:
        services.opinion_answer(actor=staff, opinion=o, answer="adopted", reason="")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.opinion_answer(actor=staff, opinion=o, answer="maybe", reason="r")
    services.opinion_answer(actor=staff, opinion=o, answer="partly", reason="部分可行")
    with pytest.raises(ValidationError):
        services.opinion_answer(actor=staff, opinion=o, answer="adopted", reason="again")


def test_a_voices_item_becomes_an_opinion_of_the_phase(world, project, open_round):
    from gongzhi.voices import services as voices

    item = voices.item_submit(
        actor=world.users["admin"],
        kind="suggestion",
        text="加装电梯后楼道要重新粉刷",
        channel="visit",
        on_behalf_of=world.residents["lisi"],
    )
    o = services.opinion_from_item(actor=world.users["staff"], project=project, item=item)
    assert o.voice_item == item and o.channel == "voices" and o.round == open_round
    with pytest.raises(ValidationError):
        services.opinion_from_item(actor=world.users["staff"], project=project, item=item)


def test_milestones_make_the_progress_figure(world, project):
    staff = world.users["staff"]
    m1 = services.milestone_add(actor=staff, project=project, title="方案公示")
    services.milestone_add(actor=staff, project=project, title="开工")
    services.milestone_done(actor=staff, milestone=m1)
    assert selectors.progress(project) == (1, 2, 50)


def test_funding_must_be_positive(world, project):
    with pytest.raises(ValidationError) as exc:
        services.funding_add(
            actor=world.users["staff"], project=project, kind="government", amount="0"
        )
    assert "amount" in exc.value.message_dict
    services.funding_add(
        actor=world.users["staff"], project=project, kind="government", amount="500000"
    )


def test_a_document_must_be_a_photo_or_a_pdf(world, project):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.images import PNG

    with pytest.raises(ValidationError):
        services.document_add(
            actor=world.users["staff"],
            project=project,
            title="x",
            upload=SimpleUploadedFile("x.exe", b"MZ\x00\x00"),
        )
    doc = services.document_add(
        actor=world.users["staff"],
        project=project,
        title="现场照片",
        upload=SimpleUploadedFile("a.png", PNG),
    )
    assert doc.kind == "photo"


@pytest.mark.parametrize(
    "role,expected",
    [
        ("admin", None),
        ("subdistrict", None),
        ("secretary", None),
        ("staff", None),
        ("other_staff", Http404),
        ("grid", PermissionDenied),
        ("building", PermissionDenied),
        ("entrance", PermissionDenied),
        ("resident", PermissionDenied),
        ("partner", Http404),
        ("nobody", Http404),
    ],
)
def test_who_may_run_a_project(world, project, role, expected):
    """Role × scope: only community and subdistrict desks run a project; those who see it
    otherwise get 403, those who do not 404."""
    actor = world.users[role]
    if expected is None:
        services.milestone_add(actor=actor, project=project, title="节点")
    else:
        with pytest.raises(expected):
            services.milestone_add(actor=actor, project=project, title="节点")


def test_history_is_append_only(world, project):
    event = ProjectEvent.objects.filter(project=project).first()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        ProjectEvent.objects.filter(project=project).update(note="x")
