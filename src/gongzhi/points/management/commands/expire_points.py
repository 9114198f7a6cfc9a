"""Post the expiry of points earned before last year (points earned in year Y lapse at the
end of Y+1). Safe to run again: a lot already expired posts nothing."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from gongzhi.points import services


class Command(BaseCommand):
    help = "Expire love points earned before last year; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--on", help="as of this date YYYY-MM-DD (default: now)")

    def handle(self, *args, on=None, **options):
        moment = None
        if on:
            day = dt.date.fromisoformat(on)
            moment = dt.datetime.combine(day, dt.time(0, 5), tzinfo=timezone.get_current_timezone())
        posted = services.expire(on=moment)
        total = sum(e.amount for t in posted for e in t.entries.all() if e.amount > 0)
        self.stdout.write(f"过期交易 {len(posted)} 笔，共 {total} 分。")
