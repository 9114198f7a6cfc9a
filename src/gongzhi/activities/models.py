"""Activities (活动): outreach talks, volunteer services, co-building activities and
micro-services, each with an organiser, a time, a capacity, sign-ups and check-ins.

Person-times (audience, people served) and service hours are never typed: they are
counted from ``CheckIn`` rows, one per resident per activity. A check-in is written once
(a mistake is not edited away). ``community_id`` is copied onto sign-ups and check-ins so
that the scoping filter needs no join.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import AppendOnlyModel
from gongzhi.orgs.models import PartnerUnit, Team
from gongzhi.places.models import Community, Resident
from gongzhi.venues.models import Venue
from gongzhi.wishes.models import Wish

from .enums import (
    ActivityKind,
    ActivityStatus,
    CheckInMethod,
    CheckInRole,
    GroupKind,
    OutreachFormat,
    ServiceArea,
)

TITLE_MAX = 80
TEXT_MAX = 1000
PLACE_MAX = 120
QUESTION_MAX = 200
OPTION_MAX = 100


class VolunteerGroup(models.Model):
    """A volunteer organisation (老年康乐协会, "银河"志愿队...) or a service brand
    ("爱的里程", "爱心积分"...) of one community; its members are registered residents."""

    scope_columns = {"community": "community_id"}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="volunteer_groups"
    )
    name = models.CharField(_("名称"), max_length=TITLE_MAX)
    kind = models.CharField(_("类别"), max_length=10, choices=GroupKind.choices)
    description = models.CharField(_("简介"), max_length=200, blank=True)
    members = models.ManyToManyField(
        Resident, through="GroupMembership", related_name="volunteer_groups"
    )

    class Meta:
        verbose_name = _("志愿服务组织")
        verbose_name_plural = _("志愿服务组织")
        ordering = ["community_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="volunteer_group_unique")
        ]

    def __str__(self):
        return self.name


class GroupMembership(models.Model):
    group = models.ForeignKey(VolunteerGroup, on_delete=models.CASCADE, related_name="memberships")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+")
    joined_on = models.DateField(_("加入日期"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "resident"], name="group_member_unique")
        ]

    def __str__(self):
        return f"{self.group} · {self.resident}"


class Activity(models.Model):
    scope_columns = {"community": "community_id"}

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="activities")
    kind = models.CharField(_("类别"), max_length=20, choices=ActivityKind.choices)
    outreach_format = models.CharField(
        _("宣讲形式"), max_length=10, choices=OutreachFormat.choices, blank=True
    )
    service_area = models.CharField(
        _("服务类别"), max_length=12, choices=ServiceArea.choices, blank=True
    )
    title = models.CharField(_("名称"), max_length=TITLE_MAX)
    description = models.TextField(_("介绍"), max_length=TEXT_MAX, blank=True)
    # The organiser: exactly one of a team, a volunteer group or a partner unit.
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="activities"
    )
    group = models.ForeignKey(
        VolunteerGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="activities"
    )
    partner = models.ForeignKey(
        PartnerUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="activities"
    )
    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="activities"
    )
    place = models.CharField(_("地点"), max_length=PLACE_MAX, blank=True)
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    capacity = models.PositiveIntegerField(_("名额"))
    status = models.CharField(
        _("状态"), max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.DRAFT
    )
    # A micro-service may answer an open micro-wish.
    wish = models.ForeignKey(
        Wish, on_delete=models.PROTECT, null=True, blank=True, related_name="activities"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["community", "status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")), name="activity_starts_first"
            ),
            models.CheckConstraint(
                condition=(
                    Q(team__isnull=False, group__isnull=True, partner__isnull=True)
                    | Q(team__isnull=True, group__isnull=False, partner__isnull=True)
                    | Q(team__isnull=True, group__isnull=True, partner__isnull=False)
                ),
                name="activity_one_organiser",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def organiser(self):
        return self.team or self.group or self.partner

    @property
    def hours(self) -> float:
        return round((self.ends_at - self.starts_at).total_seconds() / 3600, 1)

    @property
    def where(self) -> str:
        return self.venue.name if self.venue_id else self.place


class ActivityEvent(AppendOnlyModel):
    """An activity's history: created, published, running, finished, cancelled."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=12, choices=ActivityStatus.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]


class Signup(models.Model):
    """A resident's sign-up. Cancelling keeps the row (``cancelled_at``); signing up again
    clears it."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="signups")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "resident"], name="signup_unique")
        ]

    def __str__(self):
        return f"{self.activity} · {self.resident}"


class CheckIn(AppendOnlyModel):
    scope_columns = {"community": "community_id"}

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="check_ins")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="check_ins")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("身份"), max_length=10, choices=CheckInRole.choices)
    # Service hours, for volunteers only (0 for the audience and the people served).
    hours = models.DecimalField(_("服务时长"), max_digits=4, decimal_places=1, default=0)
    method = models.CharField(_("签到方式"), max_length=6, choices=CheckInMethod.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["resident", "role", "at"])]
        constraints = [
            models.UniqueConstraint(fields=["activity", "resident"], name="check_in_unique"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="check_in_hours_positive"),
        ]


class Question(models.Model):
    """A question of a 云宣讲 quiz."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("题目"), max_length=QUESTION_MAX)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("选项"), max_length=OPTION_MAX)
    is_correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.text


class QuizAttempt(AppendOnlyModel):
    """One attempt per resident per activity; the options chosen and how many were right."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attempts")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=dict)
    correct = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "resident"], name="quiz_attempt_unique")
        ]
