"""The fidelity cases: each expected structure (YAML in `expected/`) with the document it describes.

`source: docs/x.md` is a document written for this suite (in `docs/`); `source:
corpus:runbooks/...` a public runbook of the shared corpus (../shared/corpus from the
repository root, or $SKC_CORPUS). Cases whose corpus is absent are left out.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from skc.compiler.frontend.runbook.fidelity import Expected, load_expected

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CORPUS = Path(os.environ.get("SKC_CORPUS") or REPO / ".." / "shared" / "corpus").resolve()


def cases() -> list[tuple[str, Path, Expected]]:
    """(name, document path, expected) for every case whose document is here."""
    out: list[tuple[str, Path, Expected]] = []
    for f in sorted((HERE / "expected").rglob("*.yaml")):
        exp = load_expected(yaml.safe_load(f.read_text(encoding="utf-8")))
        doc = CORPUS / exp.source.removeprefix("corpus:") if exp.source.startswith("corpus:") else HERE / exp.source
        if doc.is_file():
            out.append((f.stem, doc, exp))
    return out


def corpus_cases() -> int:
    return sum(1 for _, _, e in cases() if e.source.startswith("corpus:"))
