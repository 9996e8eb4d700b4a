"""The SKILL.md front end: an Agent Skills folder to one workflow.

`compile_skill(folder)` validates the YAML front matter against the Agent Skills
spec, extracts the body's steps (see `steps`) and lowers them (see `lower`): code
blocks become `tool.*` ops, `scripts/...` references `tool.script`, prose
instructions `llm.*` ops, open-ended work `llm.agent` limited to the skill's
`allowed-tools` (which also become the workflow's `permissions`). The module is
returned whenever the body could be read, even when the front matter has errors,
so `skc check` can report everything at once.

    SKC110  error    `name` is missing
    SKC111  error    `name` is not 1-64 chars of [a-z0-9-] without leading, trailing or double '-'
    SKC112  error    `name` differs from the folder name
    SKC113  error    `description` is missing, not text, empty or over 1024 chars
    SKC114  warning  a key the spec does not define (or a `license` that is not text)
    SKC115  warning  the body is longer than 500 lines
    SKC116  error    the front matter is not valid YAML (or not closed, or not a mapping)
    SKC117  error    `compatibility` is not text or is over 500 chars
    SKC118  error    `metadata` is not a mapping of strings to strings
    SKC119  error    `allowed-tools` is not a space-separated list like `Bash(git:*) Read`
    SKC127  warning  a referenced script is not in the skill folder
    SKC128  error    SKILL.md is not a text document
    SKC129  warning  the body has no steps

Body analysis codes (SKC120-126) are listed in `tsg_md`.
"""

from __future__ import annotations

import re
from pathlib import Path

from skc.compiler.frontend import FrontendResult
from skc.compiler.frontend.markdown.document import decode, parse_document
from skc.compiler.frontend.markdown.front_matter import FrontMatter, read_front_matter
from skc.compiler.frontend.markdown.lower import Lowering
from skc.compiler.frontend.markdown.steps import extract_steps
from skc.ir.location import Diagnostic, Location
from skc.ir.module import Module
from skc.ir.verifier import verify

KNOWN_KEYS = {"name", "description", "license", "compatibility", "metadata", "allowed-tools"}
MAX_BODY_LINES = 500
_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_TOOL = re.compile(r"[A-Za-z_][\w.\-]*(?:\([^()]*\))?")


def compile_skill(folder: Path) -> FrontendResult:
    """The workflow of the skill in `folder` (a directory holding SKILL.md), with diagnostics."""
    folder = Path(folder)
    path = folder / "SKILL.md"
    try:
        raw = path.read_bytes()
    except OSError as e:
        return FrontendResult(None, [Diagnostic("SKC100", Location(str(path), 1, 1), f"cannot read: {e.strerror or e}")])
    text = decode(raw)
    if text is None:
        return FrontendResult(None, [Diagnostic("SKC128", Location(str(path), 1, 1),
                                                "SKILL.md is not a UTF-8 text document (or is over 4 MB)")])
    try:
        doc = parse_document(text, str(path))
    except RecursionError:
        return FrontendResult(None, [Diagnostic("SKC128", Location(str(path), 1, 1), "SKILL.md nests too deeply")])
    fm = read_front_matter(doc)
    diags = list(fm.diagnostics)
    folder_name = folder.resolve().name
    name = _check_name(fm, folder_name, diags)
    description = _check_spec(fm, diags)
    permissions = _allowed_tools(fm, diags)
    body_start = doc.body_start
    body_lines = len("\n".join(doc.lines[body_start:]).rstrip("\n").split("\n"))
    if body_lines > MAX_BODY_LINES:
        diags.append(Diagnostic("SKC115", Location(str(path), body_start + MAX_BODY_LINES + 1, 1),
                                f"the body has {body_lines} lines; the spec recommends at most "
                                f"{MAX_BODY_LINES}", "move reference material into references/ files", "warning"))
    steps = extract_steps(doc, diags)
    if not steps:
        diags.append(Diagnostic("SKC129", Location(str(path), body_start + 1, 1), "the body has no steps",
                                "write numbered steps, commands or instructions", "warning"))
    wf = Lowering(str(path), steps, diags, permissions=permissions, skill_dir=folder).build(
        _snake(name or folder_name) or "skill", description=description, source=str(folder),
        permissions=permissions)
    module = Module([wf], file=str(path))
    diags.extend(verify(module))
    diags.sort(key=lambda d: (d.loc.line, d.loc.col, d.code))
    return FrontendResult(module, diags)


