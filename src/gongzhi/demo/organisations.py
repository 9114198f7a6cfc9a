"""The Wangjiang community's organisations as the report describes them: the party chain
from the comprehensive committee down to member households, the posts (网格长, 楼栋长,
单元长...), the teams and volunteer groups, the alliance's partner units, and one demo
login per role. Written after the register, because posts and teams are held by residents.

The pieces agree with each other as they would in the community: one resident is both the
community's secretary and its party organisation's (and leads the pioneers); each grid's
chief is a party member living in the grid, and the chiefs together are the 党群连心工作队;
a post says it is a party member's exactly when its holder is on the party rolls, and a
party member is linked to households of their own building.

Volumes are small here (hundreds of rows), but the rows are still made in bulk and with
a seeded ``random.Random`` so that a seed fixes who holds which post."""

from __future__ import annotations

import datetime as dt
import os
import random
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from gongzhi.accounts.models import User
from gongzhi.orgs.enums import PartnerKind, PartyOrgKind, PostKind, TeamKind, TeamRole
from gongzhi.orgs.models import (
    PartnerContact,
    PartnerUnit,
    PartyMember,
    PartyOrganisation,
    Post,
    Team,
    TeamMembership,
)
from gongzhi.places.enums import ResidentStatus
from gongzhi.places.models import (
    Building,
    Community,
    Compound,
    Entrance,
    Grid,
    Resident,
    Subdistrict,
)

from .names import NameMaker
from .population import REFERENCE_DATE

DEFAULT_DEMO_PASSWORD = "gongzhi-demo"
PASSWORD_ENV = "GONGZHI_DEMO_PASSWORD"

COMPREHENSIVE_COMMITTEE = "炳草岗街道“城市更新”综合党委"
COMMUNITY_PARTY_ORG = "望江街社区党委"

# (name, kind, description, who joins: (min age, max age, prefer party members))
TEAMS = [
    (
        "党员先锋攻坚队",
        TeamKind.PIONEER,
        "城市更新项目前期摸排、入户走访、难题攻坚。",
        (25, 70, True),
    ),
    (
        "党群连心工作队",
        TeamKind.LIAISON,
        "联系楼栋和家庭，收集民情民意，反馈办理结果。",
        (30, 75, True),
    ),
    (
        "党员志愿服务队",
        TeamKind.VOLUNTEER,
        "党员志愿服务：环境焕新、平安建设、与爱同行。",
        (25, 75, True),
    ),
    ("牵手宣讲队", TeamKind.OUTREACH, "“牵手”宣讲：城市更新政策进楼栋、进家庭。", (30, 72, False)),
    ("菩提宣讲队", TeamKind.OUTREACH, "“菩提”宣讲：文明实践与邻里互助。", (35, 75, False)),
    ("金穗宣讲队", TeamKind.OUTREACH, "“金穗”宣讲：老党员、老干部讲身边的变化。", (60, 85, True)),
    ("春雨宣讲队", TeamKind.OUTREACH, "“春雨”宣讲：微宣讲+志愿服务。", (22, 60, False)),
    ("守望宣讲队", TeamKind.OUTREACH, "“守望”宣讲：平安建设与防诈骗。", (30, 70, False)),
    ("远声宣讲队", TeamKind.OUTREACH, "“远声”宣讲：云宣讲+有奖竞答。", (20, 55, False)),
    ("老年康乐协会", TeamKind.VOLUNTEER_GROUP, "老年人文体活动与结对关爱。", (60, 80, False)),
    ("辉荣志愿者协会", TeamKind.VOLUNTEER_GROUP, "环境整治、文明劝导、停车划线。", (35, 70, False)),
    ("“银河”志愿队", TeamKind.VOLUNTEER_GROUP, "“爱的里程”助老陪护与上门服务。", (40, 72, False)),
    (
        "“逐梦”青年服务队",
        TeamKind.VOLUNTEER_GROUP,
        "青年志愿者：“远方的家”“乐扶青葵”。",
        (18, 35, False),
    ),
    ("“先锋”党员服务队", TeamKind.VOLUNTEER_GROUP, "在职党员双报到服务。", (25, 65, True)),
    ("晓龙调解队", TeamKind.MEDIATION, "邻里纠纷调解：小事不出网格。", (40, 72, True)),
    ("顺心服务队", TeamKind.SERVICE, "网格驿站便民服务：维修、代办、助餐。", (30, 68, False)),
]

