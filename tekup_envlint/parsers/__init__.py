"""One parser per format; each turns a file's text into a `ParsedFile` and never raises.

`read` is the only place that opens a configuration file: it caps the size, decodes the
bytes and hands the text to the parser of the file's kind. `read_small` opens the other
repository files the model looks into (manifests, `.dockerignore`, init scripts) the same way.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import replace
from pathlib import Path
from typing import Mapping, Optional

from tekup_envlint.models import ParsedFile, Problem, SourceFile, Span

_START = Span(0, 0, 1, 1)


def _unreadable(source: SourceFile, code: str, why: str) -> ParsedFile:
    return ParsedFile(source=source, text="", problems=(Problem(code, f"{source.path} {why}", _START),))


_OUTSIDE = "is outside the scanned root; not read"
# O_NONBLOCK: a FIFO named like a config file must not hang the scan. O_NOFOLLOW: a file
# that became a symlink after discovery looked at it is checked again before it is read.
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)


def _inside(root: Path, path: str) -> bool:
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(root, path))
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
_WALKS = os.open in getattr(os, "supports_dir_fd", ()) and hasattr(os, "O_DIRECTORY")


def _open(root: Path, source: SourceFile) -> int:
    """A descriptor for the file, never for anything outside the root (PermissionError then).

    `O_NOFOLLOW` guards only the last part of a path, so the path is opened one folder at a
    time from the root, each without following a symlink: a folder in the middle that is
    (or was swapped for) a symlink out of the root is never passed through. A symlink along
    the way is followed only when its real path stays inside the root.
    """
    path = source.path
    parts = path.replace("\\", "/").split("/")
    if os.path.isabs(path) or ".." in parts:
        raise PermissionError(_OUTSIDE)
    try:
        return _open_beneath(str(root), parts) if _WALKS else os.open(root / path, _FLAGS)
    except OSError as err:
        if err.errno not in (errno.ELOOP, errno.ENOTDIR) or not _WALKS and err.errno != errno.ELOOP:
            raise
    if not _inside(root, path):  # a symlink on the way: only inside the root
        raise PermissionError(_OUTSIDE)
    return os.open(os.path.realpath(root / path), _FLAGS)


def _open_beneath(root: str, parts: "list[str]") -> int:
    """Open root/parts[0]/.../parts[-1] without following a symlink at any step."""
    folder = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        for part in parts[:-1]:
            if part in ("", "."):
                continue
            inner = os.open(part, _DIR_FLAGS, dir_fd=folder)
            os.close(folder)
            folder = inner
        return os.open(parts[-1], _FLAGS, dir_fd=folder)
    finally:
        os.close(folder)


def read(root: Path, source: SourceFile, max_size: int, overlay: Optional[Mapping[str, str]] = None) -> ParsedFile:
    """Read and parse one file; anything that goes wrong becomes a problem on line 1.

    `overlay` holds texts that replace what is on disk (`fix --diff` converges in memory
    without writing); a path in it is parsed from that text and not opened.
    """
    if source.skip:
        return _unreadable(source, "SYN006", source.skip)
    if overlay is not None and source.path in overlay:
        return parse_text(source, overlay[source.path])
    try:
        fd = _open(root, source)
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
    except PermissionError as err:
        if err.args == (_OUTSIDE,):
            return _unreadable(source, "SYN006", _OUTSIDE)
        return _unreadable(source, "SYN006", "cannot be read (permission denied); skipped")
    except OSError as err:
        return _unreadable(source, "SYN006", f"cannot be read ({err.strerror or 'I/O error'}); skipped")
    if len(data) > max_size:  # grew while being read
        return _unreadable(source, "SYN006", f"is over the {max_size:,}-byte limit; skipped")
    from tekup_envlint.text import decode, recover

    text, why = decode(data)
    if text is None:
        recovered = recover(data)
        if recovered is None:
            return _unreadable(source, "SYN003", f"{why}; skipped")
        # mixed UTF-8 and UTF-16, stray NULs: check what can be read (credentials above all)
        parsed = parse_text(source, recovered)
        nul = data.find(b"\x00")
        if nul >= 0 and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            why = f"mixes encodings: NUL bytes from byte offset {nul} (UTF-16 text, or stray NULs)"
        problem = Problem("SYN003", f"{source.path} {why}; checked the text that could be decoded "
                                    f"({recovered.count(chr(10)) + 1} lines), re-save it as UTF-8", _START)
        return replace(parsed, problems=(problem,) + parsed.problems)
    return parse_text(source, text)


def read_text(root: Path, path: str, max_size: int) -> Optional[str]:
    """The UTF-8 text of a file that is not a configuration file (a `.gitignore` a fix
    edits), opened as safely as `read` opens one; None when it does not exist.

    Raises OSError (PermissionError for a path outside the root) and ValueError for a
    file too large or not UTF-8: a fix must not edit what it could not read exactly.
    """
    source = SourceFile(path=path, kind="dotenv", app=".", env="default", tracked=False)
    try:
        fd = _open(root, source)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError(f"{path} is not a regular file")
        data = handle.read(max_size + 1)
    if len(data) > max_size:
        raise ValueError(f"{path} is over the {max_size:,}-byte limit")
    from tekup_envlint.text import decode

    text, why = decode(data)
    if text is None:
        raise ValueError(f"{path} {why}")
    return text


def read_small(root: Path, rel: str, max_size: int) -> Optional[str]:
    """The text of a small repository file the model looks into (a manifest, a
    `.dockerignore`, an init script), or None when `read_text` cannot give it: opened as
    `read` opens a file (never out of the root through any folder on the way, never
    blocking on a FIFO), a regular UTF-8 file of at most max_size bytes."""
    try:
        return read_text(root, rel, max_size)
    except (OSError, ValueError):
        return None


def parse_text(source: SourceFile, text: str) -> ParsedFile:
    """Parse already-decoded text with the parser for the file's kind."""
    if source.kind == "compose":
        from tekup_envlint.parsers import compose as parser
    elif source.kind == "prisma":
        from tekup_envlint.parsers import prisma as parser
    else:
        from tekup_envlint.parsers import dotenv as parser
    return parser.parse(source, text)
