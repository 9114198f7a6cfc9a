import pytest

from tests.world import empty_database


@pytest.fixture(autouse=True)
def _without_the_world(request):
    """The demo is seeded into an empty database, as ``make demo`` does."""
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
        empty_database()
