from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.scoping import require
from gongzhi.places.models import Community

from . import selectors, services
from .forms import ExportForm, ImportForm
from .models import ExportStatus, ImportStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT_JOBS = 20


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = _content_disposition(filename)
    return response


def _content_disposition(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"register.xlsx\"; filename*=UTF-8''{quote(filename)}"


@login_required
@require_http_methods(["GET", "POST"])
def home(request):
    user = request.user
    selectors.require_somewhere(user, "import_register")
    if request.method == "POST":
        community_id = request.POST.get("community", "")
        community = (
            Community.objects.filter(pk=community_id).first() if community_id.isdigit() else None
        )
        if community is not None:
            # Someone else's community answers 404, a visible one without the right 403.
            require(user, "import_register", community)
        form = ImportForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            job = services.register_import_start(
                actor=user,
                community=form.cleaned_data["community"],
                file_name=form.cleaned_data["file"].name,
                data=form.data_bytes,
            )
            return redirect("register:job", pk=job.pk)
        status = 400
    else:
        form = ImportForm(user=user)
        status = 200
    jobs = selectors.import_job_list_visible_to(user)[:RECENT_JOBS]
    return render(request, "register/home.html", {"form": form, "jobs": jobs}, status=status)


@login_required
@require_GET
def template_download(request):
    selectors.require_somewhere(request.user, "import_register")
    return _xlsx_response(services.register_template_workbook(), "居民登记导入模板.xlsx")


def _job_context(job):
    errors = job.error_report[:200] if job.status == ImportStatus.FAILED else []
    return {
        "job": job,
        "progress": None if job.finished else services.import_progress(job),
        "errors": errors,
        "errors_truncated": job.error_count > len(errors),
    }


@login_required
@require_GET
def job_detail(request, pk: int):
    job = selectors.import_job_get(request.user, pk)
    return render(request, "register/job.html", _job_context(job))


@login_required
@require_GET
def job_progress(request, pk: int):
    job = selectors.import_job_get(request.user, pk)
    return render(request, "register/_progress.html", _job_context(job))


@login_required
@require_GET
def job_errors(request, pk: int):
    job = selectors.import_job_get(request.user, pk)
    if job.status != ImportStatus.FAILED or not job.error_report:
        return redirect("register:job", pk=job.pk)
    return _xlsx_response(
        services.register_error_workbook(job), _("导入错误说明_%(name)s") % {"name": job.file_name}
    )


@login_required
@require_http_methods(["GET", "POST"])
def export(request):
    user = request.user
    selectors.require_somewhere(user, "export")
    form = ExportForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        where = {"building": form.cleaned_data["building"], "grid": form.cleaned_data["grid"]}
        if services.register_export_needs_job(actor=user, **where):
            job = services.register_export_start(
                actor=user,
                **where,
                reveal=form.cleaned_data.get("reveal", False),
                reason=form.cleaned_data.get("reason"),
                reason_note=form.cleaned_data.get("reason_note", ""),
            )
            return redirect("register:export_job", pk=job.pk)
        result = services.register_export(
            actor=user,
            building=form.cleaned_data["building"],
            grid=form.cleaned_data["grid"],
            reveal=form.cleaned_data.get("reveal", False),
            reason=form.cleaned_data.get("reason"),
            reason_note=form.cleaned_data.get("reason_note", ""),
        )
        response = FileResponse(result.file, content_type=XLSX)
        response["Content-Disposition"] = _content_disposition(result.filename)
        return response
    status = 400 if request.method == "POST" else 200
    return render(request, "register/export.html", {"form": form}, status=status)


@login_required
@require_GET
def export_job(request, pk: int):
    job = selectors.export_job_get(request.user, pk)
    template = "register/_export_job.html" if request.htmx else "register/export_job.html"
    return render(request, template, {"job": job})


@login_required
@require_GET
def export_download(request, pk: int):
    job = selectors.export_job_get(request.user, pk)
    if job.status != ExportStatus.DONE:
        return redirect("register:export_job", pk=job.pk)
    return _xlsx_response(services.register_export_file(job), job.file_name)
