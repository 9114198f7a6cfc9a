"""Routing: from what a resident wrote, suggest a category, the responsible unit, the level
that should handle it and whether it is urgent.

Two sources of evidence:

- keyword rules from the catalogue (``Category.keywords``), which serve alone while the
  community's history of confirmed items is thin;
- a multinomial naive Bayes model trained on that history (items whose category staff
  confirmed or corrected), kept as JSON in ``RoutingModel``. Once it has learnt from at
  least ``MIN_HISTORY`` items it leads, and the keyword rules blend in as a prior.

Traditional and Simplified text are treated alike: everything is simplified first.
The unit comes from history too (who usually handled that category), falling back to the
category's default unit.
"""

from __future__ import annotations

import logging
import math
import random
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import jieba

from gongzhi.core.text import to_simplified
from gongzhi.orgs.models import PartnerUnit

from .catalogue import OTHER_CODE, SEEDS
from .enums import LEVEL_ORDER, Level
from .models import Category, RoutingModel

# Below this many confirmed items a model is too noisy to trust over the catalogue's words.
MIN_HISTORY = 50
# Weight of the keyword prior once the model leads: enough to break the model's near-ties
# on rare words, too little to overrule what the history clearly says.
KEYWORD_PRIOR_WEIGHT = 0.3
LAPLACE_ALPHA = 1.0
# See ``NaiveBayes.probabilities``; chosen on held-out phrasings: 2 beat 1 (untempered),
# 4 and 8 at top-1 and lost nothing on seen phrasings.
EVIDENCE_FEATURES = 2.0
MODEL_VERSION = 1

# Words jieba's general dictionary splits wrongly or does not know; the community's own.
COMMUNITY_WORDS = (
    "楼道",
    "飞线",
    "飞线充电",
    "私拉电线",
    "加装电梯",
    "电梯加装",
    "违建",
    "私搭乱建",
    "坝坝龙门阵",
    "楼栋长",
    "单元长",
    "网格长",
    "网格员",
    "网格驿站",
    "电瓶车",
    "电动车",
    "楼道灯",
    "管线迁改",
    "雨污分流",
    "二次供水",
    "彩钢棚",
    "广场舞",
    "高空抛物",
    "占道经营",
    "僵尸车",
    "煤气味",
    "燃气味",
    "跳闸",
    "停水",
    "停电",
    "水压",
    "物业费",
    "口袋公园",
    "小区自治管家",
    "红色物业",
    "助餐",
    "独居老人",
)

