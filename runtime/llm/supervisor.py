"""The `local` backend: the embedded model in a supervised worker process, reached through the
same OpenAI-compatible client as remote models (`openai.OpenAICompatBackend`).

`WorkerBackend` starts `python -m skc.runtime.llm.worker` on first use (the model file is
prepared first, in this process, so its notices reach the user), waits for its ready line
and sends every call to it on loopback. Start-up is paid once per process (one worker per
model spec, shared by all the ops of a run); with `$SKC_MODEL_WORKER=shared` concurrent
runs on one machine share one long-lived worker per model instead of loading a copy each
(`handle.attach_or_spawn`). Calls are sent one at a time: the worker
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

import contextlib
import importlib.util
import json
import os
import select
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from skc.runtime.llm.base import CancelledCall, Completion, LLMBackend
from skc.runtime.llm.handle import (
    WorkerHandle,
    attach_or_spawn,
    describe_exit,
    log_dir,
    log_tail,
    shared_mode,
)
from skc.runtime.llm.openai import BackendError, OpenAICompatBackend

MAX_START_FAILURES = 3
INSTALL_HINT = ("install skc[llm] (pip install 'skc[llm]'; `make setup` builds llama.cpp portably), "
                "or use a remote model: --model openai:URL[#model]")

class WorkerFailed(BackendError):
    """The model worker crashed, exited or hung during a call; the next call restarts it."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message, retryable=retryable)


