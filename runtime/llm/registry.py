"""LLM backends by spec string, one instance per spec per process.

    local                      the embedded model ($SKC_MODEL_PATH overrides)
    local:/models/x.gguf       another GGUF file on llama.cpp
    openai                     $SKC_OPENAI_BASE_URL / $SKC_OPENAI_MODEL / $SKC_OPENAI_API_KEY
    openai:URL                 that endpoint, its first listed model (or $SKC_OPENAI_MODEL)
    openai:URL#model           that endpoint and model

The API key of `openai` specs is read from `$SKC_OPENAI_API_KEY`. `local` models run in a
supervised worker process (`supervisor.WorkerBackend`), so a native crash fails one op,
not the run. `$SKC_MODEL` is the spec used when none is given (default `local`).
`check_spec` validates a spec before a run starts (the CLI's `--model`).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from skc.runtime.llm.base import LLMBackend

_CACHE: dict[str, LLMBackend] = {}
_LOCK = threading.Lock()


class UnknownBackend(ValueError):
    """A spec that names no backend kind."""


def default_spec() -> str:
    return os.environ.get("SKC_MODEL") or "local"


FORMS = "local, local:PATH.gguf, openai or openai:URL[#model]"


def check_spec(spec: str) -> str | None:
    """Why `spec` cannot name a model (a message naming it), or None when it is well formed
    and what it points at exists (a local file; an http(s) URL)."""
    kind, sep, rest = spec.strip().partition(":")
    if kind == "local":
        if not sep:
            return None
        if not rest:
            return f"model spec {spec!r} names no file: use local:PATH.gguf"
        if not Path(rest).expanduser().is_file():
            return f"model spec {spec!r}: no file {rest}"
        return None
    if kind == "openai":
        url = rest.partition("#")[0]
        if sep and not url.startswith(("http://", "https://")):
            return f"model spec {spec!r}: the endpoint must be an http:// or https:// URL, e.g. openai:http://127.0.0.1:8000/v1#my-model"
        return None
    return f"unknown model spec {spec!r}: use {FORMS}"


def create_backend(spec: str) -> LLMBackend:
    """A new backend for `spec` (see the module docstring for the forms)."""
    kind, _, rest = spec.partition(":")
    problem = check_spec(spec)
    if problem is not None:
        raise UnknownBackend(problem)
    if kind == "local":
        from skc.runtime.llm.supervisor import WorkerBackend

        return WorkerBackend(model_path=str(Path(rest).expanduser()) if rest else None)
    from skc.runtime.llm.openai import OpenAICompatBackend

    url, _, model = rest.partition("#")
    return OpenAICompatBackend(base_url=url or None, model=model or None)


def get_backend(spec: str | None = None) -> LLMBackend:
    """The process-wide backend for `spec` (default: `$SKC_MODEL`, else `local`)."""
    spec = (spec or default_spec()).strip()
    with _LOCK:
        if spec not in _CACHE:
            _CACHE[spec] = create_backend(spec)
        return _CACHE[spec]
