"""The measures of residents' voice, counted from records (docs/measures.md defines each).

For one calendar month (Asia/Shanghai) and one grouping — grid, community or partner unit —
``monthly`` returns one row per group with, for each rate, its numerator and denominator.
Each figure is one aggregate query over records; ``records`` returns the very records
behind a figure, built from the same conditions, so a number on a page can be opened into
the list it counts.

Scope: a user sees the measures of the items in their ``view_measures`` reach, and a
partner unit's user those of their own unit's dispatches.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.scoping import scope_for
from gongzhi.orgs.models import PartnerUnit
from gongzhi.places.models import Community, Grid

from .enums import DispatchStatus, Satisfaction, Solved, Status
from .models import Dispatch, Item, ReturnVisit

GROUPINGS = ("grid", "community", "unit")
MEASURES = ("received", "response", "resolution", "satisfaction", "on_time")
NOT_RECEIVED = [Status.MERGED, Status.WITHDRAWN]
RESOLVED_OUTCOMES = [Solved.SOLVED, Solved.PARTLY]
SATISFIED = [Satisfaction.SATISFIED, Satisfaction.BASICALLY]


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def rate(self) -> float | None:
        """Numerator / denominator, or None when nothing was counted (never a fake 0 %)."""
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"


@dataclass(frozen=True)
class Row:
    key: int | None
    label: str
    received: int
    response: Ratio
    resolution: Ratio
    satisfaction: Ratio
    on_time: Ratio


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[first moment, first moment of the next month) in local time."""
    first = month.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(dt.datetime.combine(first, dt.time.min), tz),
        timezone.make_aware(dt.datetime.combine(nxt, dt.time.min), tz),
    )


def items_for_measures(user) -> QuerySet[Item]:
    """The items whose figures ``user`` may read: their ``view_measures`` reach, plus the
    items dispatched to their partner unit."""
    scope = scope_for(user, "view_measures")
    if scope.everything:
        return Item.objects.all()
    q = Q(pk__in=[])
    if not scope.empty:
        q |= scope.q_for(Item, containers=False)
    if getattr(user, "partner_unit_id", None):
        q |= Q(pk__in=Dispatch.objects.filter(unit_id=user.partner_unit_id).values("item_id"))
    return Item.objects.filter(q)


def _in(column: str, start: dt.datetime, end: dt.datetime, prefix: str = "") -> Q:
    return Q(**{f"{prefix}{column}__gte": start, f"{prefix}{column}__lt": end})


# The conditions of each measure, as (denominator, numerator) over items; the unit grouping
# has its own over dispatches. Aggregates and ``records`` both read these.
def _item_conditions(start, end) -> dict[str, tuple[Q, Q]]:
    received = _in("submitted_at", start, end) & ~Q(status__in=NOT_RECEIVED)
    accepted = _in("accepted_at", start, end)
    resolved = _in("resolved_at", start, end)
    return {
        "received": (received, received),
        "response": (accepted, accepted & Q(responded_on_time=True)),
        "on_time": (resolved, resolved & Q(resolved_on_time=True)),
    }


def _dispatch_conditions(start, end) -> dict[str, tuple[Q, Q]]:
    sent = _in("sent_at", start, end)
    accepted = _in("accepted_at", start, end)
    replied = _in("replied_at", start, end)
    return {
        "received": (sent, sent),
        "response": (accepted, accepted & Q(accepted_at__lte=F("accept_due_at"))),
        "on_time": (replied, replied & Q(replied_at__lte=F("reply_due_at"))),
    }


def _visit_conditions(start, end) -> dict[str, tuple[Q, Q]]:
    visited = _in("visited_at", start, end)
    return {
        "resolution": (visited, visited & Q(solved__in=RESOLVED_OUTCOMES)),
        "satisfaction": (visited, visited & Q(satisfaction__in=SATISFIED)),
    }


def _of_items(records: QuerySet, items: QuerySet[Item]) -> QuerySet:
    """``records`` of ``items``. A reader who sees every item (the city's superuser) gets no
    filter at all: "item among all items" only steers the database into reading every item
    instead of the month off the records' date index."""
    if not items.query.where:
        return records
    return records.filter(item__in=items.values("pk"))


def _visits(items: QuerySet[Item], group_by: str) -> QuerySet[ReturnVisit]:
    visits = _of_items(ReturnVisit.objects.all(), items)
    if group_by == "unit":
        # A visit counts for the unit whose reply the community accepted for that item.
        visits = visits.filter(item__dispatches__status=DispatchStatus.VERIFIED)
    return visits


VISIT_KEY = {"grid": "item__grid", "community": "item__community", "unit": "item__dispatches__unit"}


