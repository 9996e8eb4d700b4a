"""Which "if" sentences are decisions: remarks, concessions, "if so", choices among listed
actions, section gates and heading checks already decided by their step."""

from __future__ import annotations

from pathlib import Path

import pytest

from skc.compiler.frontend.markdown import llm_kinds, prose
from skc.compiler.frontend.markdown.anaphora import anaphoric_condition
from skc.compiler.frontend.markdown.case_maps import case_map
from skc.compiler.frontend.markdown.choices import case_labels, cause_labels, picks_action
from skc.compiler.frontend.markdown.intro_checks import checked_facts
from skc.compiler.frontend.markdown.remarks import remark, same_fact
from skc.compiler.frontend.markdown.thresholds import bound
from skc.compiler.frontend.markdown.trailing import option_condition, trailing_condition
from skc.compiler.frontend.runbook.tsg_md import compile_tsg


@pytest.mark.parametrize(("action", "expected"), [
    ("you see output similar to the following text:", True),
    ("you'll get an error message like this:", True),
    ("it tries the next name server, and continues until the list of name servers is exhausted.", True),
    ("one of the following sequences occurs:", True),
    ("but there is a change in the config, this alert can be triggered as well.", True),
    ("restart the pod.", False),
    ("you see the error again, escalate to the on-call.", False),  # an instruction follows: a decision
    ("it tries the next server. Then restart the pod.", False),  # more sentences: they may act
    ("the pod restarts; check its logs.", False),
    ("this is a definitive resolution.", False),
])
def test_remarks_are_told_from_actions(action: str, expected: bool) -> None:
    assert remark(action) is expected


def test_a_concession_is_no_trailing_condition() -> None:
    assert trailing_condition("You can still use the `top_file` gadget for detailed process information when these "
                              "fields are empty.") is None
    assert trailing_condition("Restart the pod if it is stuck in Pending.") is not None


def test_if_so_tests_the_question_before_it() -> None:
    cond = anaphoric_condition("If so, take some of the following actions, as appropriate:",
                               "Did AKS diagnostics uncover any SNAT issues?")
    assert cond is not None
    assert cond.cond == "Did AKS diagnostics uncover any SNAT issues"
    assert not cond.negated
    cond = anaphoric_condition("If they aren't, check the NSG.", "Check whether the CoreDNS pods are on a different "
                               "node pool.")
    assert cond is not None
    assert cond.cond == "the CoreDNS pods are on a different node pool"
    assert cond.negated
    assert anaphoric_condition("If so, restart it.", "The pod restarts often.") is None  # no fact stated before
    assert anaphoric_condition("If the pod restarts, check it.", "Did it fail?") is None


def test_choices_among_listed_actions_are_decisions() -> None:
    lead = "Based on the results from these gadgets, you can take the following actions:"
    assert picks_action(lead)
    assert llm_kinds.llm_kind(lead + " - High latency: Investigate the disk.") == "decide"
    assert not picks_action("Based on your needs, install the agent.")
    assert case_labels(["**High latency in `profile_blockio`**: Investigate the disk",
                        "**Specific files in `top_file`**: Analyze the files"]) == \
        ["High latency in profile_blockio", "Specific files in top_file"]
    assert case_labels(["Investigate the disk", "x: y"]) == []


def test_choose_a_thing_is_no_decision() -> None:
    assert llm_kinds.llm_kind("To increase IOPS, choose bigger disk size that includes better IOPS performance.") != "decide"
    assert llm_kinds.llm_kind("Choose which index to drop first.") == "decide"
    assert llm_kinds.llm_kind("Choose between a rollback and a hotfix.") == "decide"


def test_same_fact_ignores_negation_and_check_words() -> None:
    assert same_fact("tcpdump isn't installed", "tcpdump is installed")
    assert same_fact("Check whether DNS requests work when you specify the upstream DNS server",
                     "DNS requests from pods work when you explicitly specify the upstream DNS server")
    assert not same_fact("the pod is running", "the node is ready")


def _decides(tmp_path: Path, text: str) -> list[str]:
    doc = tmp_path / "rb.md"
    doc.write_text(text, encoding="utf-8")
    result = compile_tsg(doc)
    assert result.module is not None
    return [str(op.attributes["prompt"]) for wf in result.module.workflows for op in wf.walk()
            if op.op_name == "llm.decide"]