# Function words and the words every report shares (社区, 反映, 单元): noise for both
# classifying and matching.
_STOP_TEXT = """
    的 了 是 在 我 我们 你 你们 他 她 它 他们 有 和 与 及 或 就 都 也 还 又 很 太 挺 非常 特别
    吧 呢 啊 吗 呀 哦 嘛 么 哈 啦 嗯 这 那 这个 那个 这里 那里 这边 那边 一个 一下 一些 什么
    怎么 怎么办 请 请问 麻烦 希望 能 能否 能不能 可以 给 把 被 让 对 从 到 向 着 过 上 下 里 中
    个 些 点 得 地 之 以 及其 而且 但是 但 可是 所以 因为 如果 就是 还是 已经 一直 现在 经常
    每天 天天 好几天 几天 最近 今天 昨天 时候 问题 情况 反映 处理 解决 帮忙 帮助 尽快 赶紧
    一下子 社区 小区 居民 大家 有人 自己 家 家里 栋 号 号楼 单元 楼 室 户 谢谢 感谢 领导
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

_CJK = re.compile(r"[\u4e00-\u9fff]+")
_NOISE = re.compile(r"^[\W\d_]+$")


@dataclass(frozen=True)
class Suggestion:
    category: Category
    unit: PartnerUnit | None
    level: str
    urgent: bool
    score: float


# --- text ------------------------------------------------------------------------------

_tokenizer_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def _get_tokenizer() -> jieba.Tokenizer:
    # A private tokenizer: the community words must not change how search or anything
    # else that uses jieba's global dictionary segments text.
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                # jieba announces every dictionary load on stderr; servers need not hear it.
                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                words = set(COMMUNITY_WORDS)
                for seed in SEEDS:
                    words.update(k for k in seed.keywords if len(k) >= 2)
                for word in sorted(words):
                    tk.add_word(word)
                _tokenizer = tk
    return _tokenizer


def normalise(text: str) -> str:
    return to_simplified((text or "").strip()).lower()


@lru_cache(maxsize=8192)
def words(text: str) -> tuple[str, ...]:
    """Meaningful words of a text: simplified, segmented, without stop words and noise."""
    simple = normalise(text)
    return tuple(
        w
        for w in (t.strip() for t in _get_tokenizer().cut(simple))
        if w and w not in STOP_WORDS and not _NOISE.match(w)
    )


def bigrams(text: str) -> list[str]:
    # Short Chinese texts share few whole words but many character pairs (灯不亮 / 灯坏了
    # both give 灯…), which is what makes paraphrases and rare phrasings land.
    out = []
    for run in _CJK.findall(normalise(text)):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def features(text: str) -> list[str]:
    return [f"w:{w}" for w in words(text)] + [f"b:{b}" for b in bigrams(text)]


# --- urgency ---------------------------------------------------------------------------

_URGENT_PATTERNS = [
    re.compile(p)
    for p in (
        # gas
        r"(煤气|燃气|天然气|液化气)(味|泄漏|泄露)",
        r"(闻到|有股|一股).{0,6}(煤气|燃气|天然气|液化气|臭鸡蛋)",
        r"漏气|臭鸡蛋味",
        # live electricity
        r"电线.{0,6}(裸露|冒火花|打火|起火|冒烟|烧焦|掉下|断了|垂下)",
        r"裸露.{0,4}电线|漏电|触电|冒火花|火花",
        # water
        r"爆管|水管.{0,4}(爆|破裂|裂开|断了)|漫水|水漫|淹了|被淹|倒灌|喷水|到处是水",
        # structure
        r"(墙|墙体|墙面|楼板|天花板|房顶|屋顶|房屋|楼房|楼体|横梁|柱子|地基|阳台).{0,6}"
        r"(开裂|裂缝|裂开|裂了|倾斜|歪了|下沉|沉降|垮|塌)",
        r"坍塌|塌陷|垮塌|塌方|要塌|倒塌",
        # fire and smoke
        r"着火|起火|失火|火灾|明火|火苗|火光|烧起来|冒烟|浓烟|烧焦味",
        # people in danger
        r"困在电梯|电梯.{0,4}困人|被困|晕倒|昏倒|昏迷|受伤|流血",
    )
]
# "没有闻到煤气味", "不是漏气": the danger is denied. 不 before 知道/停/断 is not a denial.
_NEGATED = re.compile(
    r"(没有|没|未|无|并非|不是|不(?!知|停|断|少|得了|对劲|住))[^，。！？；,.!?;]{0,2}$"
)
# "担心充电起火", "防止漏电": a risk feared, not a danger happening now.
_HYPOTHETICAL = re.compile(
    r"(担心|害怕|怕|防止|预防|避免|以防|万一|容易|可能会|会不会|小心|防范)[^，。！？；,.!?;]{0,8}$"
)
_CLAUSE_BREAK = re.compile(r"[，。！？；,.!?;\n]")


def is_urgent(text: str) -> bool:
    """Whether the text reports a danger happening now: gas, live wires, burst pipes,
    cracking walls, fire, people trapped or hurt. Denied or merely feared dangers are not."""
    simple = normalise(text)
    for pattern in _URGENT_PATTERNS:
        for match in pattern.finditer(simple):
            before = simple[: match.start()]
            breaks = list(_CLAUSE_BREAK.finditer(before))
            clause = before[breaks[-1].end() :] if breaks else before
            if _NEGATED.search(clause) or _HYPOTHETICAL.search(clause):
                continue
            return True
    return False


# --- keyword rules ---------------------------------------------------------------------


@lru_cache(maxsize=256)
def _keyword_list(raw: str) -> tuple[str, ...]:
    return tuple(sorted({normalise(k) for k in re.split(r"[\s,，、;；]+", raw or "") if k.strip()}))


def keyword_weights(text: str, categories: Iterable[Category]) -> dict[str, float]:
    """Category code → evidence from catalogue keywords found in the text. Longer keywords
    weigh more: 加装电梯 says more than 电梯."""
    simple = normalise(text)
    weights: dict[str, float] = {}
    for category in categories:
        total = sum(len(k) ** 1.5 for k in _keyword_list(category.keywords) if k in simple)
        if total:
            weights[category.code] = total
    return weights


# --- the model -------------------------------------------------------------------------


class NaiveBayes:
    """Multinomial naive Bayes with Laplace smoothing over word and bigram features."""

    def __init__(self, payload: dict):
        self.payload = payload
        self.classes: list[str] = payload["classes"]
        self.vocab_size: int = max(1, payload["vocab_size"])
        alpha = payload.get("alpha", LAPLACE_ALPHA)
        total_docs = sum(payload["docs"].values())
        n_classes = len(self.classes)
        self.log_prior = {
            c: math.log((payload["docs"][c] + 1) / (total_docs + n_classes)) for c in self.classes
        }
        self.log_unseen = {}
        self.log_likelihood: dict[str, dict[str, float]] = {}
        for c in self.classes:
            denominator = payload["totals"][c] + alpha * self.vocab_size
            self.log_unseen[c] = math.log(alpha / denominator)
            self.log_likelihood[c] = {
                f: math.log((n + alpha) / denominator) for f, n in payload["counts"][c].items()
            }
        self.vocabulary = set().union(*(set(v) for v in payload["counts"].values()))

    def probabilities(self, feats: Sequence[str]) -> dict[str, float]:
        counts = Counter(f for f in set(feats) if f in self.vocabulary)
        # A word and its character pairs say the same thing two or three times over; naive
        # Bayes counts each as independent evidence and ends up near-certain on anything,
        # even on a text whose only known features are a place name. Scaling the evidence
        # down to that of EVIDENCE_FEATURES independent features keeps its ranking and
        # leaves the keyword prior a say when the model has not seen the phrasing.
        scale = 1 / max(1.0, sum(counts.values()) / EVIDENCE_FEATURES)
        scores = {}
        for c in self.classes:
            table, unseen = self.log_likelihood[c], self.log_unseen[c]
            evidence = sum(n * table.get(f, unseen) for f, n in counts.items())
            scores[c] = self.log_prior[c] + scale * evidence
        top = max(scores.values())
        exp = {c: math.exp(s - top) for c, s in scores.items()}
        norm = sum(exp.values())
        return {c: v / norm for c, v in exp.items()}


def fit(samples: Iterable[tuple[str, str]], *, alpha: float = LAPLACE_ALPHA) -> dict:
    """Train on (text, category code) pairs; returns the JSON payload of a model."""
    docs: Counter[str] = Counter()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for text, code in samples:
        docs[code] += 1
        counts[code].update(set(features(text)))
    vocabulary = set().union(*(set(c) for c in counts.values())) if counts else set()
    return {
        "version": MODEL_VERSION,
        "alpha": alpha,
        "classes": sorted(docs),
        "docs": dict(docs),
        "totals": {c: sum(v.values()) for c, v in counts.items()},
        "counts": {c: dict(v) for c, v in counts.items()},
        "vocab_size": len(vocabulary),
    }


def split_holdout(
    rows: Sequence, *, holdout: float, seed: int, key=lambda r: r[1]
) -> tuple[list, list]:
    """A deterministic stratified split: each category gives the same share to the held-out
    part, so a rare category is tested as well as a common one."""
    by_class: dict[str, list] = defaultdict(list)
    for row in rows:
        by_class[key(row)].append(row)
    rng = random.Random(seed)
    train, test = [], []
    for code in sorted(by_class):
        group = list(by_class[code])
        rng.shuffle(group)
        n_test = int(round(len(group) * holdout)) if len(group) > 1 else 0
        test.extend(group[:n_test])
        train.extend(group[n_test:])
    return train, test


def evaluate(
    payload: dict, samples: Sequence[tuple[str, str]], *, categories: Iterable[Category] = ()
) -> tuple[float, float]:
    """Top-1 and top-3 accuracy on (text, code) pairs of what ``suggest`` would rank with
    this model and these categories' keywords (none given: the model alone)."""
    if not samples:
        return 0.0, 0.0
    model = NaiveBayes(payload)
    trained_on = sum(payload["docs"].values())
    categories = list(categories)
    known = {c.code for c in categories} or None
    top1 = top3 = 0
    for text, code in samples:
        scores = score_categories(
            text, model=model, trained_on=trained_on, categories=categories, known=known
        )
        codes = [c for c, _s in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:3]]
        top1 += bool(codes) and codes[0] == code
        top3 += code in codes
    return top1 / len(samples), top3 / len(samples)


