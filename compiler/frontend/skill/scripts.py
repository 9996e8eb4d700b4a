"""Scripts as typed tools: the signature of each file in a skill's `scripts/`.

`script_signatures(folder)` reads each script without running it, when it is first
looked up (a `ScriptSignatures` mapping):

- Python: the source is parsed with `ast`; each `add_argument(...)` call of argparse
  (positional names, `--flags`, `required=`, `help=`, `action="store_true"`, `type=int`)
  and each `@click.argument` / `@click.option` decorator is one parameter; the
  parser's `description=` (else the module docstring's first line) says what it does.
- Other scripts (bash, node, ...): a `usage:` line in the first 60 lines
  (`usage: rotate.sh <name> [--force]`): `<x>` / `UPPER` words are required
  positionals, `[--x]` optional flags.

A parameter's JSON type is `integer`/`number`/`boolean` from `type=` / `store_true`,
else `string`. The signature feeds the parameter schema of `llm.extract` (see `lower`).

`normalise_command(text, folder)` is a skill's command as it runs from the skill's folder
(`{baseDir}/scripts/x.py` is `scripts/x.py`, `uv run` of a script without dependencies is
`python3`, `python -m scripts.x` runs `scripts/x.py`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_SCRIPT_BYTES = 2_000_000
_USAGE = re.compile(r"usage:\s*(.+)", re.IGNORECASE)


@dataclass
class Param:
    """One parameter of a script: `flag` is "" for a positional."""

    name: str
    flag: str = ""
    required: bool = False
    help: str = ""
    type: str = "string"


@dataclass
class ScriptSig:
    """What a script takes and says it does."""

    path: str  # relative to the skill folder, e.g. scripts/init_skill.py
    summary: str = ""
    params: list[Param] = field(default_factory=list)

    def schema(self) -> dict[str, Any]:
        """JSON Schema properties of the parameters (for `llm.extract`)."""
        return {p.name: {"type": p.type, **({"description": p.help} if p.help else {})} for p in self.params}


def script_signatures(folder: Path) -> ScriptSignatures:
    """Signatures of the files under `folder/scripts`, keyed by their relative path (read lazily)."""
    return ScriptSignatures(folder)


class ScriptSignatures(Mapping[str, ScriptSig]):
    """The signatures of a skill's scripts, each read and parsed the first time it is asked for.

    A skill calls a few of its scripts from SKILL.md, and a `scripts/` folder may hold many
    (and large) ones: only those looked up are read. The keys are the scripts' paths
    relative to the skill folder; a file that cannot be read as UTF-8, or Python that
    does not parse, has no signature (as if it were not there); so does a file over
    `MAX_SCRIPT_BYTES` or under `__pycache__`.
    """

    def __init__(self, folder: Path) -> None:
        root = folder / "scripts"
        files = sorted(root.rglob("*")) if root.is_dir() else []
        self._files = {f.relative_to(folder).as_posix(): f for f in files
                       if "__pycache__" not in f.parts and f.is_file() and f.stat().st_size <= MAX_SCRIPT_BYTES}
        self._read: dict[str, ScriptSig | None] = {}

    def _signature(self, rel: str) -> ScriptSig | None:
        if rel not in self._read:
            f = self._files[rel]
            try:
                text = f.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                self._read[rel] = None
            else:
                self._read[rel] = python_signature(rel, text) if f.suffix == ".py" else usage_signature(rel, text)
        return self._read[rel]

    def __getitem__(self, rel: str) -> ScriptSig:
        sig = self._signature(rel) if rel in self._files else None
        if sig is None:
            raise KeyError(rel)
        return sig

    def __iter__(self) -> Iterator[str]:
        return (rel for rel in self._files if self._signature(rel) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def python_signature(path: str, source: str) -> ScriptSig | None:
    """argparse / click parameters of a Python script, read with `ast` (None if it does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return None
    sig = ScriptSig(path, (ast.get_docstring(tree) or "").strip().split("\n", 1)[0])
    for node in ast.walk(_calling_part(tree, source)):
        if isinstance(node, ast.Call) and _attr(node.func) == "add_argument":
            p = _argparse_param(node)
        elif isinstance(node, ast.Call) and _attr(node.func) in ("argument", "option") \
                and _base(node.func) == "click":
            p = _click_param(node)
        elif isinstance(node, ast.Call) and _attr(node.func) == "ArgumentParser":
            desc = _kw(node, "description")
            if isinstance(desc, str) and desc.strip():
                sig.summary = desc.strip().split("\n", 1)[0]
            continue
        else:
            continue
        if p is not None and p.name not in {q.name for q in sig.params} and p.name != "help":
            sig.params.append(p)
    return sig


_CALL_NAMES = ("add_argument", "ArgumentParser", "click")  # every name `python_signature` looks for
_LINE_END = re.compile(r"\r\n|\r|\n")  # where the tokenizer starts a new line (`lineno`)


def _calling_part(tree: ast.Module, source: str) -> ast.Module:
    """The top-level statements of `tree` whose lines name one of `_CALL_NAMES` (the only ones
    that can hold the calls looked for), as a module: walked breadth-first, it yields those calls
    in the order a walk of the whole tree would. Non-ASCII source keeps every statement (an
    identifier may be written in another Unicode form of the same name)."""
    if not source.isascii():
        return tree
    hits = [i for i, line in enumerate(_LINE_END.split(source), 1) if any(n in line for n in _CALL_NAMES)]
    if not hits:
        return ast.Module(body=[], type_ignores=[])
    kept = []
    for stmt in tree.body:
        start = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])
        end = stmt.end_lineno or stmt.lineno
        if any(start <= h <= end for h in hits):
            kept.append(stmt)
    return ast.Module(body=kept, type_ignores=[])


