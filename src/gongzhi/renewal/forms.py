"""Forms for the renewal pages. They parse and re-display what people typed; the rules
live in ``renewal.services``, so a form and the API refuse the same input with the same
words (``apply_errors`` puts a service's refusal next to its field)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gongzhi.core.widgets import QuickCheckboxes, QuickSelect

from .enums import ANSWERED, STAFF_CHANNELS, Answer, Decision, FundingKind, Kind, OpinionChannel
from .models import NAME_MAX, PLAN_MAX, TEXT_MAX


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


def _area(rows=4, limit=TEXT_MAX):
    return forms.Textarea(attrs={"rows": rows, "maxlength": limit})


class ProjectForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=Kind.choices)
    name = forms.CharField(label=_("项目名称"), max_length=NAME_MAX, required=False)
    description = forms.CharField(
        label=_("项目简介"), widget=_area(5, 2000), required=False, max_length=2000
    )
    budget = forms.CharField(label=_("预算（元）"), required=False, max_length=20)


class PlacesForm(forms.Form):
    buildings = forms.MultipleChoiceField(
        label=_("整栋涉及的楼栋"), required=False, widget=forms.CheckboxSelectMultiple
    )
    entrances = forms.MultipleChoiceField(
        label=_("只涉及部分单元"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, buildings=(), entrances=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buildings"].choices = [
            (str(b.pk), f"{b.compound.name} {b}") for b in buildings
        ]
        self.fields["entrances"].choices = [(str(e.pk), str(e)) for e in entrances]


class FundingForm(forms.Form):
    kind = forms.ChoiceField(label=_("资金来源"), choices=FundingKind.choices)
    amount = forms.CharField(label=_("金额（元）"), max_length=20, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("节点"), max_length=NAME_MAX, required=False)
    due_on = forms.DateField(
        label=_("计划日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=NAME_MAX, required=False)
    file = forms.FileField(label=_("照片或PDF"), required=False)


class RoundForm(forms.Form):
    title = forms.CharField(label=_("方案标题"), max_length=NAME_MAX, required=False)
    summary = forms.CharField(label=_("方案摘要"), widget=_area(3), required=False)
    text = forms.CharField(label=_("方案内容"), widget=_area(10, PLAN_MAX), required=False)

    def __init__(self, *args, opinions=(), slots: int = 3, **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = []
        choices = [(str(o.pk), f"#{o.pk} {o.public_text or o.text}"[:80]) for o in opinions]
        for i in range(slots):
            self.fields[f"change_{i}"] = forms.CharField(
                label=_("修改内容 %(n)s") % {"n": i + 1}, required=False, widget=_area(2)
            )
            self.fields[f"cause_{i}"] = forms.MultipleChoiceField(
                label=_("依据的居民意见"),
                required=False,
                choices=choices,
                widget=QuickCheckboxes,
            )
            self.slots.append((self[f"change_{i}"], self[f"cause_{i}"]))

    def change_list(self) -> list[tuple[str, list[int]]]:
        data = self.cleaned_data
        return [
            (data.get(f"change_{i}", ""), [int(x) for x in data.get(f"cause_{i}", [])])
            for i in range(len(self.slots))
        ]


class PublishForm(forms.Form):
    closes_on = forms.DateField(
        label=_("意见截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("不填则为十个工作日后。"),
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("决定"), choices=Decision.choices)
    note = forms.CharField(label=_("决定说明"), widget=_area(3), required=False)


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("答复"),
        choices=[(a, Answer(a).label) for a in ANSWERED],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("答复理由"), widget=_area(2), required=False)
    public_text = forms.CharField(
        label=_("公开内容"),
        widget=_area(2),
        required=False,
        help_text=_("“你说 · 我改”里居民看到的文字；不填则自动隐去姓名、电话和门牌号。"),
    )


class OpinionForm(forms.Form):
    text = forms.CharField(
        label=_("您的意见"),
        widget=_area(6),
        required=False,
        help_text=_("最多500个字。"),
    )


class StaffOpinionForm(forms.Form):
    resident = forms.ChoiceField(label=_("提意见的居民"), widget=QuickSelect)
    channel = forms.ChoiceField(
        label=_("收集方式"),
        choices=[(c, OpinionChannel(c).label) for c in STAFF_CHANNELS],
        initial=OpinionChannel.PAPER,
    )
    text = forms.CharField(label=_("意见内容"), widget=_area(4), required=False)

    def __init__(self, *args, residents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].choices = [
            (str(r.pk), f"{r.household.address_label} {r.name}") for r in residents
        ]


class LinkItemForm(forms.Form):
    number = forms.CharField(label=_("诉求编号"), max_length=20)
