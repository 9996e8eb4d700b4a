"""Skill activation: is a user's task routed to the right skill inside a whole folder of skills?

    python -m bench.activation [--corpus ../shared/corpus (or $SKC_CORPUS)] [--tasks tests/library/tasks.jsonl]
                               [--model local | --no-model] [--synthetic 1000] [--out bench/results/activation.json]

The task set (`tests/library/tasks.jsonl`) pairs tasks written the way users talk
(no skill names; some give only a file) with the skill that should handle them;
every task is routed among *all* skills of `corpus/skills`. Measured in one run:

- skc router: the compiled, deterministic router (`skc.compiler.library`).
- skc router + model: the same, with the embedded model choosing among the close
  candidates only (when the runner-up is within CLOSE_RATIO of the top).
- keyword overlap: the skill whose name + description shares the most words with
  the task (ties broken by name) — the plain lexical baseline.
- model, all descriptions: the embedded model picks one skill name from a prompt
  listing every skill's name and description (what agents do today), grammar-
  constrained to the names. The list is the prompt's fixed prefix and the task
  comes last, so llama.cpp reuses the list's KV cache between tasks; the context is
  sized to hold the whole list (reported as `prompt_tokens`), nothing is cut. It
  answers one skill, so its top-3 equals its top-1. `--model-every N` measures it
  on every Nth task (it costs ~10 s a task on 2 shared cores) and reports the
  router's accuracy on the same tasks beside it.

Speed: the per-task routing time (median over the task set) at the corpus's size
and in a synthetic library of `--synthetic` skills (the corpus's SKILL.md files
replicated into folders with varied names, read from disk like any folder), after
the library is loaded. Compile: the corpus folder compiled to a library bundle
(skills, errors, crashes, seconds) and recompiled unchanged (incremental).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import publish
from skc.compiler.library.build import compile_library
from skc.compiler.library.load import Library, load_library
from skc.compiler.library.text import STOP, words

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("SKC_CORPUS") or (ROOT / ".." / "shared" / "corpus")).resolve()
TASKS = ROOT / "tests" / "library" / "tasks.jsonl"
RESULTS = Path(__file__).resolve().parent / "results" / "activation.json"


def load_tasks(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def accuracy(rankings: list[list[str]], tasks: list[dict[str, Any]]) -> dict[str, float]:
    n = len(tasks)
    top1 = sum(1 for r, t in zip(rankings, tasks, strict=True) if r[:1] == [t["skill"]])
    top3 = sum(1 for r, t in zip(rankings, tasks, strict=True) if t["skill"] in r[:3])
    return {"top1": round(top1 / n, 4), "top3": round(top3 / n, 4)}


def keyword_overlap(library: Library, task: dict[str, Any]) -> list[str]:
    """Skills by how many distinct task words (and file extensions) their name + description share."""
    query = {w for w in words(task["task"] + " " + " ".join(task["files"])) if w not in STOP}
    scored = []
    for card in library.cards:
        vocab = set(words(card.name.replace("-", " ") + " " + card.description))
        scored.append((-len(query & vocab), card.name, card.id))
    return [sid for _, _, sid in sorted(scored)]


def model_prompt(library: Library) -> str:
    lines = [f"- {c.name}: {' '.join(c.description.split())}" for c in library.cards]
    return ("You choose which skill an assistant should use for a user's task.\n\nSkills:\n" + "\n".join(lines))


def model_all(library: Library, tasks: list[dict[str, Any]], spec: str) -> dict[str, Any]:
    """The embedded model choosing among every name + description, one prompt per task."""
    from skc.runtime.llm.local import LlamaCppBackend

    prefix = model_prompt(library)
    probe = LlamaCppBackend()
    prompt_tokens = probe.count_tokens(prefix)
    n_ctx = 1 << max(12, (prompt_tokens + 512).bit_length())
    backend = LlamaCppBackend(spec.partition(":")[2] or None, n_ctx=n_ctx)
    names = sorted({c.name for c in library.cards})
    by_name: dict[str, list[str]] = {}
    for c in library.cards:
        by_name.setdefault(c.name, []).append(c.id)
    rankings, seconds, tokens = [], [], 0
    for t in tasks:
        files = f"\nFiles: {', '.join(t['files'])}" if t["files"] else ""
        messages = [{"role": "system", "content": prefix},
                    {"role": "user", "content": f"Task: {t['task']}{files}\nWhich skill? Answer with its name."}]
        start = time.perf_counter()
        out = backend.complete(messages, max_tokens=24, choices=names)
        seconds.append(time.perf_counter() - start)
        tokens += out.tokens_in
        rankings.append(by_name.get(out.text.strip(), []))
    return {"rankings": rankings, "prompt_tokens": prompt_tokens, "n_ctx": n_ctx,
            "tokens_in_per_task": round(tokens / len(tasks)), "seconds_per_task": round(statistics.median(seconds), 3)}


def router_with_model(library: Library, tasks: list[dict[str, Any]], spec: str) -> dict[str, Any]:
    """The router, with the model asked only on close calls (`skc.runtime.library.route`)."""
    from skc.runtime.library import route

    rankings, asked = [], 0
    for t in tasks:
        ranking = route(library, t["task"], t["files"], model=spec)
        asked += ranking.decided_by == "model"
        rest = [c.id for c in ranking.candidates if c.id != ranking.selected[0]] if ranking.selected else []
        rankings.append(ranking.selected[:1] + rest)
    return {"rankings": rankings, "asked": asked}


def routing_ms(library: Library, tasks: list[dict[str, Any]]) -> float:
    """Median milliseconds of one `Router.route` over the task set (after one warm-up pass)."""
    for t in tasks:
        library.router.route(t["task"], t["files"])
    times = []
    for t in tasks:
        start = time.perf_counter()
        library.router.route(t["task"], t["files"])
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def synthesize(skills_root: Path, size: int, dest: Path) -> None:
    """`size` skill folders made from the corpus's SKILL.md files, each with its own name."""
    sources = sorted(skills_root.rglob("SKILL.md"))
    for i in range(size):
        src = sources[i % len(sources)]
        text = src.read_text(encoding="utf-8", errors="replace")
        name = f"{src.parent.name}-v{i // len(sources)}"
        text = re.sub(r"^name:.*$", f"name: {name}", text, count=1, flags=re.M)
        folder = dest / f"team{i % 10}" / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "SKILL.md").write_text(text, encoding="utf-8")


