"""Organisations through the JSON API: who sees which teams, partner units, party organisations."""

import json

from gongzhi.orgs import services
from gongzhi.orgs.models import PartnerContact, PartyOrganisation


def body(response):
    return json.loads(response.content)


def test_partners_in_reach(world, api_as):
    PartnerContact.objects.create(
        unit=world.partner, name="刘工", title="科长", phone="13512345678"
    )
    services.partner_unit_create(
        actor=None, name="其他社区供电所", kind="utility", communities=[world.ot]
    )
    data = body(api_as(world.users["secretary"]).get("/partners"))
    assert [(p["short_name"], p["communities"], p["contacts"]) for p in data] == [
        (
            "市住建局",
            ["510402001001"],
            [{"name": "刘工", "title": "科长", "phone_masked": "135****5678"}],
        )
    ]
    assert [p["name"] for p in body(api_as(world.users["other_staff"]).get("/partners"))] == [
        "其他社区供电所"
    ]
    assert len(body(api_as(world.users["subdistrict"]).get("/partners"))) == 2


def test_partner_user_sees_own_unit_only(world, api_as):
    services.partner_unit_create(
        actor=None, name="望江供电所", kind="utility", communities=[world.wj]
    )
    assert [p["name"] for p in body(api_as(world.users["partner"]).get("/partners"))] == [
        "攀枝花市住房和城乡建设局"
    ]


def test_partner_user_has_nothing_in_the_register(world, api_as):
    api = api_as(world.users["partner"])
    assert body(api.get("/residents", q="张三")) == {"items": [], "count": 0}
    assert body(api.get("/buildings")) == {"items": [], "count": 0}
    assert api.get(f"/residents/{world.residents['zhangsan'].pk}").status_code == 404


def test_teams_of_own_community(world, api_as):
    team = services.team_create(actor=None, community=world.wj, name="望江先锋队", kind="pioneer")
    services.team_member_add(actor=None, team=team, resident=world.residents["zhangsan"])
    services.team_create(actor=None, community=world.ot, name="外社区调解队", kind="mediation")
    data = body(api_as(world.users["staff"]).get("/teams"))
    assert [(t["name"], t["kind_label"], t["members"]) for t in data] == [
        ("望江先锋队", "党员先锋攻坚队", 1)
    ]


def test_party_organisation_tree(world, api_as):
    top = PartyOrganisation.objects.create(
        kind="comprehensive", name="街道综合党委", subdistrict=world.sd
    )
    wj = PartyOrganisation.objects.create(
        kind="community", name="望江街社区党委", parent=top, community=world.wj
    )
    PartyOrganisation.objects.create(
        kind="compound_branch", name="甘露园党支部", parent=wj, community=world.wj
    )
    PartyOrganisation.objects.create(
        kind="community", name="其他社区党委", parent=top, community=world.ot
    )
    data = body(api_as(world.users["secretary"]).get("/party-organisations"))
    # The comprehensive committee sits above the secretary's reach: the community is the root.
    assert [(o["name"], [c["name"] for c in o["children"]]) for o in data] == [
        ("望江街社区党委", ["甘露园党支部"])
    ]
    admin = body(api_as(world.users["admin"]).get("/party-organisations"))
    assert [(o["name"], sorted(c["name"] for c in o["children"])) for o in admin] == [
        ("街道综合党委", ["其他社区党委", "望江街社区党委"])
    ]


def test_posts_in_reach(world, api_as):
    data = body(api_as(world.users["grid"]).get("/posts"))
    # The posts inside the grid, not the community's above it nor grid 2's beside it.
    assert [(p["kind"], p["holder_name"]) for p in data["items"]] == [
        ("building_chief", "wj-building1"),
        ("entrance_chief", "wj-entrance1-2"),
        ("grid_chief", "wj-grid1"),
    ]
    secretary = body(api_as(world.users["secretary"]).get("/posts"))
    assert {p["holder_name"] for p in secretary["items"]} == {
        "wj-secretary",
        "wj-staff",
        "wj-grid1",
        "wj-gridworker2",
        "wj-building1",
        "wj-entrance1-2",
    }
