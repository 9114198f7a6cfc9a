"""The 人民调解协议书 as a .docx, laid out as the printed form: title and number, the
parties (masked phones), the dispute, the terms agreed, how it is to be carried out, and
lines for the parties', the mediators' and the committee's signatures."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from .enums import Side
from .models import Case


def _heading(doc, text: str) -> None:
    run = doc.add_paragraph().add_run(text)
    run.bold = True
    run.font.size = Pt(14)


def agreement_docx(case: Case) -> bytes:
    doc = Document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(_("人民调解协议书"))
    run.bold = True
    run.font.size = Pt(22)
    number = doc.add_paragraph(_("编号：%(number)s") % {"number": case.number})
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    parties = doc.add_table(rows=1, cols=3)
    parties.style = "Table Grid"
    header = parties.rows[0].cells
    header[0].text, header[1].text, header[2].text = _("身份"), _("姓名"), _("联系电话")
    for party in case.parties.all():
        cells = parties.add_row().cells
        cells[0].text = str(Side(party.side).label)
        cells[1].text = party.name
        cells[2].text = party.phone_masked
    _heading(doc, _("纠纷简要情况"))
    doc.add_paragraph(case.summary)
    _heading(doc, _("经调解，自愿达成如下协议"))
    doc.add_paragraph(case.agreement)
    _heading(doc, _("履行方式、时限"))
    doc.add_paragraph(
        _("本协议自各方签字之日起生效。调解员将于协议生效后第7、30、90天回访履行情况。")
    )
    doc.add_paragraph(
        _("本协议一式%(n)d份，当事人、%(community)s人民调解委员会各执一份。")
        % {"n": case.parties.count() + 1, "community": case.community.name}
    )
    signatures = doc.add_table(rows=0, cols=2)
    signatures.style = "Table Grid"
    for party in case.parties.all():
        cells = signatures.add_row().cells
        cells[0].text = _("当事人（签名）：%(name)s") % {"name": party.name}
        cells[1].text = _("日期：")
    for mediator in case.mediators.all():
        cells = signatures.add_row().cells
        cells[0].text = _("调解员（签名）：%(name)s") % {"name": mediator.name}
        cells[1].text = _("日期：")
    cells = signatures.add_row().cells
    cells[0].text = _("%(community)s人民调解委员会（盖章）") % {"community": case.community.name}
    agreed = timezone.localtime(case.agreed_at or timezone.now())
    cells[1].text = agreed.strftime("%Y年%m月%d日")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
