"""The output of `check` is the recorded one, byte for byte, on the demo and the monorepo skeletons.

Speed work (issue #12) must not change a byte of output; this pins it. The recorded outputs
are in `tests/resources/golden/` (JSON and the default text, with the tree's path written
`<root>`), made by `benchmarks/identical.py`. A change of output on purpose (a new rule, a
reworded message) records them again:

    python benchmarks/identical.py --update
    TEKUP_ENVLINT_UPDATE_GOLDEN=1 python -m pytest tests/test_identical.py   # the same

and the diff of the golden files shows the change in review.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import identical  # noqa: E402  (benchmarks/identical.py)

CASES = identical.cases()


@pytest.mark.parametrize("name,folder", CASES, ids=[name for name, _ in CASES])
def test_check_output_is_the_recorded_one(name: str, folder: Path) -> None:
    if folder is None:
        pytest.skip(f"{name} is not on this machine")
    got = identical.small_tree_outputs(name, folder)
    if os.environ.get(identical.UPDATE_ENV):
        identical.record(name, got, identical.GOLDEN)
        return
    problems = identical.differences(name, got, identical.GOLDEN)
    assert not problems, (
        "\n\n".join(problems)
        + "\n\nIf the change is deliberate, record it: python benchmarks/identical.py --update"
    )


def test_the_monorepo_skeletons_are_compared_when_present() -> None:
    if not identical.MONOREPOS.is_dir():
        pytest.skip(f"the shared monorepo skeletons are not at {identical.MONOREPOS}")
    names = [name for name, _ in CASES]
    assert len(names) > 1
    missing = [identical.golden_path(identical.GOLDEN, name, fmt).name
               for name in names for fmt in identical.FORMATS
               if not identical.golden_path(identical.GOLDEN, name, fmt).is_file()]
    assert not missing, f"not recorded yet (python benchmarks/identical.py --update): {missing}"