# (name, short name, kind, in the alliance, all three communities, offers)
PARTNERS = [
    (
        "攀枝花市住房和城乡建设局",
        "市住建局",
        PartnerKind.GOVERNMENT,
        True,
        False,
        "老旧小区改造与城市更新政策指导；既有住宅加装电梯审批与补助；危旧房屋鉴定与楼栋拆除协调。",
    ),
    (
        "攀枝花市城市管理行政执法局",
        "市城管局",
        PartnerKind.GOVERNMENT,
        True,
        False,
        "违法建设拆除；飞线整治与占道经营治理；停车秩序与环境卫生联合执法。",
    ),
    (
        "攀枝花攀路建设集团有限公司",
        "攀路",
        PartnerKind.ENTERPRISE,
        True,
        False,
        "道路与管网施工；管线入地与迁改配合；施工期间便民通道与安全围挡。",
    ),
    (
        "攀枝花攀宾酒店有限公司",
        "攀宾",
        PartnerKind.ENTERPRISE,
        True,
        False,
        "节日慰问与老年助餐；共建活动场地；员工志愿服务。",
    ),
    (
        "攀枝花爱尔眼科医院",
        "爱尔眼科",
        PartnerKind.SOCIAL_ORG,
        True,
        False,
        "老年人免费眼健康筛查；白内障防治讲座；微心愿认领。",
    ),
    (
        "攀枝花市公安局东区分局炳草岗派出所",
        "炳草岗派出所",
        PartnerKind.GOVERNMENT,
        True,
        True,
        "平安建设；防诈骗宣传；矛盾纠纷联调。",
    ),
    (
        "国网四川省电力公司攀枝花供电公司",
        "国网攀枝花供电公司",
        PartnerKind.PUBLIC_UTILITY,
        False,
        True,
        "供电线路迁改与入地；电梯加装配套电源；停电抢修。",
    ),
    (
        "攀枝花市水务（集团）有限公司",
        "市水务集团",
        PartnerKind.PUBLIC_UTILITY,
        False,
        True,
        "供水管网改造；二次供水设施维护；漏水抢修。",
    ),
    (
        "攀枝花市燃气有限公司",
        "市燃气公司",
        PartnerKind.PUBLIC_UTILITY,
        False,
        True,
        "燃气管道改造与迁改；入户安全检查；燃气报修。",
    ),
    (
        "攀枝花市安居物业服务有限公司",
        "安居物业",
        PartnerKind.ENTERPRISE,
        True,
        False,
        "“红色物业”：小区保洁、绿化、门禁与设施维修；电梯加装后的运维。",
    ),
    (
        "攀枝花金江物业管理有限公司",
        "金江物业",
        PartnerKind.ENTERPRISE,
        True,
        False,
        "老旧小区托管式物业服务；停车管理；楼道清理。",
    ),
]

# username, role shown in the logins table, post kind (None: resident or partner user)
DEMO_USERS = [
    ("demo-subdistrict", "街道工作人员", PostKind.SUBDISTRICT_STAFF),
    ("demo-secretary", "社区书记", PostKind.COMMUNITY_SECRETARY),
    ("demo-staff", "社区工作人员", PostKind.COMMUNITY_STAFF),
    ("demo-grid", "网格长", PostKind.GRID_CHIEF),
    ("demo-gridworker", "网格员", PostKind.GRID_WORKER),
    ("demo-building", "楼栋长", PostKind.BUILDING_CHIEF),
    ("demo-entrance", "单元长", PostKind.ENTRANCE_CHIEF),
    ("demo-resident", "居民", None),
    ("demo-partner", "共建单位（市住建局）", None),
]

POSTS_SINCE = dt.date(2021, 3, 1)


def demo_password() -> str:
    return os.environ.get(PASSWORD_ENV) or DEFAULT_DEMO_PASSWORD


@dataclass
class _Person:
    pk: int
    name: str
    age: int
    household_id: int
    building_id: int
    entrance_id: int
    compound_id: int
    grid_id: int
    gender: str


def _age(birth: dt.date) -> int:
    return (
        REFERENCE_DATE.year
        - birth.year
        - ((REFERENCE_DATE.month, REFERENCE_DATE.day) < (birth.month, birth.day))
    )


