"""Every IR construct .skflow can say: built with the IR builders, printed as .skflow,
parsed back, and compared structurally (locations included: `@unknown` keeps them).

Each test also checks the printed text uses the construct's own syntax, so a
fallback to the generic `op "..."` form would fail it.
"""

from __future__ import annotations

import pytest

from skc.compiler.frontend.skflow.parse import parse_skflow
from skc.compiler.frontend.skflow.printer import print_skflow
from skc.ir import (
    BOOL,
    JSON,
    NUM,
    TABLE,
    TEXT,
    TOKEN,
    InsertionPoint,
    Location,
    Module,
    Value,
    calc,
    ctrl,
    data,
    json_type,
    llm,
    tool,
    verify,
    workflow,
)


def roundtrip(module: Module, *expected: str) -> str:
    """Prints `module`, parses it back, asserts structural equality; returns the text."""
    assert verify(module) == []
    text = print_skflow(module)
    result = parse_skflow(text, "printed.skflow")
    assert result.ok, "\n".join([text, *map(str, result.diagnostics)])
    assert result.module is not None
    assert module.structurally_equal(result.module), text
    assert "# skc:" not in text, text
    assert 'op "' not in text, text
    for fragment in expected:
        assert fragment in text, f"{fragment!r} not in\n{text}"
    return text


def test_shell_argv_and_cmd_with_insertions() -> None:
    wf = workflow("pods", {"ns": TEXT, "pod": TEXT})
    with InsertionPoint(wf.body):
        listing = tool.shell(["kubectl", "get", "pods", "-n", "{0}", "-o", "json"], wf.arg("ns"),
                             effects=["read:k8s"], result=JSON, timeout_s=30, step="Step 1")
        logs = tool.shell(None, wf.arg("ns"), wf.arg("pod"), cmd="kubectl logs -n {0} {1} | tail -n {2}",
                          effects=["read:k8s"], retries=2, cwd="/tmp", env=["KUBECONFIG"])
        ctrl.return_(listing, logs)
    roundtrip(Module([wf]), 'shell ["kubectl", "get", "pods", "-n", ns, "-o", "json"]',
              '"kubectl logs -n {{ns}} {{pod}} | tail -n {2}"', "timeout 30", 'label "Step 1"',
              "retries 2", 'cwd "/tmp"', 'env ["KUBECONFIG"]', "-> json")


def test_operands_out_of_mention_order_use_with() -> None:
    wf = workflow("describe", {"ns": TEXT, "pod": TEXT})
    with InsertionPoint(wf.body):
        out = tool.shell(["oc", "describe", "pod", "{1}", "-n", "{0}"], wf.arg("ns"), wf.arg("pod"),
                         effects=["read:k8s"], fallback="Step 4")
        ctrl.return_(out)
    roundtrip(Module([wf]), "with ns", 'fallback "Step 4"')


def test_every_tool_op() -> None:
    wf = workflow("tools", {"region": TEXT, "since": TEXT})
    region, since = wf.arg("region"), wf.arg("since")
    with InsertionPoint(wf.body):
        deploys = tool.sql("SELECT * FROM deploys WHERE region = {0}", region, db="incidents", name="deploys")
        rate = tool.sql('sum(rate(x{region="{0}"}[5m]))', region, db="prometheus", lang="promql",
                        effects=["net:prometheus"], result=NUM, name="rate")
        health = tool.http("http://127.0.0.1:8080/{0}", region, result=JSON, timeout_s=2.5,
                           headers={"Accept": "application/json", "X-Request-Id": "skc"})
        posted = tool.http("http://alertmanager:9093/api/v2/silences", region, method="POST",
                           body='{"matchers":[{"name":"region","value":"{0}"}]}', effects=["net:alertmanager"])
        ratio = tool.python("rows = args[0]\nresult = args[1] / max(len(rows), 1)", deploys, rate, result=NUM)
        rolled = tool.script("scripts/rollback.sh", region, args=["--region", "{0}", "--dry-run"],
                             effects=["write:k8s"], interpreter="bash", confirm=True, name="rolled")
        config = tool.file_read("/etc/app/config.yaml", result=TEXT)
        written = tool.file_write("/tmp/report-{1}.md", rolled, since, append=True, name="written")
        report = tool.file_read("/tmp/report.md", written)
        ctrl.return_(ratio, health, posted, config, report)
    roundtrip(Module([wf]), 'sql "SELECT * FROM deploys WHERE region = {{region}}" db incidents',
              "lang promql", "effects [net:prometheus]", 'http GET "http://127.0.0.1:8080/{{region}}"',
              "effects [write:fs:/tmp/report-{1}.md]",
              'headers {Accept: "application/json", "X-Request-Id": "skc"}', "http POST",
              'body """{"matchers":[{"name":"region","value":"{{region}}"}]}"""', 'python """', "with deploys, rate",
              'script "scripts/rollback.sh"', 'args ["--region", region, "--dry-run"]', "confirm",
              'file_read "/etc/app/config.yaml"', 'file_write rolled to "/tmp/report-{{since}}.md"', "append",
              'needs written')


