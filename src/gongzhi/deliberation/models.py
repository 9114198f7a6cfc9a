"""Deliberation (议事协商): matters that go through the five steps, meetings with their
invitees, sign-ins, minutes, decisions and tasks, consultation corners and topics (微协商),
and the talent pool (能人库).

Every record carries the community, and where it is narrower the grid and building, that
it touches, so that ``core.scoping`` filters it with one indexed ``IN`` like the register:
a building chief sees what touches their building, a grid chief their grid.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import AppendOnlyModel
from gongzhi.orgs.models import PartnerUnit
from gongzhi.places.models import Building, Community, Grid, Household, Resident
from gongzhi.voices.models import Item

from .enums import (
    CornerKind,
    InviteeKind,
    MeetingForm,
    MeetingKind,
    Satisfaction,
    Stage,
    TalentSource,
    TalentStatus,
    TalentTitle,
    TopicSource,
    TopicStatus,
)

TITLE_MAX = 80
TEXT_MAX = 500
LONG_MAX = 4000

PLACE_SCOPE = {"community": "community_id", "grid": "grid_id", "building": "building_id"}


class Placed(models.Model):
    """Where a record belongs: a community, and a grid and building when narrower."""

    scope_columns = PLACE_SCOPE

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True


class Matter(Placed):
    """A hard matter (议题) worked through 摸 → 议 → 推 → 示 → 评. ``title`` and ``summary``
    are written by staff: they are what the public notice shows."""

    title = models.CharField(_("议题"), max_length=TITLE_MAX)
    summary = models.CharField(_("情况说明"), max_length=TEXT_MAX)
    stage = models.CharField(
        _("环节"), max_length=20, choices=Stage.choices, default=Stage.INVESTIGATE
    )
    stage_started_at = models.DateTimeField(_("进入本环节时间"))
    # A hard item of residents' voice raised into this matter; its reporters hear the end.
    item = models.OneToOneField(
        Item,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="matter",
        verbose_name=_("来源诉求"),
    )
    notice_days = models.PositiveSmallIntegerField(_("公示天数（工作日）"), default=5)
    notice_started_at = models.DateTimeField(_("公示开始"), null=True, blank=True)
    notice_ends_at = models.DateTimeField(_("公示结束"), null=True, blank=True)
    # Share of 满意 + 基本满意 votes, in percent, needed to close.
    threshold = models.PositiveSmallIntegerField(_("满意度要求（%）"), default=80)
    # Each entry into 评 opens a new round of votes.
    evaluation_round = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("立项时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["community", "stage"], name="matter_community_stage"),
            models.Index(fields=["building", "stage"], name="matter_building_stage"),
        ]

    def __str__(self):
        return _("议题%(pk)s · %(title)s") % {"pk": self.pk, "title": self.title}


class MatterVisit(models.Model):
    """摸: a site visit, what was found and which households were asked."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="visits")
    note = models.CharField(_("走访情况"), max_length=TEXT_MAX)
    households = models.ManyToManyField(
        Household, related_name="+", blank=True, verbose_name=_("走访住户")
    )
    photo = models.FileField(_("照片"), upload_to="deliberation/visits/%Y/%m/", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.matter_id} visit {self.pk}"


class MatterTransition(AppendOnlyModel):
    """One move of a matter between steps. Never edited."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="transitions")
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=120, blank=True)
    reason = models.CharField(max_length=TEXT_MAX, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.matter_id} {self.from_stage}→{self.to_stage}"


class Objection(AppendOnlyModel):
    """A resident's objection during the 示 window."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="objections")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("异议内容"), max_length=TEXT_MAX)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]


class Vote(models.Model):
    """评: one household's satisfaction in one round of evaluation."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="votes")
    round = models.PositiveSmallIntegerField()
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("满意度"), max_length=20, choices=Satisfaction.choices)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "round", "household"], name="vote_one_per_household_round"
            )
        ]

    def __str__(self):
        return f"{self.matter_id} {self.round} {self.choice}"


class Corner(models.Model):
    """A consultation place: a 议事角 of the "有4说事" brand or the deputies' station."""

    scope_columns = {"community": "community_id"}

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=20, choices=CornerKind.choices)
    name = models.CharField(_("名称"), max_length=60)
    place = models.CharField(_("地点"), max_length=120)
    brand = models.CharField(_("品牌"), max_length=30, default="有4说事")

    class Meta:
        ordering = ["community_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="corner_unique_name")
        ]

    def __str__(self):
        return self.name


