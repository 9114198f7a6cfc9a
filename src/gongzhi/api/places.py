from __future__ import annotations

from ninja import Schema

from gongzhi.places.selectors import community_figures

from .api import api


class CommunityOut(Schema):
    code: str
    name: str
    buildings: int
    households: int
    residents: int
    residents_60_plus: int


@api.get("/communities", response=list[CommunityOut], tags=["places"])
def communities(request):
    """Communities the caller may see, with figures counted from records in the caller's reach."""
    return [
        {
            "code": row["community"].code,
            "name": row["community"].name,
            "buildings": row["buildings"],
            "households": row["households"],
            "residents": row["residents"],
            "residents_60_plus": row["residents_60_plus"],
        }
        for row in community_figures(request.auth)
    ]
