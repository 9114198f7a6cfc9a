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
    # No tiles for features that do not exist; the two main tasks link to their pages.
    assert "即将开放" not in html
    assert "社区活动" not in html
    assert '<a href="/points/">' in html  # 爱心积分 exists now
    assert '<a class="task task-voice" href="/voices/new/">' in html
    assert '<a class="task task-wish" href="/wishes/new/">' in html
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


def test_the_language_choice_is_one_disclosure(world, login):
    html = login(world.users["resident"]).get(reverse("home")).content.decode()
    assert html.count('<details class="lang-menu">') == 1
    assert html.count('name="language"') == 3
    assert 'value="zh-hans" lang="zh-hans" class="btn btn-plain" aria-current="true"' in html


def _resolved_item(world):
    from gongzhi.voices import services
    from gongzhi.voices.enums import Channel, ItemKind, Level
    from gongzhi.voices.models import Category

    lights = Category.objects.create(code="street_lights", name="路灯照明", sort_order=1)
    item = services.item_submit(
        actor=world.users["resident"],
        kind=ItemKind.PROBLEM,
        text="1栋门口的路灯不亮了",
        channel=Channel.ONLINE,
    )
    staff = world.users["staff"]
    services.item_accept(actor=staff, item=item, category=lights, level=Level.COMMUNITY)
    services.item_resolve(actor=staff, item=item, note="已更换灯泡")
    return item


def test_a_resolved_item_asks_the_resident_to_rate_it(world, login):
    item = _resolved_item(world)
    client = login(world.users["resident"])
    prompt = f'<a class="btn btn-block btn-big" href="/voices/{item.pk}/#rate-h">'
    for url in [reverse("home"), reverse("voices:mine")]:
        html = client.get(url).content.decode()
        assert "请您评价" in html, url
        assert html.count(prompt) == 1, url
    # A neighbour who did not raise it is not asked.
    from tests.world import make_user

    lisi = make_user("resident-lisi", resident=world.residents["lisi"])
    assert "请您评价" not in login(lisi).get(reverse("home")).content.decode()

    client.post(
        reverse("voices:rate", args=[item.pk]), {"solved": "solved", "satisfaction": "satisfied"}
    )
    for url in [reverse("home"), reverse("voices:mine")]:
        assert "请您评价" not in client.get(url).content.decode(), url


def test_notifications_open_their_item(world, login):
    item = _resolved_item(world)
    client = login(world.users["resident"])
    for url in [reverse("home"), reverse("voices:mine")]:
        html = client.get(url).content.decode()
        assert f'<a href="/voices/{item.pk}/">您反映的事项{item.number}' in html, url
