"""Probes of reasoning: reason.{arithmetic,logic,spatial,planning,analysis}.

Every instance has one exact answer computed here (a number, yes/no, true/false,
a name, coordinates, a valid order); the grader reads the model's answer from
its first lines and compares exactly.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from random import Random

from skc.stdlib.probes.base import (
    Grade,
    Instance,
    Probe,
    answer_number,
    expect,
    first_line,
    first_word_in,
    short,
)

NAMES = ["Ann", "Bob", "Cid", "Dee", "Eli", "Fay", "Gus", "Ivy"]


def _number_grade(expected: float) -> Callable[[str], Grade]:
    def grade(text: str) -> Grade:
        got = answer_number(text)
        return expect(got is not None and abs(got - expected) < 1e-9, f"got {short(text, 80)!r} expected {expected:g}")

    return grade


def _word_grade(expected: str, options: list[str]) -> Callable[[str], Grade]:
    def grade(text: str) -> Grade:
        got = first_word_in(first_line(text), options)
        return expect(got is not None and got.lower() == expected.lower(), f"got {short(text, 80)!r} expected {expected}")

    return grade


def arithmetic_probe(level: int, rng: Random) -> Instance:
    if level == 1:
        a, b = rng.randint(10, 99), rng.randint(10, 99)
        op = rng.choice("+-")
        question, value = f"What is {a} {op} {b}?", a + b if op == "+" else a - b
    elif level == 2:
        a, b, c = rng.randint(11, 99), rng.randint(11, 99), rng.randint(100, 999)
        question, value = f"What is {a} * {b} - {c}?", a * b - c
    else:
        boxes, per, sold, more = rng.randint(12, 40), rng.randint(6, 24), rng.randint(20, 90), rng.randint(3, 9)
        question = (f"A shop has {boxes} boxes of {per} apples each. It sells {sold} apples, then receives {more} "
                    f"more boxes of {per} apples. How many apples does it have now?")
        value = boxes * per - sold + more * per
    return Instance(question + " Reply with the number only.", _number_grade(value), max_tokens=24 + 24 * level,
                    reference=str(value))


def logic_probe(level: int, rng: Random) -> Instance:
    a, b, c = rng.sample(["bloops", "razzies", "lazzies", "zorbs", "wugs", "tufas"], 3)
    x = rng.choice(["Zip", "Mo", "Kit", "Pel"])
    if level == 1:
        form = rng.randrange(3)
        if form == 0:
            q, ans = f"All {a} are {b}. {x} is one of the {a}. Is {x} one of the {b}?", "yes"
        elif form == 1:
            q, ans = f"No {a} are {b}. {x} is one of the {a}. Is {x} one of the {b}?", "no"
        else:
            q, ans = f"All {a} are {b}. All {b} are {c}. {x} is one of the {a}. Is {x} one of the {c}?", "yes"
        return Instance(q + " Answer yes or no.", _word_grade(ans, ["yes", "no"]), max_tokens=16, reference=ans.title())
    if level == 2:
        values = {v: rng.choice([True, False]) for v in "PQR"}
        ops = [rng.choice(["and", "or"]) for _ in range(2)]
        nots = [rng.choice(["", "not "]) for _ in range(3)]
        expr = f"({nots[0]}P {ops[0]} {nots[1]}Q) {ops[1]} {nots[2]}R"
        lit = [values[v] != bool(n) for v, n in zip("PQR", nots, strict=True)]
        left = (lit[0] and lit[1]) if ops[0] == "and" else (lit[0] or lit[1])
        value = (left and lit[2]) if ops[1] == "and" else (left or lit[2])
        facts = ", ".join(f"{k} is {str(v).lower()}" for k, v in values.items())
        return Instance(f"{facts}. Is the expression {expr} true or false? Answer true or false.",
                        _word_grade(str(bool(value)).lower(), ["true", "false"]), max_tokens=16,
                        reference=f"{bool(value)}.")
    people = rng.sample(NAMES, 4)  # tallest first
    heights = [f"{people[i]} is taller than {people[i + 1]}." for i in range(3)]
    rng.shuffle(heights)
    ask_short = rng.random() < 0.5
    question = " ".join(heights) + f" Who is the {'shortest' if ask_short else 'tallest'}? Answer with the name only."
    answer = people[-1] if ask_short else people[0]
    return Instance(question, _word_grade(answer, people), max_tokens=16, reference=answer)


_MOVES = {"up": (0, 1), "down": (0, -1), "left": (-1, 0), "right": (1, 0)}


def _pair_grade(expected: tuple[int, int]) -> Callable[[str], Grade]:
    def grade(text: str) -> Grade:
        m = re.search(r"\(?\s*(-?\d+)\s*,\s*(-?\d+)\s*\)?", text)
        got = (int(m.group(1)), int(m.group(2))) if m else None
        return expect(got == expected, f"got {short(text, 80)!r} expected {expected}")

    return grade


def spatial_probe(level: int, rng: Random) -> Instance:
    if level == 1:
        x, y = rng.randint(-3, 3), rng.randint(-3, 3)
        steps = [(rng.choice(list(_MOVES)), rng.randint(1, 4)) for _ in range(2)]
        for d, n in steps:
            x, y = x + _MOVES[d][0] * n, y + _MOVES[d][1] * n
        start = (x - sum(_MOVES[d][0] * n for d, n in steps), y - sum(_MOVES[d][1] * n for d, n in steps))
        text = ", then ".join(f"{n} {d}" for d, n in steps)
        return Instance(f"On a grid where up increases y and right increases x, you start at {start} and move "
                        f"{text}. Where are you? Answer as (x, y).", _pair_grade((x, y)), max_tokens=24,
                        reference=f"({x}, {y})")
    if level == 2:
        heading, pos = 0, [0, 0]  # 0 north, 1 east, 2 south, 3 west
        dirs = [(0, 1), (1, 0), (0, -1), (-1, 0)]
        parts = []
        for _ in range(4):
            turn = rng.choice(["turn left", "turn right", "turn around", ""])
            heading = (heading + {"turn left": 3, "turn right": 1, "turn around": 2, "": 0}[turn]) % 4
            n = rng.randint(1, 5)
            pos = [pos[0] + dirs[heading][0] * n, pos[1] + dirs[heading][1] * n]
            parts.append(f"{turn + ', ' if turn else ''}walk {n}")
        return Instance("You stand at (0, 0) facing north (north increases y, east increases x). "
                        + "; ".join(parts) + ". Where are you now? Answer as (x, y).",
                        _pair_grade((pos[0], pos[1])), max_tokens=24, reference=f"({pos[0]}, {pos[1]})")
    while True:
        grid = [["#" if rng.random() < 0.28 else "." for _ in range(5)] for _ in range(5)]
        cells = rng.sample([(r, c) for r in range(5) for c in range(5)], 2)
        (sr, sc), (er, ec) = cells
        grid[sr][sc], grid[er][ec] = "S", "E"
        dist = _bfs(grid, (sr, sc), (er, ec))
        if dist is not None and dist >= 3:
            break
    picture = "\n".join("".join(row) for row in grid)
    return Instance(f"In this grid, # is a wall and . is free:\n{picture}\nMoving one cell up, down, left or right "
                    "at a time and never onto #, what is the smallest number of moves from S to E? Reply with the "
                    "number only.", _number_grade(dist), max_tokens=24, reference=str(dist))


def _bfs(grid: list[list[str]], start: tuple[int, int], end: tuple[int, int]) -> int | None:
    seen, queue = {start}, deque([(start, 0)])
    while queue:
        (r, c), d = queue.popleft()
        if (r, c) == end:
            return d
        for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            nr, nc = r + dr, c + dc
            if 0 <= nr < 5 and 0 <= nc < 5 and grid[nr][nc] != "#" and (nr, nc) not in seen:
                seen.add((nr, nc))
                queue.append(((nr, nc), d + 1))
    return None


def planning_probe(level: int, rng: Random) -> Instance:
    n = 3 if level == 1 else 5
    tasks = list("ABCDEFGH"[:n])
    order = tasks[:]
    rng.shuffle(order)
    deps = {t: sorted({p for p in order[: order.index(t)] if rng.random() < 0.6}) for t in order}
    for i in range(1, n):  # keep the order forced enough to be a real question
        if not deps[order[i]]:
            deps[order[i]] = [order[i - 1]]
    facts = [f"task {t} needs task {p} done first" for t in tasks for p in deps[t]]
    rng.shuffle(facts)
    if level < 3:
        def grade(text: str) -> Grade:
            got = re.findall(r"\b[A-H]\b", first_line(text))
            if sorted(got) != tasks:
                return False, f"not every task once: {short(text, 80)!r}"
            done: set[str] = set()
            for t in got:
                if not set(deps[t]) <= done:
                    return False, f"{t} before {sorted(set(deps[t]) - done)}"
                done.add(t)
            return True, ""

        return Instance(f"Tasks {', '.join(tasks)}: " + "; ".join(facts) + ". List all tasks in an order that respects "
                        "these dependencies, separated by commas, on one line.", grade, max_tokens=32,
                        reference=", ".join(order))
    durations = {t: rng.randint(1, 9) for t in tasks}
    finish: dict[str, int] = {}
    for t in order:
        finish[t] = max((finish[p] for p in deps[t]), default=0) + durations[t]
    text = "; ".join(f"task {t} takes {durations[t]} hours" for t in tasks)
    return Instance(f"{text}. Dependencies: " + "; ".join(facts) + ". Any number of tasks can run at the same time "
                    "once their dependencies are done. What is the minimum number of hours to finish all tasks? "
                    "Reply with the number only.", _number_grade(max(finish.values())), max_tokens=32,
                    reference=str(max(finish.values())))


def analysis_probe(level: int, rng: Random) -> Instance:
    hosts = rng.sample(["alpha", "bravo", "delta", "kilo", "lima", "oscar", "romeo"], 5)
    if level == 1:
        cpu = dict(zip(hosts, rng.sample(range(5, 99), 5), strict=True))
        table = "\n".join(f"{h}\t{v}%" for h, v in cpu.items())
        top = max(cpu, key=lambda h: cpu[h])
        return Instance(f"host\tcpu\n{table}\nWhich host has the highest CPU usage? Answer with the host name only.",
                        _word_grade(top, hosts), max_tokens=16, reference=top)
    if level == 2:
        services = hosts[:3]
        lines, errors = [], dict.fromkeys(services, 0)
        for minute in range(12):
            s = rng.choice(services)
            lvl = rng.choice(["ERROR", "INFO", "WARN", "ERROR"])
            errors[s] += lvl == "ERROR"
            lines.append(f"10:{minute:02d} {s} {lvl} request finished")
        if sorted(errors.values())[-1] == sorted(errors.values())[-2]:
            lines.append(f"10:12 {max(errors, key=lambda k: errors[k])} ERROR request finished")
            errors[max(errors, key=lambda k: errors[k])] += 1
        top = max(errors, key=lambda k: errors[k])
        return Instance("Log:\n" + "\n".join(lines) + "\nWhich service logged the most ERROR lines? Answer with the "
                        "service name only.", _word_grade(top, services), max_tokens=16, reference=top)
    services = hosts[:3]
    threshold = rng.choice([5, 10])
    times = [f"12:{m:02d}" for m in range(0, 40, 5)]
    rates = {s: [rng.randint(0, threshold - 1) for _ in times] for s in services}
    culprit, when = rng.choice(services), rng.randint(2, len(times) - 1)
    rates[culprit][when] = threshold + rng.randint(1, 9)
    for s in services:
        for i in range(when + 1, len(times)):
            rates[s][i] = rng.randint(0, threshold + 10)
    table = "time\t" + "\t".join(services) + "\n" + "\n".join(
        times[i] + "\t" + "\t".join(str(rates[s][i]) for s in services) for i in range(len(times)))

    def grade(text: str) -> Grade:
        line = first_line(text)
        return expect(times[when] in line and first_word_in(line, services) == culprit,
                      f"got {short(text, 80)!r} expected {times[when]} {culprit}")

    return Instance(f"Error rates (%) per service:\n{table}\nAt which time did any service's error rate first exceed "
                    f"{threshold}%, and which service was it? Answer as: HH:MM service", grade, max_tokens=24,
                    reference=f"{times[when]} {culprit}")


PROBES = [
    Probe("reason.arithmetic", arithmetic_probe),
    Probe("reason.logic", logic_probe),
    Probe("reason.spatial", spatial_probe),
    Probe("reason.planning", planning_probe),
    Probe("reason.analysis", analysis_probe),
]
