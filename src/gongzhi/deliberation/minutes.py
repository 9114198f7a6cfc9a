"""Meeting minutes as a .docx in the layout a subdistrict files them: title, then a table
of time, place, host and attendees, then agenda, discussion, decisions and the tasks
table. Every cell holds text only (python-docx writes no formulas)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from .models import Meeting


def _heading(doc, text: str) -> None:
    p = doc.add_paragraph()
    run = p.add_run(text)
    run.bold = True
    run.font.size = Pt(14)


def minutes_docx(meeting: Meeting) -> bytes:
    doc = Document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(
        _("%(community)s%(kind)s会议纪要")
        % {
            "community": meeting.community.name,
            "kind": meeting.get_kind_display(),
        }
    )
    run.bold = True
    run.font.size = Pt(20)
    attendees = [i.label for i in meeting.invitees.order_by("id") if i.signed_in_at]
    facts = doc.add_table(rows=0, cols=2)
    facts.style = "Table Grid"
    for label, value in (
        (_("会议名称"), meeting.title),
        (_("时间"), timezone.localtime(meeting.starts_at).strftime("%Y年%m月%d日 %H:%M")),
        (_("地点"), meeting.place),
        (_("主持人"), meeting.host_name),
        (_("形式"), meeting.get_form_display()),
        (
            _("参会人员"),
            _("%(names)s（共%(n)d人次）") % {"names": "、".join(attendees), "n": len(attendees)},
        ),
    ):
        cells = facts.add_row().cells
        cells[0].text = str(label)
        cells[1].text = value
    _heading(doc, _("一、会议议程"))
    doc.add_paragraph(meeting.agenda)
    _heading(doc, _("二、讨论情况"))
    doc.add_paragraph(meeting.minutes or _("（未记录）"))
    _heading(doc, _("三、决定事项"))
    for n, decision in enumerate(meeting.decisions.order_by("id"), start=1):
        doc.add_paragraph(f"{n}. {decision.text}")
    if meeting.outcome:
        doc.add_paragraph(_("协商结果：%(outcome)s") % {"outcome": meeting.outcome})
    _heading(doc, _("四、任务分解"))
    tasks = doc.add_table(rows=1, cols=4)
    tasks.style = "Table Grid"
    for cell, label in zip(
        tasks.rows[0].cells,
        (_("任务"), _("责任人/单位"), _("完成时限"), _("完成情况")),
        strict=True,
    ):
        cell.text = str(label)
    for task in meeting.tasks.select_related("owner_user", "owner_unit").order_by("id"):
        cells = tasks.add_row().cells
        cells[0].text = task.title
        cells[1].text = task.owner_label
        cells[2].text = timezone.localtime(task.due_at).strftime("%Y-%m-%d")
        cells[3].text = task.evidence or _("未完成")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
