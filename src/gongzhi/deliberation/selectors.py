"""Reads of deliberation, always through ``core.scoping``; a partner unit reaches the
tasks given to it; the public reads only what staff wrote for the public (a matter's
notice, approved topics, talents who consented)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from gongzhi.core.scoping import scope_for, visible

from .enums import Stage, TalentStatus, TopicStatus
from .models import Corner, Invitee, Matter, Meeting, Talent, Task, Topic

# Stages in which a matter's notice and outcome are public.
PUBLIC_STAGES = (Stage.NOTICE, Stage.EVALUATE, Stage.CLOSED)


def matter_list_visible_to(user, *, stage: str = "") -> QuerySet[Matter]:
    qs = visible(user, Matter.objects.all())
    if stage:
        qs = qs.filter(stage=stage)
    return qs.select_related("community", "building", "item").order_by("-created_at", "-id")


def matter_get_visible(user, pk: int) -> Matter:
    matter = matter_list_visible_to(user).filter(pk=pk).first()
    if matter is None:
        raise Http404
    return matter


def stage_counts(user) -> dict[str, int]:
    """How many matters in the user's reach stand at each stage, counted."""
    rows = (
        visible(user, Matter.objects.all()).values_list("stage").annotate(n=Count("id")).order_by()
    )
    counts = dict.fromkeys(Stage.values, 0)
    counts.update(dict(rows))
    return counts


def matter_public(pk: int) -> Matter:
    """A matter whose notice is public: from 示 on. Shows only what staff wrote."""
    matter = (
        Matter.objects.filter(pk=pk, stage__in=PUBLIC_STAGES)
        .select_related("community", "building")
        .first()
    )
    if matter is None:
        raise Http404
    return matter


def history(matter: Matter) -> list:
    return list(matter.transitions.order_by("at", "id"))


def meeting_list_visible_to(user, *, kind: str = "") -> QuerySet[Meeting]:
    qs = visible(user, Meeting.objects.all())
    if kind:
        qs = qs.filter(kind=kind)
    return (
        qs.select_related("community", "matter", "corner", "host_talent")
        .annotate(
            invited=Count("invitees", distinct=True),
            attended=Count(
                "invitees", filter=Q(invitees__signed_in_at__isnull=False), distinct=True
            ),
        )
        .order_by("-starts_at", "-id")
    )


def meeting_get_visible(user, pk: int) -> Meeting:
    meeting = meeting_list_visible_to(user).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


def invitees(meeting: Meeting) -> list[Invitee]:
    return list(
        meeting.invitees.select_related("resident", "household", "partner_unit").order_by("id")
    )


def attendance(meetings: QuerySet[Meeting]) -> int:
    """Person-times (人次): every sign-in at the given meetings, counted."""
    return Invitee.objects.filter(meeting__in=meetings, signed_in_at__isnull=False).count()


def task_q(user) -> Q:
    """Tasks in the user's reach, given to them, or given to their unit."""
    scope = scope_for(user, "view")
    q = scope.q_for(Task) if not scope.empty else Q(pk__in=[])
    if user.is_authenticated:
        q |= Q(owner_user_id=user.pk)
    if getattr(user, "partner_unit_id", None):
        q |= Q(owner_unit_id=user.partner_unit_id)
    return q


def task_list_visible_to(user, *, open_only: bool = False) -> QuerySet[Task]:
    if not getattr(user, "is_authenticated", False):
        return Task.objects.none()
    qs = Task.objects.filter(task_q(user))
    if open_only:
        qs = qs.filter(done_at=None)
    return qs.select_related("owner_user", "owner_unit", "matter", "meeting").order_by(
        "done_at", "due_at", "id"
    )


def task_get_visible(user, pk: int) -> Task:
    task = task_list_visible_to(user).filter(pk=pk).first()
    if task is None:
        raise Http404
    return task


def topic_list_visible_to(user) -> QuerySet[Topic]:
    return (
        visible(user, Topic.objects.all())
        .select_related("community", "resident")
        .order_by("-created_at", "-id")
    )


def topic_get_visible(user, pk: int) -> Topic:
    topic = topic_list_visible_to(user).filter(pk=pk).first()
    if topic is None:
        raise Http404
    return topic


def topics_public(community_id: int) -> QuerySet[Topic]:
    return Topic.objects.filter(
        community_id=community_id, status__in=[TopicStatus.APPROVED, TopicStatus.DISCUSSED]
    ).order_by("-created_at", "-id")


def corner_list_visible_to(user) -> QuerySet[Corner]:
    return (
        visible(user, Corner.objects.all())
        .select_related("community")
        .annotate(sessions_count=Count("sessions"))
        .order_by("community_id", "id")
    )


def talent_list_visible_to(user) -> QuerySet[Talent]:
    return (
        visible(user, Talent.objects.all())
        .select_related("community", "resident")
        .order_by("community_id", "name", "id")
    )


def talent_get_visible(user, pk: int) -> Talent:
    talent = talent_list_visible_to(user).filter(pk=pk).first()
    if talent is None:
        raise Http404
    return talent


def talents_public(community_id: int) -> QuerySet[Talent]:
    """Who may be shown: approved, with the person's consent on record."""
    return Talent.objects.filter(
        community_id=community_id, status=TalentStatus.APPROVED, consent_at__isnull=False
    ).order_by("name", "id")
