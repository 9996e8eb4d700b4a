"""`compile_library`: a folder of skills to one library bundle, incrementally.

    result = compile_library("~/.claude/skills", "lib.skb")

writes a directory bundle:

    lib.skb/library.json          the library manifest (`LibraryManifest`): one entry per skill
                                  with its content hash, sub-bundle and diagnostics
    lib.skb/router.json           the router index: every skill's card (see `card`)
    lib.skb/skills/<id>.skb       each skill compiled as `skc compile` compiles it alone

Every skill is compiled on its own: a skill with errors is an entry with located
diagnostics and no sub-bundle (it stays routable, and `skc run` says why it cannot
run); a crash of the compiler on one skill is recorded as SKC190 and the library
goes on. A recompile into the same output reuses each sub-bundle whose skill
folder hashes the same (every file's path and bytes) under the same pipeline.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from skc.compiler.library.card import SkillCard, read_card
from skc.compiler.library.discover import SKIP_DIRS, find_skills
from skc.ir.location import Diagnostic, Location

LIBRARY_FILE = "library.json"
ROUTER_FILE = "router.json"
SCHEMA = "skc.library/1"
MAX_HASH_BYTES = 64_000_000


class SkillEntry(BaseModel):
    """One skill of a library: where it came from, its content hash, and what compiling it gave."""

    id: str
    name: str
    source: str
    sha256: str
    bundle: str | None = None
    workflows: list[str] = Field(default_factory=list)
    inputs: list[str] = Field(default_factory=list)
    diagnostics: list[dict[str, Any]] = Field(default_factory=list)


class LibraryManifest(BaseModel):
    """library.json: the skills of a library bundle and how it was built."""

    schema_version: str = SCHEMA
    root: str
    pipeline: str
    skills: list[SkillEntry]


@dataclass
class LibraryResult:
    """What `compile_library` did: entries, diagnostics, and how many skills were (re)compiled."""

    output: Path
    manifest: LibraryManifest
    cards: list[SkillCard]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    compiled: int = 0
    reused: int = 0
    crashed: int = 0
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        return sum(1 for s in self.manifest.skills if s.bundle is None)


def content_hash(folder: Path) -> str:
    """sha256 over every file below `folder` (relative path + bytes), nested skills' files included."""
    h = hashlib.sha256()
    total = 0
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".skb"))
        for name in sorted(filenames):
            p = Path(dirpath) / name
            try:
                data = p.read_bytes() if total < MAX_HASH_BYTES else str(p.stat().st_size).encode()
            except OSError:
                continue
            total += len(data)
            h.update(p.relative_to(folder).as_posix().encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


def _previous(output: Path, pipeline: str) -> dict[str, SkillEntry]:
    """The reusable entries of an earlier library at `output` (same pipeline), by id."""
    try:
        old = LibraryManifest.model_validate_json((output / LIBRARY_FILE).read_bytes())
    except (OSError, ValueError):
        return {}
    if old.pipeline != pipeline:
        return {}
    return {e.id: e for e in old.skills if e.bundle is None or (output / e.bundle).is_dir()}


def _compile_one(folder: Path, dest: Path, options: dict[str, Any]) -> tuple[SkillEntry | None, list[Diagnostic]]:
    from skc.compiler.driver import compile_path

    result = compile_path(folder, output=dest, **options)
    module = result.module if result.output is not None else None
    entry = SkillEntry(id="", name="", source=str(folder), sha256="",
                       workflows=[wf.sym_name for wf in module.workflows] if module is not None else [],
                       inputs=[p for wf in module.workflows[:1] for p in wf.input_names] if module is not None else [],
                       diagnostics=[d.to_json() for d in result.diagnostics])
    return entry, result.diagnostics


def compile_library(root: str | Path, output: str | Path, *, pipeline: str | None = None,
                    environment: Any = None, profile: Any = None, debug: bool = False,
                    progress: Any = None) -> LibraryResult:
    """Compiles every skill below `root` into the library bundle directory `output` (see module doc)."""
    from skc.compiler.passes import DEFAULT_PIPELINE

    start = time.perf_counter()
    root, output = Path(root), Path(output)
    pipeline = (pipeline or DEFAULT_PIPELINE).strip()
    if output.exists() and not (output / LIBRARY_FILE).is_file() and any(output.iterdir()):
        diag = Diagnostic("SKC190", Location(str(output), 1, 1), "the output exists and is not a skill library",
                          "give a new path, or remove it first")
        return LibraryResult(output, LibraryManifest(root=str(root), pipeline=pipeline, skills=[]), [], [diag])
    previous = _previous(output, pipeline)
    folders = find_skills(root)
    if not folders:
        diag = Diagnostic("SKC193", Location(str(root), 1, 1), "no skill (SKILL.md) below this path",
                          "give a folder of skills")
        return LibraryResult(output, LibraryManifest(root=str(root), pipeline=pipeline, skills=[]), [], [diag])
    result = LibraryResult(output, LibraryManifest(root=str(root.resolve()), pipeline=pipeline, skills=[]), [])
    options = {"pipeline": pipeline, "environment": environment, "profile": profile, "debug": debug}
    used_ids: set[str] = set()
    for n, folder in enumerate(folders, 1):
        card = read_card(folder, root, result.diagnostics)
        sid = card.id
        while sid in used_ids:
            sid += "~"
        used_ids.add(sid)
        if sid != card.id:
            card = SkillCard(**{**card.__dict__, "id": sid})
        result.cards.append(card)
        digest = content_hash(folder)
        rel = f"skills/{sid}.skb"
        old = previous.get(sid)
        if progress is not None:
            progress(n, len(folders), sid)
        if old is not None and old.sha256 == digest:
            result.manifest.skills.append(old)
            result.reused += 1
            continue
        dest = output / rel
        if dest.exists():
            shutil.rmtree(dest, ignore_errors=True)
        try:
            entry, diags = _compile_one(folder, dest, options)
        except Exception as e:  # a bug in skc on this skill: record it, keep compiling the library
            if debug:
                raise
            entry, diags = None, [Diagnostic("SKC190", Location(str(folder / "SKILL.md"), 1, 1),
                                             f"internal error compiling this skill: {type(e).__name__}: {e}",
                                             "this is a bug in skc; compile the skill alone with --debug")]
            result.crashed += 1
        result.compiled += 1
        result.diagnostics += diags
        entry = entry or SkillEntry(id=sid, name=card.name, source=str(folder), sha256=digest,
                                    diagnostics=[d.to_json() for d in diags])
        entry.id, entry.name, entry.sha256 = sid, card.name, digest
        entry.bundle = rel if dest.is_dir() else None
        result.manifest.skills.append(entry)
    output.mkdir(parents=True, exist_ok=True)
    keep = {e.bundle for e in result.manifest.skills if e.bundle}
    skills_dir = output / "skills"
    if skills_dir.is_dir():  # sub-bundles of skills that left the folder
        for old_bundle in list(skills_dir.rglob("*.skb")):
            if old_bundle.relative_to(output).as_posix() not in keep:
                shutil.rmtree(old_bundle, ignore_errors=True)
    (output / ROUTER_FILE).write_text(json.dumps([c.to_json() for c in result.cards], sort_keys=True),
                                      encoding="utf-8")
    (output / LIBRARY_FILE).write_text(result.manifest.model_dump_json(indent=1), encoding="utf-8")
    result.seconds = time.perf_counter() - start
    return result