def test_llm_ops() -> None:
    wf = workflow("triage", {"incident": TEXT, "logs": TEXT}, permissions=["Bash", "Read"],
                  description="Triage an incident.", source="skills/triage/SKILL.md")
    with InsertionPoint(wf.body):
        summary = llm.generate("Summarise the incident.\nBe terse.\n", wf.arg("incident"), wf.arg("logs"),
                               system="You are an SRE.", max_tokens=512, temperature=0.2, model="gemma3-270m")
        severity = llm.decide("How severe is it?", ["sev1", "sev2", "needs review"], summary)
        facts = llm.extract("Which component failed?", '{"type":"object","required":["component"]}', wf.arg("logs"),
                            examples=[{"input": "db timeout", "output": '{"component":"db"}'}])
        shaped = llm.generate("Status update as JSON.", facts, severity, result=JSON,
                              schema='{"type": "object"}')
        notes = llm.agent("Investigate and write notes.", ["Bash", "Read"], summary, effects=["read:k8s"],
                          max_turns=12, max_tokens=8192, timeout_s=300)
        ctrl.return_(severity, shaped, notes)
    roundtrip(Module([wf]), 'generate """', 'system "You are an SRE."', "max_tokens 512", "temperature 0.2",
              'outcomes [sev1, sev2, "needs review"]', 'schema {type: "object", required: ["component"]}',
              'examples [{input: "db timeout"', 'schema """{"type": "object"}"""',
              'agent "Investigate and write notes."', 'tools ["Bash", "Read"]', "max_turns 12", "timeout 300",
              'permissions ["Bash", "Read"]', 'description "Triage an incident."')


def test_data_ops_fold_into_expressions() -> None:
    wf = workflow("data", {"out": TEXT, "doc": JSON})
    with InsertionPoint(wf.body):
        names = data.json_get(wf.arg("doc"), "$.items[*].metadata.name", json_type('{"type":"array"}'))
        n = data.count(data.json_get(wf.arg("doc"), "$.items"), name="n")
        version = data.regex_extract(wf.arg("out"), r"version=(\S+)", group=1, name="version")
        errors = data.regex_extract(wf.arg("out"), r"^E\d{4} .*$", all=True, result=JSON)
        joined = data.concat(version, data.const("v"), sep="\n\t- ")
        msg = data.template("{0} pods, version {1}", n, version)
        fixed = data.template("no placeholders")
        config = data.const({"replicas": 3, "zones": ["a", "b"], "ratio": 0.75, "none": None}, JSON)
        ctrl.return_(names, joined, errors, msg, fixed, config, data.const(-4.5e-05, NUM), data.const(7))
    roundtrip(Module([wf]), 'json_get(doc, "$.items[*].metadata.name") -> json<{type: "array"}>',
              'count(json_get(doc, "$.items"))', r'regex_extract(out, r"version=(\S+)", group=1)',
              'all=true', 'concat(version, "v", sep="\\n\\t- ")', '"{{n}} pods, version {{version}}"',
              'template("no placeholders")', '{replicas: 3, zones: ["a", "b"], ratio: 0.75, none: null}',
              "-4.5e-05", "7 -> text")


def test_calc_expressions_keep_precedence() -> None:
    wf = workflow("calc", {"cpu": NUM, "mem": NUM, "status": TEXT, "paused": BOOL})
    cpu, mem = wf.arg("cpu"), wf.arg("mem")
    with InsertionPoint(wf.body):
        hot = calc.or_(calc.cmp("gt", cpu, data.const(90, NUM)), calc.cmp("ge", mem, data.const(1.5e9, NUM)))
        act = calc.and_(hot, calc.not_(calc.or_(wf.arg("paused"), calc.cmp("contains", wf.arg("status"),
                                                                          data.const("Evicted")))))
        ratio = calc.div(calc.mul(calc.sub(cpu, calc.sub(mem, data.const(1, NUM))), data.const(2, NUM)),
                         calc.add(cpu, mem))
        neg = calc.cmp("matches", wf.arg("status"), data.const("^Run"))
        eq = calc.cmp("eq", calc.cmp("lt", cpu, mem), calc.not_(wf.arg("paused")))
        ctrl.return_(act, ratio, neg, eq)
    roundtrip(Module([wf]), "cpu > 90 or mem >= 1500000000.0", 'not (paused or status contains "Evicted")',
              "(cpu - (mem - 1)) * 2 / (cpu + mem)", 'status matches "^Run"', "(cpu < mem) == (not paused)")


