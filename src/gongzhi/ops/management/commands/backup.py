"""``manage.py backup --to DIR [--keep N]``: one consistent PostgreSQL backup with its
manifest (see ``gongzhi.ops.backups``); meant to run from a timer, so it prints one line
per backup and fails loudly."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongzhi.ops import backups


class Command(BaseCommand):
    help = "备份 PostgreSQL 数据库：一致快照的 pg_dump 与清单（行数、校验和、密钥编号，不含密钥）。"

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, metavar="DIR", help="备份存放目录。")
        parser.add_argument(
            "--keep", type=int, default=None, metavar="N", help="只保留最新的 N 份完整备份。"
        )

    def handle(self, *args, to: str, keep: int | None, **options):
        if keep is not None and keep < 1:
            raise CommandError("--keep 至少为 1：不能删除全部备份。")
        try:
            result = backups.backup(Path(to), keep=keep)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:  # an unwritable or full backup directory
            raise CommandError(f"无法写入备份目录 {to}：{exc.strerror or exc}") from exc
        m = result.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成：{result.path}（{len(m['tables'])} 张表，{m['total_rows']} 行，"
                f"{m['dump']['bytes'] / 1e6:.1f} MB，用时 {m['seconds']:.1f} 秒）"
            )
        )
        for path in result.pruned:
            self.stdout.write(f"已删除旧备份：{path}")
