import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.places import services as places
from gongzhi.surveys import services
from gongzhi.surveys.models import Campaign, CampaignHousehold, Response, Visit, VisitLog
from gongzhi.voices.models import Item

from .conftest import JPEG


def test_campaign_takes_the_households_of_its_buildings(survey):
    rows = CampaignHousehold.objects.filter(campaign=survey.campaign)
    assert sorted(r.household.address_label for r in rows) == [
        "1栋1单元101",
        "1栋2单元201",
        "2栋1单元101",
    ]
    assert AuditEvent.objects.filter(action="surveys.campaign.created").count() == 1


def test_campaign_by_grid(world):
    staff = world.users["staff"]
    q = services.questionnaire_create(actor=staff, community=world.wj, title="问卷")
    c = services.campaign_create(
        actor=staff,
        community=world.wj,
        name="一网格调查",
        area_name="一网格",
        questionnaire=q,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 2, 1),
        grids=[world.g1],
    )
    assert c.households.count() == 2


def test_grid_chief_cannot_make_a_campaign(world):
    with pytest.raises(Http404):
        services.questionnaire_create(actor=world.users["grid"], community=world.wj, title="问卷")


def test_valid_answer_counts_and_freezes_the_version(survey, answer):
    response, replayed = answer()
    assert (response.status, response.supports, replayed) == ("valid", True, False)
    survey.version.refresh_from_db()
    assert survey.version.frozen_at is not None


def test_replay_changes_nothing(survey, answer):
    first, _ = answer(client="same")
    again, replayed = answer(client="same", support="不支持")
    assert replayed and again.pk == first.pk
    assert Response.objects.count() == 1


def test_second_answer_is_kept_for_review(survey, answer):
    answer()
    second, _ = answer(support="不支持")
    assert second.status == "review"
    assert Response.objects.filter(status="valid").count() == 1
    assert Response.objects.count() == 2
    kept = services.response_resolve(actor=survey.users["staff"], response=second, keep=True)
    assert kept.status == "valid"
    assert Response.objects.filter(status="valid").get().pk == second.pk
    assert Response.objects.filter(status="review").count() == 1


def test_child_or_no_consent_is_recorded_not_valid(survey, answer):
    r, _ = answer(consent=False)
    assert r.status == "invalid"
    assert "未记录居民同意。" in r.problems
    r2, _ = answer(household="1-2-201", respondent="lisi")
    assert r2.status == "valid"


def test_respondent_from_another_household_is_refused(survey, answer):
    with pytest.raises(ValidationError) as exc:
        answer(respondent="lisi")
    assert exc.value.message_dict["respondent_id"] == ["答卷人不是这一户的居民。"]


def test_moved_out_respondent_is_not_valid(survey, answer):
    places.resident_move_out(
        actor=survey.users["staff"], resident=survey.residents["zhangsan"], on=timezone.localdate()
    ) if hasattr(places, "resident_move_out") else None
    from gongzhi.places.models import Resident

    Resident.objects.filter(pk=survey.residents["zhangsan"].pk).update(status="moved_out")
    r, _ = answer()
    assert r.status == "invalid"
    assert r.problems == ["答卷人不是本户在住居民。"]


def test_missing_required_answer_is_refused(survey, answer):
    with pytest.raises(ValidationError) as exc:
        answer(support="不支持", answers={"why_not": ""})
    assert exc.value.message_dict["why_not"] == ["第3题“不支持的原因”必须回答。"]
    assert Response.objects.count() == 0


def test_hidden_question_answer_is_dropped(survey, answer):
    r, _ = answer(answers={"why_not": "无"})
    assert "why_not" not in r.answers


def test_unknown_choice_is_refused(survey, answer):
    with pytest.raises(ValidationError) as exc:
        answer(support="也许")
    assert "答案不正确" in exc.value.message_dict["support"][0]


def test_change_after_answers_makes_a_new_version(survey, answer):
    answer()
    services.question_add(
        actor=survey.users["staff"],
        questionnaire=survey.questionnaire,
        key="parking",
        text="车位需求",
        kind="yes_no",
    )
    versions = list(survey.questionnaire.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].questions.count() == 4
    assert versions[1].questions.count() == 5
    with pytest.raises(ValidationError) as exc:
        answer(household="1-2-201", respondent="lisi")
    assert exc.value.message_dict["version_id"] == ["问卷已更新为第2版，请刷新页面后按新问卷填写。"]


def test_change_before_answers_edits_the_version(survey):
    services.question_add(
        actor=survey.users["staff"],
        questionnaire=survey.questionnaire,
        key="parking",
        text="车位需求",
        kind="yes_no",
    )
    assert survey.questionnaire.versions.count() == 1


def test_one_support_question(survey):
    with pytest.raises(ValidationError) as exc:
        services.question_add(
            actor=survey.users["staff"],
            questionnaire=survey.questionnaire,
            key="s2",
            text="再问一次",
            kind="yes_no",
            is_support=True,
        )
    assert exc.value.message_dict["is_support"] == ["每份问卷只能有一道支持率题目。"]


def test_household_outside_assignment_is_refused(survey, answer):
    with pytest.raises(ValidationError) as exc:
        answer(household="2-1-101", respondent="wangwu")
    assert exc.value.message_dict["household_id"] == ["该住户不在您的走访分工内。"]


def test_grid_worker_records_in_their_grid(survey, answer):
    r, _ = answer(household="2-1-101", respondent="wangwu", actor="grid_worker")
    assert r.status == "valid"


def test_household_outside_area_is_refused(survey, answer):
    with pytest.raises(ValidationError) as exc:
        answer(household="ot-1-1-101", respondent="zhaoliu", actor="staff")
    assert exc.value.message_dict["household_id"] == ["该住户不在本次调查范围内。"]


