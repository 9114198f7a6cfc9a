from django import forms
from django.utils.translation import gettext_lazy as _


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
