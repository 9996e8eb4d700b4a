"""The fidelity suite: runbooks (public corpus ones and ones written in the idioms the corpus
lacks) against their hand-checked structure, per document and in total (see `cases`).

Per document: it compiles, every expected command or query is an op or a located
diagnostic (no silent drop), no comparison is invented, no interactive command runs as
plain shell. In total: the targets of issue 13 (recall, F1, evidence, placeholders).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from fidelity.cases import cases, corpus_cases
from skc.compiler.frontend.runbook.fidelity import Expected, Score, score_document

CASES = cases()
# Misses kept on purpose: what the front end does not read yet (see the report in README).
KNOWN_DROPS: set[str] = set()  # none: the inline `pg_terminuate_backend({PID})` call now has its SKC151 warning
# (case, element) where the hand-checked structure and the front end disagree and the data is
# right: the front end's gap, kept visible as a strict xfail (`test_structure_gap`) until read.
STRUCTURE_GAPS: dict[tuple[str, str], str] = {
    ("gl_gcs_snapshots", "edges"): "two independent procedures (manual snapshot; the alert's troubleshooting) chained by an edge",
}


@pytest.mark.parametrize(("name", "doc", "expected"), CASES, ids=[c[0] for c in CASES])
def test_document(name: str, doc: Path, expected: Expected) -> None:
    sc = score_document(doc, expected)
    drops = [d for d in sc.silent_drops if not any(k in d for k in KNOWN_DROPS)]
    assert drops == [], drops
    assert sc.invented == [], sc.invented
    assert sc.interactive == [], sc.interactive
    for element in ("steps", "edges", "inputs", "exits"):
        c = sc.counts.get(element)
        if c is not None and (name, element) not in STRUCTURE_GAPS:
            assert (c.tp, c.found) == (c.expected, c.expected), (element, sc.misses)


@pytest.mark.parametrize(("name", "element"), [
    pytest.param(n, e, marks=pytest.mark.xfail(strict=True, reason=r), id=f"{n}-{e}")
    for (n, e), r in STRUCTURE_GAPS.items()])
def test_structure_gap(name: str, element: str) -> None:
    doc, expected = next((d, e) for c, d, e in CASES if c == name)
    c = score_document(doc, expected).counts[element]
    assert (c.tp, c.found) == (c.expected, c.expected)


def _total() -> Score:
    total = Score()
    for _, doc, expected in CASES:
        total.add(score_document(doc, expected))
    return total


def test_the_suite_has_enough_documents() -> None:
    authored = sum(1 for _, _, e in CASES if not e.source.startswith("corpus:"))
    assert authored >= 20
    if corpus_cases() == 0:
        pytest.skip("the shared corpus is not here")
    assert corpus_cases() >= 40


_TOTAL: list[Score] = []


def _suite_total() -> Score:
    if not _TOTAL:
        _TOTAL.append(_total())
    return _TOTAL[0]


# The targets of issue 13, one test each; a target the front end misses since the corpus cases
# carry their full hand-checked structure is a strict xfail with the measured number.
_TARGETS = [
    ("commands_recall", lambda t: t.counts["commands"].recall >= 0.98, None),
    ("edges_f1", lambda t: t.counts["edges"].f1 >= 0.95, None),
    ("decisions_with_evidence_recall", lambda t: t.counts["decisions_with_evidence"].recall >= 0.9, None),
    ("decisions_precision", lambda t: t.counts["decisions"].precision >= 0.9, None),  # no "if" remark compiled as a decision
    ("decisions_recall", lambda t: t.counts["decisions"].recall >= 0.9, None),
    ("inputs_recall", lambda t: t.counts["inputs"].recall >= 0.98, None),
    ("no_invented_conditions", lambda t: t.invented == [], None),
    ("no_interactive_as_shell", lambda t: t.interactive == [], None),
]


@pytest.mark.parametrize("check", [
    pytest.param(f, marks=pytest.mark.xfail(strict=True, reason=r) if r else (), id=n) for n, f, r in _TARGETS])
def test_targets_over_the_whole_suite(check: Callable[[Score], bool]) -> None:
    total = _suite_total()
    assert check(total), total.misses


def test_every_llm_op_that_sees_nothing_has_a_located_warning() -> None:
    from skc.compiler.frontend.runbook.tsg_md import compile_tsg

    bare = unwarned = 0
    for _, doc, _ in CASES:
        result = compile_tsg(doc)
        assert result.module is not None
        warned = {d.loc for d in result.diagnostics if d.code in ("SKC153", "SKC149")}
        for op in result.module.workflows[0].walk():
            if op.op_name.startswith("llm.") and not any(v.type.kind != "token" for v in op.operands):
                bare += 1
                unwarned += op.loc not in warned
    assert bare > 0
    assert unwarned == 0
