"""Chinese text helpers shared by search, import and the demo: Traditional → Simplified,
pinyin and pinyin initials of names."""

from __future__ import annotations

from functools import lru_cache

from opencc import OpenCC
from pypinyin import Style, lazy_pinyin

_t2s = OpenCC("t2s")
_s2t = OpenCC("s2t")


@lru_cache(maxsize=65536)
def to_simplified(text: str) -> str:
    return _t2s.convert(text) if text else text


def to_traditional(text: str) -> str:
    return _s2t.convert(text) if text else text


@lru_cache(maxsize=131072)
def name_keys(name: str) -> tuple[str, str, str]:
    """(simplified name, full pinyin, initials) for a person's name, lower case, no spaces.
    Cached: names repeat a lot across a city, and pinyin conversion is the slow part."""
    simple = to_simplified(name.strip())
    full = "".join(lazy_pinyin(simple, errors="ignore")).lower()
    initials = "".join(lazy_pinyin(simple, style=Style.FIRST_LETTER, errors="ignore")).lower()
    return simple, full, initials
