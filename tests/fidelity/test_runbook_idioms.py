"""The runbook idioms one at a time: wrappers, block recognisers, interactive commands, step edges."""

from __future__ import annotations

import pytest

from skc.compiler.frontend.markdown.blocks import Snippet, read_block, spell_placeholders
from skc.compiler.frontend.markdown.document import Block
from skc.compiler.frontend.markdown.interactive import plan
from skc.compiler.frontend.markdown.wrappers import unwrap
from skc.ir.location import Location


def test_wrappers_become_fences_and_keep_every_line() -> None:
    lines = ["<QUERY_1>", "SELECT 1 FROM t WHERE a = '{x}'", "</QUERY_1>", "<details>", "<summary>More</summary>",
             "", "```bash", "<QUERY_2>", "```", "</details>", "<pre>", "oc get nodes &amp;&amp; true", "</pre>"]
    out = unwrap(lines)
    assert len(out) == len(lines)
    assert out[:3] == ["```tag-query_1", "SELECT 1 FROM t WHERE a = '{x}'", "```"]
    assert out[3:5] == ["", ""]
    assert out[7] == "<QUERY_2>"  # inside a fence: untouched
    assert out[10:] == ["```", "oc get nodes && true", "```"]


@pytest.mark.parametrize(("lang", "code", "kinds"), [
    ("console", "kubectl get pods\nNAME  READY\nweb-1  1/1\nkubectl get svc\n", ["shell", "shell"]),
    ("", "SELECT a FROM t WHERE b > 3\n", ["sql"]),
    ("", "Show me the pods that restarted in the last hour\n", []),
    ("tag-kql_2", "AKSAudit\n| where Verb == \"list\"\n| summarize count() by Resource\n", ["kql"]),
    ("shell", "$ oc rsh etcd-0\nsh-4.4# etcdctl member list\n", ["shell", "shell"]),
    ("yaml", "a: b\n", []),
])
def test_blocks_are_read_by_their_content(lang: str, code: str, kinds: list[str]) -> None:
    reading = read_block(Block("code", 3, 1, lang=lang, code=code), "t.md")
    assert [s.kind for s in reading.snippets] == kinds
    assert reading.runs or reading.reason


def test_sample_output_is_attached_to_its_command() -> None:
    reading = read_block(Block("code", 3, 1, lang="console", code="kubectl get pods\nNAME  READY\nweb-1  1/1\n"), "t")
    assert reading.snippets[0].output == "NAME  READY\nweb-1  1/1"


def test_placeholder_spellings() -> None:
    assert spell_placeholders("kubectl get pods -n {{ns}} -l app=[app-name]", "shell") == \
        "kubectl get pods -n {ns} -l app=<app-name>"
    assert spell_placeholders("SELECT [name] FROM [dbo].[t] WHERE q = '{{queue}}'", "sql") == \
        "SELECT [name] FROM [dbo].[t] WHERE q = '{queue}'"


def _plan(*lines: str) -> list[tuple[str, str]]:
    planned, _ = plan([Snippet("shell", t, Location("t", i + 1, 1), block=1) for i, t in enumerate(lines)])
    return [(p.snippet.text, p.manual) for p in planned]


def test_pod_sessions_run_inside_the_pod() -> None:
    assert _plan("oc rsh -n openshift-etcd etcd-0", "etcdctl endpoint health", "etcdctl member list | grep x") == [
        ("oc exec -n openshift-etcd etcd-0 -- etcdctl endpoint health", ""),
        ('oc exec -n openshift-etcd etcd-0 -- sh -c "etcdctl member list | grep x"', "")]
    assert _plan("oc debug node/n1", "chroot /host", "crictl ps") == [("oc debug node/n1 -- chroot /host crictl ps", "")]


def test_streaming_commands_are_bounded_and_editors_are_manual() -> None:
    assert _plan("kubectl logs -f deploy/web") == [("kubectl logs deploy/web --tail=200", "")]
    assert _plan("watch -n 5 kubectl get pods") == [("kubectl get pods", "")]
    assert _plan("kubectl get pods -w") == [("kubectl get pods", "")]
    assert _plan("oc edit cm/x")[0][1] == "opens an editor"
    assert _plan("oc rsh etcd-0")[0][1].startswith("opens an interactive shell")
    assert _plan("gitlab-rails console")[0][1].startswith("opens an interactive console")
    assert _plan("kubectl debug node/n1 -it --image=busybox", "cat /host/proc/pressure/cpu")[1][1] != ""


def test_a_shell_opened_on_a_spaced_placeholder_pod_is_a_session() -> None:
    """`kubectl exec -it <pod name> -n <namespace> /bin/bash` (azure-aks style): the placeholder
    with a space is one word, so the shell is a manual opener and what is typed runs in the pod."""
    got = _plan("kubectl exec -it <pod name> -n <namespace> /bin/bash", "apt update")
    assert got == [("kubectl exec -n <namespace> '<pod name>' -- apt update", "")]
    assert _plan("kubectl exec -it <pod name> /bin/sh")[0][1].startswith("opens an interactive shell")
    assert _plan("kubectl exec -it <windows pod> -- cmd.exe")[0][1].startswith("opens an interactive shell")


@pytest.mark.parametrize(("code", "sql"), [
    ("analyze (verbose, skip_locked) {table_name}", True), ("VACUUM (VERBOSE, ANALYZE) public.users;", True),
    ("vacuum freeze ci_builds", True), ("ANALYZE t", True),
    ("analyze the logs", False), ("vacuum the db", False), ("analyze", False)])
def test_inline_maintenance_statements_are_sql_and_sentences_are_not(code: str, sql: bool) -> None:
    from skc.compiler.frontend.markdown.snippets import inline_kind

    assert (inline_kind(code, "run a manual ", "run a manual " + code) == "sql") is sql
