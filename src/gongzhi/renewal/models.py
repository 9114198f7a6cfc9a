"""Urban renewal (城市更新): projects, the entrances they touch, their five phases, the
三上三下 plan rounds with their versions, the opinions that came up and the answers they
got, milestones, documents, and the project's append-only history.

A project carries its community; the entrances it touches are ``ProjectEntrance`` rows
with every place column copied, so a building or grid chief reaches the projects touching
their place with one indexed ``IN`` (``renewal.selectors``). Affected households and
residents are counted from the register through those rows, never typed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
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
from gongzhi.voices.models import Item

from .enums import (
    Answer,
    Decision,
    DocumentKind,
    EventKind,
    FundingKind,
    Kind,
    OpinionChannel,
    PhaseKind,
    PhaseStatus,
    ProjectStatus,
    RoundStatus,
    UnitRole,
)

NAME_MAX = 100
TEXT_MAX = 500
PLAN_MAX = 5000


class Project(models.Model):
    scope_columns = {"community": "community_id"}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="renewal_projects", verbose_name=_("社区")
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("项目名称"), max_length=NAME_MAX)
    description = models.TextField(_("项目简介"), max_length=2000, blank=True)
    budget = models.DecimalField(_("预算（元）"), max_digits=14, decimal_places=2, default=0)
    status = models.CharField(
        _("状态"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE
    )
    # The phase now open; null once the last phase has closed.
    current_phase = models.ForeignKey(
        "Phase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("当前阶段"),
    )
    units = models.ManyToManyField(
        PartnerUnit, through="ProjectUnit", related_name="renewal_projects", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("立项时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("城市更新项目")
        verbose_name_plural = _("城市更新项目")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "status"], name="renewal_proj_comm_status")]

    def __str__(self):
        return self.name


class ProjectEntrance(models.Model):
    """An entrance (单元) a project touches. Attaching a building attaches each of its
    entrances, so an entrance chief reaches it as well as the building chief."""

    scope_columns = {
        "community": "community_id",
        "grid": "grid_id",
        "compound": "compound_id",
        "building": "building_id",
        "entrance": "entrance_id",
    }

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="touches")
    entrance = models.ForeignKey(Entrance, on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("涉及单元")
        verbose_name_plural = _("涉及单元")
        ordering = ["building_id", "entrance_id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "entrance"], name="renewal_touch_unique")
        ]
        indexes = [
            models.Index(fields=["building", "project"], name="renewal_touch_building"),
            models.Index(fields=["entrance", "project"], name="renewal_touch_entrance"),
            models.Index(fields=["grid", "project"], name="renewal_touch_grid"),
        ]

    def __str__(self):
        return f"{self.project_id}:{self.entrance_id}"


class ProjectUnit(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="unit_links")
    unit = models.ForeignKey(PartnerUnit, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("角色"), max_length=20, choices=UnitRole.choices)

    class Meta:
        verbose_name = _("参与单位")
        verbose_name_plural = _("参与单位")
        ordering = ["role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "unit", "role"], name="renewal_unit_unique")
        ]

    def __str__(self):
        return f"{self.unit} · {self.get_role_display()}"


class FundingSource(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funding")
    kind = models.CharField(_("来源"), max_length=20, choices=FundingKind.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("资金来源")
        verbose_name_plural = _("资金来源")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="renewal_funding_positive")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"


class Phase(models.Model):
    """One of the five phases. Moves only PENDING → OPEN → CLOSED (``PHASE_TRANSITIONS``);
    closing needs resident input on record (``renewal.inputs``)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("阶段"), max_length=20, choices=PhaseKind.choices)
    order = models.PositiveSmallIntegerField()
    status = models.CharField(
        _("状态"), max_length=20, choices=PhaseStatus.choices, default=PhaseStatus.PENDING
    )
    opened_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close_note = models.CharField(_("阶段小结"), max_length=TEXT_MAX, blank=True)

    class Meta:
        verbose_name = _("项目阶段")
        verbose_name_plural = _("项目阶段")
        ordering = ["project_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="renewal_phase_unique"),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(status=PhaseStatus.OPEN),
                name="renewal_phase_one_open",
            ),
        ]

    def __str__(self):
        return f"{self.project} · {self.get_kind_display()}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, null=True, blank=True, related_name="milestones"
    )
    title = models.CharField(_("节点"), max_length=NAME_MAX)
    due_on = models.DateField(_("计划日期"), null=True, blank=True)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.title


