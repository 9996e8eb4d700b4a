"""Interactive and streaming commands: a form that runs unattended, or a manual step.

A runbook is written for a person at a terminal: `oc rsh POD` and the commands
typed into that shell, `kubectl logs -f`, `watch ...`, `oc edit`. Run as batch
commands they block until the timeout, and the commands meant for inside a pod
would run on the local host. `plan(snippets)` rewrites a step's shell snippets
in order with a table of rules (`REWRITES`, each `(name, rule)`; the first that
applies wins), and opens and closes sessions:

    watch [-n 5] X                 -> X, once
    kubectl/oc logs ... -f         -> ... --tail=200 (bounded; --since/--tail kept)
    kubectl/oc get ... -w          -> without --watch
    journalctl ... -f / tail -f F  -> journalctl ... -n 200 / tail -n 200 F
    ping HOST                      -> ping -c 4 HOST
    kubectl gadget run G ...       -> ... --timeout 10 (an Inspektor Gadget trace runs until stopped)
    kubectl/oc/docker exec -it P -- cmd -> exec P -- cmd (no terminal needed)

    oc rsh [-n NS] [-c C] POD, kubectl exec -it POD -- sh   open a pod session: the next commands
                                   (of the same top-level step) run as `oc exec [-n NS] [-c C] POD -- cmd`
    oc debug node/N                a node session: `oc debug node/N -- cmd`; `chroot /host` in it
                                   prefixes the commands after it
    kubectl debug node/N -it ...   a debug pod's terminal: it and what is typed into it are manual
    kubectl run -it --rm P ...     a throwaway pod's terminal: the same
    ssh HOST                       a host session: `ssh HOST -- cmd`

The sessions themselves (what opens one, the prefix its commands run behind) are
`sessions.session_prefix`: besides pods, nodes and `ssh HOST`, `sudo su [- USER]` / `sudo -i`
(a shell as another user: `sudo [-u USER] [-i] -- cmd`, nested in an `ssh` session when typed
into one). `exit` typed into a session ends it (back to the session it was opened in), and a
workstation client (kubectl, oc, az, gcloud, aws, knife) runs outside any session.

A session with no command typed into it, an editor (`oc edit`, `vi`), a pager,
`top`, `port-forward`, `attach`, `kubectl debug` sessions, `tcpdump` without `-c`, and
code for an application console (a ```ruby block, `console` snippets)
become `Planned(manual=reason)`: a `ctrl.manual` step, skipped with a report in
unattended runs. Nothing a document meant for a pod or node runs on this host.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, replace

from skc.compiler.frontend.markdown.blocks import Snippet
from skc.compiler.frontend.markdown.sessions import (
    CONSOLES,
    K8S,
    SHELLS,
    WORKSTATION,
    console_opener,
    program,
    session_prefix,
)

TAIL = "200"
_EDITORS = {"vi", "vim", "nano", "emacs", "less", "more", "top", "htop", "k9s", "mc", "screen", "tmux", "iftop",
            "nmtui", "crictl-shell"}
@dataclass
class Planned:
    """One snippet as it will run (`snippet`, maybe rewritten), or a manual step (`manual` is why)."""

    snippet: Snippet
    manual: str = ""
    was: str = ""  # the document's text, when the command was rewritten


_SUBST = re.compile(r"\$\((?:[^()]|\([^()]*\))*\)|`[^`]*`")
_SPACED_PLACEHOLDER = re.compile(r"<[A-Za-z_][\w.-]*(?: [\w.-]+)+>")  # `<pod name>`: one word, not a redirection


def _words(text: str) -> list[str] | None:
    """Shell words; a command substitution (`$(kubectl get po ... | awk ...)`) stays one word."""
    subs: list[str] = []

    def hide(m: re.Match[str]) -> str:
        subs.append(m.group(0))
        return f"__skc_sub{len(subs) - 1}__"

    try:
        words = shlex.split(_SPACED_PLACEHOLDER.sub(hide, _SUBST.sub(hide, text)), posix=True)
    except ValueError:
        return None
    return [re.sub(r"__skc_sub(\d+)__", lambda m: subs[int(m.group(1))], w) for w in words]


def _join(words: list[str]) -> str:
    """Words back into a command line; placeholders (`<pod>`, `$NS`, `{ns}`) stay unquoted."""
    return " ".join(w if re.fullmatch(r"[^\s'\"\\|&;()`]+", w) or _SUBST.fullmatch(w) else shlex.quote(w)
                    for w in words)


def _in_shell(text: str) -> list[str]:
    """`sh -c "text"`, double-quoted so that placeholders in it are still seen."""
    return ["sh", "-c", '"' + re.sub(r'(["\\`])', r"\\\1", text) + '"']


# ---------------------------------------------------------------- one-command rules (words -> words or a reason)

Rule = Callable[[list[str]], "list[str] | str | None"]


def _watch(w: list[str]) -> list[str] | str | None:
    i, prog = program(w)
    if prog != "watch":
        return None
    j = i + 1
    while j < len(w) and w[j].startswith("-"):
        j += 2 if w[j] in ("-n", "--interval", "-x") and not w[j].startswith("--interval=") else 1
    if j >= len(w):
        return "watches the screen"
    rest = w[j:]
    return w[:i] + (["sh", "-c", rest[0]] if len(rest) == 1 and " " in rest[0] else rest)  # watch 'a | b' 


def _follow(w: list[str]) -> list[str] | str | None:
    i, prog = program(w)
    rest = w[i + 1:]
    if prog in K8S and "logs" in rest[:3] and ({"-f", "--follow"} & set(rest) or "--follow=true" in rest):
        kept = [x for x in w if x not in ("-f", "--follow", "--follow=true")]
        bounded = any(x.startswith(("--tail", "--since")) for x in kept)
        return kept if bounded else [*kept, f"--tail={TAIL}"]
    if prog == "journalctl" and {"-f", "--follow"} & set(rest):
        kept = [x for x in w if x not in ("-f", "--follow")]
        return kept if {"-n", "--lines"} & set(kept) else [*kept, "-n", TAIL]
    if prog == "tail" and {"-f", "-F", "--follow"} & set(rest):
        kept = [x for x in w if x not in ("-f", "-F", "--follow")]
        return kept if "-n" in kept else [*kept[:i + 1], "-n", TAIL, *kept[i + 1:]]
    return None


def _watch_flag(w: list[str]) -> list[str] | str | None:
    i, prog = program(w)
    rest = w[i + 1:]
    if prog in K8S and rest[:1] == ["get"] and {"-w", "--watch", "--watch-only"} & set(rest):
        return [x for x in w if x not in ("-w", "--watch", "--watch-only")]
    return None


def _ping(w: list[str]) -> list[str] | str | None:
    i, prog = program(w)
    if prog in ("ping", "ping6") and not any(x == "-c" or x.startswith("-c") for x in w[i + 1:]):
        return [*w[:i + 1], "-c", "4", *w[i + 1:]]
    return None


def _tty_exec(w: list[str]) -> list[str] | str | None:
    i, prog = program(w)
    rest = w[i + 1:]
    if prog in (*K8S, "docker") and rest[:1] == ["exec"] and "--" in rest:
        cmd = rest[rest.index("--") + 1:]
        if cmd and cmd[0] not in SHELLS:
            return [x for x in w if x not in ("-it", "-ti", "-i", "-t", "--stdin", "--tty")]
    return None


GADGET_SECONDS = "10"


def _gadget(w: list[str]) -> list[str] | str | None:
    """`kubectl gadget run trace_dns ...` (Inspektor Gadget) traces until stopped: bound it."""
    i, prog = program(w)
    rest = w[i + 1:]
    if prog in K8S and rest[:2] == ["gadget", "run"] and not any(x.startswith("--timeout") for x in rest):
        return [*w, "--timeout", GADGET_SECONDS]
    return None


def _manual(w: list[str]) -> list[str] | str | None:
    i, prog = program(w)
    rest = w[i + 1:]
    if prog in _EDITORS:
        return "opens an interactive program"
    if prog in K8S and rest[:1] and rest[0] in ("edit", "port-forward", "attach", "proxy"):
        return "opens an editor" if rest[0] == "edit" else f"runs `{rest[0]}` until stopped"
    if prog == "tcpdump" and not any(x == "-c" or x.startswith("-c") for x in rest):
        return "captures until stopped"
    if prog == "az" and rest[:2] in (["aks", "browse"], ["ssh", "vm"]):
        return "opens an interactive session"
    if prog in ("gpg", "gpg2") and _GPG_MENUS & set(rest) and "--batch" not in rest:
        return "opens gpg's interactive menu (what is typed at `gpg>` is done by hand)"
    return None


_GPG_MENUS = {"--edit-key", "--card-edit", "--edit-card", "--full-generate-key", "--full-gen-key", "--gen-key",
              "--generate-key"}  # yubikey.md: `gpg> addcardkey`, `gpg> trust` typed into them


REWRITES: list[tuple[str, Rule]] = [
    ("watch", _watch),            # watch -n 5 kubectl get pods -> kubectl get pods
    ("follow", _follow),          # kubectl logs -f x -> kubectl logs x --tail=200
    ("watch-flag", _watch_flag),  # kubectl get pods -w -> kubectl get pods
    ("ping", _ping),              # ping host -> ping -c 4 host
    ("tty-exec", _tty_exec),      # kubectl exec -it p -- ls -> kubectl exec p -- ls
    ("gadget", _gadget),          # kubectl gadget run trace_dns ... -> ... --timeout 10
    ("manual", _manual),          # oc edit, vi, port-forward, tcpdump, gpg --edit-key -> ctrl.manual
]


# ---------------------------------------------------------------- sessions


@dataclass
class Session:
    """An open session: the argv prefix that runs a command inside it, and the step it was opened in."""

    prefix: list[str]
    unit: str
    programs: frozenset[str] = frozenset()  # what was typed into it: later steps running these are still inside
    cwd: str = ""  # where `cd` moved inside it
    below: list[str] | None = None  # under a shell as another user: the session it was typed into
    user_block: int | None = None  # the block that shell was opened in: it ends with that block


def plan(snippets: list[Snippet], session: Session | None = None, unit: str = "") -> tuple[list[Planned], Session | None]:
    """The snippets of one step as they will run (see the module docstring), and the session
    still open after them. A session opened in an earlier step of the same top-level step
    (`unit`) goes on: "open a shell in the pod:" followed by "check the version:" blocks."""
    out: list[Planned] = []
    inside = set(session.programs) if session is not None else set()
    if session is not None and session.unit != unit and not _continues(snippets, session):
        session, inside = None, set()
    prefix: list[str] | None = session.prefix if session is not None else None
    opener: Planned | None = None
    used: set[int] = set()  # session openers that had commands typed into them: no step of their own
    cwd = session.cwd if session is not None else ""
    below = session.below if session is not None else None
    user_block = session.user_block if session is not None else None
    for k, sn in enumerate(snippets):
        if sn.kind == "console":
            out.append(Planned(sn, manual="is code for an application console (Rails), not for this host"))
            continue
        if sn.kind != "shell":
            out.append(Planned(sn))
            continue
        if user_block is not None and sn.block != user_block:  # `sudo su - x` + its commands: one block
            prefix, user_block, cwd = below, None, ""
        if prefix is None and not _may_matter(sn.text):
            out.append(Planned(sn))  # the common case: a batch command no rule is about
            continue
        words = _words(sn.text)
        if words is None:
            out.append(Planned(sn))
            continue
        if prefix is not None and words[:1] in (["exit"], ["logout"]) and len(words) <= 2:
            prefix, opener = (below, None) if user_block is not None else (None, None)  # it ends, nothing runs
            user_block = None
            continue
        if prefix is not None and len(words) == 1 and words[0] in SHELLS:
            continue  # `bash` typed into a shell: the same session goes on
        if prefix is not None and program(words)[1] in WORKSTATION:
            prefix, opener, user_block = None, None, None  # a cluster client runs at the workstation
        opened = session_prefix(words)
        if prefix is not None and opened is None:
            if opener is not None and sn.block == opener.snippet.block and prefix:
                used.add(id(opener))
            inside.add(program(words)[1])
            if words[:2] == ["chroot", "/host"] and len(words) == 2:
                prefix = [*prefix, "chroot", "/host"] if prefix else prefix
                continue
            if not prefix:
                out.append(Planned(sn, manual="is typed into an interactive debug shell"))
                continue
            alone = _one(sn, words)  # `journalctl -f` typed into the session is bounded there too
            if alone.manual:
                out.append(alone)
                continue
            sn, words = replace(sn, text=alone.snippet.text), _words(alone.snippet.text) or words
            if words[:1] == ["cd"] and len(words) == 2:  # (no words: a lone `\` line typed into the session)
                cwd = words[1]  # the session's working directory: later commands run there
                continue
            text = f"cd {cwd} && {sn.text}" if cwd else sn.text
            line = _join(prefix) + " " + (_join(words) if not re.search(r"[|&;<>*?~]|\$\(", text)
                                          else _join(["sh", "-c"]) + " " + _in_shell(text)[2])
            out.append(Planned(replace(sn, text=line), was=alone.was or sn.text))
            continue
        if opened is not None:  # `sudo su` inside `ssh host`: `ssh host -- sudo -- cmd`; `exit` leaves it
            if opened[:1] != ["sudo"]:  # a pod, node or host session (`user_shell` makes the sudo ones)
                prefix, user_block = opened, None
            else:  # a second `sudo su - x` replaces the first (aptly.md opens one per block)
                below = below if user_block is not None else prefix
                prefix, user_block = ([*below, *opened] if below else opened), sn.block
            cwd = ""
            opener = Planned(sn, manual="opens an interactive shell; the commands typed into it run through it")
            out.append(opener)
            continue
        nxt = snippets[k + 1] if k + 1 < len(snippets) else None
        if console_opener(words) and (nxt is None or nxt.block != sn.block or nxt.kind != "shell"):
            out.append(Planned(sn, manual="opens an interactive console and nothing is typed into it here"))
            continue
        out.append(_one(sn, words))
    return [p for p in out if id(p) not in used], \
        (Session(prefix, unit, frozenset(inside), cwd, below, user_block) if prefix is not None else None)


_RULED = {"kubectl", "oc", "docker", "watch", "journalctl", "tail", "ping", "ping6", "ssh", "su", "tcpdump", "az", "rails",
          "gitlab-rails", "gpg", "gpg2", *_EDITORS, *CONSOLES, "knife"}


def _may_matter(text: str) -> bool:
    """Whether any rule or session could apply to a command (its program, after `sudo`)."""
    head = text.split(None, 2)
    prog = head[1] if head[:1] == ["sudo"] and len(head) > 1 else (head[0] if head else "")
    return prog.rsplit("/", 1)[-1] in _RULED or (head[:1] == ["sudo"] and prog.startswith("-"))


def _continues(snippets: list[Snippet], session: Session) -> bool:
    """Whether a later step still types into the session: its first command runs a program that
    only ran inside the session so far (`etcdctl defrag` under "Mitigation" after `oc rsh`)."""
    first = next((sn for sn in snippets if sn.kind == "shell"), None)
    words = _words(first.text) if first is not None else None
    return bool(words) and program(words or [])[1] in session.programs


def _one(sn: Snippet, words: list[str]) -> Planned:
    for _name, rule in REWRITES:
        got = rule(words)
        if isinstance(got, str):
            return Planned(sn, manual=got)
        if got is not None:
            return Planned(replace(sn, text=_join(got)), was=sn.text)
    return Planned(sn)
