"""Command classification: effects, variables, argv vs cmd, result types, logical lines."""

from __future__ import annotations

import pytest

from skc.compiler.frontend.common.code_effects import python_effects
from skc.compiler.frontend.common.commands import classify_shell, looks_like_command
from skc.compiler.frontend.common.shell_text import logical_lines
from skc.compiler.frontend.common.variables import find_vars


@pytest.mark.parametrize(("command", "effects"), [
    ("kubectl -n $NS get pods", ["read:k8s"]),
    ("oc describe pod x", ["read:k8s"]),
    ("kubectl logs x -c y", ["read:k8s"]),
    ("kubectl top nodes", ["read:k8s"]),
    ("kubectl rollout status deploy/x", ["read:k8s"]),
    ("kubectl delete pod x", ["write:k8s"]),
    ("kubectl apply -f x.yaml", ["write:k8s"]),
    ("oc patch dc x -p '{}'", ["write:k8s"]),
    ("kubectl scale deploy x --replicas=2", ["write:k8s"]),
    ("kubectl rollout restart deploy/x", ["write:k8s"]),
    ("kubectl drain node-1", ["write:k8s"]),
    ("kubectl cordon node-1", ["write:k8s"]),
    ("echo hi > /tmp/out", ["write:fs:/tmp/out"]),
    ("grep x log | tee /tmp/a", ["read:fs:log", "write:fs:/tmp/a"]),
    ("cp a.txt /backup/", ["read:fs:a.txt", "write:fs:/backup/"]),
    ("mv a b", ["write:fs:a", "write:fs:b"]),
    ("rm -rf /var/cache/x", ["write:fs:/var/cache/x"]),
    ("curl -s https://x/health", ["net:http"]),
    ("curl -X POST https://x/api -d '{}'", ["write:http"]),
    ("wget -qO- https://x", ["net:http"]),
    ("psql -d incidents -c 'SELECT * FROM t'", ["read:db:incidents"]),
    ("psql -d incidents -c 'DELETE FROM t'", ["write:db:incidents"]),
    ("cat /etc/hosts", ["read:fs:/etc/hosts"]),
    ("ps aux | grep nginx", ["read:host"]),
    ("df -h", ["read:host"]),
    ("git status", ["read:git"]),
    ("git log --oneline", ["read:git"]),
    ("git diff HEAD~1", ["read:git"]),
    ("git push origin main", ["write:git", "net:git"]),
    ("systemctl status kubelet", ["read:host"]),
    ("sudo systemctl restart kubelet", ["write:host"]),
    ("dig +short example.com", ["net:dns"]),
    ("echo done", ["pure"]),
    ("frobnicate --all", ["write:*"]),
    ("ls /tmp | frobnicate", ["write:*"]),
    ("journalctl -u kubelet --since today", ["read:host"]),
    ("sudo journalctl --vacuum-size=500M", ["write:fs:/var/log/journal"]),  # deletes journal files
    ("journalctl --vacuum-time=2d", ["write:fs:/var/log/journal"]),
    ("journalctl -D /srv/journal --vacuum-files=3", ["write:fs:/srv/journal"]),
    ("sysctl -a", ["read:host"]),
    ("sysctl vm.swappiness=10", ["write:host"]),
    ("mount", ["read:host"]),
    ("mount /dev/sdb1 /mnt", ["write:host"]),
    ("crontab -l", ["read:host"]),
    ("crontab -r", ["write:host"]),
    ("ip addr show", ["read:host"]),
    ("ip link set eth0 down", ["write:host"]),
    ("dmesg -T", ["read:host"]),
    ("dmesg -C", ["write:host"]),
    ("tcpdump -i any -w /tmp/x.pcap", ["read:host", "write:fs:/tmp/x.pcap"]),
    ("mdadm --detail /dev/md0", ["read:host"]),
    ("mdadm /dev/md0 --fail /dev/sda1", ["write:host"]),
])
def test_effects_by_program(command: str, effects: list[str]) -> None:
    assert classify_shell(command).effects == effects


def test_writes_flag_is_for_classified_writes_only() -> None:
    assert classify_shell("kubectl delete pod x").writes
    assert classify_shell("journalctl --vacuum-size=1G").writes  # so SKC123 asks for confirmation
    assert not classify_shell("kubectl get pods").writes
    unknown = classify_shell("frobnicate")
    assert unknown.unknown
    assert not unknown.writes