def build_organisations(
    *, seed: int, subdistrict: Subdistrict, community: Community, neighbours: list[Community]
) -> dict:
    rng = random.Random(f"{seed}:organisations")
    names = NameMaker(rng)
    people = [
        _Person(pk, name, _age(birth), hh, b, e, c, g, gender)
        for pk, name, birth, hh, b, e, c, g, gender in Resident.objects.filter(
            community=community, status=ResidentStatus.LIVING
        )
        .order_by("pk")
        .values_list(
            "pk",
            "name",
            "birth_date",
            "household_id",
            "building_id",
            "entrance_id",
            "compound_id",
            "grid_id",
            "gender",
        )
    ]
    by_building: dict[int, list[_Person]] = defaultdict(list)
    for p in people:
        by_building[p.building_id].append(p)
    buildings = list(Building.objects.filter(community=community).order_by("sort_key"))
    compounds = list(Compound.objects.filter(community=community).order_by("pk"))
    grids = list(Grid.objects.filter(community=community).order_by("sort_key", "code"))
    entrances = list(
        Entrance.objects.filter(community=community).order_by("building__sort_key", "number")
    )

    adults = [p for p in people if 28 <= p.age <= 90]
    # Party members are older on average here: many retired workers of the Third Front.
    members_people = [p for p in adults if rng.random() < (0.07 if p.age >= 55 else 0.035)]
    member_ids = {p.pk for p in members_people}
    # One person is the community's secretary (社区书记) and the secretary of its party
    # organisation (书记 of 社区党委, "一肩挑"): a party member who lives here, a member of
    # the community's own party organisation rather than of a compound branch.
    secretary = _pick_holder(
        rng,
        [p for p in people if p.gender == "F" and 42 <= p.age <= 56] or adults,
        member_ids,
        42,
        56,
    )
    if secretary.pk not in member_ids:
        members_people.append(secretary)
        member_ids.add(secretary.pk)

    # -- party organisations and members ---------------------------------------------
    top = PartyOrganisation.objects.create(
        kind=PartyOrgKind.COMPREHENSIVE,
        name=COMPREHENSIVE_COMMITTEE,
        subdistrict=subdistrict,
        secretary_name=names.full(1972, "M"),
    )
    party = PartyOrganisation.objects.create(
        kind=PartyOrgKind.COMMUNITY,
        name=COMMUNITY_PARTY_ORG,
        parent=top,
        community=community,
        secretary_name=secretary.name,
    )
    branches = {
        c.pk: PartyOrganisation(
            kind=PartyOrgKind.COMPOUND_BRANCH,
            name=f"{c.name}党支部",
            parent=party,
            community=community,
            compound=c,
        )
        for c in compounds
    }
    PartyOrganisation.objects.bulk_create(branches.values())
    pioneers = {
        b.pk: PartyOrganisation(
            kind=PartyOrgKind.BUILDING_PIONEER,
            name=f"{b.number}栋楼栋先锋",
            parent=branches[b.compound_id],
            community=community,
            compound_id=b.compound_id,
            building=b,
        )
        for b in buildings
        if rng.random() < 0.45
    }
    PartyOrganisation.objects.bulk_create(pioneers.values())

    households_by_building: dict[int, list[int]] = defaultdict(list)
    for p in people:
        if (
            not households_by_building[p.building_id]
            or households_by_building[p.building_id][-1] != p.household_id
        ):
            households_by_building[p.building_id].append(p.household_id)
    centre_households = []
    members = []
    for p in members_people:
        pioneer = pioneers.get(p.building_id)
        organisation = party if p.pk == secretary.pk else pioneer or branches[p.compound_id]
        if pioneer is not None and rng.random() < 0.3:
            centre_households.append(
                PartyOrganisation(
                    kind=PartyOrgKind.MEMBER_HOUSEHOLD,
                    name=f"{p.name}家党员中心户",
                    parent=pioneer,
                    community=community,
                    compound_id=p.compound_id,
                    building_id=p.building_id,
                    household_id=p.household_id,
                    secretary_name=p.name,
                )
            )
        joined = REFERENCE_DATE.year - p.age + rng.randint(22, max(22, min(p.age, 50)))
        members.append(
            PartyMember(
                resident_id=p.pk,
                organisation=organisation,
                joined_on=dt.date(min(joined, 2025), rng.randint(1, 12), 1),
            )
        )
    PartyOrganisation.objects.bulk_create(centre_households)
    PartyMember.objects.bulk_create(members)
    Link = PartyMember.linked_households.through
    links = []
    for m, p in zip(members, members_people, strict=True):
        nearby = [h for h in households_by_building[p.building_id] if h != p.household_id]
        for h in rng.sample(nearby, min(len(nearby), rng.randint(3, 8))):
            links.append(Link(partymember_id=m.pk, household_id=h))
    Link.objects.bulk_create(links)

    # -- posts held by residents -------------------------------------------------------
    # "推选党员担任网格长、楼栋长、单元长": residents hold these posts, party members first,
    # and a post says it is a party member's exactly when its holder is on the party rolls.
    posts = []
    holding = {secretary.pk}
    for b in buildings:
        if rng.random() < 0.88 and by_building[b.pk]:
            holder = _pick_holder(rng, by_building[b.pk], member_ids, 40, 72, holding)
            posts.append(_post(PostKind.BUILDING_CHIEF, holder, member_ids, building=b))
            holding.add(holder.pk)
    entrance_people: dict[int, list[_Person]] = defaultdict(list)
    for p in people:
        entrance_people[p.entrance_id].append(p)
    for e in entrances:
        if rng.random() < 0.6 and entrance_people[e.pk]:
            holder = _pick_holder(rng, entrance_people[e.pk], member_ids, 35, 75, holding)
            posts.append(_post(PostKind.ENTRANCE_CHIEF, holder, member_ids, entrance=e))
            holding.add(holder.pk)
    # A grid's chief is a party member who lives in the grid; its grid workers are the
    # community's paid staff, who need not live there (and are not on its party rolls).
    grid_people: dict[int, list[_Person]] = defaultdict(list)
    for p in people:
        grid_people[p.grid_id].append(p)
    grid_chiefs: dict[int, _Person] = {}
    for g in grids:
        living = grid_people[g.pk] or people
        in_grid = [p for p in living if p.pk in member_ids] or living
        chief = _pick_holder(rng, in_grid, member_ids, 35, 65, holding)
        grid_chiefs[g.pk] = chief
        holding.add(chief.pk)
    for g in grids[1:]:
        posts.append(_post(PostKind.GRID_CHIEF, grid_chiefs[g.pk], member_ids, grid=g))
        posts.append(
            Post(
                kind=PostKind.GRID_WORKER,
                holder_name=names.full(1992, rng.choice("MF")),
                grid=g,
                started_on=POSTS_SINCE,
            )
        )
    for _ in range(5):
        posts.append(
            Post(
                kind=PostKind.COMMUNITY_STAFF,
                holder_name=names.full(rng.randint(1975, 1998), rng.choice("MF")),
                community=community,
                started_on=POSTS_SINCE,
            )
        )
    Post.objects.bulk_create(posts)

    # -- teams ------------------------------------------------------------------------
    teams = Team.objects.bulk_create(
        [
            Team(community=community, name=name, kind=kind, description=description)
            for name, kind, description, _who in TEAMS
        ]
    )
    # The secretary leads the pioneers (党员先锋攻坚队); the grid chiefs are the 党群连心
    # 工作队 that links the grids to the households, led by the first grid's chief.
    first_chief = grid_chiefs[grids[0].pk]
    led_by = {TeamKind.PIONEER: [secretary], TeamKind.LIAISON: [first_chief]}
    led_by[TeamKind.LIAISON] += [c for c in grid_chiefs.values() if c.pk != first_chief.pk]
    memberships = []
    for team, (_name, kind, _d, (lo, hi, prefer_members)) in zip(teams, TEAMS, strict=True):
        pool = [p for p in people if lo <= p.age <= hi]
        if prefer_members:
            pool = [p for p in pool if p.pk in member_ids] or pool
        chosen = rng.sample(pool, min(len(pool), rng.randint(8, 24)))
        first = led_by.get(kind, [])
        chosen = first + [p for p in chosen if p.pk not in {f.pk for f in first}]
        for i, p in enumerate(chosen):
            memberships.append(
                TeamMembership(
                    team=team,
                    resident_id=p.pk,
                    role=TeamRole.LEADER if i == 0 else TeamRole.MEMBER,
                    joined_on=dt.date(rng.randint(2019, 2025), rng.randint(1, 12), 1),
                )
            )
    TeamMembership.objects.bulk_create(memberships)

    # -- partner units ------------------------------------------------------------------
    units = {}
    for name, short, kind, alliance, everywhere, offers in PARTNERS:
        unit = PartnerUnit.objects.create(
            name=name, short_name=short, kind=kind, offers=offers, in_alliance=alliance
        )
        unit.communities.set([community, *neighbours] if everywhere else [community])
        for title, year in (("党建联络员", 1985), ("业务联系人", 1990)):
            # One contact per unit, two for the larger ones; the phone is sealed by the field.
            if title == "业务联系人" and rng.random() < 0.5:
                continue
            PartnerContact.objects.create(
                unit=unit,
                name=names.full(year, rng.choice("MF")),
                title=title,
                phone=rng.choice(["139", "138", "158", "181", "136"])
                + f"{rng.randrange(100_000_000):08d}",
            )
        units[short] = unit

    # -- demo logins -------------------------------------------------------------------
    users = _demo_users(
        rng,
        names,
        subdistrict,
        community,
        grids,
        buildings,
        entrances,
        people,
        member_ids,
        units,
        {"demo-secretary": secretary, "demo-grid": first_chief},
    )
    return {"users": users, "party_members": len(members), "posts": len(posts), "teams": len(teams)}


