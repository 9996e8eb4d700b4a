"""Deterministic first: what a skill's task says without asking a model.

A compiled skill calls these from `tool.python` ops (see
`compiler/frontend/skill/lower.py`); the model is asked only for what they cannot
ground in the task's own words:

- `route(task, table)`: the procedure whose title, else whose words (title, steps,
  scripts), the task shares clearly more of than any other, else "" (then a
  question that names no file goes to the skill's answer route, anything else to
  `llm.decide`);
- `prefill(task, files, schema)`: each parameter the task states outright: a file
  given with `--file` or a path in the task (matched by the parameter's extension:
  `csv_file` takes the `.csv`), a value next to the parameter's name ("the amount
  column", "named data-cleaner", "--column amount"), a quoted value; `missing` lists
  the others;
- `merge(task, files, schema, model)`: the model's answer, where each value must be
  grounded (it occurs in the task or is a given file), else the deterministic guess;
- `pick_context(task, context)`: the system prompt of an op whose `context` attribute
  holds the skill's rules and references: the head, then the pieces that share the
  most words with the task (ties in document order), within the character budget;
- `evidence(task, context)`: for a question about the skill (`is_question`), the lines
  of those pieces that share the most words with it, quoted after the model's answer
  so the skill's own words carry the facts (a small model paraphrases them away).
"""

from __future__ import annotations

import math
import os
import re
from typing import Any

_PATH = re.compile(r"(?<![\w/.~-])(?:~|\.{1,2})?[\w./~-]*[\w-]\.[A-Za-z][A-Za-z0-9]{0,5}(?![\w/-])")
_QUOTED = re.compile(r"\"([^\"\n]{1,200})\"|'([^'\n]{1,200})'|`([^`\n]{1,200})`|“([^”\n]{1,200})”")
_FILEISH = re.compile(r"(file|path|dir|folder|input|output|out|dest|src|source|target|pdf|csv|xlsx|xls|docx|json|"
                      r"sarif|zip|yaml|yml|txt|md|html|xml|skill_dir|destination)", re.IGNORECASE)
_OUTPUT = re.compile(r"(^|_)(out|output|dest|destination|target|save|write|to)(_|$)", re.IGNORECASE)
_WORD = re.compile(r"[a-z][a-z0-9]+")
_TARGET_LEAD = re.compile(r"(?:\binto|\bto|\bas|\bsave(?:d)?(?: it)?(?: in)?|-o|--out(?:put)?)\s*[\"'`]?\Z",
                          re.IGNORECASE)
_STOP = frozenset("the a an of to in on for with and or from into by is are be it this that my me please "
                  "can you your file files use using".split())
_NOT_VALUES = frozenset("the a an this that my your its of to in on for with and or new".split())


def route(task: str, table: dict[str, str]) -> str:
    """The procedure (key of `table`, value: its words) the task clearly fits, else "".

    First its title (the key is the title's slug): the one title sharing at least two
    words with the task, more than any other ("Run the readiness check" names
    `run_the_readiness_check` even though "readiness" and "check" occur in other
    procedures too); then the words only one procedure has."""
    words = _words(task)
    titles = sorted(((len(words & _words(name.replace("_", " "))), name) for name in table), reverse=True)
    if titles and titles[0][0] >= 2 and (len(titles) == 1 or titles[0][0] > titles[1][0]):
        return titles[0][1]
    own = {name: _words(text) for name, text in table.items()}
    shared = {w for w in words if sum(w in ws for ws in own.values()) > 1}  # says nothing about which
    scores = sorted(((len((words - shared) & ws), name) for name, ws in own.items()), reverse=True)
    if not scores or scores[0][0] == 0 or (len(scores) > 1 and scores[0][0] <= scores[1][0]):
        return ""
    return scores[0][1]


def prefill(task: str, files: str, schema: dict[str, Any]) -> dict[str, Any]:
    """{"values": {param: value}, "missing": "p q"} from the task's own words."""
    given = [f for f in files.split("\n") if f.strip()]
    props: dict[str, Any] = schema.get("properties") or {}
    used: set[str] = set()
    values: dict[str, Any] = {}
    for name, spec in props.items():
        guess = _guess(name, spec if isinstance(spec, dict) else {}, task, given, used)
        if guess not in (None, ""):
            values[name] = guess
            used.add(str(guess))
    return {"values": values, "missing": " ".join(n for n in props if n not in values)}


def merge(task: str, files: str, schema: dict[str, Any], model: Any) -> dict[str, Any]:
    """The model's values where grounded in the task or files, else the deterministic ones."""
    pre = prefill(task, files, schema)["values"]
    answer = model if isinstance(model, dict) else {}
    given = [f for f in files.split("\n") if f.strip()]
    out: dict[str, Any] = {}
    for name in schema.get("properties") or {}:
        v = answer.get(name)
        if name in pre:
            out[name] = pre[name]
        elif v not in (None, "") and _grounded(str(v), task, given):
            out[name] = v
        else:
            out[name] = "" if v is None else v
    return out


