"""The area and period a work report speaks for, read from the request's parameters
through ``figures.selectors.window_for`` (the one scoping of every figure), and the
report's saved words for them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongzhi.core.scoping import visible
from gongzhi.figures.selectors import CAPABILITY, Window, window_for
from gongzhi.places.models import Community, Subdistrict

from .models import WorkReport

# A report covers at most a year (a leap year's 366 days).
PERIOD_DAYS_MAX = 366


@dataclass
class Area:
    window: Window
    community: Community | None
    subdistrict: Subdistrict | None

    @property
    def name(self) -> str:
        if self.community is not None:
            return self.community.name
        if self.subdistrict is not None:
            return self.subdistrict.name
        return _("所辖范围")


def period_check(start: dt.date | None, end: dt.date) -> None:
    if start is None:
        raise ValidationError({"from": [_("请填写开始日期。")]})
    if (end - start).days >= PERIOD_DAYS_MAX:
        raise ValidationError({"to": [_("统计期最长一年，请缩短开始日期到结束日期的间隔。")]})


def area_for(
    user, *, community: str = "", subdistrict: str = "", start: str = "", end: str = ""
) -> Area:
    """The report's window and the area it speaks for; a ValidationError in Chinese for a
    bad date, a reversed or over-long period, or a code outside the caller's reach. Without
    a code, a caller whose reach is one community speaks for that community; any other
    reach makes a report of the whole reach, which has no saved words."""
    window = window_for(user, community=community, subdistrict=subdistrict, start=start, end=end)
    period_check(window.start, window.end)
    found_community = found_subdistrict = None
    if community:
        found_community = Community.objects.select_related("subdistrict").get(
            pk=window.communities[0]
        )
    elif subdistrict:
        found_subdistrict = visible(
            user, Subdistrict.objects.filter(code=subdistrict), CAPABILITY
        ).get()
    else:
        mine = list(visible(user, Community.objects.all(), CAPABILITY)[:2])
        if len(mine) == 1:
            found_community = mine[0]
    return Area(window=window, community=found_community, subdistrict=found_subdistrict)


def report_for(area: Area) -> WorkReport | None:
    if area.community is None and area.subdistrict is None:
        return None
    return WorkReport.objects.filter(
        community=area.community,
        subdistrict=area.subdistrict,
        start=area.window.start,
        end=area.window.end,
    ).first()
