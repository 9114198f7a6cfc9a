"""The resident-facing 长者模式 pages and the login page."""

from django.urls import reverse

from tests.world import PASSWORD


def test_resident_home_shows_household_masked(world, login):
    response = login(world.users["resident"]).get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<body class="resident"' in html
    assert "我的家" in html
    assert "望江街社区" in html and "1栋1单元101" in html
    assert "张三" in html and "（本人）" in html
    assert "138****5678" in html
    assert "13812345678" not in html
    assert world.residents["zhangsan"].id_number not in html


def test_resident_home_has_no_dead_links(world, login):
    html = login(world.users["resident"]).get(reverse("home")).content.decode()
    # Features not built yet are named, not linked; the built ones link to their pages.
    assert html.count("即将开放") == 2
    assert 'href="/wishes/new/"' in html and 'href="/voices/' in html
    assert 'href="#"' not in html
    assert "/search/" not in html and "/building/" not in html


def test_resident_home_shows_only_own_household(world, login):
    html = login(world.users["resident"]).get(reverse("home")).content.decode()
    assert "李四" not in html and "王五" not in html


def test_user_without_post_or_household_gets_a_plain_explanation(world, login):
    html = login(world.users["nobody"]).get(reverse("home")).content.decode()
    assert "请联系社区工作人员" in html
    assert '<body class="resident"' in html


def test_login_page_is_large_type_and_labelled(client, db):
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<body class="resident login"' in html
    assert '<label for="id_login">手机号或用户名</label>' in html
    assert '<label for="id_password">密码</label>' in html


def test_login_shows_the_chinese_error(world, client):
    response = client.post(reverse("accounts:login"), {"login": "wj-grid1", "password": "wrong"})
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "账号或密码不正确，或尝试次数过多，请稍后再试。" in html
    assert 'value="wj-grid1"' in html


def test_login_by_phone_number(world, client):
    from gongzhi.accounts.services import user_set_phone

    user = world.users["resident"]
    user_set_phone(user=user, phone="13812345678")
    user.save()
    response = client.post(
        reverse("accounts:login"), {"login": "138 1234 5678", "password": PASSWORD}, follow=True
    )
    assert "我的家" in response.content.decode()


def test_login_then_logout(world, client):
    response = client.post(
        reverse("accounts:login"), {"login": "wj-grid1", "password": PASSWORD}, follow=True
    )
    assert "我负责的社区" in response.content.decode()
    response = client.post(reverse("accounts:logout"), follow=True)
    assert '<label for="id_login">' in response.content.decode()
