"""edits.apply_edits: overlapping edits are refused, whatever their order, and the text
outside the edits comes back unchanged."""

from __future__ import annotations

from itertools import combinations
from typing import List

from hypothesis import given, settings
from hypothesis import strategies as st

from tekup_envlint.edits import OverlappingEdits, apply_edits, overlaps
from tekup_envlint.models import Edit

TEXT = "A=1\r\nB='two'\nexport C=3"


@st.composite
def _edits(draw: st.DrawFn) -> List[Edit]:
    out = []
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(TEXT)))
        end = draw(st.integers(start, min(len(TEXT), start + 6)))
        out.append(Edit("f", start, end, draw(st.sampled_from(["", "x", "${DB_PASSWORD}"]))))
    return out


@settings(max_examples=300, deadline=None)
@given(_edits())
def test_overlap_is_refused_exactly_when_two_different_edits_overlap(edits: List[Edit]) -> None:
    distinct = list(dict.fromkeys(edits))
    clash = any(overlaps(a, b) for a, b in combinations(distinct, 2))
    try:
        result = apply_edits(TEXT, edits)
    except OverlappingEdits:
        assert clash
        return
    assert not clash
    # outside the edits, every character is where the shifts say it is
    shift, position = 0, 0
    for edit in sorted(distinct, key=lambda e: (e.start, e.end)):
        assert result[position + shift:edit.start + shift] == TEXT[position:edit.start]
        shift += len(edit.replacement) - (edit.end - edit.start)
        position = edit.end
    assert result[position + shift:] == TEXT[position:]


def test_equal_edits_count_once_and_insertions_keep_their_order() -> None:
    same = Edit("f", 2, 3, "x")
    assert apply_edits("A=1\n", [same, same]) == "A=x\n"
    assert apply_edits("A=1\n", [Edit("f", 4, 4, "B=2\n"), Edit("f", 4, 4, "C=3\n")]) == "A=1\nB=2\nC=3\n"
