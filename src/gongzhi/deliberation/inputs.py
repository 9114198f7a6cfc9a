"""A meeting about a renewal phase, with minutes on record, is resident input for closing
that phase (``renewal.inputs``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import Meeting


def label() -> str:
    return _("一次关于本阶段的会议，且有会议记录")


def check(phase) -> tuple[bool, str]:
    meetings = Meeting.objects.filter(phase=phase)
    if not meetings.exists():
        return False, _("还没有开过关于本阶段的会议")
    if not meetings.exclude(minutes="").exists():
        return False, _("本阶段的会议还没有会议记录")
    return True, ""


def register() -> None:
    from gongzhi.renewal import inputs

    inputs.register("deliberation.meeting_minutes", label, check)
