"""Routing: keyword rules while history is thin, the trained model once it is not,
urgency, Traditional input, and the suggestion API."""

from __future__ import annotations

import pytest

from gongzhi.core.text import to_traditional
from gongzhi.voices import routing
from gongzhi.voices.catalogue import ensure_categories
from gongzhi.voices.enums import Level


@pytest.fixture(autouse=True)
def _fresh_model_cache():
    routing.clear_model_cache()
    yield
    routing.clear_model_cache()


@pytest.fixture
def catalogue(world):
    ensure_categories()


# What residents actually write, and the category staff would file it under.
RESIDENT_TEXTS = [
    ("3栋2单元楼道里有人从窗户拉电线给电瓶车充电，太危险了", "flying_wires"),
    ("楼上住户每天晚上从五楼吊根电线下来给电动车充电", "flying_wires"),
    ("闻到很大的煤气味", "gas"),
    ("厨房燃气灶打不着火，燃气表也不走字了", "gas"),
    ("我们单元想加装电梯，老人爬楼梯太难了，请社区帮忙协调", "elevator_retrofit"),
    ("加装电梯的费用怎么分摊，一楼住户不同意", "elevator_retrofit"),
    ("后院有人私搭乱建彩钢棚，占了公共通道", "illegal_structure"),
    ("2楼住户在楼顶加盖了一间铁皮房，属于违建吧", "illegal_structure"),
    ("楼下的架空线缆像蜘蛛网一样，什么时候能入地", "pipeline_relocation"),
    ("我们这栋楼是危房，什么时候鉴定拆除，怎么安置", "building_demolition"),
    ("小区门口乱停车，把消防通道都堵住了", "parking"),
    ("晚上回来根本找不到停车位", "parking"),
    ("有人遛狗不牵绳，狗屎到处都是", "civility"),
    ("电线杆和单元门上贴满了小广告", "civility"),
    ("想把楼下那块闲置空地改造成口袋公园，放几张长椅", "space_beautification"),
    ("垃圾桶满了好几天没人清运，臭得很", "sanitation"),
    ("楼道里堆放了很多杂物，还有老鼠", "sanitation"),
    ("楼上邻居家装修把我家卫生间渗水到了，协商不成", "neighbour_dispute"),
    ("和对门邻居因为占用过道的事吵架，想请调解", "neighbour_dispute"),
    ("小区里的井盖松动了，踩上去摇晃，怕有人掉下去", "safety_hazard"),
    ("楼道里的灭火器都过期了，消防栓也是空的", "safety_hazard"),
    ("独居老人张婆婆腿脚不便，想申请助餐送餐", "elderly_service"),
    ("家里老人行动不便，能不能请志愿者陪诊", "elderly_service"),
    ("今天又停水了，高层一点水压都没有", "water_supply"),
    ("自来水发黄浑浊，不敢喝", "water_supply"),
    ("家里一开空调就跳闸，整栋楼电压不稳", "power_supply"),
    ("又停电了，也没有停电通知", "power_supply"),
    ("物业费收了，楼道灯坏了一个月都不来修", "property_service"),
    ("单元门禁坏了，谁都能进来，物业不管", "property_service"),
    ("小区门口的人行道坑坑洼洼，下雨全是积水", "roads"),
    ("每天晚上广场舞音响太吵了，睡不着", "noise"),
    ("隔壁装修电钻从早响到晚，中午也不停", "noise"),
    ("楼下的大树挡住阳光，树枝都伸进窗户了，请修剪", "greening"),
    ("有人把绿地毁了种菜", "greening"),
    ("最近小区电动车电瓶被偷了好几起，有可疑的陌生人", "public_security"),
    ("有人在小区里向老人推销保健品，怀疑是诈骗", "public_security"),
]


@pytest.mark.parametrize(("text", "code"), RESIDENT_TEXTS)
def test_keywords_classify_what_residents_write(catalogue, text, code):
    suggestions = routing.suggest(text)
    assert suggestions[0].category.code == code


def test_keyword_fallback_is_right_for_almost_all_and_top3_for_all(catalogue):
    top1 = sum(routing.suggest(t)[0].category.code == c for t, c in RESIDENT_TEXTS)
    top3 = sum(c in [s.category.code for s in routing.suggest(t)] for t, c in RESIDENT_TEXTS)
    assert top1 == len(RESIDENT_TEXTS)
    assert top3 == len(RESIDENT_TEXTS)


@pytest.mark.parametrize(("text", "code"), RESIDENT_TEXTS[::3])
def test_traditional_input_gets_the_same_answer(catalogue, text, code):
    simple = routing.suggest(text)
    traditional = routing.suggest(to_traditional(text))
    assert to_traditional(text) != text or text.isascii()
    assert [(s.category.code, s.score) for s in traditional] == [
        (s.category.code, s.score) for s in simple
    ]


def test_nothing_recognisable_falls_back_to_other(catalogue):
    suggestions = routing.suggest("你好")
    assert len(suggestions) == 1
    assert suggestions[0].category.code == "other"
    assert suggestions[0].score == 0.0


def test_suggestions_are_ranked_and_bounded(catalogue):
    suggestions = routing.suggest("楼道里堆满杂物，还有人拉电线充电，消防通道也被车堵了", limit=3)
    assert 1 < len(suggestions) <= 3
    scores = [s.score for s in suggestions]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 1 for s in scores)


def test_gas_smell_is_urgent_and_goes_to_the_gas_company_at_community_level(world):
    from gongzhi.orgs.models import PartnerUnit

    gas = PartnerUnit.objects.create(
        name="攀枝花市燃气有限公司", short_name="市燃气公司", kind="utility"
    )
    ensure_categories()
    top = routing.suggest("闻到很大的煤气味")[0]
    assert (top.category.code, top.urgent, top.unit, top.level) == (
        "gas",
        True,
        gas,
        Level.COMMUNITY,
    )


def test_small_matters_stay_in_the_grid(catalogue):
    top = routing.suggest("垃圾桶满了好几天没人清运，臭得很")[0]
    assert (top.category.code, top.level, top.urgent) == ("sanitation", Level.GRID, False)


def test_default_unit_comes_from_the_catalogue(world, catalogue):
    top = routing.suggest("我们单元想加装电梯")[0]
    assert top.unit == world.partner  # 市住建局


URGENT = [
    "闻到很大的煤气味",
    "厨房里一股燃气味，是不是漏气了",
    "楼道里电线裸露在外面，还冒火花",
    "配电箱漏电，刚才有人被电了一下触电",
    "楼下水管爆裂了，整个一楼都在漫水",
    "3栋外墙开裂，裂缝越来越大",
    "楼体有点倾斜，住户很害怕，墙体开裂",
    "车棚着火了，冒烟很大",
    "电梯困人了，快来人",
    "楼下不知道谁家水管爆了",
]
NOT_URGENT = [
    "楼道灯坏了",
    "没有闻到煤气味，只是想问燃气费怎么交",
    "担心电瓶车在楼道充电起火",
    "想问一下加装电梯的补助政策",
    "广场舞太吵了",
    "不是漏气，是燃气灶打不着火",
    "垃圾没人清运",
]


@pytest.mark.parametrize("text", URGENT)
def test_dangers_are_urgent(text):
    assert routing.is_urgent(text) is True
    assert routing.is_urgent(to_traditional(text)) is True


@pytest.mark.parametrize("text", NOT_URGENT)
def test_ordinary_denied_or_feared_matters_are_not_urgent(text):
    assert routing.is_urgent(text) is False
