"""Activity pages: the resident's week, one-button sign-up, QR code, my activities and the
quiz; the staff list (query-count guard), create, publish, cancel with a confirmation, the
check-in page by token and by name, and the volunteer groups."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.activities import services
from gongzhi.activities.enums import ActivityKind, ActivityStatus, OutreachFormat
from gongzhi.activities.models import Activity, CheckIn, Signup

pytestmark = pytest.mark.django_db


def soon(hours=1, length=2):
    start = timezone.now().replace(microsecond=0) + dt.timedelta(hours=hours)
    return start, start + dt.timedelta(hours=length)


@pytest.fixture
def live(world, make_activity):
    """An activity starting in an hour (check-in is open), published."""
    start, end = soon()
    return make_activity(starts_at=start, ends_at=end, now=None)


def login(client, world, role):
    client.force_login(world.users[role])
    return client


def test_resident_signs_up_in_three_steps(client, world, live):
    login(client, world, "resident")
    home = client.get("/")
    assert reverse("activities:near") in home.content.decode()
    near = client.get(reverse("activities:near"))
    assert "楼道清洁" in near.content.decode()
    page = client.get(reverse("activities:detail", args=[live.pk]))
    assert "我要报名" in page.content.decode()
    response = client.post(reverse("activities:sign_up", args=[live.pk]), follow=True)
    assert "报名成功" in response.content.decode()
    assert Signup.objects.get().resident == world.residents["zhangsan"]
    again = client.post(reverse("activities:sign_up", args=[live.pk]))
    assert again.status_code == 400
    assert "已经报过名了" in again.content.decode()


def test_the_week_list_shows_only_the_residents_community_soonest_first(
    client, world, make_activity, live
):
    start, end = soon(hours=30)
    later = make_activity(title="社区议事", starts_at=start, ends_at=end, now=None)
    make_activity(title="草稿活动", starts_at=start, ends_at=end, now=None, publish=False)
    start, end = soon(hours=24 * 9)
    make_activity(title="下周之后", starts_at=start, ends_at=end, now=None)
    login(client, world, "resident")
    html = client.get(reverse("activities:near")).content.decode()
    assert html.index(live.title) < html.index(later.title)
    assert "草稿活动" not in html and "下周之后" not in html


def test_the_week_list_has_a_query_count_guard(
    client, world, make_activity, django_assert_max_num_queries
):
    login(client, world, "resident")
    client.get(reverse("activities:near"))
    with django_assert_max_num_queries(14):
        client.get(reverse("activities:near"))
    for n in range(5):
        start, end = soon(hours=2 + n)
        make_activity(title=f"活动{n}", starts_at=start, ends_at=end, now=None)
    with django_assert_max_num_queries(14):
        html = client.get(reverse("activities:near")).content.decode()
    assert html.count("activity-card") == 5


def test_my_qr_code_is_inline_svg_of_the_signed_token(client, world):
    login(client, world, "resident")
    html = client.get(reverse("activities:qr")).content.decode()
    assert "<svg" in html and "张三" in html
    assert "138" not in html  # no phone shown


def test_cancel_signup_asks_first(client, world, live):
    services.signup_create(actor=world.users["resident"], activity=live)
    login(client, world, "resident")
    ask = client.post(reverse("activities:sign_up_cancel", args=[live.pk]))
    assert "请确认" in ask.content.decode()
    assert Signup.objects.get().cancelled_at is None
    client.post(reverse("activities:sign_up_cancel", args=[live.pk]), {"confirm": "1"})
    assert Signup.objects.get().cancelled_at is not None


def test_staff_list_has_a_query_count_guard(
    client, world, make_activity, django_assert_max_num_queries
):
    login(client, world, "staff")
    make_activity()
    client.get(reverse("activities:manage"))
    with django_assert_max_num_queries(14):
        client.get(reverse("activities:manage"))
    for n in range(4):
        make_activity(title=f"活动{n}", capacity=5)
    with django_assert_max_num_queries(14):
        html = client.get(reverse("activities:manage")).content.decode()
    assert html.count("活动") >= 5


def test_staff_create_publish_and_cancel_with_confirmation(client, world, group):
    login(client, world, "staff")
    day = timezone.localdate() + dt.timedelta(days=3)
    form = {
        "title": "城市更新论坛",
        "kind": ActivityKind.OUTREACH,
        "outreach_format": OutreachFormat.CENTRAL,
        "organiser": f"group:{group.pk}",
        "place": "党群服务中心",
        "day": day.isoformat(),
        "start": "09:00",
        "end": "10:30",
        "capacity": "60",
    }
    bad = client.post(reverse("activities:new"), {**form, "organiser": ""})
    assert bad.status_code == 400
    assert "请选择一个组织方" in bad.content.decode()
    response = client.post(reverse("activities:new"), form)
    a = Activity.objects.get()
    assert response.url == reverse("activities:staff_detail", args=[a.pk])
    assert (a.status, a.group, a.capacity) == (ActivityStatus.DRAFT, group, 60)
    client.post(reverse("activities:publish", args=[a.pk]))
    a.refresh_from_db()
    assert a.status == ActivityStatus.PUBLISHED
    ask = client.post(reverse("activities:cancel", args=[a.pk]))
    assert "请确认" in ask.content.decode()
    a.refresh_from_db()
    assert a.status == ActivityStatus.PUBLISHED
    no_reason = client.post(reverse("activities:cancel", args=[a.pk]), {"confirm": "1"})
    assert no_reason.status_code == 400
    assert "请写明取消的原因" in no_reason.content.decode()
    client.post(reverse("activities:cancel", args=[a.pk]), {"confirm": "1", "reason": "下雨"})
    a.refresh_from_db()
    assert a.status == ActivityStatus.CANCELLED
    login(client, world, "resident")
    page = client.get(reverse("activities:detail", args=[a.pk])).content.decode()
    assert "活动已取消：下雨" in page and "我要报名" not in page


def test_check_in_by_token_and_by_name_on_the_page(client, world, live):
    services.signup_create(actor=world.users["resident"], activity=live)
    login(client, world, "grid")
    page = client.get(reverse("activities:check_in", args=[live.pk]))
    assert "张三" in page.content.decode()
    token = services.resident_token(world.residents["zhangsan"])
    client.post(
        reverse("activities:check_in", args=[live.pk]), {"token": token, "role": "attendee"}
    )
    twice = client.post(
        reverse("activities:check_in", args=[live.pk]),
        {"resident": world.residents["zhangsan"].pk, "role": "attendee"},
    )
    assert twice.status_code == 400
    assert "已在" in twice.content.decode() and "签到过了" in twice.content.decode()
    client.post(
        reverse("activities:check_in", args=[live.pk]),
        {"resident": world.residents["lisi"].pk, "role": "volunteer"},
    )
    assert sorted(CheckIn.objects.values_list("resident__name", "method", "role")) == [
        ("张三", "qr", "attendee"),
        ("李四", "name", "volunteer"),
    ]


def test_at_a_volunteer_service_the_name_buttons_check_in_the_people_served(client, world, live):
    services.signup_create(
        actor=world.users["staff"], activity=live, resident=world.residents["lisi"]
    )
    login(client, world, "staff")
    page = client.get(reverse("activities:check_in", args=[live.pk])).content.decode()
    assert 'name="role" value="served"' in page


def test_a_full_activity_says_so_instead_of_offering_the_button(client, world, make_activity):
    start, end = soon()
    a = make_activity(starts_at=start, ends_at=end, now=None, capacity=1)
    services.signup_create(actor=world.users["staff"], activity=a, resident=world.residents["lisi"])
    login(client, world, "resident")
    page = client.get(reverse("activities:detail", args=[a.pk])).content.decode()
    assert "名额已满" in page and "我要报名" not in page


def test_a_resident_outside_the_community_cannot_be_checked_in(client, world, live):
    login(client, world, "staff")
    response = client.post(
        reverse("activities:check_in", args=[live.pk]),
        {"resident": world.residents["zhaoliu"].pk, "role": "attendee"},
    )
    assert response.status_code == 404
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize("role", ["resident", "other_staff", "partner", "nobody"])
def test_the_check_in_page_is_absent_for_those_who_may_not(client, world, live, role):
    login(client, world, role)
    assert client.get(reverse("activities:check_in", args=[live.pk])).status_code == 404


def test_a_quiz_on_the_page(client, world, make_activity):
    start, end = soon()
    a = make_activity(
        kind=ActivityKind.OUTREACH,
        outreach_format=OutreachFormat.CLOUD,
        place="",
        publish=False,
        starts_at=start,
        ends_at=end,
        now=None,
    )
    login(client, world, "staff")
    client.post(
        reverse("activities:question_add", args=[a.pk]),
        {"text": "议事几步？", "options": "三步\n五步", "correct": "2"},
    )
    services.activity_publish(actor=None, activity=a)
    q = a.questions.get()
    login(client, world, "resident")
    bad = client.post(reverse("activities:quiz", args=[a.pk]), {})
    assert bad.status_code == 400 and "第1题还没有选答案" in bad.content.decode()
    right = q.options.get(is_correct=True)
    done = client.post(reverse("activities:quiz", args=[a.pk]), {f"q{q.pk}": right.pk}, follow=True)
    assert "答对 1 题，共 1 题" in done.content.decode()


def test_groups_members_and_hours(client, world, group):
    login(client, world, "staff")
    page = client.get(reverse("activities:group", args=[group.pk]), {"q": "李四"})
    assert "李四" in page.content.decode()
    client.post(
        reverse("activities:group_member_add", args=[group.pk]),
        {"resident": world.residents["lisi"].pk},
    )
    assert list(group.members.values_list("name", flat=True)) == ["李四"]
    created = client.post(
        reverse("activities:group_new"), {"name": "老年康乐协会", "kind": "group"}
    )
    assert created.status_code == 302
    assert "老年康乐协会" in client.get(reverse("activities:groups")).content.decode()


def test_staff_see_drafts_residents_do_not(client, world, make_activity):
    draft = make_activity(publish=False)
    login(client, world, "resident")
    assert client.get(reverse("activities:detail", args=[draft.pk])).status_code == 404
    login(client, world, "grid")
    assert client.get(reverse("activities:staff_detail", args=[draft.pk])).status_code == 404
    login(client, world, "staff")
    assert client.get(reverse("activities:staff_detail", args=[draft.pk])).status_code == 200


def test_a_volunteer_of_the_organising_group_checks_in_from_their_phone(client, world, live, group):
    services.group_member_add(actor=None, group=group, resident=world.residents["zhangsan"])
    services.signup_create(
        actor=world.users["staff"], activity=live, resident=world.residents["lisi"]
    )
    login(client, world, "resident")
    page = client.get(reverse("activities:check_in", args=[live.pk]))
    assert page.status_code == 200 and "李四" in page.content.decode()
    client.post(
        reverse("activities:check_in", args=[live.pk]),
        {"resident": world.residents["lisi"].pk, "role": "attendee"},
    )
    assert CheckIn.objects.get().by == world.users["resident"]


def test_edit_shows_what_was_saved_and_changes_it(client, world, make_activity):
    # The form keeps one day with a start and an end, so the activity must not cross
    # midnight: "an hour from now" does after 22:00 in Beijing.
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(9, 30)))
    live = make_activity(starts_at=start, ends_at=start + dt.timedelta(hours=2), now=None)
    login(client, world, "staff")
    page = client.get(reverse("activities:edit", args=[live.pk])).content.decode()
    assert 'value="楼道清洁"' in page
    local = timezone.localtime(live.starts_at)
    client.post(
        reverse("activities:edit", args=[live.pk]),
        {
            "title": "楼道大扫除",
            "kind": "volunteer",
            "service_area": "environment",
            "organiser": f"group:{live.group_id}",
            "place": "甘露园1栋",
            "day": local.date().isoformat(),
            "start": local.strftime("%H:%M"),
            "end": timezone.localtime(live.ends_at).strftime("%H:%M"),
            "capacity": "12",
        },
    )
    live.refresh_from_db()
    assert (live.title, live.capacity) == ("楼道大扫除", 12)
    login(client, world, "grid")
    assert client.get(reverse("activities:edit", args=[live.pk])).status_code == 404


def test_subdistrict_staff_pick_the_community_of_a_new_activity(client, world):
    from gongzhi.activities.models import VolunteerGroup

    other = services.group_create(actor=None, community=world.ot, name="外志愿队")
    login(client, world, "subdistrict")
    page = client.get(reverse("activities:new"), {"community": world.ot.pk}).content.decode()
    assert "新建活动（其他社区）" in page and f"group:{other.pk}" in page
    day = timezone.localdate() + dt.timedelta(days=3)
    client.post(
        reverse("activities:new") + f"?community={world.ot.pk}",
        {
            "title": "外社区服务",
            "kind": "volunteer",
            "service_area": "care",
            "organiser": f"group:{other.pk}",
            "place": "外小区",
            "day": day.isoformat(),
            "start": "09:00",
            "end": "10:00",
            "capacity": "10",
        },
    )
    assert Activity.objects.get().community == world.ot
    assert VolunteerGroup.objects.count() == 1