def test_a_heading_check_the_step_already_decides_is_not_compiled_twice(tmp_path: Path) -> None:
    text = ("# Capture\n\n## Step 1: Make sure tcpdump is installed\n\nRun `tcpdump --version`. If tcpdump isn't "
            "installed, install it with `apt-get install tcpdump`.\n\n## Step 2: Verify the capture file exists\n\n"
            "```bash\nls /tmp/capture.pcap\n```\n")
    prompts = _decides(tmp_path, text)
    assert prompts == ["Tcpdump isn't installed?", "Check whether the capture file exists."]


def test_check_then_if_they_are_is_one_decision(tmp_path: Path) -> None:
    text = ("# DNS\n\n## Step 1: Check the pods\n\n```bash\nkubectl get pods -n kube-system -o wide\n```\n\n"
            "Check whether the CoreDNS pods are on a different node pool. If they are, restart them with "
            "`kubectl rollout restart deploy/coredns -n kube-system`.\n")
    prompts = _decides(tmp_path, text)
    assert len(prompts) == 1
    assert "CoreDNS pods are on a different node pool" in prompts[0]


def test_a_section_opening_with_a_verdict_is_gated_by_it(tmp_path: Path) -> None:
    text = ("# Recovery\n\n## Accept data loss\n\nIf the nodes with the latest changes are gone for good, recovering "
            "the data is not possible. To accept the loss:\n\n1. Run `praefect accept-dataloss -virtual-storage x`.\n")
    doc = tmp_path / "rb.md"
    doc.write_text(text, encoding="utf-8")
    result = compile_tsg(doc)
    assert result.module is not None
    ops = list(result.module.workflows[0].walk())
    decide = next(op for op in ops if op.op_name == "llm.decide")
    assert decide.attributes["prompt"] == "The nodes with the latest changes are gone for good?"
    guard = next(op for op in ops if op.op_name == "ctrl.if")
    assert any(op.op_name == "tool.shell" for op in guard.walk())  # the section's command runs only then


def test_a_check_item_over_commands_keeps_its_own_judgement(tmp_path: Path) -> None:
    text = ("# DNS\n\n## Step 3: Check the network\n\n1. Check whether the virtual network was updated recently.\n\n"
            "   If it was, restart the network service:\n\n   ```bash\n   systemctl restart systemd-networkd\n   ```\n\n"
            "1. Check whether a network policy is blocking UDP port 53.\n")
    prompts = _decides(tmp_path, text)
    assert "Check whether the virtual network was updated recently." in prompts
    assert "Check whether a network policy is blocking UDP port 53." in prompts
    assert len(prompts) == len(set(prompts))  # nothing judged twice


@pytest.mark.parametrize(("sentence", "fact"), [
    ("To rule out a slow disk, 99th percentile of the `x_bucket` should be less than 10ms.",
     "99th percentile of the `x_bucket` is less than 10ms"),
    ("Number of machines in `FAILING` state should be less than 20-30.",
     "number of machines in `FAILING` state is less than 20-30"),
    ("The error rate should not exceed 5%.", "the error rate does not exceed 5%"),
    ("Disk usage must stay below 80 percent.", "disk usage is below 80 percent"),
    ("More space should be available now.", None),  # no bound
    ("The disk should be reasonably fast.", None),  # no number
])
def test_a_numeric_bound_in_prose_is_a_fact_to_check(sentence: str, fact: str | None) -> None:
    assert bound(sentence) == fact


def test_a_bound_next_to_its_query_is_a_decision_over_the_query(tmp_path: Path) -> None:
    text = ("# Slow disk\n\n## Diagnosis\n\nThe p99 of `fsync_seconds` should be less than 10ms. Query:\n\n"
            "```promql\nhistogram_quantile(0.99, rate(fsync_seconds_bucket[5m]))\n```\n\n"
            "## Meaning\n\nThe fsync should be under 10ms.\n")
    doc = tmp_path / "rb.md"
    doc.write_text(text, encoding="utf-8")
    result = compile_tsg(doc)
    assert result.module is not None
    ops = [op for wf in result.module.workflows for op in wf.walk()]
    decides = [op for op in ops if op.op_name == "llm.decide"]
    assert [str(op.attributes["prompt"]) for op in decides] == ["Check whether the p99 of `fsync_seconds` is less than 10ms."]
    assert [v.defining_op.op_name for v in decides[0].operands if v.defining_op is not None] == ["tool.sql"]


