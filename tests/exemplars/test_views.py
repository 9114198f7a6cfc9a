"""The exemplar pages: a resident nominates in three steps, staff review, write, record
consent and publish (each irreversible step asked first), the story reaches the community
only, and every list costs the same queries for one row as for several."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.exemplars import services
from gongzhi.exemplars.enums import Category, ConsentMethod, NominationStatus, StoryStatus
from gongzhi.exemplars.models import Commendation, Consent, Nomination, Story

from .conftest import png


def test_a_resident_nominates_a_neighbour_in_three_steps(world, login):
    client = login(world.users["resident"])
    step1 = client.get("/exemplars/nominate/").content.decode()
    assert "第1步" in step1 and "推荐一位邻居" in step1 and "推荐我自己" in step1
    step2 = client.get("/exemplars/nominate/", {"who": "neighbour"}).content.decode()
    assert "第2步" in step2 and "被推荐人姓名" in step2
    done = client.post(
        "/exemplars/nominate/",
        {
            "who": "neighbour",
            "nominee_name": "李四",
            "nominee_hint": "1栋2单元",
            "category": "neighbour",
            "reasons": "天天帮忙买菜",
        },
    )
    assert done.status_code == 200
    assert "推荐已提交" in done.content.decode() and "第3步" in done.content.decode()
    n = Nomination.objects.get()
    assert (n.nominee, n.source, n.reasons) == (
        world.residents["lisi"],
        "recommended",
        "天天帮忙买菜",
    )


def test_a_refused_nomination_keeps_what_was_typed(world, login):
    client = login(world.users["resident"])
    response = client.post(
        "/exemplars/nominate/",
        {"who": "neighbour", "nominee_name": "", "category": "neighbour", "reasons": "好人好事"},
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "请填写被推荐人的姓名。" in page and "好人好事" in page
    assert Nomination.objects.count() == 0


def test_self_nomination_skips_the_name(world, login):
    client = login(world.users["resident"])
    page = client.get("/exemplars/nominate/", {"who": "self"}).content.decode()
    assert "被推荐人姓名" not in page
    client.post(
        "/exemplars/nominate/",
        {"who": "self", "category": "volunteer", "reasons": "我坚持巡楼"},
    )
    assert Nomination.objects.get().nominee == world.residents["zhangsan"]


@pytest.mark.parametrize("role", ["staff", "grid", "nobody", "partner"])
def test_only_residents_nominate_on_the_resident_page(world, login, role):
    assert login(world.users[role]).get("/exemplars/nominate/").status_code == 404


def test_staff_review_decline_asks_first_and_needs_a_reason(world, login, nominate):
    n = nominate()
    client = login(world.users["staff"])
    page = client.get(f"/exemplars/review/{n.pk}/").content.decode()
    assert "李四每天帮独居的张奶奶买菜" in page  # the reasons are for staff
    client.post(
        f"/exemplars/review/{n.pk}/confirm-nominee/", {"nominee": world.residents["lisi"].pk}
    )
    assert Nomination.objects.get(pk=n.pk).status == NominationStatus.UNDER_REVIEW
    first = client.post(f"/exemplars/review/{n.pk}/decide/", {"decision": "decline", "reason": ""})
    assert "请确认：不采纳这条推荐" in first.content.decode()
    assert Nomination.objects.get(pk=n.pk).status == NominationStatus.UNDER_REVIEW
    refused = client.post(
        f"/exemplars/review/{n.pk}/decide/", {"decision": "decline", "reason": "", "confirm": "1"}
    )
    assert refused.status_code == 422
    assert "请写明未采纳的原因。" in refused.content.decode()
    client.post(
        f"/exemplars/review/{n.pk}/decide/",
        {"decision": "decline", "reason": "无法核实", "confirm": "1"},
    )
    n.refresh_from_db()
    assert (n.status, n.decision_reason) == (NominationStatus.DECLINED, "无法核实")


def test_staff_accept_write_consent_and_publish(world, login, nominate):
    n = nominate()
    staff = login(world.users["staff"])
    staff.post(
        f"/exemplars/review/{n.pk}/confirm-nominee/", {"nominee": world.residents["lisi"].pk}
    )
    staff.post(
        f"/exemplars/review/{n.pk}/decide/", {"decision": "accept", "reason": "", "confirm": "1"}
    )
    response = staff.post(
        f"/exemplars/review/{n.pk}/story/",
        {"title": "好邻居李四", "text": "李四三年如一日照顾老人。"},
    )
    story = Story.objects.get()
    assert response["Location"] == f"/exemplars/manage/stories/{story.pk}/"
    # Publishing without consent: asked first, then refused in Chinese.
    ask = staff.post(f"/exemplars/manage/stories/{story.pk}/publish/")
    assert "请确认：发布这个故事" in ask.content.decode()
    refused = staff.post(
        f"/exemplars/manage/stories/{story.pk}/publish/", {"confirm": "1"}, follow=True
    )
    assert "还没有记录本人同意公开，不能发布" in refused.content.decode()
    assert Story.objects.get().status == StoryStatus.DRAFT
    staff.post(
        f"/exemplars/manage/stories/{story.pk}/consent/",
        {"method": "signed_form", "given_on": "2026-01-05", "note": "", "form_photo": png()},
    )
    consent = Consent.objects.get()
    assert consent.recorded_by == world.users["staff"] and consent.form_photo
    assert (
        staff.get(f"/exemplars/manage/stories/{story.pk}/consent/{consent.pk}/form/").status_code
        == 200
    )
    staff.post(
        f"/exemplars/manage/stories/{story.pk}/photos/", {"photos": [png("a.png"), png("b.png")]}
    )
    assert story.photos.count() == 2
    staff.post(f"/exemplars/manage/stories/{story.pk}/publish/", {"confirm": "1"})
    assert Story.objects.get().status == StoryStatus.PUBLISHED
    resident = login(world.users["resident"])
    assert "好邻居李四" in resident.get("/exemplars/").content.decode()
    page = resident.get(f"/exemplars/stories/{story.pk}/").content.decode()
    assert "李四三年如一日照顾老人。" in page
    assert "买菜" not in page  # the nomination's reasons never reach the public page
    photo = story.photos.first()
    assert resident.get(f"/exemplars/stories/{story.pk}/photos/{photo.pk}/").status_code == 200
    # The signed form is never public.
    assert (
        resident.get(f"/exemplars/manage/stories/{story.pk}/consent/{consent.pk}/form/").status_code
        == 404
    )


def test_withdrawing_consent_asks_first_and_unpublishes(world, login, published):
    staff = login(world.users["staff"])
    url = f"/exemplars/manage/stories/{published.pk}/consent/withdraw/"
    assert "请确认：本人撤回同意" in staff.post(url).content.decode()
    assert Story.objects.get().status == StoryStatus.PUBLISHED
    staff.post(url, {"note": "本人来电撤回", "confirm": "1"})
    assert Story.objects.get().status == StoryStatus.WITHDRAWN
    resident = login(world.users["resident"])
    assert resident.get(f"/exemplars/stories/{published.pk}/").status_code == 404


def test_drafts_and_other_communities_are_not_found(world, login, story):
    assert login(world.users["resident"]).get(f"/exemplars/stories/{story.pk}/").status_code == 404


def test_the_story_is_for_its_community(world, login, published):
    assert (
        login(world.users["other_staff"]).get(f"/exemplars/stories/{published.pk}/").status_code
        == 404
    )
    assert (
        login(world.users["grid_worker"]).get(f"/exemplars/stories/{published.pk}/").status_code
        == 200
    )


def test_grid_chiefs_review_but_the_story_pages_are_not_theirs(world, login, story):
    grid = login(world.users["grid"])
    assert grid.get(f"/exemplars/review/{story.nomination_id}/").status_code == 200
    assert grid.get(f"/exemplars/manage/stories/{story.pk}/").status_code == 404


def test_commendations_by_year(world, login, accepted):
    staff = login(world.users["staff"])
    form = staff.get("/exemplars/manage/commendations/").content.decode()
    assert "李四" in form
    missing_consent = staff.post(
        "/exemplars/manage/commendations/",
        {
            "resident": world.residents["lisi"].pk,
            "title": "volunteer",
            "year": "2025",
            "citation": "热心服务",
            "consent_method": "",
        },
    )
    assert missing_consent.status_code == 422
    assert "表彰会公开姓名，请先征得本人同意" in missing_consent.content.decode()
    staff.post(
        "/exemplars/manage/commendations/",
        {
            "resident": world.residents["lisi"].pk,
            "title": "volunteer",
            "year": "2025",
            "citation": "热心服务",
            "consent_method": "in_person",
        },
    )
    assert Commendation.objects.count() == 1
    page = login(world.users["resident"]).get("/exemplars/commendations/").content.decode()
    assert "2025年度" in page and "最美志愿者" in page and "热心服务" in page


def test_the_resident_home_links_the_exemplars(world, login):
    page = login(world.users["resident"]).get("/").content.decode()
    assert 'href="/exemplars/"' in page and 'href="/exemplars/nominate/"' in page


# --- a constant number of queries -----------------------------------------------------------


def _more_stories(world, n, start=0):
    staff = world.users["staff"]
    for i in range(n):
        nomination = services.nomination_submit(
            actor=staff,
            category=Category.VOLUNTEER,
            reasons="志愿服务",
            nominee=world.residents["wangwu"],
        )
        nomination = services.nomination_review(
            actor=staff, nomination=nomination, nominee=world.residents["wangwu"]
        )
        nomination = services.nomination_accept(actor=staff, nomination=nomination)
        story = services.story_create(
            actor=staff, nomination=nomination, title=f"故事{i}", text="正文"
        )
        services.consent_record(
            actor=staff,
            story=story,
            method=ConsentMethod.IN_PERSON,
            given_on=dt.date(2026, 1, 1),
            note="当面",
        )
        services.story_publish(actor=staff, story=story)
        services.commendation_create(
            actor=staff,
            resident=world.residents["wangwu"],
            title=list(Category.values)[start + i],
            year=2025,
            citation="热心",
            consent_method=ConsentMethod.IN_PERSON,
        )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "role, url",
    [
        ("resident", "/exemplars/"),
        ("resident", "/exemplars/commendations/"),
        ("staff", "/exemplars/review/"),
        ("staff", "/exemplars/manage/commendations/"),
    ],
)
def test_lists_cost_the_same_for_one_row_and_many(
    world, login, role, url, django_assert_max_num_queries
):
    _more_stories(world, 1)
    client = login(world.users[role])
    one = _count(client, url)
    _more_stories(world, 3, start=1)
    with django_assert_max_num_queries(one):
        client.get(url)


def test_taking_a_story_down_asks_first(world, login, published):
    staff = login(world.users["staff"])
    url = f"/exemplars/manage/stories/{published.pk}/withdraw/"
    assert "请确认：撤下这个故事" in staff.post(url).content.decode()
    refused = staff.post(url, {"note": "", "confirm": "1"})
    assert refused.status_code == 422 and "请写明撤下的原因" in refused.content.decode()
    assert Story.objects.get().status == StoryStatus.PUBLISHED
    staff.post(url, {"note": "内容需要更新", "confirm": "1"})
    assert Story.objects.get().status == StoryStatus.WITHDRAWN
    staff.post(f"/exemplars/manage/stories/{published.pk}/redraft/")
    assert Story.objects.get().status == StoryStatus.DRAFT


def test_a_drafts_photo_is_for_staff_only(world, login, story):
    [photo] = services.story_add_photos(actor=world.users["staff"], story=story, photos=[png()])
    url = f"/exemplars/stories/{story.pk}/photos/{photo.pk}/"
    assert login(world.users["resident"]).get(url).status_code == 404
    assert login(world.users["staff"]).get(url).status_code == 200
