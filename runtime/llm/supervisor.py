"""The `local` backend: the embedded model in a supervised worker process, reached through the
same OpenAI-compatible client as remote models (`openai.OpenAICompatBackend`).

`WorkerBackend` starts `python -m skc.runtime.llm.worker` on first use (the model file is
prepared first, in this process, so its notices reach the user), waits for its ready line
and sends every call to it on loopback. Start-up is paid once per process (one worker per
model spec, shared by all the ops of a run). Calls are sent one at a time: the worker
serves one request at a time anyway, and this way the call timeout measures the call,
not a queue.

When the worker dies during a call (SIGILL from a non-portable build, SIGSEGV, the OOM
killer's SIGKILL, an exit) or does not answer within the call timeout (it is then
killed), the call raises `WorkerFailed`: a retryable error whose message names the
signal and what to do, so the op fails with that diagnosis while the run goes on. The
next call starts a fresh worker. After `MAX_START_FAILURES` consecutive failed starts the
backend stops trying and repeats the last diagnosis (a model that cannot load at all).

llama.cpp's logging goes to the worker's log file (`$SKC_WORKER_LOG_DIR`, default
`~/.cache/skc/workers/`), never to the run's terminal; its last lines are quoted in a
diagnosis.
"""

from __future__ import annotations

import importlib.util
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from skc.runtime.llm.base import Completion, LLMBackend
from skc.runtime.llm.openai import BackendError, OpenAICompatBackend

MAX_START_FAILURES = 3
INSTALL_HINT = ("install skc[llm] (pip install 'skc[llm]'; `make setup` builds llama.cpp portably), "
                "or use a remote model: --model openai:URL[#model]")

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


