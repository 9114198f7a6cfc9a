"""The main navigation: each role sees exactly what it may open, on every layout, and every
entry it sees answers 200."""

import re

import pytest
from django.urls import reverse

from gongzhi.accounts.rules import CAPABILITIES, is_staff_user
from gongzhi.core.scoping import scope_for
from gongzhi.workbench.menu import STAFF_MENU, audience, capabilities_held

NAV = re.compile(r'<nav class="main-nav"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"(?: aria-current="(\w+)")?>([^<]+)</a>')

EVERYTHING = [
    ("工作台", "/"),
    ("查找居民", "/search/"),
    ("关爱名单", "/care/"),
    ("居民登记", "/register/"),
    ("诉求待办", "/voices/inbox/"),
    ("待公开审核", "/voices/publication/"),
    ("延期审批", "/voices/extensions/"),
    ("代居民反映", "/voices/for/"),
    ("心愿审核", "/wishes/queue/"),
    ("代居民许愿", "/wishes/for/"),
    ("办理统计", "/voices/measures/"),
    ("数据看板", "/figures/"),
    ("工作报告", "/reports/work/"),
    ("入户调查", "/surveys/"),
    ("民情日志", "/surveys/logs/"),
    ("议事活动", "/voices/events/"),
    ("阵地预约", "/venues/"),
    ("人民调解", "/mediation/"),
    ("小区自治", "/compounds/"),
    ("活动", "/activities/manage/"),
    ("爱心积分", "/points/manage/"),
    ("城市更新", "/renewal/"),
    ("议题", "/deliberation/matters/"),
    ("会议", "/deliberation/meetings/"),
    ("任务", "/deliberation/tasks/"),
    ("微协商", "/deliberation/topics/"),
    ("能人库", "/deliberation/talents/"),
    ("微典型", "/exemplars/review/"),
    ("组织管理", "/orgs/posts/"),
    ("审计日志", "/audit/"),
    ("节假日安排", "/calendar/"),
]
# The holiday schedule is entered by operators and subdistrict staff.
SECRETARY = EVERYTHING[:-1]
# Community staff manage the organisations; reading the audit log is the secretary's.
STAFF = SECRETARY[:-1]
GRID = [
    ("工作台", "/"),
    ("查找居民", "/search/"),
    ("关爱名单", "/care/"),
    ("居民登记", "/register/export/"),
    ("诉求待办", "/voices/inbox/"),
    ("待公开审核", "/voices/publication/"),
    ("代居民反映", "/voices/for/"),
    ("心愿审核", "/wishes/queue/"),
    ("代居民许愿", "/wishes/for/"),
    ("办理统计", "/voices/measures/"),
    ("数据看板", "/figures/"),
    ("工作报告", "/reports/work/"),
    ("入户调查", "/surveys/"),
    ("民情日志", "/surveys/logs/"),
    ("阵地预约", "/venues/"),
    ("人民调解", "/mediation/"),
    ("小区自治", "/compounds/"),
    ("活动", "/activities/manage/"),
    ("爱心积分", "/points/manage/"),
    ("城市更新", "/renewal/"),
    ("议题", "/deliberation/matters/"),
    ("会议", "/deliberation/meetings/"),
    ("任务", "/deliberation/tasks/"),
    ("微协商", "/deliberation/topics/"),
    ("能人库", "/deliberation/talents/"),
    ("微典型", "/exemplars/review/"),
]
CHIEF = [
    ("工作台", "/"),
    ("查找居民", "/search/"),
    ("关爱名单", "/care/"),
    ("代居民反映", "/voices/for/"),
    ("代居民许愿", "/wishes/for/"),
    ("办理统计", "/voices/measures/"),
    ("数据看板", "/figures/"),
    ("工作报告", "/reports/work/"),
    ("入户调查", "/surveys/"),
    ("民情日志", "/surveys/logs/"),
    ("阵地预约", "/venues/"),
    ("小区自治", "/compounds/"),
    ("活动", "/activities/manage/"),
    ("爱心积分", "/points/manage/"),
    ("城市更新", "/renewal/"),
    ("议题", "/deliberation/matters/"),
    ("会议", "/deliberation/meetings/"),
    ("任务", "/deliberation/tasks/"),
]
MENUS = {
    "admin": EVERYTHING,
    "secretary": SECRETARY,
    "staff": STAFF,
    "other_staff": STAFF,
    "subdistrict": [
        ("工作台", "/"),
        ("查找居民", "/search/"),
        ("关爱名单", "/care/"),
        ("居民登记", "/register/export/"),
        ("诉求待办", "/voices/inbox/"),
        ("待公开审核", "/voices/publication/"),
        ("延期审批", "/voices/extensions/"),
        ("办理统计", "/voices/measures/"),
        ("数据看板", "/figures/"),
        ("工作报告", "/reports/work/"),
        ("入户调查", "/surveys/"),
        ("阵地预约", "/venues/"),
        ("人民调解", "/mediation/"),
        ("小区自治", "/compounds/"),
        ("活动", "/activities/manage/"),
        ("爱心积分", "/points/manage/"),
        ("城市更新", "/renewal/"),
        ("议题", "/deliberation/matters/"),
        ("会议", "/deliberation/meetings/"),
        ("任务", "/deliberation/tasks/"),
        ("微协商", "/deliberation/topics/"),
        ("能人库", "/deliberation/talents/"),
        ("微典型", "/exemplars/review/"),
        ("组织管理", "/orgs/posts/"),
        ("审计日志", "/audit/"),
        ("节假日安排", "/calendar/"),
    ],
    "grid": GRID,
    "grid_worker": GRID,
    "building": CHIEF,
    "entrance": CHIEF,
    "resident": [
        ("首页", "/"),
        ("我要反映", "/voices/new/"),
        ("我的诉求", "/voices/"),
        ("我的心愿", "/wishes/"),
        ("心愿墙", "/wishes/wall/"),
        ("我的楼栋", "/renewal/my/"),
    ],
    "partner": [
        ("派单", "/voices/partner/"),
        ("爱心认领", "/wishes/sponsor/"),
        ("任务", "/deliberation/tasks/"),
        ("办理统计", "/voices/measures/"),
    ],
    "nobody": [("首页", "/")],
}


