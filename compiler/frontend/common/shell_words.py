"""Shell words as `shlex` splits them, without `shlex`'s character-at-a-time loop.

`split_words(text)` returns exactly what
`tuple(shlex.shlex(text, posix=True, punctuation_chars=True))` with `whitespace_split`
returns (and raises `ValueError` where it raises: an open quote, a trailing backslash),
at a fraction of the cost: `shlex` reads its input one character at a time through a
`StringIO` (~25 µs for a short command), here a few regular expressions take whole runs.

The rules it reproduces (Python's `shlex.read_token` in that mode):

- whitespace is ` \\t\\r\\n` only; a word is a run of unquoted characters, quoted strings
  and backslash escapes up to whitespace, a `#` or a punctuation character `();<>|&`;
- a run of punctuation characters is one token (`||`, `>&`, `;;`, `|&`);
- `#` outside quotes (also inside a word: `a#b`) starts a comment to the end of the line;
- `'...'` is literal; in `"..."` a backslash escapes only `\\` and `"` (else both stay);
  outside quotes a backslash escapes any character (a newline too);
- an empty quoted string (`''`) is a word.

`tests/frontend/test_shell_words.py` compares it with `shlex` over generated text and
every command line of the corpus.
"""

from __future__ import annotations

import re

_PUNCT = "();<>|&"
_BLANK = re.compile(r"[ \t\r\n]*")
_PUNCT_RUN = re.compile(r"[();<>|&]+")
# A whole word: unquoted runs, complete quoted strings and escapes, up to a separator.
_WORD = re.compile(r"""(?:[^ \t\r\n();<>|&'"\\#]+|'[^']*'|"(?:[^"\\]|\\[\s\S])*"|\\[\s\S])+""")
# A word with neither quotes nor escapes: the common case, taken as it is.
_PLAIN = re.compile(r"[^ \t\r\n();<>|&'\"\\#]+")
_PIECE = re.compile(r"""([^'"\\]+)|'([^']*)'|"((?:[^"\\]|\\[\s\S])*)"|\\([\s\S])""")
_DQ_ESCAPE = re.compile(r"\\([\\\"])")


def split_words(text: str) -> tuple[str, ...]:
    """The words and operator runs of `text`, as `shlex` (posix, punctuation_chars,
    whitespace_split) gives them; `ValueError` for an open quote or a trailing backslash."""
    out: list[str] = []
    pos, n = 0, len(text)
    while True:
        pos = _BLANK.match(text, pos).end()  # type: ignore[union-attr]  # always matches
        if pos >= n:
            return tuple(out)
        ch = text[pos]
        if ch == "#":
            end = text.find("\n", pos)
            pos = n if end < 0 else end + 1
            continue
        if ch in _PUNCT:
            m = _PUNCT_RUN.match(text, pos)
            assert m is not None
            out.append(m.group(0))
            pos = m.end()
            continue
        plain = _PLAIN.match(text, pos)
        stop = plain.end() if plain is not None else pos
        if stop >= n or text[stop] not in "'\"\\":
            out.append(text[pos:stop])
            pos = stop
            continue
        m = _WORD.match(text, pos)
        end = m.end() if m is not None else pos
        if end < n and text[end] in "'\"\\":
            raise ValueError("No closing quotation" if text[end] != "\\" else "No escaped character")
        out.append(_unquote(text[pos:end]))
        pos = end


def _unquote(word: str) -> str:
    parts: list[str] = []
    for plain, single, double, escaped in _PIECE.findall(word):
        if plain:
            parts.append(plain)
        elif escaped:
            parts.append(escaped)
        elif double:
            parts.append(_DQ_ESCAPE.sub(r"\1", double) if "\\" in double else double)
        else:
            parts.append(single)
    return "".join(parts)
