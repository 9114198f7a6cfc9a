"""Love points (爱心积分) as a double-entry ledger.

Every earn, spend, expiry, reversal and correction is one ``Transaction`` whose ``Entry``
rows sum to zero; entries and transactions are written once and never changed (a mistake
is undone by a new, reversing transaction). A resident's balance is the sum of the entries
on their account; ``Account.balance`` caches it and ``reconcile_points`` compares the two.

A resident's points are kept in lots by the year they were earned (``Entry.earned_year``):
points earned in year Y expire at the end of Y+1, and spending takes the oldest lot first.
Every entry on the other side of a resident's entry carries the same year, so a lot's
history can be followed through the system accounts too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import AppendOnlyModel
from gongzhi.orgs.models import PartnerUnit
from gongzhi.places.models import Community, Resident

from .enums import AccountKind, RedemptionStatus, Relation, TxnKind

NAME_MAX = 80
MEMO_MAX = 200


class Account(models.Model):
    """One per resident (``resident:<pk>``) and three per community (``issuance:<pk>``,
    ``shop:<pk>``, ``expiry:<pk>``)."""

    scope_columns = {"community": "community_id"}

    code = models.CharField(max_length=40, unique=True)
    kind = models.CharField(_("类别"), max_length=12, choices=AccountKind.choices)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    resident = models.OneToOneField(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="points_account"
    )
    # A cache of the sum of this account's entries, moved in the same transaction as the
    # entries by the one posting function; ``reconcile_points`` checks it.
    balance = models.IntegerField(_("余额"), default=0)

    class Meta:
        verbose_name = _("积分账户")
        verbose_name_plural = _("积分账户")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=AccountKind.RESIDENT) | Q(resident__isnull=False),
                name="points_account_resident_has_resident",
            )
        ]

    def __str__(self):
        return self.code


class Transaction(AppendOnlyModel):
    scope_columns = {"community": "community_id"}

    kind = models.CharField(_("类别"), max_length=10, choices=TxnKind.choices)
    # Idempotency: the same key posts once; a repeat gets the first transaction back.
    key = models.CharField(max_length=120, unique=True)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    memo = models.CharField(_("说明"), max_length=MEMO_MAX, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # When a family member or a volunteer redeems an elder's points: the elder, and who the
    # actor is to them.
    on_behalf_of = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    relation = models.CharField(
        _("代办关系"), max_length=10, choices=Relation.choices, default=Relation.SELF
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    created_at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("积分交易")
        verbose_name_plural = _("积分交易")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.key}"


class Entry(AppendOnlyModel):
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount = models.IntegerField(_("积分"))
    earned_year = models.PositiveSmallIntegerField(_("获得年份"))

    class Meta:
        verbose_name = _("积分分录")
        verbose_name_plural = _("积分分录")
        indexes = [models.Index(fields=["account", "earned_year"], name="points_entry_lot")]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="points_entry_nonzero")]


class EarningRule(models.Model):
    """What earns how much: ``points`` per unit (an hour of service, an activity attended, a
    correct answer)."""

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(_("名称"), max_length=NAME_MAX)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    points = models.PositiveIntegerField(_("每单位积分"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["code"]

    def __str__(self):
        return self.label


class ShopItem(models.Model):
    scope_columns = {"community": "community_id"}

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="shop_items", verbose_name=_("社区")
    )
    supplier = models.ForeignKey(
        PartnerUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shop_items",
        verbose_name=_("提供单位"),
    )
    name = models.CharField(_("名称"), max_length=NAME_MAX)
    description = models.CharField(_("说明"), max_length=MEMO_MAX, blank=True)
    price = models.PositiveIntegerField(_("所需积分"))
    stock = models.PositiveIntegerField(_("库存"), default=0)
    is_active = models.BooleanField(_("上架"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("积分超市商品")
        verbose_name_plural = _("积分超市商品")
        ordering = ["community_id", "price", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="shopitem_unique_name"),
            models.CheckConstraint(condition=Q(price__gt=0), name="shopitem_price_positive"),
        ]

    def __str__(self):
        return self.name


class Redemption(models.Model):
    scope_columns = {"community": "community_id"}

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="redemptions")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(ShopItem, on_delete=models.PROTECT, related_name="redemptions")
    quantity = models.PositiveSmallIntegerField(_("数量"))
    points = models.PositiveIntegerField(_("积分"))
    key = models.CharField(max_length=120, unique=True)
    transaction = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, related_name="redemption"
    )
    refund = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=RedemptionStatus.choices,
        default=RedemptionStatus.PLACED,
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    relation = models.CharField(
        _("代办关系"), max_length=10, choices=Relation.choices, default=Relation.SELF
    )
    created_at = models.DateTimeField(_("兑换时间"))
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("积分兑换")
        verbose_name_plural = _("积分兑换")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["community", "status"], name="redemption_by_status"),
            models.Index(fields=["resident", "-created_at"], name="redemption_by_resident"),
        ]

    def __str__(self):
        return f"{self.item} × {self.quantity}"
