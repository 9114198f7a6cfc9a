"""关爱名单 over HTTP: per role, filtered, printable, exported masked, and as cheap with
many rows as with one."""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.places import services
from gongzhi.places.models import CareTag

from .conftest import add_household, add_resident

TODAY = timezone.localdate()
OLD = dt.date(1935, 5, 6)  # 高龄


@pytest.fixture
def tags(world):
    services.resident_update(
        actor=None,
        resident=world.residents["wangwu"],
        care_tags=[CareTag.objects.get(code="low_income")],
    )


def _names(response):
    return [r.name for r in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("role", "names"),
    [
        ("staff", ["张三", "王五"]),
        ("grid", ["张三"]),
        ("grid_worker", ["王五"]),
        ("building", ["张三"]),
        ("entrance", []),
        ("subdistrict", ["张三", "王五"]),
    ],
)
def test_each_role_sees_the_cared_for_in_its_reach(world, login, tags, role, names):
    response = login(world.users[role]).get(reverse("wb-care"))
    assert response.status_code == 200
    assert sorted(_names(response)) == sorted(names)


@pytest.mark.parametrize("role", ["resident", "partner", "nobody"])
def test_no_care_list_without_a_post(world, login, role):
    assert login(world.users[role]).get(reverse("wb-care")).status_code == 404


def test_filters_by_category_grid_and_building(world, login, tags):
    client = login(world.users["staff"])
    assert _names(client.get(reverse("wb-care"), {"category": "low_income"})) == ["王五"]
    assert _names(client.get(reverse("wb-care"), {"grid": world.g1.pk})) == ["张三"]
    in_grid = client.get(reverse("wb-care"), {"grid": world.g1.pk, "building": world.b1.pk})
    assert _names(in_grid) == ["张三"]
    assert in_grid.context["title"] == "关爱名单：全部关爱对象 · 第一网格 · 甘露园 1栋"


@pytest.mark.parametrize(
    "params",
    [{"category": "rich"}, {"grid": "999999"}, {"building": "abc"}],
)
def test_a_filter_out_of_reach_or_unknown_is_said_in_chinese(world, login, params):
    response = login(world.users["grid"]).get(reverse("wb-care"), params)
    html = response.content.decode()
    assert response.status_code == 400
    assert "请选择" in html
    assert "王五" not in html


def test_grids_are_named_with_their_community(world, login):
    html = login(world.users["subdistrict"]).get(reverse("wb-care")).content.decode()
    assert f'<option value="{world.g1.pk}">望江街社区 第一网格</option>' in html
    assert f'<option value="{world.g3.pk}">其他社区 其他网格</option>' in html


def test_a_grid_of_another_community_is_not_offered(world, login):
    response = login(world.users["staff"]).get(reverse("wb-care"), {"grid": world.g3.pk})
    assert response.status_code == 400
    assert "请选择您负责范围内的网格。" in response.content.decode()


def test_the_list_shows_the_last_visit_and_links_a_visit_back_here(world, login):
    services.contact_log_create(
        actor=None, resident=world.residents["zhangsan"], visited_on=TODAY - dt.timedelta(days=12)
    )
    html = (
        login(world.users["grid"]).get(reverse("wb-care"), {"category": "alone"}).content.decode()
    )
    assert f"{TODAY - dt.timedelta(days=12):%Y-%m-%d}" in html and "12天前" in html
    visit = reverse("wb-resident-visit", args=[world.residents["zhangsan"].pk])
    assert f'href="{visit}?next=/care/%3Fcategory%3Dalone"' in html
    assert "data-print" in html
    assert 'class="data cards care"' in html


def test_building_chiefs_read_but_do_not_export(world, login, tags):
    client = login(world.users["building"])
    html = client.get(reverse("wb-care")).content.decode()
    assert reverse("wb-care-export") not in html
    assert client.post(reverse("wb-care-export"), {"category": "any"}).status_code == 403
    assert not AuditEvent.objects.filter(action="places.care_list.exported").exists()


def test_export_is_masked_and_audited(world, login, tags):
    response = login(world.users["staff"]).post(
        reverse("wb-care-export"), {"category": "any", "grid": world.g2.pk}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = [tuple(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert rows[0][0] == "关爱名单：全部关爱对象 · 第二网格"
    assert [r[0] for r in rows[2:]] == ["王五"]
    assert rows[2][4] == "137****2222"
    assert "13700002222" not in repr(rows)
    assert "导出人：wj-staff" in book.worksheets[0].oddHeader.center.text
    event = AuditEvent.objects.get(action="places.care_list.exported")
    assert event.changes["grid"] == world.g2.pk and event.changes["count"] == 1


def test_the_list_costs_the_same_with_one_row_or_many(world, login, same_queries):
    def grow():
        for i in range(6):
            household = add_household(world.b1, 1, f"30{i}", 3)
            add_resident(household, f"老人{i}", born=OLD, tags=["alone", "disabled"])
            services.contact_log_create(
                actor=None,
                resident=household.residents.get(),
                visited_on=TODAY - dt.timedelta(days=i),
            )

    small, big = same_queries(login(world.users["grid"]), reverse("wb-care"), grow)
    assert small.count('data-label="姓名"') == 1
    assert big.count('data-label="姓名"') == 7
