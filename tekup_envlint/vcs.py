"""What git can bring back: the files `fix` may write without losing someone's work.

A file whose work-tree text differs from git's index (an unstaged edit), or that git does
not know and does not ignore, cannot be restored after a fix wrote it; `fix` refuses to
write such files unless `--allow-dirty`. Staged changes count as saved (the index holds
them), which is what a pre-commit hook sees: pre-commit stashes the unstaged part.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Optional, Set

GIT_TIMEOUT = 10.0  # seconds


def unsaved(root: Path) -> Optional[Set[str]]:
    """Repo-relative paths (from `root`) git could not restore, or None outside a work tree."""
    base = ["git", "-c", "core.fsmonitor=false", "-C", str(root)]
    try:
        inside = subprocess.run(base + ["rev-parse", "--show-prefix"], capture_output=True,
                                stdin=subprocess.DEVNULL, timeout=GIT_TIMEOUT, check=False)
        if inside.returncode != 0:
            return None
        prefix = inside.stdout.decode("utf-8", "surrogateescape").strip()
        out = subprocess.run(base + ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames",
                                     "--", "."],
                             capture_output=True, stdin=subprocess.DEVNULL, timeout=GIT_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    found: Set[str] = set()
    for entry in out.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if len(entry) < 4:
            continue
        work_tree, path = entry[1], entry[3:]  # "XY path"; Y: the work tree against the index
        if work_tree != " ":
            found.add(path[len(prefix):] if prefix and path.startswith(prefix) else path)
    return found
