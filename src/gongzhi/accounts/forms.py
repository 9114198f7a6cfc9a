from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    login = forms.CharField(
        label=_("手机号或用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("令牌名称（用途）"),
        max_length=100,
        help_text=_("例如：巡查App。以后在列表里认出它。"),
        widget=forms.TextInput(attrs={"aria-describedby": "id_name-help"}),
    )


class PartnerUserForm(forms.Form):
    """A login for a partner unit's person. The service judges what was typed."""

    display_name = forms.CharField(label=_("使用人姓名"), required=False, help_text=_("最多50字。"))
    username = forms.CharField(
        label=_("登录用户名"),
        required=False,
        help_text=_("字母、数字和 @ . + - _，例如 zjj-wang。登录时也可以用手机号。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("手机号（可不填）"),
        required=False,
        help_text=_("填了可用手机号登录。加密保存，页面上只显示前三位和后四位。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
