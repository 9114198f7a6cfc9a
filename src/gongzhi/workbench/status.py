"""The status changes offered on a resident's page — 迁出, 死亡, 迁回 — with the words of
their form and of their confirmation."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from gongzhi.places.enums import RESIDENT_TRANSITIONS, ResidentStatus


@dataclass(frozen=True)
class StatusAction:
    target: ResidentStatus
    title: str
    day_label: str
    reason_label: str
    reason_help: str
    done: str
    # Asked on a page of its own before anything is written.
    confirm: str = ""


STATUS_ACTIONS = {
    "move_out": StatusAction(
        target=ResidentStatus.MOVED_OUT,
        title=gettext_lazy("办理迁出"),
        day_label=gettext_lazy("迁出日期"),
        reason_label=gettext_lazy("迁往何处"),
        reason_help=gettext_lazy("例如：成都市武侯区、女儿家。最多200字。"),
        done=gettext_lazy("已办理%(name)s迁出。"),
        confirm=gettext_lazy("确认迁出"),
    ),
    "death": StatusAction(
        target=ResidentStatus.DECEASED,
        title=gettext_lazy("登记死亡"),
        day_label=gettext_lazy("死亡日期"),
        reason_label=gettext_lazy("备注"),
        reason_help=gettext_lazy("可不填，最多200字。"),
        done=gettext_lazy("已登记%(name)s死亡。"),
        confirm=gettext_lazy("确认登记死亡"),
    ),
    "move_back": StatusAction(
        target=ResidentStatus.LIVING,
        title=gettext_lazy("办理迁回"),
        day_label=gettext_lazy("迁回日期"),
        reason_label=gettext_lazy("备注"),
        reason_help=gettext_lazy("可不填，最多200字。"),
        done=gettext_lazy("已办理%(name)s迁回。"),
    ),
}


def allowed_actions(resident) -> list[tuple[str, StatusAction]]:
    """The status changes the resident's current status allows, for the buttons."""
    allowed = RESIDENT_TRANSITIONS[ResidentStatus(resident.status)]
    return [(key, a) for key, a in STATUS_ACTIONS.items() if a.target in allowed]
