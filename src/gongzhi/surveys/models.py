"""Surveys: questionnaires with frozen versions, household survey campaigns over an area,
visits and responses recorded on a phone (offline, each with the id the phone made), the
building base survey (摸排) and the 四访四促 visit log.

Every row about a household carries the household's place columns, copied when it is
written, so that ``core.scoping`` filters it with one indexed ``IN`` like the register and
the rates aggregate by building and grid without joins.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
    CampaignStatus,
    Channel,
    Outcome,
    Pipeline,
    QuestionKind,
    ResponseStatus,
    Structure,
    VisitAim,
    VisitorKind,
)

TEXT_MAX = 500
CLIENT_ID_MAX = 64

HOUSEHOLD_SCOPE = {
    "community": "community_id",
    "grid": "grid_id",
    "compound": "compound_id",
    "building": "building_id",
    "entrance": "entrance_id",
    "household": "household_id",
}


class HouseholdPlace(models.Model):
    """The place columns of a household, copied onto a row about it."""

    scope_columns = HOUSEHOLD_SCOPE

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("住户")
    )
    entrance = models.ForeignKey(Entrance, on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="+", verbose_name=_("楼栋")
    )
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True

    def place_from(self, household: Household) -> None:
        self.household = household
        self.entrance_id = household.entrance_id
        self.building_id = household.building_id
        self.compound_id = household.compound_id
        self.grid_id = household.grid_id
        self.community_id = household.community_id


class Questionnaire(models.Model):
    scope_columns = {"community": "community_id"}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    title = models.CharField(_("问卷名称"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("问卷")
        verbose_name_plural = _("问卷")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class QuestionnaireVersion(models.Model):
    """One version of a questionnaire's questions. Frozen once an answer names it: a
    change after that makes the next version, so every answer reads against the questions
    it was given."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("版本"))
    frozen_at = models.DateTimeField(_("冻结时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("问卷版本")
        verbose_name_plural = _("问卷版本")
        ordering = ["questionnaire_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="survey_version_unique_number"
            )
        ]

    def __str__(self):
        return f"{self.questionnaire} v{self.number}"


class Question(models.Model):
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    # Stable across versions: answers are keyed by it.
    key = models.SlugField(_("代码"), max_length=40)
    text = models.CharField(_("题目"), max_length=200)
    kind = models.CharField(_("题型"), max_length=20, choices=QuestionKind.choices)
    required = models.BooleanField(_("必答"), default=True)
    choices = models.JSONField(_("选项"), default=list, blank=True)
    # Shown only when the earlier question ``show_if_key`` was answered with one of
    # ``show_if_values``.
    show_if_key = models.SlugField(_("显示条件题目"), max_length=40, blank=True)
    show_if_values = models.JSONField(_("显示条件答案"), default=list, blank=True)
    # The support question: its ``support_value`` answer is a vote of support. With an
    # ``against_value`` too, the other answers (无所谓, 说不清) take no side and stay out of
    # the support rate's base; without it, every other answer is a vote against.
    is_support = models.BooleanField(_("支持率题目"), default=False)
    support_value = models.CharField(_("表示支持的答案"), max_length=100, blank=True)
    against_value = models.CharField(_("表示不支持的答案"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("题目")
        verbose_name_plural = _("题目")
        ordering = ["version_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="survey_question_unique_key"),
            models.UniqueConstraint(
                fields=["version"], condition=Q(is_support=True), name="survey_one_support"
            ),
        ]

    def __str__(self):
        return self.text


class Campaign(models.Model):
    """A household survey over an area: the households of the buildings chosen (by grid,
    compound or building) when it is made."""

    scope_columns = {"community": "community_id"}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    name = models.CharField(_("调查名称"), max_length=100)
    area_name = models.CharField(_("片区"), max_length=100)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="campaigns"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.OPEN
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("截止日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("入户调查")
        verbose_name_plural = _("入户调查")
        ordering = ["-starts_on", "-id"]

    def __str__(self):
        return self.name


class CampaignHousehold(HouseholdPlace):
    """A household in a campaign's area."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="households")

    class Meta:
        verbose_name = _("调查住户")
        verbose_name_plural = _("调查住户")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "household"], name="survey_campaign_household_unique"
            )
        ]
        indexes = [models.Index(fields=["campaign", "building"], name="survey_ch_building")]

    def __str__(self):
        return f"{self.campaign_id}/{self.household_id}"


class Assignment(models.Model):
    """The households of one building given to one visitor."""

    scope_columns = {
        "community": "community_id",
        "grid": "grid_id",
        "compound": "compound_id",
        "building": "building_id",
    }

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="assignments")
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="survey_assignments"
    )
    visitor_kind = models.CharField(_("走访人身份"), max_length=20, choices=VisitorKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("走访分工")
        verbose_name_plural = _("走访分工")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "building", "visitor"], name="survey_assignment_unique"
            )
        ]

    def __str__(self):
        return f"{self.campaign_id}/{self.building_id}/{self.visitor_id}"


class Visit(HouseholdPlace):
    """One knock on a door. Written once; a revisit is a new visit."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="visits")
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("走访结果"), max_length=20, choices=Outcome.choices)
    note = models.CharField(_("备注"), max_length=TEXT_MAX, blank=True)
    visited_at = models.DateTimeField(_("走访时间"))
    # Made on the phone when the visit was recorded: the same record synced twice is
    # recognised and applied once.
    client_id = models.CharField(max_length=CLIENT_ID_MAX, unique=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_at", "-id"]
        indexes = [models.Index(fields=["campaign", "household"], name="survey_visit_hh")]

    def __str__(self):
        return f"{self.household_id} {self.outcome}"


class Response(HouseholdPlace):
    """A household's answers. At most one is valid per household and campaign (the
    database refuses a second); a later answer is kept as ``review``, nothing is lost."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="responses")
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="responses"
    )
    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, null=True, blank=True, related_name="responses"
    )
    respondent = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consent = models.BooleanField(_("同意调查"), default=False)
    answers = models.JSONField(_("答案"), default=dict)
    status = models.CharField(_("状态"), max_length=20, choices=ResponseStatus.choices)
    # Why an answer is not valid, in words staff read.
    problems = models.JSONField(default=list, blank=True)
    # True: for; False: against; None: no side taken (a neutral answer, or none).
    supports = models.BooleanField(_("支持"), null=True)
    channel = models.CharField(_("来源"), max_length=20, choices=Channel.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    sheet_photo = models.FileField(_("签字页照片"), upload_to="surveys/sheets/%Y/%m/", blank=True)
    client_id = models.CharField(max_length=CLIENT_ID_MAX, unique=True, null=True, blank=True)
    answered_at = models.DateTimeField(_("答卷时间"))
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("问卷答卷")
        verbose_name_plural = _("问卷答卷")
        ordering = ["-answered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "household"],
                condition=Q(status=ResponseStatus.VALID),
                name="survey_one_valid_response",
            )
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="survey_response_status")]

    def __str__(self):
        return f"{self.campaign_id}/{self.household_id} {self.status}"


class BaseSurvey(models.Model):
    """摸排: the base survey of a community's buildings, with a target date."""

    scope_columns = {"community": "community_id"}

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    target_on = models.DateField(_("目标日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("楼栋摸排")
        verbose_name_plural = _("楼栋摸排")
        ordering = ["-starts_on", "-id"]

    def __str__(self):
        return self.name


class BuildingSurvey(models.Model):
    """What a surveyor observed of one building. The people structure is not typed: it is
    counted from the register beside it (``selectors.people_structure``)."""

    scope_columns = {
        "community": "community_id",
        "grid": "grid_id",
        "compound": "compound_id",
        "building": "building_id",
    }

    base_survey = models.ForeignKey(BaseSurvey, on_delete=models.PROTECT, related_name="records")
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    surveyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    surveyed_on = models.DateField(_("摸排日期"))
    structure = models.CharField(_("结构"), max_length=20, choices=Structure.choices)
    year_built = models.PositiveSmallIntegerField(_("建成年份"), null=True, blank=True)
    floors = models.PositiveSmallIntegerField(_("层数"))
    has_elevator = models.BooleanField(_("有电梯"), default=False)
    gas = models.CharField(_("燃气管线"), max_length=20, choices=Pipeline.choices)
    water = models.CharField(_("供水管线"), max_length=20, choices=Pipeline.choices)
    power = models.CharField(_("电力线路"), max_length=20, choices=Pipeline.choices)
    comms = models.CharField(_("通信线路"), max_length=20, choices=Pipeline.choices)
    has_railings = models.BooleanField(_("有防护栏"), default=False)
    illegal_count = models.PositiveSmallIntegerField(_("违章搭建数"), default=0)
    illegal_kind = models.CharField(_("违章搭建类型"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=TEXT_MAX, blank=True)
    photo = models.FileField(_("照片"), upload_to="surveys/buildings/%Y/%m/", blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("楼栋摸排记录")
        verbose_name_plural = _("楼栋摸排记录")
        constraints = [
            models.UniqueConstraint(fields=["base_survey", "building"], name="survey_building_once")
        ]

    def __str__(self):
        return f"{self.base_survey_id}/{self.building_id}"


class VisitLog(HouseholdPlace):
    """民情日志: one 四访四促 visit, what was heard, and the voices item it became."""

    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    aim = models.CharField(_("走访目的"), max_length=20, choices=VisitAim.choices)
    heard = models.CharField(_("听到的情况"), max_length=TEXT_MAX)
    visited_on = models.DateField(_("走访日期"))
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("民情日志")
        verbose_name_plural = _("民情日志")
        ordering = ["-visited_on", "-id"]

    def __str__(self):
        return _("民情日志%(pk)s") % {"pk": self.pk}
