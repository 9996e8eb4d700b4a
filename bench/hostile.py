"""Hostile inputs for every parser skc has, shared by the CI fuzz test (`tests/security/test_fuzz.py`,
a small hypothesis budget) and the fuzz benchmark (`python -m bench.fuzz`, a larger one).

`SHAPES` makes text of a hostile shape at a size `n` (nesting, unterminated strings and
escapes, inline code spans, YAML aliases, long lines, big tables, binary bytes, ...);
`PARSERS` feeds text to one parser the way a user's file would reach it: IR text,
.skflow, a runbook .md, a SKILL.md folder, a bundle manifest.json, a shell command (the
shell model and the permission check). Each parser entry returns normally or raises
`DiagnosticError` (a located user error); anything else is a bug the fuzzers report.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from skc.ir.location import DiagnosticError


def _laughs(n: int) -> str:
    depth = min(max(n // 1000, 2), 12)
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, depth):
        cur, prev = f"a{i}", "a" if i == 1 else f"a{i - 1}"
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines)


SHAPES: dict[str, Callable[[int], str]] = {
    "brackets": lambda n: "[" * n + "]" * (n // 2),
    "braces": lambda n: "{" * n,
    "parens": lambda n: "(" * n + "x" + ")" * n,
    "dollar-parens": lambda n: "echo " + "$(" * n + "x" + ")" * n,
    "backticks": lambda n: "`" * n,
    "code-spans": lambda n: " ".join(f"run `kubectl get pods -n ns{i}` now" for i in range(n // 30 + 1)),
    "unterminated-string": lambda n: '"' + '\\"' * n,
    "quotes": lambda n: "'\"" * n,
    "long-line": lambda n: "x" * (n * 10),
    "table": lambda n: "| a | b |\n|---|---|\n" + "".join(f"| `ls {i}` | y |\n" for i in range(n // 12 + 1)),
    "list-nesting": lambda n: "".join("  " * i + "- item\n" for i in range(min(n, 2000))),
    "blockquotes": lambda n: ">" * n + " x\n",
    "headings": lambda n: "".join(f"## Step {i}\n\nrun `ls`\n\n" for i in range(n // 20 + 1)),
    "yaml-aliases": lambda n: _laughs(n),
    "yaml-nesting": lambda n: "a: " + "[" * n + "]" * n,
    "binary": lambda n: "\x00\x01\xff\ufeff" * (n // 4 + 1),
    "ir-regions": lambda n: '"skc.workflow"() (' + '{\n"ctrl.if"(%c) (' * n,
    "skflow-ifs": lambda n: "".join(f"    step x{i} = if true {{\n" for i in range(min(n, 5000))),
    "expression-chain": lambda n: " and ".join(["a > 1"] * (n // 8 + 1)),
    "json-nesting": lambda n: "[" * n + "]" * n,
    "huge-number": lambda n: '{"schema_version": ' + "9" * n + "}",
    "emphasis": lambda n: "*a _b **c " * (n // 10 + 1),
    "links": lambda n: "[a](b [c] " * (n // 10 + 1),
}


_ROOT = tempfile.TemporaryDirectory(prefix="skc-fuzz-")


def _file(name: str, text: str) -> Path:
    path = Path(_ROOT.name) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    return path


def ir(text: str) -> None:
    from skc.ir.parser import parse_module
    parse_module(text, "fuzz.mlir")


def skflow(text: str) -> None:
    from skc.compiler.frontend.skflow.parse import parse_skflow
    parse_skflow("workflow w(a: num) -> bool\n{\n    step c = " + text + "\n    return c\n}\n", "fuzz.skflow")
    parse_skflow(text, "fuzz.skflow")


def runbook(text: str) -> None:
    from skc.compiler.frontend.runbook.tsg_md import compile_tsg
    compile_tsg(_file("fuzz.md", "# Fuzz\n\n## Step 1\n\n" + text + "\n"))


def skill(text: str) -> None:
    from skc.compiler.frontend.skill.skill_md import compile_skill
    path = _file("fuzz/SKILL.md", f"---\nname: fuzz\ndescription: fuzz\n{text}\n---\n# Fuzz\n\n{text}\n")
    compile_skill(path.parent)


def manifest(text: str) -> None:
    from skc.compiler.bundle import _manifest
    _manifest(text.encode("utf-8", errors="surrogatepass"), "fuzz/manifest.json")


def shell(text: str) -> None:
    from skc.runtime.permission_requests import shell_request
    from skc.runtime.permissions import policy_for
    policy_for(["Bash(git:*)"]).check(shell_request(text))


PARSERS: dict[str, Callable[[str], None]] = {
    "ir": ir, "skflow": skflow, "runbook": runbook, "skill": skill, "manifest": manifest, "shell": shell,
}


def attempt(parser: str, text: str) -> str:
    """Feeds `text` to `parser`: '' when it returned or raised a located error, else the bug's
    name and message."""
    try:
        PARSERS[parser](text)
    except DiagnosticError:
        pass
    except Exception as e:  # the fuzzers' whole point: anything else is a bug to report
        return f"{type(e).__name__}: {str(e)[:200]}"
    return ""
