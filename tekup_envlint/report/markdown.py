"""A Markdown summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`.

It leads with the counts (by severity, by rule, by app), draws the connection map as a
Mermaid diagram, and lists the findings in a folded table, cut at a length GitHub accepts
(a comment holds 65,536 characters).
"""

from __future__ import annotations

from collections import Counter
from typing import Dict, List, Sequence

from tekup_envlint.models import Finding
from tekup_envlint.report.text import errors_first, plural, printable

MAX_ROWS = 100
ICON = {"error": ":x:", "warning": ":warning:", "info": ":information_source:"}


def cell(text: str) -> str:
    """Text for a table cell: no line break, no pipe, no HTML, no stray code span."""
    return (printable(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
            .replace(">", "&gt;").replace("`", "'"))


def markdown(findings: Sequence[Finding], names: Dict[str, str], checked: int, diagram: str) -> str:
    out: List[str] = ["## tekup-envlint", ""]
    severities = Counter(f.severity for f in findings)
    if findings:
        parts = ", ".join(plural(severities[s], s) for s in ("error", "warning", "info") if severities[s])
        out.append(f"**{plural(len(findings), 'finding')}** ({parts}) in {plural(checked, 'file')} checked.")
    else:
        out.append(f":white_check_mark: All checks passed ({plural(checked, 'file')} checked).")
    out.append("")
    if findings:
        out += ["| rule | name | findings |", "|---|---|---:|"]
        for code, count in sorted(Counter(f.code for f in findings).items(), key=lambda i: (-i[1], i[0])):
            out.append(f"| `{code}` | {cell(names.get(code, ''))} | {count} |")
        out.append("")
        out += ["| app | errors | warnings | infos |", "|---|---:|---:|---:|"]
        by_app: Dict[str, Counter] = {}
        for f in findings:
            by_app.setdefault(f.app, Counter())[f.severity] += 1
        for app_root, counts in sorted(by_app.items(), key=lambda i: (-sum(i[1].values()), i[0])):
            out.append(f"| {cell(app_root)} | {counts['error']} | {counts['warning']} | {counts['info']} |")
        out.append("")
    out += ["### Connection map", "", "```mermaid", diagram.rstrip("\n"), "```", ""]
    if findings:
        out += ["<details><summary>Findings</summary>", "", "| | rule | where | message |", "|---|---|---|---|"]
        shown = errors_first(findings)[:MAX_ROWS]
        for f in shown:
            out.append(f"| {ICON[f.severity]} | `{f.code}` | {cell(f.path)}:{f.line}:{f.column} | {cell(f.message)} |")
        if len(findings) > MAX_ROWS:
            out += ["", f"… and {len(findings) - MAX_ROWS} more; run `tekup-envlint check` for all of them."]
        out += ["", "</details>", ""]
    return "\n".join(out)
