"""The register on screens: who reaches each form (404 outside the reach, 403 in sight but
not allowed), what a refusal keeps, and what each change writes."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.identity import make_id_number
from gongzhi.core.models import AuditEvent
from gongzhi.places import services
from gongzhi.places.enums import ResidentStatus
from gongzhi.places.models import CareTag, ContactLog, Resident, ResidentStatusChange

TODAY = timezone.localdate()
NEW_ID = make_id_number("510402", dt.date(1992, 4, 5), 81)

# 1-1-101 and 张三: grid 1, building 1, entrance 1.
EDIT_ACCESS = {
    "admin": 200,
    "secretary": 200,
    "staff": 200,
    "grid": 200,
    "building": 403,  # sees 张三, may not change the register
    "subdistrict": 403,
    "entrance": 404,  # entrance 2 only
    "grid_worker": 404,  # grid 2
    "other_staff": 404,
    "resident": 404,  # no workbench
    "partner": 404,
    "nobody": 404,
}
VISIT_ACCESS = {**EDIT_ACCESS, "building": 200, "subdistrict": 403}


def _rows():
    return (
        Resident.objects.count(),
        ResidentStatusChange.objects.count(),
        ContactLog.objects.count(),
        AuditEvent.objects.count(),
    )


def _urls(world):
    zhang = world.residents["zhangsan"].pk
    return {
        "new": reverse("wb-resident-new", args=[world.households["1-1-101"].pk]),
        "edit": reverse("wb-resident-edit", args=[zhang]),
        "move-out": reverse("wb-resident-move-out", args=[zhang]),
        "death": reverse("wb-resident-death", args=[zhang]),
        "visit": reverse("wb-resident-visit", args=[zhang]),
    }


@pytest.mark.parametrize("page", ["new", "edit", "move-out", "death"])
@pytest.mark.parametrize("role", list(EDIT_ACCESS))
def test_who_reaches_the_register_forms(world, login, role, page):
    client = login(world.users[role])
    url = _urls(world)[page]
    before = _rows()
    get = client.get(url)
    # Without a name or a date: allowed roles get the form back (400), the others as on GET.
    post = client.post(url, {"confirm": "1"})
    expected_post = 400 if EDIT_ACCESS[role] == 200 else EDIT_ACCESS[role]
    assert (get.status_code, post.status_code) == (EDIT_ACCESS[role], expected_post)
    if get.status_code == 404:
        assert "找不到这个页面" in get.content.decode()
    if get.status_code == 403:
        assert "没有权限办理" in get.content.decode()
    assert _rows() == before


@pytest.mark.parametrize("role", list(VISIT_ACCESS))
def test_who_reaches_the_visit_form(world, login, role):
    client = login(world.users[role])
    url = _urls(world)["visit"]
    assert client.get(url).status_code == VISIT_ACCESS[role]
    response = client.post(url, {"visited_on": TODAY.isoformat(), "method": "home_visit"})
    expected = 302 if VISIT_ACCESS[role] == 200 else VISIT_ACCESS[role]
    assert response.status_code == expected
    assert ContactLog.objects.count() == (1 if expected == 302 else 0)


@pytest.mark.parametrize("page", ["new", "edit", "move-out", "death", "visit"])
def test_anonymous_is_sent_to_log_in(world, client, page):
    response = client.get(_urls(world)[page])
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


# --- add a person ---------------------------------------------------------------------------


def _new_person(**extra):
    return {
        "name": "钱七",
        "id_number": NEW_ID,
        "phone": "13566667777",
        "gender": "U",
        "relation": "child",
        "residence": "both",
        "registered_address": "",
        "moved_in_on": "2025-08-01",
        "note": "",
        **extra,
    }


def test_adding_a_household_member(world, login):
    household = world.households["1-1-101"]
    tag = CareTag.objects.get(code="key_care")
    response = login(world.users["grid"]).post(
        reverse("wb-resident-new", args=[household.pk]), _new_person(care_tags=[tag.pk])
    )
    person = Resident.objects.get(name="钱七")
    assert (response.status_code, response.url) == (302, reverse("wb-resident", args=[person.pk]))
    assert (person.household, person.relation, person.birth_date, person.phone) == (
        household,
        "child",
        dt.date(1992, 4, 5),
        "13566667777",
    )
    assert list(person.care_tags.values_list("code", flat=True)) == ["key_care"]
    assert ResidentStatusChange.objects.get(resident=person).effective_on == dt.date(2025, 8, 1)
    event = AuditEvent.objects.get(action="places.resident.created", object_id=str(person.pk))
    assert event.actor == world.users["grid"]


def test_a_refused_person_keeps_everything_typed(world, login):
    wrong_check_digit = NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")
    data = _new_person(
        id_number=wrong_check_digit,
        moved_in_on=(TODAY + dt.timedelta(days=5)).isoformat(),
        registered_address="四川省会理市",
        note="女儿在外地工作",
    )
    before = _rows()
    response = login(world.users["staff"]).post(
        reverse("wb-resident-new", args=[world.households["1-1-101"].pk]), data
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert _rows() == before
    assert "身份证号校验位不正确" in html or "校验" in html
    assert "迁入日期不能晚于今天。" in html
    assert "有2处需要修改" in html
    for typed in ["钱七", wrong_check_digit, "13566667777", "四川省会理市", "女儿在外地工作"]:
        assert typed in html, typed
    assert 'aria-invalid="true"' in html


def test_a_person_registered_elsewhere_is_refused_without_saying_where(world, login):
    response = login(world.users["grid"]).post(
        reverse("wb-resident-new", args=[world.households["1-1-101"].pk]),
        _new_person(id_number=world.residents["zhaoliu"].id_number),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "该身份证号已登记在其他住户中" in html
    assert "其他社区" not in html and "赵六" not in html


def test_the_tenant_form_is_set_up_for_a_tenant(world, login):
    url = reverse("wb-resident-new", args=[world.households["1-1-101"].pk])
    client = login(world.users["grid"])
    page = client.get(url, {"kind": "tenant"})
    form = page.context["form"]
    assert (form.initial["relation"], form.initial["residence"]) == ("tenant", "lives_only")
    assert "登记租户、流动人口" in page.content.decode()
    response = client.post(
        url,
        _new_person(
            kind="tenant", relation="tenant", residence="lives_only", registered_address="会理市"
        ),
    )
    tenant = Resident.objects.get(name="钱七")
    assert response.status_code == 302
    assert (tenant.relation, tenant.residence, tenant.registered_address) == (
        "tenant",
        "lives_only",
        "会理市",
    )
    household_page = client.get(reverse("wb-household", args=[world.households["1-1-101"].pk]))
    assert "居住情况：有租户" in household_page.content.decode()


# --- change a person -------------------------------------------------------------------------


def test_editing_keeps_numbers_unless_new_ones_are_typed(world, login):
    zhang = world.residents["zhangsan"]
    client = login(world.users["grid"])
    page = client.get(reverse("wb-resident-edit", args=[zhang.pk]))
    html = page.content.decode()
    assert "13812345678" not in html and zhang.id_number not in html
    assert "138****5678" in html
    # Birth date and gender come from the ID number: no boxes for them.
    assert "birth_date" not in page.context["form"].fields
    response = client.post(
        reverse("wb-resident-edit", args=[zhang.pk]),
        {
            "name": "张三",
            "id_number": "",
            "phone": "",
            "relation": "head",
            "residence": "both",
            "registered_address": "",
            "note": "耳背，敲门要用力",
            "care_tags": [
                CareTag.objects.get(code="alone").pk,
                CareTag.objects.get(code="disabled").pk,
            ],
        },
    )
    zhang.refresh_from_db()
    assert response.status_code == 302
    assert (zhang.phone, zhang.note) == ("13812345678", "耳背，敲门要用力")
    assert sorted(zhang.care_tags.values_list("code", flat=True)) == ["alone", "disabled"]
    event = AuditEvent.objects.filter(action="places.resident.updated").latest("id")
    assert event.changes["care_tags"] == [["alone"], ["alone", "disabled"]]
    assert "phone" not in event.changes


def test_a_phone_can_be_removed(world, login):
    zhang = world.residents["zhangsan"]
    base = {"name": "张三", "relation": "head", "residence": "both"}
    client = login(world.users["grid"])
    both = client.post(
        reverse("wb-resident-edit", args=[zhang.pk]),
        {**base, "clear_phone": "on", "phone": "13511112222"},
    )
    assert both.status_code == 400
    assert "要删除手机号就不要再填写新号码。" in both.content.decode()
    client.post(reverse("wb-resident-edit", args=[zhang.pk]), {**base, "clear_phone": "on"})
    zhang.refresh_from_db()
    assert (zhang.phone, zhang.phone_last4) == ("", "")


def test_an_overlong_note_is_refused_and_kept(world, login):
    zhang = world.residents["zhangsan"]
    note = "很" * 2001
    response = login(world.users["grid"]).post(
        reverse("wb-resident-edit", args=[zhang.pk]),
        {"name": "张三", "relation": "head", "residence": "both", "note": note},
    )
    assert response.status_code == 400
    assert "不能超过2000字（现有2001字）。" in response.content.decode()
    assert note in response.content.decode()
    zhang.refresh_from_db()
    assert zhang.note == ""


# --- move out, death, move back ---------------------------------------------------------


def test_move_out_asks_first_on_a_page_naming_the_person(world, login):
    lisi = world.residents["lisi"]
    url = reverse("wb-resident-move-out", args=[lisi.pk])
    client = login(world.users["grid"])
    form = client.get(url)
    assert form.status_code == 200 and "办理迁出：李四" in form.content.decode()
    before = _rows()
    confirm = client.post(url, {"effective_on": TODAY.isoformat(), "reason": "成都市武侯区"})
    html = confirm.content.decode()
    assert confirm.status_code == 200
    assert "请确认：为李四办理迁出" in html
    assert "成都市武侯区" in html and "1栋2单元201" in html
    assert "不再计入在住居民、关爱名单和各项统计" in html
    assert _rows() == before  # nothing written before the confirmation
    done = client.post(
        url, {"effective_on": TODAY.isoformat(), "reason": "成都市武侯区", "confirm": "1"}
    )
    assert (done.status_code, done.url) == (302, reverse("wb-resident", args=[lisi.pk]))
    lisi.refresh_from_db()
    assert lisi.status == ResidentStatus.MOVED_OUT
    change = ResidentStatusChange.objects.filter(resident=lisi).latest("id")
    assert (change.reason, change.effective_on, change.actor) == (
        "成都市武侯区",
        TODAY,
        world.users["grid"],
    )
    page = client.get(done.url).content.decode()
    assert "已办理李四迁出。" in page
    assert "办理迁回" in page and "办理迁出" not in page


def test_going_back_to_change_keeps_what_was_typed(world, login):
    url = reverse("wb-resident-move-out", args=[world.residents["lisi"].pk])
    response = login(world.users["grid"]).post(
        url, {"effective_on": "2026-01-02", "reason": "去女儿家", "edit": "1"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="2026-01-02"' in html and 'value="去女儿家"' in html
    assert Resident.objects.get(pk=world.residents["lisi"].pk).status == ResidentStatus.LIVING


def test_a_move_out_before_the_move_in_is_refused_at_the_first_step(world, login):
    lisi = world.residents["lisi"]
    moved_in = ResidentStatusChange.objects.get(resident=lisi).effective_on
    day = moved_in - dt.timedelta(days=1)
    before = _rows()
    response = login(world.users["grid"]).post(
        reverse("wb-resident-move-out", args=[lisi.pk]),
        {"effective_on": day.isoformat(), "reason": "成都"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert f"迁出日期不能早于迁入登记日期（{moved_in:%Y-%m-%d}）。" in html
    assert "请确认" not in html
    assert f'value="{day:%Y-%m-%d}"' in html and 'value="成都"' in html
    assert _rows() == before


@pytest.mark.parametrize(
    ("day", "message"),
    [("", "请填写迁出日期。"), ("2026-02-30", "请按“2026-03-01”的格式填写有效的日期。")],
)
def test_a_missing_or_impossible_day_is_said_in_chinese(world, login, day, message):
    response = login(world.users["grid"]).post(
        reverse("wb-resident-move-out", args=[world.residents["lisi"].pk]),
        {"effective_on": day, "confirm": "1"},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Resident.objects.get(pk=world.residents["lisi"].pk).status == ResidentStatus.LIVING


def test_death_is_confirmed_as_final(world, login):
    zhang = world.residents["zhangsan"]
    url = reverse("wb-resident-death", args=[zhang.pk])
    client = login(world.users["staff"])
    confirm = client.post(url, {"effective_on": TODAY.isoformat()})
    assert "这一变更不能撤销" in confirm.content.decode()
    assert "张三" in confirm.content.decode()
    client.post(url, {"effective_on": TODAY.isoformat(), "confirm": "1"})
    zhang.refresh_from_db()
    assert zhang.status == ResidentStatus.DECEASED
    event = AuditEvent.objects.filter(action="places.resident.status_changed").latest("id")
    assert event.changes["status"] == ["living", "deceased"]
    # Nothing further is offered, and a stale link says why.
    page = client.get(reverse("wb-resident", args=[zhang.pk])).content.decode()
    assert "办理迁回" not in page and "登记死亡" not in page and "记录走访" not in page
    again = client.get(url, follow=True)
    assert "张三的状态是“已故”，不能登记死亡。" in again.content.decode()


def test_moving_back_needs_no_confirmation(world, login):
    lisi = services.resident_set_status(
        actor=world.users["grid"], resident=world.residents["lisi"], status="moved_out"
    )
    response = login(world.users["grid"]).post(
        reverse("wb-resident-move-back", args=[lisi.pk]), {"effective_on": TODAY.isoformat()}
    )
    lisi.refresh_from_db()
    assert (response.status_code, lisi.status) == (302, ResidentStatus.LIVING)


# --- visits -----------------------------------------------------------------------------------


def test_a_visit_returns_to_the_list_it_came_from(world, login):
    zhang = world.residents["zhangsan"]
    client = login(world.users["building"])
    url = reverse("wb-resident-visit", args=[zhang.pk])
    response = client.post(
        url,
        {
            "visited_on": TODAY.isoformat(),
            "method": "home_visit",
            "note": "老人说腿疼",
            "next": "/care/?category=alone",
        },
    )
    assert (response.status_code, response.url) == (302, "/care/?category=alone")
    contact = ContactLog.objects.get()
    assert (contact.by, contact.note) == (world.users["building"], "老人说腿疼")
    page = client.get(reverse("wb-resident", args=[zhang.pk])).content.decode()
    assert "老人说腿疼" in page and "入户走访" in page


def test_no_visit_is_recorded_for_someone_who_moved_out(world, login):
    lisi = services.resident_set_status(
        actor=world.users["grid"], resident=world.residents["lisi"], status="moved_out"
    )
    client = login(world.users["grid"])
    url = reverse("wb-resident-visit", args=[lisi.pk])
    page = client.get(url, follow=True)
    assert page.redirect_chain == [(reverse("wb-resident", args=[lisi.pk]), 302)]
    assert "李四的状态是“已迁出”，不能再记录走访。" in page.content.decode()
    client.post(url, {"visited_on": TODAY.isoformat(), "method": "phone"})
    assert ContactLog.objects.count() == 0


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_a_visit_never_sends_anyone_off_the_site(world, login, target):
    zhang = world.residents["zhangsan"]
    response = login(world.users["grid"]).post(
        reverse("wb-resident-visit", args=[zhang.pk]),
        {"visited_on": TODAY.isoformat(), "method": "phone", "next": target},
    )
    assert (response.status_code, response.url) == (302, reverse("wb-resident", args=[zhang.pk]))


def test_a_future_visit_is_refused_and_kept(world, login):
    day = (TODAY + dt.timedelta(days=1)).isoformat()
    response = login(world.users["grid"]).post(
        reverse("wb-resident-visit", args=[world.residents["zhangsan"].pk]),
        {"visited_on": day, "method": "phone", "note": "下周再来"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "走访日期不能晚于今天。" in html and "下周再来" in html and f'value="{day}"' in html
    assert ContactLog.objects.count() == 0


# --- the pages show what each role may do -------------------------------------------------------


def _buttons(html):
    return re.findall(r'class="btn[^"]*" href="[^"]+">([^<]+)</a>', html)


@pytest.mark.parametrize(
    ("role", "buttons"),
    [
        ("grid", ["修改信息", "记录走访", "办理迁出", "登记死亡"]),
        ("building", ["记录走访"]),
        ("subdistrict", []),
    ],
)
def test_resident_page_offers_what_the_role_may_do(world, login, role, buttons):
    html = (
        login(world.users[role])
        .get(reverse("wb-resident", args=[world.residents["zhangsan"].pk]))
        .content.decode()
    )
    assert _buttons(html) == buttons


@pytest.mark.parametrize(
    ("role", "buttons"),
    [("grid", ["添加家庭成员（迁入）", "登记租户、流动人口"]), ("building", [])],
)
def test_household_page_offers_what_the_role_may_do(world, login, role, buttons):
    html = (
        login(world.users[role])
        .get(reverse("wb-household", args=[world.households["1-1-101"].pk]))
        .content.decode()
    )
    assert _buttons(html) == buttons
    assert "居住情况：自住" in html
