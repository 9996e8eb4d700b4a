"""The model worker: one process that loads a GGUF model with llama.cpp and serves it on
loopback with the OpenAI chat-completions protocol (the subset skc's client speaks).

    python -m skc.runtime.llm.worker --model PATH [--port 0] [--n-ctx 4096] [--idle-exit S]

Started and supervised by `supervisor.WorkerBackend` (spec `local`), so that a native crash
in llama.cpp (SIGILL, SIGSEGV, an OOM kill) kills this process, not the run. Once the
model is loaded it prints one JSON line `{"port": P, "pid": N, "model": ID}` on stdout;
llama.cpp's own logging goes to stderr, which the supervisor sends to a log file.

Endpoints:
  GET  /health, GET /v1/models
  POST /v1/chat/completions   messages, max_tokens, temperature, stop, tools,
                              response_format {"type": "json_schema", "json_schema": {"schema": S}}
                              or {"type": "json_object", "schema": S}
  POST /extras/tokenize/count {"input": text} -> {"count": n}  (no BOS counted)
  POST /extras/cancel         {"call": ID} -> {"cancelled": bool}: stops the completion whose
                              request carried `"skc_call": ID` at its next token (a failed run)

The worker renders the chat messages itself (`prompt.plain_prompt`, the instruction layout
that suits the small base models skc embeds), so no server-side chat-format flag exists to
get wrong. Output constraints are llama.cpp grammars, exactly as in process
(`local.LlamaCppBackend`): a JSON Schema becomes a grammar; the closed-choice schema that
`openai.choice_schema` sends is recognised and becomes a GBNF alternation (the answer is
wrapped back into `{"choice": ...}`); tools become the tool-call grammar and come back as
OpenAI `tool_calls`. Requests are served one at a time (a llama.cpp context is not
re-entrant). The worker exits when its parent dies, or after `--idle-exit` seconds
without a request.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from skc.runtime.llm.base import CancelledCall
from skc.runtime.llm.local import LlamaCppBackend
from skc.runtime.llm.openai import choice_schema


class BadRequest(ValueError):
    """A request the worker cannot serve (answered with HTTP 400)."""


def requested_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON Schema of `response_format`, in either of the two shapes clients send."""
    fmt = body.get("response_format")
    if not isinstance(fmt, dict):
        return None
    if fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, dict) else None
        return schema if isinstance(schema, dict) else {}
    if fmt.get("type") == "json_object":
        schema = fmt.get("schema")
        return schema if isinstance(schema, dict) else {}
    raise BadRequest(f"unsupported response_format type {fmt.get('type')!r}")


def schema_choices(schema: dict[str, Any] | None) -> list[str] | None:
    """The choices of an `openai.choice_schema(...)` schema; None for any other schema."""
    try:
        enum = schema["properties"]["choice"]["enum"]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    if isinstance(enum, list) and all(isinstance(c, str) for c in enum) and schema == choice_schema(enum):
        return list(enum)
    return None


