import pytest

from gongzhi.places.selectors import parse_query, resident_search


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("zs", {"张三"}),
        ("ZS", {"张三"}),
        ("zhangsan", {"张三"}),
        ("zhang", {"张三"}),
        ("張三", {"张三"}),
        ("张", {"张三"}),
        ("5678", {"张三"}),
        ("13812345678", {"张三"}),
        ("1栋2单元", {"李四"}),
        ("1栋", {"张三", "李四"}),
        ("1-2-201", {"李四"}),
        ("1-1", {"张三"}),
        ("1棟2單元201", {"李四"}),
        ("", set()),
        ("nobody", set()),
    ],
)
def test_search_by_every_key(world, query, names):
    assert {r.name for r in resident_search(world.users["staff"], query)} == names


def test_search_by_id_number(world):
    zhang = world.residents["zhangsan"]
    assert [r.name for r in resident_search(world.users["staff"], zhang.id_number.lower())] == [
        "张三"
    ]


def test_search_is_scoped(world):
    # 王五 lives in grid 2 and 赵六 in another community: invisible to the grid-1 chief.
    assert list(resident_search(world.users["grid"], "ww")) == []
    assert list(resident_search(world.users["grid"], "13600003333")) == []
    assert [r.name for r in resident_search(world.users["other_staff"], "zl")] == ["赵六"]
    assert list(resident_search(world.users["partner"], "zs")) == []


def test_parse_query_kinds():
    assert parse_query("3栋2单元501").kind == "address"
    assert parse_query("3号楼").building == "3"
    assert parse_query("0114").kind == "phone_last4"
    assert parse_query("lw").kind == "pinyin"


def test_given_name_and_middle_of_name(world):
    from gongzhi.places import services

    services.resident_create(actor=None, household=world.households["1-2-201"], name="欧阳娜娜")
    staff = world.users["staff"]
    assert [r.name for r in resident_search(staff, "三")] == ["张三"]  # the given name
    assert [r.name for r in resident_search(staff, "阳娜")] == [
        "欧阳娜娜"
    ]  # after the first character
    assert [r.name for r in resident_search(staff, "娜娜")] == [
        "欧阳娜娜"
    ]  # the middle: found by scanning
    assert [r.name for r in resident_search(staff, "oyn")] == ["欧阳娜娜"]
