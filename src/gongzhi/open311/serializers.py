"""GeoReport v2 documents in JSON and XML, with the specification's element names, and the
public face of a published item: its category, status, building-level address, coordinates
rounded to about a hundred metres, and the ``public_text`` staff approved."""

from __future__ import annotations

import datetime as dt
import json
import re
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

from gongzhi.core.redact import redact
from gongzhi.voices.enums import Level, Status
from gongzhi.voices.models import Category, Item

from .selectors import CLOSED

# The element of each member of a list, by the list's element name.
MEMBER = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}

# Three decimals of a degree: about 110 m, coarser than a building, so a point posted at a
# door is not published at that door.
COORDINATE_PLACES = 3


def when(moment: dt.datetime | None) -> str | None:
    """ISO 8601 with the local offset (+08:00), as the specification's w3 format asks."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def service_out(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or category.expected_action,
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join(k for k in re.split(r"[\s,，、]+", category.keywords) if k),
        "group": str(Level(category.default_level).label),
    }


def definition_out(category: Category) -> dict:
    # metadata is false: a request needs nothing beyond the standard fields.
    return {"service_code": category.code, "attributes": []}


def public_description(item: Item) -> str:
    """The text staff approved. Masked once more, without names: the service refuses a
    text with numbers in it, and this keeps any other way of setting it (a bulk load) from
    publishing one."""
    return redact(item.public_text, address_forms=False)


def _address(item: Item) -> str:
    parts = [item.community.name]
    if item.compound_id:
        parts.append(item.compound.name)
    if item.building_id:
        parts.append(str(item.building))
    return " ".join(parts)


def _agency(item: Item) -> str:
    if item.responsible_unit_id:
        return item.responsible_unit.short_name or item.responsible_unit.name
    if item.level == Level.GRID and item.grid_id:
        return item.grid.name
    if item.level == Level.SUBDISTRICT:
        return str(Level.SUBDISTRICT.label)
    return item.community.name


def _service(item: Item) -> Category | None:
    if item.category_id:
        return item.category
    return item.suggested_category


def _coordinate(value) -> float | None:
    return round(float(value), COORDINATE_PLACES) if value is not None else None


def request_out(item: Item) -> dict:
    # The reverse one-to-one raises an AttributeError subclass when there is none.
    posted = getattr(item, "open311", None)
    service = _service(item)
    code = item.category.code if item.category_id else None
    if code is None and posted is not None:
        code = posted.service_code
    if code is None and service is not None:
        code = service.code
    closed = item.status in CLOSED
    updated = getattr(item, "updated_at", None) or item.submitted_at
    return {
        "service_request_id": item.number,
        "status": "closed" if closed else "open",
        "status_notes": f"{Status(item.status).label} · {Level(item.level).label}",
        "service_name": service.name if service is not None else "",
        "service_code": code or "",
        "description": public_description(item),
        "agency_responsible": _agency(item),
        "service_notice": "",
        "requested_datetime": when(item.submitted_at),
        "updated_datetime": when(updated),
        "expected_datetime": None
        if closed or item.status == Status.RESOLVED
        else when(item.due_at),
        "address": _address(item),
        "address_id": "",
        "zipcode": "",
        "lat": _coordinate(posted.lat) if posted is not None else None,
        "long": _coordinate(posted.long) if posted is not None else None,
        "media_url": posted.media_url if posted is not None else "",
    }


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for name, child in value.items():
            _fill(ET.SubElement(element, name), child)
    elif isinstance(value, list):
        member = MEMBER.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, member), child)
    else:
        text = _text(value)
        if text is not None:
            element.text = text


def to_xml(root: str, value) -> bytes:
    element = ET.Element(root)
    _fill(element, value)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def respond(fmt: str, root: str, value, status: int = 200) -> HttpResponse:
    """``value`` as JSON, or as XML under ``root`` (a list becomes repeated members)."""
    if fmt == "xml":
        body = to_xml(root, value)
    else:
        body = json.dumps(value, ensure_ascii=False).encode("utf-8")
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    return respond(
        fmt, "errors", [{"code": status, "description": str(d)} for d in descriptions], status
    )
