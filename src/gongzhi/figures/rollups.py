"""Roll-ups: the figures of a subdistrict or a city summed from each community's yearly
parts, so that a page over 100 communities reads 100 rows instead of scanning every record.

Each community's parts for a year are counted by ``refresh`` through the very definitions
of ``figures.registry`` (so a sum of parts equals the live count; a test holds it) and kept
in ``Rollup``. The parts are what adds up across communities: counts, and for each rate
its numerator and denominator; the survey's days are kept as a list, since two communities
visiting on the same day make one survey day, not two.

Which to recount (``stale``): a community with no roll-up yet, one whose records changed
since it was counted — every change goes through a service that writes an audit event with
its community, so the audit log says which communities moved — and, in the current year,
one counted on an earlier day (the year so far has grown by a day and the 60+ cut-off has
moved). The worker does this every few minutes (``config/celery.py``); without a worker
(``make demo``, tests) a missing roll-up is counted when first asked for.

Whole communities only: a grid chief's part of a community is always counted live.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.core.scoping import scope_for, visible
from gongzhi.places.models import Community

from . import registry
from .models import Rollup
from .selectors import CAPABILITY, Window

# Figures whose value is a count that adds up across communities.
ADDITIVE = (
    "buildings",
    "households",
    "residents",
    "survey_households",
    "survey_valid",
    "opinion_events",
    "opinions",
    "outreach_talks",
    "outreach_audience",
    "volunteer_services",
    "volunteer_served",
    "cobuilding_activities",
    "coordination_meetings",
    "hard_problems_solved",
    "matters_closed",
    "micro_services",
    "wishes_fulfilled",
    "return_visits",
    "satisfied_visits",
    # Distinct residents, counted where they live: a resident lives in one community.
    "participants",
)
TRENDED = tuple(f.key for f in registry.FIGURES.values() if f.month)
# First-time participants by month, and those of them aged 60+ (``first_participation``).
FIRST, FIRST_60 = "participants_first", "participants_first_60"


def parts(window: Window) -> dict:
    """What the figures of ``window`` are made of (see the module's docstring)."""
    rates = registry._survey_rates(window)
    counted = {key: registry.FIGURES[key].count(window) for key in ADDITIVE}
    return {
        **counted,
        "elderly": registry._elderly(window).count(),
        "survey_reached": rates.reached,
        "survey_support": rates.support,
        "survey_stated": rates.stated,
        "survey_days": [d.isoformat() for d in registry._survey_days(window)],
        "participants_elderly": registry.participant_counts(window)[1],
    }


def add(many: list[dict]) -> dict:
    total: dict = {}
    days: set[str] = set()
    for one in many:
        for key, value in one.items():
            if key == "survey_days":
                days.update(value)
            else:
                total[key] = total.get(key, 0) + value
    total["survey_days"] = sorted(days)
    return total


def values(p: dict) -> dict[str, int | Decimal]:
    """Every figure from parts, with the registry's rounding."""
    percent = registry.percent
    households, reached = p.get("survey_households", 0), p.get("survey_reached", 0)
    valid = p.get("survey_valid", 0)
    out = {key: p.get(key, 0) for key in ADDITIVE}
    out.update(
        residents_60_plus_share=percent(p.get("elderly", 0), p.get("residents", 0)),
        survey_days=len(p.get("survey_days", ())),
        survey_coverage=percent(reached, households),
        survey_valid_rate=percent(valid, reached),
        survey_support_rate=percent(p.get("survey_support", 0), p.get("survey_stated", 0)),
        satisfaction_rate=percent(p.get("satisfied_visits", 0), p.get("return_visits", 0)),
        participants_60_plus_share=percent(
            p.get("participants_elderly", 0), p.get("participants", 0)
        ),
    )
    return {key: out[key] for key in registry.FIGURES}


def _year_window(community_id: int, year: int, today: dt.date) -> Window:
    end = min(dt.date(year, 12, 31), today)
    return Window(
        user=None, communities=(community_id,), start=dt.date(year, 1, 1), end=end, whole=True
    )


def refresh(community_id: int, year: int, *, today: dt.date | None = None) -> Rollup:
    """Count one community's year again and keep it. No audit event: nothing a person
    decided changed, and the audit log is what says a community needs recounting."""
    today = today or timezone.localdate()
    window = _year_window(community_id, year, today)
    monthly = {key: registry.monthly(registry.FIGURES[key], window) for key in TRENDED}
    firsts = list(registry.first_participation(window).values())
    monthly[FIRST] = [n for n, _old in firsts]
    monthly[FIRST_60] = [old for _n, old in firsts]
    rollup, _created = Rollup.objects.update_or_create(
        community_id=community_id,
        year=year,
        defaults={
            "through": window.end,
            "parts": parts(window),
            "monthly": monthly,
            "counted_at": timezone.now(),
        },
    )
    return rollup


def stale(year: int, *, today: dt.date | None = None) -> list[int]:
    """The communities whose roll-up for ``year`` must be counted again (see above)."""
    today = today or timezone.localdate()
    kept = {
        r.community_id: r
        for r in Rollup.objects.filter(year=year).only("community", "through", "counted_at")
    }
    due = min(dt.date(year, 12, 31), today)
    out = {pk for pk in Community.objects.values_list("pk", flat=True) if pk not in kept}
    out |= {pk for pk, r in kept.items() if r.through < due}
    if kept:
        since = min(r.counted_at for r in kept.values())
        changed = (
            AuditEvent.objects.filter(at__gt=since, community_id__in=list(kept))
            .values("community_id")
            .annotate(last=Max("at"))
            .values_list("community_id", "last")
        )
        out |= {pk for pk, last in changed if last > kept[pk].counted_at}
    return sorted(out)


def refresh_stale(*, today: dt.date | None = None) -> list[int]:
    """The worker's round: this year's stale roll-ups, and last year's for communities
    whose records changed (a late rating can still move last year's figures)."""
    today = today or timezone.localdate()
    done = []
    for year in (today.year, today.year - 1):
        for pk in stale(year, today=today):
            refresh(pk, year, today=today)
            done.append(pk)
    return done


@dataclass
class Summed:
    values: dict[str, int | Decimal]
    monthly: dict[str, list[int]]
    counted_at: dt.datetime
    communities: int = 0


def summed(window: Window) -> Summed | None:
    """The window's figures from roll-ups, when it asks for a calendar year (to its end, or
    to today in the current year) over communities the reader holds whole; None otherwise,
    and the caller counts live. One community alone reads its roll-up only while it is
    fresh — counted today, and no audit event of the community since — so its staff still
    see their own change at once: the first look after a change counts live."""
    if window.start is None or window.whole:
        return None
    year = window.start.year
    today = timezone.localdate()
    if window.start != dt.date(year, 1, 1) or window.end != min(dt.date(year, 12, 31), today):
        return None
    scope = scope_for(window.user, CAPABILITY)
    communities = visible(window.user, Community.objects.all(), CAPABILITY)
    if window.communities is not None:
        communities = communities.filter(pk__in=window.communities)
    held = list(communities.values_list("pk", "subdistrict_id"))
    if not held:
        return None
    if not scope.everything and any(
        pk not in scope.held.get("community", ()) and sd not in scope.held.get("subdistrict", ())
        for pk, sd in held
    ):
        return None
    ids = [pk for pk, _sd in held]
    kept = {r.community_id: r for r in Rollup.objects.filter(year=year, community_id__in=ids)}
    if len(ids) == 1 and not _fresh(kept.get(ids[0]), window.end):
        return None
    for pk in ids:
        if pk not in kept:
            kept[pk] = refresh(pk, year, today=today)
    rollups = list(kept.values())
    months = len(registry.months_of(window))
    monthly = {
        key: [sum(r.monthly.get(key, [0] * months)[i] for r in rollups) for i in range(months)]
        for key in (*TRENDED, FIRST, FIRST_60)
    }
    return Summed(
        values=values(add([r.parts for r in rollups])),
        monthly=monthly,
        counted_at=min(r.counted_at for r in rollups),
        communities=len(rollups),
    )


def _fresh(rollup: Rollup | None, through: dt.date) -> bool:
    """Whether ``rollup`` still equals a live count: it reaches ``through`` and nothing was
    recorded in its community since it was counted (one indexed query)."""
    if rollup is None or rollup.through < through:
        return False
    return not AuditEvent.objects.filter(
        community_id=rollup.community_id, at__gt=rollup.counted_at
    ).exists()
