"""Commands in documents: split, templated and classified by effect.

A document's commands come from fenced blocks (one command per logical line:
backslash continuations, open quotes, heredocs and `for ... done` bodies are
joined; console prompts `$ ` are stripped and output lines dropped) and from
inline code that looks like a command. `classify_shell(text)` turns one command
into a `Command`:

- variables: `$NAMESPACE`, `${VAR}`, `<pod-name>`, `{region}` become positional
  placeholders `{0}`, `{1}`, ... in `template`/`argv` (the runtime substitutes
  `{digits}` only, so PromQL label sets and awk programs keep their braces); shell
  specials (`$1`, `$?`), well-known environment variables (`$HOME`) and names the
  command defines itself (`for c in ...`, `read x`) stay literal;
- `argv` when the command needs no shell (no pipes, redirects, globs, `$(...)`),
  else the command line `cmd_line` is run as `cmd` (see "Placeholders" below);
- effects per program (`skc.stdlib.shell.effects` over the shell model: every command
  that would run counts, also inside `$(…)`, backticks, `<(…)`, `if`/`for` bodies and
  after `&`; the program table is `skc.stdlib.shell.programs`): kubectl/oc get|describe|logs|top read
  `k8s`, delete|apply|patch|scale|... write it; redirects, tee, cp, mv, rm write
  `fs:<path>`; curl GET is `net:http`; SQL clients read or write `db:<name>` by
  statement; read-only tools (cat, grep, ls, ps, df, git status, ...) read; anything
  unknown is conservatively `write:*`;
- the result type: `kubectl get` is a table, `-o json`/`--json`/`jq` JSON, a
  pipeline ending in `wc -l` a number, otherwise text.

Names are normalised (`$POD_NAME`, `<pod-name>` and `{pod_name}` are one variable,
`pod_name`), so one workflow input serves every spelling.

Placeholders: the contract with the runtime's shell target (`runtime/targets/shell.py`)
is that `{N}` (digits only, N below the number of operands) is replaced by the text of
operand N, and nothing else changes:

- in `argv`, each element gets the raw text (no shell runs, so the value is one
  argument whatever it holds): `-l app={0}` -> `-l app=web server`;
- in `cmd` (run as `bash -c`), the value is shell-quoted (`shlex.quote`) so it is
  always exactly one word and never code. `cmd_line` therefore puts every placeholder
  outside quotes, where a quoted word means what it says: the document's
  `"app=$APP"` becomes `"app="{0}` (the double-quoted string is closed before the
  placeholder and reopened after it, and an empty `""` left over is dropped), so
  `web server` gives `"app="'web server'` -> `app=web server`, not `app='web server'`.
  The same holds for single quotes (`'ls <dir>'` -> `'ls '{0}`). In a here-document
  body, where quotes are literal, the placeholder becomes `$(printf %s {0})`. Inside
  `$(...)` or backticks a placeholder is unquoted, as there. Unquoted placeholders
  stay as they are (a value with spaces stays one word: no word splitting);
- a literal `{N}` the document itself writes (`grep -E '[0-9]{3}'`) that the runtime
  would take for a placeholder is split so it no longer matches (`{''3}` / `{""3}`,
  which the shell reads as `{3}`), and such a command always runs as `cmd`.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import lru_cache

from skc.compiler.frontend.common.shell_text import (
    CLOSERS,
    KEYWORDS,
    PROMPT,
    needs_shell,
    program_of,
    quote_contexts,
    quote_mask,
    strip_wrappers,
    words_of,
)
from skc.ir.types import JSON, NUM, TABLE, TEXT, Type
from skc.stdlib.shell import Simple, parse
from skc.stdlib.shell.effects import command_effects, word_text
from skc.stdlib.shell.programs import SESSION_PROGRAMS, classify_sql_text, known_program
from skc.stdlib.shell.query import top_parts

_ENV = {"HOME", "PATH", "USER", "PWD", "OLDPWD", "SHELL", "HOSTNAME", "TMPDIR", "LANG", "TERM",
        "EDITOR", "PAGER", "UID", "EUID", "RANDOM", "SECONDS", "LINENO", "IFS", "PS1", "BASH_SOURCE",
        "LOGNAME", "DISPLAY", "XDG_CONFIG_HOME", "GOPATH"}
_HTML_TAGS = {"br", "b", "i", "u", "p", "a", "div", "span", "code", "pre", "img", "kbd", "sup", "sub",
              "em", "strong", "hr", "ul", "ol", "li", "table", "tr", "td", "th", "details", "summary",
              "h1", "h2", "h3", "h4", "dl", "dt", "dd", "tbody", "thead", "small", "center", "eof"}
_VAR = re.compile(
    r"\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:[:\-=?+#%/][^}]*)?\}"
    r"|\$(?P<plain>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?<![<\w])<(?P<angle>[A-Za-z][A-Za-z0-9_.\- /]{0,48}[A-Za-z0-9_])>"
    r"|(?<![{$\w])\{(?P<curly>[A-Za-z_][A-Za-z0-9_\-]*)\}(?!\})"
)
_DEFINES = re.compile(r"(?:\bfor\s+|\bread\s+(?:-\w+\s+)*|\blocal\s+|\bexport\s+|(?:^|[;&|(\s])|\bdeclare\s+)"
                      r"([A-Za-z_][A-Za-z0-9_]*)(?==|\s+in\b|\s*$|\s*;)")
_SCRIPT = re.compile(r"(?:^|[\s\"'/=])((?:\./)?scripts/[\w./-]+\.(?:py|sh|bash|js|mjs|ts|rb|pl))\b")
_INTERPRETERS = {"py": "python3", "sh": "bash", "bash": "bash", "js": "node", "mjs": "node",
                 "ts": "npx tsx", "rb": "ruby", "pl": "perl"}


@dataclass(frozen=True, slots=True)
class Var:
    """One variable reference: normalised name, spelling, and span in the text."""

    name: str
    raw: str
    start: int
    end: int


@dataclass
class Command:
    """One classified command, ready to become a `tool.shell` (or `tool.script`) op."""

    text: str
    template: str  # the text with `{N}` for its variables, quotes as written (argv and assignments use it)
    argv: list[str] | None
    vars: list[str]
    effects: list[str]
    writes: bool = False
    unknown: bool = False
    result: Type = TEXT
    programs: list[str] = field(default_factory=list)
    assigns: str | None = None
    assign_template: str | None = None
    assign_command: str | None = None
    script: str | None = None
    script_args: list[str] = field(default_factory=list)
    interpreter: str | None = None
    session: bool = False
    cmd_line: str = ""  # what runs as `cmd` when argv is None (placeholders outside quotes)


def normalise(raw: str) -> str:
    """`$POD_NAME`, `<pod-name>`, `{Pod Name}` -> `pod_name` (an identifier)."""
    name = re.sub(r"[^a-z0-9]+", "_", raw.lower()).strip("_") or "value"
    return name if not name[0].isdigit() else "v_" + name


def find_vars(text: str, *, shell: bool = True) -> list[Var]:
    """The document variables `text` refers to, in order (see the module docstring)."""
    if "$" not in text and "<" not in text and "{" not in text:
        return []  # every kind of variable starts with one of these: most prose and many commands
    matches = list(_VAR.finditer(text))
    if not matches:
        return []
    mask = quote_mask(text) if shell else [""] * len(text)
    local = set(_DEFINES.findall(text)) if shell else set()
    out: list[Var] = []
    for m in matches:
        quoted = mask[m.start()] == "'" if m.start() < len(mask) else False
        if m.group("braced") or m.group("plain"):
            raw = m.group("braced") or m.group("plain")
            if quoted or raw in _ENV or raw in local or (shell and raw.islower() and len(raw) <= 2):
                continue
        elif m.group("angle"):
            raw = m.group("angle")
            if raw.lower() in _HTML_TAGS or raw.endswith("/"):
                continue
        else:
            raw = m.group("curly")
            if quoted or raw in ("print", "next", "exit"):
                continue
        out.append(Var(normalise(raw), m.group(0), m.start(), m.end()))
    return out


_LITERAL = re.compile(r"\{(\d+)\}")


def shell_line(text: str, found: list[Var], order: list[str]) -> str:
    """The `cmd` line of `text`: `templated`, with every placeholder outside quotes and
    literal `{N}` that would collide with a placeholder split (see the module docstring)."""
    ctx = quote_contexts(text)
    out: list[str] = []
    pos = 0
    reopened = ""
    for v in found:
        before = _escape_literals(text, pos, v.start, ctx, len(order))
        q = ctx[v.start] if v.start < len(ctx) else ""
        k = "{" + str(order.index(v.name)) + "}"
        if q in ('"', "'"):
            if not before and reopened == q:
                out.pop()  # `"$A$B"`: no empty string between two placeholders
            elif before.endswith(q) and not before.endswith("\\" + q):
                before = before[:-1]  # the string opened right before the variable: drop the empty `""`
                out.append(before)
            else:
                out.append(before + q)
            out.append(k)
            pos = v.end
            if pos < len(text) and text[pos] == q:
                pos += 1  # the string closes right after the variable
                reopened = ""
            else:
                out.append(q)
                reopened = q
            continue
        out.append(before)
        out.append(f"$(printf %s {k})" if q == "<<" else k)
        pos, reopened = v.end, ""
    out.append(_escape_literals(text, pos, len(text), ctx, len(order)))
    return "".join(out)


def _escape_literals(text: str, start: int, end: int, ctx: list[str], n: int) -> str:
    """`text[start:end]` with each literal `{N}` (N < n) split as `{""N}` / `{''N}`."""
    piece = text[start:end]
    if not n or "{" not in piece:
        return piece

    def split(m: re.Match[str]) -> str:
        if int(m.group(1)) >= n:
            return m.group(0)
        q = ctx[start + m.start()] if start + m.start() < len(ctx) else ""
        return "{" + ("''" if q == "'" else "" if q == "<<" else '""') + m.group(1) + "}"

    return _LITERAL.sub(split, piece)


def templated(text: str, found: list[Var], order: list[str], *, names: bool = False) -> str:
    """`text` with each variable replaced by `{i}`, i its position in `order` (or `{name}`)."""
    out, pos = [], 0
    for v in found:
        out.append(text[pos:v.start])
        out.append("{" + (v.name if names else str(order.index(v.name))) + "}")
        pos = v.end
    out.append(text[pos:])
    return "".join(out)


_ASSIGNS = re.compile(r"(?:export\s+)?(?:[A-Z_][A-Z0-9_]*=\S|[A-Za-z_]\w*=[\"']?(?:\$\(|`))")
_HEAD = re.compile(r"[A-Za-z0-9_./~-]+\Z")
_RUNS_IT = re.compile(r"\b(run|running|execute|executing|via|invoke|type|using|with|command|exec)\W*\Z")
_LOWER_HEAD = re.compile(r"[a-z][a-z0-9_.-]*\Z")
_RUN_WORD = re.compile(r"\b(run|running|execute|executing|via|invoke|type|using|with|command|exec)\Z")  # at most 9


def ends_running(text: str) -> bool:
    """`_RUNS_IT.search(text)`, looking at the end only: the text up to its last word character
    (a word character: str.isalnum or `_`) ends with one of the words."""
    end = len(text)
    while end and not (text[end - 1].isalnum() or text[end - 1] == "_"):
        end -= 1
    return _RUN_WORD.search(text, max(0, end - 9), end) is not None  # `\b` still sees the character before


@lru_cache(maxsize=8192)
def looks_like_command(text: str, *, context: str = "") -> bool:
    """Whether inline code (or a block's first line) is a command rather than a name or value.

    Known programs with arguments always are; unknown ones only when the sentence
    around them says to run something (`context` ends with run/execute/via/...).
    """
    text = text.strip()
    if not text or len(text) > 2000 or text.startswith(("-", "#", "/", "{", "http")):
        return False
    if PROMPT.match(text):
        return True
    if _ASSIGNS.match(text):
        return True  # an assignment: `NS=prod`, `pod=$(kubectl get pods -o name)`
    words = text.split()
    head = words[0]
    if not _HEAD.match(head) or head.endswith((":", ".")) or head.isupper():
        return False
    program = program_of(text) or head
    if known_program(program):
        return len(words) > 1 or known_program(program) == "bare"
    runs = ends_running(context.lower())
    return runs and len(words) > 1 and (head.startswith("./") or _LOWER_HEAD.match(head) is not None)


def classify_shell(text: str) -> Command:
    """A `Command` for one shell command line (see the module docstring)."""
    found = find_vars(text)
    order = list(dict.fromkeys(v.name for v in found))
    template = templated(text, found, order)
    named = templated(text, found, order, names=True)  # `{pod_name}`: one shell word per variable
    script = parse(named)
    segments = [[word_text(w) for w in part.words] if isinstance(part, Simple) else [part.text.split(" ", 1)[0]]
                for part in top_parts(script)]
    found_effects = command_effects(script)
    effects, writes, unknown = found_effects.effects, found_effects.writes, found_effects.unknown
    programs = [p for p in found_effects.programs if p not in KEYWORDS and p not in CLOSERS]
    session = len(segments) == 1 and _opens_session(strip_wrappers(segments[0]))
    cmd = Command(text, template, None, order, _tidy(effects), writes, unknown,
                  _result_type(segments), programs, session=session)
    literal = any(int(m.group(1)) < len(order) for m in _LITERAL.finditer(text))
    if not needs_shell(template) and not literal:
        cmd.argv = words_of(template)
    else:
        cmd.cmd_line = shell_line(text, found, order)
    _assignment(cmd, named, template, segments)
    _script(cmd, named)
    return cmd


def _tidy(effects: list[str]) -> list[str]:
    if "write:*" in effects:
        return ["write:*"]
    unique = list(dict.fromkeys(e for e in effects if e != "pure"))
    return unique or ["pure"]


def _opens_session(core: list[str]) -> bool:
    """Whether the command opens an interactive session (the next lines are typed into it)."""
    if not core:
        return False
    prog, rest = core[0].rsplit("/", 1)[-1], core[1:]
    flags = [w for w in rest if w.startswith("-")]
    positional = [w for w in rest if not w.startswith("-")]
    if prog == "ssh":
        return len(positional) <= 1
    if prog in ("kubectl", "oc", "docker"):
        return bool({"exec", "debug", "run"} & set(rest[:4])) and bool({"-it", "-ti", "-i"} & set(rest)) \
            and "--" not in rest
    if prog == "chroot":
        return len(positional) <= 1
    if prog in ("gitlab-rails", "rails"):
        return bool(positional) and positional[0] in ("console", "c", "dbconsole", "db")
    if prog in SESSION_PROGRAMS and prog not in ("gitlab-rails", "rails"):
        scripted = any(re.match(r"-[a-zA-Z]*[cef]\Z|--(command|file|execute)", w) for w in flags)
        if prog in ("python", "python3", "node", "bash", "sh", "zsh", "irb", "su"):
            return not positional and not scripted
        if prog == "redis-cli":
            return not [w for w in positional if not re.match(r"[\d.:]+\Z", w)]
        return not scripted
    return False


_JSON_OUTPUT = re.compile(r"(?:-o|--output)[ =]?json\b|--json\b")
_OUTPUT_FLAG = re.compile(r"(?:-o|--output)[ =]?\S")


def _result_type(segments: list[list[str]]) -> Type:
    if not segments:
        return TEXT
    first, last = strip_wrappers(segments[0]), strip_wrappers(segments[-1])
    if last[:2] == ["wc", "-l"] and len(last) == 2 and len(segments) > 1:
        return NUM
    if last and last[0] == "grep" and any(w in ("-c", "--count") for w in last) and len(segments) > 1:
        return NUM
    if last and last[0] == "jq" and not any(w in ("-r", "--raw-output") for w in last):
        return JSON
    if len(segments) == 1 and first:
        flat = " ".join(first)
        if _JSON_OUTPUT.search(flat):
            return JSON
        if first[0] in ("kubectl", "oc") and any(w in ("get", "top") for w in first[1:5]) \
                and (not _OUTPUT_FLAG.search(flat) or "-o wide" in flat):
            return TABLE
    return TEXT


_ASSIGNMENT = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)\Z", re.DOTALL)
_SUBSTITUTION = re.compile(r"[\"']?(?:\$\((.*)\)|`(.*)`)[\"']?\Z", re.DOTALL)
_SHELL_CHARS = re.compile(r"[;|&$`<>]")


def _assignment(cmd: Command, named: str, template: str, segments: list[list[str]]) -> None:
    """`NAME=value` / `export NAME=value`: the command defines a workflow value."""
    m, t = _ASSIGNMENT.match(named), _ASSIGNMENT.match(template)
    if m is None or t is None:
        return
    value, value_t = m.group(2).strip(), t.group(2).strip()
    sub = _SUBSTITUTION.match(value)
    if sub:
        cmd.assigns = normalise(m.group(1))
        cmd.assign_command = (sub.group(1) or sub.group(2) or "").strip()
    elif len(segments) == 1 and not _SHELL_CHARS.search(_unquote(value)):
        cmd.assigns = normalise(m.group(1))
        cmd.assign_template = _unquote(value_t)
        cmd.effects, cmd.unknown, cmd.writes = ["pure"], False, False


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) > 1 and value[0] == value[-1] and value[0] in "\"'" else value


def _script(cmd: Command, named: str) -> None:
    """`python scripts/x.py args`, `./scripts/y.sh`: a script shipped with the skill."""
    m = _SCRIPT.search(named)
    if m is None:
        return
    path = m.group(1).removeprefix("./")
    words = words_of(named)
    idx = next((i for i, w in enumerate(words) if w.endswith(path)), None)
    if idx is None or any(w in ("|", ";", "&&", "||", ">", ">>", "<") for w in words):
        return
    cmd.script = path
    cmd.script_args = words[idx + 1:]
    prog = strip_wrappers(words[:idx])
    ext = path.rsplit(".", 1)[-1]
    cmd.interpreter = prog[0] if prog and prog[0] in ("python", "python3", "bash", "sh", "node", "ruby", "perl") \
        else _INTERPRETERS.get(ext)
    cmd.session = False


def classify_sql(query: str, db: str = "default") -> tuple[list[str], bool]:
    """(effects, writes) of a SQL text against database `db`."""
    writes = classify_sql_text(query)
    return [f"{'write' if writes else 'read'}:db:{db}"], writes


_PY_PURE_IMPORTS = frozenset({
    "json", "re", "math", "statistics", "datetime", "collections", "itertools", "functools", "decimal", "fractions",
    "string", "textwrap", "operator", "typing", "dataclasses", "enum"})
# Builtins that run code, read the terminal, reach other modules or the interpreter's internals.
_PY_IMPURE_NAMES = frozenset({
    "open", "exec", "eval", "compile", "__import__", "input", "breakpoint", "globals", "locals", "vars", "getattr",
    "setattr", "delattr", "__builtins__", "__loader__", "__spec__", "memoryview", "help", "exit", "quit"})
# Modules whose names alone mark code as touching the system, imported or not.
_PY_SYSTEM_NAMES = frozenset({"os", "sys", "subprocess", "socket", "shutil", "pathlib", "io", "ctypes", "importlib"})


def python_effects(code: str) -> list[str]:
    """The effects of a Python block, by a conservative scan of its syntax tree.

    `["pure"]` when the code imports only pure modules (json, re, math, statistics,
    datetime, collections, itertools, functools, decimal, fractions, string, textwrap,
    operator, typing, dataclasses, enum), names none of the builtins that run code or
    reach outside (open, exec, eval, compile, __import__, input, breakpoint, globals,
    getattr, ...), touches no `os`/`sys`/`subprocess`/`socket`/`shutil`/`pathlib` and
    uses no dunder attribute (`x.__class__`: the way out of any such check). Anything
    else is `["write:*"]`, except one obvious narrowing: when the only impurity is
    `open("<literal path>"[, "<literal mode>"])`, the effect is `read:fs:<path>`, or
    `write:fs:<path>` for a mode that writes. Code that does not parse is `write:*`.
    """
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ["write:*"]
    opens: list[tuple[int, int, str, bool]] = []
    open_calls: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
            spec = _literal_open(node)
            if spec is None:
                return ["write:*"]
            opens.append((node.lineno, node.col_offset, *spec))
            open_calls.add(id(node.func))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(a.name.split(".")[0] not in _PY_PURE_IMPORTS for a in node.names):
                return ["write:*"]
        elif isinstance(node, ast.ImportFrom):
            if node.level or (node.module or "").split(".")[0] not in _PY_PURE_IMPORTS:
                return ["write:*"]
        elif isinstance(node, ast.Name):
            if (node.id in _PY_IMPURE_NAMES and id(node) not in open_calls) or node.id in _PY_SYSTEM_NAMES:
                return ["write:*"]
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("__") and node.attr.endswith("__"):
                return ["write:*"]
    if not opens:
        return ["pure"]
    paths = dict.fromkeys(f"{'write' if writes else 'read'}:fs:{path}" for _, _, path, writes in sorted(opens))
    return list(paths)


def _literal_open(call: ast.Call) -> tuple[str, bool] | None:
    """(path, writes) of `open("path")` / `open("path", "mode")` with literal strings; None otherwise."""
    if len(call.args) > 2 or any(k.arg not in ("mode", "encoding", "errors", "newline") for k in call.keywords):
        return None
    values = [a.value for a in [*call.args, *(k.value for k in call.keywords)]
              if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if not call.args or len(values) != len(call.args) + len(call.keywords) or not values[0].strip() \
            or values[0] != values[0].strip():
        return None
    modes = values[1:2] + [str(k.value.value) for k in call.keywords  # type: ignore[attr-defined]
                           if k.arg == "mode"]
    return values[0], any(c in m for m in modes for c in "wax+")
