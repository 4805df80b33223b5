"""Fitting, honest evaluation and gate calibration of the report classifier's linear model.

A linear SVM (scikit-learn's LinearSVC, liblinear) rather than a logistic regression: with 104
rows and ~25,000 n-grams it fits in about a second where lbfgs takes tens of seconds, and
cross-validation fits it dozens of times.

Needs scikit-learn (the `dev` extra); the application never imports this module, it only
reads the artefact that `scripts/train_classifier.py` builds with it. The benchmark and the
tests use the same functions, so the figures they print are those of the shipped recipe.

Honesty rules built in:
- folds are grouped by message id (spans of one message never straddle folds) and
  stratified by row where the counts allow;
- the confidence gate is chosen on out-of-fold predictions of the training part only
  (nested cross-validation), then applied to the held-out fold;
- the catalog's own names and scope text are always training material, never test items.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.svm import LinearSVC

from backend.catalog.responsibility_list import ResponsibilityList
from backend.dispatch.classifier_model import (
    ARTEFACT_FORMAT,
    KeywordFeatures,
    LinearModel,
    analyze,
    model_text,
)

STORAGE_DTYPE = np.float16  # weights are stored (and therefore evaluated) at half precision


@dataclass(frozen=True)
class Example:
    text: str
    number: int
    alternates: tuple[int, ...]
    group: str  # message id, or a unique tag for a written report
    field: str
    batch: int

    @property
    def accepted(self) -> frozenset[int]:
        return frozenset((self.number, *self.alternates))


@dataclass(frozen=True)
class TrainConfig:
    """Chosen by 5-fold cross-validation on the labelled set (see the benchmark)."""

    c: float = 1.0  # inverse L2 strength of the linear SVM (one-vs-rest, squared hinge)
    balanced: bool = True  # weight rows inversely to their number of texts
    keyword_scale: float = 1.0  # keyword features' scale relative to the unit TF-IDF vector
    catalog_weight: float = 1.0  # sample weight of each catalog document
    temperature: float = 8.0  # softmax temperature turning SVM scores into probabilities
    min_df: int = 1
    max_iter: int = 5000


@dataclass(frozen=True)
class Gate:
    """Automatic dispatch when the top probability and its lead over the runner-up reach these."""

    min_score: float
    min_margin: float
    target_precision: float
    share: float = 0.0  # on the data it was chosen on
    precision: float = 1.0


@dataclass
class FoldResult:
    probabilities: np.ndarray  # held-out rows x classes
    gate: Gate
    indices: np.ndarray


@dataclass
class CrossValidation:
    numbers: tuple[int, ...]
    probabilities: np.ndarray  # every example, predicted by the fold that held it out
    confident: np.ndarray  # per example, under its own fold's gate
    gates: list[Gate] = field(default_factory=list)


def load_examples(path: Path | str) -> list[Example]:
    examples = []
    with open(path, encoding="utf-8") as f:
        for line_number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            group = (
                f"m{row['message_id']}" if "message_id" in row else f"{row['source']}{line_number}"
            )
            examples.append(
                Example(
                    text=row["text"],
                    number=int(row["number"]),
                    alternates=tuple(int(a) for a in row.get("alternates", [])),
                    group=group,
                    field=row["field"],
                    batch=int(row.get("batch", 1)),
                )
            )
    return examples


def catalog_documents(catalog: ResponsibilityList) -> list[tuple[str, int]]:
    """The catalog's own words as training texts: each row's name, scope, and both together."""
    documents = []
    for item in catalog.items:
        documents.append((item.name, item.number))
        if item.scope.strip():
            documents.append((item.scope, item.number))
            documents.append((f"{item.name} {item.scope}", item.number))
    return documents


def fit(
    examples: Sequence[Example],
    catalog: ResponsibilityList,
    keywords: KeywordFeatures,
    config: TrainConfig = TrainConfig(),
) -> tuple[LinearModel, dict[str, np.ndarray]]:
    """Fit on the examples plus the catalog's documents; the model and its storable arrays."""
    numbers = keywords.numbers
    documents = catalog_documents(catalog)
    texts = [model_text(e.text) for e in examples] + [model_text(t) for t, _ in documents]
    labels = np.array([e.number for e in examples] + [n for _, n in documents])
    weights = np.array([1.0] * len(examples) + [config.catalog_weight] * len(documents))

    vectorizer = TfidfVectorizer(
        analyzer=analyze, sublinear_tf=True, min_df=config.min_df, dtype=np.float64
    )
    ngram_matrix = vectorizer.fit_transform(texts)
    keyword_matrix = sp.csr_matrix(config.keyword_scale * keywords.matrix(texts))
    features = sp.hstack([ngram_matrix, keyword_matrix], format="csr")

    classifier = LinearSVC(
        C=config.c,
        class_weight="balanced" if config.balanced else None,
        max_iter=config.max_iter,
        random_state=0,
    )
    classifier.fit(features, labels, sample_weight=weights)
    if tuple(int(c) for c in classifier.classes_) != numbers:
        raise ValueError("training data must cover every catalog row")

    n_ngrams = ngram_matrix.shape[1]
    coef = classifier.coef_
    vocabulary = vectorizer.vocabulary_
    ngrams = sorted(vocabulary, key=vocabulary.__getitem__)
    arrays = {
        "numbers": np.array(numbers, dtype=np.int32),
        "ngrams": np.array(ngrams, dtype=str),
        "idf": vectorizer.idf_.astype(np.float32),
        "ngram_weights": coef[:, :n_ngrams].T.astype(STORAGE_DTYPE),
        "keyword_weights": coef[:, n_ngrams:].T.astype(np.float32),
        "intercept": classifier.intercept_.astype(np.float32),
    }
    return model_from_arrays(arrays, config, keywords), arrays


