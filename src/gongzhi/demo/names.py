"""Chinese personal names for the demo: surnames drawn by their frequency in China, given
names by the fashion of the decade a person was born in, . The search keys
of a name come from ``core.text.name_keys``, exactly as the services derive them.
"""

from __future__ import annotations

import random
from bisect import bisect
from itertools import accumulate

# (surname, share in per mille), roughly the national ranking with a Sichuan lean.
SURNAMES: list[tuple[str, float]] = [
    ("王", 71),
    ("李", 72),
    ("张", 66),
    ("刘", 58),
    ("陈", 50),
    ("杨", 38),
    ("黄", 22),
    ("赵", 21),
    ("吴", 20),
    ("周", 19),
    ("徐", 15),
    ("孙", 14),
    ("马", 14),
    ("朱", 13),
    ("胡", 13),
    ("郭", 12),
    ("何", 14),
    ("高", 11),
    ("林", 10),
    ("罗", 13),
    ("郑", 10),
    ("梁", 9),
    ("谢", 9),
    ("宋", 8),
    ("唐", 10),
    ("许", 7),
    ("韩", 7),
    ("冯", 7),
    ("邓", 8),
    ("曹", 7),
    ("彭", 7),
    ("曾", 7),
    ("肖", 7),
    ("田", 6),
    ("董", 5),
    ("袁", 6),
    ("潘", 5),
    ("于", 4),
    ("蒋", 6),
    ("蔡", 5),
    ("余", 6),
    ("杜", 6),
    ("叶", 5),
    ("程", 5),
    ("苏", 4),
    ("魏", 4),
    ("吕", 4),
    ("丁", 4),
    ("任", 5),
    ("沈", 4),
    ("姚", 4),
    ("卢", 4),
    ("姜", 3),
    ("崔", 3),
    ("钟", 4),
    ("谭", 4),
    ("陆", 3),
    ("汪", 3),
    ("范", 3),
    ("金", 3),
    ("石", 3),
    ("廖", 4),
    ("贾", 3),
    ("夏", 3),
    ("韦", 2),
    ("付", 4),
    ("方", 3),
    ("白", 3),
    ("邹", 3),
    ("孟", 2),
    ("熊", 4),
    ("秦", 3),
    ("邱", 3),
    ("江", 3),
    ("尹", 2),
    ("薛", 2),
    ("闫", 2),
    ("段", 2),
    ("雷", 3),
    ("侯", 2),
    ("龙", 3),
    ("史", 2),
    ("陶", 2),
    ("黎", 2),
    ("贺", 2),
    ("顾", 2),
    ("毛", 2),
    ("郝", 2),
    ("龚", 2),
    ("邵", 2),
    ("万", 2),
    ("钱", 2),
    ("严", 2),
    ("向", 3),
    ("戴", 2),
    ("莫", 1),
    ("孔", 1),
    ("汤", 2),
    ("文", 2),
    ("左", 1),
    ("代", 2),
    ("饶", 1),
    ("敬", 1),
    ("母", 1),
    ("税", 1),
    ("欧阳", 0.6),
    ("司马", 0.2),
    ("上官", 0.2),
    ("诸葛", 0.2),
]

