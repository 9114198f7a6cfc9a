"""``__any_of``: the rows of ``__in``, one array parameter on PostgreSQL."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.places.models import Resident
from gongzhi.places.selectors import resident_search


def _ids(qs):
    return sorted(qs.values_list("pk", flat=True))


def test_any_of_answers_the_rows_of_in(world):
    everyone = _ids(Resident.objects.all())
    some = everyone[::2] + [everyone[-1] + 1000]  # one id that matches nobody
    assert _ids(Resident.objects.filter(pk__any_of=some)) == _ids(
        Resident.objects.filter(pk__in=some)
    )
    assert _ids(Resident.objects.filter(pk__any_of=some)) == everyone[::2]
    assert list(Resident.objects.filter(pk__any_of=[])) == []
    # Composes with other conditions and with exclude.
    assert _ids(Resident.objects.exclude(pk__any_of=some)) == everyone[1::2]


def test_any_of_sends_one_parameter_whatever_the_length(world):
    ids = _ids(Resident.objects.all())
    sent = []

    def capture(execute, sql, params, many, context):
        # What goes to the driver: the statement before parameters are filled in.
        sent.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        list(Resident.objects.filter(pk__any_of=ids[:1]).values_list("pk", flat=True))
        list(Resident.objects.filter(pk__any_of=ids * 100).values_list("pk", flat=True))
    (short_sql, short_params), (long_sql, long_params) = sent
    if connection.vendor == "postgresql":
        # The same statement for one id and for hundreds, the ids in one array parameter:
        # nothing to split again per length, and the planner sees an array, not constants.
        assert short_sql == long_sql
        assert "= ANY(" in long_sql
        assert len(short_params) == len(long_params) == 1
        assert sorted(set(long_params[0])) == ids
    else:
        assert " IN (" in long_sql
        assert len(long_params) == len(ids)


def test_a_name_search_filters_by_one_array_on_postgresql(world):
    staff = world.users["staff"]
    with CaptureQueriesContext(connection) as ctx:
        found = [r.name for r in resident_search(staff, "zs")]
    assert found == ["张三"]
    page = ctx.captured_queries[-1]["sql"]
    if connection.vendor == "postgresql":
        # The scope's own community filter may stay an IN; the list of matches may not.
        assert '"places_resident"."id" = ANY(' in page
        assert '"places_resident"."id" IN (' not in page
