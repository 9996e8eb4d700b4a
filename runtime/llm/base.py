"""The LLM backend contract shared by the llm targets, the agent loop and the capability probes.

A backend turns a prompt (or chat messages) into text, optionally constrained to a
JSON Schema or to a closed set of choices, and reports token counts measured with
the model's own tokenizer. `complete_async` is how the runtime calls one: on a
thread of its own, stopped when the awaiting op is cancelled (a failed run must
not wait for model calls nobody will read).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Completion:
    """One model answer and its cost."""

    text: str
    tokens_in: int
    tokens_out: int
    latency_s: float
    tool_calls: list[dict[str, Any]] = field(default_factory=list)


class CancelledCall(RuntimeError):
    """A model call whose op was cancelled (its run failed) before the model took it."""

    retryable = False


class LLMBackend(ABC):
    """A model behind one API. Implementations must be usable from several threads."""

    name: str = ""
    cancellable: bool = False  # `complete` takes `cancel=threading.Event` and stops once it is set

    @abstractmethod
    def complete(self, messages: list[dict[str, Any]], *, max_tokens: int = 256,
                 temperature: float = 0.0, json_schema: dict[str, Any] | None = None,
                 choices: list[str] | None = None, tools: list[dict[str, Any]] | None = None,
                 stop: list[str] | None = None) -> Completion:
        """Chat completion. `json_schema` / `choices` constrain the output (grammar on local
        models, structured-output mode on endpoints); `tools` are OpenAI-format tool specs."""

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Tokens of `text` under this model's tokenizer."""


async def complete_async(backend: LLMBackend, messages: list[dict[str, Any]], **kw: Any) -> Completion:
    """`backend.complete` on a daemon thread: awaiting it can be cancelled, and the cancel reaches the
    backend (a queued call never starts, a running one stops at its next token) when it is
    `cancellable`. Unlike `asyncio.to_thread`, the loop's shutdown does not wait for the thread."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Completion] = loop.create_future()
    cancel = threading.Event()
    if backend.cancellable:
        kw["cancel"] = cancel

    def settle(value: Completion | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)  # type: ignore[arg-type]

    def work() -> None:
        try:
            value, error = backend.complete(messages, **kw), None
        except BaseException as e:  # handed to the awaiting coroutine
            value, error = None, e
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
            loop.call_soon_threadsafe(settle, value, error)

    context = contextvars.copy_context()
    threading.Thread(target=context.run, args=(work,), name=f"skc-llm-{backend.name}", daemon=True).start()
    try:
        return await future
    except asyncio.CancelledError:
        cancel.set()
        raise