def run(corpus: Path, tasks_path: Path, model: str | None, synthetic: int, model_every: int = 1) -> dict[str, Any]:
    skills_root = corpus / "skills"
    tasks = load_tasks(tasks_path)
    work = Path(tempfile.mkdtemp(prefix="skc-activation-"))
    try:
        built = compile_library(skills_root, work / "corpus.skb")
        again = compile_library(skills_root, work / "corpus.skb")
        library = load_library(work / "corpus.skb")
        missing = sorted({t["skill"] for t in tasks} - {c.id for c in library.cards})
        if missing:
            raise SystemExit(f"tasks name skills that are not in the corpus: {missing}")
        methods: dict[str, dict[str, Any]] = {}
        router = [[c.id for c in library.router.route(t["task"], t["files"]).candidates] for t in tasks]
        methods["skc router"] = accuracy(router, tasks)
        methods["keyword overlap"] = accuracy([keyword_overlap(library, t) for t in tasks], tasks)
        extra: dict[str, Any] = {}
        if model:
            both = router_with_model(library, tasks, model)
            methods["skc router + model on close calls"] = {**accuracy(both["rankings"], tasks),
                                                             "model_asked": both["asked"]}
            sample = tasks[::model_every]
            everything = model_all(library, sample, model)
            same = [r for i, r in enumerate(router) if i % model_every == 0]
            methods["model, all descriptions"] = {**accuracy(everything["rankings"], sample), "tasks": len(sample),
                                                  "skc_router_on_same_tasks": accuracy(same, sample),
                                                  **{k: v for k, v in everything.items() if k != "rankings"}}
        load_start = time.perf_counter()
        synthesize(skills_root, synthetic, work / "synthetic")
        big = load_library(work / "synthetic")
        extra["synthetic_load_s"] = round(time.perf_counter() - load_start, 3)
        misses = [{"task": t["task"], "files": t["files"], "want": t["skill"], "got": r[:3]}
                  for r, t in zip(router, tasks, strict=True) if r[:1] != [t["skill"]]]
        return {"benchmark": "activation", "tasks": len(tasks), "skills_in_tasks": len({t["skill"] for t in tasks}),
                "skills_in_library": len(library.cards),
                "authors": sorted({t["author"] for t in tasks}),
                "methods": methods,
                "routing_ms": {str(len(library.cards)): round(routing_ms(library, tasks), 4),
                               str(len(big.cards)): round(routing_ms(big, tasks), 4)},
                "compile": {"skills": len(built.manifest.skills), "with_errors": built.failed,
                            "crashed": built.crashed, "seconds": round(built.seconds, 2),
                            "recompile_unchanged_s": round(again.seconds, 2), "recompiled": again.compiled},
                "router_misses": misses, **extra}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def table(result: dict[str, Any]) -> str:
    rows = ["| method | top-1 | top-3 |", "|---|---|---|"]
    for name, m in result["methods"].items():
        note = f" (on {m['tasks']} tasks; skc router on the same: {m['skc_router_on_same_tasks']['top1']:.2f})" \
            if "tasks" in m else ""
        rows.append(f"| {name}{note} | {m['top1']:.2f} | {m['top3']:.2f} |")
    speed = ", ".join(f"{n} skills: {ms:.2f} ms" for n, ms in result["routing_ms"].items())
    c = result["compile"]
    rows += ["", f"{result['tasks']} tasks over {result['skills_in_tasks']} skills, routed among all "
                 f"{result['skills_in_library']} corpus skills. Routing per task (median, after load): {speed}.",
             f"Library compile of the corpus: {c['skills']} skills, {c['with_errors']} with errors, "
             f"{c['crashed']} crashed, {c['seconds']:.1f} s; unchanged recompile {c['recompile_unchanged_s']:.1f} s "
             f"({c['recompiled']} recompiled)."]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--tasks", type=Path, default=TASKS)
    ap.add_argument("--model", default="local", help="backend spec of the model baselines [local]")
    ap.add_argument("--no-model", action="store_true", help="skip the two rows that need the model")
    ap.add_argument("--synthetic", type=int, default=1000)
    ap.add_argument("--model-every", type=int, default=1,
                    help="the all-descriptions model row on every Nth task only (it costs ~10 s a task on 2 cores)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    result = run(args.corpus, args.tasks, None if args.no_model else args.model, args.synthetic, args.model_every)
    return publish(result, table(result), args.out)


if __name__ == "__main__":
    sys.exit(main())
