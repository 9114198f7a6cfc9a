"""Saving a work report's own words. The figures are never saved: they are counted from the
records whenever the report is shown (``reports.builder``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.places.models import Community, Subdistrict

from . import rules
from .builder import SECTION_KEYS
from .models import PARAGRAPH_MAX, TITLE_MAX, WorkReport
from .selectors import period_check


def _clean(start, end, title: str, paragraphs: dict) -> tuple[str, dict]:
    errors: dict[str, list[str]] = {}
    if start is None or end is None:
        errors["from"] = [_("请填写开始日期和结束日期。")]
    elif start > end:
        errors["from"] = [_("开始日期不能晚于结束日期。")]
    else:
        try:
            period_check(start, end)
        except ValidationError as error:
            errors.update(error.message_dict)
    title = (title or "").strip()
    if len(title) > TITLE_MAX:
        errors["title"] = [_("标题最多%(n)d个字。") % {"n": TITLE_MAX}]
    cleaned = {}
    for key, text in (paragraphs or {}).items():
        if key not in SECTION_KEYS:
            errors.setdefault("paragraphs", []).append(_("没有这一部分：%(key)s。") % {"key": key})
            continue
        text = (text or "").strip().replace("\r\n", "\n")
        if len(text) > PARAGRAPH_MAX:
            errors[key] = [
                _("这一段最多%(n)d个字，现在有%(m)d个字。") % {"n": PARAGRAPH_MAX, "m": len(text)}
            ]
        if text:
            cleaned[key] = text
    if errors:
        raise ValidationError(errors)
    return title, cleaned


@transaction.atomic
def report_save(
    *,
    actor,
    start: dt.date,
    end: dt.date,
    title: str = "",
    paragraphs: dict,
    community: Community | None = None,
    subdistrict: Subdistrict | None = None,
) -> WorkReport:
    """Keep the title and paragraphs of the report of ``community`` (or ``subdistrict``)
    over ``start``–``end``, creating it on first save. Only who may edit the area
    (``rules.can_edit``) may save; the area's row is locked so that two people saving the
    same report at once make one report, the later words standing. Writes the audit event
    ``reports.report.saved`` naming the sections changed."""
    if (community is None) == (subdistrict is None):
        raise ValidationError({"community": [_("请选择一个社区或街道。")]})
    if not rules.can_edit(actor, community=community, subdistrict=subdistrict):
        raise PermissionDenied
    title, cleaned = _clean(start, end, title, paragraphs)
    if community is not None:
        Community.objects.select_for_update().get(pk=community.pk)
    else:
        Subdistrict.objects.select_for_update().get(pk=subdistrict.pk)
    report = (
        WorkReport.objects.select_for_update()
        .filter(community=community, subdistrict=subdistrict, start=start, end=end)
        .first()
    )
    if report is None:
        report = WorkReport(
            community=community,
            subdistrict=subdistrict,
            start=start,
            end=end,
            created_by=actor,
        )
        before_title, before = "", {}
    else:
        before_title, before = report.title, dict(report.paragraphs)
    changed = sorted(k for k in set(before) | set(cleaned) if before.get(k) != cleaned.get(k))
    report.title = title
    report.paragraphs = cleaned
    report.updated_by = actor
    report.save()
    audit.record(
        actor=actor,
        action="reports.report.saved",
        obj=report,
        place=community or subdistrict,
        changes={
            "sections": changed,
            "title": [before_title, title] if before_title != title else None,
        },
    )
    return report
