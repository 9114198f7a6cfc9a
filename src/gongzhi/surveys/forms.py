"""The forms of the survey set-up pages: questionnaires and their questions, campaigns,
visitors' assignments, base surveys and one building's record. They only collect and shape
what a person typed; every rule is the service's (``surveys.services``), whose refusals
come back onto the form (``core.forms.apply_errors``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.forms import DATE_ERRORS

from .enums import Pipeline, QuestionKind, Structure, VisitorKind

LINES_MAX = 30


def _date(label, **kwargs):
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={**DATE_ERRORS, "required": _("请填写日期。")},
        **kwargs,
    )


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()][:LINES_MAX]


def _required(message):
    return {"required": message}


class QuestionnaireForm(forms.Form):
    community = forms.TypedChoiceField(label=_("社区"), coerce=int)
    title = forms.CharField(
        label=_("问卷名称"), max_length=400, error_messages=_required(_("请填写问卷名称。"))
    )

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.pk, c.name) for c in communities]


class QuestionForm(forms.Form):
    key = forms.CharField(
        label=_("代码"),
        max_length=200,
        help_text=_("字母、数字和下划线，如 support、elevator_floor；显示条件和导出用它。"),
        error_messages=_required(_("请填写代码。")),
    )
    text = forms.CharField(
        label=_("题目"),
        max_length=800,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=_required(_("请填写题目。")),
    )
    kind = forms.ChoiceField(label=_("题型"), choices=QuestionKind.choices)
    choices = forms.CharField(
        label=_("选项（每行一个）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )
    required = forms.BooleanField(label=_("必答"), required=False, initial=True)
    show_if_key = forms.CharField(
        label=_("显示条件：前面题目的代码"), required=False, max_length=200
    )
    show_if_values = forms.CharField(
        label=_("显示条件：当那道题的答案是（每行一个）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )
    is_support = forms.BooleanField(label=_("这是计算支持率的题目"), required=False, initial=False)
    support_value = forms.CharField(
        label=_("表示支持的选项（单选题）"), required=False, max_length=400
    )
    against_value = forms.CharField(
        label=_("表示不支持的选项（单选题，可不填）"),
        help_text=_("填了以后，其他选项（如“无所谓”）算作未表态，不计入支持率的分母。"),
        required=False,
        max_length=400,
    )

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "key": data["key"].strip(),
            "text": data["text"],
            "kind": data["kind"],
            "required": data["required"],
            "choices": _lines(data["choices"]),
            "show_if_key": data["show_if_key"].strip(),
            "show_if_values": _lines(data["show_if_values"]),
            "is_support": data["is_support"],
            "support_value": data["support_value"].strip(),
            "against_value": data["against_value"].strip(),
        }


class CampaignForm(forms.Form):
    community = forms.TypedChoiceField(label=_("社区"), coerce=int)
    name = forms.CharField(
        label=_("调查名称"), max_length=400, error_messages=_required(_("请填写调查名称。"))
    )
    area_name = forms.CharField(
        label=_("片区名称"),
        max_length=400,
        help_text=_("如“望江片区”，会写在问卷和统计表上。"),
        error_messages=_required(_("请填写片区名称。")),
    )
    questionnaire = forms.TypedChoiceField(label=_("问卷"), coerce=int)
    starts_on = _date(_("开始日期"))
    ends_on = _date(_("截止日期"))
    grids = forms.TypedMultipleChoiceField(
        label=_("调查范围：整个网格"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    buildings = forms.TypedMultipleChoiceField(
        label=_("调查范围：楼栋"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, communities=(), questionnaires=(), grids=(), buildings=(), **kw):
        super().__init__(*args, **kw)
        self.fields["community"].choices = [(c.pk, c.name) for c in communities]
        self.fields["questionnaire"].choices = [(q.pk, str(q)) for q in questionnaires]
        self.fields["grids"].choices = [(g.pk, f"{g.community.name} {g.name}") for g in grids]
        self.fields["buildings"].choices = [(b.pk, f"{b.compound.name} {b}") for b in buildings]


class AssignmentForm(forms.Form):
    building = forms.TypedChoiceField(label=_("楼栋"), coerce=int)
    visitor = forms.TypedChoiceField(label=_("走访人"), coerce=int)
    visitor_kind = forms.ChoiceField(label=_("走访人身份"), choices=VisitorKind.choices)

    def __init__(self, *args, buildings=(), visitors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].choices = [(b.pk, f"{b.compound.name} {b}") for b in buildings]
        self.fields["visitor"].choices = [(u.pk, str(u)) for u in visitors]


class BaseSurveyForm(forms.Form):
    community = forms.TypedChoiceField(label=_("社区"), coerce=int)
    name = forms.CharField(
        label=_("名称"), max_length=400, error_messages=_required(_("请填写名称。"))
    )
    starts_on = _date(_("开始日期"))
    target_on = _date(_("目标完成日期"))

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.pk, c.name) for c in communities]


def _pipeline(label):
    return forms.ChoiceField(
        label=label, choices=Pipeline.choices, initial=Pipeline.NONE, widget=forms.RadioSelect
    )


class BuildingRecordForm(forms.Form):
    building = forms.TypedChoiceField(label=_("楼栋"), coerce=int)
    surveyed_on = _date(_("摸排日期"))
    structure = forms.ChoiceField(label=_("房屋结构"), choices=Structure.choices)
    floors = forms.IntegerField(
        label=_("层数"),
        min_value=1,
        max_value=100,
        error_messages={
            "required": _("请填写层数。"),
            "invalid": _("层数请填写数字。"),
            "min_value": _("层数应在1到100之间。"),
            "max_value": _("层数应在1到100之间。"),
        },
    )
    year_built = forms.IntegerField(
        label=_("建成年份"),
        required=False,
        error_messages={"invalid": _("请填写有效的建成年份。")},
    )
    has_elevator = forms.BooleanField(label=_("有电梯"), required=False)
    gas = _pipeline(_("燃气管线"))
    water = _pipeline(_("供水管线"))
    power = _pipeline(_("电力线路"))
    comms = _pipeline(_("通信线路"))
    has_railings = forms.BooleanField(label=_("有防护栏"), required=False)
    illegal_count = forms.IntegerField(
        label=_("违章搭建数"),
        min_value=0,
        initial=0,
        error_messages={
            "required": _("请填写违章搭建数（没有填0）。"),
            "invalid": _("违章搭建数请填写数字。"),
            "min_value": _("违章搭建数不能小于0。"),
        },
    )
    illegal_kind = forms.CharField(label=_("违章搭建类型"), required=False, max_length=200)
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    # Checked by the service (size, kind, EXIF removed), as on the paper entry page.
    photo = forms.FileField(
        label=_("照片（可选）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def __init__(self, *args, buildings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].choices = [(b.pk, f"{b.compound.name} {b}") for b in buildings]
