"""Every change to love points, through one posting function (``_post``).

``_post`` locks the accounts it touches (in primary-key order, so two postings never wait
on each other in a circle), returns the existing transaction when its key has been used
(idempotency), refuses a transaction whose entries do not sum to zero, refuses to take a
resident's lot below zero, writes the transaction and its entries once, and moves the cached
balances by the same amounts. Everything else builds the lines and calls it:

- ``award``: points for a rule (service hours, an activity attended, a correct answer);
  the hook the activities app calls on check-in and quiz.
- ``redeem`` / ``redemption_cancel`` / ``redemption_hand_over``: the shop.
- ``correct``: staff add or take points with a reason.
- ``reverse``: undo a transaction by its mirror image.
- ``expire``: points earned in year Y lapse at the end of Y+1 (``expire_points``).
- ``reconcile``: every cached balance against its entries, every transaction against 0.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.text import bounded_text
from gongzhi.orgs.models import PartnerUnit
from gongzhi.places.models import Community, Resident

from . import rules
from .enums import TRANSITIONS, AccountKind, RedemptionStatus, Relation, TxnKind
from .models import (
    MEMO_MAX,
    NAME_MAX,
    Account,
    EarningRule,
    Entry,
    Redemption,
    ShopItem,
    Transaction,
)

MAX_QUANTITY = 10
MAX_CORRECTION = 10_000
MAX_PRICE = 100_000
MAX_STOCK = 100_000
# The earning rules every community starts with (a migration seeds a frozen copy of them).
DEFAULT_RULES = [
    ("service_hour", "志愿服务", "小时", 10),
    ("activity_attendance", "参加活动", "次", 5),
    ("quiz_correct", "有奖竞答答对", "题", 1),
]


def _year(on: dt.datetime) -> int:
    return timezone.localtime(on).year


# --- accounts -----------------------------------------------------------------------------


def resident_account(resident: Resident) -> Account:
    account, _created = Account.objects.get_or_create(
        code=f"resident:{resident.pk}",
        defaults={
            "kind": AccountKind.RESIDENT,
            "community_id": resident.community_id,
            "resident": resident,
        },
    )
    return account


def system_account(community_id: int, kind: str) -> Account:
    account, _created = Account.objects.get_or_create(
        code=f"{kind}:{community_id}", defaults={"kind": kind, "community_id": community_id}
    )
    return account


def lots(account: Account) -> dict[int, int]:
    """What is left of each year's points on ``account``: {earned_year: points}, oldest
    first, empty lots left out."""
    rows = (
        Entry.objects.filter(account=account)
        .values("earned_year")
        .annotate(left=Sum("amount"))
        .order_by("earned_year")
    )
    return {r["earned_year"]: r["left"] for r in rows if r["left"]}


def spendable(account: Account, on: dt.datetime) -> int:
    """Points that may still be spent at ``on``: lots earned last year or this year."""
    first = _year(on) - 1
    return sum(left for year, left in lots(account).items() if year >= first and left > 0)


def _take(account: Account, amount: int, on: dt.datetime, message: str) -> list[tuple[int, int]]:
    """``amount`` points from the oldest live lots of ``account``: [(year, points)]."""
    first = _year(on) - 1
    taken, need = [], amount
    for year, left in lots(account).items():
        if need == 0:
            break
        if year < first or left <= 0:
            continue
        part = min(left, need)
        taken.append((year, part))
        need -= part
    if need:
        raise ValidationError(message)
    return taken


# --- the one posting function -------------------------------------------------------------


def _post(
    *,
    kind: str,
    key: str,
    community_id: int,
    lines: list[tuple[Account, int, int]],
    at: dt.datetime,
    actor=None,
    memo: str = "",
    reverses: Transaction | None = None,
    on_behalf_of: Resident | None = None,
    relation: str = Relation.SELF,
    shortfall: str = "",
) -> tuple[Transaction, bool]:
    """Write one transaction of ``lines`` (account, amount, earned year). Returns it and
    whether it is new; a used ``key`` returns the transaction written under it."""
    if sum(amount for _a, amount, _y in lines) != 0:
        raise ValueError("A transaction's entries must sum to zero.")
    if not lines or any(amount == 0 for _a, amount, _y in lines):
        raise ValueError("A transaction has entries, none of them zero.")
    with transaction.atomic():
        ids = sorted({account.pk for account, _amount, _y in lines})
        locked = {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=ids)}
        existing = Transaction.objects.filter(key=key).first()
        if existing is not None:
            return existing, False
        # No resident's lot may go below zero.
        moves: dict[tuple[int, int], int] = {}
        for account, amount, year in lines:
            moves[(account.pk, year)] = moves.get((account.pk, year), 0) + amount
        for (account_id, year), amount in moves.items():
            if amount < 0 and locked[account_id].kind == AccountKind.RESIDENT:
                left = (
                    Entry.objects.filter(account_id=account_id, earned_year=year).aggregate(
                        s=Sum("amount")
                    )["s"]
                    or 0
                )
                if left + amount < 0:
                    raise ValidationError(shortfall or _("积分不足。"))
        txn = Transaction.objects.create(
            kind=kind,
            key=key,
            community_id=community_id,
            memo=memo[:MEMO_MAX],
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            on_behalf_of=on_behalf_of,
            relation=relation,
            reverses=reverses,
            created_at=at,
        )
        Entry.objects.bulk_create(
            Entry(transaction=txn, account_id=account.pk, amount=amount, earned_year=year)
            for account, amount, year in lines
        )
        totals: dict[int, int] = {}
        for account, amount, _y in lines:
            totals[account.pk] = totals.get(account.pk, 0) + amount
        for account_id, delta in totals.items():
            if delta:
                Account.objects.filter(pk=account_id).update(balance=F("balance") + delta)
    return txn, True


# --- earning ------------------------------------------------------------------------------


def ensure_default_rules() -> None:
    """Write the default earning rules that are missing, leaving staff's edits to existing
    ones alone: a database emptied since its migrations (the demo's reset, a test's flush)
    has none, and ``award`` posts nothing for a rule that is not there."""
    for code, label, unit, points in DEFAULT_RULES:
        EarningRule.objects.get_or_create(
            code=code, defaults={"label": label, "unit": unit, "points": points}
        )


def award(
    *,
    actor,
    resident: Resident,
    rule_code: str,
    quantity: int | float | Decimal = 1,
    key: str,
    memo: str = "",
    on: dt.datetime | None = None,
) -> Transaction | None:
    """Give ``resident`` the points ``rule_code`` earns for ``quantity`` units (hours of
    service, activities, correct answers), in the lot of the year of ``on``.

    Idempotent on ``key``: a repeat returns the transaction already written. None when the
    rule is missing or switched off, or the points come to 0. The caller (a check-in, a
    quiz) has checked who may do what; this only posts."""
    existing = Transaction.objects.filter(key=key).first()
    if existing is not None:
        return existing
    rule = EarningRule.objects.filter(code=rule_code, is_active=True).first()
    if rule is None:
        return None
    points = int(
        (Decimal(str(quantity)) * rule.points).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    )
    if points <= 0:
        return None
    on = on or timezone.now()
    year = _year(on)
    with transaction.atomic():
        account = resident_account(resident)
        issuance = system_account(resident.community_id, AccountKind.ISSUANCE)
        txn, created = _post(
            kind=TxnKind.EARN,
            key=key,
            community_id=resident.community_id,
            lines=[(account, points, year), (issuance, -points, year)],
            at=on,
            actor=actor,
            memo=memo or rule.label,
        )
        if created:
            audit.record(
                actor=actor,
                action="points.transaction.earned",
                obj=txn,
                changes={"rule": rule_code, "points": points, "resident": resident.pk},
            )
    return txn


# --- corrections and reversals ------------------------------------------------------------


def correct(
    *,
    actor,
    resident: Resident,
    amount: int,
    reason: str,
    key: str,
    on: dt.datetime | None = None,
) -> Transaction:
    """Add (``amount`` > 0) or take away points by hand, with the reason written down.
    Points taken come from the oldest live lots; points added are this year's."""
    if actor is not None and not rules.may_correct(actor, resident):
        raise PermissionDenied(_("没有权限更正这位居民的积分。"))
    reason = bounded_text(reason, field="reason", limit=MEMO_MAX, required=_("请写明更正的原因。"))
    if not isinstance(amount, int) or amount == 0 or abs(amount) > MAX_CORRECTION:
        raise ValidationError(
            {
                "amount": _("更正的积分应为1到%(n)d之间的整数（扣减写负数）。")
                % {"n": MAX_CORRECTION}
            }
        )
    on = on or timezone.now()
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=resident_account(resident).pk)
        issuance = system_account(resident.community_id, AccountKind.ISSUANCE)
        if amount > 0:
            lines = [(account, amount, _year(on)), (issuance, -amount, _year(on))]
        else:
            taken = _take(
                account,
                -amount,
                on,
                _("积分不足：这位居民只有%(n)d分可扣。") % {"n": spendable(account, on)},
            )
            lines = [(account, -p, y) for y, p in taken] + [(issuance, p, y) for y, p in taken]
        txn, created = _post(
            kind=TxnKind.CORRECT,
            key=f"correct:{key}",
            community_id=resident.community_id,
            lines=lines,
            at=on,
            actor=actor,
            memo=reason,
        )
        if created:
            audit.record(
                actor=actor,
                action="points.transaction.corrected",
                obj=txn,
                changes={"points": amount, "resident": resident.pk, "reason": reason},
            )
    return txn


