"""Forms of the compound pages: they check shape only; the services check meaning."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.forms import DATE_ERRORS

from .enums import BodyKind, CommitteePost
from .models import NAME_MAX, NOTE_MAX, TEXT_MAX, TITLE_MAX


def _date(label, required=True):
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={**DATE_ERRORS, "required": _("请填写日期。")},
    )


def _text(label, limit, required=True, rows=0):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label,
        max_length=limit,
        required=required,
        widget=widget,
        error_messages={"required": _("请填写%(label)s。") % {"label": label}},
    )


class _Choice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj)


class TermForm(forms.Form):
    name = _text(_("届次"), NAME_MAX)
    elected_on = _date(_("选举日期"))
    starts_on = _date(_("任期开始"))
    ends_on = _date(_("任期结束"))
    votes_cast = forms.IntegerField(label=_("参选户数"), min_value=0, required=False, initial=0)
    note = _text(_("备注"), NOTE_MAX, required=False)


class MemberForm(forms.Form):
    term = _Choice(label=_("届次"), queryset=None, empty_label=None)
    post = forms.ChoiceField(label=_("职务"), choices=CommitteePost.choices)
    resident = _Choice(label=_("本小区居民"), queryset=None, required=False)
    name = _text(_("姓名（不是登记居民时填写）"), NAME_MAX, required=False)

    def __init__(self, *args, terms, residents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = terms
        self.fields["resident"].queryset = residents


class ContractForm(forms.Form):
    company = _Choice(label=_("物业服务企业"), queryset=None)
    starts_on = _date(_("合同开始"))
    ends_on = _date(_("合同结束"))
    scope = _text(_("服务范围"), NOTE_MAX, rows=3)
    fee = forms.CharField(label=_("物业费（元/平方米·月）"), max_length=12)
    contact_name = _text(_("联系人"), NAME_MAX)
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    manager_name = _text(_("项目负责人"), NAME_MAX)

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies


class StaffForm(forms.Form):
    contract = _Choice(label=_("物业合同"), queryset=None, empty_label=None)
    role = _text(_("岗位"), NAME_MAX)
    resident = _Choice(label=_("登记居民"), queryset=None, required=False)
    name = _text(_("姓名（不是登记居民时填写）"), NAME_MAX, required=False)

    def __init__(self, *args, contracts, residents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts
        self.fields["resident"].queryset = residents


class GroupForm(forms.Form):
    name = _text(_("名称"), TITLE_MAX)
    started_on = _date(_("成立日期"))


class StewardForm(forms.Form):
    resident = _Choice(label=_("本小区居民"), queryset=None, required=False)
    name = _text(_("姓名（不是登记居民时填写）"), NAME_MAX, required=False)
    duty = _text(_("分工"), NAME_MAX, required=False)
    username = forms.CharField(
        label=_("登录账号（可选，用于签收和答复派单）"), max_length=150, required=False
    )

    def __init__(self, *args, residents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = residents


class MeetingForm(forms.Form):
    body = forms.ChoiceField(label=_("主体"), choices=BodyKind.choices)
    held_on = _date(_("会议日期"))
    title = _text(_("议题"), TITLE_MAX)
    minutes = _text(_("会议纪要"), TEXT_MAX, required=False, rows=4)
    decisions = forms.CharField(
        label=_("决定事项（每行一条）"),
        required=False,
        max_length=TEXT_MAX * 2,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoticeForm(forms.Form):
    body = forms.ChoiceField(label=_("发布主体"), choices=BodyKind.choices)
    title = _text(_("标题"), TITLE_MAX)
    text = _text(_("内容"), TEXT_MAX, rows=5)
    buildings = forms.ModelMultipleChoiceField(
        label=_("张贴楼栋（不选即全部楼栋）"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buildings"].queryset = buildings


class PollForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    questionnaire = _Choice(label=_("问卷"), queryset=None)
    starts_on = _date(_("开始日期"))
    ends_on = _date(_("截止日期"))

    def __init__(self, *args, questionnaires, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].queryset = questionnaires


class ShiftForm(forms.Form):
    on = _date(_("值班日期"))
    resident = _Choice(label=_("本社区居民（网格员、服务队员）"), queryset=None, required=False)
    name = _text(_("值班人（不是登记居民时填写）"), NAME_MAX, required=False)
    team = _Choice(label=_("所属队伍"), queryset=None, required=False)
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    hours = _text(_("时段"), 40)

    def __init__(self, *args, residents, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = residents
        self.fields["team"].queryset = teams
        self.fields["hours"].initial = "9:00-17:00"


class EndForm(forms.Form):
    """提前终止: the day it ends and why."""

    on = _date(_("终止日期"))
    reason = _text(_("终止原因"), NOTE_MAX, rows=3)
