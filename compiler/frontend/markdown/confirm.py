"""Which writes a document asks a person to confirm: the phrases people write, as a table.

`confirmation(path, context, before, command)` says whether a write must wait for a
person (`confirm = true` on its op, enforced by `skc.runtime.approvals`), and why
(the phrase found, for `skc check` and the corpus survey). `context` is the
prose of the write's step and of the steps and sections around it; `before` is the
document text from the step's start to the command (where admonitions stand);
`command` is the command or query itself.

The table comes from reading the corpus runbooks (gitlab, prometheus-operator,
azure-aks) and skills. People ask for a person in these ways:

- approval: "get approval from the EOC", "after approval", "requires manager approval",
  "ask the SRE team for approval", "Get consensus/approval from some peers", "once approved";
- a person consulted: "check with the people in #releases", "confirm with the service
  owner", "coordinate with the DBRE on call", "ask the service owner if ... can be deleted";
- agreement as a condition: "only if the incident commander agrees", "only after the
  owner confirms", "after the owner confirms";
- a prohibition: "do not proceed without ...", "never run this without ...";
- "confirm before ...", "confirm that you want to ...", "are you sure";
- skills: "ask the user before ...", "ask for confirmation", "with the user's permission";
- change management: "change request", "change issue";
- the command's own prompt in the output shown after it ("Are you sure you want to
  perform this operation? (y/N): y", terraform's "Only 'yes' will be accepted");
- a warning admonition (`> **Warning**`, `> [!WARNING]`, `**Caution:**`, `:warning:`) or
  "with caution" / "be careful" before a destructive command (delete, drop, rollback,
  restart, scale, drain, kill, ...): that is how runbooks say "stop and think".

"confirm" alone is not a request: most runbooks use it for checking ("confirm that the
pods exist", "to confirm, look at the dashboard"); "check with `cmd`" is running a
command; "approve the request" is the reader approving someone else's request. Those
stay unmarked, and a write nobody asked to confirm gets SKC123.

"If not approved, go to step N" (also "if the lead does not agree, skip to step N",
"otherwise proceed to step N") names where a rejected write's step continues: the op's
`fallback` (`otherwise`). A document opts out with front matter `approvals: none` (no gates, no SKC123), or
gates every write with `approvals: all`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from skc.compiler.caseless import Lowered
from skc.compiler.frontend.markdown.literals import Screen
from skc.compiler.frontend.markdown.step_model import Step

_WHO = (r"(?:(?:the\s+|a\s+|an\s+|your\s+|another\s+|some\s+|our\s+)?(?:[\w-]+\s+){0,2}?"
        r"(?:IC|EOC|IMOC|CMOC|incident\s+(?:commander|manager|lead)|on[- ]?call|owners?|team|leads?|managers?|SREs?"
        r"|DBREs?|engineers?|experts?|customers?|users?|peers?|someone|somebody|support|reviewers?|approvers?"
        r"|stakeholders?|people|folks|colleagues?|supervisors?|admins?|administrators?|maintainers?|operators?)\b"
        r"|#[\w-]+|@[\w-]+)")  # a person, a role, a team, a #channel or an @handle

# (name, pattern): a phrase that asks a person before the step's writes run.
REQUESTS: list[tuple[str, re.Pattern[str]]] = [
    ("approval", re.compile(  # "get approval from the EOC", "after approval", "requires manager approval"
        r"\b(?:get|getting|obtain|seek|request|requesting|need|needs|needed|require[sd]?|requiring|with|after|upon"
        r"|pending|without|have|has|receive|wait\s+for|ask\s+(?:[\w-]+\s+){0,3}?for)\s+(?:[\w/-]+\s+){0,3}?"
        r"(?:approval|sign[- ]?off|go[- ]ahead|consent)\b", re.I)),
    ("approved", re.compile(  # "once approved", "approved by the owner", "after the MR is approved"
        r"\b(?:once|when|after|until|unless)\s+(?:[\w-]+\s+){0,4}?approved\b|\bapproved\s+by\s+" + _WHO
        + r"|\b(?:get|have)\s+(?:[\w-]+\s+){0,3}?approved\b", re.I)),
    ("consult", re.compile(  # "check with the people in #releases", "confirm with the service owner"
        r"\b(?:check|confirm|consult|coordinate|agree|talk|speak|discuss|sync|clear\s+it|align)\s+(?:this\s+|it\s+"
        r"|first\s+)?with\s+(?:" + _WHO + r")", re.I)),
    ("ask", re.compile(  # "ask the service owner if ...", "ask the user before ...", "ask for permission"
        r"\bask\s+(?:" + _WHO + r")(?!\s+(?:\w+\s+)?to\b)|\bask\s+(?:[\w-]+\s+){0,2}?for\s+(?:permission|confirmation|approval"
        r"|consent|a\s+go[- ]ahead)\b", re.I)),
    ("agrees", re.compile(  # "only if the incident commander agrees", "after the owner confirms"
        r"\b(?:only\s+(?:if|when|after|once)|after|once|unless|until)\s+(?:" + _WHO + r")\s+(?:has\s+|have\s+)?"
        r"(?:agrees?|agreed|approves?|confirms?|confirmed|signs?\s+off|signed\s+off|gives?\s+(?:the\s+|their\s+)?"
        r"(?:ok|okay|go[- ]ahead|green\s+light))", re.I)),
    ("prohibition", re.compile(  # "do not proceed without ...", "never run this without ..."
        r"\b(?:do\s+not|don't|dont|never|must\s+not|should\s+not|shouldn't)\s+(?:[\w-]+\s+){0,6}?without\s+"
        r"(?:(?:[\w-]+\s+){0,3}?(?:approval|permission|consent|sign[- ]?off|confirm\w*|agreement|consult\w*)|"
        r"(?:asking|checking|consulting|confirming|talking|speaking|coordinating)\b)", re.I)),
    ("confirm-before", re.compile(  # "confirm before deleting", "confirm that you want to", "are you sure"
        r"\bconfirm\s+(?:this\s+|it\s+|first\s+)?before\s+(?:\w+ing|you|proceeding|running)\b"
        r"|\bconfirm\s+(?:that\s+)?you\s+(?:really\s+)?(?:want|intend)\b"
        r"|\bare\s+you\s+sure\b|\b(?:permission|confirmation)\s+(?:from|of)\s+(?:" + _WHO + r")"
        r"|\b(?:with|without)\s+(?:the\s+)?(?:user|owner|customer)'s\s+(?:permission|consent|approval|confirmation)",
        re.I)),
    ("change-management", re.compile(  # "open a change request", "create a change issue"
        r"(?i:\bchange\s+(?:request|issue|ticket|management)\b)|\b(?i:in|via|with|under|through|open|create)\s+an?\s+CR\b")),
]

# A warning before a destructive command asks the reader to stop and think.
WARNINGS = re.compile(
    r"^\s*>\s*\[!(?:WARNING|CAUTION|DANGER)\]|^\s*(?:>\s*)?(?:\*\*|__)?(?:warning|caution|danger)\b(?:\*\*|__)?\s*[:!]?"
    r"|:warning:|\u26a0|\{\{<\s*(?:warning|caution)|^\s*!!!\s*(?:warning|danger|caution)"
    r"|\bwith\s+(?:great\s+|extreme\s+|some\s+)?caution\b|\bbe\s+(?:very\s+|extremely\s+)?careful\b"
    r"|\b(?:dangerous|destructive|irreversible|cannot\s+be\s+undone|can\s+not\s+be\s+undone|data\s+loss)\b",
    re.I | re.M)

# What counts as destructive (the corpus survey counts these; admonitions gate only these).
DESTRUCTIVE = Lowered(re.compile(
    r"\b(?:delete|del|rm|rmdir|drop|truncate|destroy|purge|wipe|erase|remove|uninstall|undo|rollback|roll\s+back"
    r"|restart|reboot|shutdown|halt|kill|pkill|killall|terminate|evict|drain|scale|stop|reset|failover|switchover"
    r"|reinit|reinitiali[sz]e|revert|force|prune|detach|deprovision|decommission)\b|--force\b", re.I))


def destructive(command: str) -> bool:
    return DESTRUCTIVE.search(command) is not None


def _stamp(path: str) -> tuple[int, int]:
    """What the caches below are keyed by besides the path (size, modification time): a file
    edited between two compiles in one process (a library rebuild, a test) is read again."""
    try:
        st = os.stat(path)
    except OSError:
        return (-1, -1)
    return (st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=4)  # read once for the policy and the scan of one document
def _source(path: str, stamp: tuple[int, int]) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


@lru_cache(maxsize=256)
def _policy(path: str, stamp: tuple[int, int]) -> str:
    """The document's front matter `approvals:` (`none`, `all`), else `asked`."""
    text = _source(path, stamp)
    if text is None:
        return "asked"
    m = re.match(r"---\s*\n(.*?)\n---\s*(?:\n|$)", text, re.S)
    if m is None or ("approvals" not in m.group(1) and "\\" not in m.group(1)):
        return "asked"  # no such key (without an escape, YAML can only spell it out): not worth parsing
    try:
        data = yaml.safe_load(m.group(1))
    except yaml.YAMLError:
        return "asked"
    value = data.get("approvals") if isinstance(data, dict) else None
    if value is None:
        return "asked"
    if value is False or str(value).strip().lower() in ("none", "off", "no", "false"):
        return "none"
    return "all" if str(value).strip().lower() in ("all", "writes", "every write") else "asked"


