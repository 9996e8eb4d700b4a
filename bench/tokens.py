"""P4, tokens: what skc sends to the model against a raw-context agent that re-reads the document.

    python -m bench.tokens [--corpus ../shared/corpus] [--docs 5] [--out bench/results/tokens.json]

Both sides use the embedded model (Gemma 3 270M, `get_backend("local")`) and its
tokenizer (`count_tokens`); answers are short (`max_tokens` 48 per baseline step).

Live, on the example runbook (examples/runbooks/checkout-latency.mlir over the
seeded incident database): skc runs it (`run`, JIT off) and reports the tokens its
llm ops consumed (prompt + completion, as llama.cpp counted them). The baseline is a
ReAct-style loop over the same runbook: at each of its 9 steps the model gets the
whole markdown document, the transcript so far (its own notes, and as observations
the very query results skc's run produced for the earlier steps) and "now do step
k"; its notes go into the transcript. Counted: the full prompt of every step with
the tokenizer ("sent"), plus the completion tokens.

Static, on a few corpus documents (runbooks and skills that compile with at least
one llm op; their tools cannot run here): skc's cost is the prompt of each llm op as
the llm target renders it (no inputs: tool outputs are left out on both sides);
the baseline's is the whole document plus "now do step k" once per step (the
workflow's distinct step labels). An `llm.agent` op is counted for one turn (its
loop re-reads its context each turn, so skc's figure is a lower bound there: the
number of agent ops is listed).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import publish
from skc.runtime.llm.prompt import plain_prompt, render_value

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results" / "tokens.json"
CORPUS = (Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus").resolve()
EXAMPLE_MD = ROOT / "examples" / "runbooks" / "checkout-latency.md"
EXAMPLE_IR = ROOT / "examples" / "runbooks" / "checkout-latency.mlir"
EXAMPLE_INPUTS = {"service": "checkout", "since": "2024-05-14 14:00:00"}
SYSTEM = "You are an on-call engineer. Follow the runbook step by step and keep notes short."
STEP_TOKENS = 48


def make_example_db(path: Path) -> Path:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_incident_db", ROOT / "examples" / "runbooks" / "make_incident_db.py")
    if spec is None or spec.loader is None:
        raise ImportError("examples/runbooks/make_incident_db.py is missing")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.build(path)  # type: ignore[no-any-return]


def react_baseline(backend: Any, document: str, task: str, steps: list[str],
                   observations: dict[str, str], max_tokens: int = STEP_TOKENS) -> dict[str, Any]:
    """The raw-context loop: the whole document and the transcript at every step."""
    transcript: list[dict[str, Any]] = []
    sent = processed = out_tokens = 0
    notes: list[str] = []
    for step in steps:
        messages = [{"role": "system", "content": SYSTEM},
                    {"role": "user", "content": f"Runbook:\n\n{document}\n\nTask: {task}"},
                    *transcript,
                    {"role": "user", "content": f"Now do {step} of the runbook. Say what you conclude."}]
        sent += backend.count_tokens(plain_prompt(messages))
        reply = backend.complete(messages, max_tokens=max_tokens)
        processed += reply.tokens_in
        out_tokens += reply.tokens_out
        notes.append(reply.text)
        transcript.append({"role": "assistant", "content": reply.text})
        if observations.get(step):
            transcript.append({"role": "user", "content": f"Result of {step}:\n{observations[step]}"})
    return {"steps": len(steps), "tokens_sent": sent, "tokens_processed": processed, "tokens_out": out_tokens,
            "tokens": sent + out_tokens, "last_note": notes[-1] if notes else ""}


def live_example(backend: Any) -> dict[str, Any]:
    from skc.runtime.api import run

    tmp = Path(tempfile.mkdtemp(prefix="skc-bench-tokens-"))
    db = make_example_db(tmp / "incidents.db")
    result = run(EXAMPLE_IR, EXAMPLE_INPUTS, runs_dir=tmp / "runs", db={"incidents": str(db)},
                 workdir=tmp, options={"jit": False})
    if result.status != "ok" or result.run_dir is None:
        raise RuntimeError(f"the example runbook did not run: {result.error}")
    observations: dict[str, str] = {}
    for line in (result.run_dir / "journal.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec.get("type") == "done" and str(rec.get("name", "")).startswith("tool.") and rec.get("step"):
            text = "\n".join(render_value(v, 6000) for v in rec.get("values") or [] if v is not None)
            observations[rec["step"]] = (observations.get(rec["step"], "") + "\n" + text).strip()
    steps = [f"Step {k}" for k in range(1, 10)]
    task = f"Diagnose the alert for service={EXAMPLE_INPUTS['service']}, since={EXAMPLE_INPUTS['since']}."
    base = react_baseline(backend, EXAMPLE_MD.read_text(encoding="utf-8"), task, steps, observations)
    skc = {"tokens_in": result.tokens_in, "tokens_out": result.tokens_out,
           "tokens": result.tokens_in + result.tokens_out,
           "llm_ops": sum(1 for op in _module_ops(EXAMPLE_IR) if op.op_name.startswith("llm.")),
           "root_cause": str(result.outputs.get("root_cause", ""))[:200]}
    return {"document": EXAMPLE_MD.relative_to(ROOT).as_posix(), "mode": "live", "skc": skc, "baseline": base,
            "ratio": base["tokens"] / skc["tokens"] if skc["tokens"] else None}


def _module_ops(path: Path) -> list[Any]:
    from skc.runtime.plan import load_source

    return [op for op in load_source(path).module.walk()]


def llm_prompt_tokens(backend: Any, op: Any) -> int:
    """Tokens of the prompt the llm target sends for `op` with no inputs (one turn)."""
    from skc.runtime.llm.agent import tool_specs
    from skc.runtime.llm.local import tools_preamble
    from skc.runtime.targets.llm import build_messages

    messages = build_messages(op, [])
    preamble = ""
    if op.op_name == "llm.agent":
        preamble = tools_preamble(tool_specs([str(t) for t in op.attributes.get("tools") or []]))
    return int(backend.count_tokens(plain_prompt(messages, preamble)))


def pick_documents(corpus: Path, count: int) -> list[tuple[Path, Any]]:
    """Corpus documents that compile with at least one llm op and three steps: runbooks first,
    then skills, alternating, in sorted order (deterministic)."""
    from skc.compiler.driver import compile_path, discover_sources
    from skc.compiler.frontend import kind_of

    picked: dict[str, list[tuple[Path, Any]]] = {"tsg": [], "skill": []}
    for path in discover_sources(corpus):
        kind = kind_of(path)
        if kind not in picked or len(picked[kind]) >= count:
            continue
        try:
            res = compile_path(path)
        except Exception:
            continue
        if res.module is None or not res.ok:
            continue
        ops = list(res.module.walk())
        steps = {op.attributes.get("step") for op in ops if isinstance(op.attributes.get("step"), str)}
        if any(op.op_name.startswith("llm.") for op in ops) and len(steps) >= 3:
            picked[kind].append((path, res.module))
    out: list[tuple[Path, Any]] = []
    for i in range(count):
        for kind in ("tsg", "skill"):
            if i < len(picked[kind]) and len(out) < count:
                out.append(picked[kind][i])
    return out


def static_document(backend: Any, path: Path, module: Any, corpus: Path) -> dict[str, Any]:
    doc_path = path / "SKILL.md" if path.is_dir() else path
    document = doc_path.read_text(encoding="utf-8", errors="replace")
    ops = list(module.walk())
    llm_ops = [op for op in ops if op.op_name.startswith("llm.")]
    steps = sorted({str(op.attributes["step"]) for op in ops if isinstance(op.attributes.get("step"), str)})
    skc_tokens = sum(llm_prompt_tokens(backend, op) for op in llm_ops)
    base = 0
    for step in steps:
        messages = [{"role": "system", "content": SYSTEM},
                    {"role": "user", "content": f"Runbook:\n\n{document}"},
                    {"role": "user", "content": f"Now do {step}. Say what you conclude."}]
        base += backend.count_tokens(plain_prompt(messages))
    return {"document": path.relative_to(corpus).as_posix(), "mode": "static (prompts only)",
            "steps": len(steps), "llm_ops": len(llm_ops),
            "agent_ops": sum(1 for op in llm_ops if op.op_name == "llm.agent"),
            "skc": {"tokens": skc_tokens}, "baseline": {"tokens": base},
            "ratio": base / skc_tokens if skc_tokens else None}


def run(corpus: Path = CORPUS, docs: int = 4, live: bool = True) -> dict[str, Any]:
    from skc.runtime.llm import get_backend

    backend = get_backend("local")
    rows = []
    if live:
        rows.append(live_example(backend))
        print(f"  {rows[-1]['document']}: x{rows[-1]['ratio']:.1f}", file=sys.stderr, flush=True)
    if corpus.is_dir() and docs > 0:
        for path, module in pick_documents(corpus, docs):
            rows.append(static_document(backend, path, module, corpus))
            print(f"  {rows[-1]['document']}: x{rows[-1]['ratio'] or 0:.1f}", file=sys.stderr, flush=True)
    return {"benchmark": "tokens", "model": getattr(backend, "model_id", backend.name),
            "tokenizer": "the model's own (llama.cpp tokenize)", "baseline_max_tokens_per_step": STEP_TOKENS,
            "rows": rows}


def table(res: dict[str, Any]) -> str:
    lines = [f"tokens: skc vs raw-context ReAct baseline, model {res['model']}"]
    for r in res["rows"]:
        lines.append(f"  {r['document'][:60]:60} {r['mode']:22} skc {r['skc']['tokens']:7d}  "
                     f"baseline {r['baseline']['tokens']:7d}  x{r['ratio'] or 0:.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tokens", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--docs", type=int, default=4, help="corpus documents (static count)")
    parser.add_argument("--no-live", action="store_true", help="skip the live example runbook")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    res = run(args.corpus, args.docs, not args.no_live)
    return publish(res, table(res), args.out)


if __name__ == "__main__":
    sys.exit(main())
