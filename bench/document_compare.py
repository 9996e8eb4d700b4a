"""The two markdown builders side by side over every markdown file of the corpus.

    python -m bench.document_compare [--corpus ../shared/corpus] [--rounds 3] [--show N]

For each `.md` file (skills' SKILL.md and reference files, runbooks), `parse_document` with
cmark (`native=True`, the default) and with markdown-it alone (`native=False`) must give equal
`Document`s. Prints the files that differ (and, for the first `--show`, the first differing
block), how many files fell back to markdown-it and why, and the CPU seconds each builder took
over the whole corpus (median of `--rounds`). Exit code 1 when any file differs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

from skc.compiler.frontend.markdown.document import _parse, decode, parse_document

CORPUS = (Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus").resolve()


def corpus_texts(corpus: Path) -> list[tuple[str, str]]:
    """(path, text) of every markdown file of the corpus that is a text document."""
    out = []
    for f in sorted(corpus.rglob("*.md")):
        text = decode(f.read_bytes()) if f.is_file() else None
        if text is not None:
            out.append((str(f), text))
    return out


def first_difference(a: Any, b: Any, where: str = "") -> str:
    """Where two `asdict` trees first differ, as a path and both values."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a:
            if a[k] != b.get(k):
                return first_difference(a[k], b.get(k), f"{where}.{k}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return first_difference(x, y, f"{where}[{i}]")
    return f"{where}: native {str(a)[:300]!r} / markdown-it {str(b)[:300]!r}"


def compare(texts: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], Counter[str]]:
    """The files whose documents differ (with the first difference) and the fallback reasons."""
    differ: list[tuple[str, str]] = []
    reasons: Counter[str] = Counter()
    for path, text in texts:
        try:
            native, why = _parse(text, path, True)
        except RecursionError:
            reasons["RecursionError"] += 1
            continue
        if why:
            reasons[why.split(": ", 1)[1] if why.startswith("line ") else why.split(":")[0]] += 1
        reference = parse_document(text, path, native=False)
        if native != reference:
            differ.append((path, first_difference(asdict(native), asdict(reference))))
    return differ, reasons


def timed(texts: list[tuple[str, str]], native: bool, rounds: int) -> float:
    """Median CPU seconds of parsing every text once."""
    times = []
    for _ in range(rounds):
        start = time.process_time()
        for path, text in texts:
            parse_document(text, path, native=native)
        times.append(time.process_time() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--show", type=int, default=20)
    args = ap.parse_args(argv)
    texts = corpus_texts(args.corpus)
    differ, reasons = compare(texts)
    for path, diff in differ[: args.show]:
        print(f"DIFFERS {path}\n    {diff}")
    print(f"{len(texts)} markdown files; {len(differ)} differ; {sum(reasons.values())} built by markdown-it:")
    for why, n in reasons.most_common():
        print(f"    {n:5d}  {why}")
    if args.rounds:
        md = timed(texts, False, args.rounds)
        cm = timed(texts, True, args.rounds)
        print(f"parse_document CPU s over the corpus (median of {args.rounds}): markdown-it {md:.3f}, "
              f"cmark {cm:.3f} ({md / cm:.1f}x)")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
