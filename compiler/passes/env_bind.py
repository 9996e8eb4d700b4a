"""The `env-bind` pass: bind what every op needs to the target environment.

Each op's needs are read off its attributes by a table of rules
(`skc.compiler.op_needs.NEEDS`):

    tool.shell   argv[0], or the first word of every command in `cmd`  -> binary
                 `python3 scripts/x.py` style calls of a skill file      -> script
                 kubectl/oc/helm, gh, aws, gcloud, vault ...              -> credential
                 URLs in the command line                                 -> host
    tool.script  `path` (relative to the skill folder, the workflow's `source`) -> script;
                 its interpreter (attribute, shebang or extension)      -> binary
    tool.sql     `db` -> data source (its kind must suit `lang`)
    tool.http    the URL's host -> host
    tool.python  os.environ["X"] / os.getenv("X") in the code          -> env var;
                 its imports                                          -> package
    tool.script  a Python script's imports (read from the skill folder)  -> imports
    llm.agent    `Bash(git:*)` style tools                              -> binary
    every op     `$VAR` / `${VAR}` in argv, cmd, path, args, url, headers, cwd, and
                 the `env` attribute -> env var (a secret-looking name -> credential);
                 `${VAR:-default}` is optional

The environment is `ctx.options["environment"]` (an `Environment`); when it is
absent the pass probes this machine for the binaries the module needs and
stores the result there for later passes.

Diagnostics, at the op's source location, one per missing thing per workflow
(the first op that needs it; the message counts the others):

    SKC220  binary not found                     warning (error with strict=true)
    SKC221  script not found in the skill folder error in a skill (the bundle must carry it),
                                                 warning in a runbook (error with strict=true)
    SKC222  script path leaves the skill folder  as SKC221
    SKC223  env var not set                      warning (error with strict=true)
    SKC224  data source unknown or of the wrong kind for the query language
                                                 warning (error with strict=true)
    SKC225  credential not present               warning (error with strict=true)
    SKC226  host not in the environment's hosts  warning (error with strict=true)
    SKC227  environment file unreadable/invalid  (raised by `load_environment`)
    SKC228  binary chosen at run time (`{0}`, `$CMD`): cannot be bound   note
    SKC219  Python package not installed (`pip install X` named)  warning (error with strict=true)
    SKC229  a SQL query names a table or column the bound SQLite file lacks  error

Missing binaries and the like are warnings by default because a bundle is often
compiled on one machine and run on another; `env-bind{strict=true}` is for
compiling on (or with `--env`, for) the machine that will run it. A script
missing from a skill (a folder with SKILL.md) is always an error: the bundle
ships the skill's scripts in `code/`, and the skill is broken without it. A
runbook's scripts usually live in the repository it documents, so there it is a
warning.

The binding is `ctx.reports["environment"]`: per op, each need with what it
resolved to and a status (`ok`, `missing`, `optional`, `dynamic`); a summary per
kind; and the machine (os, arch, GPU). Scripts to ship are added to
`ctx.options["assets"]` (bundle path -> file on disk). Two IR changes make the
binding explicit: a `tool.script` without `interpreter` gets the one its shebang
or extension names, and a `tool.sql` without `db` gets the environment's only
data source that suits its language (and its `read:db:default` effect names it).
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar

from skc.compiler.environment import Environment, probe_environment
from skc.compiler.op_needs import (
    ALWAYS_SET,
    EXTENSION_INTERPRETER,
    Need,
    infer_interpreter,
    needs_of,
)
from skc.compiler.passes import Pass, PassContext
from skc.compiler.python_imports import imports_of, missing_modules, pip_name
from skc.ir.core import Op
from skc.ir.dialects.skc import WorkflowOp
from skc.ir.dialects.tool import ScriptOp, SqlOp
from skc.ir.location import Diagnostic
from skc.ir.module import Module

_SQL_KINDS = {"sql": ("sqlite", "postgres", "mysql", "other"), "promql": ("prometheus",),
              "kql": ("kusto",), "logql": ("loki",)}


@dataclass
class Binding:
    """A need and what the environment gave for it."""

    need: Need
    resolved: str | None
    status: str  # ok | missing | optional | dynamic
    why: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.need.kind, "name": self.need.name,
                               "resolved": self.resolved, "status": self.status}
        if self.why:
            out["why"] = self.why
        return out


def skill_root(wf: WorkflowOp, module: Module, options: dict[str, Any]) -> Path | None:
    """The folder a workflow's scripts are relative to: its `source`, else the compiled path's."""
    for candidate in (wf.attributes.get("source"), options.get("source_root"), module.file):
        if isinstance(candidate, str | Path) and str(candidate):
            p = Path(candidate)
            if p.is_dir():
                return p
            if p.exists():
                return p.parent
    return None


@dataclass
class Binder:
    """Resolves needs against one environment, for one workflow's skill folder."""

    env: Environment
    root: Path | None
    assets: dict[str, str] = field(default_factory=dict)

    @functools.cached_property
    def in_skill(self) -> bool:
        """Is the folder a skill's (it holds SKILL.md), rather than a runbook's?"""
        return self.root is not None and (self.root / "SKILL.md").is_file()

    def bind(self, need: Need) -> Binding:
        if need.dynamic:
            return Binding(need, None, "dynamic")
        resolved, why = getattr(self, f"_{need.kind}")(need)
        if resolved is not None:
            return Binding(need, resolved, "ok")
        return Binding(need, None, "optional" if need.optional else "missing", why)

    def _binary(self, need: Need) -> tuple[str | None, str]:
        b = self.env.binary(need.name)
        if b is None and need.name.startswith("/"):
            if any(x.path == need.name for x in self.env.binaries.values()):
                return need.name, ""
            b = self.env.binary(need.name.rsplit("/", 1)[-1])
        if b is not None:
            return b.path, ""
        return None, "not on this machine's PATH" if self.env.origin == "probed" else f"not in {self.env.origin}"

    def _script(self, need: Need) -> tuple[str | None, str]:
        rel = PurePosixPath(need.name)
        if rel.is_absolute() or ".." in rel.parts:
            return None, "outside"
        candidates = [self.root / rel] if self.root is not None else []
        if self.env.scripts_dir:
            candidates += [Path(self.env.scripts_dir) / rel, Path(self.env.scripts_dir) / rel.name]
        for c in candidates:
            if c.is_file():
                bundle_path = f"code/{rel}"
                self.assets[bundle_path] = str(c.resolve())
                return bundle_path, ""
        where = f"in {self.root}/" if self.root is not None else "(no skill folder is known)"
        return None, f"no file {rel} {where}" + (f" or in {self.env.scripts_dir}" if self.env.scripts_dir else "")

    def _env(self, need: Need) -> tuple[str | None, str]:
        if need.name in ALWAYS_SET or self.env.has_env(need.name):
            return "set", ""
        return None, "not set"

    def _credential(self, need: Need) -> tuple[str | None, str]:
        for alt in need.alternatives or (need.name,):
            if self.env.has_credential(alt) or self.env.has_env(alt):
                return alt, ""
        if not need.alternatives:
            return None, "not set"
        return None, f"none of {', '.join(need.alternatives)} is present"

    def _data_source(self, need: Need) -> tuple[str | None, str]:
        lang = need.alternatives[0] if need.alternatives else "sql"
        kinds = _SQL_KINDS.get(lang, ())
        if not need.name:
            suitable = [n for n, s in sorted(self.env.data_sources.items()) if s.kind in kinds]
            if len(suitable) == 1:
                return suitable[0], ""
            return None, f"no db named and {len(suitable)} {lang} data sources to choose from"
        source = self.env.data_sources.get(need.name)
        if source is None:
            return None, "unknown data source"
        if source.kind not in kinds:
            return None, f"a {source.kind} data source cannot run {lang}"
        return source.target, ""

    def _package(self, need: Need) -> tuple[str | None, str]:
        if not missing_modules([need.name]):
            return "installed", ""
        return None, f"not installed for {sys.executable}: pip install {pip_name(need.name)}"

    def _imports(self, need: Need) -> tuple[str | None, str]:
        script = self.root / need.name if self.root is not None else None
        try:
            source = script.read_text(encoding="utf-8") if script is not None else ""
        except (OSError, UnicodeDecodeError):
            return "unread", ""  # a missing script is SKC221's to report
        missing = missing_modules(imports_of(source), script.parent if script is not None else None)
        if not missing:
            return "installed", ""
        return None, (f"it imports {', '.join(missing)}, not installed for {sys.executable}: "
                      f"pip install {' '.join(pip_name(m) for m in missing)}")

    def _host(self, need: Need) -> tuple[str | None, str]:
        if self.env.allows_host(need.name):
            return need.name, ""
        return None, "not among the environment's hosts"


