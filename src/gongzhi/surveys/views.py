"""Survey pages: the visitor's phone page (works offline: a service worker keeps it and
its assets, the records wait in IndexedDB and sync when the signal returns), the staff
campaign page with live rates and a server-drawn progress chart, paper entry, the masked
export, the base survey's progress, the visit log, and the resident's own questionnaire.

Reads go through ``surveys.selectors`` (scoped), writes through ``surveys.services``; a
campaign out of reach answers 404 exactly like a missing one.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.rules import is_staff_user
from gongzhi.core.exports import Workbook, export_notice
from gongzhi.core.scoping import get_visible_or_404
from gongzhi.places.models import Household

from . import rules, selectors, services, setup_views
from .enums import Channel, Outcome, ResponseStatus, VisitAim
from .models import Response

STAFF_LAYOUT = "surveys/base_staff.html"
RESIDENT_LAYOUT = "surveys/base_resident.html"
SW_SOURCE = Path(__file__).resolve().parent / "static" / "surveys" / "sw.js"


def staff_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_staff_user(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


# --- the visitor's phone ----------------------------------------------------------------


@require_GET
def service_worker(request):
    """The service worker, from a URL under /surveys/ so that its scope covers the phone
    pages (a worker served from /static/ could only control /static/)."""
    response = HttpResponse(SW_SOURCE.read_bytes(), content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    return response


@login_required
@require_GET
def phone(request, pk: int):
    """The visitor's assignment: households by building → outcome → questionnaire. The
    data travels in the page, so the page cached by the service worker works offline."""
    campaign = selectors.campaign_get_visible(request.user, pk)
    data = selectors.assignment_data(request.user, campaign)
    data["outcomes"] = [{"value": v, "label": str(label)} for v, label in Outcome.choices]
    return render(
        request,
        "surveys/phone.html",
        {"campaign": campaign, "data": data, "layout": _layout(request.user)},
    )


def _layout(user) -> str:
    return STAFF_LAYOUT if is_staff_user(user) else RESIDENT_LAYOUT


# --- staff ------------------------------------------------------------------------------


@login_required
@require_GET
def campaigns(request):
    """入户调查: the campaigns over the reader's reach or assignment."""
    rows = list(selectors.campaigns_visible_to(request.user))
    return render(
        request,
        "surveys/campaigns.html",
        {
            "campaigns": rows,
            "layout": _layout(request.user),
            "may_create": is_staff_user(request.user)
            and bool(setup_views.managed_communities(request.user)),
        },
    )


def progress_chart(series: list[dict], households: int) -> dict:
    """Points of the daily progress chart, drawn by the server as SVG: cumulative reached
    and valid households over the days, scaled to a 600×200 box."""
    width, height, pad = 600, 200, 30
    if not series or not households:
        return {"width": width, "height": height, "reached": "", "valid": "", "days": []}
    first, last = series[0]["day"], series[-1]["day"]
    span = max((last - first).days, 1)

    def point(day: dt.date, value: int) -> str:
        x = pad + (width - 2 * pad) * (day - first).days / span
        y = height - pad - (height - 2 * pad) * value / households
        return f"{x:.1f},{y:.1f}"

    return {
        "width": width,
        "height": height,
        "reached": " ".join(point(d["day"], d["reached_total"]) for d in series),
        "valid": " ".join(point(d["day"], d["valid_total"]) for d in series),
        "first": first,
        "last": last,
        "top": height - pad - (height - 2 * pad),
        "bottom": height - pad,
        "left": pad,
        "right": width - pad,
    }


@staff_required
@require_GET
def campaign(request, pk: int):
    """One campaign: coverage, valid and support per building and grid, the daily chart,
    the households still to visit and the second answers waiting for review."""
    c = selectors.campaign_get_visible(request.user, pk)
    rates = selectors.rates(request.user, c)
    series = selectors.daily_progress(request.user, c)
    may_manage = rules.may_manage(request.user, c.community)
    return render(
        request,
        "surveys/campaign.html",
        {
            "campaign": c,
            "rates": rates,
            "series": series,
            "chart": progress_chart(series, rates.overall.households),
            "to_visit": list(selectors.still_to_visit(request.user, c)[:200]),
            "review": list(
                selectors.responses_for(request.user, c).filter(status=ResponseStatus.REVIEW)
            ),
            "may_manage": may_manage,
            "assignments": setup_views.assignments_of(c) if may_manage else [],
            "assign_form": setup_views.assignment_form(c) if may_manage else None,
        },
    )


