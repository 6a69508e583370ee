"""One `path:line:col: CODE message` line per finding, for editors, grep and problem matchers."""

from __future__ import annotations

from typing import Sequence

from tekup_envlint.models import Finding
from tekup_envlint.report.text import printable


def concise(findings: Sequence[Finding]) -> str:
    return "".join(
        f"{printable(f.path)}:{f.line}:{f.column}: {f.code} {printable(f.message)}\n" for f in findings
    )