def confirmed_history(community=None) -> list[tuple[str, str, int | None, int | None]]:
    """(text, category code, responsible unit id, community id) of every item whose category
    staff confirmed or corrected: what the next model learns from."""
    from .models import Item

    qs = Item.objects.filter(category_confirmed=True, category__isnull=False)
    if community is not None:
        qs = qs.filter(community=community)
    return [
        (f"{title} {text}", code, unit_id, community_id)
        for title, text, code, unit_id, community_id in qs.order_by("id").values_list(
            "title", "text", "category__code", "responsible_unit_id", "community_id"
        )
    ]


def unit_table(history: Iterable[tuple[str, str, int | None, int | None]]) -> dict:
    """Category code → {"*": most frequent unit, "<community id>": most frequent there}."""
    overall: dict[str, Counter] = defaultdict(Counter)
    local: dict[tuple[str, int], Counter] = defaultdict(Counter)
    for _text, code, unit_id, community_id in history:
        if unit_id is None:
            continue
        overall[code][unit_id] += 1
        if community_id is not None:
            local[(code, community_id)][unit_id] += 1
    table: dict[str, dict[str, int]] = {}
    for code, counter in overall.items():
        # Ties go to the lower id so that retraining on the same history is stable.
        table[code] = {"*": min(counter, key=lambda u: (-counter[u], u))}
    for (code, community_id), counter in local.items():
        table[code][str(community_id)] = min(counter, key=lambda u: (-counter[u], u))
    return table


