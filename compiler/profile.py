"""Capability profiles: how well one model + harness does on SkVM's 26 primitive capabilities.

A profile gives each primitive a level (0 = none, 1-3 = basic to advanced) measured
by the probes in `skc.stdlib.probes` (`skc profile --model ...`), with the
evidence: every instance's pass/fail, why it failed, latency and tokens. A
primitive that could not be measured (no network for `tool.web`, no `node` for
JavaScript) says so and why; `level()` returns None for it, never a guess.

Profiles are JSON files (pydantic models); skc ships the measured profile of the
embedded model as `stdlib/profiles/gemma3-270m-q4km.json`, the default of cap-bind.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

PRIMITIVES: tuple[str, ...] = (
    "gen.code.python", "gen.code.javascript", "gen.code.shell", "gen.code.sql", "gen.code.html",
    "gen.text.structured", "gen.text.long", "gen.text.prose", "gen.regex",
    "reason.arithmetic", "reason.logic", "reason.spatial", "reason.planning", "reason.analysis",
    "tool.file.read", "tool.file.write", "tool.exec", "tool.call.format", "tool.call.batch",
    "tool.web", "tool.browser",
    "follow.format", "follow.constraint", "follow.procedure", "follow.delegation", "follow.style",
)
MAX_LEVEL = 3
DEFAULT_PROFILE = "gemma3-270m-q4km"


class InstanceResult(BaseModel):
    """One graded instance of one level."""

    model_config = ConfigDict(extra="forbid")

    seed: str
    passed: bool
    detail: str = Field(default="", description="why the grader failed it (empty when it passed)")
    latency_s: float = 0.0
    tokens_in: int = 0
    tokens_out: int = 0
    turns: int = 1


class LevelResult(BaseModel):
    """All instances of one level; the level passes only if every instance passes."""

    model_config = ConfigDict(extra="forbid")

    level: int = Field(ge=1, le=MAX_LEVEL)
    passed: bool
    instances: list[InstanceResult] = Field(default_factory=list)


class PrimitiveResult(BaseModel):
    """The measured level of one primitive (the highest level passed with all below it)."""

    model_config = ConfigDict(extra="forbid")

    level: int = Field(default=0, ge=0, le=MAX_LEVEL)
    measured: bool = True
    reason: str = Field(default="", description="why it was not measured")
    levels: list[LevelResult] = Field(default_factory=list)


class CapabilityProfile(BaseModel):
    """A model + harness and its level on every primitive."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = 1
    name: str
    model: str = Field(description="the backend spec or model file it was measured on")
    backend: str = ""
    harness: str = ""
    created: str = ""
    command: str = Field(default="", description="the command that reproduces this profile")
    settings: dict[str, Any] = Field(default_factory=dict)
    duration_s: float = 0.0
    primitives: dict[str, PrimitiveResult] = Field(default_factory=dict)

    def level(self, primitive: str) -> int | None:
        """The primitive's level, or None when it was not measured (or is unknown here)."""
        result = self.primitives.get(primitive)
        if result is None or not result.measured:
            return None
        return result.level

    def summary(self) -> dict[str, int | None]:
        """Primitive -> level (None: not measured), in SkVM's order."""
        return {p: self.level(p) for p in PRIMITIVES}

    @classmethod
    def uniform(cls, name: str, level: int) -> CapabilityProfile:
        """A declared (not measured) profile with every primitive at `level`, for configured models."""
        return cls(name=name, model=name, harness="declared",
                   primitives={p: PrimitiveResult(level=level) for p in PRIMITIVES})


def load_profile(path: str | Path) -> CapabilityProfile:
    return CapabilityProfile.model_validate_json(Path(path).read_text(encoding="utf-8"))


def save_profile(profile: CapabilityProfile, path: str | Path) -> None:
    Path(path).write_text(profile.model_dump_json(indent=2) + "\n", encoding="utf-8")


def shipped_profile(name: str = DEFAULT_PROFILE) -> CapabilityProfile:
    """A profile shipped in `stdlib/profiles/<name>.json`: one shared instance per file content
    (every compile asks for the default one; nothing in skc changes a profile, so copy it
    before changing it)."""
    file = _profiles_folder().joinpath(f"{name}.json")
    if not isinstance(file, Path):  # a package inside a zip: no stat to tell a change by
        return _parsed(file.read_text(encoding="utf-8"))
    st = os.stat(file)
    sig = (st.st_size, st.st_mtime_ns, st.st_ino)
    known = _SHIPPED.get(name)
    if known is not None and known[0] == sig:
        return known[1]  # the very instance `_parsed` gave for this content
    profile = _parsed(file.read_text(encoding="utf-8"))
    if time.time_ns() - st.st_mtime_ns > 2_000_000_000:  # not remembered while it may still be written
        _SHIPPED[name] = (sig, profile)
    return profile


# name -> (size, mtime, inode of its file; its profile): read again only when the file changes
_SHIPPED: dict[str, tuple[tuple[int, int, int], CapabilityProfile]] = {}


@lru_cache(maxsize=1)
def _profiles_folder() -> Any:
    return resources.files("skc.stdlib").joinpath("profiles")


@lru_cache(maxsize=16)
def _parsed(text: str) -> CapabilityProfile:
    return CapabilityProfile.model_validate_json(text)


def shipped_names() -> list[str]:
    folder = resources.files("skc.stdlib").joinpath("profiles")
    return sorted(p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json"))


def resolve_profile(value: Any) -> CapabilityProfile:
    """A profile from a CapabilityProfile, a dict, a JSON file path, a shipped name, or None (default)."""
    if value is None:
        return shipped_profile()
    if isinstance(value, CapabilityProfile):
        return value
    if isinstance(value, Mapping):
        return CapabilityProfile.model_validate(dict(value))
    if isinstance(value, str | Path):
        if Path(value).is_file():
            return load_profile(value)
        if str(value) in shipped_names():
            return shipped_profile(str(value))
        raise FileNotFoundError(f"no profile file or shipped profile named {value!s} "
                                f"(shipped: {', '.join(shipped_names())})")
    raise TypeError(f"cannot read a capability profile from {type(value).__name__}")
