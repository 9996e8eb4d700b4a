"""Probes of tool use: tool.file.{read,write}, tool.exec, tool.call.{format,batch}, tool.web,
tool.browser.

File and exec probes run skc's own agent loop (`skc.runtime.llm.agent`) against a
scratch directory through `SandboxTools` (read_file, write_file, list_dir,
run_command confined to that directory), so the profile measures the model with
the harness skc uses. Call-format and batch probes grade the first turn's tool
calls without running them. tool.web and tool.browser need network access and a
browser harness, which the probe runner does not have: they are not measured.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from random import Random
from typing import Any

from skc.stdlib.probes.base import (
    AgentGrade,
    Grade,
    Instance,
    Probe,
    ToolCalls,
    answer_number,
    call,
    expect,
    run_program,
    short,
)

CODES = ["PLUM", "KIWI", "LIME", "FIG", "YAM", "OKRA"]


class SandboxTools:
    """Agent tools confined to one directory (the probes' harness; not the runtime's)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, rel: str) -> Path:
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.root):
            raise PermissionError(f"{rel} is outside the sandbox")
        return path

    def __call__(self, tool: str, arguments: dict[str, Any], ctx: Any, allowed: tuple[str, ...]) -> str:
        if tool == "read_file":
            return self._path(arguments["path"]).read_text(encoding="utf-8")[:8000]
        if tool == "write_file":
            path = self._path(arguments["path"])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(arguments["content"], encoding="utf-8")
            return f"wrote {len(arguments['content'])} characters to {arguments['path']}"
        if tool == "list_dir":
            path = self._path(arguments.get("path") or ".")
            return "\n".join(sorted(p.name + ("/" if p.is_dir() else "") for p in path.iterdir()))
        if tool == "run_command":
            code, out, err = run_program(["bash", "-c", arguments["command"]], self.root)
            return f"exit {code}\n{out[:4000]}{err[:2000]}"
        raise PermissionError(f"unknown tool {tool}")


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return "done"


def _code(rng: Random) -> str:
    return f"{rng.choice(CODES)}-{rng.randint(10, 99)}"


def _contains(expected: str) -> AgentGrade:
    def grade(answer: str, root: Path) -> Grade:
        return expect(expected.lower() in answer.lower(), f"answer {short(answer, 100)!r} lacks {expected!r}")

    return grade


def _number(expected: int) -> AgentGrade:
    def grade(answer: str, root: Path) -> Grade:
        got = answer_number(answer)
        return expect(got == expected, f"answer {short(answer, 100)!r} expected {expected}")

    return grade


def file_read_probe(level: int, rng: Random) -> Instance:
    if level == 1:
        code = _code(rng)
        return Instance("Read the file notes.txt and reply with the code it contains.", sandbox={
            "notes.txt": f"Reminder for the team.\nThe code is {code}.\n"}, agent_tools=["read_file"],
            grade_agent=_contains(code), max_turns=3, reference=lambda root: f"The code is {code}.")
    if level == 2:
        a, b = rng.randint(10, 500), rng.randint(10, 500)
        return Instance("The files a.txt and b.txt each contain one number. Read both and reply with their sum.",
                        sandbox={"a.txt": f"{a}\n", "b.txt": f"{b}\n"}, agent_tools=["read_file"],
                        grade_agent=_number(a + b), max_turns=4, reference=lambda root: str(
                            sum(int((root / f).read_text()) for f in ("a.txt", "b.txt"))))
    owner = rng.choice(["Mirela", "Tobias", "Yusuf", "Ingrid"])
    names = rng.sample(["x1.txt", "q7.txt", "m3.txt", "z9.txt"], 4)
    files = {f"data/{n}": f"note {i}: nothing here\n" for i, n in enumerate(names)}
    files[f"data/{names[rng.randrange(4)]}"] = f"owner: {owner}\n"
    return Instance("One file in the directory data names its owner. Find it and reply with the owner's name.",
                    sandbox=files, agent_tools=["list_dir", "read_file"], grade_agent=_contains(owner), max_turns=7,
                    reference=lambda root: next(p.read_text().split(": ")[1].strip()
                                                for p in (root / "data").iterdir() if "owner" in p.read_text()))


