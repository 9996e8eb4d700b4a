"""Every SKILL.md folder and every runbook .md of the shared corpus through the markdown front ends.

Each document must become IR that verifies (`verify(module) == []`) or, where it
cannot become IR, clean diagnostics: every diagnostic located in that document
(file:line:col within its lines), no uncaught exception. How fast the walk is belongs
to the benchmark (`python -m bench.frontend`), not to an assertion here.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from skc.compiler.frontend import load
from skc.ir import verify


def sources(corpus: Path) -> list[Path]:
    skills = sorted(p.parent for p in corpus.glob("skills/**/SKILL.md"))
    runbooks = sorted(corpus.glob("runbooks/**/*.md"))
    return skills + runbooks


def test_every_corpus_document_verifies_or_gives_located_diagnostics(corpus: Path) -> None:
    files = sources(corpus)
    assert sum(p.is_dir() for p in files) >= 30
    assert len(files) - 30 >= 500
    problems: list[str] = []
    verified = 0
    codes: Counter[str] = Counter()
    for path in files:
        doc = path / "SKILL.md" if path.is_dir() else path
        try:
            result = load(path)
        except Exception as e:  # the point of the test: none may escape
            problems.append(f"{path}: uncaught {type(e).__name__}: {e}")
            continue
        lines = doc.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n").split("\n")
        for d in result.diagnostics:
            codes[d.code] += 1
            if d.loc.file != str(doc) or not 1 <= d.loc.line <= len(lines) or d.loc.col < 1:
                problems.append(f"{path}: badly located diagnostic {d}")
            if d.code.startswith("SKC2"):
                problems.append(f"{path}: the front end made IR that does not verify: {d}")
        if result.module is None:
            if not any(d.severity == "error" for d in result.diagnostics):
                problems.append(f"{path}: no IR and no error diagnostic")
        elif verify(result.module):
            problems.append(f"{path}: {verify(result.module)[0]}")
        else:
            verified += 1
    assert problems == []
    assert verified == len(files)  # the corpus is well-formed markdown: all of it becomes IR
    assert codes["SKC113"] == 1  # anthropics/claude-api's description is over 1024 chars


def test_runbooks_give_commands_and_inputs(corpus: Path) -> None:
    """A floor on extraction: runbooks with commands give tool ops, and every runbook whose
    code uses a `$VARIABLE` gets workflow inputs (measured: 42 of 117 prometheus-operator
    runbooks have tool ops; every one using a `$VAR` it does not set gets inputs)."""
    with_tools = 0
    runbooks = sorted(corpus.glob("runbooks/prometheus-operator/**/*.md"))
    for path in runbooks:
        result = load(path)
        assert result.module is not None
        names = {op.op_name for op in result.module.walk()}
        with_tools += any(n.startswith("tool.") for n in names)
        text = path.read_text(encoding="utf-8")
        used = set(re.findall(r"\$\{?([A-Z][A-Z_]{2,})", text)) - set(re.findall(r"\b([A-Z][A-Z_]{2,})=", text))
        if used:  # a variable the runbook never sets is an input
            assert result.module.workflow().attributes.get("arg_names"), path
    assert with_tools >= 40
