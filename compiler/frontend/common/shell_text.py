"""Shell text: quoting, words, simple commands and the logical lines of a code block.

The small lexer the command classifier stands on: `quote_mask` (which characters
are inside quotes), `quote_contexts` (the same, knowing `$(...)`, backticks and
here-documents; used to place placeholders in `cmd` lines), `words_of` (shell words and operators, quotes removed),
`split_segments` (simple commands of a pipeline or list), `needs_shell` (whether a
command must run under a shell), and `logical_lines` (one entry per command of a
code block: continuations, open quotes, heredocs and `for ... done` joined;
console prompts stripped and output lines dropped).
"""

from __future__ import annotations

import re
from functools import lru_cache

from skc.compiler.frontend.common.shell_words import split_words
from skc.stdlib.shell import Simple, parse
from skc.stdlib.shell.query import strip_wrappers

# A console prompt: `$ `, `% `, `[user@host dir]$ `, `user@host:~/dir$ `, or a host name (a dotted or
# hyphenated one, `patroni-01-db-gstg $ `, `console-01.c.internal:~$ `, `chef-repo $ `) before `$ `.
PROMPT = re.compile(r"^\s*(?:\[[^\]\n]{1,60}\]\s*|[\w.-]+@[\w.-]+(?::[^\s$#]*)?\s*|"
                    r"[A-Za-z][\w]*(?:[-.][\w]+)+(?::[~/][^\s$#]*)?\s?(?=\$))?[$%]\s+")
KEYWORDS = {"for", "while", "until", "if", "case", "select"}
CLOSERS = {"done", "fi", "esac"}


def quote_mask(text: str) -> list[str]:
    """Per character: '' outside quotes, "'" inside single quotes, '"' inside double quotes."""
    return _scan_quotes(text)[0]


def open_quote(text: str) -> bool:
    """Whether `text` ends inside a quoted string."""
    return _scan_quotes(text)[1] != ""


def _scan_quotes(text: str) -> tuple[list[str], str]:
    if "'" not in text and '"' not in text and "\\" not in text:
        return [""] * len(text), ""  # nothing quotes: most commands, without a loop over their characters
    mask: list[str] = []
    state, escaped = "", False
    for ch in text:
        if escaped:
            mask.append(state)
            escaped = False
            continue
        if ch == "\\" and state != "'":
            escaped = True
            mask.append(state)
            continue
        if state == "" and ch in "'\"":
            mask.append(ch)
            state = ch
            continue
        if state == ch:
            mask.append(state)
            state = ""
            continue
        mask.append(state)
    return mask, state


_HEREDOC = re.compile(r"<<(-?)[ \t]*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\2")


_CONTEXT_OPENERS = ("\\", "'", '"', "`", "$(", "<<")  # what the loop below treats differently from a plain character


def quote_contexts(text: str) -> list[str]:
    """Per character, the quoting the shell applies there: '' (unquoted), '"', "'", or '<<'
    (the body of a here-document, where expansions happen and quotes are literal).

    Unlike `quote_mask`, `$(...)` and backticks open a fresh unquoted context, also inside
    double quotes (`"$(kubectl get pod $POD)"`: `$POD` is unquoted). A quote character
    belongs to the string it opens or closes.
    """
    if not any(c in text for c in _CONTEXT_OPENERS):
        return [""] * len(text)  # nothing opens a context: every character is unquoted
    out: list[str] = []
    stack = [""]  # "" unquoted, '"', "'", "(" inside $( ), "`" inside backticks
    pending: list[tuple[str, bool]] = []  # here-documents whose bodies start at the next newline
    i, n = 0, len(text)
    while i < n:
        ch, top = text[i], stack[-1]
        if top == "'":
            out.append("'")
            if ch == "'":
                stack.pop()
            i += 1
        elif ch == "\\":
            out.extend(['"' if top == '"' else ""] * min(2, n - i))
            i += 2
        elif top == '"' and ch == '"':
            out.append('"')
            stack.pop()
            i += 1
        elif text.startswith("$(", i):
            out.extend(["", ""])
            stack.append("(")
            i += 2
        elif ch == "`":
            out.append("")
            if top == "`":
                stack.pop()
            else:
                stack.append("`")
            i += 1
        elif top == '"':
            out.append('"')
            i += 1
        elif ch in "'\"":
            out.append(ch)
            stack.append(ch)
            i += 1
        elif ch in "()" and top == "(":
            out.append("")
            if ch == "(":
                stack.append("(")
            else:
                stack.pop()
            i += 1
        elif (m := _HEREDOC.match(text, i)) and not text.startswith("<<<", i):
            pending.append((m.group(3), m.group(1) == "-"))
            out.extend([""] * (m.end() - i))
            i = m.end()
        elif ch == "\n" and pending:
            out.append("")
            i = _heredoc_bodies(text, i + 1, pending, out)
            pending = []
        else:
            out.append("")
            i += 1
    return out[:n]


def _heredoc_bodies(text: str, i: int, pending: list[tuple[str, bool]], out: list[str]) -> int:
    """Marks the bodies of `pending` here-documents from `i` on; returns where the text resumes."""
    n = len(text)
    for word, dash in pending:
        while i < n:
            j = text.find("\n", i)
            end = n if j < 0 else j
            line = text[i:end]
            done = (line.lstrip("\t") if dash else line) == word
            out.extend(["" if done else "<<"] * (end - i + (j >= 0)))
            i = end + 1 if j >= 0 else n
            if done:
                break
    return i