def train(*, holdout: float = 0.2, seed: int = 0, community=None) -> RoutingModel:
    """Train on confirmed history, measure on a held-out part, then refit on everything
    and save: the figures describe how well this recipe generalises; the saved model uses
    all the history there is."""
    history = confirmed_history(community)
    samples = [(text, code) for text, code, _u, _c in history]
    top1 = top3 = None
    if holdout > 0 and len(samples) >= 10:
        train_part, test_part = split_holdout(samples, holdout=holdout, seed=seed)
        if test_part:
            categories = list(Category.objects.filter(is_active=True))
            top1, top3 = evaluate(fit(train_part), test_part, categories=categories)
    payload = fit(samples)
    payload["units"] = unit_table(history)
    payload["holdout"] = holdout
    payload["seed"] = seed
    payload["tested_on"] = len(test_part) if top1 is not None else 0
    return RoutingModel.objects.create(
        trained_on=len(samples), accuracy_top1=top1, accuracy_top3=top3, payload=payload
    )


_model_lock = threading.Lock()
_model_cache: dict = {"id": None, "model": None, "units": {}, "trained_on": 0}


def current_model() -> tuple[NaiveBayes | None, dict, int]:
    """The newest RoutingModel, parsed once per process and reparsed when a newer row
    appears (one cheap id query per call tells)."""
    newest = RoutingModel.objects.values_list("id", flat=True).first()
    if newest is None:
        return None, {}, 0
    if _model_cache["id"] != newest:
        row = RoutingModel.objects.get(pk=newest)
        payload = row.payload or {}
        model = NaiveBayes(payload) if payload.get("classes") else None
        with _model_lock:
            _model_cache.update(
                id=newest,
                model=model,
                units=payload.get("units", {}),
                trained_on=row.trained_on,
            )
    return _model_cache["model"], _model_cache["units"], _model_cache["trained_on"]


