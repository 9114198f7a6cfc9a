"""Send the warnings before a deadline, the reminders, supervision notices and automatic
escalations that are due. Run it every few minutes (cron, a Celery beat); running it twice
sends nothing twice. It also says, on stderr, when a year's holiday schedule is missing,
since time limits in that year are counted Monday to Friday until someone enters it."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongzhi.core import workcal
from gongzhi.voices import deadlines


class Command(BaseCommand):
    help = "提醒、督办并自动上报超时的诉求（可重复运行，不会重复发送）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help="treat this ISO 8601 moment as now (for rehearsals), e.g. 2026-10-09T09:00+08:00",
        )

    def handle(self, *args, now=None, **options):
        moment = None
        if now:
            try:
                moment = dt.datetime.fromisoformat(now)
            except ValueError as exc:
                raise CommandError(f"--now: {exc}") from None
            if moment.tzinfo is None:
                raise CommandError("--now needs a UTC offset, e.g. +08:00")
        report = deadlines.tick(now=moment)
        self.stdout.write(
            f"warned {len(report.warned)}, reminded {len(report.reminded)}, "
            f"supervised {len(report.supervised)}, escalated {len(report.escalated)}"
        )
        missing = workcal.missing_schedule_year(timezone.localdate(moment) if moment else None)
        if missing is not None:
            self.stderr.write(
                f"warning: no holiday schedule for {missing}: its time limits count Monday to "
                f"Friday until it is entered (节假日安排, /calendar/?year={missing})"
            )
