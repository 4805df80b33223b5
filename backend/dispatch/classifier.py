"""Rank responsibility-list categories for a grid member's report or a hotline complaint.

Pure on purpose: no FastAPI, database or settings imports. The catalog, the keyword file, the
model artefact and the thresholds come in as arguments, so the API, the dispatcher and the
tests share one rule.

The classifier (`Classifier`, built by load_classifier()) is a linear model over character
n-grams and keyword evidence (backend.dispatch.classifier_model), fitted on the labelled
reports in tests/data/classifier_eval.jsonl and the catalog's own names and scope text by
scripts/train_classifier.py, which ships the weights as a compact artefact. Its scores are
probabilities over the 104 rows. A report is dispatched automatically when
- the top probability and its lead over the runner-up reach the gate (ConfidenceRule), which
  the training script calibrates on held-out folds for at least 98 % precision; or
- the member picked a category and the model ranks it in its top 3 with at least
  `pick_min_score`: the pick is then confirmed and goes on top.

Loading reads a few MB of arrays and the keyword file (well under a second) and segments no
words, so start-up stays fast; `warm_up()` does it ahead of the first report.

`KeywordClassifier` is the keyword-only classifier that came before the model (terms from
keywords.yaml plus each row's name and scope, jieba for whole-word matches of short terms);
the benchmark prints its figures beside the model's for comparison.
"""

from __future__ import annotations