def clear_model_cache() -> None:
    _model_cache.update(id=None, model=None, units={}, trained_on=0)


# --- suggestions -----------------------------------------------------------------------


def _level_for(category: Category, urgent: bool) -> str:
    # 急事不出街道: an urgent matter is met at least at the community, which can blow the
    # whistle to a utility or department at once; a grid cannot.
    level = category.default_level
    if urgent and LEVEL_ORDER.index(Level(level)) < LEVEL_ORDER.index(Level.COMMUNITY):
        return Level.COMMUNITY
    return level


def score_categories(
    text: str,
    *,
    model: NaiveBayes | None,
    trained_on: int,
    categories: Iterable[Category],
    known=None,
) -> dict[str, float]:
    """Category code → score in 0..1 from the model (when it has learnt from enough
    history) blended with the keyword rules, or from the keyword rules alone. ``known``
    limits the model to codes that still exist; None takes every class it knows."""
    kw = keyword_weights(text, categories)
    kw_total = sum(kw.values())
    if model is not None and trained_on >= MIN_HISTORY:
        nb = {
            c: p
            for c, p in model.probabilities(features(text)).items()
            if known is None or c in known
        }
        norm = sum(nb.values()) or 1.0
        lam = KEYWORD_PRIOR_WEIGHT if kw_total else 0.0
        return {
            code: (1 - lam) * nb.get(code, 0.0) / norm
            + (lam * kw.get(code, 0.0) / kw_total if kw_total else 0.0)
            for code in set(nb) | set(kw)
        }
    if not kw_total:
        return {}
    # Keyword evidence alone: the share of the evidence, damped when there is little of
    # it, so that one two-character hit does not read as certainty.
    confidence = 1 - math.exp(-kw_total / 6)
    return {code: w / kw_total * confidence for code, w in kw.items()}


def suggest(text: str, *, community=None, limit: int = 3) -> list[Suggestion]:
    """Ranked suggestions for a text, best first, at least one (其他 when nothing fits)."""
    categories = {
        c.code: c for c in Category.objects.filter(is_active=True).select_related("default_unit")
    }
    urgent = is_urgent(text)
    model, units, trained_on = current_model()

    scores = score_categories(
        text, model=model, trained_on=trained_on, categories=categories.values(), known=categories
    )

    ranked = sorted(
        ((code, s) for code, s in scores.items() if s > 0),
        key=lambda kv: (-kv[1], categories[kv[0]].sort_order, kv[0]),
    )[: max(1, limit)]
    if not ranked:
        fallback = categories.get(OTHER_CODE) or next(iter(categories.values()), None)
        if fallback is None:
            return []
        ranked = [(fallback.code, 0.0)]

    community_key = str(getattr(community, "pk", community)) if community else None
    learnt = {}
    for code, _s in ranked:
        table = units.get(code, {})
        learnt[code] = (table.get(community_key) if community_key else None) or table.get("*")
    wanted = {u for u in learnt.values() if u}
    found_units = PartnerUnit.objects.in_bulk(wanted) if wanted else {}

    out = []
    for code, score in ranked:
        category = categories[code]
        # A unit learnt from history may since have been removed: the default stands in.
        unit = found_units.get(learnt[code]) or category.default_unit
        out.append(
            Suggestion(
                category=category,
                unit=unit,
                level=_level_for(category, urgent),
                urgent=urgent,
                score=round(min(1.0, max(0.0, score)), 4),
            )
        )
    return out
