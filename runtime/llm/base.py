"""The LLM backend contract shared by the llm targets, the agent loop and the capability probes.

A backend turns a prompt (or chat messages) into text, optionally constrained to a
JSON Schema or to a closed set of choices, and reports token counts measured with
the model's own tokenizer.
"""

from __future__ import annotations

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


class LLMBackend(ABC):
    """A model behind one API. Implementations must be usable from several threads."""

    name: str = ""

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
