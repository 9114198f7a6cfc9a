"""The item's timeline: one constructor that appends an event, and one place that renders
events to readable text. Events are never changed; a correction is a new event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from .enums import DispatchRole, EventType, Level, Satisfaction, Solved
from .models import Item, ItemEvent

# How the system's own steps are stored; shown through ``signature``.
SYSTEM = "系统"


def actor_label(actor) -> str:
    """How the actor is named on the timeline: a partner unit's user speaks for the unit,
    the system for itself."""
    if actor is None:
        return SYSTEM
    unit = getattr(actor, "partner_unit", None) if getattr(actor, "partner_unit_id", None) else None
    name = getattr(actor, "display_name", "") or actor.get_username()
    if unit is not None:
        return f"{unit.short_name or unit.name} {name}"[:120]
    return name[:120]


def append(
    *,
    item: Item,
    type: str,
    actor,
    at: dt.datetime,
    note: str = "",
    public: bool = True,
    **data: Any,
) -> ItemEvent:
    """Append one event to ``item``'s timeline. ``public`` events are shown to reporters
    and partner units; internal ones only to the staff who handle the item."""
    return ItemEvent.objects.create(
        item=item,
        type=type,
        actor=actor,
        actor_label=actor_label(actor),
        at=at,
        note=note,
        public=public,
        data={k: v for k, v in data.items() if v is not None},
    )


def describe(event: ItemEvent) -> str:
    """One line for the timeline, in the reader's language."""
    label = EventType(event.type).label
    data = event.data or {}
    extra = ""
    if event.type == EventType.ESCALATED:
        extra = _("上报至%(level)s") % {
            "level": _choice(Level, data.get("to"), data.get("to_label"))
        }
    elif event.type == EventType.DISPATCHED and data.get("role_label"):
        extra = _("派至%(unit)s（%(role)s）") % {
            "unit": data.get("unit", ""),
            "role": _choice(DispatchRole, data.get("role"), data["role_label"]),
        }
    elif event.type == EventType.DISPATCHED:
        extra = _("派至%(unit)s") % {"unit": data.get("unit", "")}
    elif event.type == EventType.MERGED and data.get("into"):
        extra = _("并入%(number)s") % {"number": data["into"]}
    elif event.type == EventType.MERGED and data.get("from"):
        extra = _("合并%(number)s") % {"number": data["from"]}
    elif event.type == EventType.RETURN_VISIT:
        solved = _choice(Solved, data.get("solved"), data.get("solved_label"))
        satisfaction = _choice(
            Satisfaction, data.get("satisfaction"), data.get("satisfaction_label")
        )
        extra = f"{solved}，{satisfaction}"
    elif event.type == EventType.EXTENSION_REQUESTED:
        extra = _("延长%(days)s个工作日") % {"days": data.get("days", "")}
    elif event.type == EventType.EXTENSION_APPROVED:
        extra = _("延长%(days)s个工作日，时限延至%(due)s") % {
            "days": data.get("days", ""),
            "due": data.get("due_after", ""),
        }
    parts = [str(label), extra, event.note]
    return " · ".join(p for p in parts if p)


def _choice(choices, code, stored_label) -> str:
    """A level or an answer in the reader's language: the label of the code kept in the
    event's data; the label written at the time (Simplified) only for a code no longer
    known."""
    return str(choices(code).label) if code in choices.values else (stored_label or "")


def signature(event: ItemEvent) -> str:
    """Who the event is signed by. The system's own steps were signed "系统" in the
    language of the day they happened; they read in the reader's."""
    if event.actor_id is None and event.actor_label in ("", SYSTEM):
        return _("系统")
    return event.actor_label
