"""`skc check`: quality feedback on a skill, runbook, .skflow or .mlir file (what StepFly
calls a TSG Mentor).

`check_path(path)` (or `check_paths` for several, folders expanded) runs the source's front end (its SKC1xx diagnostics: spec
violations, unreachable steps, undefined variables, unconfirmed writes, ...), the IR
verifier (SKC2xx) and the IR-level lints below, and returns them sorted by location.
A lint is not repeated where the front end already said the same thing on that line.

    SKC140  warning  a runbook step writes (a write effect) and nothing asks to confirm it
    SKC141  warning  an llm.decide outcome that no comparison or else-branch handles
    SKC142  warning  a workflow input that nothing uses
    SKC143  warning  a result nothing uses, of a step that only reads (wasted work)
    SKC144  warning  a `write:*` effect: skc cannot tell what the command changes (a note in
                     runbooks and skills, where the front end gave it: nothing to declare there)
    SKC145  warning  a decision compared with text that is not one of its outcomes
    SKC146  warning  an llm.agent tool outside the workflow's permissions
    SKC147  warning  a `fallback` that names no step of the workflow

Exit status (`CheckReport.exit_code`): 2 when the input cannot be used at all (not
readable, not a source skc understands), 1 when there are errors, else 0.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from skc.compiler.frontend import kind_of, load
from skc.compiler.frontend.markdown.confirm import policy as approvals_policy
from skc.ir.core import Block, Op, Value
from skc.ir.dialects.calc import AndOp, CmpOp, NotOp, OrOp
from skc.ir.dialects.ctrl import IfOp, ManualOp, ReturnOp
from skc.ir.dialects.data import ConstOp
from skc.ir.dialects.llm import AgentOp, DecideOp
from skc.ir.dialects.skc import WorkflowOp
from skc.ir.effects import parse_effects
from skc.ir.location import Diagnostic
from skc.ir.module import Module
from skc.ir.traits import HasRegions, RunsTool
from skc.ir.verifier import verify

UNUSABLE = ("SKC100",)

# A lint is dropped when the front end reported one of these codes on the same line.
COVERED_BY = {
    "SKC140": {"SKC123"},
    "SKC141": {"SKC122"},
    "SKC143": {"SKC120"},
    "SKC147": {"SKC126"},
}


@dataclass
class CheckReport:
    """What `skc check` found in one source."""

    path: str
    kind: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return not any(d.code in UNUSABLE for d in self.diagnostics)

    @property
    def errors(self) -> int:
        return sum(d.severity == "error" for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity == "warning" for d in self.diagnostics)

    @property
    def exit_code(self) -> int:
        return 2 if not self.usable else 1 if self.errors else 0

    def summary(self) -> str:
        def n(count: int, word: str) -> str:
            return f"{count} {word}{'' if count == 1 else 's'}"

        notes = sum(d.severity == "note" for d in self.diagnostics)
        text = f"{self.path}: {n(self.errors, 'error')}, {n(self.warnings, 'warning')}"
        return text + (f", {n(notes, 'note')}" if notes else "")


def expand(paths: list[str] | list[Path]) -> list[Path]:
    """The sources to check: each path, with a folder that is not a skill standing for every
    source under it (as `skc compile` expands folders). An empty folder stays itself (SKC100)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir() and kind_of(p) != "skill":
            from skc.compiler.driver import discover_sources

            out += discover_sources(p) or [p]
        else:
            out.append(p)
    return out


def check_paths(paths: list[str] | list[Path], *, strict: bool = False) -> list[CheckReport]:
    """`check_path` for every source `expand(paths)` finds (`strict`: the spec's rejections are
    errors); a skill library (a library bundle, or a folder of several skills) also gets the
    library checks (`skc.compiler.library.check`)."""
    from skc.compiler.library.check import library_reports
    from skc.compiler.library.load import is_library_bundle

    sources = [check_path(p, strict=strict) for p in expand([Path(p) for p in paths if not is_library_bundle(p)])]
    return sources + library_reports(paths)


def totals(reports: list[CheckReport]) -> str:
    """One line for several reports: `3 files: 1 error, 2 warnings`."""
    if len(reports) == 1:
        return reports[0].summary()
    merged = CheckReport(f"{len(reports)} files", "", [d for r in reports for d in r.diagnostics])
    return merged.summary()


