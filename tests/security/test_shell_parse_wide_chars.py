"""The shell model survives code points tree-sitter-bash's scanner cannot take.

tree-sitter-bash 0.25's external scanner calls <ctype.h> `isdigit`/`isalpha` on the code
point after `{` (brace ranges), after `$` in a heredoc and after `?`: a code point above
255 indexes past glibc's table, and one in a high plane (`a{` + U+80000, found by the
hypothesis fuzz test of the markdown front end) reads unmapped memory: SIGSEGV, which
killed `skc compile`. `stdlib/shell/parse.py` now hands the parser ASCII in place of every
character above U+00FF. Each input runs in a child process, so a crash fails this test
instead of killing the test run.
"""

from __future__ import annotations

import subprocess
import sys

PLANES = [0x80000, 0xE0000, 0xF0000, 0x10FFFF, 0xCF30D, 0x1F600, 0x3000, 0x100]
PREFIXES = ["a{", "S{", "{", "echo x{", "cat <<EOF\n$", "echo ${x?", "x=$", "[[ a =~ {"]

CHILD = r"""
import sys
from skc.stdlib.shell.parse import parse
from skc.stdlib.shell.model import Simple
for prefix in sys.argv[1].split("\x1f"):
    for cp in map(int, sys.argv[2].split(",")):
        for text in (prefix + chr(cp), prefix + chr(cp) + "} && ls", "echo " + chr(cp) * 3 + " " + prefix + chr(cp)):
            seq = parse(text)
            assert seq.text == text, (seq.text, text)
first = parse("echo \u65e5\u672c \U00080000x").items[0]
assert isinstance(first, Simple) and [w.value for w in first.args] == ["\u65e5\u672c", "\U00080000x"], first
print("ok")
"""


def test_wide_code_points_do_not_crash_the_parser() -> None:
    proc = subprocess.run([sys.executable, "-X", "faulthandler", "-c", CHILD, "\x1f".join(PREFIXES),
                           ",".join(map(str, PLANES))], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"rc {proc.returncode}: {proc.stderr[-2000:]}"
    assert proc.stdout.strip() == "ok"


def test_the_fuzz_input_that_crashed_compiles(tmp_path) -> None:
    """The document the fuzz test generated (seed 4): a fence whose line is `j0\\x02...S{\\U000cf30d`."""
    doc = tmp_path / "fuzz.md"
    lines = ["j0\x02\U00109417\U000b884e\U0010a162/S{\U000cf30d"] + [f"a{{{chr(cp)}" for cp in PLANES]
    doc.write_text("```bash\n" + "\n".join(lines) + "\n```\n", encoding="utf-8")
    code = ("import sys; from pathlib import Path; from skc.compiler.frontend.runbook.tsg_md import compile_tsg; "
            "r = compile_tsg(Path(sys.argv[1])); print('ok' if r.module is not None else 'no module')")
    proc = subprocess.run([sys.executable, "-X", "faulthandler", "-c", code, str(doc)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, f"rc {proc.returncode}: {proc.stderr[-2000:]}"
    assert proc.stdout.strip() == "ok"
