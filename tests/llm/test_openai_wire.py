"""The OpenAI-compatible client's requests and its reading of replies, against a loopback
HTTP server that records what it receives and answers like the servers skc meets do."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from skc.runtime.llm.openai import BackendError, OpenAICompatBackend
from skc.runtime.llm.registry import create_backend


class Endpoint:
    """A fake endpoint: `answers` maps a path to a list of (status, body) replies, used in turn."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, Any], dict[str, str]]] = []
        self.answers: dict[str, list[tuple[int, Any]]] = {}
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                endpoint.requests.append((self.path, body, dict(self.headers)))
                queue = endpoint.answers.get(self.path) or [(404, {"error": "no route"})]
                status, payload = queue.pop(0) if len(queue) > 1 else queue[0]
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _reply

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    e = Endpoint()
    yield e
    e.server.shutdown()


def chat(content: str | None, tool_calls: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {"choices": [{"message": message}], "usage": {"prompt_tokens": 11, "completion_tokens": 3}}


def test_plain_completion_uses_the_listed_model_and_the_key(endpoint: Endpoint) -> None:
    endpoint.answers["/v1/models"] = [(200, {"data": [{"id": "tiny"}]})]
    endpoint.answers["/v1/chat/completions"] = [(200, chat("hello"))]
    backend = OpenAICompatBackend(endpoint.url, api_key="sk-test")
    out = backend.complete([{"role": "user", "content": "hi"}], max_tokens=5, stop=["\n"])
    assert (out.text, out.tokens_in, out.tokens_out) == ("hello", 11, 3)
    path, body, headers = endpoint.requests[-1]
    assert path == "/v1/chat/completions"
    assert body == {"model": "tiny", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 5,
                    "temperature": 0.0, "stop": ["\n"]}
    assert headers["Authorization"] == "Bearer sk-test"


def test_structured_output_falls_back_to_json_object_once(endpoint: Endpoint) -> None:
    endpoint.answers["/v1/chat/completions"] = [
        (422, {"detail": "response_format.type: Input should be 'text' or 'json_object'"}),
        (200, chat('{"choice": "down"}')), (200, chat('{"n": 1}'))]
    backend = OpenAICompatBackend(endpoint.url, model="m")
    out = backend.complete([{"role": "user", "content": "?"}], choices=["up", "down"])
    assert out.text == "down"
    first, second = endpoint.requests[0][1], endpoint.requests[1][1]
    assert first["response_format"]["type"] == "json_schema"
    assert first["response_format"]["json_schema"]["schema"]["properties"]["choice"]["enum"] == ["up", "down"]
    assert second["response_format"] == {"type": "json_object", "schema": first["response_format"]["json_schema"]["schema"]}
    backend.complete([{"role": "user", "content": "?"}], json_schema={"type": "object"})
    assert endpoint.requests[-1][1]["response_format"] == {"type": "json_object", "schema": {"type": "object"}}
    assert len(endpoint.requests) == 3  # the mode is remembered: no second failed try


def test_tools_are_native(endpoint: Endpoint) -> None:
    call = {"id": "x1", "type": "function", "function": {"name": "Read", "arguments": '{"path": "a"}'}}
    endpoint.answers["/v1/chat/completions"] = [(200, chat(None, [call]))]
    tools = [{"type": "function", "function": {"name": "Read", "parameters": {"type": "object"}}}]
    out = OpenAICompatBackend(endpoint.url, model="m").complete([{"role": "user", "content": "go"}], tools=tools)
    assert out.tool_calls == [call]
    assert out.text == ""
    body = endpoint.requests[-1][1]
    assert body["tools"] == tools
    assert body["tool_choice"] == "auto"
    assert "response_format" not in body


def test_errors_retry_only_when_worth_it(endpoint: Endpoint) -> None:
    endpoint.answers["/v1/chat/completions"] = [(503, {"error": "busy"}), (200, chat("ok"))]
    backend = OpenAICompatBackend(endpoint.url, model="m", retries=2)
    assert backend.complete([{"role": "user", "content": "x"}]).text == "ok"
    endpoint.answers["/v1/chat/completions"] = [(401, {"error": "bad key"})]
    with pytest.raises(BackendError) as e:
        backend.complete([{"role": "user", "content": "x"}])
    assert (e.value.status, e.value.retryable) == (401, False)


def test_token_counts_use_the_server_tokenizer_or_say_they_estimate(endpoint: Endpoint) -> None:
    endpoint.answers["/extras/tokenize/count"] = [(200, {"count": 4}), (200, {"count": 1})]
    backend = OpenAICompatBackend(endpoint.url, model="m")
    assert backend.count_tokens("hello world") == 3  # minus the BOS token the server counts
    assert backend.exact_tokens
    bare = OpenAICompatBackend("http://127.0.0.1:9/v1", model="m", timeout_s=0.5)
    assert bare.count_tokens("x" * 40) == 10
    assert bare.exact_tokens is False


def test_registry_specs(endpoint: Endpoint) -> None:
    backend = create_backend(f"openai:{endpoint.url}#qwen")
    assert isinstance(backend, OpenAICompatBackend)
    assert (backend.base_url, backend.model) == (endpoint.url, "qwen")
    with pytest.raises(ValueError, match="unknown model spec"):
        create_backend("anthropic:x")
