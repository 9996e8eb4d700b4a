"""Fuzzing the markdown front ends: random documents never raise, and any IR they give verifies.

Documents are built from the pieces real runbooks and skills use (front matter with
random keys and values, headings, nested and numbered lists, code blocks in many
languages, inline commands, conditions, jumps, parallel hints, tables, HTML) mixed
with arbitrary unicode and raw bytes.
"""

from __future__ import annotations

import string
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skc.compiler.frontend.runbook.tsg_md import compile_tsg
from skc.compiler.frontend.skill.skill_md import compile_skill
from skc.ir import verify

WORDS = ["check", "the", "pod", "If", "output", "is", "empty", "go", "to", "step", "3", "stop", "here", "escalate",
         "run", "steps", "2", "through", "4", "in", "parallel", "then", "Otherwise,", "CPU", "above", "90%",
         "any", "not", "Running", "$NS", "<pod-name>", "{region}", "${VAR}", "scripts/x.py", ":", ".", ",", "?"]
COMMANDS = ["kubectl get pods -n $NS", "kubectl delete pod <pod>", "echo hi > /tmp/x", "curl -X POST http://x -d @f",
            "psql -c 'DELETE FROM t'", "POD=$(kubectl get pods -o name)", "export NS=prod", "for c in a b; do echo $c",
            "cat <<EOF", "ssh host", "python scripts/run.py --x {y}", "frob --all | tee out", "'unclosed \"quote",
            "sudo systemctl restart x", "$ uptime", "gitlab-psql -qtc \"SELECT 1", "done", "exit", "`", "\\"]
LANGS = ["", "bash", "sh", "console", "shell", "python", "sql", "promql", "yaml", "json", "ruby", "mermaid", "txt"]
text = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40)
sentence = st.lists(st.one_of(st.sampled_from(WORDS), text), min_size=1, max_size=12).map(" ".join)
inline = st.one_of(sentence, st.sampled_from(COMMANDS).map(lambda c: f"Run `{c}`."),
                   st.tuples(sentence, st.sampled_from(COMMANDS)).map(lambda t: f"{t[0]} `{t[1]}`"))


@st.composite
def blocks(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.sampled_from(["para", "heading", "list", "olist", "fence", "table", "html", "quote", "raw"]))
    if kind == "para":
        return draw(inline)
    if kind == "heading":
        return "#" * draw(st.integers(1, 7)) + " " + draw(st.one_of(sentence, st.sampled_from(
            ["Diagnosis", "Meaning", "Step 2 - Fix", "1) Inspect", "If the user agrees", "Mitigation"])))
    if kind in ("list", "olist"):
        items = draw(st.lists(inline, min_size=1, max_size=5))
        marks = [f"{draw(st.integers(0, 12))}." if kind == "olist" else "-" for _ in items]
        out = [f"{m} {i}" for m, i in zip(marks, items, strict=True)]
        if depth < 2 and draw(st.booleans()):
            out.append("   " + draw(blocks(depth + 1)).replace("\n", "\n   "))
        return "\n".join(out)
    if kind == "fence":
        body = "\n".join(draw(st.lists(st.one_of(st.sampled_from(COMMANDS), text), max_size=6)))
        fence = draw(st.sampled_from(["```", "~~~", "````"]))
        return f"{fence}{draw(st.sampled_from(LANGS))}\n{body}\n" + (fence if draw(st.booleans()) else "")
    if kind == "table":
        rows = draw(st.lists(st.tuples(inline, inline), min_size=1, max_size=4))
        return "| a | b |\n|---|---|\n" + "\n".join(f"| {a} | {b} |" for a, b in rows)
    if kind == "html":
        return draw(st.sampled_from(["<details>\n<summary>x</summary>", "</details>", "<table><tr><td>",
                                     "<!-- comment -->", "<br>", "<script>alert(1)</script>"]))
    if kind == "quote":
        return "> " + draw(inline)
    return draw(text)


YAML_KEYS = ["name", "description", "license", "compatibility", "metadata", "allowed-tools", "title", "x", "\u00e9"]
YAML_VALUES = ["demo", "fuzz-skill", "''", "[a, b", "{a: 1}", "1", "true", "null", "2024-01-01", "Bash(git:*) Read",
               "|\n  multi\n  line", ":", "- a\n- b", "\"unterminated", "*anchor", "&a x", "!!python/object x"]


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    if not draw(st.booleans()):
        return ""
    lines = [f"{draw(st.sampled_from(YAML_KEYS))}: {draw(st.one_of(st.sampled_from(YAML_VALUES), text))}"
             for _ in range(draw(st.integers(0, 5)))]
    return "---\n" + "\n".join(lines) + ("\n---\n" if draw(st.booleans()) else "\n")


@st.composite
def documents(draw: st.DrawFn) -> str:
    body = "\n\n".join(draw(st.lists(blocks(), max_size=10)))
    return draw(front_matter()) + body


def _check(result) -> None:
    if result.module is not None:
        assert verify(result.module) == []
    for d in result.diagnostics:
        assert d.loc.known
        assert d.loc.line >= 1
        assert d.loc.col >= 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents())
def test_random_runbooks_never_raise_and_verify(doc: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.md"
        path.write_text(doc, encoding="utf-8")
        _check(compile_tsg(path))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents())
def test_random_skills_never_raise_and_verify(doc: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "fuzz-skill"
        folder.mkdir()
        (folder / "SKILL.md").write_text(doc, encoding="utf-8")
        _check(compile_skill(folder))


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=300))
def test_random_bytes_never_raise(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bytes.md"
        path.write_bytes(data)
        _check(compile_tsg(path))


def test_deep_nesting_and_long_lines_do_not_raise(tmp_path: Path) -> None:
    deep = "".join("  " * i + "- item `kubectl get pods`\n" for i in range(200))
    wide = "Run `" + "x" * 100_000 + "`.\n" + "> " * 500 + "quote\n"
    for i, doc in enumerate([deep, wide, string.printable * 1000]):
        path = tmp_path / f"doc{i}.md"
        path.write_text(doc, encoding="utf-8")
        _check(compile_tsg(path))


def test_a_lone_backslash_line_typed_into_a_session_does_not_raise(tmp_path: Path) -> None:
    """Found by the runbook fuzzer: `ssh host` opens a session and the next logical line of its
    block is empty (a lone `\\`); planning it into the session raised IndexError."""
    path = tmp_path / "session.md"
    path.write_text("check\n\n```\nssh host\n\\\n", encoding="utf-8")
    _check(compile_tsg(path))
