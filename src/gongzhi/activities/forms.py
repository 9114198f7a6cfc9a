"""Forms for activity pages. They parse what people typed and show it back; the rules live
in ``activities.services``, so the page and the API refuse the same input with the same
words."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import ActivityKind, CheckInRole, GroupKind, OutreachFormat, ServiceArea
from .models import OPTION_MAX, PLACE_MAX, QUESTION_MAX, TEXT_MAX, TITLE_MAX

_TIME = {"required": _("请填写时间。"), "invalid": _("时间格式不对。")}


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=TITLE_MAX, required=False)
    kind = forms.ChoiceField(label=_("类别"), choices=ActivityKind.choices)
    outreach_format = forms.ChoiceField(
        label=_("宣讲形式"),
        choices=[("", _("（不是宣讲）"))] + OutreachFormat.choices,
        required=False,
    )
    service_area = forms.ChoiceField(
        label=_("志愿服务类别"),
        choices=[("", _("（不是志愿服务）"))] + ServiceArea.choices,
        required=False,
    )
    organiser = forms.ChoiceField(label=_("组织方"), required=False)
    venue = forms.ChoiceField(label=_("场地"), required=False)
    place = forms.CharField(
        label=_("地点"),
        max_length=PLACE_MAX,
        required=False,
        help_text=_("不在登记的场地时填写，例如：甘露园1栋楼下。"),
    )
    day = forms.DateField(
        label=_("日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("请选择日期。"), "invalid": _("日期格式不对。")},
    )
    start = forms.TimeField(
        label=_("开始时间"), widget=forms.TimeInput(attrs={"type": "time"}), error_messages=_TIME
    )
    end = forms.TimeField(
        label=_("结束时间"), widget=forms.TimeInput(attrs={"type": "time"}), error_messages=_TIME
    )
    capacity = forms.IntegerField(
        label=_("名额"),
        min_value=1,
        error_messages={"required": _("请填写名额。"), "invalid": _("请填写数字。")},
    )
    wish = forms.ChoiceField(label=_("对应的微心愿"), required=False)
    description = forms.CharField(
        label=_("介绍"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, organisers=(), venues=(), wishes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].choices = [("", _("请选择"))] + [
            (key, label) for key, label, _obj in organisers
        ]
        self.organisers = {key: obj for key, _label, obj in organisers}
        self.fields["venue"].choices = [("", _("（不在登记的场地）"))] + [
            (str(v.pk), v.name) for v in venues
        ]
        self.venues = {str(v.pk): v for v in venues}
        self.fields["wish"].choices = [("", _("（无）"))] + [
            (str(w.pk), w.text[:30]) for w in wishes
        ]
        self.wishes = {str(w.pk): w for w in wishes}

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        day = self.cleaned_data["day"]
        return (
            dt.datetime.combine(day, self.cleaned_data["start"], tzinfo=tz),
            dt.datetime.combine(day, self.cleaned_data["end"], tzinfo=tz),
        )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        organiser = self.organisers.get(data.get("organiser") or "")
        kind_of = type(organiser).__name__ if organiser is not None else ""
        starts_at, ends_at = self.moments()
        return {
            "title": data["title"],
            "kind": data["kind"],
            "outreach_format": data["outreach_format"],
            "service_area": data["service_area"],
            "team": organiser if kind_of == "Team" else None,
            "group": organiser if kind_of == "VolunteerGroup" else None,
            "partner": organiser if kind_of == "PartnerUnit" else None,
            "venue": self.venues.get(data.get("venue") or ""),
            "place": data["place"],
            "starts_at": starts_at,
            "ends_at": ends_at,
            "capacity": data["capacity"],
            "wish": self.wishes.get(data.get("wish") or ""),
            "description": data["description"],
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)


class CheckInForm(forms.Form):
    token = forms.CharField(
        label=_("扫码内容"),
        max_length=200,
        required=False,
        help_text=_("用扫码枪或手机扫一扫居民的签到码，内容会出现在这里。"),
    )
    resident = forms.IntegerField(required=False, widget=forms.HiddenInput)
    role = forms.ChoiceField(
        label=_("身份"), choices=CheckInRole.choices, initial=CheckInRole.ATTENDEE
    )
    hours = forms.DecimalField(
        label=_("服务时长（小时）"),
        required=False,
        min_value=0,
        max_digits=4,
        decimal_places=1,
        help_text=_("只对志愿者；不填按活动时长计。"),
        error_messages={"invalid": _("请填写数字。")},
    )


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("题目"), max_length=QUESTION_MAX, required=False)
    options = forms.CharField(
        label=_("选项"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个选项，2到6个。"),
    )
    correct = forms.IntegerField(
        label=_("正确答案是第几个选项"),
        min_value=1,
        max_value=6,
        error_messages={"required": _("请填写正确答案。"), "invalid": _("请填写数字。")},
    )

    def option_list(self) -> list[str]:
        return [
            line.strip()[: OPTION_MAX + 1]
            for line in (self.cleaned_data.get("options") or "").splitlines()
            if line.strip()
        ]


class GroupForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=TITLE_MAX, required=False)
    kind = forms.ChoiceField(label=_("类别"), choices=GroupKind.choices)
    description = forms.CharField(label=_("简介"), max_length=200, required=False)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("姓名或拼音"), max_length=50, required=False)