class Topic(Placed):
    """A consultation topic. A resident's words reach a public page only as the
    ``public_text`` a reviewer approved."""

    source = models.CharField(_("来源"), max_length=20, choices=TopicSource.choices)
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.CharField(_("议题内容"), max_length=TEXT_MAX)
    public_text = models.CharField(_("公开内容"), max_length=TEXT_MAX, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=TopicStatus.choices, default=TopicStatus.PROPOSED
    )
    reject_reason = models.CharField(_("未采纳原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("协商议题")
        verbose_name_plural = _("协商议题")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return _("协商议题%(pk)s") % {"pk": self.pk}


class Talent(models.Model):
    """A person of the talent pool (能人库). Shown anywhere only when approved and with
    consent on record."""

    scope_columns = {"community": "community_id"}

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=40)
    title = models.CharField(_("称号"), max_length=20, choices=TalentTitle.choices)
    skills = models.CharField(_("特长"), max_length=200)
    source = models.CharField(_("来源"), max_length=20, choices=TalentSource.choices)
    recommended_by = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=TalentStatus.choices, default=TalentStatus.PROPOSED
    )
    consent_at = models.DateTimeField(_("本人同意公开时间"), null=True, blank=True)
    consent_note = models.CharField(_("同意方式"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("社区能人")
        verbose_name_plural = _("能人库")
        ordering = ["community_id", "name", "id"]

    def __str__(self):
        return _("能人%(pk)s") % {"pk": self.pk}

    @property
    def may_show(self) -> bool:
        return self.status == TalentStatus.APPROVED and self.consent_at is not None


class Meeting(Placed):
    """A meeting: one of the three (征集, 通气, 协调), a 微协商 session at a corner, a
    头雁议事厅 session or a 能人微课堂 class."""

    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    form = models.CharField(
        _("形式"), max_length=20, choices=MeetingForm.choices, default=MeetingForm.PLAIN
    )
    title = models.CharField(_("会议名称"), max_length=TITLE_MAX)
    starts_at = models.DateTimeField(_("时间"))
    place = models.CharField(_("地点"), max_length=120)
    host_name = models.CharField(_("主持人"), max_length=60)
    host_talent = models.ForeignKey(
        Talent, on_delete=models.PROTECT, null=True, blank=True, related_name="hosted"
    )
    agenda = models.CharField(_("议程"), max_length=2000)
    matter = models.ForeignKey(
        Matter, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    corner = models.ForeignKey(
        Corner, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    # A meeting about a phase of a renewal project (意见征集会 on the plan, 事前通气会 before
    # works): with minutes recorded it is resident input for closing that phase.
    phase = models.ForeignKey(
        "renewal.Phase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("更新项目阶段"),
    )
    minutes = models.TextField(_("会议记录"), blank=True)
    minutes_at = models.DateTimeField(_("记录时间"), null=True, blank=True)
    outcome = models.CharField(_("协商结果"), max_length=TEXT_MAX, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["community", "-starts_at"], name="meeting_comm_starts")]

    def __str__(self):
        return _("会议%(pk)s · %(title)s") % {"pk": self.pk, "title": self.title}


class Invitee(models.Model):
    """Someone invited to a meeting, and whether they signed in."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    kind = models.CharField(_("类别"), max_length=20, choices=InviteeKind.choices)
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    partner_unit = models.ForeignKey(
        PartnerUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    label = models.CharField(_("名称"), max_length=120)
    signed_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    signed_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "resident"],
                condition=Q(resident__isnull=False),
                name="invitee_unique_resident",
            ),
            models.UniqueConstraint(
                fields=["meeting", "household"],
                condition=Q(household__isnull=False, resident__isnull=True),
                name="invitee_unique_household",
            ),
            models.UniqueConstraint(
                fields=["meeting", "partner_unit"],
                condition=Q(partner_unit__isnull=False),
                name="invitee_unique_unit",
            ),
        ]

    def __str__(self):
        return self.label


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    text = models.CharField(_("决定事项"), max_length=TEXT_MAX)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return self.text[:40]


class Task(Placed):
    """A tracked task: from a decision of a meeting, or on a matter's 推 checklist. It has an
    owner (a login or a partner unit), a working-day deadline and evidence when done."""

    matter = models.ForeignKey(
        Matter, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    title = models.CharField(_("任务"), max_length=200)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliberation_tasks",
        verbose_name=_("责任人"),
    )
    owner_unit = models.ForeignKey(
        PartnerUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliberation_tasks",
        verbose_name=_("责任单位"),
    )
    due_days = models.PositiveSmallIntegerField(_("时限（工作日）"))
    due_at = models.DateTimeField(_("完成时限"), db_index=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    evidence = models.CharField(_("完成情况"), max_length=TEXT_MAX, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_user__isnull=False) | Q(owner_unit__isnull=False),
                name="task_has_owner",
            ),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | ~Q(evidence=""),
                name="task_done_has_evidence",
            ),
        ]

    def __str__(self):
        return _("任务%(pk)s · %(title)s") % {"pk": self.pk, "title": self.title}

    @property
    def owner_label(self) -> str:
        if self.owner_unit_id:
            return self.owner_unit.short_name or self.owner_unit.name
        return str(self.owner_user) if self.owner_user_id else ""
