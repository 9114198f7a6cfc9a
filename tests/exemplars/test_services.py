"""Nominations, stories, consent and commendations through their services."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from PIL import Image

from gongzhi.core.models import AuditEvent
from gongzhi.deliberation import services as deliberation
from gongzhi.exemplars import selectors, services
from gongzhi.exemplars.enums import Category, ConsentMethod, NominationStatus, Source, StoryStatus
from gongzhi.exemplars.models import Commendation, Consent, Nomination, NominationEvent, Story

from .conftest import png


def _messages(exc) -> str:
    return " ".join(exc.value.messages)


# --- nominations ---------------------------------------------------------------------------


def test_a_resident_recommends_a_neighbour_found_in_the_register(world, nominate):
    n = nominate()
    assert (n.source, n.status, n.nominee, n.community, n.grid) == (
        Source.RECOMMENDED,
        NominationStatus.NOMINATED,
        world.residents["lisi"],
        world.wj,
        world.g1,
    )
    assert n.nominator == world.residents["zhangsan"]
    assert list(n.events.values_list("status", flat=True)) == ["nominated"]
    assert AuditEvent.objects.filter(action="exemplars.nomination.submitted").count() == 1


def test_a_resident_nominates_themself(world, nominate):
    n = nominate(myself=True, nominee_name="")
    assert (n.source, n.nominee, n.nominee_name) == (
        Source.SELF,
        world.residents["zhangsan"],
        "张三",
    )


def test_a_name_the_register_does_not_know_waits_for_staff(world, nominate):
    n = nominate(nominee_name="钱七")
    assert (n.nominee, n.grid) == (None, world.g1)


def test_staff_record_one_the_community_found(world):
    n = services.nomination_submit(
        actor=world.users["staff"],
        category=Category.VOLUNTEER,
        reasons="常年参加环境焕新志愿服务",
        nominee=world.residents["wangwu"],
    )
    assert (n.source, n.grid, n.nominator) == (Source.COMMUNITY, world.g2, None)


def test_staff_cannot_name_a_resident_outside_their_reach(world):
    with pytest.raises(Http404):
        services.nomination_submit(
            actor=world.users["staff"],
            category=Category.VOLUNTEER,
            reasons="越界",
            nominee=world.residents["zhaoliu"],
        )
    assert Nomination.objects.count() == 0


@pytest.mark.parametrize(
    "kwargs, field, words",
    [
        ({"category": "nope"}, "category", "请选择推荐的类别"),
        ({"reasons": "  "}, "reasons", "请写一写推荐的理由"),
        ({"nominee_name": ""}, "nominee_name", "请填写被推荐人的姓名"),
        ({"reasons": "好" * 801}, "reasons", "不能超过800字"),
    ],
)
def test_bad_nominations_are_refused_in_chinese(world, nominate, kwargs, field, words):
    with pytest.raises(ValidationError) as exc:
        nominate(**kwargs)
    assert field in exc.value.message_dict
    assert words in " ".join(exc.value.message_dict[field])
    assert Nomination.objects.count() == 0


def test_a_login_without_a_household_cannot_nominate(world, nominate):
    with pytest.raises(Http404):
        nominate(actor=world.users["nobody"])


def test_review_accept_and_the_talent_pool_is_linked(world, nominate):
    staff = world.users["staff"]
    talent = deliberation.talent_propose(
        actor=staff,
        name="李四",
        title="skilled",
        skills="修理家电",
        resident=world.residents["lisi"],
        community=world.wj,
    )
    deliberation.talent_review(actor=staff, talent=talent, approve=True)
    n = services.nomination_review(
        actor=staff, nomination=nominate(), nominee=world.residents["lisi"]
    )
    assert (n.status, n.talent) == (NominationStatus.UNDER_REVIEW, talent)
    n = services.nomination_accept(actor=staff, nomination=n, reason="事迹属实")
    assert (n.status, n.decision_reason) == (NominationStatus.ACCEPTED, "事迹属实")
    assert list(n.events.values_list("status", flat=True)) == [
        "nominated",
        "under_review",
        "accepted",
    ]


def test_accepting_before_the_review_is_refused(world, nominate):
    with pytest.raises(ValidationError) as exc:
        services.nomination_accept(actor=world.users["staff"], nomination=nominate())
    assert "不能改为“已采纳”" in _messages(exc)


def test_decline_needs_a_reason_and_is_final(world, nominate):
    staff = world.users["staff"]
    n = nominate()
    with pytest.raises(ValidationError) as exc:
        services.nomination_decline(actor=staff, nomination=n, reason=" ")
    assert "请写明未采纳的原因" in _messages(exc)
    n = services.nomination_decline(actor=staff, nomination=n, reason="事迹无法核实")
    assert n.status == NominationStatus.DECLINED
    with pytest.raises(ValidationError):
        services.nomination_review(actor=staff, nomination=n, nominee=world.residents["lisi"])


def test_the_nominee_must_live_in_the_nominations_community(world, nominate):
    with pytest.raises(ValidationError) as exc:
        services.nomination_review(
            actor=world.users["admin"], nomination=nominate(), nominee=world.residents["zhaoliu"]
        )
    assert "本社区在住的居民" in _messages(exc)


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("admin", True),
        ("subdistrict", True),
        ("secretary", True),
        ("staff", True),
        ("grid", True),
        ("grid_worker", False),  # grid 2: 李四 lives in grid 1
        ("building", False),
        ("entrance", False),
        ("resident", False),
        ("partner", False),
        ("other_staff", False),
        ("nobody", False),
    ],
)
def test_who_may_review(world, nominate, role, allowed):
    n = nominate()
    try:
        services.nomination_review(
            actor=world.users[role], nomination=n, nominee=world.residents["lisi"]
        )
        done = True
    except (Http404, PermissionDenied):
        done = False
    assert done == allowed
    assert Nomination.objects.get(pk=n.pk).status == (
        NominationStatus.UNDER_REVIEW if allowed else NominationStatus.NOMINATED
    )


def test_the_review_list_is_scoped(world, nominate):
    nominate()  # 李四, grid 1
    services.nomination_submit(
        actor=world.users["staff"],
        category=Category.VOLUNTEER,
        reasons="志愿服务",
        nominee=world.residents["wangwu"],
    )
    names = lambda role: sorted(  # noqa: E731
        selectors.nominations_for_review(world.users[role]).values_list("nominee_name", flat=True)
    )
    assert names("staff") == ["李四", "王五"]
    assert names("grid") == ["李四"]
    assert names("grid_worker") == ["王五"]
    assert names("other_staff") == []
    assert names("resident") == []


# --- stories and consent -----------------------------------------------------------------


def test_a_story_needs_an_accepted_nomination(world, nominate):
    with pytest.raises(ValidationError) as exc:
        services.story_create(
            actor=world.users["staff"], nomination=nominate(), title="t", text="x"
        )
    assert "只有已采纳的推荐" in _messages(exc)


def test_grid_chiefs_review_but_do_not_publish(world, accepted):
    with pytest.raises(PermissionDenied):
        services.story_create(actor=world.users["grid"], nomination=accepted, title="t", text="x")


def test_publishing_without_consent_is_refused_in_chinese(world, story):
    with pytest.raises(ValidationError) as exc:
        services.story_publish(actor=world.users["staff"], story=story)
    assert "还没有记录本人同意公开，不能发布" in _messages(exc)
    assert Story.objects.get(pk=story.pk).status == StoryStatus.DRAFT


def test_published_with_consent_reaches_the_community_only(world, published):
    assert published.status == StoryStatus.PUBLISHED
    for role in ["resident", "grid", "staff", "subdistrict", "admin"]:
        assert list(selectors.stories_public(world.users[role])) == [published], role
    for role in ["other_staff", "nobody", "partner"]:
        assert list(selectors.stories_public(world.users[role])) == [], role


def test_the_nominations_reasons_never_reach_the_story(world, published):
    assert "13812345678" not in published.text
    assert "买菜" not in published.title


def test_withdrawing_consent_unpublishes_at_once(world, published):
    consent = services.consent_withdraw(
        actor=world.users["staff"], story=published, note="本人电话告知不愿公开"
    )
    story = Story.objects.get(pk=published.pk)
    assert (story.status, story.withdraw_reason) == (StoryStatus.WITHDRAWN, "本人撤回同意")
    assert consent.withdrawn_by == world.users["staff"]
    assert list(selectors.stories_public(world.users["resident"])) == []


def test_a_withdrawn_story_needs_a_new_consent_to_return(world, published):
    staff = world.users["staff"]
    services.consent_withdraw(actor=staff, story=published, note="撤回")
    story = services.story_redraft(actor=staff, story=published)
    with pytest.raises(ValidationError):
        services.story_publish(actor=staff, story=story)
    services.consent_record(
        actor=staff,
        story=story,
        method=ConsentMethod.SIGNED_FORM,
        given_on=dt.date(2026, 2, 1),
        form_photo=png(),
    )
    assert services.story_publish(actor=staff, story=story).status == StoryStatus.PUBLISHED
    assert Consent.objects.filter(story=story).count() == 2


@pytest.mark.parametrize(
    "kwargs, field, words",
    [
        ({"method": "email"}, "method", "请选择本人同意的方式"),
        ({"method": "signed_form"}, "form_photo", "签字同意书请拍照上传"),
        ({"method": "in_person", "note": ""}, "note", "当面同意请写明"),
        ({"given_on": dt.date(2999, 1, 1)}, "given_on", "不能晚于今天"),
    ],
)
def test_bad_consent_is_refused(world, story, kwargs, field, words):
    args = {"method": "in_person", "given_on": dt.date(2026, 1, 5), "note": "当面"} | kwargs
    with pytest.raises(ValidationError) as exc:
        services.consent_record(actor=world.users["staff"], story=story, **args)
    assert words in " ".join(exc.value.message_dict[field])
    assert Consent.objects.count() == 0


def test_consent_is_recorded_once(world, consented):
    with pytest.raises(ValidationError) as exc:
        services.consent_record(
            actor=world.users["staff"],
            story=consented,
            method="in_person",
            given_on=dt.date(2026, 1, 6),
            note="again",
        )
    assert "已经记录过本人同意" in _messages(exc)


def test_photos_lose_their_exif(world, story):
    [photo] = services.story_add_photos(
        actor=world.users["staff"], story=story, photos=[png(exif_gps=True)]
    )
    with photo.file.open("rb") as f:
        image = Image.open(io.BytesIO(f.read()))
    assert dict(image.getexif()) == {}
    assert photo.thumbnail


def test_a_file_that_is_not_a_photo_is_refused(world, story):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as exc:
        services.story_add_photos(
            actor=world.users["staff"],
            story=story,
            photos=[SimpleUploadedFile("x.png", b"<svg></svg>", "image/png")],
        )
    assert "不是有效的图片" in _messages(exc)
    assert story.photos.count() == 0


def test_staff_edit_the_published_words(world, published):
    story = services.story_edit(
        actor=world.users["staff"], story=published, title="好邻居李四", text="改过的正文"
    )
    assert selectors.story_public_or_404(world.users["resident"], story.pk).text == "改过的正文"


# --- commendations -------------------------------------------------------------------------


def test_commendations_by_year(world, published):
    staff = world.users["staff"]
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    for year, title in [(2025, Category.VOLUNTEER), (2026, Category.NEIGHBOUR)]:
        services.commendation_create(
            actor=staff,
            resident=world.residents["lisi"],
            title=title,
            year=year,
            citation="热心服务邻里",
            consent_method=ConsentMethod.IN_PERSON,
            story=published if year == 2026 else None,
            now=now,
        )
    years = selectors.by_year(selectors.commendations_public(world.users["resident"]))
    assert [(y, [c.get_title_display() for c in cs]) for y, cs in years] == [
        (2026, ["好邻居"]),
        (2025, ["最美志愿者"]),
    ]
    assert list(selectors.commendations_public(world.users["other_staff"])) == []


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"consent_method": ""}, "consent_method"),
        ({"year": 1990}, "year"),
        ({"year": 2030}, "year"),
        ({"citation": ""}, "citation"),
        ({"title": "king"}, "title"),
    ],
)
def test_bad_commendations_are_refused(world, kwargs, field):
    args = {
        "actor": world.users["staff"],
        "resident": world.residents["lisi"],
        "title": Category.VOLUNTEER,
        "year": 2025,
        "citation": "热心服务",
        "consent_method": ConsentMethod.IN_PERSON,
        "now": dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
    } | kwargs
    with pytest.raises(ValidationError) as exc:
        services.commendation_create(**args)
    assert field in exc.value.message_dict
    assert Commendation.objects.count() == 0


def test_the_same_title_twice_a_year_is_refused(world):
    args = {
        "actor": world.users["staff"],
        "resident": world.residents["lisi"],
        "title": Category.VOLUNTEER,
        "year": 2025,
        "citation": "热心服务",
        "consent_method": ConsentMethod.IN_PERSON,
    }
    services.commendation_create(**args)
    with pytest.raises(ValidationError) as exc:
        services.commendation_create(**args)
    assert "已获得本年度的这个称号" in _messages(exc)


def test_the_history_is_append_only(world, nominate):
    event = NominationEvent.objects.get(nomination=nominate())
    with pytest.raises(TypeError):
        event.save()


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("admin", True),
        ("subdistrict", True),
        ("secretary", True),
        ("staff", True),
        ("grid", False),
        ("grid_worker", False),
        ("building", False),
        ("entrance", False),
        ("resident", False),
        ("partner", False),
        ("other_staff", False),
        ("nobody", False),
    ],
)
def test_who_may_publish_and_record_consent(world, story, role, allowed):
    actor = world.users[role]
    try:
        services.consent_record(
            actor=actor, story=story, method="in_person", given_on=dt.date(2026, 1, 5), note="当面"
        )
        services.story_publish(actor=actor, story=story)
        done = True
    except (Http404, PermissionDenied):
        done = False
    assert done == allowed
    assert Story.objects.get(pk=story.pk).status == (
        StoryStatus.PUBLISHED if allowed else StoryStatus.DRAFT
    )
    assert Consent.objects.filter(story=story).exists() == allowed


def test_staff_take_a_story_down_with_a_reason(world, published):
    staff = world.users["staff"]
    with pytest.raises(ValidationError) as exc:
        services.story_withdraw(actor=staff, story=published, reason="")
    assert "请写明撤下的原因" in _messages(exc)
    story = services.story_withdraw(actor=staff, story=published, reason="内容需要更新")
    assert (story.status, story.withdraw_reason) == (StoryStatus.WITHDRAWN, "内容需要更新")
    assert list(selectors.stories_public(world.users["resident"])) == []
    # The consent stands: taken up again, the story may be published once more.
    services.story_redraft(actor=staff, story=story)
    assert services.story_publish(actor=staff, story=story).status == StoryStatus.PUBLISHED


def test_a_withdrawn_story_is_not_edited(world, published):
    staff = world.users["staff"]
    services.story_withdraw(actor=staff, story=published, reason="下线")
    with pytest.raises(ValidationError) as exc:
        services.story_edit(actor=staff, story=published, title="新", text="新")
    assert "故事已撤下" in _messages(exc)


@pytest.mark.parametrize("text", ["有事请打13812345678", "住在3-2-501的李四"])
def test_the_public_words_carry_no_phone_or_door(world, accepted, text):
    with pytest.raises(ValidationError) as exc:
        services.story_create(
            actor=world.users["staff"], nomination=accepted, title="李四", text=text
        )
    assert "公开的内容里不能有电话、身份证号、门牌号" in _messages(exc)
    assert Story.objects.count() == 0
