"""Where a resident says a problem is: the buildings and entrances named in what they wrote
("3栋2单元", "七栋", "11棟", "3号楼", "三单元", "甘露园5栋").

A pure parser: strings in, mentions out. It knows no database; the caller passes the names
of the community's compounds and matches the mentions against its buildings
(``selectors.report_places``). What it finds is only offered — "您说的是 3栋2单元吗？" —
and the resident confirms or picks another place, so a near miss costs one tap, while a
wrong guess (a floor read as a building) would put the case in front of the wrong chief.
Hence the narrow patterns: "3楼" is a floor and "3号" a door, never a building.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.text import to_simplified


@dataclass(frozen=True)
class Mention:
    """A place named in a text. ``building`` is the building's number as the register
    writes it ("3", "12A"), empty when the text names only an entrance ("三单元": the
    reporter's own building is meant); ``compound`` the compound's name when the text
    puts it before the building ("甘露园5栋")."""

    building: str = ""
    entrance: int | None = None
    compound: str = ""


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_CN_DIGITS |= {"七": 7, "八": 8, "九": 9}
# Full-width digits and letters, as phones type them.
_FOLD = str.maketrans(
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ",
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
)
# 两 is left out on purpose: "两栋楼之间" is two buildings, not building 2.
_CN = "零〇一二三四五六七八九十百"
_NUMBER = rf"(?:[0-9]{{1,4}}[A-Za-z]?|[{_CN}]{{1,6}})"
# A number that is not the tail of a longer one, nor "这一栋" / "每一栋" / "哪栋".
_START = rf"(?<![0-9A-Za-z{_CN}这那每哪各整])"
_BUILDING = rf"{_START}第?(?P<b>{_NUMBER})\s*(?:栋|幢|号楼|号栋|号幢)"
_ENTRANCE = rf"\s*(?P<e>{_NUMBER})\s*单元"
_PATTERN = re.compile(rf"{_BUILDING}(?:{_ENTRANCE})?|{_START}第?(?P<lone>{_NUMBER})\s*单元")
# Between a compound's name and its building: "甘露园小区的5栋", "甘露园 5栋".
_JOINERS = re.compile(r"(?:小区|的|\s)*$")


def chinese_number(value: str) -> int | None:
    """ "12" → 12, "十二" → 12, "二十三" → 23, "一百零五" → 105, "一〇二" → 102; None when
    it is not a number."""
    if value.isdigit():
        return int(value)
    if not value or any(c not in _CN for c in value):
        return None
    if "十" not in value and "百" not in value:
        # Read digit by digit, as numbers are said in addresses: 一〇二 is 102.
        return int("".join(str(_CN_DIGITS[c]) for c in value))
    total, current = 0, 0
    for c in value:
        if c in _CN_DIGITS:
            current = _CN_DIGITS[c]
        elif c == "十":
            total += (current or 1) * 10
            current = 0
        else:  # 百
            total += (current or 1) * 100
            current = 0
    return total + current


def building_key(number: str) -> str:
    """A building number as compared: "03" and "3" are one building, "12a" is "12A"; a
    number in Chinese ("十二") is read as digits; empty when it is not a number."""
    number = (number or "").strip()
    match = re.fullmatch(r"([0-9]+)([A-Za-z]?)", number)
    if match:
        digits = int(match[1])
        return f"{digits}{match[2].upper()}" if digits else ""
    value = chinese_number(number)
    return str(value) if value else ""


def _normalise(text: str) -> str:
    return to_simplified(text or "").translate(_FOLD)


def _compound_before(before: str, compounds: list[tuple[str, str]]) -> str:
    """The compound whose name ``before`` ends with, joiners allowed in between."""
    tail = _JOINERS.sub("", before)
    for simple, name in compounds:
        short = simple.removesuffix("小区")
        if tail.endswith(simple) or (short and tail.endswith(short)):
            return name
    return ""


def parse_places(text: str, compounds: Iterable[str] = ()) -> list[Mention]:
    """The buildings and entrances ``text`` names, in the order it names them, each once.
    ``compounds`` are the names of the community's compounds: a building written right
    after one of them carries that name."""
    simple = _normalise(text)
    # Longest first, so that "甘露园二期" wins over "甘露园".
    names = sorted(((_normalise(n), n) for n in compounds if n), key=lambda p: -len(p[0]))
    found: list[Mention] = []
    for match in _PATTERN.finditer(simple):
        if match["lone"] is not None:
            entrance = chinese_number(match["lone"])
            mention = Mention(entrance=entrance) if entrance else None
        else:
            building = building_key(match["b"])
            entrance = chinese_number(match["e"]) if match["e"] else None
            mention = (
                Mention(
                    building=building,
                    entrance=entrance or None,
                    compound=_compound_before(simple[: match.start()], names),
                )
                if building
                else None
            )
        if mention is not None and mention not in found:
            found.append(mention)
    return found


class Place(models.TextChoices):
    """Where the problem is, as the resident answers the where step. The item's place
    columns follow it; the reporter's home stays on their ``ItemReporter`` row."""

    HOME = "home", _("我家")
    BUILDING = "building", _("我住的楼")
    OTHER = "other", _("另一栋楼或单元")
    PUBLIC = "public", _("小区或公共场所")
