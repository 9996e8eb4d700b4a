"""Running candidate programs under a deadline, so a hanging candidate is stopped.

Two ways, by kind of program:

* LLM-written Python (`python` candidates) runs in a worker subprocess
  (`python -m skc.runtime.jit.sandbox`) that reads one JSON request per line and
  answers one JSON line. If no answer arrives by the deadline the worker is
  killed (SIGKILL) and a fresh one is started for the next request: an infinite
  loop costs one timeout and one process, never a stuck thread. Workers are kept
  in a small pool and reused, so a call costs a pipe round trip, not a start-up.
* The built-in program language (`program.py`) is skc's own code, linear in the
  size of its inputs. It runs in this process on a thread; the caller stops
  waiting at the deadline (and gets `timed_out`), and the evaluator checks the
  same deadline between steps, so a slow evaluation also ends itself soon after.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import queue
import selectors
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from skc.runtime.jit.program import Candidate, Deadline, ProgramError, ProgramTimeout, evaluate
from skc.runtime.jit.pycode import expr_to_python, run_python


@dataclass(frozen=True)
class Outcome:
    """What running a candidate gave: a value, or why not (`error`), and how long it took."""

    ok: bool
    value: Any = None
    error: str = ""
    timed_out: bool = False
    elapsed_s: float = 0.0


class _Worker:
    """One worker subprocess with a line-buffered JSON protocol on its stdin/stdout."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            # -P: the caller's working directory is not importable (a stray skc/ there stays out)
            [sys.executable, "-P", "-m", "skc.runtime.jit.sandbox"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.buf = b""

    def call(self, request: dict[str, Any], timeout_s: float) -> dict[str, Any] | None:
        """The worker's answer, or None when it did not answer in time (the worker is then dead)."""
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write((json.dumps(request, default=str) + "\n").encode())
        self.proc.stdin.flush()
        end = time.monotonic() + timeout_s
        fd = self.proc.stdout.fileno()
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in self.buf:
                left = end - time.monotonic()
                if left <= 0 or not sel.select(left):
                    self.kill()
                    return None
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    self.kill()
                    return {"ok": False, "error": "worker exited"}
                self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return json.loads(line)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.alive:
            self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()


class Sandbox:
    """Runs candidates with a timeout. Thread-safe; `close()` stops the workers."""

    def __init__(self, timeout_s: float = 2.0, workers: int = 2) -> None:
        self.timeout_s = timeout_s
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(workers)
        self._threads = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="skc-jit")
        self.killed = 0  # workers stopped at their deadline (a count for tests and traces)

    def run(self, candidate: Candidate, args: list[Any], timeout_s: float | None = None) -> Outcome:
        """Evaluates `candidate` on `args`, giving up (and stopping it) after the timeout."""
        limit = self.timeout_s if timeout_s is None else timeout_s
        start = time.monotonic()
        if candidate.kind == "python":
            out = self._subprocess(expr_to_python(candidate.expr), args, limit)
        else:
            out = self._thread(candidate, args, limit)
        return Outcome(out.ok, out.value, out.error, out.timed_out, time.monotonic() - start)

    def _thread(self, candidate: Candidate, args: list[Any], limit: float) -> Outcome:
        future = self._threads.submit(evaluate, candidate.expr, args, Deadline(limit))
        try:
            return Outcome(True, future.result(timeout=limit))
        except (concurrent.futures.TimeoutError, ProgramTimeout):
            return Outcome(False, error=f"timed out after {limit}s", timed_out=True)
        except (ProgramError, ValueError, TypeError, KeyError, IndexError, ArithmeticError) as e:
            return Outcome(False, error=f"{type(e).__name__}: {e}")

    def _subprocess(self, code: str, args: list[Any], limit: float) -> Outcome:
        with self._slots:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                worker = _Worker()
            answer = worker.call({"code": code, "args": args}, limit)
            if worker.alive:
                self._idle.put(worker)
        if answer is None:
            self.killed += 1
            return Outcome(False, error=f"timed out after {limit}s (worker killed)", timed_out=True)
        if answer.get("ok"):
            return Outcome(True, answer.get("value"))
        return Outcome(False, error=str(answer.get("error", "failed")))

    def run_python(self, candidate: Candidate, args: list[Any]) -> Any:
        """For synthesis: the value, or ProgramError (the `RunPython` hook of `Synthesizer`)."""
        out = self.run(candidate, args)
        if not out.ok:
            raise ProgramError(out.error)
        return out.value

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                break
        self._threads.shutdown(wait=False, cancel_futures=True)


def _serve() -> None:
    """The worker loop: protocol lines go to the real stdout; the candidate's prints go to stderr."""
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # whatever the candidate writes to fd 1 lands in stderr, not in the protocol
    sys.stdout = sys.stderr
    for line in sys.stdin:
        request = json.loads(line)
        try:
            value = run_python(request["code"], request["args"])
            text = json.dumps({"ok": True, "value": value})
        except Exception as e:  # the candidate's failure is an answer, not a crash
            text = json.dumps({"ok": False, "error": f"{type(e).__name__}: {e}"})
        out.write(text + "\n")


if __name__ == "__main__":
    _serve()
