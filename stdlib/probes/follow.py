"""Probes of instruction following: follow.{format,constraint,procedure,delegation,style}.

Format answers are parsed (exact line form, markdown list, CSV); constraints are
counted (words, letters, first and last words); procedures have one exact result
computed here; delegation is graded on the first turn's calls to a `delegate`
tool; style on letter case, line prefixes and acrostics.
"""

from __future__ import annotations

import csv
import io
import json
import re
from random import Random

from skc.stdlib.probes.base import (
    Grade,
    Instance,
    Probe,
    ToolCalls,
    answer_number,
    call,
    degenerate,
    expect,
    first_line,
    sentences,
    short,
    words,
)

TOPICS = ["the sea", "autumn", "trains", "coffee", "mountains", "libraries", "gardens", "bicycles"]
WORDS = ["copper", "meadow", "lantern", "harbor", "pebble", "velvet", "thunder", "saddle"]


def format_probe(level: int, rng: Random) -> Instance:
    if level == 1:
        w = rng.choice(WORDS)

        def grade1(text: str) -> Grade:
            return expect(first_line(text) == f"ANSWER: {w}", f"first line {first_line(text)!r}")

        return Instance(f"Reply with exactly one line of the form ANSWER: <word>, where <word> is {w}.", grade1,
                        max_tokens=16, reference=f"ANSWER: {w}")
    if level == 2:
        n = rng.randint(3, 6)

        def grade2(text: str) -> Grade:
            lines = [line for line in text.strip().splitlines() if line.strip()]
            ok = len(lines) == n and all(re.fullmatch(r"- \S.*", line) for line in lines)
            return expect(ok, f"{len(lines)} lines: {short(text, 120)!r}")

        return Instance(f"List exactly {n} fruits as a markdown bullet list (each line starts with \"- \"), and "
                        "nothing else.", grade2, max_tokens=12 * n + 10,
                        reference="\n".join(f"- {f}" for f in ["apple", "pear", "plum", "fig", "kiwi", "lime"][:n]))
    n = rng.randint(2, 4)

    def grade3(text: str) -> Grade:
        body = text.strip().strip("`").removeprefix("csv").strip()
        rows = list(csv.reader(io.StringIO(body)))
        ok = (len(rows) == n + 1 and rows[0] == ["name", "age", "city"]
              and all(len(r) == 3 and r[1].strip().isdigit() for r in rows[1:]))
        return expect(ok, f"csv {short(text, 160)!r}")

    return Instance(f"Output a CSV table with the header line name,age,city followed by exactly {n} rows of made-up "
                    "people (ages are whole numbers). Output only the CSV.", grade3, max_tokens=20 * n + 20,
                    reference="name,age,city\n" + "\n".join(f"P{i},{30 + i},Rome" for i in range(n)))


def constraint_probe(level: int, rng: Random) -> Instance:
    topic = rng.choice(TOPICS)
    if level == 1:
        def grade1(text: str) -> Grade:
            line = first_line(text)
            ok = len(words(line)) >= 4 and line == line.lower() and not degenerate(line)
            return expect(ok, f"{short(line)!r}")

        return Instance(f"Write one sentence about {topic} using only lowercase letters.", grade1, max_tokens=48,
                        reference=f"i like {topic} in the early morning.")
    if level == 2:
        n = rng.randint(6, 10)

        def grade2(text: str) -> Grade:
            line = text.strip()
            ok = len(line.split()) == n and "," not in line
            return expect(ok, f"{len(line.split())} words: {short(line)!r}")

        return Instance(f"Write exactly {n} words about {topic}. Do not use any commas. Reply with the words only.",
                        grade2, max_tokens=32, reference=" ".join(["word"] * (n - 1) + [f"{topic.split()[-1]}."]))
    first, last = rng.sample(WORDS, 2)
    banned = next(c for c in "zqxjk" if c not in first + last)
    lo = rng.randint(8, 10)
    hi = lo + 4

    def grade3(text: str) -> Grade:
        line = first_line(text)
        ws = [w.lower() for w in words(line)]
        ok = (bool(ws) and ws[0] == first and ws[-1] == last and lo <= len(ws) <= hi
              and banned not in line.lower())
        return expect(ok, f"{len(ws)} words: {short(line)!r}")

    return Instance(f"Write one sentence about {topic} that starts with the word \"{first}\", ends with the word "
                    f"\"{last}\", has between {lo} and {hi} words, and does not contain the letter \"{banned}\".",
                    grade3, max_tokens=48, reference=f"{first.title()} " + " ".join(["the", "old", "bell", "rang", "loud",
                                                                             "all", "day", "long"][: lo - 2]) + f" {last}.")


