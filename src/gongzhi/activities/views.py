"""Activity pages.

Residents (large type, the resident layout): ``/activities/`` what's on near me this week,
``/activities/<id>/`` one activity with a one-button sign-up (home → list → activity →
报名: three steps), ``/activities/mine/``, ``/activities/qr/`` my check-in code, and the
cloud talk's quiz.

Staff (the staff layout; they work on a 390 px phone): ``/activities/manage/`` the list,
create and edit, publish / finish / cancel (finish and cancel ask first), the check-in page
(a text box taking a scanned token, and the signed-up residents each with a big 签到
button), and the volunteer groups with members and hours per volunteer per year.
Volunteers of the organising group or team open the check-in page too.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.decorators import staff_required
from gongzhi.accounts.rules import is_staff_user
from gongzhi.core.forms import apply_errors
from gongzhi.core.qr import qr_svg
from gongzhi.core.scoping import scope_for, visible
from gongzhi.orgs.models import PartnerUnit, Team
from gongzhi.places.models import Community, Resident
from gongzhi.places.selectors import resident_search
from gongzhi.venues.models import Venue
from gongzhi.wishes.enums import Status as WishStatus
from gongzhi.wishes.models import Wish

from . import rules, selectors, services
from .enums import ActivityKind, ActivityStatus, CheckInRole
from .forms import ActivityForm, CheckInForm, GroupForm, QuestionForm, ReasonForm, SearchForm
from .models import VolunteerGroup

STAFF_PAGE = 50


# --- residents ---------------------------------------------------------------------------


@login_required
@require_GET
def near(request):
    """This week in the resident's community, soonest first."""
    user = request.user
    if not user.resident_id:
        if is_staff_user(user):
            return redirect("activities:manage")
        raise Http404
    return render(
        request,
        "activities/near.html",
        {"activities": list(selectors.near_me(user)[:50]), "nav": "activities"},
    )


def _resident_page(request, activity, *, status=200, form=None):
    user = request.user
    now = timezone.now()
    taken = activity.signups.filter(cancelled_at__isnull=True).count()
    attempt = None
    if activity.outreach_format == "cloud" and user.resident_id:
        attempt = activity.attempts.filter(resident_id=user.resident_id).first()
    return render(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "signup": selectors.signup_of(user, activity),
            "taken": taken,
            "full": taken >= activity.capacity,
            "may_sign_up": activity.status == ActivityStatus.PUBLISHED and activity.ends_at > now,
            "may_cancel": activity.starts_at > now,
            "has_quiz": activity.outreach_format == "cloud" and activity.questions.exists(),
            "attempt": attempt,
            "may_check_in": rules.may_check_in(user, activity),
            "cancelled": activity.events.filter(status=ActivityStatus.CANCELLED).first()
            if activity.status == ActivityStatus.CANCELLED
            else None,
            "form": form,
            "nav": "activities",
        },
        status=status,
    )


@login_required
@require_GET
def detail(request, pk: int):
    return _resident_page(request, selectors.activity_or_404(request.user, pk))


@login_required
@require_POST
def sign_up(request, pk: int):
    activity = selectors.activity_or_404(request.user, pk)
    try:
        services.signup_create(actor=request.user, activity=activity)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("没有权限。"))
        return _resident_page(request, activity, status=403)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _resident_page(request, activity, status=400)
    messages.success(request, _("报名成功！活动当天请出示“我的签到码”。"))
    return redirect("activities:detail", pk=activity.pk)


@login_required
@require_POST
def sign_up_cancel(request, pk: int):
    """Cancelling a sign-up asks first: the first POST shows what happens; ``confirm``
    does it."""
    activity = selectors.activity_or_404(request.user, pk)
    if request.POST.get("confirm") != "1":
        return render(
            request,
            "activities/cancel_signup.html",
            {"activity": activity, "nav": "activities"},
        )
    try:
        services.signup_cancel(actor=request.user, activity=activity)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _resident_page(request, activity, status=400)
    messages.success(request, _("已取消报名。"))
    return redirect("activities:detail", pk=activity.pk)


@login_required
@require_GET
def mine(request):
    if not request.user.resident_id:
        raise Http404
    return render(
        request,
        "activities/mine.html",
        {"activities": selectors.my_activities(request.user), "nav": "activities"},
    )


