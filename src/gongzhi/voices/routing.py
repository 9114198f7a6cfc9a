"""Routing: from what a resident wrote, suggest a category, the responsible unit, the level
that should handle it and whether it is urgent.

The text is read as residents write it: Traditional script is simplified, full-width
characters narrowed, Sichuan words and common slips rewritten in standard words
(``lexicon``: 莫得 → 没有, 屋头 → 家里, 燃汽 → 燃气), and words that sound like a routing
word they are not corrected (路等 → 路灯). Then three sources of evidence:

- dangers to life and limb (``dangers``), recognised by patterns however they are phrased;
  they alone decide urgency, and name the category they usually belong to;
- keyword rules from the catalogue (``Category.keywords``), which serve alone while the
  community's history of confirmed items is thin;
- a logistic regression over words and character uni-, bi- and trigrams, trained on that
  history (items whose category staff confirmed or corrected — corrections included) and
  on the catalogue's own words, kept as JSON weights in ``RoutingModel`` (never a pickle:
  a model row is data, loading it runs no code). Once it has learnt from at least
  ``MIN_HISTORY`` items it leads, and the keyword and danger evidence blend in.

Every suggestion says why (``Suggestion.reasons``): the danger, the catalogue words and
the features that weighed most for its category. The unit comes from history too (who
usually handled that category), falling back to the category's default unit.
"""

from __future__ import annotations

import logging
import math
import random
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import jieba

from gongzhi.core.text import to_simplified
from gongzhi.orgs.models import PartnerUnit

from . import dangers as dangers_mod
from . import lexicon
from .catalogue import OTHER_CODE, SEEDS
from .enums import LEVEL_ORDER, Level
from .models import Category, RoutingModel

# Below this many confirmed items a model is too noisy to trust over the catalogue's words.
MIN_HISTORY = 50
# Weight of the keyword and danger evidence once the model leads, times the model's doubt
# (1 - its top probability): it settles what the model is unsure of and leaves alone what
# history — corrections included — clearly says.
KEYWORD_PRIOR_WEIGHT = 0.5
# A danger's hint counts as much as a four-character keyword (4 ** 1.5 = 8).
DANGER_WEIGHT = 8.0
# Inverse regularisation of the logistic regression; see docs/architecture.md (routing).
REGULARISATION_C = 4.0
# Weights smaller than this are dropped from the stored model: it shrinks to a quarter and
# not one rank changed on the demo history or the evaluation set.
MIN_WEIGHT = 0.05
# Below this best score the suggestion is unsure; 其他 is offered among the first three so
# that staff can file what fits no category without searching for it.
UNSURE_BELOW = 0.3
# A staff correction (confirmed category other than the suggested one) is the clearest
# lesson history holds: the model was wrong there. It counts as this many confirmations.
CORRECTION_WEIGHT = 3.0
MODEL_VERSION = 2
# Models of version 1 (naive Bayes) are still read, so that an upgrade does not stop
# suggestions before ``train_routing`` runs again.
LAPLACE_ALPHA = 1.0
EVIDENCE_FEATURES = 2.0

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
# Characters that say nothing of a matter on their own (their pairs and triples still may).
STOP_CHARS = frozenset(
    "的了是在我你他她它有和就都也还又很太吧呢啊吗呀哦嘛么这那个些一几号栋单元请想能会要得"
)

_CJK = re.compile(r"[\u4e00-\u9fff]+")
_NOISE = re.compile(r"^[\W\d_]+$")


@dataclass(frozen=True)
class Suggestion:
    category: Category
    unit: PartnerUnit | None
    level: str
    urgent: bool
    score: float
    # What pushed the text to this category, strongest first: a danger, catalogue words,
    # words and character runs the model weighed most. Shown to staff as 依据.
    reasons: tuple[str, ...] = ()


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
def canonical(text: str) -> str:
    """Simplified, half-width, dialect and listed slips in standard words: what the danger
    patterns and the keyword rules read."""
    return lexicon.standardise(unicodedata.normalize("NFKC", normalise(text)))