def procedure_probe(level: int, rng: Random) -> Instance:
    if level == 1:
        w = rng.choice(WORDS)
        expected = w[::-1].upper()

        def grade1(text: str) -> Grade:
            got = first_line(text).strip(" .\"'`")
            return expect(got == expected, f"got {got!r} expected {expected!r}")

        return Instance(f"Apply these steps to the word \"{w}\": 1. Reverse it. 2. Convert it to uppercase. Reply "
                        "with the result only.", grade1, max_tokens=16, reference=expected)
    if level == 2:
        n, a, b, c = rng.randint(2, 20), rng.randint(2, 20), rng.randint(2, 6), rng.randint(1, 30)
        value = (n + a) * b - c

        def grade2(text: str) -> Grade:
            got = answer_number(text)
            return expect(got == value, f"got {short(text, 60)!r} expected {value}")

        return Instance(f"Start with the number {n}. 1. Add {a}. 2. Multiply the result by {b}. 3. Subtract {c}. "
                        "Reply with the final number only.", grade2, max_tokens=24, reference=str(value))
    xs = [rng.randint(1, 40) for _ in range(6)]
    k = sorted(xs)[3]
    expected_list = [2 * x for x in sorted(x for x in xs if x <= k)]

    def grade3(text: str) -> Grade:
        got = [int(x) for x in re.findall(r"-?\d+", first_line(text))]
        return expect(got == expected_list, f"got {got} expected {expected_list}")

    return Instance(f"Start with the list {', '.join(map(str, xs))}. 1. Remove every number greater than {k}. "
                    "2. Sort the remaining numbers in ascending order. 3. Double each number. Reply with the "
                    "resulting numbers separated by commas, on one line.", grade3, max_tokens=32,
                    reference=", ".join(map(str, expected_list)))


AGENTS = {"translator": "translates text between languages", "calculator": "does arithmetic exactly",
          "searcher": "finds documents in the company wiki"}


def _delegate_tool(agents: list[str]) -> dict[str, object]:
    desc = "; ".join(f"{a}: {AGENTS[a]}" for a in agents)
    return {"type": "function", "function": {
        "name": "delegate", "description": f"Give a sub-task to a helper agent ({desc}).",
        "parameters": {"type": "object", "properties": {
            "agent": {"type": "string", "enum": agents}, "task": {"type": "string"}}, "required": ["agent", "task"]}}}


def _delegations(calls: ToolCalls) -> list[tuple[str, str]]:
    out = []
    for c in calls:
        if c.get("function", {}).get("name") != "delegate":
            continue
        try:
            args = json.loads(c["function"].get("arguments") or "{}")
        except ValueError:
            continue
        out.append((str(args.get("agent", "")), str(args.get("task", ""))))
    return out


