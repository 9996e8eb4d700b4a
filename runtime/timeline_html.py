"""`skc trace RUN_ID --html`: a self-contained Gantt timeline page of a run.

One row per op execution (from `trace.spans`), bars positioned by start and
duration, coloured by target kind (CPU tools, LLM, control flow) and status
(failed, restored from the journal); an approval is a bar of its own, from the
moment its op began to wait to the decision (amber, red when rejected). Inline CSS and SVG only: the page loads
nothing from anywhere, so it opens offline and in a sandbox.
"""

from __future__ import annotations

import html
from typing import Any

from skc.runtime.trace import Span, spans

_COLORS = {"llm": "#5b7fd6", "ctrl": "#9aa0a6", "journal": "#d7dbe0", "fallback": "#c08bd6",
           "approval": "#e8a33d"}  # waiting for a person (an approval's span: from its wait to the decision)
_CPU = "#3fa56b"
_FAILED = "#d64545"
ROW = 22
LABEL_W = 360
CHART_W = 700
WIDTH = LABEL_W + CHART_W + 90  # room for the last duration label


def _color(s: Span) -> str:
    if s.status in ("failed", "rejected"):
        return _FAILED
    if s.status == "journal":
        return _COLORS["journal"]
    if s.target.startswith("llm"):
        return _COLORS["llm"]
    return _COLORS.get(s.target, _CPU)


def _fmt(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def render_html(events: list[dict[str, Any]], title: str = "") -> str:
    """The timeline page for a run's trace events."""
    items, summary = spans(events)
    t0 = float(summary["start"] or 0.0)
    total = max(float(summary["end"] or t0) - t0, 1e-6)
    height = ROW * len(items) + 40
    rows = []
    for k, s in enumerate(items):
        y = 30 + k * ROW
        x = LABEL_W + (s.start - t0) / total * CHART_W
        w = max(2.0, s.duration / total * CHART_W)
        label = f"{s.op}  {s.name}" + (f"  · {s.step}" if s.step else "")
        tip = (f"{s.name} (op {s.op}) {s.step}\ntarget {s.target or '-'}  status {s.status}\n"
               f"start +{_fmt(s.start - t0)}  duration {_fmt(s.duration)}"
               + (f"\nretries {s.retries}" if s.retries else "")
               + (f"\ntokens {s.tokens_in} in / {s.tokens_out} out" if s.tokens_in or s.tokens_out else "")
               + (f"\n{s.note}" if s.note else ""))
        rows.append(
            f'<g class="row"><title>{html.escape(tip)}</title>'
            f'<rect x="0" y="{y - 15}" width="{WIDTH}" height="{ROW}" '
            f'fill="{"#f7f8fa" if k % 2 else "#ffffff"}"/>'
            f'<text x="6" y="{y}" class="label">{html.escape(label[:58])}</text>'
            f'<rect x="{x:.1f}" y="{y - 12}" width="{w:.1f}" height="14" rx="3" fill="{_color(s)}"/>'
            f'<text x="{x + w + 4:.1f}" y="{y}" class="dur">{_fmt(s.duration)}</text></g>')
    ticks = []
    for i in range(6):
        x = LABEL_W + i * CHART_W / 5
        ticks.append(f'<line x1="{x:.1f}" y1="14" x2="{x:.1f}" y2="{height}" class="tick"/>'
                     f'<text x="{x + 2:.1f}" y="12" class="dur">+{_fmt(total * i / 5)}</text>')
    legend = " ".join(f'<span class="key" style="background:{c}"></span>{html.escape(n)}'
                      for n, c in [("cpu", _CPU), ("llm", _COLORS["llm"]), ("control", _COLORS["ctrl"]),
                                   ("from journal", _COLORS["journal"]), ("waiting for approval", _COLORS["approval"]),
                                   ("failed", _FAILED)])
    status = html.escape(str(summary["status"]))
    error = f'<p class="error">{html.escape(str(summary["error"]))}</p>' if summary.get("error") else ""
    heading = html.escape(title or f"run {summary['run_id']}")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{heading}</title>
<style>
body {{ font: 13px/1.4 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 16px; color: #202124; background: #fff; }}
h1 {{ font-size: 18px; margin: 0 0 4px; }}
.meta {{ color: #5f6368; margin: 0 0 8px; }}
.status-ok {{ color: #1e8e3e; }} .status-failed {{ color: #d93025; }}
.error {{ color: #d93025; white-space: pre-wrap; }}
.label {{ font: 12px ui-monospace, Menlo, Consolas, monospace; fill: #202124; }}
.dur {{ font-size: 10px; fill: #5f6368; }}
.tick {{ stroke: #e0e3e7; stroke-width: 1; }}
.key {{ display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin: 0 4px 0 12px; vertical-align: -2px; }}
</style></head>
<body>
<h1>{heading}</h1>
<p class="meta">workflow <b>{html.escape(str(summary["workflow"]))}</b> · status
<b class="status-{status}">{status}</b> · {_fmt(total)} · {len(items)} ops ·
tokens {summary["tokens_in"]} in / {summary["tokens_out"]} out</p>
{error}
<p class="meta">{legend}</p>
<svg width="{WIDTH}" height="{height}" role="img"
 aria-label="timeline">
{''.join(ticks)}
{''.join(rows)}
</svg>
</body></html>
"""