def sql_schema_problems(op: Op, bindings: list[Binding], binder: Binder) -> list[Diagnostic]:
    """SKC229 for the tables and columns a `tool.sql` query uses that its bound SQLite file lacks."""
    from skc.compiler.frontend.markdown.queries import check_schema

    if op.attributes.get("lang", "sql") != "sql":
        return []
    for b in bindings:
        if b.need.kind != "data_source" or b.status != "ok":
            continue
        source = binder.env.data_sources.get(b.need.name) if b.need.name else None
        path = source.path if source is not None and source.kind == "sqlite" else None
        schema = _sqlite_schema(path) if path else None
        if schema:
            missing = check_schema(str(op.attributes.get("query", "")), schema)
            if missing:
                return [Diagnostic("SKC229", op.where, f"the query names {', '.join(missing)}, which {path} lacks",
                                   f"tables there: {', '.join(sorted(schema)[:12])}", "error")]
    return []


def _sqlite_schema(path: str) -> dict[str, set[str]] | None:
    """Table -> columns of a SQLite file, read only (None when it cannot be read)."""
    import sqlite3

    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")]
            return {t: {r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')} for t in tables}
        finally:
            conn.close()
    except sqlite3.Error:
        return None


@dataclass
class Summary:
    """Per kind, each name and what it bound to (None: missing everywhere); what was missing anywhere."""

    bindings: dict[str, dict[str, str | None]] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)

    def add(self, b: Binding) -> None:
        if b.status not in ("ok", "missing"):
            return
        names = self.bindings.setdefault(b.need.kind, {})
        if b.resolved is not None or names.get(b.need.name) is None:
            names[b.need.name] = b.resolved
        if b.status == "missing":
            self.missing.add(f"{b.need.kind}:{b.need.name}")

    def to_json(self) -> dict[str, Any]:
        return {"summary": {k: dict(sorted(v.items())) for k, v in sorted(self.bindings.items())},
                "missing": sorted(self.missing)}


# ---------------------------------------------------------------- the pass

_CODES = {"binary": "SKC220", "env": "SKC223", "data_source": "SKC224", "credential": "SKC225",
          "host": "SKC226", "package": "SKC219", "imports": "SKC219"}
_WORDS = {"binary": "binary", "script": "script", "env": "environment variable",
          "data_source": "data source", "credential": "credential", "host": "host",
          "package": "Python package", "imports": "package of script"}
_HINTS = {
    "SKC220": "install it on the target, or describe the target with --env FILE",
    "SKC221": "scripts are looked up relative to the skill folder (the workflow's source)",
    "SKC222": "keep scripts inside the skill folder, e.g. scripts/name.sh",
    "SKC223": "set it before running, or give it a default: ${NAME:-value}",
    "SKC224": "declare it under data_sources in the --env file (or SKC_DB_<NAME>=path-or-dsn)",
    "SKC225": "provide one of them on the target before running",
    "SKC226": "add the host to hosts in the --env file",
    "SKC219": "install it into the Python that runs skc (the scripts and python steps run on it)",
}


@dataclass(frozen=True)
class EnvBindPass(Pass):
    """Binds binaries, scripts, env vars, data sources, hosts and credentials (SKC220-228)."""

    name: ClassVar[str] = "env-bind"
    strict: bool = False

    def apply(self, ctx: PassContext, module: Module) -> None:
        ops = list(module.walk())
        before = {id(op): needs_of(op) for op in ops}  # what each op needs before any rewrite
        env = ctx.options.get("environment")
        if not isinstance(env, Environment):
            env = ctx.options["environment"] = probe_environment(self._binaries(ops, before),
                                                                 root=ctx.options.get("source_root"))
        assets: dict[str, str] = ctx.options.setdefault("assets", {})
        ops_report: list[dict[str, Any]] = []
        summary = Summary()
        for wf in module.workflows:
            binder = Binder(env, skill_root(wf, module, ctx.options), assets)
            ops_report += self._bind_workflow(ctx, wf, binder, summary, before)
        ctx.reports["environment"] = {"machine": env.summary(), "ops": ops_report, **summary.to_json(),
                                      "strict": self.strict}

    @staticmethod
    def _binaries(ops: list[Op], needs: dict[int, list[Need]]) -> set[str]:
        """The binaries to look up when probing: every op's, and the interpreters scripts may need."""
        names = {n.name for op in ops for n in needs[id(op)] if n.kind == "binary" and not n.dynamic}
        if any(isinstance(op, ScriptOp) for op in ops):
            names |= set(EXTENSION_INTERPRETER.values())
        return names

    def _bind_workflow(self, ctx: PassContext, wf: WorkflowOp, binder: Binder,
                       summary: Summary, needs: dict[int, list[Need]]) -> list[dict[str, Any]]:
        report: list[dict[str, Any]] = []
        problems: dict[tuple[str, str], list[tuple[Op, Binding]]] = {}
        for index, op in enumerate(list(wf.walk())[1:]):
            wanted = needs[id(op)]
            if not wanted and not isinstance(op, ScriptOp):
                continue  # nothing to bind (most ops: data, calc, ctrl, llm)
            bindings = [binder.bind(n) for n in wanted]  # the op is not rewritten yet
            self._rewrite(op, binder, bindings)
            if isinstance(op, ScriptOp):
                bindings += [binder.bind(n) for n in needs_of(op) if n.kind == "binary"
                             and all(b.need != n for b in bindings)]
            if not bindings:
                continue
            entry: dict[str, Any] = {"workflow": wf.sym_name, "index": index, "op": op.op_name,
                                     "loc": str(op.where), "needs": [b.to_json() for b in bindings]}
            if isinstance(step := op.attributes.get("step"), str):
                entry["step"] = step
            report.append(entry)
            if isinstance(op, SqlOp):
                ctx.diagnostics += sql_schema_problems(op, bindings, binder)
            no_binary = any(b.need.kind == "binary" and b.status == "missing" for b in bindings)
            for b in bindings:
                summary.add(b)
                if b.status == "dynamic" or (b.status == "missing" and not (no_binary and b.need.alternatives
                                                                           and b.need.kind == "credential")):
                    problems.setdefault((b.need.kind, b.need.name), []).append((op, b))
        for (kind, name), uses in problems.items():
            ctx.diagnostics.append(self._diagnostic(kind, name, uses, binder.in_skill))
        return report

    def _rewrite(self, op: Op, binder: Binder, bindings: list[Binding]) -> None:
        """Makes the binding explicit in IR: script interpreters and a sql op's only data source."""
        for b in bindings:
            if isinstance(op, ScriptOp) and b.need.kind == "script" and b.status == "ok" \
                    and "interpreter" not in op.attributes and b.resolved in binder.assets:
                interpreter = infer_interpreter(Path(binder.assets[b.resolved]))
                if interpreter is not None:
                    op.attributes["interpreter"] = interpreter
            if isinstance(op, SqlOp) and b.need.kind == "data_source" and not b.need.name \
                    and b.status == "ok" and b.resolved is not None:
                op.attributes["db"] = b.resolved
                effects = op.attributes.get("effects")
                if isinstance(effects, list):  # the builder's default resource becomes the bound one
                    op.attributes["effects"] = [e.replace(":db:default", f":db:{b.resolved}") if isinstance(e, str)
                                                else e for e in effects]
                b.need = Need("data_source", b.resolved, alternatives=b.need.alternatives)
                b.resolved = binder.env.data_sources[b.resolved].target

    def _diagnostic(self, kind: str, name: str, uses: list[tuple[Op, Binding]], in_skill: bool) -> Diagnostic:
        op, b = uses[0]
        more = f" (and {len(uses) - 1} more step{'s' if len(uses) > 2 else ''})" if len(uses) > 1 else ""
        if b.status == "dynamic":
            return Diagnostic("SKC228", op.where, f"{op.op_name} runs a {_WORDS[kind]} chosen at run time "
                              f"({name}){more}; it is not bound at compile time", severity="note")
        if kind == "script":
            code = "SKC222" if b.why == "outside" else "SKC221"
            why = "its path leaves the skill folder" if b.why == "outside" else b.why
            return Diagnostic(code, op.where, f"script {name!r} cannot be bundled: {why}{more}", _HINTS[code],
                              "error" if self.strict or in_skill else "warning")
        code = _CODES[kind]
        label = name or "(default)"
        return Diagnostic(code, op.where, f"{_WORDS[kind]} {label!r} is missing: {b.why}{more}", _HINTS[code],
                          "error" if self.strict else "warning")
