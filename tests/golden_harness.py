"""The one golden-file harness: lit-style headers in, expected files compared (or rewritten).

A golden input may start with header comments, lit style:

    // RUN: cse{tools=false}          the pipeline to run (else the suite's default)
    // OPTIONS: {"gpu": true}         JSON for PassContext.options

`headers(text)` reads them. A test compares what it produced with an expected
file through the `golden` fixture (tests/conftest.py): `golden.check(path, text)`
for text, `golden.check_json(path, data)` for JSON (written canonically: indented,
sorted keys). `pytest --update-golden` rewrites the expected files instead of
failing (review the diff before committing); `SKC_UPDATE_GOLDEN=1` is the same
switch for tools that cannot pass pytest options.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_HEADER = re.compile(r"//\s*([A-Z][A-Z_]*):\s*(.*?)\s*\Z")


def headers(text: str) -> dict[str, str]:
    """The `// KEY: value` comment lines of a golden input (the first of each key wins)."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        m = _HEADER.match(line.strip())
        if m:
            out.setdefault(m.group(1), m.group(2))
    return out


def update_requested(option: bool) -> bool:
    return option or os.environ.get("SKC_UPDATE_GOLDEN", "") not in ("", "0")


@dataclass(frozen=True)
class Golden:
    """Compares produced text with expected files; with `update`, writes them instead."""

    update: bool = False

    def check(self, expected: Path, got: str) -> None:
        if self.update:
            expected.parent.mkdir(parents=True, exist_ok=True)
            expected.write_text(got, encoding="utf-8")
        assert expected.is_file(), f"{expected} is missing (pytest --update-golden writes it)"
        assert got == expected.read_text(encoding="utf-8"), f"differs from {expected.name}"

    def check_json(self, expected: Path, data: Any) -> None:
        text = json.dumps(data, indent=2, sort_keys=True) + "\n"
        if self.update:
            expected.write_text(text, encoding="utf-8")
        assert data == json.loads(expected.read_text(encoding="utf-8")), f"differs from {expected.name}"