def reverse(
    *,
    actor,
    txn: Transaction,
    memo: str = "",
    on: dt.datetime | None = None,
    _redemption: bool = False,
) -> Transaction:
    """Undo ``txn`` by a new transaction with every entry negated (same lots). A
    transaction is reversed at most once; a reversal is not reversed (post anew). Refused
    when the points it gave have been spent since."""
    on = on or timezone.now()
    if txn.kind == TxnKind.REVERSE:
        raise ValidationError(_("冲销记录不能再冲销。"))
    if not _redemption and Redemption.objects.filter(transaction=txn).exists():
        raise ValidationError(_("兑换的积分请通过“取消兑换”退回。"))
    with transaction.atomic():
        entries = list(txn.entries.select_related("account"))
        rev, created = _post(
            kind=TxnKind.REVERSE,
            key=f"reverse:{txn.pk}",
            community_id=txn.community_id,
            lines=[(e.account, -e.amount, e.earned_year) for e in entries],
            at=on,
            actor=actor,
            memo=memo or _("冲销：%(memo)s") % {"memo": txn.memo},
            reverses=txn,
            on_behalf_of=txn.on_behalf_of,
            relation=txn.relation,
            shortfall=_("这笔积分已经用掉了，不能冲销。"),
        )
        if created:
            audit.record(
                actor=actor,
                action="points.transaction.reversed",
                obj=rev,
                changes={"reverses": txn.pk},
            )
    return rev


