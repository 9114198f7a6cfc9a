"""The window a figure is counted in: who asks, over which area, in which period.

Every record a figure counts passes through ``Window.scoped``, which is
``core.scoping.visible`` with the ``view_measures`` capability (the same reach as the
measures of residents' voice: every post over its own place, residents and partner units
over nothing of the register), then narrowed to the area asked for. A caller whose reach is
empty gets figures of 0 and empty lists, as ``/voices/measures`` and
``/mediation/figures`` answer them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.dates import parse_date
from gongzhi.core.scoping import visible
from gongzhi.places.models import Community, Subdistrict

CAPABILITY = "view_measures"


@dataclass
class Window:
    user: Any
    # Ids of the communities asked for; None: everything in the caller's reach.
    communities: tuple[int, ...] | None
    start: dt.date | None
    end: dt.date
    # Figures that share one query (the survey's four counts) keep it here for the request.
    memo: dict = field(default_factory=dict)
    # The roll-ups' own count (``figures.rollups``), made by the worker for no one in
    # particular: every record of the communities asked, whoever may read them later.
    whole: bool = False

    def scoped(self, queryset: QuerySet) -> QuerySet:
        qs = queryset if self.whole else visible(self.user, queryset, CAPABILITY)
        if self.communities is not None:
            qs = qs.filter(community_id__in=self.communities)
        return qs

    @property
    def since(self) -> dt.datetime | None:
        if self.start is None:
            return None
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def until(self) -> dt.datetime:
        # The end date is included: up to the next midnight, local time.
        return timezone.make_aware(
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min)
        )

    def moments(self, column: str) -> Q:
        """``column`` (a moment) within the period."""
        q = Q(**{f"{column}__lt": self.until})
        if self.since is not None:
            q &= Q(**{f"{column}__gte": self.since})
        return q

    def days(self, column: str) -> Q:
        """``column`` (a date) within the period."""
        q = Q(**{f"{column}__lte": self.end})
        if self.start is not None:
            q &= Q(**{f"{column}__gte": self.start})
        return q

    def overlaps(self, first: str, last: str) -> Q:
        """A span of dates (``first`` to ``last``) that shares a day with the period."""
        q = Q(**{f"{first}__lte": self.end})
        if self.start is not None:
            q &= Q(**{f"{last}__gte": self.start})
        return q


def _area_error(field_name: str, code: str, what: str) -> ValidationError:
    # Missing and out of reach read the same: the answer must not confirm that a community
    # one may not see exists.
    return ValidationError(
        {
            field_name: [
                _("没有找到编码为“%(code)s”的%(what)s，或它不在您的查看范围内。")
                % {"code": code, "what": what}
            ]
        }
    )


def window_for(
    user, *, community: str = "", subdistrict: str = "", start: str = "", end: str = ""
) -> Window:
    """The window asked for, or a ValidationError in Chinese naming the field at fault:
    a date that cannot be read or lies outside 1900–2100, a start after the end, a code
    that names no community or subdistrict in the caller's reach. Without ``end`` the
    period ends today; without ``start`` it has no beginning."""
    first = parse_date(start, field="from") if start else None
    last = parse_date(end, field="to") if end else timezone.localdate()
    if first is not None and first > last:
        raise ValidationError({"from": [_("开始日期不能晚于结束日期。")]})
    communities: tuple[int, ...] | None = None
    if subdistrict:
        found = visible(user, Subdistrict.objects.filter(code=subdistrict), CAPABILITY).first()
        if found is None:
            raise _area_error("subdistrict", subdistrict, _("街道"))
        communities = tuple(
            Community.objects.filter(subdistrict=found).values_list("pk", flat=True)
        )
    if community:
        found = visible(user, Community.objects.filter(code=community), CAPABILITY).first()
        if found is None or (communities is not None and found.pk not in communities):
            raise _area_error("community", community, _("社区"))
        communities = (found.pk,)
    return Window(user=user, communities=communities, start=first, end=last)
