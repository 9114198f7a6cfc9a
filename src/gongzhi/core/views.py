from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import audit
from .forms import AuditFilterForm
from .models import AuditEvent
from .scoping import scope_for, visible


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers a query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# --- the audit log --------------------------------------------------------------------

AUDIT_PAGE_SIZE = 30


@dataclass
class AuditRow:
    event: AuditEvent
    sentence: str
    changes: list[tuple[str, str]]


@login_required
@require_GET
def audit_log(request):
    """审计日志 of the reader's region (``view_audit``): who did what to which record,
    newest first, filtered by dates, person, action and record. For anyone else the page
    is as absent as a record out of reach."""
    user = request.user
    if scope_for(user, "view_audit").empty:
        raise Http404
    form = AuditFilterForm(request.GET or None)
    events = visible(user, AuditEvent.objects.select_related("actor"), "view_audit")
    valid = form.is_valid() if form.is_bound else True
    if form.is_bound and valid:
        events = _filtered(events, form.cleaned_data)
    page = Paginator(events.order_by("-at", "-id"), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [AuditRow(e, audit.describe(e), audit.change_rows(e)) for e in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode(), "nav": "audit"},
        status=200 if valid else 400,
    )


def _filtered(events, data):
    zone = timezone.get_current_timezone()
    if data["since"]:
        events = events.filter(at__gte=dt.datetime.combine(data["since"], dt.time.min, zone))
    if data["until"]:
        day_after = data["until"] + dt.timedelta(days=1)
        events = events.filter(at__lt=dt.datetime.combine(day_after, dt.time.min, zone))
    if data["actor"]:
        events = events.filter(
            Q(actor_label__icontains=data["actor"])
            | Q(actor__display_name__icontains=data["actor"])
        )
    if data["action"]:
        action = data["action"]
        events = events.filter(Q(action=action) | Q(action__startswith=f"{action}."))
    if data["object"]:
        events = events.filter(object_repr__icontains=data["object"])
    if data["object_type"]:
        events = events.filter(object_type=data["object_type"])
        if data["object_id"]:
            events = events.filter(object_id=data["object_id"])
    return events
