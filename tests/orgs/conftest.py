import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.fixture
def same_queries(django_assert_num_queries):
    """Request ``url``, let ``grow`` add rows, request again: the second request must cost
    exactly as many queries as the first. Returns both pages' text."""

    def check(client, url, grow):
        with CaptureQueriesContext(connection) as first:
            small = client.get(url)
        assert small.status_code == 200
        grow()
        with django_assert_num_queries(len(first.captured_queries)):
            big = client.get(url)
        assert big.status_code == 200
        return small.content.decode(), big.content.decode()

    return check


@pytest.fixture
def member(world):
    """李四 (1-2-201), a party member of the Wangjiang community party committee."""
    from gongzhi.orgs.models import PartyMember, PartyOrganisation

    org = PartyOrganisation.objects.create(
        kind="community", name="望江街社区党委", community=world.wj
    )
    return PartyMember.objects.create(resident=world.residents["lisi"], organisation=org)
