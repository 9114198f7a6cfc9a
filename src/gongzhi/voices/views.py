"""Pages of residents' voice: the resident's four-step 我要反映, 我的诉求 and item page (large
type); a leader's entry for a resident; the staff inbox and item page with every action the
user may take now; the partner unit's 派单 inbox; the measures.

Reads go through ``voices.selectors`` (scoped), writes through ``voices.services``. An item
out of reach answers 404 exactly like a missing one; a refused action shows the service's
Chinese message beside the form, with what was typed kept.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import re
import secrets
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.decorators import staff_required
from gongzhi.accounts.rules import is_staff_user
from gongzhi.core import redact
from gongzhi.core.scoping import get_visible_or_404, require, scope_for, visible
from gongzhi.places.models import Building, Community, Grid, Resident
from gongzhi.places.selectors import reach_names, resident_search

from . import confirming, deadlines, duplicates, measures, routing, rules, selectors, services
from .enums import (
    LEVEL_ORDER,
    OPEN_STATUSES,
    Channel,
    ItemKind,
    Level,
    Publication,
    Status,
)
from .forms import (
    EVENT_ROWS_MAX,
    AcceptForm,
    CommentForm,
    DispatchForm,
    EscalateForm,
    EventRowForm,
    EventRowFormSet,
    EventSessionForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    InboxFilterForm,
    JointDispatchForm,
    MeasuresForm,
    MergeForm,
    PublicationQueueForm,
    PublishForm,
    RateForm,
    ReplyForm,
    ReportForm,
    ResidentSearchForm,
    ResolveForm,
    ReturnForm,
    SuperviseForm,
    VerifyForm,
    VisitForm,
    WithholdForm,
    apply_errors,
)
from .models import Attachment, EventSession, Item
from .places import Place

PAGE_SIZE = 20
# 请您评价: the resolved items a resident is asked to rate at the top of their pages.
RATE_PROMPTS = 5
SEARCH_LIMIT = 30
# Photos chosen at step 2 wait here until step 3 is confirmed: a browser cannot carry a
# chosen file from one page to the next.
PENDING_DIR = "voices/pending"
PENDING_KEY = "voices_pending_photos"


def partner_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.partner_unit_id:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


# --- the resident -----------------------------------------------------------------------


@login_required
@require_GET
def mine(request):
    """我的诉求: what the resident raised or joined, and what they were told lately."""
    user = request.user
    if not user.resident_id:
        if is_staff_user(user):
            return redirect("voices:inbox")
        if user.partner_unit_id:
            return redirect("voices:partner_inbox")
        raise Http404
    page = _page(request, selectors.items_reported_by(user).order_by("-submitted_at", "-pk"))
    return render(
        request,
        "voices/mine.html",
        {
            "page": page,
            "notifications": list(selectors.notifications_for(user).filter(read_at=None)[:5]),
            "to_rate": list(selectors.awaiting_rating(user)[:RATE_PROMPTS]),
            "nav": "mine",
        },
    )


@login_required
@require_POST
def notifications_read(request):
    """知道了: the notifications the page showed are marked read, and only one's own."""
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
    services.notifications_mark_read(actor=request.user, ids=ids or None)
    return redirect("voices:mine" if request.user.resident_id else "voices:inbox")


def _own_resident(user) -> Resident:
    if not user.resident_id:
        raise Http404
    return Resident.objects.select_related("household").get(pk=user.resident_id)


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    """我要反映, for oneself."""
    return _steps(request, _own_resident(request.user), on_behalf=False)


