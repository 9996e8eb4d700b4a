"""Model worker processes as a run sees them: a handle (alive? how did it die?), the diagnosis
of a death, and the registry through which concurrent runs share one worker.

A run's own worker is its child, so its exit status (the signal that killed it) is read
with `waitpid`. A *shared* worker (`$SKC_MODEL_WORKER=shared`) was started by whichever run
came first and outlives it: other runs cannot reap it, so its death is read from its log,
where the worker's `faulthandler` writes `Fatal Python error: Segmentation fault` (or
`Illegal instruction`, `Bus error`, `Aborted`) before the process dies; a death that left
no such line was a SIGKILL (most often the OOM killer).

The registry is one JSON file per (model, context size) under the worker log folder,
`shared-<key>.json` = {pid, port, model, log}, read and written under an exclusive
`flock` on `shared-<key>.lock`: the first run starts the worker and records it, the others
find it alive (`/health` answers with that pid) and attach. A shared worker exits by
itself after `$SKC_WORKER_IDLE_S` seconds (default 300) without a request.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from skc.runtime.llm.modelfile import file_lock, write_text_atomic

SIGNAL_ADVICE = {
    signal.SIGILL: "it executed an instruction this CPU does not have: the llama.cpp build is not portable. "
                   "Rebuild it with `bash scripts/build-llama.sh .venv/bin/python` and check with `skc doctor`",
    signal.SIGSEGV: "a native crash inside llama.cpp. skc restarts the worker for the next op; if it recurs, "
                    "run `skc doctor`, or choose another model with --model local:PATH.gguf or openai:URL",
    signal.SIGBUS: "a native crash inside llama.cpp (bus error: is the model file on a failing or full disk?). "
                   "Run `skc doctor`",
    signal.SIGABRT: "llama.cpp aborted (an internal assertion). Its log names the reason; run `skc doctor`",
    signal.SIGKILL: "it was killed from outside, most often by the kernel's out-of-memory killer: free memory, "
                    "run fewer runs at once, or choose a smaller model",
}
FAULT_LINES = {"Segmentation fault": signal.SIGSEGV, "Illegal instruction": signal.SIGILL,
               "Bus error": signal.SIGBUS, "Aborted": signal.SIGABRT, "Floating-point exception": signal.SIGFPE}


def log_dir() -> Path:
    env = os.environ.get("SKC_WORKER_LOG_DIR")
    return Path(env) if env else Path.home() / ".cache" / "skc" / "workers"


def shared_mode() -> bool:
    """Whether runs share one long-lived worker per model (`$SKC_MODEL_WORKER=shared`)."""
    return os.environ.get("SKC_MODEL_WORKER", "run") == "shared"


def log_tail(path: Path | None, lines: int = 3) -> str:
    """The last non-empty lines of the worker's log, for a diagnosis."""
    if path is None:
        return ""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    tail = [line for line in text.splitlines() if line.strip()][-lines:]
    return ("; its log (" + str(path) + ") ends: " + " | ".join(tail)) if tail else ""


def describe_exit(returncode: int) -> str:
    """`died with SIGSEGV (signal 11): <what to do>` or `exited with status N`."""
    if returncode < 0:
        sig = signal.Signals(-returncode)
        advice = SIGNAL_ADVICE.get(sig, "run `skc doctor`; skc restarts the worker for the next op")
        return f"died with {sig.name} (signal {-returncode}): {advice}"
    return f"exited with status {returncode} (see its log; `skc doctor` checks the model and the build)"


def signal_from_log(path: Path) -> signal.Signals:
    """The fatal signal `faulthandler` recorded in a dead worker's log; SIGKILL when none was."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return signal.SIGKILL
    for line in reversed(text.splitlines()):
        if line.startswith("Fatal Python error: "):
            for words, sig in FAULT_LINES.items():
                if words in line:
                    return sig
    return signal.SIGKILL


def pid_alive(pid: int) -> bool:
    """A live, non-zombie process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


@dataclass
class WorkerHandle:
    """One worker process: our child (`proc`), or a shared worker another run started."""

    pid: int
    port: int
    model: str
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None
    shared: bool = False

    def alive(self) -> bool:
        if self.proc is not None:
            return self.proc.poll() is None
        return pid_alive(self.pid)

    def death(self, wait_s: float) -> str | None:
        """How the worker died (`died with SIGSEGV …`), waiting up to `wait_s`; None if alive."""
        deadline = time.monotonic() + wait_s
        while self.alive():
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.05)
        if self.proc is not None and self.proc.returncode is not None:
            return describe_exit(self.proc.returncode)
        return describe_exit(-signal_from_log(self.log_path))

    def kill(self) -> None:
        if self.alive():
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc is not None:
            self.proc.wait(timeout=30)


def registry_key(model_path: str, n_ctx: int) -> str:
    return hashlib.sha256(f"{Path(model_path).resolve()}\0{n_ctx}".encode()).hexdigest()[:12]


def _healthy(port: int, pid: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as reply:
            return bool(json.loads(reply.read()).get("pid") == pid)
    except (OSError, ValueError):
        return False


def attach_or_spawn(model_path: str, n_ctx: int, spawn: Callable[[], WorkerHandle]) -> WorkerHandle:
    """The shared worker for (model, n_ctx): the recorded one if it is alive and answers, else a
    new one from `spawn()`, recorded for the next runs. Serialised by a file lock."""
    folder = log_dir()
    key = registry_key(model_path, n_ctx)
    record = folder / f"shared-{key}.json"
    with file_lock(folder / f"shared-{key}.lock"):
        try:
            info = json.loads(record.read_text(encoding="utf-8"))
            pid, port = int(info["pid"]), int(info["port"])
            if pid_alive(pid) and _healthy(port, pid):
                return WorkerHandle(pid=pid, port=port, model=str(info["model"]), log_path=Path(info["log"]),
                                    shared=True)
        except (OSError, ValueError, KeyError, TypeError):
            pass
        handle = spawn()
        write_text_atomic(record, json.dumps({"pid": handle.pid, "port": handle.port, "model": handle.model,
                                              "log": str(handle.log_path)}) + "\n")
        return handle
