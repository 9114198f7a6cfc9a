from gongzhi.compounds.models import CommitteeTerm, PropertyContract
from gongzhi.voices.enums import Status as ItemStatus


def test_the_api_lists_compounds_with_who_governs_them(world, api_as, contract, group):
    rows = api_as(world.users["staff"]).get("/compounds").json()
    by_name = {r["name"]: r for r in rows}
    assert set(by_name) == {"甘露园", "民安巷小区"}
    assert by_name["民安巷小区"]["governance"] == "property"
    assert by_name["民安巷小区"]["responsible_unit"] == "安居物业"
    assert by_name["甘露园"]["governance"] == "self"


def test_the_api_refuses_an_overlapping_term_in_chinese(world, api_as, term, minan):
    r = api_as(world.users["staff"]).post(
        f"/compounds/{minan.pk}/terms",
        {
            "name": "第二届",
            "elected_on": "2028-12-01",
            "starts_on": "2029-01-01",
            "ends_on": "2033-12-31",
        },
    )
    assert r.status_code in (400, 422)
    assert "同一小区的业主委员会任期不能重叠" in r.content.decode()
    assert CommitteeTerm.objects.filter(compound=minan).count() == 1


def test_the_api_refuses_a_second_company_in_chinese(world, api_as, contract, minan):
    from gongzhi.orgs.models import PartnerUnit

    other = PartnerUnit.objects.create(
        name="金江物业公司", short_name="金江物业", kind="enterprise"
    )
    r = api_as(world.users["staff"]).post(
        f"/compounds/{minan.pk}/contracts",
        {
            "company_id": other.pk,
            "starts_on": "2026-06-01",
            "ends_on": "2027-05-31",
            "scope": "保洁",
            "fee": "0.5",
            "contact_name": "金",
            "manager_name": "金",
        },
    )
    assert r.status_code in (400, 422)
    assert "同一小区同一时期只能有一家物业服务企业" in r.content.decode()
    assert PropertyContract.objects.filter(compound=minan).count() == 1


def test_the_api_routes_a_stairwell_light_to_ganluyuans_stewards(
    world, api_as, group, steward_user, ganluyuan_case
):
    r = api_as(world.users["staff"]).post(f"/compounds/route/{ganluyuan_case.pk}")
    assert r.status_code == 201
    assert r.json()["unit"] == group.unit.name
    ganluyuan_case.refresh_from_db()
    assert ganluyuan_case.status == ItemStatus.DISPATCHED


def test_another_community_gets_404(world, api_as, minan):
    assert api_as(world.users["other_staff"]).get(f"/compounds/{minan.pk}").status_code == 404
    r = api_as(world.users["other_staff"]).post(
        f"/compounds/{minan.pk}/terms",
        {
            "name": "x",
            "elected_on": "2024-01-01",
            "starts_on": "2024-01-02",
            "ends_on": "2025-01-01",
        },
    )
    assert r.status_code == 404
    assert not CommitteeTerm.objects.exists()


def test_the_api_list_takes_the_same_queries_for_one_or_three_compounds(
    world, api_as, contract, group
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongzhi.compounds.models import PropertyContract
    from gongzhi.orgs.models import PartnerUnit
    from gongzhi.places.models import Compound

    client = api_as(world.users["staff"])
    client.get("/compounds")
    with CaptureQueriesContext(connection) as before:
        rows = client.get("/compounds").json()
    for i in range(3):
        c = Compound.objects.create(community=world.wj, grid=world.g1, name=f"测试小区{i}")
        unit = PartnerUnit.objects.create(name=f"测试物业{i}", kind="enterprise")
        PropertyContract.objects.create(
            compound=c,
            company=unit,
            starts_on=contract.starts_on,
            ends_on=contract.ends_on,
            scope="保洁",
            fee="0.5",
        )
    with CaptureQueriesContext(connection) as after:
        more = client.get("/compounds").json()
    assert len(more) == len(rows) + 3
    assert {r["responsible_unit"] for r in more} >= {"测试物业0", "测试物业1", "测试物业2"}
    assert len(after) == len(before)
