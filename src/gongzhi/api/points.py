"""Love points over the API, through the same rules, selectors and services as the pages: a
resident reads their balance and statement, the shop of their community, and redeems
(idempotent on ``key``: the same key twice charges once); a family member or a post holder
in reach redeems for a resident (``resident_id``); those who manage a community hand its
redemptions over."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils import timezone
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from gongzhi.core.choices import choice_label
from gongzhi.places.models import Resident
from gongzhi.points import rules, selectors, services
from gongzhi.points.models import MEMO_MAX, Redemption, ShopItem

from .api import ERRORS, api
from .inputs import Id, limited
from .pagination import Mapped, Page

TAGS = ["points"]


class BalanceOut(Schema):
    resident_id: int
    balance: int = Field(..., description="余额：分录合计")
    spendable: int = Field(..., description="现在可用（未过期）的积分")


class StatementLineOut(Schema):
    at: dt.datetime
    kind: str
    kind_label: str
    memo: str
    amount: int
    earned_year: int
    relation: str


class ShopItemOut(Schema):
    id: int
    community: str = Field(..., description="社区编码")
    name: str
    description: str
    supplier: str | None
    price: int
    stock: int
    is_active: bool


class RedemptionOut(Schema):
    id: int
    resident_id: int
    item_id: int
    item: str
    quantity: int
    points: int
    status: str
    status_label: str
    relation: str
    created_at: dt.datetime


def _me(user) -> Resident:
    if not user.resident_id:
        raise Http404
    return Resident.objects.get(pk=user.resident_id)


def _item_out(i: ShopItem) -> dict:
    return {
        "id": i.pk,
        "community": i.community.code,
        "name": i.name,
        "description": i.description,
        "supplier": i.supplier.name if i.supplier_id else None,
        "price": i.price,
        "stock": i.stock,
        "is_active": i.is_active,
    }


def _redemption_out(r: Redemption) -> dict:
    return {
        "id": r.pk,
        "resident_id": r.resident_id,
        "item_id": r.item_id,
        "item": r.item.name,
        "quantity": r.quantity,
        "points": r.points,
        "status": r.status,
        "status_label": choice_label(r, "status"),
        "relation": r.relation,
        "created_at": r.created_at,
    }


@api.get("/points/me", response={200: BalanceOut, **ERRORS}, tags=TAGS)
def points_balance(request):
    """The caller's love points (a resident's login)."""
    resident = _me(request.auth)
    account = selectors.account_of(resident.pk)
    if account is None:
        return {"resident_id": resident.pk, "balance": 0, "spendable": 0}
    return {
        "resident_id": resident.pk,
        "balance": account.balance,
        "spendable": services.spendable(account, timezone.now()),
    }


@api.get("/points/me/statement", response={200: list[StatementLineOut], **ERRORS}, tags=TAGS)
@paginate(Page)
def points_statement(request):
    """The caller's entries, newest first."""
    resident = _me(request.auth)

    def out(e):
        t = e.transaction
        return {
            "at": t.created_at,
            "kind": t.kind,
            "kind_label": choice_label(t, "kind"),
            "memo": t.memo,
            "amount": e.amount,
            "earned_year": e.earned_year,
            "relation": t.relation,
        }

    return Mapped(selectors.statement(resident.pk), out)


@api.get("/points/shop", response={200: list[ShopItemOut], **ERRORS}, tags=TAGS)
def points_shop(request):
    """Items on the shelf: of the caller's community for a resident, of the communities in
    reach for a post holder."""
    user = request.auth
    if user.resident_id:
        qs = selectors.shop_items(_me(user).community_id)
    else:
        qs = selectors.items_in_reach(user).filter(is_active=True)
    return [_item_out(i) for i in qs.select_related("community", "supplier")[:500]]


class RedeemIn(Schema):
    key: str = limited(80, ..., description="客户端生成的一次性编号：同一编号只扣一次积分")
    quantity: int = Field(1, ge=1, le=services.MAX_QUANTITY)
    resident_id: Id | None = Field(None, description="代办时：为哪位居民兑换")


@api.post("/points/shop/{shop_item_id}/redeem", response={201: RedemptionOut, **ERRORS}, tags=TAGS)
def points_redeem(request, shop_item_id: Id, payload: RedeemIn):
    """Redeem an item with the points of the caller (or of ``resident_id``, for a family
    member or a post holder in reach). 积分不足 / 已兑完 answer 422 in Chinese."""
    user = request.auth
    if payload.resident_id is None:
        resident = _me(user)
    else:
        resident = Resident.objects.living().filter(pk=payload.resident_id).first()
        if resident is None or rules.relation_to(user, resident) is None:
            raise Http404
    item = selectors.shop_item_or_404(resident.community_id, shop_item_id)
    redemption = services.redeem(
        actor=user, resident=resident, item=item, quantity=payload.quantity, key=payload.key
    )
    return Status(201, _redemption_out(redemption))


@api.get("/points/redemptions", response={200: list[RedemptionOut], **ERRORS}, tags=TAGS)
@paginate(Page)
def points_redemptions(request):
    """The caller's own redemptions, newest first."""
    return Mapped(selectors.resident_redemptions(_me(request.auth).pk), _redemption_out)


@api.get("/points/staff/redemptions", response={200: list[RedemptionOut], **ERRORS}, tags=TAGS)
@paginate(Page)
def points_staff_redemptions(request):
    """Redemptions waiting to be handed over in the communities the caller manages."""
    return Mapped(selectors.redemptions_to_hand_over(request.auth), _redemption_out)


@api.post(
    "/points/redemptions/{redemption_id}/hand-over",
    response={200: RedemptionOut, **ERRORS},
    tags=TAGS,
)
def points_hand_over(request, redemption_id: Id):
    user = request.auth
    redemption = selectors.redemption_or_404(user, redemption_id)
    if not rules.may_manage(user, redemption.community):
        raise Http404
    return _redemption_out(services.redemption_hand_over(actor=user, redemption=redemption))


class CancelIn(Schema):
    reason: str = limited(MEMO_MAX)


@api.post(
    "/points/redemptions/{redemption_id}/cancel",
    response={200: RedemptionOut, **ERRORS},
    tags=TAGS,
)
def points_cancel(request, redemption_id: Id, payload: CancelIn):
    """Cancel a redemption not yet handed over: the points come back, the stock too."""
    user = request.auth
    redemption = selectors.redemption_or_404(user, redemption_id)
    return _redemption_out(
        services.redemption_cancel(actor=user, redemption=redemption, reason=payload.reason)
    )
