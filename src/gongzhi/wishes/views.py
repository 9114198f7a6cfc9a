"""Wish pages: the resident's 我的心愿 and three-step 许个心愿 (large type), the leader's
entry for a resident, the staff verification queue, the sponsor's page and the public wall.

Reads go through ``wishes.selectors`` (scoped), writes through ``wishes.services``; a wish
out of reach answers 404 exactly like a missing one.
"""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.decorators import staff_required
from gongzhi.accounts.rules import is_staff_user
from gongzhi.core.scoping import get_visible_or_404
from gongzhi.places.models import Resident
from gongzhi.places.selectors import resident_search

from . import rules, selectors, services
from .enums import Category, Status
from .forms import (
    ConfirmForm,
    FulfilForm,
    PublishForm,
    RejectForm,
    ReleaseForm,
    ResidentSearchForm,
    ThanksForm,
    WishForm,
    apply_errors,
)

SEARCH_LIMIT = 30
RESIDENT_LAYOUT = "wishes/base_resident.html"
STAFF_LAYOUT = "wishes/base_staff.html"


def _layout(user) -> str:
    return STAFF_LAYOUT if is_staff_user(user) else RESIDENT_LAYOUT


# --- the resident -----------------------------------------------------------------------


@login_required
@require_GET
def mine(request):
    """我的心愿: the resident's wishes and what happened to them lately."""
    user = request.user
    if not user.resident_id:
        if is_staff_user(user):
            return redirect("wishes:queue")
        return render(request, "wishes/no_resident.html")
    return render(
        request,
        "wishes/mine.html",
        {
            "wishes": list(selectors.resident_wishes(user)),
            "notifications": selectors.notifications_for(user),
            "is_sponsor": bool(rules.sponsor_identities(user)),
            "nav": "mine",
        },
    )


@login_required
@require_POST
def notifications_read(request):
    services.notifications_mark_read(actor=request.user)
    return redirect("wishes:mine")


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    """许个心愿 for oneself."""
    user = request.user
    if not user.resident_id:
        raise Http404
    resident = Resident.objects.select_related("household").get(pk=user.resident_id)
    return _steps(request, resident, on_behalf=False)


