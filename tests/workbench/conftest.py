import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.core.identity import make_id_number
from gongzhi.places import services
from gongzhi.places.models import CareTag

_sequence = itertools.count(100)


def add_resident(household, name, *, born=dt.date(1980, 1, 1), tags=(), phone=""):
    """A resident made through the real service, with a unique valid ID number."""
    return services.resident_create(
        actor=None,
        household=household,
        name=name,
        id_number=make_id_number("510402", born, next(_sequence)),
        phone=phone,
        care_tags=[CareTag.objects.get(code=t) for t in tags],
    )


def add_household(building, entrance_number, door, floor, *residents):
    entrance = building.entrances.get(number=entrance_number)
    household = services.household_create(
        actor=None, entrance=entrance, door_number=door, floor=floor
    )
    for name, born, tags in residents:
        add_resident(household, name, born=born, tags=tags)
    return household


@pytest.fixture
def same_queries(django_assert_num_queries):
    """Request ``url``, let ``grow`` add more rows, request again: the second request must
    cost exactly as many queries as the first. Returns both responses' text."""

    def check(client, url, grow):
        # Kept figures (``places.selectors.community_figures``) are counted on the first
        # request after a register change and read from the cache after: each measured
        # request follows a warm-up, so both are counted as a user's second visit is.
        client.get(url)
        with CaptureQueriesContext(connection) as first:
            small = client.get(url)
        # Counted now: ``captured_queries`` slices the connection's log when read, and the
        # requests below move it on.
        n = len(first.captured_queries)
        assert small.status_code == 200
        grow()
        client.get(url)
        with django_assert_num_queries(n):
            big = client.get(url)
        assert big.status_code == 200
        return small.content.decode(), big.content.decode()

    return check