def delegation_probe(level: int, rng: Random) -> Instance:
    phrase = rng.choice(["good morning", "the train is late", "thank you very much"])
    a, b = rng.randint(12, 99), rng.randint(12, 99)
    if level == 1:
        def grade1(calls: ToolCalls) -> Grade:
            d = _delegations(calls)
            return expect(len(d) == 1 and d[0][0] == "translator" and phrase in d[0][1].lower(), f"delegations {d}")

        return Instance(f"Delegate translating \"{phrase}\" into French to the translator agent.",
                        tools=[_delegate_tool(["translator"])], grade_calls=grade1,
                        reference=[call("delegate", {"agent": "translator", "task": f"Translate '{phrase}' to French"})])
    agents = list(AGENTS)
    if level == 2:
        def grade2(calls: ToolCalls) -> Grade:
            d = _delegations(calls)
            ok = len(d) == 1 and d[0][0] == "calculator" and str(a) in d[0][1] and str(b) in d[0][1]
            return expect(ok, f"delegations {d}")

        return Instance(f"Have the right helper agent compute {a} times {b}.", tools=[_delegate_tool(agents)],
                        grade_calls=grade2, reference=[call("delegate", {"agent": "calculator", "task": f"{a} * {b}"})])

    def grade3(calls: ToolCalls) -> Grade:
        d = sorted(_delegations(calls))
        ok = (len(d) == 2 and d[0][0] == "calculator" and str(a) in d[0][1] and str(b) in d[0][1]
              and d[1][0] == "translator" and phrase in d[1][1].lower())
        return expect(ok, f"delegations {d}")

    return Instance(f"Two things are needed: the sum of {a} and {b}, and the German translation of \"{phrase}\". "
                    "Delegate each to the right helper agent, both at once.", tools=[_delegate_tool(agents)],
                    grade_calls=grade3, max_tokens=200,
                    reference=[call("delegate", {"agent": "translator", "task": f"'{phrase}' in German"}),
                               call("delegate", {"agent": "calculator", "task": f"{a} + {b}"})])


def style_probe(level: int, rng: Random) -> Instance:
    topic = rng.choice(TOPICS)
    if level == 1:
        def grade1(text: str) -> Grade:
            line = first_line(text)
            letters = [c for c in line if c.isalpha()]
            return expect(len(words(line)) >= 4 and bool(letters) and all(c.isupper() for c in letters), short(line))

        return Instance(f"Write one sentence about {topic} in ALL CAPITAL LETTERS.", grade1, max_tokens=48,
                        reference=f"I LOVE {topic.upper()} SO MUCH.")
    if level == 2:
        verbs = ["Use", "Check", "Keep", "Avoid", "Try"]

        def grade2(text: str) -> Grade:
            lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
            ok = len(lines) == 3 and all(line.startswith("- ") and line[2:].split(" ")[0] in verbs
                                         and len(line[2:].split()) <= 10 for line in lines)
            return expect(ok, f"{short(text, 160)!r}")

        return Instance(f"Give three short tips about {topic} as a bullet list: each line starts with \"- \" followed "
                        f"by one of these verbs: {', '.join(verbs)}; at most ten words per line; nothing else.",
                        grade2, max_tokens=72, reference=f"- Use {topic} daily.\n- Check {topic} often.\n- Avoid rush.")
    word = rng.choice(["SEA", "RAIN", "LAMP", "STAR"])

    def grade3(text: str) -> Grade:
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        initials = "".join(line.lstrip("-*# ")[:1].upper() for line in lines)
        ok = initials == word and all(len(words(line)) >= 3 for line in lines) and len(sentences(text)) >= 1
        return expect(ok, f"initials {initials!r}: {short(text, 120)!r}")

    return Instance(f"Write an acrostic about {topic}: exactly {len(word)} lines of at least three words, whose first "
                    f"letters spell {word}. Reply with the lines only.", grade3, max_tokens=20 * len(word),
                    reference="\n".join(f"{c}{'ome and see' if i % 2 else 'unny days here'} by {topic}."
                                         for i, c in enumerate(word)))


PROBES = [
    Probe("follow.format", format_probe),
    Probe("follow.constraint", constraint_probe),
    Probe("follow.procedure", procedure_probe),
    Probe("follow.delegation", delegation_probe),
    Probe("follow.style", style_probe),
]
