"""A progress bar on stderr for a person waiting at a terminal, and nowhere else.

It appears only once a scan has taken longer than about a second, so a pre-commit run
never shows it; never in CI logs (`CI` set), never when stderr is not a terminal, never
for a machine format. It redraws at most ten times a second and erases itself when done.
"""

from __future__ import annotations

import time
from typing import Callable, Mapping, Optional, TextIO

DELAY = 1.0  # seconds before the bar appears
WIDTH = 30


def wanted(stream: TextIO, environ: Mapping[str, str], machine_format: bool) -> bool:
    if machine_format or environ.get("CI") or environ.get("TEKUP_ENVLINT_NO_PROGRESS"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Bar:
    """Called as `bar(done, total)` by the engine while it reads files."""

    def __init__(self, stream: TextIO, delay: float = DELAY, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.clock = clock
        self.start = clock()
        self.delay = delay
        self.last: Optional[float] = None
        self.shown = 0  # the width of what is on screen

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if now - self.start < self.delay or (self.last is not None and now - self.last < 0.1 and done < total):
            return
        self.last = now
        filled = WIDTH * done // max(total, 1)
        line = f"\rtekup-envlint: reading files [{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total}"
        self.stream.write(line)
        self.stream.flush()
        self.shown = len(line)

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * self.shown + "\r")
            self.stream.flush()
            self.shown = 0


def delay_from(environ: Mapping[str, str]) -> float:
    """`TEKUP_ENVLINT_PROGRESS_DELAY` (seconds) changes when the bar appears; 0 shows it at once."""
    try:
        return max(0.0, float(environ.get("TEKUP_ENVLINT_PROGRESS_DELAY", DELAY)))
    except ValueError:
        return DELAY


