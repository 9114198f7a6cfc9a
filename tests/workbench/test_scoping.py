"""Outside the reach and missing answer the same 404; workbench pages are only for posts."""

import pytest
from django.urls import reverse


def _urls(world):
    return {
        "community": reverse("wb-community", args=[world.ot.pk]),
        "grid": reverse("wb-grid", args=[world.g2.pk]),
        "compound": reverse("wb-compound", args=[world.b2.compound_id]),
        "building": reverse("wb-building", args=[world.b2.pk]),
        "household": reverse("wb-household", args=[world.households["2-1-101"].pk]),
        "resident": reverse("wb-resident", args=[world.residents["wangwu"].pk]),
    }


@pytest.mark.parametrize(
    "page", ["community", "grid", "compound", "building", "household", "resident"]
)
def test_grid_chief_gets_404_for_another_grid(world, login, page):
    response = login(world.users["grid"]).get(_urls(world)[page])
    assert response.status_code == 404
    assert "王五" not in response.content.decode()


@pytest.mark.parametrize("page", ["building", "household", "resident"])
def test_missing_is_the_same_404(world, login, page):
    response = login(world.users["grid"]).get(reverse(f"wb-{page}", args=[999999]))
    assert response.status_code == 404


def test_other_community_staff_cannot_open_wangjiang(world, login):
    client = login(world.users["other_staff"])
    assert client.get(reverse("wb-building", args=[world.b1.pk])).status_code == 404
    assert (
        client.get(reverse("wb-resident", args=[world.residents["zhangsan"].pk])).status_code == 404
    )


def test_entrance_chief_cannot_open_the_other_entrance_household(world, login):
    client = login(world.users["entrance"])
    assert (
        client.get(reverse("wb-household", args=[world.households["1-1-101"].pk])).status_code
        == 404
    )
    ok = client.get(reverse("wb-household", args=[world.households["1-2-201"].pk]))
    assert "李四" in ok.content.decode()


@pytest.mark.parametrize("role", ["resident", "partner", "nobody"])
def test_workbench_pages_do_not_exist_without_a_post(world, login, role):
    client = login(world.users[role])
    assert client.get(reverse("wb-search") + "?q=zs").status_code == 404
    assert client.get(reverse("wb-building", args=[world.b1.pk])).status_code == 404
    assert (
        client.get(reverse("wb-resident", args=[world.residents["zhangsan"].pk])).status_code == 404
    )


def test_anonymous_is_sent_to_login(world, client):
    response = client.get(reverse("wb-building", args=[world.b1.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
