"""Model backends for tests that need a model but not its judgement."""

from __future__ import annotations

from typing import Any

from skc.runtime.llm.base import Completion, LLMBackend


class Plain(LLMBackend):
    """Answers every prompt with "ok" (for steps whose answer the test does not read)."""

    name = "plain"

    def complete(self, messages: list[dict[str, Any]], **kw: Any) -> Completion:  # type: ignore[override]
        return Completion("ok", 1, 1, 0.0)

    def count_tokens(self, text: str) -> int:
        return 1
