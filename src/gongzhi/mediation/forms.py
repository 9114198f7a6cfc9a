"""Forms for mediation pages. They parse what people typed and show it back; the rules live
in ``mediation.services``, so the form and the API refuse the same input with the same
words."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import OUTCOMES, ReferredTo, Side
from .models import NAME_MAX, NOTE_MAX, PLACE_MAX, TEXT_MAX, TITLE_MAX

DATE_ERRORS = {"required": _("请填写日期。"), "invalid": _("日期格式不对。")}


class CaseForm(forms.Form):
    title = forms.CharField(
        label=_("纠纷类型"),
        max_length=TITLE_MAX,
        required=False,
        help_text=_("例如：漏水纠纷、噪音纠纷、占道纠纷。所有工作人员都能看到这一项。"),
    )
    summary = forms.CharField(
        label=_("纠纷简要情况"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("保密：只有本案调解员和社区书记能看到。"),
    )
    arose_on = forms.DateField(
        label=_("纠纷发生日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=DATE_ERRORS,
    )
    mediators = forms.MultipleChoiceField(
        label=_("调解员"), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, members=(), communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.pk): m for m in members}
        self.fields["mediators"].choices = [(str(m.pk), m.name) for m in members]
        if len(communities) > 1:
            self.fields["community"] = forms.ChoiceField(
                label=_("社区"), choices=[(str(c.pk), c.name) for c in communities]
            )
            self.order_fields(["community"])

    def chosen_mediators(self):
        return [
            self.members[k] for k in self.cleaned_data.get("mediators", []) if k in self.members
        ]


class PartyForm(forms.Form):
    side = forms.ChoiceField(
        label=_("身份"), choices=Side.choices, widget=forms.RadioSelect, initial=Side.APPLICANT
    )
    resident = forms.ChoiceField(
        label=_("本社区居民"),
        required=False,
        help_text=_("从居民登记中选；不在登记中的当事人请留空并填写姓名。"),
    )
    name = forms.CharField(label=_("姓名（外来当事人）"), max_length=NAME_MAX, required=False)
    phone = forms.CharField(
        label=_("手机号（外来当事人）"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    statement = forms.CharField(
        label=_("当事人陈述"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, residents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.residents = {str(r.pk): r for r in residents}
        self.fields["resident"].choices = [("", _("（不在登记中）"))] + [
            (str(r.pk), r.name) for r in residents
        ]


class SessionForm(forms.Form):
    day = forms.DateField(
        label=_("调解日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=DATE_ERRORS,
    )
    time = forms.TimeField(
        label=_("开始时间"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"required": _("请填写时间。"), "invalid": _("时间格式不对。")},
    )
    place = forms.CharField(label=_("地点"), max_length=PLACE_MAX, required=False)
    attendees = forms.MultipleChoiceField(
        label=_("到场当事人"), widget=forms.CheckboxSelectMultiple, required=False
    )
    notes = forms.CharField(
        label=_("调解记录"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("保密：只有本案调解员和社区书记能看到。"),
    )

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.parties = {str(p.pk): p for p in parties}
        self.fields["attendees"].choices = [(str(p.pk), p.name) for p in parties]

    def held_at(self) -> dt.datetime:
        tz = timezone.get_current_timezone()
        return dt.datetime.combine(self.cleaned_data["day"], self.cleaned_data["time"], tzinfo=tz)

    def chosen(self):
        return [
            self.parties[k] for k in self.cleaned_data.get("attendees", []) if k in self.parties
        ]


class ConcludeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("调解结果"),
        choices=[(o.value, o.label) for o in OUTCOMES],
        widget=forms.RadioSelect,
    )
    agreement = forms.CharField(
        label=_("协议内容"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("达成协议时填写，会写进人民调解协议书。"),
    )
    referred_to = forms.ChoiceField(
        label=_("移交单位"),
        choices=[("", _("（不移交）"))] + list(ReferredTo.choices),
        required=False,
    )
    note = forms.CharField(label=_("说明"), max_length=NOTE_MAX, required=False)


class SignedCopyForm(forms.Form):
    photo = forms.FileField(label=_("签字的协议书照片"), required=False)


class FollowUpForm(forms.Form):
    kept = forms.ChoiceField(
        label=_("协议履行情况"),
        choices=[("yes", _("正在履行")), ("no", _("没有履行"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("回访情况"), max_length=NOTE_MAX, required=False)
