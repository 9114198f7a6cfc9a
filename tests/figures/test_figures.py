"""Every figure of the 1235 model counted from records, and the list behind it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongzhi.figures.registry import FIGURES, percent

from .conftest import EXPECTED, NUMERATORS, PERIOD, RATES, at, check_in, make_activities

REQUIRED = set(EXPECTED)


def test_the_registry_holds_every_figure_the_article_reports():
    assert set(FIGURES) >= REQUIRED
    for figure in FIGURES.values():
        assert str(figure.label) and str(figure.unit) and str(figure.definition)
        assert figure.drill == f"/api/v1/figures/{figure.key}/rows"


def test_rates_are_percentages_with_two_decimals_rounded_half_up():
    assert percent(1335, 1377) == Decimal("96.95")
    assert percent(1327, 1369) == Decimal("96.93")
    assert percent(1377, 1478) == Decimal("93.17")
    assert percent(1340, 1377) == Decimal("97.31")
    # 0.625 %: half up gives 0.63 where banker's rounding would give 0.62.
    assert percent(1, 160) == Decimal("0.63")
    assert percent(0, 0) == Decimal("0.00")


def test_each_figure_is_counted_from_records(records, figures_of):
    got = figures_of(records.users["staff"], **PERIOD)
    assert got == EXPECTED


def test_without_records_every_activity_figure_is_zero(world, figures_of):
    got = figures_of(world.users["staff"])
    zero = {k: v for k, v in got.items() if k not in {"buildings", "households", "residents"}}
    assert zero == {**dict.fromkeys(zero, 0), "residents_60_plus_share": 33.33}
    assert (got["buildings"], got["households"], got["residents"]) == (2, 3, 3)


def test_the_answer_names_each_figure_with_label_unit_and_drill(records, api_as):
    response = api_as(records.users["staff"]).get("/figures", community="510402001001", **PERIOD)
    body = response.json()
    assert response.status_code == 200
    assert body["from"] == "2026-01-01" and body["as_of"]
    first = body["figures"][0]
    assert first["key"] == "buildings"
    assert first["label"] == "居民楼栋" and first["unit"] == "栋"
    assert first["drill"] == "/api/v1/figures/buildings/rows?community=510402001001&from=2026-01-01"
    units = {f["key"]: f["unit"] for f in body["figures"]}
    assert units["survey_valid_rate"] == "%" and units["households"] == "户"


@pytest.mark.parametrize("role", ["staff", "admin", "grid", "building", "other_staff"])
def test_the_drill_counts_the_figure(records, api_as, figures_of, role):
    user = records.users[role]
    got = figures_of(user, **PERIOD)
    client = api_as(user)
    for key, value in got.items():
        response = client.get(f"/figures/{key}/rows", limit=200, **PERIOD)
        body = response.json()
        assert response.status_code == 200, (key, body)
        if key in RATES:
            # The drill lists the numerator: its share of the denominator is the figure.
            assert body["count"] == len(body["items"])
            if role == "staff":
                assert body["count"] == NUMERATORS[key], key
        else:
            assert body["count"] == value, (role, key)
            assert len(body["items"]) == min(value, 200), key


def test_a_rate_is_its_drill_over_its_whole(records, api_as):
    client = api_as(records.users["admin"])
    elderly = client.get("/figures/residents_60_plus_share/rows").json()["count"]
    residents = client.get("/figures/residents/rows").json()["count"]
    figures = {f["key"]: f["value"] for f in client.get("/figures").json()["figures"]}
    assert (elderly, residents) == (2, 4)
    assert figures["residents_60_plus_share"] == 50.0


def test_the_period_bounds_what_is_counted(records, figures_of):
    staff = records.users["staff"]
    everything = figures_of(staff)
    march = figures_of(staff, **{"from": "2026-03-01", "to": "2026-03-31"})
    assert everything["outreach_talks"] == 3  # the 2025 talk too
    assert everything["opinion_events"] == 3
    assert march["outreach_talks"] == 1
    assert march["outreach_audience"] == 2
    assert march["volunteer_services"] == 0
    assert march["coordination_meetings"] == 2
    assert march["opinion_events"] == 1
    assert march["survey_days"] == 2
    assert march["matters_closed"] == 0


def test_a_community_or_subdistrict_narrows_the_area(records, figures_of):
    admin = records.users["admin"]
    city = figures_of(admin, **PERIOD)
    wj = figures_of(admin, community="510402001001", **PERIOD)
    ot = figures_of(admin, community="510402001002", **PERIOD)
    sd = figures_of(admin, subdistrict="510402001", **PERIOD)
    assert wj == EXPECTED
    assert (ot["households"], ot["outreach_talks"], ot["opinions"], ot["participants"]) == (
        1,
        1,
        1,
        1,
    )
    assert ot["participants_60_plus_share"] == 100.0
    assert city["households"] == sd["households"] == 4
    assert city["outreach_audience"] == sd["outreach_audience"] == 3


def test_a_meeting_not_yet_held_is_not_counted(records, figures_of):
    from gongzhi.deliberation.enums import MeetingKind
    from gongzhi.deliberation.models import Meeting

    Meeting.objects.create(
        community=records.wj,
        kind=MeetingKind.COORDINATION,
        title="下月协调会",
        starts_at=at(2099, 1, 5, 14),
        place="社区会议室",
        host_name="王书记",
        agenda="协调",
    )
    got = figures_of(records.users["staff"], **{"from": "2026-01-01", "to": "2099-12-31"})
    assert got["coordination_meetings"] == 2


def test_participants_are_distinct_residents(records, figures_of):
    # 李四 at one more talk is still one participant.
    from gongzhi.activities.enums import ActivityKind, CheckInRole

    from .conftest import activity

    more = activity(records, ActivityKind.OUTREACH, at(2026, 9, 9, 9))
    check_in(more, records.residents["lisi"], CheckInRole.ATTENDEE)
    got = figures_of(records.users["staff"], **PERIOD)
    assert got["participants"] == 3
    assert got["outreach_audience"] == 3


# --- query counts ------------------------------------------------------------------------


def _queries(client, path, params, capture):
    client.get(path, params)  # the session and the caller's reach, cached after this
    with capture() as ctx:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# About one query per figure (26 measured), and a count and a page for a list (5), with
# the session and the user; neither grows with the records.
@pytest.mark.parametrize(
    ("path", "most"),
    [("/api/v1/figures", 34), ("/api/v1/figures/outreach_audience/rows", 8)],
)
def test_query_count_does_not_grow_with_the_records(
    world, login, path, most, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def capture():
        return CaptureQueriesContext(connection)

    client = login(world.users["staff"])
    make_activities(world)
    few = _queries(client, path, PERIOD, capture)
    make_activities(world, extra=12)
    many = _queries(client, path, PERIOD, capture)
    assert few == many
    with django_assert_max_num_queries(most):
        assert client.get(path, PERIOD).status_code == 200


# --- languages ----------------------------------------------------------------------------


@pytest.fixture
def compiled_locale(tmp_path, settings):
    """The catalogues compiled into a temporary directory (nothing written in the tree)."""
    import shutil
    import subprocess
    from pathlib import Path

    locale = Path(settings.BASE_DIR) / "locale"
    for po in locale.glob("*/LC_MESSAGES/django.po"):
        target = tmp_path / po.relative_to(locale)
        target.parent.mkdir(parents=True)
        shutil.copy(po, target)
        subprocess.run(["msgfmt", "-o", str(target.with_suffix(".mo")), str(target)], check=True)
    settings.LOCALE_PATHS = [tmp_path]
    return tmp_path


def test_labels_units_and_definitions_follow_the_readers_language(world, login, compiled_locale):
    client = login(world.users["staff"])
    english = client.get("/api/v1/figures", HTTP_ACCEPT_LANGUAGE="en").json()["figures"]
    traditional = client.get("/api/v1/figures", HTTP_ACCEPT_LANGUAGE="zh-hant").json()["figures"]
    by_key = {f["key"]: f for f in english}
    assert (by_key["households"]["label"], by_key["households"]["unit"]) == (
        "Household",
        "households",
    )
    assert by_key["hard_problems_solved"]["label"] == "Hard problems solved"
    assert by_key["survey_days"]["unit"] == "days"
    assert {f["key"]: f["label"] for f in traditional}["survey_coverage"] == "調查覆蓋率"


def test_no_list_reads_its_rows_one_by_one(records, login):
    """Each list is a count and one page, its related rows joined in: with two or three
    rows behind most figures, a query per row would show here."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(records.users["staff"])
    client.get("/api/v1/figures/households/rows", PERIOD)  # the session and the reach
    costs = {}
    for key in FIGURES:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/api/v1/figures/{key}/rows", PERIOD).status_code == 200
        costs[key] = len(ctx.captured_queries)
    assert {k: n for k, n in costs.items() if n > 5} == {}
