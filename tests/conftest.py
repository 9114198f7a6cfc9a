import pytest

from tests.world import PASSWORD, build_world


@pytest.fixture
def world(db):
    return build_world()


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
