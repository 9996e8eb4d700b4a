"""The runbook idioms one at a time: wrappers, block recognisers, interactive commands, step edges."""

from __future__ import annotations

import pytest

from skc.compiler.frontend.markdown import prose
from skc.compiler.frontend.markdown.blocks import Snippet, read_block, spell_placeholders
from skc.compiler.frontend.markdown.document import Block
from skc.compiler.frontend.markdown.interactive import plan
from skc.compiler.frontend.markdown.wrappers import unwrap
from skc.compiler.frontend.runbook.fidelity import unit_of
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
    ("", 'SELECT "id" FROM "t" WHERE "t"."project_id" = $1 LIMIT $2\n', []),  # pg_stat_statements' sample
    ("tag-kql_2", "AKSAudit\n| where Verb == \"list\"\n| summarize count() by Resource\n", ["kql"]),
    ("shell", "$ oc rsh etcd-0\nsh-4.4# etcdctl member list\n", ["shell", "shell"]),
    ("yaml", "a: b\n", []),
    # a program called by its path in a bin/ folder runs, whatever its name (gitlab runbooks)
    ("", "/opt/gitlab/embedded/bin/postgres --version\n", ["shell"]),
    ("", "sudo /opt/gitlab/embedded/bin/chpst -e /opt/gitlab/etc/env -u git:git /opt/gitlab/embedded/bin/bundle exec stackprof x\n",
     ["shell"]),
    ("", "/usr/local/bin/frobnicate\n", []),  # a bare path, as `which` prints it: output
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
    assert _plan("kubectl gadget run trace_dns --all-namespaces") == [
        ("kubectl gadget run trace_dns --all-namespaces --timeout 10", "")]  # an Inspektor Gadget trace
    assert _plan("kubectl gadget run top_file --timeout 5") == [("kubectl gadget run top_file --timeout 5", "")]
    assert _plan("oc edit cm/x")[0][1] == "opens an editor"
    assert _plan("oc rsh etcd-0")[0][1].startswith("opens an interactive shell")
    assert _plan("gitlab-rails console")[0][1].startswith("opens an interactive console")
    assert _plan("kubectl debug node/n1 -it --image=busybox", "cat /host/proc/pressure/cpu")[1][1] != ""
    got = _plan("kubectl run -it --rm aks-ssh --image=debian:stable", "apt-get update -y", "nslookup microsoft.com")
    assert all(reason for _, reason in got)  # a throwaway pod's terminal: nothing typed into it runs on this host


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


def _compile(tmp_path, text: str):  # type: ignore[no-untyped-def]
    from skc.compiler.frontend.runbook.tsg_md import compile_tsg

    doc = tmp_path / "rb.md"
    doc.write_text(text, encoding="utf-8")
    result = compile_tsg(doc)
    assert result.module is not None
    return result, result.module.workflows[0]


