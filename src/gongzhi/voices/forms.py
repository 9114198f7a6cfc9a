"""Forms of the residents' voice pages. They parse and re-display what people typed; the
rules themselves (text length, photos, who may act, which moves are allowed) live in
``voices.services``, so a page and the API refuse the same input with the same words."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from gongzhi.core.dates import parse_month
from gongzhi.core.forms import NamedModelChoiceField
from gongzhi.orgs.models import PartnerUnit

from . import rules, services
from .enums import Channel, EventFormat, ItemKind, Level, Satisfaction, Solved, Status
from .models import Category

ON_BEHALF_CHANNELS = [Channel.VISIT, Channel.PHONE, Channel.PAPER]
PRIVATE_HELP = _(
    "勾选后，内容只给办理的工作人员看，不会在任何公开的地方出现。"
    "内容里写了“私下反映”“请勿告知他人”或“不要公开”的，也按不公开处理。"
    "不勾选的，也要经工作人员审核、隐去姓名电话门牌号后才会公开。"
)
PHOTO_TYPES = "image/jpeg,image/png,image/webp"


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's refusal on the form, next to the field it names; anything the form
    has no field for goes on top of the form."""
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; each is checked by ``services.clean_photos``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": PHOTO_TYPES}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [f for f in files if f]


def _textarea(rows: int = 6):
    return forms.Textarea(attrs={"rows": rows})


def limit_help(limit: int):
    """The limit a text field's service holds it to, said under the field. No ``maxlength``
    attribute: a browser cuts a longer paste to fit without a word; the service refuses it
    with its reason and the form gives back what was typed."""
    return format_lazy(_("最多{limit}字。"), limit=limit)


def clean_text_value(value: str | None) -> str:
    """The same refusal as ``item_submit`` gives, before anything is submitted, so step 2
    can answer at once and keep what was typed."""
    text = (value or "").strip()
    if not text:
        raise ValidationError(_("请填写诉求内容。"))
    if len(text) > services.MAX_TEXT:
        raise ValidationError(
            _("内容不能超过%(limit)d字（现有%(n)d字）。")
            % {"limit": services.MAX_TEXT, "n": len(text)}
        )
    return text


