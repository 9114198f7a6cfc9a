"""Finding items that already say what a resident is about to say: shown before submitting
(so they can add a "me too" instead) and at triage (so staff can merge).

Only open items of the same building — or of the same compound when the new one names no
building — are read: a duplicate is a neighbour's report of the same thing, and the
building index keeps the read small however large the community grows.
"""

from __future__ import annotations

import math
from collections import Counter

from .enums import OPEN_STATUSES
from .models import Item
from .routing import features

# Cosine of TF-IDF vectors (words and character pairs). Two reports of the same leak in
# one building score 0.3–0.7 when worded differently; different matters in one building
# stay below 0.2, because they share only the building's own words.
THRESHOLD = 0.25
# Bound on what is read per call; a building never has this many open items in practice.
MAX_CANDIDATES = 300


def _pk(value):
    return getattr(value, "pk", value)


def _tfidf(counts: Counter, idf: dict[str, float]) -> dict[str, float]:
    vector = {f: (1 + math.log(n)) * idf[f] for f, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {f: v / norm for f, v in vector.items()}


def similarity_scores(text: str, others: list[str]) -> list[float]:
    """Cosine similarity of ``text`` to each of ``others``, IDF taken over all of them:
    words every candidate shares (the building's name, 楼道) count for little."""
    docs = [Counter(features(text))] + [Counter(features(o)) for o in others]
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(doc.keys())
    n = len(docs)
    idf = {f: math.log((n + 1) / (d + 1)) + 1 for f, d in df.items()}
    query = _tfidf(docs[0], idf)
    scores = []
    for doc in docs[1:]:
        vector = _tfidf(doc, idf)
        scores.append(sum(w * vector.get(f, 0.0) for f, w in query.items()))
    return scores


def similar_open_items(
    *,
    text: str,
    community,
    building=None,
    compound=None,
    exclude=None,
    limit: int = 5,
    threshold: float = THRESHOLD,
) -> list[tuple[Item, float]]:
    """Open items of the same building (or compound) of the community that read like
    ``text``, best first, each with its similarity in 0..1. One query."""
    if not (text or "").strip() or (building is None and compound is None):
        return []
    qs = Item.objects.filter(community_id=_pk(community), status__in=OPEN_STATUSES)
    qs = (
        qs.filter(building_id=_pk(building))
        if building is not None
        else qs.filter(compound_id=_pk(compound))
    )
    if exclude is not None:
        qs = qs.exclude(pk=_pk(exclude))
    candidates = list(qs.order_by("-submitted_at", "-id")[:MAX_CANDIDATES])
    if not candidates:
        return []
    scores = similarity_scores(text, [f"{c.title} {c.text}" for c in candidates])
    ranked = sorted(
        ((item, round(score, 4)) for item, score in zip(candidates, scores, strict=True)),
        key=lambda pair: (-pair[1], -pair[0].pk),
    )
    return [(item, score) for item, score in ranked if score >= threshold][:limit]