def policy(path: str) -> str:
    """`none` (the document opted out), `all` (every write asks) or `asked` (where the prose asks)."""
    return _policy(path, _stamp(path))


_NEGATED = Lowered(re.compile(r"\b(?:don't|dont|do\s+not|never|no\s+need\s+to|without\s+having\s+to)\s+(?:\w+\s+){0,4}$", re.I))


def request(context: str) -> str | None:
    """The kind of request (a REQUESTS name) the text makes, or None. A negated phrase
    ("don't ask the user for a key") is no request."""
    if not _ANY_REQUEST.could_match(context):
        return None
    for name, pattern in REQUESTS:
        for m in pattern.finditer(context):
            if not _NEGATED.search(context[max(0, m.start() - 40):m.start()]) or name == "prohibition":
                return name
    return None


@dataclass(frozen=True)
class _Scan:
    """One document seen as lines: prose lines (outside code fences), headings, and the
    requests its prose makes with the line range each one covers: its section (a `##`
    or deeper heading and its subsections); a change-management request ("do this in a
    change request") also covers a document's title section (the whole procedure), and
    when made under "Preparation" / "Preflight checklist" the sections beside it."""

    lines: tuple[str, ...]
    fenced: tuple[bool, ...]  # per line: inside a code fence (the fence lines included)
    prose: tuple[str, ...]  # "" for lines inside code fences
    heading_at: tuple[int, ...]  # per line: the line of the nearest heading above (0: none)
    requests: tuple[tuple[int, int, str], ...]  # (line, last line of its section, kind)
    preamble_end: int  # the line of the first section heading (after the title)


