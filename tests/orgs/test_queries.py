"""Every organisation list costs the same number of queries with a few rows or many."""

import datetime as dt
import itertools

from django.urls import reverse

from gongzhi.orgs import services
from gongzhi.orgs.enums import PostKind
from gongzhi.orgs.models import PartnerContact, PartyMember, PartyOrganisation
from gongzhi.places import services as places
from gongzhi.places.models import Building, Entrance

_seq = itertools.count(1)


def test_the_post_board(world, login, same_queries):
    def grow():
        # More buildings, each with entrances and chiefs, and more grid workers.
        for _n in range(3):
            n = next(_seq)
            b = Building.objects.create(
                community=world.wj,
                grid=world.g1,
                compound=world.b1.compound,
                number=str(100 + n),
                floors=6,
            )
            for e in (1, 2):
                entrance = Entrance.objects.create(
                    building=b,
                    community=world.wj,
                    grid=world.g1,
                    compound=world.b1.compound,
                    number=e,
                )
                services.post_assign(
                    actor=None, kind=PostKind.ENTRANCE_CHIEF, node=entrance, holder_name=f"单{n}{e}"
                )
            services.post_assign(
                actor=None,
                kind=PostKind.BUILDING_CHIEF,
                node=b,
                resident=world.residents["lisi"],
                started_on=dt.date(2030, 1, 1),
            )
            services.post_assign(
                actor=None, kind=PostKind.GRID_WORKER, node=world.g2, holder_name=f"网{n}"
            )

    small, big = same_queries(login(world.users["staff"]), reverse("orgs:posts"), grow)
    assert "单11" not in small and "尚未到任" in big


def test_the_subdistrict_board(world, login, same_queries):
    def grow():
        for _n in range(3):
            services.post_assign(
                actor=None,
                kind=PostKind.SUBDISTRICT_STAFF,
                node=world.sd,
                holder_name=f"街道{next(_seq)}",
            )

    small, big = same_queries(login(world.users["subdistrict"]), reverse("orgs:posts"), grow)
    assert big.count("街道工作人员") > small.count("街道工作人员")


def test_the_teams(world, login, same_queries):
    team = services.team_create(actor=None, community=world.wj, name="起始队", kind="service")

    def grow():
        for _n in range(3):
            t = services.team_create(
                actor=None, community=world.wj, name=f"队{next(_seq)}", kind="volunteer"
            )
            services.team_member_add(
                actor=None, team=t, resident=world.residents["zhangsan"], role="leader"
            )

    small, big = same_queries(login(world.users["staff"]), reverse("orgs:teams"), grow)
    assert big.count("张三") == 3 and team.name in small


def test_a_teams_roster(world, login, same_queries):
    team = services.team_create(actor=None, community=world.wj, name="名单队", kind="service")
    services.team_member_add(actor=None, team=team, resident=world.residents["zhangsan"])

    def grow():
        for key in ("lisi", "wangwu"):
            services.team_member_add(actor=None, team=team, resident=world.residents[key])

    small, big = same_queries(
        login(world.users["staff"]), reverse("orgs:team", args=[team.pk]), grow
    )
    assert "王五" in big and "王五" not in small.split('id="add-h"')[0]


def test_the_partner_units(world, login, same_queries):
    def grow():
        for _n in range(3):
            n = next(_seq)
            unit = services.partner_unit_create(
                actor=None, name=f"单位{n}", kind="enterprise", communities=[world.wj, world.ot]
            )
            PartnerContact.objects.create(unit=unit, name=f"联系人{n}")

    small, big = same_queries(login(world.users["subdistrict"]), reverse("orgs:partners"), grow)
    assert big.count("其他社区") > small.count("其他社区")


def test_a_partner_units_page(world, login, same_queries):
    from tests.world import make_user

    def grow():
        for _n in range(3):
            n = next(_seq)
            PartnerContact.objects.create(
                unit=world.partner, name=f"联系人{n}", phone="13900001234"
            )
            make_user(f"zjj-{n}", partner=world.partner)

    small, big = same_queries(
        login(world.users["staff"]), reverse("orgs:partner", args=[world.partner.pk]), grow
    )
    assert big.count("139****1234") == 3


def test_the_party_members(world, login, same_queries):
    org = PartyOrganisation.objects.create(kind="community", name="党委", community=world.wj)
    PartyMember.objects.create(resident=world.residents["zhangsan"], organisation=org)

    def grow():
        for key in ("lisi", "wangwu"):
            m = PartyMember.objects.create(resident=world.residents[key], organisation=org)
            m.linked_households.add(world.households["1-1-101"])

    small, big = same_queries(login(world.users["staff"]), reverse("orgs:party"), grow)
    assert "王五" in big and "王五" not in small


def test_a_members_households(world, login, same_queries):
    org = PartyOrganisation.objects.create(kind="community", name="党委", community=world.wj)
    member = PartyMember.objects.create(resident=world.residents["lisi"], organisation=org)
    member.linked_households.add(world.households["1-1-101"])

    def grow():
        for door in ("102", "103", "104"):
            member.linked_households.add(
                places.household_create(
                    actor=None, entrance=world.b1.entrances.get(number=1), door_number=door, floor=1
                )
            )

    small, big = same_queries(
        login(world.users["staff"]), reverse("orgs:party_member", args=[member.pk]), grow
    )
    assert "联系的住户（4户）" in big
