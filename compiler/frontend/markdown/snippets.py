"""Snippets: the code a step runs, found in code blocks and in inline code.

`block_snippets` reads a code block by its content (the recogniser table of
`blocks`): one snippet per command of a shell or console block (with or without
prompts), one query per SQL (parsed by sqlglot)/PromQL/LogQL/KQL block, one
program per Python block; anything else (YAML, JSON, output) is not code to run.
`inline_snippets` finds commands in one sentence: inline code that looks like a
command (see `commands.looks_like_command`), PromQL/LogQL next to the words
"query"/"Loki", bare command list items (`- sudo systemctl reload x`) and
`scripts/...` files an instruction names.
"""

from __future__ import annotations

import re

from skc.compiler.frontend.common.command_rules import known_program
from skc.compiler.frontend.common.commands import looks_like_command
from skc.compiler.frontend.markdown import prose
from skc.compiler.frontend.markdown.blocks import Snippet, read_block
from skc.compiler.frontend.markdown.document import Block, Span
from skc.compiler.frontend.markdown.queries import maintenance_sql
from skc.ir.location import Location

MAX_TABLE_ROWS = 300
MAX_INLINE_SPANS = 400  # a paragraph with more code spans is prose, with a warning (hostile-input bound)
_SHELL_LANGS = {"bash", "sh", "shell", "zsh", "ksh", "fish", "console", "shell-session", "shellsession",
                "terminal", "shellscript", "powershell", "ps1", "cmd", "bat"}
_CONSOLE_LANGS = {"console", "shell-session", "shellsession", "terminal"}
_QUERY_LANGS = {"sql": "sql", "postgresql": "sql", "postgres": "sql", "psql": "sql", "pgsql": "sql", "mysql": "sql",
                "plpgsql": "sql", "sqlite": "sql", "promql": "promql", "logql": "logql", "kql": "kql", "kusto": "kql"}
_PSQL_PROMPT = re.compile(r"^\s*[A-Za-z_][\w-]*(=|-|\()[#>]\s?")
_SQL_START = re.compile(r"\s*(select|with|show|explain|update|delete|insert|alter|create|drop|vacuum|analyze)\b", re.I)
_SCRIPT_WORD = re.compile(r"(?<![\w/`])((?:\./)?scripts/[\w./-]+\.(?:py|sh|bash|js|mjs|ts|rb|pl))\b")
_PROMQL = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\s*(?:\{[^}]*\})?(?:\[\w+\])?\Z|.*\b(?:rate|sum|increase|histogram_quantile|"
                     r"avg|max|min|count|irate|topk|absent)\s*\(")


_CODE_SPAN = re.compile(r"`[^`]*`")


def inline_snippets(b: Block, start: int, end: int, sentence: str, path: str, lines: list[str]) -> list[Snippet]:
    """Commands written inline in one sentence: code spans that look like commands, scripts."""
    out: list[Snippet] = []
    cursor = 0
    lower = sentence.lower()
    for span in spans_in(b, start, end):
        pos = sentence.find(f"`{span.text}`", cursor)
        context = sentence[:pos] if pos >= 0 else ""
        cursor = pos + 1 if pos >= 0 else cursor
        after = sentence[pos + len(span.text) + 2:] if pos >= 0 else ""
        code = uncapitalised(span.text)  # "`Kubectl describe node <node_name>`": a sentence-cased command
        kind = None if names_a_command(code, context, after) else inline_kind(code, context, lower)
        if kind:
            out.append(Snippet(kind, code.strip().removeprefix("$ "), Location(path, span.line, span.col)))
    if not out and b.kind == "item" and start == 0 and bare_command(sentence):
        out.append(Snippet("shell", sentence.strip(), Location(path, b.line, max(b.col, 1))))
    prose_only = _CODE_SPAN.sub("", sentence) if not out and "`" in sentence else sentence
    if not out and "scripts/" in prose_only and prose.is_instruction(sentence):  # the cheap test first
        for m in _SCRIPT_WORD.finditer(prose_only):
            line = b.line_of(start)
            out.append(Snippet("script", m.group(1), Location(path, line, _col(lines, line, m.group(1)))))
    return out

def uncapitalised(code: str) -> str:
    """`Kubectl get pods` -> `kubectl get pods`: a known program written with a capital (the
    sentence's case), else `code` unchanged."""
    words = code.split()
    word = words[0] if len(words) >= 2 else ""  # a lone capitalised word (`Service`) is a name, not a command
    if word[:1].isupper() and word[1:].islower() and known_program(word.lower()):
        return code.replace(word, word.lower(), 1)
    return code


_SETTING = re.compile(r"[\w.-]+\s+=\s+\S+")
_NAMED_AS = re.compile(r"\s*(?:command|cmdlet|subcommand|tool|utility|cli|output)s?\b", re.I)
_NAMED_AFTER = re.compile(r"\b(?:the|a|an|use|using|with|via|of|by)\s*\Z", re.I)
_NAMING_WORD = re.compile(r"\b(?:the|a|an|use|using|with|via|of|by)\Z", re.I)  # at most 5 characters


