"""The places a resident names in what they write: buildings and entrances in Arabic or
Chinese numerals, Simplified or Traditional, with or without their compound — and the
floors, doors and counts that must not be read as a building."""

from __future__ import annotations

import pytest

from gongzhi.voices.places import Mention, building_key, chinese_number, parse_places

COMPOUNDS = ["甘露园", "民安巷小区"]

CASES = [
    # (text, mentions)
    ("3栋2单元楼道灯坏了", [Mention("3", 2)]),
    ("七栋门口积水", [Mention("7")]),
    ("11棟的路燈不亮", [Mention("11")]),
    ("3号楼电梯坏了", [Mention("3")]),
    ("三单元楼道堆满了杂物", [Mention("", 3)]),
    ("甘露园5栋外墙掉皮", [Mention("5", compound="甘露园")]),
    ("甘露园小区 5栋2单元", [Mention("5", 2, compound="甘露园")]),
    ("民安巷小区的2栋", [Mention("2", compound="民安巷小区")]),
    ("民安巷2栋", [Mention("2", compound="民安巷小区")]),
    ("3號樓2單元漏水", [Mention("3", 2)]),
    ("１２栋", [Mention("12")]),
    ("第十二栋", [Mention("12")]),
    ("二十三栋", [Mention("23")]),
    ("一〇二栋", [Mention("102")]),
    ("12a栋", [Mention("12A")]),
    ("05栋", [Mention("5")]),
    ("4幢", [Mention("4")]),
    ("3栋501家漏水", [Mention("3")]),
    ("2单元501", [Mention("", 2)]),
    ("第三单元", [Mention("", 3)]),
    ("2栋和3栋之间的路灯", [Mention("2"), Mention("3")]),
    ("2栋说完又说2栋", [Mention("2")]),
    # Not a building: a floor, a door, a count, a demonstrative, no number at all.
    ("3楼301漏水", []),
    ("住5楼", []),
    ("3号门口", []),
    ("这一栋楼都停水", []),
    ("每一栋都要装", []),
    ("两栋楼之间", []),
    ("十几栋楼", []),
    ("哪栋楼", []),
    ("0栋", []),
    ("电话13812345678", []),
    ("12345栋", []),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_places_named_in_a_text(text, expected):
    assert parse_places(text, COMPOUNDS) == expected


def test_without_compound_names_the_building_is_still_found():
    assert parse_places("甘露园5栋", []) == [Mention("5")]


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("7", 7),
        ("七", 7),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十三", 23),
        ("一百零五", 105),
        ("一〇二", 102),
        ("几", None),
        ("", None),
    ],
)
def test_chinese_numbers(value, number):
    assert chinese_number(value) == number


@pytest.mark.parametrize(
    ("number", "key"),
    [("3", "3"), ("03", "3"), ("12a", "12A"), ("十二", "12"), ("0", ""), ("A", "")],
)
def test_building_numbers_compare_as_the_register_writes_them(number, key):
    assert building_key(number) == key
