"""Routing suggestions: what category, unit, level and urgency a text reads as. Reads no
item and no person, so any signed-in caller may ask; the community used to pick a unit
is the caller's own when they have exactly one in reach."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Schema

from gongzhi.core.scoping import visible
from gongzhi.places.models import Community
from gongzhi.voices.routing import suggest

from .api import ERRORS, api
from .inputs import limited

MAX_TEXT = 2000


class SuggestIn(Schema):
    text: str = limited(MAX_TEXT, ..., description="居民反映的内容（简体或繁体）")


class CategoryBriefOut(Schema):
    code: str
    name: str


class UnitBriefOut(Schema):
    id: int
    name: str


class SuggestionOut(Schema):
    category: CategoryBriefOut
    unit: UnitBriefOut | None
    level: str
    urgent: bool
    score: float


class SuggestOut(Schema):
    suggestions: list[SuggestionOut]


def _caller_community(user):
    # A subdistrict post reaches several communities: no single one to prefer, so the
    # units learnt across all of them serve.
    communities = list(visible(user, Community.objects.only("id"))[:2])
    return communities[0] if len(communities) == 1 else None


@api.post(
    "/routing/suggest",
    response={200: SuggestOut, **ERRORS},
    tags=["routing"],
)
def routing_suggest(request, payload: SuggestIn):
    """Ranked suggestions (best first) of category, responsible unit, handling level and
    urgency for a resident's text; at least one (其他 when nothing fits)."""
    text = payload.text.strip()
    if not text:
        raise ValidationError({"text": [_("请填写反映的内容。")]})
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": [_("内容不能超过 %(max)d 个字。") % {"max": MAX_TEXT}]})
    suggestions = suggest(text, community=_caller_community(request.auth))
    return {
        "suggestions": [
            {
                "category": {"code": s.category.code, "name": s.category.name},
                "unit": {"id": s.unit.pk, "name": s.unit.name} if s.unit else None,
                "level": s.level,
                "urgent": s.urgent,
                "score": s.score,
            }
            for s in suggestions
        ]
    }
