"""One parser per format; each turns a file's text into a `ParsedFile` and never raises.

`read` is the only place that opens a configuration file: it caps the size, decodes the
bytes and hands the text to the parser of the file's kind.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tekup_envlint.models import ParsedFile, Problem, SourceFile, Span

_START = Span(0, 0, 1, 1)


def _unreadable(source: SourceFile, code: str, why: str) -> ParsedFile:
    return ParsedFile(source=source, text="", problems=(Problem(code, f"{source.path} {why}", _START),))


def read(root: Path, source: SourceFile, max_size: int) -> ParsedFile:
    """Read and parse one file; anything that goes wrong becomes a problem on line 1."""
    if source.skip:
        return _unreadable(source, "SYN006", source.skip)
    try:
        # O_NONBLOCK: a FIFO named like a config file must not hang the scan
        fd = os.open(root / source.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            st = os.fstat(fd)
            if stat.S_ISDIR(st.st_mode):
                return _unreadable(source, "SYN006", "is a directory, not a file; skipped")
            if not stat.S_ISREG(st.st_mode):
                return _unreadable(source, "SYN006", "is not a regular file; skipped")
            if st.st_size > max_size:
                return _unreadable(
                    source, "SYN006", f"is {st.st_size:,} bytes, over the {max_size:,}-byte limit; skipped"
                )
            data = handle.read(max_size + 1)
    except IsADirectoryError:
        return _unreadable(source, "SYN006", "is a directory, not a file; skipped")
    except FileNotFoundError:
        return _unreadable(source, "SYN006", "vanished before it could be read; skipped")
    except PermissionError:
        return _unreadable(source, "SYN006", "cannot be read (permission denied); skipped")
    except OSError as err:
        return _unreadable(source, "SYN006", f"cannot be read ({err.strerror or 'I/O error'}); skipped")
    if len(data) > max_size:  # grew while being read
        return _unreadable(source, "SYN006", f"is over the {max_size:,}-byte limit; skipped")
    from tekup_envlint.text import decode

    text, why = decode(data)
    if text is None:
        return _unreadable(source, "SYN003", f"{why}; skipped")
    return parse_text(source, text)


def parse_text(source: SourceFile, text: str) -> ParsedFile:
    """Parse already-decoded text with the parser for the file's kind."""
    if source.kind == "compose":
        from tekup_envlint.parsers import compose as parser
    elif source.kind == "prisma":
        from tekup_envlint.parsers import prisma as parser
    else:
        from tekup_envlint.parsers import dotenv as parser
    return parser.parse(source, text)