def _file_equals(name: str, expected: str) -> AgentGrade:
    def grade(answer: str, root: Path) -> Grade:
        path = root / name
        got = path.read_text(encoding="utf-8").strip() if path.is_file() else None
        return expect(got == expected, f"{name} holds {short(repr(got), 100)} expected {expected!r}")

    return grade


def file_write_probe(level: int, rng: Random) -> Instance:
    if level == 1:
        text = f"{rng.choice(['hello', 'ready', 'done'])} {_code(rng)}"
        return Instance(f"Write the text \"{text}\" to the file out.txt.", agent_tools=["write_file"],
                        grade_agent=_file_equals("out.txt", text), max_turns=3,
                        reference=lambda root: _write(root / "out.txt", text))
    if level == 2:
        text = " ".join(rng.sample(["red fox", "blue sky", "old oak", "warm tea", "cold rain"], 2))
        return Instance("Read input.txt and write its contents converted to uppercase to output.txt.",
                        sandbox={"input.txt": text + "\n"}, agent_tools=["read_file", "write_file"],
                        grade_agent=_file_equals("output.txt", text.upper()), max_turns=4,
                        reference=lambda root: _write(root / "output.txt", (root / "input.txt").read_text().upper()))
    nums = [rng.randint(1, 99) for _ in range(5)]

    def grade(answer: str, root: Path) -> Grade:
        path = root / "stats.json"
        try:
            got = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            return False, f"stats.json: {e}"
        return expect(got == {"sum": sum(nums), "max": max(nums)}, f"stats.json holds {short(repr(got))}")

    return Instance("numbers.txt has one integer per line. Write a JSON object with the keys sum and max (the sum "
                    "and the largest of the numbers) to stats.json.", sandbox={"numbers.txt": "\n".join(map(str, nums))},
                    agent_tools=["read_file", "write_file"], grade_agent=grade, max_turns=4,
                    reference=lambda root: _write(root / "stats.json", json.dumps({"sum": sum(nums), "max": max(nums)})))


def exec_probe(level: int, rng: Random) -> Instance:
    if level == 1:
        code = _code(rng)
        return Instance("Run the command `sh tool.sh` and reply with what it prints.",
                        sandbox={"tool.sh": f"echo {code}\n"}, agent_tools=["run_command"],
                        grade_agent=_contains(code), max_turns=3,
                        reference=lambda root: run_program(["sh", "tool.sh"], root)[1])
    if level == 2:
        n = rng.randint(4, 30)
        return Instance("Use a shell command to count the lines of data.txt and reply with the number.",
                        sandbox={"data.txt": "".join(f"row {i}\n" for i in range(n))}, agent_tools=["run_command"],
                        grade_agent=_number(n), max_turns=3,
                        reference=lambda root: run_program(["bash", "-c", "wc -l < data.txt"], root)[1])
    n, k = rng.randint(3, 40), rng.randint(2, 9)
    return Instance("Run `python3 calc.py N`, where N is the number stored in input.txt, and reply with its output.",
                    sandbox={"input.txt": f"{n}\n", "calc.py": f"import sys\nprint(int(sys.argv[1]) * {k} + 1)\n"},
                    agent_tools=["run_command"], grade_agent=_number(n * k + 1), max_turns=5,
                    reference=lambda root: run_program(["bash", "-c", "python3 calc.py $(cat input.txt)"], root)[1])


def _fn(name: str, description: str, properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, "description": description, "parameters": {
        "type": "object", "properties": properties, "required": required or list(properties)}}}


def _calls_grade(expected: list[tuple[str, dict[str, Any]]]) -> Callable[[ToolCalls], Grade]:
    """The first turn's calls must be exactly `expected` (in any order)."""
    want = sorted(json.dumps([n, a], sort_keys=True) for n, a in expected)

    def grade(calls: ToolCalls) -> Grade:
        got = []
        for c in calls:
            try:
                got.append(json.dumps([c["function"]["name"], json.loads(c["function"]["arguments"] or "{}")],
                                      sort_keys=True))
            except (KeyError, TypeError, ValueError):
                return False, f"malformed call {short(repr(c))}"
        return expect(sorted(got) == want, f"calls {short(repr(got), 200)} expected {short(repr(want), 200)}")

    return grade


