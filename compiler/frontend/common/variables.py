"""Document variables in command text, and the placeholders they become.

`find_vars(text)` finds the variables a command refers to: `$NAMESPACE`, `${VAR}`,
`<pod-name>`, `{region}`. `templated` replaces them with positional placeholders `{0}`,
`{1}`, ... (a `Command`'s `template`/`argv`; the runtime substitutes `{digits}` only, so
PromQL label sets and awk programs keep their braces), `shell_line` makes its `cmd_line`.
Shell specials (`$1`, `$?`), well-known environment variables (`$HOME`) and names the
command defines itself (`for c in ...`, `read x`) stay literal.

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

import re
from dataclasses import dataclass

from skc.compiler.frontend.common.shell_text import quote_contexts, quote_mask

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


@dataclass(frozen=True, slots=True)
class Var:
    """One variable reference: normalised name, spelling, and span in the text."""

    name: str
    raw: str
    start: int
    end: int


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


def literal_collides(text: str, n: int) -> bool:
    """Whether `text` itself writes a `{N}` (N < n) the runtime would take for a placeholder."""
    return any(int(m.group(1)) < n for m in _LITERAL.finditer(text))