# Any of REQUESTS (each alternative keeps its own case flag): a line no alternative matches makes no request.
_ANY_REQUEST = Screen([p for _, p in REQUESTS])
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s")
_FENCE = re.compile(r"^\s*(```|~~~)")
_PREPARATION = Lowered(re.compile(r"\b(?:prep\w*|pre-?flight|pre-?requisites?|pre-?checks?|before\s+you\s+"
                                  r"(?:begin|start)|requirements|checklist)\b", re.I))
_ITEM = re.compile(r"^\s*(?:\d+[.)]|[-*+])\s")


def _scan(path: str) -> _Scan:
    return _scan_at(path, _stamp(path))


@lru_cache(maxsize=64)
def _scan_at(path: str, stamp: tuple[int, int]) -> _Scan:
    text = _source(path, stamp)
    lines = text.split("\n") if text is not None else []
    prose: list[str] = []
    inside: list[bool] = []
    fenced = False
    for line in lines:
        if ("`" in line or "~" in line) and _FENCE.match(line):  # (the cheap test first: most lines hold neither)
            fenced = not fenced
            prose.append("")
            inside.append(True)
            continue
        prose.append("" if fenced else line)
        inside.append(fenced)
    headings = [(n, len(m.group(1))) for n, line in enumerate(prose, 1) if "#" in line and (m := _HEADING.match(line))]
    heading_at, k = [], 0
    for n in range(1, len(prose) + 1):
        while k < len(headings) and headings[k][0] <= n:
            k += 1
        heading_at.append(headings[k - 1][0] if k else 0)
    requests = []
    may = _ANY_REQUEST.lines_to_try(prose)  # one search of the document for the lines worth a closer look
    for n in sorted(i + 1 for i in may) if may is not None else range(1, len(prose) + 1):
        line = prose[n - 1]
        if not line:
            continue
        kind = next((REQUESTS[i][0] for i, _ in _ANY_REQUEST.matching(line)), None)
        if kind is None:
            continue  # most lines make no request
        own = heading_at[n - 1]
        level = next((lv for at, lv in headings if at == own), 0)
        if level < 2 and kind != "change-management":
            continue  # "implement after approval" in a title's intro describes one step, not every write
        if kind == "change-management" and _PREPARATION.search(prose[own - 1] if own else ""):
            level -= 1  # "do this in a CR" under "Preparation" covers the steps beside it
        end = next((at - 1 for at, lv in headings if at > n and lv <= level), len(prose)) if own else len(prose)
        requests.append((n, end, kind))
    first_section = next((at for at, lv in headings if lv >= 2), len(prose) + 1)
    return _Scan(tuple(lines), tuple(inside), tuple(prose), tuple(heading_at), tuple(requests), first_section)