@staff_required
@require_GET
def for_pick(request):
    """A leader finds the resident they are visiting, among those they may enter for. The
    box refreshes the list as they type (htmx) and works as a plain search without it."""
    form = ResidentSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = []
    if query:
        found = resident_search(request.user, query, limit=None).values("pk")
        results = list(
            visible(
                request.user,
                Resident.objects.living().filter(pk__in=found).select_related("household"),
                "submit_on_behalf",
            ).order_by("name", "pk")[:SEARCH_LIMIT]
        )
    context = {"form": form, "query": query, "results": results, "nav": "for"}
    if request.htmx:
        return render(request, "voices/_resident_results.html", context)
    return render(request, "voices/for_pick.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def new_for(request, resident_id: int):
    """我要反映 entered by a leader for a resident (visit, phone or paper)."""
    resident = get_visible_or_404(
        request.user,
        Resident.objects.living().select_related("household"),
        "submit_on_behalf",
        pk=resident_id,
    )
    return _steps(request, resident, on_behalf=True)


def _stash(request, photos) -> list[str]:
    names = []
    for photo in photos:
        ext = mimetypes.guess_extension(photo.content_type) or ""
        name = f"{PENDING_DIR}/{secrets.token_hex(12)}{ext}"
        names.append(default_storage.save(name, ContentFile(photo.content)))
    request.session[PENDING_KEY] = [*request.session.get(PENDING_KEY, []), *names][-20:]
    return names


def _stashed(request, names: list[str]) -> list[str]:
    """Only photos this session stashed itself: a name from the form is not trusted."""
    mine_ = set(request.session.get(PENDING_KEY, []))
    return [n for n in names if n in mine_ and default_storage.exists(n)]


def _unstash(request, names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
    left = [n for n in request.session.get(PENDING_KEY, []) if n not in names]
    request.session[PENDING_KEY] = left


# Fields of the report form that a later step carries as hidden inputs.
CARRIED = ("kind", "text", "channel", "share_phone", "private", "where", "location_text")
# Errors the where step answers for; anything else sends the person back to their text.
WHERE_FIELDS = frozenset({"place", "building", "entrance", "compound", "location_text"})


def _steps(request, resident: Resident, *, on_behalf: bool):
    """Step 1 picks problem or suggestion (a GET with two big buttons); step 2 says it;
    step 3 says where it is — 我家, 我住的楼, another building or entrance of the community,
    or a public place — offering a place the text names ("您说的是 3栋2单元吗？"); step 4
    shows it back with the similar open items at and near that place ("我也遇到了") and
    submits. A refused step shows its form again with every word and choice kept."""
    context = {"resident": resident, "on_behalf": on_behalf, "kinds": ItemKind.choices}
    if request.method == "GET":
        kind = request.GET.get("kind")
        if kind is None:
            return render(request, "voices/new_kind.html", context)
        if kind not in ItemKind.values:
            context["error"] = _("请选择“反映问题”或“提个建议”。")
            return render(request, "voices/new_kind.html", context, status=400)
        form = ReportForm(initial={"kind": kind}, on_behalf=on_behalf)
        return render(request, "voices/new_text.html", {**context, "form": form})

    action = request.POST.get("action")
    form = ReportForm(request.POST, request.FILES, on_behalf=on_behalf)
    if action == "edit":
        form = ReportForm(
            initial={k: request.POST.get(k, "") for k in CARRIED}
            | {
                "share_phone": request.POST.get("share_phone") == "on",
                "private": request.POST.get("private") == "on",
            },
            on_behalf=on_behalf,
        )
        _unstash(request, _stashed(request, request.POST.getlist("pending")))
        return render(request, "voices/new_text.html", {**context, "form": form})
    if not form.is_valid():
        if "kind" in form.errors:
            context["error"] = _("请选择“反映问题”或“提个建议”。")
            return render(request, "voices/new_kind.html", context, status=400)
        return render(request, "voices/new_text.html", {**context, "form": form}, status=400)
    data = form.cleaned_data
    places = selectors.report_places(resident)
    context.update(form=form, data=data, places=places)
    if action == "where":
        pending = [
            *_stashed(request, request.POST.getlist("pending")),
            *_stash(request, data["photos"]),
        ]
        return _where_step(request, context, pending)
    if action != "save":
        # From the where step; or straight from the text (photos and all) by a client that
        # skips it: the reporter's home, as before there was a where step.
        pending = [
            *_stashed(request, request.POST.getlist("pending")),
            *_stash(request, data["photos"]),
        ]
        where = places.where(data["where"] or "home")
        if where is None:
            return _where_step(request, context, pending, error=_("请选择问题在哪里。"))
        location_text = ""
        if where.place == Place.PUBLIC:
            try:
                location_text = services.clean_public_place(data["location_text"])
            except ValidationError as exc:
                apply_errors(form, exc)
                return _where_step(request, context, pending, open_="public")
        return render(
            request,
            "voices/new_confirm.html",
            {
                **context,
                "pending": pending,
                "where": where,
                "location_text": location_text,
                "similar": selectors.join_offers(resident, data["text"], **where.as_kwargs()),
                "asks_privacy": redact.asks_privacy(data["text"]),
                # Minted with each confirm page: a double tap or a resend after a lost
                # answer carries the same key and files nothing twice; going back to
                # change the report renders a new page and a new key.
                "request_key": secrets.token_urlsafe(18),
            },
        )
    pending = _stashed(request, request.POST.getlist("pending"))
    where = places.where(data["where"] or "home")
    if where is None:
        return _where_step(request, context, pending, error=_("请选择问题在哪里。"))
    files = [default_storage.open(name) for name in pending]
    try:
        item = services.item_submit(
            actor=request.user,
            kind=data["kind"],
            text=data["text"],
            channel=data.get("channel") or "online",
            on_behalf_of=resident if on_behalf else None,
            photos=files,
            share_phone_with_partner=data["share_phone"],
            private=data["private"],
            location_text=data["location_text"] if where.place == Place.PUBLIC else "",
            **where.as_kwargs(),
            idempotency_key=request.POST.get("request_key", ""),
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        if WHERE_FIELDS & set(getattr(exc, "error_dict", {})):
            return _where_step(request, context, pending, open_=where.place)
        return render(request, "voices/new_text.html", {**context, "form": form}, status=400)
    finally:
        for f in files:
            f.close()
    _unstash(request, pending)
    return redirect("voices:done", pk=item.pk)


def _where_step(request, context: dict, pending: list[str], *, error: str = "", open_: str = ""):
    """Step 3: where the problem is. A place the text names is offered first; the
    sections for another building and for a public place open by themselves when the
    person comes back to them (a refusal, "改地点")."""
    places, data = context["places"], context["data"]
    chosen = places.where(data.get("where"))
    if not open_ and chosen is not None:
        open_ = chosen.place
    status = 400 if error or context["form"].errors else 200
    return render(
        request,
        "voices/new_where.html",
        {
            **context,
            "pending": pending,
            "mentioned": places.mentioned(data["text"]),
            "where_error": error,
            "open": open_,
        },
        status=status,
    )


@login_required
@require_POST
def join(request, pk: int):
    """我也遇到了: add oneself to a neighbour's open item of the same building instead of
    filing the same thing again. Only an item the duplicate finder showed this resident
    (its signed offer comes with the form) can be joined; any other id is not found."""
    try:
        item = selectors.offered_item_or_404(request.user, pk, request.POST.get("offer", ""))
        services.item_join(actor=request.user, item=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("voices:mine")
    _unstash(request, _stashed(request, request.POST.getlist("pending")))
    messages.success(request, _("已附议，办理进展会通知您。"))
    return redirect("voices:detail", pk=item.pk)


@login_required
@require_GET
def done(request, pk: int):
    item = selectors.get_item_visible_or_404(request.user, pk=pk)
    if selectors.reads_as_partner(request.user, item) and not selectors.is_reporter(
        request.user, item
    ):
        # The page that confirms a filing is the reporter's; a unit reads its dispatch.
        return redirect("voices:detail", pk=item.pk)
    reporter = item.reporters.filter(is_original=True).select_related("resident").first()
    on_behalf = reporter is not None and reporter.entered_by_id == request.user.pk
    return render(
        request,
        "voices/done.html",
        {"item": item, "on_behalf": on_behalf, "reporter": reporter},
    )


# --- one item ---------------------------------------------------------------------------


@login_required
@require_GET
def detail(request, pk: int):
    user = request.user
    item = selectors.get_item_visible_or_404(user, pk=pk)
    if selectors.sees_internal(user, item):
        return _staff_detail(request, item)
    if not selectors.is_reporter(user, item) and user.partner_unit_id:
        dispatch = selectors.dispatch_list_for_unit(user).filter(item=item).first()
        if dispatch is not None:
            return redirect("voices:dispatch", pk=dispatch.pk)
    return _resident_detail(request, item)


def _resident_detail(request, item: Item, *, rate_form=None, status: int = 200):
    user = request.user
    can_rate = item.status == Status.RESOLVED and selectors.is_reporter(user, item)
    can_withdraw = rules.can("withdraw", user, item)
    timeline = selectors.item_timeline_rows(user, item)
    return render(
        request,
        "voices/detail_resident.html",
        {
            "item": item,
            "timeline": timeline,
            "photos": list(item.attachments.filter(dispatch__isnull=True)),
            "notifications": list(selectors.notifications_for(user).filter(item=item)[:20]),
            "can_rate": can_rate,
            "can_withdraw": can_withdraw,
            "rate_form": rate_form or RateForm(),
            "nav": "mine",
        },
        status=status,
    )


@login_required
@require_POST
def rate(request, pk: int):
    """The resident rates their resolved item: 已解决/部分解决/未解决 and how satisfied."""
    item = selectors.get_item_visible_or_404(request.user, pk=pk)
    form = RateForm(request.POST)
    form.is_valid()
    try:
        services.item_return_visit(
            actor=request.user,
            item=item,
            solved=request.POST.get("solved", ""),
            satisfaction=request.POST.get("satisfaction", ""),
            comment=request.POST.get("comment", ""),
            by_resident=True,
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return _resident_detail(request, item, rate_form=form, status=400)
    messages.success(request, _("谢谢您的评价！"))
    return redirect("voices:detail", pk=item.pk)


@login_required
@require_POST
def withdraw(request, pk: int):
    """撤回: the reporter takes back what they filed, before anyone has accepted it. It
    cannot be undone, so it asks first (``voices.confirming``)."""
    item = selectors.get_item_visible_or_404(request.user, pk=pk)

    def call():
        return services.item_withdraw(
            actor=request.user, item=item, reason=request.POST.get("reason", "")
        )

    try:
        if not confirming.confirmed(request):
            if confirming.going_back(request):
                return redirect("voices:detail", pk=item.pk)
            confirming.try_out(call)
            question = confirming.Question(
                _("确认撤回"),
                _("将撤回您反映的诉求 %(number)s，撤回后社区不再办理，也不能恢复。确认撤回吗？")
                % {"number": item.number},
            )
            return confirming.ask(request, question, layout="voices/base_resident.html", nav="mine")
        call()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("voices:detail", pk=item.pk)
    messages.success(request, _("已撤回。"))
    return redirect("voices:detail", pk=item.pk)


# A stored photo never changes, so a browser may keep it; "private" because it is scoped
# (no shared cache may hand it to someone else). The ETag answers a reload with a 304.
PHOTO_MAX_AGE = 7 * 24 * 3600


def _serve_photo(request, pk: int, attachment_id: int, *, thumbnail: bool):
    item = selectors.get_item_visible_or_404(request.user, pk=pk)
    attachment = Attachment.objects.filter(item=item, pk=attachment_id).first()
    if attachment is None:
        raise Http404
    small = thumbnail and bool(attachment.thumbnail)
    stored = attachment.thumbnail if small else attachment.file
    etag = f'"a{attachment.pk}-{"t" if small else "f"}"'
    modified = int(attachment.uploaded_at.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=modified)
    if response is None:
        response = FileResponse(stored.open("rb"), content_type=attachment.content_type)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = f"private, max-age={PHOTO_MAX_AGE}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def photo(request, pk: int, attachment_id: int):
    """A photo of an item, to those who may see the item. Never served as public media."""
    return _serve_photo(request, pk, attachment_id, thumbnail=False)


@login_required
@require_GET
def photo_thumbnail(request, pk: int, attachment_id: int):
    """The small copy of a photo, for pages; the same reach as the photo."""
    return _serve_photo(request, pk, attachment_id, thumbnail=True)


# --- staff: item page and actions -------------------------------------------------------


def _rank(level) -> int:
    return rules.RANK[level] if level is not None else -1


def _staff_detail(request, item: Item, *, status: int = 200, **forms):
    user = request.user
    live = selectors.live_dispatch(item)
    can = rules.abilities(user, item, live)
    suggestions = [
        (s, Level(s.level).label)
        for s in routing.suggest(item.text, community=item.community, limit=5)
    ]
    suggested = item.suggested_category
    levels = [
        (value, label)
        for value, label in Level.choices
        if _rank(value) <= _rank(rules.handling_level(user, item))
    ]
    accept_form = forms.get("accept") or AcceptForm(
        initial={"category": suggested.pk if suggested else None, "level": item.level},
        community=item.community,
        auto_id="accept_%s",
    )
    accept_form.fields["level"].choices = levels
    similar = []
    if can["merge"]:
        similar = duplicates.similar_open_items(
            text=item.text,
            community=item.community_id,
            building=item.building_id,
            compound=item.compound_id,
            community_wide=item.compound_id is None,
            exclude=item,
        )
    timeline = selectors.item_timeline_rows(user, item)
    context = {
        "item": item,
        "overdue": deadlines.is_overdue(item),
        "due_soon": deadlines.is_due_soon(item),
        "live": live,
        "can": can,
        # A hard case may be raised into a deliberation matter while it is still open.
        "raisable": can["comment"] and item.status in OPEN_STATUSES,
        "suggested": suggested,
        "suggestions": suggestions,
        "similar": similar,
        "reporters": _reporters(user, item),
        "photos": list(item.attachments.all()),
        "timeline": timeline,
        "accept_form": accept_form,
        "escalate_form": forms.get("escalate") or EscalateForm(auto_id="escalate_%s"),
        "dispatch_form": forms.get("dispatch")
        or DispatchForm(
            initial={"unit": item.responsible_unit_id},
            community=item.community,
            auto_id="dispatch_%s",
        ),
        "verify_form": forms.get("verify") or VerifyForm(auto_id="verify_%s"),
        "resolve_form": forms.get("resolve") or ResolveForm(auto_id="resolve_%s"),
        "visit_form": forms.get("visit") or VisitForm(auto_id="visit_%s"),
        "comment_form": forms.get("comment") or CommentForm(auto_id="comment_%s"),
        "merge_form": forms.get("merge") or MergeForm(auto_id="merge_%s"),
        **_case_panel(user, item, can, forms),
        "nav": "inbox",
        **_publication_panel(user, item, forms),
    }
    return render(request, "voices/detail_staff.html", context, status=status)


def _case_panel(user, item: Item, can: dict, forms: dict) -> dict:
    """The item page's case handling: its dispatches (a joint dispatch's lead and
    supporting units, each with its reply), its extension requests and decisions, and the
    forms for 督办, 延期申请 and its decision, 联合派单 — each leading to a confirmation."""
    pending = services.pending_extension(item)
    units = item.community.partner_units.count()
    return {
        "dispatches": selectors.item_dispatches(item),
        "extensions": list(selectors.extension_history(item)),
        "pending_extension": pending if can["decide_extension"] else None,
        "pending_new_due": services.extension_new_due(item, pending.days) if pending else None,
        "joint_possible": units >= 2,
        "supervise_form": forms.get("supervise") or SuperviseForm(auto_id="supervise_%s"),
        "extension_form": forms.get("extension") or ExtensionRequestForm(auto_id="extension_%s"),
        "decide_form": forms.get("decide") or ExtensionDecisionForm(auto_id="decide_%s"),
        "joint_form": forms.get("joint")
        or JointDispatchForm(community=item.community, auto_id="joint_%s"),
    }


def _reporters(user, item: Item) -> list[tuple]:
    return [
        (r, Channel(r.channel).label if r.channel in Channel.values else r.channel)
        for r in selectors.item_reporters_for(user, item)
    ]


def _staff_action(
    form_key: str, form_class, call, done_message, *, community_form=False, question=None
):
    """One POST view per action: read the item in reach, call the service, and on a
    refusal show the item page again with the form as it was filled in. An action with a
    ``question`` cannot be undone and asks first (``voices.confirming``)."""

    @login_required
    @require_POST
    def view(request, pk: int):
        item = selectors.get_item_visible_or_404(request.user, pk=pk)
        kwargs = {"community": item.community} if community_form else {}
        # The same ids as the unbound form: every form of the item page has its own.
        form = form_class(request.POST, auto_id=f"{form_key}_%s", **kwargs)
        form.is_valid()
        if question is not None and not confirming.confirmed(request):
            if confirming.going_back(request):
                return _staff_detail(request, item, **{form_key: form})
            try:
                confirming.try_out(lambda: call(request, item, form))
            except ValidationError as exc:
                apply_errors(form, exc)
                return _staff_detail(request, item, status=400, **{form_key: form})
            return confirming.ask(
                request,
                question(item, form),
                layout="voices/base_staff.html",
                form=form,
                nav="inbox",
            )
        try:
            call(request, item, form)
        except ValidationError as exc:
            apply_errors(form, exc)
            return _staff_detail(request, item, status=400, **{form_key: form})
        messages.success(request, done_message())
        return redirect("voices:detail", pk=item.pk)

    view.__name__ = f"item_{form_key}"
    return view


def _accept(request, item, form):
    category = form.cleaned_data.get("category")
    if category is None:
        raise ValidationError({"category": _("请选择有效的分类。")})
    services.item_accept(
        actor=request.user,
        item=item,
        category=category,
        level=form.cleaned_data.get("level") or None,
        responsible_unit=form.cleaned_data.get("responsible_unit"),
        note=request.POST.get("note", ""),
    )


def _dispatch(request, item, form):
    unit = form.cleaned_data.get("unit")
    if unit is None:
        raise ValidationError({"unit": _("请选择派往的单位。")})
    services.item_dispatch(
        actor=request.user,
        item=item,
        unit=unit,
        instructions=request.POST.get("instructions", ""),
    )


def _verify(request, item, form):
    live = selectors.live_dispatch(item)
    if live is None:
        raise ValidationError(_("该诉求没有待核实的派单。"))
    services.dispatch_verify(
        actor=request.user,
        dispatch=live,
        accepted=request.POST.get("accepted") == "yes",
        note=request.POST.get("note", ""),
    )


def _merge(request, item, form):
    number = (request.POST.get("into") or "").strip()
    into = selectors.item_list_visible_to(request.user).filter(number=number).first()
    if into is None:
        raise ValidationError(
            {"into": _("没有找到编号为“%(number)s”的诉求。") % {"number": number}}
        )
    services.item_merge(actor=request.user, item=item, into=into)


# What each step that cannot be undone will do, asked before it is done.


def _unit_name(unit) -> str:
    return unit.short_name or unit.name


def _ask_escalate(item, form) -> confirming.Question:
    to = LEVEL_ORDER[rules.RANK[item.level] + 1]
    who = _("社区工作人员") if to == Level.COMMUNITY else _("街道工作人员")
    return confirming.Question(
        _("确认上报"),
        _("将把诉求 %(number)s 上报到%(level)s，由%(who)s办理。确认上报吗？")
        % {"number": item.number, "level": Level(to).label, "who": who},
    )


def _ask_dispatch(item, form) -> confirming.Question:
    return confirming.Question(
        _("确认派单"),
        _("将把诉求 %(number)s 派给%(unit)s办理，由该单位签收、答复，社区核实。确认派单吗？")
        % {"number": item.number, "unit": _unit_name(form.cleaned_data["unit"])},
    )


def _ask_verify(item, form) -> confirming.Question:
    live = selectors.live_dispatch(item)
    values = {"number": item.number, "unit": _unit_name(live.unit)}
    if form.cleaned_data.get("accepted"):
        text = _("将确认%(unit)s对诉求 %(number)s 的答复属实，诉求转为办结待回访。确认核实通过吗？")
    else:
        text = _(
            "将不予通过%(unit)s对诉求 %(number)s 的答复，派单结束，诉求回到本级重新安排办理。"
            "确认不予通过吗？"
        )
    return confirming.Question(_("确认核实"), text % values)


def _ask_resolve(item, form) -> confirming.Question:
    return confirming.Question(
        _("确认办结"),
        _("将把诉求 %(number)s 办结，并告知反映人，等待回访评价。办结后不能撤销。确认办结吗？")
        % {"number": item.number},
    )


item_accept = _staff_action(
    "accept", AcceptForm, _accept, lambda: _("已受理。"), community_form=True
)
item_escalate = _staff_action(
    "escalate",
    EscalateForm,
    lambda r, i, f: services.item_escalate(actor=r.user, item=i, reason=r.POST.get("reason", "")),
    lambda: _("已上报。"),
    question=_ask_escalate,
)
item_dispatch = _staff_action(
    "dispatch",
    DispatchForm,
    _dispatch,
    lambda: _("已派单。"),
    community_form=True,
    question=_ask_dispatch,
)
item_verify = _staff_action(
    "verify", VerifyForm, _verify, lambda: _("已核实。"), question=_ask_verify
)
item_resolve = _staff_action(
    "resolve",
    ResolveForm,
    lambda r, i, f: services.item_resolve(actor=r.user, item=i, note=r.POST.get("note", "")),
    lambda: _("已办结，等待回访。"),
    question=_ask_resolve,
)
item_visit = _staff_action(
    "visit",
    VisitForm,
    lambda r, i, f: services.item_return_visit(
        actor=r.user,
        item=i,
        solved=r.POST.get("solved", ""),
        satisfaction=r.POST.get("satisfaction", ""),
        comment=r.POST.get("comment", ""),
    ),
    lambda: _("已记录回访。"),
)
item_comment = _staff_action(
    "comment",
    CommentForm,
    lambda r, i, f: services.item_comment(actor=r.user, item=i, note=r.POST.get("note", "")),
    lambda: _("已添加备注。"),
)
item_merge = _staff_action("merge", MergeForm, _merge, lambda: _("已合并。"))


# --- staff: inbox -----------------------------------------------------------------------


@staff_required
@require_GET
def inbox(request):
    """诉求待办: items in the user's reach, overdue first, then the nearest deadline."""
    user = request.user
    grids = visible(user, Grid.objects.all()).order_by("community_id", "sort_key", "code")
    form = InboxFilterForm(request.GET or None, grids=grids)
    data = form.cleaned_data if form.is_valid() else {}
    statuses = [data["status"]] if data.get("status") else None
    now = deadlines.clock()
    qs = selectors.inbox(user, now=now, statuses=statuses)
    if data.get("queue"):
        qs = qs.filter(selectors.work_queue_q(data["queue"], now))
    if data.get("level"):
        qs = qs.filter(level=data["level"])
    if data.get("overdue"):
        qs = qs.filter(is_overdue=True)
    if data.get("category"):
        qs = qs.filter(category=data["category"])
    if data.get("grid"):
        qs = qs.filter(grid=data["grid"])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "voices/inbox.html",
        {"form": form, "page": _page(request, qs), "query": query.urlencode(), "nav": "inbox"},
    )


# --- partner units ----------------------------------------------------------------------


@partner_required
@require_GET
def partner_inbox(request):
    """派单: the dispatches to the user's unit, and nothing else; titles as the unit reads
    them (reporters masked)."""
    qs = selectors.dispatch_list_for_unit(request.user).order_by("-sent_at", "-pk")
    page = _page(request, qs.prefetch_related("item__reporters__resident"))
    mask = selectors.PartnerMask()
    rows = [(d, mask.title(d.item)) for d in page]
    return render(
        request,
        "voices/partner_inbox.html",
        {"page": page, "rows": rows, "now": deadlines.clock(), "nav": "partner"},
    )


def _dispatch_page(
    request, dispatch, *, status: int = 200, revealed=None, reveal_error=None, **forms
):
    """The unit's page of one dispatch. ``revealed``: (reporter id, full phone) just shown
    through the audited reveal; ``reveal_error``: (reporter id, why it was not)."""
    user = request.user
    item = dispatch.item
    mask = selectors.PartnerMask()
    return render(
        request,
        "voices/dispatch.html",
        {
            "dispatch": dispatch,
            "item": item,
            # The item's words as the unit reads them: nobody named, no phone or ID number.
            "text": mask(item, item.text),
            "location_text": mask(item, item.location_text),
            "instructions": mask(item, dispatch.instructions),
            "reporters": selectors.item_reporters_for(user, item),
            "photos": list(item.attachments.filter(dispatch__isnull=True)),
            "evidence": list(dispatch.evidence.all()),
            "timeline": selectors.item_timeline_rows(user, item),
            "revealed": revealed or (None, ""),
            "reveal_error": reveal_error or (None, ""),
            "reply_form": forms.get("reply") or ReplyForm(),
            "return_form": forms.get("return") or ReturnForm(),
            "nav": "partner",
        },
        status=status,
    )


@partner_required
@require_GET
def dispatch_detail(request, pk: int):
    return _dispatch_page(request, selectors.get_dispatch_for_partner_or_404(request.user, pk))


@never_cache
@partner_required
@require_POST
def dispatch_reporter_phone(request, pk: int, reporter_id: int):
    """A reporter's full phone, for a unit the reporter agreed to share it with, for the
    reason (查看事由) the button names; the service writes it to the audit log. Another
    unit's dispatch or another item's reporter: 404; no consent: 403; no reason: 400, and
    nothing is shown or logged."""
    dispatch = selectors.get_dispatch_for_partner_or_404(request.user, pk)
    reporter = dispatch.item.reporters.filter(pk=reporter_id).first()
    if reporter is None:
        raise Http404
    try:
        phone = services.reporter_phone_reveal(
            actor=request.user,
            reporter=reporter,
            reason=request.POST.get("reason", ""),
            reason_note=request.POST.get("reason_note", ""),
        )
    except ValidationError as exc:
        error = (reporter.pk, " ".join(exc.messages))
        return _dispatch_page(request, dispatch, status=400, reveal_error=error)
    return _dispatch_page(request, dispatch, revealed=(reporter.pk, phone))


def _partner_action(form_key: str, form_class, call, done_message, *, question=None):
    """One POST view per action on a dispatch, like ``_staff_action``: an action with a
    ``question`` asks first."""

    @partner_required
    @require_POST
    def view(request, pk: int):
        dispatch = selectors.get_dispatch_for_partner_or_404(request.user, pk)
        form = form_class(request.POST, request.FILES) if form_class else None
        if form is not None:
            form.is_valid()
        if question is not None and not confirming.confirmed(request):
            if confirming.going_back(request):
                if form is None:
                    return redirect("voices:dispatch", pk=dispatch.pk)
                return _dispatch_page(request, dispatch, **{form_key: form})
            try:
                confirming.try_out(lambda: call(request, dispatch))
            except ValidationError as exc:
                if form is None:
                    messages.error(request, " ".join(exc.messages))
                    return redirect("voices:dispatch", pk=dispatch.pk)
                apply_errors(form, exc)
                return _dispatch_page(request, dispatch, status=400, **{form_key: form})
            return confirming.ask(
                request,
                question(dispatch),
                layout="voices/base_partner.html",
                form=form,
                nav="partner",
            )
        try:
            call(request, dispatch)
        except ValidationError as exc:
            if form is None:
                messages.error(request, " ".join(exc.messages))
                return redirect("voices:dispatch", pk=dispatch.pk)
            apply_errors(form, exc)
            return _dispatch_page(request, dispatch, status=400, **{form_key: form})
        messages.success(request, done_message())
        return redirect("voices:dispatch", pk=dispatch.pk)

    view.__name__ = f"dispatch_{form_key}"
    return view


dispatch_accept = _partner_action(
    "accept",
    None,
    lambda r, d: services.dispatch_accept(actor=r.user, dispatch=d),
    lambda: _("已签收，请尽快办理。"),
    question=lambda d: confirming.Question(
        _("确认签收"),
        _("将签收诉求 %(number)s 的派单，由本单位办理，办理时限从签收起计算。确认签收吗？")
        % {"number": d.item.number},
    ),
)
dispatch_reply = _partner_action(
    "reply",
    ReplyForm,
    lambda r, d: services.dispatch_reply(
        actor=r.user,
        dispatch=d,
        reply=r.POST.get("reply", ""),
        evidence=r.FILES.getlist("evidence"),
    ),
    lambda: _("已答复，等待社区核实。"),
)
dispatch_return = _partner_action(
    "return",
    ReturnForm,
    lambda r, d: services.dispatch_return(
        actor=r.user, dispatch=d, reason=r.POST.get("reason", "")
    ),
    lambda: _("已退回社区。"),
    question=lambda d: confirming.Question(
        _("确认退回"),
        _("将把诉求 %(number)s 退回%(community)s，由社区重新安排办理。确认退回吗？")
        % {"number": d.item.number, "community": d.item.community.name},
    ),
)


# --- measures ---------------------------------------------------------------------------


@login_required
@require_GET
def measures_page(request):
    """响应率、解决率、满意率、按时办结率 for a month, per grid, community or partner unit,
    each as numerator / denominator counted from records."""
    user = request.user
    if scope_for(user, "view_measures").empty and not user.partner_unit_id:
        raise Http404
    form = MeasuresForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    # A month that is not one (2026-13, 9999-12) is said so above this month's figures.
    data = form.cleaned_data if form.is_bound and valid else {}
    today = timezone.localdate()
    month = data.get("month") or today.replace(day=1)
    group_by = data.get("group_by") or ("unit" if user.partner_unit_id else "grid")
    rows = [
        (
            r,
            [
                ("response", r.response),
                ("resolution", r.resolution),
                ("satisfaction", r.satisfaction),
                ("on_time", r.on_time),
            ],
        )
        for r in measures.monthly(user, month=month, group_by=group_by)
    ]
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "voices/measures.html",
        {
            "form": form,
            "rows": rows,
            "month": month,
            "group_by": group_by,
            "previous": previous,
            "following": following if following <= today else None,
            "layout": "voices/base_staff.html"
            if is_staff_user(user)
            else "voices/base_partner.html",
            # What the figures count: a building chief's grid row holds their building only.
            "reach": reach_names(user, "view_measures"),
            "nav": "measures",
        },
        status=200 if valid else 400,
    )


# --- staff: opinion-gathering events ----------------------------------------------------

EVENT_BLANK_ROWS = 10
EVENT_MORE_ROWS = 5
ROWS_PREFIX = "rows"
ROW_NUMBER = re.compile(r"\d+")


def _enterable_communities(user):
    return visible(user, Community.objects.all(), "enter_event_opinions").order_by("code")


@staff_required
@require_GET
def event_sessions(request):
    """议事活动: the events of the communities in reach, newest first, each with the number
    of opinions entered from it."""
    user = request.user
    enterable = set(_enterable_communities(user).values_list("pk", flat=True))
    return render(
        request,
        "voices/event_sessions.html",
        {
            "page": _page(request, selectors.event_session_list_visible_to(user)),
            "enterable": enterable,
            "nav": "inbox",
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def event_session_new(request):
    """A new event of one's community, then straight on to entering its opinions."""
    user = request.user
    communities = _enterable_communities(user)
    if request.method == "GET":
        if not communities.exists():
            raise PermissionDenied
        form = EventSessionForm(communities=communities, initial={"held_on": timezone.localdate()})
        return render(request, "voices/event_session_new.html", {"form": form, "nav": "inbox"})

    raw = request.POST.get("community", "")
    community = (
        get_visible_or_404(user, Community.objects.all(), pk=int(raw)) if raw.isdigit() else None
    )
    if community is None and not communities.exists():
        raise PermissionDenied
    if community is not None:
        # Asked before the form is read, so that a refusal never depends on what was typed.
        require(user, "enter_event_opinions", community)
    form = EventSessionForm(request.POST, communities=communities)
    if form.is_valid():
        data = form.cleaned_data
        try:
            session = services.event_session_create(
                actor=user,
                community=community,
                title=data["title"],
                format=data["format"],
                held_on=data["held_on"],
                place=data["place"],
                attendance=data["attendance"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记活动，请录入收集到的意见。"))
            return redirect("voices:event_entry", session_id=session.pk)
    return render(
        request, "voices/event_session_new.html", {"form": form, "nav": "inbox"}, status=400
    )


def _session_or_404(user, session_id: int) -> EventSession:
    session = selectors.event_session_list_visible_to(user).filter(pk=session_id).first()
    if session is None:
        raise Http404
    return session


@staff_required
@require_GET
def event_session_detail(request, session_id: int):
    """One event and the opinions entered from it."""
    user = request.user
    session = _session_or_404(user, session_id)
    items = (
        selectors.item_list_visible_to(user)
        .filter(event_session=session)
        .select_related("category", "building")
        .order_by("number")
    )
    may_enter = session.community_id in set(
        _enterable_communities(user).values_list("pk", flat=True)
    )
    return render(
        request,
        "voices/event_session.html",
        {"session": session, "page": _page(request, items), "may_enter": may_enter, "nav": "inbox"},
    )


def _entry_session(user, session_id: int) -> EventSession:
    """The event whose opinions the user may enter: 404 out of reach, 403 in reach without
    ``enter_event_opinions`` (the subdistrict reads, the community enters)."""
    session = _session_or_404(user, session_id)
    require(user, "enter_event_opinions", session)
    return session


def _rows(*, data=None, initial=None, buildings=None):
    return EventRowFormSet(
        data, initial=initial, prefix=ROWS_PREFIX, form_kwargs={"buildings": buildings or {}}
    )


def _row_count(raw: str) -> int:
    return min(int(raw), EVENT_ROWS_MAX) if raw.isdigit() else 0


def _typed_rows(request) -> list[dict]:
    """What was typed into the table, the empty rows left out, whatever its state."""
    count = _row_count(request.POST.get(f"{ROWS_PREFIX}-TOTAL_FORMS", ""))
    typed = [
        {
            name: request.POST.get(f"{ROWS_PREFIX}-{i}-{name}", "")
            for name in EventRowForm.base_fields
        }
        for i in range(count)
    ]
    return [row for row in typed if any(v.strip() for v in row.values())]


def _bound_rows(typed: list[dict], buildings, *, blank: int) -> EventRowFormSet:
    """A bound table of ``typed`` rows renumbered from 1, with ``blank`` empty rows after."""
    total = len(typed) + blank
    data = {
        f"{ROWS_PREFIX}-TOTAL_FORMS": str(total),
        f"{ROWS_PREFIX}-INITIAL_FORMS": "0",
    }
    for i, row in enumerate(typed):
        for name, value in row.items():
            data[f"{ROWS_PREFIX}-{i}-{name}"] = value
    return _rows(data=data, buildings=buildings)


def _entry_page(request, session, formset, *, errors=(), status: int = 200):
    return render(
        request,
        "voices/event_entry.html",
        {
            "session": session,
            "formset": formset,
            "errors": list(errors),
            "row_errors": sum(1 for f in formset.forms if f.is_bound and f.errors),
            "row_limit": EVENT_ROWS_MAX,
            "text_limit": services.MAX_TEXT,
            "nav": "inbox",
        },
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def event_entry(request, session_id: int):
    """录入活动意见: a table of rows (what was said, building, who said it). More rows come
    with htmx, or without it by the 再加几行 button. All rows are written or none: a refused
    row is marked beside itself, and every row keeps what was typed."""
    user = request.user
    session = _entry_session(user, session_id)
    if request.method == "GET":
        return _entry_page(request, session, _rows(initial=[{}] * EVENT_BLANK_ROWS))

    typed = _typed_rows(request)
    if request.POST.get("action") == "more":
        blank = max(EVENT_MORE_ROWS, EVENT_BLANK_ROWS - len(typed))
        return _entry_page(request, session, _rows(initial=typed + [{}] * blank))

    buildings = {b.number: b for b in Building.objects.filter(community_id=session.community_id)}
    formset = _rows(data=request.POST, buildings=buildings)
    if not formset.is_valid():
        return _entry_page(request, session, formset, errors=formset.non_form_errors(), status=400)
    filled = [f for f in formset.forms if not f.is_blank()]
    try:
        items = services.items_submit_from_event(
            actor=user, event_session=session, rows=[f.row() for f in filled]
        )
    except ValidationError as exc:
        # The service numbers the rows it was given: show the same rows, in the same
        # order, so that 第2行 is the second row on the page.
        formset = _bound_rows(typed, buildings, blank=max(0, EVENT_BLANK_ROWS - len(typed)))
        formset.is_valid()
        page_errors = []
        refusals = (
            exc.message_dict.get("rows", exc.messages)
            if hasattr(exc, "error_dict")
            else exc.messages
        )
        for message in refusals:
            found = ROW_NUMBER.search(message)
            index = int(found.group()) - 1 if found else -1
            if 0 <= index < len(typed):
                formset.forms[index].add_error(None, message)
            else:
                page_errors.append(message)
        return _entry_page(request, session, formset, errors=page_errors, status=400)
    messages.success(
        request,
        _("已录入%(n)d条意见：%(numbers)s。")
        % {"n": len(items), "numbers": "、".join(i.number for i in items)},
    )
    return redirect("voices:event_session", session_id=session.pk)


@staff_required
@require_GET
def event_entry_row(request, session_id: int):
    """One more empty row for the table (htmx), numbered after the rows already there."""
    _entry_session(request.user, session_id)
    index = _row_count(request.GET.get(f"{ROWS_PREFIX}-TOTAL_FORMS", ""))
    if index >= EVENT_ROWS_MAX:
        return HttpResponse(status=204)
    form = EventRowForm(prefix=f"{ROWS_PREFIX}-{index}")
    return render(
        request,
        "voices/_event_row.html",
        {"form": form, "number": index + 1, "total": index + 1, "oob": True},
    )


# --- staff: publication -----------------------------------------------------------------


def _publication_panel(user, item: Item, forms: dict) -> dict:
    """The item page's 公开审核 panel: the public text to approve — the one published, or a
    suggestion with the register's names and every number leading to a door masked — and
    the reason to hold it back. Only for those who may decide (``rules.can_publish``)."""
    may = rules.can_publish(user, item)
    panel = {"may_publish": may}
    if may:
        text = (
            item.public_text
            if item.publication == Publication.PUBLISHED
            else selectors.public_text_suggestion(item)
        )
        panel["publish_form"] = forms.get("publish") or PublishForm(
            initial={"public_text": text}, auto_id="publish_%s"
        )
        panel["withhold_form"] = forms.get("withhold") or WithholdForm(auto_id="withhold_%s")
    return panel


@staff_required
@require_GET
def publication_queue(request):
    """待公开审核: the items the user may publish that nobody has reviewed yet, oldest
    first. Private items never appear; published and withheld ones have been decided."""
    form = PublicationQueueForm(request.GET or None)
    show = form.cleaned_data.get("show") if form.is_valid() else ""
    qs = selectors.publication_queue(request.user, done_only=show != "all")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "voices/publication_queue.html",
        {
            "form": form,
            "page": _page(request, qs),
            "query": query.urlencode(),
            "nav": "publication",
        },
    )


item_publish = _staff_action(
    "publish",
    PublishForm,
    lambda r, i, f: services.item_publish(
        actor=r.user, item=i, public_text=r.POST.get("public_text", "")
    ),
    lambda: _("已公开。公众只能看到审核后的公开内容。"),
)
item_withhold = _staff_action(
    "withhold",
    WithholdForm,
    lambda r, i, f: services.item_withhold(actor=r.user, item=i, reason=r.POST.get("reason", "")),
    lambda: _("已设为不公开。"),
)


# --- staff: 督办, extensions (延期申请) and joint dispatch (联合派单) -----------------------
# Each is irreversible once taken (a notice sent, a deadline moved, units called), so the
# form on the item page leads to a page that says what will happen; only its 确认 button
# takes the step. 返回修改 brings the item page back with what was typed.


def _confirmed_action(form_key, form_class, *, check, call, done, title, community_form=False):
    """One POST view per action. ``check(request, item, form)`` asks the service's own
    check (writing nothing) and returns what the confirmation page says: (facts,
    consequences); ``call`` takes the step once confirmed. A refusal shows the item page
    again with the form as it was filled in."""

    @login_required
    @require_POST
    def view(request, pk: int):
        item = selectors.get_item_visible_or_404(request.user, pk=pk)
        kwargs = {"community": item.community} if community_form else {}
        form = form_class(request.POST, auto_id=f"{form_key}_%s", **kwargs)
        form.is_valid()
        if request.POST.get("confirm") == "0":
            return _staff_detail(request, item, **{form_key: form})
        if form.errors:  # a number that is not one: said by the form itself
            return _staff_detail(request, item, status=400, **{form_key: form})
        try:
            facts, consequences = check(request, item, form)
            if request.POST.get("confirm") != "1":
                return render(
                    request,
                    "voices/confirm_action.html",
                    {
                        "item": item,
                        "title": title(),
                        "facts": facts,
                        "consequences": consequences,
                        "fields": [
                            (name, value)
                            for name in request.POST
                            if name not in ("csrfmiddlewaretoken", "confirm")
                            for value in request.POST.getlist(name)
                        ],
                        "nav": "inbox",
                    },
                )
            call(request, item, form)
        except ValidationError as exc:
            apply_errors(form, exc)
            return _staff_detail(request, item, status=400, **{form_key: form})
        messages.success(request, done())
        return redirect("voices:detail", pk=item.pk)

    view.__name__ = f"item_{form_key}"
    return view


def _moment(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _level_label(level) -> str:
    return str(Level(level).label)


def _supervise_check(request, item, form):
    message = services.item_supervise_check(
        actor=request.user, item=item, message=request.POST.get("message", "")
    )
    facts = [
        (_("诉求"), f"{item.number} {item.title}"),
        (_("办理层级"), _level_label(item.level)),
        (_("当前环节"), f"{item.get_stage_display()}，{_('时限')} {_moment(item.due_at)}"),
        (_("督办意见"), message),
    ]
    consequences = [
        _("立即通知%(level)s的办理人员（已派单的，同时通知承办单位）。")
        % {"level": _level_label(item.level)},
        _("记入办理记录（内部，居民看不到），诉求带“督办”标记，直到办结。"),
        _("发出后不能撤回。"),
    ]
    return facts, consequences


def _extension_request_check(request, item, form):
    days, reason = services.extension_request_check(
        actor=request.user,
        item=item,
        days=form.cleaned_data.get("days"),
        reason=request.POST.get("reason", ""),
    )
    used = rules.stage_extensions(item).count
    facts = [
        (_("诉求"), f"{item.number} {item.title}"),
        (_("延长"), _("%(days)d个工作日") % {"days": days}),
        (_("现时限"), _moment(item.due_at)),
        (_("同意后的时限"), _moment(services.extension_new_due(item, days))),
        (_("延期理由"), reason),
    ]
    consequences = [
        _("由上一级审批；审批之前，时限不变。"),
        _("本环节申请过%(used)d次，提交后还可申请%(left)d次。")
        % {"used": used, "left": rules.MAX_EXTENSIONS_PER_STAGE - used - 1},
        _("申请提交后不能撤回。"),
    ]
    return facts, consequences


def _extension_decide_check(request, item, form):
    approve = request.POST.get("approve") == "yes"
    note = services.extension_decide_check(
        actor=request.user, item=item, approve=approve, note=request.POST.get("note", "")
    )
    pending = services.pending_extension(item)
    facts = [
        (_("诉求"), f"{item.number} {item.title}"),
        (_("申请人"), str(pending.requested_by.display_name or pending.requested_by)),
        (_("申请延长"), _("%(days)d个工作日") % {"days": pending.days}),
        (_("延期理由"), pending.reason),
        (_("审批结果"), _("同意延期") if approve else _("不同意")),
    ]
    if note:
        facts.append((_("审批意见"), note))
    if approve:
        consequences = [
            _("时限由%(before)s延至%(after)s（按工作日计算）。")
            % {
                "before": _moment(item.due_at),
                "after": _moment(services.extension_new_due(item, pending.days)),
            }
        ]
    else:
        consequences = [_("时限仍为%(due)s。") % {"due": _moment(item.due_at)}]
    consequences += [_("通知申请人和办理人员。"), _("审批后不能更改。")]
    return facts, consequences


def _joint_units(request, item, form):
    unit = form.cleaned_data.get("unit")
    if unit is None:
        raise ValidationError({"unit": _("请选择主办单位。")})
    supports = list(form.cleaned_data.get("supporting_units") or [])
    if not supports:
        raise ValidationError({"supporting_units": _("联合派单请至少选择一个协办单位。")})
    return unit, supports


def _joint_dispatch_check(request, item, form):
    unit, supports = _joint_units(request, item, form)
    unit, supports, instructions = services.item_dispatch_check(
        actor=request.user,
        item=item,
        unit=unit,
        supporting_units=supports,
        instructions=request.POST.get("instructions", ""),
    )
    facts = [
        (_("诉求"), f"{item.number} {item.title}"),
        (_("主办单位"), unit.name),
        (_("协办单位"), "、".join(u.name for u in supports)),
    ]
    if instructions:
        facts.append((_("派单说明"), instructions))
    consequences = [
        _("每个单位各收到一份派单，分别签收、答复或退回；每个单位只看得到自己的那一份。"),
        _("主办单位的答复核实通过后诉求办结，协办单位的答复记入办理记录。"),
        _("主办单位退回或答复未通过的，协办单位的派单随之结束。"),
        _("派出后不能撤回。"),
    ]
    return facts, consequences


def _joint_dispatch(request, item, form):
    unit, supports = _joint_units(request, item, form)
    services.item_dispatch(
        actor=request.user,
        item=item,
        unit=unit,
        supporting_units=supports,
        instructions=request.POST.get("instructions", ""),
    )


item_supervise = _confirmed_action(
    "supervise",
    SuperviseForm,
    check=_supervise_check,
    call=lambda r, i, f: services.item_supervise(
        actor=r.user, item=i, message=r.POST.get("message", "")
    ),
    done=lambda: _("已督办，办理人员已收到通知。"),
    title=lambda: _("确认督办"),
)
item_extension_request = _confirmed_action(
    "extension",
    ExtensionRequestForm,
    check=_extension_request_check,
    call=lambda r, i, f: services.extension_request(
        actor=r.user, item=i, days=f.cleaned_data.get("days"), reason=r.POST.get("reason", "")
    ),
    done=lambda: _("已提交延期申请，等待上一级审批。"),
    title=lambda: _("确认申请延期"),
)
item_extension_decide = _confirmed_action(
    "decide",
    ExtensionDecisionForm,
    check=_extension_decide_check,
    call=lambda r, i, f: services.extension_decide(
        actor=r.user, item=i, approve=r.POST.get("approve") == "yes", note=r.POST.get("note", "")
    ),
    done=lambda: _("已审批延期申请。"),
    title=lambda: _("确认审批延期申请"),
)
item_dispatch_joint = _confirmed_action(
    "joint",
    JointDispatchForm,
    check=_joint_dispatch_check,
    call=_joint_dispatch,
    done=lambda: _("已联合派单。"),
    title=lambda: _("确认联合派单"),
    community_form=True,
)


@staff_required
@require_GET
def extension_queue(request):
    """延期审批: the extension requests awaiting the user's decision, oldest first. For
    those above the grid (who hold ``dispatch``); for anyone else the page is absent."""
    user = request.user
    if scope_for(user, "dispatch").empty:
        raise Http404
    page = _page(request, selectors.extension_queue(user))
    rows = [(r, services.extension_new_due(r.item, r.days)) for r in page]
    return render(
        request,
        "voices/extension_queue.html",
        {"page": page, "rows": rows, "nav": "extensions"},
    )
