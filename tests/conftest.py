"""Fixtures shared by the whole suite.

The permission world (``tests/world.py``) is built once per session, right after the test
database is created, and committed there. Each test runs inside a transaction that is
rolled back, so every test starts from the same world without paying for it (building it
is ~40 ms, and most of the suite's 1,400 tests use it). A test gets a deep copy of the
world's objects, so nothing one test caches or changes on them reaches the next, exactly
as Django's ``setUpTestData`` does.

Transactional tests (``transactional_db``, ``live_server``) are different: Django empties
the database after each of them, so a test that finds the session's world gone builds one
of its own. pytest-django runs them after all the others, and so does each pytest-xdist
worker (``make test`` runs one per processor), so that is rare.
"""

import copy

import pytest
from hypothesis import HealthCheck, settings

from tests.world import PASSWORD, World, build_world

# The suite shares two processors with a database and, in CI, a browser: a property test
# that generates its inputs slowly under that load is not a failure of the code under
# test. Timing belongs to the benchmarks (``make bench``), not to the tests.
settings.register_profile("suite", suppress_health_check=[HealthCheck.too_slow], deadline=None)
settings.load_profile("suite")


_session_world: World | None = None


def _forget_caches(world: World) -> World:
    """Drop what the build left cached on the users (reach, sponsor identities): a test
    must compute them itself from the database it sees."""
    for user in world.users.values():
        for key in [k for k in user.__dict__ if k.startswith("_gongzhi_")]:
            del user.__dict__[key]
    return world


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    global _session_world
    with django_db_blocker.unblock():
        _session_world = _forget_caches(build_world())
        # Read the entered holiday schedules (none) once here, not inside the first test
        # that counts working time: a query count must not depend on the order tests run.
        from gongzhi.core import workcal

        workcal.reset_schedules()
        workcal.entered_schedules()
    yield


@pytest.fixture
def world(db):
    from gongzhi.places.models import Subdistrict

    present = Subdistrict.objects.filter(
        pk=_session_world.sd.pk, code=_session_world.sd.code
    ).exists()
    if not present:
        # Emptied by a transactional test that ran before this one (pytest-django and
        # pytest-xdist run them last, so this is the exception): a world of its own.
        return build_world()
    return copy.deepcopy(_session_world)


@pytest.fixture(autouse=True)
def _empty_cache():
    """The cache outlives a test's rolled-back database: a scope cached by one test (under
    posts it created) must not answer the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def login(client):
    """Log the test client in as a user of the world and return the client."""

    def _login(user):
        client.force_login(user, backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
        return client

    return _login