def _pick_holder(
    rng, candidates: list[_Person], member_ids: set[int], lo: int, hi: int, busy=frozenset()
) -> _Person:
    """A holder among ``candidates`` of an age between ``lo`` and ``hi``, not ``busy`` with
    another post where someone else will do."""
    free = [p for p in candidates if p.pk not in busy] or candidates
    fitting = [p for p in free if lo <= p.age <= hi] or free
    preferred = [p for p in fitting if p.pk in member_ids]
    # Party members are asked first ("推选党员担任网格长、楼栋长、单元长").
    if preferred and rng.random() < 0.75:
        return rng.choice(preferred)
    return rng.choice(fitting)


def _post(kind, holder: _Person, member_ids: set[int], **node) -> Post:
    return Post(
        kind=kind,
        resident_id=holder.pk,
        holder_name=holder.name,
        is_party_member=holder.pk in member_ids,
        started_on=POSTS_SINCE,
        **node,
    )


def _demo_users(
    rng,
    names,
    subdistrict,
    community,
    grids,
    buildings,
    entrances,
    people,
    member_ids,
    units,
    leaders: dict[str, _Person],
) -> list[User]:
    """The demo logins. The secretary and the first grid's chief are the residents who
    hold those posts (``leaders``); the building and entrance chiefs take over the first
    building's posts; the other staff are not residents here."""
    # One PBKDF2 hash for all demo logins: they share a published password anyway, and
    # hashing it nine times would cost seconds on every seed.
    password = make_password(demo_password())
    first_building = buildings[0]
    in_building = [p for p in people if p.building_id == first_building.pk]
    entrance = next(e for e in entrances if e.building_id == first_building.pk)
    in_entrance = [p for p in in_building if p.entrance_id == entrance.pk]
    building_holder = Post.objects.filter(
        kind=PostKind.BUILDING_CHIEF, building=first_building
    ).first()
    entrance_holder = Post.objects.filter(kind=PostKind.ENTRANCE_CHIEF, entrance=entrance).first()
    # The demo building and entrance chiefs take over the posts the generator gave out
    # there, so that each place has one chief.
    if building_holder:
        building_holder.delete()
    if entrance_holder:
        entrance_holder.delete()
    busy = {p.pk for p in leaders.values()}
    building_chief = _pick_holder(rng, in_building, member_ids, 45, 70, busy)
    busy.add(building_chief.pk)
    entrance_chief = _pick_holder(rng, in_entrance, member_ids, 40, 72, busy)
    busy.add(entrance_chief.pk)
    elderly = [p for p in in_building if p.age >= 70 and p.pk not in busy] or [
        p for p in people if p.age >= 70 and p.pk not in busy
    ]
    resident = rng.choice(elderly)
    users = []
    for username, role, kind in DEMO_USERS:
        user = User(username=username, password=password, is_demo=True, display_name=role)
        node = {}
        holder = None
        if kind == PostKind.SUBDISTRICT_STAFF:
            node = {"subdistrict": subdistrict}
            user.display_name = names.full(1983, "F")
        elif kind == PostKind.COMMUNITY_SECRETARY:
            node, holder = {"community": community}, leaders[username]
        elif kind == PostKind.COMMUNITY_STAFF:
            node = {"community": community}
            user.display_name = names.full(1990, "F")
        elif kind == PostKind.GRID_CHIEF:
            node, holder = {"grid": grids[0]}, leaders[username]
        elif kind == PostKind.GRID_WORKER:
            node = {"grid": grids[0]}
            user.display_name = names.full(1995, rng.choice("MF"))
        elif kind == PostKind.BUILDING_CHIEF:
            node, holder = {"building": first_building}, building_chief
        elif kind == PostKind.ENTRANCE_CHIEF:
            node, holder = {"entrance": entrance}, entrance_chief
        elif username == "demo-resident":
            holder = resident
        else:
            user.partner_unit = units["市住建局"]
            user.display_name = names.full(1986, "M")
        if holder is not None:
            user.resident_id = holder.pk
            user.display_name = holder.name
        user.save()
        if kind is not None:
            Post.objects.create(
                kind=kind,
                user=user,
                resident_id=holder.pk if holder else None,
                holder_name=user.display_name,
                is_party_member=bool(holder and holder.pk in member_ids),
                started_on=POSTS_SINCE,
                **node,
            )
        users.append(user)
    return users
