"""``manage.py restore --from DIR/<timestamp>``: verify a backup, load it in one
transaction and check the result against its manifest (see ``gongzhi.ops.backups``)."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongzhi.ops import backups


class Command(BaseCommand):
    help = (
        "从备份恢复 PostgreSQL 数据库：校验文件与密钥，单事务恢复，"
        "再逐表核对行数与校验和并抽样解密个人信息。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", dest="source", required=True, metavar="DIR", help="一份备份的目录。"
        )
        parser.add_argument(
            "--database-url",
            default=None,
            metavar="URL",
            help="恢复到此数据库（默认：本机配置的数据库）。数据库须已创建。",
        )
        parser.add_argument(
            "--force", action="store_true", help="目标数据库非空时仍然恢复（覆盖）。"
        )
        parser.add_argument(
            "--check-only", action="store_true", help="只校验备份文件与密钥，不恢复。"
        )

    def handle(self, *args, source: str, database_url, force: bool, check_only: bool, **options):
        path = Path(source)
        try:
            manifest = backups.read_manifest(path)
            backups.verify_files(path, manifest)
            backups.verify_keys(manifest)
            self.stdout.write(
                f"备份 {manifest['name']}：文件校验通过（SHA-256 一致），所需密钥 "
                f"{'、'.join(manifest['keys']['field_keys_in_use']) or '（无）'} 均已配置。"
            )
            if check_only:
                return
            target = (
                backups.Target.from_url(database_url) if database_url else backups.Target.default()
            )
            t0 = time.monotonic()
            backups.restore(path, target=target, force=force)
            restored = time.monotonic() - t0
            report = backups.verify_database(manifest, target=target)
            checked = time.monotonic() - t0 - restored
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:  # an unreadable backup directory
            raise CommandError(f"无法读取备份 {source}：{exc.strerror or exc}") from exc
        for note in report.notes:
            self.stdout.write(note)
        for problem in report.problems:
            self.stderr.write(self.style.ERROR(problem))
        if not report.ok:
            raise CommandError(f"恢复后核对发现 {len(report.problems)} 处不一致，见上。")
        self.stdout.write(
            self.style.SUCCESS(
                f"已恢复到 {target.describe()} 并核对无误（恢复 {restored:.1f} 秒，核对 {checked:.1f} 秒）。"
            )
        )
