"""The HTML graph page, opened in headless Chromium: the screenshot shows the drawing.

The PNG is decoded here (zlib and the five PNG row filters; no imaging library):
the page must not be blank, and the exact fill colours of the cpu and local-model
nodes and the red of the critical path must be on screen.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from skc.cli import cli
from skc.compiler.graph_render import CRITICAL, TARGET_COLOURS

ROOT = Path(__file__).resolve().parents[2]
FAN_OUT = ROOT / "tests" / "golden" / "passes" / "concurrency" / "fan_out.mlir"


def decode_png(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """(width, height, pixels) of an 8-bit, non-interlaced RGB or RGBA PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width = 8, b"", 0
    height = depth = colour_type = interlace = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    if depth != 8 or colour_type not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour_type}, interlace {interlace}")
    bpp = 3 if colour_type == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    prev, pixels, i = bytearray(stride), [], 0
    for _ in range(height):
        filt, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if filt == 1:
                line[x] = (line[x] + a) & 0xFF
            elif filt == 2:
                line[x] = (line[x] + b) & 0xFF
            elif filt == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif filt == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        pixels += [tuple(line[x:x + 3]) for x in range(0, stride, bpp)]
        prev = line
    return width, height, pixels


def rgb(colour: str) -> tuple[int, ...]:
    return tuple(int(colour[k:k + 2], 16) for k in (1, 3, 5))


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
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (bash scripts/system-deps.sh)")
    page = tmp_path / "graph.html"
    result = CliRunner().invoke(cli, ["ir", "graph", str(FAN_OUT), "--format", "html", "-o", str(page)])
    assert result.exit_code == 0, result.output
    shot = tmp_path / "shot.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1200,800",
                    page.as_uri()], capture_output=True, timeout=120, check=False)
    assert shot.is_file(), "chromium wrote no screenshot"
    width, height, pixels = decode_png(shot.read_bytes())
    assert (width, height) == (1200, 800)
    colours = set(pixels)
    assert len(colours) > 50, f"only {len(colours)} colours: the page looks blank"
    for expected in (TARGET_COLOURS["cpu"], TARGET_COLOURS["llm.local"], CRITICAL):
        assert rgb(expected) in colours, f"{expected} is not on screen"
