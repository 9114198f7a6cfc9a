"""Forms for the points pages. They parse what people typed and show it back; the rules
live in ``points.services``, so the form and the API refuse the same input with the same
words."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MEMO_MAX, NAME_MAX
from .services import MAX_CORRECTION, MAX_PRICE, MAX_QUANTITY, MAX_STOCK

NUMBER = {"required": _("请填写数字。"), "invalid": _("请填写整数。")}


class ItemForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=NAME_MAX)
    description = forms.CharField(
        label=_("说明"),
        max_length=MEMO_MAX,
        required=False,
        help_text=_("例如：5斤装东北大米；凭兑换记录到党群服务中心领取。"),
    )
    price = forms.IntegerField(
        label=_("所需积分"), min_value=1, max_value=MAX_PRICE, error_messages=NUMBER
    )
    stock = forms.IntegerField(
        label=_("库存"), min_value=0, max_value=MAX_STOCK, error_messages=NUMBER
    )
    supplier = forms.ChoiceField(label=_("提供单位"), required=False)
    is_active = forms.BooleanField(label=_("上架"), required=False, initial=True)

    def __init__(self, *args, suppliers=(), communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.suppliers = {str(s.pk): s for s in suppliers}
        self.fields["supplier"].choices = [("", _("（社区自备）"))] + [
            (str(s.pk), s.name) for s in suppliers
        ]
        # A new item of one of several communities (subdistrict staff): which one.
        if len(communities) > 1:
            self.fields["community"] = forms.ChoiceField(
                label=_("社区"), choices=[(str(c.pk), c.name) for c in communities]
            )
            self.order_fields(["community"])


class RedeemForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("数量"), min_value=1, max_value=MAX_QUANTITY, initial=1, error_messages=NUMBER
    )
    # A one-time token written into the page: the same page submitted twice charges once.
    token = forms.CharField(max_length=80, widget=forms.HiddenInput)


class CorrectionForm(forms.Form):
    amount = forms.IntegerField(
        label=_("更正积分"),
        min_value=-MAX_CORRECTION,
        max_value=MAX_CORRECTION,
        help_text=_("补加写正数，扣减写负数，例如 -20。"),
        error_messages=NUMBER,
    )
    reason = forms.CharField(label=_("原因"), max_length=MEMO_MAX)
    token = forms.CharField(max_length=80, widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=MEMO_MAX, required=False)


class ResidentSearchForm(forms.Form):
    q = forms.CharField(
        label=_("查找居民"),
        max_length=60,
        required=False,
        help_text=_("可输入姓名、拼音首字母、手机尾号4位或地址（如 3栋2单元）。"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
