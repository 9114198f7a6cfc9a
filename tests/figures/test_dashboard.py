"""The dashboard page: the figures by pillar, each linked to its rows; the trends by month
(the months add up to the figure) with a table beside each chart; the building map; the
reach of each role; Chinese errors for a bad period; constant queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.figures import registry
from gongzhi.figures.selectors import window_for
from gongzhi.figures.views import PILLARS, TRENDS

from .conftest import EXPECTED, NUMERATORS, PERIOD, make_activities

pytestmark = pytest.mark.django_db
WJ = "510402001001"


def page(client, user, path="/figures/", **params):
    client.force_login(user)
    return client.get(path, params)


def card_values(html: str) -> dict[str, str]:
    """{figure key: the number its card shows}."""
    cards = re.findall(
        r'data-figure="([a-z0-9_]+)".*?<span class="figure-value">([^<]*)<', html, re.S
    )
    return dict(cards)


def test_every_figure_sits_in_one_pillar():
    keys = [k for _, _, ks in PILLARS for k in ks]
    assert sorted(keys) == sorted(registry.FIGURES) and len(keys) == len(set(keys))
    for _, _, ks in TRENDS:
        assert all(registry.FIGURES[k].month for k in ks)


def test_the_secretary_reads_every_figure_and_each_opens_its_rows(client, records):
    response = page(client, records.users["staff"], **PERIOD)
    html = response.content.decode()
    assert response.status_code == 200
    shown = card_values(html)
    expected = {k: f"{v:,}" if isinstance(v, int) else f"{v:g}" for k, v in EXPECTED.items()}
    assert shown == expected
    for key in EXPECTED:
        assert f'href="/figures/{key}/?from=2026-01-01"' in html
    for _, label, _ in PILLARS:
        assert f">{label}</h2>" in html


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_the_rows_page_lists_as_many_records_as_the_figure(client, records, key):
    response = page(client, records.users["staff"], f"/figures/{key}/", **PERIOD)
    html = response.content.decode()
    assert response.status_code == 200
    count = NUMERATORS.get(key, EXPECTED[key])
    assert f"共 {count} 条记录" in html
    assert html.count("<tr>") - 1 == min(count, 50)  # the header row, then a row a record


def test_the_rows_page_turns_pages_of_fifty(client, world):
    make_activities(world, extra=55)
    html = page(client, world.users["staff"], "/figures/outreach_talks/", **PERIOD).content.decode()
    assert "共 57 条记录" in html and "第 1 / 2 页" in html and "page=2" in html
    second = page(client, world.users["staff"], "/figures/outreach_talks/", page=2, **PERIOD)
    assert second.content.decode().count("<tr>") - 1 == 7


def test_an_unknown_figure_is_not_found(client, world):
    assert page(client, world.users["staff"], "/figures/no_such/").status_code == 404


def test_the_months_add_up_to_the_figure(records):
    window = window_for(records.users["staff"], start="2026-01-01", end="2026-12-31")
    months = registry.months_of(window)
    assert len(months) == 12 and months[0].isoformat() == "2026-01-01"
    for figure in registry.FIGURES.values():
        if figure.month is None:
            continue
        by_month = registry.monthly(figure, window)
        assert sum(by_month) == figure.count(window), figure.key
    talks = registry.monthly(registry.FIGURES["outreach_talks"], window)
    assert talks[2] == 1 and talks[3] == 1  # March and April


def test_each_chart_has_its_numbers_in_a_table_beside_it(client, records):
    html = page(client, records.users["staff"], **PERIOD).content.decode()
    for key, label, _ in TRENDS:
        assert f'id="trend-{key}"' in html and f"{label}（数据表）" in html
    assert '<script id="chart-data" type="application/json">' in html
    assert "/static/figures/vendor/echarts/echarts.min.js" in html
    # The March row of the first table: one talk held, opening March's talks.
    march = re.search(r"<th scope=\"row\">2026年3月</th>(.*?)</tr>", html, re.S).group(1)
    cells = re.findall(r'<td class="num"><a href="([^"]+)">(\d+)</a></td>', march)
    assert cells[1] == ("/figures/outreach_talks/?from=2026-03-01&amp;to=2026-03-31", "1")


def test_satisfaction_over_time_sits_beside_its_two_counts(client, records):
    html = page(client, records.users["staff"], **PERIOD).content.decode()
    table = html.split('id="trend-visits"', 1)[1].split("</table>", 1)[0]
    assert "回访满意率（%）" in table
    june = re.search(r"<th scope=\"row\">2026年6月</th>(.*?)</tr>", table, re.S).group(1)
    cells = re.findall(r'<td class="num">(.*?)</td>', june)
    # Two visits, one satisfied, each opening June's visits; the rate is theirs, and a
    # month without visits has no rate rather than a false 0.
    assert '/figures/return_visits/?from=2026-06-01&amp;to=2026-06-30">2<' in cells[0]
    assert '/figures/satisfied_visits/?from=2026-06-01&amp;to=2026-06-30">1<' in cells[1]
    assert cells[2] == "50.00"
    may = re.search(r"<th scope=\"row\">2026年5月</th>(.*?)</tr>", table, re.S).group(1)
    assert re.findall(r'<td class="num">(.*?)</td>', may)[2] == "—"


def test_the_months_handling_rates_by_grid_and_by_unit(client, records):
    html = page(
        client, records.users["staff"], **{"from": "2026-01-01", "to": "2026-06-30"}
    ).content.decode()
    section = html.split('id="handling-h"', 1)[1].split("</section>", 1)[0]
    assert "诉求办理（2026年6月）" in section
    by_grid = section.split('id="handling-grid"', 1)[1].split("</table>", 1)[0]
    assert "/voices/measures/?month=2026-06&amp;group_by=grid" in by_grid
    # The two lift items of the first grid, visited in June: one satisfied of two.
    rates = re.findall(r'<td class="num">([^<]*)</td>', by_grid)
    assert rates[3] == "50.0%"
    assert 'id="handling-unit"' in section


def test_first_time_participants_by_month(records):
    window = window_for(records.users["staff"], start="2026-01-01", end="2026-12-31")
    firsts = registry.first_participation(window)
    assert len(firsts) == 12
    # Every participant of the year took part for the first time in some month of it,
    # except 李四, who came to a talk in November 2025 already.
    participants = registry.FIGURES["participants"].count(window)
    assert sum(n for n, _old in firsts.values()) == participants - 1
    # March: 张三 (60+) and 王五 (a volunteer) at the talk; 李四 came in 2025 already.
    assert firsts[dt.date(2026, 3, 1)] == (2, 1)


def test_a_months_rows_are_that_months_records(client, records):
    url = "/figures/outreach_talks/?from=2026-03-01&to=2026-03-31"
    client.force_login(records.users["staff"])
    assert "共 1 条记录" in client.get(url).content.decode()


def test_the_building_map_shows_each_building_of_the_community(client, records):
    html = page(client, records.users["staff"], community=WJ, **PERIOD).content.decode()
    assert "楼栋示意图" in html
    tiles = re.findall(
        r'<a class="tile band-[^"]*" href="/building/(\d+)/"><span class="tile-name">', html
    )
    assert sorted(int(pk) for pk in tiles) == sorted([records.b1.pk, records.b2.pk])
    opened = page(client, records.users["staff"], community=WJ, tile="open", **PERIOD)
    assert (
        opened.status_code == 200 and 'aria-current="true">未办结诉求<' in opened.content.decode()
    )


@pytest.mark.parametrize("role", ["resident", "partner", "nobody"])
def test_those_without_a_reach_find_no_dashboard(client, world, role):
    assert page(client, world.users[role]).status_code == 404
    assert page(client, world.users[role], "/figures/households/").status_code == 404


def test_anonymous_visitors_are_asked_to_log_in(client):
    response = client.get("/figures/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "role, households",
    [("staff", "3"), ("grid", "2"), ("building", "2"), ("other_staff", "1")],
)
def test_each_post_reads_its_own_reach(client, world, role, households):
    assert card_values(page(client, world.users[role]).content.decode())["households"] == households


def test_another_communitys_code_is_refused_in_chinese(client, world):
    response = page(client, world.users["other_staff"], community=WJ)
    html = response.content.decode()
    assert response.status_code == 400
    assert f"没有找到编码为“{WJ}”的社区" in html
    assert card_values(html)["households"] == "1"  # their own community, not Wangjiang


@pytest.mark.parametrize(
    "params, message",
    [
        ({"from": "2026-13-01"}, "日期"),
        ({"from": "2026-06-01", "to": "2026-01-01"}, "开始日期不能晚于结束日期"),
    ],
)
def test_a_bad_period_is_said_in_chinese(client, world, params, message):
    response = page(client, world.users["staff"], **params)
    assert response.status_code == 400 and message in response.content.decode()


def _queries(client, user, path, **params) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "path, params",
    [
        ("/figures/", PERIOD),
        ("/figures/", {**PERIOD, "community": WJ, "tile": "coverage"}),
        ("/figures/outreach_talks/", PERIOD),
    ],
)
def test_the_pages_cost_the_same_queries_for_few_records_and_many(client, world, path, params):
    make_activities(world)
    few = _queries(client, world.users["staff"], path, **params)
    make_activities(world, extra=40)
    assert _queries(client, world.users["staff"], path, **params) == few
