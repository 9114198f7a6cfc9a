"""The catalogue seed: every category the article names is there, with sensible levels,
units found by name, hour limits where danger is the matter, and staff edits survive a
second run."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from gongzhi.orgs.models import PartnerUnit
from gongzhi.voices.catalogue import SEEDS, ensure_categories
from gongzhi.voices.enums import Level, TimeUnit
from gongzhi.voices.models import Category

ARTICLE = ["电梯加装", "违建拆除", "管线迁改", "楼栋拆除", "停车", "飞线整治", "文明劝导",
           "空间美化", "环境卫生", "邻里纠纷", "安全隐患", "助老服务"]  # fmt: skip
ROUTINE = ["供水", "供电", "燃气", "物业服务", "道路设施", "噪音", "绿化", "治安", "其他"]


def test_the_article_and_routine_categories_are_seeded(world):
    ensure_categories()
    names = set(Category.objects.values_list("name", flat=True))
    assert names == set(ARTICLE) | set(ROUTINE)
    assert Category.objects.count() == len(SEEDS) == 21


def test_every_category_but_other_has_keywords_a_resident_would_use(world):
    ensure_categories()
    for category in Category.objects.exclude(code="other"):
        assert len(category.keywords.split()) >= 10, category.code
        assert category.expected_action


def test_levels_follow_small_matters_stay_in_the_grid(world):
    ensure_categories()
    level = dict(Category.objects.values_list("code", "default_level"))
    for code in ("sanitation", "civility", "neighbour_dispute"):
        assert level[code] == Level.GRID
    for code in ("elevator_retrofit", "illegal_structure", "pipeline_relocation",
                 "building_demolition"):  # fmt: skip
        assert level[code] == Level.COMMUNITY


def test_dangers_count_in_hours(world):
    ensure_categories()
    hazard = Category.objects.get(code="safety_hazard")
    assert (hazard.urgent, hazard.time_unit) == (True, TimeUnit.HOURS)
    assert Category.objects.get(code="sanitation").time_unit == TimeUnit.DAYS


def test_units_are_found_by_short_name_and_absent_ones_stay_empty(world):
    ensure_categories()
    units = {c.code: c.default_unit for c in Category.objects.select_related("default_unit")}
    assert units["elevator_retrofit"] == world.partner  # 市住建局
    assert units["building_demolition"] == world.partner
    assert units["illegal_structure"] is None  # no 城管 unit in this world yet
    assert units["water_supply"] is None


def test_a_second_run_adds_nothing_keeps_edits_and_fills_late_units(world):
    ensure_categories()
    parking = Category.objects.get(code="parking")
    parking.keywords = "停车 车位"
    parking.default_level = Level.COMMUNITY
    parking.save()
    cgj = PartnerUnit.objects.create(
        name="攀枝花市城市管理行政执法局", short_name="市城管局", kind="government"
    )
    ensure_categories()
    assert Category.objects.count() == 21
    parking.refresh_from_db()
    assert (parking.keywords, parking.default_level) == ("停车 车位", Level.COMMUNITY)
    assert Category.objects.get(code="illegal_structure").default_unit == cgj


def test_a_category_staff_made_under_another_code_is_left_alone(world):
    Category.objects.create(code="lift", name="电梯加装")
    ensure_categories()
    assert Category.objects.filter(name="电梯加装").count() == 1
    assert not Category.objects.filter(code="elevator_retrofit").exists()


@pytest.mark.django_db
def test_seed_command(capsys):
    call_command("seed_categories")
    call_command("seed_categories")
    assert Category.objects.count() == 21
    assert "新增 0 个" in capsys.readouterr().out
