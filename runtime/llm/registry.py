"""LLM backends by spec string, one instance per spec per process.

    local                      the embedded model ($SKC_MODEL_PATH overrides)
    local:/models/x.gguf       another GGUF file on llama.cpp
    openai                     $SKC_OPENAI_BASE_URL / $SKC_OPENAI_MODEL / $SKC_OPENAI_API_KEY
    openai:URL                 that endpoint, its first listed model (or $SKC_OPENAI_MODEL)
    openai:URL#model           that endpoint and model

`$SKC_MODEL` is the spec used when none is given (default `local`).
"""

from __future__ import annotations

import os
import threading

from skc.runtime.llm.base import LLMBackend

_CACHE: dict[str, LLMBackend] = {}
_LOCK = threading.Lock()


class UnknownBackend(ValueError):
    """A spec that names no backend kind."""


def default_spec() -> str:
    return os.environ.get("SKC_MODEL") or "local"


def create_backend(spec: str) -> LLMBackend:
    """A new backend for `spec` (see the module docstring for the forms)."""
    kind, _, rest = spec.partition(":")
    if kind == "local":
        from skc.runtime.llm.local import LlamaCppBackend

        return LlamaCppBackend(model_path=rest or None)
    if kind == "openai":
        from skc.runtime.llm.openai import OpenAICompatBackend

        url, _, model = rest.partition("#")
        return OpenAICompatBackend(base_url=url or None, model=model or None)
    raise UnknownBackend(f"unknown model spec {spec!r}: use local, local:PATH, openai or openai:URL[#model]")


def get_backend(spec: str | None = None) -> LLMBackend:
    """The process-wide backend for `spec` (default: `$SKC_MODEL`, else `local`)."""
    spec = (spec or default_spec()).strip()
    with _LOCK:
        if spec not in _CACHE:
            _CACHE[spec] = create_backend(spec)
        return _CACHE[spec]
