"""Probes of code generation: gen.code.{python,javascript,shell,sql,html}.

Python and JavaScript answers are run against random test cases in a subprocess
(5 s timeout); shell answers run with bash in a scratch directory; SQL runs on
an in-memory sqlite database and is compared with a reference query; HTML is
parsed with `html.parser` and checked element by element.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from random import Random
from typing import Any

from skc.stdlib.probes.base import (
    Grade,
    Instance,
    Probe,
    expect,
    extract_code,
    python_argv,
    run_program,
    short,
    which,
)

# ---------------------------------------------------------------- function tasks (python, javascript)

# (description, function name, [(args, expected)], reference solution in python, in javascript)
Task = tuple[str, str, list[tuple[list[Any], Any]], str, str]

_REF = {
    "rle": ("def f(s):\n    out, i = '', 0\n    while i < len(s):\n        j = i\n"
            "        while j < len(s) and s[j] == s[i]:\n            j += 1\n"
            "        out += s[i] + str(j - i)\n        i = j\n    return out\n",
            "function f(s) {\n  let out = '', i = 0;\n  while (i < s.length) {\n    let j = i;\n"
            "    while (j < s.length && s[j] === s[i]) j++;\n    out += s[i] + (j - i);\n    i = j;\n  }\n"
            "  return out;\n}\n"),
    "balanced": ("def f(s):\n    st, pairs = [], {')': '(', ']': '[', '}': '{'}\n    for c in s:\n"
                 "        if c in '([{':\n            st.append(c)\n        elif c in pairs:\n"
                 "            if not st or st.pop() != pairs[c]:\n                return False\n    return not st\n",
                 "function f(s) {\n  const st = [], pairs = {')': '(', ']': '[', '}': '{'};\n  for (const c of s) {\n"
                 "    if ('([{'.includes(c)) st.push(c);\n    else if (c in pairs) { if (st.pop() !== pairs[c]) return false; }\n"
                 "  }\n  return st.length === 0;\n}\n"),
    "topk": ("def f(words, n):\n    from collections import Counter\n    c = Counter(words)\n"
             "    return sorted(c, key=lambda w: (-c[w], w))[:n]\n",
             "function f(words, n) {\n  const c = {};\n  for (const w of words) c[w] = (c[w] || 0) + 1;\n"
             "  return Object.keys(c).sort((a, b) => c[b] - c[a] || (a < b ? -1 : 1)).slice(0, n);\n}\n"),
}


def _rle(s: str) -> str:
    out, i = [], 0
    while i < len(s):
        j = i
        while j < len(s) and s[j] == s[i]:
            j += 1
        out.append(f"{s[i]}{j - i}")
        i = j
    return "".join(out)


def _balanced(s: str) -> bool:
    pairs, stack = {")": "(", "]": "[", "}": "{"}, []
    for c in s:
        if c in "([{":
            stack.append(c)
        elif c in pairs:
            if not stack or stack.pop() != pairs[c]:
                return False
    return not stack


def function_task(level: int, rng: Random) -> Task:
    """A function to write at `level`, with test cases (args, expected) as JSON data."""
    cases: list[tuple[list[Any], Any]] = []
    if level == 1:
        a, b = rng.randint(2, 9), rng.randint(1, 20)
        cases = [([x], a * x + b) for x in rng.sample(range(-50, 50), 5)]
        return (f"takes a number x and returns {a}*x + {b}", "f", cases, f"def f(x):\n    return {a} * x + {b}\n",
                f"function f(x) {{ return {a} * x + {b}; }}\n")
    if level == 2:
        k, m = rng.randint(2, 5), rng.randint(2, 4)
        for _ in range(5):
            xs = [rng.randint(-30, 30) for _ in range(rng.randint(0, 9))]
            cases.append(([xs], sorted((x * m for x in xs if x % k == 0), reverse=True)))
        return (f"takes a list of integers and returns a new list of the numbers divisible by {k}, "
                f"each multiplied by {m}, sorted in descending order", "f", cases,
                f"def f(xs):\n    return sorted((x * {m} for x in xs if x % {k} == 0), reverse=True)\n",
                f"function f(xs) {{ return xs.filter(x => x % {k} === 0).map(x => x * {m}).sort((a, b) => b - a); }}\n")
    kind = rng.choice(["rle", "balanced", "topk"])
    if kind == "rle":
        strs = ["".join(rng.choice("ab c") * rng.randint(1, 4) for _ in range(rng.randint(1, 5))) for _ in range(4)]
        return ("takes a string and returns its run-length encoding: each run of a repeated character "
                "becomes the character followed by the run's length, e.g. 'aaabcc' -> 'a3b1c2' and '' -> ''",
                "f", [([s], _rle(s)) for s in [*strs, ""]], *_REF["rle"])
    if kind == "balanced":
        strs = ["".join(rng.choice("()[]{}x") for _ in range(rng.randint(0, 8))) for _ in range(5)]
        strs += ["([]{})", "([)]"]
        return ("takes a string and returns true if its brackets (), [] and {} are balanced and properly "
                "nested (other characters are ignored), else false", "f", [([s], _balanced(s)) for s in strs],
                *_REF["balanced"])
    vocab = ["red", "green", "blue", "cyan", "gold"]
    for _ in range(4):
        ws = [rng.choice(vocab) for _ in range(rng.randint(3, 10))]
        n = rng.randint(1, 3)
        counts = Counter(ws)
        cases.append(([ws, n], sorted(counts, key=lambda w: (-counts[w], w))[:n]))
    return ("takes a list of words and an integer n and returns the n most frequent words as a list, "
            "most frequent first, ties broken alphabetically", "f", cases, *_REF["topk"])


_PY_HARNESS = """
import json
CASES = json.loads({cases!r})
for args, expected in CASES:
    got = {name}(*args)
    if isinstance(got, tuple):
        got = list(got)
    if got != expected:
        print("FAIL", json.dumps(args), "->", repr(got), "expected", json.dumps(expected))
        raise SystemExit(1)
