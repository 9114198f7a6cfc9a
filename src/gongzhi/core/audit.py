"""Writing and reading the audit log. Every service that changes a registry or
organisation record, and every reveal of personal data, calls ``record``."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .middleware import current_ip
from .models import AuditEvent

ACTION_LABELS = {
    "created": _("新建"),
    "updated": _("修改"),
    "deleted": _("删除"),
    "revealed": _("查看完整信息"),
    "status_changed": _("变更状态"),
    "imported": _("导入"),
    "exported": _("导出"),
    "login_locked": _("登录锁定"),
    "keys_rotated": _("密钥轮换"),
}


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_label=(actor.get_username() if is_user else "system")[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        changes=changes or {},
        ip=current_ip(),
    )


def diff(
    instance: models.Model,
    before: dict[str, Any],
    fields: list[str],
    *,
    masked: dict[str, Any] | None = None,
):
    """Changed fields between a snapshot and the instance, as JSON-safe strings."""
    masked = masked or {}
    out: dict[str, list[str]] = {}
    for name in fields:
        old, new = before.get(name), getattr(instance, name)
        if old != new:
            if name in masked:
                out[name] = masked[name]
            else:
                out[name] = [_jsonable(old), _jsonable(new)]
    return out


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def describe(event: AuditEvent) -> str:
    verb = event.action.rsplit(".", 1)[-1]
    return f"{event.actor_label} {ACTION_LABELS.get(verb, verb)} {event.object_repr}"
