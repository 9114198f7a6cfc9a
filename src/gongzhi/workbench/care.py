"""关爱名单: the residents who are cared for — 高龄 (80+), 独居, 低保, 残疾, 重点关爱 — in
one's reach, by grid or building, with the day each was last visited; printable, and
exported (always masked) by those who may export."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.scoping import scope_for, visible
from gongzhi.places import selectors, services
from gongzhi.places.models import Building, Grid
from gongzhi.register.selectors import require_somewhere

from .forms import CareFilterForm, apply_errors
from .views import staff_required

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filter_form(request, data):
    """The filter form over what the user sees. Buildings are offered within one grid (the
    chosen one, or the only one in reach), so that a subdistrict's hundreds of buildings
    never fill one list."""
    user = request.user
    grids = visible(user, Grid.objects.select_related("community")).order_by(
        "community_id", "sort_key", "code"
    )
    grid_ids = list(grids.values_list("pk", flat=True))
    raw = (data or {}).get("grid") or ""
    chosen = int(raw) if raw.isdigit() and int(raw) in grid_ids else None
    if chosen is None and len(grid_ids) == 1:
        chosen = grid_ids[0]
    buildings = visible(user, Building.objects.select_related("compound"))
    buildings = (
        buildings.filter(grid_id=chosen).order_by("sort_key", "number")
        if chosen
        else buildings.none()
    )
    form = CareFilterForm(
        data,
        categories=selectors.care_categories(),
        grids=grids,
        buildings=buildings,
        initial={"category": selectors.CARE_ANY},
    )
    return form, len(grid_ids)


def _filters(form) -> dict:
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return {
        "category": data.get("category") or selectors.CARE_ANY,
        "grid": data.get("grid"),
        "building": data.get("building"),
    }


def _title(form, filters) -> str:
    labels = dict(form.fields["category"].choices)
    parts = [str(labels.get(filters["category"], ""))]
    if filters["grid"]:
        parts.append(str(filters["grid"]))
    if filters["building"]:
        parts.append(f"{filters['building'].compound.name} {filters['building']}")
    return _("关爱名单：%(what)s") % {"what": " · ".join(p for p in parts if p)}


def _page(request, form, grid_count: int, *, status: int = 200):
    user = request.user
    filters = _filters(form)
    qs = selectors.care_list(user, **filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workbench/care_list.html",
        {
            "form": form,
            "filters": filters,
            "title": _title(form, filters),
            "page": page,
            "query": query.urlencode(),
            "today": timezone.localdate(),
            "show_grid": grid_count > 1,
            "may_export": not scope_for(user, "export").empty,
            "may_visit": not scope_for(user, "submit_on_behalf").empty,
            "here": request.get_full_path(),
            "nav": "care",
        },
        status=status,
    )


@staff_required
@require_GET
def care_list(request):
    form, grid_count = _filter_form(request, request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    return _page(request, form, grid_count, status=200 if valid else 400)


@staff_required
@require_POST
def care_export(request):
    """The list as the filters above it say, as a masked .xlsx (``places.services``)."""
    user = request.user
    require_somewhere(user, "export")
    form, grid_count = _filter_form(request, request.POST)
    if not form.is_valid():
        return _page(request, form, grid_count, status=400)
    filters = _filters(form)
    try:
        data, _count = services.care_list_export(actor=user, title=_title(form, filters), **filters)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _page(request, form, grid_count, status=400)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, _("关爱名单_%(day)s.xlsx") % {"day": f"{timezone.localdate():%Y%m%d}"}
    )
    return response
