"""Forms of the deliberation pages. Bounds are the services' own; the forms only carry
what was typed so that a refusal shows it back."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .enums import MeetingForm, MeetingKind, Satisfaction, TalentTitle
from .models import TEXT_MAX, TITLE_MAX


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's refusal on the form, next to the field it names."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


class MatterForm(forms.Form):
    title = forms.CharField(label=_("议题"), max_length=TITLE_MAX * 4)
    summary = forms.CharField(
        label=_("情况说明（将在公示中展示）"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_MAX * 4,
    )
    notice_days = forms.IntegerField(label=_("公示天数（工作日）"), initial=5)
    threshold = forms.IntegerField(label=_("满意度要求（%）"), initial=80)


class VisitForm(forms.Form):
    note = forms.CharField(
        label=_("走访情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_MAX * 4
    )
    households = forms.MultipleChoiceField(
        label=_("征求过意见的住户"), widget=forms.CheckboxSelectMultiple, required=False
    )


class TaskForm(forms.Form):
    title = forms.CharField(label=_("任务"), max_length=800, required=False)
    owner = forms.ChoiceField(label=_("责任人或责任单位"), required=False)
    due_days = forms.IntegerField(label=_("时限（工作日）"), initial=5)


class MeetingCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    form = forms.ChoiceField(label=_("形式"), choices=MeetingForm.choices)
    title = forms.CharField(label=_("会议名称"), max_length=TITLE_MAX * 4)
    starts_at = forms.DateTimeField(
        label=_("时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("地点"), max_length=480)
    host_name = forms.CharField(label=_("主持人"), max_length=240)
    agenda = forms.CharField(label=_("议程"), widget=forms.Textarea(attrs={"rows": 4}))


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("会议记录"), widget=forms.Textarea(attrs={"rows": 6}))
    outcome = forms.CharField(label=_("协商结果"), required=False, max_length=2000)


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("决定事项"), widget=forms.Textarea(attrs={"rows": 2}))
    task_title = forms.CharField(label=_("分派任务"), required=False, max_length=800)
    owner = forms.ChoiceField(label=_("责任人或责任单位"), required=False)
    due_days = forms.IntegerField(label=_("时限（工作日）"), initial=5)


class EvidenceForm(forms.Form):
    evidence = forms.CharField(
        label=_("完成情况"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=_("您的异议"), widget=forms.Textarea(attrs={"rows": 5}), max_length=2000
    )


class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("您对办理结果满意吗？"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )


class TopicForm(forms.Form):
    text = forms.CharField(
        label=_("您想大家一起商量什么事？"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
    )


class TalentForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=160)
    title = forms.ChoiceField(label=_("称号"), choices=TalentTitle.choices)
    skills = forms.CharField(label=_("特长"), max_length=800)
    myself = forms.BooleanField(label=_("我推荐的是我自己"), required=False)


class ReviewForm(forms.Form):
    public_text = forms.CharField(
        label=_("公开的内容"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(label=_("不采纳的原因"), required=False, max_length=800)
