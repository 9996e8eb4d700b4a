"""`read_reference(name)`: the agent tool that reads one of a skill's reference files on demand.

An `llm.agent` op compiled from a skill carries `references` (the names of the
skill's reference files, relative to its folder) and `reference_root` (the folder);
its system prompt lists the names, not the contents (`compiler/frontend/skill/context.py`).
The LLM target then offers the model one more tool, `read_reference`, whose only
argument is one of those names (an enum in the tool's schema), and answers it here:
the file's text (at most `MAX_CHARS`), never a file outside the list, never one that
has become a link out of the folder. Every other tool call goes to the run's own
runner unchanged, so `allowed-tools` is enforced as before; the calls are trace
events and journal entries like any tool call.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from skc.runtime.llm.agent import AgentTools, read_only_tools

TOOL = "read_reference"
MAX_CHARS = 12000


def reference_spec(names: list[str]) -> dict[str, Any]:
    """The OpenAI tool spec of `read_reference` over `names`."""
    return {"type": "function", "function": {
        "name": TOOL,
        "description": "Read one of the skill's reference files (listed in the system prompt) by its name.",
        "parameters": {"type": "object", "properties": {"name": {"type": "string", "enum": list(names)}},
                       "required": ["name"]}}}


def read_reference(root: str, names: list[str], name: str) -> str:
    """The text of reference `name` under `root`; PermissionError for a name not in `names`."""
    if name not in names:
        raise PermissionError(f"{name!r} is not one of the skill's reference files: {', '.join(names)}")
    base = Path(root).resolve()
    path = (base / name).resolve()
    if not path.is_relative_to(base):
        raise PermissionError(f"{name} resolves outside the skill folder")
    try:
        with path.open("rb") as f:
            data = f.read(MAX_CHARS * 4)
    except OSError as e:
        raise FileNotFoundError(f"cannot read reference {name}: {e.strerror or e}") from None
    text = data.decode("utf-8", errors="replace")
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS] + f"\n[... {name} continues; first {MAX_CHARS} chars]"


def with_references(runner: AgentTools | None, root: str, names: list[str]) -> AgentTools:
    """`runner` (the run's tool runner, or the read-only default) plus `read_reference`."""
    inner = runner or read_only_tools

    async def run(tool: str, arguments: dict[str, Any], ctx: Any, allowed: tuple[str, ...]) -> str:
        if tool == TOOL:
            return read_reference(root, names, str(arguments.get("name", "")))
        result = inner(tool, arguments, ctx, allowed)
        if inspect.isawaitable(result):
            result = await result
        return str(result)

    return run
