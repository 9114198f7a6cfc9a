"""Step 3 of 我要反映, "这件事在哪里？", as pages: the place a text names is offered, the
community's buildings and entrances are big buttons grouped by compound, a public place is
said in words; a refusal keeps every word and choice; a choice outside the community is no
choice; and the case is filed, shown and offered at the place chosen."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.places.models import Building, Compound, Entrance
from gongzhi.voices.models import Item
from tests.world import make_user

TEXT = "2栋楼道灯坏了，晚上上下楼看不见"
SAID = {"kind": "problem", "text": TEXT}


def page(response) -> str:
    return html.unescape(response.content.decode())


def hidden(response, name) -> list[str]:
    return re.findall(rf'type="hidden" name="{name}" value="([^"]*)"', page(response))


@pytest.fixture
def zhangsan(world, login):
    return login(world.users["resident"])


def test_the_where_step_offers_the_place_the_text_names_and_every_building(world, zhangsan):
    response = zhangsan.post("/voices/new/", {**SAID, "action": "where"})
    text = page(response)
    assert response.status_code == 200
    assert "第3步</span>，共4步" in text
    assert "您说的是 民安巷小区2栋 吗？" in text
    assert (
        f'name="where" value="b{world.b2.pk}" class="btn btn-block btn-big">是的，在民安巷小区2栋'
        in text
    )
    # 我家, 我住的楼, the buildings and entrances grouped by compound, the public places.
    assert 'value="home"' in text and "1栋1单元101" in text
    assert 'value="building"' in text
    for entrance in world.b1.entrances.all():
        assert f'value="e{entrance.pk}"' in text
    assert f'value="b{world.b1.pk}"' in text
    assert f'value="b{world.b3.pk}"' not in text  # another community's
    assert text.index("<h3>甘露园</h3>") < text.index("<h3>民安巷小区</h3>")
    compound = Compound.objects.get(grid=world.g2)
    assert f'value="c{compound.pk}"' in text and 'value="community"' in text
    # What was said rides along, in each of the page's forms.
    assert hidden(response, "text") == [TEXT, TEXT, TEXT]


def test_a_case_about_another_building_through_the_pages(world, zhangsan, login):
    """The issue's case, by the wizard: 张三 confirms 2栋; 李四, who lives in 1栋, then
    reports the same at 2栋 and is offered 张三's case."""
    review = zhangsan.post("/voices/new/", {**SAID, "action": "review", "where": f"b{world.b2.pk}"})
    assert review.status_code == 200
    assert "地点：民安巷小区2栋" in page(review)
    assert hidden(review, "where") == [f"b{world.b2.pk}"]
    zhangsan.post("/voices/new/", {**SAID, "action": "save", "where": f"b{world.b2.pk}"})
    item = Item.objects.get()
    assert (item.building, item.grid, item.household_id) == (world.b2, world.g2, None)

    lisi = login(make_user("resident-lisi", resident=world.residents["lisi"]))
    again = {"kind": "problem", "text": "2栋楼道的灯不亮了"}
    at_home = lisi.post("/voices/new/", {**again, "action": "review", "where": "building"})
    assert "我也遇到了" not in page(at_home)
    there = lisi.post("/voices/new/", {**again, "action": "review", "where": f"b{world.b2.pk}"})
    text = page(there)
    assert "我也遇到了" in text and item.number in text
    assert f'action="/voices/{item.pk}/join/"' in text


def test_an_entrance_and_a_public_place_are_filed_as_chosen(world, zhangsan):
    entrance = Entrance.objects.get(building=world.b1, number=2)
    zhangsan.post(
        "/voices/new/",
        {"kind": "problem", "text": "单元门坏了", "action": "save", "where": f"e{entrance.pk}"},
    )
    compound = Compound.objects.get(grid=world.g1)
    review = zhangsan.post(
        "/voices/new/",
        {
            "kind": "problem",
            "text": "大门门禁坏了",
            "action": "review",
            "where": f"c{compound.pk}",
            "location_text": "北门",
        },
    )
    assert "地点：甘露园：北门" in page(review)
    assert hidden(review, "location_text") == ["北门"]
    zhangsan.post(
        "/voices/new/",
        {
            "kind": "problem",
            "text": "大门门禁坏了",
            "action": "save",
            "where": f"c{compound.pk}",
            "location_text": "北门",
        },
    )
    at_entrance, at_gate = Item.objects.order_by("pk")
    assert (at_entrance.entrance, at_entrance.building) == (entrance, world.b1)
    assert (at_gate.compound, at_gate.building_id, at_gate.location_text) == (
        compound,
        None,
        "北门",
    )


