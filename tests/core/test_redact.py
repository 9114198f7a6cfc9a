"""The public text's pre-fill: a table of adversarial inputs and exactly what comes out.
Every phone, ID, door number and name variant an attack on the platform used is here."""

import time

import pytest

from gongzhi.core.redact import Names, asks_privacy, find, identifiers, redact

REGISTER = ["张三", "李四", "王五", "赵六", "欧阳娜娜", "陈小明", "刘德华"]

CASES = [
    # Mobile numbers, every way people write them.
    ("电话13812345678", "电话***********"),
    ("电话138 1234 5678", "电话*** **** ****"),
    ("电话138-1234-5678", "电话***-****-****"),
    ("电话138.1234.5678", "电话***.****.****"),
    ("1 3 8 1 2 3 4 5 6 7 8", "* * * * * * * * * * *"),
    ("手机１３８１２３４５６７８", "手机***********"),
    ("手机１38 1２34 5678", "手机*** **** ****"),
    ("+86 138 1234 5678", "+** *** **** ****"),
    ("+8613812345678", "+*************"),
    ("＋８６１３８１２３４５６７８", "＋*************"),
    ("86-13812345678", "**-***********"),
    ("8613812345678", "*************"),
    ("0086 13812345678", "**** ***********"),
    ("(+86)138.1234.5678", "(+**)***.****.****"),
    ("（＋８６）１３８－１２３４－５６７８", "（＋**）***－****－****"),
    ("一三八一二三四五六七八", "***********"),
    ("幺三八幺二三四五六七八", "***********"),
    ("电话是13812345678。谢谢", "电话是***********。谢谢"),
    # Landlines.
    ("座机0812-3334455", "座机****-*******"),
    ("(0812)333 4455", "(****)*** ****"),
    ("电话3334455", "电话*******"),
    ("打333-4455找我", "打***-****找我"),
    # ID numbers.
    ("身份证510402195003041234", "身份证******************"),
    ("身份证51040219500304123X", "身份证******************"),
    ("身份证51040219500304123x", "身份证******************"),
    ("身份证510402 19500304 1234", "身份证****** ******** ****"),
    ("身份证510402-19500304-1234", "身份证******-********-****"),
    ("身份证５１０４０２１９５００３０４１２３Ｘ", "身份证******************"),
    ("老身份证510402500304123", "老身份证***************"),
    # Door numbers: the building stays, entrance, floor and door go.
    ("住202户", "住***户"),
    ("3楼301漏水", "*楼***漏水"),
    ("301室", "***室"),
    ("501房", "***房"),
    ("1201号房", "****号房"),
    ("3-2-501", "3-*-***"),
    ("3-2-501室", "3-*-***室"),
    ("3栋2单元501", "3栋*单元***"),
    ("3栋 2单元 501室", "3栋 *单元 ***室"),
    ("二单元501", "*单元***"),
    ("3栋二单元5楼501", "3栋*单元*楼***"),
    ("3號樓2單元501", "3號樓*單元***"),
    ("3号楼1201", "3号楼****"),
    ("十二楼1201", "**楼****"),
    ("２单元５０１", "*单元***"),
    ("住在1202", "住在****"),
    ("5楼东户", "*楼东户"),
    ("2-501", "2-***"),
    # Names: the register's and forms of address.
    ("张三和李四吵架", "张*和李*吵架"),
    ("欧阳娜娜家", "欧***家"),
    ("刘德华的车", "刘**的车"),
    ("王阿姨家漏水", "王**家漏水"),
    ("李大爷", "李**"),
    ("张师傅", "张**"),
    ("刘老师", "刘**"),
    ("楼上的周大妈", "楼上的周**"),
    # Other identifiers.
    ("川D·A1234占道", "川D·*****占道"),
    ("川DA1234", "川D*****"),
    ("邮箱chen@example.com", "邮箱****@*******.***"),
    ("QQ 123456789", "QQ *********"),
    # Mixed.
    (
        "我是张三，住1栋1单元101，电话138 1234 5678，身份证510402195003041234，楼上漏水",
        "我是张*，住1栋*单元***，电话*** **** ****，身份证******************，楼上漏水",
    ),
    # What stays: the building and entrance, dates, counts, ordinary words.
    ("1栋门口的垃圾桶满了", "1栋门口的垃圾桶满了"),
    ("2单元楼道灯坏了", "2单元楼道灯坏了"),
    ("3栋", "3栋"),
    ("2026年3月1日到2026-03-05", "2026年3月1日到2026-03-05"),
    ("共12户、3楼很吵", "共12户、3楼很吵"),
    ("望江路301号", "望江路301号"),
    ("要讲文明、保平安", "要讲文明、保平安"),
    ("物业师傅来修过", "物业师傅来修过"),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_adversarial_inputs(text, expected):
    assert redact(text, names=REGISTER) == expected


def test_a_names_index_is_built_once_for_many_texts():
    names = Names.of(REGISTER)
    assert redact("李四说张三家", names=names) == "李*说张*家"
    assert names.plus(["孙悟空"]).lengths == (4, 3, 2)
    assert redact("孙悟空", names=names.plus(["孙悟空"])) == "孙**"


def test_the_longest_name_wins():
    assert redact("李明华来了", names=["李明", "李明华"]) == "李**来了"


def test_single_characters_and_common_words_are_not_names():
    assert redact("王说平安", names=["王", "平安"]) == "王说平安"


def test_without_names_only_numbers_and_forms_of_address_go():
    assert redact("张三电话13812345678", names=None) == "张三电话***********"
    assert redact("王阿姨", address_forms=False) == "王阿姨"


def test_spans_never_overlap():
    text = "张三3栋2单元501电话+86 138 1234 5678身份证510402195003041234"
    spans = find(text, names=REGISTER)
    assert [s.kind for s in spans] == ["name", "door", "phone", "id_number"]
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))


def test_identifiers_names_what_no_reviewer_may_let_through():
    assert identifiers("王阿姨说1栋门口堆物") == []
    assert identifiers("张三说3-2-501有人电话138 1234 5678", names=["张三"]) == [
        "door",
        "name",
        "phone",
    ]


@pytest.mark.parametrize(
    ("text", "private"),
    [
        ("私下反映，请勿告知他人", True),
        ("这件事请勿告知他人", True),
        ("不要公开我的名字", True),
        ("私 下 反 映", True),
        ("私下反映，請勿告知他人", True),
        ("物业的账目不公开透明", False),
        ("路灯坏了", False),
        ("", False),
    ],
)
def test_a_text_that_asks_for_privacy(text, private):
    assert asks_privacy(text) is private


def test_twelve_thousand_names_cost_what_a_few_cost():
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志"
    register = [s + a + b for s in surnames for a in given for b in given][:12000]
    assert len(register) == 12000
    text = ("我家楼上的王伟芳天天很晚还在装修，电话138 1234 5678，住3栋2单元501。" * 40)[:2000]
    started = time.perf_counter()
    names = Names.of(register)
    built = time.perf_counter() - started
    started = time.perf_counter()
    out = redact(text, names=names)
    masked = time.perf_counter() - started
    assert "王伟芳" not in out and "王**" in out
    # Generous bounds for a shared machine; typically a few ms each.
    assert built < 0.5 and masked < 0.5


def test_a_traditional_text_meets_a_simplified_register():
    assert redact("張三和陳小明說", names=["张三", "陈小明"]) == "張*和陳**說"
