"""Real texts for checking exports: an even sample of every shared dataset's rows."""

from __future__ import annotations

import csv
import os
from pathlib import Path

PER_DATASET = 20


def datasets_dir() -> Path:
    env = os.environ.get("SURROGATE_DATASETS_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "datasets"


def real_texts(per_dataset: int = PER_DATASET) -> list[dict]:
    """[{dataset, id, text}]: rows 0, n/k, 2n/k, … of each CSV (so row 0 of each is always in). Fails when none are found."""
    folder = datasets_dir()
    csv.field_size_limit(1 << 30)
    out = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            rows = [r for r in csv.DictReader(f) if r.get("text", "").strip()]
        step = max(1, len(rows) // per_dataset)
        out += [{"dataset": path.stem, "id": r["id"], "text": r["text"]} for r in rows[::step][:per_dataset]]
    if len(out) < 200:
        raise SystemExit(f"Only {len(out)} texts found in {folder} (need 200 to check an export; set SURROGATE_DATASETS_DIR).")
    return out