class WorkerBackend(LLMBackend):
    """The embedded llama.cpp model in a supervised worker process on loopback."""

    name = "local"
    cancellable = True

    def __init__(self, model_path: str | None = None, *, n_ctx: int = 4096,
                 call_timeout_s: float | None = None, start_timeout_s: float = 300.0) -> None:
        self.model_path = model_path
        self.n_ctx = n_ctx
        self.call_timeout_s = call_timeout_s or float(os.environ.get("SKC_MODEL_TIMEOUT_S", "600"))
        self.start_timeout_s = start_timeout_s
        self.model_id = Path(model_path).name if model_path else "gemma-3-270m-q4_k_m.gguf"
        self.worker: WorkerHandle | None = None
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

    def _spawn(self, path: str, *, shared: bool) -> WorkerHandle:
        """Starts a worker and waits for its ready line. A shared one is detached (its own
        session, no parent watch) and exits after `$SKC_WORKER_IDLE_S` idle seconds."""
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        log_path = folder / (f"shared-{os.getpid()}-{self.starts}.log" if shared
                             else f"worker-{os.getpid()}-{self.starts}.log")
        self.starts += 1
        argv = [sys.executable, "-m", "skc.runtime.llm.worker", "--model", path, "--n-ctx", str(self.n_ctx)]
        if shared:
            argv += ["--detached", "--idle-exit", os.environ.get("SKC_WORKER_IDLE_S", "300")]
        with log_path.open("wb") as log:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                                    start_new_session=shared)
        handle = WorkerHandle(pid=proc.pid, port=0, model=self.model_id, log_path=log_path, proc=proc, shared=shared)
        try:
            ready = self._await_ready(proc, log_path)
        except WorkerFailed:
            handle.kill()
            raise
        finally:
            if proc.stdout is not None:
                proc.stdout.close()
        handle.port, handle.model = int(ready["port"]), str(ready.get("model") or self.model_id)
        return handle

    def _start(self) -> OpenAICompatBackend:
        if len(self._start_failures) >= MAX_START_FAILURES:
            raise WorkerFailed(f"the model worker failed to start {MAX_START_FAILURES} times; last: "
                               f"{self._start_failures[-1]}")
        path = self._resolved_model()
        try:
            if shared_mode():
                self.worker = attach_or_spawn(path, self.n_ctx, lambda: self._spawn(path, shared=True))
            else:
                self.worker = self._spawn(path, shared=False)
        except WorkerFailed as e:
            self._start_failures.append(str(e))
            raise
        self._start_failures.clear()
        self._client = OpenAICompatBackend(base_url=f"http://127.0.0.1:{self.worker.port}/v1",
                                           model=self.worker.model, api_key="",
                                           timeout_s=self.call_timeout_s, retries=0)
        return self._client

    def _await_ready(self, proc: subprocess.Popen[bytes], log_path: Path) -> dict[str, Any]:
        assert proc.stdout is not None
        deadline = time.monotonic() + self.start_timeout_s
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                raise WorkerFailed(f"the model worker did not start within {self.start_timeout_s:g}s"
                                   + log_tail(log_path))
            readable, _, _ = select.select([proc.stdout], [], [], min(left, 0.5))
            if readable:
                chunk = os.read(proc.stdout.fileno(), 4096)
                if not chunk:
                    code = proc.wait(timeout=30)
                    raise WorkerFailed(f"the model worker {describe_exit(code)} while loading the model"
                                       + log_tail(log_path))
                line += chunk
        try:
            ready = json.loads(line.decode("utf-8", "replace").splitlines()[0])
        except (ValueError, IndexError) as e:
            raise WorkerFailed(f"the model worker's ready line is garbled: {line[:200]!r}") from e
        return dict(ready)

    def _stop(self) -> None:
        """Forgets the worker; kills it unless it is shared with other runs and still alive."""
        worker, self.worker, self._client = self.worker, None, None
        if worker is not None and (not worker.shared or not worker.alive()):
            worker.kill()
        elif worker is not None and worker.proc is not None:
            worker.proc.returncode = 0  # a shared worker outlives us: do not reap or warn about it

    def close(self) -> None:
        """Stops this run's worker (a shared worker stays for the other runs until it is idle)."""
        with self._lock:
            self._stop()

    def client(self) -> OpenAICompatBackend:
        """The client of a live worker, started (or restarted, or attached) if needed."""
        with self._lock:
            if self._client is None or self.worker is None or not self.worker.alive():
                if self.worker is not None:
                    self.worker.kill()
                    self.worker = None
                return self._start()
            return self._client

    @property
    def log_path(self) -> Path | None:
        return self.worker.log_path if self.worker is not None else None

    @property
    def pid(self) -> int | None:
        return self.worker.pid if self.worker is not None else None

    # ------------------------------------------------------------------ failures

    def _diagnose(self, error: BackendError) -> BackendError:
        """Turns a failed call into a diagnosis: a dead worker (signal, exit) or a hung one."""
        worker = self.worker
        if worker is None:
            return error
        died = worker.death(wait_s=2.0)  # a crashed worker's socket closes a moment before it can be reaped
        if died is not None:
            failed = WorkerFailed(f"the model worker (pid {worker.pid}) {died}" + log_tail(worker.log_path))
        elif "timed out" in str(error).lower():
            failed = WorkerFailed(f"the model worker (pid {worker.pid}) did not answer within "
                                  f"{self.call_timeout_s:g}s; skc killed it and restarts it for the next op "
                                  "(raise the limit with $SKC_MODEL_TIMEOUT_S)")
            worker.kill()
        else:
            return error  # the worker is alive and answered with an error (a bad request)
        self.worker, self._client = None, None
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
                 stop: list[str] | None = None, cancel: threading.Event | None = None) -> Completion:
        kw: dict[str, Any] = {"max_tokens": max_tokens, "temperature": temperature, "json_schema": json_schema,
                              "choices": choices, "tools": tools, "stop": stop}
        if cancel is None:
            return self._call(OpenAICompatBackend.complete, messages, **kw)  # type: ignore[no-any-return]
        call, done = uuid.uuid4().hex, threading.Event()

        def ask(client: OpenAICompatBackend) -> Completion:
            if cancel.is_set():  # cancelled while queued behind another call
                raise CancelledCall("the model call was cancelled before it started")
            return client.complete(messages, **kw, extra={"skc_call": call})

        threading.Thread(target=self._cancel_when, args=(cancel, done, call), daemon=True).start()
        try:
            return self._call(ask)  # type: ignore[no-any-return]
        finally:
            done.set()

    def _cancel_when(self, cancel: threading.Event, done: threading.Event, call: str) -> None:
        """Asks the worker to stop call `call` once `cancel` is set (unless it is done by then)."""
        while not done.is_set():
            if cancel.wait(0.1):
                client = self._client  # not through the lock: the call being stopped holds it
                if client is not None and not done.is_set():
                    root = client.base_url.removesuffix("/v1")
                    with contextlib.suppress(BackendError):
                        client._request("POST", f"{root}/extras/cancel", {"call": call}, retries=0)
                return

    def count_tokens(self, text: str) -> int:
        def count(client: OpenAICompatBackend, text: str) -> int:
            root = client.base_url.removesuffix("/v1")
            return int(client._request("POST", f"{root}/extras/tokenize/count", {"input": text})["count"])

        return self._call(count, text)  # type: ignore[no-any-return]
