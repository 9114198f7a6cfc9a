"""Failed logins block the (account, address) pair that made them and slow an address
spraying many accounts; they never lock the owner out elsewhere, and the answer never
tells unknown, wrong and blocked apart — on the login page, from the API, in the admin."""

import json

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse

from gongzhi.accounts import lockout
from gongzhi.accounts.backends import check_credentials, find_user
from gongzhi.accounts.models import LoginFailure
from gongzhi.accounts.services import login_failures_clear, user_unlock
from gongzhi.core.models import AuditEvent
from tests.world import PASSWORD

REFUSED = "账号或密码不正确，或尝试次数过多，请稍后再试。"
ATTACKER = "203.0.113.9"
HOME = "198.51.100.7"


def form_login(client, login, password, ip):
    response = client.post(
        reverse("accounts:login"), {"login": login, "password": password}, REMOTE_ADDR=ip
    )
    return response


def form_error(response) -> str:
    html = response.content.decode()
    start = html.index('id="login-error">') + len('id="login-error">')
    return html[start : html.index("</p>", start)]


def api_login(client, login, password, ip):
    return client.post(
        "/api/v1/auth/token",
        {"username": login, "password": password},
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def test_five_failures_block_that_address_only_on_the_form(world, client):
    for _ in range(5):
        assert form_error(form_login(client, "wj-grid1", "wrong", ATTACKER)) == REFUSED
    # The right password from the attacker's address is refused now...
    blocked = form_login(client, "wj-grid1", PASSWORD, ATTACKER)
    assert (blocked.status_code, form_error(blocked)) == (200, REFUSED)
    assert "_auth_user_id" not in client.session
    # ...and the owner at home logs in as ever.
    ok = form_login(client, "wj-grid1", PASSWORD, HOME)
    assert (ok.status_code, ok.url) == (302, reverse("home"))
    assert int(client.session["_auth_user_id"]) == world.users["grid"].pk


def test_form_answers_unknown_wrong_and_blocked_alike(world, client):
    for _ in range(5):
        form_login(client, "wj-grid1", "wrong", ATTACKER)
    answers = {
        "unknown": form_login(client, "no-such-user", "wrong", ATTACKER),
        "wrong": form_login(client, "wj-secretary", "wrong", ATTACKER),
        "blocked": form_login(client, "wj-grid1", PASSWORD, ATTACKER),
    }
    assert {k: (r.status_code, form_error(r)) for k, r in answers.items()} == {
        k: (200, REFUSED) for k in answers
    }


def test_api_answers_unknown_wrong_and_blocked_alike_and_home_still_works(world, client):
    for _ in range(5):
        api_login(client, "wj-grid1", "wrong", ATTACKER)
    answers = {
        "unknown": api_login(client, "no-such-user", "wrong", ATTACKER),
        "wrong": api_login(client, "wj-secretary", "wrong", ATTACKER),
        "blocked": api_login(client, "wj-grid1", PASSWORD, ATTACKER),
    }
    assert {k: (r.status_code, json.loads(r.content)) for k, r in answers.items()} == {
        k: (401, {"detail": REFUSED}) for k in answers
    }
    home = api_login(client, "wj-grid1", PASSWORD, HOME)
    assert home.status_code == 200
    assert set(json.loads(home.content)) == {"token", "id", "expires_at"}


def test_unknown_logins_are_blocked_like_real_ones(world):
    # Otherwise "blocked after five" would itself tell which logins exist.
    request = RequestFactory().post("/", REMOTE_ADDR=ATTACKER)
    for login in ["no-such-user", "wj-grid1"]:
        key = lockout.login_key(login, find_user(login))
        for _ in range(5):
            assert not lockout.is_blocked(key, ATTACKER)
            check_credentials(request, login, "wrong")
        assert lockout.is_blocked(key, ATTACKER), login


def test_every_spelling_of_a_phone_counts_for_one_account(world, client):
    from gongzhi.accounts.services import user_set_phone

    user = world.users["grid"]
    user_set_phone(user=user, phone="13900001234")
    user.save()
    for login in [
        "13900001234",
        "139-0000-1234",
        "+86 139 0000 1234",
        "wj-grid1",
        "0086139 0000 1234",
    ]:
        form_login(client, login, "wrong", ATTACKER)
    assert form_error(form_login(client, "139 0000 1234", PASSWORD, ATTACKER)) == REFUSED
    assert set(LoginFailure.objects.values_list("login_key", flat=True)) == {f"u:{user.pk}"}


@override_settings(LOGIN_MAX_FAILURES_PER_ADDRESS=6)
def test_an_address_spraying_many_accounts_is_slowed(world, client):
    for login in ["wj-grid1", "wj-secretary", "wj-staff", "nobody", "ghost-1", "ghost-2"]:
        form_login(client, login, "wrong", ATTACKER)
    # No single pair reached five, but the address reached its cap: every account refused.
    refused = form_login(client, "wj-building1", PASSWORD, ATTACKER)
    assert (refused.status_code, form_error(refused)) == (200, REFUSED)
    assert form_login(client, "wj-building1", PASSWORD, HOME).status_code == 302
    [event] = AuditEvent.objects.filter(action="accounts.login.address_blocked")
    assert event.changes == {"ip": ATTACKER, "failures": 6}


def test_reaching_the_limit_is_audited_once_with_the_address(world, client):
    for _ in range(7):
        form_login(client, "wj-grid1", "wrong", ATTACKER)
    [event] = AuditEvent.objects.filter(action="accounts.user.login_locked")
    assert (event.object_id, event.changes) == (
        str(world.users["grid"].pk),
        {"ip": ATTACKER, "failures": 5},
    )
    # Blocked attempts are not counted: the block ends with the window, not later.
    assert LoginFailure.objects.count() == 5


def test_block_ends_when_the_failures_leave_the_window(world, client):
    for _ in range(5):
        form_login(client, "wj-grid1", "wrong", ATTACKER)
    assert form_login(client, "wj-grid1", PASSWORD, ATTACKER).status_code == 200
    with override_settings(LOGIN_FAILURE_WINDOW_SECONDS=0):
        assert form_login(client, "wj-grid1", PASSWORD, ATTACKER).status_code == 302


def test_success_forgets_the_pairs_mistakes(world, client):
    for _ in range(4):
        form_login(client, "wj-grid1", "wrong", HOME)
    assert form_login(client, "wj-grid1", PASSWORD, HOME).status_code == 302
    assert LoginFailure.objects.count() == 0


def test_refusals_take_a_password_hash_each(world, client, monkeypatch):
    """Unknown, wrong and blocked each hash one password, so timing tells nothing."""
    from django.contrib.auth.hashers import MD5PasswordHasher

    calls = []
    real = MD5PasswordHasher.encode

    def counting(self, password, salt):
        calls.append(password)
        return real(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting)
    for _ in range(5):
        form_login(client, "wj-grid1", "wrong", ATTACKER)
    counted = {}
    for case, login, password in [
        ("unknown", "no-such-user", "x1"),
        ("wrong", "wj-secretary", "x2"),
        ("blocked", "wj-grid1", "x3"),
    ]:
        calls.clear()
        form_login(client, login, password, ATTACKER)
        counted[case] = calls.count(password)
    assert counted == {"unknown": 1, "wrong": 1, "blocked": 1}


def test_the_administrator_sees_and_clears_a_block(world, client, login):
    for _ in range(5):
        form_login(client, "wj-grid1", "wrong", ATTACKER)
    grid = world.users["grid"]
    assert lockout.blocked_addresses(grid) == [ATTACKER]
    admin = world.users["admin"]
    page = login(admin).get(reverse("admin:accounts_user_change", args=[grid.pk]))
    assert ATTACKER in page.content.decode()
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock", "_selected_action": [grid.pk]},
    )
    assert response.status_code == 302
    assert lockout.blocked_addresses(grid) == []
    [event] = AuditEvent.objects.filter(action="accounts.user.unlocked")
    assert (event.actor_id, event.changes) == (
        admin.pk,
        {"locked": False, "failures_cleared": 5},
    )
    client.logout()
    assert form_login(client, "wj-grid1", PASSWORD, ATTACKER).status_code == 302


