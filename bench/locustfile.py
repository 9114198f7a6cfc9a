"""The city-scale load test (``make loadtest``, driven by ``bench/loadtest.py``).

Residents file items and read their own; grid chiefs work their inbox; community staff
search residents and open building pages. Accounts and ids come from the fixture
``bench/http_fixture.py`` writes (``BENCH_FIXTURE``). Every item a resident files carries a
unique marker in its text; the markers of items the test believes filed (answered 201) are
written to ``BENCH_FILED`` at the end, so that the database can be checked afterwards:
each exactly once.

A submission always carries an ``Idempotency-Key`` and is sent once more, with the same
key, after a connection error or a 502/503 (an app server killed mid-request: nginx does
not retry a POST on its own).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import uuid

from locust import HttpUser, between, events, task

FIXTURE = json.loads(open(os.environ["BENCH_FIXTURE"], encoding="utf-8").read())  # noqa: SIM115
FILED: list[str] = []
DOUBTFUL: list[str] = []
RETRIED: list[str] = []
_resident_numbers = itertools.count()
_query_numbers = itertools.count()
INBOX = "/api/v1/voices/items?status=submitted,accepted,dispatched,resolved"
TEXTS = ["楼道灯不亮，晚上看不见路", "小区门口垃圾堆了好几天", "电梯经常停，老人上楼困难"]


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


class Resident(HttpUser):
    weight = 6
    wait_time = between(1, 3)

    def on_start(self):
        residents = FIXTURE["residents"]
        self.number = next(_resident_numbers)
        self.headers = _bearer(residents[self.number % len(residents)]["token"])

    @task(2)
    def file_item(self):
        marker = f"LT{uuid.uuid4().hex[:16]}"
        body = {"text": f"{TEXTS[self.number % len(TEXTS)]}。{marker}"}
        headers = {**self.headers, "Idempotency-Key": marker}
        for attempt in (1, 2):
            with self.client.post(
                "/api/v1/voices/items",
                json=body,
                headers=headers,
                name="resident: file item",
                catch_response=True,
            ) as response:
                if response.status_code == 201:
                    FILED.append(marker)
                    response.success()
                    return
                retry = response.status_code in (0, 502, 503, 504)
                if retry and attempt == 1:
                    # Not counted as an error yet: the retry with the same key decides.
                    RETRIED.append(marker)
                    response.success()
                    continue
                if retry:
                    # Perhaps filed, perhaps not: the database check looks for it too.
                    DOUBTFUL.append(marker)
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return

    @task(3)
    def my_items(self):
        self.client.get("/api/v1/voices/items", headers=self.headers, name="resident: my items")


class GridChief(HttpUser):
    weight = 2
    wait_time = between(1, 2)

    def on_start(self):
        self.headers = _bearer(FIXTURE["accounts"]["grid"]["token"])

    @task(3)
    def inbox(self):
        self.client.get(INBOX, headers=self.headers, name="grid chief: inbox")

    @task(1)
    def overdue(self):
        self.client.get(
            INBOX + "&overdue=true", headers=self.headers, name="grid chief: inbox, overdue"
        )


class Staff(HttpUser):
    weight = 2
    wait_time = between(1, 2)

    def on_start(self):
        account = FIXTURE["accounts"]["staff"]
        self.headers = _bearer(account["token"])
        page = self.client.get("/accounts/login/", name="staff: login").text
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        self.client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": csrf.group(1) if csrf else "",
                "login": account["username"],
                "password": account["password"],
            },
            headers={"Referer": self.host + "/accounts/login/"},
            name="staff: login",
            allow_redirects=False,
        )

    @task(3)
    def search(self):
        queries = FIXTURE["search_queries"]
        q = queries[next(_query_numbers) % len(queries)]
        self.client.get(
            "/api/v1/residents", params={"q": q}, headers=self.headers, name="staff: search"
        )

    @task(1)
    def building_page(self):
        self.client.get(f"/building/{FIXTURE['building']['id']}/", name="staff: building page")


@events.quitting.add_listener
def _write_filed(environment, **kwargs):
    path = os.environ.get("BENCH_FILED")
    if path:
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"filed": FILED, "doubtful": DOUBTFUL, "retried": RETRIED}, f)
