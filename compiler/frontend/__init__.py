"""Front ends: turn a source document into an IR module plus located diagnostics.

`load(path)` picks the front end by what the path is:

    a folder holding SKILL.md, or a file named SKILL.md  -> skill_md.compile_skill
    *.skflow                                             -> skflow.compile_skflow
    *.md (any other markdown: runbooks, TSGs)            -> tsg_md.compile_tsg
    *.mlir                                               -> the IR parser

Every front end returns a `FrontendResult`: the module (None when the document
cannot become IR at all) and the diagnostics (SKC1xx), errors and warnings alike.
Front ends never raise on bad input: malformed documents become diagnostics.

A module `load` returns without errors has been verified (`skc.ir.verifier`): the
markdown front ends verify what they lower; `load` verifies the IR of `.skflow` and
`.mlir` files. That is the one verification of a compile (see `skc.compiler.passes`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from skc.ir.location import Diagnostic, DiagnosticError, Location
from skc.ir.module import Module


@dataclass
class FrontendResult:
    """What a front end made of one document."""

    module: Module | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.module is not None and not any(d.severity == "error" for d in self.diagnostics)


def kind_of(path: Path) -> str:
    """`skill`, `skflow`, `tsg` or `mlir` (or `unknown`)."""
    if path.is_dir():
        return "skill" if (path / "SKILL.md").is_file() or (path / "skill.md").is_file() else "unknown"
    if path.name in ("SKILL.md", "skill.md"):
        return "skill"
    return {".skflow": "skflow", ".md": "tsg", ".markdown": "tsg", ".mlir": "mlir"}.get(path.suffix, "unknown")


def load(path: str | Path, *, strict: bool = False) -> FrontendResult:
    """Runs the right front end on `path`; unreadable or unknown inputs become diagnostics
    (`strict`: a skill's fields the spec rejects are errors, as `skc check --strict`)."""
    path = Path(path)
    kind = kind_of(path)
    try:
        if kind == "skill":
            from skc.compiler.frontend.skill.skill_md import compile_skill

            return compile_skill(path if path.is_dir() else path.parent, strict=strict)
        if kind == "skflow":
            from skc.compiler.frontend.skflow.parse import compile_skflow

            return _verified(compile_skflow(path))
        if kind == "tsg":
            from skc.compiler.frontend.runbook.tsg_md import compile_tsg

            return compile_tsg(path)
        if kind == "mlir":
            from skc.ir.parser import parse_module

            return _verified(FrontendResult(parse_module(path.read_text(encoding="utf-8"), str(path))))
    except DiagnosticError as e:
        return FrontendResult(None, e.diagnostics)
    except (OSError, UnicodeDecodeError) as e:
        return FrontendResult(None, [Diagnostic("SKC100", Location(str(path), 1, 1), f"cannot read: {e}")])
    return FrontendResult(None, [Diagnostic(
        "SKC100", Location(str(path), 1, 1), "not a source skc understands",
        "give a SKILL.md folder, a runbook .md, a .skflow or an .mlir file")])


def _verified(front: FrontendResult) -> FrontendResult:
    """`front` with the verifier's diagnostics added when it holds a module and no error."""
    if front.module is not None and front.ok:
        from skc.ir.verifier import verify

        front.diagnostics += verify(front.module)
    return front