def test_clearing_an_address_lifts_its_cap(world):
    from gongzhi.accounts.services import login_failure_record

    for n in range(3):
        login_failure_record(key=f"h:{n}", user=None, ip=ATTACKER)
    login_failure_record(key="h:x", user=None, ip=HOME)
    assert login_failures_clear(actor=world.users["admin"], ip=ATTACKER) == 3
    assert list(LoginFailure.objects.values_list("ip", flat=True)) == [HOME]
    assert AuditEvent.objects.filter(action="accounts.login.address_cleared").count() == 1


def test_unlock_without_anything_to_clear_writes_nothing(world):
    user_unlock(actor=world.users["admin"], user=world.users["grid"])
    assert not AuditEvent.objects.filter(action="accounts.user.unlocked").exists()


def test_the_admin_login_counts_failures_too(world, client):
    for _ in range(5):
        client.post(
            reverse("admin:login"), {"username": "admin", "password": "wrong"}, REMOTE_ADDR=ATTACKER
        )
    assert LoginFailure.objects.filter(user=world.users["admin"], ip=ATTACKER).count() == 5
    refused = client.post(
        reverse("admin:login"), {"username": "admin", "password": PASSWORD}, REMOTE_ADDR=ATTACKER
    )
    assert (refused.status_code, "_auth_user_id" in client.session) == (200, False)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "1.2.3.4", "10.0.0.1"),  # no trusted proxy: X-Forwarded-For is anyone's word
        (1, "1.2.3.4", "1.2.3.4"),
        (1, "9.9.9.9, 1.2.3.4", "1.2.3.4"),  # the client wrote 9.9.9.9 itself
        (2, "9.9.9.9, 1.2.3.4, 10.0.0.2", "1.2.3.4"),
        (1, "", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1"),
    ],
)
def test_client_address_believes_only_trusted_proxies(proxies, forwarded, expected):
    from gongzhi.core.middleware import client_address

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXIES=proxies):
        assert client_address(request) == expected


@override_settings(TRUSTED_PROXIES=1)
def test_behind_a_proxy_the_forwarded_address_is_the_one_blocked(world, client):
    for _ in range(5):
        client.post(
            reverse("accounts:login"),
            {"login": "wj-grid1", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=ATTACKER,
        )
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {ATTACKER}
    home = client.post(
        reverse("accounts:login"),
        {"login": "wj-grid1", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=HOME,
    )
    assert home.status_code == 302
