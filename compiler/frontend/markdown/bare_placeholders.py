"""Bare upper-case placeholders in commands: `sudo find FS_PATH -xdev`, `kill -9 PID_OF_RUNNER`.

Authors often write the value to fill in as an upper-case name with no brackets at all:
`find FS_PATH -xdev ...`, `az ad app credential list --id SP_ID`, `gitlab-patronictl restart
pg11-ha-cluster MEMBER_NAME`, `redis-cli SENTINEL failover CLUSTER_NAME`, `knife ssh
roles:ROLE_HERE ...`. Upper-case words in commands are as often constants and variables
(`--source_format NEWLINE_DELIMITED_JSON`, `SIGKILL`, `export SSH_AUTH_SOCK=...`,
`$GITLAB_URL`), so a word is a placeholder only when all of this holds:

- it is a whole argument (or the value after `key:` in one: `roles:ROLE_HERE`), written
  without quotes, `$` or `=`;
- it is a name of several parts whose last part names a kind of value (`_PATH`, `_ID`,
  `_NAME`, `_HOST`, `_DIR`, `_FILE`, `_URL`, `_IP`, `_PORT`, `_NUMBER`, `_VERSION`, `_HERE`,
  ...) or that says what it stands for (`PID_OF_RUNNER`);
- the command does not set it (`NAME=...`, `export NAME`, `unset NAME`, `read NAME`) and
  starts with a program, not a row of sample output (nor does the word start a pipe stage:
  `db | PRIMARY_HOST | 5432` is a table row).

`bare_names(command)` lists them; `replace_names.mark_replaced` spells them `<fs_path>`, so
they become workflow inputs like any other placeholder.
"""

from __future__ import annotations

import re

_KINDS = ("ID|IDS|NAME|NAMES|PATH|DIR|FILE|HOST|HOSTNAME|URL|URI|IP|ADDR|ADDRESS|PORT|NUMBER|NUM|VERSION|HERE|"
          "REGION|ZONE|NAMESPACE|NODE|POD|CLUSTER|PROJECT|USER|USERNAME|GROUP|SHARD|SERVER|DOMAIN|BRANCH|SHA|DATE")
_NAME = re.compile(rf"(?:[A-Za-z][\w.-]*:)?(?P<name>[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_(?:{_KINDS})|"
                   r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_OF_[A-Z0-9]+(?:_[A-Z0-9]+)*)")
_SETS = re.compile(r"(?:\b(?:export|unset|read|local|declare)\s+(?:-\w+\s+)*|\bfor\s+)(?P<name>[A-Z][A-Z0-9_]*)\b|"
                   r"(?<![\w$])(?P<assigned>[A-Z][A-Z0-9_]*)=")
_PROGRAM = re.compile(r"^\s*(?:sudo\s+)?[a-z./~]")


def bare_names(command: str) -> set[str]:
    """The bare upper-case placeholders of one shell command (see the module docstring)."""
    if not _PROGRAM.match(command) or not re.search(r"[A-Z]_", command):
        return set()
    set_here = {m.group("name") or m.group("assigned") for m in _SETS.finditer(command)}
    out: set[str] = set()
    words = command.split()
    for i, word in enumerate(words):
        m = _NAME.fullmatch(word)
        if m is not None and m.group("name") not in set_here and (i == 0 or words[i - 1] != "|"):
            out.add(m.group("name"))
    return out
