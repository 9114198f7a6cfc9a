"""Venue pages for post holders (the staff layout; they work on a 390 px phone).

- ``/venues/``: the venues of one's community, how much each was used in the last 30
  days, and for those who manage them the requests waiting for a decision.
- ``/venues/<id>/``: what it is for, when it is open, the week's bookings, and the
  booking form for those who may book.
- ``/venues/bookings/``: requests to decide, and one's own bookings.
Refusing and cancelling ask first: a second page says what will happen.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.decorators import staff_required
from gongzhi.core.forms import apply_errors
from gongzhi.core.scoping import scope_for
from gongzhi.orgs.models import Team
from gongzhi.places.models import Community

from . import rules, selectors, services
from .enums import BookingStatus
from .forms import BookingForm, ReasonForm, VenueForm

USAGE_DAYS = 30


def _managed_communities(user):
    return scope_for(user, "manage_orgs").filter(Community.objects.all()).order_by("code")


@staff_required
@require_GET
def venue_list(request):
    user = request.user
    venues = list(selectors.venue_list(user).order_by("community__code", "kind", "name"))
    now = timezone.now()
    used = selectors.usage(venues, since=now - dt.timedelta(days=USAGE_DAYS), until=now)
    return render(
        request,
        "venues/list.html",
        {
            "rows": [(v, used.get(v.pk)) for v in venues],
            "days": USAGE_DAYS,
            "waiting": selectors.pending(user).count(),
            "may_add": _managed_communities(user).exists(),
            "nav": "venues",
        },
    )


def _week_of(request) -> dt.date:
    try:
        day = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localdate()
    return selectors.week_start(day)


def _teams(venue):
    return list(Team.objects.filter(community_id=venue.community_id).order_by("kind", "name"))


def _venue_page(request, venue, form=None, status=200, monday=None):
    user = request.user
    monday = monday or _week_of(request)
    may_book = rules.may_book(user, venue)
    if form is None and may_book:
        form = BookingForm(
            teams=_teams(venue), initial={"day": timezone.localdate() + dt.timedelta(days=1)}
        )
    now = timezone.now()
    return render(
        request,
        "venues/venue.html",
        {
            "venue": venue,
            "days": selectors.week(venue, monday),
            "monday": monday,
            "previous": monday - dt.timedelta(days=7),
            "next": monday + dt.timedelta(days=7),
            "form": form if may_book else None,
            "may_manage": rules.may_manage(user, venue),
            "used": selectors.usage(
                [venue], since=now - dt.timedelta(days=USAGE_DAYS), until=now
            ).get(venue.pk),
            "usage_days": USAGE_DAYS,
            "nav": "venues",
        },
        status=status,
    )


@staff_required
@require_GET
def venue_detail(request, pk: int):
    return _venue_page(request, selectors.venue_or_404(request.user, pk))


@staff_required
@require_POST
def venue_book(request, pk: int):
    user = request.user
    venue = selectors.venue_or_404(user, pk)
    if not rules.may_book(user, venue):
        raise PermissionDenied
    teams = _teams(venue)
    form = BookingForm(request.POST, teams=teams)
    if form.is_valid():
        starts_at, ends_at = form.moments()
        try:
            booking = services.booking_request(
                actor=user,
                venue=venue,
                starts_at=starts_at,
                ends_at=ends_at,
                purpose=form.cleaned_data["purpose"],
                expected=form.cleaned_data["expected"],
                organiser=form.cleaned_data["organiser"],
                team=form.teams.get(form.cleaned_data["team"] or ""),
            )
        except ValidationError as exc:
            apply_errors(form, _on_form(exc))
        else:
            if booking.status == BookingStatus.APPROVED:
                messages.success(request, _("已预约成功。"))
            else:
                messages.success(request, _("预约已提交，等待社区审批。"))
            return redirect(
                f"{venue_url(venue)}?week={selectors.week_start(form.cleaned_data['day'])}"
            )
    day = form.cleaned_data.get("day") if hasattr(form, "cleaned_data") else None
    monday = selectors.week_start(day) if day else None
    return _venue_page(request, venue, form=form, status=400, monday=monday)


def _on_form(exc: ValidationError) -> ValidationError:
    """The service names moments (``starts_at``/``ends_at``); the form asks for a day and
    two times: show those refusals beside the times."""
    if not hasattr(exc, "error_dict"):
        return exc
    renamed = {
        {"starts_at": "start", "ends_at": "end", "venue": "__all__"}.get(k, k): v
        for k, v in exc.message_dict.items()
    }
    return ValidationError(renamed)


def venue_url(venue) -> str:
    from django.urls import reverse

    return reverse("venues:detail", args=[venue.pk])


@staff_required
@require_http_methods(["GET", "POST"])
def venue_edit(request, pk: int | None = None):
    user = request.user
    venue = selectors.venue_or_404(user, pk) if pk else None
    communities = list(_managed_communities(user))
    if venue is not None and not rules.may_manage(user, venue):
        raise Http404
    if venue is None and not communities:
        raise Http404
    if request.method == "GET":
        initial = {}
        if venue is not None:
            initial = {
                "name": venue.name,
                "kind": venue.kind,
                "address": venue.address,
                "purposes": venue.purposes,
                "capacity": venue.capacity,
                "needs_approval": venue.needs_approval,
                "is_active": venue.is_active,
                "periods": _periods_text(venue),
            }
        form = VenueForm(initial=initial, communities=communities if venue is None else ())
        return render(request, "venues/edit.html", {"form": form, "venue": venue, "nav": "venues"})
    form = VenueForm(request.POST, communities=communities if venue is None else ())
    if form.is_valid():
        data = form.cleaned_data
        new = venue is None
        try:
            # The venue and its hours together, or neither: a refused line of opening
            # hours leaves no venue without hours behind.
            with transaction.atomic():
                if new:
                    venue = services.venue_create(
                        actor=user,
                        community=next(
                            (c for c in communities if str(c.pk) == data.get("community")),
                            communities[0],
                        ),
                        kind=data["kind"],
                        name=data["name"],
                        address=data["address"],
                        purposes=data["purposes"],
                        capacity=data["capacity"],
                        needs_approval=data["needs_approval"],
                    )
                else:
                    services.venue_update(
                        actor=user,
                        venue=venue,
                        name=data["name"],
                        kind=data["kind"],
                        address=data["address"],
                        purposes=data["purposes"],
                        capacity=data["capacity"],
                        needs_approval=data["needs_approval"],
                        is_active=data["is_active"],
                    )
                services.venue_set_hours(actor=user, venue=venue, text=data["periods"])
        except ValidationError as exc:
            if new:
                venue = None
            apply_errors(form, exc)
        else:
            messages.success(request, _("场地已保存。"))
            return redirect("venues:detail", pk=venue.pk)
    return render(
        request, "venues/edit.html", {"form": form, "venue": venue, "nav": "venues"}, status=400
    )


def _periods_text(venue) -> str:
    by_spans: dict[tuple, list[int]] = {}
    periods = list(venue.periods.all())
    for day in range(7):
        spans = tuple((p.opens, p.closes) for p in periods if p.weekday == day)
        if spans:
            by_spans.setdefault(spans, []).append(day + 1)
    lines = []
    for spans, days in by_spans.items():
        day_text = ",".join(str(d) for d in days)
        if days == list(range(days[0], days[-1] + 1)) and len(days) > 1:
            day_text = f"{days[0]}-{days[-1]}"
        lines.append(day_text + " " + " ".join(f"{o:%H:%M}-{c:%H:%M}" for o, c in spans))
    return "\n".join(lines)


@staff_required
@require_GET
def bookings(request):
    user = request.user
    return render(
        request,
        "venues/bookings.html",
        {
            "waiting": list(selectors.pending(user)[:200]),
            "mine": list(selectors.mine(user)[:100]),
            "nav": "venue_bookings",
        },
    )


@staff_required
@require_POST
def booking_approve(request, pk: int):
    booking = selectors.booking_or_404(request.user, pk)
    try:
        services.booking_approve(actor=request.user, booking=booking)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已批准。"))
    return redirect("venues:bookings")


def _decide_with_confirm(request, pk: int, *, action: str):
    """Refuse or cancel: the first POST shows what will happen; ``confirm`` does it."""
    user = request.user
    booking = selectors.booking_or_404(user, pk)
    allowed = (
        rules.may_manage(user, booking.venue)
        if action == "refuse"
        else rules.may_cancel(user, booking)
    )
    if not allowed:
        raise Http404
    form = ReasonForm(request.POST)
    form.is_valid()
    if request.POST.get("confirm") == "1":
        call = services.booking_refuse if action == "refuse" else services.booking_cancel
        try:
            call(actor=user, booking=booking, reason=form.cleaned_data.get("reason", ""))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已不批准。") if action == "refuse" else _("预约已取消。"))
            return redirect("venues:bookings")
    return render(
        request,
        "venues/confirm.html",
        {"booking": booking, "form": form, "action": action, "nav": "venue_bookings"},
        status=400 if form.errors else 200,
    )


@staff_required
@require_POST
def booking_refuse(request, pk: int):
    return _decide_with_confirm(request, pk, action="refuse")


@staff_required
@require_POST
def booking_cancel(request, pk: int):
    return _decide_with_confirm(request, pk, action="cancel")