def ends_naming(before: str) -> bool:
    """`_NAMED_AFTER.search(before)`, looking at the end only: the text without its trailing
    whitespace ends with one of the words (a search from the start costs the whole sentence)."""
    text = before.rstrip()  # str.isspace is what `\s` matches
    return _NAMING_WORD.search(text, max(0, len(text) - 5)) is not None  # `\b` still sees the character before


def names_a_command(code: str, before: str, after: str) -> bool:
    """ "The `kubectl delete` command ...", "use `kubectl get` to ...": inline code that names a
    program or subcommand in prose (two words at most, no arguments), an elided command
    (`gcloud compute snapshot ...`) or a setting (`hot_standby_feedback = on`) is not a command to run."""
    words = code.split()
    if "..." in code or "…" in code or _SETTING.fullmatch(code.strip()):
        return True  # `gcloud compute snapshot ...` (elided), `hot_standby_feedback = on` (a setting)
    if not words or len(words) > 2 or any(w.startswith(("-", "<", "$", "{", "/")) for w in words[1:]):
        return False
    return _NAMED_AS.match(after) is not None or \
        ends_naming(before)


_ABSOLUTE_PROGRAM = re.compile(r"/(?:[\w.-]+/)+[\w-]+")
_SQL_WORD = re.compile(r"\b(?:from|set|into|table|index)\b", re.I)
_QUERY_WORD = re.compile(r"promql|prometheus|metric|query")


def inline_kind(code: str, context: str, sentence: str) -> str | None:
    """shell, promql or logql for inline code in a sentence, None when it is not code to run."""
    if looks_like_command(code, context=context):
        return "shell"
    words = code.split()
    if len(words) >= 3 and (words[0] == "sudo" or _ABSOLUTE_PROGRAM.fullmatch(words[0])) and \
            prose.is_instruction(sentence):
        return "shell"  # "Reload configuration - `sudo sv reload prometheus`", "`/opt/x/bin/promtool check config ...`"
    if _SCRIPT_WORD.match(code.strip()) and (" " in code.strip() or re.search(
            r"\b(?:run|execute|invoke|call|use)\w*\W*(?:the\s+)?(?:\w+\s+)?\Z", context, re.I)):
        return "shell"
    if _SQL_START.match(code) and _SQL_WORD.search(code):
        return "sql"
    if maintenance_sql(code):  # `analyze (verbose, skip_locked) {table_name}`
        return "sql"
    if "loki" in sentence or "logql" in sentence:
        return "logql" if code.strip().startswith("{") else None
    if _QUERY_WORD.search(sentence) and _PROMQL.match(code.strip()) \
            and ("{" in code or "(" in code) and " " not in code.strip().split("{")[0]:  # a bare name is no query
        return "promql"
    return None

def block_snippets(b: Block, path: str) -> list[Snippet] | None:
    """Snippets of a code block, [] when it has no command, None when it is not code to run
    (see `blocks.read_block`, which also says why)."""
    reading = read_block(b, path)
    if reading.runs or reading.recogniser:
        return reading.snippets
    return None


def spans_in(b: Block, start: int, end: int) -> list[Span]:
    """The block's code spans whose backticked text lies in `b.text[start:end]`."""
    out: list[Span] = []
    pos = 0
    for span in b.spans:
        found = b.text.find(f"`{span.text}`", pos)
        if found < 0:
            continue
        pos = found + 1
        if start <= found < end:
            out.append(span)
    return out


_BARE_PROGRAMS = {"kubectl", "oc", "systemctl", "gcloud", "gsutil", "docker", "helm", "psql", "gitlab-psql", "gitlab-ctl",
                  "gitlab-rake", "gitlab-rails", "curl", "wget", "ssh", "knife", "consul", "vault", "redis-cli",
                  "journalctl", "chef-client", "tf", "terraform", "gh", "glab", "patronictl", "gitlab-patronictl"}


def bare_command(text: str) -> bool:
    """A list item that is a command written without backticks (`- sudo systemctl reload patroni`)."""
    t = text.strip()
    if "\n" in t or "`" in t or len(t) > 200 or t.endswith((".", ":")) or len(t.split()) < 2:
        return False
    words = t.split()
    program = words[1] if words[0] == "sudo" and len(words) > 1 else words[0]
    return program in _BARE_PROGRAMS and (words[0] == "sudo" or any(w.startswith("-") or "/" in w for w in words[1:])
                                          or program in ("kubectl", "oc", "systemctl", "gcloud", "gsutil", "helm"))


def only_exits(code: str) -> bool:
    lines = [re.sub(r"^\s*(?:\$|#|%)\s+", "", ln).strip() for ln in code.split("\n")]
    return any(lines) and all(ln in ("exit", "logout", "") for ln in lines)


def _col(lines: list[str], line: int, text: str) -> int:
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    pos = source.find(text)
    return pos + 1 if pos >= 0 else 1
