"""Effect rules: what one simple command reads and writes, by program and subcommand.

`segment_effects(words)` classifies one simple command (wrappers such as sudo already
stripped: `query.strip_wrappers`) into effect strings:

    kubectl/oc/helm     get|describe|logs|top|... -> read:k8s; delete|apply|patch|scale|... -> write:k8s
    git / gh            status|log|diff|show -> read:git; pr view|checks|run view -> net:github; others write
    curl / wget / http  GET -> net:http; a body, -X POST/PUT/... or -o FILE -> write:http / write:fs:FILE
    psql, gitlab-psql   SELECT/SHOW/EXPLAIN -> read:db:<name>; other statements -> write:db:<name>
    cat, grep, ls, ...  read:fs:<path> (or pure when reading stdin)
    ps, df, journalctl  read:host, unless the arguments change the host (journalctl --vacuum-size,
                        sysctl -w, mount DEV DIR, crontab -r, ip link set ...);
                        systemctl status -> read:host, restart -> write:host
    dig, ping, nc       net:dns / net:icmp / net:tcp
    cp, mv, rm, tee     write:fs:<path>; redirections `> f` / `>> f` write fs:f
    echo, cd, export    pure
    anything else       write:* (unknown: conservatively every resource)

The tables are data; adding a program is adding a line. Whether a SQL text writes is
`sql.classify_sql_text`'s answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from skc.stdlib.shell.sql import classify_sql_text

PURE = {"echo", "printf", "true", "false", "sleep", "cd", "export", "set", "unset", "alias", "date",
        "seq", "expr", "bc", "test", "[", "clear", "read", "pwd", "basename", "dirname", "local", "declare",
        "which", "type", "whoami", "hostname", "uname", "id", "nproc", "tr", "rev", "base64"}
FS_READ = {"cat", "head", "tail", "less", "more", "grep", "egrep", "fgrep", "zgrep", "zcat", "zless",
           "wc", "stat", "file", "md5sum", "sha256sum", "sha1sum", "du", "ls", "ll", "tree", "diff", "cmp",
           "strings", "hexdump", "xxd", "od", "jq", "yq", "sort", "uniq", "cut", "awk", "gawk", "column",
           "tac", "nl", "realpath", "readlink", "fold", "paste", "join", "comm", "rg", "ag", "bat", "view",
           "find", "sed", "tar", "gunzip", "zstdcat", "bzcat", "xzcat", "openssl", "ldd", "lsattr"}
HOST_READ = {"ps", "pgrep", "pidof", "top", "htop", "atop", "iotop", "vmstat", "iostat", "mpstat", "sar",
             "free", "uptime", "df", "lsblk", "blkid", "findmnt", "lsof", "netstat", "ss", "ifconfig",
             "hostnamectl", "who", "w", "last", "dmesg", "journalctl", "lscpu", "lsmod", "lspci", "lsusb",
             "getent", "ulimit", "pidstat", "perf", "strace", "ltrace", "tcpdump", "iftop", "nethogs",
             "timedatectl", "chronyc", "ntpq", "ntpstat", "smartctl", "mdadm", "env", "printenv", "ip",
             "iptables-save", "arp", "route", "numastat", "slabtop", "pstree", "fuser", "getenforce", "sysctl",
             "nvidia-smi", "lshw", "dmidecode", "crontab", "mount", "gdb", "py-spy", "rbspy"}
NET = {"dig": "dns", "nslookup": "dns", "host": "dns", "drill": "dns", "ping": "icmp", "ping6": "icmp",
       "traceroute": "icmp", "tracepath": "icmp", "mtr": "icmp", "nc": "tcp", "ncat": "tcp", "telnet": "tcp",
       "nmap": "tcp", "whois": "whois", "grpcurl": "grpc"}
FS_WRITE = {"rm", "rmdir", "mkdir", "touch", "chmod", "chown", "chgrp", "ln", "truncate", "shred",
            "unlink", "vim", "vi", "nano", "emacs", "install", "unzip", "gzip", "logrotate"}
SESSION_PROGRAMS = {"psql", "gitlab-psql", "mysql", "redis-cli", "sqlite3", "gitlab-rails", "irb",
                    "rails", "bash", "sh", "zsh", "su", "python", "python3", "node", "clickhouse-client",
                    "mongo", "mongosh", "cqlsh", "consul", "etcdctl"}
RUNNERS = {"python", "python3", "node", "bash", "sh", "zsh", "npm", "npx", "pnpm", "yarn", "uv", "uvx", "pip", "pip3",
           "make", "cargo", "go", "ruby", "perl", "java", "mvn", "gradle", "ansible", "ansible-playbook", "chef-client",
           "pytest", "tox", "bundle", "rake", "gitlab-rake", "gitlab-rails", "deno", "bun", "brew", "apt", "apt-get",
           "yum", "dnf", "snap", "pkill", "kill", "killall", "reboot", "shutdown", "crontab", "glab", "jira",
           "openssl", "gpg", "ssh-keygen", "certbot", "skopeo", "kind", "minikube", "k9s", "stern", "kubectx",
           "kubens", "kustomize", "istioctl", "linkerd", "argocd", "flux", "velero", "eksctl", "doctl", "heroku",
           "vercel", "wrangler", "gcloud", "gsutil", "bq", "aws", "az", "tsh", "vault", "consul", "nomad"}
SQL_CLIENTS = {"psql", "gitlab-psql", "mysql", "sqlite3", "clickhouse-client", "cqlsh"}

_K8S_READ = {"get", "describe", "logs", "log", "top", "explain", "api-resources", "api-versions", "version",
             "cluster-info", "auth", "events", "wait", "diff", "port-forward", "whoami", "status", "plugin",
             "history", "list", "ls", "show", "template", "search", "lint", "env", "view", "current-context",
             "get-contexts", "kustomize", "completion", "projects", "project"}
_K8S_VALUE_FLAGS = {"-n", "--namespace", "--context", "--cluster", "--kubeconfig", "-l", "--selector",
                    "--as", "-s", "--server", "--user", "-o", "--output", "-c", "--container", "--token"}
_GIT_READ = {"status", "log", "diff", "show", "blame", "grep", "ls-files", "ls-tree", "rev-parse", "describe",
             "shortlog", "reflog", "cat-file", "rev-list", "merge-base", "whatchanged", "show-ref", "config",
             "fsck", "count-objects", "verify-pack", "for-each-ref", "show-branch", "cherry", "var", "help",
             "name-rev", "check-ignore", "check-attr", "range-diff", "bisect"}
_GH_READ = {"view", "list", "checks", "diff", "status", "watch", "search", "browse"}
_REDIS_READ = {"get", "mget", "info", "keys", "scan", "ttl", "pttl", "type", "exists", "strlen", "hget",
               "hgetall", "hkeys", "hlen", "llen", "lrange", "smembers", "scard", "zrange", "zcard", "dbsize",
               "ping", "slowlog", "memory", "latency", "client", "monitor", "object", "xinfo", "xlen",
               "--bigkeys", "--memkeys", "--latency", "--stat", "--scan", "--hotkeys", "--latency-history",
               "cluster", "role", "sentinel", "config", "debug", "hscan", "sscan", "zscan"}


def known_program(program: str) -> str:
    """'bare' when the program makes sense without arguments, 'args' when known, '' when unknown."""
    name = program.rsplit("/", 1)[-1]
    if name in HOST_READ or name in ("ls", "env", "printenv", "pwd", "whoami", "hostname", "date"):
        return "bare"
    if name in _RULES or name in PURE or name in FS_READ or name in NET or name in FS_WRITE \
            or name in SQL_CLIENTS or name in RUNNERS or name in ("cp", "mv", "tee", "dd", "rsync", "scp", "ssh", "sudo"):
        return "args"
    return ""


def _positional(args: list[str], value_flags: set[str] = _K8S_VALUE_FLAGS) -> list[str]:
    """Non-flag arguments (skipping the values of flags that take one)."""
    out: list[str] = []
    skip = False
    for a in args:
        if skip:
            skip = False
        elif a in value_flags:
            skip = True
        elif not a.startswith("-"):
            out.append(a)
    return out


_READER_VALUE_FLAGS = {"-n", "-c", "-e", "-f", "-m", "-A", "-B", "-C", "-k", "-t", "-d", "-F", "-v", "--arg",
                       "--argjson", "-name", "-iname", "-type", "-path", "-mtime", "-mmin", "-size", "-user",
                       "-maxdepth", "-mindepth", "-newer", "-perm", "-o", "--max-count", "-g", "--glob"}


def _fs(mode: str, path: str) -> str:
    clean = re.sub(r"\s+", "_", path.strip()) or "."
    return f"{mode}:fs:{clean}"


def _paths(args: list[str]) -> list[str]:
    return [a for a in args if not a.startswith("-") and ("/" in a or re.search(r"\.\w{1,5}\Z", a))]


_OC_UPGRADE_READ = {"--include-not-recommended", "--details", "-h", "--help", "--kubeconfig", "--context",
                    "-n", "--namespace", "-o", "--output"}


def _k8s(args: list[str]) -> list[str]:
    pos = _positional(args)
    sub = pos[0] if pos else ""
    if sub in ("rollout", "config", "auth", "adm", "certificate", "helm"):
        sub = pos[1] if len(pos) > 1 else sub
    if sub == "cp":
        return ["write:k8s", *(_fs("write", p) for p in pos[-1:] if ":" not in p)]
    if pos[:2] == ["adm", "upgrade"] and (pos[2:] in ([], ["status"])) and all(
            a.split("=")[0] in _OC_UPGRADE_READ for a in args if a.startswith("-")):
        return ["read:k8s"]  # `oc adm upgrade` alone shows the cluster's update status
    return ["read:k8s" if sub in _K8S_READ else "write:k8s"]


def _git(args: list[str]) -> list[str]:
    pos = _positional(args, {"-C", "-c"})
    sub = pos[0] if pos else "status"
    if sub in _GIT_READ or (sub in ("branch", "tag", "remote", "stash", "worktree") and
                            not any(a in ("-d", "-D", "-m", "-M", "add", "rm", "remove", "drop", "pop", "apply",
                                          "prune", "push", "clear", "-a") for a in args[1:])):
        return ["read:git"]
    if sub in ("fetch", "ls-remote"):
        return ["net:git", "write:git"] if sub == "fetch" else ["net:git"]
    return ["write:git", "net:git"] if sub in ("push", "pull", "clone") else ["write:git"]


def _gh(args: list[str]) -> list[str]:
    pos = _positional(args, {"-R", "--repo", "--json", "-q", "--jq", "-t", "--template", "-H", "--hostname"})
    if pos[:1] == ["api"]:
        method = next((args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-X", "--method")), "GET")
        fields = any(a in ("-f", "-F", "--field", "--raw-field", "--input") for a in args)
        return ["net:github"] if method.upper() == "GET" and not fields else ["write:github"]
    if pos[:2] == ["auth", "status"] or (len(pos) > 1 and pos[1] in _GH_READ) or pos[:1] in (["status"], ["search"]):
        return ["net:github"]
    if pos[:2] == ["pr", "checkout"]:
        return ["write:git", "net:github"]
    return ["write:github"]


def _http(args: list[str], prog: str) -> list[str]:
    method = "GET"
    effects: list[str] = []
    for i, a in enumerate(args):
        if a in ("-X", "--request") and i + 1 < len(args):
            method = args[i + 1].upper()
        elif re.match(r"--request=|-X\w", a):
            method = a.split("=", 1)[-1].removeprefix("-X").upper()
        elif a in ("-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "-F", "--form", "-T",
                   "--upload-file", "--post-data", "--post-file", "--json"):
            method = "POST" if method == "GET" else method
        elif a in ("-o", "--output", "-O") and prog == "curl" and i + 1 < len(args) and a != "-O":
            effects.append(_fs("write", args[i + 1]))
    if prog == "wget" and not any(a in ("-O-", "-qO-", "-O", "--spider", "-q") for a in args):
        effects.append("write:fs:.")
    effects.insert(0, "net:http" if method in ("GET", "HEAD", "OPTIONS") else "write:http")
    return effects


def _sql_client(args: list[str], prog: str) -> list[str]:
    db, sql = "", None
    for i, a in enumerate(args):
        nxt = args[i + 1] if i + 1 < len(args) else ""
        if a in ("-d", "--dbname", "-D", "--database"):
            db = nxt
        elif a.startswith("--dbname=") or a.startswith("--database="):
            db = a.split("=", 1)[1]
        elif a in ("-c", "--command", "-e", "--execute") or (re.match(r"-[a-zA-Z]*c\Z", a) and prog != "mysql"):
            sql = nxt
        elif a.startswith("--command="):
            sql = a.split("=", 1)[1]
    if not db:
        pos = _positional(args, {"-U", "-h", "-p", "-u", "-P", "--host", "--port", "--user", "-f", "-c", "-e"})
        db = pos[-1] if pos and prog in ("psql", "mysql", "sqlite3") else ("gitlabhq_production" if prog == "gitlab-psql" else "default")
    db = re.sub(r"[^\w.-]", "_", db) or "default"
    if sql is None:
        return [f"write:db:{db}"]
    return [f"{'write' if classify_sql_text(sql) else 'read'}:db:{db}"]


def _systemctl(args: list[str]) -> list[str]:
    pos = _positional(args)
    read = {"status", "is-active", "is-enabled", "is-failed", "list-units", "list-timers", "show", "cat",
            "list-unit-files", "list-dependencies", "get-default"}
    return ["read:host"] if not pos or pos[0] in read or (len(pos) > 1 and pos[1] == "status") else ["write:host"]


def _by_verb(resource: str, read_verbs: set[str]) -> Callable[[list[str]], list[str]]:
    """Read when any positional word is a read verb (list, describe, show, get, ...), else write."""
    def rule(args: list[str]) -> list[str]:
        words = {w.lower() for w in _positional(args, {"--project", "--zone", "--region", "-target", "--format"})}
        words |= {w.split("-", 1)[0] for w in words}
        return [f"read:{resource}" if words & read_verbs else f"write:{resource}"]
    return rule


_READ_VERBS = {"list", "ls", "describe", "show", "get", "read", "status", "info", "members", "plan", "output",
               "validate", "version", "query", "search", "check", "inspect", "logs", "ps", "images", "stats",
               "history", "cat", "lookup", "top", "health", "config-get", "node", "monitors", "fmt"}


def _redis(args: list[str]) -> list[str]:
    pos = [a.lower() for a in args if not re.match(r"-[hpanu]\Z", a)]
    cmd = next((a for a in pos if a.startswith("--") or not a.startswith("-")), None)
    return ["read:redis"] if cmd is None or cmd in _REDIS_READ else ["write:redis"]


_RULES: dict[str, Callable[[list[str]], list[str]]] = {
    "kubectl": _k8s, "oc": _k8s, "k": _k8s, "kubectl-gke": _k8s, "virtctl": lambda a: ["write:k8s"],
    "helm": _by_verb("k8s", _READ_VERBS | {"template", "lint", "env"}),
    "git": _git, "gh": _gh,
    "curl": lambda a: _http(a, "curl"), "wget": lambda a: _http(a, "wget"), "http": lambda a: _http(a, "http"),
    "systemctl": _systemctl,
    "service": lambda a: ["read:host"] if "status" in a else ["write:host"],
    "redis-cli": _redis,
    "docker": _by_verb("containers", _READ_VERBS), "crictl": _by_verb("containers", _READ_VERBS),
    "gcloud": _by_verb("gcp", _READ_VERBS), "gsutil": _by_verb("gcp", _READ_VERBS | {"du", "stat"}),
    "aws": _by_verb("aws", _READ_VERBS), "az": _by_verb("azure", _READ_VERBS),
    "terraform": _by_verb("terraform", _READ_VERBS), "tf": _by_verb("terraform", _READ_VERBS),
    "consul": _by_verb("consul", _READ_VERBS | {"catalog", "members", "operator"}),
    "vault": _by_verb("vault", _READ_VERBS), "knife": _by_verb("chef", _READ_VERBS | {"node"}),
    "etcdctl": _by_verb("etcd", _READ_VERBS | {"endpoint", "member", "alarm"}),
    "amtool": _by_verb("alertmanager", _READ_VERBS | {"alert"}),
    "promtool": lambda a: ["pure"], "patronictl": _by_verb("patroni", _READ_VERBS | {"list", "topology"}),
    "gitlab-patronictl": _by_verb("patroni", _READ_VERBS | {"list", "topology"}),
    "gitlab-ctl": _by_verb("host", _READ_VERBS | {"tail"}),
    "pgbouncer": lambda a: ["write:host"],
}


_HOST_WRITE_WORDS = {
    "ip": {"add", "del", "delete", "set", "flush", "change", "replace", "append", "up", "down"},
    "chronyc": {"makestep", "settime", "burst", "offline", "online", "reload", "local", "manual"},
    "dmesg": {"-C", "--clear", "-c", "--read-clear", "-D", "--console-off", "-E", "--console-on", "-n",
              "--console-level"},
    "crontab": {"-e", "-r", "-i"},
    "smartctl": {"-t", "--test", "-s", "--smart", "-o", "--offlineauto", "-S", "--saveauto", "-X", "--abort"},
    "sysctl": {"-w", "--write", "-p", "--load", "--system"},
}
_JOURNAL_WRITES = re.compile(r"--(?:vacuum-(?:size|time|files)|rotate|flush|relinquish-var|smart-relinquish-var|"
                             r"sync|setup-keys)\b")
_MDADM_READ = {"--detail", "-D", "--examine", "-E", "--query", "-Q", "--detail-platform", "--scan", "-s"}


def _host_tool(prog: str, args: list[str]) -> list[str]:
    """read:host, unless the arguments make a host inspector change something:
    `journalctl --vacuum-size=1G` deletes journal files, `sysctl -w`/`k=v` sets a kernel
    parameter, `mount DEV DIR` mounts, `crontab -r` removes a crontab, `ip link set` ..."""
    if prog == "journalctl" and any(_JOURNAL_WRITES.match(a) for a in args):
        directory = next((args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-D", "--directory")),
                         next((a.split("=", 1)[1] for a in args if a.startswith("--directory=")), "/var/log/journal"))
        return [_fs("write", directory)]
    if prog == "tcpdump" and "-w" in args[:-1]:
        return ["read:host", _fs("write", args[args.index("-w") + 1])]
    words = set(args) | {a.split("=", 1)[0] for a in args if a.startswith("--")}
    if words & _HOST_WRITE_WORDS.get(prog, set()):
        return ["write:host"]
    positional = _positional(args, {"-t", "-o", "-L", "-U", "-O", "-u", "-r"})
    if (prog == "sysctl" and any("=" in a for a in positional)) or (prog == "mount" and positional) \
            or (prog == "crontab" and positional) or (prog in ("hostnamectl", "timedatectl") and any(
                a.startswith("set-") for a in positional)) or (prog == "mdadm" and not set(args) & _MDADM_READ):
        return ["write:host"]
    return ["read:host"]


def _cp_mv(prog: str, args: list[str]) -> list[str]:
    pos = [a for a in args if not a.startswith("-")]
    if len(pos) < 2:
        return ["write:*"]
    dest = pos[-1]
    if prog == "mv":
        return [*(_fs("write", p) for p in pos[:-1]), _fs("write", dest)]
    return [*(_fs("read", p) for p in pos[:-1]), _fs("write", dest)]


def _file_reader(prog: str, args: list[str], first: bool) -> list[str]:
    if prog == "sed" and any(a.startswith("-i") or a == "--in-place" for a in args):
        return [_fs("write", p) for p in _paths(args)] or ["write:fs:."]
    if prog == "find" and any(a in ("-delete", "-exec", "-execdir", "-ok") for a in args):
        return ["write:*"] if "-exec" in args or "-execdir" in args else [_fs("write", (args or ["."])[0])]
    if prog == "tar" and args and re.match(r"-?[a-zA-Z]*[xc]", args[0]):
        return ["write:fs:."]
    if prog == "openssl" and args[:1] == ["s_client"]:
        return ["net:tls"]
    files = _positional(args, _READER_VALUE_FLAGS)
    if prog in ("grep", "egrep", "fgrep", "zgrep", "rg", "ag", "awk", "gawk", "jq", "sed") and not \
            any(a in ("-e", "-f", "--regexp", "--file") for a in args):
        files = files[1:]  # the pattern or program comes first
    if prog == "find":
        files = files[:1]
    paths = [p for p in files if p not in ("{}", ";", "+")]
    if paths:
        return [_fs("read", p) for p in paths]
    return ["read:fs:."] if first and prog in ("ls", "ll", "tree", "du", "find", "rg", "ag") else ["pure"]


def segment_effects(core: list[str], seg: list[str], *, first: bool) -> tuple[list[str], bool, bool]:
    """(effects, writes-a-classified-resource, unknown) for one simple command."""
    effects: list[str] = []
    words: list[str] = []
    i = 0
    while i < len(core):
        w = core[i]
        if w in (">", ">>", "&>", ">|", "&>>", "1>", "2>") and i + 1 < len(core):
            target = core[i + 1]
            if not target.startswith("/dev/") and not target.isdigit():
                effects.append(_fs("write", target))
            i += 2
        elif w in (">&", "<&"):
            i += 2
        elif w in ("<", "<<", "<<<", "<<-") and i + 1 < len(core):
            if w == "<":
                effects.append(_fs("read", core[i + 1]))
            i += 2
        elif w.isdigit() and i + 1 < len(core) and core[i + 1].startswith((">", "<")):
            i += 1
        else:
            words.append(w)
            i += 1
    if not words:
        return effects or ["pure"], False, False
    prog = words[0].rsplit("/", 1)[-1]
    args = words[1:]
    unknown = False
    if prog in _RULES:
        effects.extend(_RULES[prog](args))
    elif prog in SQL_CLIENTS:
        effects.extend(_sql_client(args, prog))
    elif prog in PURE or re.match(r"[A-Za-z_][A-Za-z0-9_]*=", prog):
        effects.append("pure")
    elif prog in FS_READ:
        effects.extend(_file_reader(prog, args, first))
    elif prog in HOST_READ:
        effects.extend(_host_tool(prog, args))
    elif prog in NET:
        effects.append(f"net:{NET[prog]}")
    elif prog in ("cp", "mv", "rsync", "scp"):
        effects.extend(_cp_mv("mv" if prog == "mv" else "cp", args))
    elif prog == "tee":
        effects.extend(_fs("write", p) for p in args if not p.startswith("-"))
    elif prog == "dd":
        effects.extend(_fs("write", a[3:]) for a in args if a.startswith("of="))
    elif prog in FS_WRITE:
        targets = [p for p in args if not p.startswith("-")]
        if prog in ("chmod", "chown", "chgrp", "ln", "install"):
            targets = targets[1:] if prog != "ln" else targets[-1:]
        effects.extend(_fs("write", p) for p in targets) if targets else effects.append("write:*")
    elif prog in ("kill", "pkill", "killall", "reboot", "shutdown", "halt", "poweroff"):
        effects.append("write:host")
    elif prog == "ssh":
        effects.append("net:ssh")
        rest = _positional(args, {"-i", "-p", "-l", "-o", "-J", "-F", "-L", "-R", "-D"})
        if len(rest) < 2:
            effects.append("write:*")
            unknown = True
    else:
        effects.append("write:*")
        unknown = True
    writes = any(e.startswith("write:") and e != "write:*" for e in effects)
    return effects, writes, unknown