def test_paper_answer_needs_its_sheet_photo(survey, answer):
    with pytest.raises(ValidationError) as exc:
        answer(channel="paper", actor="staff")
    assert exc.value.message_dict["photo"] == ["纸质问卷请上传签字页照片。"]
    r, _ = answer(channel="paper", actor="staff", photo=JPEG)
    assert r.channel == "paper" and r.entered_by == survey.users["staff"]
    assert r.sheet_photo.name.endswith(".jpg")


def test_oversized_photo_is_refused(survey, answer):
    with pytest.raises(ValidationError) as exc:
        answer(channel="paper", actor="staff", photo=b"\xff\xd8\xff" + b"0" * (3 * 1024 * 1024))
    assert exc.value.message_dict["photo"] == ["照片不能超过2MB，请压缩后再上传。"]


def test_visit_replay(survey, visit):
    v, replayed = visit(client="v-1")
    again, replayed2 = visit(client="v-1", outcome="refused")
    assert (replayed, replayed2, again.pk) == (False, True, v.pk)
    assert Visit.objects.count() == 1


def test_closed_campaign_refuses(survey, visit):
    services.campaign_close(actor=survey.users["staff"], campaign=survey.campaign)
    with pytest.raises(ValidationError):
        visit()


def test_sync_keeps_good_records_and_refuses_bad_ones(survey):
    c = survey.campaign
    hh = survey.households
    now = timezone.now().isoformat()
    records = [
        {
            "type": "visit",
            "client_id": "a",
            "campaign_id": c.pk,
            "household_id": hh["1-1-101"].pk,
            "outcome": "answered",
            "visited_at": now,
        },
        {
            "type": "visit",
            "client_id": "b",
            "campaign_id": c.pk,
            "household_id": hh["2-1-101"].pk,
            "outcome": "answered",
            "visited_at": now,
        },
        {
            "type": "response",
            "client_id": "c",
            "campaign_id": c.pk,
            "household_id": hh["1-1-101"].pk,
            "version_id": survey.version.pk,
            "answers": {"support": "支持", "needs": ["停车"]},
            "respondent_id": survey.residents["zhangsan"].pk,
            "consent": True,
            "answered_at": now,
            "visit_client_id": "a",
        },
        "not a record",
        {"type": "visit", "client_id": "d", "campaign_id": c.pk, "household_id": "x"},
        {
            "type": "response",
            "client_id": "e",
            "campaign_id": c.pk,
            "household_id": hh["1-2-201"].pk,
            "version_id": survey.version.pk,
            "answers": {"support": "支持"},
            "respondent_id": survey.residents["lisi"].pk,
            "consent": True,
            "answered_at": now,
            "photo": "data:image/jpeg;base64," + "A" * 3_000_000,
        },
    ]
    out = services.sync_apply(actor=survey.users["volunteer"], records=records)
    assert [r["status"] for r in out] == ["ok", "error", "ok", "error", "error", "error"]
    assert out[1]["error"] == "该住户不在您的走访分工内。"
    assert out[3]["error"] == "记录格式不正确。"
    assert "照片不能超过2MB" in out[5]["error"]
    assert Visit.objects.count() == 1 and Response.objects.count() == 1
    assert Response.objects.get().visit.client_id == "a"
    again = services.sync_apply(actor=survey.users["volunteer"], records=records)
    assert [r["status"] for r in again] == [
        "replayed",
        "error",
        "replayed",
        "error",
        "error",
        "error",
    ]
    assert Visit.objects.count() == 1 and Response.objects.count() == 1


def test_visit_log_raises_a_voices_item(survey):
    log = services.visit_log_record(
        actor=survey.users["grid"],
        household=survey.households["1-1-101"],
        aim="worry",
        heard="楼道灯坏了，晚上看不见。",
        visited_on=timezone.localdate(),
        raise_item=True,
        resident=survey.residents["zhangsan"],
    )
    assert log.item is not None
    item = Item.objects.get(pk=log.item_id)
    assert "楼道灯" in item.text
    assert VisitLog.objects.count() == 1


def test_visit_log_outside_reach(survey):
    with pytest.raises(Http404):
        services.visit_log_record(
            actor=survey.users["grid"],
            household=survey.households["2-1-101"],
            aim="worry",
            heard="越界",
            visited_on=timezone.localdate(),
        )


def test_building_survey(survey):
    staff = survey.users["staff"]
    base = services.base_survey_create(
        actor=staff,
        community=survey.wj,
        name="楼栋摸排",
        starts_on=dt.date(2026, 1, 1),
        target_on=dt.date(2026, 1, 14),
    )
    rec = services.building_survey_record(
        actor=survey.users["grid"],
        base_survey=base,
        building=survey.b1,
        surveyed_on=dt.date(2026, 1, 3),
        structure="brick_concrete",
        floors=6,
        year_built=1992,
        gas="overhead",
        water="underground",
        power="overhead",
        comms="overhead",
        illegal_count=2,
        illegal_kind="楼顶加建",
    )
    assert rec.grid_id == survey.g1.pk
    with pytest.raises(ValidationError) as exc:
        services.building_survey_record(
            actor=survey.users["grid"],
            base_survey=base,
            building=survey.b1,
            surveyed_on=dt.date(2026, 1, 3),
            structure="brick_concrete",
            floors=6,
        )
    assert exc.value.message_dict["building"] == ["这栋楼已经摸排过了。"]
    with pytest.raises(Http404):
        services.building_survey_record(
            actor=survey.users["grid"],
            base_survey=base,
            building=survey.b2,
            surveyed_on=dt.date(2026, 1, 3),
            structure="frame",
            floors=6,
        )


def test_campaign_model_str(survey):
    assert str(Campaign.objects.get()) == "望江片区改造入户调查"