def needs_shell(text: str) -> bool:
    """Whether running `text` needs a shell: anything but one simple command of literal words
    (on the shell model: no expansion, glob, `~`, redirection, assignment, list, pipeline,
    compound command or keyword; a `{N}` placeholder is a literal word)."""
    script = parse(text)
    if len(script.items) != 1 or script.ops != (";",):
        return True
    cmd = script.items[0]
    if not isinstance(cmd, Simple) or cmd.program is None or cmd.assigns or cmd.redirects:
        return True
    if cmd.program.value in KEYWORDS or cmd.program.value in ("!", "{", "(", "[[", "function"):
        return True
    return any(not w.literal or (w.value or "").startswith("~") for w in cmd.words)


def words_of(text: str) -> list[str]:
    """Shell words and operators of `text` (quotes removed); a plain split when unbalanced."""
    return list(_words(text))


@lru_cache(maxsize=2048)
def _words(text: str) -> tuple[str, ...]:  # a command is split several times per compile
    try:
        return split_words(text)  # what shlex (posix, punctuation_chars, whitespace_split) gives
    except ValueError:
        return tuple(text.replace("|", " | ").replace(";", " ; ").split())


def program_of(text: str) -> str:
    """The program a command runs (after sudo/env/time wrappers and assignments), or ''."""
    for seg in split_segments(words_of(text))[:1]:
        words = strip_wrappers(seg)
        return words[0] if words else ""
    return ""


def split_segments(words: list[str]) -> list[list[str]]:
    """Simple commands of a word list, split at |, ;, &&, ||, &, ( and )."""
    out: list[list[str]] = [[]]
    for w in words:
        if w in ("|", "||", "&&", ";", "&", "(", ")", ";;", "|&", "$", "$("):
            out.append([])
        elif w.endswith("$") and len(w) > 1 and w[:-1].endswith("="):
            out[-1].append(w[:-1])
            out.append([])
        else:
            out[-1].append(w)
    return [s for s in out if s]


def prompt_lines(code: str) -> bool:
    """Whether a code block is a console transcript (commands behind `$ ` prompts)."""
    return any(PROMPT.match(line) for line in code.split("\n"))


_HEREDOC_START = re.compile(r"<<-?\s*['\"]?([A-Za-z_][A-Za-z0-9_]*)['\"]?")
_CONTINUATION = re.compile(r"\\\n\s*")


def logical_lines(code: str, *, console: bool) -> list[tuple[str, int, int]]:
    """(command, line offset in the block, column) per logical command line of a block.

    Linear in the block: the quote state and the last non-blank line are carried from
    line to line, never recomputed over the lines joined so far."""
    out: list[tuple[str, int, int]] = []
    current: list[str] = []
    start, col, depth = 0, 1, 0
    heredoc: str | None = None
    quotes: tuple[str, bool] = ("", False)
    last = ""
    for offset, line in enumerate(code.split("\n")):
        if heredoc is not None:
            current.append(line)
            quotes, last = _quote_state("\n" + line, quotes), line.rstrip() or last
            if line.strip() != heredoc:
                continue
            heredoc = None
        else:
            if not current:
                m = PROMPT.match(line) if console else None
                if console and m is None:
                    continue  # output of the previous command
                body = line[m.end():] if m else line
                if not body.strip() or body.lstrip().startswith("#"):
                    continue
                current, start = [body], offset
                col = (m.end() if m else len(line) - len(line.lstrip())) + 1
                line = body
                quotes, last = _quote_state(body, ("", False)), body.rstrip()
            else:
                current.append(line)
                quotes, last = _quote_state("\n" + line, quotes), line.rstrip() or last
            here = _HEREDOC_START.search(line)
            if here:
                heredoc = here.group(1)
                continue
            depth = max(0, depth + _compound_depth(line))
        if depth or quotes[0] or last.endswith(("\\", "|", "&&", "||", "{", "(")):
            continue
        joined = _CONTINUATION.sub("", "\n".join(current)).strip()
        if joined not in ("exit", "logout"):
            out.append((joined, start, col))
        current = []
    if current:
        out.append((_CONTINUATION.sub("", "\n".join(current)).strip(), start, col))
    return out


def _quote_state(text: str, state: tuple[str, bool]) -> tuple[str, bool]:
    """The (open quote, pending backslash) after `text`, starting from `state`."""
    quote, escaped = state
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "\\" and quote != "'":
            escaped = True
        elif quote == "" and ch in "'\"":
            quote = ch
        elif quote == ch:
            quote = ""
    return quote, escaped


_COMPOUND_WORD = re.compile(r"\b(?:for|while|until|if|case|select|done|fi|esac)\b")
_UNQUOTE = str.maketrans("", "", "'\"\\")


def _compound_depth(line: str) -> int:
    """Compound commands opened minus closed on one line (`for`/`if`/`case` vs `done`/`fi`/`esac`)."""
    if _COMPOUND_WORD.search(line.translate(_UNQUOTE)) is None:
        return 0  # no such word (quotes and escapes dropped: `f'o'r` is `for`): most lines, without splitting
    depth, prev = 0, ";"
    for w in words_of(line):
        if prev in (";", "&&", "||", "|", "do", "then", "else", "(", "{", "!"):
            depth += (w in KEYWORDS) - (w in CLOSERS)
        prev = w
    return depth
