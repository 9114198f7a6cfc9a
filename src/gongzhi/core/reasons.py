"""Why someone looks at a full ID number or phone (查看事由).

Every reveal — one number on the workbench or through the API, a reporter's phone on an
item, an unmasked register export — names its reason before anything is shown, and the
reason is kept in the audit event. An auditor reading the log then sees not only who
looked at whose number, but what for; a reveal without a reason shows nothing and leaves
no event. The reason is one choice (one tap on the page) with optional words, which are
required for "其他".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_NOTE = 200


class RevealReason(models.TextChoices):
    HOME_VISIT = "home_visit", _("入户走访")
    VERIFY_IDENTITY = "verify_identity", _("核实身份")
    EMERGENCY = "emergency", _("紧急联系")
    OTHER = "other", _("其他（请说明）")


@dataclass(frozen=True)
class Reason:
    code: str
    note: str

    def as_audit(self) -> dict[str, str]:
        return {"reason": self.code, "reason_note": self.note}


def clean_reveal_reason(reason: str | None, note: str | None = "") -> Reason:
    """The reason as given, or a ``ValidationError`` (keys ``reason`` / ``reason_note``)
    with a Chinese message."""
    code = (reason or "").strip()
    note = " ".join((note or "").split())
    if code not in RevealReason.values:
        raise ValidationError(
            {"reason": _("请先选择查看事由（入户走访、核实身份、紧急联系或其他）。")},
            code="reason_required",
        )
    if code == RevealReason.OTHER and not note:
        raise ValidationError(
            {"reason_note": _("选择“其他”时，请写明查看事由。")}, code="reason_note_required"
        )
    if len(note) > MAX_NOTE:
        raise ValidationError(
            {"reason_note": _("查看事由的说明不能超过%(n)d个字。") % {"n": MAX_NOTE}},
            code="reason_note_long",
        )
    return Reason(code=code, note=note)