def test_variables_in_every_spelling_become_positional_placeholders() -> None:
    cmd = classify_shell('kubectl -n $NAMESPACE logs ${POD} --since={window} -c <container-name>')
    assert cmd.vars == ["namespace", "pod", "window", "container_name"]
    assert cmd.argv == ["kubectl", "-n", "{0}", "logs", "{1}", "--since={2}", "-c", "{3}"]


def test_shell_locals_specials_and_env_stay_literal() -> None:
    assert find_vars("for c in a b; do echo $c; done") == []
    assert find_vars("echo $HOME $1 $? '$SINGLE'") == []
    assert [v.name for v in find_vars('echo "$DOUBLE"')] == ["double"]
    assert find_vars("awk '{print $1}' f") == []


def test_argv_when_no_shell_is_needed_cmd_otherwise() -> None:
    assert classify_shell("kubectl get pods -o json").argv == ["kubectl", "get", "pods", "-o", "json"]
    piped = classify_shell("kubectl get pods | grep -v Running")
    assert piped.argv is None
    assert piped.template == "kubectl get pods | grep -v Running"


@pytest.mark.parametrize(("command", "kind"), [
    ("kubectl get pods", "table"),
    ("kubectl get pods -o json", "json"),
    ("gh pr view --json number", "json"),
    ("kubectl get pods | wc -l", "num"),
    ("curl -s x | jq .items", "json"),
    ("kubectl logs x", "text"),
])
def test_result_types(command: str, kind: str) -> None:
    assert classify_shell(command).result.kind == kind


def test_assignments_define_values() -> None:
    const = classify_shell("export NS=payments")
    assert (const.assigns, const.assign_template, const.effects) == ("ns", "payments", ["pure"])
    sub = classify_shell("POD=$(kubectl get pods -o name | head -1)")
    assert (sub.assigns, sub.assign_command) == ("pod", "kubectl get pods -o name | head -1")


def test_logical_lines_join_continuations_heredocs_loops_and_strip_prompts() -> None:
    block = "# comment\nfor c in a b; do\n  echo $c\ndone\ncat <<EOF > f\nhi\nEOF\nkubectl get \\\n  pods\n"
    lines = logical_lines(block, console=False)
    assert [(t.split("\n")[0], off) for t, off, _ in lines] == [("for c in a b; do", 1), ("cat <<EOF > f", 4),
                                                              ("kubectl get pods", 7)]
    console = logical_lines("$ uptime\n 10:00 up 1 day\n$ exit\n", console=True)
    assert console == [("uptime", 0, 3)]


@pytest.mark.parametrize(("text", "context", "expected"), [
    ("kubectl get pods", "", True),
    ("gh", "", False),
    ("kubectl", "", False),
    ("long: 1h", "", False),
    ("/var", "", False),
    ("mountpoint", "", False),
    ("NS=prod", "", True),
    ("frobnicate --all", "", False),
    ("frobnicate --all", "then run ", True),
    ("df", "", True),
])
def test_inline_code_is_a_command_only_when_it_looks_like_one(text: str, context: str, expected: bool) -> None:
    assert looks_like_command(text, context=context) is expected


def test_python_effects() -> None:
    assert python_effects("import json\nresult = json.loads(args[0])") == ["pure"]
    assert python_effects("import subprocess\nsubprocess.run(['ls'])") == ["write:*"]
    assert python_effects("open('/tmp/x', 'w').write('y')") == ["write:fs:/tmp/x"]


@pytest.mark.parametrize("code", [
    "import json\nresult = json.loads(args[0])",
    "from collections import Counter\nimport statistics, math\nresult = Counter(args).most_common(1)",
    "from datetime import datetime, timedelta\nimport re, itertools, functools, decimal, fractions\nresult = 1",
    "import string, textwrap, operator, typing, dataclasses\nresult = textwrap.shorten(args[0], 20)",
    # any call of the code's own functions, lambdas, methods and harmless builtins
    "def ratio(r):\n    return r['a'] / max(r['b'], 1)\n\nresult = max(args, key=ratio)\nprint(sorted(set(args)))",
    "x = [v for v in args if v]\nresult = {'n': len(x), 'first': next(iter(x), None)}",
])
def test_python_effects_pure(code: str) -> None:
    assert python_effects(code) == ["pure"]


