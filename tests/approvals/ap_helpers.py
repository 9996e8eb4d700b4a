"""Shared helpers of the approval tests: a two-branch runbook in IR, one branch with a confirmed write."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def two_branches(tmp_path: Path, *, read_s: float = 0.3, otherwise: bool = False) -> Path:
    """Step 1 reads (and takes `read_s`), Step 2 appends to `writes.txt` and asks for
    confirmation; with `otherwise`, Step 3 is the document's "if not approved" step."""
    out = tmp_path / "writes.txt"
    fallback = ', fallback = "Step 3"' if otherwise else ""
    body = [
        f'  %a = "tool.shell"() {{cmd = "sleep {read_s}; echo pods-ok", effects = ["read:k8s"], '
        f'step = "Step 1"}} : () -> !skc.text',
        f'  %b = "tool.shell"() {{cmd = "echo rolled-back >> {out}; echo rolled-back", confirm = true, '
        f'effects = ["write:fs:{out}"]{fallback}, step = "Step 2"}} : () -> !skc.text',
    ]
    if otherwise:
        body.append('  %c = "tool.shell"() {cmd = "echo left-as-is", effects = ["read:k8s"], '
                    'step = "Step 3"} : () -> !skc.text')
    body.append('  "ctrl.return"(%a, %b) : (!skc.text, !skc.text) -> ()')
    text = ('"skc.workflow"() ({\n^bb0():\n' + "\n".join(body) +
            '\n}) {output_names = ["pods", "rollback"], sym_name = "rollback"} : () -> ()\n')
    path = tmp_path / "rollback.mlir"
    path.write_text(text)
    return path


def writes(tmp_path: Path) -> list[str]:
    out = tmp_path / "writes.txt"
    return out.read_text().split() if out.exists() else []


def records(run_dir: Path, kind: str) -> list[dict[str, Any]]:
    lines = (run_dir / "journal.jsonl").read_text().splitlines()
    return [r for r in map(json.loads, lines) if r.get("type") == kind]


def skc(*args: str) -> list[str]:
    return [sys.executable, "-m", "skc", *args]