def _check_name(fm: FrontMatter, folder_name: str, diags: list[Diagnostic]) -> str | None:
    data = fm.data or {}
    if fm.data is None and fm.diagnostics:
        return None
    if "name" not in data:
        diags.append(Diagnostic("SKC110", fm.at("name"), "the front matter has no 'name'",
                                f"add 'name: {folder_name}' between '---' lines at the top", "error"))
        return None
    name = data["name"]
    if not isinstance(name, str) or not 1 <= len(name) <= 64 or not _NAME.match(name):
        diags.append(Diagnostic("SKC111", fm.at("name"), f"invalid skill name {name!r}",
                                "1-64 characters of a-z, 0-9 and '-', not starting or ending with '-', no '--'"))
        return None
    if name != folder_name:
        diags.append(Diagnostic("SKC112", fm.at("name"), f"name {name!r} differs from the folder name {folder_name!r}",
                                "rename the folder or the skill so they match"))
    return name


def _check_spec(fm: FrontMatter, diags: list[Diagnostic]) -> str | None:
    """Checks description, license, compatibility, metadata and unknown keys; returns the description."""
    if fm.data is None:
        if not fm.diagnostics:
            diags.append(Diagnostic("SKC110", Location(fm.path, 1, 1), "SKILL.md has no YAML front matter",
                                    "start the file with '---', 'name: ...', 'description: ...', '---'"))
        return None
    data = fm.data
    description = data.get("description")
    if "description" not in data:
        diags.append(Diagnostic("SKC113", fm.at("description"), "the front matter has no 'description'",
                                "say what the skill does and when to use it"))
    elif not isinstance(description, str) or not description.strip() or len(description) > 1024:
        size = f"{len(description)} chars" if isinstance(description, str) else type(description).__name__
        diags.append(Diagnostic("SKC113", fm.at("description"), f"description must be 1-1024 chars of text ({size})",
                                "shorten it or quote it"))
        description = description[:1024] if isinstance(description, str) and description.strip() else None
    if "license" in data and not isinstance(data["license"], str):
        diags.append(Diagnostic("SKC114", fm.at("license"), "license should be text", "", "warning"))
    compat = data.get("compatibility")
    if "compatibility" in data and (not isinstance(compat, str) or len(compat) > 500):
        diags.append(Diagnostic("SKC117", fm.at("compatibility"), "compatibility must be at most 500 chars of text"))
    meta = data.get("metadata")
    if "metadata" in data and not (isinstance(meta, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in meta.items())):
        diags.append(Diagnostic("SKC118", fm.at("metadata"), "metadata must map strings to strings",
                                "quote numbers and dates, flatten nested mappings"))
    for key in data:
        if key not in KNOWN_KEYS:
            diags.append(Diagnostic("SKC114", fm.keys.get(key, fm.at(key)), f"unknown front matter key {key!r}",
                                    "the spec defines " + ", ".join(sorted(KNOWN_KEYS)), "warning"))
    return description if isinstance(description, str) else None


def _allowed_tools(fm: FrontMatter, diags: list[Diagnostic]) -> list[str] | None:
    """`allowed-tools` as a list (`Bash(git:*) Read` -> ["Bash(git:*)", "Read"]), or None when absent."""
    if fm.data is None or "allowed-tools" not in fm.data:
        return None
    value = fm.data["allowed-tools"]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        text = " ".join(value)
    elif isinstance(value, str):
        text = value
    else:
        diags.append(Diagnostic("SKC119", fm.at("allowed-tools"), "allowed-tools must be a space-separated string",
                                "e.g. allowed-tools: Bash(git:*) Read"))
        return None
    tools: list[str] = []
    for m in re.finditer(r"[^\s,()]+(?:\([^()]*\))?|\S", text):
        if not _TOOL.fullmatch(m.group(0)):
            diags.append(Diagnostic("SKC119", fm.at("allowed-tools"), f"bad tool {m.group(0)!r} in allowed-tools",
                                    "tools are names like Read or Bash(git:*)"))
            return None
        tools.append(m.group(0))
    return list(dict.fromkeys(tools))


def _snake(name: str) -> str:
    s = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower()
    return s if not s[:1].isdigit() else "skill_" + s
