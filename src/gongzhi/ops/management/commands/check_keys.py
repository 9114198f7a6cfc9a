"""``manage.py check_keys``: does the personal data in this database open with the keys
configured here? A database seeded or restored under other keys (another machine's local
settings, a key dropped from ``GONGZHI_FIELD_KEYS``, a new blind-index key) looks healthy
until the first page that shows a phone number fails; ``make stack`` runs this before it
starts the servers, and an operator after an upgrade. A sample, not a scan (see
``gongzhi.ops.backups.check_personal_data``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from gongzhi.ops import backups


class Command(BaseCommand):
    help = "抽样检查本数据库中的个人信息能否用本机配置的密钥解开、索引能否查到。"

    def handle(self, *args, **options):
        report = backups.Report()
        with connection.cursor() as cur:
            backups.check_personal_data(cur, report)
        if not report.ok:
            raise CommandError(
                "本数据库中的个人信息与本机配置的密钥不符：\n"
                + "\n".join(report.problems)
                + "\n这个数据库是用别的密钥写入的。请配置写入时所用的密钥，"
                "或换一个空数据库重新开始。"
            )
        for note in report.notes:
            self.stdout.write(note)
