"""Surveys at city scale: the phone's sync and the rates endpoint.

``run(results_dir)`` expects Django set up on a migrated database holding the demo
community with its surveys (``seed_demo``; the city seed writes them for Wangjiang):

1. sync: 500 queued records (visits and answers of the 望江片区 campaign, as a phone
   keeps them) sent in one ``POST /api/v1/surveys/sync`` by the assigned visitor, through
   Django's test client: seconds and records/s; then the same batch again (every record
   replayed, nothing changes): seconds;
2. rates: ``GET /api/v1/surveys/campaigns/{id}/rates`` for the campaign as the community
   staff member, N requests: p50/p95 (target p95 ≤ 100 ms); and the same for every
   campaign of the city the superuser reaches, one after another ("city-wide set").
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
    admin = User.objects.filter(is_superuser=True).first()
    wide = None
    if admin is not None:
        client.force_login(admin, backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
        wide_samples = []
        for c in Campaign.objects.order_by("pk"):
            started = time.perf_counter()
            client.get(f"/api/v1/surveys/campaigns/{c.pk}/rates")
            wide_samples.append(time.perf_counter() - started)
        wide = _percentiles(wide_samples)
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
        "rates_all_campaigns": wide,
    }


if __name__ == "__main__":  # pragma: no cover
    import os
    import sys

    sys.path[:0] = ["src", "."]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings")
    import django

    django.setup()
    print(json.dumps(run(), ensure_ascii=False, indent=2))
