"""Partner units on screen: list, create, edit (the communities of others left alone),
contacts sealed and masked, logins opened with a password shown once and disabled after a
confirmation."""

import pytest
from django.db import connection
from django.urls import reverse

from gongzhi.accounts.models import User
from gongzhi.core.models import AuditEvent
from gongzhi.orgs import services
from gongzhi.orgs.models import PartnerContact, PartnerUnit


def text(response) -> str:
    return response.content.decode()


def test_the_list_shows_the_units_serving_ones_communities(world, login):
    services.partner_unit_create(
        actor=None, name="外社区物业", kind="enterprise", communities=[world.ot]
    )
    page = text(login(world.users["staff"]).get(reverse("orgs:partners")))
    assert "攀枝花市住房和城乡建设局" in page and "外社区物业" not in page
    both = text(login(world.users["subdistrict"]).get(reverse("orgs:partners")))
    assert "攀枝花市住房和城乡建设局" in both and "外社区物业" in both


def test_create_a_unit(world, login):
    client = login(world.users["staff"])
    form = text(client.get(reverse("orgs:partner_new")))
    assert "望江街社区" in form and "其他社区" not in form
    done = client.post(
        reverse("orgs:partner_new"),
        {
            "name": "望江供电所",
            "short_name": "供电所",
            "kind": "utility",
            "offers": "上门检修",
            "in_alliance": "on",
            "communities": [world.wj.pk],
        },
    )
    unit = PartnerUnit.objects.get(name="望江供电所")
    assert done.status_code == 302 and done.url == reverse("orgs:partner", args=[unit.pk])
    assert (unit.kind, unit.offers, unit.in_alliance, list(unit.communities.all())) == (
        "utility",
        "上门检修",
        True,
        [world.wj],
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "communities": "wj"}, "请填写此项。"),
        ({"name": "攀枝花市住房和城乡建设局", "communities": "wj"}, "已有同名的共建单位。"),
        ({"name": "新单位"}, "请选择至少一个共建社区。"),
        (
            {"name": "新单位", "communities": "wj", "offers": "长" * 1001},
            "不能超过1000字（现有1001字）。",
        ),
    ],
)
def test_bad_unit_input_is_refused_and_kept(world, login, data, message):
    if data.get("communities") == "wj":
        data["communities"] = [world.wj.pk]
    before = PartnerUnit.objects.count()
    response = login(world.users["staff"]).post(
        reverse("orgs:partner_new"), {"kind": "enterprise", **data}
    )
    assert response.status_code == 400
    assert message in text(response)
    assert PartnerUnit.objects.count() == before


def test_a_community_out_of_reach_is_not_found(world, login):
    response = login(world.users["staff"]).post(
        reverse("orgs:partner_new"),
        {"name": "越界单位", "kind": "enterprise", "communities": [world.wj.pk, world.ot.pk]},
    )
    assert response.status_code == 404
    assert not PartnerUnit.objects.filter(name="越界单位").exists()


def test_editing_keeps_the_communities_of_others(world, login):
    world.partner.communities.add(world.ot)
    client = login(world.users["staff"])
    url = reverse("orgs:partner_edit", args=[world.partner.pk])
    form = text(client.get(url))
    assert "这家单位也为以下社区服务" in form and "其他社区" in form
    done = client.post(
        url,
        {
            "name": "攀枝花市住建局",
            "kind": "government",
            "offers": "危房鉴定",
            "communities": [world.wj.pk],
        },
    )
    assert done.status_code == 302
    unit = PartnerUnit.objects.get(pk=world.partner.pk)
    assert (unit.name, unit.offers, unit.in_alliance) == ("攀枝花市住建局", "危房鉴定", False)
    assert sorted(c.code for c in unit.communities.all()) == [world.wj.code, world.ot.code]
    event = AuditEvent.objects.get(action="orgs.partner_unit.updated")
    assert event.community_id == world.wj.pk  # the unit is shared: filed under the actor's


