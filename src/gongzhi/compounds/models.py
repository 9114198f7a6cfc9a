"""Compound self-governance (小区自治): for every compound, its governing bodies — the
owners' committee (业主委员会) by term, the property company (物业服务企业) by contract, or,
where there is none, the self-management group (自治管理小组) and its stewards (小区自治管家)
— their meetings and decisions, notices posted to the compound's buildings, and the yearly
satisfaction poll about the property service. The duty roster of each grid's station
(网格驿站) lives here too.

Every row belongs to a compound and is scoped by ``core.scoping`` through the compound's
community and grid. A property company and a self-management group are each a
``orgs.PartnerUnit``, so a property case goes to them as a ``voices.Dispatch`` with the
same accept / reply / verify loop as any partner unit. Terms of one compound's committee
never overlap, nor do its property contracts: the services refuse it, and on PostgreSQL
an exclusion constraint holds to it as well (migration 0002).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import EncryptedTextField
from gongzhi.core.identity import mask_phone
from gongzhi.orgs.models import PartnerUnit, Team
from gongzhi.places.models import Building, Compound, Resident
from gongzhi.surveys.models import Campaign
from gongzhi.venues.models import Venue

from .enums import BodyKind, CommitteePost

NAME_MAX = 50
TITLE_MAX = 80
TEXT_MAX = 2000
NOTE_MAX = 500

THROUGH_COMPOUND = {
    "community": "compound__community_id",
    "grid": "compound__grid_id",
    "compound": "compound_id",
}


class CommitteeTerm(models.Model):
    """One term (届) of a compound's owners' committee, elected on a date, serving from
    ``starts_on`` to ``ends_on`` inclusive."""

    scope_columns = THROUGH_COMPOUND

    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="committee_terms", verbose_name=_("小区")
    )
    name = models.CharField(_("届次"), max_length=NAME_MAX)
    elected_on = models.DateField(_("选举日期"))
    starts_on = models.DateField(_("任期开始"))
    ends_on = models.DateField(_("任期结束"))
    votes_cast = models.PositiveIntegerField(_("参选户数"), default=0)
    note = models.CharField(_("备注"), max_length=NOTE_MAX, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("业主委员会任期")
        verbose_name_plural = _("业主委员会任期")
        ordering = ["compound_id", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="committee_term_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.compound.name}业主委员会{self.name}"


class CommitteeMember(models.Model):
    """A member of a committee term: a resident of the register, or a name."""

    scope_columns = {
        "community": "term__compound__community_id",
        "grid": "term__compound__grid_id",
        "compound": "term__compound_id",
    }

    term = models.ForeignKey(CommitteeTerm, on_delete=models.CASCADE, related_name="members")
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=NAME_MAX)
    post = models.CharField(_("职务"), max_length=20, choices=CommitteePost.choices)

    class Meta:
        ordering = ["term_id", "post", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "resident"],
                condition=models.Q(resident__isnull=False),
                name="committee_member_once",
            )
        ]

    def __str__(self):
        return self.name


class PropertyContract(models.Model):
    """The property company (a partner unit) serving a compound for a period, with what it
    does, what it charges and who answers for it."""

    scope_columns = THROUGH_COMPOUND

    compound = models.ForeignKey(
        Compound,
        on_delete=models.PROTECT,
        related_name="property_contracts",
        verbose_name=_("小区"),
    )
    company = models.ForeignKey(
        PartnerUnit,
        on_delete=models.PROTECT,
        related_name="property_contracts",
        verbose_name=_("物业服务企业"),
    )
    starts_on = models.DateField(_("合同开始"))
    ends_on = models.DateField(_("合同结束"))
    scope = models.CharField(_("服务范围"), max_length=NOTE_MAX)
    fee = models.DecimalField(_("物业费（元/平方米·月）"), max_digits=6, decimal_places=2)
    contact_name = models.CharField(_("联系人"), max_length=NAME_MAX)
    contact_phone = EncryptedTextField(_("联系电话"), blank=True, default="")
    manager_name = models.CharField(_("项目负责人"), max_length=NAME_MAX)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("物业服务合同")
        verbose_name_plural = _("物业服务合同")
        ordering = ["compound_id", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="property_contract_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.compound.name} · {self.company}"

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)


class PropertyStaff(models.Model):
    """Someone of the property company working in the compound (for the 红色物业 share)."""

    scope_columns = {
        "community": "contract__compound__community_id",
        "grid": "contract__compound__grid_id",
        "compound": "contract__compound_id",
    }

    contract = models.ForeignKey(PropertyContract, on_delete=models.CASCADE, related_name="staff")
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=NAME_MAX)
    role = models.CharField(_("岗位"), max_length=NAME_MAX)

    class Meta:
        ordering = ["contract_id", "pk"]

    def __str__(self):
        return self.name


class SelfManagement(models.Model):
    """The self-management group of a compound without a property company; ``unit`` is the
    partner unit through which it receives property cases."""

    scope_columns = THROUGH_COMPOUND

    compound = models.OneToOneField(
        Compound, on_delete=models.PROTECT, related_name="self_management", verbose_name=_("小区")
    )
    name = models.CharField(_("名称"), max_length=TITLE_MAX)
    unit = models.OneToOneField(
        PartnerUnit, on_delete=models.PROTECT, related_name="self_management"
    )
    started_on = models.DateField(_("成立日期"))
    ended_on = models.DateField(_("停止日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("自治管理小组")
        verbose_name_plural = _("自治管理小组")

    def __str__(self):
        return self.name


class Steward(models.Model):
    """小区自治管家: a steward of a self-management group. With a login (``user``) the
    steward signs for and answers the group's dispatches."""

    scope_columns = {
        "community": "group__compound__community_id",
        "grid": "group__compound__grid_id",
        "compound": "group__compound_id",
    }

    group = models.ForeignKey(SelfManagement, on_delete=models.CASCADE, related_name="stewards")
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=NAME_MAX)
    duty = models.CharField(_("分工"), max_length=NAME_MAX, blank=True)

    class Meta:
        ordering = ["group_id", "pk"]

    def __str__(self):
        return self.name


