"""The reach is cached across requests (``core.scoping``) and dropped the moment a post,
the place tree or a resident's household changes: a revoked post must not keep its reach
for one more request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.accounts.models import User
from gongzhi.core.scoping import scope_for
from gongzhi.orgs import services as orgs
from gongzhi.orgs.enums import PostKind
from gongzhi.orgs.models import Post


@pytest.fixture(autouse=True)
def _scope_cache_on(settings):
    settings.GONGZHI_SCOPE_CACHE = True


def _fresh(user):
    """The user as the next request loads it: nothing kept on the object."""
    return User.objects.get(pk=user.pk)


def _post_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "orgs_post" in q["sql"]]


def test_the_second_request_does_not_rebuild_the_scope(world):
    user = world.users["grid"]
    with CaptureQueriesContext(connection) as first:
        scope_for(_fresh(user), "view")
    assert _post_queries(first.captured_queries), "the first request builds the scope"
    with CaptureQueriesContext(connection) as second:
        scope = scope_for(_fresh(user), "view")
    assert _post_queries(second.captured_queries) == []
    assert scope.held["grid"] == {world.g1.pk}


def test_a_granted_post_is_seen_by_the_next_request(world):
    user = world.users["building"]
    assert world.b2.pk not in scope_for(_fresh(user), "view").held["building"]
    orgs.post_assign(
        actor=world.users["secretary"], kind=PostKind.BUILDING_CHIEF, node=world.b2, user=user
    )
    assert world.b2.pk in scope_for(_fresh(user), "view").held["building"]


def test_an_ended_post_loses_its_reach_on_the_next_request(world):
    user = world.users["grid"]
    assert scope_for(_fresh(user), "view").held["grid"] == {world.g1.pk}
    post = Post.objects.get(user=user, kind=PostKind.GRID_CHIEF)
    orgs.post_end(actor=world.users["secretary"], post=post)
    assert scope_for(_fresh(user), "view").empty


def test_scopes_are_cached_per_capability(world):
    user = world.users["building"]
    assert not scope_for(_fresh(user), "view").empty
    # A building chief may not edit the register: the cached "view" must not answer it.
    assert scope_for(_fresh(user), "edit_registry").empty


def test_a_resident_who_moves_sees_the_new_household(world):
    user = world.users["resident"]
    resident = user.resident
    before = scope_for(_fresh(user), "view").held["household"]
    assert before == {resident.household_id}
    resident.household = world.households["2-1-101"]
    resident.save(update_fields=["household"])
    assert scope_for(_fresh(user), "view").held["household"] == {world.households["2-1-101"].pk}