def exit_code(reports: list[CheckReport]) -> int:
    """2 when any input is unusable, else 1 when any has errors, else 0."""
    return max((r.exit_code for r in reports), default=0)


def sort_key(d: Diagnostic) -> tuple:
    return (not d.loc.file, d.loc.file, d.loc.line, d.loc.col, d.code, d.message)


def check_path(path: str | Path, *, strict: bool = False) -> CheckReport:
    """Front-end diagnostics, verifier errors and IR lints for the source at `path`."""
    p = Path(path)
    kind = kind_of(p)
    result = load(p, strict=strict)
    diags = list(result.diagnostics)
    if result.module is not None:
        problems = verify(result.module)
        diags += problems
        if not any(d.severity == "error" for d in problems):
            diags += [d for d in lint_module(result.module, kind) if not _covered(d, result.diagnostics)]
    unique = list(dict.fromkeys(diags))
    return CheckReport(str(path), kind, sorted(unique, key=sort_key))


def _covered(lint: Diagnostic, front: list[Diagnostic]) -> bool:
    codes = COVERED_BY.get(lint.code, set())
    return any(d.code in codes and d.loc.file == lint.loc.file and d.loc.line == lint.loc.line for d in front)


def lint_module(module: Module, kind: str = "mlir") -> list[Diagnostic]:
    """The SKC14x lints of every workflow of a verified module (`kind` as `kind_of` says)."""
    out: list[Diagnostic] = []
    for wf in module.workflows:
        out += list(_Linter(wf, kind).run())
    return out


def _writes(op: Op) -> list[str]:
    effects, _ = parse_effects([e for e in op.effects if isinstance(e, str)])
    return [str(e) for e in effects if e.writes]


