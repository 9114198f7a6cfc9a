"""Login by username or mobile number, demo accounts, and the API's two ways in. Blocking
after failures is in test_lockout.py, tokens in test_tokens.py."""

import json

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from gongzhi.accounts.models import ApiToken
from gongzhi.accounts.services import api_token_issue, api_token_user, login_check, user_set_phone
from gongzhi.core.models import AuditEvent
from tests.world import PASSWORD, make_user


def check(login, password=PASSWORD):
    return login_check(None, login=login, password=password)


def test_login_by_username(world):
    assert check("wj-grid1").user == world.users["grid"]


def test_login_by_mobile_number(world):
    user = world.users["grid"]
    user_set_phone(user=user, phone="139-0000-1234")
    user.save()
    assert check("13900001234").user == user
    assert check("+86 139 0000 1234").user == user
    # Found through the blind index; the number itself is stored sealed.
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user WHERE id = %s", [user.pk])
        assert "13900001234" not in cursor.fetchone()[0]


REFUSED = "账号或密码不正确，或尝试次数过多，请稍后再试。"


def test_unknown_login_and_wrong_password_read_the_same(world):
    assert check("no-such-user").error == check("wj-grid1", "wrong-password").error == REFUSED


@override_settings(LOGIN_MAX_FAILURES=3)
def test_success_resets_failure_count(world):
    check("wj-grid1", "wrong")
    check("wj-grid1", "wrong")
    assert check("wj-grid1").user is not None
    check("wj-grid1", "wrong")
    check("wj-grid1", "wrong")
    assert check("wj-grid1").user is not None


def test_demo_user_refused_outside_demo_mode(world):
    make_user("demo-grid", is_demo=True)
    assert check("demo-grid").user is not None
    with override_settings(DEMO_MODE=False):
        result = check("demo-grid")
        assert (result.user, result.error) == (None, "演示账号只能在演示模式下登录。")
        # Only the right password learns that much; a guess reads like any other refusal.
        assert check("demo-grid", "guess").error == REFUSED


def test_tokens_are_stored_hashed(world):
    key = api_token_issue(user=world.users["grid"])
    token = ApiToken.objects.get()
    assert token.key_hash != key
    assert token.key_hash == ApiToken.hash(key)
    assert key not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert api_token_user(key) == world.users["grid"]
    assert AuditEvent.objects.filter(action="accounts.api_token.created").count() == 1


def test_token_auth_through_the_api(world, client):
    response = client.post(
        "/api/v1/auth/token",
        {"username": "wj-grid1", "password": PASSWORD},
        content_type="application/json",
    )
    key = json.loads(response.content)["token"]
    assert ApiToken.objects.get().key_hash == ApiToken.hash(key)
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert json.loads(me.content)["username"] == "wj-grid1"


def test_session_auth_for_the_api(world, login):
    response = login(world.users["secretary"]).get("/api/v1/me")
    assert json.loads(response.content)["username"] == "wj-secretary"


def test_session_writes_need_csrf(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(
        world.users["grid"], backend="gongzhi.accounts.backends.PhoneOrUsernameBackend"
    )
    response = client.post(
        f"/api/v1/residents/{world.residents['zhangsan'].pk}/reveal",
        json.dumps({"field": "phone"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="places.resident.revealed").exists()


def test_demo_token_refused_outside_demo_mode(world, client):
    demo = make_user("demo-staff", is_demo=True)
    key = api_token_issue(user=demo)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    with override_settings(DEMO_MODE=False):
        assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
        refused = client.post(
            "/api/v1/auth/token",
            {"username": "demo-staff", "password": PASSWORD},
            content_type="application/json",
        )
        assert (refused.status_code, json.loads(refused.content)) == (
            401,
            {"detail": "演示账号只能在演示模式下登录。"},
        )


# The login page itself.


def test_login_view_by_mobile_redirects_home(world, client):
    user = world.users["grid"]
    user_set_phone(user=user, phone="13900001234")
    user.save()
    response = client.post(
        reverse("accounts:login"), {"login": "13900001234", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert int(client.session["_auth_user_id"]) == user.pk


def test_login_view_shows_chinese_error_and_keeps_login(world, client):
    response = client.post(reverse("accounts:login"), {"login": "wj-grid1", "password": "wrong"})
    html = response.content.decode()
    assert response.status_code == 200
    assert REFUSED in html
    assert 'value="wj-grid1"' in html
    assert "_auth_user_id" not in client.session


def test_login_view_refuses_offsite_next(world, client):
    response = client.post(
        reverse("accounts:login"),
        {"login": "wj-grid1", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.url == reverse("home")


@pytest.mark.parametrize("demo_mode", [True, False])
def test_login_view_demo_account(world, client, demo_mode):
    make_user("demo-grid", is_demo=True)
    with override_settings(DEMO_MODE=demo_mode):
        response = client.post(
            reverse("accounts:login"), {"login": "demo-grid", "password": PASSWORD}
        )
    if demo_mode:
        assert response.status_code == 302
    else:
        assert "演示账号只能在演示模式下登录。" in response.content.decode()
        assert "_auth_user_id" not in client.session
