"""403, 404, 500 and the expired-form page: Chinese, in the site's layout, with a way home,
for staff, residents and visitors alike."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

HOME_LINK = f'href="{reverse("home")}"'


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


@pytest.mark.parametrize("role", ["staff", "grid", "resident", "partner", None])
def test_a_missing_page_answers_in_chinese_with_a_way_home(world, client, login, role):
    if role is not None:
        client = login(world.users[role])
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "找不到这个页面" in html
    assert "您要找的页面不存在，或者不在您的工作范围内。" in html
    assert f'<a class="btn btn-big" {HOME_LINK}>返回首页</a>' in html
    assert "Not Found" not in html
    assert '<link rel="stylesheet" href="/static/css/app.css">' in html


def test_an_out_of_reach_record_looks_like_a_missing_page(world, login):
    client = login(world.users["grid"])
    far = client.get(reverse("wb-resident", args=[world.residents["wangwu"].pk]))
    missing = client.get(reverse("wb-resident", args=[987654321]))
    assert far.status_code == missing.status_code == 404
    assert _main(far) == _main(missing)
    assert "王五" not in far.content.decode()


def test_the_404_page_keeps_the_visitors_menu(world, login):
    html = login(world.users["grid"]).get("/no-such-page/").content.decode()
    assert 'aria-label="主导航"' in html and 'href="/care/"' in html


def test_a_forbidden_action_answers_in_chinese(world, login):
    response = login(world.users["building"]).get(
        reverse("wb-resident-edit", args=[world.residents["zhangsan"].pk])
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert "没有权限办理" in html and "您可以查看这条记录，但您的岗位不能办理这件事。" in html
    assert HOME_LINK in html


@override_settings(ROOT_URLCONF="tests.workbench.urls_boom")
def test_a_server_error_answers_in_chinese_without_the_database(world, django_db_blocker):
    client = Client(raise_request_exception=False)
    with django_db_blocker.block():  # the database may be what failed
        response = client.get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "系统出错了" in html and "很抱歉，系统暂时出了问题" in html
    assert f'<a class="btn btn-big" {HOME_LINK}>返回首页</a>' in html
    assert "Server Error" not in html


@override_settings(ROOT_URLCONF="tests.workbench.urls_boom")
def test_a_server_error_for_a_logged_in_user_is_the_same_page(world):
    client = Client(raise_request_exception=False)
    client.force_login(
        world.users["staff"], backend="gongzhi.accounts.backends.PhoneOrUsernameBackend"
    )
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "系统出错了" in response.content.decode()
    assert "wj-staff" not in response.content.decode()


def test_an_expired_form_answers_in_chinese(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(
        world.users["grid"], backend="gongzhi.accounts.backends.PhoneOrUsernameBackend"
    )
    response = client.post(reverse("wb-search"), {"q": "张三"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "页面已过期，请重新提交" in html and HOME_LINK in html
    assert "CSRF verification failed" not in html and "Forbidden" not in html
