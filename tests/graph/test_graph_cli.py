"""`skc ir graph` and `skc ir explain`: what they draw and print, from .mlir files."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from skc.cli import cli
from skc.compiler.cost import CostModel
from skc.compiler.explain import explain_text, inspect_module, inspection_pipeline
from skc.compiler.graph_render import (
    CRITICAL,
    TARGET_COLOURS,
    build_graphs,
    palette,
    to_dot,
    to_html,
)
from skc.ir import parse_module

ROOT = Path(__file__).resolve().parents[2]
INDEPENDENT = ROOT / "tests" / "golden" / "passes" / "concurrency" / "independent_steps.mlir"
CHAINED = ROOT / "tests" / "golden" / "passes" / "concurrency" / "chained_steps.mlir"
EFFECTS = ROOT / "tests" / "golden" / "passes" / "concurrency" / "effects.mlir"
MIXED = ROOT / "tests" / "golden" / "passes" / "placement" / "budget.mlir"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_explain_prints_the_schedule_of_the_independent_runbook() -> None:
    code, out = run("ir", "explain", str(INDEPENDENT))
    assert code == 0, out
    assert "schedule: 10 ops in 2 levels, width 9" in out
    assert "level 1: Step 2, Step 3, Step 4, Step 5, Step 6, Step 7, Step 8, Step 9, Step 10" in out
    assert "critical path (1.00 s): Step 1 -> Step" in out
    assert "estimated time: 5.00 s sequential, 1.00 s parallel (5.0x)" in out
    assert re.search(r"placement: cpu 10; 0 tokens in, 0 out", out)


def test_explain_json_of_the_chained_runbook() -> None:
    code, out = run("ir", "explain", str(CHAINED), "--json")
    assert code == 0, out
    data = json.loads(out)
    s = data["schedule"]["workflows"]["chained_steps"]
    assert (s["width"], s["depth"]) == (1, 10)
    assert data["pipeline"] == inspection_pipeline()
    assert data["placement"]["workflows"]["chained_steps"]["by_target"] == {"cpu": 10}


def test_explain_shows_effect_orderings_budget_moves_and_models(tmp_path: Path) -> None:
    code, out = run("ir", "explain", str(EFFECTS))
    assert "ordered by effects: %w1 before %w2 (write:k8s / write:k8s)" in out
    models = tmp_path / "models.json"
    models.write_text(json.dumps({"fast": {"tokens_per_s": 400, "overhead_s": 0.2, "usd_per_mtok_out": 2}}))
    code, out = run("ir", "explain", str(MIXED), "--budget-s", "3", "--models", str(models))
    assert code == 0, out
    assert "budget 3.00 s: met" in out
    assert "moved llm.generate" in out
    assert "to llm.openai:fast" in out
    code, out = run("ir", "explain", str(MIXED), "--gpu", "--json")
    assert json.loads(out)["placement"]["targets"] == ["cpu", "llm.local.gpu"]


def test_explain_summarises_capability_gaps_and_environment_bindings() -> None:
    assert inspection_pipeline() == "verify,env-bind,cap-bind,cse,dce,concurrency,placement"
    code, out = run("ir", "explain", str(ROOT / "tests" / "golden" / "ir" / "llm_ops.mlir"))
    assert code == 0, out
    assert re.search(r"capability \(profile .+\): 5 llm ops, \d+ with gaps; compensations: constrain \d+", out)
    assert "    compensated: constrain (constrain = json_schema) covers follow.format, gen.text.structured" in out
    assert re.search(r"^environment \(\w+: ", out, re.M)
    code, out = run("ir", "explain", str(ROOT / "tests" / "passes" / "runbooks" / "web_pods.md"))
    assert code == 0, out
    assert re.search(r"^  binary kubectl: ", out, re.M)


def test_explain_renders_unknown_report_shapes_generically() -> None:
    module = parse_module(INDEPENDENT.read_text(), str(INDEPENDENT))
    ctx = inspect_module(module)
    ctx.reports["environment"] = {"bindings": [f"b{i}" for i in range(20)]}
    text = explain_text(module, ctx)
    assert "environment:\n  bindings:\n    - \"b0\"" in text
    assert "    ... 8 more" in text


def test_graph_dot_groups_levels_colours_targets_and_marks_the_critical_path() -> None:
    code, dot = run("ir", "graph", str(INDEPENDENT))
    assert code == 0, dot
    assert dot.startswith("digraph skc {")
    assert dot.count("subgraph cluster_w0_l") == 2
    assert f'fillcolor="{TARGET_COLOURS["cpu"]}"' in dot
    assert dot.count(f'color="{CRITICAL}", penwidth=3') >= 3  # two critical nodes and their edge (+ legend)
    assert "cluster_legend" in dot


def test_graph_svg_through_graphviz(tmp_path: Path) -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed (bash scripts/system-deps.sh)")
    out = tmp_path / "g.svg"
    code, msg = run("ir", "graph", str(EFFECTS), "--format", "svg", "-o", str(out))
    assert code == 0, msg
    svg = out.read_text()
    assert "<svg" in svg
    assert "%w1" in svg
    assert "effect conflict" in svg


def test_graph_html_is_self_contained() -> None:
    code, page = run("ir", "graph", str(EFFECTS), "--format", "html")
    assert code == 0, page
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "<script" not in page
    assert "<link" not in page
    assert "critical path" in page
    assert "effect conflict" in page
    assert page.count('class="node"') == 9  # 8 ops and the return
    assert 'stroke-dasharray="6 4"' in page  # effect edges are dashed


def test_graph_json_lists_nodes_and_edges() -> None:
    code, out = run("ir", "graph", str(EFFECTS), "--json")
    assert code == 0, out
    [g] = json.loads(out)
    kinds = {(e["src"], e["dst"]): e["kind"] for e in g["edges"]}
    assert kinds[("w0_op2", "w0_op3")] == "effect"  # %w1 -> %w2
    assert {n["label"] for n in g["nodes"] if n["level"] == 0} == {"%r1", "%r2"}


def test_graph_of_remote_and_local_targets_uses_one_colour_each() -> None:
    module = parse_module(MIXED.read_text(), str(MIXED))
    options = json.loads(MIXED.read_text().splitlines()[1].split(":", 1)[1])
    inspect_module(module, {**options, "latency_budget_s": 5.0})
    graphs = build_graphs(module, CostModel.from_options(options))
    assert graphs[0].targets == ["llm.local", "llm.openai:big", "llm.openai:fast"]
    page, dot = to_html(graphs), to_dot(graphs)
    colours = palette(graphs)
    assert len(set(colours.values())) == 3
    for target, colour in colours.items():
        assert f'fillcolor="{colour}"' in dot
        assert f'fill="{colour}"' in page
        assert f'background:{colour}"></i>{target}' in page  # the legend


def test_bad_input_is_a_located_diagnostic_not_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mlir"
    bad.write_text('"skc.workflow"() ({\n  "ctrl.return"(%nope) : (!skc.text) -> ()\n}) {sym_name = "x"} : () -> ()\n')
    for cmd in ("graph", "explain"):
        result = CliRunner().invoke(cli, ["ir", cmd, str(bad)])
        assert result.exit_code == 2
        assert "bad.mlir:2:" in result.output
        assert "Traceback" not in result.output
    models = tmp_path / "models.json"
    models.write_text("{not json")
    code, out = run("ir", "explain", str(EFFECTS), "--models", str(models))
    assert code == 2
    assert "SKC100" in out


def test_explain_shows_a_skills_permissions() -> None:
    path = ROOT / "tests" / "golden" / "ir" / "llm_ops.mlir"
    code, out = run("ir", "explain", str(path))
    assert code == 0, out
    assert "permissions (allowed tools): Bash, Read, Write" in out
    code, out = run("ir", "explain", str(path), "--json")
    assert json.loads(out)["permissions"] == {"incident_triage": ["Bash", "Read", "Write"]}
