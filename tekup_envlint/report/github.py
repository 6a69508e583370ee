"""GitHub Actions workflow commands: one annotation per finding on the pull request's diff.

Escaping follows the runner's rules (actions/toolkit `command.ts`): in the message `%`,
CR and LF are percent-encoded; in a property value also `:` and `,`.
"""

from __future__ import annotations

from typing import Dict, Sequence

from tekup_envlint.models import Finding

LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotations(findings: Sequence[Finding], names: Dict[str, str]) -> str:
    lines = []
    for f in findings:
        title = f"{f.code} {names.get(f.code, '')}".strip()
        properties = ",".join((
            f"file={escape_property(f.path)}",
            f"line={f.line}",
            f"col={f.column}",
            f"title={escape_property(title)}",
        ))
        lines.append(f"::{LEVEL[f.severity]} {properties}::{escape_data(f.message)}\n")
    return "".join(lines)
