"""The figures of the 1235 model over the API: every number counted from records in the
caller's reach (``gongzhi.figures``), and for each the list of the records behind it.

``community`` or ``subdistrict`` (codes) narrow the area; without either, everything the
caller may see. ``from`` and ``to`` (YYYY-MM-DD, both included) bound the period; without
``to`` it ends today. A code outside the caller's reach reads like an unknown one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

from django.http import Http404
from django.utils import timezone
from ninja import Field, Path, Query, Schema
from ninja.pagination import paginate

from gongzhi.figures import registry, rollups
from gongzhi.figures.selectors import window_for

from .api import ERRORS, api
from .inputs import filter_
from .pagination import Mapped, Page

TAGS = ["figures"]


class ModelFigureOut(Schema):
    key: str
    label: str
    value: int | float = Field(..., description="计数为整数；比率为百分数，两位小数，四舍五入")
    unit: str
    definition: str
    drill: str = Field(..., description="列出这一数字背后记录的接口（比率列出分子的记录）")


class ModelFiguresOut(Schema):
    as_of: dt.datetime = Field(..., description="计数的时刻")
    start: dt.date | None = Field(None, alias="from", description="统计期开始（含）；空为不限")
    end: dt.date = Field(..., alias="to", description="统计期结束（含）")
    figures: list[ModelFigureOut]


class FigureRowOut(Schema):
    id: int
    kind: str
    label: str
    date: dt.date | None
    place: str
    detail: str


# The same four filters on both routes; ``from`` is a Python keyword, hence the aliases.
# Each route gets its own parameter objects: ninja reads them per function.
def _start():
    return Query("", alias="from", max_length=10, description="开始日期 YYYY-MM-DD（含）")


def _end():
    return Query("", alias="to", max_length=10, description="结束日期 YYYY-MM-DD（含），默认今天")


def _filters(community: str, subdistrict: str, start: str, end: str) -> dict:
    return {"community": community, "subdistrict": subdistrict, "start": start, "end": end}


def _query(filters: dict) -> str:
    """The filters as asked, for the drill link: it lists the records of the same window."""
    names = {"community": "community", "subdistrict": "subdistrict", "start": "from", "end": "to"}
    text = urlencode({names[k]: v for k, v in filters.items() if v})
    return f"?{text}" if text else ""


@api.get("/figures", response={200: ModelFiguresOut, **ERRORS}, tags=TAGS, by_alias=True)
def figures(
    request,
    community: str = filter_(32, description="社区编码"),
    subdistrict: str = filter_(32, description="街道编码"),
    start: str = _start(),
    end: str = _end(),
):
    """Every figure of the 1235 model over the area and period asked, counted from the
    records in the caller's reach. A figure with no records is 0."""
    filters = _filters(community, subdistrict, start, end)
    window = window_for(request.auth, **filters)
    query = _query(filters)
    # A subdistrict's or a city's calendar year comes from the roll-ups, as of their count.
    rolled = rollups.summed(window)
    if rolled is not None:
        counted = [(registry.FIGURES[k], v) for k, v in rolled.values.items()]
    else:
        counted = registry.count_all(window)
    return {
        "as_of": rolled.counted_at if rolled is not None else timezone.now(),
        "from": window.start,
        "to": window.end,
        "figures": [
            {
                "key": f.key,
                "label": str(f.label),
                "value": float(value) if isinstance(value, Decimal) else value,
                "unit": str(f.unit),
                "definition": str(f.definition),
                "drill": f.drill + query,
            }
            for f, value in counted
        ],
    }


@api.get("/figures/{key}/rows", response={200: list[FigureRowOut], **ERRORS}, tags=TAGS)
@paginate(Page)
def figure_rows(
    request,
    key: str = Path(..., max_length=40, description="数字的代码，如 households"),
    community: str = filter_(32, description="社区编码"),
    subdistrict: str = filter_(32, description="街道编码"),
    start: str = _start(),
    end: str = _end(),
):
    """The records behind one figure (for a rate, its numerator's), in the same reach, area
    and period: the list's ``count`` is the figure. An unknown key answers 404."""
    figure = registry.figure_get(key)
    if figure is None:
        raise Http404
    window = window_for(request.auth, **_filters(community, subdistrict, start, end))
    records = figure.records(window)
    if isinstance(records, list):
        return [figure.row(r, window) for r in records]
    return Mapped(records, lambda obj: figure.row(obj, window))
