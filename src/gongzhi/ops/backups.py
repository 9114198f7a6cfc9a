"""Backups that restore: a consistent PostgreSQL dump with a manifest, and a checked restore.

A backup is one directory, ``<DIR>/<timestamp>/``, holding ``database.dump`` (pg_dump's
custom format) and ``manifest.json``. Both are written into ``<timestamp>.partial/`` and
the directory is renamed only when everything is on disk, so an interrupted run never
looks like a backup (and ``--keep`` never counts one).

Consistency: the dump and the manifest come from one snapshot. A REPEATABLE READ READ ONLY
transaction exports its snapshot (``pg_export_snapshot()``); pg_dump is started with
``--snapshot`` while that transaction stays open, and the row counts, checksums, migration
state and key ids are read inside the same transaction. Whatever commits meanwhile is in
neither, so the manifest describes exactly the rows in the dump.

Keys never go into a backup: the manifest names the field-encryption key ids the data is
sealed under and a fingerprint of each key and of the blind-index key (an HMAC of a fixed
label under the key: equal keys give equal fingerprints, and it reveals nothing of the key).
A restore refuses to start when the keys configured on its server do not match, because a
restored database whose personal data cannot be opened is not a backup.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import django
import psycopg
from django.apps import apps
from django.conf import settings
from django.db import connections

from gongzhi.core import crypto
from gongzhi.core.fields import EncryptedTextField

MANIFEST_NAME = "manifest.json"
DUMP_NAME = "database.dump"
PARTIAL_SUFFIX = ".partial"
FORMAT_VERSION = 1
# <timestamp> or <timestamp>-<n> when two backups start within the same second.
BACKUP_NAME = re.compile(r"^\d{8}T\d{6}Z(-\d+)?$")
CHECKSUM_ALGORITHM = "md5(string_agg(md5(row::text), '' ORDER BY primary key)), UTC session"
FINGERPRINT_LABEL = b"gongzhi backup key fingerprint v1"
MANIFEST_KEYS = {"name", "dump", "tables", "total_rows", "migrations", "keys"}
# Personal data sampled per encrypted column after a restore.
DECRYPT_SAMPLE = 20


class BackupError(Exception):
    """A backup or restore that must not go on; the message is for the operator (Chinese)."""


# --- connections -------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where a database is: the libpq parameters, from Django settings or a URL."""

    dbname: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""
    options: dict = field(default_factory=dict)

    @classmethod
    def from_settings_dict(cls, sd: dict) -> Target:
        if sd.get("ENGINE") != "django.db.backends.postgresql":
            raise BackupError(
                "备份与恢复只支持 PostgreSQL 数据库（当前为 "
                f"{sd.get('ENGINE', '未知')}）。请设置 DATABASE_URL=postgres://…"
            )
        options = {
            k: str(v)
            for k, v in (sd.get("OPTIONS") or {}).items()
            if k in {"sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout"}
        }
        return cls(
            dbname=sd["NAME"],
            host=sd.get("HOST") or "",
            port=str(sd.get("PORT") or ""),
            user=sd.get("USER") or "",
            password=sd.get("PASSWORD") or "",
            options=options,
        )

    @classmethod
    def from_url(cls, url: str) -> Target:
        import dj_database_url

        try:
            sd = dj_database_url.parse(url)
        except Exception as exc:  # a malformed URL is the operator's typo, not a crash
            raise BackupError(f"无法解析数据库地址：{exc}") from exc
        if not sd.get("NAME"):
            raise BackupError("数据库地址中缺少数据库名。")
        return cls.from_settings_dict(sd)

    @classmethod
    def default(cls) -> Target:
        # The connection's settings, not settings.DATABASES: under test they name the test
        # database.
        return cls.from_settings_dict(connections["default"].settings_dict)

    def connect(self, **kwargs) -> psycopg.Connection:
        params = {
            "dbname": self.dbname,
            "host": self.host or None,
            "port": self.port or None,
            "user": self.user or None,
            "password": self.password or None,
            **self.options,
        }
        try:
            conn = psycopg.connect(**{k: v for k, v in params.items() if v is not None}, **kwargs)
        except psycopg.OperationalError as exc:
            raise BackupError(f"无法连接数据库 {self.describe()}：{exc}".strip()) from exc
        # Row text includes timestamps: the same session time zone on both sides makes the
        # checksums of a backup and of its restore comparable.
        with conn.cursor() as cur:
            cur.execute("SET TIME ZONE 'UTC'")
            cur.execute("SET extra_float_digits = 1")
        conn.commit()
        return conn

    def env(self) -> dict[str, str]:
        """The environment for pg_dump/pg_restore: the password never goes on a command
        line, where other users of the server could read it."""
        env = dict(os.environ)
        mapping = {
            "PGDATABASE": self.dbname,
            "PGHOST": self.host,
            "PGPORT": self.port,
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGSSLMODE": self.options.get("sslmode", ""),
            "PGSSLROOTCERT": self.options.get("sslrootcert", ""),
            "PGSSLCERT": self.options.get("sslcert", ""),
            "PGSSLKEY": self.options.get("sslkey", ""),
            "PGCONNECT_TIMEOUT": self.options.get("connect_timeout", ""),
        }
        for key, value in mapping.items():
            if value:
                env[key] = value
            else:
                env.pop(key, None)
        return env

    def describe(self) -> str:
        where = self.host or "本机"
        return f"{self.dbname}@{where}{':' + self.port if self.port else ''}"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"找不到 {name}。请安装 PostgreSQL 客户端工具（Debian：apt install postgresql-client），"
            "版本不低于数据库服务器。"
        )
    return path


