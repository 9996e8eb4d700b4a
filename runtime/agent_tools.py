"""The runtime's tool runner for `llm.agent` loops (`ctx.options["agent_tools"]`).

`skc.runtime.llm.agent` calls `runner(tool, arguments, ctx, allowed)` for every tool
call the model makes. Each call is checked twice before anything runs: against the
op's own entries for that tool (`allowed`, e.g. `("Bash(git:*)",)`) and against the
run's permission policy (the skill's allowed-tools, `--allow`, the runbook default).
A refusal raises PermissionError, whose message goes back to the model.

    Bash(command)              bash -c in the sanitized environment, in the working directory,
                               its process group killed after `timeout_s`; exit status, stdout, stderr
    Read(path)                 a text file inside the working directory (64 KiB at most)
    Write(path, content)       replace a file inside the working directory
    Edit(path, old, new)       replace one occurrence of `old`
    Grep(pattern, path)        matching lines (file:line: text) under a file or folder
    Glob(pattern) / LS(path)   file names

Paths may not leave the working directory.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skc.runtime.permission_requests import Request, Rule, parse_rules, shell_request
from skc.runtime.permissions import Denial, Policy, rule_matches
from skc.runtime.targets.shell import run_process

_ALIASES = {"shell": "bash", "exec": "bash", "run_command": "bash", "read_file": "read", "file.read": "read",
            "write_file": "write", "file.write": "write", "list_dir": "ls"}
_TOOL = {"bash": "Bash", "read": "Read", "write": "Write", "edit": "Edit", "grep": "Grep", "glob": "Glob",
         "ls": "LS"}
MAX_READ = 65536


def _canonical(tool: str) -> str:
    name = tool.lower()
    return _ALIASES.get(name, name)


@dataclass
class AgentTools:
    """Checks and runs the tool calls of agent loops for one run (picklable: it travels to Ray workers)."""

    policy: Policy
    timeout_s: float = 60.0
    max_output: int = 16000

    def requests(self, kind: str, arguments: dict[str, Any]) -> list[Request]:
        if kind == "bash":
            return [shell_request(str(arguments.get("command", "")))]
        subject = str(arguments.get("path") or arguments.get("pattern") or ".")
        return [Request(_TOOL.get(kind, kind), subject=subject, writes=kind in ("write", "edit"))]

    def check(self, tool: str, arguments: dict[str, Any], allowed: tuple[str, ...]) -> None:
        """Raises PermissionError unless both the step's entries and the run's policy allow the call."""
        own = parse_rules(allowed)
        for req in self.requests(_canonical(tool), arguments):
            if own and not any(r.spec is None or rule_matches(Rule(req.tool, r.spec), req) for r in own):
                raise PermissionError(f"{req} is not allowed by this step's tools [{', '.join(allowed)}]")
            verdict = self.policy.check(req)
            if verdict is not None:
                raise PermissionError(verdict.message if isinstance(verdict, Denial) else f"{req} is not allowed")

    async def __call__(self, tool: str, arguments: dict[str, Any], ctx: Any, allowed: tuple[str, ...]) -> str:
        self.check(tool, arguments, allowed)
        kind = _canonical(tool)
        root = Path(ctx.workdir).resolve()
        if kind == "bash":
            return await self._bash(str(arguments.get("command", "")), ctx, root)
        path = self._inside(root, str(arguments.get("path") or "."))
        if kind == "read":
            with path.open("rb") as f:
                return f.read(MAX_READ).decode("utf-8", "replace")
        if kind == "write":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(str(arguments.get("content", "")), encoding="utf-8")
            return f"wrote {path.relative_to(root)}"
        if kind == "edit":
            text = path.read_text(encoding="utf-8")
            old = str(arguments.get("old", ""))
            if not old or old not in text:
                raise ValueError(f"{path.relative_to(root)} does not contain the text to replace")
            path.write_text(text.replace(old, str(arguments.get("new", "")), 1), encoding="utf-8")
            return f"edited {path.relative_to(root)}"
        if kind == "grep":
            return self._grep(root, path, str(arguments.get("pattern", "")))
        if kind == "glob":
            found = sorted(str(p.relative_to(root)) for p in root.glob(str(arguments.get("pattern", "*")))
                           if p.resolve().is_relative_to(root))
            return "\n".join(found[:500]) or "(no files)"
        if kind == "ls":
            return "\n".join(sorted(p.name + ("/" if p.is_dir() else "") for p in path.iterdir())[:500])
        raise PermissionError(f"tool {tool} is not available")

    @staticmethod
    def _inside(root: Path, rel: str) -> Path:
        path = (root / rel).resolve()
        if not path.is_relative_to(root):
            raise PermissionError(f"{rel} is outside the working directory")
        return path

    async def _bash(self, command: str, ctx: Any, root: Path) -> str:
        try:
            status, out, err = await asyncio.wait_for(
                run_process(["bash", "-c", command], env=dict(ctx.env), cwd=str(root)), self.timeout_s)
        except TimeoutError:
            return f"timed out after {self.timeout_s:g}s"
        half = self.max_output // 2
        return (f"exit status {status}\nstdout:\n{out.decode('utf-8', 'replace')[-half:]}"
                f"\nstderr:\n{err.decode('utf-8', 'replace')[-half:]}")

    def _grep(self, root: Path, path: Path, pattern: str) -> str:
        rx = re.compile(pattern)
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        hits: list[str] = []
        for f in files[:2000]:
            try:
                lines = f.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            hits += [f"{f.relative_to(root)}:{i}: {line[:200]}" for i, line in enumerate(lines, 1) if rx.search(line)]
            if len(hits) >= 200:
                break
        return "\n".join(hits[:200]) or "(no matches)"
