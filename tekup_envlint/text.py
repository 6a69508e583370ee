"""Turning bytes into text and offsets into lines and columns, shared by every parser."""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import List, Optional, Tuple

from tekup_envlint.models import Span

BOM = "\ufeff"


def decode(data: bytes) -> Tuple[Optional[str], Optional[str]]:
    """Decode a file's bytes as UTF-8 without translating anything.

    Returns ``(text, None)`` or ``(None, reason)`` for content that is not UTF-8 text
    (NUL bytes, a UTF-16 BOM, invalid sequences). A UTF-8 BOM stays in the text as U+FEFF
    so that offsets still match the file.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, "is UTF-16 encoded; only UTF-8 is read"
    nul = data.find(b"\x00")
    if nul >= 0:
        return None, f"looks binary (NUL byte at byte offset {nul})"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as err:
        return None, f"is not valid UTF-8 (byte offset {err.start})"


# A run of UTF-16LE text in the ASCII range (a byte, then NUL), as PowerShell's `>>` appends
# to a UTF-8 file; a big-endian run is read the same way, one byte shifted.
_UTF16_RUN = re.compile(rb"(?:[^\x00]\x00){2,}")
_NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffd]")
_MAX_NOT_TEXT = 0.1  # more than this share of characters that are not text: a binary file


def recover(data: bytes) -> Optional[str]:
    """What can be read of bytes that `decode` refused, or None for a binary file.

    UTF-16 with a BOM is decoded as such; otherwise UTF-16 runs inside UTF-8 are decoded as
    UTF-16, the rest as UTF-8, and NULs and undecodable bytes are dropped. Offsets into the
    result are not the file's, so nothing may edit a recovered file.
    """
    text: Optional[str] = None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            text = None
    if text is None:
        parts: List[str] = []
        pos = 0
        for m in _UTF16_RUN.finditer(data):
            parts.append(data[pos:m.start()].decode("utf-8", "replace"))
            parts.append(m.group().decode("utf-16-le", "replace"))
            pos = m.end()
        parts.append(data[pos:].decode("utf-8", "replace"))
        text = "".join(parts)
    bad = len(_NOT_TEXT.findall(text))
    if not text or bad > _MAX_NOT_TEXT * len(text):
        return None
    return _NOT_TEXT.sub("", text).lstrip(BOM)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")

# What the repository may not send to a terminal: control characters (an ESC sequence in
# a value or a file name could rewrite the screen or set its title, BEL rings; a line
# break in a file name could forge an output line), and the lone surrogates that stand for
# the bytes of a file name that is not UTF-8 (a strict stdout cannot encode them).
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escape(match: "re.Match[str]") -> str:
    code = ord(match.group(0))
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a non-UTF-8 file name (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """Text from the repository made safe for a terminal: control characters as escapes.

    Every message that quotes repository content goes through it, on stdout and stderr.
    """
    return _UNPRINTABLE.sub(_escape, text)


class LineIndex:
    """Maps offsets of a text to 1-based (line, column). Lines end at LF, CR LF or a lone CR."""

    def __init__(self, text: str) -> None:
        self.starts: List[int] = [0]
        self.starts.extend(m.end() for m in _LINE_BREAK.finditer(text))

    def position(self, offset: int) -> Tuple[int, int]:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def span(self, start: int, end: int) -> Span:
        line, column = self.position(start)
        return Span(start, end, line, column)

    def line_start(self, line: int) -> int:
        return self.starts[line - 1]
