from __future__ import annotations

from ninja import Schema

from gongzhi.accounts.rules import CAPABILITIES
from gongzhi.core.choices import choice_label
from gongzhi.core.scoping import scope_for
from gongzhi.orgs.models import Post

from .api import ERRORS, api


class NodeOut(Schema):
    level: str
    id: int
    name: str


class PostOut(Schema):
    id: int
    kind: str
    kind_label: str
    node: NodeOut
    started_on: str


class MeOut(Schema):
    username: str
    display_name: str
    is_superuser: bool
    posts: list[PostOut]
    # The household of a resident login (own household, view only).
    household_id: int | None
    partner_unit_id: int | None
    # Capabilities the caller holds over at least one place; where is in each record.
    capabilities: list[str]


@api.get("/me", response={200: MeOut, **ERRORS}, tags=["accounts"])
def me(request):
    """Who the caller is, the posts that give their reach, and what they may do there."""
    user = request.auth
    posts = (
        Post.objects.active()
        .filter(user=user)
        .select_related("entrance__building", *Post.NODE_FIELDS)
    )
    household_id = None
    if user.resident_id:
        household_id = user.resident.household_id
    return {
        "username": user.get_username(),
        "display_name": user.display_name or user.get_username(),
        "is_superuser": user.is_superuser,
        "posts": [
            {
                "id": p.pk,
                "kind": p.kind,
                "kind_label": choice_label(p, "kind"),
                "node": {"level": p.level, "id": p.node.pk, "name": str(p.node)},
                "started_on": p.started_on.isoformat(),
            }
            for p in posts
        ],
        "household_id": household_id,
        "partner_unit_id": user.partner_unit_id,
        "capabilities": [cap for cap in CAPABILITIES if not scope_for(user, cap).empty],
    }
