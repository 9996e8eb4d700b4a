"""A skill's card: what the router knows about one skill, read from its folder without running it.

`read_card(folder, root)` reads SKILL.md (front matter + body) and the skill's
`scripts/` and returns a `SkillCard`: the terms of each routing field and the
file types the skill works on. Fields, strongest first:

    name         the skill's name (and folder name)
    description  the front matter `description`
    when         sections titled "When to use", "Triggers", "Use cases", ... (never
                 "When NOT to use": those words are evidence against the skill)
    tools        allowed-tools, the programs its shell blocks run, its scripts'
                 names and the options their argparse/usage text declares
    titles       the body's headings (procedure titles)
    body         the rest of the prose (capped, weak)

File types come from `.ext` mentions and from file-type words in the name and
description (a skill about "SARIF files" works on `.sarif`). A card never fails:
an unreadable skill gives a card with what could be read plus a diagnostic.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from skc.compiler.library.text import terms, with_pairs, words
from skc.ir.location import Diagnostic, Location

FIELDS = ("name", "description", "when", "tools", "titles", "body")
MAX_BODY_WORDS = 4000
MAX_SCRIPT_BYTES = 64_000
_FENCE = re.compile(r"^\s*(```+|~~~+)\s*([\w+-]*)")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_WHEN = re.compile(r"\b(when to (use|apply|invoke|activate)|use (this|it|when)|use cases?|triggers?|"
                   r"activat|applies to|is for|purpose|overview|when you)", re.I)
_NOT = re.compile(r"\b(not|don't|do not|never|avoid|skip|without|instead)\b", re.I)
_EXT = re.compile(r"(?<![\w/])\.([a-z][a-z0-9]{1,7})\b")
_ARG = re.compile(r"add_argument\(\s*['\"](-{0,2}[A-Za-z][\w-]*)['\"]|@click\.option\(\s*['\"](--[\w-]+)['\"]")
_SHELL_LANGS = {"", "bash", "sh", "shell", "console", "zsh", "terminal", "shell-session"}
_NOT_TOOLS = set("cd echo export cat ls mkdir rm cp mv if then fi for do done else while set source "
                 "sudo env true false test read printf exit return local cat grep sed awk head tail "
                 "chmod touch pwd which xargs find sort uniq wc tee".split())
# File types skills talk about by name ("SARIF output", "a PDF"): word -> extension.
TYPE_WORDS = {"pdf": "pdf", "docx": "docx", "word": "docx", "xlsx": "xlsx", "excel": "xlsx",
              "spreadsheet": "xlsx", "pptx": "pptx", "powerpoint": "pptx", "slides": "pptx", "csv": "csv",
              "sarif": "sarif", "apk": "apk", "gif": "gif", "png": "png", "svg": "svg", "html": "html",
              "json": "json", "yaml": "yaml", "toml": "toml", "burp": "burp", "proverif": "pv",
              "tamarin": "spthy", "lean": "lean", "yara": "yar", "solidity": "sol", "rust": "rs",
              "python": "py", "ruby": "rb", "go": "go", "markdown": "md", "bibtex": "bib", "mermaid": "mmd",
              "jsx": "jsx", "typescript": "ts", "javascript": "js", "teal": "teal", "cairo": "cairo",
              "func": "fc", "dockerfile": "dockerfile", "devcontainer": "json", "lockfile": "lock",
              "elf": "elf", "dwarf": "elf", "wasm": "wasm", "c++": "cpp", "p5.js": "js"}


@dataclass(frozen=True)
class SkillCard:
    """The routing view of one skill: identity, the terms of each field, and its file types."""

    id: str
    name: str
    path: str
    description: str
    fields: dict[str, dict[str, int]] = field(default_factory=dict)
    file_types: dict[str, int] = field(default_factory=dict)
    tools: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "path": self.path, "description": self.description,
                "fields": self.fields, "file_types": self.file_types, "tools": list(self.tools),
                "titles": list(self.titles)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SkillCard:
        return cls(id=data["id"], name=data["name"], path=data["path"], description=data["description"],
                   fields={k: dict(v) for k, v in data["fields"].items()}, file_types=dict(data["file_types"]),
                   tools=tuple(data.get("tools", ())), titles=tuple(data.get("titles", ())))


@dataclass
class _Body:
    when: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    prose: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)


def split_front_matter(text: str) -> tuple[dict[str, Any], str, str | None]:
    """(front matter mapping, body, YAML error or None) of a SKILL.md text."""
    if not text.startswith("---"):
        return {}, text, None
    end = re.search(r"^---\s*$", text[3:], re.M)
    if end is None:
        return {}, text, "the front matter is not closed by a '---' line"
    head, body = text[3:3 + end.start()], text[3 + end.end():]
    try:
        data = yaml.safe_load(head)
    except yaml.YAMLError as e:
        return {}, body, f"the front matter is not valid YAML: {str(e).splitlines()[0]}"
    return (data if isinstance(data, dict) else {}), body, None


def _body(body: str) -> _Body:
    """Sort the body's lines into when-to-use text, headings, prose and shell commands."""
    out = _Body()
    fence: str | None = None
    lang = ""
    in_when = False
    when_level = 0
    for line in body.splitlines():
        m = _FENCE.match(line)
        if m and (fence is None or m.group(1).startswith(fence)):
            fence, lang = (m.group(1)[:3], m.group(2).lower()) if fence is None else (None, "")
            continue
        if fence is not None:
            if lang in _SHELL_LANGS:
                cmd = line.strip().removeprefix("$ ").removeprefix("sudo ").split(" ", 1)[0]
                if re.fullmatch(r"[a-z][\w.-]{1,30}", cmd) and cmd not in _NOT_TOOLS:
                    out.commands.append(cmd)
            continue
        h = _HEADING.match(line)
        if h:
            level, title = len(h.group(1)), h.group(2)
            if in_when and level <= when_level:
                in_when = False
            if _WHEN.search(title) and not _NOT.search(title):
                in_when, when_level = True, level
            elif level > 1:
                out.titles.append(title)
            continue
        (out.when if in_when else out.prose).append(line)
    return out


