"""Wangjiang's compounds and their governing bodies: 甘露园 governs itself (自治管理小组 with
its 小区自治管家); every other compound has an owners' committee (a term with a chair, a
vice-chair and members from its own residents) and a property company under contract —
the same company the residents'-voice history sends its property cases to. Each grid's
station (网格驿站) gets a week of duty shifts, and the property cases still open at the
community are routed to their compound's company or stewards. Written through
``compounds.services``, deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.compounds import services
from gongzhi.compounds.enums import PROPERTY_CATEGORY_CODES
from gongzhi.orgs.enums import PostKind
from gongzhi.orgs.models import PartnerUnit, Post, Team
from gongzhi.places.models import Compound, Resident
from gongzhi.venues.enums import VenueKind
from gongzhi.venues.models import Venue
from gongzhi.voices.enums import Level
from gongzhi.voices.enums import Status as ItemStatus
from gongzhi.voices.models import Item

SELF_MANAGED = "甘露园"
COMPANIES = ("安居物业", "金江物业")
SCOPES = "公共区域保洁、绿化养护、公共设施（楼道灯、单元门、水泵）维修、秩序维护"
ROUTED = 8
DUTY_DAYS = 7


def _staff_user(community) -> User | None:
    post = (
        Post.objects.active()
        .filter(community=community, kind=PostKind.COMMUNITY_STAFF, user__isnull=False)
        .order_by("pk")
        .first()
    )
    return post.user if post else None


def seed_compounds(*, seed: int, community, end: dt.datetime, log=print) -> dict:
    rng = random.Random(f"{seed}-compounds")
    day = timezone.localtime(end).date()
    units = {u.short_name: u for u in PartnerUnit.objects.filter(short_name__in=COMPANIES)}
    companies = [units[c] for c in COMPANIES if c in units]
    stats = {"committees": 0, "contracts": 0, "self_managed": 0, "routed": 0, "shifts": 0}
    with transaction.atomic():
        compounds = list(Compound.objects.filter(community=community).order_by("pk"))
        for i, compound in enumerate(compounds):
            people = list(
                Resident.objects.filter(compound=compound)
                .order_by("pk")
                .values_list("pk", flat=True)[:200]
            )
            chosen = rng.sample(people, min(len(people), 5)) if people else []
            residents = {r.pk: r for r in Resident.objects.filter(pk__in=chosen)}
            picked = [residents[pk] for pk in chosen]
            if compound.name == SELF_MANAGED or not companies:
                group = services.self_management_create(
                    actor=None,
                    compound=compound,
                    name="自治管理小组",
                    started_on=day - dt.timedelta(days=3 * 365),
                )
                for n, resident in enumerate(picked[:3]):
                    services.steward_add(
                        actor=None,
                        group=group,
                        resident=resident,
                        duty=["公共设施报修", "环境卫生", "安全巡查"][n],
                    )
                stats["self_managed"] += 1
                continue
            term = services.committee_term_create(
                actor=None,
                compound=compound,
                name="第一届",
                elected_on=day - dt.timedelta(days=2 * 365 + 10),
                starts_on=day - dt.timedelta(days=2 * 365),
                ends_on=day + dt.timedelta(days=3 * 365),
                votes_cast=len(people),
            )
            for n, resident in enumerate(picked[:3]):
                services.committee_member_add(
                    actor=None,
                    term=term,
                    post=["chair", "vice_chair", "member"][n],
                    resident=resident,
                )
            stats["committees"] += 1
            company = companies[i % len(companies)]
            contract = services.property_contract_create(
                actor=None,
                compound=compound,
                company=company,
                starts_on=day - dt.timedelta(days=2 * 365),
                ends_on=day + dt.timedelta(days=365),
                scope=SCOPES,
                fee=["0.60", "0.80", "0.95"][i % 3],
                contact_name=f"{company.short_name}客服",
                contact_phone=f"0812{3300000 + i:07d}",
                manager_name=["周经理", "吴经理", "郑经理"][i % 3],
            )
            for n, resident in enumerate(picked[3:5]):
                services.property_staff_add(
                    actor=None, contract=contract, role=["保洁", "维修"][n], resident=resident
                )
            stats["contracts"] += 1
        _duty(community, day, rng, stats)
    _route(community, end, stats)
    log(
        "compounds: {committees} committees, {contracts} property contracts, "
        "{self_managed} self-managed, {routed} property cases routed, "
        "{shifts} duty shifts".format(**stats)
    )
    return stats


def _duty(community, day: dt.date, rng: random.Random, stats: dict) -> None:
    team = Team.objects.filter(community=community, name="顺心服务队").first()
    members = (
        list(Resident.objects.filter(team_memberships__team=team).order_by("pk").distinct()[:30])
        if team
        else []
    )
    workers = dict(
        Post.objects.filter(kind=PostKind.GRID_WORKER, grid__community=community)
        .order_by("pk")
        .values_list("grid_id", "holder_name")
    )
    stations = Venue.objects.filter(
        community=community, kind=VenueKind.GRID_STATION, grid__isnull=False
    ).order_by("pk")
    for station in stations:
        for offset in range(DUTY_DAYS):
            on = day + dt.timedelta(days=offset)
            worker = workers.get(station.grid_id)
            if worker:
                services.duty_shift_add(
                    actor=None, station=station, on=on, name=worker, hours="8:30-12:00"
                )
                stats["shifts"] += 1
            if members:
                services.duty_shift_add(
                    actor=None,
                    station=station,
                    on=on,
                    resident=rng.choice(members),
                    team=team,
                    hours="14:00-17:30",
                )
                stats["shifts"] += 1


def _route(community, end: dt.datetime, stats: dict) -> None:
    actor = _staff_user(community)
    if actor is None:
        return
    items = Item.objects.filter(
        community=community,
        status=ItemStatus.ACCEPTED,
        level__in=[Level.COMMUNITY, Level.SUBDISTRICT],
        category__code__in=PROPERTY_CATEGORY_CODES,
        compound__isnull=False,
    ).order_by("submitted_at")
    for item in items[: ROUTED * 3]:
        if stats["routed"] >= ROUTED:
            break
        try:
            with transaction.atomic():
                services.item_route_to_compound(actor=actor, item=item, now=end)
        except (ValidationError, PermissionDenied):
            continue
        stats["routed"] += 1
