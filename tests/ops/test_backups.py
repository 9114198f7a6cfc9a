"""Backups that restore: a backup of the world, restored into a fresh database, is the
same database, row for row, and its personal data still opens.

pg_dump reads through its own connection, so these tests commit their data
(``transaction=True``); each restore goes into a database created for the test and
dropped after it."""

from __future__ import annotations

import dataclasses
import json
import os
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from gongzhi.core import crypto
from gongzhi.ops import backups

pg_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="backups are pg_dump/pg_restore: run with DATABASE_URL=postgres://…",
)


def _url(t: backups.Target) -> str:
    auth = quote(t.user) + (":" + quote(t.password) if t.password else "") + "@" if t.user else ""
    return f"postgres://{auth}{t.host or 'localhost'}{':' + t.port if t.port else ''}/{t.dbname}"


@pytest.fixture
def fresh_db():
    """An empty database of its own, dropped after the test."""
    admin = dataclasses.replace(backups.Target.default(), dbname="postgres")
    name = f"gz_restore_{uuid.uuid4().hex[:12]}"
    with admin.connect(autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    target = dataclasses.replace(admin, dbname=name)
    yield target
    with admin.connect(autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _only_backup(root: Path) -> Path:
    found = backups.complete_backups(root)
    assert len(found) == 1
    return found[0]


def _fetch(target: backups.Target, sql: str, params=()):
    with target.connect() as conn:
        return conn.execute(sql, params).fetchall()


@pg_only
@pytest.mark.django_db(transaction=True)
def test_round_trip_restores_every_row_and_personal_data_still_opens(world, tmp_path, fresh_db):
    zhangsan = world.residents["zhangsan"]

    call_command("backup", to=str(tmp_path))
    path = _only_backup(tmp_path)
    manifest = json.loads((path / "manifest.json").read_text())
    assert sorted(p.name for p in path.iterdir()) == ["database.dump", "manifest.json"]
    assert manifest["tables"]["places_resident"]["rows"] == 4
    assert manifest["tables"]["django_migrations"]["rows"] > 0
    assert manifest["migrations"]["places"].startswith("0")
    # 4 residents × (ID number, phone), all under k1; the world's users have no phone.
    assert manifest["keys"]["field_keys_in_use"] == {"k1": 8}
    # Names and fingerprints only: no key material anywhere in the manifest.
    text = (path / "manifest.json").read_text()
    assert "dGVzdC1rZXktMzItYnl0ZXMtbG9uZy0wMDAwMDAwMDA=" not in text
    assert "test-blind-index-key" not in text

    call_command("restore", source=str(path), database_url=_url(fresh_db))

    with fresh_db.connect() as conn, conn.cursor() as cur:
        assert backups.table_figures(cur) == manifest["tables"]
    [(phone_token, id_token)] = _fetch(
        fresh_db, "SELECT phone, id_number FROM places_resident WHERE id = %s", [zhangsan.pk]
    )
    assert phone_token.startswith("k1$")
    assert crypto.decrypt(phone_token) == "13812345678"
    assert crypto.decrypt(id_token) == zhangsan.id_number
    found = _fetch(
        fresh_db,
        "SELECT id FROM places_resident WHERE id_number_bidx = %s",
        [crypto.blind_index(zhangsan.id_number, purpose="id_number")],
    )
    assert found == [(zhangsan.pk,)]


@pg_only
@pytest.mark.django_db(transaction=True)
def test_restore_reports_every_table_that_differs(world, tmp_path, fresh_db):
    call_command("backup", to=str(tmp_path))
    path = _only_backup(tmp_path)
    manifest = backups.read_manifest(path)
    call_command("restore", source=str(path), database_url=_url(fresh_db))
    with fresh_db.connect() as conn:
        conn.execute("UPDATE places_community SET name = name || '改' WHERE code = '510402001002'")
        conn.execute("DELETE FROM places_caretag WHERE code = 'disabled'")
        conn.commit()

    report = backups.verify_database(manifest, target=fresh_db)

    assert report.problems == [
        "表 places_caretag 行数不符：清单 4，恢复后 3。",
        "表 places_community 校验和不符（行数相同，内容不同）。",
    ]


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_tampered_dump_is_refused(world, tmp_path, fresh_db):
    call_command("backup", to=str(tmp_path))
    path = _only_backup(tmp_path)
    call_command("restore", source=str(path), check_only=True)
    with (path / "database.dump").open("ab") as fh:
        fh.write(b"\0")

    with pytest.raises(CommandError, match="SHA-256"):
        call_command("restore", source=str(path), check_only=True)
    with pytest.raises(CommandError, match="拒绝恢复"):
        call_command("restore", source=str(path), database_url=_url(fresh_db))
    assert _fetch(fresh_db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_backup_whose_keys_are_not_configured_is_refused(world, tmp_path, fresh_db):
    call_command("backup", to=str(tmp_path))
    path = _only_backup(tmp_path)
    other = "k2:" + crypto.generate_field_key()

    with (
        override_settings(GONGZHI_FIELD_KEYS=other),
        pytest.raises(CommandError, match="未配置.*加密密钥：k1"),
    ):
        call_command("restore", source=str(path), database_url=_url(fresh_db))
    # Same id, different key: refused too, rather than restoring data nobody can open.
    with (
        override_settings(GONGZHI_FIELD_KEYS="k1:" + crypto.generate_field_key()),
        pytest.raises(CommandError, match="不是同一把：k1"),
    ):
        call_command("restore", source=str(path), check_only=True)
    with (
        override_settings(GONGZHI_BLIND_INDEX_KEY="another-index-key"),
        pytest.raises(CommandError, match="GONGZHI_BLIND_INDEX_KEY"),
    ):
        call_command("restore", source=str(path), check_only=True)
    assert _fetch(fresh_db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_non_empty_target_is_refused_without_force(world, tmp_path, fresh_db):
    call_command("backup", to=str(tmp_path))
    path = _only_backup(tmp_path)
    call_command("restore", source=str(path), database_url=_url(fresh_db))
    with fresh_db.connect() as conn:
        conn.execute("DELETE FROM places_caretag WHERE code = 'disabled'")
        conn.commit()

    with pytest.raises(CommandError, match="不是空的"):
        call_command("restore", source=str(path), database_url=_url(fresh_db))
    assert _fetch(fresh_db, "SELECT count(*) FROM places_caretag") == [(3,)]

    call_command("restore", source=str(path), database_url=_url(fresh_db), force=True)
    assert _fetch(fresh_db, "SELECT count(*) FROM places_caretag") == [(4,)]
    assert backups.verify_database(backups.read_manifest(path), target=fresh_db).problems == []


def _fake_backup(root: Path, name: str) -> Path:
    path = root / name
    path.mkdir()
    (path / "manifest.json").write_text("{}")
    return path


@pg_only
@pytest.mark.django_db(transaction=True)
def test_partial_backups_never_count_and_keep_prunes_to_n(world, tmp_path):
    _fake_backup(tmp_path, "20240101T000000Z")
    _fake_backup(tmp_path, "20250101T000000Z")
    partial = _fake_backup(tmp_path, "20230101T000000Z.partial")
    (tmp_path / "notes").mkdir()

    call_command("backup", to=str(tmp_path), keep=2)

    kept = backups.complete_backups(tmp_path)
    assert [p.name for p in kept][0] == "20250101T000000Z"
    assert len(kept) == 2
    assert (kept[1] / "database.dump").is_file()
    assert partial.is_dir() and (tmp_path / "notes").is_dir()
    assert not (tmp_path / "20240101T000000Z").exists()
    with pytest.raises(CommandError, match="未完成的备份"):
        call_command("restore", source=str(partial), check_only=True)


def test_partial_is_not_a_backup_and_keep_counts_complete_ones(tmp_path):
    for name in ["20240101T000000Z", "20240101T000000Z-2", "20240102T000000Z", "20240103T000000Z"]:
        _fake_backup(tmp_path, name)
    _fake_backup(tmp_path, "20250101T000000Z.partial")
    (tmp_path / "20260101T000000Z").mkdir()  # no manifest: not complete either

    pruned = backups.prune(tmp_path, 2)

    assert [p.name for p in pruned] == ["20240101T000000Z", "20240101T000000Z-2"]
    assert [p.name for p in backups.complete_backups(tmp_path)] == [
        "20240102T000000Z",
        "20240103T000000Z",
    ]
    assert (tmp_path / "20250101T000000Z.partial").is_dir()
    with pytest.raises(backups.BackupError, match="至少为 1"):
        backups.prune(tmp_path, 0)


def test_sqlite_is_refused_with_a_clear_message():
    with pytest.raises(backups.BackupError, match="只支持 PostgreSQL"):
        backups.Target.from_settings_dict({"ENGINE": "django.db.backends.sqlite3", "NAME": "x"})


@pytest.mark.django_db
def test_backup_command_on_sqlite_says_why(tmp_path):
    if connection.vendor == "postgresql":
        pytest.skip("checks the refusal on SQLite")
    with pytest.raises(CommandError, match="只支持 PostgreSQL"):
        call_command("backup", to=str(tmp_path))
    assert backups.complete_backups(tmp_path) == []


def test_a_broken_manifest_is_refused_with_a_message(tmp_path):
    path = tmp_path / "20240101T000000Z"
    path.mkdir()
    (path / "manifest.json").write_text("{not json")
    with pytest.raises(backups.BackupError, match="已损坏"):
        backups.read_manifest(path)
    (path / "manifest.json").write_text('{"format": 1, "name": "x"}')
    with pytest.raises(backups.BackupError, match="不完整，缺少：dump、keys"):
        backups.read_manifest(path)
    with pytest.raises(backups.BackupError, match="备份目录不存在"):
        backups.read_manifest(tmp_path / "nowhere")


@pg_only
@pytest.mark.django_db(transaction=True)
def test_restore_into_a_database_that_does_not_exist_says_so(world, tmp_path):
    call_command("backup", to=str(tmp_path))
    path = _only_backup(tmp_path)
    missing = dataclasses.replace(backups.Target.default(), dbname="gz_restore_missing_db")

    with pytest.raises(CommandError, match="无法连接数据库 gz_restore_missing_db"):
        call_command("restore", source=str(path), database_url=_url(missing))


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_failed_dump_leaves_neither_a_backup_nor_a_partial(world, tmp_path, monkeypatch):
    # A pg_dump that writes half a file and dies, as on a full disk or a killed process.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "pg_dump"
    fake.write_text(
        '#!/bin/sh\nfor a; do case "$a" in --file=*) echo half > "${a#--file=}";; esac; done\n'
        'echo "pg_dump: error: No space left on device" >&2\nexit 1\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    root = tmp_path / "backups"

    with pytest.raises(CommandError, match="pg_dump 失败.*No space left"):
        call_command("backup", to=str(root))

    assert list(root.iterdir()) == []


@pg_only
@pytest.mark.django_db(transaction=True)
def test_an_unwritable_backup_directory_is_refused_with_a_message(world, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")

    with pytest.raises(CommandError, match="无法写入备份目录"):
        call_command("backup", to=str(blocker / "backups"))