def test_if_with_results_else_if_and_annotations() -> None:
    wf = workflow("branches", {"n": NUM, "answer": TEXT})
    loc = Location("runbooks/x.md", 12, 3)
    with InsertionPoint(wf.body):
        outer = ctrl.if_(calc.cmp("gt", wf.arg("n"), data.const(3, NUM, loc=loc), loc=loc), [TEXT], loc=loc)
        with InsertionPoint(outer.then_block):
            ctrl.yield_(wf.arg("answer"))
        with InsertionPoint(outer.else_block):
            inner_loc = Location("runbooks/x.md", 14, 3)
            zero = data.const(0, NUM, loc=inner_loc)
            inner = ctrl.if_(calc.cmp("eq", wf.arg("n"), zero, loc=inner_loc), [TEXT], loc=inner_loc)
            with InsertionPoint(inner.then_block):
                ctrl.yield_(data.const("none"))
            with InsertionPoint(inner.else_block):
                ctrl.yield_(data.const("few"))
            ctrl.yield_(inner.result, loc=inner_loc)
        side = ctrl.if_(calc.cmp("eq", outer.result, data.const("none")))
        side.attributes["step"] = "Step 3"
        with InsertionPoint(side.then_block):
            tool.shell(["logger", "nothing"], effects=["write:syslog"])
            ctrl.yield_()
        with InsertionPoint(side.else_block):
            ctrl.yield_()
        ctrl.return_(outer.result)
    roundtrip(Module([wf]), 'if n > 3 @"runbooks/x.md":12:3 {', "} else if n == 0 @14:3 {", 'label "Step 3"',
              'shell ["logger", "nothing"] effects [write:syslog]')


def test_map_and_retry() -> None:
    wf = workflow("loops", {"pods": JSON, "url": TEXT})
    with InsertionPoint(wf.body):
        m = ctrl.map_(wf.arg("pods"), item_name="pod", max_parallel=4)
        with InsertionPoint(m.body):
            ctrl.yield_(data.json_get(m.body.args[0], "$.metadata.name", TEXT))
        lines = ctrl.map_(data.regex_extract(wf.arg("url"), "(.+)", all=True, result=JSON), TEXT, item_name="line")
        with InsertionPoint(lines.body):
            ctrl.yield_(data.count(lines.body.args[0]))
        r = ctrl.retry([TEXT], wf.arg("url"), max_attempts=3, backoff_s=0.5)
        with InsertionPoint(r.body):
            ctrl.yield_(tool.shell(["curl", "-sf", "{0}"], wf.arg("url"), effects=["net:http"]))
        ctrl.return_(m.result, lines.result, r.results[0])
    roundtrip(Module([wf]), "map pod in pods parallel 4 @unknown {", 'json_get(pod, "$.metadata.name") -> text',
              'map line: text in regex_extract(url, "(.+)", all=true)', "yield count(line)",
              "retry 3 with url backoff 0.5")


def test_needs_tokens_and_named_outputs() -> None:
    wf = workflow("ordered", {"ns": TEXT}, output_names=["listing", "deleted"])
    with InsertionPoint(wf.body):
        listing = tool.shell(["kubectl", "get", "pods", "-n", "{0}"], wf.arg("ns"), effects=["read:k8s"])
        producer = listing.defining_op
        assert producer is not None
        token = Value(TOKEN, producer, 1)
        producer.results.append(token)
        deleted = tool.shell(["kubectl", "delete", "pods", "--all", "-n", "{0}"], wf.arg("ns"), token,
                             effects=["write:k8s"], confirm=True)
        ctrl.return_(listing, deleted)
    text = roundtrip(Module([wf]), "needs listing", "-> (listing: text, deleted: text)")
    assert "token" not in text  # the token is implied by `needs`


def test_early_return_and_status() -> None:
    wf = workflow("early", {"bad": BOOL})
    with InsertionPoint(wf.body):
        branch = ctrl.if_(wf.arg("bad"), [TEXT])
        with InsertionPoint(branch.then_block):
            ctrl.return_(data.const("escalate to the DBA"), status="escalate")
        with InsertionPoint(branch.else_block):
            ctrl.yield_(data.const("fine"))
        ctrl.return_(branch.result)
    roundtrip(Module([wf]), 'return "escalate to the DBA" status "escalate"', 'yield "fine"')


def test_generic_form_for_what_the_syntax_cannot_say() -> None:
    wf = workflow("odd", {"a": TEXT})
    with InsertionPoint(wf.body):
        dup = tool.shell(["echo", "{0}", "{1}"], wf.arg("a"), wf.arg("a"), effects=["pure"])
        odd = data.template("{1} then {0}", wf.arg("a"), dup)
        ctrl.return_(odd)
    text = print_skflow(Module([wf]))
    result = parse_skflow(text, "odd.skflow")
    assert result.module is not None, text
    assert Module([wf]).structurally_equal(result.module), text
    assert text.count('op "') == 2, text


@pytest.mark.parametrize("locs", [True, False])
def test_several_workflows_and_table_types(locs: bool) -> None:
    a = workflow("first", {"t": TABLE})
    with InsertionPoint(a.body):
        ctrl.return_(data.count(a.arg("t")))
    b = workflow("second-one", {})
    with InsertionPoint(b.body):
        ctrl.return_()
    text = print_skflow(Module([a, b]), locs=locs)
    result = parse_skflow(text, "two.skflow")
    assert result.module is not None
    assert [w.sym_name for w in result.module.workflows] == ["first", "second-one"]
    assert 'workflow "second-one"()' in text
    assert ("@unknown" in text) is locs
