"""Inline suppressions: `# tekup-envlint: ignore[CODE,...] reason` in env and Compose files.

A suppression silences the named codes (or code prefixes) on its own line and on the line
below it, and only when it says why after the codes. The engine applies them in one place
(`apply`); the SUP rules report the ones without a reason and the ones that silenced nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Sequence, Set, Tuple

from tekup_envlint.catalogue import matches
from tekup_envlint.models import Hit, ParsedFile, Span
from tekup_envlint.text import LineIndex

MARKER = "tekup-envlint:"
_DIRECTIVE = re.compile(r"#[ \t]*tekup-envlint:[ \t]*ignore\[([^\]\r\n]*)\]([^\r\n]*)")
KINDS = ("dotenv", "compose")  # the file kinds whose comments start with `#`


@dataclass(frozen=True)
class Suppression:
    path: str
    app: str
    span: Span  # the directive, from its `#`
    codes: Tuple[str, ...]
    reason: str

    def covers(self, path: str, line: int) -> bool:
        return path == self.path and self.span.line <= line <= self.span.line + 1


@dataclass
class Outcome:
    """What the suppressions did in one run, for the rule that reports unused ones."""

    suppressions: List[Suppression]
    enabled: Tuple[str, ...]  # the codes this run checked
    used: Set[Tuple[int, str]] = field(default_factory=set)  # (suppression index, code named)


def _reason(raw: str) -> str:
    return raw.strip().lstrip(":-–—").strip()


def in_file(parsed: ParsedFile) -> List[Suppression]:
    """The suppressions written in one file's comments (not inside a quoted value)."""
    if parsed.source.kind not in KINDS or MARKER not in parsed.text:
        return []
    values = [s.value_span for s in parsed.settings if s.value_span is not None and s.quote]
    index = LineIndex(parsed.text)
    found: List[Suppression] = []
    for match in _DIRECTIVE.finditer(parsed.text):
        if any(v.start <= match.start() < v.end for v in values):
            continue  # `# tekup-envlint:` written inside a quoted value is text, not a comment
        codes = tuple(c.strip().upper() for c in match.group(1).split(",") if c.strip())
        span = index.span(match.start(), match.end())
        found.append(Suppression(parsed.source.path, parsed.source.app, span, codes, _reason(match.group(2))))
    return found


def find(files: Sequence[ParsedFile]) -> List[Suppression]:
    return [s for parsed in files for s in in_file(parsed)]


def apply(hits: List[Tuple[str, Hit]], suppressions: List[Suppression], enabled: Tuple[str, ...]) -> Tuple[List[Tuple[str, Hit]], Outcome]:
    """The (code, hit) pairs no suppression with a reason silences, and what was used."""
    outcome = Outcome(suppressions, enabled)
    by_path: Dict[str, List[int]] = {}
    for number, suppression in enumerate(suppressions):
        if suppression.reason and suppression.codes:
            by_path.setdefault(suppression.path, []).append(number)
    if not by_path:
        return hits, outcome
    kept: List[Tuple[str, Hit]] = []
    for code, hit in hits:
        silenced = False
        for number in by_path.get(hit.path, ()):
            suppression = suppressions[number]
            if suppression.covers(hit.path, hit.span.line):
                for named in suppression.codes:
                    if matches(code, (named,)):
                        outcome.used.add((number, named))
                        silenced = True
        if not silenced:
            kept.append((code, hit))
    return kept, outcome
