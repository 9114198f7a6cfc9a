"""Reads of exemplars, through the one scoping mechanism (``core.scoping``).

The public side (``stories_public``, ``commendations_public``) shows only what staff
checked: published stories whose person's consent is on record, in the communities of the
reader's reach. The staff side shows nominations and stories of the reviewer's reach.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from gongzhi.core.scoping import scope_for, visible

from . import rules
from .enums import NominationStatus, StoryStatus
from .models import Commendation, Consent, Nomination, Story, StoryPhoto


def _in_reach(user, qs: QuerySet) -> QuerySet:
    reach = rules.communities_in_reach(user)
    if reach is None:
        return qs
    return qs.filter(community_id__in=sorted(reach))


def consented() -> Exists:
    return Exists(Consent.objects.filter(story=OuterRef("pk"), withdrawn_at__isnull=True))


def stories_public(user) -> QuerySet[Story]:
    """Published stories with consent on record, newest first."""
    qs = Story.objects.filter(consented(), status=StoryStatus.PUBLISHED)
    return (
        _in_reach(user, qs).select_related("resident", "community").order_by("-published_at", "-pk")
    )


def story_public_or_404(user, pk: int) -> Story:
    story = stories_public(user).prefetch_related("photos").filter(pk=pk).first()
    if story is None:
        raise Http404
    return story


def commendations_public(user) -> QuerySet[Commendation]:
    return (
        _in_reach(user, Commendation.objects.all())
        .select_related("resident", "community", "story")
        .order_by("-year", "title", "pk")
    )


def by_year(commendations) -> list[tuple[int, list[Commendation]]]:
    years: dict[int, list[Commendation]] = {}
    for c in commendations:
        years.setdefault(c.year, []).append(c)
    return sorted(years.items(), reverse=True)


def nominations_for_review(user, *, status: str = "") -> QuerySet[Nomination]:
    qs = visible(user, Nomination.objects.all(), rules.REVIEW).select_related(
        "nominee", "community", "nominated_by", "story"
    )
    if status in NominationStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def nomination_or_404(user, pk: int) -> Nomination:
    nomination = nominations_for_review(user).filter(pk=pk).first()
    if nomination is None:
        raise Http404
    return nomination


def stories_for_staff(user) -> QuerySet[Story]:
    return (
        visible(user, Story.objects.all(), rules.REVIEW)
        .annotate(has_consent=consented())
        .select_related("resident", "community")
        .order_by("status", "-created_at", "-pk")
    )


def story_for_staff_or_404(user, pk: int) -> Story:
    story = stories_for_staff(user).prefetch_related("photos", "consents").filter(pk=pk).first()
    if story is None:
        raise Http404
    return story


def photo_or_404(user, story_pk: int, photo_pk: int) -> StoryPhoto:
    """A story's photo, for whoever may read the story: the public once published with
    consent, staff of its reach before."""
    story = stories_public(user).filter(pk=story_pk).first()
    if story is None:
        story = stories_for_staff(user).filter(pk=story_pk).first()
    photo = StoryPhoto.objects.filter(story=story, pk=photo_pk).first() if story else None
    if photo is None:
        raise Http404
    return photo


def commendations_for_staff(user) -> QuerySet[Commendation]:
    return (
        scope_for(user, rules.PUBLISH)
        .filter(Commendation.objects.all())
        .select_related("resident", "community")
        .order_by("-year", "title", "pk")
    )
