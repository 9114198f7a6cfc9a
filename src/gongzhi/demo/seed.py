"""Seeding entry points used by ``manage.py seed_demo`` and the benchmarks."""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from gongzhi.places.models import Community, Subdistrict

from . import plans
from .activities import seed_activities
from .compounds import seed_compounds
from .deliberation import seed_deliberation
from .exemplars import seed_exemplars
from .generator import Generator, Stats, deferred_indexes, fast_sqlite_writes
from .history import HistoryStats, write_history
from .mediation import seed_mediation
from .organisations import build_organisations
from .points import seed_points
from .renewal import write_renewal
from .surveys import write_surveys
from .venues import seed_venues


@dataclass
class SeedResult:
    stats: Stats
    seconds: float
    communities: int
    organisations: dict
    history: HistoryStats | None = None

    @property
    def rows_per_second(self) -> float:
        return self.stats.rows / self.seconds if self.seconds else 0.0


def wangjiang_exists() -> bool:
    return Community.objects.filter(code=plans.WANGJIANG_CODE).exists()


def seed(
    *,
    seed: int = 2001,
    scale: str = "demo",
    communities: int | None = None,
    households: int | None = None,
    workers: int | None = None,
    history: bool = True,
    history_scale: float = 1.0,
    history_end: dt.datetime | None = None,
    log=print,
) -> SeedResult:
    """Write the demo world. ``scale="demo"``: Bingcaogang subdistrict with Wangjiang in full
    (or with ``households`` households, for quick tests) and small neighbours.
    ``scale="city"``: ``communities`` full-size communities (default 100), Wangjiang first.
    The year of residents' voice ends at ``history_end``, by default the close of business
    of the last working day before today."""
    started = time.perf_counter()
    generator = Generator(seed, log=log)
    with fast_sqlite_writes():
        if scale == "city":
            count = communities or 100
            todo = plans.city_plans(seed, count)
            subdistricts: dict[str, Subdistrict] = {}
            pairs = []
            for (code, name, district), plan in todo:
                if code not in subdistricts:
                    subdistricts[code] = generator.subdistrict(
                        code=code, name=name, district=district
                    )
                pairs.append((plan, subdistricts[code]))
            if workers is None:
                workers = max(1, (os.cpu_count() or 1))
            with deferred_indexes():
                made = generator.communities(pairs, workers=workers)
            sd = subdistricts[plans.SUBDISTRICT["code"]]
            wangjiang, neighbours = made[0], [c for c in made[1:] if c.subdistrict_id == sd.pk]
        else:
            sd = generator.subdistrict(**plans.SUBDISTRICT)
            todo = [plans.wangjiang_plan(households or plans.WANGJIANG_HOUSEHOLDS)]
            todo += plans.neighbour_plans(2 if communities is None else max(0, communities - 1))
            made = generator.communities([(p, sd) for p in todo], workers=workers or 0)
            wangjiang, neighbours = made[0], made[1:]
        with transaction.atomic():
            organisations = build_organisations(
                seed=seed, subdistrict=sd, community=wangjiang, neighbours=neighbours
            )
    with transaction.atomic():
        seed_venues(community=wangjiang, seed=seed)
    # The rate reported is the register's; the history reports its own time.
    seconds = time.perf_counter() - started
    voices = None
    if history:
        # A year of residents' voice in Wangjiang (``history_scale`` < 1 for quick tests).
        with transaction.atomic():
            voices = write_history(
                seed=seed, community=wangjiang, scale=history_scale, end=history_end, log=log
            )
            write_renewal(seed=seed, community=wangjiang, log=log)
            write_surveys(seed=seed, community=wangjiang, log=log)
        seed_deliberation(seed=seed, community=wangjiang, end=voices.end, log=log)
        seed_exemplars(seed=seed, community=wangjiang, end=voices.end, log=log)
        seed_mediation(seed=seed, community=wangjiang, end=voices.end, log=log)
        seed_compounds(seed=seed, community=wangjiang, end=voices.end, log=log)
        with transaction.atomic():
            # A smaller Wangjiang (the quick tests) holds fewer activities.
            size = (households or plans.WANGJIANG_HOUSEHOLDS) / plans.WANGJIANG_HOUSEHOLDS
            seed_activities(
                seed=seed, community=wangjiang, end=voices.end, scale=history_scale * min(1.0, size)
            )
    with transaction.atomic():
        seed_points(
            community=wangjiang,
            seed=seed,
            end=voices.end if voices is not None else timezone.now(),
            log=log,
        )
    return SeedResult(
        stats=generator.stats,
        seconds=seconds,
        communities=len(made),
        organisations=organisations,
        history=voices,
    )
