"""Probes of text generation: gen.text.{structured,long,prose} and gen.regex.

Structured output is parsed as JSON and compared with the expected value;
long text is checked for length, paragraphs or sections and against looping;
prose for sentence counts and required or forbidden words; a regex is compiled
and run (`re.fullmatch`) on generated strings that must and must not match.
"""

from __future__ import annotations

import json
import re
from random import Random

from skc.stdlib.probes.base import (
    Grade,
    Instance,
    Probe,
    degenerate,
    expect,
    extract_code,
    first_json,
    sentences,
    short,
    words,
)

TOPICS = ["lighthouses", "bread baking", "volcanoes", "city parks", "honey bees", "railways", "tea", "rivers"]
NAMES = ["Ada", "Boris", "Chen", "Dalia", "Emeka", "Freya", "Goran", "Hana"]


# ---------------------------------------------------------------- gen.text.structured

def structured_probe(level: int, rng: Random) -> Instance:
    if level == 1:
        name, count = rng.choice(NAMES), rng.randint(2, 99)
        expected: object = {"name": name, "count": count}
        task = (f"Output a JSON object with exactly two keys: \"name\" set to \"{name}\" and "
                f"\"count\" set to the number {count}.")
    elif level == 2:
        name, age = rng.choice(NAMES), rng.randint(20, 70)
        skills = rng.sample(["welding", "python", "chess", "sailing", "cooking", "drawing"], 2)
        expected = {"name": name, "age": age, "skills": skills}
        task = (f"{name} is {age} years old and is good at {skills[0]} and {skills[1]}. Output a JSON object "
                "with the keys name (string), age (integer) and skills (array of strings, in the order given).")
    else:
        rows = [{"host": f"node{i}", "cpu": rng.randint(1, 99), "healthy": rng.choice([True, False])}
                for i in rng.sample(range(1, 9), 3)]
        csv = "host,cpu,healthy\n" + "\n".join(f"{r['host']},{r['cpu']},{str(r['healthy']).lower()}" for r in rows)
        expected = rows
        task = ("Convert this CSV into a JSON array of objects, one per row, using the header as keys; cpu must "
                f"be a number and healthy a boolean.\n\n{csv}")

    def grade(text: str) -> Grade:
        try:
            got = first_json(text)
        except ValueError as e:
            return False, f"no JSON: {e}: {short(text)!r}"
        return expect(got == expected, f"got {short(repr(got))} expected {short(repr(expected))}")

    return Instance(task + " Reply with the JSON only.", grade, max_tokens=60 + 50 * level,
                    reference=json.dumps(expected))


# ---------------------------------------------------------------- gen.text.long

def long_probe(level: int, rng: Random) -> Instance:
    topic = rng.choice(TOPICS)
    key = topic.split()[-1].rstrip("s")
    if level == 1:
        n = rng.randint(80, 100)
        task, budget = f"Write at least {n} words about {topic}.", int(n * 2.2)
    elif level == 2:
        n = rng.randint(180, 220)
        task, budget = (f"Write at least {n} words about {topic}, in at least three paragraphs separated by "
                        "blank lines."), int(n * 2.2)
    else:
        n = 320
        heads = rng.sample(["History", "How it works", "Common problems", "Costs", "Future"], 4)
        task = (f"Write an article of at least {n} words about {topic} with exactly these four sections, each "
                f"starting with a markdown heading line: {', '.join('## ' + h for h in heads)}. "
                "Each section has at least 60 words.")
        budget = int(n * 2.4)

    def grade(text: str) -> Grade:
        count = len(words(text))
        if count < n:
            return False, f"{count} words < {n}"
        if degenerate(text):
            return False, "repetitive (looping) text"
        if key.lower() not in text.lower():
            return False, f"never mentions {key!r}"
        if level == 2:
            paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if len(words(p)) >= 20]
            return expect(len(paragraphs) >= 3, f"{len(paragraphs)} paragraphs of 20+ words")
        if level == 3:
            parts = re.split(r"^##\s+(.+)$", text, flags=re.M)
            found = {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}
            missing = [h for h in heads if h not in found]
            thin = [h for h in heads if h in found and len(words(found[h])) < 60]
            return expect(not missing and not thin, f"missing {missing}, short {thin}")
        return True, ""

    return Instance(task, grade, max_tokens=budget, reference=_long_reference(topic, n, level, heads if level == 3 else []))


