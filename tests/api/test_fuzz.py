"""Schemathesis against the whole API (/api/v1/openapi.json), in process, as a community
staff member and as a resident, over a world with items, a dispatch, an event and a wish,
so that routes answer with real bodies and not only with 404.

Every operation is called with examples, the coverage phase's boundary cases and
Hypothesis' positive and negative data. Each answer must not be a server error, and its
status code, content type and body must be the ones the schema documents.

Run with ``make test-fuzz`` (about 5,000 calls; a few minutes on two cores), not with
``make test``."""

from __future__ import annotations

import datetime as dt
import logging
import os
import time

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gongzhi.accounts.services import api_token_issue
from gongzhi.api.api import api
from gongzhi.voices import services as voices
from gongzhi.voices.catalogue import ensure_categories
from gongzhi.voices.models import Category
from gongzhi.wishes import services as wishes

pytestmark = pytest.mark.fuzz

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Hypothesis' examples per operation and generation mode; the coverage phase adds its own.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
# Calls per role below which the run proves too little to pass.
MIN_CALLS = int(os.environ.get("FUZZ_MIN_CALLS", "2500"))
ROLES = ["staff", "resident"]


@pytest.fixture
def wsgi_app(db):
    # As Django's own test client does: a request must not close the connection that
    # holds the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # Refused requests are the point here; their log lines would bury a real failure.
    quiet = logging.getLogger("django.request")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        yield get_wsgi_application()
    finally:
        quiet.setLevel(level)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def lived_in(world):
    """What the routes have to show: items reported, accepted and dispatched, an event, a
    published wish and the notifications all of that sent."""
    ensure_categories()
    u, r = world.users, world.residents
    own = voices.item_submit(
        actor=u["resident"], kind="problem", text="1栋楼道的灯坏了一个星期了", channel="online"
    )
    visit = voices.item_submit(
        actor=u["staff"],
        kind="problem",
        text="2栋外墙有裂缝，下雨漏水",
        channel="visit",
        on_behalf_of=r["wangwu"],
    )
    category = Category.objects.filter(is_active=True).order_by("sort_order").first()
    voices.item_accept(actor=u["staff"], item=visit, category=category, level="community")
    voices.item_dispatch(actor=u["staff"], item=visit, unit=world.partner, instructions="请核查")
    session = voices.event_session_create(
        actor=u["staff"],
        community=world.wj,
        title="坝坝会",
        format="baba_longmenzhen",
        held_on=dt.date.today(),
    )
    voices.items_submit_from_event(
        actor=u["staff"], event_session=session, rows=[{"text": "希望增加健身器材"}]
    )
    wish = wishes.wish_submit(
        actor=u["resident"], resident=r["zhangsan"], category="other", text="想要一个放大镜"
    )
    wishes.wish_publish(actor=u["staff"], wish=wish)
    return {"items": [own, visit], "session": session, "wish": wish}


@pytest.fixture(scope="module")
def budget():
    """Calls made per role over the whole module: too few prove nothing, so the run fails
    rather than passing quietly."""
    calls = dict.fromkeys(ROLES, 0)
    started = time.monotonic()
    yield calls
    print(f"\nschemathesis: {calls} calls in {time.monotonic() - started:.0f} s")
    short = {role: n for role, n in calls.items() if n < MIN_CALLS}
    assert short == {}, f"fewer than {MIN_CALLS} calls: {short}"


@pytest.fixture(params=ROLES)
def caller(request, world, lived_in, wsgi_app, budget):
    """The bearer token of a community staff member or of a resident, and a counter."""
    role = request.param
    token = api_token_issue(user=world.users[role])
    return {"role": role, "headers": {"Authorization": f"Bearer {token}"}}


def _schema():
    # Built from the same API object the site serves, with the WSGI application to call.
    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema())
    loaded.app = get_wsgi_application()
    return loaded


schema = _schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_what_its_schema_says(case, caller, budget):
    budget[caller["role"]] += 1
    response = case.call_and_validate(headers=caller["headers"], checks=CHECKS)
    # The checks above raise on any answer the schema does not describe; whatever was sent,
    # the answer is never a server error.
    assert response.status_code < 500, response.text[:300]
