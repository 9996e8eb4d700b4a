"""The `cpu.shell` target: `tool.shell` and `tool.script` as asyncio subprocesses.

* `argv` runs the program directly (operands substituted into each element);
  only `cmd` goes through `bash -c`, and operands substituted into it are
  shell-quoted, so a value can never inject a command.
* The environment is the one the scheduler sanitized (PATH, HOME, LANG and the
  variables the op declares in `env`); nothing else of the caller's leaks in.
* The process runs in its own process group (`process.run_process`): the op ends when
  its main process does (`sleep 600 & echo hi` ends with `echo`), and then, as on a
  timeout or a cancelled run, the whole group and every process started under the op
  (`setsid` children included) is killed; on Linux the child also dies with skc itself
  (PR_SET_PDEATHSIG), so a killed `skc run` leaves no half-finished command behind.
* stdout is capped (`max_output_bytes`, default 8 MiB): a larger output fails the op
  rather than being silently truncated. A non-zero exit fails the op with the tail of
  stderr, except for ops whose result is `!skc.bool`, whose value is "exit status 0".
* A Python `tool.script` inside a package (a skill's `scripts/` with `__init__.py`, whose
  files import `scripts.other`) runs as that module with the package's root on
  `sys.path` (`python -m scripts.x` as the skill says), from the op's working directory.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from skc.ir.core import Op
from skc.ir.dialects.tool import ScriptOp
from skc.runtime.targets.base import ExecContext, OpFailed, OpResult, Target
from skc.runtime.targets.process import DEFAULT_MAX_OUTPUT, run_process
from skc.runtime.values import substitute

__all__ = ["DEFAULT_MAX_OUTPUT", "ShellTarget", "command_of", "failure_message", "run_process"]
_STDERR_TAIL = 2000


def resolve_binary(name: str, ctx: ExecContext) -> str:
    """The path the environment binding resolved `name` to, else `name` itself."""
    binaries = ctx.bindings.get("binaries") or {}
    bound = binaries.get(name)
    if isinstance(bound, dict):
        bound = bound.get("path")
    return str(bound) if bound else name


# `python -c _RUN_MODULE ROOT MODULE ARGS...`: `python -m MODULE ARGS` with ROOT first on sys.path, from any cwd.
_RUN_MODULE = ("import runpy, sys; root, name = sys.argv[1], sys.argv[2]; sys.argv = [name, *sys.argv[3:]]; "
               "sys.path.insert(0, root); runpy.run_module(name, run_name='__main__', alter_sys=True)")


def module_of(script: Path) -> tuple[Path, str] | None:
    """(root, dotted module) of a Python script inside a package (its folder has `__init__.py`,
    like a skill's `scripts/` whose files import `scripts.quick_validate`), else None."""
    parts = [script.stem]
    folder = script.parent
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        parts.insert(0, folder.name)
        folder = folder.parent
    return (folder, ".".join(parts)) if len(parts) > 1 else None


def command_of(op: Op, args: list[Any], ctx: ExecContext | None = None) -> list[str]:
    """The argv an op would run, after substitution (`bash -c ...` for `cmd`)."""
    a = op.attributes
    if isinstance(op, ScriptOp):
        root = Path(str((ctx.bindings.get("scripts_root") if ctx else None) or
                        (ctx.options.get("source_dir") if ctx else None) or "."))
        script = substitute(str(a["path"]), args)
        path = script if os.path.isabs(script) else str(root / script)
        rest = [substitute(str(x), args) for x in a.get("args") or []]  # type: ignore[union-attr]
        interpreter = a.get("interpreter")
        if not interpreter and not os.access(path, os.X_OK):
            interpreter = {".py": "python3", ".sh": "bash"}.get(Path(path).suffix, "bash")
        if interpreter in ("python", "python3"):  # a skill's Python script runs where skc (and tool.python) runs
            interpreter = str((ctx.options.get("python") if ctx else None) or sys.executable)
            package = module_of(Path(path))
            if package is not None:  # scripts/ is a package (`from scripts.x import ...`): run it as its module
                return [str(interpreter), "-c", _RUN_MODULE, str(package[0]), package[1], *rest]
        return [str(interpreter), path, *rest] if interpreter else [path, *rest]
    if isinstance(a.get("argv"), list):
        return [substitute(str(x), args) for x in a["argv"]]  # type: ignore[union-attr]
    return ["bash", "-c", substitute(str(a.get("cmd", "")), args, quote=shlex.quote)]


def failure_message(argv: list[str], status: int, err: bytes) -> str:
    """`argv: exit status N: stderr tail`. Words are shown as they are (not re-quoted, so a secret
    keeps the spelling the redactor knows) and cut only between words, as the stderr tail is
    cut only between lines: a cut never leaves half a secret behind."""
    tail = stderr_tail(err)
    what = f"killed by signal {-status}" if status < 0 else f"exit status {status}"
    shown: list[str] = []
    for word in argv:
        if shown and sum(len(w) + 1 for w in shown) + len(word) > 200:
            shown.append("...")
            break
        shown.append(word)
    return f"{' '.join(shown)}: {what}" + (f": {tail}" if tail else "")


def stderr_tail(err: bytes) -> str:
    """The last `_STDERR_TAIL` characters of stderr, starting at a line."""
    text = err.decode("utf-8", errors="replace").strip()
    if len(text) <= _STDERR_TAIL:
        return text
    tail = text[-_STDERR_TAIL:]
    return tail.split("\n", 1)[1] if "\n" in tail else "..."


def confined_script(op: Op, args: list[Any], ctx: ExecContext) -> str:
    """For a bundle's script: why it may not run (not a regular file inside the bundle's code/
    after resolving links, or not the bytes the manifest hashed), or ''."""
    hashes = ctx.bindings.get("script_hashes")
    root = ctx.bindings.get("scripts_root")
    if not isinstance(hashes, dict) or not root:
        return ""
    rel = substitute(str(op.attributes["path"]), args).removeprefix("./")
    path = os.path.join(str(root), rel)
    real_root, real = os.path.realpath(str(root)), os.path.realpath(path)
    if os.path.commonpath([real, real_root]) != real_root:
        return f"{rel} resolves to {real}, outside the bundle"
    if os.path.islink(path) or not os.path.isfile(real):
        return f"{rel} is not a regular file of the bundle"
    with open(real, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if hashes.get(rel) != digest:
        return f"{rel} is not the file the bundle's manifest hashed"
    return ""


def working_dir(op: Op, args: list[Any], ctx: ExecContext) -> str:
    cwd = op.attributes.get("cwd")
    if not isinstance(cwd, str):
        return str(ctx.workdir)
    path = Path(substitute(cwd, args)).expanduser()
    return str(path if path.is_absolute() else ctx.workdir / path)


class ShellTarget(Target):
    """Runs commands and skill scripts as subprocesses in a sanitized environment."""

    name = "cpu.shell"
    ops = ("tool.shell", "tool.script")
    default_timeout_s = 300.0

    async def execute(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        if isinstance(op, ScriptOp) and (why := confined_script(op, args, ctx)):
            raise OpFailed(f"refusing to run the script: {why}", retryable=False)
        argv = command_of(op, args, ctx)
        argv[0] = resolve_binary(argv[0], ctx)
        limit = int(ctx.options.get("max_output_bytes") or DEFAULT_MAX_OUTPUT)
        status, out, err = await run_process(argv, env=dict(ctx.env), cwd=working_dir(op, args, ctx),
                                             max_output=limit)
        wants_bool = bool(op.results) and op.results[0].type.kind == "bool"
        meta = {"exit_status": status, "stderr": stderr_tail(err)}
        if wants_bool:
            return OpResult([status == 0], meta=meta)
        if status != 0:
            raise OpFailed(failure_message(argv, status, err), retryable=True, detail=stderr_tail(err))
        # Like `$(...)`: trailing newlines are not part of a command's text value.
        return OpResult([out.decode("utf-8", errors="replace").rstrip("\n")], meta=meta)
