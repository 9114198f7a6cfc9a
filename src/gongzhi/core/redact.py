"""What of a resident's words may be shown to the public: the text with everything that
leads to a person or a door masked, and whether the resident asked to keep it private.

Pure functions over strings: the caller passes the names to look for (the community's
register and the reporters), so this module reads nothing and imports nothing above core.

The rule is "nothing identifies a person or a household below the building":

- mobile numbers however written (spaces, dashes, dots, full-width or Chinese digits,
  +86 / 86 / 0086 prefixes), landlines, ID numbers (18 or 15 digits, X, separators),
  e-mail addresses, licence plates and any other run of seven or more digits;
- door numbers ("202户", "301室", "501房", "3楼301", "2单元501", "二单元501", "3-2-501"): the
  building stays ("3栋", "3-"), the entrance, floor and door go;
- names from the register and the reporters' names ("张三" → "张*"), and "王阿姨"-style
  forms of address ("王**").

Masking turns each digit or letter of a number into "*" and keeps its separators and unit
words, so the text still reads ("电话*** **** ****", "3栋*单元***"); a name keeps its first
character, as ``voices.selectors.mask_name`` shows names to partner units.

Matching runs on a copy of the text in which full-width characters and Chinese digits are
replaced one for one by ASCII, so every match maps back to the same positions of the
original. Each kind of match is blanked out of that copy before the next kind looks, so
kinds never overlap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .text import to_simplified

MASK = "*"
# A character no pattern matches: what is already masked is blanked with it.
_BLANK = "\x00"

# One for one, so positions in the copy are positions in the original.
_FOLD = str.maketrans(
    "０１２３４５６７８９"
    "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
    "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"
    "＋－—–‐‑．（）　＠＿／："
    "〇零一二三四五六七八九幺",
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+-----.() @_/:001234567891",
)

_SEP = r"[ \t\-.·_]?"  # between digits of one number: "138 1234 5678", "138-1234-5678"
# Chinese digits are folded to ASCII ones; these two are not digits but count floors.
_CN = "十两"

_PATTERNS: list[tuple[str, re.Pattern, int]] = [
    # (kind, pattern, group to mask — 0 for the whole match)
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII), 0),
    # ID numbers before phones: an ID holds a run that reads like a mobile number.
    (
        "id_number",
        re.compile(rf"(?<![0-9A-Za-z])[1-9](?:{_SEP}\d){{16}}{_SEP}[0-9Xx](?![0-9A-Za-z])"),
        0,
    ),
    ("id_number", re.compile(rf"(?<![0-9A-Za-z])[1-9](?:{_SEP}\d){{14}}(?![0-9A-Za-z])"), 0),
    (
        "phone",
        re.compile(
            rf"(?<![0-9+])(?:\(?\s*(?:\+|00)\s*86\s*\)?\s*[-.]?\s*|\(?86\)?\s*[-.]?\s*)?"
            rf"1{_SEP}[3-9](?:{_SEP}\d){{9}}(?!\d)"
        ),
        0,
    ),
    # Landlines with an area code: "0812-3334455", "(0812)333 4455".
    ("phone", re.compile(rf"(?<!\d)\(?0\d{{2,3}}\)?\s*[-.]?\s*\d{{3,4}}{_SEP}\d{{4}}(?!\d)"), 0),
    # Without one, only where the text says it is a number to call.
    (
        "phone",
        re.compile(
            r"(?:电话|手机|座机|联系|号码|热线|拨打|打|tel|TEL|Tel)[是为:\s]*"
            rf"(\d{{3,4}}{_SEP}\d{{4}})(?!\d)"
        ),
        1,
    ),
    # 川D·A1234: a car is its owner.
    (
        "plate",
        re.compile(
            r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z]\s*[·•.\-]?\s*"
            r"([A-Z0-9]{5,6})(?![A-Za-z0-9])"
        ),
        1,
    ),
    # Door numbers. "3-2-501": building 3 stays, entrance and door go.
    ("door", re.compile(r"(?<![\d-])\d{1,3}\s*-\s*(\d{1,2}\s*-\s*\d{3,4})(?![\d-])"), 1),
    # "2单元501", "二单元5楼501", "3單元 1202室".
    (
        "door",
        re.compile(
            rf"[\d{_CN}]{{1,3}}\s*(?:单元|單元)\s*(?:[\d{_CN}]{{1,3}}\s*[楼层樓層]\s*)?"
            r"\d{3,4}"
        ),
        0,
    ),
    # "3楼301", "十二层1201".
    ("door", re.compile(rf"(?<!\d)[\d{_CN}]{{1,3}}\s*[楼层樓層F]\s*\d{{3,4}}(?!\d)"), 0),
    # "5楼东户", "三楼左边那户": a floor and a side is one household.
    (
        "door",
        re.compile(
            rf"(?<!\d)[\d{_CN}]{{1,3}}\s*[楼层樓層]\s*(?=[东西南北左右中][边面]?(?:那|一)?\s*[户戶家])"
        ),
        0,
    ),
    # "3栋501", "3号楼1201": the building stays.
    ("door", re.compile(r"(?:栋|棟|幢|号楼|號樓)\s*(\d{3,4})(?!\d)"), 1),
    # "住1202", "家住 501": a door named by living there.
    ("door", re.compile(r"(?:住在|住|家在)\s*(\d{3,4})(?![\d栋棟幢号號单單楼樓层層])"), 1),
    # "301室", "202户", "501房", "1201号房".
    ("door", re.compile(r"(?<!\d)\d{3,4}\s*(?:室|户|戶|房|号房|號房)"), 0),
    # "2-501": entrance (or building) and door; the first number stays.
    ("door", re.compile(r"(?<![\d-])\d{1,2}\s*-\s*(\d{3,4})(?![\d-])"), 1),
    # Anything else that is a long number (QQ, bank card, a phone without its prefix...).
    ("number", re.compile(r"(?<!\d)\d{7,}(?!\d)"), 0),
]

# The commonest surnames, for forms of address that name someone without a full name.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关"
    "兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻"
    "祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿"
    "桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
ADDRESS_FORMS = (
    "阿姨|阿婆|阿公|大爷|大妈|大娘|大叔|大伯|大姐|大哥|大嫂|大婶|奶奶|爷爷|婆婆|嬢嬢|孃孃|娘娘|"
    "叔叔|伯伯|师傅|师父|老师|医生|大夫|老板|老汉|老太|老头|老爷子|姐姐|哥哥|嫂子|婶婶|老人|"
    "先生|女士|小姐|同志|书记|主任|经理|老总"
)
_ADDRESS = re.compile(rf"([{SURNAMES}])({ADDRESS_FORMS})")

# Words that are also somebody's name somewhere ("文明", "平安"): never taken for a name,
# or half the public text would be masked in a community of 12,000.
# fmt: off
COMMON_WORDS = frozenset((
    "文明", "平安", "和平", "安全", "高兴", "明天", "今天", "白天", "夏天", "方便", "马路", "路面",
    "江水", "金山", "石头", "黄金", "于是", "向前", "常常", "高楼", "和谐", "安静", "宁静", "朱红",
    "林木", "夏日", "江边", "卫生", "华丽", "万一", "明白", "明显", "司机", "关心", "关注", "管理",
    "施工", "车辆", "车位", "成都", "武汉", "房子", "方向", "康复", "乔迁", "党员", "应该", "全部",
    "宫殿",
))
# fmt: on

PRIVATE_MARKERS = (
    "私下反映",
    "私下反应",
    "请勿告知他人",
    "请勿告诉他人",
    "不要告诉别人",
    "不要告诉其他人",
    "不要告诉他人",
    "不要公开",
    "请勿公开",
    "不想公开",
    "不愿公开",
    "不要对外公开",
)
_SPACES = re.compile(r"\s+")


def asks_privacy(text: str) -> bool:
    """Whether the text itself asks not to be made public ("私下反映，请勿告知他人")."""
    flat = _SPACES.sub("", to_simplified(text or ""))
    return any(marker in flat for marker in PRIVATE_MARKERS)


@dataclass(frozen=True)
class Names:
    """Names to mask, as a set looked up by substring length: a text of n characters costs
    n × (number of distinct lengths) set lookups, whatever the number of names — 12,000
    names are as cheap as 12."""

    names: frozenset[str]
    lengths: tuple[int, ...]  # longest first, so 李明华 wins over 李明

    @classmethod
    def of(cls, names: Iterable[str]) -> Names:
        clean = {"".join(n.split()) for n in names if n}
        clean = {n for n in clean if len(n) >= 2} - COMMON_WORDS
        lengths = tuple(sorted({len(n) for n in clean}, reverse=True))
        return cls(frozenset(clean), lengths)

    def __bool__(self) -> bool:
        return bool(self.names)

    def plus(self, more: Iterable[str]) -> Names:
        """These names and ``more`` (a few reporters added to a whole register)."""
        extra = Names.of(more)
        if not extra:
            return self
        lengths = tuple(sorted(set(self.lengths) | set(extra.lengths), reverse=True))
        return Names(self.names | extra.names, lengths)


NO_NAMES = Names(frozenset(), ())


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


@lru_cache(maxsize=8192)
def _simplified_char(char: str) -> str:
    simple = to_simplified(char)
    return simple if len(simple) == 1 else char


def _simplified_chars(text: str) -> str:
    """``text`` converted character by character, so positions stay the same."""
    return "".join(_simplified_char(c) if c > "\u2e7f" else c for c in text)


def _as_names(names: Names | Iterable[str] | None) -> Names:
    if names is None:
        return NO_NAMES
    return names if isinstance(names, Names) else Names.of(names)


def find(
    text: str,
    *,
    names: Names | Iterable[str] | None = None,
    address_forms: bool = True,
    keep: frozenset[str] = frozenset(),
) -> list[Span]:
    """Every span of ``text`` to mask, in order, none overlapping; the kinds of number in
    ``keep`` (``{"door"}``) are left as they are."""
    names = _as_names(names)
    text = text or ""
    # Numbers are matched on the folded copy, names and forms of address on the text as
    # written (folding would turn 张三 into 张3); both are blanked alike.
    folded, plain = list(text.translate(_FOLD)), list(text)
    spans: list[Span] = []

    def take(start: int, end: int, kind: str) -> None:
        spans.append(Span(start, end, kind))
        folded[start:end] = plain[start:end] = _BLANK * (end - start)

    for kind, pattern, group in _PATTERNS:
        if kind in keep:
            continue
        for match in list(pattern.finditer("".join(folded))):
            take(match.start(group), match.end(group), kind)
    if names:
        # Looked up as written and in simplified characters, so a register kept in
        # simplified names finds 張三 in a traditional text too.
        flat = "".join(plain)
        simple = _simplified_chars(flat)
        i, n = 0, len(flat)
        while i < n:
            for length in names.lengths:
                if i + length <= n and (
                    flat[i : i + length] in names.names or simple[i : i + length] in names.names
                ):
                    take(i, i + length, "name")
                    i += length
                    break
            else:
                i += 1
    if address_forms:
        for match in list(_ADDRESS.finditer("".join(plain))):
            take(match.start(2), match.end(2), "address_form")
    return sorted(spans, key=lambda s: s.start)


def _mask(piece: str, kind: str) -> str:
    if kind == "name":
        return piece[0] + MASK * (len(piece) - 1)
    if kind == "address_form":
        return MASK * len(piece)
    # Numbers: every digit or letter goes, separators and unit words stay.
    folded = piece.translate(_FOLD)
    return "".join(
        MASK if c.isascii() and c.isalnum() or c in _CN else orig
        for c, orig in zip(folded, piece, strict=True)
    )


def redact(
    text: str,
    *,
    names: Names | Iterable[str] | None = None,
    address_forms: bool = True,
    keep: frozenset[str] = frozenset(),
) -> str:
    """``text`` with phones, ID numbers, door numbers, plates, e-mails, ``names`` and
    forms of address masked (but the kinds in ``keep``). ``names``: a ``Names`` built once
    for many texts, or any iterable of names."""
    text = text or ""
    out, last = [], 0
    for span in find(text, names=names, address_forms=address_forms, keep=keep):
        out.append(text[last : span.start])
        out.append(_mask(text[span.start : span.end], span.kind))
        last = span.end
    out.append(text[last:])
    return "".join(out)


def identifiers(text: str, *, names: Names | Iterable[str] | None = None) -> list[str]:
    """The kinds of identifying detail still in ``text`` that no reviewer may let through:
    numbers of every kind, door numbers, e-mails, plates and the given ``names`` (forms of
    address and the register's names are the reviewer's judgement, not refused)."""
    return sorted({s.kind for s in find(text, names=names, address_forms=False)})
