"""Requests per client address on the doors that take passwords or anonymous posts: the
API's token endpoint, Open311 POST and the login form answer 429 with Retry-After and a
Chinese message once over their rate (GONGZHI_THROTTLE_RATES, counted in the cache)."""

import json

import pytest
from django.test import override_settings
from django.urls import reverse

from gongzhi.accounts.models import ApiToken
from gongzhi.open311.services import api_key_issue
from gongzhi.voices.catalogue import ensure_categories
from gongzhi.voices.models import Item
from tests.world import PASSWORD

RATES = {"auth_token": "3/m", "login": "3/m", "open311_post": "3/m"}


def retry_after(response) -> int:
    return int(response["Retry-After"])


@override_settings(GONGZHI_THROTTLE_RATES=RATES)
def test_token_endpoint_answers_429_with_retry_after(world, client):
    def ask(ip="203.0.113.9"):
        return client.post(
            "/api/v1/auth/token",
            {"username": "wj-grid1", "password": PASSWORD},
            content_type="application/json",
            REMOTE_ADDR=ip,
        )

    assert [ask().status_code for _ in range(3)] == [200, 200, 200]
    refused = ask()
    seconds = retry_after(refused)
    assert refused.status_code == 429
    assert 1 <= seconds <= 60
    assert json.loads(refused.content) == {"detail": f"操作太频繁，请 {seconds} 秒后再试。"}
    assert ApiToken.objects.count() == 3
    # Another address is counted on its own.
    assert ask("198.51.100.7").status_code == 200


@override_settings(GONGZHI_THROTTLE_RATES=RATES)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_post_answers_429_with_retry_after(world, client, fmt):
    ensure_categories()
    _row, key = api_key_issue(actor=None, community=world.wj, name="市民热线")
    fields = {
        "api_key": key,
        "service_code": "other",
        "description": "路灯不亮",
        "address_string": "望江街1号",
    }
    url = f"/open311/v2/requests.{fmt}"
    assert [client.post(url, fields).status_code for _ in range(3)] == [201, 201, 201]
    refused = client.post(url, fields)
    seconds = retry_after(refused)
    assert (refused.status_code, 1 <= seconds <= 60) == (429, True)
    message = f"操作太频繁，请 {seconds} 秒后再试。"
    if fmt == "json":
        # The specification's error array, as for any other Open311 refusal.
        assert json.loads(refused.content) == [{"code": 429, "description": message}]
    else:
        assert message in refused.content.decode()
    assert Item.objects.count() == 3
    # Reading is not throttled by posting.
    assert client.get(url).status_code == 200


@override_settings(GONGZHI_THROTTLE_RATES=RATES)
def test_login_form_answers_429_and_keeps_the_login_typed(world, client):
    for _ in range(3):
        client.post(reverse("accounts:login"), {"login": "wj-grid1", "password": "wrong"})
    refused = client.post(reverse("accounts:login"), {"login": "wj-grid1", "password": PASSWORD})
    seconds = retry_after(refused)
    html = refused.content.decode()
    assert refused.status_code == 429
    assert f"操作太频繁，请 {seconds} 秒后再试。" in html
    assert 'value="wj-grid1"' in html
    assert PASSWORD not in html
    assert "_auth_user_id" not in client.session
    # Showing the form is not a try.
    assert client.get(reverse("accounts:login")).status_code == 200


@override_settings(GONGZHI_THROTTLE_RATES={**RATES, "auth_token": "2/m"}, TRUSTED_PROXIES=1)
def test_behind_a_proxy_each_client_has_its_own_count(world, client):
    def ask(ip):
        return client.post(
            "/api/v1/auth/token",
            {"username": "nobody-here", "password": "x"},
            content_type="application/json",
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=ip,
        ).status_code

    assert [ask("203.0.113.9") for _ in range(3)] == [401, 401, 429]
    assert ask("198.51.100.7") == 401
