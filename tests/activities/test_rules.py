"""Who may do what with an activity of 望江街社区, role by role, for a draft and for a
published one."""

from __future__ import annotations

import pytest

from gongzhi.activities import rules

pytestmark = pytest.mark.django_db

# role → (sees the published one, sees the draft, manages, checks in)
MATRIX = {
    "admin": (True, True, True, True),
    "subdistrict": (True, True, True, True),
    "secretary": (True, True, True, True),
    "staff": (True, True, True, True),
    "grid": (True, False, False, True),
    "grid_worker": (True, False, False, True),
    "building": (True, False, False, True),
    "entrance": (True, False, False, True),
    "resident": (True, False, False, False),
    "partner": (False, False, False, False),
    "other_staff": (False, False, False, False),
    "nobody": (False, False, False, False),
}


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_role_matrix(world, make_activity, role):
    published, draft = make_activity(), make_activity(publish=False, title="草稿")
    user = world.users[role]
    assert (
        rules.may_see(user, published),
        rules.may_see(user, draft),
        rules.may_manage(user, published),
        rules.may_check_in(user, published),
    ) == MATRIX[role]


def test_only_living_residents_of_the_community_take_part(world, make_activity):
    a = make_activity()
    assert rules.may_take_part(world.residents["zhangsan"], a)
    assert not rules.may_take_part(world.residents["zhaoliu"], a)
    assert not rules.may_take_part(None, a)
