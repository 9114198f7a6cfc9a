"""The audit log's filters. Dates are checked here like every date a person types."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .audit import action_choices
from .dates import check_date
from .text import name_of

_ACTION = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
DATE_ERRORS = {"invalid": _("请按“2026-03-01”的格式填写日期。")}


class NamedModelChoiceField(forms.ModelChoiceField):
    """A choice of categories, care tags or places, each named in the reader's language."""

    def label_from_instance(self, obj) -> str:
        return name_of(obj)


class NamedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return name_of(obj)


def _date(label):
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=DATE_ERRORS,
    )


class AuditFilterForm(forms.Form):
    since = _date(_("从"))
    until = _date(_("到"))
    actor = forms.CharField(
        label=_("操作人"),
        required=False,
        help_text=_("用户名或姓名的一部分。"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    # A select of the actions and their groups; a link may name any dotted prefix.
    action = forms.CharField(label=_("动作"), required=False, widget=forms.Select)
    object = forms.CharField(
        label=_("对象"),
        required=False,
        help_text=_("如居民姓名、地址、岗位或单位名称的一部分。"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    object_type = forms.CharField(required=False, widget=forms.HiddenInput)
    object_id = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].widget.choices = action_choices()

    def clean_since(self):
        return check_date(self.cleaned_data.get("since"))

    def clean_until(self):
        return check_date(self.cleaned_data.get("until"))

    def clean_action(self):
        value = (self.cleaned_data.get("action") or "").strip()
        if value and not _ACTION.match(value):
            raise ValidationError(_("请从列表中选择动作。"))
        return value

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("结束日期不能早于开始日期。"))
        for name in ("actor", "object", "object_type", "object_id"):
            data[name] = (data.get(name) or "").strip()[:200]
        return data


# --- the holiday schedule (节假日安排) -------------------------------------------------

SCHEDULE_DATE_ERRORS = {"invalid": _("请按“2027-01-01”的格式填写日期。")}


def _schedule_date(label):
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=SCHEDULE_DATE_ERRORS,
    )


class HolidayYearForm(forms.Form):
    year = forms.IntegerField(
        label=_("年份"), error_messages={"invalid": _("请填写四位数的年份。")}
    )
    # No max_length: the service's own words say the text is too long.
    source = forms.CharField(
        label=_("依据（可不填）"),
        required=False,
        help_text=_("如国务院办公厅关于该年部分节假日安排的通知。最多200字。"),
    )


class HolidayPeriodForm(forms.Form):
    """One row: a holiday and its days off in a row, weekends it is joined to included."""

    name = forms.CharField(label=_("节日"), required=False)
    first_day = _schedule_date(_("放假第一天"))
    last_day = _schedule_date(_("放假最后一天"))

    def is_blank(self) -> bool:
        return not any((self.data.get(self.add_prefix(n)) or "").strip() for n in self.fields)


class MakeUpDayForm(forms.Form):
    day = _schedule_date(_("调休上班日"))
    name = forms.CharField(label=_("对应节日（可不填）"), required=False)

    def is_blank(self) -> bool:
        return not any((self.data.get(self.add_prefix(n)) or "").strip() for n in self.fields)


HolidayPeriodFormSet = forms.formset_factory(HolidayPeriodForm, extra=0)
MakeUpDayFormSet = forms.formset_factory(MakeUpDayForm, extra=0)


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's refusal on the form, next to the field it names; anything the form
    has no field for goes on top of the form."""
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)
