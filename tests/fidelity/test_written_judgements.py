"""Judgements written in less usual places: a comment in a code block ("# if down:"), a
question as a heading or before "In that case" / "Then", a condition whose action introduces
a list of facts to check, "see if it exits successfully". Each form with corpus-shaped
examples and the sentences it must leave alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from skc.compiler.frontend.markdown.anaphora import anaphoric_condition
from skc.compiler.frontend.markdown.code_comments import gate
from skc.compiler.frontend.markdown.intro_checks import checked_facts
from skc.compiler.frontend.markdown.remarks import same_fact
from skc.compiler.frontend.runbook.tsg_md import compile_tsg


def _decides(tmp_path: Path, text: str) -> list[tuple[str, list[str]]]:
    """(prompt, ops its operands come from) of each llm.decide compiled from `text`."""
    doc = tmp_path / "rb.md"
    doc.write_text(text, encoding="utf-8")
    result = compile_tsg(doc)
    assert result.module is not None
    return [(str(op.attributes["prompt"]), [str(v.defining_op.attributes.get("step", v.defining_op.op_name))
                                            for v in op.operands if v.defining_op is not None])
            for wf in result.module.workflows for op in wf.walk() if op.op_name == "llm.decide"]


@pytest.mark.parametrize(("comment", "cond", "action"), [
    ("if down:", "down", ""),
    ("Clean out temporary dirs, **only if the prometheus container is indeed not running**",
     "the prometheus container is indeed not running", "Clean out temporary dirs."),
    ("As a last resort, delete some WAL. This will cause data loss of metrics ingested since the last commit.",
     "the steps before did not resolve the problem", "delete some WAL."),
    ("if customers still report issues, check each affected repo for consistency:", "customers still report issues",
     "check each affected repo for consistency:"),
    ("If the package already exists in the repo, find the name and then remove it from the repo",
     "the package already exists in the repo", "find the name and then remove it from the repo"),
    ("Alternatively, if you only have the IDs", "you only have the IDs", ""),
])
def test_a_comment_that_opens_or_restricts_with_a_condition_gates_its_command(comment: str, cond: str,
                                                                                action: str) -> None:
    got = gate(comment)
    assert got is not None
    assert (got.cond, got.action) == (cond, action)


@pytest.mark.parametrize("comment", [
    "Profile PID 1234 when it is actively on-CPU, sampling at up to 99 times per second.",  # describes the command
    "Capture a stack trace when any process triggers the chosen tracepoint.",
    "this may fail if shards are not placed according to allocation constraints,",  # a remark
    "Change `hup puma` to `restart sidekiq-cluster` when removing a PgBouncer-specific instance",  # edit the command
    "Get a shell on a container that has access to the volume. If prometheus itself is down, you can use thanos-sidecar:",
    "%x = transaction ID (0 if none)",
    "Check the disk usage again:",
])
def test_a_comment_that_describes_gates_nothing(comment: str) -> None:
    assert gate(comment) is None


def test_a_gated_command_in_a_block_is_a_decision_over_the_commands_before_it(tmp_path: Path) -> None:
    text = ("# Disk full\n\n## Mitigation\n\nRun:\n\n```\n# Check the disk usage:\ndf -h\n\n"
            "# Clean out temporary dirs, **only if the container is not running**\nrm -rf /data/*.tmp\n\n"
            "# Check the disk usage again:\ndf -h /data\n\n# As a last resort, delete some WAL.\nrm -rf /data/wal/*\n```\n")
    decides = _decides(tmp_path, text)
    assert [p for p, _ in decides] == ["The container is not running?", "The steps before did not resolve the problem?"]
    assert decides[0][1] == ["Mitigation.1"]  # the first df
    assert decides[1][1] == ["Mitigation.1.c2"]  # the second df


def test_a_block_whose_comments_only_describe_stays_one_step(tmp_path: Path) -> None:
    text = ("# Logs\n\n## Steps\n\nRun:\n\n```bash\n# List pods in the namespace.\nkubectl get pods -n x\n\n"
            "# Dump logs of the previous container instance.\nkubectl logs pod-1 --previous\n```\n")
    assert _decides(tmp_path, text) == []


@pytest.mark.parametrize(("sentence", "previous", "cond", "action"), [
    ("Then ask your network administrator before you add your client IP address.",
     "Do you access the API server from a corporate network where traffic is routed through a proxy server?",
     "Do you access the API server from a corporate network where traffic is routed through a proxy server",
     "ask your network administrator before you add your client IP address."),
    ("In that case, you can check your application to determine whether it's reusing existing connections.",
     "Are you reaching or exceeding the maximum number of allocated SNAT ports?",
     "Are you reaching or exceeding the maximum number of allocated SNAT ports",
     "you can check your application to determine whether it's reusing existing connections."),
    ("In this case, check the pod events by using the kubectl describe command:", "What if the pod isn't running?",
     "the pod isn't running", "check the pod events by using the kubectl describe command:"),
])
def test_in_that_case_or_then_after_a_question_is_its_condition(sentence: str, previous: str, cond: str,
                                                                 action: str) -> None:
    got = anaphoric_condition(sentence, previous)
    assert got is not None
    assert (got.cond, got.action, got.negated) == (cond, action, False)


def test_then_after_a_check_or_a_statement_only_orders_the_steps() -> None:
    assert anaphoric_condition("Then, check whether you can move the actions to a data disk.",
                               "Check whether the OS disk is used heavily.") is None
    assert anaphoric_condition("Then restart the pod.", "The pod restarts often.") is None
    assert anaphoric_condition("In that case, restart it.", "The pod restarts often.") is None


def test_a_question_heading_over_commands_is_a_decision_over_them(tmp_path: Path) -> None:
    text = ("# Outbound issues\n\n## Is the issue intermittent?\n\n### Step 1: Is the pod or node exhausted on "
            "resources?\n\nRun the following commands to check how much the resources are used:\n\n```bash\n"
            "kubectl top pods\nkubectl top nodes\n```\n\n### Step 2: Is the OS disk used heavily?\n\n"
            "Look at the disk metrics in the portal.\n\n### How does it get there?\n\nRun `ls /var/log`.\n")
    decides = _decides(tmp_path, text)
    assert [p for p, _ in decides] == ["Check whether the answer is yes: Is the pod or node exhausted on resources?"]
    assert decides[0][1] == ["1.1", "1.1"]  # both kubectl top commands; no decision for the heading of sections,
    # none for a question with no command under it, none for a "how" question


def test_a_condition_introducing_facts_to_check_is_kept(tmp_path: Path) -> None:
    text = ("# DNS\n\n## Step 3\n\n1. Check whether the virtual network was updated recently.\n\n"
            "   If a virtual network update occurred, check whether one of the following events also occurred:\n\n"
            "   - The nodes were restarted.\n   - The network service in the node was restarted.\n\n"
            "## Step 4\n\n* Look at the dashboard:\n  * if the distribution of connections is uneven, then perhaps:\n"
            "    * one node was down during a deployment\n    * or the healthcheck service is down.\n\n"
            "## Step 5\n\nKubelets spawn new threads. If the allocation of new threads is unsuccessful, this failure "
            "can affect service readiness, as follows:\n\n- The node status changes to Not Ready.\n"
            "- The log shows pthread_create failures.\n")
    prompts = [p for p, _ in _decides(tmp_path, text)]
    assert prompts[0] == "Check whether the virtual network was updated recently."
    assert prompts[1].startswith("check whether one of the following events also occurred:\n- The nodes were restarted.")
    assert "The distribution of connections is uneven?" in prompts
    assert not any("allocation of new threads" in p for p in prompts)  # it only describes what follows
    assert len(prompts) == 3  # "a virtual network update occurred" is the check's fact: decided once


def test_same_fact_sees_through_word_endings() -> None:
    assert same_fact("Check whether the virtual network was updated recently to add the new DNS servers.",
                     "a virtual network update occurred")
    assert not same_fact("the pods are running", "the nodes are ready")


@pytest.mark.parametrize(("sentence", "facts"), [
    ("Try running the script manually like this and see if it exits successfully:", ["it exits successfully"]),
    ("Run the backup and check if it failed.", ["it failed"]),
    ("Check if you have access to the cluster.", []),
])
def test_see_if_it_exits_successfully_judges_the_run(sentence: str, facts: list[str]) -> None:
    assert checked_facts(sentence, ["/usr/local/bin/gcs-snapshot.sh"]) == facts


def test_ensure_that_over_listed_facts_is_a_decision(tmp_path: Path) -> None:
    text = ("# Spike\n\n## Mitigation\n\nRun `psql -c 'select pg_terminate_backend(1)'`.\n\n## Post-checks\n\n"
            "Once the root cause is eliminated, ensure that:\n- the spike has ended,\n- the 5xx errors have ended.\n\n"
            "## Cleanup\n\nAfter the cleanup, check that:\n- you restart `pgbouncer`,\n- you run `psql -c 'select 1'`.\n")
    prompts = [p for p, _ in _decides(tmp_path, text)]
    assert prompts[0].startswith("Once the root cause is eliminated, ensure that:\n- the spike has ended")
    assert len(prompts) == 1  # "check that:" over steps to take is no judgement of its own


def test_a_list_of_causes_with_their_queries_is_one_choice_among_them(tmp_path: Path) -> None:
    text = ("# Spike\n\n## Diagnostics\n\nThe spike can be caused by one of the following 3 reasons:\n\n"
            "1. AutoANALYZE on one of large tables. Check it:\n\n    ```sql\n    select * from pg_stat_activity where "
            "query ~ '^autovacuum';\n    ```\n\n1. A long-running transaction on the primary:\n\n    ```sql\n"
            "    select * from pg_stat_activity where state = 'active';\n    ```\n\n"
            "1. A long-running transaction on a standby. Check `pg_replication_slots` on the primary.\n\n"
            "## Reasons\n\nHere are several possible reasons why your pod is stuck:\n\n"
            "1. **Application failure**: the application crashes.\n2. **Image pull issues**: the image is corrupted.\n")
    decides = _decides(tmp_path, text)
    assert len(decides) == 1  # the reasons to read are background: no choice
    prompt, seen = decides[0]
    assert prompt.startswith("Decide which of these causes it is: AutoANALYZE on one of large tables; A long-running")
    assert len(seen) == 2  # both queries


def test_causes_that_share_their_first_words_are_told_apart_by_the_rest() -> None:
    from skc.compiler.frontend.markdown.cause_lists import _distinct

    assert _distinct(["AutoANALYZE on one of large tables", "A long-running transaction on the primary",
                      "A long-running transaction on a standby"]) == [
        "AutoANALYZE on one of large tables", "the primary", "a standby"]


@pytest.mark.parametrize(("text", "kind"), [
    ("For quick testing to determine whether the egress device causes the issue, you can temporarily allow all "
     "traffic to go through the internet.", "generate"),  # the purpose clause judges nothing
    ("To check whether the pod restarts, decide whether to scale it.", "decide"),
    ("Decide whether the egress device causes the issue.", "decide"),
])
def test_a_purpose_clause_opened_by_for_does_not_make_a_decision(text: str, kind: str) -> None:
    from skc.compiler.frontend.markdown import llm_kinds

    assert llm_kinds.llm_kind(text) == kind


def test_then_after_a_conditional_instruction_stays_in_its_branch(tmp_path: Path) -> None:
    from skc.compiler.frontend.markdown.document import parse_document
    from skc.compiler.frontend.markdown.steps import extract_steps

    text = ("# Disk\n\n## Step 2\n\nIf these remedies don't resolve the issue, analyze the process that does heavy "
            "read/write operations on the disk. Then, check whether you can move the actions to a data disk.\n\n"
            "## Step 3\n\nIf the disk usage is above 90%, this is a capacity problem. Then restart the pod.\n")
    steps = extract_steps(parse_document(text, str(tmp_path / "rb.md")), [])
    first = [s for s in steps[0].walk() if s.condition is not None]
    assert len(first) == 1
    assert first[0].condition is not None
    assert first[0].condition.action.endswith("move the actions to a data disk.")
    second = [s for s in steps[1].walk() if s.condition is not None]
    assert second
    assert second[0].condition is not None
    assert "restart" not in second[0].condition.action  # it concluded: "Then" goes on unconditionally


def test_steps_listed_per_case_are_preceded_by_the_choice_of_case(tmp_path: Path) -> None:
    text = ("# Spike\n\n## Diagnostics\n\nRun `psql -c 'select * from pg_stat_activity'`.\n\n## Mitigation\n\n"
            "Once the root cause is identified, consider interrupting the session:\n"
            "- for autoANALYZE, it won't cause issue (but recommended to run a manual `analyze (verbose, skip_locked) "
            "{table_name}` right after interrupting);\n"
            "- for a regular long-running transaction – it is a business decision. Interrupt it using "
            "`pg_terminate_backend(pid)`.\n\n## Notes\n\n- For example, run `uptime` first.\n- Run `df -h`.\n")
    decides = _decides(tmp_path, text)
    assert [p for p, _ in decides] == ["Decide which case applies: autoANALYZE; a regular long-running transaction."]
    assert decides[0][1] == ["Diagnostics.1"]  # what the diagnosis found ("For example" names no case)


@pytest.mark.parametrize(("item", "case"), [
    ("For Virtual Machine Scale Set nodes, use the az vmss run-command invoke command:",
     "Virtual Machine Scale Set nodes"),
    ("for a regular long-running transcactions – it is a business decision.", "a regular long-running transcactions"),
    ("For Go processes, you can profile via pprof.", "Go processes"),
    ("For more information, see the docs.", None),
    ("For example, run `uptime`.", None),
    ("Forward the port with `kubectl port-forward`.", None),
])
def test_a_case_is_named_by_for_and_a_short_phrase(item: str, case: str | None) -> None:
    from skc.compiler.frontend.markdown.case_lists import _case

    assert _case(item) == case


@pytest.mark.parametrize(("sentence", "cond"), [
    ("For example, suppose project ID 1000 appears to have many jobs, and you want to remove all jobs relating to "
     "that project.", "project ID 1000 appears to have many jobs, and you want to remove all jobs relating to that project"),
    ("Suppose you see a lot of `RepositoryMirrorUpdateWorker` instances that you want to kill.",
     "you see a lot of `RepositoryMirrorUpdateWorker` instances that you want to kill"),
    ("Let's say ILM is configured to run every 10 mins.", None),  # an explanation's premise
    ("The setting is supposed to be on.", None),
])
def test_suppose_heads_the_case_the_next_sentences_handle(sentence: str, cond: str | None) -> None:
    from skc.compiler.frontend.markdown.trailing import supposed_condition

    got = supposed_condition(sentence)
    assert (got.cond if got is not None else None) == cond
    assert got is None or got.header


def test_a_supposed_case_guards_the_command_after_it(tmp_path: Path) -> None:
    text = ("# Sidekiq\n\n## Steps\n\n1. Dump the jobs:\n\n    ```sh\n    sudo gitlab-rails runner /tmp/sq.rb show\n    ```\n\n"
            "1. Look inside the output for the queue breakdown.\n\n1. For example, suppose project ID 1000 appears "
            "to have many jobs. In `gitlab-rails console`, you can run:\n\n    ```sh\n"
            "    sudo gitlab-rails runner /tmp/sq.rb kill 1000\n    ```\n")
    decides = _decides(tmp_path, text)
    assert [p for p, _ in decides] == ["Project ID 1000 appears to have many jobs?"]
    assert decides[0][1] == ["Steps.2"]  # what "look inside the output" made of the dump


def test_conditions_on_the_values_of_one_subject_are_one_choice(tmp_path: Path) -> None:
    text = ("# Outbound\n\n## Step 2: Determine the outbound type\n\n```azurecli\naz aks show -g rg -n aks --query "
            "networkProfile.outboundType\n```\n\nIf the outbound type is `userDefinedRouting`, make sure that the "
            "firewall is reachable with `curl -I https://firewall`.\n\nIf the outbound type is `managedNATGateway`, "
            "check the NAT gateway with `az network nat gateway show -g rg -n nat`.\n\nIf the pod is running, "
            "restart it with `kubectl rollout restart deploy/x`.\n")
    decides = _decides(tmp_path, text)
    assert [p for p, _ in decides] == [
        "Decide which value outbound type has: userDefinedRouting, managedNATGateway or another.", "The pod is running?"]
    assert decides[0][1] == ["2.1"]  # the az aks show output


@pytest.mark.parametrize(("cond", "tested"), [
    ("the outbound type is `loadBalancer`", True),
    ("the result is **true**", True),
    ("the pod is running", False),  # no literal value: a yes/no question
    ("the outbound type isn't `loadBalancer`", False),
])
def test_a_value_test_names_a_literal(cond: str, tested: bool) -> None:
    from skc.compiler.frontend.markdown.prose import Condition
    from skc.compiler.frontend.markdown.step_model import Step
    from skc.compiler.frontend.markdown.value_cases import tests_a_value
    from skc.ir.location import Location

    step = Step("1", cond, Location("x.md", 1, 1), condition=Condition(cond, "restart it.", "isn't" in cond))
    assert tests_a_value(step) is tested


def test_a_table_of_what_each_code_means_is_a_lookup_over_the_command_that_shows_it(tmp_path: Path) -> None:
    text = ("# Outbound\n\n## Step 3: Examine the curl output\n\nThe following HTTP status codes might indicate the "
            "listed issues.\n\n| HTTP status code | Issue | Example |\n|--|--|--|\n| `4xx` | A client issue. | Page "
            "missing. |\n| `5xx` | A server issue. | App down. |\n\nTry to connect:\n\n```bash\ncurl -vv 10.0.0.1/x\n```\n\n"
            "## Symptoms\n\n| Symptom | Description |\n|--|--|\n| NotReady | The node is not ready. |\n"
            "| Timeouts | Calls time out. |\n\n## Options\n\nConsider these options:\n\n| Option | Command |\n|--|--|\n"
            "| Describe | `kubectl describe pod x` |\n| Logs | `kubectl logs x` |\n")
    decides = _decides(tmp_path, text)
    assert [p for p, _ in decides] == ["Decide which of these the output shows: 4xx; 5xx."]
    assert decides[0][1] == ["3.1"]  # the curl output


def test_in_that_case_after_a_supposed_case_is_its_action(tmp_path: Path) -> None:
    text = ("# GC\n\n## Resolution\n\nRun `kubectl top pods -n registry`.\n\nSuppose there are no signs of relevant "
            "errors, and all metrics seem to point to an inability to keep up with the demand. In that case, we should "
            "likely adjust the online GC settings to meet the demand.\n")
    decides = _decides(tmp_path, text)
    assert [p for p, _ in decides] == ["There are no signs of relevant errors, and all metrics seem to point to an "
                                       "inability to keep up with the demand?"]


@pytest.mark.parametrize(("cond", "wish"), [
    ("you are only interested in the expiration date", True),
    ("you need to know what those _Pending restart_ settings are", True),
    ("you want to check which version of Runner is installed", True),
    ("you want to use custom DNS servers", False),  # the reader's setup: a decision
    ("you have direct SSH access to the node", False),
    ("the output is only interested in errors", False),
])
def test_the_wish_to_see_something_chooses_a_command_not_a_judgement(cond: str, wish: bool) -> None:
    from skc.compiler.frontend.markdown.remarks import wants_to_see

    assert wants_to_see(cond) is wish


def test_a_variant_command_for_a_wish_runs_without_a_decision(tmp_path: Path) -> None:
    text = ("# SSL\n\n## Possible checks\n\nShow the certificate:\n\n```\necho | openssl s_client -connect h:443\n```\n\n"
            "If you are only interested in the expiration date, you can use:\n\n```\necho | openssl s_client -connect "
            "h:443 | openssl x509 -noout -dates\n```\n")
    assert _decides(tmp_path, text) == []
    doc = tmp_path / "rb.md"
    result = compile_tsg(doc)
    assert result.module is not None
    assert sum(op.op_name == "tool.shell" for op in result.module.workflows[0].walk()) == 2  # both commands kept
