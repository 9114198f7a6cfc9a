"""The accounts and ids the HTTP benchmark and the load test use, read from and written to
the database the servers under test run on (``DATABASE_URL``), in a process of its own.

Run as ``python bench/http_fixture.py OUT.json [--residents N]``. It writes OUT.json with
the logins (bench accounts of its own, never the demo accounts, so that it works with demo
mode off as in production), their bearer tokens and the ids the endpoints need. Running it
again gives the same accounts new passwords and fresh tokens; nothing else is changed.

Bench accounts copy the posts of the demo's community staff member and grid chief, so
they see exactly what those see; intake residents are residents of the demo community
with a login of their own (``bench-r-<n>``). Tokens are issued by the service the API's
``/auth/token`` uses, without its per-address throttle, which a load generator on one
address would otherwise trip.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import secrets
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _setup() -> None:
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings")
    import django

    django.setup()


def build(residents: int, building_size: int = 335) -> dict:
    from django.db import transaction
    from django.db.models import Count

    from gongzhi.accounts.models import User
    from gongzhi.accounts.services import api_token_issue
    from gongzhi.orgs.enums import PostKind
    from gongzhi.orgs.models import Post
    from gongzhi.places.models import Community, Grid, Resident

    community = Community.objects.get(name="望江街社区")
    fixture: dict = {"community_code": community.code, "accounts": {}}

    def account(username: str, *, like: str | None = None, resident_id: int | None = None):
        password = secrets.token_urlsafe(16)
        with transaction.atomic():
            user, _ = User.objects.get_or_create(
                username=username, defaults={"display_name": username}
            )
            user.set_password(password)
            user.is_demo = False
            user.locked_at = None
            if resident_id is not None:
                user.resident_id = resident_id
            user.save()
            if like is not None and not Post.objects.filter(user=user).exists():
                for post in Post.objects.filter(user__username=like):
                    post.pk = None
                    post.user = user
                    post.resident_id = None
                    post.holder_name = username
                    if post.kind == PostKind.GRID_CHIEF:
                        # One open chief per grid: the bench's chief takes a grid of the
                        # community that has none, or works the demo grid as its worker.
                        free_grid = (
                            Grid.objects.filter(community=community)
                            .exclude(
                                pk__in=Post.objects.filter(
                                    kind=PostKind.GRID_CHIEF, ended_on=None
                                ).values("grid_id")
                            )
                            .order_by("pk")
                            .first()
                        )
                        if free_grid is not None:
                            post.grid = free_grid
                        else:
                            post.kind = PostKind.GRID_WORKER
                    post.save()
        return {
            "username": username,
            "password": password,
            "token": api_token_issue(user=user, name="bench"),
            "user_id": user.pk,
        }

    fixture["accounts"]["staff"] = account("bench-staff", like="demo-staff")
    fixture["accounts"]["grid"] = account("bench-grid", like="demo-grid")

    taken = set(User.objects.exclude(resident=None).values_list("resident_id", flat=True))
    mine = {
        u.username: u.resident_id
        for u in User.objects.filter(username__startswith="bench-r-").exclude(resident=None)
    }
    pool = (
        Resident.objects.filter(community=community, status="living")
        .exclude(pk__in=taken)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    free = iter(pool[: residents + 10])
    fixture["residents"] = []
    for n in range(residents):
        username = f"bench-r-{n}"
        resident_id = mine.get(username) or next(free)
        fixture["residents"].append(account(username, resident_id=resident_id))
    fixture["accounts"]["resident"] = fixture["residents"][0]

    # The building page: the building of the demo community nearest in size to the one the
    # issue measured (335 residents).
    sizes = (
        Resident.objects.filter(community=community, status="living")
        .values("building_id")
        .annotate(n=Count("pk"))
        .values_list("building_id", "n")
    )
    building_id, size = min(sizes, key=lambda pair: abs(pair[1] - building_size))
    fixture["building"] = {"id": building_id, "residents": size}

    # Search queries drawn from the community, so that they find someone.
    people = list(
        Resident.objects.filter(community=community, status="living")
        .order_by("pk")
        .values_list("name_initials", "name_pinyin", "phone_last4")[:400:20]
    )
    queries = [p[0] for p in people if p[0]] + [p[1][:5] for p in people if p[1]]
    queries += [p[2] for p in people if p[2]]
    fixture["search_queries"] = queries[:40]
    return fixture


def refresh_statistics() -> None:
    """The planner's statistics as autovacuum keeps them on a server: each run of the
    benchmark files hundreds of items into the demo community's first grid, and on a
    server with autovacuum off (some development machines) the planner went on estimating
    one row where there were a thousand and chose a plan 30 times slower."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--residents", type=int, default=64)
    args = parser.parse_args()
    _setup()
    fixture = build(args.residents)
    refresh_statistics()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(fixture, ensure_ascii=False, indent=1), encoding="utf-8")
    os.chmod(args.out, 0o600)
    return 0


if __name__ == "__main__":
    sys.exit(main())