def test_contacts_are_sealed_and_shown_masked(world, login):
    client = login(world.users["staff"])
    url = reverse("orgs:partner_contact_add", args=[world.partner.pk])
    done = client.post(url, {"name": "王科长", "title": "党建联络员", "phone": "139-0000-5555"})
    assert done.status_code == 302
    contact = PartnerContact.objects.get(name="王科长")
    assert contact.phone == "13900005555"
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM orgs_partnercontact WHERE id = %s", [contact.pk])
        assert "13900005555" not in cursor.fetchone()[0]
    page = text(client.get(reverse("orgs:partner", args=[world.partner.pk])))
    assert "139****5555" in page and "13900005555" not in page
    event = AuditEvent.objects.get(action="orgs.partner_contact.added")
    assert event.changes["phone"] == "139****5555"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "请填写联系人姓名。"),
        ({"name": "王科长", "phone": "12345"}, "电话应为11位手机号，或带区号的座机号"),
    ],
)
def test_bad_contacts_are_refused(world, login, data, message):
    response = login(world.users["staff"]).post(
        reverse("orgs:partner_contact_add", args=[world.partner.pk]), data
    )
    assert response.status_code == 400
    assert message in text(response)
    assert not PartnerContact.objects.exists()


def test_an_office_line_is_a_phone_too(world):
    contact = services.partner_contact_add(
        actor=world.users["staff"], unit=world.partner, name="值班室", phone="0812-3334567"
    )
    assert contact.phone == "08123334567"


def test_removing_a_contact_asks_first(world, login):
    contact = PartnerContact.objects.create(unit=world.partner, name="李干事", phone="13900006666")
    client = login(world.users["staff"])
    url = reverse("orgs:partner_contact_remove", args=[world.partner.pk, contact.pk])
    assert "将从攀枝花市住房和城乡建设局的联系人中删除李干事。" in text(client.get(url))
    assert PartnerContact.objects.filter(pk=contact.pk).exists()
    assert client.post(url).status_code == 302
    assert not PartnerContact.objects.filter(pk=contact.pk).exists()
    assert AuditEvent.objects.get(action="orgs.partner_contact.removed").changes == {
        "contact": "李干事",
        "title": "",
        "phone": "139****6666",
    }


# --- logins -------------------------------------------------------------------------------


def test_open_a_login_and_see_the_password_once(world, login):
    client = login(world.users["staff"])
    url = reverse("accounts:partner_user_new", args=[world.partner.pk])
    assert "开通后，页面会显示一次初始密码" in text(client.get(url))
    created = client.post(url, {"display_name": "王工", "username": "zjj-wang", "phone": ""})
    assert created.status_code == 200
    assert "no-cache" in created["Cache-Control"] or "no-store" in created["Cache-Control"]
    password = created.context["password"]
    user = User.objects.get(username="zjj-wang")
    assert user.check_password(password) and password in text(created)
    unit_page = text(client.get(reverse("orgs:partner", args=[world.partner.pk])))
    assert "zjj-wang" in unit_page and password not in unit_page


def test_a_refused_login_keeps_what_was_typed(world, login):
    response = login(world.users["staff"]).post(
        reverse("accounts:partner_user_new", args=[world.partner.pk]),
        {"display_name": "王工", "username": "wj-staff", "phone": "13900007777"},
    )
    assert response.status_code == 400
    page = text(response)
    assert "用户名“wj-staff”已被使用，请换一个。" in page
    assert 'value="王工"' in page and 'value="13900007777"' in page


def test_disable_a_login_after_a_confirmation(world, login):
    partner_user = world.users["partner"]
    client = login(world.users["secretary"])
    url = reverse("accounts:partner_user_disable", args=[world.partner.pk, partner_user.pk])
    page = text(client.get(url))
    assert "将停用攀枝花市住房和城乡建设局的账号 partner-zjj" in page
    assert User.objects.get(pk=partner_user.pk).is_active
    assert client.post(url).status_code == 302
    assert not User.objects.get(pk=partner_user.pk).is_active
    # The disabled login can no longer use the site.
    assert client.logout() is None
    other = login(partner_user)
    assert other.get("/voices/partner/").status_code == 302


def test_a_login_of_another_unit_is_not_found_under_this_one(world, login):
    other = services.partner_unit_create(
        actor=None, name="望江供电所", kind="utility", communities=[world.wj]
    )
    url = reverse("accounts:partner_user_disable", args=[other.pk, world.users["partner"].pk])
    assert login(world.users["staff"]).post(url).status_code == 404
    assert User.objects.get(pk=world.users["partner"].pk).is_active


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("staff", 200),
        ("subdistrict", 200),
        ("other_staff", 404),
        ("grid", 404),
        ("partner", 404),  # a partner's own login does not manage its unit
        ("nobody", 404),
    ],
)
def test_who_may_open_the_unit_pages(world, login, role, status):
    client = login(world.users[role])
    for name in ["orgs:partner", "orgs:partner_edit", "accounts:partner_user_new"]:
        assert client.get(reverse(name, args=[world.partner.pk])).status_code == status, name
