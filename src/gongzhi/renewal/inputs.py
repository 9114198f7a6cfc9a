"""What counts as resident input on record for a phase, before it may close.

Apps register a check ``(phase) -> (ok, description)``: renewal registers "a plan round
whose opinions are all answered"; the deliberation app registers "a meeting with minutes"
(it imports renewal, never the other way round). A phase may close when any check is
satisfied; otherwise the refusal names every kind of input that would do, and why each is
not there yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class InputCheck:
    key: str
    # What the input is, as the refusal names it: "一轮方案征求意见，且意见全部答复".
    label: Callable[[], str]
    # (phase) -> (satisfied, what is missing when not)
    check: Callable[[object], tuple[bool, str]]


_checks: dict[str, InputCheck] = {}


def register(key: str, label: Callable[[], str], check: Callable[[object], tuple[bool, str]]):
    """Add (or replace, so a reload is harmless) the check called ``key``."""
    _checks[key] = InputCheck(key=key, label=label, check=check)


def unregister(key: str) -> None:
    _checks.pop(key, None)


def checks() -> list[InputCheck]:
    return list(_checks.values())


def missing_input(phase) -> str | None:
    """None when the phase has resident input on record; otherwise the Chinese sentence
    saying what is still missing."""
    reasons = []
    for item in _checks.values():
        ok, why = item.check(phase)
        if ok:
            return None
        reasons.append(why or item.label())
    if not reasons:
        return _("这个阶段还没有任何居民参与的记录。")
    return _("这个阶段还没有居民意见记录，不能结束：%(reasons)s。至少需要其中一项。") % {
        "reasons": "；".join(reasons)
    }


def _round_check(phase) -> tuple[bool, str]:
    from .enums import ANSWERED, RoundStatus
    from .models import Opinion, PlanRound

    rounds = list(
        PlanRound.objects.filter(phase=phase)
        .exclude(status=RoundStatus.DRAFT)
        .values_list("pk", flat=True)
    )
    if not rounds:
        return False, _("还没有下发过方案征求意见（三上三下）")
    opinions = Opinion.objects.filter(round_id__in=rounds)
    total = opinions.count()
    if total == 0:
        return False, _("已下发方案，但还没有收到居民意见")
    pending = opinions.exclude(answer__in=ANSWERED).count()
    if pending:
        return False, _("还有 %(n)s 条居民意见未答复") % {"n": pending}
    return True, ""


def register_builtin() -> None:
    register("renewal.plan_round", lambda: _("一轮方案征求意见且意见全部答复"), _round_check)
