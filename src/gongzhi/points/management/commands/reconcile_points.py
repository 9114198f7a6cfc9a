"""Check the love points ledger: every account's cached balance against the sum of its
entries, every transaction against zero, no resident's lot below zero. Prints each
difference; exits 1 when there is any."""

from django.core.management.base import BaseCommand, CommandError

from gongzhi.points import services


class Command(BaseCommand):
    help = "Reconcile love points: cached balances against entries; exit 1 on any difference."

    def handle(self, *args, **options):
        problems = services.reconcile()
        for line in problems:
            self.stdout.write(line)
        if problems:
            raise CommandError(f"{len(problems)} differences", returncode=1)
        self.stdout.write("积分账目平衡：没有差异。")