def call_format_probe(level: int, rng: Random) -> Instance:
    if level == 1:
        status = rng.choice(["maintenance", "online", "degraded"])
        tool = _fn("set_status", "Set the service status.", {"status": {"type": "string"}})
        return Instance(f"Set the service status to \"{status}\".", tools=[tool],
                        grade_calls=_calls_grade([("set_status", {"status": status})]),
                        reference=[call("set_status", {"status": status})])
    if level == 2:
        title, prio, team = rng.choice(["Disk full", "Login broken", "Slow API"]), rng.randint(1, 5), rng.choice("abc")
        urgent = rng.choice([True, False])
        tool = _fn("create_ticket", "Open a ticket.", {"title": {"type": "string"}, "priority": {"type": "integer"},
                                                        "urgent": {"type": "boolean"},
                                                        "team": {"type": "string", "enum": ["a", "b", "c"]}})
        args = {"title": title, "priority": prio, "urgent": urgent, "team": team}
        return Instance(f"Open a ticket titled \"{title}\" with priority {prio} for team {team}; it is "
                        f"{'urgent' if urgent else 'not urgent'}.", tools=[tool],
                        grade_calls=_calls_grade([("create_ticket", args)]), reference=[call("create_ticket", args)])
    people = rng.sample([("Ana", "ana@ex.org"), ("Ben", "ben@ex.org"), ("Caro", "caro@ex.org")], 2)
    day, hour, minutes = rng.randint(10, 28), rng.randint(9, 16), rng.choice([15, 30, 45, 60])
    tool = _fn("schedule_meeting", "Schedule a meeting.", {
        "title": {"type": "string"},
        "attendees": {"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "email": {"type": "string"}}, "required": ["name", "email"]}},
        "start": {"type": "string", "description": "YYYY-MM-DDTHH:MM"},
        "duration_minutes": {"type": "integer"}})
    args = {"title": "Review", "attendees": [{"name": n, "email": e} for n, e in people],
            "start": f"2025-03-{day}T{hour:02d}:00", "duration_minutes": minutes}
    return Instance(f"Schedule a {minutes}-minute meeting titled \"Review\" on 2025-03-{day} at {hour:02d}:00 with "
                    + " and ".join(f"{n} ({e})" for n, e in people) + ".", tools=[tool],
                    grade_calls=_calls_grade([("schedule_meeting", args)]), max_tokens=200,
                    reference=[call("schedule_meeting", args)])


def call_batch_probe(level: int, rng: Random) -> Instance:
    cities = rng.sample(["Oslo", "Lima", "Pune", "Cork", "Nice", "Kobe"], 2 if level == 1 else 4)
    weather = _fn("get_weather", "Current weather of a city.", {"city": {"type": "string"}})
    if level < 3:
        return Instance(f"Get the current weather for {', '.join(cities[:-1])} and {cities[-1]}, all at once.",
                        tools=[weather], grade_calls=_calls_grade([("get_weather", {"city": c}) for c in cities]),
                        max_tokens=200, reference=[call("get_weather", {"city": c}) for c in reversed(cities)])
    clock = _fn("get_time", "Local time of a city.", {"city": {"type": "string"}})
    expected = [("get_weather", {"city": c}) for c in cities[:2]] + [("get_time", {"city": c}) for c in cities[2:]]
    return Instance(f"All at once: get the weather for {cities[0]} and {cities[1]}, and the local time in "
                    f"{cities[2]} and {cities[3]}.", tools=[weather, clock], grade_calls=_calls_grade(expected),
                    max_tokens=240, reference=[call(n, a) for n, a in expected])


def _not_here(why: str) -> Callable[[], str | None]:
    return lambda: why


def _unmeasurable(level: int, rng: Random) -> Instance:
    raise RuntimeError("this probe is never run: the primitive is reported as not measured")


PROBES = [
    Probe("tool.file.read", file_read_probe),
    Probe("tool.file.write", file_write_probe),
    Probe("tool.exec", exec_probe),
    Probe("tool.call.format", call_format_probe),
    Probe("tool.call.batch", call_batch_probe),
    Probe("tool.web", _unmeasurable, _not_here("needs network access and a web-fetch tool harness; the probe "
                                               "runner has neither")),
    Probe("tool.browser", _unmeasurable, _not_here("needs a browser automation harness, which skc does not ship")),
]