# --- expiry -------------------------------------------------------------------------------


def expire(*, on: dt.datetime | None = None, community: Community | None = None) -> list:
    """Post an expiry for every resident lot earned before last year that still holds
    points. Run twice, it posts nothing the second time: each lot's expiry key counts the
    expiries that lot has had, so points refunded into an old lot lapse on the next run."""
    on = on or timezone.now()
    last_live = _year(on) - 1
    rows = Entry.objects.filter(
        account__kind=AccountKind.RESIDENT, earned_year__lt=last_live
    ).values("account_id", "earned_year")
    if community is not None:
        rows = rows.filter(account__community=community)
    rows = (
        rows.annotate(left=Sum("amount")).filter(left__gt=0).order_by("account_id", "earned_year")
    )
    posted = []
    for row in rows:
        with transaction.atomic():
            account = Account.objects.select_for_update().get(pk=row["account_id"])
            year = row["earned_year"]
            left = (
                Entry.objects.filter(account=account, earned_year=year).aggregate(s=Sum("amount"))[
                    "s"
                ]
                or 0
            )
            if left <= 0:
                continue
            before = Entry.objects.filter(
                account=account, earned_year=year, transaction__kind=TxnKind.EXPIRE
            ).count()
            sink = system_account(account.community_id, AccountKind.EXPIRY)
            txn, created = _post(
                kind=TxnKind.EXPIRE,
                key=f"expire:{account.pk}:{year}:{before}",
                community_id=account.community_id,
                lines=[(account, -left, year), (sink, left, year)],
                at=on,
                memo=_("%(year)d年获得的积分到期") % {"year": year},
            )
            if created:
                posted.append(txn)
    return posted


# --- reconciliation -----------------------------------------------------------------------


def reconcile() -> list[str]:
    """Every difference the ledger holds, in words; empty when it balances: an account
    whose cached balance is not the sum of its entries, a transaction whose entries do not
    sum to zero, a resident lot below zero."""
    problems = []
    sums = dict(Entry.objects.values_list("account_id").annotate(s=Sum("amount")).order_by())
    for account_id, code, cached in Account.objects.values_list("pk", "code", "balance"):
        actual = sums.get(account_id) or 0
        if cached != actual:
            problems.append(f"账户 {code}：缓存余额 {cached}，分录合计 {actual}")
    bad = (
        Entry.objects.values("transaction_id", "transaction__key")
        .annotate(s=Sum("amount"))
        .exclude(s=0)
        .order_by("transaction_id")
    )
    for row in bad:
        problems.append(f"交易 {row['transaction__key']}：分录合计 {row['s']}，应为 0")
    negative = (
        Entry.objects.filter(account__kind=AccountKind.RESIDENT)
        .values("account__code", "earned_year")
        .annotate(s=Sum("amount"))
        .filter(s__lt=0)
        .order_by("account__code", "earned_year")
    )
    for row in negative:
        problems.append(f"账户 {row['account__code']}：{row['earned_year']}年积分为 {row['s']}")
    return problems


