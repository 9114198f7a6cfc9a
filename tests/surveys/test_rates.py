"""The rates, counted from records, on the edge cases the issue names."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongzhi.surveys import selectors, services


def _rates(survey, user="staff"):
    return selectors.rates(survey.users[user], survey.campaign)


def test_nothing_recorded(survey):
    r = _rates(survey).overall
    assert r.as_dict() == {
        "households": 3,
        "reached": 0,
        "valid": 0,
        "support": 0,
        "stated": 0,
        "coverage": Decimal("0.00"),
        "valid_rate": None,
        "support_rate": None,
    }


def test_rates_move_with_records(survey, visit, answer):
    visit("1-1-101", "answered")
    answer("1-1-101")
    visit("1-2-201", "not_home")
    r = _rates(survey)
    assert (r.overall.households, r.overall.reached, r.overall.valid, r.overall.support) == (
        3,
        1,
        1,
        1,
    )
    assert r.overall.coverage == Decimal("33.33")
    assert r.overall.valid_rate == Decimal("100.00")
    # A revisit that finds them home reaches the household.
    visit("1-2-201", "answered")
    answer("1-2-201", respondent="lisi", support="不支持")
    r = _rates(survey)
    assert (r.overall.reached, r.overall.valid, r.overall.support) == (2, 2, 1)
    assert r.overall.support_rate == Decimal("50.00")
    assert [(b.label, b.households, b.reached) for b in r.buildings] == [
        ("1栋", 2, 2),
        ("2栋", 1, 0),
    ]
    assert [(g.label, g.households, g.valid) for g in r.grids] == [
        ("第一网格", 2, 2),
        ("第二网格", 1, 0),
    ]


def test_moved_out_mid_campaign_is_reached_not_valid(survey, visit):
    visit("1-1-101", "moved_out")
    r = _rates(survey).overall
    assert (r.households, r.reached, r.valid) == (3, 1, 0)
    assert r.valid_rate == Decimal("0.00")


def test_second_answer_counts_once(survey, answer):
    answer()
    answer(support="不支持")
    r = _rates(survey).overall
    assert (r.reached, r.valid, r.support) == (1, 1, 1)


def test_frozen_version_answers_still_count(survey, answer):
    answer()
    services.question_add(
        actor=survey.users["staff"],
        questionnaire=survey.questionnaire,
        key="parking",
        text="车位",
        kind="yes_no",
        required=False,
    )
    v2 = survey.questionnaire.versions.get(number=2)
    answer("1-2-201", respondent="lisi", version_id=v2.pk)
    r = _rates(survey).overall
    assert (r.valid, r.support) == (2, 2)


def test_household_outside_area_never_counts(survey, answer):
    # 赵六's household is in another community: refused, and not among the households.
    with pytest.raises(ValidationError):
        answer("ot-1-1-101", respondent="zhaoliu", actor="admin")
    assert _rates(survey).overall.households == 3


def test_grid_chief_sees_their_grid(survey, visit):
    visit("1-1-101", "refused")
    r = _rates(survey, "grid")
    assert (r.overall.households, r.overall.reached) == (2, 1)
    assert [b.label for b in r.buildings] == ["1栋"]


def test_daily_progress(survey, visit, answer):
    today = timezone.now()
    visit("1-1-101", "answered", at=today - dt.timedelta(days=2))
    answer("1-1-101", answered_at=today - dt.timedelta(days=2))
    visit("1-2-201", "not_home", at=today - dt.timedelta(days=1))
    visit("1-2-201", "refused", at=today)
    series = selectors.daily_progress(survey.users["staff"], survey.campaign)
    assert [(d["reached"], d["valid"], d["reached_total"]) for d in series] == [
        (1, 1, 1),
        (1, 0, 2),
    ]


def test_rates_take_two_queries(survey, visit, answer, django_assert_max_num_queries):
    visit("1-1-101", "answered")
    answer("1-1-101")
    user = survey.users["staff"]
    user.__dict__.pop("_gongzhi_scopes", None)
    selectors.rates(user, survey.campaign)
    with django_assert_max_num_queries(2):
        assert selectors.rates(user, survey.campaign).overall.valid == 1


def test_campaigns_touching(survey):
    assert list(selectors.campaigns_touching([survey.b2])) == [survey.campaign]
    assert list(selectors.campaigns_touching([survey.b3])) == []


def test_a_neutral_answer_takes_no_side_when_the_question_names_its_against_answer(
    survey, visit, answer
):
    # Without an against answer (the fixture's question), 无所谓 is a vote against.
    visit("1-1-101", "answered")
    answer("1-1-101", support="无所谓")
    r = _rates(survey).overall
    assert (r.valid, r.stated, r.support, r.support_rate) == (1, 1, 0, Decimal("0.00"))
    # Naming 不支持 as the against answer: 无所谓 stays valid but out of the base.
    survey.questionnaire.versions.get().questions.filter(key="support").update(
        against_value="不支持"
    )
    visit("1-2-201", "answered")
    answer("1-2-201", respondent="lisi", support="支持")
    visit("2-1-101", "answered", actor="staff")
    answer("2-1-101", actor="staff", respondent="wangwu", support="无所谓")
    r = _rates(survey).overall
    assert (r.valid, r.stated, r.support) == (3, 2, 1)
    assert r.support_rate == Decimal("50.00")  # the first 无所谓 was recorded as against


def test_the_side_an_answer_takes():
    from gongzhi.surveys.models import Question

    single = Question(
        key="s", kind="single", is_support=True, support_value="支持", against_value="不支持"
    )
    old = Question(key="s", kind="single", is_support=True, support_value="支持")
    yes_no = Question(key="s", kind="yes_no", is_support=True)
    side = services.supports_from
    assert [side([single], {"s": v}) for v in ("支持", "不支持", "无所谓")] == [True, False, None]
    assert [side([old], {"s": v}) for v in ("支持", "不支持", "无所谓")] == [True, False, False]
    assert [side([yes_no], {"s": v}) for v in (True, False)] == [True, False]
    assert side([single], {}) is None


def test_an_against_answer_must_be_another_choice(survey):
    q = services.questionnaire_create(
        actor=survey.users["staff"], community=survey.wj, title="第二份问卷"
    )
    with pytest.raises(ValidationError) as caught:
        services.question_add(
            actor=survey.users["staff"],
            questionnaire=q,
            key="support",
            text="您是否支持？",
            kind="single",
            choices=["支持", "不支持", "无所谓"],
            is_support=True,
            support_value="支持",
            against_value="支持",
        )
    assert "表示不支持的答案须是另一个选项" in str(caught.value.message_dict["against_value"])
    assert not q.versions.get().questions.exists()
