"""Revoke every live API token of the logins named, for an operator (a lost phone, a
departed staff member). Audited like a revocation in the admin, with the system as actor."""

from django.core.management.base import BaseCommand, CommandError

from gongzhi.accounts.models import ApiToken, User
from gongzhi.accounts.services import api_token_revoke


class Command(BaseCommand):
    help = "Revoke all API tokens of the given usernames."

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="+")

    def handle(self, *args, **options):
        usernames = options["usernames"]
        users = {u.username: u for u in User.objects.filter(username__in=usernames)}
        unknown = sorted(set(usernames) - set(users))
        if unknown:
            raise CommandError("unknown username(s): " + ", ".join(unknown))
        for username in usernames:
            live = ApiToken.objects.filter(user=users[username], revoked_at__isnull=True)
            count = 0
            for token in live:
                api_token_revoke(actor=None, token=token)
                count += 1
            self.stdout.write(f"{username}: {count}")