def test_a_public_place_without_words_is_refused_and_everything_is_kept(world, zhangsan):
    response = zhangsan.post(
        "/voices/new/",
        {
            **SAID,
            "share_phone": "on",
            "action": "review",
            "where": "community",
            "location_text": " ",
        },
    )
    text = page(response)
    assert response.status_code == 400
    assert "请说一说在哪里，例如：小区大门口、广场。" in text
    assert '<details class="where-more" open>' in text  # the public places, open again
    assert hidden(response, "text") == [TEXT, TEXT, TEXT]
    assert hidden(response, "share_phone") == ["on", "on", "on"]
    assert Item.objects.count() == 0


def test_words_over_the_limit_are_refused_and_given_back(world, zhangsan):
    words = "小区北门" * 40
    response = zhangsan.post(
        "/voices/new/",
        {**SAID, "action": "review", "where": "community", "location_text": words},
    )
    assert response.status_code == 400
    assert "不能超过120字（现有160字）。" in page(response)
    assert f'value="{words}"' in page(response)


@pytest.mark.parametrize("action", ["review", "save"])
@pytest.mark.parametrize("where", ["far building", "missing", "garbage"])
def test_a_place_outside_the_community_is_no_choice(world, zhangsan, action, where):
    value = {
        "far building": f"b{world.b3.pk}",
        "missing": "b987654321",
        "garbage": "b12; drop",
    }[where]
    response = zhangsan.post("/voices/new/", {**SAID, "action": action, "where": value})
    assert response.status_code == 400
    assert "请选择问题在哪里。" in page(response)
    assert "这件事在哪里？" in page(response)
    assert hidden(response, "text")[0] == TEXT
    assert Item.objects.count() == 0


def test_an_empty_text_at_the_where_step_goes_back_to_the_text(world, zhangsan):
    response = zhangsan.post("/voices/new/", {"kind": "problem", "text": " ", "action": "where"})
    assert response.status_code == 400
    assert "请填写诉求内容。" in page(response)
    assert "第2步" in page(response)


def test_changing_the_place_from_the_review_opens_the_buildings_again(world, zhangsan):
    response = zhangsan.post(
        "/voices/new/", {**SAID, "action": "where", "where": f"b{world.b2.pk}"}
    )
    assert response.status_code == 200
    assert page(response).count('<details class="where-more" open>') == 1
    assert page(response).index('<details class="where-more" open>') < page(response).index(
        "另一栋楼或单元"
    )


def test_back_to_the_text_keeps_the_place_chosen(world, zhangsan):
    response = zhangsan.post(
        "/voices/new/",
        {**SAID, "action": "edit", "where": "community", "location_text": "广场"},
    )
    assert "第2步" in page(response)
    assert hidden(response, "where") == ["community"]
    assert hidden(response, "location_text") == ["广场"]
    assert TEXT in page(response)


def test_a_leader_enters_a_case_at_a_building_outside_their_reach(world, login):
    """1栋's building chief, visiting 张三, files 张三's report about 2栋: the same where
    step, the case at 2栋, and the chief reads it back after filing."""
    chief = login(world.users["building"])
    url = f"/voices/for/{world.residents['zhangsan'].pk}/"
    step = chief.post(url, {**SAID, "channel": "visit", "action": "where"})
    assert "居民家里" in page(step) and "居民住的楼" in page(step)
    done = chief.post(
        url,
        {**SAID, "channel": "visit", "action": "save", "where": f"b{world.b2.pk}"},
        follow=True,
    )
    item = Item.objects.get()
    assert done.status_code == 200
    assert item.number in page(done)
    assert item.building == world.b2
    assert item.reporters.get().entered_by == world.users["building"]


def test_the_where_step_reads_a_fixed_number_of_queries(world, zhangsan):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = zhangsan.post("/voices/new/", {**SAID, "action": "where"})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    before = count()
    compound = Compound.objects.get(grid=world.g1)
    for n in range(5):
        building = Building.objects.create(
            community=world.wj, grid=world.g1, compound=compound, number=str(10 + n), floors=6
        )
        for e in (1, 2):
            Entrance.objects.create(
                building=building, community=world.wj, grid=world.g1, compound=compound, number=e
            )
    Compound.objects.create(community=world.wj, grid=world.g2, name="新小区")
    assert count() == before
