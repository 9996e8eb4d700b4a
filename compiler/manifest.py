"""The bundle manifest (`manifest.json`): the pydantic schema every bundle reader checks.

`schema_version` is the layout of this file and of the bundle; a reader accepts
only the versions in `SUPPORTED_SCHEMA_VERSIONS`. `bundle_version` counts
compilations of one bundle: 1 when `skc compile` writes it, +1 each time adaptive
recompilation writes solidified ops back. `files` maps every other file of the
bundle to its sha256, so any edit after compilation is detected. `workflow_infos(module)`
is the manifest's `workflows` for a compiled module.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from skc.ir.module import Module
from skc.ir.version import __version__

SCHEMA_VERSION = 1
SUPPORTED_SCHEMA_VERSIONS = frozenset({1})


class SourceFile(BaseModel):
    """A file the bundle was compiled from, relative to the source folder."""

    model_config = ConfigDict(extra="forbid")

    path: str
    sha256: str
    size: int


class ProfileRef(BaseModel):
    """The capability profile cap-bind compiled against."""

    model_config = ConfigDict(extra="forbid")

    name: str
    sha256: str | None = None


class Port(BaseModel):
    """A workflow input or output."""

    model_config = ConfigDict(extra="forbid")

    name: str
    type: str


class WorkflowInfo(BaseModel):
    """What a caller needs to know about a workflow without reading the IR."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str | None = None
    source: str | None = None
    inputs: list[Port] = Field(default_factory=list)
    outputs: list[Port] = Field(default_factory=list)
    permissions: list[str] | None = Field(default=None, description="allowed tools; None: none declared")
    ops: int = 0


class EnvironmentBinding(BaseModel):
    """The env-bind result in short: the machine, each kind's names and what they bound to."""

    model_config = ConfigDict(extra="forbid")

    machine: dict[str, Any] = Field(default_factory=dict)
    bindings: dict[str, dict[str, str | None]] = Field(default_factory=dict)
    missing: list[str] = Field(default_factory=list)
    strict: bool = False


class Manifest(BaseModel):
    """`manifest.json`: everything about a bundle except the IR itself."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION
    skc_version: str = __version__
    bundle_version: int = Field(default=1, ge=1, description="1 when compiled; each recompilation adds 1")
    name: str
    kind: str = Field(description="skill, tsg, skflow or mlir")
    source: str = Field(description="the path that was compiled, as given")
    sources: list[SourceFile] = Field(default_factory=list)
    profile: ProfileRef | None = None
    pipeline: str = ""
    environment: EnvironmentBinding | None = None
    permissions: list[str] = Field(default_factory=list, description="union of the workflows' permissions")
    workflows: list[WorkflowInfo] = Field(default_factory=list)
    files: dict[str, str] = Field(default_factory=dict, description="bundle path -> sha256, all but this file")


def _ports(names: list[str], types: Iterable[object]) -> list[Port]:
    return [Port(name=n, type=str(t)) for n, t in zip(names, types, strict=False)]


def workflow_infos(module: Module) -> list[WorkflowInfo]:
    infos = []
    for wf in module.workflows:
        outputs = wf.outputs
        out_names = wf.attributes.get("output_names")
        names = [str(n) for n in out_names] if isinstance(out_names, list) and len(out_names) == len(outputs) \
            else [f"out{i}" for i in range(len(outputs))]
        perms = wf.attributes.get("permissions")
        desc, src = wf.attributes.get("description"), wf.attributes.get("source")
        infos.append(WorkflowInfo(
            name=wf.sym_name, description=desc if isinstance(desc, str) else None,
            source=src if isinstance(src, str) else None,
            inputs=_ports(wf.input_names, (a.type for a in wf.inputs)),
            outputs=_ports(names, (v.type for v in outputs)),
            permissions=[str(p) for p in perms] if isinstance(perms, list) else None,
            ops=sum(1 for _ in wf.walk()) - 1))
    return infos
