"""Prompt rendering shared by the llm targets, the agent loop and the backends.

Two jobs: render operand values compactly into text under a character budget
(`render_value`, `render_inputs`), and render chat messages into the plain
instruction format that a *base* model continues well (`plain_prompt`). Gemma 3
270M is a base model: its chat template makes it echo the question, while the
`### Instruction:` / `### Response:` layout below makes it answer and stop.
"""

from __future__ import annotations

import json
from typing import Any

TRUNCATED = "…[{n} more chars]"
RESPONSE_TAG = "### Response:"
STOP = ["\n### ", "<end_of_turn>", "<eos>"]


def truncate(text: str, budget: int) -> str:
    """`text` cut to about `budget` characters, keeping the head and a short tail."""
    if budget <= 0 or len(text) <= budget:
        return text
    tail = min(budget // 4, 400)
    head = max(budget - tail - 24, 0)
    return text[:head] + TRUNCATED.format(n=len(text) - head - tail) + (text[-tail:] if tail else "")


def compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _is_table(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(r, dict) for r in value)


def render_table(rows: list[dict[str, Any]], budget: int) -> str:
    """Rows as a tab-separated table with one header line; rows past the budget are counted."""
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)

    def cell(v: Any) -> str:
        text = v if isinstance(v, str) else compact_json(v)
        return text.replace("\t", " ").replace("\n", " ")

    lines = ["\t".join(columns)]
    used = len(lines[0])
    for i, row in enumerate(rows):
        line = "\t".join(cell(row.get(c, "")) for c in columns)
        if budget > 0 and used + len(line) + 1 > budget and i > 0:
            lines.append(f"…({len(rows) - i} more rows)")
            break
        lines.append(line)
        used += len(line) + 1
    return truncate("\n".join(lines), budget + 32 if budget > 0 else 0)


def render_value(value: Any, budget: int = 4000) -> str:
    """One runtime value as compact text: text as is, tables as TSV, the rest as compact JSON."""
    if isinstance(value, str):
        return truncate(value, budget)
    if _is_table(value):
        return render_table(value, budget)
    if isinstance(value, bool):
        return "true" if value else "false"
    return truncate(compact_json(value), budget)


def render_inputs(values: list[Any], budget: int = 4000) -> str:
    """Operand values as labelled blocks sharing one character budget (empty when none)."""
    if not values:
        return ""
    share = max(budget // len(values), 64)
    if len(values) == 1:
        return "Input:\n" + render_value(values[0], share)
    return "\n\n".join(f"Input {i + 1}:\n{render_value(v, share)}" for i, v in enumerate(values))


def message_text(message: dict[str, Any]) -> str:
    """A message's content as text (OpenAI content parts are joined)."""
    content = message.get("content") or ""
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return str(content)


def plain_prompt(messages: list[dict[str, Any]], preamble: str = "") -> str:
    """Chat messages in the instruction layout a base model continues; ends with `### Response:`.

    system -> leading text; user -> `### Instruction:`; assistant -> `### Response:`;
    assistant tool calls and tool results -> `### Tool calls:` / `### Tool result (name):`.
    """
    parts: list[str] = []
    system = "\n\n".join(message_text(m) for m in messages if m.get("role") == "system")
    if system or preamble:
        parts.append("\n\n".join(p for p in (system, preamble) if p))
    tool_names = {c.get("id"): c["function"]["name"] for m in messages
                  for c in m.get("tool_calls") or [] if isinstance(c, dict) and "function" in c}
    for m in messages:
        role = m.get("role")
        if role == "user":
            parts.append(f"### Instruction:\n{message_text(m)}")
        elif role == "assistant":
            if m.get("tool_calls"):
                calls = [{"name": c["function"]["name"],
                          "arguments": json.loads(c["function"].get("arguments") or "{}")}
                         for c in m["tool_calls"]]
                parts.append(f"{RESPONSE_TAG}\n{compact_json({'calls': calls})}")
            else:
                parts.append(f"{RESPONSE_TAG}\n{message_text(m)}")
        elif role == "tool":
            name = m.get("name") or tool_names.get(m.get("tool_call_id"), "tool")
            parts.append(f"### Tool result ({name}):\n{message_text(m)}")
    parts.append(RESPONSE_TAG + "\n")
    return "\n\n".join(parts)