class _Linter:
    def __init__(self, wf: WorkflowOp, kind: str) -> None:
        self.wf = wf
        self.kind = kind
        self.uses: dict[int, list[tuple[Op, int]]] = {}
        for op in wf.walk():
            for i, v in enumerate(op.operands):
                self.uses.setdefault(id(v), []).append((op, i))

    def users(self, v: Value) -> list[Op]:
        return [op for op, _ in self.uses.get(id(v), [])]

    def run(self) -> Iterator[Diagnostic]:
        yield from self.unused_inputs()
        labels = {op.attributes.get("step") for op in self.wf.walk()}
        permissions = self.wf.attributes.get("permissions")
        for op in self.wf.walk():
            if op is self.wf:
                continue
            yield from self.unconfirmed_write(op)
            yield from self.unused_result(op)
            if "write:*" in op.effects:
                yield self.unclassified(op)
            if isinstance(op, DecideOp):
                yield from self.decision(op)
            if isinstance(op, AgentOp) and isinstance(permissions, list):
                allowed = {str(p).split("(")[0] for p in permissions}
                tools = op.attributes.get("tools")
                missing = [t for t in tools if str(t).split("(")[0] not in allowed] if isinstance(tools, list) else []
                if missing:
                    yield Diagnostic("SKC146", op.where, f"the agent may call {', '.join(map(str, missing))}, "
                                     "which the workflow's permissions do not allow",
                                     "add them to permissions (allowed-tools), or drop them from tools",
                                     "warning")
            fallback = op.attributes.get("fallback")
            if isinstance(fallback, str) and fallback not in labels:
                yield Diagnostic("SKC147", op.where, f"fallback {fallback!r} names no step of this workflow",
                                 "use the label of a step (its `label` / step attribute)", "warning")

    def unused_inputs(self) -> Iterator[Diagnostic]:
        for name, arg in zip(self.wf.input_names, self.wf.inputs, strict=True):
            if not self.users(arg):
                yield Diagnostic("SKC142", self.wf.where, f"input `{name}` is never used",
                                 "remove it, or use it in a step", "warning")

    def unclassified(self, op: Op) -> Diagnostic:
        """SKC144: a warning where the author wrote `write:*`; a note where a front end could not
        classify a command (the reader learns it runs alone; the author has nothing to declare)."""
        if self.kind in ("tsg", "skill"):
            program = _program(op)
            return Diagnostic("SKC144", op.where, f"skc cannot tell what {program or 'this step'} changes, "
                              "so it runs alone (write:*)", "commands skc knows (kubectl, git, psql, ...) "
                              "run beside other steps; this one waits until nothing else runs",
                              "note")
        return Diagnostic("SKC144", op.where, f"{op.op_name} may write anything (write:*)",
                          "say what it changes, e.g. effects [write:k8s]; until then it runs alone, "
                          "never beside another step", "warning")

    def unconfirmed_write(self, op: Op) -> Iterator[Diagnostic]:
        if self.kind != "tsg" or not op.has(RunsTool) or op.attributes.get("confirm") is True:
            return
        if approvals_policy(op.where.file) == "none":  # front matter `approvals: none` opts out
            return
        writes = [w for w in _writes(op) if w != "write:*"]  # write:* is SKC144's to report
        if writes:
            yield Diagnostic("SKC140", op.where, f"this step writes ({', '.join(writes)}) without confirmation",
                             "a runbook should ask before it changes things: say 'confirm before ...' in the step",
                             "warning")

    def unused_result(self, op: Op) -> Iterator[Diagnostic]:
        if op.has(HasRegions) or isinstance(op, ManualOp) or not op.results or op.results[0].type.kind == "token":
            return
        effects, _ = parse_effects([e for e in op.effects if isinstance(e, str)])
        if self.users(op.results[0]) or isinstance(op, AgentOp) or any(e.mode != "read" for e in effects):
            return  # a write or a network call may be the point of the step
        what = "this value is set but" if isinstance(op, ConstOp) else f"the result of this {op.op_name} is"
        yield Diagnostic("SKC143", op.where, f"{what} never used",
                         "use it, return it, or remove the step (it changes nothing)", "warning")

    def decision(self, op: Op) -> Iterator[Diagnostic]:
        given = op.attributes.get("outcomes")
        outcomes = [str(o) for o in given] if isinstance(given, list) else []
        result = op.results[0] if op.results else None
        if result is None or not outcomes or not self.users(result):
            return
        handled: set[str] = set()
        otherwise = False
        for user, _ in self.uses.get(id(result), []):
            other = _compared_text(user, result)
            if other is None:
                return  # used as data: whoever receives it handles every outcome
            pred = user.attributes.get("pred")
            if other not in outcomes:
                yield Diagnostic("SKC145", user.where, f"{other!r} is not an outcome of the decision, so this "
                                 f"comparison is always {'false' if pred == 'eq' else 'true'}",
                                 f"outcomes are {', '.join(outcomes)}", "warning")
            handled.add(other)
            for branch in self.branches(user.results[0]):
                untaken = branch.else_block if pred == "eq" else branch.then_block
                otherwise = otherwise or _does_something(untaken)
        missing = [o for o in outcomes if o not in handled]
        if missing and not otherwise:
            yield Diagnostic("SKC141", op.where, f"outcome(s) {', '.join(map(repr, missing))} of this decision "
                             "are never handled", "compare with each outcome, or add an else branch", "warning")

    def branches(self, cond: Value) -> Iterator[IfOp]:
        """The ctrl.ifs `cond` decides, directly or through not/and/or."""
        seen: set[int] = set()
        todo = [cond]
        while todo:
            v = todo.pop()
            for user in self.users(v):
                if id(user) in seen:
                    continue
                seen.add(id(user))
                if isinstance(user, IfOp) and user.operands[0] is v:
                    yield user
                elif isinstance(user, NotOp | AndOp | OrOp):
                    todo += user.results


def _program(op: Op) -> str:
    """`sudo`, `ssh`, ... : the program a command step runs, or ''."""
    argv = op.attributes.get("argv")
    if isinstance(argv, list) and argv:
        return f"`{argv[0]}`"
    for key in ("cmd", "path"):
        text = op.attributes.get(key)
        if isinstance(text, str) and text.split():
            return f"`{text.split()[0]}`"
    return ""


def _compared_text(user: Op, value: Value) -> str | None:
    """The constant text `value` is compared with for (in)equality by `user`, else None."""
    if not isinstance(user, CmpOp) or user.attributes.get("pred") not in ("eq", "ne"):
        return None
    other = next((v for v in user.operands if v is not value), None)
    const = other.defining_op if other is not None else None
    if const is None or not isinstance(const, ConstOp) or not isinstance(const.attributes.get("value"), str):
        return None
    return str(const.attributes["value"])


def _does_something(block: Block) -> bool:
    """A branch does something unless it is the empty `else` (only a `yield` of nothing)."""
    ops = block.ops
    return len(ops) > 1 or (bool(ops) and (isinstance(ops[-1], ReturnOp) or bool(ops[-1].operands)))


