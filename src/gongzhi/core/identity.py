"""Chinese resident identity numbers (GB 11643-1999) and mobile phone numbers:
validation, what they tell (birth date, gender), and how they are shown masked."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalize_id_number(value: str) -> str:
    # Full-width digits and a lower-case x come from phones and spreadsheets alike.
    value = (value or "").strip().translate(_FULLWIDTH).replace(" ", "")
    return value.upper()


_FULLWIDTH = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789xX")


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def validate_id_number(value: str) -> str:
    """Return the normalised ID number or raise ValidationError with a Chinese message."""
    value = normalize_id_number(value)
    if not _ID_RE.match(value):
        raise ValidationError(
            _("身份证号应为18位，前17位是数字，最后一位是数字或X。"), code="id_format"
        )
    if id_check_char(value[:17]) != value[17]:
        raise ValidationError(_("身份证号校验位不正确，请核对后重新输入。"), code="id_checksum")
    try:
        birth = birth_date_from_id(value)
    except ValueError:
        raise ValidationError(_("身份证号中的出生日期无效。"), code="id_birth") from None
    if birth > dt.date.today() or birth.year < 1880:
        raise ValidationError(_("身份证号中的出生日期无效。"), code="id_birth")
    return value


def birth_date_from_id(value: str) -> dt.date:
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def gender_from_id(value: str) -> str:
    return "M" if int(value[16]) % 2 == 1 else "F"


def normalize_phone(value: str) -> str:
    value = (value or "").strip().translate(_FULLWIDTH)
    value = re.sub(r"[\s\-()]", "", value)
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    return value


def validate_mobile(value: str) -> str:
    value = normalize_phone(value)
    if not _MOBILE_RE.match(value):
        raise ValidationError(_("手机号应为11位，以1开头，例如 13812345678。"), code="phone_format")
    return value


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def make_id_number(region: str, birth: dt.date, sequence: int) -> str:
    """Build a valid ID number (used by the demo generator and tests, never for real people)."""
    first17 = f"{region}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + id_check_char(first17)
