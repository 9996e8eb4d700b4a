"""OpenAI-compatible endpoints (vLLM, llama.cpp server, llama-cpp-python's server, Ollama,
hosted APIs) over plain `urllib`; no SDK dependency.

Configuration: `base_url` (e.g. `http://127.0.0.1:8000/v1`), `model` and `api_key`,
from arguments or `$SKC_OPENAI_BASE_URL`, `$SKC_OPENAI_MODEL`, `$SKC_OPENAI_API_KEY`.
Without a model name the first entry of `GET /models` is used.

Structured output uses `response_format`: OpenAI's `{"type": "json_schema", ...}`
first; servers that only know `{"type": "json_object", "schema": ...}` (llama-cpp-python,
Anyscale) answer 400/422 and are retried once in that form, which is then remembered.
Closed choices are a JSON Schema `enum` (wrapped in `{"choice": ...}` because strict
structured-output modes want an object at the root). Tools are sent natively.

Token counts come from the response's `usage`; `count_tokens` asks the server's
tokenizer (`/extras/tokenize/count` of llama-cpp-python, `/tokenize` of llama.cpp) and
falls back to an estimate of 4 characters per token, flagged by `exact_tokens = False`.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from skc.runtime.llm.base import Completion, LLMBackend


class BackendError(RuntimeError):
    """An endpoint failed; `retryable` for timeouts, 429 and 5xx."""

    def __init__(self, message: str, *, retryable: bool, status: int = 0) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status


def _rejected(detail: str) -> bool:
    """A 5xx that is really a request validation error (llama-cpp-python reports those as 500)."""
    return "validation error" in detail.lower() or "literal_error" in detail


def choice_schema(choices: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": {"choice": {"type": "string", "enum": list(choices)}},
            "required": ["choice"], "additionalProperties": False}


class OpenAICompatBackend(LLMBackend):
    """Chat completions on any OpenAI-compatible endpoint."""

    name = "openai"

    def __init__(self, base_url: str | None = None, model: str | None = None,
                 api_key: str | None = None, *, timeout_s: float = 120.0, retries: int = 2) -> None:
        url = base_url or os.environ.get("SKC_OPENAI_BASE_URL") or "https://api.openai.com/v1"
        self.base_url = url.rstrip("/")
        self._model = model or os.environ.get("SKC_OPENAI_MODEL") or None
        self.api_key = api_key if api_key is not None else os.environ.get("SKC_OPENAI_API_KEY", "")
        self.timeout_s = timeout_s
        self.retries = retries
        self.structured_mode = "json_schema"
        self.exact_tokens = True
        self._tokenize: str | None = None
        self._bos: int | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ HTTP

    def _request(self, method: str, url: str, body: dict[str, Any] | None = None,
                 retries: int | None = None) -> Any:
        retries = self.retries if retries is None else retries
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        data = json.dumps(body).encode("utf-8") if body is not None else None
        for attempt in range(retries + 1):
            request = urllib.request.Request(url, data=data, headers=headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    return json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as e:
                detail = e.read().decode("utf-8", "replace")[:500]
                retryable = e.code == 429 or (e.code >= 500 and not _rejected(detail))
                if not retryable or attempt == retries:
                    raise BackendError(f"{method} {url}: HTTP {e.code}: {detail}",
                                       retryable=retryable, status=e.code) from e
            except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
                if attempt == retries:
                    raise BackendError(f"{method} {url}: {e}", retryable=True) from e
            time.sleep(0.5 * 2**attempt)
        raise AssertionError("unreachable")

    @property
    def model(self) -> str:
        """The configured model, else the first one the endpoint lists."""
        if self._model is None:
            listing = self._request("GET", f"{self.base_url}/models")
            models = listing.get("data") or []
            if not models:
                raise BackendError(f"{self.base_url}/models lists no model; set SKC_OPENAI_MODEL",
                                   retryable=False)
            self._model = str(models[0]["id"])
        return self._model

    @property
    def model_id(self) -> str:
        return self.model

    # ------------------------------------------------------------------ completions

    def _response_format(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self.structured_mode == "json_schema":
            return {"type": "json_schema", "json_schema": {"name": "output", "schema": schema}}
        return {"type": "json_object", "schema": schema}

    def _chat(self, body: dict[str, Any], schema: dict[str, Any] | None) -> Any:
        url = f"{self.base_url}/chat/completions"
        if schema is None:
            return self._request("POST", url, body)
        try:
            return self._request("POST", url, {**body, "response_format": self._response_format(schema)})
        except BackendError as e:
            if self.structured_mode != "json_schema" or not (e.status in (400, 422) or _rejected(str(e))):
                raise
            self.structured_mode = "json_object"
            return self._request("POST", url, {**body, "response_format": self._response_format(schema)})

    def complete(self, messages: list[dict[str, Any]], *, max_tokens: int = 256,
                 temperature: float = 0.0, json_schema: dict[str, Any] | None = None,
                 choices: list[str] | None = None, tools: list[dict[str, Any]] | None = None,
                 stop: list[str] | None = None, extra: dict[str, Any] | None = None) -> Completion:
        body: dict[str, Any] = {"model": self.model, "messages": messages, "max_tokens": max_tokens,
                                "temperature": temperature, **(extra or {})}  # extra: server-specific fields
        if stop:
            body["stop"] = stop[:4]
        if tools:
            body["tools"] = tools
            body["tool_choice"] = "auto"
        schema = choice_schema(choices) if choices else json_schema
        start = time.perf_counter()
        reply = self._chat(body, None if tools else schema)
        latency = time.perf_counter() - start
        message = (reply.get("choices") or [{}])[0].get("message") or {}
        text = message.get("content") or ""
        if choices:
            try:
                text = json.loads(text)["choice"]
            except (ValueError, KeyError, TypeError):
                text = text.strip()
        usage = reply.get("usage") or {}
        tokens_in = usage.get("prompt_tokens")
        tokens_out = usage.get("completion_tokens")
        if tokens_in is None:
            tokens_in = sum(self.count_tokens(json.dumps(m.get("content") or "")) for m in messages)
        if tokens_out is None:
            tokens_out = self.count_tokens(text)
        calls = [c for c in message.get("tool_calls") or [] if isinstance(c, dict) and c.get("function")]
        return Completion(text=text, tokens_in=int(tokens_in), tokens_out=int(tokens_out),
                          latency_s=latency, tool_calls=calls)

    # ------------------------------------------------------------------ tokens

    def count_tokens(self, text: str) -> int:
        root = self.base_url[:-3] if self.base_url.endswith("/v1") else self.base_url
        methods = {"llama-cpp-python": (f"{root}/extras/tokenize/count", {"input": text}),
                   "llama.cpp": (f"{root}/tokenize", {"content": text})}
        with self._lock:
            known = self._tokenize
        for name, (url, body) in methods.items():
            if known not in (None, name):
                continue
            try:
                reply = self._request("POST", url, body, retries=0)
            except BackendError:
                continue
            count = reply.get("count") if "count" in reply else len(reply.get("tokens") or [])
            with self._lock:
                self._tokenize = name
            if name == "llama-cpp-python":  # it counts the BOS token too
                if self._bos is None:
                    empty = self._request("POST", url, {"input": ""}, retries=0)
                    self._bos = int(empty.get("count") or 0)
                count -= self._bos
            return int(count)
        with self._lock:
            self._tokenize = "estimate"
            self.exact_tokens = False
        return math.ceil(len(text) / 4)
