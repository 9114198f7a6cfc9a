"""Finding items that already say what a resident is about to say: shown before submitting
(so they can add a "me too" instead) and at triage (so staff can merge).

Candidates are the open items at and around the problem's place — its building and the
other buildings of its compound, and the compound's items that name no building (the
gate, the courtyard); for a public place of the community, the community's items that name
no compound. A duplicate is someone's report of the same thing at the same place, whoever
reported it and wherever they live; the building and compound indexes keep the read small
however large the community grows.
"""

from __future__ import annotations

import math
from collections import Counter

from .enums import OPEN_STATUSES
from .models import Item
from .routing import bigrams, normalise, words

# Cosine of TF-IDF vectors (words, content characters and character pairs). Two reports
# of the same matter in one building, worded differently, score about 0.25–0.65;
# different matters in one building stay below 0.15.
THRESHOLD = 0.2
# Bound on what is read per call; a compound never has this many open items in practice.
MAX_CANDIDATES = 300
# An item of another building of the compound is offered too (the path between two
# buildings, a building picked one off), but weighs less: when the same building has the
# same report, that one comes first, and a nearby one must read closer to pass.
NEARBY_WEIGHT = 0.8


# Characters that carry no matter of their own: function words, numbers, the place words
# every report in a building shares.
_STOP_CHARS = frozenset(
    "的了是在我你他她它有和就都也还又很太吧呢啊吗呀哦嘛么这那个些"
    "一二三四五六七八九十几天号楼栋单元里上下家人到给把被让对从向着过得地之以请想能会要没不好多大小点"
)


def match_features(text: str) -> list[str]:
    """Words, single content characters and character pairs. Single characters matter
    here: 灯坏了 and 灯不亮 share no word and no pair, only 灯."""
    simple = normalise(text)
    chars = [c for c in simple if "\u4e00" <= c <= "\u9fff" and c not in _STOP_CHARS]
    return (
        [f"w:{w}" for w in words(text)]
        + [f"c:{c}" for c in chars]
        + [f"b:{b}" for b in bigrams(text)]
    )


def _pk(value):
    return getattr(value, "pk", value)


def _tfidf(counts: Counter, idf) -> dict[str, float]:
    vector = {f: (1 + math.log(n)) * idf(f) for f, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {f: v / norm for f, v in vector.items()}


def similarity_scores(text: str, others: list[str]) -> list[float]:
    """Cosine similarity of ``text`` to each of ``others``. A feature found in few of the
    candidates weighs more than one all of them share (the building's 楼道, 单元门);
    features no candidate has weigh 1, as they tell nothing for or against any of them.

    IDF is counted over the candidates only: counting the text itself in would make every
    feature it shares with a candidate look *more* common, the opposite of the evidence."""
    query_counts = Counter(match_features(text))
    docs = [Counter(match_features(o)) for o in others]
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(doc.keys())
    n = len(docs)

    def idf(feature: str) -> float:
        d = df.get(feature, 0)
        return 1 + math.log((n + 1) / (d + 1)) if d else 1.0

    query = _tfidf(query_counts, idf)
    scores = []
    for doc in docs:
        vector = _tfidf(doc, idf)
        scores.append(sum(w * vector.get(f, 0.0) for f, w in query.items()))
    return scores


def similar_open_items(
    *,
    text: str,
    community,
    building=None,
    compound=None,
    community_wide: bool = False,
    exclude=None,
    limit: int = 5,
    threshold: float = THRESHOLD,
    public_only: bool = False,
) -> list[tuple[Item, float]]:
    """Open items at or near a place of the community that read like ``text``, best first,
    each with its similarity in 0..1 (times ``NEARBY_WEIGHT`` for another building's).
    One query, the items' building loaded with them.

    - ``building`` and ``compound``: the building's items, the compound's items that name
      no building, and the other buildings' items of the compound (nearby);
    - ``building`` alone: the building's items;
    - ``compound`` alone: every item of the compound (a public place there);
    - ``community_wide``: the community's items that name no compound (its square, its
      roads)."""
    if not (text or "").strip():
        return []
    qs = Item.objects.filter(community_id=_pk(community), status__in=OPEN_STATUSES)
    if compound is not None:
        qs = qs.filter(compound_id=_pk(compound))
    elif building is not None:
        qs = qs.filter(building_id=_pk(building))
    elif community_wide:
        qs = qs.filter(compound__isnull=True, building__isnull=True)
    else:
        return []
    if exclude is not None:
        qs = qs.exclude(pk=_pk(exclude))
    if public_only:
        # Shown to neighbours: a private report is never among them.
        qs = qs.filter(private=False)
    candidates = list(
        qs.select_related("building").order_by("-submitted_at", "-id")[:MAX_CANDIDATES]
    )
    if not candidates:
        return []
    scores = similarity_scores(
        text, [c.text if c.title in c.text else f"{c.title} {c.text}" for c in candidates]
    )
    here = _pk(building)
    weighted = [
        (
            item,
            round(
                score * NEARBY_WEIGHT
                if here is not None and item.building_id not in (None, here)
                else score,
                4,
            ),
        )
        for item, score in zip(candidates, scores, strict=True)
    ]
    ranked = sorted(weighted, key=lambda pair: (-pair[1], -pair[0].pk))
    return [(item, score) for item, score in ranked if score >= threshold][:limit]
