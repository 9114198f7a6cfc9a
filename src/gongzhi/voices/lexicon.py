"""How residents write, rewritten into the words the catalogue and the model read.

Residents of Panzhihua write Sichuan Mandarin (莫得, 咋个, 遭不住, 屋头, 耗子), type on
phones with pinyin input (路等 for 路灯, 漏睡 for 漏水: the right sound, the wrong
character) and in Traditional script. The catalogue's keywords and the model's features
are standard Simplified Mandarin; this module closes the gap before any feature is made.

Three layers, applied in this order by ``standardise``:

1. ``DIALECT``: Sichuan words → standard ones; longest match first, so 晓不得 wins over
   晓得 and 要不得 over 要得. Only words whose standard sense is unambiguous in a
   complaint: 好久 (how long / a long time) and 整 (do / whole) are left alone.
2. ``_LOCATIVE``: the Sichuan locative 头 (屋头, 楼道头, 冰箱头 = in the house, in the
   stairwell, in the fridge) → 里, only after place nouns, never before 晕/痛/顶.
3. ``TYPOS``: slips common enough to list, mostly where the danger patterns need them
   (燃汽 must read as 燃气 for the gas patterns) or where the sound differs (跳匣).

A fourth layer is not a list: ``HomophoneFixer`` replaces a run of characters that sounds
like a routing word (toneless pinyin, with the initials and finals Sichuan speakers merge)
but is not itself a common word, by that word. It serves the classifier only; the danger
patterns read the output of ``standardise`` so that they never fire on a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

from pypinyin import lazy_pinyin

DIALECT: dict[str, str] = {
    # negation, questions
    "莫得": "没有",
    "没得": "没有",
    "冒得": "没有",
    "莫有": "没有",
    "咋个": "怎么",
    "咋子": "怎么",
    "啷个": "怎么",
    "咋": "怎么",
    "啥子": "什么",
    "啥": "什么",
    "哪点": "哪里",
    "晓不得": "不知道",
    "不晓得": "不知道",
    "晓得": "知道",
    "要不得": "不行",
    "得行": "可以",
    "遭不住": "受不了",
    "搞不赢": "来不及",
    # judgements
    "恼火": "麻烦",
    "巴适": "舒服",
    "安逸": "舒服",
    "撇脱": "简单",
    "造孽": "可怜",
    "闹麻了": "很吵",
    "吵死人": "很吵",
    "扯拐": "出问题",
    "稀巴烂": "很烂",
    "稀烂": "很烂",
    "稀脏": "很脏",
    "黑黢黢": "很黑",
    "黑区麻孔": "很黑",
    "惊叫唤": "大喊大叫",
    "搞快点": "尽快",
    "搞快": "尽快",
    # people
    "老辈子": "老人",
    "老汉儿": "老人",
    "老汉": "老人",
    "老爷子": "老大爷",
    "婆婆": "老奶奶",
    "孃孃": "阿姨",
    "嬢嬢": "阿姨",
    "娃娃": "孩子",
    "娃儿": "孩子",
    "幺儿": "孩子",
    "贼娃子": "小偷",
    # things and places
    "耗子": "老鼠",
    "偷油婆": "蟑螂",
    "蚊虫": "蚊子",
    "屋头": "家里",
    "灶房": "厨房",
    "灶屋": "厨房",
    "茅厕": "厕所",
    "茅房": "厕所",
    "脑壳": "头",
    "坝坝舞": "广场舞",
    "坝坝会": "居民会",
    "坝坝宴": "聚餐",
    "院坝": "院子",
    "坝子": "空地",
    "楼脚": "楼下",
    "底楼": "一楼",
    "梯坎": "台阶",
    "梯步": "台阶",
    "街沿": "人行道",
    "阳沟": "排水沟",
    "门面": "商铺",
    "铺子": "商铺",
    "电驴子": "电动车",
    "电驴": "电动车",
    "电马儿": "电动车",
    "电毛驴": "电动车",
    "火星子": "火花",
    "烟子": "烟",
    "狗粑粑": "狗屎",
    "粑粑": "粪便",
    "摆龙门阵": "聊天",
    "龙门阵": "聊天",
    # nouns said twice
    "棚棚": "棚子",
    "线线": "电线",
    "桶桶": "桶",
    "沟沟": "水沟",
    "坑坑": "坑",
    "凼凼": "水坑",
    "摊摊": "小摊",
    "渣渣": "渣子",
    "壳壳": "壳",
    "盖盖": "盖子",
    "罐罐": "罐子",
    "板板": "板子",
    "杆杆": "杆子",
    "管管": "管子",
    "角角": "角落",
    "边边": "边上",
    "巷巷": "巷子",
    "洞洞": "洞",
    "缝缝": "缝",
    "雨搭搭": "雨棚",
    # doing
    "遭电打": "触电",
    "着电打": "触电",
    "遭偷": "被偷",
    "遭抢": "被抢",
    "遭骗": "被骗",
    "遭打": "被打",
    "遭撞": "被撞",
    "遭淹": "被淹",
    "遭砸": "被砸",
    "遭贼": "被偷",
    "遭人": "被人",
    "哄人": "骗人",
    "哄老": "骗老",
    "打不燃": "打不着火",
    "打燃": "点着",
    "燃起来": "烧起来",
    "燃起了": "烧起来了",
    "烧起了": "烧起来了",
    "整烂": "弄坏",
    "整坏": "弄坏",
    "搞烂": "弄坏",
    "烂了": "坏了",
    "里头": "里",
    "外头": "外面",
    "后头": "后面",
    "前头": "前面",
    "上头": "上面",
    "娘娘": "阿姨",
    "扯电线": "拉电线",
    "扯线": "拉线",
    "牵线": "拉线",
    "牵根线": "拉根线",
    "耍": "玩",
    "一哈": "一下",
}

# V起 = V着 (停起一年 = parked for a year); not before 来, where 起来 is standard.
_DURATIVE = re.compile(r"(停|坐|摆|放|堆|挂|晾|住|锁|关)起(?![来])")
# 屋头, 楼道头, 冰箱头, 车棚头 = in the house / stairwell / fridge / shed.
_LOCATIVE = re.compile(
    r"(房|屋|箱|棚|道|院|桶|沟|池|区|柜|巷子|院子|坝子|房子)头(?![晕昏痛疼顶发上])"
)

_ZHE = re.compile(r"著(?![名作称述录])")

TYPOS: dict[str, str] = {
    "天燃气": "天然气",
    "燃汽": "燃气",
    "煤汽": "煤气",
    "液化汽": "液化气",
    "露气": "漏气",
    "水笼头": "水龙头",
    "拉圾": "垃圾",
    "垃级": "垃圾",
    "拉级": "垃圾",
    "跳匣": "跳闸",
    "电平车": "电瓶车",
    "电频车": "电瓶车",
    "冲电": "充电",
    "路等": "路灯",
    "漏睡": "漏水",
    "以经": "已经",
    "己经": "已经",
    "按装": "安装",
}

_ENTRIES = {**DIALECT, **TYPOS}
_REPLACE = re.compile("|".join(re.escape(k) for k in sorted(_ENTRIES, key=len, reverse=True)))


def standardise(simple: str) -> str:
    """Simplified, lower-cased text → the standard words for the same things."""
    text = _REPLACE.sub(lambda m: _ENTRIES[m.group(0)], simple)
    text = _DURATIVE.sub(r"\1着", text)
    text = _LOCATIVE.sub(r"\1里", text)
    # Traditional 著 stays 著 through OpenCC where the simplified text would have 着.
    return _ZHE.sub("着", text)


# --- homophones ---------------------------------------------------------------------------

# Sounds that pinyin input set to fuzzy matching (common among Sichuan speakers, who do not
# tell them apart) gives the same candidates for. n/l and f/h are merged in speech too, but
# merging them here turns too many ordinary words into routing words.
_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"))
_FUZZY_FINALS = (("ing", "in"), ("eng", "en"))


@lru_cache(maxsize=65536)
def sound(syllable: str) -> str:
    """A toneless syllable with the merged sounds merged: zhi → zi, ying → yin."""
    for a, b in _FUZZY_INITIALS:
        if syllable.startswith(a):
            syllable = b + syllable[len(a) :]
            break
    for a, b in _FUZZY_FINALS:
        if syllable.endswith(a):
            syllable = syllable[: -len(a)] + b
            break
    return syllable


@lru_cache(maxsize=65536)
def _char_sound(char: str) -> str:
    if not "\u4e00" <= char <= "\u9fff":
        return ""
    return sound(lazy_pinyin(char)[0])


class HomophoneFixer:
    """Replaces a run of characters that sounds like one of ``targets`` (words residents
    often mistype) but is not a common word itself by that word: 路等 → 路灯.

    Only runs made of whole segments are considered (``segment`` is jieba without its
    guessing of new words): 建议违建 is 建议 + 违建, so 议违 never reads as 异味, and 拖拉机
    is one word, so its 拉机 never reads as 垃圾. A common word (``frequency`` at or above
    ``rare``) is never replaced: 假装 stays though it sounds like 加装."""

    def __init__(
        self,
        targets: Iterable[str],
        frequency: Mapping[str, int],
        segment: Callable[[str], Iterable[str]],
        rare: int = 20,
    ):
        self.rare = rare
        self.frequency = frequency
        self.segment = segment
        self.targets = {w for w in targets if 2 <= len(w) <= 4}
        self.by_sound: dict[tuple[str, ...], str] = {}
        for word in sorted(self.targets, key=lambda w: (-frequency.get(w, 0), w)):
            key = tuple(sound(s) for s in lazy_pinyin(word))
            if len(key) == len(word):
                self.by_sound.setdefault(key, word)

    def __call__(self, text: str) -> str:
        pieces = list(self.segment(text))
        out, i = [], 0
        while i < len(pieces):
            for span in (3, 2, 1):
                run = "".join(pieces[i : i + span])
                if i + span > len(pieces) or not 2 <= len(run) <= 4:
                    continue
                sounds = tuple(_char_sound(c) for c in run)
                target = self.by_sound.get(sounds) if all(sounds) else None
                if (
                    target is not None
                    and target != run
                    and run not in self.targets
                    and self.frequency.get(run, 0) < self.rare
                ):
                    out.append(target)
                    i += span
                    break
            else:
                out.append(pieces[i])
                i += 1
        return "".join(out)


# What the homophone layer corrects to: routing words residents often mistype. Curated, not
# the whole catalogue: every target is a chance to turn an ordinary phrase into a routing
# word (楼道 sounds like 漏到, 调解 like 条街, 老鼠 like 老树), so only words that are
# mistyped often and sound like nothing common are here.
HOMOPHONE_TARGETS = (
    "路灯",
    "楼道灯",
    "漏水",
    "积水",
    "垃圾",
    "垃圾桶",
    "物业",
    "物业费",
    "电梯",
    "违建",
    "邻居",
    "监控",
    "小偷",
    "修剪",
    "树枝",
    "噪音",
    "拆迁",
    "补偿",
    "分流",
    "雨污分流",
    "活动室",
    "志愿者",
    "燃气",
    "煤气",
    "天然气",
    "水龙头",
    "电瓶车",
    "充电",
    "充电桩",
    "拴绳",
    "井盖",
    "下水道",
    "化粪池",
    "停车位",
    "广场舞",
    "装修",
    "门禁",
    "危房",
    "安置",
    "彩钢棚",
    "私拉电线",
    "蟑螂",
    "灭火器",
    "坑洼",
    "斑马线",
    "红绿灯",
    "人行道",
    "保健品",
    "电动车",
    "摩托车",
)
