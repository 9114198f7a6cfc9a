"""Reads for the register pages, through the one scoping mechanism."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from gongzhi.core.scoping import get_visible_or_404, scope_for, visible
from gongzhi.places.models import Building, Community, Grid

from .models import ExportJob, ImportJob


def import_job_list_visible_to(user) -> QuerySet[ImportJob]:
    # The sealed upload is the worker's; pages never need it.
    return (
        visible(user, ImportJob.objects.all(), "import_register")
        .select_related("community", "uploaded_by")
        .defer("upload")
    )


def import_job_get(user, pk: int) -> ImportJob:
    return get_visible_or_404(
        user,
        ImportJob.objects.select_related("community", "uploaded_by").defer("upload"),
        "import_register",
        pk=pk,
    )


def import_community_list(user) -> QuerySet[Community]:
    return visible(user, Community.objects.all(), "import_register").order_by("code")


def export_building_list(user) -> QuerySet[Building]:
    return visible(user, Building.objects.all(), "export").select_related("community")


def export_grid_list(user) -> QuerySet[Grid]:
    return visible(user, Grid.objects.all(), "export").select_related("community")


def require_somewhere(user, capability: str) -> None:
    """For pages that are not about one record: 404 to someone who sees nothing (as for a
    record outside their reach), 403 to someone who sees records but lacks ``capability``."""
    if not scope_for(user, capability).empty:
        return
    if not scope_for(user, "view").empty:
        raise PermissionDenied
    raise Http404


def may_reveal_somewhere(user) -> bool:
    return not scope_for(user, "reveal_pii").empty


def export_job_get(user, pk: int) -> ExportJob:
    """An export job, to the person who asked for it only: the file is theirs (their reach,
    their reveal reason), so anyone else, whatever their reach, gets the same 404 as for a
    job that does not exist. The sealed file is left unread until a download asks."""
    job = (
        ExportJob.objects.filter(pk=pk, requested_by_id=getattr(user, "pk", None))
        .defer("file")
        .first()
    )
    if job is None:
        raise Http404
    return job
