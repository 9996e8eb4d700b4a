"""The `cpu.http` target: `tool.http` requests with urllib, in a worker thread.

Operands are substituted into `url` (URL-quoted, unless the whole URL is one
operand), `body` (JSON-string-escaped when the body is JSON) and header values.
A 5xx, 429 or a connection error fails the op as retryable; other 4xx fail it for
good. The response body is the op's output (capped like shell output); which
hosts may be reached is a permission (`WebFetch(domain:...)`, the binding's
`hosts`), checked by the scheduler before the request is made.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote

from skc.ir.core import Op
from skc.runtime.targets.base import ExecContext, OpFailed, OpResult, Target
from skc.runtime.targets.shell import DEFAULT_MAX_OUTPUT
from skc.runtime.values import substitute, to_text


def render_url(op: Op, args: list[Any]) -> str:
    template = str(op.attributes["url"]).strip()
    if template.startswith("{") and template.endswith("}") and template[1:-1].isdigit():
        return substitute(template, args)
    return substitute(template, args, quote=lambda v: quote(v, safe="/:@,"))


def render_body(op: Op, args: list[Any]) -> str | None:
    body = op.attributes.get("body")
    if not isinstance(body, str):
        return None
    if body.lstrip().startswith(("{", "[")):
        return substitute(body, args, quote=lambda v: json.dumps(v)[1:-1])
    return substitute(body, args)


class _Request:
    def __init__(self, url: str, method: str, body: str | None, headers: dict[str, str],
                 timeout: float, cap: int) -> None:
        self.url, self.method, self.body, self.headers = url, method, body, headers
        self.timeout, self.cap = timeout, cap

    def run(self) -> tuple[int, str]:
        data = self.body.encode("utf-8") if self.body is not None else None
        req = urllib.request.Request(self.url, data=data, method=self.method, headers=self.headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                payload = resp.read(self.cap + 1)
                status = resp.status
        except urllib.error.HTTPError as e:
            text = e.read(4000).decode("utf-8", errors="replace")
            retry = e.code >= 500 or e.code == 429
            raise OpFailed(f"{self.method} {self.url}: HTTP {e.code} {e.reason}", retryable=retry,
                           detail=text) from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise OpFailed(f"{self.method} {self.url}: {reason}", retryable=True) from None
        if len(payload) > self.cap:
            raise OpFailed(f"{self.method} {self.url}: response exceeded {self.cap} bytes", retryable=False)
        return status, payload.decode("utf-8", errors="replace")


class HttpTarget(Target):
    """Makes HTTP requests (urllib in a thread; the scheduler enforces the overall timeout)."""

    name = "cpu.http"
    ops = ("tool.http",)
    default_timeout_s = 30.0

    async def execute(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        a = op.attributes
        headers = {str(k): substitute(to_text(v), args) for k, v in (a.get("headers") or {}).items()}  # type: ignore[union-attr]
        body = render_body(op, args)
        if body is not None and body.lstrip().startswith(("{", "[")):
            headers.setdefault("Content-Type", "application/json")
        timeout = float(a.get("timeout_s") or self.default_timeout_s or 30.0)  # type: ignore[arg-type]
        req = _Request(render_url(op, args), str(a.get("method") or "GET"), body, headers, timeout,
                       int(ctx.options.get("max_output_bytes") or DEFAULT_MAX_OUTPUT))
        status, text = await asyncio.to_thread(req.run)
        return OpResult([text], meta={"http_status": status})
