"""On PostgreSQL the server binds parameters and keeps a query run twice on a connection as
a prepared statement (settings: GONGZHI_PG_PREPARED), so a list's many-table join is
planned once per connection; GONGZHI_PG_PREPARED=0 turns it off for a pooler in
transaction mode."""

from __future__ import annotations

import pytest
from django.db import connection

from gongzhi.voices.models import Item
from tests.ops.test_production_settings import _run


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_a_repeated_query_is_prepared_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's (make test-pg)")
    assert connection.features.uses_server_side_binding
    probe = '"voices_item"."title" = $1'
    list(Item.objects.filter(title="probe one"))
    assert not [s for s in _prepared_statements() if probe in s]
    for title in ("probe one", "probe two", "probe three"):
        list(Item.objects.filter(title=title))
    prepared = [s for s in _prepared_statements() if probe in s]
    # Prepared once, with its parameter bound by the server: other values reuse it.
    assert len(prepared) == 1, prepared


def _database_options(extra=None) -> dict:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps(s.DATABASES['default'].get('OPTIONS', {})))"
    )
    result = _run(["-c", code], extra)
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_setting_is_on_for_postgresql_off_on_request_and_never_on_sqlite():
    pg = {"DATABASE_URL": "postgres://gongzhi@127.0.0.1:5432/gongzhi"}
    assert _database_options(pg) == {"server_side_binding": True, "prepare_threshold": 2}
    assert _database_options({**pg, "GONGZHI_PG_PREPARED": "0"}) == {}
    sqlite = _database_options({"DATABASE_URL": "sqlite:///var/never-created.sqlite3"})
    assert "server_side_binding" not in sqlite and "prepare_threshold" not in sqlite
