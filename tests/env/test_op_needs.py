"""What ops need: binaries from shell command lines, env var references, scripts, credentials."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skc.compiler.op_needs import Need, _shlex_tokens, _tokens, command_words, env_refs, needs_of
from skc.ir.dialects.tool import ShellOp


def programs(cmd: str) -> list[str]:
    return [n.name for n in needs_of(ShellOp(attributes={"cmd": cmd, "effects": ["read:*"]}))
            if n.kind == "binary"]


@pytest.mark.parametrize(("cmd", "expected"), [
    ("kubectl get pods | grep -v Running | wc -l", ["kubectl", "grep", "wc"]),
    ("X=1 sudo -u root systemctl restart nginx && echo done", ["systemctl"]),
    ("for p in $(oc get po -o name); do oc delete $p; done", ["oc"]),
    ("timeout 10 nc -z db 5432 || exit 1", ["nc"]),
    ("echo `hostname` $(date +%s)", ["hostname", "date"]),
    ("cat <<EOF | kubectl apply -f -\nkind: Pod\nmetadata: {}\nEOF\nkubectl get pods", ["cat", "kubectl"]),
    ("$ kubectl get nodes  # the prompt and the comment are not commands", ["kubectl"]),
    ("kubectl get pods \\\n  -n kube-system", ["kubectl"]),
    ("xargs -I {} rm {} < list.txt", ["rm"]),
    ("(cd /tmp && make) 2>&1 > /dev/null", ["make"]),
    ("if [ -f x ]; then jq . x; fi", ["jq"]),
    ("echo 'unbalanced", []),
    ("~/bin/deploy --now; /opt/gitlab/bin/gitlab-ctl status", ["~/bin/deploy", "/opt/gitlab/bin/gitlab-ctl"]),
    ("1. restart it\nstatus: ok", []),
])
def test_binaries_of_a_command_line(cmd: str, expected: list[str]) -> None:
    assert programs(cmd) == expected


def test_a_relative_program_is_a_script_bundled_when_present() -> None:
    [need] = needs_of(ShellOp(attributes={"cmd": "./bin/rake db:migrate", "effects": ["write:*"]}))
    assert (need.kind, need.name, need.optional) == ("script", "bin/rake", True)


def test_a_program_chosen_at_run_time_is_dynamic() -> None:
    assert [(n.name, n.dynamic) for n in needs_of(ShellOp(attributes={"argv": ["{0}", "-v"], "effects": []}))] \
        == [("{0}", True)]
    assert [n for n in needs_of(ShellOp(attributes={"cmd": "$(which oc) get pods", "effects": []}))
            if n.kind == "binary"] == [Need("binary", "which"), Need("binary", "$(...)", dynamic=True)]


def test_command_words_split_like_a_shell() -> None:
    assert list(command_words('kubectl get pods -n "$NS" | grep "a | b"')) == [
        ["kubectl", "get", "pods", "-n", "$NS"], ["grep", "a | b"]]


@pytest.mark.parametrize(("text", "shell", "expected"), [
    ("kubectl -n $NAMESPACE get ${KIND}", False, [("env", "NAMESPACE", False), ("env", "KIND", False)]),
    ("echo ${LIMIT:-10} ${X-1} ${REQ:?set it}", False, [("env", "LIMIT", True), ("env", "X", True),
                                                        ("env", "REQ", False)]),
    ("curl -H \"Authorization: Bearer $GITLAB_TOKEN\"", True, [("credential", "GITLAB_TOKEN", False)]),
    ("awk '{print $NF}' | cut -f $1", True, []),
    ("N=3; echo $N $RANDOM $HOME", True, [("env", "HOME", False)]),
    ("for pod in a b; do echo $pod; done", True, []),
])
def test_env_var_references(text: str, shell: bool, expected: list[tuple[str, str, bool]]) -> None:
    assert [(n.kind, n.name, n.optional) for n in env_refs(text, shell=shell)] == expected


def test_argv_program_text_is_not_scanned_for_variables() -> None:
    op = ShellOp(attributes={"argv": ["awk", "{print $NF}", "$LOGFILE"], "effects": ["read:*"]})
    assert [(n.kind, n.name) for n in needs_of(op)] == [("binary", "awk"), ("env", "LOGFILE")]


def test_kubectl_needs_a_kube_credential_and_scripts_run_by_an_interpreter_are_found() -> None:
    needs = needs_of(ShellOp(attributes={"cmd": "kubectl get ns && python3 scripts/check.py --fast",
                                         "effects": ["read:*"]}))
    assert [(n.kind, n.name) for n in needs] == [("binary", "kubectl"), ("credential", "kubernetes"),
                                                 ("binary", "python3"), ("script", "scripts/check.py")]
    assert needs[1].alternatives[0] == "KUBECONFIG"
    assert needs[3].optional  # a command line's file argument may live outside the skill


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="aZ9_~-./*?=:$@%+,{}[]^();<>|& \t'\"#\\`é!", max_size=16))
def test_plain_lines_are_split_as_shlex_splits_them(line: str) -> None:
    assert _tokens(line) == _shlex_tokens(line)
