"""Residents' voice: the category catalogue, items (problems and suggestions) from every
channel, who raised them, their append-only timeline, dispatches to partner units, and
return visits.

An item carries the place columns of where it is about (community, grid, compound,
building) so that it is scoped by ``core.scoping`` like everything else, plus the level
that currently handles it. Partner users reach an item only through a ``Dispatch`` to
their unit (see ``voices.selectors``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import AppendOnlyModel
from gongzhi.orgs.models import PartnerUnit
from gongzhi.places.models import (
    Building,
    Community,
    Compound,
    Entrance,
    Grid,
    Household,
    Resident,
)

from .enums import (
    Channel,
    DispatchRole,
    DispatchStatus,
    EventFormat,
    EventType,
    ExtensionOutcome,
    ItemKind,
    Level,
    Publication,
    Satisfaction,
    Solved,
    Stage,
    Status,
    Supervision,
    TimeUnit,
)


class Category(models.Model):
    """An entry of the catalogue: what kind of matter, who usually handles it, and how long
    each stage may take. Seeded from the article; editable by staff."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    # Shown to readers of the English pages; empty: the name as it is.
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    keywords = models.TextField(
        _("关键词"), blank=True, help_text=_("以空格或逗号分隔，分类模型数据不足时使用")
    )
    default_level = models.CharField(
        _("默认办理层级"), max_length=20, choices=Level.choices, default=Level.GRID
    )
    default_unit = models.ForeignKey(
        PartnerUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("默认责任单位"),
    )
    expected_action = models.CharField(_("预期处置"), max_length=200, blank=True)
    urgent = models.BooleanField(_("紧急类"), default=False)
    # Time limits per stage, in working hours or working days.
    time_unit = models.CharField(
        _("时限单位"), max_length=10, choices=TimeUnit.choices, default=TimeUnit.DAYS
    )
    respond_limit = models.PositiveSmallIntegerField(_("受理时限"), default=1)
    handle_limit = models.PositiveSmallIntegerField(_("办理时限"), default=5)
    partner_accept_limit = models.PositiveSmallIntegerField(_("单位签收时限"), default=1)
    partner_handle_limit = models.PositiveSmallIntegerField(_("单位办理时限"), default=10)
    verify_limit = models.PositiveSmallIntegerField(_("回访时限"), default=3)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class EventSession(models.Model):
    """An opinion-gathering event (促膝恳谈会, 坝坝龙门阵, 城市更新论坛...) whose opinions are
    entered in bulk afterwards."""

    scope_columns = {"community": "community_id"}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="event_sessions"
    )
    title = models.CharField(_("名称"), max_length=120)
    format = models.CharField(_("形式"), max_length=30, choices=EventFormat.choices)
    held_on = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=120, blank=True)
    attendance = models.PositiveIntegerField(_("参与人次"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("民意征集活动")
        verbose_name_plural = _("民意征集活动")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.title}"


class Item(models.Model):
    scope_columns = {
        "community": "community_id",
        "grid": "grid_id",
        "compound": "compound_id",
        "building": "building_id",
        "entrance": "entrance_id",
        "household": "household_id",
    }

    number = models.CharField(_("编号"), max_length=20, unique=True)
    kind = models.CharField(
        _("类型"), max_length=20, choices=ItemKind.choices, default=ItemKind.PROBLEM
    )
    title = models.CharField(_("标题"), max_length=80)
    text = models.TextField(_("内容"))
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    event_session = models.ForeignKey(
        EventSession, on_delete=models.PROTECT, null=True, blank=True, related_name="items"
    )
    # Renewal projects arrive with the deliberation feature; until then a free label.
    project_label = models.CharField(_("更新项目"), max_length=120, blank=True)
    project_phase = models.CharField(_("项目阶段"), max_length=40, blank=True)

    # Where it is about. Household is set when a resident raised it about their home.
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="voice_items")
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Carried so that an entrance chief reaches the items of their entrance.
    entrance = models.ForeignKey(
        Entrance, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    location_text = models.CharField(_("位置说明"), max_length=120, blank=True)

    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="items"
    )
    suggested_category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    suggestion_score = models.FloatField(null=True, blank=True)
    # Confirmed or corrected by staff: these are what the classifier learns from.
    category_confirmed = models.BooleanField(default=False)
    urgent = models.BooleanField(_("紧急"), default=False)
    responsible_unit = models.ForeignKey(
        PartnerUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    level = models.CharField(
        _("办理层级"), max_length=20, choices=Level.choices, default=Level.GRID
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    stage = models.CharField(
        _("当前环节"), max_length=20, choices=Stage.choices, default=Stage.RESPOND
    )
    stage_started_at = models.DateTimeField()
    # Deadline of the current stage in working time; overdue is derived from it.
    due_at = models.DateTimeField(_("时限"), db_index=True)
    supervision = models.PositiveSmallIntegerField(
        choices=Supervision.choices, default=Supervision.NONE
    )
    # The warning before the deadline (临期提醒) was sent for the current stage's deadline.
    warned = models.BooleanField(default=False)
    # The last 督办 a supervisor sent by hand (``services.item_supervise``); cleared when the
    # item is resolved, as the 督办 is answered then.
    supervised_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    # 首接负责: the first receiver keeps the lead whatever happens later.
    lead_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_items"
    )

    submitted_at = models.DateTimeField(_("提交时间"), db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Whether the deadline of the handling stage held when it was resolved (measures).
    resolved_on_time = models.BooleanField(null=True, blank=True)
    responded_on_time = models.BooleanField(null=True, blank=True)

    # Publication: nothing the resident wrote is public until staff approve ``public_text``
    # (``services.item_publish``); a private item (the resident's choice, or a text that
    # asks for it) is never published.
    private = models.BooleanField(_("不公开（私下反映）"), default=False)
    publication = models.CharField(
        _("公开状态"), max_length=20, choices=Publication.choices, default=Publication.PENDING
    )
    public_text = models.TextField(_("公开内容"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    withheld_reason = models.CharField(_("不公开原因"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("民意诉求")
        verbose_name_plural = _("民意诉求")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["community", "status", "due_at"], name="item_comm_status_due"),
            models.Index(fields=["grid", "status", "due_at"], name="item_grid_status_due"),
            models.Index(fields=["community", "submitted_at"], name="item_comm_submitted"),
            models.Index(fields=["building", "status"], name="item_building_status"),
            # Open311 lists published items by date, newest first.
            models.Index(fields=["publication", "submitted_at"], name="item_public_submitted"),
            # A month's measures over many communities ask "received, accepted or resolved
            # in the month": one index per moment lets the database read those three ranges
            # instead of every item of a city.
            models.Index(fields=["submitted_at"], name="item_submitted"),
            models.Index(fields=["accepted_at"], name="item_accepted"),
            models.Index(fields=["resolved_at"], name="item_resolved"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def is_supervised(self) -> bool:
        """Under 督办: sent by hand by a supervisor, or by the job for an overdue item."""
        return self.supervised_at is not None or self.supervision >= Supervision.SUPERVISED


class ItemNumberCounter(models.Model):
    """The last number handed out per prefix and year. Locked row by row, so two
    submissions at once never get the same number."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="item_number_counter_once")
        ]

    def __str__(self):
        return f"{self.prefix}{self.year}: {self.last}"


class IntakeKey(models.Model):
    """An idempotency key a submitter sent with a submission, and the item it filed.

    A phone on a weak signal sends a report, loses the answer, and sends it again; a
    form is submitted twice by a double tap. The key makes the second send return the
    first item instead of filing a duplicate. It is unique per submitter (``owner``: a
    user, or an Open311 key), not globally, so two clients cannot collide or probe each
    other's keys. The row is written in the same transaction as the item, before it:
    a second request with the same key waits on the unique index until the first
    commits (then reads its item) or rolls back (then files its own).

    ``digest`` is a hash of what was submitted: the same key with a different body is a
    client error, not a retry, and is refused rather than answered with the wrong item.
    """

    owner = models.CharField(max_length=40)
    key = models.CharField(max_length=80)
    digest = models.CharField(max_length=64)
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, null=True, blank=True, related_name="intake_keys"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="intake_key_once_per_owner")
        ]

    def __str__(self):
        return f"{self.owner}:{self.key}"


class ItemReporter(models.Model):
    """Everyone who raised the item: the first reporter and each "me too", and the reporters
    of items merged into it. All of them hear the outcome."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reporters")
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="voice_reports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Reporters who gave no account (paper, event) may be only a name.
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    # Entered by a leader on someone's behalf: "entered by X for Y, channel: visit".
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    is_original = models.BooleanField(default=True)
    # The reporter decides whether partner units may see their phone.
    share_phone_with_partner = models.BooleanField(_("允许责任单位查看电话"), default=False)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item", "resident"],
                condition=models.Q(resident__isnull=False),
                name="item_reporter_once",
            )
        ]

    def __str__(self):
        return f"{self.item_id}: {self.resident_id or self.name or self.user_id}"


class ItemEvent(AppendOnlyModel):
    """The item's timeline. Never edited: what happened stays as it happened."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=30, choices=EventType.choices)
    # Set by the service from its clock, so that the timeline and the deadlines agree.
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=120, blank=True)
    # Shown to the resident on their timeline; internal notes are not.
    public = models.BooleanField(default=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]


class Attachment(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="attachments")
    dispatch = models.ForeignKey(
        "Dispatch", on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    file = models.FileField(upload_to="voices/%Y/%m/")
    # A small copy for lists and pages; empty for photos stored before thumbnails existed.
    thumbnail = models.FileField(upload_to="voices/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.file.name


class Dispatch(models.Model):
    """社区吹哨、部门报到: the community sends an item to a partner unit, which accepts,
    acts and replies with evidence, or returns it with a reason. A joint dispatch
    (联合派单) is one lead (主办) and supporting units (协办), each a dispatch of its own."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="dispatches")
    unit = models.ForeignKey(PartnerUnit, on_delete=models.PROTECT, related_name="dispatches")
    role = models.CharField(
        _("角色"), max_length=10, choices=DispatchRole.choices, default=DispatchRole.LEAD
    )
    status = models.CharField(
        max_length=20, choices=DispatchStatus.choices, default=DispatchStatus.SENT
    )
    instructions = models.TextField(_("派单说明"), blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField()
    accept_due_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reply_due_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(_("答复"), blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verify_note = models.TextField(blank=True)
    # A supporting dispatch ended with the lead's (``DispatchStatus.CLOSED``).
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("派单")
        verbose_name_plural = _("派单")
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status"], name="dispatch_unit_status"),
            # The month's measures by unit: sent, signed for or answered in the month.
            models.Index(fields=["sent_at"], name="dispatch_sent"),
            models.Index(fields=["accepted_at"], name="dispatch_accepted"),
            models.Index(fields=["replied_at"], name="dispatch_replied"),
        ]
        constraints = [
            # At most one live lead per item: whose verified reply resolves it stays clear.
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(status__in=["sent", "accepted", "replied"], role="lead"),
                name="dispatch_one_live_lead_per_item",
            ),
            # A unit holds one live part of an item at a time, lead or supporting.
            models.UniqueConstraint(
                fields=["item", "unit"],
                condition=models.Q(status__in=["sent", "accepted", "replied"]),
                name="dispatch_one_live_per_unit",
            ),
        ]

    def __str__(self):
        return f"{self.item.number} → {self.unit}"


class ReturnVisit(models.Model):
    """回访: nothing closes without one."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="return_visits")
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    visited_at = models.DateTimeField()
    solved = models.CharField(_("解决情况"), max_length=20, choices=Solved.choices)
    satisfaction = models.CharField(_("满意度"), max_length=20, choices=Satisfaction.choices)
    comment = models.TextField(_("居民意见"), blank=True)
    # Rated by the resident themselves in the app, or recorded by a visitor.
    by_resident = models.BooleanField(default=False)

    class Meta:
        ordering = ["visited_at", "id"]
        # The month's visits (measures, the dashboard's satisfaction) are read by date.
        indexes = [models.Index(fields=["visited_at"], name="returnvisit_visited_at")]

    def __str__(self):
        return f"{self.item_id}: {self.solved}/{self.satisfaction}"


class ExtensionRequest(AppendOnlyModel):
    """延期申请: a handler asks for more working days on the current stage, with a reason.
    Never changed: its decision is a row of its own (``ExtensionDecision``), so the history
    of requests and decisions stays as it happened."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="extension_requests")
    # The stage run it is about: a stage begun anew (escalated, reopened...) is another run.
    stage = models.CharField(max_length=20, choices=Stage.choices)
    stage_started_at = models.DateTimeField()
    level = models.CharField(max_length=20, choices=Level.choices)
    days = models.PositiveSmallIntegerField(_("延长工作日数"))
    reason = models.TextField(_("延期理由"))
    due_before = models.DateTimeField(_("原时限"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"))

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["requested_at", "id"]
        indexes = [models.Index(fields=["item", "stage_started_at"], name="extension_item_stage")]

    def __str__(self):
        return f"{self.item_id}: +{self.days}"


class ExtensionDecision(AppendOnlyModel):
    """The one answer to an extension request: approved (the deadline moved to
    ``due_after``), refused, or lapsed because its stage ended first."""

    request = models.OneToOneField(
        ExtensionRequest, on_delete=models.PROTECT, related_name="decision"
    )
    outcome = models.CharField(max_length=20, choices=ExtensionOutcome.choices)
    note = models.TextField(_("审批意见"), blank=True)
    due_after = models.DateTimeField(_("新时限"), null=True, blank=True)
    # None: the system (the stage ended before anyone decided).
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"))

    class Meta:
        verbose_name = _("延期审批")
        verbose_name_plural = _("延期审批")

    def __str__(self):
        return f"{self.request_id}: {self.outcome}"


class SMSStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    NO_PHONE = "no_phone", _("无手机号")


class Notification(models.Model):
    """What a resident or user is told. In-app always; SMS through ``voices.notify``'s
    pluggable backend when there is a phone.

    The SMS side is an outbox: a notification starts PENDING; a sender claims it (PENDING
    → SENDING, one conditional update, so two senders never both send it), then marks it
    SENT, NO_PHONE, or PENDING again with ``sms_next_try_at`` after a failure, until
    ``GONGZHI_SMS_MAX_ATTEMPTS`` make it FAILED. A SENDING row whose worker died stays
    unsent rather than risk a second message (the sweep marks it FAILED)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    sms_status = models.CharField(
        max_length=10, choices=SMSStatus.choices, default=SMSStatus.PENDING
    )
    sms_attempts = models.PositiveSmallIntegerField(default=0)
    sms_next_try_at = models.DateTimeField(null=True, blank=True)
    sms_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep's question: which messages are due again, or stuck sending.
            models.Index(
                fields=["sms_status", "sms_next_try_at"],
                condition=models.Q(sms_status__in=["pending", "sending"]),
                name="notification_sms_outbox",
            )
        ]

    def __str__(self):
        return self.text

    @property
    def sms_sent(self) -> bool:
        return self.sms_status == SMSStatus.SENT


class RoutingModel(models.Model):
    """A trained classifier (category and unit from text), kept as JSON. The newest active
    one serves suggestions; ``manage.py train_routing`` makes a new one."""

    created_at = models.DateTimeField(auto_now_add=True)
    trained_on = models.PositiveIntegerField(default=0)
    accuracy_top1 = models.FloatField(null=True, blank=True)
    accuracy_top3 = models.FloatField(null=True, blank=True)
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} ({self.trained_on})"