@staff_required
@require_POST
def review(request, pk: int):
    response = (
        Response.objects.filter(
            pk=pk,
            campaign__in=selectors.campaigns_visible_to(request.user),
        )
        .select_related("campaign__community")
        .first()
    )
    if response is None:
        raise Http404
    try:
        services.response_resolve(
            actor=request.user, response=response, keep=request.POST.get("keep") == "1"
        )
        messages.success(request, _("已复核。"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("surveys:campaign", response.campaign_id)


@staff_required
@require_POST
def close(request, pk: int):
    c = selectors.campaign_get_visible(request.user, pk)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("请勾选确认后再结束调查。"))
        return redirect("surveys:campaign", c.pk)
    try:
        services.campaign_close(actor=request.user, campaign=c)
        messages.success(request, _("调查已结束。"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("surveys:campaign", c.pk)


@staff_required
@require_http_methods(["GET", "POST"])
def paper(request, pk: int):
    """Enter a paper questionnaire afterwards, with the photo of the signed sheet. The
    channel is paper and the person entering it is recorded."""
    c = selectors.campaign_get_visible(request.user, pk)
    version = selectors.current_version(c)
    questions = list(version.questions.all()) if version else []
    households = list(
        selectors.households_for(request.user, c)
        .select_related("household")
        .order_by("household__address_label")
    )
    members = selectors.members_for_answer(h.household_id for h in households)
    errors: dict[str, list[str]] = {}
    values = request.POST
    if request.method == "POST":
        answers: dict = {}
        for q in questions:
            if q.kind == "multiple":
                answers[q.key] = request.POST.getlist(q.key)
            elif q.kind == "yes_no":
                v = request.POST.get(q.key)
                answers[q.key] = {"yes": True, "no": False}.get(v)
            elif q.kind != "photo":
                answers[q.key] = request.POST.get(q.key, "")
        upload = request.FILES.get("photo")
        try:
            if upload is not None and upload.size > services.PHOTO_MAX_BYTES:
                raise ValidationError({"photo": _("照片不能超过2MB，请压缩后再上传。")})
            services.response_record(
                actor=request.user,
                campaign=c,
                household_id=_int(request.POST.get("household")),
                version_id=version.pk if version else None,
                answers=answers,
                respondent_id=_int(request.POST.get("respondent")),
                consent=request.POST.get("consent") == "1",
                channel=Channel.PAPER,
                answered_at=_answered_at(request.POST.get("answered_on")),
                photo=upload.read() if upload is not None else None,
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            messages.success(request, _("纸质问卷已录入。"))
            return redirect("surveys:paper", c.pk)
    return render(
        request,
        "surveys/paper.html",
        {
            "campaign": c,
            "questions": questions,
            "households": households,
            "members": [m for h in households for m in members.get(h.household_id, [])],
            "errors": errors,
            "values": values,
            "today": timezone.localdate(),
        },
        status=422 if errors else 200,
    )


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _answered_at(value):
    try:
        day = dt.date.fromisoformat(value or "")
    except ValueError:
        raise ValidationError(
            {"answered_on": _("请按“2026-03-01”的格式填写有效的日期。")}
        ) from None
    # A sheet from today is dated now: noon may still be ahead.
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


@staff_required
@require_GET
def export(request, pk: int):
    """The campaign's answers as .xlsx: households by address, respondents masked to
    their surname, every cell through ``core.exports`` (formulas neutralised)."""
    c = selectors.campaign_get_visible(request.user, pk)
    version = selectors.current_version(c)
    keys = [q.key for q in version.questions.all()] if version else []
    book = Workbook(notice=export_notice(request.user), notice_row=True)
    sheet = book.sheet(_("答卷"), freeze_header=True)
    sheet.write_row(
        [_("住户"), _("答卷人"), _("来源"), _("状态"), _("支持"), _("答卷时间"), *keys], bold=True
    )
    for r in selectors.responses_for(request.user, c):
        sheet.write_row(
            [
                r.household.address_label,
                (r.respondent.name[:1] + "*") if r.respondent else "",
                r.get_channel_display(),
                r.get_status_display(),
                {True: _("支持"), False: _("不支持")}.get(r.supports, ""),
                timezone.localtime(r.answered_at).strftime("%Y-%m-%d %H:%M"),
                *[_cell(r.answers.get(k)) for k in keys],
            ]
        )
    rates = selectors.rates(request.user, c)
    sheet = book.sheet(_("楼栋进度"))
    sheet.write_row(
        [
            _("楼栋"),
            _("户数"),
            _("已走访"),
            _("有效"),
            _("表态"),
            _("支持"),
            _("覆盖率%"),
            _("有效率%"),
            _("支持率%"),
        ],
        bold=True,
    )
    for b in [*rates.buildings, rates.overall]:
        sheet.write_row(
            [
                b.label or _("合计"),
                b.households,
                b.reached,
                b.valid,
                b.stated,
                b.support,
                b.coverage,
                b.valid_rate,
                b.support_rate,
            ]
        )
    response = HttpResponse(
        book.save(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="survey-{c.pk}.xlsx"'
    return response


def _cell(value):
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return value


@staff_required
@require_GET
def base_surveys(request):
    """楼栋摸排: each base survey with its progress per grid."""
    rows = [
        {"survey": s, "grids": selectors.base_survey_progress(request.user, s)}
        for s in selectors.base_surveys_visible_to(request.user)
    ]
    return render(
        request,
        "surveys/base_surveys.html",
        {"rows": rows, "may_create": bool(setup_views.managed_communities(request.user))},
    )


@staff_required
@require_GET
def base_survey(request, pk: int):
    """One base survey: the records, each beside the people structure from the register."""
    survey = selectors.base_surveys_visible_to(request.user).filter(pk=pk).first()
    if survey is None:
        raise Http404
    records = list(selectors.building_records(request.user, survey))
    people = selectors.people_structure(r.building_id for r in records)
    return render(
        request,
        "surveys/base_survey.html",
        {
            "survey": survey,
            "grids": selectors.base_survey_progress(request.user, survey),
            "records": [(r, people.get(r.building_id, {})) for r in records],
            "may_record": bool(setup_views.unsurveyed_buildings(request.user, survey)),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def visit_logs(request):
    """民情日志: the visits of the reader's reach, and a form to log one (a problem heard
    can become a residents'-voice item in the same step)."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        household = get_visible_or_404(
            request.user, Household.objects.all(), pk=_int(request.POST.get("household"))
        )
        try:
            day = dt.date.fromisoformat(request.POST.get("visited_on") or "")
        except ValueError:
            day = None
        try:
            services.visit_log_record(
                actor=request.user,
                household=household,
                aim=request.POST.get("aim", ""),
                heard=request.POST.get("heard", ""),
                visited_on=day,
                raise_item=request.POST.get("raise_item") == "1",
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("民情日志已记录。"))
            return redirect("surveys:visit_logs")
    logs = list(selectors.visit_logs_visible_to(request.user)[:100])
    return render(
        request,
        "surveys/visit_logs.html",
        {
            "logs": logs,
            "aims": VisitAim.choices,
            "errors": errors,
            "values": request.POST,
            "today": timezone.localdate(),
        },
        status=422 if errors else 200,
    )


# --- residents --------------------------------------------------------------------------


def _own_household(user) -> Household | None:
    if not user.resident_id:
        return None
    return Household.objects.filter(residents__pk=user.resident_id).first()


@login_required
@never_cache
@require_GET
def mine(request):
    """The resident's open questionnaires, and whether their household has answered."""
    household = _own_household(request.user)
    rows = selectors.open_for_household(household) if household else []
    return render(request, "surveys/mine.html", {"rows": rows, "household": household})


@login_required
@require_http_methods(["GET", "POST"])
def answer(request, pk: int):
    """A resident answers for their own household, in large type."""
    household = _own_household(request.user)
    if household is None:
        raise Http404
    row = next((r for r in selectors.open_for_household(household) if r["campaign"].pk == pk), None)
    if row is None:
        raise Http404
    c = row["campaign"]
    version = selectors.current_version(c)
    questions = list(version.questions.all()) if version else []
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        answers: dict = {}
        for q in questions:
            if q.kind == "multiple":
                answers[q.key] = request.POST.getlist(q.key)
            elif q.kind == "yes_no":
                answers[q.key] = {"yes": True, "no": False}.get(request.POST.get(q.key))
            elif q.kind != "photo":
                answers[q.key] = request.POST.get(q.key, "")
        try:
            services.resident_answer(
                actor=request.user,
                campaign=c,
                version_id=version.pk if version else None,
                answers=answers,
                consent=request.POST.get("consent") == "1",
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            messages.success(request, _("谢谢您！您家的问卷已提交。"))
            return redirect("surveys:mine")
    return render(
        request,
        "surveys/answer.html",
        {
            "campaign": c,
            "questions": [q for q in questions if q.kind != "photo"],
            "errors": errors,
            "values": request.POST,
            "answered": row["answered"],
        },
        status=422 if errors else 200,
    )
