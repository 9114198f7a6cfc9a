from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gongzhi.core.forms import NamedModelMultipleChoiceField
from gongzhi.core.text import name_of
from gongzhi.places.enums import ContactMethod, Gender, Relation, Residence
from gongzhi.places.models import CareTag, Resident


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("查找居民"),
        max_length=60,
        required=False,
        help_text=_(
            "可输入姓名、拼音或首字母（如 zs）、手机尾号4位、地址（如 3栋2单元、3-2-501）。"
        ),
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}
        ),
    )

    def clean_q(self):
        return (self.cleaned_data.get("q") or "").strip()


# --- the register: residents, status changes, visits -------------------------------------
#
# The forms parse types (a date, a choice); what is allowed — lengths, date ranges, the ID
# number's check digit, who may — is the services' (``places.services``), whose refusals
# are put back on the form next to the field they name (``apply_errors``).

DATE_INVALID = _("请按“2026-03-01”的格式填写有效的日期。")


def date_field(label, **kwargs):
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_INVALID},
        **kwargs,
    )


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's refusal on the form, next to the field it names; anything the form
    has no field for goes on top of the form."""
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


class ResidentForm(forms.Form):
    """Add a person to a household (迁入, a tenant, a newborn...) or change their details.
    On a change, the ID number and phone boxes start empty: a masked number cannot be
    typed back, and an empty box leaves the registered one as it is."""

    name = forms.CharField(
        label=_("姓名"), help_text=_("最多50字"), error_messages={"required": _("请填写姓名。")}
    )
    id_number = forms.CharField(
        label=_("身份证号"),
        required=False,
        help_text=_("18位。填写后，出生日期和性别按身份证号自动填写，校验位不对会提示。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("手机号"),
        required=False,
        help_text=_("11位手机号，可不填。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    clear_phone = forms.BooleanField(label=_("删除已登记的手机号"), required=False)
    gender = forms.ChoiceField(
        label=_("性别"),
        choices=Gender.choices,
        initial=Gender.UNKNOWN,
        widget=forms.RadioSelect,
        required=False,
    )
    birth_date = date_field(_("出生日期"), required=False, help_text=_("没有身份证号时填写。"))
    relation = forms.ChoiceField(
        label=_("与户主关系"),
        choices=[("", _("请选择")), *Relation.choices],
        error_messages={"required": _("请选择与户主关系。")},
    )
    residence = forms.ChoiceField(
        label=_("人户状态"),
        choices=Residence.choices,
        help_text=_("租户和流动人口一般是“人在户不在”，请同时填写户籍地址。"),
    )
    registered_address = forms.CharField(
        label=_("户籍地址"), required=False, help_text=_("最多200字")
    )
    moved_in_on = date_field(
        _("迁入日期"), required=False, help_text=_("搬来居住的日期，不填为今天。")
    )
    care_tags = NamedModelMultipleChoiceField(
        label=_("关爱标签"),
        queryset=CareTag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("高龄（80岁以上）按出生日期自动计算，不用勾选。"),
    )
    note = forms.CharField(
        label=_("备注"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("最多2000字"),
    )

    def __init__(self, *args, resident: Resident | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.resident = resident
        if resident is None:
            del self.fields["clear_phone"]
            return
        # A change: the status history holds the move-in; numbers are replaced, not shown.
        del self.fields["moved_in_on"]
        self.fields["id_number"].help_text = _(
            "已登记：%(masked)s。不修改请留空；填写新号码会替换原号码。"
        ) % {"masked": resident.id_number_masked or _("未登记")}
        self.fields["phone"].help_text = _(
            "已登记：%(masked)s。不修改请留空；填写新号码会替换原号码。"
        ) % {"masked": resident.phone_masked or _("未登记")}
        if not resident.phone:
            del self.fields["clear_phone"]
        if resident.id_number:
            # Birth date and gender come from the registered ID number.
            del self.fields["birth_date"]
            del self.fields["gender"]

    def clean(self):
        data = super().clean()
        if data.get("clear_phone") and (data.get("phone") or "").strip():
            self.add_error("phone", _("要删除手机号就不要再填写新号码。"))
        return data

    def service_fields(self) -> dict:
        """The cleaned data as ``resident_create`` / ``resident_update`` take it."""
        data = dict(self.cleaned_data)
        fields = {
            "name": data["name"],
            "relation": data["relation"],
            "residence": data["residence"],
            "registered_address": data.get("registered_address") or "",
            "note": data.get("note") or "",
            "care_tags": list(data.get("care_tags") or []),
        }
        if "gender" in self.fields:
            fields["gender"] = data.get("gender") or Gender.UNKNOWN
        if "birth_date" in self.fields:
            fields["birth_date"] = data.get("birth_date")
        if self.resident is None:
            fields["id_number"] = data.get("id_number") or ""
            fields["phone"] = data.get("phone") or ""
            fields["moved_in_on"] = data.get("moved_in_on")
        else:
            # None leaves a number as it is; "" clears it.
            fields["id_number"] = (data.get("id_number") or "").strip() or None
            phone = (data.get("phone") or "").strip()
            fields["phone"] = "" if data.get("clear_phone") else (phone or None)
        return fields


class StatusChangeForm(forms.Form):
    """迁出, 死亡 or 迁回: the day it happened and, for a move out, where to."""

    effective_on = date_field(_("日期"))
    reason = forms.CharField(label=_("说明"), required=False, help_text=_("最多200字"))

    def __init__(self, *args, day_label="", reason_label="", reason_help="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_on"].label = day_label
        self.fields["effective_on"].error_messages["required"] = _("请填写%(what)s。") % {
            "what": day_label
        }
        self.fields["reason"].label = reason_label
        if reason_help:
            self.fields["reason"].help_text = reason_help


class ContactForm(forms.Form):
    """走访记录: when, how, and what was found."""

    visited_on = date_field(_("走访日期"))
    method = forms.ChoiceField(
        label=_("方式"),
        choices=ContactMethod.choices,
        initial=ContactMethod.HOME_VISIT,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("情况记录"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("身体、生活、需要帮助的事，最多500字。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].error_messages["required"] = _("请填写走访日期。")


class CareFilterForm(forms.Form):
    """Which care list, where."""

    category = forms.ChoiceField(label=_("关爱类别"), required=False)
    grid = forms.ModelChoiceField(
        label=_("网格"), queryset=None, required=False, empty_label=_("全部网格")
    )
    building = forms.ModelChoiceField(
        label=_("楼栋"), queryset=None, required=False, empty_label=_("全部楼栋")
    )

    def __init__(self, *args, categories, grids, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = categories
        self.fields["grid"].queryset = grids
        # Grids of several communities share names (第一网格): each says whose it is.
        self.fields["grid"].label_from_instance = lambda g: f"{name_of(g.community)} {name_of(g)}"
        self.fields["grid"].error_messages["invalid_choice"] = _("请选择您负责范围内的网格。")
        self.fields["building"].queryset = buildings
        self.fields["building"].error_messages["invalid_choice"] = _("请选择您负责范围内的楼栋。")
        self.fields["building"].label_from_instance = lambda b: f"{name_of(b.compound)} {b}"
        self.fields["category"].error_messages["invalid_choice"] = _("请选择关爱类别。")
