"""Forms for the wish pages. They parse and re-display what people typed; the rules about
text, categories and photos live in ``wishes.services`` and are applied from here, so a
form and the API refuse the same input with the same words."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import services
from .enums import ON_BEHALF_CHANNELS, Category, Channel
from .models import TEXT_MAX


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's refusal on the form, next to the field it names."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


def _field_only(check, value):
    """Run a service check inside a form field's clean, keeping only its messages."""
    try:
        return check(value)
    except ValidationError as exc:
        raise ValidationError(exc.messages) from None


def _textarea(rows: int = 6, **attrs):
    return forms.Textarea(attrs={"rows": rows, "maxlength": TEXT_MAX, **attrs})


def _with_limit(help_text, limit: int = TEXT_MAX):
    """A field's help with the limit its service holds it to said after it."""
    return format_lazy("{}{}", help_text, format_lazy(_("最多{limit}个字。"), limit=limit))


class WishForm(forms.Form):
    category = forms.CharField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(
        label=_("说说您的心愿"),
        required=False,
        strip=False,
        help_text=_("最多500个字。例如：想要一个放大镜，看报纸用。"),
        widget=_textarea(),
    )

    def __init__(self, *args, on_behalf: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if on_behalf:
            self.fields["channel"] = forms.ChoiceField(
                label=_("收集方式"),
                choices=[(c.value, c.label) for c in ON_BEHALF_CHANNELS],
                initial=Channel.VISIT,
                widget=forms.RadioSelect,
            )

    def clean_category(self):
        return _field_only(services.clean_category, self.cleaned_data.get("category"))

    def clean_text(self):
        return _field_only(services.clean_text, self.cleaned_data.get("text"))

    def category_label(self) -> str:
        value = self.data.get("category") if self.is_bound else self.initial.get("category")
        return Category(value).label if value in Category.values else ""


class PublishForm(forms.Form):
    public_text = forms.CharField(
        label=_("公开在心愿墙上的内容"),
        required=False,
        help_text=_with_limit(_("请删去姓名、电话、门牌号等能找到这户人家的内容。")),
        widget=_textarea(4),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("未通过的原因"),
        required=False,
        max_length=200,
        help_text=_("居民会看到这段话，请写得清楚、客气。"),
        widget=forms.TextInput,
    )


class ReleaseForm(forms.Form):
    reason = forms.CharField(label=_("放弃的原因（可不填）"), required=False, max_length=200)


class FulfilForm(forms.Form):
    proof_text = forms.CharField(
        label=_("心愿是怎样完成的"),
        required=False,
        help_text=_with_limit(_("例如：3月5日送去了一个放大镜，老人试用后很满意。")),
        widget=_textarea(4),
    )
    photo = forms.FileField(
        label=_("照片（可不传）"),
        required=False,
        help_text=_("JPEG、PNG 或 WebP 格式，不超过5MB。照片不会公开。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class ConfirmForm(forms.Form):
    note = forms.CharField(label=_("说明（可不填）"), required=False, max_length=200)


class ThanksForm(forms.Form):
    text = forms.CharField(
        label=_("想说的感谢的话"),
        required=False,
        help_text=_with_limit(""),
        widget=_textarea(4),
    )
    public = forms.BooleanField(
        label=_("同意把这段话公开在心愿墙上（不会显示姓名）"), required=False
    )


class ResidentSearchForm(forms.Form):
    q = forms.CharField(
        label=_("查找居民"),
        max_length=60,
        required=False,
        help_text=_("可输入姓名、拼音首字母、手机尾号4位或地址（如 3栋2单元）。"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def clean_q(self):
        return (self.cleaned_data.get("q") or "").strip()
