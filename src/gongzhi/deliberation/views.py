"""Deliberation pages. Staff (staff layout, usable at 390 px): matters by stage and each
matter's page with its history and the move button that asks first; meetings with
sign-in on a phone, minutes, decisions and the .docx export; tasks; consultation topics;
the talent pool. Residents (large type): a matter's public notice with the objection in
three steps, the satisfaction vote, proposing a topic, recommending a talent.

Reads go through ``deliberation.selectors`` (scoped), writes through
``deliberation.services``; what is out of reach answers 404 exactly like what is missing.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.models import User
from gongzhi.accounts.rules import is_staff_user
from gongzhi.core.qr import absolute_url, qr_svg
from gongzhi.core.scoping import get_visible_or_404, visible
from gongzhi.orgs.models import PartnerUnit
from gongzhi.places.models import Building, Community, Household, Resident
from gongzhi.voices import confirming
from gongzhi.voices.models import Item

from . import rules, selectors, services
from .enums import STAGE_NAMES, TRANSITIONS, Stage
from .forms import (
    DecisionForm,
    EvidenceForm,
    MatterForm,
    MeetingCreateForm,
    MinutesForm,
    ObjectionForm,
    ReviewForm,
    TalentForm,
    TaskForm,
    TopicForm,
    VisitForm,
    VoteForm,
    apply_errors,
)
from .minutes import minutes_docx
from .models import TITLE_MAX, Matter

STAFF_LAYOUT = "deliberation/base_staff.html"
RESIDENT_LAYOUT = "deliberation/base_resident.html"
LIST_LIMIT = 100
CHOICES_LIMIT = 200


def staff_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_staff_user(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _stages():
    return [(s, STAGE_NAMES[s]) for s in Stage.values]


# --- matters (staff) --------------------------------------------------------------------


@staff_required
@require_GET
def matters(request):
    """议题 by stage, with how many stand at each, counted."""
    stage = request.GET.get("stage", "")
    if stage and stage not in Stage.values:
        stage = ""
    counts = selectors.stage_counts(request.user)
    rows = list(selectors.matter_list_visible_to(request.user, stage=stage)[:LIST_LIMIT])
    return render(
        request,
        "deliberation/matters.html",
        {
            "matters": rows,
            "stage": stage,
            "tabs": [(s, label, counts[s]) for s, label in _stages()],
            "nav": "matters",
        },
    )


def _places(user) -> list[tuple[str, str]]:
    """Where a matter or meeting may be placed: communities and buildings the user runs."""
    out = []
    for c in visible(user, Community.objects.all(), rules.RUN).order_by("name")[:20]:
        out.append((f"c{c.pk}", c.name))
    buildings = (
        visible(user, Building.objects.all(), rules.RUN)
        .select_related("community", "compound")
        .order_by("community__name", "compound__name", "number")[:CHOICES_LIMIT]
    )
    for b in buildings:
        out.append((f"b{b.pk}", f"{b.community.name} {b.compound.name} {b}"))
    return out


def _place_from(user, key: str) -> dict:
    key = key or ""
    kind, pk = key[:1], key[1:]
    if kind == "c" and pk.isdigit():
        c = visible(user, Community.objects.all(), rules.RUN).filter(pk=pk).first()
        if c:
            return {"community": c}
    if kind == "b" and pk.isdigit():
        b = visible(user, Building.objects.all(), rules.RUN).filter(pk=pk).first()
        if b:
            return {"building": b}
    raise ValidationError({"place": [_("请选择议题所在的社区或楼栋。")]})


@staff_required
@require_http_methods(["GET", "POST"])
def matter_new(request):
    # A hard case raised from residents' voice (``?item=``, the button on the item's staff
    # page): the matter takes the item's place, so there is no place to choose.
    item = _raisable_item(request)
    if item is not None:
        existing = Matter.objects.filter(item=item).values_list("pk", flat=True).first()
        if existing is not None:
            messages.info(request, _("这条诉求已经列为议题了。"))
            return redirect("deliberation:matter", pk=existing)
    places = [] if item is not None else _places(request.user)
    initial = {"title": item.title[:TITLE_MAX]} if item is not None else {}
    form = MatterForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            where = (
                {"item": item}
                if item is not None
                else _place_from(request.user, request.POST.get("place", ""))
            )
            matter = services.matter_create(
                actor=request.user,
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
                notice_days=form.cleaned_data["notice_days"],
                threshold=form.cleaned_data["threshold"],
                **where,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("议题已立项，现在是“摸”的环节。"))
            return redirect("deliberation:matter", pk=matter.pk)
    return render(
        request,
        "deliberation/matter_new.html",
        {
            "form": form,
            "places": places,
            "place": request.POST.get("place", ""),
            "item": item,
            "nav": "matters",
        },
    )


def _raisable_item(request) -> Item | None:
    """The residents'-voice item named by ``item`` (query or form), among those the user
    handles; 404 for one they do not."""
    raw = request.POST.get("item") or request.GET.get("item") or ""
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    return get_visible_or_404(
        request.user,
        Item.objects.select_related("community", "building"),
        rules.RUN,
        pk=int(raw),
    )


def _affected(matter) -> list[Household]:
    qs = Household.objects.filter(community_id=matter.community_id)
    if matter.grid_id:
        qs = qs.filter(grid_id=matter.grid_id)
    if matter.building_id:
        qs = qs.filter(building_id=matter.building_id)
    return list(
        qs.select_related("building").order_by("building_id", "door_number")[:CHOICES_LIMIT]
    )


def _owner_choices(matter_or_meeting) -> list[tuple[str, str]]:
    units = PartnerUnit.objects.filter(communities=matter_or_meeting.community_id).order_by("name")
    staff = (
        User.objects.filter(
            is_active=True, posts__community_id=matter_or_meeting.community_id, posts__ended_on=None
        )
        .distinct()
        .order_by("username")[:50]
    )
    return (
        [("", _("请选择"))]
        + [(f"u{u.pk}", str(u)) for u in staff]
        + [(f"p{p.pk}", p.short_name or p.name) for p in units]
    )


def _owner_from(key: str) -> dict:
    if key.startswith("u") and key[1:].isdigit():
        return {"owner_user": User.objects.filter(pk=key[1:], is_active=True).first()}
    if key.startswith("p") and key[1:].isdigit():
        return {"owner_unit": PartnerUnit.objects.filter(pk=key[1:]).first()}
    return {}


def _matter_page(request, matter, *, visit_form=None, task_form=None, status=200):
    can_run = rules.may_run(request.user, matter)
    households = _affected(matter)
    visit_form = visit_form or VisitForm()
    visit_form.fields["households"].choices = [(str(h.pk), str(h)) for h in households]
    task_form = task_form or TaskForm()
    task_form.fields["owner"].choices = _owner_choices(matter)
    return render(
        request,
        "deliberation/matter.html",
        {
            "matter": matter,
            "history": selectors.history(matter),
            "visits": list(matter.visits.prefetch_related("households").order_by("at", "id")),
            "meetings": list(matter.meetings.order_by("starts_at", "id")),
            "tasks": list(matter.tasks.select_related("owner_user", "owner_unit")),
            "tally": services.tally(matter),
            "moves": [(s, STAGE_NAMES[s]) for s in TRANSITIONS[matter.stage]] if can_run else [],
            "can_run": can_run,
            "visit_form": visit_form,
            "task_form": task_form,
            "households_count": len(households),
            "nav": "matters",
        },
        status=status,
    )


@staff_required
@require_GET
def matter(request, pk: int):
    return _matter_page(request, selectors.matter_get_visible(request.user, pk))


@staff_required
@require_POST
def matter_move(request, pk: int):
    """Move a matter: the step is tried first (a refusal shows on the matter's page in the
    service's words), then asked, then taken."""
    m = selectors.matter_get_visible(request.user, pk)
    to = request.POST.get("to", "")
    reason = request.POST.get("reason", "")

    def call():
        return services.matter_move(actor=request.user, matter=m, to=to, reason=reason)

    try:
        if request.POST.get("confirm") != confirming.YES:
            confirming.try_out(call)
            return render(
                request,
                "deliberation/confirm_move.html",
                {
                    "matter": m,
                    "to": to,
                    "to_label": STAGE_NAMES.get(services.clean_stage(to), to),
                    "reason": reason,
                    "nav": "matters",
                },
            )
        call()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("deliberation:matter", pk=pk)
    messages.success(
        request, _("议题已进入“%(stage)s”。") % {"stage": STAGE_NAMES[services.clean_stage(to)]}
    )
    return redirect("deliberation:matter", pk=pk)


@staff_required
@require_POST
def matter_visit(request, pk: int):
    m = selectors.matter_get_visible(request.user, pk)
    form = VisitForm(request.POST)
    form.fields["households"].choices = [(str(h.pk), str(h)) for h in _affected(m)]
    if form.is_valid():
        ids = [int(x) for x in form.cleaned_data["households"]]
        households = list(visible(request.user, Household.objects.filter(pk__in=ids)))
        try:
            services.matter_visit(
                actor=request.user, matter=m, note=form.cleaned_data["note"], households=households
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已记录走访。"))
            return redirect("deliberation:matter", pk=pk)
    return _matter_page(request, m, visit_form=form, status=422)


@staff_required
@require_POST
def matter_task(request, pk: int):
    m = selectors.matter_get_visible(request.user, pk)
    form = TaskForm(request.POST)
    form.fields["owner"].choices = _owner_choices(m)
    if form.is_valid():
        try:
            services.task_create(
                actor=request.user,
                matter=m,
                title=form.cleaned_data["title"],
                due_days=form.cleaned_data["due_days"],
                **_owner_from(form.cleaned_data["owner"]),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("任务已分派。"))
            return redirect("deliberation:matter", pk=pk)
    return _matter_page(request, m, task_form=form, status=422)


@staff_required
@require_GET
def matter_print(request, pk: int):
    """The 示 notice on one A4 page for the stairwell, with a QR code to its page."""
    m = selectors.matter_get_visible(request.user, pk)
    url = absolute_url(request, reverse("deliberation:notice", args=[m.pk]))
    return render(
        request,
        "deliberation/notice_print.html",
        {
            "matter": m,
            "tasks": list(m.tasks.select_related("owner_user", "owner_unit")),
            "qr": qr_svg(url, title=_("扫码查看公示并提出异议")),
            "url": url,
        },
    )


# --- meetings (staff) -------------------------------------------------------------------


@staff_required
@require_GET
def meetings(request):
    qs = selectors.meeting_list_visible_to(request.user, kind=request.GET.get("kind", "")[:20])
    return render(
        request,
        "deliberation/meetings.html",
        {
            "meetings": list(qs[:LIST_LIMIT]),
            "attendance": selectors.attendance(qs),
            "nav": "meetings",
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    matter_pk = request.GET.get("matter") or request.POST.get("matter") or ""
    m = selectors.matter_get_visible(request.user, int(matter_pk)) if matter_pk.isdigit() else None
    form = MeetingCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            where = {} if m else _place_from(request.user, request.POST.get("place", ""))
            meeting = services.meeting_create(
                actor=request.user, matter=m, **form.cleaned_data, **where
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("deliberation:meeting", pk=meeting.pk)
    return render(
        request,
        "deliberation/meeting_new.html",
        {
            "form": form,
            "matter": m,
            "places": _places(request.user),
            "place": request.POST.get("place", ""),
            "nav": "meetings",
        },
    )


def _meeting_page(request, meeting, *, minutes_form=None, decision_form=None, status=200):
    decision_form = decision_form or DecisionForm()
    decision_form.fields["owner"].choices = _owner_choices(meeting)
    invitees = selectors.invitees(meeting)
    return render(
        request,
        "deliberation/meeting.html",
        {
            "meeting": meeting,
            "invitees": invitees,
            "signed": sum(1 for i in invitees if i.signed_in_at),
            "decisions": list(meeting.decisions.prefetch_related("tasks")),
            "minutes_form": minutes_form
            or MinutesForm(initial={"minutes": meeting.minutes, "outcome": meeting.outcome}),
            "decision_form": decision_form,
            "can_run": rules.may_run(request.user, meeting),
            "nav": "meetings",
        },
        status=status,
    )


@staff_required
@require_GET
def meeting(request, pk: int):
    return _meeting_page(request, selectors.meeting_get_visible(request.user, pk))


@staff_required
@require_POST
def meeting_invite(request, pk: int):
    """Invite every household of the meeting's place and the partner units of its
    community at once (one tap on a phone)."""
    m = selectors.meeting_get_visible(request.user, pk)
    pairs = [("household", h.pk) for h in _affected(m)]
    if request.POST.get("units"):
        pairs += [("partner", u.pk) for u in PartnerUnit.objects.filter(communities=m.community_id)]
    try:
        added = services.meeting_invite(actor=request.user, meeting=m, invitees=pairs)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已邀请%(n)d户（单位）。") % {"n": len(added)})
    return redirect("deliberation:meeting", pk=pk)


@staff_required
@require_POST
def meeting_sign_in(request, pk: int):
    """Tick someone present: a resident by id (of an invited household or invited by
    name), or an invited unit."""
    m = selectors.meeting_get_visible(request.user, pk)
    resident = unit = None
    who = request.POST.get("who", "")
    if who.startswith("r") and who[1:].isdigit():
        resident = Resident.objects.filter(pk=who[1:], community_id=m.community_id).first()
    elif who.startswith("p") and who[1:].isdigit():
        unit = PartnerUnit.objects.filter(pk=who[1:]).first()
    try:
        if resident is None and unit is None:
            raise ValidationError({"who": [services.not_invited_message()]})
        row = services.meeting_sign_in(actor=request.user, meeting=m, resident=resident, unit=unit)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(who)s 已签到。") % {"who": row.label})
    return redirect("deliberation:meeting", pk=pk)


@staff_required
@require_POST
def meeting_minutes(request, pk: int):
    m = selectors.meeting_get_visible(request.user, pk)
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_minutes(actor=request.user, meeting=m, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("会议记录已保存。"))
            return redirect("deliberation:meeting", pk=pk)
    return _meeting_page(request, m, minutes_form=form, status=422)


@staff_required
@require_POST
def meeting_decision(request, pk: int):
    m = selectors.meeting_get_visible(request.user, pk)
    form = DecisionForm(request.POST)
    form.fields["owner"].choices = _owner_choices(m)
    if form.is_valid():
        data = form.cleaned_data
        tasks = []
        if data["task_title"]:
            tasks.append(
                {
                    "title": data["task_title"],
                    "due_days": data["due_days"],
                    **_owner_from(data["owner"]),
                }
            )
        try:
            services.decision_create(actor=request.user, meeting=m, text=data["text"], tasks=tasks)
        except ValidationError as exc:
            apply_errors(form, exc)
            for field, msgs in exc.message_dict.items():
                if field.startswith("tasks.0."):
                    target = {"owner": "owner", "title": "task_title", "due_days": "due_days"}
                    form.add_error(target.get(field[8:]), msgs)
        else:
            messages.success(request, _("决定事项已记录。"))
            return redirect("deliberation:meeting", pk=pk)
    return _meeting_page(request, m, decision_form=form, status=422)


@staff_required
@require_GET
def meeting_docx(request, pk: int):
    m = selectors.meeting_get_visible(request.user, pk)
    response = HttpResponse(
        minutes_docx(m),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{m.pk}-minutes.docx"'
    return response


@staff_required
@require_GET
def meeting_sheet(request, pk: int):
    """A printable sign-in sheet: the invitees with a column to sign, and a QR code that
    opens the meeting's page on a staff phone to tick them."""
    m = selectors.meeting_get_visible(request.user, pk)
    url = absolute_url(request, reverse("deliberation:meeting", args=[m.pk]))
    return render(
        request,
        "deliberation/meeting_sheet.html",
        {
            "meeting": m,
            "invitees": selectors.invitees(m),
            "qr": qr_svg(url, title=_("扫码签到")),
            "url": url,
        },
    )


# --- tasks ------------------------------------------------------------------------------


@login_required
@require_GET
def tasks(request):
    """Tasks in reach, given to the user or to their partner unit."""
    qs = selectors.task_list_visible_to(request.user, open_only=request.GET.get("all") != "1")
    return render(
        request,
        "deliberation/tasks.html",
        {
            "tasks": list(qs[:LIST_LIMIT]),
            "now": timezone.now(),
            "layout": STAFF_LAYOUT,
            "form": EvidenceForm(),
            "nav": "tasks",
        },
    )


@login_required
@require_POST
def task_complete(request, pk: int):
    task = selectors.task_get_visible(request.user, pk)
    form = EvidenceForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"evidence": [_("请写明完成情况。")]})
        services.task_complete(
            actor=request.user, task=task, evidence=form.cleaned_data["evidence"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("任务已完成。"))
    return redirect("deliberation:tasks")


# --- consultations and the talent pool (staff) ------------------------------------------


@staff_required
@require_GET
def topics(request):
    return render(
        request,
        "deliberation/topics.html",
        {
            "topics": list(selectors.topic_list_visible_to(request.user)[:LIST_LIMIT]),
            "corners": list(selectors.corner_list_visible_to(request.user)),
            "form": ReviewForm(),
            "nav": "topics",
        },
    )


@staff_required
@require_POST
def topic_review(request, pk: int):
    topic = selectors.topic_get_visible(request.user, pk)
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        services.topic_review(
            actor=request.user,
            topic=topic,
            approve=request.POST.get("approve") == "1",
            public_text=form.cleaned_data.get("public_text", ""),
            reason=form.cleaned_data.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已审核。"))
    return redirect("deliberation:topics")


@staff_required
@require_GET
def talents(request):
    return render(
        request,
        "deliberation/talents.html",
        {
            "talents": list(selectors.talent_list_visible_to(request.user)[:LIST_LIMIT]),
            "nav": "talents",
        },
    )


@staff_required
@require_POST
def talent_review(request, pk: int):
    talent = selectors.talent_get_visible(request.user, pk)
    try:
        services.talent_review(
            actor=request.user, talent=talent, approve=request.POST.get("approve") == "1"
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("deliberation:talents")


@staff_required
@require_POST
def talent_consent(request, pk: int):
    talent = selectors.talent_get_visible(request.user, pk)
    try:
        services.talent_consent(
            actor=request.user, talent=talent, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("deliberation:talents")


# --- residents (large type) -------------------------------------------------------------


def _resident_household(user):
    if not getattr(user, "is_authenticated", False) or not user.resident_id:
        return None
    return Household.objects.filter(residents__pk=user.resident_id).first()


@require_GET
def notice(request, pk: int):
    """The public notice of a matter (from 示 on): what staff wrote, the tasks done, the
    window, and for a resident of the place the objection or vote button. Step 1 of 3."""
    m = selectors.matter_public(pk)
    household = _resident_household(request.user)
    touches = rules.touches_household(m, household)
    now = timezone.now()
    return render(
        request,
        "deliberation/notice.html",
        {
            "matter": m,
            "tasks": list(m.tasks.filter(done_at__isnull=False).order_by("done_at", "id")),
            "can_object": touches
            and m.stage == Stage.NOTICE
            and m.notice_ends_at
            and now < m.notice_ends_at,
            "can_vote": touches and m.stage == Stage.EVALUATE,
            "tally": services.tally(m) if m.stage == Stage.CLOSED else None,
            "layout": RESIDENT_LAYOUT,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def objection(request, pk: int):
    """Step 2: say what is wrong; step 3 is the page after it."""
    m = selectors.matter_public(pk)
    if not rules.touches_household(m, _resident_household(request.user)):
        raise Http404
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.matter_object(actor=request.user, matter=m, text=form.cleaned_data["text"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return render(
                request,
                "deliberation/resident_done.html",
                {
                    "title": _("异议已提交"),
                    "text": _("谢谢您！社区会重新召开会议商议，并把结果告诉大家。"),
                },
            )
    return render(
        request,
        "deliberation/objection.html",
        {"matter": m, "form": form},
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def vote(request, pk: int):
    m = selectors.matter_public(pk)
    if not rules.touches_household(m, _resident_household(request.user)):
        raise Http404
    form = VoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.matter_vote(actor=request.user, matter=m, choice=form.cleaned_data["choice"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return render(
                request,
                "deliberation/resident_done.html",
                {
                    "title": _("评议已提交"),
                    "text": _("谢谢您的评议！"),
                },
            )
    return render(
        request,
        "deliberation/vote.html",
        {"matter": m, "form": form},
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def propose(request):
    """A resident proposes a topic for the 有4说事 corner; staff review it first."""
    if not request.user.resident_id:
        raise Http404
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.topic_propose(actor=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return render(
                request,
                "deliberation/resident_done.html",
                {
                    "title": _("议题已提交"),
                    "text": _("社区审核后会安排到议事角一起商量。"),
                },
            )
    return render(
        request, "deliberation/propose.html", {"form": form}, status=422 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommend(request):
    """A resident recommends a neighbour or themself for the talent pool."""
    if not request.user.resident_id:
        raise Http404
    form = TalentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.talent_propose(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return render(
                request,
                "deliberation/resident_done.html",
                {
                    "title": _("推荐已提交"),
                    "text": _("社区会联系本人，征得同意后才会公开。"),
                },
            )
    return render(
        request, "deliberation/recommend.html", {"form": form}, status=422 if form.errors else 200
    )