def _scripts(folder: Path) -> tuple[list[str], list[str]]:
    """(names and declared options of the skill's scripts, extensions their code mentions)."""
    names: list[str] = []
    exts: list[str] = []
    scripts = folder / "scripts"
    if not scripts.is_dir():
        return names, exts
    for f in sorted(scripts.iterdir())[:50]:
        if not f.is_file() or f.name.startswith("."):
            continue
        names.append(f.stem)
        try:
            code = f.read_bytes()[:MAX_SCRIPT_BYTES].decode("utf-8", "replace")
        except OSError:
            continue
        for a, b in _ARG.findall(code):
            names.append((a or b).lstrip("-"))
        exts += [e for e in re.findall(r"['\"]\*?\.([a-z][a-z0-9]{1,5})['\"]", code)]
    return names, exts


def _file_types(name: str, description: str, when: str, body: str, script_exts: list[str]) -> dict[str, int]:
    """How strongly the skill is about each file type: 3 named up front, 2 in when-to-use, 1 elsewhere."""
    found: dict[str, int] = {}

    def add(ext: str, strength: int) -> None:
        found[ext] = max(found.get(ext, 0), strength)

    for strength, text in ((3, f"{name} {description}"), (2, when)):
        for e in _EXT.findall(text.lower()):
            add(e, strength)
        for w in words(text):
            if w in TYPE_WORDS:
                add(TYPE_WORDS[w], strength)
    counts = Counter(_EXT.findall(body.lower())) + Counter(script_exts)
    for e, n in counts.items():
        if n >= 2:
            add(e, 1)
    return found


def read_card(folder: Path, root: Path, diagnostics: list[Diagnostic] | None = None) -> SkillCard:
    """The card of the skill in `folder` (which holds SKILL.md or skill.md); ids are paths below `root`."""
    path = folder / "SKILL.md" if (folder / "SKILL.md").is_file() else folder / "skill.md"
    try:
        text = path.read_bytes()[:4_000_000].decode("utf-8", "replace")
    except OSError as e:
        text = ""
        if diagnostics is not None:
            diagnostics.append(Diagnostic("SKC100", Location(str(path), 1, 1), f"cannot read: {e.strerror or e}"))
    data, body_text, error = split_front_matter(text)
    if error and diagnostics is not None:
        diagnostics.append(Diagnostic("SKC116", Location(str(path), 1, 1), error, "", "warning"))
    try:
        rel = folder.relative_to(root).as_posix()
    except ValueError:
        rel = folder.name
    name = str(data.get("name") or folder.name)
    description = data.get("description")
    description = description if isinstance(description, str) else ""
    body = _body(body_text)
    script_names, script_exts = _scripts(folder)
    allowed = data.get("allowed-tools") or ""
    allowed = " ".join(allowed) if isinstance(allowed, list) else str(allowed)
    tool_words = re.findall(r"[A-Za-z][\w.-]*", allowed) + body.commands + script_names
    when = "\n".join(body.when)
    prose = " ".join(" ".join(body.prose).split()[:MAX_BODY_WORDS])
    fields = {
        "name": Counter(terms(name.replace("-", " ") + " " + folder.name.replace("-", " "))),
        "description": Counter(with_pairs(terms(description))),
        "when": Counter(with_pairs(terms(when))),
        "tools": Counter(terms(" ".join(tool_words).replace("_", " ").replace("-", " "))),
        "titles": Counter(t for title in body.titles for t in with_pairs(terms(title))),
        "body": Counter(with_pairs(terms(prose))),
    }
    return SkillCard(id=rel if rel != "." else folder.name, name=name, path=rel, description=description,
                     fields={k: dict(v) for k, v in fields.items()},
                     file_types=_file_types(name, description, when, prose, script_exts),
                     tools=tuple(dict.fromkeys(t for t in tool_words if len(t) > 1))[:40],
                     titles=tuple(body.titles[:40]))