@login_required
@require_GET
def my_qr(request):
    """The resident's check-in code, drawn on the server as inline SVG."""
    user = request.user
    if not user.resident_id:
        raise Http404
    resident = Resident.objects.get(pk=user.resident_id)
    token = services.resident_token(resident)
    return render(
        request,
        "activities/qr.html",
        {
            "resident": resident,
            "svg": qr_svg(token, scale=8, title=_("%(name)s的签到码") % {"name": resident.name}),
            "nav": "activities",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def quiz(request, pk: int):
    user = request.user
    activity = selectors.activity_or_404(user, pk)
    questions = list(activity.questions.prefetch_related("options"))
    if activity.outreach_format != "cloud" or not questions:
        raise Http404
    attempt = (
        activity.attempts.filter(resident_id=user.resident_id).first() if user.resident_id else None
    )
    errors, chosen, status = [], {}, 200
    if request.method == "POST" and attempt is None:
        for q in questions:
            raw = request.POST.get(f"q{q.pk}", "")
            if raw.isdigit():
                chosen[q.pk] = int(raw)
        try:
            attempt = services.quiz_submit(actor=user, activity=activity, answers=chosen)
        except PermissionDenied as exc:
            errors, status = [str(exc)], 403
        except ValidationError as exc:
            errors, status = exc.messages, 400
        else:
            messages.success(
                request,
                _("提交成功：答对%(c)d题，共%(t)d题。")
                % {"c": attempt.correct, "t": attempt.total},
            )
            return redirect("activities:quiz", pk=activity.pk)
    return render(
        request,
        "activities/quiz.html",
        {
            "activity": activity,
            "questions": questions,
            "attempt": attempt,
            "errors": errors,
            "chosen": chosen,
            "nav": "activities",
        },
        status=status,
    )


# --- staff -------------------------------------------------------------------------------


def _managed_communities(user):
    return scope_for(user, "manage_orgs").filter(Community.objects.all()).order_by("code")


@staff_required
@require_GET
def manage(request):
    user = request.user
    rows = list(
        selectors.with_counts(selectors.activity_list(user))
        .select_related("community")
        .order_by("-starts_at", "-pk")[:STAFF_PAGE]
    )
    return render(
        request,
        "activities/manage.html",
        {
            "activities": rows,
            "may_add": _managed_communities(user).exists(),
            "nav": "activities",
        },
    )


def _choices(community):
    organisers = [
        (f"team:{t.pk}", _("队伍：%(n)s") % {"n": t.name}, t)
        for t in Team.objects.filter(community=community).order_by("kind", "name")
    ]
    organisers += [
        (f"group:{g.pk}", _("志愿组织：%(n)s") % {"n": g.name}, g)
        for g in VolunteerGroup.objects.filter(community=community).order_by("kind", "name")
    ]
    organisers += [
        (f"partner:{p.pk}", _("共建单位：%(n)s") % {"n": p.short_name or p.name}, p)
        for p in PartnerUnit.objects.filter(communities=community).order_by("name")
    ]
    return {
        "organisers": organisers,
        "venues": list(Venue.objects.filter(community=community, is_active=True).order_by("name")),
        "wishes": list(
            Wish.objects.filter(
                community=community, status__in=[WishStatus.PUBLISHED, WishStatus.CLAIMED]
            ).order_by("-pk")[:50]
        ),
    }


def _initial(activity) -> dict:
    organiser = (
        f"team:{activity.team_id}"
        if activity.team_id
        else f"group:{activity.group_id}"
        if activity.group_id
        else f"partner:{activity.partner_id}"
    )
    start, end = timezone.localtime(activity.starts_at), timezone.localtime(activity.ends_at)
    return {
        "title": activity.title,
        "kind": activity.kind,
        "outreach_format": activity.outreach_format,
        "service_area": activity.service_area,
        "organiser": organiser,
        "venue": activity.venue_id or "",
        "place": activity.place,
        "day": start.date(),
        "start": start.time(),
        "end": end.time(),
        "capacity": activity.capacity,
        "wish": activity.wish_id or "",
        "description": activity.description,
    }


def _on_form(exc: ValidationError) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError(
        {{"starts_at": "start", "ends_at": "end"}.get(k, k): v for k, v in exc.message_dict.items()}
    )


@staff_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int | None = None):
    user = request.user
    activity = selectors.activity_or_404(user, pk) if pk else None
    if activity is not None and not rules.may_manage(user, activity):
        raise Http404
    communities = list(_managed_communities(user))
    if activity is None and not communities:
        raise Http404
    # A new activity of one of several communities (subdistrict staff): ``?community=``.
    chosen = request.GET.get("community", "")
    community = (
        activity.community
        if activity is not None
        else next((c for c in communities if str(c.pk) == chosen), communities[0])
    )
    choices = _choices(community)
    if request.method == "GET":
        initial = (
            _initial(activity)
            if activity
            else {"capacity": 30, "day": timezone.localdate() + dt.timedelta(days=1)}
        )
        form = ActivityForm(initial=initial, **choices)
        return render(
            request,
            "activities/edit.html",
            {
                "form": form,
                "activity": activity,
                "community": community,
                "communities": communities if activity is None else [],
                "nav": "activities",
            },
        )
    form = ActivityForm(request.POST, **choices)
    if form.is_valid():
        try:
            if activity is None:
                activity = services.activity_create(
                    actor=user, community=community, **form.service_kwargs()
                )
            else:
                services.activity_update(actor=user, activity=activity, **form.service_kwargs())
        except ValidationError as exc:
            apply_errors(form, _on_form(exc))
        else:
            messages.success(request, _("活动已保存。"))
            return redirect("activities:staff_detail", pk=activity.pk)
    return render(
        request,
        "activities/edit.html",
        {
            "form": form,
            "activity": activity,
            "community": community,
            "communities": communities if activity is None else [],
            "nav": "activities",
        },
        status=400,
    )


def _staff_page(request, activity, *, question_form=None, status=200):
    user = request.user
    return render(
        request,
        "activities/staff_detail.html",
        {
            "activity": activity,
            "figures": selectors.figures(activity),
            "taken": activity.signups.filter(cancelled_at__isnull=True).count(),
            "may_manage": rules.may_manage(user, activity),
            "may_check_in": rules.may_check_in(user, activity),
            "events": list(activity.events.select_related("actor")),
            "questions": list(activity.questions.prefetch_related("options")),
            "question_form": question_form or QuestionForm(),
            "nav": "activities",
        },
        status=status,
    )


@staff_required
@require_GET
def staff_detail(request, pk: int):
    return _staff_page(request, selectors.activity_or_404(request.user, pk))


@staff_required
@require_POST
def publish(request, pk: int):
    activity = selectors.activity_or_404(request.user, pk)
    if not rules.may_manage(request.user, activity):
        raise Http404
    try:
        services.activity_publish(actor=request.user, activity=activity)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已发布，居民可以报名了。"))
    return redirect("activities:staff_detail", pk=activity.pk)


def _with_confirm(request, pk: int, *, action: str):
    """Finish or cancel: the first POST shows what will happen; ``confirm`` does it."""
    user = request.user
    activity = selectors.activity_or_404(user, pk)
    if not rules.may_manage(user, activity):
        raise Http404
    form = ReasonForm(request.POST)
    form.is_valid()
    if request.POST.get("confirm") == "1":
        try:
            if action == "cancel":
                services.activity_cancel(
                    actor=user, activity=activity, reason=form.cleaned_data.get("reason", "")
                )
            else:
                services.activity_finish(actor=user, activity=activity)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("活动已取消。") if action == "cancel" else _("活动已结束。")
            )
            return redirect("activities:staff_detail", pk=activity.pk)
    return render(
        request,
        "activities/confirm.html",
        {"activity": activity, "form": form, "action": action, "nav": "activities"},
        status=400 if form.errors else 200,
    )


