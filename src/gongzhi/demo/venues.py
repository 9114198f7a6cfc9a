"""The positions of Wangjiang (阵地 / 微阵地) and a season of their bookings.

The article names the party activity position, the grid stations (网格驿站), the three
consultation corners (议事角), pocket parks, the rainbow walkway and shared spaces for all
ages. Bookings are written as rows in bulk, like the rest of the demo's history (no audit
events); every figure the venue pages show is counted from them.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.orgs.models import Team
from gongzhi.places.models import Community, Grid
from gongzhi.venues.enums import BookingStatus, VenueKind
from gongzhi.venues.models import Booking, OpeningPeriod, Venue

WEEKDAY_HOURS = [(dt.time(8, 30), dt.time(12, 0)), (dt.time(14, 0), dt.time(21, 0))]
WEEKEND_HOURS = [(dt.time(9, 0), dt.time(17, 0))]
OPEN_AIR_HOURS = [(dt.time(7, 0), dt.time(21, 0))]

FIXED = [
    (
        VenueKind.PARTY_POSITION,
        "望江街社区党群服务中心",
        "望江路社区办公楼一楼",
        "党员学习、三会一课、议事协商",
        60,
        True,
    ),
    (
        VenueKind.CONSULTATION_CORNER,
        "甘露园议事角",
        "甘露园小区凉亭",
        "“有4说事”议事协商",
        20,
        False,
    ),
    (VenueKind.CONSULTATION_CORNER, "民安巷议事角", "民安巷小广场", "“有4说事”议事协商", 20, False),
    (
        VenueKind.CONSULTATION_CORNER,
        "代表联络站议事角",
        "社区办公楼二楼",
        "人大代表联络、议事协商",
        25,
        True,
    ),
    (
        VenueKind.POCKET_PARK,
        "望江口袋公园",
        "望江路与民安巷路口",
        "健身、纳凉、文艺活动",
        80,
        False,
    ),
    (VenueKind.WALKWAY, "彩虹步道", "沿江绿地", "健步走、志愿服务", 100, False),
    (
        VenueKind.SHARED_SPACE,
        "全龄共享空间",
        "社区办公楼三楼",
        "老年活动、儿童托管、能人微课堂",
        40,
        True,
    ),
]
PURPOSES = ["党员学习", "议事协商", "文艺排练", "健康讲座", "志愿服务", "能人微课堂", "老年活动"]


def _hours(kind: str):
    if kind in (VenueKind.POCKET_PARK, VenueKind.WALKWAY):
        return {d: OPEN_AIR_HOURS for d in range(7)}
    return {d: WEEKDAY_HOURS if d < 5 else WEEKEND_HOURS for d in range(7)}


def seed_venues(*, community: Community, seed: int, weeks: int = 12) -> int:
    """The community's venues, a grid station in each grid, and ``weeks`` of past and
    coming bookings by its teams. Returns the number of bookings written."""
    rng = random.Random(seed)
    venues = [
        Venue(
            community=community,
            kind=k,
            name=n,
            address=a,
            purposes=p,
            capacity=c,
            needs_approval=ap,
        )
        for k, n, a, p, c, ap in FIXED
    ]
    for grid in Grid.objects.filter(community=community).order_by("sort_key", "code"):
        venues.append(
            Venue(
                community=community,
                grid=grid,
                kind=VenueKind.GRID_STATION,
                name=f"{grid.name}网格驿站",
                purposes="网格议事、便民服务、政策宣讲",
                capacity=15,
                needs_approval=False,
            )
        )
    venues = Venue.objects.bulk_create(venues)
    OpeningPeriod.objects.bulk_create(
        OpeningPeriod(venue=v, weekday=d, opens=o, closes=c)
        for v in venues
        for d, spans in _hours(v.kind).items()
        for o, c in spans
    )
    teams = list(Team.objects.filter(community=community))
    staff = (
        User.objects.filter(
            posts__community=community,
            posts__kind__in=["community_secretary", "community_staff"],
        )
        .distinct()
        .first()
    )
    if staff is None or not teams:
        return 0
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    rows = []
    for v in venues:
        hours = _hours(v.kind)
        taken: set[tuple[dt.date, int]] = set()
        for _ in range(weeks * (3 if v.kind != VenueKind.GRID_STATION else 1)):
            day = today + dt.timedelta(days=rng.randint(-7 * weeks, 14))
            opens, closes = rng.choice(hours[day.weekday()])
            hour = rng.randint(opens.hour + (1 if opens.minute else 0), closes.hour - 2)
            if (day, hour) in taken or (day, hour + 1) in taken or (day, hour - 1) in taken:
                continue
            taken.add((day, hour))
            start = dt.datetime.combine(day, dt.time(hour), tzinfo=tz)
            team = rng.choice(teams)
            future = day >= today
            rows.append(
                Booking(
                    venue=v,
                    community=community,
                    grid_id=v.grid_id,
                    starts_at=start,
                    ends_at=start + dt.timedelta(hours=rng.choice([1, 2])),
                    purpose=rng.choice(PURPOSES),
                    team=team,
                    organiser=team.name,
                    expected=rng.randint(5, v.capacity),
                    booked_by=staff,
                    status=(
                        BookingStatus.REQUESTED
                        if future and v.needs_approval and rng.random() < 0.4
                        else BookingStatus.APPROVED
                    ),
                )
            )
    Booking.objects.bulk_create(rows)
    return len(rows)