@staff_required
@require_GET
def for_pick(request):
    """A leader finds the resident they are visiting, within the reach of their posts."""
    form = ResidentSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = []
    if query:
        qs = resident_search(request.user, query, limit=None)
        results = list(rules.leader_scope(request.user).filter(qs)[:SEARCH_LIMIT])
    return render(
        request,
        "wishes/for_pick.html",
        {"form": form, "query": query, "results": results, "nav": "for"},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def new_for(request, resident_id: int):
    """许个心愿 entered by a leader for a resident, in the same three steps."""
    user = request.user
    resident = get_visible_or_404(
        user, Resident.objects.living().select_related("household"), pk=resident_id
    )
    if not rules.leader_may(user, resident):
        raise Http404
    return _steps(request, resident, on_behalf=True)


def _steps(request, resident: Resident, *, on_behalf: bool):
    """Step 1 picks a category (a GET with big buttons), step 2 says the wish, step 3 shows
    it back to confirm. A refused step shows the form again with every word kept."""
    context = {"resident": resident, "on_behalf": on_behalf, "categories": Category.choices}
    if request.method == "GET":
        category = request.GET.get("category")
        if category is None:
            return render(request, "wishes/new_category.html", context)
        if category not in Category.values:
            context["error"] = _("请选择心愿的类别。")
            return render(request, "wishes/new_category.html", context, status=400)
        form = WishForm(initial={"category": category}, on_behalf=on_behalf)
        return render(request, "wishes/new_text.html", {**context, "form": form})

    form = WishForm(request.POST, on_behalf=on_behalf)
    action = request.POST.get("action")
    if action == "edit":
        form = WishForm(
            initial={
                "category": request.POST.get("category", ""),
                "text": request.POST.get("text", ""),
                "channel": request.POST.get("channel", ""),
            },
            on_behalf=on_behalf,
        )
        return render(request, "wishes/new_text.html", {**context, "form": form})
    if not form.is_valid():
        if "category" in form.errors:
            context["error"] = form.errors["category"][0]
            return render(request, "wishes/new_category.html", context, status=400)
        return render(request, "wishes/new_text.html", {**context, "form": form}, status=400)
    data = form.cleaned_data
    if action != "save":
        return render(request, "wishes/new_confirm.html", {**context, "form": form, "data": data})
    try:
        wish = services.wish_submit(
            actor=request.user,
            resident=resident,
            category=data["category"],
            text=data["text"],
            channel=data.get("channel"),
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return render(request, "wishes/new_text.html", {**context, "form": form}, status=400)
    return redirect("wishes:done", pk=wish.pk)


@login_required
@require_GET
def done(request, pk: int):
    wish = selectors.wish_get_visible(request.user, pk)
    on_behalf = request.user.resident_id != wish.resident_id
    return render(
        request,
        "wishes/done.html",
        {"wish": wish, "on_behalf": on_behalf, "layout": _layout(request.user)},
    )


# --- one wish ---------------------------------------------------------------------------


def _detail(request, wish, *, status: int = 200, **forms):
    user = request.user
    can_verify = wish.status == Status.SUBMITTED and rules.may_verify(user, wish)
    can_confirm = rules.may_confirm(user, wish)
    claim = wish.live_claim
    context = {
        "wish": wish,
        "claim": claim,
        "events": selectors.timeline(wish),
        "layout": _layout(user),
        "is_resident": user.resident_id == wish.resident_id,
        "can_verify": can_verify,
        "can_confirm": can_confirm and wish.status == Status.FULFILLED,
        "can_thank": can_confirm and wish.status == Status.CONFIRMED and not wish.thanks,
        "can_release": claim is not None
        and wish.status == Status.CLAIMED
        and rules.may_verify(user, wish),
        "publish_form": forms.get("publish_form")
        or PublishForm(initial={"public_text": wish.public_text or wish.text}),
        "reject_form": forms.get("reject_form") or RejectForm(),
        "confirm_form": forms.get("confirm_form") or ConfirmForm(),
        "thanks_form": forms.get("thanks_form") or ThanksForm(),
    }
    return render(request, "wishes/detail.html", context, status=status)


@login_required
@require_GET
def detail(request, pk: int):
    return _detail(request, selectors.wish_get_visible(request.user, pk))


@login_required
@require_POST
def publish(request, pk: int):
    wish = selectors.wish_get_visible(request.user, pk)
    form = PublishForm(request.POST)
    form.is_valid()
    try:
        services.wish_publish(
            actor=request.user, wish=wish, public_text=form.cleaned_data.get("public_text", "")
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return _detail(request, wish, status=400, publish_form=form)
    messages.success(request, _("已审核通过，心愿已发布到心愿墙。"))
    return redirect("wishes:queue")


@login_required
@require_POST
def reject(request, pk: int):
    wish = selectors.wish_get_visible(request.user, pk)
    form = RejectForm(request.POST)
    form.is_valid()
    try:
        services.wish_reject(actor=request.user, wish=wish, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        apply_errors(form, exc)
        return _detail(request, wish, status=400, reject_form=form)
    messages.success(request, _("已退回，居民会收到原因。"))
    return redirect("wishes:queue")


@login_required
@require_POST
def confirm(request, pk: int):
    wish = selectors.wish_get_visible(request.user, pk)
    form = ConfirmForm(request.POST)
    form.is_valid()
    try:
        services.wish_confirm(actor=request.user, wish=wish, note=request.POST.get("note", ""))
    except ValidationError as exc:
        apply_errors(form, exc)
        return _detail(request, wish, status=400, confirm_form=form)
    messages.success(request, _("已确认心愿实现。"))
    return redirect("wishes:detail", pk=wish.pk)


@login_required
@require_POST
def thanks(request, pk: int):
    wish = selectors.wish_get_visible(request.user, pk)
    form = ThanksForm(request.POST)
    form.is_valid()
    try:
        services.wish_thank(
            actor=request.user,
            wish=wish,
            text=request.POST.get("text", ""),
            public=bool(form.cleaned_data.get("public")),
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return _detail(request, wish, status=400, thanks_form=form)
    messages.success(request, _("谢谢您写下的话。"))
    return redirect("wishes:detail", pk=wish.pk)


@never_cache
@login_required
@require_GET
def photo(request, pk: int):
    """The proof photo, for those who may see the wish or hold its claim. Never public."""
    user = request.user
    try:
        wish = selectors.wish_get_visible(user, pk)
    except Http404:
        wish = None
    claims = selectors.my_claims(user).filter(wish_id=pk) if wish is None else wish.claims
    claim = claims.exclude(proof_photo="").order_by("-claimed_at").first()
    if claim is None:
        raise Http404
    content_type = mimetypes.guess_type(claim.proof_photo.name)[0] or "application/octet-stream"
    return FileResponse(claim.proof_photo.open("rb"), content_type=content_type)


# --- staff ------------------------------------------------------------------------------


@staff_required
@require_GET
def queue(request):
    """Wishes waiting for verification in the user's reach, and those under way."""
    user = request.user
    waiting = list(selectors.verify_queue(user))
    return render(
        request,
        "wishes/queue.html",
        {
            "waiting": [(w, PublishForm(initial={"public_text": w.text})) for w in waiting],
            "reject_form": RejectForm(),
            "under_way": list(selectors.in_progress(user)[:100]),
            "nav": "queue",
        },
    )


# --- sponsors ---------------------------------------------------------------------------


@login_required
@require_GET
def sponsor(request):
    """What a sponsor may claim, and the wishes they have claimed."""
    user = request.user
    identities = rules.sponsor_identities(user)
    return render(
        request,
        "wishes/sponsor.html",
        {
            "identities": identities,
            "claimable": list(selectors.claimable_for(user)[:100]) if identities else [],
            "claims": list(selectors.my_claims(user)[:100]),
            "layout": _layout(user),
            "nav": "sponsor",
        },
    )


@login_required
@require_POST
def claim(request, pk: int):
    wish = selectors.claimable_get(request.user, pk)
    try:
        services.wish_claim(actor=request.user, wish=wish, sponsor=request.POST.get("sponsor", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("wishes:sponsor")
    messages.success(request, _("认领成功！社区工作人员会联系您，安排把心愿送到。"))
    return redirect("wishes:sponsor")


@login_required
@require_POST
def release(request, pk: int):
    user = request.user
    try:
        wish = selectors.claimed_wish_for(user, pk)
    except Http404:
        # Staff may free a stalled claim of a wish in their reach.
        wish = selectors.wish_get_visible(user, pk)
    form = ReleaseForm(request.POST)
    form.is_valid()
    try:
        services.wish_release(actor=user, wish=wish, reason=form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已放弃认领，心愿重新回到心愿墙。"))
    if rules.sponsor_identities(user):
        return redirect("wishes:sponsor")
    return redirect("wishes:detail", pk=wish.pk)


@login_required
@require_http_methods(["GET", "POST"])
def fulfil(request, pk: int):
    wish = selectors.claimed_wish_for(request.user, pk)
    status = 200
    if request.method == "POST":
        form = FulfilForm(request.POST, request.FILES)
        form.is_valid()
        try:
            services.wish_fulfil(
                actor=request.user,
                wish=wish,
                proof_text=request.POST.get("proof_text", ""),
                photo=request.FILES.get("photo"),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            status = 400
        else:
            messages.success(request, _("已提交完成情况，等待居民确认。"))
            return redirect("wishes:sponsor")
    else:
        form = FulfilForm()
    return render(
        request,
        "wishes/fulfil.html",
        {"wish": wish, "form": form, "layout": _layout(request.user), "nav": "sponsor"},
        status=status,
    )


# --- the public wall ------------------------------------------------------------------


@require_GET
def wall(request):
    """心愿墙: open to anyone, showing nothing below the building."""
    return render(request, "wishes/wall.html", {**selectors.wall(), "nav": "wall"})
