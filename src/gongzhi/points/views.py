"""Love points pages.

The resident (large type): ``/points/`` my balance and statement, ``/points/shop/`` the
shop of my community, ``/points/shop/<id>/`` redeem with a confirm step, and
``/points/redemptions/`` what I have redeemed.

Staff (the workbench menu 爱心积分, on a 390 px phone): ``/points/manage/`` the shop's items
and what is waiting, item add and edit, redemptions to hand over, a resident found in
reach to redeem for (an elder without a phone) or to correct with a reason, and the rules.
Handing over, cancelling, redeeming and correcting ask first.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.decorators import staff_required
from gongzhi.accounts.rules import is_staff_user
from gongzhi.core.forms import apply_errors
from gongzhi.core.scoping import scope_for
from gongzhi.orgs.models import PartnerUnit
from gongzhi.places.models import Community, Resident

from . import rules, selectors, services
from .forms import CorrectionForm, ItemForm, ReasonForm, RedeemForm, ResidentSearchForm

STATEMENT_PAGE = 20
LIST_LIMIT = 200


def _token() -> str:
    return uuid.uuid4().hex


def _balance(resident_id: int) -> tuple[int, int]:
    """(balance, spendable now) of a resident; (0, 0) before their first points."""
    account = selectors.account_of(resident_id)
    if account is None:
        return 0, 0
    return account.balance, services.spendable(account, timezone.now())


# --- the resident -------------------------------------------------------------------------


def _resident_or_redirect(request):
    user = request.user
    if user.resident_id:
        return Resident.objects.select_related("community").get(pk=user.resident_id), None
    if is_staff_user(user):
        return None, redirect("points:manage")
    return None, render(request, "points/no_resident.html")


@login_required
@require_GET
def mine(request):
    resident, answer = _resident_or_redirect(request)
    if answer is not None:
        return answer
    balance, spendable = _balance(resident.pk)
    page = Paginator(selectors.statement(resident.pk), STATEMENT_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "points/mine.html",
        {"balance": balance, "spendable": spendable, "page": page, "nav": "points"},
    )


@login_required
@require_GET
def shop(request):
    resident, answer = _resident_or_redirect(request)
    if answer is not None:
        return answer
    balance, spendable = _balance(resident.pk)
    return render(
        request,
        "points/shop.html",
        {
            "items": list(selectors.shop_items(resident.community_id)[:LIST_LIMIT]),
            "spendable": spendable,
            "nav": "points",
        },
    )


def _redeem_page(request, *, resident, item, on_behalf: bool, done_url: str):
    """The confirm step (GET) and the redemption (POST) for oneself or for a resident."""
    balance, spendable = _balance(resident.pk)
    status = 200
    if request.method == "POST":
        form = RedeemForm(request.POST)
        if form.is_valid():
            try:
                services.redeem(
                    actor=request.user,
                    resident=resident,
                    item=item,
                    quantity=form.cleaned_data["quantity"],
                    key=form.cleaned_data["token"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("兑换成功，请凭兑换记录到社区领取“%(name)s”。") % {"name": item.name},
                )
                return redirect(done_url)
        status = 400
    else:
        form = RedeemForm(initial={"quantity": 1, "token": _token()})
    return render(
        request,
        "points/redeem.html",
        {
            "item": item,
            "resident": resident,
            "form": form,
            "spendable": spendable,
            "on_behalf": on_behalf,
            "nav": "points",
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def redeem(request, pk: int):
    user = request.user
    if not user.resident_id:
        raise Http404
    resident = Resident.objects.select_related("community").get(pk=user.resident_id)
    item = selectors.shop_item_or_404(resident.community_id, pk)
    return _redeem_page(
        request,
        resident=resident,
        item=item,
        on_behalf=False,
        done_url=reverse("points:redemptions"),
    )


@login_required
@require_GET
def redemptions(request):
    resident, answer = _resident_or_redirect(request)
    if answer is not None:
        return answer
    return render(
        request,
        "points/redemptions.html",
        {
            "redemptions": list(selectors.resident_redemptions(resident.pk)[:LIST_LIMIT]),
            "nav": "points",
        },
    )


# --- staff --------------------------------------------------------------------------------


def _managed_communities(user):
    return list(scope_for(user, "manage_orgs").filter(Community.objects.all()).order_by("code"))


@staff_required
@require_GET
def manage(request):
    user = request.user
    items = list(items_in_reach_ordered(user)[:LIST_LIMIT])
    managed = {c.pk for c in _managed_communities(user)}
    return render(
        request,
        "points/manage.html",
        {
            "rows": [(i, i.community_id in managed) for i in items],
            "waiting": selectors.redemptions_to_hand_over(user).count(),
            "may_add": bool(managed),
            "may_serve": not scope_for(user, "submit_on_behalf").empty,
            "nav": "points",
        },
    )


def items_in_reach_ordered(user):
    return selectors.items_in_reach(user).order_by("community__code", "-is_active", "price", "name")


def _suppliers(community_ids):
    return list(
        PartnerUnit.objects.filter(communities__in=community_ids).distinct().order_by("name")
    )


@staff_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk: int | None = None):
    user = request.user
    item = selectors.managed_item_or_404(user, pk) if pk else None
    communities = _managed_communities(user) if item is None else [item.community]
    if not communities:
        raise Http404
    suppliers = _suppliers([c.pk for c in communities])
    form_communities = communities if item is None else ()
    if request.method == "GET":
        initial = {}
        if item is not None:
            initial = {
                "name": item.name,
                "description": item.description,
                "price": item.price,
                "stock": item.stock,
                "supplier": str(item.supplier_id or ""),
                "is_active": item.is_active,
            }
        form = ItemForm(initial=initial, suppliers=suppliers, communities=form_communities)
        return render(
            request, "points/item_edit.html", {"form": form, "item": item, "nav": "points"}
        )
    form = ItemForm(request.POST, suppliers=suppliers, communities=form_communities)
    if form.is_valid():
        data = form.cleaned_data
        supplier = form.suppliers.get(data["supplier"] or "")
        try:
            if item is None:
                community = next(
                    (c for c in communities if str(c.pk) == data.get("community")), communities[0]
                )
                item = services.item_create(
                    actor=user,
                    community=community,
                    name=data["name"],
                    description=data["description"],
                    price=data["price"],
                    stock=data["stock"],
                    supplier=supplier,
                )
                if not data["is_active"]:
                    services.item_update(
                        actor=user,
                        item=item,
                        name=item.name,
                        description=item.description,
                        price=item.price,
                        stock=item.stock,
                        supplier=supplier,
                        is_active=False,
                    )
            else:
                services.item_update(
                    actor=user,
                    item=item,
                    name=data["name"],
                    description=data["description"],
                    price=data["price"],
                    stock=data["stock"],
                    supplier=supplier,
                    is_active=data["is_active"],
                )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("商品已保存。"))
            return redirect("points:manage")
    return render(
        request, "points/item_edit.html", {"form": form, "item": item, "nav": "points"}, status=400
    )


@staff_required
@require_GET
def handover_list(request):
    return render(
        request,
        "points/handover.html",
        {
            "redemptions": list(selectors.redemptions_to_hand_over(request.user)[:LIST_LIMIT]),
            "nav": "points",
        },
    )


@login_required
@require_POST
def redemption_decide(request, pk: int, action: str):
    """Hand over or cancel: the first POST shows what will happen; ``confirm`` does it."""
    user = request.user
    redemption = selectors.redemption_or_404(user, pk)
    allowed = (
        rules.may_manage(user, redemption.community)
        if action == "hand_over"
        else rules.may_cancel(user, redemption)
    )
    if not allowed:
        raise Http404
    form = ReasonForm(request.POST)
    form.is_valid()
    staff = is_staff_user(user)
    back = reverse("points:handover") if staff else reverse("points:redemptions")
    if request.POST.get("confirm") == "1":
        try:
            if action == "hand_over":
                services.redemption_hand_over(actor=user, redemption=redemption)
            else:
                services.redemption_cancel(
                    actor=user, redemption=redemption, reason=form.cleaned_data.get("reason", "")
                )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(
                request,
                _("已登记领取。") if action == "hand_over" else _("兑换已取消，积分已退回。"),
            )
        return redirect(back)
    return render(
        request,
        "points/decide.html",
        {
            "redemption": redemption,
            "form": form,
            "action": action,
            "back": back,
            "layout": "points/base_staff.html" if staff else "points/base_resident.html",
            "nav": "points",
        },
    )


@require_POST
def redemption_hand_over(request, pk: int):
    return redemption_decide(request, pk, "hand_over")


@require_POST
def redemption_cancel(request, pk: int):
    return redemption_decide(request, pk, "cancel")


@staff_required
@require_GET
def serve_pick(request):
    """Find the resident (an elder without a phone) to redeem for, within reach."""
    form = ResidentSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    return render(
        request,
        "points/serve_pick.html",
        {
            "form": form,
            "query": query,
            "results": selectors.residents_to_serve(request.user, query),
            "nav": "points",
        },
    )


def _served(user, resident_id: int) -> Resident:
    try:
        return selectors.served_resident_or_404(user, resident_id)
    except Http404:
        return selectors.served_resident_or_404(user, resident_id, "manage_orgs")


@staff_required
@require_GET
def serve(request, resident_id: int):
    user = request.user
    resident = _served(user, resident_id)
    balance, spendable = _balance(resident.pk)
    return render(
        request,
        "points/serve.html",
        {
            "resident": resident,
            "balance": balance,
            "spendable": spendable,
            "lines": list(selectors.statement(resident.pk)[:10]),
            "items": list(selectors.shop_items(resident.community_id)[:LIST_LIMIT]),
            "may_redeem": rules.relation_to(user, resident) is not None,
            "may_correct": rules.may_correct(user, resident),
            "nav": "points",
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def serve_redeem(request, resident_id: int, pk: int):
    user = request.user
    resident = _served(user, resident_id)
    if rules.relation_to(user, resident) is None:
        raise Http404
    item = selectors.shop_item_or_404(resident.community_id, pk)
    return _redeem_page(
        request,
        resident=resident,
        item=item,
        on_behalf=True,
        done_url=reverse("points:serve", args=[resident.pk]),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def correct(request, resident_id: int):
    """A manual correction: the form, then a page that says what will happen, then done."""
    user = request.user
    resident = _served(user, resident_id)
    if not rules.may_correct(user, resident):
        raise Http404
    balance, spendable = _balance(resident.pk)
    context = {"resident": resident, "balance": balance, "spendable": spendable, "nav": "points"}
    if request.method == "GET":
        form = CorrectionForm(initial={"token": _token()})
        return render(request, "points/correct.html", {**context, "form": form})
    form = CorrectionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if request.POST.get("confirm") != "1":
            return render(request, "points/correct.html", {**context, "form": form, "ask": True})
        try:
            services.correct(
                actor=user,
                resident=resident,
                amount=data["amount"],
                reason=data["reason"],
                key=data["token"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("积分已更正。"))
            return redirect("points:serve", resident_id=resident.pk)
    return render(request, "points/correct.html", {**context, "form": form}, status=400)


@staff_required
@require_GET
def rule_list(request):
    return render(
        request, "points/rules.html", {"rules": list(selectors.rules_list()), "nav": "points"}
    )
