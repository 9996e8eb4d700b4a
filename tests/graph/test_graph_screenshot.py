"""The HTML graph page, opened in headless Chromium: the screenshot shows the drawing.

The PNG is decoded by tests/browser.py (zlib and the five PNG row filters; no imaging library):
the page must not be blank, and the exact fill colours of the cpu and local-model
nodes and the red of the critical path must be on screen.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from browser import decode_png, rgb, screenshot
from click.testing import CliRunner

from skc.cli import cli
from skc.compiler.graph_render import CRITICAL, TARGET_COLOURS

ROOT = Path(__file__).resolve().parents[2]
FAN_OUT = ROOT / "tests" / "golden" / "passes" / "concurrency" / "fan_out.mlir"


def test_png_decoder_reads_a_known_image() -> None:
    # 2x1 RGB: red, green; filter 1 (sub) on the row
    row = bytes([1, 255, 0, 0, (0 - 255) & 0xFF, 255, 0])
    ihdr = struct.pack(">IIBBBBB", 2, 1, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(row)) + chunk(b"IEND", b"")
    assert decode_png(png) == (2, 1, [(255, 0, 0), (0, 255, 0)])


@pytest.mark.slow
def test_html_graph_screenshot_is_not_blank(tmp_path: Path) -> None:
    page = tmp_path / "graph.html"
    result = CliRunner().invoke(cli, ["ir", "graph", str(FAN_OUT), "--format", "html", "-o", str(page)])
    assert result.exit_code == 0, result.output
    width, height, pixels = screenshot(page, tmp_path)
    assert (width, height) == (1200, 800)
    colours = set(pixels)
    assert len(colours) > 50, f"only {len(colours)} colours: the page looks blank"
    for expected in (TARGET_COLOURS["cpu"], TARGET_COLOURS["llm.local"], CRITICAL):
        assert rgb(expected) in colours, f"{expected} is not on screen"