@pytest.mark.parametrize(("sentence", "commands", "facts"), [
    ("Verify if there is an error in `config-reloader` container logs.",
     ["kubectl logs sts/am -c config-reloader"], ["there is an error in `config-reloader` container logs"]),
    ("Check if the etcd member list shows three members, then restart.", ["etcdctl member list"],
     ["the etcd member list shows three members"]),
    ("Check if you have access to the cluster.", ["kubectl get nodes"], []),  # nothing the command shows
    ("Check whether the pods are overused:", ["kubectl top pods"], []),  # a listed step naming itself
    ("Check health of master nodes if any of them is in `NotReady` state or not.",
     ["kubectl get nodes -l node-role.kubernetes.io/master="], ["any of them is in `NotReady` state"]),  # what, then if
    ("To check if volume expansion is available, run this with your namespace and PVC-name replaced.",
     ["kubectl get storageclass standard"], ["volume expansion is available"]),  # says what the command is run for
    ("To determine whether the pod is running, run one of the following commands:", ["kubectl get pods -n x"],
     ["the pod is running"]),
    ("To run `etcdctl` commands, we need to `exec` into the `etcdctl` container.", ["kubectl exec -c etcdctl"], []),
    ("Check if IP addresses discovered by alertmanager cluster are the same ones as in alertmanager Service.",
     ["kubectl describe svc alertmanager-main"],
     ["IP addresses discovered by alertmanager cluster are the same ones as in alertmanager Service"]),  # a name's part
    ("Check if you have access to the cluster.", ["kubectl --access-token=t get nodes"], []),  # an option's part is no object
    ("To confirm this is the cause of the slow requests either:", ["topk(25, sort_desc(sum by (namespace) (x)))"],
     ["this is the cause of the slow requests"]),  # a purpose stating a fact, over the ways listed to see it
    ("To confirm the node pool has been upgraded, use `gcloud` to list all the node pools.", ["gcloud container node-pools list"],
     ["the node pool has been upgraded"]),
    ("To check network policy, run the following `kubectl get` command:", ["kubectl get networkpolicy"], []),  # no fact
    ("To check which node the `konnectivity-agent` pod is hosted in, run the following commands:",
     ["kubectl get pod -o wide"], []),  # a value to read, not yes/no
    ("Check with browser if this is really the case.", ["curl -sI https://gitlab.com"], []),  # names nothing shown
    ("Check endpoint health if any member is unhealthy.", ["etcdctl endpoint health"], ["any member is unhealthy"]),
    ("Verify the logs for the ingress controller pods in the namespace if there's an error:", ["kubectl logs x"], []),
])
def test_a_check_if_lead_in_judges_its_command_only_when_it_names_what_it_shows(
        sentence: str, commands: list[str], facts: list[str]) -> None:
    assert checked_facts(sentence, commands) == facts


def test_a_check_if_lead_in_is_a_decision_over_its_command(tmp_path: Path) -> None:
    text = ("# Reload failed\n\n## Diagnosis\n\nVerify if there is an error in `config-reloader` container logs.\n\n"
            "```shell\nkubectl logs sts/alertmanager-main -c config-reloader\n```\n")
    doc = tmp_path / "rb.md"
    doc.write_text(text, encoding="utf-8")
    result = compile_tsg(doc)
    assert result.module is not None
    decides = [op for wf in result.module.workflows for op in wf.walk() if op.op_name == "llm.decide"]
    assert [str(op.attributes["prompt"]) for op in decides] == [
        "Check whether there is an error in `config-reloader` container logs."]
    assert [v.defining_op.op_name for v in decides[0].operands if v.defining_op is not None] == ["tool.shell"]