import math
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from backend.catalog.responsibility_list import (
    CatalogItem,
    ResponsibilityList,
    load_responsibility_list,
)
from backend.dispatch.classifier_model import (
    DEFAULT_META_PATH,
    DEFAULT_MODEL_PATH,
    KeywordFeatures,
    LinearModel,
    load_model,
    normalize,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "catalog" / "data"
DEFAULT_KEYWORDS_PATH = DATA_DIR / "keywords.yaml"
DEFAULT_USERDICT_PATH = DATA_DIR / "jieba_userdict.txt"

# Reports are a sentence or two; a pasted essay should not cost more than a few milliseconds.
MAX_TEXT_CHARS = 4000

# The keyword classifier's scoring (see KeywordClassifier).
SATURATION = 4.0  # raw score at which the shown score is 0.5
PICK_BONUS = 1.5  # half a strong keyword: breaks ties, never outvotes clear text
NAME_WEIGHT = 1.5  # phrases of the row's name
SCOPE_WEIGHT = 0.5  # scope tokens, further scaled down by how many rows share them
# Scope words this common in jieba's general dictionary (可以, 需要, 环境 …) carry no signal.
GENERIC_FREQ = 3000

_FIELDS = ("keywords", "synonyms", "context", "negative")
# Name/scope words that say nothing about which row a report belongs to.
_STOPWORD_TEXT = """
居民 小区 住宅 居民小区 住宅小区 影响 问题 情况 各类 相关 涉及 管理 进行 存在 行为 设置 违规 擅自
未经 许可 生活 其他 以上 以外 投诉 咨询 以及 包括 是否 有关 规定 等问题 内的 影响居民 街道 社区
辖区 日常 工作 申请 处理 上海市 本市 普陀区 片区 第十二条 网格化 清单 责任 事件 除个别 原则上
群体 区内 他人 及其 部分 除外 属实 低于
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_SPLIT_NAME = re.compile(r"[、，,（）()\s]+")

__all__ = [
    "Candidate",
    "Classification",
    "Classifier",
    "ConfidenceRule",
    "KeywordClassifier",
    "check_names",
    "load_classifier",
    "load_keyword_classifier",
    "load_keywords",
    "normalize",
]


@dataclass(frozen=True)
class Candidate:
    number: int
    name: str
    score: float


@dataclass(frozen=True)
class Classification:
    candidates: tuple[Candidate, ...]
    confident: bool


@dataclass(frozen=True)
class ConfidenceRule:
    """When a classification may be dispatched without a dispatcher.

    The top candidate is trusted if its score reaches `min_score` and leads the runner-up by
    `min_margin`. A member's own pick is confirmed if the classifier ranks it in its top 3
    with at least `pick_min_score`. The defaults are the gate that scripts/train_classifier.py
    calibrated on held-out folds (recorded in the model's metadata); the keyword classifier
    has its own scale (KEYWORD_RULE).
    """

    min_score: float = 0.864
    min_margin: float = 0.0
    pick_min_score: float = 0.1

    def __call__(self, candidates: tuple[Candidate, ...]) -> bool:
        if not candidates:
            return False
        second = candidates[1].score if len(candidates) > 1 else 0.0
        top = candidates[0].score
        return top >= self.min_score and top - second >= self.min_margin


# The keyword classifier's thresholds (raw / (raw + saturation) scores), as it was tuned.
KEYWORD_RULE = ConfidenceRule(min_score=0.5, min_margin=0.15)

CONFIRMING_RANKS = 3  # a member's pick this high in the ranking counts as confirmed


class Classifier:
    """The learned classifier; build one with load_classifier(). Thread-safe; the artefact is
    read on warm_up() or the first classify(), whichever comes first."""

    def __init__(
        self,
        items: Iterable[CatalogItem],
        vocabulary: Mapping[int, Mapping[str, float]],
        *,
        model_path: Path = DEFAULT_MODEL_PATH,
        meta_path: Path = DEFAULT_META_PATH,
    ) -> None:
        self._items = {item.number: item for item in items}
        unknown = set(vocabulary) - set(self._items)
        if unknown:
            raise ValueError(f"keywords for unknown categories: {sorted(unknown)}")
        self._vocabulary = vocabulary
        self._model_path = model_path
        self._meta_path = meta_path
        self._lock = threading.Lock()
        self._model: LinearModel | None = None

    @property
    def numbers(self) -> frozenset[int]:
        return frozenset(self._items)

    def warm_up(self) -> None:
        """Read the model now (e.g. at app start) instead of on the first report."""
        self._ready()

    def classify(
        self,
        text: str,
        member_pick: int | None = None,
        *,
        top_k: int = 3,
        confidence: ConfidenceRule | None = None,
    ) -> Classification:
        """The top_k rows, best first, scored by probability; `member_pick` (a 序号) is
        confirmed, and put first, when the model ranks it in its top 3."""
        rule = confidence if confidence is not None else ConfidenceRule()
        pick = member_pick if member_pick in self._items else None
        scores = self._ready().scores((text or "")[:MAX_TEXT_CHARS])
        if not scores.evidence:
            # Nothing in the text to go on: the member's pick alone, never automatic.
            alone = (Candidate(pick, self._items[pick].name, 0.0),) if pick is not None else ()
            return Classification(candidates=alone[: max(top_k, 0)], confident=False)
        order = np.argsort(-scores.probabilities, kind="stable")
        ranked = [
            Candidate(
                number=scores.numbers[i],
                name=self._items[scores.numbers[i]].name,
                score=round(float(scores.probabilities[i]), 4),
            )
            for i in order[: max(top_k, CONFIRMING_RANKS)]
        ]
        confirmed = next(
            (
                c
                for c in ranked[:CONFIRMING_RANKS]
                if c.number == pick and c.score >= rule.pick_min_score
            ),
            None,
        )
        if confirmed is not None:
            ranked = [confirmed, *(c for c in ranked if c is not confirmed)]
        candidates = tuple(ranked[: max(top_k, 0)])
        confident = confirmed is not None or rule(tuple(ranked))
        return Classification(candidates=candidates, confident=confident and bool(candidates))

    def _ready(self) -> LinearModel:
        if self._model is not None:
            return self._model
        with self._lock:
            if self._model is None:
                numbers = sorted(self._items)
                keywords = KeywordFeatures(
                    numbers,
                    self._vocabulary,
                    {n: self._items[n].name for n in numbers},
                )
                self._model = load_model(keywords, self._model_path, self._meta_path)
        return self._model


class KeywordClassifier:
    """The keyword-only classifier that preceded the learned model; kept for comparison in
    benchmarks/classifier_eval.py. Build one with load_keyword_classifier()."""

    def __init__(
        self,
        items: Iterable[CatalogItem],
        vocabulary: Mapping[int, Mapping[str, float]],
        *,
        userdict_path: Path | None = DEFAULT_USERDICT_PATH,
        saturation: float = SATURATION,
        pick_bonus: float = PICK_BONUS,
    ) -> None:
        self._items = {item.number: item for item in items}
        unknown = set(vocabulary) - set(self._items)
        if unknown:
            raise ValueError(f"keywords for unknown categories: {sorted(unknown)}")
        self._vocabulary = vocabulary
        self._userdict_path = userdict_path
        self._saturation = saturation
        self._pick_bonus = pick_bonus
        self._lock = threading.Lock()
        self._tokenizer: Any = None
        # term -> [(category, weight)]; filled on first use because jieba's load takes ~1 s.
        self._short: dict[str, list[tuple[int, float]]] = {}
        self._long: dict[str, list[tuple[int, float]]] = {}

    @property
    def numbers(self) -> frozenset[int]:
        return frozenset(self._items)

    def warm_up(self) -> None:
        """Load jieba and build the term index now (e.g. at app start) instead of on first use."""
        self._ready()

    def classify(
        self,
        text: str,
        member_pick: int | None = None,
        *,
        top_k: int = 3,
        confidence: ConfidenceRule | None = None,
    ) -> Classification:
        """The top_k rows with any evidence, best first; `member_pick` (a 序号) adds a prior."""
        rule = confidence if confidence is not None else KEYWORD_RULE
        raw = self.raw_scores(text)
        if member_pick in self._items and self._pick_bonus > 0:
            raw[member_pick] = raw.get(member_pick, 0.0) + self._pick_bonus
        ranked = sorted(((s, n) for n, s in raw.items() if s > 0), key=lambda p: (-p[0], p[1]))
        candidates = tuple(
            Candidate(number=n, name=self._items[n].name, score=self._shown(s))
            for s, n in ranked[: max(top_k, 0)]
        )
        return Classification(candidates=candidates, confident=rule(candidates))

    def raw_scores(self, text: str) -> dict[int, float]:
        """Unnormalised evidence per category from the text alone (no member pick)."""
        tokenizer = self._ready()
        clean = normalize(text or "")[:MAX_TEXT_CHARS]
        if not clean.strip():
            return {}
        tokens = set(tokenizer.cut_for_search(clean, HMM=False))
        scores: dict[int, float] = defaultdict(float)
        for token in tokens & self._short.keys():
            for number, weight in self._short[token]:
                scores[number] += weight
        for term, entries in self._long.items():
            if term in clean:
                for number, weight in entries:
                    scores[number] += weight
        return {n: s for n, s in scores.items() if s > 0}

    def _shown(self, raw: float) -> float:
        return round(raw / (raw + self._saturation), 4)

    def _ready(self) -> Any:
        if self._tokenizer is not None:
            return self._tokenizer
        with self._lock:
            if self._tokenizer is None:
                import jieba  # only this comparison classifier segments words

                # A private tokenizer: the global one may carry other modules' words.
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                if self._userdict_path is not None:
                    tokenizer.load_userdict(str(self._userdict_path))
                terms = self._build_terms(tokenizer)
                for term in terms:
                    # FREQ also holds every word's prefixes at 0, so test the count, not the key.
                    if len(term) >= 2 and not tokenizer.FREQ.get(term):
                        tokenizer.add_word(term)  # keep every term whole when segmenting
                self._index(terms)
                self._tokenizer = tokenizer
        return self._tokenizer

    def _build_terms(self, tokenizer: Any) -> dict[str, dict[int, float]]:
        """term -> category -> weight, from the keyword file plus each row's name and scope."""
        terms: dict[str, dict[int, float]] = defaultdict(dict)
        for number, entries in self._vocabulary.items():
            for term, weight in entries.items():
                terms[term][number] = weight
        for number, weight_by_term in self._derived_terms(tokenizer).items():
            for term, weight in weight_by_term.items():
                # The hand-written weight wins over a derived one for the same row.
                terms[term].setdefault(number, weight)
        return terms

    def _derived_terms(self, tokenizer: Any) -> dict[int, dict[str, float]]:
        scope_tokens: dict[int, set[str]] = {}
        for number, item in self._items.items():
            words = {normalize(w) for w in tokenizer.cut(item.scope, HMM=False)}
            scope_tokens[number] = {
                w
                for w in words
                if len(w) >= 2
                and w not in _STOPWORDS
                and not w.isdigit()
                and tokenizer.FREQ.get(w, 0) <= GENERIC_FREQ
            }
        # Rarer scope words separate rows better: scale by a normalised inverse row frequency.
        df: dict[str, int] = defaultdict(int)
        for words in scope_tokens.values():
            for w in words:
                df[w] += 1
        total = max(len(self._items), 2)
        derived: dict[int, dict[str, float]] = {}
        for number, item in self._items.items():
            weights: dict[str, float] = {}
            for w in scope_tokens[number]:
                weights[w] = round(SCOPE_WEIGHT * math.log(total / df[w]) / math.log(total), 3)
            for phrase in _SPLIT_NAME.split(normalize(item.name)):
                # Two-character name parts (施工, 存储) are too common; the keyword file has
                # the specific ones.
                if len(phrase) >= 3:
                    weights[phrase] = NAME_WEIGHT
            derived[number] = {w: v for w, v in weights.items() if v > 0}
        return derived

    def _index(self, terms: Mapping[str, Mapping[int, float]]) -> None:
        for term, by_number in terms.items():
            target = self._short if len(term) <= 2 else self._long
            target[term] = sorted(by_number.items())


def _read_yaml(path: Path | str) -> Any:
    # libyaml's loader when present: the pure-Python one takes most of a second here.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=loader)


def load_keywords(path: Path | str = DEFAULT_KEYWORDS_PATH) -> dict[int, dict[str, float]]:
    """Read keywords.yaml into category -> term -> signed weight (negatives are below zero)."""
    raw = _read_yaml(path)
    if not isinstance(raw, Mapping) or not isinstance(raw.get("categories"), Mapping):
        raise ValueError(f"{path}: expected a mapping with 'categories'")
    defaults = {"keyword": 3.0, "synonym": 2.0, "context": 0.75, "negative": 3.0}
    defaults.update(raw.get("weights") or {})
    field_default = {
        "keywords": defaults["keyword"],
        "synonyms": defaults["synonym"],
        "context": defaults["context"],
        "negative": defaults["negative"],
    }
    vocabulary: dict[int, dict[str, float]] = {}
    for number, entry in raw["categories"].items():
        if not isinstance(number, int) or not isinstance(entry, Mapping):
            raise ValueError(f"category {number!r}: expected an integer key and a mapping")
        extra = set(entry) - {"name", *_FIELDS}
        if extra:
            raise ValueError(f"category {number}: unknown fields {sorted(extra)}")
        weights: dict[str, float] = {}
        for field in _FIELDS:
            sign = -1.0 if field == "negative" else 1.0
            for term, weight in _terms(entry.get(field), field_default[field], number, field):
                # A term listed twice for one row keeps its strongest weight.
                if sign < 0 or weights.get(term, 0.0) < weight:
                    weights[term] = sign * weight
        vocabulary[number] = weights
    return vocabulary


def _terms(value: Any, default: float, number: int, field: str) -> list[tuple[str, float]]:
    if value is None:
        return []
    if isinstance(value, Mapping):
        pairs = list(value.items())
    elif isinstance(value, list):
        pairs = [(term, default) for term in value]
    else:
        raise ValueError(f"category {number}.{field}: expected a list or a mapping")
    result = []
    for term, weight in pairs:
        if not isinstance(term, str | int) or isinstance(term, bool) or not str(term).strip():
            raise ValueError(f"category {number}.{field}: bad term {term!r}")
        if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0:
            raise ValueError(f"category {number}.{field}: bad weight for {term!r}")
        result.append((normalize(str(term)).strip(), float(weight)))
    return result


def check_names(vocabulary_path: Path | str, catalog: ResponsibilityList) -> None:
    """Fail if a keyword entry's `name` disagrees with the catalog row it is filed under."""
    raw = _read_yaml(vocabulary_path)
    names = {item.number: item.name for item in catalog.items}
    for number, entry in raw["categories"].items():
        name = entry.get("name")
        if name is not None and names.get(number) != name:
            raise ValueError(f"keywords {number}: name {name!r} is not {names.get(number)!r}")


def load_classifier(
    keywords_path: Path | str = DEFAULT_KEYWORDS_PATH,
    catalog: ResponsibilityList | None = None,
    model_path: Path | str = DEFAULT_MODEL_PATH,
) -> Classifier:
    """The learned classifier for the catalog (default: the bundled list and model), cached
    per arguments. Cheap: the model itself is read on warm_up() or the first report."""
    model = Path(model_path).resolve()
    return _cached(Path(keywords_path).resolve(), catalog, model, model.with_suffix(".json"))


@lru_cache(maxsize=8)
def _cached(
    keywords_path: Path, catalog: ResponsibilityList | None, model_path: Path, meta_path: Path
) -> Classifier:
    catalog = catalog if catalog is not None else load_responsibility_list()
    check_names(keywords_path, catalog)
    return Classifier(
        catalog.items, load_keywords(keywords_path), model_path=model_path, meta_path=meta_path
    )


def load_keyword_classifier(
    keywords_path: Path | str = DEFAULT_KEYWORDS_PATH, catalog: ResponsibilityList | None = None
) -> KeywordClassifier:
    """The keyword-only classifier (for comparison), cached per arguments."""
    return _cached_keywords(Path(keywords_path).resolve(), catalog)


@lru_cache(maxsize=8)
def _cached_keywords(keywords_path: Path, catalog: ResponsibilityList | None) -> KeywordClassifier:
    catalog = catalog if catalog is not None else load_responsibility_list()
    check_names(keywords_path, catalog)
    return KeywordClassifier(catalog.items, load_keywords(keywords_path))
