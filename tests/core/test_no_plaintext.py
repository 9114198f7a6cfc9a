"""The database as a file (SQLite) or a dump (PostgreSQL) holds no plaintext ID number or
phone, including users' phones and what the audit log wrote."""

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.db import connection

from gongzhi.accounts.services import user_set_phone


def _secrets(world):
    user = world.users["staff"]
    user_set_phone(user=user, phone="15988887777")
    user.save()
    values = ["15988887777"]
    for r in world.residents.values():
        values += [r.id_number, r.phone]
    assert all(values)
    return values


@pytest.mark.django_db(transaction=True)
def test_database_file_or_dump_holds_no_plaintext(world):
    values = _secrets(world)
    with tempfile.TemporaryDirectory() as tmp:
        if connection.vendor == "sqlite":
            target = Path(tmp) / "copy.sqlite3"
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [str(target)])
            blob = target.read_bytes()
        elif connection.vendor == "postgresql":
            pg_dump = shutil.which("pg_dump")
            if pg_dump is None:
                pytest.skip("pg_dump is not installed")
            s = connection.settings_dict
            blob = subprocess.run(
                [
                    pg_dump,
                    "-h",
                    s["HOST"] or "127.0.0.1",
                    "-p",
                    str(s["PORT"] or 5432),
                    "-U",
                    s["USER"] or "postgres",
                    s["NAME"],
                ],
                check=True,
                capture_output=True,
            ).stdout
        else:  # pragma: no cover
            pytest.skip(connection.vendor)
    # The dump is real: it contains the names, which are not secret.
    assert "张三".encode() in blob
    for value in values:
        assert value.encode() not in blob, value