class BodyMeeting(models.Model):
    """A meeting of one of a compound's bodies, with its decisions."""

    scope_columns = THROUGH_COMPOUND

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="body_meetings")
    body = models.CharField(_("主体"), max_length=20, choices=BodyKind.choices)
    held_on = models.DateField(_("会议日期"))
    title = models.CharField(_("议题"), max_length=TITLE_MAX)
    minutes = models.TextField(_("会议纪要"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.held_on} {self.title}"


class Decision(models.Model):
    meeting = models.ForeignKey(BodyMeeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.CharField(_("决定事项"), max_length=NOTE_MAX)

    class Meta:
        ordering = ["meeting_id", "pk"]

    def __str__(self):
        return self.text


class Notice(models.Model):
    """A notice a body posts to some or all of its compound's buildings."""

    scope_columns = THROUGH_COMPOUND

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="notices")
    body = models.CharField(_("发布主体"), max_length=20, choices=BodyKind.choices)
    title = models.CharField(_("标题"), max_length=TITLE_MAX)
    text = models.TextField(_("内容"))
    buildings = models.ManyToManyField(Building, related_name="compound_notices")
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    posted_at = models.DateTimeField()

    class Meta:
        ordering = ["-posted_at", "-pk"]

    def __str__(self):
        return self.title


class SatisfactionPoll(models.Model):
    """The yearly poll of a compound's households about their property service: a survey
    campaign of the survey builder."""

    scope_columns = THROUGH_COMPOUND

    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="satisfaction_polls"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    campaign = models.OneToOneField(Campaign, on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(
        PropertyContract, on_delete=models.PROTECT, null=True, blank=True, related_name="polls"
    )

    class Meta:
        ordering = ["compound_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "year"], name="satisfaction_poll_yearly")
        ]

    def __str__(self):
        return f"{self.compound.name} {self.year}"


class DutyShift(models.Model):
    """Who is on duty at a grid station (网格驿站, a venue) on a day: a grid worker or a
    member of the 顺心服务队."""

    scope_columns = {"community": "station__community_id", "grid": "station__grid_id"}

    station = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="duty_shifts")
    on = models.DateField(_("值班日期"))
    name = models.CharField(_("值班人"), max_length=NAME_MAX)
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    phone = EncryptedTextField(_("联系电话"), blank=True, default="")
    hours = models.CharField(_("时段"), max_length=40, default="9:00-17:00")

    class Meta:
        verbose_name = _("驿站值班")
        verbose_name_plural = _("驿站值班")
        ordering = ["station_id", "on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["station", "on", "name"], name="duty_shift_once")
        ]

    def __str__(self):
        return f"{self.on} {self.name}"

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)
