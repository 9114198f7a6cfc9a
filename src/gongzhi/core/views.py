from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import audit, holidays, workcal
from .forms import AuditFilterForm, HolidayPeriodFormSet, HolidayYearForm, MakeUpDayFormSet
from .models import AuditEvent, HolidaySchedule
from .scoping import scope_for, visible

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


# --- the holiday schedule (节假日安排) -------------------------------------------------

BLANK_PERIOD_ROWS = 3
MIN_PERIOD_ROWS = 8
BLANK_MAKE_UP_ROWS = 3
MIN_MAKE_UP_ROWS = 6


def _year_rows(today: dt.date) -> list[dict]:
    """Last year, this year and the next two, each with where its days off come from."""
    entered = {
        s.year: s
        for s in HolidaySchedule.objects.filter(
            year__range=(today.year - 1, today.year + 2)
        ).select_related("updated_by")
    }
    rows = []
    for year in range(today.year - 1, today.year + 3):
        if year in entered:
            source = "entered"
        elif workcal.package_knows(year):
            source = "package"
        else:
            source = "missing"
        rows.append({"year": year, "source": source, "schedule": entered.get(year)})
    return rows


def _schedule_formsets(schedule: HolidaySchedule | None, data=None):
    if data is not None:
        return (
            HolidayPeriodFormSet(data, prefix="periods"),
            MakeUpDayFormSet(data, prefix="days"),
        )
    periods = [
        {"name": p.name, "first_day": p.first_day, "last_day": p.last_day}
        for p in (schedule.periods.all() if schedule else [])
    ]
    days = [
        {"day": m.day, "name": m.name} for m in (schedule.make_up_days.all() if schedule else [])
    ]
    periods += [{}] * max(BLANK_PERIOD_ROWS, MIN_PERIOD_ROWS - len(periods))
    days += [{}] * max(BLANK_MAKE_UP_ROWS, MIN_MAKE_UP_ROWS - len(days))
    return (
        HolidayPeriodFormSet(initial=periods, prefix="periods"),
        MakeUpDayFormSet(initial=days, prefix="days"),
    )


def _row_errors(formset) -> list[str]:
    """A date that is not one, said with its row number as the service says its own."""
    out = []
    for i, form in enumerate(formset.forms, start=1):
        for name, errors in form.errors.items():
            field = form.fields[name].label if name in form.fields else ""
            for e in errors:
                out.append(_("第%(n)d行：%(message)s") % {"n": i, "message": f"{field}：{e}"})
    return [*out, *formset.non_form_errors()]


def _chosen_year(raw: str | None, today: dt.date) -> int:
    """The year asked for, or the one that most needs entering (next year by default)."""
    year = int(raw) if raw and raw.strip().isdigit() and len(raw.strip()) <= 4 else None
    if year is None or not holidays.MIN_YEAR <= year <= holidays.MAX_YEAR:
        return workcal.missing_schedule_year(today) or today.year + 1
    return year


@login_required
@require_http_methods(["GET", "POST"])
def holiday_schedule(request):
    """节假日安排: which years' days off are known and where from, and the form to enter
    or correct one year (``?year=2027``). Operators and subdistrict staff; for anyone else
    the page is as absent as a record out of reach."""
    user = request.user
    if not holidays.may_manage_calendar(user):
        raise Http404
    today = timezone.localdate()
    raw = request.POST.get("year") if request.method == "POST" else request.GET.get("year")
    year = _chosen_year(raw, today)
    schedule = (
        HolidaySchedule.objects.filter(year=year)
        .prefetch_related("periods", "make_up_days")
        .first()
    )
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        year_form = HolidayYearForm(request.POST)
        periods, days = _schedule_formsets(schedule, request.POST)
        valid = all([year_form.is_valid(), periods.is_valid(), days.is_valid()])
        errors = {
            "periods": _row_errors(periods),
            "make_up_days": _row_errors(days),
        }
        if valid:
            try:
                holidays.holiday_schedule_save(
                    actor=user,
                    year=year_form.cleaned_data["year"],
                    source=year_form.cleaned_data["source"],
                    periods=[
                        holidays.PeriodRow(
                            name=f.cleaned_data.get("name") or "",
                            first_day=f.cleaned_data.get("first_day"),
                            last_day=f.cleaned_data.get("last_day"),
                            row=i,
                        )
                        for i, f in enumerate(periods.forms, start=1)
                        if not f.is_blank()
                    ],
                    make_up_days=[
                        holidays.MakeUpRow(
                            day=f.cleaned_data.get("day"),
                            name=f.cleaned_data.get("name") or "",
                            row=i,
                        )
                        for i, f in enumerate(days.forms, start=1)
                        if not f.is_blank()
                    ],
                )
            except ValidationError as exc:
                for key, words in exc.message_dict.items():
                    if key in year_form.fields:
                        year_form.add_error(key, words)
                    else:
                        errors.setdefault(key, []).extend(words)
            else:
                messages.success(
                    request,
                    _("已保存%(year)d年的节假日安排，此后计算的办理时限按此安排。")
                    % {"year": year_form.cleaned_data["year"]},
                )
                return redirect(
                    f"{reverse('calendar:schedule')}?year={year_form.cleaned_data['year']}"
                )
        status = 400
    else:
        periods, days = _schedule_formsets(schedule)
        year_form = HolidayYearForm(
            initial={"year": year, "source": schedule.source if schedule else ""}
        )
    return render(
        request,
        "calendar/schedule.html",
        {
            "year": year,
            "years": _year_rows(today),
            "schedule": schedule,
            "package_knows": workcal.package_knows(year),
            "year_form": year_form,
            "periods": periods,
            "days": days,
            "period_errors": errors.get("periods", []),
            "day_errors": errors.get("make_up_days", []),
            "nav": "calendar",
        },
        status=status,
    )
