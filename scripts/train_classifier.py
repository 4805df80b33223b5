"""Build the report classifier's shipped model from the committed data.

Usage: python scripts/train_classifier.py [--check]

Reads the labelled texts (tests/data/classifier_eval.jsonl), the responsibility list and
keywords.yaml; calibrates the confidence gate on 5-fold out-of-fold predictions (grouped by
message) for the target precision; fits the model on everything; writes
backend/dispatch/data/classifier_model.npz (arrays only) and classifier_model.json (settings,
gate, checksums of the inputs and of the arrays file). Needs the `dev` extra (scikit-learn).

--check rebuilds in memory and exits non-zero if the committed artefact is stale (inputs
changed since it was built) or differs from what the committed data and script produce.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.catalog.responsibility_list import (  # noqa: E402
    DEFAULT_PATH as CATALOG_PATH,
)
from backend.catalog.responsibility_list import (  # noqa: E402
    ResponsibilityList,
    load_responsibility_list,
)
from backend.dispatch.classifier import (  # noqa: E402
    DEFAULT_KEYWORDS_PATH,
    check_names,
    load_keywords,
)
from backend.dispatch.classifier_model import (  # noqa: E402
    DEFAULT_META_PATH,
    DEFAULT_MODEL_PATH,
    KeywordFeatures,
    file_sha256,
    load_metadata,
)
from backend.dispatch.classifier_training import (  # noqa: E402
    TrainConfig,
    choose_gate,
    correct_top1,
    fit,
    load_examples,
    metadata,
    out_of_fold,
)

LABELLED_PATH = ROOT / "tests" / "data" / "classifier_eval.jsonl"
# The goal for automatic dispatch; the benchmark's nested cross-validation measures how well a
# gate chosen this way holds on texts it was not chosen on.
TARGET_PRECISION = 0.98
FOLDS = 5
SEED = 0


def input_checksums() -> dict[str, str]:
    paths = {"labelled": LABELLED_PATH, "catalog": CATALOG_PATH, "keywords": DEFAULT_KEYWORDS_PATH}
    return {name: file_sha256(path) for name, path in paths.items()}


def keyword_features(catalog: ResponsibilityList) -> KeywordFeatures:
    check_names(DEFAULT_KEYWORDS_PATH, catalog)
    numbers = sorted(item.number for item in catalog.items)
    return KeywordFeatures(
        numbers, load_keywords(DEFAULT_KEYWORDS_PATH), {i.number: i.name for i in catalog.items}
    )


def build(config: TrainConfig = TrainConfig()) -> tuple[dict[str, np.ndarray], dict]:
    """The artefact's arrays and metadata (without the arrays file's checksum)."""
    catalog = load_responsibility_list()
    keywords = keyword_features(catalog)
    examples = load_examples(LABELLED_PATH)
    oof = out_of_fold(examples, catalog, keywords, config, FOLDS, SEED)
    gate = choose_gate(oof, correct_top1(oof, examples, keywords.numbers), TARGET_PRECISION)
    _, arrays = fit(examples, catalog, keywords, config)
    return arrays, metadata(config, gate, input_checksums(), model_sha256="")


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """A compressed .npz with fixed member timestamps, so equal arrays give equal bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(arrays[name]))
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, member.getvalue())
    return buffer.getvalue()


def write(arrays: dict[str, np.ndarray], meta: dict) -> None:
    data = npz_bytes(arrays)
    DEFAULT_MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
    DEFAULT_MODEL_PATH.write_bytes(data)
    meta = {**meta, "model_sha256": file_sha256(DEFAULT_MODEL_PATH)}
    DEFAULT_META_PATH.write_text(
        json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the committed artefact")
    args = parser.parse_args()
    started = time.perf_counter()
    arrays, meta = build()
    if args.check:
        committed = load_metadata(DEFAULT_META_PATH)
        if committed["inputs_sha256"] != meta["inputs_sha256"]:
            print("stale: the labelled data, catalog or keywords changed since the model was built")
            return 1
        if file_sha256(DEFAULT_MODEL_PATH) != committed["model_sha256"]:
            print("corrupt: the arrays file differs from its recorded checksum")
            return 1
        with np.load(DEFAULT_MODEL_PATH, allow_pickle=False) as shipped:
            same = all(np.array_equal(shipped[k], v) for k, v in arrays.items())
        print("up to date" if same else "differs from a rebuild (library versions?)")
        return 0 if same else 1
    write(arrays, meta)
    gate = meta["gate"]
    size = DEFAULT_MODEL_PATH.stat().st_size
    print(
        f"wrote {DEFAULT_MODEL_PATH.relative_to(ROOT)} ({size / 1e6:.1f} MB, "
        f"{len(arrays['ngrams'])} n-grams) in {time.perf_counter() - started:.0f} s; gate: "
        f"score >= {gate['min_score']:.3f}, margin >= {gate['min_margin']:.2f} "
        f"(out-of-fold: {gate['share']:.1%} automatic at {gate['precision']:.1%} precision)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
