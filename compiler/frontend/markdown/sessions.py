"""What opens a session at a terminal, and how a command typed into it runs unattended.

`session_prefix(words)` is the argv prefix that runs a command inside the session a
command opens (None: it opens none), one row per kind of session:

    oc rsh [-n NS] [-c C] POD, kubectl exec -it POD -- sh   -> oc/kubectl exec [opts] POD --
    oc debug node/N                                          -> oc debug node/N --
    kubectl debug node/N -it, kubectl run -it --rm P ...     -> [] (a terminal: typed by hand)
    ssh HOST                                                 -> ssh HOST --
    sudo su [-] [USER], sudo -i, sudo -s, sudo -iu USER      -> sudo [-u USER] [-i] --

`console_opener(words)` says whether a command opens an application console (`psql`,
`gitlab-rails console`) and runs nothing by itself. `interactive.plan` uses both to
rewrite a step's commands.
"""

from __future__ import annotations

import re

SHELLS = {"sh", "bash", "/bin/sh", "/bin/bash", "zsh", "/bin/zsh", "ash", "/bin/ash", "cmd", "cmd.exe",
          "powershell", "powershell.exe", "pwsh"}
K8S = {"kubectl", "oc"}
_SESSION_FLAGS = {"-n", "--namespace", "-c", "--container", "--context", "--kubeconfig"}
WORKSTATION = K8S | {"az", "gcloud", "aws", "knife"}  # clients typed at the workstation: a session is over


def program(words: list[str]) -> tuple[int, str]:
    """(index, name) of the program `words` run, past a leading `sudo`."""
    i = 1 if words and words[0] == "sudo" else 0
    return i, (words[i].rsplit("/", 1)[-1] if i < len(words) else "")


def session_prefix(w: list[str]) -> list[str] | None:
    """The argv prefix that runs a command inside the session `w` opens, or None."""
    i, prog = program(w)
    rest = w[i + 1:]
    if prog in K8S:  # `kubectl -n monitoring exec ...`: global options before the verb
        opts, _ = _split_opts(rest[:2]) if rest[:1] and rest[0].startswith("-") else ([], [])
        if len(opts) == 2:
            rest = [*rest[2:3], *opts, *rest[3:]]  # the verb first, the options after it
            w = [*w[:i + 1], *rest]
    if prog in K8S and rest[:1] == ["rsh"]:
        opts, pos = _split_opts(rest[1:])
        if len(pos) == 1:
            return [prog, "exec", *opts, pos[0], "--"]
    if prog in (*K8S, "docker") and rest[:1] == ["exec"] and ({"-it", "-ti", "-i"} & set(rest) or "--" not in rest):
        head, cmd = (rest[1:rest.index("--")], rest[rest.index("--") + 1:]) if "--" in rest else (rest[1:], [])
        head = [x for x in head if x not in ("-it", "-ti", "-i", "-t", "--stdin", "--tty")]
        opts, pos = _split_opts(head)
        if len(pos) == 2 and pos[1] in SHELLS and not cmd:
            pos = pos[:1]  # `kubectl exec -it POD sh` (the old form of `-- sh`)
        if len(pos) == 1 and (not cmd or cmd[0] in SHELLS):
            return [prog, "exec", *opts, pos[0], "--"]
    if prog == "oc" and rest[:1] == ["debug"] and "--" not in rest:
        return [*w[i:], "--"]
    if prog == "kubectl" and rest[:1] == ["debug"] and "--" not in rest:
        return []  # a debug pod with a terminal: what is typed into it is done by hand
    if prog in K8S and rest[:1] == ["run"] and {"-it", "-ti"} & set(rest) and \
            ("--" not in rest or rest[rest.index("--") + 1:][:1] in ([s] for s in SHELLS)):
        return []  # `kubectl run -it --rm test --image=debian`: a throwaway pod's terminal, done by hand
    if prog == "ssh":
        opts, pos = _split_opts(rest)
        if len(pos) == 1:
            return [*w[i:], "--"]
    return user_shell(w)


_LOGIN = {"-", "-l", "--login", "-i", "--login-shell"}


def user_shell(w: list[str]) -> list[str] | None:
    """`sudo su [-] [USER]`, `sudo -i`, `sudo -s`, `sudo -iu USER`, `sudo -u USER -i`, `sudo su USER -s
    /bin/bash`: a shell as another user (root when none is named); what is typed into it runs as
    `sudo [-u USER] [-i] -- cmd` (`-i`, a login shell, when the document asked for one). A `-c`
    runs one command and opens nothing."""
    if w[:1] != ["sudo"] or len(w) < 2 or any(a in ("-c", "--command") for a in w):
        return None
    args = w[2:] if w[1] == "su" else w[1:]
    if w[1] == "su":
        names = [a for k, a in enumerate(args) if not a.startswith("-") and (k == 0 or args[k - 1] != "-s")]
        login = bool(_LOGIN & set(args))
    else:
        flags = "".join(a[1:] for a in args if re.fullmatch(r"-[a-zA-Z]+", a))
        if not ({"i", "s"} & set(flags)) or [a for a in args if not a.startswith("-") and a not in _after_u(args)]:
            return None  # `sudo -u git X`: one command, not a shell
        names = _after_u(args)
        login = "i" in flags
    if len(names) > 1:
        return None
    return ["sudo", *(["-u", names[0]] if names and names[0] != "root" else []), *(["-i"] if login else []), "--"]


def _after_u(args: list[str]) -> list[str]:
    """The user of `-u USER` / `-iu USER` in sudo's options."""
    return [args[k + 1] for k, a in enumerate(args[:-1]) if re.fullmatch(r"-[a-zA-Z]*u", a)]


CONSOLES = {"psql", "gitlab-psql", "mysql", "redis-cli", "sqlite3", "irb", "python", "python3", "node", "bash", "sh",
             "zsh", "mongo", "mongosh", "cqlsh", "clickhouse-client", "gitlab-redis-cli"}


def console_opener(w: list[str]) -> bool:
    """Whether `w` opens an interactive console and runs nothing by itself (`gitlab-rails console`,
    `psql` without `-c`, `redis-cli` without a command, `python3` alone)."""
    i, prog = program(w)
    rest = w[i + 1:]
    if prog in ("gitlab-rails", "rails"):
        return rest[:1] in (["console"], ["c"], ["dbconsole"])
    if prog not in CONSOLES:
        return False
    if any(re.match(r"-[a-zA-Z]*[cef]\Z|--(?:command|file|execute|eval)", a) for a in rest):
        return False
    positional = [a for a in rest if not a.startswith("-")]
    if prog in ("psql", "gitlab-psql", "mysql"):
        return all("=" not in a and " " not in a for a in positional) and len(positional) <= 2 and \
            not any(a.startswith("<") for a in rest)
    if prog in ("redis-cli", "gitlab-redis-cli"):
        return not [a for a in positional if not re.match(r"[\d.:]+\Z", a)] and "-h" not in rest[-1:]
    return not positional


def _split_opts(args: list[str]) -> tuple[list[str], list[str]]:
    opts: list[str] = []
    pos: list[str] = []
    k = 0
    while k < len(args):
        a = args[k]
        if a in _SESSION_FLAGS and k + 1 < len(args):
            opts += [a, args[k + 1]]
            k += 2
            continue
        (opts if a.startswith("-") else pos).append(a)
        k += 1
    return opts, pos
