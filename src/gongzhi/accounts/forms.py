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