def _long_reference(topic: str, n: int, level: int, heads: list[str]) -> str:
    """Non-repetitive filler text of the asked shape (a reference for the grader's tests)."""
    rng = Random(n)
    pool = ["river", "stone", "market", "winter", "engine", "garden", "ladder", "signal", "copper", "window",
            "harbor", "meadow", "lantern", "thunder", "velvet", "pebble", "saddle", "orchard", "canvas", "mirror"]

    def sentence() -> str:
        return f"The {topic} " + " ".join(rng.sample(pool, 6)) + "."

    def paragraph(words_wanted: int) -> str:
        out: list[str] = []
        while len(" ".join(out).split()) < words_wanted:
            out.append(sentence())
        return " ".join(out)

    if level == 3:
        return "\n\n".join(f"## {h}\n{paragraph(n // 4 + 10)}" for h in heads)
    parts = 3 if level == 2 else 1
    return "\n\n".join(paragraph(n // parts + 10) for _ in range(parts))


# ---------------------------------------------------------------- gen.text.prose

def prose_probe(level: int, rng: Random) -> Instance:
    topic = rng.choice(TOPICS)
    pool = ["quiet", "bright", "ancient", "careful", "winter", "golden", "narrow", "simple"]
    w = rng.sample(pool, 3)
    if level == 1:
        task = f"Write one sentence about {topic} that uses the words \"{w[0]}\" and \"{w[1]}\"."
    elif level == 2:
        task = f"Write exactly three sentences about {topic}. The second sentence must contain the word \"{w[0]}\"."
    else:
        task = (f"Write one paragraph of four to six sentences about {topic} that uses the words \"{w[0]}\", "
                f"\"{w[1]}\" and \"{w[2]}\", never uses the word \"very\", and ends with a question.")

    def grade(text: str) -> Grade:
        para = text.strip().split("\n\n")[0].strip()
        ss = sentences(para)
        lower = [x.lower() for x in words(para)]
        if degenerate(para) or not para:
            return False, "empty or repetitive"
        if level == 1:
            return expect(len(ss) == 1 and w[0] in lower and w[1] in lower and len(lower) >= 5
                          and para[-1] in ".!?", f"{len(ss)} sentences: {short(para)!r}")
        if level == 2:
            ok = len(ss) == 3 and w[0] in [x.lower() for x in words(ss[1])]
            return expect(ok, f"{len(ss)} sentences: {short(para)!r}")
        ok = 4 <= len(ss) <= 6 and all(x in lower for x in w) and "very" not in lower and para.endswith("?")
        return expect(ok, f"{len(ss)} sentences: {short(para)!r}")

    reference = {1: f"The {w[0]} keepers of {topic} are {w[1]} people.",
                 2: f"I like {topic}. They are {w[0]} at dawn. Everyone should see them.",
                 3: (f"Many {topic} are {w[0]}. Some are {w[1]}. Others feel {w[2]}. People visit them often. "
                     "Would you go too?")}[level]
    return Instance(task + " Reply with the text only.", grade, max_tokens=60 + 50 * level, reference=reference)


# ---------------------------------------------------------------- gen.regex

def _digits(rng: Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def regex_probe(level: int, rng: Random) -> Instance:
    if level == 1:
        n = rng.randint(3, 6)
        task = f"exactly {n} digits and nothing else"
        reference = rf"\d{{{n}}}"
        good = [_digits(rng, n) for _ in range(5)]
        bad = [_digits(rng, n - 1), _digits(rng, n + 1), "a" * n, _digits(rng, n - 1) + "x", ""]
    elif level == 2:
        task = "a date in the form YYYY-MM-DD (four digits, dash, two digits, dash, two digits)"
        reference = r"^\d{4}-\d{2}-\d{2}$"
        good = [f"{rng.randint(1900, 2099)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" for _ in range(5)]
        bad = ["2024-1-05", "24-01-05", "2024/01/05", "2024-01-050", "abcd-ef-gh", "2024-01-05 "]
    else:
        kind = rng.choice(["ipv4", "hex"])
        if kind == "ipv4":
            task = "an IPv4 address: four decimal numbers from 0 to 255 separated by dots, without leading zeros"
            octet = r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
            reference = rf"{octet}(\.{octet}){{3}}"
            good = [".".join(str(rng.randint(0, 255)) for _ in range(4)) for _ in range(5)] + ["0.0.0.0", "255.255.255.255"]
            bad = ["256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.-4", "a.b.c.d", "300.300.300.300"]
        else:
            task = "a CSS hex colour: # followed by exactly 3 or exactly 6 hexadecimal digits (either case)"
            reference = r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})"
            hexd = "0123456789abcdefABCDEF"
            good = ["#" + "".join(rng.choice(hexd) for _ in range(rng.choice([3, 6]))) for _ in range(6)]
            bad = ["#12", "#1234", "#12345", "#1234567", "123456", "#GGG", "#12345g"]

    def grade(text: str) -> Grade:
        pattern = _regex_of(text)
        try:
            rx = re.compile(pattern)
        except re.error as e:
            return False, f"does not compile: {pattern!r}: {e}"
        wrong = [s for s in good if not rx.fullmatch(s)] + [s for s in bad if rx.fullmatch(s)]
        return expect(not wrong, f"{pattern!r} is wrong on {wrong}")

    return Instance(f"Write a Python regular expression that matches {task}. Reply with the regular expression "
                    "only, in a ```regex block.", grade, max_tokens=60 + 30 * level,
                    reference=f"```regex\n{reference}\n```")


def _regex_of(text: str) -> str:
    """The regex in an answer: a fenced block, else an inline `code` span, else the first line."""
    if "```" in text:
        body = extract_code(text, ("regex", "re", "python"))
    else:
        m = re.search(r"`([^`\n]+)`", text)
        body = m.group(1) if m else text.strip()
    line = next((x.strip() for x in body.splitlines() if x.strip()), "")
    m = re.fullmatch(r"(?:[A-Za-z_]\w*\s*=\s*)?r?(['\"])(.*)\1;?", line)  # `pattern = r"..."` too
    if m:
        line = m.group(2)
    if len(line) > 2 and line.startswith("/") and line.rstrip("gimsuy").endswith("/"):
        line = line[1:].rstrip("gimsuy")[:-1]
    return line


PROBES = [
    Probe("gen.text.structured", structured_probe),
    Probe("gen.text.long", long_probe),
    Probe("gen.text.prose", prose_probe),
    Probe("gen.regex", regex_probe),
]
