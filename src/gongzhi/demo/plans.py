"""What to generate: the Wangjiang Street community as the report describes it, its two
neighbours in Bingcaogang subdistrict, and the communities of a whole city."""

from __future__ import annotations

import datetime as dt
import random

from gongzhi.core.text import chinese_numeral

from .generator import CommunityPlan, CompoundPlan, GridPlan

SUBDISTRICT = {"code": "510402001", "name": "炳草岗街道", "district": "东区"}
WANGJIANG_CODE = "510402001001"
WANGJIANG_NAME = "望江街社区"
WANGJIANG_HOUSEHOLDS = 5040
WANGJIANG_BUILDINGS = 102
# The 1,478 households the survey covered live in the first five grids, along 望江路 and
# 民安巷 (the article names the households, not the grids).
SURVEY_AREA = ("望江片区", 1478)
SURVEY_GRIDS = 5
# Households a grid holds: a few hundred, so that its grid worker can know them. The
# article gives no number of grids; 5,040 households make sixteen of about 315.
HOUSEHOLDS_PER_GRID = 315

# Compounds of the community by grid: (name, street, buildings). 102 buildings in all,
# six or seven to a grid; a compound too big for one grid is split into 区 (甘露园).
WANGJIANG_COMPOUNDS = [
    [("甘露园", "望江路", 7)],
    [("甘露园二区", "望江路", 6)],
    [("民安巷小区", "民安巷", 6)],
    [("望江苑", "望江路", 6)],
    [("望江苑二期", "望江路", 3), ("民安巷东院", "民安巷", 3)],
    [("江畔小区", "沿江路", 6)],
    [("十九冶宿舍", "炳草岗大街", 7)],
    [("十九冶东苑", "炳草岗大街", 3), ("建安小区", "炳草岗大街", 4)],
    [("电业局宿舍", "人民街", 6)],
    [("新华里", "新华街", 7)],
    [("金沙小区", "金沙江大道东段", 7)],
    [("团结小区", "人民街", 6)],
    [("攀钢望江生活区", "攀枝花大道东段", 7)],
    [("攀钢二区", "攀枝花大道东段", 3), ("林业局宿舍", "新华街", 3)],
    [("商业局宿舍", "民建巷", 3), ("望江巷小区", "望江巷", 3)],
    [("民建巷小区", "民建巷", 3), ("沿江小区", "沿江路", 3)],
]


def grid_name(n: int) -> str:
    """第一网格, 第十二网格: grids are named by their number in words."""
    return f"第{chinese_numeral(n)}网格"


WANGJIANG_GRIDS = [
    (grid_name(i), compounds) for i, compounds in enumerate(WANGJIANG_COMPOUNDS, start=1)
]

NEIGHBOURS = [
    (
        "510402001002",
        "人民街社区",
        [("第一网格", [("人民街小区", "人民街", 4), ("邮电宿舍", "人民街", 3)])],
        260,
    ),
    (
        "510402001003",
        "新华街社区",
        [("第一网格", [("新华小区", "新华街", 4), ("工商银行宿舍", "新华街", 2)])],
        220,
    ),
]


def _grids(spec, scale: float = 1.0) -> list[GridPlan]:
    grids = []
    for name, compounds in spec:
        grids.append(
            GridPlan(
                name,
                [CompoundPlan(c, street, max(1, round(n * scale))) for c, street, n in compounds],
            )
        )
    return grids


def wangjiang_plan(households: int = WANGJIANG_HOUSEHOLDS) -> CommunityPlan:
    """The community as the report has it; ``households`` below 5,040 gives a scaled-down
    copy (fewer buildings, a proportional survey area) for quick tests."""
    scale = households / WANGJIANG_HOUSEHOLDS
    grids = (
        _grids(WANGJIANG_GRIDS, scale)
        if households != WANGJIANG_HOUSEHOLDS
        else _grids(WANGJIANG_GRIDS)
    )
    return CommunityPlan(
        code=WANGJIANG_CODE,
        name=WANGJIANG_NAME,
        grids=grids,
        households=households,
        founded_on=dt.date(2001, 7, 1),
        area_km2="0.70",
        survey_area=(SURVEY_AREA[0], round(SURVEY_AREA[1] * scale), SURVEY_GRIDS),
    )


def neighbour_plans(count: int = 2) -> list[CommunityPlan]:
    return [
        CommunityPlan(
            code=code, name=name, grids=_grids(grids), households=n, founded_on=dt.date(2001, 7, 1)
        )
        for code, name, grids, n in NEIGHBOURS[:count]
    ]


# -- the city ---------------------------------------------------------------------------

CITY_SUBDISTRICTS = [
    ("510402001", "炳草岗街道", "东区"),
    ("510402002", "东华街道", "东区"),
    ("510402003", "大渡口街道", "东区"),
    ("510402004", "弄弄坪街道", "东区"),
    ("510402005", "瓜子坪街道", "东区"),
    ("510402006", "向阳村街道", "东区"),
    ("510403001", "清香坪街道", "西区"),
    ("510403002", "玉泉街道", "西区"),
    ("510411001", "仁和街道", "仁和区"),
    ("510411002", "大河中路街道", "仁和区"),
    ("510402007", "银江镇", "东区"),
    ("510403003", "格里坪镇", "西区"),
]

