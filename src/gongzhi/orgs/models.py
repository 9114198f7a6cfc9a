"""Organisations: the party organisation tree, party members and the households they look
after, posts held over place nodes, teams, and the partner units of the alliance."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import EncryptedTextField
from gongzhi.core.identity import mask_phone
from gongzhi.places.models import (
    Building,
    Community,
    Compound,
    Entrance,
    Grid,
    Household,
    Resident,
    Subdistrict,
)

from .enums import (
    POST_LEVEL,
    SINGLE_HOLDER_KINDS,
    PartnerKind,
    PartyOrgKind,
    PostKind,
    TeamKind,
    TeamRole,
)


class PostQuerySet(models.QuerySet):
    def active(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on), started_on__lte=on)


class Post(models.Model):
    """A post (网格长, 楼栋长, 社区工作人员...) held by a person over one place node. The
    node's level is fixed by the kind; exactly that node column is set."""

    NODE_FIELDS = ("subdistrict", "community", "grid", "compound", "building", "entrance")
    scope_columns = {
        "community": "community_id",
        "grid": "grid_id",
        "compound": "compound_id",
        "building": "building_id",
        "entrance": "entrance_id",
    }

    kind = models.CharField(_("岗位"), max_length=30, choices=PostKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("账号"),
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("居民"),
    )
    holder_name = models.CharField(_("姓名"), max_length=50)
    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.PROTECT, null=True, blank=True, related_name="posts"
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, null=True, blank=True, related_name="posts"
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="posts"
    )
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, null=True, blank=True, related_name="posts"
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="posts"
    )
    entrance = models.ForeignKey(
        Entrance, on_delete=models.PROTECT, null=True, blank=True, related_name="posts"
    )
    is_party_member = models.BooleanField(_("党员"), default=False)
    started_on = models.DateField(_("任职日期"), default=timezone.localdate)
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["kind", "id"]
        indexes = [models.Index(fields=["user", "kind"])]
        # One open post of a single-holder kind per node (``post_assign`` says so in
        # Chinese first; this holds against two desks appointing at the same moment).
        constraints = [
            models.UniqueConstraint(
                fields=[POST_LEVEL[kind]],
                condition=Q(kind=kind, ended_on__isnull=True),
                name=f"post_one_open_{kind.value}",
                violation_error_message=_("这里已有在任的%(kind)s，请先办理离任或交接。")
                % {"kind": kind.label},
            )
            for kind in SINGLE_HOLDER_KINDS
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.holder_name}（{self.node}）"

    @property
    def level(self) -> str:
        return POST_LEVEL[self.kind]

    @property
    def node(self):
        return getattr(self, self.level)

    def clean(self):
        level = POST_LEVEL.get(self.kind)
        set_fields = [f for f in self.NODE_FIELDS if getattr(self, f"{f}_id")]
        if level is None or set_fields != [level]:
            raise ValidationError(_("岗位必须且只能对应一个%(level)s。") % {"level": level})


class PartyOrganisation(models.Model):
    scope_columns = {"community": "community_id"}

    kind = models.CharField(_("类别"), max_length=30, choices=PartyOrgKind.choices)
    name = models.CharField(_("名称"), max_length=120)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级"),
    )
    # Where it sits; the comprehensive committee sits on the subdistrict.
    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, null=True, blank=True, related_name="party_orgs"
    )
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, null=True, blank=True, related_name="party_orgs"
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="party_orgs"
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="party_orgs"
    )
    secretary_name = models.CharField(_("书记/负责人"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["kind", "id"]

    def __str__(self):
        return self.name


class PartyMember(models.Model):
    scope_columns = {
        "community": "resident__community_id",
        "grid": "resident__grid_id",
        "building": "resident__building_id",
    }

    resident = models.OneToOneField(
        Resident, on_delete=models.PROTECT, related_name="party_membership", verbose_name=_("居民")
    )
    organisation = models.ForeignKey(
        PartyOrganisation,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("所在党组织"),
    )
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)
    # 党员联系家庭: the households this member looks after.
    linked_households = models.ManyToManyField(
        Household, blank=True, related_name="linked_party_members", verbose_name=_("联系家庭")
    )

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")

    def __str__(self):
        return str(self.resident)


class Team(models.Model):
    scope_columns = {"community": "community_id"}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="teams", verbose_name=_("社区")
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=30, choices=TeamKind.choices)
    description = models.TextField(_("简介"), blank=True)

    class Meta:
        verbose_name = _("队伍")
        verbose_name_plural = _("队伍")
        ordering = ["community_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="team_unique_name")
        ]

    def __str__(self):
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="team_memberships"
    )
    role = models.CharField(
        _("角色"), max_length=20, choices=TeamRole.choices, default=TeamRole.MEMBER
    )
    joined_on = models.DateField(_("加入日期"), default=timezone.localdate)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "resident"], name="team_member_unique")
        ]

    def __str__(self):
        return f"{self.team} · {self.resident}"


class PartnerUnit(models.Model):
    """A unit of the 区域化党建联盟 (or a utility the community routes work to). Partner users
    see only what is dispatched to them; they have no reach into the registry."""

    scope_columns = {"community": "communities__id"}

    name = models.CharField(_("名称"), max_length=120, unique=True)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    kind = models.CharField(_("类别"), max_length=20, choices=PartnerKind.choices)
    offers = models.TextField(_("可提供的资源与服务"), blank=True)
    in_alliance = models.BooleanField(_("党建联盟成员"), default=True)
    communities = models.ManyToManyField(
        Community, blank=True, related_name="partner_units", verbose_name=_("共建社区")
    )

    class Meta:
        verbose_name = _("共建单位")
        verbose_name_plural = _("共建单位")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class PartnerContact(models.Model):
    unit = models.ForeignKey(PartnerUnit, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务"), max_length=60, blank=True)
    phone = EncryptedTextField(_("电话"), blank=True, default="")

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")

    def __str__(self):
        return f"{self.name}（{self.unit}）"

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)
