"""Reads of renewal projects, always through ``core.scoping``: one ``Q`` over the project's
community, or over the entrances it touches (``ProjectEntrance``, whose place columns make
it one indexed ``IN``), a resident's own building, or a partner unit's participation.
Figures (affected households, residents, opinions, progress) are counted here from
records."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from gongzhi.core.scoping import scope_for
from gongzhi.places.enums import ResidentStatus
from gongzhi.places.models import Household, Resident

from .enums import ANSWERED, TAKEN, Answer, RoundStatus
from .models import (
    Opinion,
    PlanRound,
    PlanVersion,
    Project,
    ProjectEntrance,
    ProjectEvent,
    VersionChange,
)


def _resident_building_id(user) -> int | None:
    if not user.resident_id:
        return None
    return (
        Resident.objects.filter(pk=user.resident_id, status=ResidentStatus.LIVING)
        .values_list("household__building_id", flat=True)
        .first()
    )


def project_q(user, capability: str = "view") -> Q:
    """The projects ``user`` may see (or act on with ``capability``), as one ``Q``."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    scope = scope_for(user, capability)
    if scope.everything:
        return Q()
    q = Q(pk__in=[])
    if not scope.empty:
        q |= scope.q_for(Project, containers=False)
        touch_q = scope.q_for(ProjectEntrance, containers=False)
        q |= Q(pk__in=ProjectEntrance.objects.filter(touch_q).values("project_id"))
    if capability == "view":
        building_id = _resident_building_id(user)
        if building_id:
            q |= Q(
                pk__in=ProjectEntrance.objects.filter(building_id=building_id).values("project_id")
            )
        if getattr(user, "partner_unit_id", None):
            q |= Q(unit_links__unit_id=user.partner_unit_id)
    return q


def project_list_visible_to(user, capability: str = "view") -> QuerySet[Project]:
    return Project.objects.filter(project_q(user, capability)).distinct()


def project_list(user, *, kind: str = "", status: str = "") -> QuerySet[Project]:
    """The staff list: each row with its community, current phase and counts, in a fixed
    number of queries however many projects there are."""
    qs = project_list_visible_to(user).select_related("community", "current_phase")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(
        pending_count=Count("opinions", filter=Q(opinions__answer=Answer.PENDING), distinct=True),
        building_count=Count("touches__building", distinct=True),
    ).order_by("-created_at", "-id")


def project_get_visible(user, pk: int) -> Project:
    project = (
        project_list_visible_to(user)
        .select_related("community", "current_phase", "created_by")
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise Http404
    return project


@dataclass(frozen=True)
class Affected:
    buildings: int
    entrances: int
    households: int
    residents: int


def affected(project: Project) -> Affected:
    """Counted from the register through the touched entrances, never typed."""
    touches = ProjectEntrance.objects.filter(project=project)
    entrance_ids = touches.values("entrance_id")
    counts = touches.aggregate(
        b=Count("building_id", distinct=True), e=Count("entrance_id", distinct=True)
    )
    households = Household.objects.filter(entrance_id__in=entrance_ids).count()
    residents = Resident.objects.filter(
        household__entrance_id__in=entrance_ids, status=ResidentStatus.LIVING
    ).count()
    return Affected(counts["b"], counts["e"], households, residents)


def affected_residents(project: Project) -> QuerySet[Resident]:
    entrance_ids = ProjectEntrance.objects.filter(project=project).values("entrance_id")
    return Resident.objects.filter(
        household__entrance_id__in=entrance_ids, status=ResidentStatus.LIVING
    )


def rounds_of(project: Project) -> list[PlanRound]:
    changes = VersionChange.objects.prefetch_related("opinions").order_by("order", "id")
    return list(
        PlanRound.objects.filter(project=project)
        .select_related("phase", "version")
        .prefetch_related(Prefetch("version__changes", queryset=changes))
        .annotate(
            opinion_count=Count("opinions", distinct=True),
            answered_count=Count(
                "opinions", filter=Q(opinions__answer__in=ANSWERED), distinct=True
            ),
        )
        .order_by("number")
    )


def opinions_of(project: Project, *, pending_only: bool = False) -> QuerySet[Opinion]:
    qs = Opinion.objects.filter(project=project).select_related(
        "round", "phase", "household", "voice_item", "building"
    )
    if pending_only:
        qs = qs.filter(answer=Answer.PENDING)
    return qs.order_by("created_at", "id")


def events_of(project: Project) -> QuerySet[ProjectEvent]:
    return (
        ProjectEvent.objects.filter(project=project).select_related("phase").order_by("-at", "-id")
    )


def progress(project: Project) -> tuple[int, int, int]:
    """(done milestones, all milestones, percent): the progress figure, from records."""
    counts = project.milestones.aggregate(
        total=Count("id"), done=Count("id", filter=Q(done_on__isnull=False))
    )
    total, done = counts["total"], counts["done"]
    return done, total, round(100 * done / total) if total else 0


def round_get(project: Project, number: int) -> PlanRound:
    rnd = (
        PlanRound.objects.filter(project=project, number=number)
        .select_related("version", "phase")
        .first()
    )
    if rnd is None:
        raise Http404
    return rnd


@dataclass
class Comparison:
    left: PlanVersion
    right: PlanVersion
    # Each change of the right version with the opinions that caused it (public text).
    changes: list[VersionChange]


def compare(project: Project, left: int, right: int) -> Comparison:
    """Two versions side by side, with what changed between them and which opinions
    caused it (the changes recorded on every version after ``left`` up to ``right``)."""
    if left == right:
        raise Http404
    left, right = sorted((left, right))
    versions = {
        v.round.number: v
        for v in PlanVersion.objects.filter(
            round__project=project, round__number__in=[left, right]
        ).select_related("round")
    }
    if left not in versions or right not in versions:
        raise Http404
    changes = list(
        VersionChange.objects.filter(
            version__round__project=project,
            version__round__number__gt=left,
            version__round__number__lte=right,
        )
        .select_related("version__round")
        .prefetch_related("opinions")
        .order_by("version__round__number", "order", "id")
    )
    return Comparison(versions[left], versions[right], changes)


# --- the resident's side ----------------------------------------------------------------


def projects_for_building(building_id: int) -> QuerySet[Project]:
    return (
        Project.objects.filter(
            pk__in=ProjectEntrance.objects.filter(building_id=building_id).values("project_id")
        )
        .select_related("current_phase")
        .order_by("-created_at", "-id")
    )


def public_rounds(project: Project) -> list[PlanRound]:
    """Rounds residents see: published ones, newest first."""
    return [r for r in rounds_of(project) if r.status != RoundStatus.DRAFT][::-1]


def said_and_changed(project: Project) -> list[VersionChange]:
    """你说 · 我改: the changes that opinions caused, with the opinions as staff cleared
    them for residents to read (``public_text``)."""
    return list(
        VersionChange.objects.filter(version__round__project=project)
        .filter(opinions__answer__in=TAKEN)
        .distinct()
        .select_related("version__round")
        .prefetch_related(
            Prefetch(
                "opinions",
                queryset=Opinion.objects.filter(answer__in=TAKEN).order_by("id"),
            )
        )
        .order_by("version__round__number", "order", "id")
    )


def my_opinions(resident_id: int, project: Project) -> QuerySet[Opinion]:
    return Opinion.objects.filter(resident_id=resident_id, project=project).order_by(
        "-created_at", "-id"
    )
