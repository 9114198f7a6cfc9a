"""Org services: who may change posts, teams, partner units and party members, and the
audit event each change leaves."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gongzhi.core.models import AuditEvent
from gongzhi.core.scoping import scope_for
from gongzhi.orgs import services
from gongzhi.orgs.enums import PostKind
from gongzhi.orgs.models import PartnerUnit, PartyMember, PartyOrganisation, Post, TeamMembership
from gongzhi.places.selectors import resident_list_visible_to
from tests.world import make_user


def events(action):
    return list(AuditEvent.objects.filter(action=action))


def test_post_assign_gives_reach_and_is_audited(world):
    newcomer = make_user("newcomer")
    post = services.post_assign(
        actor=world.users["secretary"],
        kind=PostKind.GRID_WORKER,
        node=world.g1,
        user=newcomer,
        holder_name="新网格员",
        started_on=dt.date(2024, 1, 1),
    )
    assert (post.grid, post.holder_name, post.level) == (world.g1, "新网格员", "grid")
    assert {r.name for r in resident_list_visible_to(newcomer)} == {"张三", "李四"}
    [event] = events("orgs.post.assigned")
    assert (event.actor, event.object_id) == (world.users["secretary"], str(post.pk))
    assert event.changes["kind"] == "grid_worker"
    assert event.changes["user"] == "newcomer"


def test_post_assign_holder_name_from_resident(world):
    post = services.post_assign(
        actor=world.users["staff"],
        kind=PostKind.BUILDING_CHIEF,
        node=world.b2,
        resident=world.residents["wangwu"],
    )
    assert post.holder_name == "王五"


def test_post_assign_wrong_level(world):
    with pytest.raises(ValidationError) as exc:
        services.post_assign(
            actor=world.users["secretary"], kind=PostKind.GRID_CHIEF, node=world.b1, holder_name="x"
        )
    assert exc.value.message_dict == {"node": ["该岗位只能设在对应层级的地点上。"]}


@pytest.mark.parametrize(
    ("role", "error"),
    [
        ("grid", PermissionDenied),  # visible grid, no manage_orgs
        ("building", Http404),  # grid 2 is outside a building chief's reach
        ("other_staff", Http404),
        ("resident", Http404),
        ("partner", Http404),
    ],
)
def test_post_assign_refused(world, role, error):
    node = world.g1 if role == "grid" else world.g2
    with pytest.raises(error):
        services.post_assign(
            actor=world.users[role], kind=PostKind.GRID_WORKER, node=node, holder_name="x"
        )
    assert events("orgs.post.assigned") == []


def test_post_assign_over_a_container_is_refused(world):
    # The subdistrict contains the secretary's community and is visible to them, but its
    # posts are not theirs to hand out.
    with pytest.raises(PermissionDenied):
        services.post_assign(
            actor=world.users["secretary"],
            kind=PostKind.SUBDISTRICT_STAFF,
            node=world.sd,
            holder_name="x",
        )
    services.post_assign(
        actor=world.users["subdistrict"],
        kind=PostKind.SUBDISTRICT_STAFF,
        node=world.sd,
        holder_name="x",
    )


def test_post_assign_twice_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.post_assign(
            actor=world.users["secretary"],
            kind=PostKind.GRID_CHIEF,
            node=world.g1,
            user=world.users["grid"],
        )
    assert exc.value.message_dict == {"user": ["该账号已担任此岗位。"]}


def test_post_end_removes_reach(world):
    user = world.users["grid"]
    post = Post.objects.get(user=user)
    assert not scope_for(user).empty
    services.post_end(actor=world.users["secretary"], post=post, ended_on=dt.date(2024, 6, 30))
    post.refresh_from_db()
    assert post.ended_on == dt.date(2024, 6, 30)
    user.__dict__.pop("_gongzhi_scopes")  # reach is cached for one request
    assert scope_for(user).empty
    [event] = events("orgs.post.ended")
    assert event.changes == {"ended_on": "2024-06-30"}
    with pytest.raises(ValidationError):
        services.post_end(actor=world.users["secretary"], post=post)


def test_post_end_before_start_refused(world):
    post = Post.objects.get(user=world.users["grid"])
    with pytest.raises(ValidationError) as exc:
        services.post_end(actor=world.users["secretary"], post=post, ended_on=dt.date(2019, 1, 1))
    assert exc.value.message_dict == {"ended_on": ["离任日期不能早于任职日期（2020-01-01）。"]}


def test_post_end_refused_outside_reach(world):
    post = Post.objects.get(user=world.users["grid"])
    with pytest.raises(Http404):
        services.post_end(actor=world.users["other_staff"], post=post)
    with pytest.raises(PermissionDenied):
        services.post_end(actor=world.users["grid"], post=post)
    assert Post.objects.get(pk=post.pk).ended_on is None


def test_team_lifecycle(world):
    secretary = world.users["secretary"]
    team = services.team_create(
        actor=secretary, community=world.wj, name="  党群连心队 ", kind="liaison"
    )
    assert team.name == "党群连心队"
    services.team_member_add(
        actor=secretary, team=team, resident=world.residents["zhangsan"], role="leader"
    )
    assert list(TeamMembership.objects.values_list("resident__name", "role")) == [
        ("张三", "leader")
    ]
    with pytest.raises(ValidationError):
        services.team_member_add(actor=secretary, team=team, resident=world.residents["zhangsan"])
    services.team_member_remove(actor=secretary, team=team, resident=world.residents["zhangsan"])
    assert TeamMembership.objects.count() == 0
    assert [
        e.action for e in AuditEvent.objects.filter(action__startswith="orgs.").order_by("id")
    ] == [
        "orgs.team.created",
        "orgs.team.member_added",
        "orgs.team.member_removed",
    ]


def test_team_validation(world):
    secretary = world.users["secretary"]
    services.team_create(actor=secretary, community=world.wj, name="调解队", kind="mediation")
    with pytest.raises(ValidationError) as exc:
        services.team_create(actor=secretary, community=world.wj, name="调解队", kind="mediation")
    assert exc.value.message_dict == {"name": ["本社区已有同名队伍。"]}
    with pytest.raises(ValidationError) as exc:
        services.team_create(actor=secretary, community=world.wj, name="", kind="bogus")
    assert exc.value.message_dict == {"name": ["请填写此项。"]}


def test_team_member_from_other_community_refused(world):
    team = services.team_create(actor=None, community=world.wj, name="服务队", kind="service")
    with pytest.raises(ValidationError):
        services.team_member_add(actor=None, team=team, resident=world.residents["zhaoliu"])
    # Through a real actor it is not even visible.
    with pytest.raises(Http404):
        services.team_member_add(
            actor=world.users["secretary"], team=team, resident=world.residents["zhaoliu"]
        )


def test_team_refusals(world):
    team = services.team_create(actor=None, community=world.wj, name="服务队", kind="service")
    with pytest.raises(Http404):
        services.team_create(
            actor=world.users["other_staff"], community=world.wj, name="x", kind="service"
        )
    with pytest.raises(Http404):
        services.team_member_add(
            actor=world.users["grid"], team=team, resident=world.residents["zhangsan"]
        )
    assert TeamMembership.objects.count() == 0


def test_partner_unit_create_and_update(world):
    staff = world.users["staff"]
    unit = services.partner_unit_create(
        actor=staff, name="望江供电所", short_name="供电所", kind="utility", communities=[world.wj]
    )
    assert list(unit.communities.all()) == [world.wj]
    services.partner_unit_update(actor=staff, unit=unit, offers="上门检修", in_alliance=False)
    unit.refresh_from_db()
    assert (unit.offers, unit.in_alliance) == ("上门检修", False)
    created, updated = AuditEvent.objects.order_by("id").filter(
        action__startswith="orgs.partner_unit"
    )
    assert (created.action, created.changes["communities"]) == (
        "orgs.partner_unit.created",
        ["510402001001"],
    )
    assert updated.changes == {"offers": ["", "上门检修"], "in_alliance": [True, False]}


def test_partner_unit_communities_need_reach_over_each(world):
    staff = world.users["staff"]
    with pytest.raises(Http404):
        services.partner_unit_create(
            actor=staff, name="x", kind="enterprise", communities=[world.wj, world.ot]
        )
    assert not PartnerUnit.objects.filter(name="x").exists()
    with pytest.raises(Http404):
        services.partner_unit_update(
            actor=staff, unit=world.partner, communities=[world.wj, world.ot]
        )
    assert list(world.partner.communities.all()) == [world.wj]
    with pytest.raises(ValidationError) as exc:
        services.partner_unit_create(actor=staff, name="y", kind="enterprise", communities=[])
    assert exc.value.message_dict == {"communities": ["请选择至少一个共建社区。"]}


@pytest.mark.parametrize(
    ("role", "error"), [("partner", Http404), ("other_staff", Http404), ("grid_worker", Http404)]
)
def test_partner_unit_refusals(world, role, error):
    # Partner units carry only community columns: grid posts and partner users do not reach them.
    with pytest.raises(error):
        services.partner_unit_update(actor=world.users[role], unit=world.partner, name="改名")
    assert PartnerUnit.objects.get(pk=world.partner.pk).name == "攀枝花市住房和城乡建设局"


def _member(world):
    org = PartyOrganisation.objects.create(
        kind="community", name="望江街社区党委", community=world.wj
    )
    return PartyMember.objects.create(resident=world.residents["lisi"], organisation=org)


def test_party_member_link_household(world):
    member = _member(world)
    household = world.households["1-1-101"]
    services.party_member_link_household(
        actor=world.users["secretary"], member=member, household=household
    )
    services.party_member_link_household(
        actor=world.users["secretary"], member=member, household=household
    )
    assert list(member.linked_households.all()) == [household]
    [event] = events("orgs.party_member.household_linked")
    assert event.changes == {"household_id": household.pk, "household": "1栋1单元101"}
    services.party_member_unlink_household(
        actor=world.users["secretary"], member=member, household=household
    )
    assert list(member.linked_households.all()) == []
    assert len(events("orgs.party_member.household_unlinked")) == 1


def test_party_member_link_refused(world):
    member = _member(world)
    with pytest.raises(PermissionDenied):
        services.party_member_link_household(
            actor=world.users["grid"], member=member, household=world.households["1-1-101"]
        )
    with pytest.raises(Http404):
        services.party_member_link_household(
            actor=world.users["secretary"], member=member, household=world.households["ot-1-1-101"]
        )
    assert events("orgs.party_member.household_linked") == []
