"""Query-count guards: each wish list costs the same with one row as with three."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.wishes import services


@pytest.fixture
def same_queries(django_assert_num_queries):
    def check(client, url, grow):
        with CaptureQueriesContext(connection) as first:
            small = client.get(url)
        assert small.status_code == 200
        grow()
        with django_assert_num_queries(len(first.captured_queries)):
            big = client.get(url)
        assert big.status_code == 200
        return small.content.decode(), big.content.decode()

    return check


def _grow(make_wish, world, status, n=2, **kw):
    def grow():
        for i in range(n):
            wish = make_wish(status, text=f"心愿{i}", **kw)
            if status == "confirmed":
                services.wish_thank(
                    actor=world.users["resident"], wish=wish, text=f"谢谢{i}", public=True
                )

    return grow


def test_the_wall(world, sponsors, make_wish, client, same_queries):
    for status in ["published", "claimed", "fulfilled"]:
        make_wish(status)
    done = make_wish("confirmed")
    services.wish_thank(actor=world.users["resident"], wish=done, text="谢谢", public=True)

    def grow():
        for status in ["published", "claimed", "confirmed"]:
            _grow(make_wish, world, status)()
        make_wish("claimed", sponsor="team")
        make_wish("claimed", sponsor="party")

    small, big = same_queries(client, reverse("wishes:wall"), grow)
    assert big.count('class="panel wish-card') > small.count('class="panel wish-card')


def test_my_wishes(world, sponsors, make_wish, login, same_queries):
    make_wish("claimed")
    small, big = same_queries(
        login(world.users["resident"]), reverse("wishes:mine"), _grow(make_wish, world, "claimed")
    )
    assert big.count("wish-card") == 3 * small.count("wish-card")


def test_the_staff_queue(world, sponsors, make_wish, login, same_queries):
    make_wish()
    make_wish("claimed")

    def grow():
        _grow(make_wish, world, "submitted")()
        _grow(make_wish, world, "claimed")()

    small, big = same_queries(login(world.users["grid"]), reverse("wishes:queue"), grow)
    assert "待审核 3 个" in big


def test_the_sponsor_page(world, sponsors, make_wish, login, same_queries):
    make_wish("published")
    make_wish("claimed")

    def grow():
        _grow(make_wish, world, "published")()
        _grow(make_wish, world, "claimed")()

    same_queries(login(world.users["partner"]), reverse("wishes:sponsor"), grow)


def test_the_api_list(world, sponsors, make_wish, login, same_queries):
    make_wish("claimed")
    same_queries(login(world.users["grid"]), "/api/v1/wishes", _grow(make_wish, world, "claimed"))
    same_queries(
        login(world.users["partner"]), "/api/v1/wishes", _grow(make_wish, world, "claimed")
    )


def test_the_api_wall(world, sponsors, make_wish, client, same_queries):
    make_wish("claimed")
    same_queries(client, "/api/v1/wishes/wall", _grow(make_wish, world, "claimed"))
