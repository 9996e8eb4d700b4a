"""Code blocks by their content: a table of recognisers, each with the evidence it needs.

`read_block(b, path)` returns a `Reading`: the snippets a block runs (commands,
queries, Python), or none with the reason it is not run (`yaml`, `json`,
`output`, `text`, ...). The caller keeps a block that runs nothing as the sample
output of the command before it, or as a detail of its step, or reports it
(SKC154): a block never disappears without a trace.

The recognisers run in order; the first that accepts a block decides
(`RECOGNISERS`, a table of `(name, test, build)`):

    psql      `db=# SELECT ...` prompts                          -> one SQL snippet per statement
    query     a query language label (sql, promql, kql, ...)       -> one query
    tagged    a custom tag (`<QUERY_1>`, see `wrappers`)           -> SQL if sqlglot parses it, KQL/PromQL
                                                                     by shape, else commands
    python    a python label                                      -> one program
    console code  a ruby label (Rails console code)               -> one snippet, a manual step
    console   shell/console labels, `$ ` prompts                  -> one snippet per command; lines after a
                                                                     command that are not commands are its
                                                                     sample output (`Snippet.output`); a
                                                                     console block without prompts keeps
                                                                     every line that is a command
    sql       unlabelled text that sqlglot parses as SQL          -> one query
    commands  unlabelled text whose first line runs a known program -> commands
              (or a program by its path in a bin/ folder, with arguments)

Anything else (YAML, JSON, logs, prose examples) is shown, not run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from skc.compiler.frontend.common.command_rules import known_program
from skc.compiler.frontend.common.commands import classify_shell, looks_like_command
from skc.compiler.frontend.common.shell_text import logical_lines, program_of, prompt_lines
from skc.compiler.frontend.markdown.document import Block
from skc.compiler.frontend.markdown.queries import kql, promql, sql_dialect
from skc.compiler.frontend.markdown.wrappers import TAG_PREFIX
from skc.ir.location import Location

SHELL_LANGS = {"bash", "sh", "shell", "zsh", "ksh", "fish", "console", "shell-session", "shellsession",
               "terminal", "shellscript", "powershell", "ps1", "cmd", "bat", "azurecli", "azurecli-interactive",
               "azure-cli", "azurepowershell"}
CONSOLE_LANGS = {"console", "shell-session", "shellsession", "terminal"}
QUERY_LANGS = {"sql": "sql", "postgresql": "sql", "postgres": "sql", "psql": "sql", "pgsql": "sql", "mysql": "sql",
               "plpgsql": "sql", "sqlite": "sql", "tsql": "sql", "promql": "promql", "logql": "logql", "kql": "kql",
               "kusto": "kql"}
_PLAIN = {"", "text", "txt", "plain", "plaintext", "none", "output", "log"}
_PSQL_PROMPT = re.compile(r"^\s*[A-Za-z_][\w-]*(=|-|\()[#>]\s?")
_DATA_LANGS = {"yaml": "yaml", "yml": "yaml", "json": "json", "jsonc": "json", "toml": "config", "ini": "config",
               "xml": "config", "hcl": "config", "diff": "diff", "dockerfile": "config"}


_DOUBLE_CURLY = re.compile(r"\{\{\s*([A-Za-z_][\w\-]*)\s*\}\}")
_SQUARE = re.compile(r"(?<![\w\[$])\[([A-Za-z][A-Za-z0-9_\-]{2,40})\](?![\w(\[:])")


def spell_placeholders(text: str, kind: str) -> str:
    """The placeholder spellings `find_vars` does not read, in one it does: `{{x}}` -> `{x}`
    everywhere, `[x]` -> `<x>` in shell (never in SQL, where `[x]` quotes a name)."""
    text = _DOUBLE_CURLY.sub(r"{\1}", text)
    if kind == "shell":
        text = _SQUARE.sub(lambda m: m.group(0) if re.fullmatch(r"\w-\w", m.group(1)) else f"<{m.group(1)}>", text)
    return text


@dataclass
class Snippet:
    """Code a step runs: kind is shell, sql, promql, logql, kql, python, script or console (Rails console code).

    `output` is the sample output the document shows right after it (kept for guards
    and `skc check`, never run); `dialect` the sqlglot dialect a SQL query parsed in."""

    kind: str
    text: str
    loc: Location
    console: bool = False
    output: str = ""
    dialect: str = ""
    block: int = 0  # the first line of the code block it comes from (0: inline code)

    def __post_init__(self) -> None:
        self.text = spell_placeholders(self.text, self.kind)


@dataclass
class Reading:
    """What a block is: the snippets it runs, or why it runs nothing."""

    snippets: list[Snippet] = field(default_factory=list)
    reason: str = ""
    recogniser: str = ""

    @property
    def runs(self) -> bool:
        return bool(self.snippets)


_Test = Callable[[Block, str], bool]
_Build = Callable[[Block, str, str], list[Snippet]]


def _at(b: Block, path: str, offset: int = 0, col: int = 1) -> Location:
    return Location(path, b.line + offset, max(b.col + col - 1, 1))


def _tag(b: Block) -> str:
    return b.lang[len(TAG_PREFIX):] if b.lang.startswith(TAG_PREFIX) else ""


# ---------------------------------------------------------------- builders


def _psql(b: Block, path: str, _lang: str) -> list[Snippet]:
    """Statements typed at a psql prompt (`db=# SELECT ...;`, continued by `db-#`), output dropped."""
    out: list[tuple[str, int]] = []
    current: list[str] = []
    start = 0
    for offset, line in enumerate(b.code.split("\n")):
        m = _PSQL_PROMPT.match(line)
        if m is None:
            if current:
                out.append((" ".join(current), start))
                current = []
            continue
        if m.group(1) == "=" and current:
            out.append((" ".join(current), start))
            current = []
        if not current:
            start = offset
        current.append(line[m.end():].strip())
        if current[-1].endswith(";"):
            out.append((" ".join(current), start))
            current = []
    if current:
        out.append((" ".join(current), start))
    return [Snippet("sql", stmt, _at(b, path, off), dialect="postgres") for stmt, off in out if stmt.strip()]


def _query(b: Block, path: str, lang: str) -> list[Snippet]:
    text = b.code.strip()
    if not text:
        return []
    kind = QUERY_LANGS.get(lang) or _query_kind(text) or "sql"
    return [Snippet(kind, text, _at(b, path), dialect=(sql_dialect(text) or "") if kind == "sql" else "")]


def _query_kind(text: str) -> str | None:
    if sql_dialect(text) is not None:
        return "sql"
    if kql(text):
        return "kql"
    if promql(text):
        return "promql"
    return None


def _python(b: Block, path: str, _lang: str) -> list[Snippet]:
    return [Snippet("python", b.code.rstrip(), _at(b, path))] if b.code.strip() else []


CONSOLE_CODE_LANGS = {"ruby", "rb", "irb"}


def _console_code(b: Block, path: str, _lang: str) -> list[Snippet]:
    """Ruby a runbook types into a Rails console: one snippet (`interactive` makes it a manual step)."""
    return [Snippet("console", b.code.rstrip(), _at(b, path))] if b.code.strip() else []


_OUTPUT = re.compile(r"(?:[A-Z][A-Z_-]+\s{2,}){2,}|\d{4}-\d\d-\d\d[T ]\d\d:|level=\w+\s|(?:\S+\s{2,}){3,}\S|"
                     # what no shell line starts with: a word ending in ':' (`gpg: key imported`, `WARNING:`,
                     # `Date: ...`), curl -v's `* `, psql's `(2 rows)`, a numbered reply (`1) (integer) 5100`),
                     # a table's `| `;
                     r"[\w.-]+:(?:\s|$)|\*\s|\(\d+ rows?\)|\d+\)\s|\|\s|"
                     # ls -l's `-rw-r--r-- 1 root root ...` and `total 24K`, dig's `;; ...`, a syslog line,
                     # a prompt a program printed (`Enter password:`), an elision (`...`), an instruction in
                     # angle brackets on a line of its own (`<Save the changes>`)
                     r"[-dlcbps][rwxsStT-]{9}[.+@]?\s|total \d+(?:\.\d+)?[KMGT]?$|;|"
                     r"[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\s|[A-Z][a-z]+(?: [a-z]+){0,3}:$|(?:\.\.\.|\u2026)$|<[^<>]* [^<>]*>$|"
                     # a table's border (`+-----+`, `-----`), a crontab line (`0 0/2 * * * /bin/systemctl ...`)
                     r"[-+=|]{4,}|(?:[\d*/,-]+\s+){5}\S")


def looks_like_output(line: str) -> bool:
    """A line of a shell block that is pasted output, not a command: a table row or header
    (columns set apart by runs of spaces), a log line; never a line that runs a known program."""
    text = line.strip()
    if text[:2] in ("> ", "< ") or text in (">", "<"):
        return not _redirection(text.split())  # curl -v's `> GET / HTTP/1.1`, `< HTTP/1.1 200 OK`
    if not text or _OUTPUT.match(text) is None:
        return False
    return not known_program(_first_word(text))


def _redirection(words: list[str]) -> bool:
    """Whether a line led by `>` or `<` is a command that starts with its redirection: `> /var/log/x.log`
    (empty a file), `> out.txt`, `< files.txt xargs rm` (not `> GET / HTTP/1.1`, `< Content-Type: ...`,
    or a command typed at a console's `> ` prompt: `> role`, `> slowlog get 10`)."""
    target = words[1] if len(words) > 1 else ""
    if not target or target.endswith(":"):
        return False
    if words[0] == ">":  # `> p git --version` runs git; a console's `> role`, `> slowlog get 10` do not
        return target[0] in "/~$" or (len(words) == 2 and "." in target) or \
            (len(words) > 2 and bool(known_program(words[2].rsplit("/", 1)[-1])))
    return len(words) > 2 and re.fullmatch(r"[a-z][\w.+-]*", words[2].rsplit("/", 1)[-1]) is not None  # a program


def is_command(line: str) -> bool:
    """Whether one logical line of a block is a command (not output): a known program,
    an assignment, or what `looks_like_command` accepts."""
    text = line.strip()
    if not text or text.startswith("#"):
        return False
    if re.match(r"[A-Za-z_][A-Za-z0-9_]*=\S", text) or text.startswith(("sudo ", "./", "export ")):
        return True
    if known_program(_first_word(text)) or _installed_program(text):
        return True
    cmd = classify_shell(text)
    return any(known_program(p) for p in cmd.programs) or looks_like_command(text) or \
        bool(known_program(program_of(text)))


_ROOT_PROMPT = re.compile(r"^(\s*)(?:(?:sh|bash|ash|zsh)-\d[\d.]*[#$]|\[[\w.-]+@[^\]\n]{1,60}\][#$]|"
                          r"[\w.-]+@[\w.-]+:[^\s#$]*[#$]|(?:/[\w./-]*|~[\w./-]*) ?[#$]|PS [A-Z]:\\[^>\n]*>)[ \t]+")


_OPENS = re.compile(r"\b(?:oc\s+(?:debug|rsh)|kubectl\s+(?:rsh|exec|debug)|ssh|chroot|sudo\s+-i|sudo\s+su)\b")


_HASH_PROMPT = re.compile(r"(\s*)([#~])\s+(\S+)")
_GT_PROMPT = re.compile(r"(\s*)>\s+([a-z][\w.+-]*)(?:\s|$)")


def shell_prompts(code: str, console: bool = False) -> str:
    """Root and container prompts (`sh-4.4# `, `[root@node /]# `, `root@pod:/# `, `/ # `, `PS C:\\> `)
    spelled as `$ `, the prompt the console reader knows (same lines, same commands). After a
    line that opens a shell (`oc debug node/x`, `ssh host`, `sudo su`), a bare `# ` before a known
    program or a program's path (`# /root/machines_operations.sh list`) is that shell's root
    prompt, not a comment (in a ```console block, always: a console shows what was typed at a
    prompt)."""
    out: list[str] = []
    opened = False
    for line in code.split("\n"):
        line = _ROOT_PROMPT.sub(r"\1$ ", line)
        m = _GT_PROMPT.match(line)
        if m and known_program(m.group(2).rsplit("/", 1)[-1]) and not (out and out[-1].rstrip().endswith("\\")):
            line = m.group(1) + "$ " + line[m.end(1):].lstrip("> ")  # `> gpg --import key.asc`: a `> ` prompt
        m = _HASH_PROMPT.match(line)
        if m and (opened or console or m.group(2) == "~") and m.group(3).islower() and \
                (known_program(m.group(3).rsplit("/", 1)[-1]) or (opened and m.group(3).startswith(("/", "./")))):
            line = m.group(1) + "$ " + line[m.end(1):].lstrip("#~ ")
        opened = opened or _OPENS.search(line) is not None
        out.append(line)
    return "\n".join(out)


def _console(b: Block, path: str, lang: str) -> list[Snippet]:
    """Commands of a shell block; output lines (after a prompt-less command) become its sample output."""
    code = shell_prompts(b.code, console=lang in CONSOLE_LANGS)
    prompted = prompt_lines(code)
    lines = logical_lines(code, console=prompted)
    if not prompted and (lang in CONSOLE_LANGS or lang.startswith(TAG_PREFIX)):
        lines = [ln for ln in lines if is_command(ln[0])]  # a console without prompts: commands only
    elif not prompted:
        lines = [ln for ln in lines if not looks_like_output(ln[0])]  # ```shell with its output pasted under it
    out = [Snippet("shell", text, _at(b, path, off, col), prompted or lang in CONSOLE_LANGS, block=b.line)
           for text, off, col in lines]
    _attach_output(code, out, b.line)
    return out


def _attach_output(code: str, snippets: list[Snippet], first_line: int) -> None:
    """The lines between one command (with its continuation lines) and the next command
    that are no command: its sample output."""
    rows = code.split("\n")
    starts = [sn.loc.line - first_line for sn in snippets] + [len(rows)]
    for i, sn in enumerate(snippets):
        k = starts[i]
        while k + 1 < starts[i + 1] and rows[k].rstrip().endswith(("\\", "|", "&&", "||", "(", "{")):
            k += 1  # continuation lines of the command itself
        tail = [r for r in rows[k + 1:starts[i + 1]] if r.strip()]
        if tail and not is_command(tail[0].lstrip("$% ")):
            sn.output = "\n".join(tail)[:4000]


def _commands(b: Block, path: str, lang: str) -> list[Snippet]:
    return _console(b, path, lang)


# ---------------------------------------------------------------- tests


def _is_psql(b: Block, lang: str) -> bool:
    """A psql transcript (`db=# SELECT ...`): unlabelled or labelled as SQL or console, or labelled as
    shell when it starts at a psql prompt (pg-ha.md's ```shell + `pgbouncer=# show databases;`)."""
    if lang in SHELL_LANGS:
        first = next((line for line in b.code.split("\n") if line.strip()), "")
        return _PSQL_PROMPT.match(first) is not None and bool(_psql(b, "", lang))
    return lang in ("", "sql", "psql", "postgresql", "console", "text", "txt") and bool(_psql(b, "", lang))


def _is_tagged_query(b: Block, lang: str) -> bool:
    return bool(_tag(b)) and _query_kind(b.code.strip()) is not None


def _is_shell(b: Block, lang: str) -> bool:
    return lang in SHELL_LANGS or bool(_tag(b)) or (lang in _PLAIN and prompt_lines(shell_prompts(b.code)))


_POSITIONAL = re.compile(r"\$\d+\b")


def _is_unlabelled_sql(b: Block, lang: str) -> bool:
    """Unlabelled text sqlglot parses, unless it holds positional parameters (`$1`, `$27`):
    a normalised statement as `pg_stat_statements` or a log prints it is a sample, not a query
    anyone can run (it stays a SKC154 warning)."""
    return lang in _PLAIN and not prompt_lines(b.code) and _POSITIONAL.search(b.code) is None \
        and sql_dialect(b.code.strip()) is not None


_SEGMENT = re.compile(r"\||&&|;")


def _first_runs(b: Block, lang: str) -> bool:
    """An unlabelled block of commands: a known program runs in it and most lines are commands."""
    if lang not in _PLAIN:
        return False
    rows = [r.strip() for r in b.code.split("\n", 40)[:40]]
    firsts = [_first_word(seg) for r in rows if r and not r.startswith("#") for seg in _SEGMENT.split(r)][:24]
    if not any(known_program(w) for w in firsts) and not _installed_program(rows[0] if rows else ""):
        return False
    head = "\n".join(b.code.split("\n", 16)[:16])
    lines = [text for text, _, _ in logical_lines(head, console=False)][:8]
    if not lines or looks_like_output(lines[0]):
        return False
    if known_program(program_of(lines[0])) and is_command(lines[0]):
        return True  # the usual case: it starts with a known program
    return 2 * sum(map(is_command, lines)) >= len(lines)


_INSTALLED = re.compile(r"(?:sudo\s+(?:-u\s*\S+\s+)?)?/(?:[\w.+@-]+/)*s?bin/[\w.+-]+\s+\S")


def _installed_program(row: str) -> bool:
    """A program called by its absolute path in a `bin/` or `sbin/` folder, with arguments
    (`/opt/gitlab/embedded/bin/postgres --version`, `sudo /opt/x/bin/chpst -e ...`): an
    executable by where it lives, whatever its name. A bare path (`/usr/bin/python3`
    alone, as `which` prints it) is output, not a command."""
    return _INSTALLED.match(row.strip()) is not None


def _first_word(row: str) -> str:
    """The program a row runs, by name: `sudo X` runs X when X is a known program, and is a
    command in its own right otherwise (`sudo sv start gitlab-monitor`: nobody prints `sudo`
    at the start of a line of output); `sudo -u git X` is sudo."""
    words = row.split(None, 2)
    if words[:1] == ["sudo"] and len(words) > 1 and not words[1].startswith("-"):
        program = words[1].rsplit("/", 1)[-1]
        return program if known_program(program) else "sudo"
    return (words[0] if words else "").rsplit("/", 1)[-1]


RECOGNISERS: list[tuple[str, _Test, _Build]] = [
    ("psql", _is_psql, _psql),                                          # db=# SELECT ...;
    ("query", lambda b, lang: lang in QUERY_LANGS, _query),             # ```sql / ```kql / ```promql
    ("tagged", _is_tagged_query, _query),                               # <QUERY_1> SELECT ... </QUERY_1>
    ("python", lambda b, lang: lang in ("python", "py", "python3"), _python),
    ("console code", lambda b, lang: lang in CONSOLE_CODE_LANGS, _console_code),  # ```ruby: typed into a Rails console
    ("console", _is_shell, _console),                                   # ```bash / ```console, prompts or not
    ("sql", _is_unlabelled_sql, _query),                                # ``` SELECT ... FROM (sqlglot parses)
    ("commands", _first_runs, _commands),                               # ``` kubectl get pods
]


def read_block(b: Block, path: str) -> Reading:
    """What code block `b` runs (see the module docstring)."""
    lang = b.lang
    for name, test, build in RECOGNISERS:
        if test(b, lang):
            snippets = build(b, path, lang)
            if snippets:
                return Reading(snippets, "", name)
            return Reading([], "no command in it", name)
    return Reading([], _reason(b, lang))


def _reason(b: Block, lang: str) -> str:
    if lang in _DATA_LANGS:
        return _DATA_LANGS[lang]
    if lang and lang not in _PLAIN:
        return f"{lang} code"
    body = b.code.strip()
    if body.startswith(("{", "[")):
        return "json"
    if re.match(r"[\w\-]+:\s", body):
        return "yaml"
    return "output or text"
