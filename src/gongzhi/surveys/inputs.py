"""A household survey over a renewal project's buildings is resident input for its phase
(``renewal.inputs``): the 1,478 households asked before the renewal were exactly that. A
campaign counts when it reaches any building the project touches and holds at least one
valid answer."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .enums import ResponseStatus
from .models import Response
from .selectors import campaigns_touching


def label() -> str:
    return _("一次覆盖项目楼栋的入户调查，且有有效答卷")


def check(phase) -> tuple[bool, str]:
    buildings = phase.project.touches.values_list("building_id", flat=True).distinct()
    campaigns = campaigns_touching(list(buildings))
    if not campaigns.exists():
        return False, _("还没有覆盖项目楼栋的入户调查")
    if not Response.objects.filter(campaign__in=campaigns, status=ResponseStatus.VALID).exists():
        return False, _("入户调查还没有有效答卷")
    return True, ""


def register() -> None:
    from gongzhi.renewal import inputs

    inputs.register("surveys.campaign", label, check)
