"""Forms for venue pages. They parse what people typed and show it back; the rules live in
``venues.services``, so the form and the API refuse the same input with the same words."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import VenueKind
from .models import NAME_MAX, PURPOSE_MAX, REASON_MAX


class VenueForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=NAME_MAX)
    kind = forms.ChoiceField(label=_("类别"), choices=VenueKind.choices)
    address = forms.CharField(label=_("位置"), max_length=120, required=False)
    purposes = forms.CharField(
        label=_("用途"),
        max_length=200,
        required=False,
        help_text=_("例如：党员学习、议事协商、文艺排练、老年活动。"),
    )
    capacity = forms.IntegerField(label=_("可容纳人数"), min_value=1, max_value=2000, initial=20)
    needs_approval = forms.BooleanField(label=_("预约需社区审批"), required=False, initial=True)
    is_active = forms.BooleanField(label=_("开放预约"), required=False, initial=True)
    periods = forms.CharField(
        label=_("开放时间"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "每行一条：星期（1是周一，7是周日）和时段，例如“1-5 08:30-12:00 14:00-17:30”。"
        ),
    )

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        # A new venue of one of several communities (subdistrict staff): which one.
        if len(communities) > 1:
            self.fields["community"] = forms.ChoiceField(
                label=_("社区"), choices=[(str(c.pk), c.name) for c in communities]
            )
            self.order_fields(["community"])


class BookingForm(forms.Form):
    day = forms.DateField(
        label=_("日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("请选择日期。"), "invalid": _("日期格式不对。")},
    )
    start = forms.TimeField(
        label=_("开始时间"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"required": _("请填写开始时间。"), "invalid": _("时间格式不对。")},
    )
    end = forms.TimeField(
        label=_("结束时间"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"required": _("请填写结束时间。"), "invalid": _("时间格式不对。")},
    )
    purpose = forms.CharField(label=_("用途"), max_length=PURPOSE_MAX, required=False)
    expected = forms.IntegerField(
        label=_("预计人数"),
        min_value=1,
        error_messages={"required": _("请填写预计人数。"), "invalid": _("请填写数字。")},
    )
    team = forms.ChoiceField(label=_("队伍"), required=False)
    organiser = forms.CharField(
        label=_("组织方"),
        max_length=NAME_MAX,
        required=False,
        help_text=_("不是队伍时填写：哪个小组或哪些居民代表。"),
    )

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("（不是队伍）"))] + [
            (str(t.pk), t.name) for t in teams
        ]
        self.teams = {str(t.pk): t for t in teams}

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        day = self.cleaned_data["day"]
        return (
            dt.datetime.combine(day, self.cleaned_data["start"], tzinfo=tz),
            dt.datetime.combine(day, self.cleaned_data["end"], tzinfo=tz),
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=REASON_MAX, required=False)
