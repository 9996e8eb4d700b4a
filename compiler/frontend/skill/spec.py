"""The Agent Skills spec as one rule table, shared by `skc check` and `skc compile`.

`check_spec(doc, folder, strict=False)` judges a SKILL.md's front matter the way the
agentskills reference validator (`skills-ref validate`) does, and returns the
`SkillMeta` (name, description, allowed tools) with located diagnostics. Both
commands reach these rules through `compile_skill`, so they cannot disagree.

How values are read, as the reference reads them: its YAML loader keeps every
scalar as the text written, so `version: 1.0`, `compatibility: 3.11` or
`description: 42` are the strings `"1.0"`, `"3.11"`, `"42"` here too (skc takes
the scalar's source text, not PyYAML's float). skc's extras: flow style
(`tools: [a, b]`) is accepted, and every diagnostic has file:line:col.

    code    severity                    rule (reference message in brackets)
    SKC110  error    `name` missing [Missing required field in frontmatter: name]
    SKC111  error    `name` not a non-empty string, over 64 chars, not lowercase,
                     leading/trailing/double '-', a character that is not a letter,
                     digit or '-' (after NFKC; non-ASCII letters allowed: `мой-навык`)
    SKC112  error    `name` differs from the folder name (NFKC; the folder's own name,
                     a symlink is not followed), reported even when SKC111 is
    SKC113  error    `description` missing, empty or over 1024 chars
    SKC114  warning  a field the spec does not define: the spec (and the reference
                     validator) reject it; an error under `strict`
    SKC117  error    `compatibility` not text, or over 500 chars
    SKC118  warning  `metadata` not a mapping, or a value that is not a scalar
                     (the reference turns every value into a string)
    SKC119  warning  `allowed-tools` not a list of tool names (space- or comma-separated)
    SKC155  warning  the file is named `skill.md`; the spec's name is SKILL.md
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from skc.compiler.frontend.markdown.document import Document
from skc.compiler.frontend.markdown.front_matter import FrontMatter, read_front_matter
from skc.ir.location import Diagnostic, Location

KNOWN_KEYS = ("name", "description", "license", "compatibility", "metadata", "allowed-tools")
MAX_NAME, MAX_DESCRIPTION, MAX_COMPATIBILITY = 64, 1024, 500
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TOOL = re.compile(r"[A-Za-z_][\w.\-]*(?:\([^()]*\))?\Z")


def find_skill_md(folder: Path) -> Path | None:
    """The skill's document: SKILL.md, else a lowercase skill.md (as the reference looks)."""
    for name in ("SKILL.md", "skill.md"):
        if (folder / name).is_file():
            return folder / name
    return None


def folder_name(folder: Path) -> str:
    """The folder's own name: a symlinked skill folder is judged by the link's name."""
    return Path(os.path.abspath(folder)).name


@dataclass
class SkillMeta:
    """What the front matter says, as text (None where missing or unusable)."""

    name: str | None = None
    description: str | None = None
    compatibility: str | None = None
    tools: list[str] | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class _Ctx:
    fm: FrontMatter
    text: dict[str, Any]  # each top-level key's value with scalars as their source text
    folder: str
    strict: bool
    meta: SkillMeta
    diags: list[Diagnostic]

    def add(self, code: str, key: str, message: str, hint: str = "", severity: str = "error") -> None:
        self.diags.append(Diagnostic(code, self.fm.at(key), message, hint, severity))  # type: ignore[arg-type]


def _rule_name(c: _Ctx) -> None:
    if "name" not in c.text:
        c.add("SKC110", "name", "the front matter has no 'name' (the spec requires it)",
              f"add 'name: {c.folder}' between the '---' lines")
        return
    raw = c.text["name"]
    if not isinstance(raw, str) or not raw.strip():
        c.add("SKC111", "name", "'name' must be a non-empty string", f"e.g. name: {c.folder}")
        return
    name = unicodedata.normalize("NFKC", raw.strip())
    problems = []
    if len(name) > MAX_NAME:
        problems.append(f"is {len(name)} chars (at most {MAX_NAME})")
    if name != name.lower():
        problems.append("must be lowercase")
    if name.startswith("-") or name.endswith("-"):
        problems.append("cannot start or end with '-'")
    if "--" in name:
        problems.append("cannot contain '--'")
    if not all(ch.isalnum() or ch == "-" for ch in name):
        problems.append("may hold only letters, digits and '-'")
    if problems:
        c.add("SKC111", "name", f"invalid skill name {raw!r}: " + "; ".join(problems),
              "1-64 lowercase letters, digits and '-', not starting or ending with '-', no '--'")
    else:
        c.meta.name = name
    if name != unicodedata.normalize("NFKC", c.folder):
        c.add("SKC112", "name", f"name {name!r} differs from the folder name {c.folder!r}",
              "rename the folder or the skill so they match")


def _rule_description(c: _Ctx) -> None:
    if "description" not in c.text:
        c.add("SKC113", "description", "the front matter has no 'description' (the spec requires it)",
              "say what the skill does and when to use it")
        return
    d = c.text["description"]
    if not isinstance(d, str) or not d.strip():
        c.add("SKC113", "description", "'description' must be a non-empty string", "say what the skill does")
        return
    if len(d) > MAX_DESCRIPTION:
        c.add("SKC113", "description", f"description is {len(d)} chars (at most {MAX_DESCRIPTION})",
              "shorten it; move details into the body")
    c.meta.description = d[:MAX_DESCRIPTION]


