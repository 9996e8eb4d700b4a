"""The hostile-input limits of the parsers (issue 12): text too long or too dense for a
parser is refused or kept whole with a located diagnostic, never dropped and never a crash.
Timings of the same shapes are `python -m bench.fuzz`'s job, not these tests'."""

from __future__ import annotations

from pathlib import Path

from skc.compiler.frontend.markdown.document import (
    MAX_INLINE_BRACKETS,
    MAX_INLINE_CHARS,
    MAX_LINES,
    parse_document,
)
from skc.compiler.frontend.runbook.tsg_md import compile_tsg
from skc.compiler.frontend.skflow.parse import MAX_LINE_CHARS, MAX_SOURCE_CHARS, parse_skflow
from skc.compiler.frontend.skill.skill_md import compile_skill


def _para_text(text: str) -> str:
    doc = parse_document(text, "x.md")
    return "".join(b.text for s in doc.root.walk() for b in s.blocks)


def test_a_paragraph_dense_in_brackets_is_kept_literal_with_a_located_warning() -> None:
    dense = "see [" * (MAX_INLINE_BRACKETS + 1) + " and `ls` done"
    doc = parse_document(f"# T\n\nintro\n\n{dense}\n\nafter `pwd`\n", "x.md")
    assert [(w.code, w.loc.line, w.severity) for w in doc.diagnostics] == [("SKC148", 5, "warning")]
    paras = [b for s in doc.root.walk() for b in s.blocks]
    assert paras[1].text == dense  # every character kept, backticks included
    assert [sp.text for sp in paras[2].spans] == ["pwd"]  # the paragraphs around it still parse


def test_a_paragraph_under_the_limits_parses_as_markdown() -> None:
    text = "run `ls` and [docs](http://x) " * 10
    doc = parse_document(text, "x.md")
    assert doc.diagnostics == []
    assert "[docs]" not in _para_text(text)  # a link reduced to its words


def test_a_huge_paragraph_is_kept_literal() -> None:
    text = "word `x` " * (MAX_INLINE_CHARS // 9 + 1)
    doc = parse_document(text, "x.md")
    assert [w.code for w in doc.diagnostics] == ["SKC148"]
    assert _para_text(text) == text.strip()


def test_the_warning_reaches_both_markdown_front_ends(tmp_path: Path) -> None:
    dense = "[" * (MAX_INLINE_BRACKETS + 5)
    rb = tmp_path / "rb.md"
    rb.write_text(f"# R\n\n## Step 1\n\nrun `ls`\n\n{dense}\n")
    assert [(d.code, d.loc.line) for d in compile_tsg(rb).diagnostics if d.code == "SKC148"] == [("SKC148", 7)]
    skill = tmp_path / "s"
    skill.mkdir()
    (skill / "SKILL.md").write_text(f"---\nname: s\ndescription: a skill\n---\n# S\n\n{dense}\n")
    assert [(d.code, d.loc.line) for d in compile_skill(skill).diagnostics if d.code == "SKC148"] == [("SKC148", 7)]


def test_a_long_skflow_line_is_a_located_error() -> None:
    expr = " and ".join(["a > 1"] * (MAX_LINE_CHARS // 9 + 1))
    result = parse_skflow(f"workflow w(a: num) -> bool\n{{\n    step c = {expr}\n    return c\n}}\n", "w.skflow")
    assert result.module is None
    assert [(d.code, d.loc.line) for d in result.diagnostics] == [("SKC128", 3)]


def test_a_huge_skflow_source_is_a_located_error() -> None:
    body = "".join(f"    step s{i} = {i}\n" for i in range(MAX_SOURCE_CHARS // 16 + 1))
    result = parse_skflow(f"workflow w() -> num\n{{\n{body}    return s0\n}}\n", "w.skflow")
    assert [d.code for d in result.diagnostics] == ["SKC128"]


def test_a_skflow_line_under_the_limit_still_parses() -> None:
    expr = " and ".join(["a > 1"] * 20)
    result = parse_skflow(f"workflow w(a: num) -> bool\n{{\n    step c = {expr}\n    return c\n}}\n", "w.skflow")
    assert result.module is not None, result.diagnostics


def test_a_document_over_the_line_limit_is_a_located_error(tmp_path: Path) -> None:
    rb = tmp_path / "rb.md"
    rb.write_text("# R\n\n" + "".join(f"## Step {i}\n\nrun `ls`\n\n" for i in range(MAX_LINES // 4 + 1)))
    errors = [(d.code, d.loc.line) for d in compile_tsg(rb).diagnostics if d.severity == "error"]
    assert errors == [("SKC128", MAX_LINES + 1)]