_PLACE_WORDS = [
    "人民街",
    "新华街",
    "马家田",
    "上海路",
    "长寿路",
    "机场路",
    "三线",
    "攀枝花大道",
    "金沙",
    "密地",
    "枣子坪",
    "渡口",
    "清香坪",
    "玉泉",
    "河门口",
    "格里坪",
    "大河",
    "仁和",
    "五十一",
    "胜利",
    "健康路",
    "荷花池",
    "湖光",
    "联合",
    "团结",
    "东风",
    "红旗",
    "跃进",
    "向阳",
    "光明",
    "兴盛",
    "康宁",
    "宝兴",
    "和平",
    "长春",
    "竹湖园",
    "花城",
    "阳光",
    "学府",
    "江南",
    "江北",
    "渡仁",
    "银江",
    "弄弄坪",
    "瓜子坪",
    "大渡口",
    "东华",
    "炳三区",
    "巴关河",
    "公园",
    "荷花",
    "万宝",
    "文化",
    "新庄",
    "滨江",
    "凤凰",
    "金江",
    "倮果",
    "沙沟",
    "五道河",
    "炳二区",
    "炳四区",
    "南山",
    "北山",
    "临江",
    "半山",
    "攀密",
    "钢城",
    "冶金",
    "电业",
    "煤矿",
    "矿山",
    "建设",
    "民主",
    "民生",
    "民建",
    "龙珠",
    "三角花园",
    "观音",
    "大水井",
    "九附六",
    "西佛寺",
    "沙坝",
    "苏铁",
    "木棉",
    "芒果",
    "石榴",
    "攀莲",
    "金牛",
    "前进",
    "建新",
    "友谊",
    "育才",
]
_COMPOUND_STYLES = ("{w}小区", "{w}苑", "{w}花园", "{w}新村", "{w}里", "{w}宿舍")
_COMPOUND_WORDS = [
    "十九冶",
    "二十冶",
    "攀钢",
    "攀煤",
    "电业局",
    "林业局",
    "商业局",
    "建工",
    "交通局",
    "水泥厂",
    "机械厂",
    "纺织厂",
    "锦绣",
    "金色",
    "阳光",
    "幸福",
    "和谐",
    "安居",
    "康乐",
    "福泽",
    "吉祥",
    "翠苑",
    "江景",
    "滨河",
    "丽景",
    "馨园",
    "怡园",
    "民安",
    "长青",
    "紫荆",
    "木棉",
    "银杏",
    "桂花",
    "芙蓉",
    "兰亭",
    "竹韵",
    "松鹤",
    "百花",
    "雅居",
]
_STREETS = [
    "人民街",
    "新华街",
    "长寿路",
    "机场路",
    "攀枝花大道东段",
    "攀枝花大道南段",
    "三线大道",
    "金沙江大道",
    "民建巷",
    "湖光路",
    "健康路",
    "荷花池路",
    "炳草岗大街",
    "巴关河路",
    "大渡口街",
    "东华路",
    "清香坪街",
    "玉泉路",
    "仁和街",
    "大河中路",
    "宝兴路",
    "滨江大道",
    "凤凰路",
    "临江路",
]


def city_plans(seed: int, communities: int) -> list[tuple[tuple[str, str, str], CommunityPlan]]:
    """``communities`` communities of about 12,000 residents each, ten to a subdistrict;
    the first is Wangjiang (the demo community, full size) and the first subdistrict is
    Bingcaogang."""
    rng = random.Random(f"{seed}:city")
    words = list(_PLACE_WORDS)
    rng.shuffle(words)
    words = [w for w in words if w not in ("望江街",)]
    plans: list[tuple[tuple[str, str, str], CommunityPlan]] = [
        (CITY_SUBDISTRICTS[0], wangjiang_plan())
    ]
    i = 1
    while len(plans) < communities:
        sd = CITY_SUBDISTRICTS[(i // 10) % len(CITY_SUBDISTRICTS)]
        round_ = i // (10 * len(CITY_SUBDISTRICTS))
        word = words[i % len(words)] + ("" if i < len(words) else f"{i // len(words) + 1}")
        households = rng.randint(4600, 5400)
        buildings = round(households / rng.uniform(46, 52))
        n_grids = max(1, round(households / (HOUSEHOLDS_PER_GRID * rng.uniform(0.95, 1.1))))
        grids = []
        taken: set[str] = set()
        left = buildings
        for g in range(n_grids):
            per_grid = left // (n_grids - g)
            left -= per_grid
            compounds = []
            n_comp = 2 if per_grid >= 6 and rng.random() < 0.5 else 1
            for c in range(n_comp):
                n = per_grid // n_comp + (per_grid % n_comp if c == 0 else 0)
                cname = rng.choice(_COMPOUND_STYLES).format(w=rng.choice(_COMPOUND_WORDS))
                phase = 2
                base = cname
                while cname in taken:
                    cname = f"{base}{phase}期"
                    phase += 1
                taken.add(cname)
                compounds.append(CompoundPlan(cname, rng.choice(_STREETS), n))
            grids.append(GridPlan(grid_name(g + 1), compounds))
        code = f"{sd[0]}{(i % 10) + 1 + round_ * 10:03d}"
        plans.append(
            (
                sd,
                CommunityPlan(
                    code=code,
                    name=f"{word}社区",
                    grids=grids,
                    households=households,
                    founded_on=dt.date(rng.randint(1985, 2012), rng.randint(1, 12), 1),
                    district=sd[2],
                ),
            )
        )
        i += 1
    return plans