_fixer_lock = threading.Lock()
_fixer: lexicon.HomophoneFixer | None = None


def _get_fixer() -> lexicon.HomophoneFixer:
    global _fixer
    if _fixer is None:
        with _fixer_lock:
            if _fixer is None:
                tokenizer = _get_tokenizer()
                _fixer = lexicon.HomophoneFixer(
                    lexicon.HOMOPHONE_TARGETS,
                    tokenizer.FREQ,
                    lambda text: tokenizer.cut(text, HMM=False),
                )
    return _fixer


@lru_cache(maxsize=8192)
def routing_text(text: str) -> str:
    """``canonical`` with sound-alike slips of routing words corrected (路等 → 路灯): what
    the classifier reads. A guess, so the danger patterns do not read it."""
    return _get_fixer()(canonical(text))


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


@lru_cache(maxsize=8192)
def features(text: str) -> tuple[str, ...]:
    """What the classifier reads: words of the routing text, and its characters, character
    pairs and triples. Words carry the meaning when jieba segments well; characters carry
    it when it does not (a typo, a dialect word, a three-character message), and 灯坏了 and
    灯不亮 share only 灯."""
    text = routing_text(text)
    out = [
        f"w:{w}"
        for w in (t.strip() for t in _get_tokenizer().cut(text))
        if w and w not in STOP_WORDS and not _NOISE.match(w)
    ]
    for run in _CJK.findall(text):
        out.extend(f"c:{c}" for c in run if c not in STOP_CHARS)
        out.extend(f"b:{run[i : i + 2]}" for i in range(len(run) - 1))
        out.extend(f"t:{run[i : i + 3]}" for i in range(len(run) - 2))
    return tuple(out)


# --- urgency ---------------------------------------------------------------------------


def dangers(text: str) -> list[dangers_mod.Danger]:
    """The dangers to life and limb the text reports as happening now (see ``dangers``)."""
    return dangers_mod.find(canonical(text))


def is_urgent(text: str) -> bool:
    """Whether the text reports a danger happening now: gas, fire, live electricity, water
    on the wiring, burst pipes, cracking or falling structures, people trapped, fallen or
    attacked. Denied, feared or past dangers are not. Decided by patterns alone: nothing a
    model says lowers it."""
    return bool(dangers(text))


# --- keyword rules ---------------------------------------------------------------------


@lru_cache(maxsize=256)
def _keyword_list(raw: str) -> tuple[str, ...]:
    return tuple(sorted({normalise(k) for k in re.split(r"[\s,，、;；]+", raw or "") if k.strip()}))


def keyword_hits(text: str, categories: Iterable[Category]) -> dict[str, list[str]]:
    """Category code → the catalogue keywords found in the text, longest first; a keyword
    inside a longer one found too is not counted again (楼道灯 found, 楼道 is not)."""
    simple = routing_text(text)
    hits: dict[str, list[str]] = {}
    for category in categories:
        found = sorted(
            (k for k in _keyword_list(category.keywords) if k in simple),
            key=lambda k: (-len(k), k),
        )
        kept: list[str] = []
        for k in found:
            if not any(k in longer for longer in kept):
                kept.append(k)
        if kept:
            hits[category.code] = kept
    return hits


def keyword_weights(text: str, categories: Iterable[Category]) -> dict[str, float]:
    """Category code → evidence from catalogue keywords found in the text. Longer keywords
    weigh more: 加装电梯 says more than 电梯."""
    return {
        code: sum(len(k) ** 1.5 for k in found)
        for code, found in keyword_hits(text, categories).items()
    }


def evidence(
    text: str, categories: Iterable[Category], *, hits: dict[str, list[str]] | None = None
) -> dict[str, float]:
    """Keyword evidence, with each danger's category hint counted as a strong keyword.
    ``hits``: ``keyword_hits`` of the text when the caller has them already."""
    categories = list(categories)
    if hits is None:
        hits = keyword_hits(text, categories)
    weights = {code: sum(len(k) ** 1.5 for k in found) for code, found in hits.items()}
    codes = {c.code for c in categories}
    for danger in dangers(text):
        if danger.hint in codes:
            weights[danger.hint] = weights.get(danger.hint, 0.0) + DANGER_WEIGHT
    return weights


