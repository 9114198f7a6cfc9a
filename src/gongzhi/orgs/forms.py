"""Forms of the organisation pages. They parse and give back what was typed; the rules
(limits, one chief per place, dates, who may) are the services', so a page and the API
refuse the same input with the same words. No ``max_length`` here for that reason: a text
over its limit reaches the service, which says so with the count."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import PartnerKind, TeamKind, TeamRole

DATE_ERRORS = {"invalid": _("请按“2026-03-01”的格式填写日期。")}


def _date_field(label, **kwargs):
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=DATE_ERRORS,
        **kwargs,
    )


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's refusal next to the field it names; anything the form has no
    field for goes on top of the form."""
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


class PersonForm(forms.Form):
    """Who: a resident found in the register, or a login by its username, or only a name
    (someone without either yet)."""

    q = forms.CharField(
        label=_("查找居民"),
        required=False,
        help_text=_("输入姓名、拼音首字母（如 zs）或地址（如 3-2-501），再按“查找”。"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    resident = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    username = forms.CharField(
        label=_("或填写登录账号的用户名（可不填）"),
        required=False,
        help_text=_("填了账号，任职后此人登录即可查看和办理这个岗位负责的事务。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    holder_name = forms.CharField(
        label=_("任职人姓名"),
        required=False,
        help_text=_("选了居民或账号可不填，默认用其姓名。最多50字。"),
    )

    def clean_q(self):
        return (self.cleaned_data.get("q") or "").strip()

    def clean_username(self):
        return (self.cleaned_data.get("username") or "").strip()


class AppointForm(PersonForm):
    kind = forms.ChoiceField(label=_("岗位"), error_messages={"invalid_choice": _("请选择岗位。")})
    started_on = _date_field(_("任职日期"), required=False)

    field_order = ["kind", "q", "resident", "username", "holder_name", "started_on"]

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0].value
        self.fields["started_on"].initial = timezone.localdate()


class HandOverForm(PersonForm):
    on = _date_field(
        _("交接日期"),
        required=False,
        help_text=_("原任职人这一天离任，接任人这一天起任职。"),
    )

    field_order = ["on", "q", "resident", "username", "holder_name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
        self.fields["q"].label = _("查找接任的居民")
        self.fields["holder_name"].label = _("接任人姓名")


class EndForm(forms.Form):
    ended_on = _date_field(_("离任日期"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate()


class TeamForm(forms.Form):
    community = forms.ModelChoiceField(
        label=_("所属社区"),
        queryset=None,
        empty_label=None,
        error_messages={"invalid_choice": _("请选择队伍所属的社区。")},
    )
    name = forms.CharField(label=_("队伍名称"), required=False, help_text=_("最多100字。"))
    kind = forms.ChoiceField(
        label=_("类别"),
        choices=TeamKind.choices,
        error_messages={"invalid_choice": _("请选择队伍类别。")},
    )
    description = forms.CharField(
        label=_("简介（可不填）"),
        required=False,
        help_text=_("最多500字。"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class TeamMemberForm(forms.Form):
    q = PersonForm.base_fields["q"]
    resident = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    role = forms.ChoiceField(
        label=_("角色"),
        choices=TeamRole.choices,
        initial=TeamRole.MEMBER,
        required=False,
        error_messages={"invalid_choice": _("请选择角色。")},
    )

    def clean_q(self):
        return (self.cleaned_data.get("q") or "").strip()

    def clean_role(self):
        return self.cleaned_data.get("role") or TeamRole.MEMBER


class PartnerForm(forms.Form):
    name = forms.CharField(label=_("单位名称"), required=False, help_text=_("最多120字。"))
    short_name = forms.CharField(
        label=_("简称（可不填）"), required=False, help_text=_("最多40字。")
    )
    kind = forms.ChoiceField(
        label=_("类别"),
        choices=PartnerKind.choices,
        error_messages={"invalid_choice": _("请选择单位类别。")},
    )
    offers = forms.CharField(
        label=_("可提供的资源与服务（可不填）"),
        required=False,
        help_text=_("最多1000字。"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    in_alliance = forms.BooleanField(label=_("区域化党建联盟成员"), required=False, initial=True)
    communities = forms.ModelMultipleChoiceField(
        label=_("共建社区"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("请从列出的社区中选择。")},
    )

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communities"].queryset = communities


class ContactForm(forms.Form):
    name = forms.CharField(label=_("联系人姓名"), required=False)
    title = forms.CharField(label=_("职务（可不填）"), required=False)
    phone = forms.CharField(
        label=_("电话（可不填）"),
        required=False,
        help_text=_("手机号，或带区号的座机号。保存后加密存放，页面上只显示前三位和后四位。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )


class HouseholdSearchForm(forms.Form):
    q = forms.CharField(
        label=_("按地址查找住户"),
        required=False,
        help_text=_("如 3栋2单元501 或 3-2-501。"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def clean_q(self):
        return (self.cleaned_data.get("q") or "").strip()
