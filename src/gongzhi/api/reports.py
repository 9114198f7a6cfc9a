"""The work report over the API: its sections, each sentence's text as the report writes
it, the highlights drawn from the records, the authors' paragraph, and every figure with
its exact value and its drill. ``community`` or ``subdistrict`` (codes) name the area;
``from`` and ``to`` (YYYY-MM-DD, both included, at most a year) the period, from the
first of January by default. The reach is the dashboard's (``view_measures``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Schema

from gongzhi.core.scoping import scope_for
from gongzhi.figures.selectors import CAPABILITY
from gongzhi.reports import builder, selectors

from .api import ERRORS, api
from .inputs import filter_

TAGS = ["reports"]


class ReportFigureOut(Schema):
    key: str
    label: str
    value: int | float = Field(..., description="计数为整数；比率为百分数，两位小数")
    text: str = Field(..., description="报告中的写法，如“130余场”“96.93%”")
    exact: str = Field(..., description="精确值，如“138场”")
    note: int = Field(..., description="注释编号")
    drill: str = Field(..., description="列出这一数字背后记录的页面")


class ReportSectionOut(Schema):
    key: str
    label: str
    sentences: list[str]
    highlights: list[str]
    paragraph: str
    figures: list[ReportFigureOut]


class WorkReportOut(Schema):
    title: str
    area: str
    start: dt.date | None = Field(None, alias="from")
    end: dt.date = Field(..., alias="to")
    as_of: dt.datetime
    sections: list[ReportSectionOut]


def _figure(part: builder.Part) -> dict:
    value = part.value
    return {
        "key": part.key,
        "label": part.label,
        "value": float(value) if isinstance(value, Decimal) else value,
        "text": part.text,
        "exact": part.exact,
        "note": part.note,
        "drill": part.drill,
    }


@api.get(
    "/reports/work",
    response={200: WorkReportOut, **ERRORS},
    tags=TAGS,
    by_alias=True,
)
def report_work(
    request,
    community: str = filter_(32, description="社区编码"),
    subdistrict: str = filter_(32, description="街道编码"),
    start: str = Query("", alias="from", max_length=10, description="开始日期 YYYY-MM-DD（含）"),
    end: str = Query("", alias="to", max_length=10, description="结束日期 YYYY-MM-DD（含）"),
):
    """The work report of the area and period asked, its figures counted from the records
    in the caller's reach. A caller without any reach gets 404."""
    user = request.auth
    if scope_for(user, CAPABILITY).empty:
        raise Http404
    asked = {
        "community": community,
        "subdistrict": subdistrict,
        "start": start or timezone.localdate().replace(month=1, day=1).isoformat(),
        "end": end,
    }
    area = selectors.area_for(user, **asked)
    saved = selectors.report_for(area)
    report = builder.build(
        area.window,
        area=area.name,
        asked=asked,
        title=saved.title if saved else "",
        paragraphs=saved.paragraphs if saved else {},
    )
    return {
        "title": report.title,
        "area": report.area,
        "from": area.window.start,
        "to": area.window.end,
        "as_of": report.as_of,
        "sections": [
            {
                "key": s.key,
                "label": s.label,
                "sentences": s.plain(),
                "highlights": s.highlights,
                "paragraph": s.paragraph,
                "figures": [
                    _figure(p)
                    for sentence in s.sentences
                    for p in sentence
                    if not isinstance(p, str)
                ],
            }
            for s in report.sections
        ],
    }
