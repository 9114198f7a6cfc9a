"""The mediation team 晓龙调解队 of 望江街社区 with two mediators (residents of grid 1 with
logins), and a neighbour dispute 张三 raised, accepted by the grid chief. "Now" is
Monday 8 June 2026, 10:00 Beijing time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gongzhi.core.identity import make_id_number
from gongzhi.mediation import services
from gongzhi.orgs.enums import TeamKind, TeamRole
from gongzhi.orgs.models import Team, TeamMembership
from gongzhi.places import services as places
from gongzhi.voices import services as voices
from gongzhi.voices.enums import Level
from gongzhi.voices.models import Category
from tests.world import make_user

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 6, 8, 10, 0, tzinfo=TZ)
STATEMENT = "楼上卫生间漏水到我家，墙皮掉了一大片"
NOTES = "双方到场，楼上同意请师傅查漏"


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GONGZHI_SMS_BACKEND = "gongzhi.voices.notify.LocmemSMSBackend"


@pytest.fixture
def team(world):
    team = Team.objects.create(community=world.wj, name="晓龙调解队", kind=TeamKind.MEDIATION)
    household = world.households["1-1-101"]
    for i, name in enumerate(["刘晓龙", "陈调解"]):
        resident = places.resident_create(
            actor=None,
            household=household.__class__.objects.get(pk=household.pk),
            name=name,
            id_number=make_id_number("510402", dt.date(1960, 1, 1 + i), 70 + i),
        )
        TeamMembership.objects.create(
            team=team, resident=resident, role=TeamRole.LEADER if i == 0 else TeamRole.MEMBER
        )
    return team


@pytest.fixture
def mediators(team):
    return [m.resident for m in team.memberships.select_related("resident").order_by("pk")]


@pytest.fixture
def mediator(mediators):
    """The login of 刘晓龙, the team's leader (a resident, no post)."""
    return make_user("mediator-lxl", resident=mediators[0])


@pytest.fixture
def dispute(world):
    """张三's neighbour dispute, accepted at grid level by the grid chief."""
    category = Category.objects.get_or_create(
        code="neighbour_dispute", defaults={"name": "邻里纠纷", "default_level": Level.GRID}
    )[0]
    item = voices.item_submit(
        actor=world.users["grid"],
        kind="problem",
        text="楼上邻居卫生间漏水到我家，说不通，请调解",
        channel="visit",
        on_behalf_of=world.residents["zhangsan"],
        now=at(2026, 6, 1, 9),
    )
    return voices.item_accept(
        actor=world.users["grid"],
        item=item,
        category=category,
        level=Level.GRID,
        now=at(2026, 6, 1, 10),
    )


@pytest.fixture
def case(world, dispute, mediators):
    """The dispute as a mediation case, opened by the grid chief, with both parties."""
    c = services.case_open(
        actor=world.users["grid"],
        item=dispute,
        community=world.wj,
        title="漏水纠纷",
        summary="张三家天花板渗水，怀疑楼上李四家卫生间防水坏了",
        arose_on=dt.date(2026, 5, 28),
        mediators=mediators[:1],
        now=at(2026, 6, 2, 9),
    )
    services.party_add(
        actor=None,
        case=c,
        side="applicant",
        resident=world.residents["zhangsan"],
        statement=STATEMENT,
    )
    services.party_add(
        actor=None,
        case=c,
        side="respondent",
        resident=world.residents["lisi"],
        statement="我家没有漏，是他家自己的水管",
    )
    return c


@pytest.fixture
def mediated(case):
    """``case`` after one session."""
    services.session_record(
        actor=None,
        case=case,
        held_at=at(2026, 6, 3, 15),
        place="第一网格驿站",
        notes=NOTES,
        attendees=list(case.parties.all()),
        now=at(2026, 6, 3, 17),
    )
    case.refresh_from_db()
    return case


from tests.api.conftest import api_as  # noqa: E402,F401 — the JSON client fixture