@pytest.mark.parametrize("code", [
    "import os\nresult = os.listdir('.')",
    "import subprocess",
    "from pathlib import Path\nresult = Path('x').read_text()",
    "import socket",
    "import shutil\nshutil.rmtree('/tmp/x')",
    "import requests\nrequests.get('http://x')",
    "import json, sys\nresult = 1",
    "from . import helper",
    "result = open(args[0]).read()",  # a path not written in the code
    "f = open\nresult = f('/etc/hosts')",
    "exec(args[0])",
    "result = eval('1 + 1')",
    "code = compile('1', 'x', 'eval')",
    "m = __import__('os')",
    "result = input()",
    "breakpoint()",
    "result = ().__class__.__base__.__subclasses__()",
    "result = globals()['__builtins__']",
    "result = getattr(args, 'x')",
    "os.remove('x')",  # touches os even without importing it
    "def broken(:",
])
def test_python_effects_not_pure(code: str) -> None:
    assert python_effects(code) == ["write:*"]


def test_python_effects_literal_open_is_narrowed() -> None:
    assert python_effects("result = open('/etc/hosts').read()") == ["read:fs:/etc/hosts"]
    assert python_effects("with open('/tmp/out', mode='a') as f:\n    f.write('x')") == ["write:fs:/tmp/out"]
    assert python_effects("import json\nresult = json.load(open('/a.json'))\nopen('/b', 'w')") == \
        ["read:fs:/a.json", "write:fs:/b"]
    assert python_effects("import os\nresult = open('/etc/hosts').read()") == ["write:*"]


@pytest.mark.parametrize(("command", "line"), [
    ('kubectl get pods -l "app=$APP" | wc -l', 'kubectl get pods -l "app="{0} | wc -l'),
    ('gh api "/repos/<owner>/x" > "<path>"', 'gh api "/repos/"{0}"/x" > {1}'),
    ('echo "$A$B" | cat', "echo {0}{1} | cat"),
    ("kubectl exec <pod> -- sh -c 'ls <dir>/x' | head", "kubectl exec {0} -- sh -c 'ls '{1}'/x' | head"),
    ('echo "$(kubectl get pod $POD)" | cat', 'echo "$(kubectl get pod {0})" | cat'),
    ("cat <<EOF | kubectl apply -f -\nns: $NS\nEOF", "cat <<EOF | kubectl apply -f -\nns: $(printf %s {0})\nEOF"),
    ("grep -E '[0-9]{0}' $F | wc -l", "grep -E '[0-9]{''0}' {0} | wc -l"),
    ('grep -E "x{1}" $F $G', 'grep -E "x{""1}" {0} {1}'),
])
def test_cmd_lines_keep_placeholders_outside_quotes(command: str, line: str) -> None:
    cmd = classify_shell(command)
    assert cmd.argv is None
    assert cmd.cmd_line == line


def _run(text: str, values: list[str]) -> str:
    """Runs the one command of `text` the way the runtime's shell target does."""
    import asyncio
    import os

    from skc.ir import InsertionPoint, tool, workflow
    from skc.runtime.targets.shell import command_of, run_process

    cmd = classify_shell(text)
    wf = workflow("t")
    with InsertionPoint(wf.body):
        value = tool.shell(cmd.argv, effects=cmd.effects, cmd=None if cmd.argv else cmd.cmd_line)
    op = value.defining_op
    assert op is not None
    argv = command_of(op, list(values))
    status, out, err = asyncio.run(run_process(argv, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
                                               cwd="/"))
    assert status == 0, err
    return out.decode()


@pytest.mark.parametrize("value", ["web", "web server", "it's \"quoted\"", "$(echo pwned); echo pwned", "*"])
def test_substituted_values_arrive_verbatim_through_the_shell_target(value: str) -> None:
    assert _run('echo "app=$APP" | cat', [value]) == f"app={value}\n"  # cmd, double-quoted
    assert _run("printf '%s\\n' \"app=$APP\"", [value]) == f"app={value}\n"  # argv
    assert _run("echo 'dir=<dir>' | cat", [value]) == f"dir={value}\n"  # cmd, single-quoted
    assert _run("cat <<EOF\nname: $NAME\nEOF", [value]) == f"name: {value}\n"  # here-document body
    assert _run("echo $APP | cat", [value]) == f"{value}\n"  # unquoted: one word, never code
