"""Role × capability × reach: ``core.scoping.may`` against a table written out by hand.

The table is the one in docs/roles_and_permissions.md. It is deliberately not derived from
``accounts.rules.CAPABILITIES``: changing who may do what must change this table (and the
docs) too, or this test fails."""

import pytest

from gongzhi.accounts.rules import CAPABILITIES
from gongzhi.core.scoping import may

# ✓ = the role holds the capability over its reach; · = it does not.
TABLE = """
role          view  edit_registry  reveal_pii  export  import_register  manage_orgs  view_audit  submit_on_behalf  handle_items  dispatch  verify  enter_event_opinions  view_measures  manage_calendar
admin         ✓     ✓              ✓           ✓       ✓                ✓            ✓           ✓                 ✓             ✓         ✓       ✓                     ✓              ✓
subdistrict   ✓     ·              ·           ✓       ·                ✓            ✓           ·                 ✓             ✓         ✓       ·                     ✓              ✓
secretary     ✓     ✓              ✓           ✓       ✓                ✓            ✓           ✓                 ✓             ✓         ✓       ✓                     ✓              ·
staff         ✓     ✓              ✓           ✓       ✓                ✓            ·           ✓                 ✓             ✓         ✓       ✓                     ✓              ·
grid          ✓     ✓              ✓           ✓       ·                ·            ·           ✓                 ✓             ·         ·       ·                     ✓              ·
grid_worker   ✓     ✓              ✓           ✓       ·                ·            ·           ✓                 ✓             ·         ·       ·                     ✓              ·
building      ✓     ·              ·           ·       ·                ·            ·           ✓                 ·             ·         ·       ·                     ✓              ·
entrance      ✓     ·              ·           ·       ·                ·            ·           ✓                 ·             ·         ·       ·                     ✓              ·
resident      ✓     ·              ·           ·       ·                ·            ·           ·                 ·             ·         ·       ·                     ·              ·
partner       ·     ·              ·           ·       ·                ·            ·           ·                 ·             ·         ·       ·                     ·              ·
other_staff   ✓     ✓              ✓           ✓       ✓                ✓            ·           ✓                 ✓             ✓         ✓       ✓                     ✓              ·
nobody        ·     ·              ·           ·       ·                ·            ·           ·                 ·             ·         ·       ·                     ·              ·
"""

# Reach: which of the world's residents lie inside each role's region.
#   zhangsan 1-1-101 (grid 1, entrance 1)   lisi 1-2-201 (grid 1, entrance 2)
#   wangwu   2-1-101 (grid 2)               zhaoliu (the other community)
REACH = {
    "admin": {"zhangsan", "lisi", "wangwu", "zhaoliu"},
    "subdistrict": {"zhangsan", "lisi", "wangwu", "zhaoliu"},
    "secretary": {"zhangsan", "lisi", "wangwu"},
    "staff": {"zhangsan", "lisi", "wangwu"},
    "grid": {"zhangsan", "lisi"},
    "grid_worker": {"wangwu"},
    "building": {"zhangsan", "lisi"},
    "entrance": {"lisi"},
    "resident": {"zhangsan"},  # own household
    "partner": set(),  # dispatched work only, never the register
    "other_staff": {"zhaoliu"},
    "nobody": set(),
}

RESIDENTS = ["zhangsan", "lisi", "wangwu", "zhaoliu"]


def _parse(table: str) -> tuple[list[str], dict[str, set[str]]]:
    header, *rows = [line.split() for line in table.strip().splitlines()]
    capabilities = header[1:]
    granted = {}
    for role, *marks in rows:
        assert len(marks) == len(capabilities), role
        granted[role] = {cap for cap, mark in zip(capabilities, marks, strict=True) if mark == "✓"}
    return capabilities, granted


TABLE_CAPABILITIES, GRANTED = _parse(TABLE)


def test_table_covers_every_capability():
    assert sorted(TABLE_CAPABILITIES) == sorted(CAPABILITIES)


def test_table_covers_every_role_of_the_world(world):
    assert set(GRANTED) == set(world.users) == set(REACH)


@pytest.mark.parametrize("capability", TABLE_CAPABILITIES)
@pytest.mark.parametrize("role", list(GRANTED))
def test_may(world, role, capability):
    user = world.users[role]
    actual = {key for key in RESIDENTS if may(user, capability, world.residents[key])}
    expected = REACH[role] if capability in GRANTED[role] else set()
    assert actual == expected


def test_unknown_capability_is_an_error(world):
    with pytest.raises(ValueError):
        may(world.users["grid"], "fly", world.residents["zhangsan"])