class ReportForm(forms.Form):
    """Step 2 of 我要反映: say it."""

    kind = forms.ChoiceField(choices=ItemKind.choices, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("请说说是什么事"),
        required=False,
        strip=False,
        help_text=_("写清楚在哪里、什么情况。最多2000字。例如：1栋2单元楼道的灯坏了，晚上看不见。"),
        widget=_textarea(),
    )
    photos = PhotosField(
        label=_("照片（可不传）"),
        help_text=_("最多5张，每张不超过5MB，JPEG、PNG 或 WebP 格式。"),
    )
    share_phone = forms.BooleanField(
        label=_("允许责任单位看到我的电话"),
        required=False,
        help_text=_("勾选后，办理单位可以打电话向您了解情况。"),
    )
    private = forms.BooleanField(
        label=_("不公开（私下反映）"),
        required=False,
        help_text=PRIVATE_HELP,
    )
    # Step 3, where the problem is: the button pressed ("home", "b12"...), and for a
    # public place the words that say where. Checked against the reporter's community by
    # ``selectors.ReportPlaces.where``.
    where = forms.CharField(required=False, widget=forms.HiddenInput)
    location_text = forms.CharField(
        label=_("在哪里"),
        required=False,
        help_text=_("例如：小区大门口、广场、车棚、某某路口。最多120字。"),
    )

    def __init__(self, *args, on_behalf: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if on_behalf:
            self.fields["channel"] = forms.ChoiceField(
                label=_("怎样收集的"),
                choices=[(c.value, c.label) for c in ON_BEHALF_CHANNELS],
                initial=Channel.VISIT,
                widget=forms.RadioSelect,
            )
            self.fields["share_phone"].label = _("居民同意责任单位看到其电话")
            self.fields["private"].label = _("居民要求不公开（私下反映）")

    def clean_text(self):
        return clean_text_value(self.cleaned_data.get("text"))

    def clean_photos(self):
        try:
            return services.clean_photos(self.cleaned_data.get("photos") or [])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    def kind_label(self) -> str:
        value = self.data.get("kind") if self.is_bound else self.initial.get("kind")
        return ItemKind(value).label if value in ItemKind.values else ""

    def text_value(self) -> str:
        return (self.data.get("text") if self.is_bound else self.initial.get("text")) or ""

    def value_of(self, name: str) -> str:
        """What was typed or chosen for ``name``, valid or not, to show it again."""
        return (self.data.get(name) if self.is_bound else self.initial.get(name)) or ""


class RateForm(forms.Form):
    """The resident's own rating of a resolved item."""

    solved = forms.ChoiceField(
        label=_("问题解决了吗？"), choices=Solved.choices, widget=forms.RadioSelect
    )
    satisfaction = forms.ChoiceField(
        label=_("您满意吗？"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("还想说的话（可不填）"),
        required=False,
        help_text=limit_help(services.MAX_TEXT),
        widget=_textarea(3),
    )


class VisitForm(RateForm):
    """A return visit recorded by staff (on the phone or at the door)."""

    comment = forms.CharField(
        label=_("居民意见"),
        required=False,
        help_text=limit_help(services.MAX_TEXT),
        widget=_textarea(3),
    )


class AcceptForm(forms.Form):
    category = NamedModelChoiceField(
        label=_("分类"), queryset=Category.objects.filter(is_active=True), required=False
    )
    level = forms.ChoiceField(label=_("办理层级"), choices=Level.choices, required=False)
    responsible_unit = forms.ModelChoiceField(
        label=_("责任单位（可不选）"), queryset=PartnerUnit.objects.none(), required=False
    )
    note = forms.CharField(
        label=_("受理说明（可不填）"),
        required=False,
        help_text=limit_help(services.MAX_TEXT),
        widget=_textarea(2),
    )

    def __init__(self, *args, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        if community is not None:
            self.fields["responsible_unit"].queryset = PartnerUnit.objects.filter(
                communities=community
            ).order_by("name")


class EscalateForm(forms.Form):
    reason = forms.CharField(
        label=_("上报原因"),
        required=False,
        help_text=limit_help(services.MAX_REASON),
        widget=_textarea(2),
    )


class DispatchForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("派给哪个单位"), queryset=PartnerUnit.objects.none(), required=False
    )
    instructions = forms.CharField(
        label=_("派单说明"),
        required=False,
        help_text=limit_help(services.MAX_TEXT),
        widget=_textarea(2),
    )

    def __init__(self, *args, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        if community is not None:
            self.fields["unit"].queryset = PartnerUnit.objects.filter(
                communities=community
            ).order_by("name")


class VerifyForm(forms.Form):
    accepted = forms.TypedChoiceField(
        label=_("核实结果"),
        choices=[("yes", _("答复属实，通过")), ("no", _("不通过，退回重办"))],
        coerce=lambda v: v == "yes",
        initial="yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("核实说明"),
        required=False,
        help_text=limit_help(services.MAX_TEXT),
        widget=_textarea(2),
    )


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("办理结果"),
        required=False,
        help_text=limit_help(services.MAX_TEXT),
        widget=_textarea(2),
    )


class CommentForm(forms.Form):
    note = forms.CharField(
        label=_("内部备注（居民看不到）"),
        required=False,
        help_text=limit_help(services.MAX_TEXT),
        widget=_textarea(2),
    )


class MergeForm(forms.Form):
    into = forms.CharField(label=_("并入的诉求编号"), required=False, max_length=20)


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("办理答复"),
        required=False,
        help_text=limit_help(services.MAX_TEXT),
        widget=_textarea(4),
    )
    evidence = PhotosField(
        label=_("现场照片（可不传）"),
        help_text=_("最多5张，每张不超过5MB，JPEG、PNG 或 WebP 格式。"),
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("退回原因"),
        required=False,
        help_text=limit_help(services.MAX_REASON),
        widget=_textarea(2),
    )


# The workbench's queues of today's work (``selectors.WORK_QUEUES``), as people call them.
WORK_QUEUE_LABELS = {
    "new": _("新诉求"),
    "due_soon": _("即将超时"),
    "overdue": _("已超时"),
    "returned": _("被退回"),
    "to_verify": _("待核实"),
    "to_revisit": _("待回访"),
}


class InboxFilterForm(forms.Form):
    queue = forms.ChoiceField(
        label=_("待办"),
        required=False,
        choices=[("", _("全部"))] + list(WORK_QUEUE_LABELS.items()),
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部未办结"))] + list(Status.choices)
    )
    level = forms.ChoiceField(
        label=_("办理层级"), required=False, choices=[("", _("全部"))] + list(Level.choices)
    )
    overdue = forms.BooleanField(label=_("只看超时"), required=False)
    category = NamedModelChoiceField(
        label=_("分类"), queryset=Category.objects.all(), required=False, empty_label=_("全部")
    )
    grid = NamedModelChoiceField(
        label=_("网格"), queryset=None, required=False, empty_label=_("全部")
    )

    def __init__(self, *args, grids=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids


class ResidentSearchForm(forms.Form):
    q = forms.CharField(
        label=_("查找居民"),
        max_length=60,
        required=False,
        help_text=_("可输入姓名、拼音首字母、手机尾号4位或地址（如 3栋2单元）。"),
    )

    def clean_q(self):
        return (self.cleaned_data.get("q") or "").strip()


class MeasuresForm(forms.Form):
    month = forms.CharField(label=_("月份"), required=False, max_length=7)
    group_by = forms.ChoiceField(
        label=_("统计维度"),
        required=False,
        choices=[("grid", _("按网格")), ("community", _("按社区")), ("unit", _("按责任单位"))],
    )

    def clean_month(self):
        value = self.cleaned_data.get("month")
        # The month is a date in a range: 9999-12 has no next month to link to.
        return parse_month(value, field=None) if value else None


class EventSessionForm(forms.Form):
    """A new opinion-gathering event. Types are parsed here; what is allowed (title length,
    a date not in the future, attendance range, who may) is ``event_session_create``'s."""

    community = forms.ModelChoiceField(
        label=_("社区"),
        queryset=None,
        required=False,
        empty_label=None,
        error_messages={"invalid_choice": _("请选择活动所在的社区。")},
    )
    title = forms.CharField(label=_("活动名称"), required=False, max_length=200)
    format = forms.ChoiceField(
        label=_("形式"),
        choices=EventFormat.choices,
        initial=EventFormat.BABA_LONGMENZHEN,
        required=False,
    )
    held_on = forms.DateField(
        label=_("日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请按“2026-03-01”的格式填写日期。")},
    )
    place = forms.CharField(label=_("地点（可不填）"), required=False, max_length=200)
    attendance = forms.IntegerField(
        label=_("参与人次"),
        required=False,
        initial=0,
        error_messages={"invalid": _("参与人次请填写整数。")},
    )

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


def building_key(value: str) -> str:
    """How a building is named on paper (3, 3栋, 3号楼) → its number."""
    value = (value or "").strip()
    for suffix in ("号楼", "栋", "幢"):
        value = value.removesuffix(suffix)
    return value.strip()


class EventRowForm(forms.Form):
    """One opinion of an event, as written down there: what was said, the building it is
    about and who said it. A row left empty is skipped. The form only finds the building
    by its number; the text is ``items_submit_from_event``'s to judge, row by row."""

    text = forms.CharField(label=_("意见内容"), required=False, strip=False, widget=_textarea(2))
    building = forms.CharField(label=_("楼栋号"), required=False, max_length=20)
    # No max_length: the service's own words say the name is too long.
    reporter_name = forms.CharField(
        label=_("提出人"), required=False, widget=forms.TextInput(attrs={"maxlength": 50})
    )

    def __init__(self, *args, buildings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.buildings = buildings or {}

    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any((data.get(name) or "").strip() for name in self.fields)

    def clean(self):
        data = super().clean()
        if self.is_blank():
            return data
        number = building_key(data.get("building"))
        data["building_obj"] = None
        if number:
            building = self.buildings.get(number)
            if building is None:
                self.add_error("building", _("本社区没有%(number)s栋。") % {"number": number})
            data["building_obj"] = building
        return data

    def row(self) -> dict:
        """The row as ``items_submit_from_event`` takes it."""
        data = self.cleaned_data
        return {
            "text": data.get("text", ""),
            "building": data.get("building_obj"),
            "reporter_name": (data.get("reporter_name") or "").strip(),
        }


EVENT_ROWS_MAX = services.MAX_EVENT_ROWS


class BaseEventRowFormSet(forms.BaseFormSet):
    # Django's own words name "forms"; the page speaks of opinions.
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_many_forms": _("一次最多录入%(num)d条意见，请分批录入。"),
    }


EventRowFormSet = forms.formset_factory(
    EventRowForm,
    formset=BaseEventRowFormSet,
    extra=0,
    max_num=EVENT_ROWS_MAX,
    validate_max=True,
)


class PublishForm(forms.Form):
    """What the public may read of an item: the redacted suggestion, edited by staff."""

    public_text = forms.CharField(
        label=_("公开内容"),
        required=False,
        strip=False,
        help_text=_(
            "已自动隐去电话、身份证号、门牌号和登记在册的姓名。请逐字核对："
            "不能让人认出是谁、住哪一户。"
        ),
        widget=_textarea(6),
    )


class WithholdForm(forms.Form):
    reason = forms.CharField(label=_("不公开的原因"), required=False, widget=_textarea(2))


class PublicationQueueForm(forms.Form):
    show = forms.ChoiceField(
        label=_("范围"),
        required=False,
        choices=[("done", _("已办结和待回访的")), ("all", _("全部可公开的"))],
    )


# --- case handling: 督办, extensions, joint dispatch ----------------------------------------
# Each of these actions is confirmed on a page of its own before it is taken
# (``voices/confirm_action.html``); the forms carry what was typed there and back.


class SuperviseForm(forms.Form):
    message = forms.CharField(
        label=_("督办意见"),
        required=False,
        help_text=limit_help(services.MAX_SUPERVISION_MESSAGE),
        widget=_textarea(2),
    )


class ExtensionRequestForm(forms.Form):
    days = forms.IntegerField(
        label=_("延长几个工作日"),
        required=False,
        help_text=format_lazy(
            _("每次最多{days}个工作日，每个办理环节最多申请{times}次，须在时限前申请。"),
            days=rules.MAX_EXTENSION_DAYS,
            times=rules.MAX_EXTENSIONS_PER_STAGE,
        ),
        error_messages={"invalid": _("请填写要延长的工作日数（1到10之间的整数）。")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    reason = forms.CharField(
        label=_("延期理由"),
        required=False,
        help_text=limit_help(services.MAX_REASON),
        widget=_textarea(2),
    )


class ExtensionDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审批结果"),
        choices=[("yes", _("同意延期")), ("no", _("不同意"))],
        coerce=lambda v: v == "yes",
        initial="yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("审批意见（不同意时必填）"),
        required=False,
        help_text=limit_help(services.MAX_REASON),
        widget=_textarea(2),
    )


class JointDispatchForm(forms.Form):
    """联合派单: one lead unit and the units that support it."""

    unit = forms.ModelChoiceField(
        label=_("主办单位"), queryset=PartnerUnit.objects.none(), required=False
    )
    supporting_units = forms.ModelMultipleChoiceField(
        label=_("协办单位"),
        queryset=PartnerUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=format_lazy(
            _("可选多个，最多{n}个。各单位分别签收、答复；主办单位的答复核实通过后办结。"),
            n=services.MAX_SUPPORTING_UNITS,
        ),
    )
    instructions = forms.CharField(
        label=_("派单说明"),
        required=False,
        help_text=limit_help(services.MAX_TEXT),
        widget=_textarea(2),
    )

    def __init__(self, *args, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        if community is not None:
            units = PartnerUnit.objects.filter(communities=community).order_by("name")
            self.fields["unit"].queryset = units
            self.fields["supporting_units"].queryset = units