def pick_context(task: str, context: dict[str, Any]) -> str:
    """The head, then the pieces of `context` sharing the most words with `task`, within `chars`."""
    head = str(context.get("head") or "")
    pieces = [str(p) for p in context.get("pieces") or []]
    budget = int(context.get("chars") or 1500)
    want = _words(task)
    scored = [(len(want & _words(p)), -i, p) for i, p in enumerate(pieces)]
    chosen: list[tuple[int, str]] = []
    for score, neg_i, p in sorted(scored, reverse=True):
        if chosen and score == 0:
            break
        if len(p) <= budget:
            chosen.append((-neg_i, p))
            budget -= len(p)
        elif not chosen and score > 0:  # the best piece alone is too long: its start
            chosen.append((-neg_i, p[:budget]))
            budget = 0
    return "\n\n".join([head, *(p for _, p in sorted(chosen))])


_QUESTION = re.compile(r"^\W*(what|which|who|whom|whose|when|where|why|how)\b", re.IGNORECASE)


def is_question(task: str) -> bool:
    """A question (asks for knowledge) rather than a request to do something: it ends with "?" or
    starts with a wh-word ("do the usual thing" is a request, "does it work?" a question)."""
    t = task.strip()
    return t.endswith("?") or bool(_QUESTION.match(t))


def evidence(task: str, context: dict[str, Any], lines: int = 2) -> str:
    """The `lines` lines of the context's pieces that best share the task's words (at least two),
    rarer words weighing more (numbers count: "phase 1") and twice at the start of a line (a
    line that starts with them defines them: "Phase 1: Root Cause Investigation",
    "Transport: Streamable HTTP"; such a definition needs only one of the words); a heading or a line ending in ":" comes with the line
    under it (the fact is there)."""
    want = _terms(task)
    rows: list[tuple[str, str]] = []  # (line, the next line)
    for p in context.get("pieces") or []:
        texts = [t for t in (ln.strip().lstrip("-*#> ").strip() for ln in str(p).split("\n")) if t]
        rows += [(t, texts[i + 1] if i + 1 < len(texts) else "") for i, t in enumerate(texts)]
    terms = [_terms(t) for t, _ in rows]
    df: dict[str, int] = {}
    for ts in terms:
        for w in ts & want:
            df[w] = df.get(w, 0) + 1
    scored = []
    for i, ((text, after), ts) in enumerate(zip(rows, terms, strict=True)):
        shared = ts & want
        term, colon, _ = text.partition(":")
        defines = bool(colon) and len(term) <= 40 and bool(_terms(term) & want)  # "Language: TypeScript ..."
        if (len(shared) >= 2 or defines) and 4 <= len(text) <= 400:
            head = _terms(" ".join(re.findall(r"[A-Za-z0-9_]+", text)[:3]))  # a line that starts with them defines
            score = sum(math.log(1 + len(rows) / df[w]) * (2 if w in head else 1) for w in shared)
            scored.append((score, -i, text + (f" {after}" if (len(text) < 30 or text.endswith(":")) else "")))
    best = sorted(scored, reverse=True)[:lines]
    return "\n".join(f"> {t[:400]}" for _, _, t in sorted(best, key=lambda x: -x[1]))


def _terms(text: str) -> set[str]:
    return _words(text) | set(re.findall(r"(?<![\w.])\d+(?![\w.])", text))


def _guess(name: str, spec: dict[str, Any], task: str, given: list[str], used: set[str]) -> Any:
    words = [w for w in name.lower().split("_") if w]
    fileish = bool(_FILEISH.search(name) or _FILEISH.search(str(spec.get("description", ""))[:60]))
    if fileish:
        return _file_guess(name, spec, task, given, used)
    near = _near(words, task)
    if near is not None:
        return int(near) if spec.get("type") == "integer" and near.isdigit() else near
    if spec.get("type") in ("integer", "number"):
        nums = re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", task)
        if len(nums) == 1:
            return int(nums[0]) if spec.get("type") == "integer" and nums[0].isdigit() else float(nums[0])
    quoted = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(task)]
    quoted = [q for q in quoted if q not in used and not _PATH.fullmatch(q)]
    return quoted[0] if len(quoted) == 1 else None


