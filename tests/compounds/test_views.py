import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.compounds import services
from gongzhi.compounds.models import CommitteeTerm, DutyShift
from gongzhi.core.models import AuditEvent
from gongzhi.orgs.models import PartnerUnit
from gongzhi.places.models import Compound
from gongzhi.venues.models import Venue
from gongzhi.voices.enums import Level
from gongzhi.voices.enums import Status as ItemStatus
from gongzhi.voices.models import Category

from .conftest import stairwell_case


@pytest.fixture
def station(world):
    return Venue.objects.create(
        community=world.wj,
        grid=world.g1,
        kind="grid_station",
        name="第一网格驿站",
        address="甘露园门口",
    )


def test_staff_see_compounds_with_who_governs_them(world, login, contract, group):
    client = login(world.users["staff"])
    page = client.get(reverse("compounds:list")).content.decode()
    assert "民安巷小区" in page and "安居物业" in page
    assert "居民自治管理" in page and "自治管理小组" in page
    assert "外小区" not in page


def test_another_communitys_staff_and_residents_get_404(world, login, minan):
    assert (
        login(world.users["other_staff"])
        .get(reverse("compounds:detail", args=[minan.pk]))
        .status_code
        == 404
    )
    assert login(world.users["resident"]).get(reverse("compounds:list")).status_code == 404
    assert (
        login(world.users["grid"])
        .get(reverse("compounds:term_add", args=[world.b1.compound_id]))
        .status_code
        == 404
    )