def model_from_arrays(
    arrays: dict[str, np.ndarray], config: TrainConfig, keywords: KeywordFeatures
) -> LinearModel:
    return LinearModel(
        numbers=arrays["numbers"].tolist(),
        ngrams=arrays["ngrams"].tolist(),
        idf=arrays["idf"],
        ngram_weights=arrays["ngram_weights"],
        keyword_weights=arrays["keyword_weights"],
        intercept=arrays["intercept"],
        keyword_scale=config.keyword_scale,
        temperature=config.temperature,
        keywords=keywords,
    )


def predict(model: LinearModel, texts: Sequence[str]) -> np.ndarray:
    return np.vstack([model.scores(t).probabilities for t in texts])


def choose_gate(
    probabilities: np.ndarray,
    correct_top1: np.ndarray,
    target_precision: float,
    margins: Sequence[float] = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3),
) -> Gate:
    """The (score, margin) thresholds that dispatch the most texts at the target precision."""
    ordered = np.sort(probabilities, axis=1)
    top = ordered[:, -1]
    lead = top - ordered[:, -2]
    n = len(top)
    best = Gate(min_score=1.01, min_margin=0.0, target_precision=target_precision)
    best_count = 0
    for min_margin in margins:
        eligible = lead >= min_margin
        order = np.argsort(-top, kind="stable")
        order = order[eligible[order]]
        hits = np.cumsum(correct_top1[order])
        counts = np.arange(1, len(order) + 1)
        precision = hits / counts
        for k in range(len(order) - 1, -1, -1):
            # Cut only between distinct scores, so the threshold reproduces the same set.
            if k + 1 < len(order) and top[order[k + 1]] == top[order[k]]:
                continue
            if precision[k] >= target_precision:
                if k + 1 > best_count:
                    best_count = k + 1
                    best = Gate(
                        min_score=float(top[order[k]]),
                        min_margin=min_margin,
                        target_precision=target_precision,
                        share=(k + 1) / n,
                        precision=float(precision[k]),
                    )
                break
    return best


def correct_top1(
    probabilities: np.ndarray, examples: Sequence[Example], numbers: Sequence[int]
) -> np.ndarray:
    """Per example: is the top-ranked row the label or one of its alternates?"""
    top = np.asarray(numbers)[probabilities.argmax(axis=1)]
    return np.array([int(t) in e.accepted for t, e in zip(top, examples, strict=True)])


def apply_gate(probabilities: np.ndarray, gate: Gate) -> np.ndarray:
    ordered = np.sort(probabilities, axis=1)
    top = ordered[:, -1]
    return (top >= gate.min_score) & (top - ordered[:, -2] >= gate.min_margin)


def folds(
    examples: Sequence[Example], n_splits: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) index pairs: grouped by message, stratified by row where possible."""
    labels = np.array([e.number for e in examples])
    groups = np.array([e.group for e in examples])
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        # Rows with fewer texts than folds cannot be stratified; that is expected here.
        warnings.simplefilter("ignore", UserWarning)
        return list(splitter.split(np.zeros(len(labels)), labels, groups))


def out_of_fold(
    examples: Sequence[Example],
    catalog: ResponsibilityList,
    keywords: KeywordFeatures,
    config: TrainConfig,
    n_splits: int,
    seed: int,
) -> np.ndarray:
    probabilities = np.zeros((len(examples), len(keywords.numbers)))
    for train, test in folds(examples, n_splits, seed):
        model, _ = fit([examples[i] for i in train], catalog, keywords, config)
        probabilities[test] = predict(model, [examples[i].text for i in test])
    return probabilities


def cross_validate(
    examples: Sequence[Example],
    catalog: ResponsibilityList,
    keywords: KeywordFeatures,
    config: TrainConfig = TrainConfig(),
    *,
    n_splits: int = 5,
    inner_splits: int = 5,
    seed: int = 0,
    target_precision: float = 0.98,
) -> CrossValidation:
    """Held-out predictions for every example; each fold's gate is calibrated on an inner
    cross-validation of that fold's training part only."""
    numbers = keywords.numbers
    result = CrossValidation(
        numbers=numbers,
        probabilities=np.zeros((len(examples), len(numbers))),
        confident=np.zeros(len(examples), dtype=bool),
    )
    for train, test in folds(examples, n_splits, seed):
        training = [examples[i] for i in train]
        inner = out_of_fold(training, catalog, keywords, config, inner_splits, seed + 1)
        gate = choose_gate(inner, correct_top1(inner, training, numbers), target_precision)
        model, _ = fit(training, catalog, keywords, config)
        held_out = predict(model, [examples[i].text for i in test])
        result.probabilities[test] = held_out
        result.confident[test] = apply_gate(held_out, gate)
        result.gates.append(gate)
    return result


def metadata(
    config: TrainConfig, gate: Gate, inputs: dict[str, str], model_sha256: str
) -> dict[str, Any]:
    import sklearn

    return {
        "format": ARTEFACT_FORMAT,
        "model_sha256": model_sha256,
        "inputs_sha256": inputs,
        "config": asdict(config),
        "gate": asdict(gate),
        "trained_with": {"scikit-learn": sklearn.__version__, "numpy": np.__version__},
    }