class Document(models.Model):
    """A plan drawing, a contract, a site photo. Photos are cleaned by ``core.uploads``
    (no EXIF, bounded size) before they are stored."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("标题"), max_length=NAME_MAX)
    file = models.FileField(upload_to="renewal/%Y/%m/")
    thumbnail = models.FileField(upload_to="renewal/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("项目资料")
        verbose_name_plural = _("项目资料")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return self.title


class PlanRound(models.Model):
    """One 下 and 上 of 三上三下: a plan version goes down to the affected households
    (``published_at``) and their opinions come up until ``closes_at``. Round 3 ends in a
    ``decision``."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="rounds")
    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("轮次"))
    status = models.CharField(
        _("状态"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    published_at = models.DateTimeField(_("下发时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closes_at = models.DateTimeField(_("意见截止时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    decision = models.CharField(_("决定"), max_length=20, choices=Decision.choices, blank=True)
    decision_note = models.CharField(_("决定说明"), max_length=TEXT_MAX, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("方案征求意见轮次")
        verbose_name_plural = _("方案征求意见轮次")
        ordering = ["project_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="renewal_round_unique"),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=3), name="renewal_round_1_to_3"
            ),
        ]
        indexes = [models.Index(fields=["status", "closes_at"], name="renewal_round_status_close")]

    def __str__(self):
        return _("%(project)s 第%(number)s轮") % {"project": self.project, "number": self.number}


class PlanVersion(models.Model):
    """The plan as one round sends it down. From the second round on, its ``changes``
    say what moved since the version before and which opinions caused it."""

    round = models.OneToOneField(PlanRound, on_delete=models.CASCADE, related_name="version")
    number = models.PositiveSmallIntegerField(_("版本"))
    title = models.CharField(_("方案标题"), max_length=NAME_MAX)
    summary = models.CharField(_("方案摘要"), max_length=TEXT_MAX)
    text = models.TextField(_("方案内容"), max_length=PLAN_MAX)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("方案版本")
        verbose_name_plural = _("方案版本")
        ordering = ["round_id"]

    def __str__(self):
        return _("方案第%(number)s版") % {"number": self.number}


class Opinion(models.Model):
    """An opinion that came up (上): from a resident's page, entered by staff from paper, a
    visit, a call or a meeting, or a residents'-voice item attached to the project. Staff
    answer every one; what a resident wrote reaches other residents only as
    ``public_text``, reviewed by staff (``core.redact``)."""

    scope_columns = {
        "community": "community_id",
        "grid": "grid_id",
        "compound": "compound_id",
        "building": "building_id",
        "entrance": "entrance_id",
        "household": "household_id",
    }

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="opinions")
    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="opinions")
    round = models.ForeignKey(
        PlanRound, on_delete=models.PROTECT, null=True, blank=True, related_name="opinions"
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    voice_item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="renewal_opinions"
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entrance = models.ForeignKey(
        Entrance, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("渠道"), max_length=20, choices=OpinionChannel.choices)
    text = models.CharField(_("意见内容"), max_length=TEXT_MAX)
    public_text = models.CharField(_("公开内容"), max_length=TEXT_MAX, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    answer = models.CharField(
        _("答复"), max_length=20, choices=Answer.choices, default=Answer.PENDING
    )
    reason = models.CharField(_("答复理由"), max_length=TEXT_MAX, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("居民意见")
        verbose_name_plural = _("居民意见")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["project", "answer"], name="renewal_opinion_proj_answer"),
            models.Index(fields=["round", "answer"], name="renewal_opinion_round_answer"),
        ]
        constraints = [
            # A reason belongs to an answer: a pending opinion has none.
            models.CheckConstraint(
                condition=~Q(answer=Answer.PENDING) | Q(reason=""),
                name="renewal_opinion_pending_no_reason",
            ),
            # A residents'-voice item comes up once per phase, however often it is attached.
            models.UniqueConstraint(
                fields=["voice_item", "phase"],
                condition=Q(voice_item__isnull=False),
                name="renewal_opinion_item_once_per_phase",
            ),
        ]

    def __str__(self):
        return _("意见%(pk)s") % {"pk": self.pk}


class VersionChange(models.Model):
    """One thing that changed in a version, and the opinions that caused it."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="changes")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("修改内容"), max_length=TEXT_MAX)
    opinions = models.ManyToManyField(
        Opinion, related_name="caused_changes", blank=True, verbose_name=_("依据的居民意见")
    )

    class Meta:
        verbose_name = _("方案修改")
        verbose_name_plural = _("方案修改")
        ordering = ["version_id", "order", "id"]

    def __str__(self):
        return self.text


class ProjectEvent(AppendOnlyModel):
    """One step of a project's history. Never edited: a correction is a new event."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="events")
    phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    round = models.ForeignKey(
        PlanRound, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("事件"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=120, blank=True)
    note = models.CharField(max_length=TEXT_MAX, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("项目进展")
        verbose_name_plural = _("项目进展")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.project_id} {self.kind}"