def test_depending_on_symptoms_choose_is_one_choice_over_the_listed_options(tmp_path: Path) -> None:
    assert picks_action("Depending on symptoms you observe, you may decide to choose:")
    assert not picks_action("Depending on the integration, you can have a look to alert-manager logs")
    text = ("# Spike\n\n## Symptoms\n\nRun `psql -c 'select 1'`.\n\n## What to do about it\n\n"
            "Depending on symptoms you observe, you may decide to choose:\n"
            "- immediate intervention (see below) if symptoms are severe, or\n"
            "- \"watch and wait\" tactics, being ready to act (if there are no serious issues).\n")
    prompts = _decides(tmp_path, text)
    assert len(prompts) == 1
    assert prompts[0].startswith("Depending on symptoms you observe")


@pytest.mark.parametrize(("sentence", "cond"), [
    ("Once the PVC status says to restart the respective pod, run this to restart it:",
     "the PVC status says to restart the respective pod"),  # waits on what a check shows: a condition
    ("Once the `get pods` output shows every pod Running, remove the silence.", "the `get pods` output shows every pod Running"),
    ("Once the MR is merged, apply the change.", None),  # sequencing, nothing a command shows
    ("Once you are comfortable using these helper scripts, try the raw commands.", None),
    ("Once step 3 completes, start step 4.", None),
])
def test_once_a_shown_status_says_so_is_a_condition(sentence: str, cond: str | None) -> None:
    c = prose.parse_condition(sentence)
    assert (c.cond if c is not None else None) == cond


@pytest.mark.parametrize(("option", "otherwise", "cond"), [
    ("You may be able to solve the problem, or buy time, by increasing size of the storage volume.",
     "Otherwise, determine the application that is creating large numbers of files and adjust its configuration.",
     "you can solve the problem, or buy time, by increasing size of the storage volume"),
    ("You can try restarting the runner first.", "Otherwise, drain the node and recreate it.",
     "you can try restarting the runner first"),
    ("Ensure that you create the debug pod on the same node that hosts the affected pod.",
     "Otherwise, the packet capture might not contain the pod's traffic.", None),  # a consequence, no choice
    ("kube-proxy uses the operating system packet filtering layer if there is one and it's available.",
     "Otherwise, kube-proxy forwards the traffic itself.", None),  # a description
    ("You can also open a debug session on the node.", "Then run `df -hi`.", None),  # no otherwise
])
def test_an_option_then_otherwise_is_a_choice(option: str, otherwise: str, cond: str | None) -> None:
    c = option_condition(option, otherwise)
    assert (c.cond if c is not None else None) == cond


def test_an_option_then_otherwise_decides_between_them(tmp_path: Path) -> None:
    doc = tmp_path / "rb.md"
    doc.write_text("# Inodes\n\n## Mitigation\n\nThe inodes depend on the size. You may be able to buy time by "
                   "increasing size of the volume. Otherwise, determine the application that creates the files.\n",
                   encoding="utf-8")
    result = compile_tsg(doc)
    assert result.module is not None
    ops = [op for wf in result.module.workflows for op in wf.walk()]
    assert [str(op.attributes["prompt"]) for op in ops if op.op_name == "llm.decide"] == [
        "You can buy time by increasing size of the volume?"]
    assert any(op.op_name == "llm.generate" and str(op.attributes["prompt"]).startswith("determine the application")
               for op in ops)


@pytest.mark.parametrize(("lead", "causes"), [
    ("Now there is a judgement call to make, this could be the result of:", True),
    ("The spike of `pg_txid_xmin_age` can be caused by one of the following 3 reasons:", True),
    ("Can be caused by:", True),  # under a heading naming the failure
    ("It may be due to one of these:", True),
    ("Here are the common causes of a failed cluster or node pool:", False),  # a catalogue, background
    ("Applying manually is discouraged for several reasons:", False),
    ("This could be result of slow disk (due to fragmented state) or CPU contention.", False),  # no list follows
])
def test_a_lead_in_naming_the_causes_of_what_was_seen_is_a_choice(lead: str, causes: bool) -> None:
    assert picks_action(lead) is causes


def test_causes_are_named_by_their_first_clause() -> None:
    assert cause_labels(["Faulty configuration, which could be resolved by removing the offending object.",
                         "The target is reporting faulty data, sometimes this can be resolved by restarting it."]) == [
        "Faulty configuration", "The target is reporting faulty data"]
    assert cause_labels(["ILM errors (this can happen for a number of reasons)", "ILM stopped"]) == [
        "ILM errors", "ILM stopped"]
    assert cause_labels(["a sentence that runs on for many more words than any name of a cause would take"]) == []