@staff_required
@require_POST
def cancel(request, pk: int):
    return _with_confirm(request, pk, action="cancel")


@staff_required
@require_POST
def finish(request, pk: int):
    return _with_confirm(request, pk, action="finish")


@staff_required
@require_POST
def question_add(request, pk: int):
    activity = selectors.activity_or_404(request.user, pk)
    if not rules.may_manage(request.user, activity):
        raise Http404
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.quiz_question_add(
                actor=request.user,
                activity=activity,
                text=form.cleaned_data["text"],
                options=form.option_list(),
                correct=form.cleaned_data["correct"] - 1,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("题目已添加。"))
            return redirect("activities:staff_detail", pk=activity.pk)
    return _staff_page(request, activity, question_form=form, status=400)


def _default_role(activity) -> str:
    """Who the people at the door are: the audience of a talk or a co-building activity,
    the people served by a volunteer service or a micro-service."""
    if activity.kind in (ActivityKind.VOLUNTEER, ActivityKind.MICRO_SERVICE):
        return CheckInRole.SERVED
    return CheckInRole.ATTENDEE


def _check_in_page(request, activity, *, form=None, status=200):
    user = request.user
    search = SearchForm(request.GET or None)
    found = []
    if search.is_valid() and search.cleaned_data["q"]:
        found = [
            r
            for r in resident_search(user, search.cleaned_data["q"], limit=20)
            if r.community_id == activity.community_id
        ]
    return render(
        request,
        "activities/check_in.html",
        {
            "activity": activity,
            "form": form or CheckInForm(initial={"role": _default_role(activity)}),
            "default_role": _default_role(activity),
            "roster": selectors.roster(activity),
            "figures": selectors.figures(activity),
            "search": search,
            "found": found,
            "layout": "workbench/base_staff.html"
            if is_staff_user(user)
            else "activities/base_resident.html",
            "nav": "activities",
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request, pk: int):
    user = request.user
    activity = selectors.activity_or_404(user, pk)
    if not rules.may_check_in(user, activity):
        raise Http404
    if request.method == "GET":
        return _check_in_page(request, activity)
    form = CheckInForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        resident = None
        if data["resident"] and not data["token"]:
            resident = Resident.objects.filter(
                pk=data["resident"], community_id=activity.community_id
            ).first()
            if resident is None:
                raise Http404
        try:
            row = services.check_in(
                actor=user,
                activity=activity,
                token=data["token"],
                resident=resident,
                role=data["role"],
                hours=data["hours"],
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s 签到成功。") % {"name": row.resident.name})
            return redirect("activities:check_in", pk=activity.pk)
    return _check_in_page(request, activity, form=form, status=400)


# --- volunteer groups --------------------------------------------------------------------


@staff_required
@require_GET
def groups(request):
    user = request.user
    return render(
        request,
        "activities/groups.html",
        {
            "groups": list(
                selectors.group_list(request.user).order_by("community__code", "kind", "name")
            ),
            "form": GroupForm() if _managed_communities(user).exists() else None,
            "nav": "activities",
        },
    )


@staff_required
@require_POST
def group_new(request):
    user = request.user
    communities = list(_managed_communities(user))
    if not communities:
        raise Http404
    form = GroupForm(request.POST)
    if form.is_valid():
        try:
            group = services.group_create(actor=user, community=communities[0], **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已新建。"))
            return redirect("activities:group", pk=group.pk)
    return render(
        request,
        "activities/groups.html",
        {
            "groups": list(selectors.group_list(user)),
            "form": form,
            "nav": "activities",
        },
        status=400,
    )


def _year(request) -> int:
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() else timezone.localdate().year
    return min(max(year, 2000), 2100)


def _group_page(request, group, *, status=200, error=""):
    user = request.user
    year = _year(request)
    search = SearchForm(request.GET or None)
    found = []
    may_manage = rules.may_manage_in(user, group.community)
    if may_manage and search.is_valid() and search.cleaned_data["q"]:
        found = [
            r
            for r in resident_search(user, search.cleaned_data["q"], limit=20)
            if r.community_id == group.community_id
        ]
    return render(
        request,
        "activities/group.html",
        {
            "group": group,
            "rows": selectors.member_hours(group, year),
            "year": year,
            "years": [year - 1, year + 1],
            "search": search,
            "found": found,
            "may_manage": may_manage,
            "error": error,
            "nav": "activities",
        },
        status=status,
    )


@staff_required
@require_GET
def group(request, pk: int):
    return _group_page(request, selectors.group_or_404(request.user, pk))


@staff_required
@require_POST
def group_member_add(request, pk: int):
    user = request.user
    group = selectors.group_or_404(user, pk)
    if not rules.may_manage_in(user, group.community):
        raise Http404
    raw = request.POST.get("resident", "")
    resident = (
        visible(user, Resident.objects.filter(pk=int(raw), community_id=group.community_id)).first()
        if raw.isdigit()
        else None
    )
    if resident is None:
        raise Http404
    try:
        services.group_member_add(actor=user, group=group, resident=resident)
    except ValidationError as exc:
        return _group_page(request, group, status=400, error=" ".join(exc.messages))
    messages.success(request, _("%(name)s 已加入。") % {"name": resident.name})
    return redirect("activities:group", pk=group.pk)
