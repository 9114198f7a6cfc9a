"""Send the warnings before a deadline, the reminders, supervision notices and automatic
escalations that are due. The Celery beat runs the same tick (``gongzhi.voices.tick``)
every GONGZHI_TICK_SECONDS; this command is for rehearsals (``--now``) and servers without
a worker. Running it twice sends nothing twice, and it waits for no running tick: it
says so and stops. It also says, on stderr, when a year's holiday schedule is missing,
since time limits in that year are counted Monday to Friday until someone enters it."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from gongzhi.voices.tasks import voices_tick


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
        outcome = voices_tick(now=moment)
        if outcome is None:
            self.stderr.write("another tick is running; nothing done")
            return
        report = outcome.report
        self.stdout.write(
            f"warned {len(report.warned)}, reminded {len(report.reminded)}, "
            f"supervised {len(report.supervised)}, escalated {len(report.escalated)}"
        )
        missing = outcome.missing_schedule_year
        if missing is not None:
            self.stderr.write(
                f"warning: no holiday schedule for {missing}: its time limits count Monday to "
                f"Friday until it is entered (节假日安排, /calendar/?year={missing})"
            )