def _rule_compatibility(c: _Ctx) -> None:
    if "compatibility" not in c.text:
        return
    v = c.text["compatibility"]
    if not isinstance(v, str):
        c.add("SKC117", "compatibility", f"'compatibility' must be a string, not a {_kind(v)}",
              "write it as one line of text, e.g. compatibility: Requires Python 3.11 and git")
    elif len(v) > MAX_COMPATIBILITY:
        c.add("SKC117", "compatibility", f"compatibility is {len(v)} chars (at most {MAX_COMPATIBILITY})",
              "shorten it")
    else:
        c.meta.compatibility = v


def _rule_metadata(c: _Ctx) -> None:
    if "metadata" not in c.text:
        return
    v = c.text["metadata"]
    if not isinstance(v, dict):
        c.add("SKC118", "metadata", f"'metadata' should map keys to strings, not be a {_kind(v)}",
              "write it as an indented mapping: metadata:\\n  version: \"1.0\"", "warning")
        return
    nested = [str(k) for k, x in v.items() if isinstance(x, dict | list)]
    if nested:
        c.add("SKC118", "metadata", f"metadata values should be strings; {', '.join(nested)} "
              "holds a nested value (the reference validator turns it into its text)",
              "flatten nested mappings", "warning")
    c.meta.metadata = {str(k): str(x) for k, x in v.items()}


def _rule_allowed_tools(c: _Ctx) -> None:
    if "allowed-tools" not in c.text:
        return
    v = c.text["allowed-tools"]
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        text = " ".join(v)
    elif isinstance(v, str):
        text = v
    else:
        c.add("SKC119", "allowed-tools", "allowed-tools should be a list of tool names",
              "e.g. allowed-tools: Bash(git:*) Read", "warning")
        return
    tools: list[str] = []
    for m in re.finditer(r"[^\s,()]+(?:\([^()]*\))?|[^\s,]", text):
        if not _TOOL.match(m.group(0)):
            c.add("SKC119", "allowed-tools", f"bad tool {m.group(0)!r} in allowed-tools",
                  "tools are names like Read or Bash(git:*), separated by spaces or commas", "warning")
            return
        tools.append(m.group(0))
    c.meta.tools = list(dict.fromkeys(tools))


def _rule_fields(c: _Ctx) -> None:
    for key in c.text:
        if key not in KNOWN_KEYS:
            c.diags.append(Diagnostic(
                "SKC114", c.fm.keys.get(key, c.fm.at(key)),
                f"unknown front matter field {key!r}: the Agent Skills spec rejects fields it does not define",
                "allowed: " + ", ".join(KNOWN_KEYS) + "; put custom data under metadata",
                "error" if c.strict else "warning"))


# The rule table: (what it checks, the rule). Order is report order for one line.
RULES: list[tuple[str, Callable[[_Ctx], None]]] = [
    ("name", _rule_name),
    ("description", _rule_description),
    ("compatibility", _rule_compatibility),
    ("metadata", _rule_metadata),
    ("allowed-tools", _rule_allowed_tools),
    ("fields", _rule_fields),
]


def check_spec(doc: Document, folder: Path, *, strict: bool = False) -> tuple[SkillMeta, list[Diagnostic]]:
    """The front matter of `doc` (the SKILL.md of `folder`) judged by `RULES`."""
    fm = read_front_matter(doc)
    diags = list(fm.diagnostics)
    meta = SkillMeta()
    if Path(doc.path).name == "skill.md":
        diags.append(Diagnostic("SKC155", Location(doc.path, 1, 1), "the skill's file is named skill.md",
                                "rename it SKILL.md, the name the spec gives", "warning"))
    if fm.data is None:
        if not fm.diagnostics:
            diags.append(Diagnostic("SKC110", Location(doc.path, 1, 1), "SKILL.md has no YAML front matter",
                                    "start the file with '---', 'name: ...', 'description: ...', '---'"))
        return meta, diags
    ctx = _Ctx(fm, _source_texts(doc.front_matter or "", fm.data), folder_name(folder), strict, meta, diags)
    for _, rule in RULES:
        rule(ctx)
    return meta, diags


def _source_texts(text: str, data: dict[str, Any]) -> dict[str, Any]:
    """`data` with every scalar replaced by the text written in the YAML (`1.0` stays "1.0")."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except (yaml.YAMLError, ValueError, RecursionError):
        return data
    if not isinstance(node, yaml.MappingNode):
        return data
    out: dict[str, Any] = {}
    for k, v in node.value:
        key = str(getattr(k, "value", ""))
        if key in data:
            out[key] = _as_text(v)
    return out


def _as_text(node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return str(node.value)
    if isinstance(node, yaml.MappingNode):
        return {str(getattr(k, "value", "")): _as_text(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_as_text(x) for x in node.value]
    return None


def _kind(v: Any) -> str:
    return {dict: "mapping", list: "list", type(None): "null"}.get(type(v), type(v).__name__)