def _check(group_by: str) -> None:
    if group_by not in GROUPINGS:
        raise ValidationError(_("不支持的统计维度。"))


def monthly(user, *, month: dt.date, group_by: str) -> list[Row]:
    """One row per grid, community or partner unit with anything counted in ``month``,
    ordered by label. Three queries whatever the number of rows or items."""
    _check(group_by)
    start, end = month_bounds(month)
    items = items_for_measures(user)
    counts: dict[int | None, dict[str, int]] = {}

    def put(key, name, value):
        counts.setdefault(key, {})[name] = value

    if group_by == "unit":
        base = _of_items(Dispatch.objects.all(), items)
        conditions = _dispatch_conditions(start, end)
        key_column = "unit"
    else:
        base = items
        conditions = _item_conditions(start, end)
        key_column = group_by
    annotations = {}
    for name, (den, num) in conditions.items():
        annotations[f"{name}_den"] = Count("pk", filter=den)
        annotations[f"{name}_num"] = Count("pk", filter=num)
    any_in_month = Q()
    for den, _num in conditions.values():
        any_in_month |= den
    for row in (
        base.filter(any_in_month).values(key_column).annotate(**annotations).order_by(key_column)
    ):
        for name in annotations:
            put(row[key_column], name, row[name])

    visit_key = VISIT_KEY[group_by]
    visit_annotations = {}
    visit_dens: list[Q] = []
    for name, (den, num) in _visit_conditions(start, end).items():
        visit_annotations[f"{name}_den"] = Count("pk", filter=den, distinct=True)
        visit_annotations[f"{name}_num"] = Count("pk", filter=num, distinct=True)
        if den not in visit_dens:
            visit_dens.append(den)
    # Each distinct range once: the same range OR-ed with itself keeps the database from
    # reading the month off the visits' date index (a city's visits scanned through its
    # items instead).
    visit_any = Q()
    for den in visit_dens:
        visit_any |= den
    for row in (
        _visits(items, group_by)
        .filter(visit_any)
        .values(visit_key)
        .annotate(**visit_annotations)
        .order_by(visit_key)
    ):
        for name in visit_annotations:
            put(row[visit_key], name, row[name])

    labels = _labels(group_by, [k for k in counts if k is not None])
    rows = []
    for key, c in counts.items():

        def ratio(name: str, c=c) -> Ratio:
            return Ratio(c.get(f"{name}_num", 0), c.get(f"{name}_den", 0))

        rows.append(
            Row(
                key=key,
                label=labels.get(key, _("未划分网格")),
                received=c.get("received_den", 0),
                response=ratio("response"),
                resolution=ratio("resolution"),
                satisfaction=ratio("satisfaction"),
                on_time=ratio("on_time"),
            )
        )
    # Grids by their number (第二 before 第十二, as ``_labels`` gives them), others by name.
    order = {key: i for i, key in enumerate(labels)} if group_by == "grid" else {}
    return sorted(rows, key=lambda r: (r.key is None, order.get(r.key, 0), r.label))


def _labels(group_by: str, keys: list[int]) -> dict[int, str]:
    if not keys:
        return {}
    if group_by == "grid":
        grids = Grid.objects.filter(pk__in=keys).order_by("community_id", "sort_key", "code")
        return dict(grids.values_list("pk", "name"))
    if group_by == "community":
        return dict(Community.objects.filter(pk__in=keys).values_list("pk", "name"))
    return {
        pk: short or name
        for pk, short, name in PartnerUnit.objects.filter(pk__in=keys).values_list(
            "pk", "short_name", "name"
        )
    }


def records(
    user, *, month: dt.date, group_by: str, key: int | None, measure: str
) -> tuple[QuerySet, QuerySet]:
    """The records behind one figure of ``monthly``: (denominator, numerator) querysets of
    items, dispatches (unit grouping, except resolution and satisfaction) or return
    visits (resolution, satisfaction)."""
    _check(group_by)
    if measure not in MEASURES:
        raise ValidationError(_("不支持的指标。"))
    start, end = month_bounds(month)
    items = items_for_measures(user)
    if measure in ("resolution", "satisfaction"):
        den, num = _visit_conditions(start, end)[measure]
        qs = _visits(items, group_by).filter(**{VISIT_KEY[group_by]: key})
        return qs.filter(den).distinct(), qs.filter(num).distinct()
    if group_by == "unit":
        den, num = _dispatch_conditions(start, end)[measure]
        qs = Dispatch.objects.filter(item__in=items.values("pk"), unit_id=key)
    else:
        den, num = _item_conditions(start, end)[measure]
        qs = items.filter(**{group_by: key})
    return qs.filter(den), qs.filter(num)
