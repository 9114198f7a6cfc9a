"""Each workbench page for a role inside its reach: status and what the page says."""

from django.urls import reverse

from gongzhi.places import services
from gongzhi.places.enums import ResidentStatus


def test_home_shows_communities_in_reach_with_figures(world, login):
    page = login(world.users["secretary"]).get(reverse("home"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "望江街社区" in html
    assert "其他社区" not in html
    assert reverse("wb-community", args=[world.wj.pk]) in html
    # 2 buildings, 3 households, 3 living residents, 1 aged 60+ (张三).
    figures = [c for c in page.context["figures"] if c["community"] == world.wj][0]
    assert (
        figures["buildings"],
        figures["households"],
        figures["residents"],
        figures["residents_60_plus"],
    ) == (2, 3, 3, 1)


def test_home_for_subdistrict_lists_both_communities(world, login):
    html = login(world.users["subdistrict"]).get(reverse("home")).content.decode()
    assert "望江街社区" in html
    assert "其他社区" in html


def test_header_shows_user_logout_and_languages(world, login):
    html = login(world.users["grid"]).get(reverse("home")).content.decode()
    assert "wj-grid1" in html
    assert f'action="{reverse("accounts:logout")}"' in html
    assert 'action="/i18n/setlang/"' in html
    assert 'value="zh-hant"' in html and 'value="en"' in html
    assert 'href="#main"' in html and '<main id="main"' in html
    assert "http://" not in html and "https://" not in html


def test_community_page_lists_only_grids_in_reach(world, login):
    html = (
        login(world.users["grid"]).get(reverse("wb-community", args=[world.wj.pk])).content.decode()
    )
    assert "第一网格" in html
    assert "第二网格" not in html


def test_grid_page_lists_compounds_and_buildings(world, login):
    html = login(world.users["grid"]).get(reverse("wb-grid", args=[world.g1.pk])).content.decode()
    assert "甘露园" in html
    assert reverse("wb-building", args=[world.b1.pk]) in html


def test_compound_page_lists_buildings_with_figures(world, login):
    page = login(world.users["grid"]).get(reverse("wb-compound", args=[world.b1.compound_id]))
    assert page.status_code == 200
    assert [
        (r["building"], r["households"], r["residents"], r["elderly"]) for r in page.context["rows"]
    ] == [(world.b1, 2, 2, 1)]


def test_building_page_lays_out_entrances_by_floor_top_first(world, login):
    page = login(world.users["grid"]).get(reverse("wb-building", args=[world.b1.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert [e.number for e in page.context["entrances"]] == [1, 2]
    assert [row.floor for row in page.context["rows"]] == [6, 5, 4, 3, 2, 1]
    ground = page.context["rows"][-1]
    cell = ground.cells[0][0]
    assert (cell.household, cell.living, cell.tags, cell.has_elderly) == (
        world.households["1-1-101"],
        1,
        ["独居"],
        True,
    )
    assert ground.cells[1] == []
    assert html.index("6层") < html.index("1层")
    assert "60+" in html and "独居" in html
    assert reverse("wb-household", args=[world.households["1-2-201"].pk]) in html


def test_building_page_for_entrance_chief_shows_own_entrance_only(world, login):
    page = login(world.users["entrance"]).get(reverse("wb-building", args=[world.b1.pk]))
    assert [e.number for e in page.context["entrances"]] == [2]
    html = page.content.decode()
    assert reverse("wb-household", args=[world.households["1-2-201"].pk]) in html
    assert reverse("wb-household", args=[world.households["1-1-101"].pk]) not in html


def test_living_count_ignores_moved_out(world, login):
    services.resident_set_status(
        actor=None, resident=world.residents["zhangsan"], status=ResidentStatus.MOVED_OUT
    )
    page = login(world.users["grid"]).get(reverse("wb-building", args=[world.b1.pk]))
    cell = page.context["rows"][-1].cells[0][0]
    assert (cell.living, cell.has_elderly, cell.tags) == (0, False, [])


def test_household_page_shows_members_masked(world, login):
    html = (
        login(world.users["grid"])
        .get(reverse("wb-household", args=[world.households["1-1-101"].pk]))
        .content.decode()
    )
    zhangsan = world.residents["zhangsan"]
    assert "张三" in html
    assert "户主" in html
    assert "138****5678" in html
    assert zhangsan.id_number_masked in html
    assert zhangsan.id_number not in html
    assert "13812345678" not in html
    assert "独居" in html and "在住" in html


def test_resident_page_shows_masked_data_and_history(world, login):
    zhangsan = world.residents["zhangsan"]
    services.resident_set_status(
        actor=world.users["grid"],
        resident=zhangsan,
        status=ResidentStatus.MOVED_OUT,
        reason="随子女居住",
    )
    page = login(world.users["grid"]).get(reverse("wb-resident", args=[zhangsan.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert zhangsan.id_number_masked in html and "138****5678" in html
    assert zhangsan.id_number not in html
    assert [(h.from_status, h.to_status) for h in page.context["history"]] == [
        ("", "living"),
        ("living", "moved_out"),
    ]
    assert "随子女居住" in html and "已迁出" in html
    assert "显示完整" in html


def test_resident_masks_are_the_documented_shape(world):
    zhangsan = world.residents["zhangsan"]
    assert zhangsan.phone_masked == "138****5678"
    assert (
        zhangsan.id_number_masked == zhangsan.id_number[:6] + "********" + zhangsan.id_number[-4:]
    )


def test_the_building_page_decrypts_no_phone_or_id_number(world, login, monkeypatch):
    """The page never shows them, so it must not pay to unseal them (issue 8, item 3)."""
    from gongzhi.core import crypto

    client = login(world.users["grid"])
    calls = []
    real = crypto.decrypt

    def counted(token):
        calls.append(token)
        return real(token)

    monkeypatch.setattr(crypto, "decrypt", counted)
    page = client.get(reverse("wb-building", args=[world.b1.pk]))
    assert page.status_code == 200
    assert page.context["rows"][-1].cells[0][0].living == 1
    # The counter counts: opening a resident's record does decrypt.
    assert calls == []
    client.get(reverse("wb-resident", args=[world.residents["zhangsan"].pk]))
    assert calls
