"""API tokens expire, carry a name, are listed and revoked by their owner (and by an
administrator), and die with a password change, a lock or a disabled account."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.models import ApiToken, User
from gongzhi.accounts.services import (
    api_token_issue,
    api_token_revoke,
    api_token_user,
    user_lock,
    user_set_active,
    user_unlock,
)
from gongzhi.core.models import AuditEvent
from tests.world import PASSWORD

TOKEN_REFUSED = {"detail": "接口令牌无效、已过期或已被吊销，请重新获取令牌。"}


def me(client, key):
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    return response.status_code, json.loads(response.content)


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def grid_key(world):
    return api_token_issue(user=world.users["grid"], name="巡查App")


def test_a_token_expires_after_the_configured_lifetime(world, client):
    with override_settings(API_TOKEN_DAYS=7):
        key = api_token_issue(user=world.users["grid"], name="巡查App")
    token = ApiToken.objects.get()
    assert token.name == "巡查App"
    lifetime = token.expires_at - token.created_at
    assert abs(lifetime - dt.timedelta(days=7)) < dt.timedelta(seconds=5)
    assert me(client, key)[0] == 200
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert me(client, key) == (401, TOKEN_REFUSED)


def test_default_lifetime_is_thirty_days(world):
    api_token_issue(user=world.users["grid"])
    token = ApiToken.objects.get()
    lifetime = token.expires_at - token.created_at
    assert abs(lifetime - dt.timedelta(days=30)) < dt.timedelta(seconds=5)


def test_a_revoked_token_is_refused(world, client, grid_key):
    token = ApiToken.objects.get()
    api_token_revoke(actor=world.users["grid"], token=token)
    assert me(client, grid_key) == (401, TOKEN_REFUSED)
    [event] = AuditEvent.objects.filter(action="accounts.api_token.revoked")
    assert (event.actor_id, event.object_id) == (world.users["grid"].pk, str(token.pk))


def test_a_password_change_ends_earlier_tokens(world, client, grid_key):
    user = User.objects.get(pk=world.users["grid"].pk)
    user.set_password("a-new-password-1")
    user.save()
    assert me(client, grid_key) == (401, TOKEN_REFUSED)
    # A token issued after the change works.
    assert me(client, api_token_issue(user=user))[0] == 200


def test_the_admin_password_form_ends_tokens_too(world, login, client, grid_key):
    grid = world.users["grid"]
    login(world.users["admin"]).post(
        reverse("admin:auth_user_password_change", args=[grid.pk]),
        {"password1": "another-pass-77", "password2": "another-pass-77", "usable_password": "true"},
    )
    assert User.objects.get(pk=grid.pk).check_password("another-pass-77")
    client.logout()
    assert me(client, grid_key) == (401, TOKEN_REFUSED)


def test_a_lock_ends_tokens_and_unlocking_does_not_revive_them(world, client, grid_key):
    user_lock(actor=world.users["admin"], user=world.users["grid"])
    assert me(client, grid_key) == (401, TOKEN_REFUSED)
    # Locked: a new token cannot be had either, and the answer is the usual one.
    refused = client.post(
        "/api/v1/auth/token",
        {"username": "wj-grid1", "password": PASSWORD},
        content_type="application/json",
    )
    assert (refused.status_code, json.loads(refused.content)) == (
        401,
        {"detail": "账号或密码不正确，或尝试次数过多，请稍后再试。"},
    )
    user_unlock(actor=world.users["admin"], user=world.users["grid"])
    assert me(client, grid_key) == (401, TOKEN_REFUSED)
    assert [
        e.action
        for e in AuditEvent.objects.filter(action__startswith="accounts.user.").order_by("pk")
    ] == [
        "accounts.user.locked",
        "accounts.user.unlocked",
    ]


def test_a_lock_ends_the_session_too(world, login):
    client = login(world.users["grid"])
    assert client.get("/api/v1/me").status_code == 200
    user_lock(actor=world.users["admin"], user=world.users["grid"])
    assert client.get("/api/v1/me").status_code == 401


def test_disabling_ends_tokens_for_good(world, client, grid_key):
    user_set_active(actor=world.users["admin"], user=world.users["grid"], active=False)
    assert me(client, grid_key) == (401, TOKEN_REFUSED)
    user_set_active(actor=world.users["admin"], user=world.users["grid"], active=True)
    assert me(client, grid_key) == (401, TOKEN_REFUSED)
    assert api_token_user(grid_key) is None


def test_a_token_of_a_deactivated_user_is_refused_even_without_the_service(world, grid_key):
    # is_active is checked at use time as well, whoever changed it.
    User.objects.filter(pk=world.users["grid"].pk).update(is_active=False)
    assert api_token_user(grid_key) is None


def test_an_unknown_token_is_refused_in_chinese(world, client):
    assert me(client, "not-a-token") == (401, TOKEN_REFUSED)


def test_issue_through_the_api_takes_a_name_and_is_audited(world, client):
    response = client.post(
        "/api/v1/auth/token",
        {"username": "wj-grid1", "password": PASSWORD, "name": "巡查App"},
        content_type="application/json",
    )
    body = json.loads(response.content)
    token = ApiToken.objects.get()
    assert (body["id"], token.name, token.key_hash) == (
        token.pk,
        "巡查App",
        ApiToken.hash(body["token"]),
    )
    [event] = AuditEvent.objects.filter(action="accounts.api_token.created")
    assert (event.actor_id, event.object_id, event.changes["name"]) == (
        world.users["grid"].pk,
        str(token.pk),
        "巡查App",
    )


def test_a_name_too_long_is_refused_in_chinese(world, client):
    response = client.post(
        "/api/v1/auth/token",
        {"username": "wj-grid1", "password": PASSWORD, "name": "长" * 101},
        content_type="application/json",
    )
    assert (response.status_code, json.loads(response.content)["errors"]) == (
        422,
        {"name": ["名称不能超过100个字。"]},
    )
    assert ApiToken.objects.count() == 0


# The owner's list and revocation, over the API.


def test_owner_lists_own_tokens_only(world, client, grid_key, django_assert_num_queries):
    api_token_issue(user=world.users["grid"], name="第二个")
    api_token_issue(user=world.users["secretary"], name="书记的令牌")
    # Bearer lookup + last-used stamp happen once; the list is one query however long.
    client.get("/api/v1/me", **bearer(grid_key))
    with django_assert_num_queries(2):
        response = client.get("/api/v1/auth/tokens", **bearer(grid_key))
    body = json.loads(response.content)
    assert [(t["name"], t["state"]) for t in body] == [("第二个", "active"), ("巡查App", "active")]
    assert "token" not in body[0] and "key_hash" not in body[0]


def test_owner_revokes_own_token_over_the_api(world, client, grid_key):
    other = api_token_issue(user=world.users["grid"], name="旧电脑")
    old = ApiToken.objects.get(name="旧电脑")
    response = client.delete(f"/api/v1/auth/tokens/{old.pk}", **bearer(grid_key))
    assert (response.status_code, json.loads(response.content)["state"]) == (200, "revoked")
    assert me(client, other) == (401, TOKEN_REFUSED)
    assert me(client, grid_key)[0] == 200
    # Revoking again changes nothing and is not audited twice.
    again = client.delete(f"/api/v1/auth/tokens/{old.pk}", **bearer(grid_key))
    assert json.loads(again.content)["revoked_at"] == json.loads(response.content)["revoked_at"]
    assert AuditEvent.objects.filter(action="accounts.api_token.revoked").count() == 1


def test_someone_elses_token_is_not_found(world, client, grid_key):
    api_token_issue(user=world.users["secretary"], name="书记的令牌")
    theirs = ApiToken.objects.get(user=world.users["secretary"])
    missing = theirs.pk + 1000
    for method in ["get", "delete"]:
        for pk in [theirs.pk, missing]:
            response = getattr(client, method)(f"/api/v1/auth/tokens/{pk}", **bearer(grid_key))
            assert (response.status_code, json.loads(response.content)) == (
                404,
                {"detail": "未找到。"},
            ), (method, pk)
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    assert not AuditEvent.objects.filter(action="accounts.api_token.revoked").exists()


def test_session_revocation_needs_csrf(world, grid_key):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(
        world.users["grid"], backend="gongzhi.accounts.backends.PhoneOrUsernameBackend"
    )
    token = ApiToken.objects.get()
    assert client.delete(f"/api/v1/auth/tokens/{token.pk}").status_code == 403
    assert ApiToken.objects.get().revoked_at is None


# The page in the account menu.


def test_page_lists_creates_and_revokes(world, login, django_assert_num_queries):
    client = login(world.users["grid"])
    api_token_issue(user=world.users["grid"], name="巡查App")
    api_token_issue(user=world.users["grid"], name="旧电脑")
    api_token_issue(user=world.users["secretary"], name="书记的令牌")
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("accounts:tokens")}"' in home
    client.get(reverse("accounts:tokens"))
    # Session, user, the tokens: the page costs the same with one token or many.
    with django_assert_num_queries(3):
        page = client.get(reverse("accounts:tokens")).content.decode()
    assert ("巡查App" in page, "旧电脑" in page, "书记的令牌" in page) == (True, True, False)

    created = client.post(reverse("accounts:tokens"), {"name": "新手机"})
    key = created.context["new_key"]
    assert ApiToken.objects.get(name="新手机").key_hash == ApiToken.hash(key)
    assert key in created.content.decode()
    # Shown once: the next visit does not have it.
    assert key not in client.get(reverse("accounts:tokens")).content.decode()

    old = ApiToken.objects.get(name="旧电脑")
    response = client.post(reverse("accounts:token_revoke", args=[old.pk]), follow=True)
    assert "已吊销令牌“旧电脑”。" in response.content.decode()
    assert ApiToken.objects.get(pk=old.pk).state() == "revoked"


def test_page_asks_for_a_name(world, login):
    response = login(world.users["grid"]).post(reverse("accounts:tokens"), {"name": " "})
    assert ApiToken.objects.count() == 0
    assert "这个字段是必填项。" in response.content.decode()


def test_page_cannot_revoke_someone_elses_token(world, login):
    api_token_issue(user=world.users["secretary"], name="书记的令牌")
    theirs = ApiToken.objects.get()
    response = login(world.users["grid"]).post(reverse("accounts:token_revoke", args=[theirs.pk]))
    assert response.status_code == 404
    assert ApiToken.objects.get().revoked_at is None


# Administrators.


def test_admin_revokes_tokens_of_selected_users(world, login, client, grid_key):
    api_token_issue(user=world.users["secretary"], name="书记的令牌")
    login(world.users["admin"]).post(
        reverse("admin:accounts_user_changelist"),
        {"action": "revoke_tokens", "_selected_action": [world.users["grid"].pk]},
    )
    states = dict(ApiToken.objects.values_list("user__username", "revoked_at"))
    assert (states["wj-grid1"] is not None, states["wj-secretary"]) == (True, None)
    [event] = AuditEvent.objects.filter(action="accounts.api_token.revoked")
    assert event.actor_id == world.users["admin"].pk


def test_admin_disable_action_ends_tokens(world, login, client, grid_key):
    login(world.users["admin"]).post(
        reverse("admin:accounts_user_changelist"),
        {"action": "disable", "_selected_action": [world.users["grid"].pk]},
    )
    assert User.objects.get(pk=world.users["grid"].pk).is_active is False
    client.logout()
    assert me(client, grid_key) == (401, TOKEN_REFUSED)
    assert AuditEvent.objects.filter(action="accounts.user.disabled").count() == 1


def test_revoke_tokens_command(world, grid_key):
    import io

    api_token_issue(user=world.users["secretary"], name="书记的令牌")
    out = io.StringIO()
    call_command("revoke_tokens", "wj-grid1", stdout=out)
    assert api_token_user(grid_key) is None
    assert ApiToken.objects.get(user=world.users["secretary"]).revoked_at is None
    assert out.getvalue().strip() == "wj-grid1: 1"