def section_request(path: str, line: int) -> str | None:
    """A request made in prose earlier in the section (and its subsections) that holds `line`."""
    return next((kind for at, end, kind in _scan(path).requests if at < line <= end), None)


def text_before(path: str, line: int, most: int = 12) -> str:
    """The prose just before `line` (at most `most` lines, not across a heading), and the
    document's preamble (before its first section) when `line` is in the document."""
    scan = _scan(path)
    if not scan.prose or line < 1:
        return ""
    stop = scan.heading_at[min(line, len(scan.prose)) - 1]
    own = scan.prose[line - 1] if line <= len(scan.prose) else ""  # an inline command's own sentence counts
    while line > 1 and scan.prose[line - 1].lstrip().startswith(">"):  # a command quoted inside a warning is
        line, own = line - 1, ""  # what the warning talks about, not a command after it
    first = max(stop + 1, line - most, 1)
    preamble = "\n".join(scan.prose[:min(scan.preamble_end, line) - 1][:40])
    return preamble + "\n" + "\n".join(scan.prose[first - 1:line - 1]) + "\n" + own


# The command's own confirmation prompt in the output the document shows after it: the
# tool asks, so a non-interactive run must ask a person instead.
PROMPTS = re.compile(r"\bare\s+you\s+sure\b|\((?:y/N|Y/n|yes/no)\)|\[(?:y/N|Y/n|yes/no)\]|do\s+you\s+want\s+to\s+"
                     r"(?:continue|proceed|perform)|only\s+'yes'\s+will\s+be\s+accepted", re.I)


def prompts_after(path: str, line: int, most: int = 20) -> bool:
    """Whether the document shows the command at `line` asking for confirmation: in the rest
    of its own code block, or (an inline command) in what follows before the next command."""
    scan = _scan(path)
    if not 1 <= line <= len(scan.lines):
        return False
    shown: list[str] = []
    in_block = scan.fenced[line - 1]
    blocks = 0
    for k in range(line, min(line + most, len(scan.lines))):
        text, fenced = scan.lines[k], scan.fenced[k]
        if in_block and (not fenced or _FENCE.match(text)):
            break  # the command's own block ends
        if not in_block and not fenced and (_HEADING.match(text) or "`" in text or _ITEM.match(text)):
            break  # the next section, step or inline command
        if not in_block and _FENCE.match(text):
            blocks += 1
            if blocks > 2:  # one output block after the inline command, no more
                break
        shown.append(text)
    return PROMPTS.search("\n".join(shown)) is not None