def _file_guess(name: str, spec: dict[str, Any], task: str, given: list[str], used: set[str]) -> str | None:
    ext = next((e for e in ("csv", "json", "xlsx", "xls", "docx", "pdf", "sarif", "zip", "yaml", "yml", "txt",
                            "md", "html", "xml", "png") if re.search(rf"(^|_){e}(_|$)", name.lower())), None)
    found = [(m.group(0).rstrip(".,;:"), bool(_TARGET_LEAD.search(task[:m.start()])))
             for m in _PATH.finditer(task)]
    targets = [p for p, t in found if t]
    sources = [p for p, t in found if not t]
    in_task = [p for p, _ in found]
    quoted_dirs = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(task)]
    if _OUTPUT.search(name):
        candidates = targets + sources + [q for q in quoted_dirs if "/" in q]
    else:
        candidates = [*given, *sources, *targets] + [q for q in quoted_dirs if "/" in q]
    if ext:
        candidates = [c for c in candidates if c.lower().endswith("." + ext)]
    for c in candidates:
        if c not in used and (os.path.basename(c) not in {os.path.basename(u) for u in used}):
            return c
    if ext:  # a conversion: "Convert orders.csv to JSON" writes orders.json
        sources = [*given, *in_task]
        if sources and not sources[0].lower().endswith("." + ext):
            return os.path.splitext(sources[0])[0] + "." + ext
    flag = [w for w in str(spec.get("x-flag", "")).lstrip("-").lower().split("-") if w]
    if re.search(r"(dir|directory|folder|path|root)$", name.lower()) or flag:
        near = _near([w for w in name.lower().split("_") if w], task) or (_near(flag, task) if flag else None)
        if near is not None:
            return near
        m = re.search(r"\b(?:in|into|under|at|to)\s+([./~]?[\w.~-][\w./~-]*)", task)
        if m and m.group(1).lower() not in _NOT_VALUES:
            return m.group(1).rstrip(".,;:")
    return None


def _near(words: list[str], task: str) -> str | None:
    """The value written next to the parameter's name: "the X column", "column X",
    "named X", "--column X", "name: X"."""
    low = task
    keys = [" ".join(words), words[-1]] if len(words) > 1 else words
    for key in keys:
        k = re.escape(key).replace(r"\ ", r"[\s_-]+")
        for pattern in (rf"--{k}[=\s]+[\"'`]?([^\s\"'`]+)",
                        rf"\b{k}\s*(?:[:=]|named|called)\s*[\"'`“]?([\w][\w./@:+-]*)",
                        rf"\b{k}\s+[\"'`“]([^\"'`”]+)[\"'`”]",
                        rf"\b(?:the|a|an|this)\s+[\"'`“]?([\w][\w.@+-]*)[\"'`”]?\s+{k}\b",
                        rf"\b{k}\s*(?:is|of)\s*[\"'`“]?([\w][\w./@:+-]*)",
                        rf"\b{k}\s+([\w][\w./@+-]*)"):
            for m in re.finditer(pattern, low, re.IGNORECASE):
                v = m.group(1).strip().rstrip(".,;:")
                if v and v.lower() not in _NOT_VALUES and v.lower() not in words and not _PATH.fullmatch(v):
                    return v
    named = re.search(r"\b(?:named|called)\s+[\"'`“]?([\w][\w.@+-]*)", task, re.IGNORECASE)
    if named and words[-1] in ("name", "id", "title", "skill"):
        return named.group(1)
    return None


def _grounded(value: str, task: str, given: list[str]) -> bool:
    v = value.strip().lower()
    return bool(v) and (v in task.lower() or any(v == g.lower() or os.path.basename(g).lower() == v
                                                 for g in given))


def _words(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def _stem(word: str) -> str:
    """A crude stem, enough to match "initialize" with "initializing", "packages" with "packaging"."""
    for suffix in ("ing", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def answer_from_task(op_name: str, attrs: dict[str, Any], args: list[Any]) -> Any | None:
    """What an `llm.decide` with `route_words` or an `llm.extract` with `ground` answers
    from the task alone (operand 0 the task, operand 1 the files), or None: ask the model."""
    task = str(args[0]) if args else ""
    if op_name == "llm.decide" and isinstance(attrs.get("route_words"), dict):
        table = {str(k): str(v) for k, v in attrs["route_words"].items()}
        answer = attrs.get("answer_route")
        given = str(args[1]).strip() if len(args) > 1 else ""
        if answer and is_question(task) and not given and not _PATH.search(task):
            # a question about no file asks for the skill's knowledge, unless it names a procedure's title
            chosen = route(task, {k: "" for k in table}) or str(answer)
        else:
            chosen = route(task, table)
        asked = attrs.get("model_outcomes")
        if not chosen and isinstance(asked, list) and len(asked) == 1:
            chosen = str(asked[0])  # the only procedure the model could pick
        return chosen or None
    if op_name == "llm.extract" and attrs.get("ground"):
        schema = _schema(attrs)
        pre = prefill(task, str(args[1]) if len(args) > 1 else "", schema)
        return pre["values"] if not pre["missing"] else None
    return None


def ground_answer(attrs: dict[str, Any], args: list[Any], model: Any) -> Any:
    """An `llm.extract` with `ground`: the model's answer checked against the task (see `merge`)."""
    if not attrs.get("ground"):
        return model
    task = str(args[0]) if args else ""
    return merge(task, str(args[1]) if len(args) > 1 else "", _schema(attrs), model)


def _schema(attrs: dict[str, Any]) -> dict[str, Any]:
    import json

    raw = attrs.get("schema")
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
