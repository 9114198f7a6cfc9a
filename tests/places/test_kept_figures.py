"""Community figures are kept, not recounted per request: a community held whole is
counted once per register change and read from the cache in between; every register write
moves the count; a part of a community (a grid chief's) is counted inside its reach."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.core.audit import record
from gongzhi.places import services
from gongzhi.places.enums import ResidentStatus
from gongzhi.places.models import Building, Household, Resident, elderly_cutoff
from gongzhi.places.selectors import community_figures


def figures(user, community):
    (row,) = [r for r in community_figures(user) if r["community"] == community]
    return {k: v for k, v in row.items() if k != "community"}


def counted(community):
    living = Resident.objects.filter(community=community, status=ResidentStatus.LIVING)
    return {
        "buildings": Building.objects.filter(community=community).count(),
        "households": Household.objects.filter(community=community).count(),
        "residents": living.count(),
        "residents_60_plus": living.filter(birth_date__lte=elderly_cutoff()).count(),
    }


def count_queries(user) -> int:
    with CaptureQueriesContext(connection) as ctx:
        community_figures(user)
    return sum("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)


def test_a_whole_community_is_counted_once_then_read(world):
    staff = world.users["staff"]
    assert figures(staff, world.wj) == counted(world.wj)
    assert count_queries(staff) == 0  # kept: nothing recounted


def test_a_register_write_moves_the_figures(world):
    staff = world.users["staff"]
    before = figures(staff, world.wj)
    services.resident_create(
        actor=None,
        household=world.households["1-1-101"],
        name="刘老汉",
        birth_date=dt.date(1940, 5, 1),
    )
    after = figures(staff, world.wj)
    assert after["residents"] == before["residents"] + 1
    assert after["residents_60_plus"] == before["residents_60_plus"] + 1
    assert after == counted(world.wj)
    services.resident_set_status(
        actor=None, resident=world.residents["lisi"], status=ResidentStatus.MOVED_OUT
    )
    assert figures(staff, world.wj)["residents"] == after["residents"] - 1


def test_a_bulk_import_moves_the_figures(world):
    staff = world.users["staff"]
    before = figures(staff, world.wj)
    # An import writes in bulk (no model signals); its audit event drops what is kept.
    Resident.objects.filter(pk=world.residents["lisi"].pk).update(status=ResidentStatus.MOVED_OUT)
    record(actor=None, action="register.import.completed", obj=world.wj)
    assert figures(staff, world.wj)["residents"] == before["residents"] - 1


def test_a_grid_chief_counts_only_their_grid(world):
    chief = world.users["grid"]
    in_grid = Resident.objects.filter(grid=world.g1, status=ResidentStatus.LIVING).count()
    assert figures(chief, world.wj)["residents"] == in_grid
    assert in_grid < counted(world.wj)["residents"]
    assert count_queries(chief) == 4  # a part is counted within the reach each time


def test_subdistrict_staff_see_every_community_whole(world):
    sd = world.users["subdistrict"]
    rows = {r["community"]: r for r in community_figures(sd)}
    assert set(rows) == {world.wj, world.ot}
    assert figures(sd, world.ot) == counted(world.ot)
    assert count_queries(sd) == 0
