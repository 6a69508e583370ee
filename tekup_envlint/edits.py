"""Edits as spans on a file's original text (sqlfluff's fixes as edits).

A fix never re-serialises a file: it replaces ranges of the text it was parsed from, so
everything outside those ranges (comments, order, blank lines, CRLF, BOM, the final
newline) stays exactly as it was.
"""

from __future__ import annotations

from typing import Iterable, List, Sequence, Tuple

from tekup_envlint.models import Edit


class OverlappingEdits(ValueError):
    """Two edits of one file cover the same text; neither can be applied blindly."""


def ordered(edits: Iterable[Edit]) -> List[Edit]:
    """The edits by position; insertions at one offset keep the order they were given in."""
    return sorted(edits, key=lambda e: (e.start, e.end))


def overlaps(a: Edit, b: Edit) -> bool:
    """Whether two edits of one file touch the same text (two insertions at one point do not)."""
    return a.path == b.path and a.start < b.end and b.start < a.end


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """The text with every edit applied; offsets are into `text`, the original.

    Equal edits (one span, one replacement) count once, so two fixes that agree on a
    change do not conflict. Raises OverlappingEdits for edits that disagree on a span.
    """
    unique = list(dict.fromkeys(edits))
    chosen = ordered(unique)
    for before, after in zip(chosen, chosen[1:]):
        if overlaps(before, after):
            raise OverlappingEdits(f"{before.path}: edits at {before.start}-{before.end} and {after.start}-{after.end} overlap")
    for edit in chosen:
        if not 0 <= edit.start <= edit.end <= len(text):
            raise OverlappingEdits(f"{edit.path}: edit {edit.start}-{edit.end} lies outside the text ({len(text)})")
    parts: List[str] = []
    position = 0
    for edit in chosen:
        parts.append(text[position:edit.start])
        parts.append(edit.replacement)
        position = edit.end
    parts.append(text[position:])
    return "".join(parts)


def line_bounds(text: str, start: int, end: int) -> Tuple[int, int]:
    """The whole line(s) holding `[start, end)`, with the line break after them (CR LF, LF
    or a lone CR); a BOM before the first line is not part of it."""
    begin = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    if begin == 0 and text.startswith("\ufeff"):
        begin = 1  # the BOM stays
    stop = end
    while stop < len(text) and text[stop] not in "\r\n":
        stop += 1
    if text.startswith("\r\n", stop):
        stop += 2
    elif stop < len(text):
        stop += 1
    return begin, stop