def test_a_judgement_call_among_listed_causes_is_a_step_deciding_over_what_was_shown(tmp_path: Path) -> None:
    doc = tmp_path / "rb.md"
    doc.write_text("# Duplicate timestamps\n\nLook at the logs of each pod:\n\n```shell\n$ kubectl -n <namespace> "
                   "logs prometheus-k8s-0\n```\n\nNow there is a judgement call to make, this could be the result "
                   "of:\n\n* Faulty configuration, which can be identified through the `scrape_pool` label, which is "
                   "in the format of `<namespace>/<service-monitor-name>/<endpoint-id>`.\n\n* The target is "
                   "reporting faulty data, sometimes this can be resolved by restarting the target.\n", encoding="utf-8")
    result = compile_tsg(doc)
    assert result.module is not None
    wf = result.module.workflows[0]
    decides = [op for op in wf.walk() if op.op_name == "llm.decide"]
    assert [op.attr_strs("outcomes") for op in decides] == [
        ["faulty_configuration", "the_target_is_reporting_faulty"]]
    assert [v.defining_op.op_name for v in decides[0].operands if v.defining_op is not None] == ["tool.shell"]
    assert wf.attr_strs("arg_names") == ["namespace"]  # the label's format names no inputs


@pytest.mark.parametrize(("cond", "observed"), [
    ("you don't see anything obvious with the error rates", True),  # what the reader did not see is observed too
    ("you do NOT see this for a host or it instead times out", True),
    ("you can't see these external labels", False),  # what the reader can see: a note on the view, not on output
    ("you see a spike", True),
    ("you don't want to wait", False),
    ("the team agrees", False),
])
def test_a_condition_on_what_the_reader_did_or_did_not_see_observes(cond: str, observed: bool) -> None:
    assert prose.observes(cond) is observed


@pytest.mark.parametrize(("text", "kind"), [
    ("Take a look at the APIServer Grafana dashboard.\n- Do you see an elevated error rate in reads or writes?", "decide"),
    ("Look at the RPC time by project graph. Does it reveal any few projects that are responsible for RPC time?",
     "decide"),
    ("Is the alert specific to canary servers or the canary backend? Check canaries to ensure they report OK.", "decide"),
    ("Check app usage in time. Check if there are any configurations such as snapshotting.", "decide"),  # check if
    ("Verify if any scheduling constraints are restricting pod placement across available nodes.", "decide"),
    ("check the cloud provider to verify if the master node instances are running or not.", "generate"),  # a purpose
    ("Maybe it's some dependency of the APIServer? etcd?", "generate"),  # no yes/no question put to the reader
    ("Check the logs. What do you see there?", "generate"),  # an open question
    ("Investigate why the job fails. Is it the disk?", "agent"),  # open-ended work comes first
])
def test_a_yes_no_question_to_the_reader_is_a_decision(text: str, kind: str) -> None:
    assert llm_kinds.llm_kind(text) == kind


@pytest.mark.parametrize(("intro", "items", "cases"), [
    ("First check the labels `long` and `short`.",
     ["`long: 1h` and `short: 5m`: less than ~2 days -- You should fix the problem as soon as possible!",
      "`long: 6h` and `short: 30m`: less than ~5 days -- Track this down now but no immediate fix required."],
     ["`long: 1h` and `short: 5m`", "`long: 6h` and `short: 30m`"]),  # a colon inside code is no split
    ("Check the pod phase.", ["Pending → check the scheduler events.", "CrashLoopBackOff → read the previous logs."],
     ["Pending", "CrashLoopBackOff"]),
    ("Review the rules to confirm that no rule denies outbound traffic:",
     ["**Direction**: `Outbound`", "**Access**: `Deny`", "**DestPort**: `443` or `*`"], []),  # fields: nothing to do
    ("Check the following:", ["restart the pod", "drain the node"], []),  # steps, no cases
    ("The labels mean:", ["`long: 1h`: less than 2 days -- fix it now", "`long: 6h`: less than 5 days -- track it"],
     []),  # nothing asked to be checked
])
def test_a_check_then_a_table_of_cases_is_one_decision_among_them(intro: str, items: list[str], cases: list[str]) -> None:
    assert case_map(intro, items) == cases
