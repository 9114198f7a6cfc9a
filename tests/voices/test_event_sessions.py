"""Opinion-gathering events: recording one, who may, what is refused in Chinese, the list
with its opinion counts in one query, and the all-or-nothing bulk entry page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.voices import selectors, services
from gongzhi.voices.enums import Channel, EventFormat, ItemKind
from gongzhi.voices.models import EventSession, Item

TODAY = timezone.localdate


def make_session(world, *, community=None, actor="staff", title="甘露园坝坝龙门阵", **kwargs):
    return services.event_session_create(
        actor=world.users[actor],
        community=community or world.wj,
        title=title,
        format=kwargs.pop("format", EventFormat.BABA_LONGMENZHEN),
        held_on=kwargs.pop("held_on", TODAY() - dt.timedelta(days=1)),
        **kwargs,
    )


def enter(world, session, texts, actor="staff"):
    return services.items_submit_from_event(
        actor=world.users[actor], event_session=session, rows=[{"text": t} for t in texts]
    )


def rows_post(rows, *, action="save", total=None):
    data = {"rows-TOTAL_FORMS": str(total or len(rows)), "rows-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        for name, value in row.items():
            data[f"rows-{i}-{name}"] = value
    return {**data, "action": action}


def text_of(response) -> str:
    return response.content.decode()


# --- the service ------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["staff", "secretary"])
def test_community_staff_record_an_event_and_it_is_audited(world, actor):
    session = make_session(world, actor=actor, place="甘露园广场", attendance=46)

    stored = EventSession.objects.get()
    assert stored == session
    assert (stored.community, stored.title, stored.place, stored.attendance) == (
        world.wj,
        "甘露园坝坝龙门阵",
        "甘露园广场",
        46,
    )
    assert stored.created_by == world.users[actor]
    audit = AuditEvent.objects.get(action="voices.event_session.created")
    assert audit.object_id == str(session.pk)
    assert audit.actor == world.users[actor]


@pytest.mark.parametrize(
    ("actor", "error"),
    [
        ("grid", PermissionDenied),  # sees the community that holds their grid
        ("subdistrict", PermissionDenied),  # reads the community, does not enter for it
        ("building", PermissionDenied),
        ("resident", PermissionDenied),  # sees the community their home is in
        ("other_staff", Http404),  # another community's staff
        ("nobody", Http404),
    ],
)
def test_others_may_not_record_an_event(world, actor, error):
    with pytest.raises(error):
        make_session(world, actor=actor)
    assert EventSession.objects.count() == 0
    assert not AuditEvent.objects.filter(action="voices.event_session.created").exists()


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"title": "   "}, "title", "请填写活动名称。"),
        ({"title": "龙" * 121}, "title", "活动名称不能超过120字。"),
        ({"format": "party"}, "format", "请选择活动形式。"),
        ({"held_on": None}, "held_on", "请填写活动日期。"),
        ({"held_on": TODAY() + dt.timedelta(days=1)}, "held_on", "活动日期不能晚于今天。"),
        ({"attendance": -1}, "attendance", "参与人次应在0到100000之间。"),
        ({"attendance": 100_001}, "attendance", "参与人次应在0到100000之间。"),
        ({"place": "广" * 121}, "place", "地点不能超过120字。"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(world, kwargs, field, message):
    with pytest.raises(ValidationError) as caught:
        make_session(world, **kwargs)
    assert caught.value.message_dict[field] == [message]
    assert EventSession.objects.count() == 0


def test_the_limits_themselves_are_accepted(world):
    session = make_session(world, title="龙" * 120, held_on=TODAY(), attendance=100_000)
    assert (len(session.title), session.held_on, session.attendance) == (120, TODAY(), 100_000)


def test_each_sees_the_events_of_their_own_reach(world):
    ours = make_session(world)
    theirs = make_session(world, community=world.ot, actor="other_staff", title="外社区恳谈会")
    u = world.users

    def seen(name):
        return list(selectors.event_session_list_visible_to(u[name]))

    assert seen("staff") == [ours]
    assert seen("other_staff") == [theirs]
    assert set(seen("subdistrict")) == {ours, theirs}
    assert seen("grid") == []
    assert seen("resident") == []


# --- the list page ----------------------------------------------------------------------


def test_the_list_counts_the_opinions_of_each_event(world, categories, login):
    first = make_session(world, title="第一场恳谈会", held_on=TODAY() - dt.timedelta(days=3))
    second = make_session(world, title="第二场龙门阵")
    enter(world, first, ["楼道灯不亮", "垃圾桶不够"])
    response = login(world.users["staff"]).get("/voices/events/")

    page = response.context["page"]
    assert response.status_code == 200
    assert [(s.title, s.opinion_count) for s in page] == [("第二场龙门阵", 0), ("第一场恳谈会", 2)]
    assert f'href="/voices/events/{second.pk}/entry/"' in text_of(response)


def test_the_list_runs_the_same_queries_for_one_event_or_three(world, categories, login):
    client = login(world.users["staff"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/voices/events/")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    session = make_session(world, title="第1场")
    enter(world, session, ["一条意见"])
    one = count()
    for n in (2, 3):
        session = make_session(world, title=f"第{n}场")
        enter(world, session, ["意见甲", "意见乙"])
    assert count() == one
    assert "第3场" in text_of(client.get("/voices/events/"))


def test_the_list_shows_a_grid_chief_no_event_and_other_communities_nothing(world, login):
    make_session(world, title="望江恳谈会")
    make_session(world, community=world.ot, actor="other_staff", title="外社区恳谈会")

    grid = login(world.users["grid"]).get("/voices/events/")
    assert grid.status_code == 200
    assert list(grid.context["page"]) == []
    assert "望江恳谈会" not in text_of(grid)
    staff = login(world.users["staff"]).get("/voices/events/")
    assert "外社区恳谈会" not in text_of(staff)


def test_the_staff_inbox_links_to_the_events(world, login):
    response = login(world.users["staff"]).get("/voices/inbox/")
    assert 'href="/voices/events/"' in text_of(response)


# --- creating an event ------------------------------------------------------------------


def test_staff_create_an_event_and_go_on_to_enter_its_opinions(world, login):
    client = login(world.users["staff"])
    form = client.get("/voices/events/new/")
    assert form.status_code == 200
    assert "坝坝龙门阵" in text_of(form)

    response = client.post(
        "/voices/events/new/",
        {
            "community": world.wj.pk,
            "title": "民安巷恳谈会",
            "format": EventFormat.HEART_TO_HEART,
            "held_on": (TODAY() - dt.timedelta(days=2)).isoformat(),
            "place": "社区活动室",
            "attendance": "23",
        },
    )
    session = EventSession.objects.get()
    assert response.status_code == 302
    assert response.url == f"/voices/events/{session.pk}/entry/"
    assert (session.title, session.format, session.attendance) == (
        "民安巷恳谈会",
        EventFormat.HEART_TO_HEART,
        23,
    )


def test_a_future_date_is_refused_beside_the_field_and_the_title_is_kept(world, login):
    response = login(world.users["staff"]).post(
        "/voices/events/new/",
        {
            "community": world.wj.pk,
            "title": "还没开的论坛",
            "format": EventFormat.RENEWAL_FORUM,
            "held_on": (TODAY() + dt.timedelta(days=5)).isoformat(),
            "attendance": "0",
        },
    )
    assert response.status_code == 400
    assert "活动日期不能晚于今天。" in text_of(response)
    assert 'value="还没开的论坛"' in text_of(response)
    assert EventSession.objects.count() == 0


def test_a_grid_chief_is_refused_the_create_page(world, login):
    client = login(world.users["grid"])
    assert client.get("/voices/events/new/").status_code == 403
    response = client.post(
        "/voices/events/new/",
        {"community": world.wj.pk, "title": "越权", "format": "other", "held_on": "2026-01-01"},
    )
    assert response.status_code == 403
    assert EventSession.objects.count() == 0


def test_another_communitys_staff_cannot_create_for_ours(world, login):
    response = login(world.users["other_staff"]).post(
        "/voices/events/new/",
        {"community": world.wj.pk, "title": "越界", "format": "other", "held_on": "2026-01-01"},
    )
    assert response.status_code == 404
    assert EventSession.objects.count() == 0


# --- bulk entry -------------------------------------------------------------------------


def test_the_entry_page_offers_ten_empty_rows_and_more_with_htmx(world, login):
    session = make_session(world)
    client = login(world.users["staff"])
    page = client.get(f"/voices/events/{session.pk}/entry/")
    text = text_of(page)
    assert page.status_code == 200
    assert 'name="rows-TOTAL_FORMS" value="10"' in text
    assert 'name="rows-9-text"' in text and 'name="rows-10-text"' not in text
    assert f'hx-get="/voices/events/{session.pk}/entry/row/"' in text

    row = client.get(f"/voices/events/{session.pk}/entry/row/", {"rows-TOTAL_FORMS": "10"})
    assert row.status_code == 200
    assert 'name="rows-10-text"' in text_of(row)
    assert "第11行意见内容" in text_of(row)
    assert 'id="id_rows-TOTAL_FORMS" hx-swap-oob="true"' in text_of(row)
    assert 'value="11"' in text_of(row)


def test_without_javascript_more_rows_keep_what_was_typed(world, login):
    session = make_session(world)
    response = login(world.users["staff"]).post(
        f"/voices/events/{session.pk}/entry/",
        rows_post(
            [{"text": "健身器材坏了", "building": "1", "reporter_name": "刘阿姨"}], action="more"
        ),
    )
    text = text_of(response)
    assert response.status_code == 200
    assert "健身器材坏了" in text and 'value="刘阿姨"' in text
    assert 'name="rows-TOTAL_FORMS" value="10"' in text
    assert Item.objects.count() == 0


def test_every_row_becomes_an_item_of_the_event(world, categories, login):
    session = make_session(world)
    client = login(world.users["staff"])
    response = client.post(
        f"/voices/events/{session.pk}/entry/",
        rows_post(
            [
                {"text": "1栋门口路灯不亮", "building": "1栋", "reporter_name": "刘阿姨"},
                {"text": "", "building": "", "reporter_name": ""},
                {"text": "希望小区多装几个充电桩", "building": "", "reporter_name": ""},
            ],
            total=10,
        ),
    )
    items = list(Item.objects.order_by("pk"))
    assert response.status_code == 302
    assert response.url == f"/voices/events/{session.pk}/"
    assert [i.text for i in items] == ["1栋门口路灯不亮", "希望小区多装几个充电桩"]
    assert {(i.event_session_id, i.channel, i.kind) for i in items} == {
        (session.pk, Channel.EVENT, ItemKind.SUGGESTION)
    }
    assert items[0].building == world.b1
    assert items[0].reporters.get().name == "刘阿姨"
    assert items[1].building is None

    summary = client.get(response.url)
    text = text_of(summary)
    assert "已录入2条意见" in text
    assert all(i.number in text for i in items)
    listed = client.get("/voices/events/")
    assert [s.opinion_count for s in listed.context["page"]] == [2]


def test_one_bad_row_writes_nothing_and_keeps_every_row(world, categories, login):
    session = make_session(world)
    response = login(world.users["staff"]).post(
        f"/voices/events/{session.pk}/entry/",
        rows_post(
            [
                {"text": "楼道堆放杂物", "building": "1", "reporter_name": "刘阿姨"},
                {"text": "", "building": "", "reporter_name": ""},
                {"text": "   ", "building": "", "reporter_name": "王大爷"},
                {"text": "停车位太少", "building": "", "reporter_name": "陈师傅"},
            ]
        ),
    )
    text = text_of(response)
    forms = response.context["formset"].forms
    assert response.status_code == 400
    assert Item.objects.count() == 0
    # The empty row is dropped, so the refused row is the second one on the page too.
    assert forms[1].non_field_errors() == ["第2行：请填写诉求内容。"]
    assert forms[0].errors == {} and forms[2].errors == {}
    assert "楼道堆放杂物" in text and "停车位太少" in text
    assert 'value="王大爷"' in text and 'value="陈师傅"' in text
    assert "有 1 行需要修改" in text


def test_an_unknown_building_is_refused_beside_its_row(world, categories, login):
    session = make_session(world)
    response = login(world.users["staff"]).post(
        f"/voices/events/{session.pk}/entry/",
        rows_post(
            [
                {"text": "楼顶漏水", "building": "9", "reporter_name": ""},
                {"text": "门禁坏了", "building": "2号楼", "reporter_name": ""},
            ]
        ),
    )
    forms = response.context["formset"].forms
    assert response.status_code == 400
    assert forms[0].errors == {"building": ["本社区没有9栋。"]}
    assert forms[1].errors == {}
    assert "楼顶漏水" in text_of(response) and "门禁坏了" in text_of(response)
    assert Item.objects.count() == 0


def test_markup_in_a_row_is_kept_inert(world, categories, login):
    session = make_session(world)
    script = "<script>alert(1)</script>"
    response = login(world.users["staff"]).post(
        f"/voices/events/{session.pk}/entry/",
        rows_post([{"text": script, "building": "", "reporter_name": "x" * 51}]),
    )
    text = text_of(response)
    assert response.status_code == 400
    assert "第1行：姓名不能超过50个字。" in text
    assert script not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_nothing_typed_is_refused(world, login):
    session = make_session(world)
    response = login(world.users["staff"]).post(
        f"/voices/events/{session.pk}/entry/", rows_post([{"text": ""}], total=10)
    )
    assert response.status_code == 400
    assert "没有可录入的意见。" in text_of(response)


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("staff", 200),
        ("secretary", 200),
        ("subdistrict", 403),  # reads the event, does not enter for it
        ("grid", 404),  # the event belongs to the community, not to the grid
        ("other_staff", 404),
        ("resident", 404),
    ],
)
def test_who_may_open_the_entry_page(world, login, actor, status):
    session = make_session(world)
    client = login(world.users[actor])
    assert client.get(f"/voices/events/{session.pk}/entry/").status_code == status
    posted = client.post(
        f"/voices/events/{session.pk}/entry/", rows_post([{"text": "越权录入的意见"}])
    )
    assert posted.status_code == (302 if status == 200 else status)
    assert Item.objects.count() == (1 if status == 200 else 0)


def test_the_event_page_runs_the_same_queries_for_one_opinion_or_three(world, categories, login):
    session = make_session(world)
    client = login(world.users["staff"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/voices/events/{session.pk}/")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    enter(world, session, ["意见一"])
    one = count()
    enter(world, session, ["意见二", "意见三"])
    assert count() == one