class WorkerFailed(BackendError):
    """The model worker crashed, exited or hung during a call; the next call restarts it."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message, retryable=retryable)


def log_dir() -> Path:
    env = os.environ.get("SKC_WORKER_LOG_DIR")
    return Path(env) if env else Path.home() / ".cache" / "skc" / "workers"


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


class WorkerBackend(LLMBackend):
    """The embedded llama.cpp model in a supervised worker process on loopback."""

    name = "local"

    def __init__(self, model_path: str | None = None, *, n_ctx: int = 4096,
                 call_timeout_s: float | None = None, start_timeout_s: float = 300.0) -> None:
        self.model_path = model_path
        self.n_ctx = n_ctx
        self.call_timeout_s = call_timeout_s or float(os.environ.get("SKC_MODEL_TIMEOUT_S", "600"))
        self.start_timeout_s = start_timeout_s
        self.model_id = Path(model_path).name if model_path else "gemma-3-270m-q4_k_m.gguf"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path: Path | None = None
        self.starts = 0
        self._client: OpenAICompatBackend | None = None
        self._start_failures: list[str] = []
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ lifecycle

    def _resolved_model(self) -> str:
        """The GGUF file to serve, prepared; a missing install or file is a user's to fix."""
        if importlib.util.find_spec("llama_cpp") is None:
            raise WorkerFailed(f"the local model needs llama-cpp-python: {INSTALL_HINT}", retryable=False)
        if self.model_path:
            if not Path(self.model_path).is_file():
                raise WorkerFailed(f"model file {self.model_path} does not exist", retryable=False)
            return self.model_path
        from skc.runtime.llm.local import default_model_path
        from skc.runtime.llm.modelfile import ModelFileError

        try:
            return default_model_path()
        except ImportError:
            raise WorkerFailed(f"the embedded model needs its model package: {INSTALL_HINT}",
                               retryable=False) from None
        except ModelFileError as e:
            raise WorkerFailed(str(e), retryable=False) from None

    def _start(self) -> OpenAICompatBackend:
        if len(self._start_failures) >= MAX_START_FAILURES:
            raise WorkerFailed(f"the model worker failed to start {MAX_START_FAILURES} times; last: "
                               f"{self._start_failures[-1]}")
        path = self._resolved_model()
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        self.log_path = folder / f"worker-{os.getpid()}-{self.starts}.log"
        self.starts += 1
        with self.log_path.open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "skc.runtime.llm.worker", "--model", path, "--n-ctx", str(self.n_ctx)],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log)
        self.proc = proc
        try:
            ready = self._await_ready(proc)
        except WorkerFailed as e:
            self._start_failures.append(str(e))
            self._stop()
            raise
        self._start_failures.clear()
        self._client = OpenAICompatBackend(base_url=f"http://127.0.0.1:{ready['port']}/v1",
                                           model=str(ready.get("model") or self.model_id), api_key="",
                                           timeout_s=self.call_timeout_s, retries=0)
        return self._client

    def _await_ready(self, proc: subprocess.Popen[bytes]) -> dict[str, Any]:
        assert proc.stdout is not None
        deadline = time.monotonic() + self.start_timeout_s
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                raise WorkerFailed(f"the model worker did not start within {self.start_timeout_s:g}s"
                                   + log_tail(self.log_path))
            readable, _, _ = select.select([proc.stdout], [], [], min(left, 0.5))
            if readable:
                chunk = os.read(proc.stdout.fileno(), 4096)
                if not chunk:
                    code = proc.wait(timeout=30)
                    raise WorkerFailed(f"the model worker {describe_exit(code)} while loading the model"
                                       + log_tail(self.log_path))
                line += chunk
        try:
            ready = json.loads(line.decode("utf-8", "replace").splitlines()[0])
        except (ValueError, IndexError) as e:
            raise WorkerFailed(f"the model worker's ready line is garbled: {line[:200]!r}") from e
        return dict(ready)

    def _stop(self) -> None:
        proc, self.proc, self._client = self.proc, None, None
        if proc is not None and proc.poll() is None:
            proc.kill()
        if proc is not None:
            proc.wait(timeout=30)
            if proc.stdout is not None:
                proc.stdout.close()

    def close(self) -> None:
        """Stops the worker (it also stops by itself when this process exits)."""
        with self._lock:
            self._stop()

    def client(self) -> OpenAICompatBackend:
        """The client of a live worker, started (or restarted) if needed."""
        with self._lock:
            if self._client is None or self.proc is None or self.proc.poll() is not None:
                self._stop()
                return self._start()
            return self._client

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    # ------------------------------------------------------------------ failures

    def _diagnose(self, error: BackendError) -> BackendError:
        """Turns a failed call into a diagnosis: a dead worker (signal, exit) or a hung one."""
        proc = self.proc
        if proc is None:
            return error
        try:  # a crashed worker's socket closes a moment before its exit can be collected
            code: int | None = proc.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            code = None
        if code is not None:
            failed = WorkerFailed(f"the model worker (pid {proc.pid}) {describe_exit(code)}"
                                  + log_tail(self.log_path))
        elif "timed out" in str(error).lower():
            failed = WorkerFailed(f"the model worker (pid {proc.pid}) did not answer within "
                                  f"{self.call_timeout_s:g}s; skc killed it and restarts it for the next op "
                                  "(raise the limit with $SKC_MODEL_TIMEOUT_S)")
        else:
            return error  # the worker is alive and answered with an error (a bad request)
        self._stop()
        return failed

    def _call(self, fn: Any, *args: Any, **kw: Any) -> Any:
        with self._lock:
            client = self.client()
            try:
                return fn(client, *args, **kw)
            except BackendError as e:
                raise self._diagnose(e) from e

    # ------------------------------------------------------------------ LLMBackend

    def complete(self, messages: list[dict[str, Any]], *, max_tokens: int = 256,
                 temperature: float = 0.0, json_schema: dict[str, Any] | None = None,
                 choices: list[str] | None = None, tools: list[dict[str, Any]] | None = None,
                 stop: list[str] | None = None) -> Completion:
        return self._call(OpenAICompatBackend.complete, messages, max_tokens=max_tokens,  # type: ignore[no-any-return]
                          temperature=temperature, json_schema=json_schema, choices=choices, tools=tools,
                          stop=stop)

    def count_tokens(self, text: str) -> int:
        def count(client: OpenAICompatBackend, text: str) -> int:
            root = client.base_url.removesuffix("/v1")
            return int(client._request("POST", f"{root}/extras/tokenize/count", {"input": text})["count"])

        return self._call(count, text)  # type: ignore[no-any-return]
