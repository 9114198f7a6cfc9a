"""The dashboard (数据看板) and the rows behind each of its figures.

Everything on these pages comes from ``figures.registry`` over a ``Window``: the same
definitions, reach and period as ``/api/v1/figures``, so the page, the API and the work
report cannot disagree. Each number links to the page listing its records; each chart has
its numbers in a table beside it, for screen readers and for copying.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.decorators import staff_required
from gongzhi.core.scoping import scope_for, visible
from gongzhi.places.models import (
    Building,
    Community,
    Grid,
    Resident,
    Subdistrict,
    elderly_cutoff,
)
from gongzhi.surveys.models import CampaignHousehold
from gongzhi.surveys.selectors import with_flags
from gongzhi.voices import measures
from gongzhi.voices.enums import OPEN_STATUSES
from gongzhi.voices.models import Item

from . import registry, rollups
from .selectors import CAPABILITY, Window, window_for

# The model's pillars and the figures each reports; every registry figure sits in one.
PILLARS = [
    (
        "base",
        _("社区概况"),
        ["buildings", "households", "residents", "residents_60_plus_share"],
    ),
    (
        "core",
        _("一核引领"),
        ["coordination_meetings", "cobuilding_activities", "hard_problems_solved"],
    ),
    (
        "voice",
        _("二融共促"),
        [
            "survey_households",
            "survey_days",
            "survey_valid",
            "survey_coverage",
            "survey_valid_rate",
            "survey_support_rate",
            "opinion_events",
            "opinions",
            "matters_closed",
        ],
    ),
    (
        "reach",
        _("三维并举"),
        [
            "outreach_talks",
            "outreach_audience",
            "volunteer_services",
            "volunteer_served",
            "return_visits",
            "satisfied_visits",
            "satisfaction_rate",
        ],
    ),
    ("micro", _("五微共享"), ["micro_services", "wishes_fulfilled"]),
    ("people", _("居民参与"), ["participants", "participants_60_plus_share"]),
]

# The trends: events held (场/次) and people reached (人次/条), month by month.
TRENDS = [
    (
        "held",
        _("每月举办的活动与会议"),
        [
            "opinion_events",
            "outreach_talks",
            "volunteer_services",
            "cobuilding_activities",
            "micro_services",
            "coordination_meetings",
        ],
    ),
    (
        "reached",
        _("每月收集的意见与服务人次"),
        ["opinions", "outreach_audience", "volunteer_served", "wishes_fulfilled"],
    ),
    ("visits", _("每月诉求回访与满意"), ["return_visits", "satisfied_visits"]),
]

# The building map's colourings: what a tile's number is, and its bands (upper bounds).
TILE_METRICS = {
    "elderly": (_("60岁及以上占比"), "%", (20, 30, 40)),
    "open": (_("未办结诉求"), _("条"), (0, 2, 5)),
    "coverage": (_("调查覆盖率"), "%", (50, 80, 99.99)),
}
ROWS_PER_PAGE = 50


def _asked(request) -> dict:
    get = request.GET
    return {
        "community": get.get("community", "")[:32],
        "subdistrict": get.get("subdistrict", "")[:32],
        "start": get.get("from", "")[:10],
        "end": get.get("to", "")[:10],
    }


def _query(asked: dict) -> str:
    names = {"community": "community", "subdistrict": "subdistrict", "start": "from", "end": "to"}
    return urlencode({names[k]: v for k, v in asked.items() if v})


def _window(request) -> tuple[Window, dict, list[str], int]:
    """The window asked for; when the request cannot be read, this year over the whole
    reach, with the Chinese reasons to show above it and a 400."""
    user = request.user
    if scope_for(user, CAPABILITY).empty:
        raise Http404
    asked = _asked(request)
    if not asked["start"] and not asked["end"]:
        asked["start"] = timezone.localdate().replace(month=1, day=1).isoformat()
    try:
        return window_for(user, **asked), asked, [], 200
    except ValidationError as error:
        errors = [m for messages in error.message_dict.values() for m in messages]
        fallback = {"community": "", "subdistrict": "", "start": "", "end": ""}
        fallback["start"] = timezone.localdate().replace(month=1, day=1).isoformat()
        return window_for(user, **fallback), fallback, errors, 400


def _shown(value):
    # 93.17 not 93.170000; whole numbers with thousands separators in the template.
    return (
        value.normalize() if isinstance(value, Decimal) and value == value.to_integral() else value
    )


def _areas(user):
    communities = visible(user, Community.objects.all(), CAPABILITY).order_by("code")
    subdistricts = visible(user, Subdistrict.objects.all(), CAPABILITY).order_by("code")
    return list(communities.only("code", "name")), list(subdistricts.only("code", "name"))


def _tiles(window: Window, community_id: int, metric: str) -> list[dict]:
    """The community's buildings by compound, each with its figure for ``metric``: three
    grouped queries whatever the number of buildings."""
    buildings = list(
        window.scoped(Building.objects.filter(community_id=community_id))
        .select_related("compound")
        .order_by("compound__name", "sort_key", "number", "pk")
    )
    values: dict[int, Decimal | int | None] = {}
    if metric == "elderly":
        rows = (
            window.scoped(Resident.objects.living().filter(community_id=community_id))
            .order_by()
            .values("building_id")
            .annotate(
                n=Count("pk"), old=Count("pk", filter=Q(birth_date__lte=elderly_cutoff(window.end)))
            )
        )
        values = {r["building_id"]: registry.percent(r["old"], r["n"]) for r in rows}
    elif metric == "open":
        rows = (
            window.scoped(Item.objects.filter(community_id=community_id, status__in=OPEN_STATUSES))
            .order_by()
            .values("building_id")
            .annotate(n=Count("pk"))
        )
        values = {r["building_id"]: r["n"] for r in rows}
        values = {b.pk: values.get(b.pk, 0) for b in buildings}
    else:
        rows = (
            with_flags(window.scoped(CampaignHousehold.objects.filter(community_id=community_id)))
            .order_by()
            .values("building_id")
            .annotate(n=Count("pk"), reached=Count("pk", filter=Q(reached_flag=True)))
        )
        values = {r["building_id"]: registry.percent(r["reached"], r["n"]) for r in rows}
    bands = TILE_METRICS[metric][2]
    compounds: dict[str, list] = {}
    for b in buildings:
        value = values.get(b.pk)
        band = None if value is None else sum(1 for bound in bands if value > bound)
        compounds.setdefault(b.compound.name, []).append(
            {"building": b, "value": _shown(value) if value is not None else None, "band": band}
        )
    return [{"name": name, "tiles": tiles} for name, tiles in compounds.items()]


def _month_query(asked: dict, month: dt.date, window: Window) -> str:
    """The filters of one month of the period: a trend's cell opens that month's rows."""
    last = min((month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1), window.end)
    return _query(
        {**asked, "start": max(month, window.start or month).isoformat(), "end": last.isoformat()}
    )


def _trends(window: Window, asked: dict, rolled) -> list[dict]:
    months = registry.months_of(window)

    def series(key, label, data, drill=True, chart=True):
        return {"key": key, "label": str(label), "data": data, "drill": drill, "chart": chart}

    charts = []
    for key, label, keys in TRENDS:
        charts.append(
            (
                key,
                label,
                [
                    series(
                        k,
                        registry.FIGURES[k].label,
                        rolled.monthly[k]
                        if rolled is not None
                        else registry.monthly(registry.FIGURES[k], window),
                    )
                    for k in keys
                ],
            )
        )
    # Satisfaction over time: the rate beside its two counts, in the table only (a share
    # drawn on the same axis as counts would read as a count).
    visit_series = next(chart for key, _label, chart in charts if key == "visits")
    visits = {s["key"]: s["data"] for s in visit_series}
    visit_series.append(
        series(
            "satisfaction_rate",
            f"{registry.FIGURES['satisfaction_rate'].label}（%）",
            [
                registry.ratio(ok, n)
                for ok, n in zip(visits["satisfied_visits"], visits["return_visits"], strict=True)
            ],
            drill=False,
            chart=False,
        )
    )
    if rolled is not None:
        first, first_60 = rolled.monthly[rollups.FIRST], rolled.monthly[rollups.FIRST_60]
    else:
        counted = list(registry.first_participation(window).values())
        first, first_60 = [n for n, _ in counted], [old for _, old in counted]
    # No list opens from these: "first time ever" is a property of a resident's whole
    # history, which the rows of one figure do not show.
    charts.append(
        (
            "first",
            _("每月首次参与的居民"),
            [
                series("first", _("首次参与"), first, drill=False),
                series("first_60", _("其中60岁及以上"), first_60, drill=False),
            ],
        )
    )
    out = []
    for key, label, chart in charts:
        rows = []
        for i, month in enumerate(months):
            link = _month_query(asked, month, window)
            rows.append(
                (
                    month,
                    [(s["data"][i], f"{s['key']}/?{link}" if s["drill"] else None) for s in chart],
                )
            )
        out.append(
            {
                "key": key,
                "label": str(label),
                "months": [m.strftime("%Y-%m") for m in months],
                "series": [{"label": s["label"], "data": s["data"]} for s in chart if s["chart"]],
                "columns": [s["label"] for s in chart],
                # The table beside the chart: a row a month, a column a series; each
                # number opens that month's records.
                "rows": rows,
            }
        )
    return out


def _handling(user, window: Window, one: int | None) -> dict:
    """Residents' voice rates for the period's last month: by grid for one community
    (``one``), by community for more, and by partner unit — the measures page's own counts
    (``voices.measures.monthly``), each table opening that page for the month."""
    month = window.end.replace(day=1)
    by_area = "grid" if one is not None else "community"
    areas = measures.monthly(user, month=month, group_by=by_area)
    if one is not None:
        inside = set(
            Grid.objects.filter(pk__in=[r.key for r in areas if r.key], community_id=one)
            .order_by()
            .values_list("pk", flat=True)
        )
        areas = [r for r in areas if r.key in inside]
    elif window.communities is not None:
        areas = [r for r in areas if r.key in window.communities]
    tables = []
    for group_by, label, rows in [
        (by_area, _("按网格") if by_area == "grid" else _("按社区"), areas),
        ("unit", _("按责任单位"), measures.monthly(user, month=month, group_by="unit")),
    ]:
        tables.append(
            {
                "group_by": group_by,
                "label": label,
                "rows": rows,
                "link": urlencode({"month": month.strftime("%Y-%m"), "group_by": group_by}),
            }
        )
    return {"month": month, "tables": tables}


@staff_required
def dashboard(request):
    window, asked, errors, status = _window(request)
    query = _query(asked)
    # A subdistrict's or a city's year is summed from the kept roll-ups; the rest is
    # counted from the records now.
    rolled = rollups.summed(window)
    if rolled is not None:
        counted = {k: (registry.FIGURES[k], v) for k, v in rolled.values.items()}
    else:
        counted = {f.key: (f, v) for f, v in registry.count_all(window)}
    pillars = [
        {
            "key": key,
            "label": label,
            "figures": [{"figure": counted[k][0], "value": _shown(counted[k][1])} for k in keys],
        }
        for key, label, keys in PILLARS
    ]
    trends = _trends(window, asked, rolled)
    communities, subdistricts = _areas(request.user)
    one = window.communities[0] if window.communities and len(window.communities) == 1 else None
    if one is None and len(communities) == 1:
        one = communities[0].pk
    metric = request.GET.get("tile", "elderly")
    if metric not in TILE_METRICS:
        metric = "elderly"
    return render(
        request,
        "figures/dashboard.html",
        {
            "nav": "figures",
            "window": window,
            "asked": asked,
            "query": query,
            "errors": errors,
            "pillars": pillars,
            "trends": trends,
            "chart_data": [
                {
                    "id": f"trend-{t['key']}",
                    "label": t["label"],
                    "months": t["months"],
                    "series": t["series"],
                }
                for t in trends
            ],
            "communities": communities,
            "subdistricts": subdistricts,
            "tiles": _tiles(window, one, metric) if one is not None else None,
            "tile_metric": metric,
            "tile_metrics": [(k, v[0], v[1]) for k, v in TILE_METRICS.items()],
            "tile_unit": TILE_METRICS[metric][1],
            "tile_bands": TILE_METRICS[metric][2],
            "as_of": rolled.counted_at if rolled is not None else timezone.now(),
            # The note on summed parts is for many communities: one community's fresh
            # roll-up is its live count, kept.
            "rolled": rolled is not None and rolled.communities > 1,
            "handling": _handling(request.user, window, one),
        },
        status=status,
    )


@staff_required
def rows(request, key: str):
    """One figure's records, fifty to a page: their number is the figure (for a rate, its
    numerator)."""
    figure = registry.figure_get(key)
    if figure is None:
        raise Http404
    window, asked, errors, status = _window(request)
    records = figure.records(window)
    page = Paginator(records, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "figures/rows.html",
        {
            "nav": "figures",
            "figure": figure,
            "value": _shown(figure.count(window)),
            "window": window,
            "query": _query(asked),
            "errors": errors,
            "page": page,
            "rows": [figure.row(r, window) for r in page.object_list],
        },
        status=status,
    )
