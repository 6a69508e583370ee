"""Writing fixed files back: atomically, inside the root, and only what was read.

Why this is its own module: a fix may only ever change the bytes it was asked to change,
so every write goes through the same few guarantees:

- the file's bytes on disk are still the text the fix was computed from (else: refused);
- the path is inside the root, and a symlink on the way is followed only when its real
  path stays inside the root; a symlink stays a symlink (its target is written);
- a file whose mode has no write bit is read-only: reported, not written (also as root);
- each file is written to a temporary file in its own folder, flushed, given the old
  file's mode (and owner, where allowed) and renamed over it (`os.replace`), so a reader
  or a kill sees the old file or the new one, never half of one; a hard-linked file is
  therefore replaced, never written in place (its other names keep the old bytes);
- the files of a run are written all or none: every check passes first, then all are
  staged, then renamed one after the other; if anything fails, the temporary files left
  are removed and the error names what was and was not written.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

TEMP_SUFFIX = ".tekup-envlint.tmp"

Changes = Mapping[str, Tuple[Optional[str], str]]  # path -> (text read or None if absent, new text)


class WriteFailed(OSError):
    """Writing stopped part-way; `written` were replaced, the rest are untouched."""

    def __init__(self, message: str, written: Sequence[str], unwritten: Sequence[str]) -> None:
        super().__init__(message)
        self.written = tuple(written)
        self.unwritten = tuple(unwritten)


@dataclass
class Written:
    """What `write_all` did: the files replaced or created, and those refused with why."""

    written: List[str] = field(default_factory=list)
    refused: Dict[str, str] = field(default_factory=dict)


def _real_root(root: Path) -> str:
    return os.path.realpath(root)


def _inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def target(root: Path, path: str) -> Tuple[Optional[str], Optional[str]]:
    """(the real file to write for repo-relative `path`, None) or (None, why not).

    A symlink (the file itself or a folder on the way) is followed only when its real
    path stays inside the root; the real path is what gets replaced, so the link stays.
    """
    parts = path.replace("\\", "/").split("/")
    if not path or os.path.isabs(path) or ".." in parts or "" in parts:
        return None, "is not a path inside the root"
    real_root = _real_root(root)
    real = os.path.realpath(os.path.join(real_root, *parts))
    if not _inside(real, real_root) or real == real_root:
        return None, "leads outside the root (through a symlink); not written"
    return real, None


def refusal(root: Path, path: str) -> Optional[str]:
    """Why `path` cannot be written at all (None: it can be tried): outside the root,
    read-only, not a regular file, or its folder missing."""
    real, why = target(root, path)
    if real is None:
        return why
    try:
        st = os.stat(real)
    except FileNotFoundError:
        folder = os.path.dirname(real)
        return None if os.path.isdir(folder) else "would be created in a folder that does not exist; not written"
    except OSError as err:
        return f"cannot be looked at ({err.strerror}); not written"
    if not stat.S_ISREG(st.st_mode):
        return "is not a regular file; not written"
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return "is read-only; not written"
    return None


def _current(real: str) -> Optional[bytes]:
    """The file's bytes now, or None if it does not exist (never through a new symlink)."""
    try:
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise IsADirectoryError(real)
        return handle.read()


def _order(paths: Sequence[str], changes: Changes) -> List[str]:
    """Destinations before sources: `.gitignore` files, then files created, then files that
    grow, then the rest; a kill part-way then leaves a moved secret in both places rather
    than in neither, and a new local file already ignored."""

    def rank(path: str) -> Tuple[int, str]:
        old, new = changes[path]
        if path.rsplit("/", 1)[-1] == ".gitignore":
            return 0, path
        if old is None:
            return 1, path
        return (2 if len(new) >= len(old) else 3), path

    return sorted(paths, key=rank)


def _stage(real: str, data: bytes) -> str:
    """Write `data` to a new temporary file beside `real`, with `real`'s mode; its path."""
    folder, name = os.path.split(real)
    fd, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            st = os.stat(real)
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)
        else:
            os.chmod(temp, stat.S_IMODE(st.st_mode))
            if hasattr(os, "chown"):
                try:
                    os.chown(temp, st.st_uid, st.st_gid)
                except OSError:
                    pass  # not allowed for another owner: the mode is kept all the same
    except BaseException:
        _remove(temp)
        raise
    return temp


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def write_all(root: Path, changes: Changes) -> Written:
    """Write every change atomically, or none of them when one cannot be written safely.

    All or nothing, because the changes of one fix span files (a secret moved from one
    file to another must not leave the first without reaching the second). Refused (and
    reported, nothing written): a path outside the root, a read-only file, a file whose
    bytes differ from the text the change was computed from (edited meanwhile, or not
    UTF-8). Raises WriteFailed when an OS error stops the writing part-way; every file is
    then either as it was or fully new, and no temporary file is left behind.
    """
    done = Written()
    reals: Dict[str, str] = {}
    for path in _order(list(changes), changes):
        old, _ = changes[path]
        real, why = target(root, path)
        why = why or refusal(root, path)
        if why is None and real is not None:
            try:
                current = _current(real)
            except OSError as err:
                why = f"cannot be read again ({err.strerror or 'not a file'}); not written"
            else:
                if current != (None if old is None else old.encode("utf-8")):
                    why = ("changed on disk since it was read; not written" if old is not None
                           else "appeared on disk since the run began; not written")
        if why is not None or real is None:
            done.refused[path] = why or "cannot be written"
        else:
            reals[path] = real
    if done.refused:
        return done
    staged: Dict[str, str] = {}  # path -> temp
    try:
        for path, real in reals.items():
            staged[path] = _stage(real, changes[path][1].encode("utf-8"))
    except BaseException as err:
        for temp in staged.values():
            _remove(temp)
        if isinstance(err, OSError):
            raise WriteFailed(f"nothing written: {err.strerror or err}", (), list(reals)) from err
        raise
    pending = list(staged)
    try:
        while pending:
            path = pending[0]
            os.replace(staged[path], reals[path])
            pending.pop(0)
            done.written.append(path)
    except BaseException as err:
        for path in pending:
            _remove(staged[path])
        if isinstance(err, OSError):
            raise WriteFailed(
                f"writing stopped after {len(done.written)} of {len(staged)} files: {err.strerror or err}",
                done.written, pending,
            ) from err
        raise
    return done
