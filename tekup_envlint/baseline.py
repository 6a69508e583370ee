"""A baseline: today's findings, recorded so that `check --baseline FILE` reports only new ones.

One finding per line, sorted, so that a diff shows exactly the findings that came or went
and two branches that each add findings rarely touch the same lines:

    # tekup-envlint baseline 1 ...
    3f0c9a1e5b7d2c44<TAB>HYB001<TAB>apps/billy/.env<TAB>DATABASE_URL

Only the first field counts: the finding's fingerprint (`engine.fingerprint`), a keyed hash
of code, path, key and the offending value, without the line number, so editing a file
does not bring old findings back. The rest is there for the reviewer. The file never
holds a value, only that hash. Lines are a multiset: a finding recorded twice is
forgiven twice.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import List, Sequence, Tuple

from tekup_envlint.models import Finding

FORMAT = 1
HEADER = (
    f"# tekup-envlint baseline {FORMAT}: the findings `check --baseline` does not report, one per line,\n"
    "# sorted (fingerprint, code, path, key). Only the fingerprint counts: a keyed hash without the line\n"
    "# number and without any value. Do not edit by hand; on a merge conflict, regenerate it with\n"
    "# `tekup-envlint check --write-baseline FILE` (docs/baseline.md).\n"
)
_FINGERPRINT = re.compile(r"[0-9a-f]{16}")
_CONFLICT = ("<<<<<<<", "=======", ">>>>>>>", "|||||||")


class BaselineError(ValueError):
    """A baseline that cannot be read; the message names the file and the line."""


def _field(text: str) -> str:
    from tekup_envlint.report.text import printable  # no tab, line break or control character

    return printable(text).replace("\t", "\\t")


def dumps(findings: Sequence[Finding]) -> str:
    rows = sorted(
        f"{f.fingerprint}\t{f.code}\t{_field(f.path)}\t{_field(f.key or '-')}" for f in findings
    )
    return HEADER + "".join(row + "\n" for row in rows)


def write(path: Path, findings: Sequence[Finding]) -> None:
    path.write_text(dumps(findings), encoding="utf-8", newline="\n")


def load(path: Path) -> Counter:
    """The fingerprints a baseline forgives, with how often each was recorded."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as err:
        raise BaselineError(f"{path}: cannot be read ({err.strerror})") from None
    known: Counter = Counter()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith(_CONFLICT):
            raise BaselineError(f"{path}:{number}: a merge conflict marker; regenerate the baseline with "
                                "`tekup-envlint check --write-baseline` instead of merging it by hand")
        fingerprint = line.split("\t", 1)[0].strip()
        if not _FINGERPRINT.fullmatch(fingerprint):
            raise BaselineError(f"{path}:{number}: not a baseline line (expected a 16-digit hex fingerprint first)")
        known[fingerprint] += 1
    return known


def new_findings(findings: Sequence[Finding], known: Counter) -> Tuple[List[Finding], int]:
    """The findings the baseline does not forgive, and how many it did."""
    left = Counter(known)
    fresh: List[Finding] = []
    for finding in findings:
        if left[finding.fingerprint] > 0:
            left[finding.fingerprint] -= 1
        else:
            fresh.append(finding)
    return fresh, len(findings) - len(fresh)
