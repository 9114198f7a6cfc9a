"""The work report (工作报告): the page with its period picker and sections, the form for
its paragraphs, the print page, and the .docx and .xlsx downloads.

Every page reads its area and period through ``reports.selectors.area_for``, which is
``figures.selectors.window_for``: the same reach (``view_measures``) as the dashboard. A
caller with no reach at all gets 404, as on the dashboard."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from gongzhi.accounts.decorators import staff_required
from gongzhi.core.scoping import scope_for, visible
from gongzhi.figures.selectors import CAPABILITY
from gongzhi.places.models import Community, Subdistrict

from . import builder, documents, rules, selectors, services
from .models import PARAGRAPH_MAX, TITLE_MAX

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _asked(params) -> dict:
    return {
        "community": params.get("community", "")[:32],
        "subdistrict": params.get("subdistrict", "")[:32],
        "start": params.get("from", "")[:10],
        "end": params.get("to", "")[:10],
    }


def _errors(error: ValidationError) -> list[str]:
    return [m for messages in error.message_dict.values() for m in messages]


def _area(request, params=None):
    """(area, asked, errors, status): the area asked for; when it cannot be read, this year
    over the caller's whole reach, with the Chinese reasons and a 400."""
    user = request.user
    if scope_for(user, CAPABILITY).empty:
        raise Http404
    asked = _asked(params if params is not None else request.GET)
    this_year = timezone.localdate().replace(month=1, day=1).isoformat()
    if not asked["start"]:
        asked["start"] = this_year
    try:
        return selectors.area_for(user, **asked), asked, [], 200
    except ValidationError as error:
        fallback = {"community": "", "subdistrict": "", "start": this_year, "end": ""}
        return selectors.area_for(user, **fallback), fallback, _errors(error), 400


def _report(area, asked) -> builder.Report:
    saved = selectors.report_for(area)
    return builder.build(
        area.window,
        area=area.name,
        asked=asked,
        title=saved.title if saved else "",
        paragraphs=saved.paragraphs if saved else {},
    )


def _choices(user):
    communities = visible(user, Community.objects.all(), CAPABILITY).order_by("code")
    subdistricts = visible(user, Subdistrict.objects.all(), CAPABILITY).order_by("code")
    return list(communities.only("code", "name")), list(subdistricts.only("code", "name"))


def _context(request, area, asked, report, errors, **extra):
    communities, subdistricts = _choices(request.user)
    return {
        "nav": "reports",
        "report": report,
        "area": area,
        "asked": asked,
        "query": report.query,
        "errors": errors,
        "communities": communities,
        "subdistricts": subdistricts,
        "editable": rules.can_edit(
            request.user, community=area.community, subdistrict=area.subdistrict
        ),
        **extra,
    }


@staff_required
def work(request):
    area, asked, errors, status = _area(request)
    report = _report(area, asked)
    return render(
        request,
        "reports/work.html",
        _context(request, area, asked, report, errors),
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def work_edit(request):
    """The title and each section's paragraph, for an area the caller may write for (any
    other answers 404, as a missing one does). A refusal keeps every word typed, with the
    reasons in Chinese above the form."""
    user = request.user
    if scope_for(user, CAPABILITY).empty:
        raise Http404
    params = request.POST if request.method == "POST" else request.GET
    asked = _asked(params)
    if not asked["start"]:
        asked["start"] = timezone.localdate().replace(month=1, day=1).isoformat()
    errors: list[str] = []
    status = 200
    try:
        area = selectors.area_for(user, **asked)
    except ValidationError as error:
        if {"community", "subdistrict"} & set(error.message_dict):
            raise Http404 from error
        # A period that cannot be read: the form again, over this year, with the reasons
        # and every word typed; the dates stay as typed in the form's hidden fields.
        errors, status = _errors(error), 400
        area = selectors.area_for(
            user,
            community=asked["community"],
            subdistrict=asked["subdistrict"],
            start=timezone.localdate().replace(month=1, day=1).isoformat(),
        )
    if not rules.can_edit(user, community=area.community, subdistrict=area.subdistrict):
        raise Http404
    report = _report(area, asked)
    typed = None
    if request.method == "POST":
        typed = {
            "title": request.POST.get("title", ""),
            **{key: request.POST.get(f"paragraph_{key}", "") for key in builder.SECTION_KEYS},
        }
        if not errors:
            try:
                services.report_save(
                    actor=user,
                    community=area.community,
                    subdistrict=area.subdistrict,
                    start=area.window.start,
                    end=area.window.end,
                    title=typed["title"],
                    paragraphs={k: typed[k] for k in builder.SECTION_KEYS},
                )
            except ValidationError as error:
                errors, status = _errors(error), 400
            except PermissionDenied as error:
                raise Http404 from error
            else:
                return redirect(f"{reverse('reports:work')}?{report.query}")
        # Every word typed stays in the form.
        report.title = typed["title"]
        for section in report.sections:
            section.paragraph = typed[section.key]
    return render(
        request,
        "reports/work_edit.html",
        _context(request, area, asked, report, errors, typed=typed, **_limits()),
        status=status,
    )


def _limits() -> dict:
    return {"title_max": TITLE_MAX, "paragraph_max": PARAGRAPH_MAX}


@staff_required
def work_print(request):
    area, asked, errors, status = _area(request)
    report = _report(area, asked)
    return render(
        request,
        "reports/work_print.html",
        {**_context(request, area, asked, report, errors), "base_url": _base(request)},
        status=status,
    )


def _base(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _filename(report: builder.Report, ext: str) -> str:
    start = report.window.start.isoformat() if report.window.start else ""
    return f"work-report-{start}-{report.window.end.isoformat()}.{ext}"


@staff_required
def work_docx(request):
    area, asked, errors, status = _area(request)
    if errors:
        return _refused(request, area, asked, errors)
    report = _report(area, asked)
    response = HttpResponse(
        documents.report_docx(report, base_url=_base(request)), content_type=DOCX
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "docx")}"'
    return response


@staff_required
def work_xlsx(request):
    area, asked, errors, status = _area(request)
    if errors:
        return _refused(request, area, asked, errors)
    report = _report(area, asked)
    response = HttpResponse(documents.report_xlsx(report, actor=request.user), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "xlsx")}"'
    return response


def _refused(request, area, asked, errors):
    """A download asked for a period that cannot be read: the report page with the
    reasons, not a file of another period."""
    report = _report(area, asked)
    return render(
        request,
        "reports/work.html",
        _context(request, area, asked, report, errors),
        status=400,
    )