# --- the models ------------------------------------------------------------------------


class LinearModel:
    """Multinomial logistic regression over binary features, each text's vector scaled to
    unit length; read from its JSON payload. Scoring is a few dictionary look-ups per
    feature, in pure Python: serving a suggestion needs no numerical library."""

    def __init__(self, payload: dict):
        self.payload = payload
        self.classes: list[str] = payload["classes"]
        self.intercept: list[float] = payload["intercept"]
        # feature → [(class index, weight), ...]; a feature with no weight left after
        # pruning is kept with none, as it still counts in the text's length.
        self.weights: dict[str, list[tuple[int, float]]] = {
            f: [(int(i), w) for i, w in pairs] for f, pairs in payload["weights"].items()
        }
        # For explanations: each feature's weight for a class above its mean over all.
        n = len(self.classes) or 1
        self.lift: dict[str, dict[int, float]] = {}
        for f, pairs in self.weights.items():
            mean = sum(w for _i, w in pairs) / n
            self.lift[f] = {i: w - mean for i, w in pairs} | {-1: -mean}

    def _known(self, feats: Sequence[str]) -> list[str]:
        return sorted({f for f in feats if f in self.weights})

    def scores(self, feats: Sequence[str]) -> list[float]:
        known = self._known(feats)
        out = list(self.intercept)
        if known:
            x = 1 / math.sqrt(len(known))
            for f in known:
                for i, w in self.weights[f]:
                    out[i] += w * x
        return out

    def probabilities(self, feats: Sequence[str]) -> dict[str, float]:
        scores = self.scores(feats)
        top = max(scores)
        exp = [math.exp(s - top) for s in scores]
        norm = sum(exp)
        return {c: v / norm for c, v in zip(self.classes, exp, strict=True)}

    def contributions(self, feats: Sequence[str], code: str) -> list[tuple[str, float]]:
        """The text's features that pushed towards ``code``, strongest first: each one's
        weight for the class above its mean weight over all classes (a feature that
        pushes every class alike explains nothing)."""
        if code not in self.classes:
            return []
        index = self.classes.index(code)
        known = self._known(feats)
        if not known:
            return []
        x = 1 / math.sqrt(len(known))
        out = []
        for f in known:
            lifts = self.lift[f]
            lift = lifts.get(index, lifts[-1])
            if lift > 0:
                out.append((f, lift * x))
        out.sort(key=lambda fv: (-fv[1], fv[0]))
        return out


class NaiveBayes:
    """Multinomial naive Bayes with Laplace smoothing: the model of version 1, still read
    from older rows."""

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
        # Scaling the evidence down to that of EVIDENCE_FEATURES independent features: a
        # word and its character pairs say the same thing two or three times over.
        scale = 1 / max(1.0, sum(counts.values()) / EVIDENCE_FEATURES)
        scores = {}
        for c in self.classes:
            table, unseen = self.log_likelihood[c], self.log_unseen[c]
            score = sum(n * table.get(f, unseen) for f, n in counts.items())
            scores[c] = self.log_prior[c] + scale * score
        top = max(scores.values())
        exp = {c: math.exp(s - top) for c, s in scores.items()}
        norm = sum(exp.values())
        return {c: v / norm for c, v in exp.items()}

    def contributions(self, feats: Sequence[str], code: str) -> list[tuple[str, float]]:
        return []


Model = LinearModel | NaiveBayes


def load(payload: dict) -> Model | None:
    """The model a stored payload describes, or None when it describes none."""
    if not payload or not payload.get("classes"):
        return None
    if payload.get("version", 1) >= 2:
        return LinearModel(payload)
    return NaiveBayes(payload)