print("OK")
"""

_JS_HARNESS = """
const CASES = {cases};
for (const [args, expected] of CASES) {{
  const got = {name}(...args);
  if (JSON.stringify(got) !== JSON.stringify(expected)) {{
    console.log("FAIL", JSON.stringify(args), "->", JSON.stringify(got), "expected", JSON.stringify(expected));
    process.exit(1);
  }}
}}
console.log("OK");
"""


def _graded_run(source: str, suffix: str, argv: Callable[[Path], list[str]]) -> Grade:
    with tempfile.TemporaryDirectory(prefix="skc-probe-") as tmp:
        path = Path(tmp) / f"answer{suffix}"
        path.write_text(source, encoding="utf-8")
        code, out, err = run_program(argv(path), Path(tmp))
    return expect(code == 0 and out.strip().endswith("OK"), short(out + err, 300) or f"exit {code}")


def python_probe(level: int, rng: Random) -> Instance:
    desc, name, cases, reference, _ = function_task(level, rng)

    def grade(text: str) -> Grade:
        code = extract_code(text, ("python", "py"))
        return _graded_run(code + "\n" + _PY_HARNESS.format(cases=json.dumps(cases), name=name), ".py", python_argv)

    return Instance(f"Write a Python function `{name}` that {desc}. Reply with the code only, in a "
                    "```python block.", grade, max_tokens=160 + 60 * level, reference=f"```python\n{reference}```")


def javascript_probe(level: int, rng: Random) -> Instance:
    desc, name, cases, _, reference = function_task(level, rng)
    node = which("node") or "node"

    def grade(text: str) -> Grade:
        code = extract_code(text, ("javascript", "js"))
        source = code + "\n" + _JS_HARNESS.format(cases=json.dumps(cases), name=name)
        return _graded_run(source, ".js", lambda p: [node, str(p)])

    desc = desc.replace("a list", "an array").replace("list", "array")
    return Instance(f"Write a JavaScript function `{name}` that {desc}. "
                    "Reply with the code only, in a ```javascript block.", grade, max_tokens=160 + 60 * level,
                    reference=f"```javascript\n{reference}```")


# ---------------------------------------------------------------- shell

_WORDS = ["alpha", "beta", "gamma", "delta", "ERROR", "WARN", "INFO", "disk", "net"]


def shell_probe(level: int, rng: Random) -> Instance:
    files: dict[str, str] = {}
    for name in rng.sample(["app", "db", "web", "cache", "queue"], 3):
        lines = [" ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 5))) for _ in range(rng.randint(3, 12))]
        files[f"{name}.log"] = "\n".join(lines) + "\n"
    target = rng.choice(sorted(files))
    word = rng.choice(["ERROR", "disk", "alpha"])
    if level == 1:
        task = f"prints the number of lines in the file {target}"
        expected = [str(files[target].count("\n"))]
        reference = f"wc -l {target}"
    elif level == 2:
        task = f"prints how many lines of the file {target} contain the word {word}"
        expected = [str(sum(word in line.split() for line in files[target].splitlines()))]
        reference = f"grep -cw {word} {target}"
    else:
        task = ("prints, for each file ending in .log in the current directory sorted by name, the file name and "
                "the number of its lines containing ERROR, separated by one space, one file per line")
        expected = [f"{n} {sum('ERROR' in ln.split() for ln in files[n].splitlines())}" for n in sorted(files)]
        reference = 'for f in *.log; do echo "$f $(grep -cw ERROR "$f")"; done'


    def grade(text: str) -> Grade:
        script = extract_code(text, ("bash", "sh", "shell", "console"))
        script = "\n".join(line.removeprefix("$ ") for line in script.splitlines())
        with tempfile.TemporaryDirectory(prefix="skc-probe-") as tmp:
            for name, body in files.items():
                (Path(tmp) / name).write_text(body)
            _, out, err = run_program(["bash", "-c", script], Path(tmp))
        got = [" ".join(line.replace("./", "").split()) for line in out.strip().splitlines()]
        if level < 3 and got:
            got = [got[0].split()[0]]  # `wc -l file` prints "N file": the count is what is asked
        return expect(got == expected, f"got {short(out, 120)!r} expected {expected} ({short(err, 80)})")

    return Instance(f"Write a bash command that {task}. Reply with the command only, in a ```bash block.",
                    grade, max_tokens=100 + 40 * level, reference=f"```bash\n{reference}\n```")


# ---------------------------------------------------------------- sql

def _database(rng: Random) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.execute("CREATE TABLE customers (name TEXT PRIMARY KEY, country TEXT)")
    db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT, amount INTEGER, status TEXT)")
    names = rng.sample(["ann", "bob", "cid", "dee", "eve", "fay", "gus"], 5)
    db.executemany("INSERT INTO customers VALUES (?, ?)", [(n, rng.choice(["FR", "DE", "US"])) for n in names])
    db.executemany("INSERT INTO orders VALUES (?, ?, ?, ?)",
                   [(i, rng.choice(names), rng.randint(5, 500), rng.choice(["paid", "paid", "open", "void"]))
                    for i in range(1, rng.randint(14, 22))])
    return db


SCHEMA_TEXT = ("customers(name TEXT PRIMARY KEY, country TEXT) and "
               "orders(id INTEGER PRIMARY KEY, customer TEXT REFERENCES customers(name), amount INTEGER, status TEXT)")


def sql_probe(level: int, rng: Random) -> Instance:
    db = _database(rng)
    k = rng.randint(100, 400)
    if level == 1:
        task, reference, ordered = (f"the id of every order whose amount is greater than {k}",
                                    f"SELECT id FROM orders WHERE amount > {k}", False)
    elif level == 2:
        task, reference, ordered = ("the customer and the total amount (as total) of its orders with status 'paid', "
                                    "one row per customer",
                                    "SELECT customer, SUM(amount) FROM orders WHERE status = 'paid' GROUP BY customer",
                                    False)
    else:
        n = rng.randint(1, 3)
        task = (f"for each country with more than {n} paid orders (status 'paid'): the country, the number of its "
                "paid orders and their total amount, ordered by total amount descending")
        reference = ("SELECT c.country, COUNT(*), SUM(o.amount) AS t FROM orders o JOIN customers c ON "
                     f"c.name = o.customer WHERE o.status = 'paid' GROUP BY c.country HAVING COUNT(*) > {n} "
                     "ORDER BY t DESC")
        ordered = True
    expected = db.execute(reference).fetchall()

    def grade(text: str) -> Grade:
        query = extract_code(text, ("sql", "sqlite"))
        try:
            got = db.execute(query).fetchall()
        except (sqlite3.Error, sqlite3.Warning) as e:
            return False, f"sqlite: {e}"
        same = got == expected if ordered else Counter(got) == Counter(expected)
        return expect(same, f"got {short(repr(got), 120)} expected {short(repr(expected), 120)}")

    return Instance(f"The SQLite database has the tables {SCHEMA_TEXT}. Write one SQL query that returns {task}. "
                    "Reply with the query only, in a ```sql block.", grade, max_tokens=90 + 40 * level,
                    reference=f"```sql\n{reference}\n```")


# ---------------------------------------------------------------- html

class _Dom(HTMLParser):
    """A flat list of (tag, attrs, text) for each element, text collected until it closes."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str], list[str]]] = []
        self.open: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}, []))
        if tag not in ("input", "br", "img", "meta", "link", "hr"):
            self.open.append(len(self.elements) - 1)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.open) - 1, -1, -1):
            if self.elements[self.open[i]][0] == tag:
                del self.open[i:]
                break

    def handle_data(self, data: str) -> None:
        for i in self.open:
            self.elements[i][2].append(data)

    def find(self, tag: str) -> list[tuple[dict[str, str], str]]:
        return [(a, " ".join("".join(t).split())) for g, a, t in self.elements if g == tag]


