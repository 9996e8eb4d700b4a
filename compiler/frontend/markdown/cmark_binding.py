"""cmark-gfm through ctypes: parse markdown with source positions and walk its node tree.

cmark-gfm (GitHub's C CommonMark parser, with its table extension) ships in the `cmarkgfm`
wheel. Its CFFI module exposes only the HTML renderer, but its shared library exports the
whole node API; the few functions `cmark_document` calls are bound here (first child, next
sibling, type, literal, lines and columns, list and fence details). Columns are UTF-8 byte
columns, lines 1-based.

Only `CMARK_VERSION` is bound: the native builder handles every difference between that
version (CommonMark 0.29 + GFM tables) and markdown-it (CommonMark 0.31) that it knows of,
so any other version, a library without these symbols, or node types numbered otherwise
leave `CMARK` None and `UNAVAILABLE` saying why (the front ends then use markdown-it alone).
"""

from __future__ import annotations

import ctypes
from typing import Any

CMARK_VERSION = b"0.29.0.gfm.13"

# cmark-gfm's node types (cmark-gfm.h: block 0x8000 | n, inline 0xc000 | n); the table
# extension's are registered at run time and read from the library.
DOCUMENT, BLOCK_QUOTE, LIST, ITEM, CODE_BLOCK, HTML_BLOCK = 0x8001, 0x8002, 0x8003, 0x8004, 0x8005, 0x8006
PARAGRAPH, HEADING, THEMATIC_BREAK = 0x8008, 0x8009, 0x800A
TEXT, SOFTBREAK, LINEBREAK, CODE, HTML_INLINE = 0xC001, 0xC002, 0xC003, 0xC004, 0xC005
EMPH, STRONG, LINK, IMAGE = 0xC007, 0xC008, 0xC009, 0xC00A
ORDERED_LIST = 2  # cmark_list_type
_OPT_SOURCEPOS = 1 << 1


class Cmark:
    """ctypes bindings of the cmark-gfm functions the native builder calls."""

    def __init__(self) -> None:
        import cmarkgfm._cmark as ext  # the CFFI module: loading it loads the library

        lib = ctypes.CDLL(ext.__file__)
        node, text, num = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int

        def bind(name: str, restype: Any, *argtypes: Any) -> Any:
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = restype, list(argtypes)
            return fn

        version = bind("cmark_version_string", text)()
        if version != CMARK_VERSION:  # the one whose every difference from markdown-it is handled
            raise OSError(f"cmark-gfm {version.decode()} is not {CMARK_VERSION.decode()}")
        bind("cmark_gfm_core_extensions_ensure_registered", None)()
        self.table_ext = bind("cmark_find_syntax_extension", node, text)(b"table")
        if not self.table_ext:
            raise OSError("cmark-gfm has no table extension")
        self.parser_new = bind("cmark_parser_new", node, num)
        self.attach = bind("cmark_parser_attach_syntax_extension", num, node, node)
        self.feed = bind("cmark_parser_feed", None, node, text, ctypes.c_size_t)
        self.finish = bind("cmark_parser_finish", node, node)
        self.parser_free = bind("cmark_parser_free", None, node)
        self.node_free = bind("cmark_node_free", None, node)
        self.first_child = bind("cmark_node_first_child", node, node)
        self.next = bind("cmark_node_next", node, node)
        self.type = bind("cmark_node_get_type", num, node)
        self.literal = bind("cmark_node_get_literal", text, node)
        self.url = bind("cmark_node_get_url", text, node)
        self.start_line = bind("cmark_node_get_start_line", num, node)
        self.start_column = bind("cmark_node_get_start_column", num, node)
        self.end_line = bind("cmark_node_get_end_line", num, node)
        self.end_column = bind("cmark_node_get_end_column", num, node)
        self.heading_level = bind("cmark_node_get_heading_level", num, node)
        self.list_type = bind("cmark_node_get_list_type", num, node)
        self.item_index = bind("cmark_node_get_item_index", num, node)
        self.fence_info = bind("cmark_node_get_fence_info", text, node)
        self._fenced = bind("cmark_node_get_fenced", num, node, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
        self.table = ctypes.c_uint32.in_dll(lib, "CMARK_NODE_TABLE").value
        self._check(bind("cmark_node_get_type_string", text, node))

    def _check(self, type_string: Any) -> None:
        """The node-type numbers above are this library's (else the binding is refused)."""
        names = {DOCUMENT: b"document", LIST: b"list", ITEM: b"item", PARAGRAPH: b"paragraph",
                 TEXT: b"text", CODE: b"code", self.table: b"table"}
        seen: dict[int, bytes] = {}
        doc = self.parse("1. a `b`\n\n| x |\n|---|\n")
        try:
            stack = [doc]
            while stack:
                n = stack.pop()
                seen[self.type(n)] = type_string(n)
                child = self.first_child(n)
                while child:
                    stack.append(child)
                    child = self.next(child)
        finally:
            self.node_free(doc)
        if any(seen.get(t) != name for t, name in names.items()):
            raise OSError(f"unexpected cmark-gfm node types: {seen}")

    def parse(self, body: str) -> int:
        """The document node of `body` (free it with `node_free`)."""
        parser = self.parser_new(_OPT_SOURCEPOS)
        try:
            self.attach(parser, self.table_ext)
            data = body.encode("utf-8")
            self.feed(parser, data, len(data))
            doc: int = self.finish(parser)
        finally:
            self.parser_free(parser)
        return doc

    def fence(self, node: int) -> tuple[int, str] | None:
        """A fenced code block's fence (its length and character); None for indented code."""
        length, offset, char = ctypes.c_int(), ctypes.c_int(), ctypes.c_char()
        if not self._fenced(node, ctypes.byref(length), ctypes.byref(offset), ctypes.byref(char)):
            return None
        return length.value, char.value.decode()

    def children(self, node: int) -> list[int]:
        out = []
        child = self.first_child(node)
        while child:
            out.append(child)
            child = self.next(child)
        return out


def _load() -> tuple[Cmark | None, str]:
    try:
        return Cmark(), ""
    except (ImportError, OSError, AttributeError, ValueError) as e:
        return None, f"cmark-gfm unavailable: {e}"


CMARK, UNAVAILABLE = _load()
