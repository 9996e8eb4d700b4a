"""LLM backends: the embedded local model (llama.cpp) and OpenAI-compatible endpoints.

`get_backend("local" | "local:PATH" | "openai:URL[#model]")` returns the process-wide
backend for a spec (`registry.py`); `LLMBackend` / `Completion` are the contract
(`base.py`); `agent.py` is the bounded tool-using loop and `prompt.py` the rendering
of values and messages that both backends share. The local model runs in a supervised
worker process (`supervisor.py` starts it, `worker.py` is the process, `handle.py` tells
how it died and lets runs share one) over the OpenAI-compatible client (`openai.py`);
`local.py` is llama.cpp in the worker; `modelfile.py` prepares the GGUF file once.
"""

from skc.runtime.llm.base import Completion, LLMBackend
from skc.runtime.llm.registry import get_backend

__all__ = ["Completion", "LLMBackend", "get_backend"]
