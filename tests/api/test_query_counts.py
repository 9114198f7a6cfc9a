"""Every list the API serves costs the same number of queries for 1 item as for 3."""

import datetime as dt
import itertools
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.orgs import services as org_services
from gongzhi.orgs.enums import PostKind
from gongzhi.orgs.models import PartnerContact, PartyOrganisation, Post
from gongzhi.places import services
from gongzhi.places.models import Building, Community, Compound, Entrance, Grid, Subdistrict
from tests.world import make_user

_seq = itertools.count(1)


def _items(data):
    return data["items"] if isinstance(data, dict) and "items" in data else data


def _measure(client, url, pick):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx), len(pick(json.loads(response.content)))


def _building(community, grid, compound):
    n = next(_seq)
    b = Building.objects.create(
        community=community, grid=grid, compound=compound, number=f"9{n}", floors=6
    )
    Entrance.objects.create(building=b, community=community, grid=grid, compound=compound, number=1)
    return b


def _new_community(world):
    n = next(_seq)
    c = Community.objects.create(subdistrict=world.sd, code=f"NC{n}", name=f"新社区{n}")
    g = Grid.objects.create(community=c, code=f"NC{n}-G1", name="新网格")
    Compound.objects.create(community=c, grid=g, name=f"新小区{n}")
    return c


def case_communities(world):
    sd = Subdistrict.objects.create(code="SD2", name="新街道")
    user = make_user("sd2-staff", kind=PostKind.SUBDISTRICT_STAFF, node=sd)

    def add():
        n = next(_seq)
        Community.objects.create(subdistrict=sd, code=f"SD2-{n}", name=f"社区{n}")

    return user, "/api/v1/communities", add, _items


def case_grids(world):
    c = _new_community(world)
    user = make_user("nc-secretary", kind=PostKind.COMMUNITY_SECRETARY, node=c)

    def add():
        n = next(_seq)
        Grid.objects.create(community=c, code=f"G-{n}", name=f"网格{n}")

    # The new community already has one grid: count from there.
    return user, f"/api/v1/grids?community={c.code}", add, _items, 1


def case_buildings(world):
    c = _new_community(world)
    user = make_user("nc-secretary", kind=PostKind.COMMUNITY_SECRETARY, node=c)
    grid, compound = c.grids.get(), c.compounds.get()
    return user, "/api/v1/buildings", lambda: _building(c, grid, compound), _items


def case_building_detail(world):
    c = _new_community(world)
    user = make_user("nc-secretary", kind=PostKind.COMMUNITY_SECRETARY, node=c)
    b = _building(c, c.grids.get(), c.compounds.get())
    entrance = b.entrances.get()

    def add():
        n = next(_seq)
        services.household_create(
            actor=None, entrance=entrance, door_number=f"{n}", floor=1 + n % 5
        )

    def pick(data):
        return [h for f in data["floors_summary"] for h in f["households"]]

    return user, f"/api/v1/buildings/{b.pk}", add, pick


def case_household_members(world):
    household = world.households["1-2-201"]

    def add():
        services.resident_create(
            actor=None, household=household, name=f"成员{next(_seq)}", relation="child"
        )

    # 李四 lives there already.
    return world.users["grid"], f"/api/v1/households/{household.pk}", add, lambda d: d["members"], 1


def case_residents(world):
    household = world.households["1-1-101"]

    def add():
        r = services.resident_create(
            actor=None, household=household, name=f"测试{next(_seq)}", relation="child"
        )
        r.care_tags.set(world.residents["zhangsan"].care_tags.all())

    return world.users["grid"], "/api/v1/residents?q=测试", add, _items


def case_partners(world):
    def add():
        n = next(_seq)
        unit = org_services.partner_unit_create(
            actor=None, name=f"单位{n}", kind="enterprise", communities=[world.ot]
        )
        PartnerContact.objects.create(unit=unit, name=f"联系人{n}", phone="13512345678")

    return world.users["other_staff"], "/api/v1/partners", add, _items


def case_teams(world):
    def add():
        team = org_services.team_create(
            actor=None, community=world.ot, name=f"队伍{next(_seq)}", kind="service"
        )
        org_services.team_member_add(actor=None, team=team, resident=world.residents["zhaoliu"])

    return world.users["other_staff"], "/api/v1/teams", add, _items


def case_party_organisations(world):
    root = PartyOrganisation.objects.create(
        kind="community", name="其他社区党委", community=world.ot
    )

    def add():
        PartyOrganisation.objects.create(
            kind="compound_branch", name=f"支部{next(_seq)}", parent=root, community=world.ot
        )

    return (
        world.users["other_staff"],
        "/api/v1/party-organisations",
        add,
        lambda d: d[0]["children"],
    )


def case_posts(world):
    building = world.b3
    user = world.users["other_staff"]
    # Only entrance posts: the node's name reads the building, which must not cost a query each.
    Post.objects.filter(user=user).update(kind=PostKind.COMMUNITY_SECRETARY)

    def add():
        n = next(_seq)
        # An entrance has one 单元长 at a time: each new chief gets an entrance of their own.
        entrance = Entrance.objects.create(
            building=building,
            community=building.community,
            grid=building.grid,
            compound=building.compound,
            number=100 + n,
        )
        Post.objects.create(
            kind=PostKind.ENTRANCE_CHIEF,
            holder_name=f"单元长{n}",
            entrance=entrance,
            started_on=dt.date(2020, 1, 1),
        )

    return user, "/api/v1/posts?kind=entrance_chief", add, _items


CASES = [
    case_communities,
    case_grids,
    case_buildings,
    case_building_detail,
    case_household_members,
    case_residents,
    case_partners,
    case_teams,
    case_party_organisations,
    case_posts,
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__.removeprefix("case_"))
def test_list_costs_the_same_for_one_and_three_items(world, login, case):
    user, url, add, pick, *already = case(world)
    already = already[0] if already else 0
    for _ in range(1 - already):
        add()
    client = login(user)
    client.get(url)  # warm caches that are not per request (content types, translations)
    one, n1 = _measure(client, url, pick)
    add()
    add()
    # The additions moved the register's data version: kept figures are counted again on
    # the next request (once), then read from the cache like the first measure's.
    client.get(url)
    three, n3 = _measure(client, url, pick)
    assert (n1, n3) == (1, 3)
    assert three == one
