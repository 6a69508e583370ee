"""A hand-written `.env` parser that reads values the way python-dotenv does, with positions.

Why our own: python-dotenv's parser keeps no columns or quote style, and importing it
costs start-up time. Its grammar is small, so this module mirrors it step by step (the
same regular expressions, the same error recovery) in one pass over the text.

The reference is python-dotenv 1.2.4 as read through ``dotenv_values(path,
interpolate=False)``. Deliberate choices, all tested in ``tests/test_parser_dotenv.py``:

* A leading UTF-8 BOM is skipped (python-dotenv >= 1.2.3 does the same; 1.2.2 made the
  first key ``"\\ufeffKEY"``). Offsets still count it: the first key starts at offset 1,
  column 2, as ``LineIndex`` reports.
* ``KEY=  # c`` has the value ``""`` (python-dotenv >= 1.2.3; 1.2.2 read ``"# c"``).
* A backslash inside quotes always pairs with the next character when looking for the
  closing quote (python-dotenv >= 1.2.3; 1.2.2 could close on an escaped quote).
* Line breaks inside a quoted value are read as ``\\n``: ``dotenv_values(path)`` opens the
  file with universal newlines, so CR LF and a lone CR become LF before parsing. A
  single-quoted key that spans lines is kept exactly as written, since a key is always
  ``text[key_span]``.
* Nothing is interpolated: ``${VAR}`` stays in the value literally.

Problems are returned, never raised: SYN001 for a line python-dotenv cannot read, SYN002
for a quote that is never closed. After either, parsing resumes where python-dotenv
resumes: at the line after the point where reading failed.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import List, Optional, Tuple

from tekup_envlint.models import ParsedFile, Problem, SourceFile, Setting, Span
from tekup_envlint.text import BOM, LineIndex

__all__ = ["parse"]

# The tokens of python-dotenv's parser (dotenv/parser.py), a few of them fused where
# python-dotenv reads them one after another and the fused regex cannot backtrack into a
# different reading (everything after the first token is optional). `\s` is Unicode-aware,
# as there.
#   \s*  (export[^\S\r\n]+)?
_ENTRY_START = re.compile(r"\s*(export[^\S\r\n]+)?")
#   ([^=#\s]+)  [^\S\r\n]*  (=[^\S\r\n]*)?
_UNQUOTED_KEY = re.compile(r"([^=#\s]+)[^\S\r\n]*(=[^\S\r\n]*)?")
_AFTER_QUOTED_KEY = re.compile(r"()[^\S\r\n]*(=[^\S\r\n]*)?")  # group 2 as above
# python-dotenv: '([^']+)'. Matching the body separately tells "never closed" from "empty".
_SINGLE_QUOTED_KEY_BODY = re.compile(r"[^']*")
# python-dotenv: '((?:\\.|[^'\\])*)' with DOTALL. The unrolled body needs no backtracking,
# so an unclosed quote costs one linear scan instead of a backtracking failure.
_SINGLE_QUOTED_BODY = re.compile(r"[^'\\]*(?:\\.[^'\\]*)*", re.DOTALL)
_DOUBLE_QUOTED_BODY = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*', re.DOTALL)
_TO_LINE_END = re.compile(r"[^\r\n]*")
#   (?:[^\S\r\n]*#[^\r\n]*)?  [^\S\r\n]*(?:\r\n|\n|\r|$)
_COMMENT_AND_END_OF_LINE = re.compile(r"(?:[^\S\r\n]*#[^\r\n]*)?[^\S\r\n]*(?:\r\n|\n|\r|$)")
_REST_OF_LINE = re.compile(r"[^\r\n]*(?:\r|\n|\r\n)?")
_DOUBLE_QUOTE_ESCAPES = re.compile(r"\\[\\'\"abfnrtv]")
_SINGLE_QUOTE_ESCAPES = re.compile(r"\\[\\']")
_ESCAPED = {
    "\\\\": "\\",
    "\\'": "'",
    '\\"': '"',
    "\\a": "\a",
    "\\b": "\b",
    "\\f": "\f",
    "\\n": "\n",
    "\\r": "\r",
    "\\t": "\t",
    "\\v": "\v",
}
_BODY = {'"': _DOUBLE_QUOTED_BODY, "'": _SINGLE_QUOTED_BODY}
_ESCAPES = {'"': _DOUBLE_QUOTE_ESCAPES, "'": _SINGLE_QUOTE_ESCAPES}

_SYN_INVALID = "SYN001"
_SYN_UNTERMINATED = "SYN002"
_SKIPS = "python-dotenv skips this entry"
_QUOTE_NAMES = {'"': "double", "'": "single"}


def _span(starts: List[int], start: int, end: int) -> Span:
    line = bisect_right(starts, start)
    return Span(start, end, line, start - starts[line - 1] + 1)


def _unescape(pattern: "re.Pattern[str]", raw: str) -> str:
    """Apply the escapes python-dotenv decodes, left to right, and nothing else."""
    if "\\" not in raw:
        return raw
    return pattern.sub(lambda m: _ESCAPED[m.group(0)], raw)


def _universal_newlines(raw: str) -> str:
    """Read CR LF and a lone CR as LF, as ``open()`` in text mode does for python-dotenv."""
    if "\r" not in raw:
        return raw
    return raw.replace("\r\n", "\n").replace("\r", "\n")


def _unquoted_value(part: str) -> str:
    """python-dotenv's ``re.sub(r"\\s+#.*", "", part).rstrip()`` without its backtracking.

    The regex cuts at the first ``#`` that has whitespace right before it; finding that
    ``#`` directly keeps a long line of spaces linear.
    """
    hash_at = part.find("#")
    while hash_at >= 0:
        if hash_at > 0 and part[hash_at - 1].isspace():
            return part[:hash_at].rstrip()
        hash_at = part.find("#", hash_at + 1)
    return part.rstrip()


class _Problems:
    """Collects problems and tells the parser where python-dotenv resumes after each."""

    def __init__(self, text: str, starts: List[int], body_start: int) -> None:
        self.text = text
        self.starts = starts
        self.body_start = body_start
        self.found: List[Problem] = []

    def invalid(self, message: str, entry: int, at: int) -> int:
        """SYN001 over the line where the entry starts (after a BOM), up to its line break."""
        line = bisect_right(self.starts, entry)
        start = max(self.starts[line - 1], self.body_start)
        end = _TO_LINE_END.match(self.text, entry).end()  # type: ignore[union-attr]
        return self._add(_SYN_INVALID, message, _span(self.starts, start, end), at)

    def unterminated(self, message: str, quote_at: int) -> int:
        """SYN002 at the opening quote."""
        span = _span(self.starts, quote_at, quote_at + 1)
        return self._add(_SYN_UNTERMINATED, message + ", Compose rejects the whole file", span, quote_at)

    def _add(self, code: str, message: str, span: Span, at: int) -> int:
        """Record a problem and skip the rest of the line at ``at``, as python-dotenv does."""
        self.found.append(Problem(code, message, span))
        return _REST_OF_LINE.match(self.text, at).end()  # type: ignore[union-attr]


_NAME_LIKE = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,63}:?")


def _named(key: str) -> str:
    """The key as a message may show it, or a stand-in when it could be a pasted secret.

    Messages leave the engine as they are; an invalid line's "key" is only its first word,
    which may be a token or a DSN, so only names that look like variable names are shown.
    """
    return key if _NAME_LIKE.fullmatch(key) else "a key that is not a plain name"


def _invalid_after_key(key: str) -> str:
    """The message for a key followed by something that is neither '=' nor a comment."""
    if _NAME_LIKE.fullmatch(key) and key.endswith(":") and len(key) > 1:
        return "invalid line: {} is not followed by '='; write KEY=value, not KEY: value; {}".format(key[:-1], _SKIPS)
    return "invalid line: {} is followed by text that is neither '=' nor a comment (keys cannot hold spaces); {}".format(
        _named(key), _SKIPS
    )


def _scan(text: str) -> Tuple[List[Setting], List[Problem]]:
    """One pass over the text, mirroring python-dotenv's ``parse_binding`` per entry.

    Written as a single loop with local names because it runs once per line of every
    dotenv file in a monorepo; the rare error paths live in ``_Problems``.
    """
    starts = LineIndex(text).starts
    body_start = 1 if text.startswith(BOM) else 0
    problems = _Problems(text, starts, body_start)
    settings: List[Setting] = []
    n = len(text)
    pos = body_start
    while pos < n:
        head = _ENTRY_START.match(text, pos)
        assert head is not None  # only optional parts
        entry = head.start(1) if head.group(1) is not None else head.end()
        if entry >= n:
            break
        pos = head.end()
        first = text[pos : pos + 1]

        # The key, then whitespace, then maybe "=" and whitespace.
        if first == "#":
            pos = _TO_LINE_END.match(text, pos).end()  # type: ignore[union-attr]
            continue
        if first == "'":
            body_end = _SINGLE_QUOTED_KEY_BODY.match(text, pos + 1).end()  # type: ignore[union-attr]
            if body_end >= n:
                pos = problems.unterminated("unterminated single quote around a key; " + _SKIPS, pos)
                continue
            if body_end == pos + 1:
                pos = problems.invalid("empty quoted key ''; " + _SKIPS, entry, pos)
                continue
            key_start, key_end = pos + 1, body_end
            after = _AFTER_QUOTED_KEY.match(text, body_end + 1)
        else:
            after = _UNQUOTED_KEY.match(text, pos)
            if after is None:
                what = "nothing after 'export'" if head.group(1) is not None else "no key before '='"
                pos = problems.invalid("invalid line (" + what + "); " + _SKIPS, entry, pos)
                continue
            key_start, key_end = after.span(1)
        assert after is not None  # only optional parts
        key = text[key_start:key_end]
        line = bisect_right(starts, key_start)
        key_span = Span(key_start, key_end, line, key_start - starts[line - 1] + 1)
        pos = after.end()

        # The value.
        value: Optional[str] = None
        value_span: Optional[Span] = None
        quote = ""
        if after.group(2) is not None:
            after_equal = after.start(2) + 1
            first = text[pos : pos + 1]
            if first == '"' or first == "'":
                body_end = _BODY[first].match(text, pos + 1).end()  # type: ignore[union-attr]
                if text[body_end : body_end + 1] != first:
                    message = "unterminated {} quote in value of {}; {}".format(_QUOTE_NAMES[first], _named(key), _SKIPS)
                    pos = problems.unterminated(message, pos)
                    continue
                value = _unescape(_ESCAPES[first], _universal_newlines(text[pos + 1 : body_end]))
                line = bisect_right(starts, pos)
                value_span = Span(pos, body_end + 1, line, pos - starts[line - 1] + 1)
                quote = first
                pos = body_end + 1
            else:
                # Unquoted: the value starts after the whitespace that follows "=", on
                # the same line; an empty one is a zero-length span right after "=".
                value_start = pos
                if first == "#" and pos > after_equal:
                    value = ""  # `KEY=  # c`: whitespace, then a comment
                else:
                    line_end = _TO_LINE_END.match(text, pos).end()  # type: ignore[union-attr]
                    value = _unquoted_value(text[pos:line_end])
                    pos = line_end
                if not value:
                    value_start = after_equal
                line = bisect_right(starts, value_start)
                column = value_start - starts[line - 1] + 1
                value_span = Span(value_start, value_start + len(value), line, column)

        end = _COMMENT_AND_END_OF_LINE.match(text, pos)
        if end is None:
            message = _invalid_after_key(key) if not quote else (
                "unexpected text after the closing quote in value of {}; {}".format(_named(key), _SKIPS)
            )
            pos = problems.invalid(message, entry, pos)
            continue
        settings.append(Setting(key, value, key_span, value_span, quote))
        pos = end.end()
    return settings, problems.found


def parse(source: SourceFile, text: str) -> ParsedFile:
    """Read every ``KEY=value`` of a dotenv file, with spans, and report unreadable lines.

    Never raises: anything python-dotenv would skip becomes a ``Problem``.
    """
    settings, problems = _scan(text)
    return ParsedFile(source=source, text=text, settings=tuple(settings), problems=tuple(problems))