# --- what a database holds ---------------------------------------------------------------


def _tables(cur) -> list[tuple[str, str]]:
    """Every ordinary table the dump holds: (schema, name). All of the project's models,
    Django's own tables and django_migrations live in the connection's schema."""
    cur.execute(
        """
        SELECT n.nspname, c.relname
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\\_%'
          AND NOT c.relispartition
        ORDER BY n.nspname, c.relname
        """
    )
    return [(s, t) for s, t in cur.fetchall()]


def _primary_key(cur, schema: str, table: str) -> list[str]:
    cur.execute(
        """
        SELECT a.attname
        FROM pg_index i
        JOIN pg_class c ON c.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
        WHERE i.indisprimary AND n.nspname = %s AND c.relname = %s
        ORDER BY k.ord
        """,
        [schema, table],
    )
    return [r[0] for r in cur.fetchall()]


def _ident(*parts: str) -> str:
    return ".".join('"' + p.replace('"', '""') + '"' for p in parts)


def table_figures(cur) -> dict[str, dict]:
    """Row count and checksum of every table, as the current transaction sees them.

    The checksum is md5 over each row's text, in primary-key order, computed in SQL: the
    per-row md5 keeps the aggregate at 32 bytes a row, so a table of millions of rows
    stays well under PostgreSQL's 1 GB text limit. A table without a primary key is
    ordered by its row text, which is as deterministic."""
    figures: dict[str, dict] = {}
    for schema, table in _tables(cur):
        pk = _primary_key(cur, schema, table)
        order = ", ".join(_ident("t", c) for c in pk) if pk else "t::text"
        cur.execute(
            f"SELECT count(*), coalesce(md5(string_agg(md5(t::text), '' ORDER BY {order})), '')"  # noqa: S608 (identifiers quoted)
            f" FROM {_ident(schema, table)} AS t"
        )
        count, checksum = cur.fetchone()
        name = table if schema == "public" else f"{schema}.{table}"
        figures[name] = {"rows": count, "checksum": checksum}
    return figures


def migration_state(cur) -> dict[str, str]:
    """The last migration applied per app, from the database itself."""
    cur.execute("SELECT to_regclass('django_migrations')")
    if cur.fetchone()[0] is None:
        return {}
    cur.execute(
        "SELECT DISTINCT ON (app) app, name FROM django_migrations ORDER BY app, applied DESC, id DESC"
    )
    return dict(cur.fetchall())


def _encrypted_columns() -> list[tuple[type, str, list[EncryptedTextField]]]:
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            found.append((model, model._meta.db_table, fields))
    return found


def key_ids_in_use(cur) -> dict[str, int]:
    """Which field keys the stored personal data is sealed under: key id → values."""
    used: dict[str, int] = {}
    for _model, table, fields in _encrypted_columns():
        for f in fields:
            col = _ident(f.column)
            cur.execute(
                f"SELECT split_part({col}, %s, 1), count(*) FROM {_ident(table)}"  # noqa: S608 (identifiers quoted)
                f" WHERE {col} IS NOT NULL AND {col} <> '' GROUP BY 1",
                [crypto.SEPARATOR],
            )
            for key_id, n in cur.fetchall():
                used[key_id] = used.get(key_id, 0) + n
    return dict(sorted(used.items()))