def html_probe(level: int, rng: Random) -> Instance:
    title = rng.choice(["Quarterly Report", "Server Status", "Team Roster", "Release Notes"])
    rows = [(rng.choice(["bolts", "nuts", "gears", "pins", "rods"]) + str(i), str(rng.randint(1, 99))) for i in range(3)]
    if level == 1:
        task = f"an HTML page whose only h1 heading says \"{title}\""
        reference = f"<html><body><h1>{title}</h1><p>Hello.</p></body></html>"
    elif level == 2:
        task = ("an HTML table with the header cells Name and Qty (th) and these rows (td): "
                + "; ".join(f"{n}, {q}" for n, q in rows))
        reference = ("<table><tr><th>Name</th><th>Qty</th></tr>"
                     + "".join(f"<tr><td>{n}</td><td>{q}</td></tr>" for n, q in rows) + "</table>")
    else:
        task = ("an HTML form that submits with method post to /signup, containing a text input named user with "
                "a label \"User\", an email input named mail with a label \"Mail\" (each label's for attribute "
                "matching its input's id), a select named plan with the options free and pro, and a submit button")
        reference = ('<form method="post" action="/signup"><label for="u">User</label><input type="text" id="u" '
                     'name="user"><label for="m">Mail</label><input type="email" id="m" name="mail">'
                     '<select name="plan"><option>free</option><option value="pro">Pro</option></select>'
                     '<button type="submit">Go</button></form>')

    def grade(text: str) -> Grade:
        dom = _Dom()
        dom.feed(extract_code(text, ("html",)))
        if level == 1:
            h1 = [t for _, t in dom.find("h1")]
            return expect(h1 == [title], f"h1 headings {h1}")
        if level == 2:
            heads = [t for _, t in dom.find("th")]
            cells = [t for _, t in dom.find("td")]
            want = [c for r in rows for c in r]
            return expect(heads == ["Name", "Qty"] and cells == want, f"th {heads} td {cells}")
        forms = dom.find("form")
        inputs = {a.get("name"): a for a, _ in dom.find("input")}
        labels = {a.get("for"): t for a, t in dom.find("label")}
        options = [a.get("value") or t for a, t in dom.find("option")]
        ok = (len(forms) == 1 and forms[0][0].get("method", "").lower() == "post"
              and forms[0][0].get("action") == "/signup"
              and inputs.get("user", {}).get("type", "text") == "text"
              and inputs.get("mail", {}).get("type") == "email"
              and labels.get(inputs.get("user", {}).get("id")) == "User"
              and labels.get(inputs.get("mail", {}).get("id")) == "Mail"
              and any(a.get("name") == "plan" for a, _ in dom.find("select")) and options == ["free", "pro"]
              and (any(a.get("type") == "submit" for a in inputs.values() if a)
                   or any(a.get("type", "submit") == "submit" for a, _ in dom.find("button"))))
        return expect(ok, f"form {short(text, 200)!r}")

    return Instance(f"Write {task}. Reply with the HTML only, in a ```html block.", grade, max_tokens=120 + 80 * level,
                    reference=f"```html\n{reference}\n```")


def _no_node() -> str | None:
    return None if which("node") else "node is not installed: JavaScript answers cannot be run"


PROBES = [
    Probe("gen.code.python", python_probe),
    Probe("gen.code.javascript", javascript_probe, _no_node),
    Probe("gen.code.shell", shell_probe, lambda: None if which("bash") else "bash is not installed"),
    Probe("gen.code.sql", sql_probe),
    Probe("gen.code.html", html_probe),
]
