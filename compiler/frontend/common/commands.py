"""Commands in documents: split, templated and classified by effect.

A document's commands come from fenced blocks (one command per logical line:
backslash continuations, open quotes, heredocs and `for ... done` bodies are
joined; console prompts `$ ` are stripped and output lines dropped) and from
inline code that looks like a command. `classify_shell(text)` turns one command
into a `Command`:

- variables: `$NAMESPACE`, `${VAR}`, `<pod-name>`, `{region}` become positional
  placeholders `{0}`, `{1}`, ... in `template`/`argv` (`variables.py` finds them and
  says how a placeholder stays one word in `cmd_line`);
- `argv` when the command needs no shell (no pipes, redirects, globs, `$(...)`),
  else the command line `cmd_line` is run as `cmd` (see "Placeholders" in `variables.py`);
- effects per program (`skc.stdlib.shell.effects` over the shell model: every command
  that would run counts, also inside `$(…)`, backticks, `<(…)`, `if`/`for` bodies and
  after `&`; the program table is `skc.stdlib.shell.programs`): kubectl/oc get|describe|logs|top read
  `k8s`, delete|apply|patch|scale|... write it; redirects, tee, cp, mv, rm write
  `fs:<path>`; curl GET is `net:http`; SQL clients read or write `db:<name>` by
  statement; read-only tools (cat, grep, ls, ps, df, git status, ...) read; anything
  unknown is conservatively `write:*`;
- the result type: `kubectl get` is a table, `-o json`/`--json`/`jq` JSON, a
  pipeline ending in `wc -l` a number, otherwise text.

The effects of SQL and Python blocks are `code_effects.py`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from skc.compiler.frontend.common.shell_text import (
    CLOSERS,
    KEYWORDS,
    PROMPT,
    needs_shell,
    program_of,
    strip_wrappers,
    words_of,
)
from skc.compiler.frontend.common.variables import (
    find_vars,
    literal_collides,
    normalise,
    shell_line,
    templated,
)
from skc.ir.types import JSON, NUM, TABLE, TEXT, Type
from skc.stdlib.shell import Simple, parse
from skc.stdlib.shell.effects import command_effects, word_text
from skc.stdlib.shell.programs import SESSION_PROGRAMS, known_program
from skc.stdlib.shell.query import top_parts

_SCRIPT = re.compile(r"(?:^|[\s\"'/=])((?:\./)?scripts/[\w./-]+\.(?:py|sh|bash|js|mjs|ts|rb|pl))\b")
_INTERPRETERS = {"py": "python3", "sh": "bash", "bash": "bash", "js": "node", "mjs": "node",
                 "ts": "npx tsx", "rb": "ruby", "pl": "perl"}


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
    literal = literal_collides(text, len(order))
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
