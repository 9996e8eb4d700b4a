"""What a capability probe is, and the graders' shared helpers.

A `Probe` measures one primitive: `make(level, rng)` builds one randomised
`Instance` of level 1-3, and the instance grades the model's answer by code
(running it, executing SQL, compiling a regex, comparing numbers exactly,
validating JSON) — never by asking a model. An instance either:

- is answered in one turn (`grade(text)`),
- is answered by a first turn of tool calls graded without running them
  (`grade_calls(calls)`, for tool-call format, batching and delegation), or
- runs the agent loop against a sandbox directory (`sandbox` files, `tools`),
  graded on the final answer and the sandbox afterwards (`grade_agent`).

Each instance carries a `reference` answer that its grader must accept (tested for
every probe and level), so a low level is the model's, not a grader's bug.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any

Grade = tuple[bool, str]
ToolCalls = list[dict[str, Any]]
AgentGrade = Callable[[str, Path], Grade]


@dataclass
class Instance:
    """One randomised task and its grader."""

    prompt: str
    grade: Callable[[str], Grade] | None = None
    max_tokens: int = 160
    tools: list[dict[str, Any]] | None = None  # OpenAI tool specs (single-turn call probes)
    grade_calls: Callable[[ToolCalls], Grade] | None = None
    sandbox: dict[str, str] = field(default_factory=dict)  # agent probes: files to create
    agent_tools: list[str] = field(default_factory=list)  # agent probes: tool names
    grade_agent: AgentGrade | None = None  # (final answer, sandbox dir)
    max_turns: int = 4
    # A correct answer, so tests can check the grader accepts one: the text, the tool calls,
    # or (agent probes) a function that does the task in the sandbox and returns the answer.
    reference: str | ToolCalls | Callable[[Path], str] | None = None


@dataclass(frozen=True)
class Probe:
    """A primitive's probe: instances per level, and why it cannot run here (if so)."""

    primitive: str
    make: Callable[[int, Random], Instance]
    unavailable: Callable[[], str | None] = lambda: None


# ---------------------------------------------------------------- answer parsing

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.S)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def extract_code(text: str, langs: tuple[str, ...] = ()) -> str:
    """The first fenced block (preferring one tagged with `langs`), else the whole answer."""
    blocks = _FENCE.findall(text)
    for lang, body in blocks:
        if lang.lower() in langs:
            return str(body).strip()
    if blocks:
        return str(blocks[0][1]).strip()
    return text.strip().strip("`").strip()


def first_json(text: str) -> Any:
    """The first JSON object or array in the answer (code fences allowed); ValueError if none."""
    body = extract_code(text, ("json",)) if "```" in text else text
    starts = [i for i in (body.find("{"), body.find("[")) if i >= 0]
    if not starts:
        raise ValueError("no JSON in the answer")
    value, _ = json.JSONDecoder().raw_decode(body[min(starts):])
    return value


def call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """One tool call in OpenAI's shape (for references)."""
    return {"id": "ref", "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}


def first_line(text: str) -> str:
    return next((line.strip() for line in text.strip().splitlines() if line.strip()), "")


def answer_number(text: str) -> float | None:
    """The last number on the answer's first line that has a number (`12 + 5 = 17` -> 17)."""
    for line in text.strip().splitlines():
        found = _NUMBER.findall(line.replace(",", ""))
        if found:
            return float(found[-1])
    return None


def words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9']+(?:-[A-Za-z0-9']+)*", text)


def sentences(text: str) -> list[str]:
    """Sentences of a paragraph: split after . ! ? followed by space."""
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s.strip()]


def first_word_in(text: str, options: list[str]) -> str | None:
    """Which of `options` the answer mentions first (whole words, case-insensitive)."""
    best: tuple[int, str] | None = None
    for option in options:
        m = re.search(rf"\b{re.escape(option)}\b", text, re.I)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), option)
    return best[1] if best else None


def degenerate(text: str) -> bool:
    """Looping output: few distinct word trigrams, or one sentence said three times or more."""
    w = [x.lower() for x in words(text)]
    grams = list(zip(w, w[1:], w[2:], strict=False))
    if grams and len(set(grams)) / len(grams) < 0.5:
        return True
    said: dict[str, int] = {}
    for s in sentences(text):
        key = s.strip().lower()
        said[key] = said.get(key, 0) + 1
        if len(key) > 10 and said[key] >= 3:
            return True
    return False


def expect(ok: bool, why: str) -> Grade:
    return (True, "") if ok else (False, why)


# ---------------------------------------------------------------- running generated code

def run_program(argv: list[str], cwd: Path, *, timeout_s: float = 5.0, stdin: str = "") -> tuple[int, str, str]:
    """Runs untrusted generated code: its own directory, a minimal environment, a timeout."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd), "LC_ALL": "C.UTF-8",
           "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        proc = subprocess.run(argv, cwd=cwd, env=env, input=stdin, capture_output=True, text=True,
                              timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        return 124, "", f"timed out after {timeout_s}s"
    return proc.returncode, proc.stdout, proc.stderr


def python_argv(path: Path) -> list[str]:
    return [sys.executable, "-I", str(path)]


def which(binary: str) -> str | None:
    return shutil.which(binary)


def short(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
