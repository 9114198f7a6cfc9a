"""Resident search: one box, scoped, live results for htmx and a plain page without JS; a
phone or ID number typed in it never appears in a URL."""

import pytest
from django.urls import reverse

from gongzhi.workbench.views import SEARCH_SESSION_KEY, SEARCHES_KEPT

from .conftest import add_household, add_resident

URL = "/search/"


def _names(response):
    return [r.name for r in response.context["results"]]


def _search(client, query, **extra):
    """Post the form the way a browser does and follow the redirect to the results."""
    return client.post(reverse("wb-search"), {"q": query}, follow=True, **extra)


@pytest.mark.parametrize(
    "query",
    ["zs", "zhangsan", "张三", "張三", "5678", "1栋1单元", "1-1-101", "13812345678"],
)
def test_grid_chief_finds_zhangsan(world, login, query):
    response = _search(login(world.users["grid"]), query)
    assert _names(response) == ["张三"]
    html = response.content.decode()
    assert "望江街社区 1栋1单元101" in html
    assert "138****5678" in html
    assert "13812345678" not in html or query == "13812345678"


@pytest.mark.parametrize("query", ["13812345678", "138 1234 5678", "+86 138-1234-5678", "zid"])
def test_the_results_url_carries_a_key_not_the_query(world, login, query):
    zhangsan = world.residents["zhangsan"]
    if query == "zid":
        query = zhangsan.id_number
    response = _search(login(world.users["grid"]), query)
    [(location, status)] = response.redirect_chain
    assert status == 302
    assert location.startswith(f"{URL}?k=") and len(location) < len(URL) + 16
    for secret in ["13812345678", "5678", zhangsan.id_number, zhangsan.id_number[-6:]]:
        assert secret not in location
    if "+" not in query:  # the search itself does not read "+86 138-…" as a phone
        assert _names(response) == ["张三"]


def test_reload_and_back_show_the_same_results_and_keys_belong_to_the_session(world, login, client):
    grid = login(world.users["grid"])
    location = _search(grid, "13812345678").redirect_chain[0][0]
    again = grid.get(location)
    assert _names(again) == ["张三"]
    assert 'value="13812345678"' in again.content.decode()
    # The session keeps the query sealed, like every stored phone.
    assert "13812345678" not in str(dict(grid.session))
    assert len(grid.session[SEARCH_SESSION_KEY]) == 1

    client.logout()
    other = login(world.users["secretary"])
    stranger = other.get(location)
    assert stranger.status_code == 200
    assert _names(stranger) == []
    assert "13812345678" not in stranger.content.decode()


def test_the_session_keeps_only_the_last_searches(world, login):
    client = login(world.users["grid"])
    first = _search(client, "zs").redirect_chain[0][0]
    for n in range(SEARCHES_KEPT):
        _search(client, f"查{n}")
    assert len(client.session[SEARCH_SESSION_KEY]) == SEARCHES_KEPT
    assert _names(client.get(first)) == []


@pytest.mark.parametrize(
    "query", ["13812345678", "+8613812345678", "510402198001011234", "51040219800101123X"]
)
def test_a_phone_or_id_number_in_the_url_is_refused(world, login, query):
    response = login(world.users["grid"]).get(reverse("wb-search"), {"q": query}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [(URL, 302)]
    assert "为保护居民信息，身份证号和手机号不能放在网址里。请在搜索框中输入后按“搜索”。" in html
    assert query not in html
    assert response.context["results"] == []


def test_a_name_in_the_url_still_works(world, login):
    response = login(world.users["grid"]).get(reverse("wb-search"), {"q": "zs"})
    assert response.status_code == 200
    assert _names(response) == ["张三"]


def test_search_is_scoped(world, login):
    assert _names(_search(login(world.users["grid"]), "王五")) == []
    assert _names(_search(login(world.users["secretary"]), "王五")) == ["王五"]
    assert _names(_search(login(world.users["secretary"]), "赵六")) == []
    assert _names(_search(login(world.users["entrance"]), "1栋")) == ["李四"]


def test_htmx_posts_and_gets_only_the_results_and_the_url_to_show(world, login):
    response = login(world.users["grid"]).post(
        reverse("wb-search"), {"q": "13812345678"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "找到 1 位居民" in html
    assert reverse("wb-resident", args=[world.residents["zhangsan"].pk]) in html
    assert response["HX-Replace-Url"].startswith(f"{URL}?k=")
    assert "13812345678" not in response["HX-Replace-Url"]


def test_an_emptied_box_goes_back_to_the_plain_page(world, login):
    client = login(world.users["grid"])
    response = client.post(reverse("wb-search"), {"q": "  "}, HTTP_HX_REQUEST="true")
    assert (response["HX-Replace-Url"], _names(response)) == (URL, [])
    assert client.post(reverse("wb-search"), {"q": ""})["Location"] == URL


def test_plain_page_has_a_post_form_and_live_search(world, login):
    html = login(world.users["grid"]).get(reverse("wb-search")).content.decode()
    assert 'method="post"' in html
    assert 'method="get"' not in html.split("<main", 1)[1]
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<label for="id_q">' in html
    assert 'hx-post="/search/"' in html and "delay:" in html
    assert "hx-get" not in html
    assert "找到" not in html


def test_the_form_needs_its_csrf_token(world, client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(
        world.users["grid"], backend="gongzhi.accounts.backends.PhoneOrUsernameBackend"
    )
    assert strict.post(reverse("wb-search"), {"q": "zs"}).status_code == 403


def test_nothing_found_says_so(world, login):
    html = _search(login(world.users["grid"]), "不存在的人").content.decode()
    assert "没有找到“不存在的人”" in html


def test_query_is_escaped(world, login):
    html = _search(login(world.users["grid"]), "<b>x</b>").content.decode()
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_search_results_query_count_is_constant(world, login, same_queries):
    def grow():
        household = add_household(world.b1, 1, "102", 1)
        for name in ["赵顺", "周胜", "张帅"]:
            add_resident(household, name, tags=["alone"])

    client = login(world.users["grid"])
    location = _search(client, "zs").redirect_chain[0][0]
    small, big = same_queries(client, location, grow)
    assert "找到 1 位居民" in small
    assert "找到 4 位居民" in big
