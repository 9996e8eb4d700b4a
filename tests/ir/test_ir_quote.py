"""`quote` (MLIR string literals: `str.replace` for ASCII text, a table lookup per byte otherwise)
equals the byte-by-byte definition."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from skc.ir.attrs import quote
from skc.ir.parser import parse_module
from skc.ir.printer import print_module


def reference(text: str) -> str:
    """The definition: printable ASCII kept (but `"` and `\\`), named escapes, else `\\XX` per UTF-8 byte."""
    out = ['"']
    for byte in text.encode("utf-8"):
        if 0x20 <= byte < 0x7F and byte not in (ord('"'), ord("\\")):
            out.append(chr(byte))
        else:
            out.append({ord('"'): '\\"', ord("\\"): "\\\\", ord("\n"): "\\n", ord("\t"): "\\t"}
                       .get(byte, f"\\{byte:02X}"))
    out.append('"')
    return "".join(out)


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",))))
def test_quote_is_the_byte_definition(text: str) -> None:
    assert quote(text) == reference(text)


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from([*map(chr, range(0x80)), "\\", '"', "\n", "\t"])))
def test_quote_of_ascii_text_is_the_byte_definition(text: str) -> None:
    assert quote(text) == reference(text)


@settings(max_examples=100, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",))))
def test_a_quoted_attribute_round_trips(text: str) -> None:
    src = ('"skc.workflow"() ({\n  %0 = "data.const"() {value = ' + quote(text) + '} : () -> !skc.text\n'
           '  "ctrl.return"(%0) : (!skc.text) -> ()\n}) {sym_name = "w"} : () -> ()\n')
    module = parse_module(src)
    assert module.workflows[0].body.ops[0].attributes["value"] == text
    assert print_module(module) == src