def test_an_overlapping_term_on_the_screen_is_a_chinese_error_and_keeps_what_was_typed(
    world, login, term, minan
):
    client = login(world.users["staff"])
    response = client.post(
        reverse("compounds:term_add", args=[minan.pk]),
        {
            "name": "第二届",
            "elected_on": "2028-12-01",
            "starts_on": "2029-01-01",
            "ends_on": "2033-12-31",
            "votes_cast": "120",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "同一小区的业主委员会任期不能重叠" in page
    assert 'value="第二届"' in page
    assert CommitteeTerm.objects.filter(compound=minan).count() == 1


def test_a_second_company_on_the_screen_is_refused(world, login, contract, minan):
    from gongzhi.orgs.models import PartnerUnit

    other = PartnerUnit.objects.create(
        name="金江物业公司", short_name="金江物业", kind="enterprise"
    )
    response = login(world.users["staff"]).post(
        reverse("compounds:contract_add", args=[minan.pk]),
        {
            "company": other.pk,
            "starts_on": "2026-03-01",
            "ends_on": "2027-02-28",
            "scope": "保洁",
            "fee": "0.5",
            "contact_name": "金",
            "manager_name": "金",
        },
    )
    assert response.status_code == 400
    assert "同一小区同一时期只能有一家物业服务企业" in response.content.decode()
    assert minan.property_contracts.count() == 1


def test_routing_asks_first_then_dispatches(world, login, contract, company, minan_case):
    client = login(world.users["staff"])
    url = reverse("compounds:route", args=[minan_case.pk])
    page = client.get(url).content.decode()
    assert "安居物业" in page and "确认派单" in page
    assert client.post(url).status_code == 200
    minan_case.refresh_from_db()
    assert minan_case.status == ItemStatus.ACCEPTED
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    minan_case.refresh_from_db()
    assert minan_case.status == ItemStatus.DISPATCHED
    assert minan_case.dispatches.get().unit == company


def test_the_compound_page_offers_routing_for_open_property_cases(
    world, login, contract, minan, minan_case
):
    page = (
        login(world.users["staff"])
        .get(reverse("compounds:detail", args=[minan.pk]))
        .content.decode()
    )
    assert minan_case.number in page
    assert reverse("compounds:route", args=[minan_case.pk]) in page


def _compounds(world, n):
    for i in range(n):
        Compound.objects.create(community=world.wj, grid=world.g1, name=f"测试小区{i}")


def test_the_list_takes_the_same_queries_for_one_or_three_compounds(
    world, login, django_assert_max_num_queries
):
    client = login(world.users["staff"])
    client.get(reverse("compounds:list"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("compounds:list"))
    _compounds(world, 3)
    with CaptureQueriesContext(connection) as three:
        client.get(reverse("compounds:list"))
    assert len(three) == len(one)


def test_the_stations_list_takes_the_same_queries_for_one_or_three(world, login, station):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.users["staff"])
    client.get(reverse("compounds:stations"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("compounds:stations"))
    for i in range(2):
        s = Venue.objects.create(
            community=world.wj, grid=world.g2, kind="grid_station", name=f"驿站{i}"
        )
        services.duty_shift_add(actor=None, station=s, on=timezone.localdate(), name=f"值班{i}")
    with CaptureQueriesContext(connection) as three:
        client.get(reverse("compounds:stations"))
    assert len(three) == len(one)


def test_a_grid_chief_keeps_the_roster_and_a_resident_sees_who_is_on_duty_today(
    world, login, station
):
    today = timezone.localdate()
    client = login(world.users["grid"])
    response = client.post(
        reverse("compounds:roster", args=[station.pk]),
        {"on": today.isoformat(), "name": "陈网格", "hours": "8:30-17:30", "phone": "13300001111"},
    )
    assert response.status_code == 302
    shift = DutyShift.objects.get()
    assert AuditEvent.objects.filter(action="compounds.duty_shift.added").count() == 1
    home = login(world.users["resident"]).get(reverse("home"), follow=True).content.decode()
    assert reverse("compounds:on_duty") in home
    page = login(world.users["resident"]).get(reverse("compounds:on_duty")).content.decode()
    assert "第一网格驿站" in page and "陈网格" in page and "8:30-17:30" in page
    # 王五 lives in grid 2: not his station.
    from tests.world import make_user

    wangwu = make_user("resident-wangwu", resident=world.residents["wangwu"])
    assert "陈网格" not in login(wangwu).get(reverse("compounds:on_duty")).content.decode()
    # Removing asks first.
    client = login(world.users["grid"])
    url = reverse("compounds:shift_remove", args=[shift.pk])
    assert "确认取消" in client.get(url).content.decode()
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert not DutyShift.objects.exists()
    assert AuditEvent.objects.filter(action="compounds.duty_shift.removed").count() == 1


def test_the_grid_worker_of_another_grid_cannot_keep_this_roster(world, login, station):
    response = login(world.users["grid_worker"]).post(
        reverse("compounds:roster", args=[station.pk]),
        {"on": dt.date.today().isoformat(), "name": "越界", "hours": "9-17"},
    )
    assert response.status_code == 404
    assert not DutyShift.objects.exists()


def test_a_notice_reaches_the_residents_of_its_buildings(world, login, group, ganluyuan):
    client = login(world.users["staff"])
    response = client.post(
        reverse("compounds:notice_add", args=[ganluyuan.pk]),
        {"body": "self", "title": "清理楼道杂物", "text": "本周六统一清理"},
    )
    assert response.status_code == 302
    page = login(world.users["resident"]).get(reverse("compounds:on_duty")).content.decode()
    assert "清理楼道杂物" in page


def test_the_item_page_offers_routing_for_a_property_case_in_a_compound(
    world, login, contract, minan_case
):
    client = login(world.users["staff"])
    page = client.get(reverse("voices:detail", args=[minan_case.pk])).content.decode()
    assert reverse("compounds:route", args=[minan_case.pk]) in page
    assert "转小区物业或自治管家" in page


def test_the_item_page_offers_no_compound_routing_for_another_kind_of_case(
    world, login, contract, minan
):
    noise = Category.objects.get_or_create(
        code="noise", defaults={"name": "噪音扰民", "default_level": Level.GRID}
    )[0]
    case = stairwell_case(world, "wangwu", noise)
    assert case.compound_id == minan.pk
    page = login(world.users["staff"]).get(reverse("voices:detail", args=[case.pk])).content
    assert reverse("compounds:route", args=[case.pk]) not in page.decode()


def test_a_contract_ended_early_asks_first_then_lets_the_next_company_in(
    world, login, contract, minan
):
    client = login(world.users["staff"])
    detail = client.get(reverse("compounds:detail", args=[minan.pk])).content.decode()
    url = reverse("compounds:contract_end", args=[contract.pk])
    assert url in detail
    # The first step only says what will change.
    asked = client.post(url, {"on": "2026-06-30", "reason": "企业撤场"})
    assert asked.status_code == 200 and "请确认：提前终止" in asked.content.decode()
    contract.refresh_from_db()
    assert contract.ends_on == dt.date(2026, 12, 31)
    done = client.post(url, {"on": "2026-06-30", "reason": "企业撤场", "confirm": "1"})
    assert done.status_code == 302
    contract.refresh_from_db()
    assert contract.ends_on == dt.date(2026, 6, 30)
    event = AuditEvent.objects.get(action="compounds.property_contract.ended")
    assert event.changes == {"ends_on": ["2026-12-31", "2026-06-30"], "reason": "企业撤场"}
    assert event.community_id == minan.community_id
    # From the next day another company may serve the compound.
    services.property_contract_create(
        actor=world.users["staff"],
        compound=minan,
        company=PartnerUnit.objects.create(name="金江物业", kind="enterprise"),
        starts_on=dt.date(2026, 7, 1),
        ends_on=dt.date(2027, 6, 30),
        scope="保洁",
        fee="0.90",
        contact_name="李经理",
        manager_name="李经理",
    )
    assert minan.property_contracts.count() == 2


@pytest.mark.parametrize(
    "on, message",
    [
        ("2025-06-30", "终止日期不能早于开始日期"),
        ("2026-12-31", "终止日期须早于原定结束日期"),
        ("", "请填写日期"),
    ],
)
def test_a_bad_end_date_is_a_chinese_error_that_keeps_the_reason(
    world, login, contract, on, message
):
    client = login(world.users["staff"])
    url = reverse("compounds:contract_end", args=[contract.pk])
    response = client.post(url, {"on": on, "reason": "企业撤场", "confirm": "1"})
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page and "企业撤场" in page
    contract.refresh_from_db()
    assert contract.ends_on == dt.date(2026, 12, 31)
    assert not AuditEvent.objects.filter(action="compounds.property_contract.ended").exists()


def test_a_term_ends_early_only_with_a_reason(world, login, term):
    client = login(world.users["staff"])
    url = reverse("compounds:term_end", args=[term.pk])
    refused = client.post(url, {"on": "2026-06-30", "reason": "", "confirm": "1"})
    assert refused.status_code == 400 and "请填写终止原因" in refused.content.decode()
    assert (
        client.post(url, {"on": "2026-06-30", "reason": "换届", "confirm": "1"}).status_code == 302
    )
    term.refresh_from_db()
    assert term.ends_on == dt.date(2026, 6, 30)
    assert AuditEvent.objects.filter(action="compounds.committee_term.ended").count() == 1


def test_a_grid_chief_cannot_end_a_contract(world, login, contract):
    client = login(world.users["grid"])
    url = reverse("compounds:contract_end", args=[contract.pk])
    assert client.post(url, {"on": "2026-06-30", "reason": "x", "confirm": "1"}).status_code == 404
    contract.refresh_from_db()
    assert contract.ends_on == dt.date(2026, 12, 31)
