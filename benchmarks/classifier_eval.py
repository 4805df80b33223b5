"""Accuracy and speed of the report classifier on the labelled evaluation set.

Usage: python benchmarks/classifier_eval.py [--eval PATH] [--misses] [--min-score X --min-margin Y]

The set (tests/data/classifier_eval.jsonl) holds verbatim subject lines and short detail spans
of even-id citizen messages, labelled with the responsibility list's 序号; `alternates` are rows
the text fits equally well and count as correct.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.dispatch.classifier import (  # noqa: E402
    Classification,
    Classifier,
    ConfidenceRule,
    load_classifier,
)

DEFAULT_EVAL = ROOT / "tests" / "data" / "classifier_eval.jsonl"


@dataclass(frozen=True)
class Example:
    message_id: int
    text: str
    number: int
    alternates: tuple[int, ...]
    field: str

    @property
    def accepted(self) -> frozenset[int]:
        return frozenset((self.number, *self.alternates))


@dataclass(frozen=True)
class Report:
    total: int
    top1: float
    top3: float
    confident_share: float
    confident_precision: float
    ms_per_text: float
    misses: tuple[tuple[Example, Classification], ...]


def load_examples(path: Path = DEFAULT_EVAL) -> list[Example]:
    examples = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                examples.append(
                    Example(
                        message_id=int(row["message_id"]),
                        text=row["text"],
                        number=int(row["number"]),
                        alternates=tuple(int(a) for a in row.get("alternates", [])),
                        field=row["field"],
                    )
                )
    return examples


def evaluate(
    classifier: Classifier, examples: list[Example], rule: ConfidenceRule | None = None
) -> Report:
    classifier.warm_up()  # jieba's one-off load is not part of the per-text time
    rule = rule or ConfidenceRule()
    top1 = top3 = confident = confident_right = 0
    misses = []
    started = time.perf_counter()
    results = [classifier.classify(e.text, confidence=rule) for e in examples]
    elapsed = time.perf_counter() - started
    for example, result in zip(examples, results, strict=True):
        numbers = [c.number for c in result.candidates]
        hit1 = bool(numbers) and numbers[0] in example.accepted
        top1 += hit1
        top3 += bool(example.accepted & set(numbers))
        if result.confident:
            confident += 1
            confident_right += hit1
        if not hit1:
            misses.append((example, result))
    n = len(examples)
    return Report(
        total=n,
        top1=top1 / n,
        top3=top3 / n,
        confident_share=confident / n,
        confident_precision=confident_right / confident if confident else 1.0,
        ms_per_text=elapsed * 1000 / n,
        misses=tuple(misses),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--misses", action="store_true", help="list every top-1 miss")
    parser.add_argument("--min-score", type=float, default=ConfidenceRule.min_score)
    parser.add_argument("--min-margin", type=float, default=ConfidenceRule.min_margin)
    args = parser.parse_args()

    examples = load_examples(args.eval)
    started = time.perf_counter()
    classifier = load_classifier()
    classifier.warm_up()
    load_ms = (time.perf_counter() - started) * 1000
    rule = ConfidenceRule(min_score=args.min_score, min_margin=args.min_margin)
    report = evaluate(classifier, examples, rule)

    categories = Counter(e.number for e in examples)
    print(f"eval set: {report.total} texts, {len(categories)} categories ({args.eval.name})")
    print(f"top-1 accuracy:       {report.top1:.1%}")
    print(f"top-3 accuracy:       {report.top3:.1%}")
    print(f"confident share:      {report.confident_share:.1%}  ({rule})")
    print(f"confident precision:  {report.confident_precision:.1%}")
    print(f"time per text:        {report.ms_per_text:.3f} ms  (one-off load {load_ms:.0f} ms)")

    by_category: dict[int, list[tuple[Example, Classification]]] = defaultdict(list)
    for example, result in report.misses:
        by_category[example.number].append((example, result))
    print("\ntop-1 misses per category (label: misses/total):")
    for number in sorted(by_category, key=lambda n: (-len(by_category[n]), n)):
        misses = by_category[number]
        got = Counter(r.candidates[0].number if r.candidates else None for _, r in misses)
        went = ", ".join(f"{k}×{v}" for k, v in got.most_common())
        print(f"  {number:>3}: {len(misses)}/{categories[number]}  -> {went}")
    if args.misses:
        print("\nmisses:")
        for example, result in report.misses:
            ranked = " ".join(f"{c.number}:{c.score:.2f}" for c in result.candidates) or "-"
            alts = f" alt {list(example.alternates)}" if example.alternates else ""
            print(f"  [{example.number}{alts}] {example.text}  => {ranked}")


if __name__ == "__main__":
    main()