def chat_completion(backend: LlamaCppBackend, body: dict[str, Any],
                    cancel: threading.Event | None = None) -> dict[str, Any]:
    """One `/v1/chat/completions` request answered by the in-process backend."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("messages must be a non-empty list")
    schema = requested_schema(body)
    choices = schema_choices(schema)
    tools = body.get("tools") or None
    stop = body.get("stop")
    reply = backend.complete(
        messages, max_tokens=int(body.get("max_tokens") or 256), temperature=float(body.get("temperature") or 0.0),
        json_schema=None if choices else schema, choices=choices, tools=tools,
        stop=[stop] if isinstance(stop, str) else list(stop or []), cancel=cancel)
    content: str | None = json.dumps({"choice": reply.text}) if choices else reply.text
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if reply.tool_calls:
        message["tool_calls"] = reply.tool_calls
        message["content"] = None
    return {"id": f"chatcmpl-{os.getpid()}-{time.monotonic_ns()}", "object": "chat.completion",
            "created": int(time.time()), "model": backend.model_id,
            "choices": [{"index": 0, "message": message,
                         "finish_reason": "tool_calls" if reply.tool_calls else "stop"}],
            "usage": {"prompt_tokens": reply.tokens_in, "completion_tokens": reply.tokens_out,
                      "total_tokens": reply.tokens_in + reply.tokens_out}}


class Worker:
    """The served model and the worker's liveness state."""

    def __init__(self, backend: LlamaCppBackend, idle_exit_s: float) -> None:
        self.backend = backend
        self.idle_exit_s = idle_exit_s
        self.last_request = time.monotonic()
        self.lock = threading.Lock()  # one request at a time: a llama.cpp context is not re-entrant
        self.cancel = threading.Event()  # set by /extras/cancel for the completion in progress
        self.call: str | None = None  # that completion's `skc_call` id

    def handle(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        self.last_request = time.monotonic()
        if method == "GET" and path == "/health":
            return {"status": "ok", "pid": os.getpid(), "model": self.backend.model_id}
        if method == "GET" and path in ("/v1/models", "/models"):
            return {"object": "list", "data": [{"id": self.backend.model_id, "object": "model"}]}
        if method == "POST" and path == "/extras/cancel":  # not behind the lock: it stops who holds it
            hit = self.call is not None and body.get("call") == self.call
            if hit:
                self.cancel.set()
            return {"cancelled": hit}
        with self.lock:
            try:
                if method == "POST" and path in ("/v1/chat/completions", "/chat/completions"):
                    self.cancel.clear()
                    self.call = str(body["skc_call"]) if body.get("skc_call") else None
                    try:
                        return chat_completion(self.backend, body, self.cancel)
                    finally:
                        self.call = None
                if method == "POST" and path == "/extras/tokenize/count":
                    return {"count": self.backend.count_tokens(str(body.get("input", "")))}
            finally:
                self.last_request = time.monotonic()
        raise LookupError(f"no endpoint {method} {path}")


def make_handler(worker: Worker) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # no access log
            pass

        def _answer(self, method: str) -> None:
            status, reply = 200, {}
            try:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else {}
                if not isinstance(body, dict):
                    raise BadRequest("the request body must be a JSON object")
                reply = worker.handle(method, self.path, body)
            except LookupError as e:
                status, reply = 404, {"error": {"message": str(e), "type": "not_found"}}
            except CancelledCall as e:  # 409: not retried by the client
                status, reply = 409, {"error": {"message": str(e), "type": "cancelled"}}
            except (BadRequest, ValueError, TypeError) as e:
                status, reply = 400, {"error": {"message": f"validation error: {e}", "type": "invalid_request"}}
            except Exception as e:  # a failure inside llama.cpp that did not kill the process
                status, reply = 500, {"error": {"message": f"{type(e).__name__}: {e}", "type": "server_error"}}
            data = json.dumps(reply).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

    return Handler


def _watch(server: ThreadingHTTPServer, worker: Worker, parent: int) -> None:
    """Stops the server when the parent process is gone or the worker has been idle too long."""
    while True:
        time.sleep(1.0)
        orphaned = parent > 0 and os.getppid() != parent
        idle = worker.idle_exit_s > 0 and time.monotonic() - worker.last_request > worker.idle_exit_s
        if (orphaned or idle) and not worker.lock.locked():
            server.shutdown()
            return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m skc.runtime.llm.worker", description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="GGUF file to serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port (printed when ready)")
    parser.add_argument("--n-ctx", type=int, default=4096)
    parser.add_argument("--idle-exit", type=float, default=0.0, help="exit after this many idle seconds (0: never)")
    parser.add_argument("--detached", action="store_true", help="keep running when the parent exits")
    args = parser.parse_args(argv)
    faulthandler.enable()  # a fatal signal leaves "Fatal Python error: Segmentation fault" in the log
    backend = LlamaCppBackend(model_path=args.model, n_ctx=args.n_ctx)
    backend.count_tokens("")  # loads the model now: start-up is paid before "ready"
    worker = Worker(backend, args.idle_exit)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(worker))
    server.daemon_threads = True
    parent = 0 if args.detached else os.getppid()
    threading.Thread(target=_watch, args=(server, worker, parent), daemon=True).start()
    print(json.dumps({"port": server.server_address[1], "pid": os.getpid(), "model": backend.model_id}), flush=True)
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
