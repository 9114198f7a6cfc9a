"""Forms for the exemplar pages. They parse what people typed and show it back; the rules
live in ``exemplars.services``, so a page and the API refuse the same input in the same
words."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.forms import DATE_ERRORS

from .enums import Category, ConsentMethod
from .models import (
    CITATION_MAX,
    HINT_MAX,
    NAME_MAX,
    NOTE_MAX,
    REASON_MAX,
    REASONS_MAX,
    TEXT_MAX,
    TITLE_MAX,
)


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; each is checked by the service."""

    widget = MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(PhotosField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class NominateForm(forms.Form):
    """The resident's second step: whom (unless oneself), for what, and why."""

    nominee_name = forms.CharField(label=_("被推荐人姓名"), max_length=NAME_MAX * 2, required=False)
    nominee_hint = forms.CharField(
        label=_("住在哪里"),
        max_length=HINT_MAX * 2,
        required=False,
        help_text=_("例如：1栋2单元。方便社区找到这位邻居。"),
    )
    category = forms.ChoiceField(
        label=_("推荐类别"), choices=Category.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(
        label=_("推荐理由"),
        max_length=REASONS_MAX * 2,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("做了哪些好事，帮助了谁。理由只给社区工作人员看，不会公开。"),
    )


class StaffNominateForm(NominateForm):
    """社区发现: staff name a resident of a community of their reach."""

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominee_name"].required = True
        if len(communities) > 1:
            self.fields["community"] = forms.ChoiceField(
                label=_("社区"), choices=[(str(c.pk), c.name) for c in communities]
            )
            self.order_fields(["community"])


class ReviewForm(forms.Form):
    nominee = forms.ChoiceField(label=_("被推荐人（居民登记）"))

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(r.pk): r for r in candidates}
        self.fields["nominee"].choices = [("", _("请选择"))] + [
            (str(r.pk), f"{r.name} · {r.household.address_label}") for r in candidates
        ]


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[("accept", _("采纳")), ("decline", _("不采纳"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择采纳或不采纳。")},
    )
    reason = forms.CharField(
        label=_("说明"),
        max_length=REASON_MAX * 2,
        required=False,
        help_text=_("不采纳时必须写明原因。"),
    )


class StoryForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=TITLE_MAX * 2)
    text = forms.CharField(
        label=_("正文"),
        max_length=TEXT_MAX * 2,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("发布后居民看到的就是这里的文字。请核对，不写电话、门牌号和身份证号。"),
    )


class PhotoForm(forms.Form):
    photos = PhotosField(label=_("照片"), required=False)


class ConsentForm(forms.Form):
    method = forms.ChoiceField(
        label=_("同意方式"), choices=ConsentMethod.choices, widget=forms.RadioSelect
    )
    given_on = forms.DateField(
        label=_("同意日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=DATE_ERRORS,
    )
    note = forms.CharField(
        label=_("说明"),
        max_length=NOTE_MAX * 2,
        required=False,
        help_text=_("当面同意时写明在哪里、当着谁同意的。"),
    )
    form_photo = forms.FileField(
        label=_("签字同意书照片"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"given_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=NOTE_MAX * 2, required=False)


class CommendationForm(forms.Form):
    resident = forms.ChoiceField(label=_("受表彰的居民"))
    title = forms.ChoiceField(label=_("称号"), choices=Category.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    citation = forms.CharField(
        label=_("事迹简介"),
        max_length=CITATION_MAX * 2,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("会公开显示。"),
    )
    consent_method = forms.ChoiceField(
        label=_("本人同意公开的方式"),
        choices=[("", _("请选择"))] + list(ConsentMethod.choices),
        required=False,
    )

    def __init__(self, *args, residents=(), **kwargs):
        kwargs.setdefault("initial", {"year": timezone.localdate().year - 1})
        super().__init__(*args, **kwargs)
        self.residents = {str(r.pk): r for r in residents}
        self.fields["resident"].choices = [("", _("请选择"))] + [
            (str(r.pk), r.name) for r in residents
        ]


def today() -> dt.date:
    return timezone.localdate()