def _fingerprint(secret: bytes) -> str:
    return hmac.new(secret, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:16]


def configured_keys() -> dict:
    """Key ids configured on this server, each with its fingerprint, and the blind-index
    key's fingerprint. Never the key material."""
    crypto._keys()  # the same validation (and the same errors) as every other use of the keys
    field_keys = {}
    for item in settings.GONGZHI_FIELD_KEYS.split(","):
        key_id, _, b64 = item.strip().partition(":")
        if key_id:
            field_keys[key_id] = _fingerprint(base64.b64decode(b64))
    blind = settings.GONGZHI_BLIND_INDEX_KEY
    return {
        "field_keys": field_keys,
        "primary_field_key": crypto.primary_key_id(),
        "blind_index_key": _fingerprint(blind.encode("utf-8")) if blind else "",
    }


# --- backup ------------------------------------------------------------------------------


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _new_name(root: Path, started: dt.datetime) -> str:
    base = started.strftime("%Y%m%dT%H%M%SZ")
    name, n = base, 1
    while (root / name).exists() or (root / (name + PARTIAL_SUFFIX)).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _version(tool: str) -> str:
    out = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False)
    return out.stdout.strip()


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    pruned: list[Path]


def backup(root: Path, *, keep: int | None = None, target: Target | None = None) -> BackupResult:
    """Write one complete backup under ``root`` and, with ``keep``, delete all but the
    newest ``keep`` complete backups. Reads only; the database is not changed."""
    target = target or Target.default()
    pg_dump = _tool("pg_dump")
    keys = configured_keys()
    root.mkdir(parents=True, exist_ok=True)
    started = _utc_now()
    t0 = time.monotonic()
    name = _new_name(root, started)
    partial = root / (name + PARTIAL_SUFFIX)
    partial.mkdir()
    dump_path = partial / DUMP_NAME
    try:
        with target.connect() as conn:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            with conn.cursor() as cur:
                cur.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
                snapshot, server_version = cur.fetchone()
                # pg_dump reads the exported snapshot while this transaction stays open;
                # the manifest is computed meanwhile, from the same snapshot.
                proc = subprocess.Popen(
                    [
                        pg_dump,
                        "--format=custom",
                        f"--snapshot={snapshot}",
                        "--no-password",
                        f"--file={dump_path}",
                    ],
                    env=target.env(),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                try:
                    tables = table_figures(cur)
                    migrations = migration_state(cur)
                    in_use = key_ids_in_use(cur)
                finally:
                    _out, err = proc.communicate()
                if proc.returncode != 0:
                    raise BackupError(f"pg_dump 失败（退出码 {proc.returncode}）：{err.strip()}")
            conn.rollback()
        with dump_path.open("rb") as fh:
            os.fsync(fh.fileno())
        finished = _utc_now()
        manifest = {
            "format": FORMAT_VERSION,
            "name": name,
            "started_at": started.isoformat(),
            "finished_at": finished.isoformat(),
            "seconds": round(time.monotonic() - t0, 3),
            "database": target.dbname,
            "versions": {
                "django": django.get_version(),
                "postgresql": server_version,
                "pg_dump": _version(pg_dump),
            },
            "dump": {
                "file": DUMP_NAME,
                "format": "custom",
                "bytes": dump_path.stat().st_size,
                "sha256": _sha256(dump_path),
            },
            "checksum_algorithm": CHECKSUM_ALGORITHM,
            "tables": tables,
            "total_rows": sum(t["rows"] for t in tables.values()),
            "migrations": migrations,
            "keys": {
                "field_keys_in_use": in_use,
                "field_key_fingerprints": {
                    k: v for k, v in keys["field_keys"].items() if k in in_use
                },
                "primary_field_key": keys["primary_field_key"],
                "blind_index_key_fingerprint": keys["blind_index_key"],
            },
        }
        manifest_path = partial / MANIFEST_NAME
        with manifest_path.open("w", encoding="utf-8") as fh:
            json.dump(manifest, fh, ensure_ascii=False, indent=2, sort_keys=True)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        _fsync_dir(partial)
        final = root / name
        os.rename(partial, final)  # atomic on one filesystem: complete, or not there at all
        _fsync_dir(root)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    pruned = prune(root, keep) if keep is not None else []
    return BackupResult(path=final, manifest=manifest, pruned=pruned)


def complete_backups(root: Path) -> list[Path]:
    """Complete backups under ``root``, oldest first. A ``.partial`` directory (a backup
    that is running or was interrupted) is never one."""
    if not root.is_dir():
        return []
    found = [
        p
        for p in root.iterdir()
        if p.is_dir() and BACKUP_NAME.match(p.name) and (p / MANIFEST_NAME).is_file()
    ]
    return sorted(found, key=lambda p: _sort_key(p.name))


def _sort_key(name: str) -> tuple[str, int]:
    base, _, n = name.partition("-")
    return base, int(n or 1)


def prune(root: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` complete backups; returns what was deleted."""
    if keep < 1:
        raise BackupError("--keep 至少为 1：不能删除全部备份。")
    backups = complete_backups(root)
    doomed = backups[: max(0, len(backups) - keep)]
    for path in doomed:
        shutil.rmtree(path)
    return doomed


# --- restore -----------------------------------------------------------------------------


@dataclass
class Report:
    """What a check found: ``problems`` make the command fail; ``notes`` are for reading."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_manifest(path: Path) -> dict:
    if not path.is_dir():
        raise BackupError(f"备份目录不存在：{path}")
    if path.name.endswith(PARTIAL_SUFFIX):
        raise BackupError(f"{path.name} 是未完成的备份（.partial），不能用于恢复。")
    manifest_path = path / MANIFEST_NAME
    if not manifest_path.is_file():
        raise BackupError(f"备份目录中没有 {MANIFEST_NAME}：{path}")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{MANIFEST_NAME} 已损坏，无法读取：{exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"{MANIFEST_NAME} 的格式不是本版本能读取的（format={FORMAT_VERSION}）。")
    missing = sorted(MANIFEST_KEYS - set(manifest))
    if missing:
        raise BackupError(f"{MANIFEST_NAME} 不完整，缺少：{'、'.join(missing)}。")
    return manifest


def verify_files(path: Path, manifest: dict) -> None:
    """The dump is the one the manifest describes, byte for byte."""
    dump = path / manifest["dump"]["file"]
    if not dump.is_file():
        raise BackupError(f"备份目录中没有数据文件 {dump.name}。")
    actual = _sha256(dump)
    if actual != manifest["dump"]["sha256"]:
        raise BackupError(
            f"数据文件校验失败：{dump.name} 的 SHA-256 为 {actual}，清单记录为 "
            f"{manifest['dump']['sha256']}。文件已损坏或被改动，拒绝恢复。"
        )
    listing = subprocess.run(
        [_tool("pg_restore"), "--list", str(dump)], capture_output=True, text=True, check=False
    )
    if listing.returncode != 0:
        raise BackupError(f"pg_restore 无法读取数据文件：{listing.stderr.strip()}")


def verify_keys(manifest: dict) -> None:
    """Every key the backup's personal data is sealed under is configured here, as the same
    key; and the blind index is keyed as it was. Refuses naming the key ids."""
    here = configured_keys()
    keys = manifest["keys"]
    missing = sorted(k for k in keys["field_keys_in_use"] if k not in here["field_keys"])
    if missing:
        raise BackupError(
            "本机未配置备份中个人信息所用的加密密钥："
            + "、".join(missing)
            + "。请先在 GONGZHI_FIELD_KEYS 中配置这些密钥（从单独保管密钥处取得，备份中不含密钥），再恢复。"
        )
    different = sorted(
        k
        for k, fp in keys["field_key_fingerprints"].items()
        if k in here["field_keys"] and here["field_keys"][k] != fp
    )
    if different:
        raise BackupError(
            "本机配置的加密密钥与备份时不是同一把："
            + "、".join(different)
            + "（编号相同，密钥内容不同）。请配置备份时所用的密钥。"
        )
    if keys["blind_index_key_fingerprint"] != here["blind_index_key"]:
        raise BackupError(
            "本机的 GONGZHI_BLIND_INDEX_KEY 与备份时不同，恢复后将无法按身份证号或手机号查找居民。"
            "请配置备份时所用的索引密钥（恢复后如需更换，再运行 manage.py rotate_keys --reindex）。"
        )


def target_is_empty(target: Target) -> bool:
    with target.connect() as conn, conn.cursor() as cur:
        return not _tables(cur)


def restore(path: Path, *, target: Target, force: bool = False) -> None:
    """Load a verified backup into ``target`` in one transaction: all of it, or nothing."""
    manifest = read_manifest(path)
    verify_files(path, manifest)
    verify_keys(manifest)
    empty = target_is_empty(target)
    if not empty and not force:
        raise BackupError(
            f"目标数据库 {target.describe()} 不是空的。恢复会覆盖其中的数据；"
            "确认无误后加 --force，或恢复到一个新建的空数据库。"
        )
    args = [
        _tool("pg_restore"),
        "--single-transaction",
        "--no-owner",
        "--no-acl",
        "--exit-on-error",
        "--no-password",
        f"--dbname={target.dbname}",
    ]
    if not empty:
        # Replace what the dump holds; inside the single transaction, a failure leaves the
        # old data as it was.
        args += ["--clean", "--if-exists"]
    args.append(str(path / manifest["dump"]["file"]))
    done = subprocess.run(args, env=target.env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(
            f"pg_restore 失败（退出码 {done.returncode}），目标数据库未改动：{done.stderr.strip()}"
        )


def verify_database(manifest: dict, *, target: Target) -> Report:
    """Compare the restored database with the manifest, table by table, and open its
    personal data with the keys configured here."""
    report = Report()
    with target.connect() as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.cursor() as cur:
            figures = table_figures(cur)
            expected = manifest["tables"]
            for table in sorted(set(expected) | set(figures)):
                want, got = expected.get(table), figures.get(table)
                if want is None:
                    report.notes.append(f"表 {table} 不在备份清单中（恢复前已存在），未比对。")
                elif got is None:
                    report.problems.append(f"表 {table} 在恢复后的数据库中不存在。")
                elif want["rows"] != got["rows"]:
                    report.problems.append(
                        f"表 {table} 行数不符：清单 {want['rows']}，恢复后 {got['rows']}。"
                    )
                elif want["checksum"] != got["checksum"]:
                    report.problems.append(f"表 {table} 校验和不符（行数相同，内容不同）。")
            if migration_state(cur) != manifest["migrations"]:
                report.problems.append("恢复后的迁移状态与清单不符。")
            check_personal_data(cur, report)
        conn.rollback()
    report.notes.append(f"已比对 {len(expected)} 张表、{manifest['total_rows']} 行。")
    return report


def check_personal_data(cur, report: Report) -> None:
    """Open a sample of the sealed values of every encrypted column with the keys
    configured here, and find one row of each blind index by its recomputed value: a
    database sealed under other keys, or indexed under another index key, is named."""
    opened = 0
    for model, table, fields in _encrypted_columns():
        for f in fields:
            col = _ident(f.column)
            cur.execute(
                f"SELECT {col} FROM {_ident(table)} WHERE {col} <> '' ORDER BY random() LIMIT %s",  # noqa: S608 (identifiers quoted)
                [DECRYPT_SAMPLE],
            )
            for (token,) in cur.fetchall():
                try:
                    crypto.decrypt(token)
                    opened += 1
                except crypto.DecryptionError as exc:
                    report.problems.append(
                        f"{model._meta.label}.{f.name} 的个人信息无法解密：{exc}"
                    )
                    break
        indexes = getattr(model, "BLIND_INDEXES", {})
        for source, (index_field, purpose) in indexes.items():
            src = _ident(model._meta.get_field(source).column)
            idx = _ident(model._meta.get_field(index_field).column)
            pk = _ident(model._meta.pk.column)
            cur.execute(
                f"SELECT {pk}, {src} FROM {_ident(table)} WHERE {src} <> '' ORDER BY random() LIMIT 1"  # noqa: S608 (identifiers quoted)
            )
            row = cur.fetchone()
            if row is None:
                continue
            try:
                value = crypto.decrypt(row[1])
            except crypto.DecryptionError:
                continue  # already reported above
            cur.execute(
                f"SELECT {pk} FROM {_ident(table)} WHERE {idx} = %s",  # noqa: S608 (identifiers quoted)
                [crypto.blind_index(value, purpose=purpose)],
            )
            found = [r[0] for r in cur.fetchall()]
            if row[0] not in found:
                report.problems.append(
                    f"按 {model._meta.label}.{source} 的索引查不到对应记录：索引密钥或索引数据不一致。"
                )
            else:
                report.notes.append(f"按 {source} 索引查找 {model._meta.label}：找到。")
    report.notes.append(f"抽样解密个人信息 {opened} 项。")