def catalogue_documents(categories: Iterable[Category]) -> list[tuple[str, str]]:
    """(text, code) pairs the catalogue teaches: each keyword, the name and the description
    of every category. History says how this community writes; the catalogue says what
    each category is about, including the words history has not used yet."""
    out = []
    for category in categories:
        out.extend((k, category.code) for k in _keyword_list(category.keywords))
        out.extend((t, category.code) for t in (category.name, category.description) if t)
    return out


def fit(
    samples: Iterable[tuple[str, str]],
    *,
    categories: Iterable[Category] = (),
    weights: Sequence[float] | None = None,
    c: float = REGULARISATION_C,
    catalogue_weight: float = 1.0,
) -> dict:
    """Train on (text, category code) pairs and the catalogue's words; returns the JSON
    payload of a model. ``weights``: one per sample (1 when not given; see
    ``CORRECTION_WEIGHT``). scikit-learn is needed here only, not to serve suggestions."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    samples = list(samples)
    docs = samples + catalogue_documents(categories)
    sample_weight = list(weights) if weights is not None else [1.0] * len(samples)
    sample_weight += [catalogue_weight] * (len(docs) - len(samples))
    rows = [sorted(set(features(text))) for text, _code in docs]
    vocabulary = {f: i for i, f in enumerate(sorted({f for row in rows for f in row}))}
    classes = sorted({code for _t, code in docs})
    if len(classes) < 2:
        # Nothing to tell apart: every text is that one class.
        return {
            "version": MODEL_VERSION,
            "classes": classes,
            "intercept": [0.0] * len(classes),
            "weights": {f: [] for f in vocabulary},
            "c": c,
        }
    indptr, indices, values = [0], [], []
    for row in rows:
        indices.extend(vocabulary[f] for f in row)
        values.extend([1 / math.sqrt(len(row))] * len(row) if row else [])
        indptr.append(len(indices))
    matrix = csr_matrix(
        (np.array(values, dtype=float), np.array(indices), np.array(indptr)),
        shape=(len(docs), len(vocabulary)),
    )
    from threadpoolctl import threadpool_limits

    model = LogisticRegression(C=c, max_iter=2000, tol=1e-3)
    # One thread: on a small shared machine, numerical libraries' threads fighting over
    # two cores made training ten times slower, not faster.
    with threadpool_limits(1):
        model.fit(matrix, [code for _t, code in docs], sample_weight=sample_weight)
    order = [list(model.classes_).index(code) for code in classes]
    coef = model.coef_[order]
    weights = {}
    for f, j in vocabulary.items():
        column = coef[:, j]
        weights[f] = [[i, round(float(w), 4)] for i, w in enumerate(column) if abs(w) >= MIN_WEIGHT]
    return {
        "version": MODEL_VERSION,
        "classes": classes,
        "intercept": [round(float(v), 4) for v in model.intercept_[order]],
        "weights": weights,
        "c": c,
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
    payload: dict | None,
    samples: Sequence[tuple[str, str]],
    *,
    categories: Iterable[Category] = (),
    trained_on: int | None = None,
) -> tuple[float, float]:
    """Top-1 and top-3 accuracy on (text, code) pairs of what ``suggest`` would rank with
    this model and these categories' keywords (no categories: the model alone; no model:
    the keywords alone)."""
    if not samples:
        return 0.0, 0.0
    model = load(payload) if payload else None
    if trained_on is None:
        trained_on = MIN_HISTORY if model is not None else 0
    categories = list(categories)
    top1 = top3 = 0
    for text, code in samples:
        ranked = rank(text, model=model, trained_on=trained_on, categories=categories)
        codes = [c for c, _s in ranked[:3]]
        top1 += bool(codes) and codes[0] == code
        top3 += code in codes
    return top1 / len(samples), top3 / len(samples)


class HistoryRow(NamedTuple):
    text: str
    code: str
    unit_id: int | None
    community_id: int | None
    # Staff filed it under another category than the one suggested.
    corrected: bool


def confirmed_history(community=None) -> list[HistoryRow]:
    """Every item whose category staff confirmed or corrected: what the next model learns
    from, oldest first."""
    from .models import Item

    qs = Item.objects.filter(category_confirmed=True, category__isnull=False)
    if community is not None:
        qs = qs.filter(community=community)
    rows = qs.order_by("id").values_list(
        "title",
        "text",
        "category__code",
        "responsible_unit_id",
        "community_id",
        "category_id",
        "suggested_category_id",
    )
    return [
        HistoryRow(
            f"{title} {text}",
            code,
            unit_id,
            community_id,
            suggested_id is not None and suggested_id != category_id,
        )
        for title, text, code, unit_id, community_id, category_id, suggested_id in rows
    ]


def history_weights(history: Iterable[HistoryRow]) -> list[float]:
    return [CORRECTION_WEIGHT if row.corrected else 1.0 for row in history]


def unit_table(history: Iterable[HistoryRow]) -> dict:
    """Category code → {"*": most frequent unit, "<community id>": most frequent there}."""
    overall: dict[str, Counter] = defaultdict(Counter)
    local: dict[tuple[str, int], Counter] = defaultdict(Counter)
    for _text, code, unit_id, community_id, _corrected in history:
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
    """Train on confirmed history (corrections weighing ``CORRECTION_WEIGHT``) and the
    catalogue, measure on a held-out part of the history, then refit on everything and
    save: the figures describe how well this recipe generalises; the saved model uses all
    the history there is."""
    history = confirmed_history(community)
    samples = [(row.text, row.code) for row in history]
    categories = list(Category.objects.filter(is_active=True))
    top1 = top3 = None
    test_part: list = []
    if holdout > 0 and len(history) >= 10:
        train_rows, test_rows = split_holdout(history, holdout=holdout, seed=seed)
        test_part = [(row.text, row.code) for row in test_rows]
        if test_part:
            top1, top3 = evaluate(
                fit(
                    [(row.text, row.code) for row in train_rows],
                    categories=categories,
                    weights=history_weights(train_rows),
                ),
                test_part,
                categories=categories,
                trained_on=len(train_rows),
            )
    payload = fit(samples, categories=categories, weights=history_weights(history))
    payload["units"] = unit_table(history)
    payload["holdout"] = holdout
    payload["seed"] = seed
    payload["tested_on"] = len(test_part) if top1 is not None else 0
    payload["corrections"] = sum(row.corrected for row in history)
    return RoutingModel.objects.create(
        trained_on=len(samples), accuracy_top1=top1, accuracy_top3=top3, payload=payload
    )


_model_lock = threading.Lock()
_model_cache: dict = {"id": None, "model": None, "units": {}, "trained_on": 0}


def current_model() -> tuple[Model | None, dict, int]:
    """The newest RoutingModel, parsed once per process and reparsed when a newer row
    appears (one cheap id query per call tells)."""
    newest = RoutingModel.objects.values_list("id", flat=True).first()
    if newest is None:
        return None, {}, 0
    if _model_cache["id"] != newest:
        row = RoutingModel.objects.get(pk=newest)
        payload = row.payload or {}
        with _model_lock:
            _model_cache.update(
                id=newest,
                model=load(payload),
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
    model: Model | None,
    trained_on: int,
    categories: Iterable[Category],
    known=None,
    hits: dict[str, list[str]] | None = None,
) -> dict[str, float]:
    """Category code → score in 0..1 from the model (when it has learnt from enough
    history) blended, as far as the model is unsure, with the keyword and danger evidence;
    or from that evidence alone.
    ``known`` limits the model to codes that still exist; None takes every class it knows
    (or, given categories, theirs)."""
    categories = list(categories)
    if known is None and categories:
        known = {c.code for c in categories}
    kw = evidence(text, categories, hits=hits)
    kw_total = sum(kw.values())
    if model is not None and trained_on >= MIN_HISTORY:
        probs = {
            c: p
            for c, p in model.probabilities(features(text)).items()
            if known is None or c in known
        }
        norm = sum(probs.values()) or 1.0
        doubt = 1 - max(probs.values(), default=0.0) / norm
        lam = KEYWORD_PRIOR_WEIGHT * doubt if kw_total else 0.0
        return {
            code: (1 - lam) * probs.get(code, 0.0) / norm
            + (lam * kw.get(code, 0.0) / kw_total if kw_total else 0.0)
            for code in set(probs) | set(kw)
        }
    if not kw_total:
        return {}
    # Keyword evidence alone: the share of the evidence, damped when there is little of
    # it, so that one two-character hit does not read as certainty.
    confidence = 1 - math.exp(-kw_total / 6)
    return {code: w / kw_total * confidence for code, w in kw.items()}


def rank(
    text: str,
    *,
    model: Model | None,
    trained_on: int,
    categories: Iterable[Category],
    limit: int = 3,
    hits: dict[str, list[str]] | None = None,
) -> list[tuple[str, float]]:
    """(code, score) best first, at most ``limit``. When even the best is unsure, 其他
    takes the last place offered: a text that fits no category must be easy to file."""
    categories = list(categories)
    order = {c.code: (c.sort_order, c.code) for c in categories}
    scores = score_categories(
        text, model=model, trained_on=trained_on, categories=categories, hits=hits
    )
    ranked = sorted(
        ((code, s) for code, s in scores.items() if s > 0),
        key=lambda kv: (-kv[1], order.get(kv[0], (0, kv[0]))),
    )[: max(1, limit)]
    if OTHER_CODE in order and all(code != OTHER_CODE for code, _s in ranked):
        if not ranked:
            return [(OTHER_CODE, 0.0)]
        if ranked[0][1] < UNSURE_BELOW and limit > 1:
            ranked = ranked[: limit - 1] + [(OTHER_CODE, scores.get(OTHER_CODE, 0.0))]
    return ranked


def _shown(feature: str) -> str:
    return feature.split(":", 1)[1]


# The canonical text is narrowed to half-width; staff read Chinese punctuation.
_WIDE = str.maketrans({",": "，", ".": "。", "!": "！", "?": "？", ";": "；", ":": "："})


def reasons(
    text: str,
    code: str,
    *,
    model: Model | None,
    hits: dict[str, list[str]],
    found: list,
    limit: int = 4,
) -> tuple[str, ...]:
    """Why ``code`` was suggested for ``text``: a danger that points to it, the catalogue
    words found, then what the model weighed most. A piece contained in one already given
    is left out (楼道灯 given, 道灯 is not)."""
    out: list[str] = []

    def add(piece: str) -> None:
        if len(out) >= limit or not piece:
            return
        if any(piece in kept for kept in out):
            return
        out[:] = [kept for kept in out if kept not in piece]
        out.append(piece)

    for danger in found:
        if danger.hint == code:
            add(f"{danger.label}（{danger.phrase.translate(_WIDE)}）")
    for word in hits.get(code, []):
        add(word)
    if model is not None:
        for feature, _weight in model.contributions(features(text), code)[: limit * 3]:
            # One character (股) or a run cut at a function word (了一, 的地方) weighs in
            # the model but explains nothing to a reader.
            piece = _shown(feature)
            if len(piece) >= 2 and not (piece[0] in STOP_CHARS or piece[-1] in STOP_CHARS):
                add(piece)
    return tuple(out)


def suggest(text: str, *, community=None, limit: int = 3) -> list[Suggestion]:
    """Ranked suggestions for a text, best first, at least one (其他 when nothing fits)."""
    categories = {
        c.code: c for c in Category.objects.filter(is_active=True).select_related("default_unit")
    }
    found = dangers(text)
    urgent = bool(found)
    model, units, trained_on = current_model()
    leading = model if trained_on >= MIN_HISTORY else None
    hits = keyword_hits(text, categories.values())

    ranked = rank(
        text,
        model=leading,
        trained_on=trained_on,
        categories=categories.values(),
        limit=limit,
        hits=hits,
    )
    if not ranked:
        fallback = next(iter(categories.values()), None)
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
                reasons=reasons(text, code, model=leading, hits=hits, found=found),
            )
        )
    return out
