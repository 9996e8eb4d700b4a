"""LLM backends: the embedded local model (llama.cpp) and OpenAI-compatible endpoints.

`get_backend("local" | "local:PATH" | "openai:URL[#model]")` returns the process-wide
backend for a spec (`registry.py`); `LLMBackend` / `Completion` are the contract
(`base.py`); `agent.py` is the bounded tool-using loop and `prompt.py` the rendering
of values and messages that both backends share.
"""

from skc.runtime.llm.base import Completion, LLMBackend
from skc.runtime.llm.registry import get_backend

__all__ = ["Completion", "LLMBackend", "get_backend"]