def usage_signature(path: str, text: str) -> ScriptSig | None:
    """Parameters from a `usage:` line near the top of a non-Python script."""
    for line in text.split("\n")[:60]:
        m = _USAGE.search(line)
        if not m:
            continue
        sig = ScriptSig(path)
        words = m.group(1).split()[1:]
        for w in words:
            optional = w.startswith("[")
            core = w.strip("[]<>.,")
            if not core or core in ("|", "..."):
                continue
            if core.startswith("-"):
                sig.params.append(Param(_ident(core), core.split("=")[0], required=False))
            elif w.startswith("<") or core.isupper():
                sig.params.append(Param(_ident(core), "", required=not optional))
        return sig
    return ScriptSig(path)


def _argparse_param(call: ast.Call) -> Param | None:
    names = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if not names:
        return None
    flags = [n for n in names if n.startswith("-")]
    dest = _kw(call, "dest")
    long = next((f for f in flags if f.startswith("--")), flags[0] if flags else "")
    name = dest if isinstance(dest, str) else _ident(long or names[0])
    action = _kw(call, "action")
    required = bool(_kw(call, "required")) if flags else _kw(call, "nargs") not in ("?", "*")
    return Param(name, long, required, _help(call), _type(call, action))


def _click_param(call: ast.Call) -> Param | None:
    names = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if not names:
        return None
    flags = [n for n in names if n.startswith("-")]
    plain = [n for n in names if not n.startswith("-")]
    long = next((f for f in flags if f.startswith("--")), flags[0] if flags else "")
    name = _ident(plain[0] if plain else long)
    is_arg = _attr(call.func) == "argument"
    required = is_arg or bool(_kw(call, "required"))
    kind = "boolean" if _kw(call, "is_flag") else _type(call, None)
    return Param(name, "" if is_arg else long, required, _help(call), kind)


def _type(call: ast.Call, action: Any) -> str:
    if action in ("store_true", "store_false"):
        return "boolean"
    t = next((k.value for k in call.keywords if k.arg == "type"), None)
    return {"int": "integer", "float": "number"}.get(t.id if isinstance(t, ast.Name) else "", "string")


def _help(call: ast.Call) -> str:
    h = _kw(call, "help")
    return h.strip() if isinstance(h, str) else ""


def _kw(call: ast.Call, name: str) -> Any:
    for k in call.keywords:
        if k.arg == name and isinstance(k.value, ast.Constant):
            return k.value.value
    return None


def _attr(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _base(func: ast.expr) -> str:
    return func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""


def _ident(flag: str) -> str:
    s = re.sub(r"[^0-9A-Za-z]+", "_", flag.lstrip("-")).strip("_").lower()
    return s or "arg"


# How skills name their own folder in commands: it is where scripts/ are, not a parameter.
_SKILL_ROOT = re.compile(r"(?:\{base_?dir\}|\$\{?CLAUDE_SKILL_DIR\}?|\$\{?SKILL_DIR\}?|<path[-_]to[-_]skill>|"
                         r"\{skill_?dir\}|\$\{?CLAUDE_PLUGIN_ROOT\}?/skills/[\w-]+)/", re.IGNORECASE)
_UV_RUN = re.compile(r"\buv run(?:\s+--[\w-]+(?:[= ](?!scripts/|\./scripts/)[^\s-][^\s]*)?)*\s+(?=\.?/?scripts/\S+\.py)")
_PY_MODULE = re.compile(r"\b(python3?)\s+-m\s+(scripts(?:\.\w+)+)\b")
_USAGE_OPTION = re.compile(r"\s\[--?[^\]\n]*\]")


def normalise_command(text: str, folder: Path) -> str:
    """A skill's command as it runs from the skill: `{baseDir}/scripts/x.py` is `scripts/x.py`;
    `uv run [--opts] scripts/x.py` is `python3 scripts/x.py` when the script declares no
    dependencies (PEP 723 `dependencies = []`, or none); `python -m scripts.x` is
    `python scripts/x.py` (run as a module of the skill's root, see `tool.script`'s
    runtime); usage brackets (`[--examples]`) are optional parts, left out."""
    text = _SKILL_ROOT.sub("./", text).replace("././", "./")
    text = re.sub(r"(?<![\w.])\./scripts/", "scripts/", text)

    def uv(m: re.Match[str]) -> str:
        rest = text[m.end():].split()[0].lstrip("./")
        return "python3 " if _no_dependencies(folder / rest) else m.group(0)
    text = _UV_RUN.sub(uv, text)

    def module(m: re.Match[str]) -> str:  # `python -m scripts.x` is the skill's scripts/x.py
        rel = m.group(2).replace(".", "/") + ".py"
        return f"{m.group(1)} {rel}" if (folder / rel).is_file() else m.group(0)
    text = _PY_MODULE.sub(module, text)
    return _USAGE_OPTION.sub("", text)


def _no_dependencies(script: Path) -> bool:
    try:
        head = script.read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return False
    m = re.search(r"^#\s*dependencies\s*=\s*\[(.*?)\]", head, re.MULTILINE | re.DOTALL)
    return m is None or not m.group(1).strip().strip("#").strip()
