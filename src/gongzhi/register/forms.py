from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gongzhi.core.reasons import MAX_NOTE, RevealReason, clean_reveal_reason

from . import selectors
from .services import UploadRejected, check_upload_size, register_upload_check


class ImportForm(forms.Form):
    community = forms.ModelChoiceField(label=_("导入到社区"), queryset=None, empty_label=None)
    file = forms.FileField(
        label=_("登记表文件（.xlsx）"),
        help_text=_("请使用导入模板填写。整个文件检查无误才会导入。"),
        error_messages={
            "required": _("请选择要上传的登记表文件。"),
            "empty": _("上传的文件是空的，请选择填写好的登记表。"),
            "invalid": _("没有收到文件，请重新选择后上传。"),
        },
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = selectors.import_community_list(user)
        self.data_bytes = b""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            # By the declared size first, so an oversized upload is never read into memory.
            check_upload_size(upload.size)
            data = upload.read()
            register_upload_check(data=data)
        except UploadRejected as exc:
            raise forms.ValidationError(exc.message, code="rejected") from None
        self.data_bytes = data
        return upload


class _PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Building "1" exists in many communities; a subdistrict user needs to tell them apart.
        return f"{obj.community} {obj}"


class ExportForm(forms.Form):
    building = _PlaceChoiceField(
        label=_("楼栋"), queryset=None, required=False, empty_label=_("全部楼栋")
    )
    grid = _PlaceChoiceField(
        label=_("网格"), queryset=None, required=False, empty_label=_("全部网格")
    )
    reveal = forms.BooleanField(
        label=_("导出完整信息"),
        required=False,
        help_text=_("导出完整的身份证号和手机号。每次导出都会记录在审计日志中。"),
    )
    reason = forms.ChoiceField(
        label=_("查看事由"),
        choices=RevealReason.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("导出完整信息时必须选择。"),
    )
    reason_note = forms.CharField(
        label=_("补充说明（选择“其他”时必填）"),
        required=False,
        max_length=MAX_NOTE,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = selectors.export_building_list(user)
        self.fields["grid"].queryset = selectors.export_grid_list(user)
        if not selectors.may_reveal_somewhere(user):
            for name in ("reveal", "reason", "reason_note"):
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reveal"):
            try:
                clean_reveal_reason(cleaned.get("reason"), cleaned.get("reason_note"))
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    self.add_error(name, messages)
        return cleaned