def nav_links(html: str) -> list[tuple[str, str, str | None]]:
    found = NAV.findall(html)
    assert len(found) == 1, "one main navigation per page"
    return [(label.strip(), url, current or None) for url, current, label in LINK.findall(found[0])]


def menu_of(html: str) -> list[tuple[str, str]]:
    return [(label, url) for label, url, _current in nav_links(html)]


@pytest.mark.parametrize("role", list(MENUS))
def test_each_role_sees_exactly_its_menu(world, login, role):
    client = login(world.users[role])
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200
    assert menu_of(response.content.decode()) == MENUS[role]


@pytest.mark.parametrize("role", list(MENUS))
def test_every_entry_of_a_menu_opens(world, login, role):
    client = login(world.users[role])
    answers = {url: client.get(url).status_code for _label, url in MENUS[role]}
    # The home of a partner redirects to its dispatch list; nothing answers 403 or 404.
    assert {url: code for url, code in answers.items() if code not in (200, 302)} == {}


def test_anonymous_visitors_get_the_wall_and_the_way_in(world, client):
    html = client.get(reverse("wishes:wall")).content.decode()
    assert nav_links(html) == [
        ("心愿墙", "/wishes/wall/", "page"),
        ("登录", "/accounts/login/", None),
    ]


@pytest.mark.parametrize("role", list(MENUS))
def test_capabilities_held_agree_with_scoping(world, role):
    user = world.users[role]
    assert capabilities_held(user) == {c for c in CAPABILITIES if not scope_for(user, c).empty}
    assert (audience(user) == "staff") == is_staff_user(user)


@pytest.mark.parametrize(
    "url",
    ["/voices/inbox/", "/wishes/queue/", "/register/", "/care/", "/voices/measures/", "/search/"],
)
def test_every_staff_layout_shows_the_same_menu(world, login, url):
    html = login(world.users["secretary"]).get(url).content.decode()
    assert menu_of(html) == SECRETARY


def test_the_current_entry_is_marked(world, login):
    client = login(world.users["secretary"])
    links = nav_links(client.get("/voices/inbox/").content.decode())
    assert [(label, cur) for label, _url, cur in links if cur] == [("诉求待办", "page")]
    # Below an entry's address: the section is marked, not the page.
    job_links = nav_links(client.get("/voices/events/new/").content.decode())
    assert [(label, cur) for label, _url, cur in job_links if cur] == [("议事活动", "true")]
    resident = login(world.users["resident"])
    links = nav_links(resident.get("/voices/new/").content.decode())
    assert [(label, cur) for label, _url, cur in links if cur] == [("我要反映", "page")]


def test_a_partners_home_is_its_work_list(world, login):
    response = login(world.users["partner"]).get(reverse("home"))
    assert (response.status_code, response.url) == (302, reverse("voices:partner_inbox"))


def test_the_home_page_no_longer_links_what_the_role_cannot_open(world, login):
    html = login(world.users["building"]).get(reverse("home")).content.decode()
    assert "/voices/inbox/" not in html
    assert "/register/" not in html


def test_the_menu_is_one_list_of_entries(world):
    # A new page is one line: label, URL name, capability.
    assert all(e.capability is None or e.capability in CAPABILITIES for e in STAFF_MENU), (
        "every capability named in the menu exists"
    )
    assert [str(e.label) for e in STAFF_MENU].count("居民登记") == 2


def test_the_menu_costs_one_query(world, login, django_assert_num_queries):
    from gongzhi.workbench.menu import menu_for

    user = world.users["grid"]
    with django_assert_num_queries(1):
        links = menu_for(user, "/")
    assert [link.label for link in links] == [label for label, _url in GRID]


def test_a_residents_home_links_what_the_short_menu_leaves_out(world, login):
    page = login(world.users["resident"]).get("/").content.decode()
    for url in ["/surveys/mine/", "/deliberation/propose/", "/deliberation/recommend/"]:
        assert f'href="{url}"' in page, url
