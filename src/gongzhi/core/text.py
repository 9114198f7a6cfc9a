"""Chinese text helpers shared by search, import and the demo: Traditional ↔ Simplified,
pinyin and pinyin initials of names, numbers written in words (第十二网格), names that are
data shown in the reader's language; and the one check of what a person typed against a
length limit."""

from __future__ import annotations

import re
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from opencc import OpenCC
from pypinyin import lazy_pinyin

_t2s = OpenCC("t2s")
# Traditional as Taiwan writes it (為, 裡, 審核), not OpenCC's own standard (爲, 裏, 審覈),
# which a reader in Taiwan or Hong Kong finds old-fashioned. The zh_Hant catalogue and the
# data shown under zh-Hant (categories, care tags, places) go through the same converter.
_s2t = OpenCC("s2tw")

# Surnames whose reading differs from the character's most common one: people search
# 单 as "shan" and 曾 as "zeng", not "dan" and "ceng".
SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "查": "zha",
    "区": "ou",
    "朴": "piao",
    "覃": "qin",
    "翟": "zhai",
    "乐": "yue",
    "盖": "ge",
    "缪": "miao",
    "冼": "xian",
    "尉": "yu",
    "华": "hua",
    "任": "ren",
    "召": "shao",
    "种": "chong",
    "秘": "bi",
    "繁": "po",
    "长": "zhang",
    "纪": "ji",
    "沈": "shen",
    "柏": "bai",
    "员": "yun",
    "莘": "shen",
}
# Compound surnames, syllable by syllable.
COMPOUND_SURNAME_READINGS = {"万俟": ("mo", "qi"), "尉迟": ("yu", "chi"), "单于": ("chan", "yu")}


@lru_cache(maxsize=65536)
def to_simplified(text: str) -> str:
    return _t2s.convert(text) if text else text


@lru_cache(maxsize=65536)
def to_traditional(text: str) -> str:
    return _s2t.convert(text) if text else text


@lru_cache(maxsize=16384)
def _char_pinyin(char: str) -> str:
    return "".join(lazy_pinyin(char, errors="ignore")).lower()


@lru_cache(maxsize=131072)
def name_keys(name: str) -> tuple[str, str, str]:
    """(simplified name, full pinyin, initials) for a person's name, lower case, no spaces.

    Names are read character by character (cached per character): a given name is not a
    phrase, so phrase-level disambiguation buys nothing, and a per-character cache makes
    12,000 different names cost what 3,000 distinct characters cost."""
    simple = to_simplified(name.strip())
    syllables: list[str] = []
    rest = simple
    if len(simple) > 2 and simple[:2] in COMPOUND_SURNAME_READINGS:
        syllables += COMPOUND_SURNAME_READINGS[simple[:2]]
        rest = simple[2:]
    elif len(simple) > 1 and simple[0] in SURNAME_READINGS:
        syllables.append(SURNAME_READINGS[simple[0]])
        rest = simple[1:]
    for char in rest:
        if char.isascii():
            if char.isalnum():
                syllables.append(char.lower())
            continue
        reading = _char_pinyin(char)
        if reading:
            syllables.append(reading)
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables if s)
    return simple, full, initials


def bounded_text(value: str | None, *, field: str, limit: int, required: str = "") -> str:
    """``value`` trimmed, or a Chinese ValidationError on ``field``: when it is empty and
    ``required`` (the message to show) is given, or when it is longer than ``limit``.

    A text over its limit is refused, never cut to fit: what a person typed is either kept
    whole or given back to them with the reason."""
    value = (value or "").strip()
    if not value and required:
        raise ValidationError({field: [required]})
    if len(value) > limit:
        raise ValidationError({field: [too_long_message(limit, len(value))]})
    return value


def too_long_message(limit: int, n: int) -> str:
    return _("不能超过%(limit)d字（现有%(n)d字）。") % {"limit": limit, "n": n}


# --- numbers written in words -----------------------------------------------------------

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_NUMBER = re.compile(r"\d+|[零〇一二两三四五六七八九十百]+")


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (1 to 99, as grids are named)."""
    if not 1 <= n <= 99:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    words = "零一二三四五六七八九"
    return (
        (words[tens] if tens > 1 else "") + ("十" if tens else "") + (words[ones] if ones else "")
    )


def _words_to_int(words: str) -> int:
    total, current = 0, 0
    for char in words:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = current * 10 + _DIGITS[char] if current else _DIGITS[char]
    return total + current


@lru_cache(maxsize=4096)
def number_in(text: str) -> int | None:
    """The first number in ``text``, in digits or in words: 第十二网格 → 12, WJ-G12 → 12,
    第3网格 → 3; None when there is none."""
    match = _NUMBER.search(text or "")
    if match is None:
        return None
    found = match.group()
    return int(found) if found.isdigit() else _words_to_int(found)


_LAST_NUMBER = re.compile(r"(\d+)\D*$")


def grid_number(name: str, code: str = "") -> int:
    """The number a grid is known by, for sorting: from its name (第十二网格 → 12), else the
    last number of its code (510402001001-G12, WJ-G12 → 12), else 0."""
    found = number_in(name)
    if found is None and (match := _LAST_NUMBER.search(code or "")):
        found = int(match.group(1))
    return found or 0


# --- names that are data, in the reader's language --------------------------------------

_GRID_NAME = re.compile(r"第(\d+|[零〇一二两三四五六七八九十百]+)网格")
_ADDRESS = re.compile(r"(\S+?)栋(\d+)单元(\S+)")


def _english_place(name: str) -> str:
    """The few place names English can say without inventing: 第十二网格 → Grid 12,
    3栋2单元501 → 3-2-501 (as the address is also typed). Other places are proper names
    and stay as they are written."""
    if match := _GRID_NAME.fullmatch(name):
        return f"Grid {number_in(match.group(1))}"
    if match := _ADDRESS.fullmatch(name):
        return "-".join(match.groups())
    return ""


def in_reader_language(name: str, english: str = "") -> str:
    """A name that is data — a category, a care tag, a place — as the reader's language
    writes it: converted to Traditional under zh-Hant, ``english`` (or the English of a
    grid or an address) under English, as stored otherwise. People's names are never
    passed here: a name is written as its bearer registered it."""
    if not name:
        return name
    language = (get_language() or "").lower()
    if language.startswith("zh-hant"):
        return to_traditional(name)
    if language.startswith("en"):
        return english or _english_place(name) or name
    return name


def name_of(obj) -> str:
    """``in_reader_language`` for an object with a ``name`` (and maybe a ``name_en``)."""
    return in_reader_language(obj.name, getattr(obj, "name_en", "") or "")
