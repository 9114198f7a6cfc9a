"""Resident search: one box, scoped, live results for htmx and a plain page without JS."""

import pytest
from django.urls import reverse

from .conftest import add_household, add_resident


def _names(response):
    return [r.name for r in response.context["results"]]


@pytest.mark.parametrize(
    "query",
    ["zs", "zhangsan", "张三", "張三", "5678", "1栋1单元", "1-1-101", "13812345678"],
)
def test_grid_chief_finds_zhangsan(world, login, query):
    response = login(world.users["grid"]).get(reverse("wb-search"), {"q": query})
    assert _names(response) == ["张三"]
    html = response.content.decode()
    assert "望江街社区 1栋1单元101" in html
    assert "138****5678" in html
    assert "13812345678" not in html or query == "13812345678"


def test_search_is_scoped(world, login):
    assert _names(login(world.users["grid"]).get(reverse("wb-search"), {"q": "王五"})) == []
    assert _names(login(world.users["secretary"]).get(reverse("wb-search"), {"q": "王五"})) == [
        "王五"
    ]
    assert _names(login(world.users["secretary"]).get(reverse("wb-search"), {"q": "赵六"})) == []
    assert _names(login(world.users["entrance"]).get(reverse("wb-search"), {"q": "1栋"})) == [
        "李四"
    ]


def test_htmx_request_gets_only_the_results(world, login):
    response = login(world.users["grid"]).get(
        reverse("wb-search"), {"q": "zs"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "找到 1 位居民" in html
    assert reverse("wb-resident", args=[world.residents["zhangsan"].pk]) in html


def test_plain_page_has_form_and_live_search(world, login):
    html = login(world.users["grid"]).get(reverse("wb-search")).content.decode()
    assert 'method="get"' in html
    assert '<label for="id_q">' in html
    assert 'hx-get="/search/"' in html and "delay:" in html
    assert "找到" not in html


def test_nothing_found_says_so(world, login):
    html = (
        login(world.users["grid"]).get(reverse("wb-search"), {"q": "不存在的人"}).content.decode()
    )
    assert "没有找到“不存在的人”" in html


def test_query_is_escaped(world, login):
    html = login(world.users["grid"]).get(reverse("wb-search"), {"q": "<b>x</b>"}).content.decode()
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_search_results_query_count_is_constant(world, login, same_queries):
    def grow():
        household = add_household(world.b1, 1, "102", 1)
        for name in ["赵顺", "周胜", "张帅"]:
            add_resident(household, name, tags=["alone"])

    small, big = same_queries(login(world.users["grid"]), reverse("wb-search") + "?q=zs", grow)
    assert "找到 1 位居民" in small
    assert "找到 4 位居民" in big
