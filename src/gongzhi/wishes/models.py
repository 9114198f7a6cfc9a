"""Micro-wishes (微心愿): a resident's small wish, its sponsor's claim, its append-only
timeline and the resident's in-app notifications.

A wish carries the place columns of the resident's household (community, grid, compound,
building, entrance, household), copied when it is made, so that ``core.scoping`` filters it
with one indexed ``IN`` like the register. The public wall shows a wish only through
``public_text`` and the community and building, never the person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import AppendOnlyModel
from gongzhi.orgs.models import PartnerUnit, PartyMember, Team
from gongzhi.places.models import (
    Building,
    Community,
    Compound,
    Entrance,
    Grid,
    Household,
    Resident,
)

from .enums import Category, Channel, ClaimStatus, EventKind, SponsorKind, Status

TEXT_MAX = 500


class Wish(models.Model):
    scope_columns = {
        "community": "community_id",
        "grid": "grid_id",
        "compound": "compound_id",
        "building": "building_id",
        "entrance": "entrance_id",
        "household": "household_id",
    }

    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="wishes", verbose_name=_("居民")
    )
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="wishes")
    entrance = models.ForeignKey(Entrance, on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="+")
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="wishes")

    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    text = models.CharField(_("心愿内容"), max_length=TEXT_MAX)
    # What the wall shows: the resident's words, edited by the verifier when they name
    # someone or say where they live.
    public_text = models.CharField(_("公开内容"), max_length=TEXT_MAX, blank=True)
    # Taken when the wish is made, so the wall says 老人 without reading a birth date.
    elderly = models.BooleanField(_("60岁以上"), default=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    channel = models.CharField(
        _("来源"), max_length=20, choices=Channel.choices, default=Channel.ONLINE
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    reject_reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    # Confirmation by a leader after a visit, on the resident's behalf.
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    confirmed_on_behalf = models.BooleanField(_("代为确认"), default=False)
    thanks = models.CharField(_("感谢的话"), max_length=TEXT_MAX, blank=True)
    thanks_public = models.BooleanField(_("同意在心愿墙公开"), default=False)

    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("实现时间"), null=True, blank=True)
    thanked_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("微心愿")
        verbose_name_plural = _("微心愿")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="wish_status_published"),
            models.Index(fields=["community", "status"], name="wish_community_status"),
        ]

    def __str__(self):
        # Audit entries name the wish, never the person.
        return _("心愿%(pk)s · %(category)s") % {
            "pk": self.pk,
            "category": self.get_category_display(),
        }

    @property
    def public_place(self) -> str:
        """Who made the wish, as the wall may say it: never below the building."""
        values = {"community": self.community.name, "building": self.building}
        if self.elderly:
            return _("%(community)s %(building)s 的一位老人") % values
        return _("%(community)s %(building)s 的一位居民") % values

    @property
    def live_claim(self) -> WishClaim | None:
        """The claim that is not released, from the selectors' prefetch."""
        claims = getattr(self, "live_claims", None)
        if claims is None:
            claims = list(self.claims.exclude(status=ClaimStatus.RELEASED))
        return claims[0] if claims else None


class WishClaim(models.Model):
    """A sponsor's claim of a wish. At most one claim per wish is not released: the
    database refuses a second one even if two services raced past the status check."""

    wish = models.ForeignKey(Wish, on_delete=models.PROTECT, related_name="claims")
    sponsor_kind = models.CharField(_("认领方类别"), max_length=20, choices=SponsorKind.choices)
    partner_unit = models.ForeignKey(
        PartnerUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="wish_claims"
    )
    party_member = models.ForeignKey(
        PartyMember, on_delete=models.PROTECT, null=True, blank=True, related_name="wish_claims"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="wish_claims"
    )
    # The person who pressed the button.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="wish_claims"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.ACTIVE
    )
    claimed_at = models.DateTimeField(_("认领时间"), auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.CharField(_("放弃原因"), max_length=200, blank=True)
    fulfilled_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    proof_text = models.CharField(_("完成情况"), max_length=TEXT_MAX, blank=True)
    proof_photo = models.FileField(_("照片"), upload_to="wishes/proof/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("心愿认领")
        verbose_name_plural = _("心愿认领")
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["wish"],
                condition=~Q(status=ClaimStatus.RELEASED),
                name="wishclaim_one_active_per_wish",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        sponsor_kind=SponsorKind.PARTNER,
                        partner_unit__isnull=False,
                        party_member__isnull=True,
                        team__isnull=True,
                    )
                    | Q(
                        sponsor_kind=SponsorKind.PARTY_MEMBER,
                        partner_unit__isnull=True,
                        party_member__isnull=False,
                        team__isnull=True,
                    )
                    | Q(
                        sponsor_kind=SponsorKind.TEAM,
                        partner_unit__isnull=True,
                        party_member__isnull=True,
                        team__isnull=False,
                    )
                ),
                name="wishclaim_one_sponsor",
            ),
        ]

    def __str__(self):
        return f"{self.wish} · {self.get_sponsor_kind_display()}"

    @property
    def sponsor_public(self) -> str:
        """The sponsor as residents and the wall see it. A party member is a private
        person, so only their being a party member is said."""
        if self.sponsor_kind == SponsorKind.PARTY_MEMBER:
            return str(_("一位党员"))
        if self.partner_unit_id:
            return self.partner_unit.short_name or self.partner_unit.name
        return self.team.name


class WishEvent(AppendOnlyModel):
    """One step of a wish's timeline. Never edited: a correction is a new event."""

    wish = models.ForeignKey(Wish, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事件"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who did it, as the resident will read it: "望江街社区", "市住建局", "网格员".
    actor_label = models.CharField(max_length=120, blank=True)
    note = models.CharField(max_length=TEXT_MAX, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("心愿进展")
        verbose_name_plural = _("心愿进展")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.wish} {self.kind}"


class WishNotification(models.Model):
    """A message to the resident whose wish moved. Addressed to the resident, not to a
    login: many elders have none, and a family member or leader reads it to them."""

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="wish_notifications"
    )
    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("心愿通知")
        verbose_name_plural = _("心愿通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["resident", "read_at"], name="wishnote_resident_unread")]

    def __str__(self):
        return f"{self.resident_id} {self.kind}"