# A step that says it only looks ("verify the version", "you can confirm that ...") is not the
# change a section's approval or a warning is about, even when its command is classified a write.
CHECKING = Lowered(re.compile(
    r"\b(?:confirm|verify|check|ensure|make\s+sure|validate|inspect|examine|see|view|show|list|look\s+at)\s+"
    r"(?:that|if|whether|which|what|how|the\s+(?:version|status|state|output|logs?))\b|\bto\s+(?:see|check|verify|confirm)\b"
    r"|^\s*(?:\*\*)?(?:verify|check)\b|\b(?:be|make)\s+sure\s+that\b", re.I | re.M))

# Writes a section's request or a warning does not reach: the operator's own checkout
# (git but push; a file under the working directory) and commands only mentioned in a
# sentence ("terminating it with, for example, `kill -9`", "through `knife ssh`").
_LOCAL = re.compile(r"^\s*(?:git\s+(?!.*\bpush\b)|(?:echo|cat|printf)\b[^|]*\|\s*tee\s+\.{0,2}/?[\w.-]+\s*(?:&>|>|$))")
_MENTION = Lowered(re.compile(r"\bfor\s+example\b|\be\.g\.|\binstead\s+of\b|\b(?:don't|do\s+not|never)\s+use\b", re.I))


def _incidental(path: str, line: int, command: str) -> bool:
    """A write that a section's request does not cover (see `_LOCAL`, `_MENTION`)."""
    if _LOCAL.search(command):
        return True
    scan = _scan(path)
    own = scan.prose[line - 1] if 1 <= line <= len(scan.prose) else ""
    inline = bool(own) and "`" in own
    return inline and (len(command.split()) <= 2 or _MENTION.search(own) is not None)

_DRY_RUN = Lowered(re.compile(r"(?:^|\s)--?dry-?run\b|\s--check\b", re.I))


# "If not approved, go to step 5": where a rejected write's step continues (its `fallback`).
OTHERWISE = re.compile(
    r"\b(?:if\s+(?:(?:this|it|the\s+[\w-]+(?:\s+[\w-]+)?)\s+(?:is|was)\s+)?(?:not\s+approved|rejected|denied|refused)"
    r"|if\s+" + _WHO + r"\s+(?:does\s+not|doesn't|do\s+not|don't|won't|will\s+not)\s+(?:approve|agree|confirm|sign\s+off)"
    r"|if\s+(?:there\s+is\s+)?no\s+(?:approval|sign[- ]?off|go[- ]ahead)|otherwise|without\s+(?:approval|a\s+go[- ]ahead))"
    r"\b[^.;]{0,40}?\b(?:go|skip|jump|proceed|continue|move)\s+(?:on\s+|straight\s+|directly\s+)?(?:to|with)\s+"
    r"step\s+#?(\d{1,3})\b", re.I)


def otherwise(context: str, step: Step, steps: list[Step], parent: dict[int, Step]) -> dict[str, str]:
    """`{"fallback": label}` of the step the document names for a rejection ("if not approved,
    go to step 5": step 5 beside `step`), else {}: a rejection then fails the step."""
    m = OTHERWISE.search(context)
    if m is None:
        return {}
    number, home = int(m.group(1)), parent.get(id(step))
    target = next((s for s in steps if s.number == number and parent.get(id(s)) is home and s is not step), None)
    return {"fallback": target.label} if target is not None else {}


def confirmation(path: str, context: str, line: int, command: str, known: bool = True) -> bool | None:
    """True: gate this write; False: leave it (the document opted out, or it is a dry run);
    None: nobody asked (SKC123).

    `known` says the command is known to write (classified); an op whose effects are only
    unknown (`write:*`: a script, a remote shell, an unrecognised program) is gated only
    by a request in its own step, not by one made for its section or by a warning: the
    weaker evidence needs a known write (unknown ops stay denied by default anyway)."""
    mode = policy(path)
    if mode == "none" or _DRY_RUN.search(command):
        return False
    if mode == "all":
        return True
    asked = request(context)
    if asked is None and known and not CHECKING.search(context) and not _incidental(path, line, command):
        asked = section_request(path, line)
        if asked is None and destructive(command) and WARNINGS.search(text_before(path, line)) \
                and not _incidental(path, line, command):
            asked = "warning"
        if asked is None and prompts_after(path, line):
            asked = "prompt"
    return True if asked else None
