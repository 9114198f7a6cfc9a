"""Surveys at city scale: the phone's sync and the rates endpoint.

``run(results_dir)`` expects Django set up on a migrated database holding the demo
community with its surveys (``seed_demo``; the city seed writes them for Wangjiang):

1. sync: 500 queued records (visits and answers of the 望江片区 campaign, as a phone
   keeps them) sent in one ``POST /api/v1/surveys/sync`` by the assigned visitor, through
   Django's test client: seconds and records/s; then the same batch again (every record
   replayed, nothing changes): seconds;
2. rates: ``GET /api/v1/surveys/campaigns/{id}/rates`` for the campaign as the community
   staff member, N requests: p50/p95 (target p95 ≤ 100 ms);
3. the city-wide set: the demo seeds one campaign (Wangjiang's), so the campaign is first
   copied to every other community of the city — the same share of its households, each
   given the answer the Wangjiang household in the same position gave — and the rates
   endpoint is read for every campaign, as the superuser and as each community's own staff.
"""

from __future__ import annotations

import json
import time
import uuid

RATES_REQUESTS = 100
SYNC_RECORDS = 500


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]

    return {
        "n": len(ordered),
        "p50_ms": round(pct(0.50) * 1000, 2),
        "p95_ms": round(pct(0.95) * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def copy_to_every_community(campaign) -> dict:
    """Give every other community a campaign like ``campaign``: its first N households (N =
    the campaign's size) and, for the i-th of them, the responses of the campaign's i-th
    household. Bulk writes: this is data for the benchmark, not a user's action."""
    from gongzhi.places.models import Community, Household
    from gongzhi.surveys.models import Campaign, CampaignHousehold, Response

    started = time.perf_counter()
    source = list(
        CampaignHousehold.objects.filter(campaign=campaign)
        .order_by("household_id")
        .values_list("household_id", flat=True)
    )
    answers: dict[int, list[Response]] = {}
    for response in Response.objects.filter(campaign=campaign).order_by("pk"):
        answers.setdefault(response.household_id, []).append(response)
    copied = households_n = responses_n = 0
    for community in Community.objects.exclude(pk=campaign.community_id).order_by("pk"):
        households = list(
            Household.objects.filter(community=community).order_by("pk")[: len(source)]
        )
        if not households:
            continue
        copy = Campaign.objects.create(
            community=community,
            name=f"{campaign.name}（{community.name}）",
            area_name=campaign.area_name,
            questionnaire=campaign.questionnaire,
            status=campaign.status,
            starts_on=campaign.starts_on,
            ends_on=campaign.ends_on,
        )
        rows, responses = [], []
        for source_id, household in zip(source, households, strict=False):
            row = CampaignHousehold(campaign=copy)
            row.place_from(household)
            rows.append(row)
            for original in answers.get(source_id, ()):
                response = Response(
                    campaign=copy,
                    version_id=original.version_id,
                    consent=original.consent,
                    answers=original.answers,
                    status=original.status,
                    problems=original.problems,
                    supports=original.supports,
                    channel=original.channel,
                    answered_at=original.answered_at,
                )
                response.place_from(household)
                responses.append(response)
        CampaignHousehold.objects.bulk_create(rows, batch_size=2000)
        Response.objects.bulk_create(responses, batch_size=2000)
        copied += 1
        households_n += len(rows)
        responses_n += len(responses)
    return {
        "campaigns_added": copied,
        "households": households_n,
        "responses": responses_n,
        "seconds": round(time.perf_counter() - started, 1),
    }


def run(results_dir=None) -> dict | None:
    from django.test import Client
    from django.utils import timezone

    from gongzhi.accounts.models import User
    from gongzhi.surveys.models import Assignment, Campaign, CampaignHousehold, Response, Visit

    campaign = Campaign.objects.filter(area_name="望江片区").order_by("pk").first()
    if campaign is None:
        return None
    assignment = Assignment.objects.filter(campaign=campaign).order_by("pk").first()
    visitor = assignment.visitor
    households = list(
        CampaignHousehold.objects.filter(
            campaign=campaign,
            building_id__in=Assignment.objects.filter(campaign=campaign, visitor=visitor).values(
                "building_id"
            ),
        ).values_list("household_id", flat=True)
    )
    now = timezone.now().isoformat()
    # Revisits that find nobody at home: they add records without moving a figure.
    records = [
        {
            "type": "visit",
            "client_id": f"bench-{uuid.uuid4().hex}",
            "campaign_id": campaign.pk,
            "household_id": households[i % len(households)],
            "outcome": "not_home",
            "visited_at": now,
        }
        for i in range(SYNC_RECORDS)
    ]
    client = Client()
    client.force_login(visitor, backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
    body = json.dumps({"records": records})
    before = (Visit.objects.count(), Response.objects.count())
    started = time.perf_counter()
    first = client.post("/api/v1/surveys/sync", body, content_type="application/json").json()
    sync_s = time.perf_counter() - started
    started = time.perf_counter()
    again = client.post("/api/v1/surveys/sync", body, content_type="application/json").json()
    replay_s = time.perf_counter() - started
    after = (Visit.objects.count(), Response.objects.count())

    staff = User.objects.get(username="demo-staff")
    client = Client()
    client.force_login(staff, backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
    url = f"/api/v1/surveys/campaigns/{campaign.pk}/rates"
    client.get(url)
    samples = []
    for _ in range(RATES_REQUESTS):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        samples.append(time.perf_counter() - started)
    copied = copy_to_every_community(campaign)
    wide = own_staff = None
    admin = User.objects.filter(is_superuser=True).first()
    if admin is not None:
        client.force_login(admin, backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
        wide_samples = []
        for c in Campaign.objects.order_by("pk"):
            started = time.perf_counter()
            assert client.get(f"/api/v1/surveys/campaigns/{c.pk}/rates").status_code == 200
            wide_samples.append(time.perf_counter() - started)
        wide = {"campaigns": len(wide_samples), **_percentiles(wide_samples)}
    # Each community's own staff reading its campaign: the scoped path, one login each.
    staff_samples = []
    for c in Campaign.objects.exclude(pk=campaign.pk).order_by("pk"):
        member = _community_staff(c.community_id)
        if member is None:
            continue
        client = Client()
        client.force_login(member, backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
        url = f"/api/v1/surveys/campaigns/{c.pk}/rates"
        client.get(url)
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        staff_samples.append(time.perf_counter() - started)
    if staff_samples:
        own_staff = {"campaigns": len(staff_samples), **_percentiles(staff_samples)}
    return {
        "sync": {
            "records": SYNC_RECORDS,
            "seconds": round(sync_s, 3),
            "records_per_second": round(SYNC_RECORDS / sync_s),
            "ok": first["ok"],
            "replay_seconds": round(replay_s, 3),
            "replayed": again["replayed"],
            "rows_added": [a - b for a, b in zip(after, before, strict=True)],
        },
        "rates": {
            "households": CampaignHousehold.objects.filter(campaign=campaign).count(),
            **_percentiles(samples),
        },
        "city_campaigns": copied,
        "rates_all_campaigns": wide,
        "rates_each_community_staff": own_staff,
    }


def _community_staff(community_id: int):
    """A staff login over the whole community: the city seed gives only Wangjiang its
    logins, so the benchmark appoints one where there is none (a post row, as the posts
    screen would write it; the scope cache is told)."""
    from gongzhi.accounts.models import User
    from gongzhi.core.scoping import invalidate_scopes
    from gongzhi.orgs.enums import PostKind
    from gongzhi.orgs.models import Post

    post = (
        Post.objects.filter(
            community_id=community_id,
            kind=PostKind.COMMUNITY_STAFF,
            ended_on__isnull=True,
            user__isnull=False,
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if post is not None:
        return post.user
    user = User.objects.create_user(f"bench-staff-{community_id}", password=None)
    Post.objects.create(
        kind=PostKind.COMMUNITY_STAFF,
        user=user,
        holder_name=user.username,
        community_id=community_id,
    )
    invalidate_scopes()
    return user


if __name__ == "__main__":  # pragma: no cover
    import os
    import sys

    sys.path[:0] = ["src", "."]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings")
    import django

    django.setup()
    print(json.dumps(run(), ensure_ascii=False, indent=2))
