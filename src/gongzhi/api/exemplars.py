"""Exemplars (微典型) over the API, through the same rules, selectors and services as the
pages: published stories with consent, in the caller's communities; nominating a neighbour
or oneself (a resident) or a resident of one's reach (staff, 社区发现); the nominations a
reviewer may see, reasons included — never to anyone else."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from gongzhi.core.choices import choice_label
from gongzhi.core.scoping import get_visible_or_404
from gongzhi.exemplars import rules, selectors, services
from gongzhi.exemplars.models import HINT_MAX, NAME_MAX, REASONS_MAX, Nomination, Story
from gongzhi.places.models import Community, Resident

from .api import ERRORS, api
from .inputs import Id, code, filter_, limited
from .pagination import Mapped, Page

TAGS = ["exemplars"]


class ExemplarStoryOut(Schema):
    id: int
    title: str
    text: str
    category: str
    category_label: str
    name: str = Field(..., description="本人姓名（本人已同意公开）")
    community: str = Field(..., description="社区编码")
    published_at: dt.datetime
    photos: int


def _story_out(s: Story) -> dict:
    return {
        "id": s.pk,
        "title": s.title,
        "text": s.text,
        "category": s.category,
        "category_label": choice_label(s, "category"),
        "name": s.resident.name,
        "community": s.community.code,
        "published_at": s.published_at,
        "photos": len(s.photos.all()),
    }


@api.get("/exemplars/stories", response={200: list[ExemplarStoryOut], **ERRORS}, tags=TAGS)
@paginate(Page)
def exemplar_stories(request):
    """Published stories, with the person's consent on record, of the caller's communities."""
    qs = selectors.stories_public(request.auth).prefetch_related("photos")
    return Mapped(qs, _story_out)


class ExemplarNominationOut(Schema):
    id: int
    source: str
    source_label: str
    category: str
    category_label: str
    status: str
    status_label: str
    nominee_name: str
    nominee_id: int | None
    community: str
    created_at: dt.datetime
    reasons: str | None = Field(None, description="推荐理由：仅审核人可见，从不公开")


def _nomination_out(n: Nomination, *, reviewer: bool) -> dict:
    return {
        "id": n.pk,
        "source": n.source,
        "source_label": choice_label(n, "source"),
        "category": n.category,
        "category_label": choice_label(n, "category"),
        "status": n.status,
        "status_label": choice_label(n, "status"),
        "nominee_name": n.nominee_name,
        "nominee_id": n.nominee_id if reviewer else None,
        "community": n.community.code,
        "created_at": n.created_at,
        "reasons": n.reasons if reviewer else None,
    }


class ExemplarNominationIn(Schema):
    category: str = code(20, ...)
    reasons: str = limited(REASONS_MAX, ...)
    myself: bool = Field(False, description="居民推荐自己")
    nominee_name: str = limited(NAME_MAX, description="被推荐人姓名")
    nominee_hint: str = limited(HINT_MAX, description="住在哪里")
    resident_id: Id | None = Field(None, description="工作人员登记社区发现的典型：居民编号")
    community_id: Id | None = Field(None, description="工作人员按姓名登记时：社区编号")


@api.post("/exemplars/nominations", response={201: ExemplarNominationOut, **ERRORS}, tags=TAGS)
def exemplar_nominate(request, payload: ExemplarNominationIn):
    """A resident nominates a neighbour (by name) or themself; staff nominate a resident of
    their reach (``resident_id``) or a person of one of their communities by name."""
    user = request.auth
    nominee = community = None
    if payload.resident_id is not None:
        nominee = get_visible_or_404(
            user, Resident.objects.all(), rules.REVIEW, pk=payload.resident_id
        )
    elif payload.community_id is not None:
        community = get_visible_or_404(
            user, Community.objects.all(), rules.REVIEW, pk=payload.community_id
        )
    elif not rules.may_nominate(user):
        raise Http404
    nomination = services.nomination_submit(
        actor=user,
        category=payload.category,
        reasons=payload.reasons,
        nominee_name=payload.nominee_name,
        nominee_hint=payload.nominee_hint,
        myself=payload.myself,
        nominee=nominee,
        community=community,
    )
    return Status(201, _nomination_out(nomination, reviewer=rules.may_review(user, nomination)))


@api.get("/exemplars/nominations", response={200: list[ExemplarNominationOut], **ERRORS}, tags=TAGS)
@paginate(Page)
def exemplar_nominations(request, status: str = filter_(20, description="状态代码")):
    """The nominations the caller reviews (their reach), newest first, reasons included."""
    qs = selectors.nominations_for_review(request.auth, status=status)
    return Mapped(qs, lambda n: _nomination_out(n, reviewer=True))