def test_numbered_step_headings_under_a_section_are_the_step_graph(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, wf = _compile(tmp_path, "# T\n\n## Cause\n\nRun:\n\n```bash\nkubectl describe nodes\n```\n\n## Solution\n\n"
                     "Intro text for the steps.\n\n### Step 1: Check\n\nRun `kubectl get pods`.\n\n"
                     "### Step 2: Fix\n\nRun `kubectl delete pod web-1`.\n")
    assert wf.attr_strs("steps") == ["Cause", "1", "2"]
    assert wf.attr_strs("step_edges") == ["Cause -> 1", "1 -> 2"]


def test_tab_headings_are_tabs_of_the_step_above(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, wf = _compile(tmp_path, "# T\n\n## Checklist\n\n### Step 1: Find nodes\n\nUse either tab.\n\n"
                     "### [Browser](#tab/browser)\n\n1. Open the portal.\n\n### [Command Line](#tab/cli)\n\n"
                     "1. Run:\n\n   ```bash\n   kubectl top node\n   ```\n\n---\n\n### Step 2: Next\n\nRun `kubectl get pods`.\n")
    assert wf.attr_strs("steps") == ["1", "2"]
    labels = [op.attributes.get("step") for op in wf.walk() if op.op_name == "tool.shell"]
    assert labels[0].startswith("1.Command Line")


def test_a_prose_only_step_heading_is_still_a_step(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, wf = _compile(tmp_path, "# T\n\n## Step 1: List\n\nRun `kubectl get nodes`.\n\n## Step 2: Connect to a node\n\n"
                     "The next step is to establish a connection to the node. See [docs](https://x).\n\n"
                     "## Step 3: Check\n\nRun `kubectl get pods`.\n")
    assert wf.attr_strs("steps") == ["1", "2", "3"]


@pytest.mark.parametrize(("sentence", "cond", "action"), [
    ("Restart the pod if it is stuck in Pending.", "it is stuck in Pending", "Restart the pod."),
    ("Even so, check the metric, and proceed with the recovery steps if it is not decreasing.",
     "it is not decreasing", "check the metric, and proceed with the recovery steps."),
    ("Restart the pod if needed.", None, None), ("This happens if the disk is full.", None, None)])
def test_conditions_written_after_their_instruction(sentence: str, cond: str | None, action: str | None) -> None:
    from skc.compiler.frontend.markdown.trailing import trailing_condition

    got = trailing_condition(sentence)
    assert (got.cond, got.action) == (cond, action) if got is not None else cond is None


@pytest.mark.parametrize(("sentence", "cond"), [
    ("In case of maintenance ensure to cordon and drain node.", "maintenance"),
    ("In case of a failed upgrade, roll back the release.", "a failed upgrade"), ("In case of doubt", None)])
def test_in_case_of_a_noun_phrase_is_a_condition(sentence: str, cond: str | None) -> None:
    from skc.compiler.frontend.markdown.trailing import case_condition

    got = case_condition(sentence)
    assert (got.cond if got is not None else None) == cond


def test_a_conclusion_then_an_instruction_is_one_decision_over_the_step(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, wf = _compile(tmp_path, "# T\n\n## Check\n\n```bash\nknife ssh 'role:worker' 'nc -z db 5432'\n```\n\n"
                     "If some of the workers CAN reach postgres but others CANNOT, this is likely a vendor issue. "
                     "You will need to contact their support.\n")
    decide = next(op for op in wf.walk() if op.op_name == "llm.decide")
    assert decide.operands
    assert decide.operands[0].defining_op.op_name == "tool.shell"


def test_a_heading_that_states_a_fact_decides_over_the_step(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, wf = _compile(tmp_path, "# T\n\n## Step 1: Verify the pods are running\n\n```bash\nkubectl get pods\n```\n\n"
                     "## Step 2: Check CPU utilization\n\n```bash\nkubectl top nodes\n```\n")
    decides = [op for op in wf.walk() if op.op_name == "llm.decide"]
    assert [d.attributes["step"] for d in decides] == ["1.check"]
    assert decides[0].attributes["prompt"] == "Check whether the pods are running."
    assert decides[0].operands[0].defining_op.op_name == "tool.shell"


def test_a_condition_over_prose_a_model_wrote_is_a_decision_not_a_number(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, wf = _compile(tmp_path, "# T\n\n## Troubleshoot\n\n1. View the queue dashboard.\n1. This alert may just be a "
                     "symptom of slow jobs. If there are many jobs in the queue (i.e. over 10,000 and growing), you may "
                     "want to investigate the database.\n1. Check Sentry for new errors.\n")
    names = [op.op_name for op in wf.walk()]
    assert "llm.decide" in names
    assert "data.regex_extract" not in names


def test_ruby_console_code_is_a_manual_step(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result, wf = _compile(tmp_path, "# T\n\n1. Check the jobs with the script below:\n\n   ```ruby\n"
                          "   Sidekiq::Workers.new.each { |p, t, m| puts m }\n   ```\n")
    manual = [op for op in wf.walk() if op.op_name == "ctrl.manual"]
    assert len(manual) == 1
    assert "Sidekiq::Workers" in str(manual[0].attributes)
    assert any(d.code == "SKC152" for d in result.diagnostics)


def test_every_evidence_less_llm_op_is_warned_and_judgements_see_their_step(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result, wf = _compile(tmp_path, "# T\n\n## Diagnosis\n\n- Check pod events via `kubectl describe pod web`.\n"
                          "- Check pod template parameters such as:\n  - pod priority\n  - probes\n\n"
                          "## Mitigation\n\nTalk with developers about the app.\n")
    llm = {str(op.attributes["step"]): op for op in wf.walk() if op.op_name.startswith("llm.")}
    inspect = next(op for label, op in llm.items() if label.startswith("Diagnosis"))
    assert inspect.operands
    assert inspect.operands[0].defining_op.op_name == "tool.shell"
    bare = next(op for label, op in llm.items() if label.startswith("Mitigation"))
    assert not bare.operands
    assert [d.loc.line for d in result.diagnostics if d.code == "SKC149"] == [bare.loc.line]


@pytest.mark.parametrize(("query", "dialect", "sqlite"), [
    ("SELECT a::int FROM t WHERE b ILIKE 'x%' AND r = {0}", "postgres",
     "SELECT CAST(a AS INTEGER) FROM t WHERE LOWER(b) LIKE LOWER('x%') AND r = {0}"),
    ("SELECT TOP 5 * FROM t WHERE d > GETDATE()", "tsql", "SELECT * FROM t WHERE d > CURRENT_TIMESTAMP LIMIT 5"),
    ("SELECT `a` FROM t LIMIT 5, 10", "mysql", 'SELECT "a" FROM t LIMIT 10 OFFSET 5'),
    ("SELECT endpoint FROM requests WHERE region = {0}", "", None),
    ("SELECT now() - pg_last_xact_replay_timestamp() AS lag", "postgres", "pg_last_xact_replay_timestamp"),
    ("SELECT x FROM t WHERE ts > now() - interval '5 minutes'", "postgres", "INTERVAL")])
def test_sql_dialects_are_translated_to_sqlite_or_say_why_not(query: str, dialect: str, sqlite: str | None) -> None:
    import sqlite3

    from skc.compiler.frontend.markdown.queries import detect_dialect, to_sqlite

    assert detect_dialect(query) == dialect
    if not dialect:
        return
    out, why = to_sqlite(query, dialect)
    if out is None:
        assert sqlite is not None
        assert sqlite in why  # the function or construct SQLite lacks
        return
    assert out == sqlite
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (a TEXT, b TEXT, r TEXT, d TEXT)")
    conn.execute(out.replace("{0}", "?"), ("x",) if "{0}" in out else ())  # SQLite runs the translation


def test_an_untranslatable_query_is_a_located_compile_time_warning(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result, wf = _compile(tmp_path, "# T\n\n## Lag\n\n```sql\nSELECT now() - pg_last_xact_replay_timestamp() AS lag\n"
                          "```\n\n## Slow\n\n```sql\nSELECT TOP 10 q FROM stats ORDER BY t DESC\n```\n")
    [warn] = [d for d in result.diagnostics if d.code == "SKC150"]
    assert warn.loc.line == 6  # the query, under its ```sql fence
    assert "PostgreSQL" in warn.message
    queries = [op for op in wf.walk() if op.op_name == "tool.sql"]
    assert queries[1].attributes["query"] == "SELECT q FROM stats ORDER BY t DESC LIMIT 10"
    assert queries[1].attributes["written"] == "SELECT TOP 10 q FROM stats ORDER BY t DESC"
    assert queries[1].attributes["dialect"] == "tsql"


def test_a_list_of_instructions_with_no_step_before_it_is_steps_not_lost(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, wf = _compile(tmp_path, "# T\n\n## What to do in the first 5 minutes\n\n- Be aware of the primary database\n"
                     "- Check the dashboards and log links below to assess root cause\n"
                     "- See if there is a quick recovery, if not page the IMOC\n\n## Logs\n\nRun `kubectl get pods`.\n")
    prompts = " ".join(str(op.attributes.get("prompt", "")) for op in wf.walk() if op.op_name.startswith("llm."))
    assert "Check the dashboards" in prompts
    assert "page the IMOC" in prompts


def test_under_indented_bullets_are_the_body_of_the_numbered_item_above(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = ("# Saturation\n\n## Troubleshoot\n\n1. Imbalance on connections\n  * Check the dashboard.\n"
            "  * Restart the pod with `kubectl delete pod web-1`.\n\n1. Too many connections\n"
            "  * Dump the queries with `psql -c 'select 1'`.\n\n* A list of its own at the margin.\n")
    _, wf = _compile(tmp_path, text)
    assert wf.attr_strs("step_edges") == ["Troubleshoot.1 -> Troubleshoot.2"]


@pytest.mark.parametrize(("text", "edges"), [
    ("# Alert\n\n## Critical\n\nRun `kubectl get nodes`.\n\n## Warning\n\nRun `kubectl get pods`.\n\n"
     "## Runbook\n\nRun `kubectl top nodes`.\n", ["Critical -> Runbook", "Warning -> Runbook"]),
    ("# Pod crashlooping\n\n## Common symptoms\n\n### Out of memory\n\nRun `kubectl top pods`.\n\n"
     "### Disk full\n\nRun `df -h`.\n\n### Corrupted WAL\n\nRun `ls /data/wal`.\n", []),
    ("# Connections\n\n## Checklist\n\n### Is the issue persistent?\n\n#### Step 1: Basics\n\nRun `curl -v x`.\n\n"
     "#### Step 2: Outbound type\n\nRun `az aks show`.\n\n### Is the issue intermittent?\n\n#### Step 1: Resources\n\n"
     "Run `kubectl top nodes`.\n\n#### Step 2: Disk\n\nRun `df -h`.\n", ["1 -> 2", "1 (2) -> 2 (2)"]),
    ("# Steps\n\n## Diagnosis\n\nRun `kubectl get nodes`.\n\n## Mitigation\n\nRun `kubectl drain n1`.\n",
     ["Diagnosis -> Mitigation"]),  # a sequence stays one
])
def test_alternative_sections_are_siblings_with_no_edge_between_them(tmp_path, text: str, edges: list[str]) -> None:  # type: ignore[no-untyped-def]
    _, wf = _compile(tmp_path, text)
    assert (wf.attr_strs("step_edges") or []) == edges


def test_an_upper_case_word_the_prose_says_to_replace_is_an_input(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = ("# Kernels\n\n## Cleanup\n\nKeep the latest one (replace LATEST with version, say, `4.4.0-89`), and "
            "replace `XXX` in the filename with the issue number:\n\n```shell\ndpkg -l | grep -v 'LATEST' | "
            "tee -a issue_XXX_kernels.txt\nkill -s SIGKILL 1234\n```\n")
    _, wf = _compile(tmp_path, text)
    assert sorted(wf.attr_strs("arg_names") or []) == ["latest", "xxx"]  # SIGKILL: no sentence asks to replace it


def test_an_elision_in_a_sample_output_is_no_input(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = ("# Queues\n\n## Look\n\nLook inside the file for the queue breakdown of <queue_name>. For example:\n\n"
            "```\nQueue size:\nPipelineProcessWorker: 11000\n<snip>\n```\n")
    _, wf = _compile(tmp_path, text)
    assert wf.attr_strs("arg_names") == ["queue_name"]


@pytest.mark.parametrize(("name", "elided"), [
    ("<snip>", True), ("<snipped>", True), ("<...>", True), ("<more chars>", True), ("<truncated>", True),
    ("<pod_name>", False), ("<snapshot>", False), ("<morecpus>", False)])
def test_elision_markers(name: str, elided: bool) -> None:
    from skc.compiler.frontend.markdown import prose

    assert prose.elision(name) is elided


def test_an_inline_call_with_a_placeholder_is_a_located_warning_not_a_run(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from skc.compiler.frontend.runbook.tsg_md import compile_tsg

    doc = tmp_path / "rb.md"
    doc.write_text("# Long transactions\n\n## Mitigation\n\nConsider interrupting the offending session using "
                   "`pg_terminate_backend({PID})`. See `count_tokens()` for more.\n", encoding="utf-8")
    result = compile_tsg(doc)
    warned = [(d.code, d.loc.line, d.loc.col) for d in result.diagnostics if d.code == "SKC151"]
    assert warned == [("SKC151", 5, 52)]  # `count_tokens()` takes no value: a name, not a call to run
    assert result.module is not None
    assert not [op for wf in result.module.workflows for op in wf.walk() if op.op_name.startswith("tool.")]


_FRAGMENTED = ("In the case of slow disk or when the etcd DB size increases, we can defragment the existing etcd DB. "
               "Run the following command in all etcd pods.\n\n```console\n$ etcdctl defrag\n```\n")


@pytest.mark.parametrize(("text", "sees"), [
    ("# Fsync\n\n## Diagnosis\n\nQuery in metrics UI:\n\n```promql\nhistogram_quantile(0.99, rate(x_bucket[5m]))\n```\n\n"
     "## Mitigation\n\n### Fragmented state\n\n" + _FRAGMENTED, {"Diagnosis"}),  # sees what the step before it ran
    ("# Fsync\n\n## Critical\n\nRun `etcdctl endpoint status`.\n\n## Warning\n\n" + _FRAGMENTED, set()),  # alternatives
])
def test_a_decision_that_reads_only_model_wording_sees_the_steps_it_depends_on(tmp_path, text: str, sees: set[str]) -> None:  # type: ignore[no-untyped-def]
    _, wf = _compile(tmp_path, text)
    steps = wf.attr_strs("steps") or []
    decide = next(op for op in wf.walk() if op.op_name == "llm.decide" and "defrag" not in str(op.attributes))
    seen = {unit_of(str(v.defining_op.attributes["step"]), steps) for v in decide.operands
            if v.defining_op is not None and v.defining_op.op_name.startswith("tool.")}
    assert seen == sees
    if not sees:
        assert (wf.attr_strs("step_edges") or []) == []  # siblings stay siblings


@pytest.mark.parametrize(("text", "steps"), [
    ("# Down\n\n## Meaning\n\nHalf are down.\n\n## Diagnosis\n\nVerify why pods are not running.\n\n"
     "```shell\n$ kubectl get events | grep alertmanager\n```\n", ["Diagnosis"]),  # one step: listed, by its section
    ("# Bastions\n\n## Hosts\n\n### How to start\n\nRun `ssh bastion-01`.\n\nThen run `sudo -i` there.\n",
     ["How to start.1", "How to start.2"]),  # a lone subsection's steps stay the units
])
def test_a_one_step_document_lists_its_step(tmp_path, text: str, steps: list[str]) -> None:  # type: ignore[no-untyped-def]
    _, wf = _compile(tmp_path, text)
    assert wf.attr_strs("steps") == steps


@pytest.mark.parametrize(("sentence", "acts"), [
    ("Once, the problem was resolved that prevented node from being replaced, the instance should be terminated.", True),
    ("Deleting an incorrect Endpoint should trigger its recreation with a correct IP address.", True),
    ("The haproxy nodes need to be drained of traffic before restarts of haproxy.", True),
    ("The output should be empty.", False),  # a state to expect, not an action
    ("The pod should be recreated automatically.", False),  # what the system does
    ("No resources should be removed in the first Terraform apply.", False),  # a constraint
    ("Deleting the namespace removes every object in it.", False),  # what an action does, no outcome sought
])
def test_passive_and_gerund_actions_are_instructions(sentence: str, acts: bool) -> None:
    assert prose.is_instruction(sentence) is acts


@pytest.mark.parametrize(("text", "steps"), [
    ("# Lookup errors\n\n## Diagnosis\n\n- Check logs of the operator pod.\n- Check the kubelet Service\n```shell\n"
     "$ kubectl describe Service -n kube-system\n\n## Mitigation\n\nTODO\n",
     ["Diagnosis.1", "Diagnosis.2"]),  # a fence on the item's next line (never closed, even) is the item's command
    ("# Lookup errors\n\n## Diagnosis\n\n- Check logs of the operator pod.\n- Check the kubelet Service\n\n```shell\n"
     "$ kubectl describe Service -n kube-system\n```\n",
     ["Diagnosis.1", "Diagnosis.2", "Diagnosis.3"]),  # after a blank line: a block of its own
])
def test_a_fence_right_under_a_list_item_is_that_items_command(tmp_path, text: str, steps: list[str]) -> None:  # type: ignore[no-untyped-def]
    _, wf = _compile(tmp_path, text)
    assert wf.attr_strs("steps") == steps
    shell = [op for op in wf.walk() if op.op_name == "tool.shell"]
    assert len(shell) == 1
    assert str(shell[0].attributes["step"]).startswith(steps[1] if len(steps) == 2 else steps[2])
@pytest.mark.parametrize(("command", "names"), [
    ("sudo find FS_PATH -xdev -printf '%h\\n' | sort | uniq -c", {"FS_PATH"}),
    ("kill -9 PID_OF_RUNNER", {"PID_OF_RUNNER"}),
    ("gitlab-patronictl restart pg11-ha-cluster MEMBER_NAME", {"MEMBER_NAME"}),
    ("bundle exec knife ssh -a ipaddress roles:ROLE_HERE uptime", {"ROLE_HERE"}),
    ("/opt/gitlab/embedded/bin/redis-cli -p 26379 SENTINEL failover CLUSTER_NAME", {"CLUSTER_NAME"}),
    ("bq load --source_format NEWLINE_DELIMITED_JSON logs gs://x", set()),  # a constant: no kind of value
    ("export SSH_AUTH_SOCK=$HOME/.gnupg/S.gpg-agent.ssh", set()),  # set here
    ("az ad app credential list --id \"SP_ID\"", set()),  # quoted: as written
    ("echo $GITLAB_URL", set()),  # a variable
    ("for NODE_NAME in a b; do echo NODE_NAME; done", set()),  # the loop sets it
    ("gitlabhq_production | PRIMARY_HOST | 5432 | gitlabhq_production", set()),  # a row of sample output
    ("kill -s SIGKILL 1234", set()),
])
def test_bare_upper_case_placeholders_are_told_from_constants(command: str, names: set[str]) -> None:
    from skc.compiler.frontend.markdown.bare_placeholders import bare_names

    assert bare_names(command) == names