# Given names by birth cohort and gender: whole names people of that cohort often got,
# and characters that make up the rest (first × second, or a single character).
_COHORTS = {
    # born before 1960
    "old": {
        "M": (
            "建国 国华 建华 志强 德明 国强 建军 卫东 玉明 文华 光明 永福 德华 福生 学文 "
            "长春 树林 国庆 志华 振华 明德 家祥 汉明 世荣 绍华 国富 忠诚 开明 荣华 跃进",
            "国建德志永文学家玉明世绍光树振福庆汉荣",
            "华明生林成贵才富清祥武山荣昌发全忠安",
        ),
        "F": (
            "秀英 桂英 秀兰 玉兰 桂兰 淑珍 凤英 玉珍 秀珍 兰英 素芬 丽华 淑华 桂芳 玉梅 "
            "翠花 秀华 淑英 桂珍 秀云 玉芳 凤兰 素珍 美华 月英 惠芳 琼英 桂花 秀芳 玉琴",
            "秀桂玉淑凤兰素美月惠琼翠金银",
            "英兰珍芳华梅云琴花芬莲霞仙",
        ),
    },
    # born 1960–1979
    "mid": {
        "M": (
            "建平 晓东 志勇 海涛 建伟 红军 小平 卫国 永红 建新 建明 晓明 国平 文军 光辉 "
            "俊峰 利民 新民 勇 军 伟 斌 涛 强 平 刚 杰 波 磊 亮 辉 鹏 海 宏 彬",
            "建晓志海永红卫国文俊利新小光兵",
            "平东勇涛伟军明民辉峰斌刚林强华",
        ),
        "F": (
            "丽 红 艳 敏 燕 霞 娟 静 梅 芳 玲 萍 丽娟 晓燕 小红 海燕 春梅 红梅 秀梅 雪梅 "
            "晓红 丽萍 艳红 慧 琳 丽华 永红 建英 晓琴 利群",
            "丽晓小海春红秀雪艳建永利慧",
            "娟燕红梅萍琴英华霞玲芳莉蓉",
        ),
    },
    # born 1980–1999
    "young": {
        "M": (
            "俊杰 浩然 宇航 志伟 家豪 博文 天宇 明轩 建宇 鑫 宇 帅 超 浩 杰 磊 鹏 "
            "晨 阳 凯 皓 一鸣 子豪 文杰 海洋 思远 嘉伟 俊宏",
            "俊浩宇志家博天明嘉思文海子凯",
            "杰然航伟豪文宇轩峰远洋辉鹏龙",
        ),
        "F": (
            "婷婷 欣怡 梦瑶 佳怡 雨欣 思琪 晓雪 诗雨 婷 雪 丹 倩 悦 欣 琪 蕾 璐 "
            "佳 静怡 雅琴 晓丽 梦洁 丹丹 颖 露 莹 巧玲",
            "婷欣梦佳雨思晓诗雅静丹秋",
            "婷怡瑶琪雪雨丽洁颖琳悦蕾",
        ),
    },
    # born 2000 and later
    "child": {
        "M": (
            "子涵 梓轩 浩宇 宇轩 一诺 俊熙 沐宸 梓睿 子墨 皓轩 奕辰 宇泽 铭泽 "
            "睿 轩 泽 宸 昊天 思源 锦程 嘉懿 煜祺 天佑 博涵",
            "梓子浩宇俊沐皓奕铭睿嘉锦天",
            "轩睿墨辰泽熙宸豪航洋程杰涵",
        ),
        "F": (
            "梓涵 雨桐 可馨 诗涵 梦琪 语桐 若汐 思彤 梓萱 依诺 欣妍 芷若 一诺 "
            "子涵 欣怡 佳琪 雨涵 紫萱 悦 彤 萱 瑶 安琪 思琪 诗琪",
            "梓雨可诗梦语若思依欣芷紫佳安",
            "涵桐馨琪汐彤萱诺妍若瑶怡琳",
        ),
    },
}


def cohort_of(year: int) -> str:
    if year < 1960:
        return "old"
    if year < 1980:
        return "mid"
    if year < 2000:
        return "young"
    return "child"


class NameMaker:
    """Draws names from a ``random.Random`` so that a seed fixes every name."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._surnames = [s for s, _w in SURNAMES]
        self._cum = list(accumulate(w for _s, w in SURNAMES))
        self._pools = {
            (cohort, gender): (whole.split(), list(first), list(second))
            for cohort, by_gender in _COHORTS.items()
            for gender, (whole, first, second) in by_gender.items()
        }

    def surname(self) -> str:
        return self._surnames[bisect(self._cum, self.rng.random() * self._cum[-1])]

    def given(self, year: int, gender: str) -> str:
        whole, first, second = self._pools[(cohort_of(year), gender)]
        r = self.rng.random()
        if r < 0.55:
            return self.rng.choice(whole)
        if r < 0.65:
            return self.rng.choice(second)
        return self.rng.choice(first) + self.rng.choice(second)

    def full(self, year: int, gender: str, surname: str | None = None) -> str:
        return (surname or self.surname()) + self.given(year, gender)
