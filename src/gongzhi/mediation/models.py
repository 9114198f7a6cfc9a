"""People's mediation (人民调解): a dispute between neighbours, the people in it, the
mediators of the community's mediation team who take it on, the sessions they hold, the
outcome and the follow-up visits that check the agreement holds.

A case belongs to a community (and, when known, a grid) and is scoped by ``core.scoping``
through those columns: everyone in reach sees that a mediation exists and how it ended.
What the parties said — their statements, the summary, the session notes, the agreement —
is confidential and read only through ``rules.may_read``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import EncryptedTextField
from gongzhi.core.identity import mask_phone
from gongzhi.core.models import AppendOnlyModel
from gongzhi.orgs.models import Team
from gongzhi.places.models import Community, Grid, Resident
from gongzhi.voices.models import Item

from .enums import CaseStatus, FollowUpStatus, ReferredTo, Side

TITLE_MAX = 60
TEXT_MAX = 2000
PLACE_MAX = 80
NAME_MAX = 50
NOTE_MAX = 500


class Case(models.Model):
    scope_columns = {"community": "community_id", "grid": "grid_id"}

    number = models.CharField(_("编号"), max_length=20, unique=True)
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="mediation_cases", verbose_name=_("社区")
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="mediation_cases", verbose_name=_("调解队")
    )
    # The residents'-voice item it came from, if any: it hears the outcome.
    item = models.OneToOneField(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="mediation_case"
    )
    # Not confidential: what kind of dispute it is ("漏水纠纷"), shown to everyone in reach.
    title = models.CharField(_("纠纷类型"), max_length=TITLE_MAX)
    # Confidential: what happened, as the mediator writes it.
    summary = models.TextField(_("纠纷简要情况"))
    arose_on = models.DateField(_("纠纷发生日期"))
    mediators = models.ManyToManyField(
        Resident, related_name="mediation_cases", verbose_name=_("调解员")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    referred_to = models.CharField(
        _("移交单位"), max_length=20, choices=ReferredTo.choices, blank=True
    )
    # Confidential: the terms agreed (人民调解协议书), or why it failed.
    agreement = models.TextField(_("协议内容"), blank=True)
    outcome_note = models.CharField(_("结果说明"), max_length=NOTE_MAX, blank=True)
    signed_copy = models.FileField(upload_to="mediation/%Y/%m/", blank=True)
    signed_copy_type = models.CharField(max_length=60, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("受理时间"))
    # The first agreement (full or partial) and the latest outcome; figures count from them.
    agreed_at = models.DateTimeField(_("达成协议时间"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("调解结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("调解案件")
        verbose_name_plural = _("调解案件")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["community", "status"], name="mediation_comm_status")]

    def __str__(self):
        return f"{self.number} {self.title}"


class Party(models.Model):
    """Someone in the dispute: a resident of the register, or an outsider by name with a
    phone sealed at rest."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=NAME_MAX)
    phone = EncryptedTextField(_("手机号"), blank=True, default="")
    side = models.CharField(_("身份"), max_length=20, choices=Side.choices)
    # Confidential: what they said.
    statement = models.TextField(_("陈述"), blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case_id", "side", "pk"]

    def __str__(self):
        return self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.resident.phone if self.resident_id else self.phone)


class Session(AppendOnlyModel):
    """One mediation meeting: when, where, who came, what was said (confidential)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sessions")
    held_at = models.DateTimeField(_("调解时间"))
    place = models.CharField(_("地点"), max_length=PLACE_MAX)
    attendees = models.ManyToManyField(Party, related_name="sessions", verbose_name=_("到场"))
    notes = models.TextField(_("调解记录"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["held_at", "pk"]


class FollowUp(models.Model):
    """A visit due some days after an agreement: is it kept?"""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    due_on = models.DateField(_("回访日期"))
    status = models.CharField(
        _("回访结果"), max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.DUE
    )
    note = models.CharField(_("回访情况"), max_length=NOTE_MAX, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    visited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self):
        return f"{self.case_id} {self.due_on}"


class CaseEvent(AppendOnlyModel):
    """A case's history: opened, each move of its status — who, when, why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=20, choices=CaseStatus.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.CharField(max_length=NOTE_MAX, blank=True)

    class Meta:
        ordering = ["at", "pk"]
