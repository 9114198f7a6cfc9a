import pytest

from gongzhi.orgs.enums import PartyOrgKind, TeamKind, TeamRole
from gongzhi.orgs.models import PartyMember, PartyOrganisation, Team, TeamMembership
from gongzhi.wishes import services
from tests.images import JPEG, PNG, WEBP  # noqa: F401  (imported by the tests from here)
from tests.world import make_user


@pytest.fixture
def sponsors(world):
    """Three more sponsors in 望江街: 李四 a party member, 王五 the leader of a volunteer
    team, and a second user of the partner unit. The partner's first user is in the world."""
    org = PartyOrganisation.objects.create(
        kind=PartyOrgKind.COMMUNITY, name="望江街社区党委", community=world.wj
    )
    PartyMember.objects.create(resident=world.residents["lisi"], organisation=org)
    team = Team.objects.create(community=world.wj, name="春雨志愿队", kind=TeamKind.VOLUNTEER_GROUP)
    TeamMembership.objects.create(
        team=team, resident=world.residents["wangwu"], role=TeamRole.LEADER
    )
    u = world.users
    u["party"] = make_user("party-lisi", resident=world.residents["lisi"])
    u["team"] = make_user("team-wangwu", resident=world.residents["wangwu"])
    u["partner2"] = make_user("partner-zjj-2", partner=world.partner)
    world.team = team
    return world


@pytest.fixture
def make_wish(world):
    """A wish of 张三 (or another resident) brought to ``status`` through the services."""

    def _make(
        status="submitted",
        *,
        resident="zhangsan",
        text="想要一个放大镜，看报纸用。",
        category="daily_goods",
        sponsor="partner",
    ):
        r = world.residents[resident]
        actor = world.users["resident"] if resident == "zhangsan" else world.users["admin"]
        wish = services.wish_submit(actor=actor, resident=r, category=category, text=text)
        if status == "submitted":
            return wish
        if status == "rejected":
            return services.wish_reject(actor=world.users["admin"], wish=wish, reason="重复了")
        wish = services.wish_publish(actor=world.users["admin"], wish=wish)
        if status == "published":
            return wish
        services.wish_claim(actor=world.users[sponsor], wish=wish)
        if status == "claimed":
            return wish
        services.wish_fulfil(actor=world.users[sponsor], wish=wish, proof_text="送去了放大镜。")
        if status == "fulfilled":
            return wish
        return services.wish_confirm(actor=world.users["resident"], wish=wish)

    return _make
