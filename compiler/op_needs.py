"""What an op needs from the machine it runs on, read off its attributes.

`needs_of(op)` returns `Need`s: binaries, scripts, env vars, data sources, hosts
and credentials, found by a table of rules keyed by op class (`NEEDS`) plus a scan of the
op's command-like attributes for `$VAR` references. The `env-bind` pass binds
them to an `Environment`; nothing here looks at the machine.

Shell command lines are read the way a shell would split them (`shlex` with
punctuation): every simple command in pipes, lists, `$(...)` and lines counts,
wrappers (`sudo`, `timeout 10`, `xargs -I {}`) and assignments are skipped,
builtins need no binary, and here-document bodies are not commands.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from skc.compiler.environment import is_secret_name
from skc.compiler.python_imports import imports_of
from skc.ir.core import Op
from skc.ir.dialects.llm import AgentOp
from skc.ir.dialects.tool import HttpOp, PythonOp, ScriptOp, ShellOp, SqlOp


@dataclass(frozen=True)
class Need:
    """One thing an op needs: a binary, script, env var, data source, host or credential."""

    kind: str
    name: str
    optional: bool = False
    dynamic: bool = False
    alternatives: tuple[str, ...] = ()


_PLACEHOLDER = re.compile(r"\{\d+\}")
_VAR = re.compile(r"\$(?:\{([A-Za-z_]\w*)([:]?[-=?+][^}]*)?\}|([A-Za-z_]\w*))")
_ASSIGNED = re.compile(r"(?:^|[\s;&|(`])(?:export\s+|local\s+|readonly\s+|declare\s+(?:-\w+\s+)*)?([A-Za-z_]\w*)="
                       r"|\bfor\s+([A-Za-z_]\w*)\s+in\b|\bread\s+(?:-\w+\s+)*([A-Za-z_]\w*)")
_PY_ENV = re.compile(r"""os\.(?:environ(?:\.get)?\s*[\[(]|getenv\s*\()\s*["']([A-Za-z_]\w*)["']""")
_PROGRAM = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9_./+@~-]*[A-Za-z0-9_+]")
_URL = re.compile(r"\bhttps?://[^\s\"'<>|;]+")
_SINGLE_QUOTED = re.compile(r"'[^']*'")

# Names a shell sets itself, and names every login environment has.
_SHELL_VARS = frozenset({"RANDOM", "LINENO", "SECONDS", "UID", "EUID", "PPID", "BASHPID", "BASH",
                         "BASH_VERSION", "BASH_SOURCE", "FUNCNAME", "PIPESTATUS", "IFS", "OPTARG",
                         "OPTIND", "REPLY", "OLDPWD", "SHLVL", "HOSTNAME", "HOSTTYPE", "OSTYPE"})
ALWAYS_SET = frozenset({"HOME", "PATH", "PWD", "USER", "SHELL", "LANG", "TERM", "TMPDIR", "LOGNAME"})

# Words that run the command after them; with the options of each that take a value.
_WRAPPERS: dict[str, frozenset[str]] = {
    "sudo": frozenset({"-u", "-g", "-h", "-p", "-C", "-U"}), "env": frozenset({"-u", "-C", "-S"}),
    "nice": frozenset({"-n"}), "ionice": frozenset({"-c", "-n", "-p"}), "stdbuf": frozenset({"-i", "-o", "-e"}),
    "timeout": frozenset({"-s", "-k"}), "watch": frozenset({"-n", "-d"}),
    "xargs": frozenset({"-I", "-n", "-P", "-d", "-L", "-s", "-E", "-a"}),
    **dict.fromkeys(("time", "nohup", "exec", "command", "builtin", "then", "do", "else", "elif", "if",
                     "while", "until", "!", "{", "}", "$", "%", "#"), frozenset()),
}
_BUILTINS = frozenset({"cd", "echo", "export", "set", "unset", "test", "[", "[[", "]]", "]", "true",
                       "false", "read", "source", ".", "eval", "fi", "for", "in", "done", "case",
                       "esac", "function", "return", "exit", "local", "declare", "typeset", "readonly",
                       "shift", "trap", "wait", "printf", "pwd", "alias", "type", "hash", "ulimit",
                       "umask", "let", "break", "continue", "select", "getopts", "jobs", "fg", "bg",
                       "shopt", "mapfile", "readarray", ":", "((", "))"})
EXTENSION_INTERPRETER = {".py": "python3", ".sh": "bash", ".bash": "bash", ".js": "node",
                          ".mjs": "node", ".ts": "deno", ".rb": "ruby", ".pl": "perl"}

# Binaries that need a credential, and what provides one (any of them will do).
BINARY_CREDENTIALS: dict[str, tuple[str, tuple[str, ...]]] = {
    **dict.fromkeys(("kubectl", "oc", "helm", "k9s", "kubectx", "virtctl"),
                    ("kubernetes", ("KUBECONFIG", "~/.kube/config",
                                    "/var/run/secrets/kubernetes.io/serviceaccount/token"))),
    "gh": ("github", ("GH_TOKEN", "GITHUB_TOKEN", "~/.config/gh/hosts.yml")),
    "glab": ("gitlab", ("GITLAB_TOKEN", "~/.config/glab-cli/config.yml")),
    "aws": ("aws", ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "~/.aws/credentials")),
    **dict.fromkeys(("gcloud", "gsutil", "bq"),
                    ("gcloud", ("GOOGLE_APPLICATION_CREDENTIALS", "~/.config/gcloud"))),
    "az": ("azure", ("AZURE_CLIENT_SECRET", "~/.azure")),
    "vault": ("vault", ("VAULT_TOKEN", "~/.vault-token")),
}

_SCAN_ATTRS = ("argv", "cmd", "path", "args", "url", "headers", "cwd")
_READ_ATTRS = frozenset((*_SCAN_ATTRS, "env"))  # every attribute `needs_of` reads outside the rules


def env_refs(text: str, *, shell: bool = False) -> Iterator[Need]:
    """`$VAR` / `${VAR}` references in `text` (not inside single quotes when `shell`)."""
    if shell:
        assigned = {n for m in _ASSIGNED.finditer(text) for n in m.groups() if n}
        text = _SINGLE_QUOTED.sub("", text)
    else:
        assigned = set()
    for m in _VAR.finditer(text):
        name = m.group(1) or m.group(3)
        if name in _SHELL_VARS or name in assigned:
            continue
        optional = bool(m.group(2)) and m.group(2).lstrip(":")[:1] in "-=+"
        kind = "credential" if is_secret_name(name) else "env"
        yield Need(kind, name, optional=optional)


def _logical_lines(cmd: str) -> Iterator[str]:
    """Lines of a shell script with continuations joined and here-document bodies skipped."""
    heredoc: str | None = None
    for line in cmd.replace("\\\n", " ").splitlines():
        if heredoc is not None:
            if line.strip() == heredoc:
                heredoc = None
            continue
        m = re.search(r"(?<!<)<<-?(?!<)\s*['\"]?(\w+)['\"]?", line)
        if m:
            heredoc = m.group(1)
        yield line


# What `_shlex_tokens` makes of a plain line, found by two regular expressions (shlex reads a
# character at a time): words of its word characters and quoted strings (quotes removed), and runs
# of punctuation. A line with anything else (a backslash, `#`, a backtick, an unclosed quote, other
# characters outside quotes) is left to shlex.
_WORD_CHAR = r"[A-Za-z0-9_~\-./*?=:$@%+,{}\[\]^]"  # shlex's with punctuation_chars, plus `_shlex_tokens`' own
_PLAIN_TOKEN = rf"(?:{_WORD_CHAR}|'[^']*'|\"[^\"\\]*\")+|[();<>|&]+"
_PLAIN_LINE = re.compile(rf"(?:{_WORD_CHAR}|'[^']*'|\"[^\"\\]*\"|[();<>|& \t])*")  # one piece a step: linear
_TOKEN = re.compile(_PLAIN_TOKEN)
_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")


def _tokens(line: str) -> list[str]:
    """The shell words and punctuation of one line (`_shlex_tokens`, quicker for plain lines)."""
    if _PLAIN_LINE.fullmatch(line):
        return [_QUOTED.sub(_unquoted, t) if "'" in t or '"' in t else t for t in _TOKEN.findall(line)]
    return _shlex_tokens(line)


def _unquoted(m: re.Match[str]) -> str:
    return m.group(1) if m.group(1) is not None else m.group(2)


def _shlex_tokens(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.commenters = "#"
    lexer.wordchars += ":$@%+,{}[]^"
    try:
        return list(lexer)
    except ValueError:  # unbalanced quotes: fall back to words
        return line.split()


def _separator(tok: str) -> bool:
    return tok == "`" or (all(c in "();<>|&" for c in tok) and not tok.startswith(("<", ">"))
                          and tok not in ("&>", "&>>"))


SUBSTITUTION = "$(...)"


def command_words(cmd: str) -> Iterator[list[str]]:
    """The words of every simple command in a shell command line (pipes, `&&`, `$(...)`, lines).

    A command substitution is a command of its own and one word, `$(...)`, of the command around it.
    """
    for line in _logical_lines(cmd):
        outer: list[list[str]] = []
        words: list[str] = []
        for tok in _tokens(line):
            if not _separator(tok):
                words.append(tok)
                continue
            for c in tok:
                opens = c == "(" or (c == "`" and (not outer or outer[-1][-1:] != [SUBSTITUTION + "`"]))
                if opens:
                    if words[-1:] == ["$"] or c == "`":
                        words = [*words[:-1], SUBSTITUTION] if c == "(" else [*words, SUBSTITUTION + "`"]
                    outer.append(words)
                    words = []
                    continue
                if words:
                    yield words
                words = []
                if c in ")`" and outer:
                    words = outer.pop()
                    if words[-1:] == [SUBSTITUTION + "`"]:
                        words[-1] = SUBSTITUTION
        for w in [*outer, words]:
            if w and not (len(w) == 1 and w[0] == SUBSTITUTION):
                yield w


def _program(words: list[str]) -> tuple[str | None, list[str]]:
    """The program a simple command runs (None for builtins) and its arguments."""
    i = 0
    while i < len(words):
        w = words[i]
        if re.match(r"[A-Za-z_]\w*=", w):
            i += 1
        elif w.startswith(("<", ">")):  # a redirection and its target
            i += 2
        elif w.isdigit() and words[i + 1:i + 2] and words[i + 1].startswith(("<", ">")):  # 2>&1
            i += 1
        elif w in _WRAPPERS:
            i += 1
            while i < len(words) and (words[i].startswith("-") or re.fullmatch(r"[\d.]+[smhd]?", words[i])):
                i += 1 + (words[i] in _WRAPPERS[w])
        else:
            break
    if i >= len(words) or words[i] in _BUILTINS or (words[i] != SUBSTITUTION
                                                    and not re.search(r"[A-Za-z0-9]", words[i])):
        return None, []
    return words[i], words[i + 1:]


def _binary_needs(program: str, args: list[str]) -> Iterator[Need]:
    if _PLACEHOLDER.search(program) or "$" in program or "`" in program:
        yield Need("binary", program, dynamic=True)
        return
    if not _PROGRAM.fullmatch(program):
        return  # `1.`, `name:`, `{`: output or prose pasted into a command, not a program
    if "/" in program and not program.startswith(("/", "~")):  # relative to the cwd: bundled if in the skill
        yield Need("script", program.removeprefix("./"), optional=True)
        return
    yield Need("binary", program)
    base = program.rsplit("/", 1)[-1]
    if base in BINARY_CREDENTIALS:
        name, alternatives = BINARY_CREDENTIALS[base]
        yield Need("credential", name, alternatives=alternatives)
    if re.fullmatch(r"python[\d.]*|bash|sh|zsh|node|ruby|perl", base):
        target = next((a for a in args if not a.startswith("-")), None)
        if target and re.search(r"\.(py|sh|bash|js|mjs|rb|pl)$", target) and not target.startswith("/") \
                and not _PLACEHOLDER.search(target) and "$" not in target:
            yield Need("script", target.removeprefix("./"), optional=True)


def _hosts_in(text: str) -> Iterator[Need]:
    if "http" not in text:
        return  # no URL (`_URL` starts with it)
    for m in _URL.finditer(text):
        yield from _host_need(m.group(0))


def _host_need(url: str) -> Iterator[Need]:
    netloc = urlsplit(url).netloc.rpartition("@")[2]
    host = netloc.rsplit(":", 1)[0] if not netloc.endswith("]") else netloc
    if not host:
        return
    dynamic = bool(_PLACEHOLDER.search(host)) or "$" in host or "{" in host or "<" in host
    yield Need("host", host.strip("[]").lower() if not dynamic else host, dynamic=dynamic)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)


def _shell_needs(op: Op) -> Iterator[Need]:
    argv = op.attributes.get("argv")
    cmd = op.attributes.get("cmd")
    if isinstance(argv, list) and argv:
        yield from _binary_needs(str(argv[0]), [str(a) for a in argv[1:]])
        for a in argv:
            yield from _hosts_in(str(a))
    if isinstance(cmd, str):
        for words in command_words(cmd):
            program, args = _program(words)
            if program is not None:
                yield from _binary_needs(program, args)
        yield from _hosts_in(cmd)


def _script_needs(op: Op) -> Iterator[Need]:
    path = op.attributes.get("path")
    if isinstance(path, str):
        dynamic = bool(_PLACEHOLDER.search(path)) or "$" in path
        yield Need("script", path, dynamic=dynamic)
        if path.endswith(".py") and not dynamic:
            yield Need("imports", path)  # the packages the script imports
    interpreter = op.attributes.get("interpreter")
    if isinstance(interpreter, str) and interpreter:
        yield from _binary_needs(interpreter.split()[0], [])


def _sql_needs(op: Op) -> Iterator[Need]:
    db = op.attributes.get("db")
    yield Need("data_source", db if isinstance(db, str) else "", alternatives=(str(op.attributes.get("lang") or "sql"),))


def _http_needs(op: Op) -> Iterator[Need]:
    url = op.attributes.get("url")
    if isinstance(url, str):
        if url.startswith(("{", "$")):
            yield Need("host", url.split("/", 1)[0], dynamic=True)
        else:
            yield from _host_need(url)


def _python_needs(op: Op) -> Iterator[Need]:
    code = op.attributes.get("code")
    for name in _PY_ENV.findall(code if isinstance(code, str) else ""):
        yield Need("credential" if is_secret_name(name) else "env", name)
    for module in imports_of(code if isinstance(code, str) else ""):
        yield Need("package", module)


def _agent_needs(op: Op) -> Iterator[Need]:
    for tool in _strings(op.attributes.get("tools")):
        m = re.fullmatch(r"Bash\(\s*([A-Za-z0-9_.\-]+)[\s:].*\)", tool)
        if m:
            yield Need("binary", m.group(1), optional=True)


NEEDS: dict[type[Op], Callable[[Op], Iterator[Need]]] = {
    ShellOp: _shell_needs,      # argv[0] / every command of cmd -> binary
    ScriptOp: _script_needs,    # path -> script, interpreter -> binary
    SqlOp: _sql_needs,          # db -> data source
    HttpOp: _http_needs,        # url -> host
    PythonOp: _python_needs,    # os.environ[...] -> env var, imports -> package
    AgentOp: _agent_needs,      # Bash(git:*) -> binary
}


def needs_of(op: Op) -> list[Need]:
    """Everything `op` needs from its environment, without duplicates, in a stable order."""
    rule = NEEDS.get(type(op))
    if rule is None and op.attributes.keys().isdisjoint(_READ_ATTRS):
        return []  # most ops (data, calc, ctrl, llm) have no rule and nothing to scan
    found: list[Need] = list(rule(op)) if rule is not None else []
    shell = isinstance(op, ShellOp)
    for key in _SCAN_ATTRS:
        value = op.attributes.get(key)
        if value is None:
            continue
        for text in _strings(value):
            if "$" not in text:
                continue  # no reference (`env_refs` finds none)
            if key in ("argv", "args") and any(map(str.isspace, text)):
                continue  # program text for awk, jq, ... (`{print $NF}`), not a reference
            found.extend(env_refs(text, shell=shell and key == "cmd"))
    for name in _strings(op.attributes.get("env")):
        found.append(Need("credential" if is_secret_name(name) else "env", name))
    seen: dict[tuple[str, str], Need] = {}
    for need in found:
        ident = (need.kind, need.name)
        if ident not in seen or (seen[ident].optional and not need.optional):
            seen[ident] = need
    return list(seen.values())


def infer_interpreter(file: Path) -> str | None:
    """The interpreter a script's shebang or extension names (`python3`, `bash`), or None."""
    try:
        with file.open("rb") as f:
            first = f.readline(200).decode("utf-8", "replace").strip()
    except OSError:
        first = ""
    if first.startswith("#!"):
        words = first[2:].split()
        if words:
            prog = words[1] if words[0].endswith("/env") and len(words) > 1 else words[0]
            return prog.rsplit("/", 1)[-1]
    return EXTENSION_INTERPRETER.get(file.suffix)
