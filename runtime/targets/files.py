"""The `cpu.files` target: `tool.file_read` and `tool.file_write`.

Paths take operands (`{0}`), `~`, and are relative to the run's working directory.
A read returns the file's text (or, for a `!skc.file` result, its checked path). A
write replaces the file atomically (temp file + rename) or, with `append = true`,
appends; either way the data is fsync'd before the op counts as done, so a journaled
write is on disk.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any

from skc.ir.core import Op
from skc.ir.dialects.tool import FileReadOp
from skc.runtime.targets.base import ExecContext, OpFailed, OpResult, Target
from skc.runtime.targets.shell import DEFAULT_MAX_OUTPUT
from skc.runtime.values import substitute, to_text


def resolve_path(op: Op, args: list[Any], workdir: Path) -> Path:
    path = Path(substitute(str(op.attributes["path"]), args)).expanduser()
    return path if path.is_absolute() else workdir / path


def _read(path: Path, cap: int) -> str:
    with path.open("rb") as f:
        data = f.read(cap + 1)
    if len(data) > cap:
        raise OpFailed(f"{path}: larger than {cap} bytes", retryable=False)
    return data.decode("utf-8", errors="replace")


def _write(path: Path, text: str, append: bool) -> int:
    data = text.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    if append:
        with path.open("ab") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        return len(data)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(data)


class FilesTarget(Target):
    """Reads and writes (or appends to) files, fsync'd before the op completes."""

    name = "cpu.files"
    ops = ("tool.file_read", "tool.file_write")
    default_timeout_s = 30.0

    async def execute(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        path = resolve_path(op, args, ctx.workdir)
        try:
            if isinstance(op, FileReadOp):
                if op.results and op.results[0].type.kind == "file":
                    if not path.is_file():
                        raise OpFailed(f"{path}: no such file", retryable=False)
                    return OpResult([str(path)])
                cap = int(ctx.options.get("max_output_bytes") or DEFAULT_MAX_OUTPUT)
                return OpResult([await asyncio.to_thread(_read, path, cap)])
            text = to_text(args[0]) if args else ""
            size = await asyncio.to_thread(_write, path, text, bool(op.attributes.get("append")))
            return OpResult([], meta={"bytes": size, "path": str(path)})
        except FileNotFoundError:
            raise OpFailed(f"{path}: no such file", retryable=False) from None
        except IsADirectoryError:
            raise OpFailed(f"{path}: is a directory", retryable=False) from None
        except PermissionError:
            raise OpFailed(f"{path}: permission denied", retryable=False) from None
