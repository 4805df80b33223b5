"""The learned half of the report classifier: features and the shipped linear model.

Pure on purpose (numpy, no web, database or settings imports) and free of scikit-learn: the
weights were fitted by `scripts/train_classifier.py` and ship as a compact artefact
(`backend/dispatch/data/classifier_model.npz` plus its JSON metadata), which this module reads
and applies. Training and run time share `analyze` and `KeywordFeatures`, so the features the
model was fitted on are exactly the ones it sees in production.

Features of one text:
- character 1-2-grams of the cleaned text, sublinear TF-IDF, L2-normalised (what the model
  learns from the labelled reports and the catalog's own names and scope text);
- one keyword score per catalog row from keywords.yaml and the row's name phrases, matched as
  substrings (no word segmentation, hence no dictionary to load at start-up), squashed to 0..1.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MODEL_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_MODEL_PATH = MODEL_DIR / "classifier_model.npz"
DEFAULT_META_PATH = MODEL_DIR / "classifier_model.json"
ARTEFACT_FORMAT = 1

NGRAM_RANGE = (1, 2)
# Raw keyword evidence at which the squashed feature is 0.5 (one strong keyword is 3.0).
KEYWORD_SATURATION = 4.0
# Row-name phrases count as keywords of this weight (names are the catalog's own words).
NAME_PHRASE_WEIGHT = 1.5

# Place names of the anonymised hotline corpus (A市, A3区, K10县 …): noise, not evidence.
_ANONYMISED_PLACE = re.compile(r"(?<![a-z0-9])[a-z]\d{0,2}(?:市|区|县)")
_SPLIT_NAME = re.compile(r"[、，,（）()\s]+")


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits to ASCII), lower case, and no invisible format
    characters (zero-width spaces split words)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _is_word_char(ch: str) -> bool:
    return _is_cjk(ch) or (ch.isascii() and ch.isalnum())


def model_text(text: str) -> str:
    """The text as the model reads it: normalised, anonymised place names dropped."""
    return _ANONYMISED_PLACE.sub(" ", normalize(text))


def runs(text: str) -> list[str]:
    """Maximal runs of CJK letters and ASCII letters/digits: n-grams never span punctuation."""
    result: list[str] = []
    current: list[str] = []
    for ch in text:
        if _is_word_char(ch):
            current.append(ch)
        elif current:
            result.append("".join(current))
            current = []
    if current:
        result.append("".join(current))
    return result


def analyze(text: str) -> list[str]:
    """Character n-grams of a text (already cleaned by `model_text`)."""
    low, high = NGRAM_RANGE
    grams: list[str] = []
    for run in runs(text):
        for n in range(low, high + 1):
            grams.extend(run[i : i + n] for i in range(len(run) - n + 1))
    return grams


def has_cjk(gram: str) -> bool:
    return any(_is_cjk(ch) for ch in gram)


class KeywordFeatures:
    """Per-row keyword evidence: signed term weights summed over the terms found in a text."""

    def __init__(
        self,
        numbers: Sequence[int],
        vocabulary: Mapping[int, Mapping[str, float]],
        names: Mapping[int, str],
    ) -> None:
        self.numbers = tuple(numbers)
        column = {number: i for i, number in enumerate(self.numbers)}
        terms: dict[str, dict[int, float]] = {}
        for number, name in names.items():
            for phrase in _SPLIT_NAME.split(normalize(name)):
                if len(phrase) >= 3:
                    terms.setdefault(phrase, {})[column[number]] = NAME_PHRASE_WEIGHT
        for number, entries in vocabulary.items():
            for term, weight in entries.items():
                # The hand-written weight wins over a name phrase for the same row.
                terms.setdefault(term, {})[column[number]] = weight
        # Longest first only for readability of debugging output; matching is independent.
        self._terms = sorted(
            ((term, tuple(by_column.items())) for term, by_column in terms.items() if term),
            key=lambda pair: (-len(pair[0]), pair[0]),
        )

    def raw(self, text: str) -> np.ndarray:
        scores = np.zeros(len(self.numbers), dtype=np.float64)
        for term, entries in self._terms:
            if term in text:
                for col, weight in entries:
                    scores[col] += weight
        return np.maximum(scores, 0.0)

    def transform(self, text: str) -> np.ndarray:
        raw = self.raw(text)
        return raw / (raw + KEYWORD_SATURATION)

    def matrix(self, texts: Iterable[str]) -> np.ndarray:
        return np.vstack([self.transform(t) for t in texts])


@dataclass(frozen=True)
class Scores:
    """Probabilities over the catalog rows, plus whether the text carried any evidence."""

    numbers: tuple[int, ...]
    probabilities: np.ndarray
    evidence: bool


class LinearModel:
    """A linear classifier over TF-IDF n-grams and keyword features; its per-row scores are
    turned into probabilities by a softmax at a fixed temperature."""

    def __init__(
        self,
        *,
        numbers: Sequence[int],
        ngrams: Sequence[str],
        idf: np.ndarray,
        ngram_weights: np.ndarray,
        keyword_weights: np.ndarray,
        intercept: np.ndarray,
        keyword_scale: float,
        temperature: float,
        keywords: KeywordFeatures,
    ) -> None:
        self.numbers = tuple(int(n) for n in numbers)
        if keywords.numbers != self.numbers:
            raise ValueError("keyword features and model disagree on the catalog rows")
        self._index = {gram: i for i, gram in enumerate(ngrams)}
        self._idf = np.asarray(idf, dtype=np.float64)
        self._ngram_weights = np.asarray(ngram_weights, dtype=np.float32)
        self._keyword_weights = np.asarray(keyword_weights, dtype=np.float64)
        self._intercept = np.asarray(intercept, dtype=np.float64)
        self._keyword_scale = keyword_scale
        self._temperature = temperature
        self._keywords = keywords
        n_classes = len(self.numbers)
        if self._ngram_weights.shape != (len(self._index), n_classes):
            raise ValueError("n-gram weights do not match the vocabulary and rows")
        if self._keyword_weights.shape != (n_classes, n_classes):
            raise ValueError("keyword weights do not match the rows")

    def scores(self, text: str) -> Scores:
        clean = model_text(text)
        counts = Counter(g for g in analyze(clean) if g in self._index)
        keyword = self._keywords.transform(clean)
        evidence = any(has_cjk(g) for g in counts) or bool(keyword.any())
        logits = self._intercept.copy()
        if counts:
            columns = np.fromiter((self._index[g] for g in counts), dtype=np.int64)
            tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float64)
            values = tf * self._idf[columns]
            values /= np.linalg.norm(values)
            logits += values @ self._ngram_weights[columns].astype(np.float64)
        logits += (self._keyword_scale * keyword) @ self._keyword_weights
        logits *= self._temperature
        logits -= logits.max()
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum()
        return Scores(numbers=self.numbers, probabilities=probabilities, evidence=evidence)


def file_sha256(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def load_metadata(meta_path: Path | str = DEFAULT_META_PATH) -> dict[str, Any]:
    with open(meta_path, encoding="utf-8") as f:
        meta: dict[str, Any] = json.load(f)
    if meta.get("format") != ARTEFACT_FORMAT:
        raise ValueError(f"{meta_path}: unsupported model format {meta.get('format')!r}")
    return meta


def load_model(
    keywords: KeywordFeatures,
    model_path: Path | str = DEFAULT_MODEL_PATH,
    meta_path: Path | str = DEFAULT_META_PATH,
) -> LinearModel:
    """Read the shipped artefact; refuses one whose bytes differ from its recorded checksum."""
    meta = load_metadata(meta_path)
    if file_sha256(model_path) != meta["model_sha256"]:
        raise ValueError(f"{model_path}: checksum differs from {meta_path}; rebuild the model")
    # allow_pickle=False: the artefact is plain arrays, never code.
    with np.load(model_path, allow_pickle=False) as arrays:
        return LinearModel(
            numbers=arrays["numbers"].tolist(),
            ngrams=arrays["ngrams"].tolist(),
            idf=arrays["idf"],
            ngram_weights=arrays["ngram_weights"],
            keyword_weights=arrays["keyword_weights"],
            intercept=arrays["intercept"],
            keyword_scale=float(meta["config"]["keyword_scale"]),
            temperature=float(meta["config"]["temperature"]),
            keywords=keywords,
        )
