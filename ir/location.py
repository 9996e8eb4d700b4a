"""Source locations and diagnostics, shared by every stage of skc.

A `Location` is where a thing came from: the document line of a runbook step,
or the line of an `.mlir` file. A `Diagnostic` is a problem found at a location,
with a stable code (SKC1xx front ends, SKC2xx IR and passes, SKC3xx runtime),
a message and a hint. Problems are values, collected and reported together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True, slots=True)
class Location:
    """`file:line:col` (1-based); `file == ""` means unknown."""

    file: str = ""
    line: int = 0
    col: int = 0

    @property
    def known(self) -> bool:
        return bool(self.file)

    def __str__(self) -> str:
        if not self.file:
            return "<unknown>"
        return f"{self.file}:{self.line}:{self.col}"


UNKNOWN = Location()


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem: `file:line:col: error SKCnnn: message` plus an optional hint."""

    code: str
    loc: Location
    message: str
    hint: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        text = f"{self.loc}: {self.severity} {self.code}: {self.message}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.loc.file,
            "line": self.loc.line,
            "col": self.loc.col,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass
class DiagnosticError(Exception):
    """Raised to carry user-facing diagnostics out of a stage (never a bug)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)


def errors(diags: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diags if d.severity == "error"]
