import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.core.identity import (
    birth_date_from_id,
    gender_from_id,
    make_id_number,
    mask_id_number,
    mask_phone,
    validate_id_number,
    validate_mobile,
)


def test_known_valid_id_number():
    # The GB 11643 worked example.
    assert validate_id_number("11010519491231002X") == "11010519491231002X"
    assert birth_date_from_id("11010519491231002X") == dt.date(1949, 12, 31)
    assert gender_from_id("11010519491231002X") == "F"


def test_lowercase_and_fullwidth_are_normalised():
    assert validate_id_number("１１０１０５１９４９１２３１００２x") == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110105194912310021", "id_checksum"),
        ("11010519491231002", "id_format"),
        ("110105194913310026", "id_birth"),
    ],
)
def test_bad_id_numbers_get_chinese_errors(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(value)
    assert exc.value.code in {code, "id_checksum", "id_birth"}
    assert "身份证" in exc.value.messages[0]


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
def test_generated_numbers_validate_and_any_single_digit_change_is_caught(birth, seq):
    value = make_id_number("510402", birth, seq)
    assert validate_id_number(value) == value
    assert birth_date_from_id(value) == birth
    wrong = value[:16] + str((int(value[16]) + 1) % 10) + value[17]
    with pytest.raises(ValidationError):
        validate_id_number(wrong)


def test_mobile_validation():
    assert validate_mobile("+86 138-1234-5678") == "13812345678"
    with pytest.raises(ValidationError) as exc:
        validate_mobile("12812345678")
    assert "手机号" in exc.value.messages[0]


def test_masks():
    assert mask_id_number("510402195003040114") == "510402********0114"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""


def test_name_keys_read_surnames_as_surnames():
    from gongzhi.core.text import name_keys

    assert name_keys("張三") == ("张三", "zhangsan", "zs")
    assert name_keys("单田芳")[1:] == ("shantianfang", "stf")
    assert name_keys("曾国藩")[1:] == ("zengguofan", "zgf")
    assert name_keys("尉迟恭")[1:] == ("yuchigong", "ycg")
    assert name_keys("欧阳娜娜")[2] == "oynn"
