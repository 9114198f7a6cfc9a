"""A small, complete world for tests, made through the real services where the services
exist: one subdistrict with two communities; Wangjiang has two grids, each with a compound,
buildings, entrances and households; one user per role.

    subdistrict SD ─ community WJ (望江街) ─ grid G1 ─ compound C1 ─ building 1 (2 entrances)
                   │                     └ grid G2 ─ compound C2 ─ building 2 (1 entrance)
                   └ community OT (other) ─ grid G3 ─ compound C3 ─ building 1

Residents: 张三 (1-1-101, phone 13812345678, 60+), 李四 (1-2-201), 王五 (2-1-101, grid 2),
赵六 (other community).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from gongzhi.accounts.models import User
from gongzhi.core.identity import make_id_number
from gongzhi.orgs.enums import PostKind
from gongzhi.orgs.models import PartnerUnit, Post
from gongzhi.places import services
from gongzhi.places.models import (
    Building,
    CareTag,
    Community,
    Compound,
    Entrance,
    Grid,
    Household,
    Subdistrict,
)

PASSWORD = "correct-horse-battery"
# Every key of ``World.users``: the roles a permission matrix walks.
ROLES = [
    "admin",
    "subdistrict",
    "secretary",
    "staff",
    "grid",
    "grid_worker",
    "building",
    "entrance",
    "resident",
    "partner",
    "other_staff",
    "nobody",
]


@dataclass
class World:
    sd: Subdistrict
    wj: Community
    ot: Community
    g1: Grid
    g2: Grid
    g3: Grid
    b1: Building
    b2: Building
    b3: Building
    households: dict[str, Household] = field(default_factory=dict)
    residents: dict = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    partner: PartnerUnit | None = None


def _building(community, grid, compound, number, floors=6, entrances=1):
    b = Building.objects.create(
        community=community,
        grid=grid,
        compound=compound,
        number=number,
        floors=floors,
        has_lift=False,
        year_built=1992,
    )
    for n in range(1, entrances + 1):
        Entrance.objects.create(
            building=b, community=community, grid=grid, compound=compound, number=n
        )
    return b


def make_user(
    username, *, kind=None, node=None, resident=None, partner=None, superuser=False, **extra
):
    user = User.objects.create_user(
        username=username, password=PASSWORD, display_name=username, **extra
    )
    if superuser:
        user.is_superuser = True
        user.is_staff = True
        user.save()
    if resident is not None:
        user.resident = resident
        user.save()
    if partner is not None:
        user.partner_unit = partner
        user.save()
    if kind is not None:
        from gongzhi.orgs.enums import POST_LEVEL

        Post.objects.create(
            kind=kind,
            user=user,
            holder_name=username,
            **{POST_LEVEL[kind]: node},
            started_on=dt.date(2020, 1, 1),
        )
    return user


def build_world() -> World:
    sd = Subdistrict.objects.create(
        code="510402001", name="炳草岗街道", district="东区", city="攀枝花市"
    )
    wj = Community.objects.create(subdistrict=sd, code="510402001001", name="望江街社区")
    ot = Community.objects.create(subdistrict=sd, code="510402001002", name="其他社区")
    g1 = Grid.objects.create(community=wj, code="WJ-G1", name="第一网格")
    g2 = Grid.objects.create(community=wj, code="WJ-G2", name="第二网格")
    g3 = Grid.objects.create(community=ot, code="OT-G1", name="其他网格")
    c1 = Compound.objects.create(community=wj, grid=g1, name="甘露园")
    c2 = Compound.objects.create(community=wj, grid=g2, name="民安巷小区")
    c3 = Compound.objects.create(community=ot, grid=g3, name="外小区")
    b1 = _building(wj, g1, c1, "1", entrances=2)
    b2 = _building(wj, g2, c2, "2")
    b3 = _building(ot, g3, c3, "1")
    w = World(sd=sd, wj=wj, ot=ot, g1=g1, g2=g2, g3=g3, b1=b1, b2=b2, b3=b3)
    for tag, name in [
        ("alone", "独居"),
        ("disabled", "残疾"),
        ("low_income", "低保"),
        ("key_care", "重点关爱"),
    ]:
        CareTag.objects.create(code=tag, name=name)

    def hh(building, entrance_no, door, floor):
        entrance = building.entrances.get(number=entrance_no)
        return services.household_create(
            actor=None, entrance=entrance, door_number=door, floor=floor
        )

    w.households["1-1-101"] = hh(b1, 1, "101", 1)
    w.households["1-2-201"] = hh(b1, 2, "201", 2)
    w.households["2-1-101"] = hh(b2, 1, "101", 1)
    w.households["ot-1-1-101"] = hh(b3, 1, "101", 1)
    w.residents["zhangsan"] = services.resident_create(
        actor=None,
        household=w.households["1-1-101"],
        name="张三",
        id_number=make_id_number("510402", dt.date(1950, 3, 4), 11),
        phone="13812345678",
        care_tags=[CareTag.objects.get(code="alone")],
    )
    w.residents["lisi"] = services.resident_create(
        actor=None,
        household=w.households["1-2-201"],
        name="李四",
        id_number=make_id_number("510402", dt.date(1985, 6, 7), 22),
        phone="13900001111",
    )
    w.residents["wangwu"] = services.resident_create(
        actor=None,
        household=w.households["2-1-101"],
        name="王五",
        id_number=make_id_number("510402", dt.date(1970, 1, 2), 33),
        phone="13700002222",
    )
    w.residents["zhaoliu"] = services.resident_create(
        actor=None,
        household=w.households["ot-1-1-101"],
        name="赵六",
        id_number=make_id_number("510402", dt.date(1960, 8, 9), 44),
        phone="13600003333",
    )
    w.partner = PartnerUnit.objects.create(
        name="攀枝花市住房和城乡建设局", short_name="市住建局", kind="government"
    )
    w.partner.communities.add(wj)
    u = w.users
    u["admin"] = make_user("admin", superuser=True)
    u["subdistrict"] = make_user("sd-staff", kind=PostKind.SUBDISTRICT_STAFF, node=sd)
    u["secretary"] = make_user("wj-secretary", kind=PostKind.COMMUNITY_SECRETARY, node=wj)
    u["staff"] = make_user("wj-staff", kind=PostKind.COMMUNITY_STAFF, node=wj)
    u["grid"] = make_user("wj-grid1", kind=PostKind.GRID_CHIEF, node=g1)
    u["grid_worker"] = make_user("wj-gridworker2", kind=PostKind.GRID_WORKER, node=g2)
    u["building"] = make_user("wj-building1", kind=PostKind.BUILDING_CHIEF, node=b1)
    u["entrance"] = make_user(
        "wj-entrance1-2", kind=PostKind.ENTRANCE_CHIEF, node=b1.entrances.get(number=2)
    )
    u["resident"] = make_user("resident-zhangsan", resident=w.residents["zhangsan"])
    u["partner"] = make_user("partner-zjj", partner=w.partner)
    u["other_staff"] = make_user("ot-staff", kind=PostKind.COMMUNITY_STAFF, node=ot)
    u["nobody"] = make_user("nobody")
    return w


def settle_deferred_checks() -> None:
    """Check, once, the deferred foreign keys of what a class's ``setUpTestData`` wrote.

    Django's TestCase ends every test with ``SET CONSTRAINTS ALL IMMEDIATE`` inside the
    test's savepoint; PostgreSQL undoes a rolled-back savepoint's checks, so without this
    each test of a class re-checked every row the class had seeded (half a minute per test
    after a demo seed). Checked at the class's own level, they are done for good."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def empty_database() -> None:
    """Empty every table inside the current transaction, for the tests that need a database
    without the session's world (the demo generator refuses to seed over an existing
    望江街社区). The test's rollback brings the world back. PostgreSQL's TRUNCATE is
    transactional and, unlike DELETE, does not fire the append-only triggers."""
    from django.core.management.color import no_style
    from django.db import connection

    tables = connection.introspection.django_table_names(only_existing=True)
    with connection.cursor() as cursor:
        for sql in connection.ops.sql_flush(no_style(), tables, allow_cascade=True):
            cursor.execute(sql)