# --- the shop -----------------------------------------------------------------------------


def _clean_item(*, name, description, price, stock, supplier, community) -> dict:
    errors = {}
    try:
        name = bounded_text(name, field="name", limit=NAME_MAX, required=_("请填写商品名称。"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        description = bounded_text(description, field="description", limit=MEMO_MAX)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not isinstance(price, int) or not 1 <= price <= MAX_PRICE:
        errors["price"] = _("所需积分应为1到%(n)d之间的整数。") % {"n": MAX_PRICE}
    if not isinstance(stock, int) or not 0 <= stock <= MAX_STOCK:
        errors["stock"] = _("库存应为0到%(n)d之间的整数。") % {"n": MAX_STOCK}
    if supplier is not None and not supplier.communities.filter(pk=community.pk).exists():
        errors["supplier"] = _("这家单位不是本社区的共建单位。")
    if errors:
        raise ValidationError(errors)
    return {"name": name, "description": description, "price": price, "stock": stock}


@transaction.atomic
def item_create(
    *,
    actor,
    community: Community,
    name: str,
    price: int,
    stock: int,
    description: str = "",
    supplier: PartnerUnit | None = None,
) -> ShopItem:
    if actor is not None and not rules.may_manage(actor, community):
        raise PermissionDenied(_("没有权限管理积分超市。"))
    data = _clean_item(
        name=name,
        description=description,
        price=price,
        stock=stock,
        supplier=supplier,
        community=community,
    )
    if ShopItem.objects.filter(community=community, name=data["name"]).exists():
        raise ValidationError({"name": _("本社区积分超市已有同名商品。")})
    item = ShopItem.objects.create(community=community, supplier=supplier, **data)
    audit.record(actor=actor, action="points.item.created", obj=item, changes={"price": item.price})
    return item


@transaction.atomic
def item_update(
    *,
    actor,
    item: ShopItem,
    name: str,
    price: int,
    stock: int,
    description: str = "",
    supplier: PartnerUnit | None = None,
    is_active: bool = True,
) -> ShopItem:
    locked = (
        ShopItem.objects.select_for_update(of=("self",)).select_related("community").get(pk=item.pk)
    )
    if actor is not None and not rules.may_manage(actor, locked.community):
        raise PermissionDenied(_("没有权限管理积分超市。"))
    data = _clean_item(
        name=name,
        description=description,
        price=price,
        stock=stock,
        supplier=supplier,
        community=locked.community,
    )
    if (
        ShopItem.objects.filter(community_id=locked.community_id, name=data["name"])
        .exclude(pk=locked.pk)
        .exists()
    ):
        raise ValidationError({"name": _("本社区积分超市已有同名商品。")})
    before = {k: getattr(locked, k) for k in ("name", "price", "stock", "is_active")}
    for field, value in data.items():
        setattr(locked, field, value)
    locked.supplier, locked.is_active = supplier, is_active
    locked.save()
    after = {k: getattr(locked, k) for k in before}
    audit.record(
        actor=actor,
        action="points.item.updated",
        obj=locked,
        changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
    )
    return locked


def redeem(
    *,
    actor,
    resident: Resident,
    item: ShopItem,
    key: str,
    quantity: int = 1,
    on: dt.datetime | None = None,
) -> Redemption:
    """Spend ``resident``'s points on ``quantity`` of ``item``.

    The resident's account is locked first, then the item: two redemptions of the last
    one queue behind each other and the second finds it gone (已兑完); the same ``key``
    submitted twice finds the first redemption and charges nothing more. ``actor`` is the
    resident, a household member (``family``) or a post holder (``volunteer``); a
    proxy is written on the redemption and its transaction."""
    on = on or timezone.now()
    relation = Relation.SELF if actor is None else rules.relation_to(actor, resident)
    if relation is None:
        raise Http404
    if not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError({"quantity": _("一次可兑换1到%(n)d件。") % {"n": MAX_QUANTITY}})
    key = bounded_text(key, field="key", limit=80, required=_("页面已过期，请重新打开兑换页。"))
    full_key = f"redeem:{resident.pk}:{key}"
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=resident_account(resident).pk)
        existing = Redemption.objects.filter(key=full_key).first()
        if existing is not None:
            return existing
        locked = ShopItem.objects.select_for_update().get(pk=item.pk)
        if not locked.is_active or locked.community_id != resident.community_id:
            raise ValidationError(_("这件商品不在您所在社区的积分超市上架。"))
        if locked.stock == 0:
            raise ValidationError(_("“%(name)s”已兑完。") % {"name": locked.name})
        if locked.stock < quantity:
            raise ValidationError(
                _("“%(name)s”只剩%(n)d件。") % {"name": locked.name, "n": locked.stock}
            )
        cost = locked.price * quantity
        have = spendable(account, on)
        taken = _take(
            account,
            cost,
            on,
            _("积分不足：需要%(cost)d分，可用%(have)d分。") % {"cost": cost, "have": have},
        )
        shop = system_account(resident.community_id, AccountKind.SHOP)
        txn, _created = _post(
            kind=TxnKind.SPEND,
            key=full_key,
            community_id=resident.community_id,
            lines=[(account, -p, y) for y, p in taken] + [(shop, p, y) for y, p in taken],
            at=on,
            actor=actor,
            memo=_("兑换%(name)s × %(n)d") % {"name": locked.name, "n": quantity},
            on_behalf_of=resident if relation != Relation.SELF else None,
            relation=relation,
        )
        locked.stock -= quantity
        locked.save(update_fields=["stock"])
        redemption = Redemption.objects.create(
            resident=resident,
            community_id=resident.community_id,
            item=locked,
            quantity=quantity,
            points=cost,
            key=full_key,
            transaction=txn,
            placed_by=actor if getattr(actor, "is_authenticated", False) else None,
            relation=relation,
            created_at=on,
        )
        audit.record(
            actor=actor,
            action="points.redemption.placed",
            obj=redemption,
            changes={"points": cost, "quantity": quantity, "relation": relation},
        )
    return redemption


def _move(redemption: Redemption, to: str) -> None:
    if to not in TRANSITIONS[RedemptionStatus(redemption.status)]:
        raise ValidationError(
            _("这条兑换当前为“%(status)s”，不能再%(action)s。")
            % {
                "status": redemption.get_status_display(),
                "action": {
                    RedemptionStatus.HANDED_OVER: _("领取"),
                    RedemptionStatus.CANCELLED: _("取消"),
                }[to],
            }
        )
    redemption.status = to


def redemption_hand_over(
    *, actor, redemption: Redemption, on: dt.datetime | None = None
) -> Redemption:
    """The resident has the goods (or the service): PLACED → HANDED_OVER."""
    on = on or timezone.now()
    with transaction.atomic():
        locked = Redemption.objects.select_for_update().get(pk=redemption.pk)
        if actor is not None and not rules.may_manage(actor, locked.community):
            raise PermissionDenied(_("没有权限办理兑换。"))
        _move(locked, RedemptionStatus.HANDED_OVER)
        locked.closed_at = on
        locked.closed_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.save(update_fields=["status", "closed_at", "closed_by"])
        audit.record(actor=actor, action="points.redemption.handed_over", obj=locked)
    return locked


def redemption_cancel(
    *, actor, redemption: Redemption, reason: str = "", on: dt.datetime | None = None
) -> Redemption:
    """PLACED → CANCELLED: the points come back by a reversing transaction (into the lots
    they were taken from) and the stock is restored."""
    on = on or timezone.now()
    reason = bounded_text(reason, field="reason", limit=MEMO_MAX)
    with transaction.atomic():
        locked = (
            Redemption.objects.select_for_update(of=("self",))
            .select_related("transaction", "community")
            .get(pk=redemption.pk)
        )
        if actor is not None and not rules.may_cancel(actor, locked):
            raise PermissionDenied(_("没有权限取消这条兑换。"))
        _move(locked, RedemptionStatus.CANCELLED)
        # The same lock order as ``redeem``: the account, then the item, then (in
        # ``_post``) the shop's account — never the shop's before the item.
        Account.objects.select_for_update().get(code=f"resident:{locked.resident_id}")
        item = ShopItem.objects.select_for_update().get(pk=locked.item_id)
        refund = reverse(
            actor=actor,
            txn=locked.transaction,
            memo=_("取消兑换，退回积分") + (f"：{reason}" if reason else ""),
            on=on,
            _redemption=True,
        )
        ShopItem.objects.filter(pk=item.pk).update(stock=F("stock") + locked.quantity)
        locked.refund = refund
        locked.closed_at = on
        locked.closed_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.save(update_fields=["status", "refund", "closed_at", "closed_by"])
        audit.record(
            actor=actor,
            action="points.redemption.cancelled",
            obj=locked,
            changes={"points": locked.points, "reason": reason},
        )
    return locked
