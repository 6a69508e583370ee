"""JUnit XML for CI test tabs (GitLab, Jenkins, Azure): a test suite per file with findings.

Each finding is a failed test case named after its rule and line; a run without findings
is one passing test case, so the tab still shows that the check ran.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, List, Sequence
from xml.sax.saxutils import escape, quoteattr

from tekup_envlint.models import Finding
from tekup_envlint.report.text import printable


def _text(value: str) -> str:
    """Repository text made valid XML 1.0: control characters as visible escapes."""
    return printable(value)


def junit(findings: Sequence[Finding], names: Dict[str, str], checked: int) -> str:
    by_file: Dict[str, List[Finding]] = defaultdict(list)
    for f in findings:
        by_file[f.path].append(f)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuites name="tekup-envlint" tests="{max(len(findings), 1)}" failures="{len(findings)}">']
    if not findings:
        out.append(f'  <testsuite name="tekup-envlint" tests="1" failures="0">')
        out.append(f'    <testcase name={quoteattr(f"no findings in {checked} files checked")} classname="tekup-envlint"/>')
        out.append("  </testsuite>")
    for path, items in by_file.items():
        out.append(f"  <testsuite name={quoteattr(_text(path))} tests=\"{len(items)}\" failures=\"{len(items)}\">")
        for f in items:
            name = f"{f.code} {names.get(f.code, '')} at line {f.line}, column {f.column}"
            out.append(f"    <testcase name={quoteattr(_text(name))} classname={quoteattr(_text(path))} "
                       f"file={quoteattr(_text(path))} line=\"{f.line}\">")
            detail = f"{f.severity} {f.code} {path}:{f.line}:{f.column}: {f.message}"
            out.append(f"      <failure type={quoteattr(f.severity)} message={quoteattr(_text(f.message))}>"
                       f"{escape(_text(detail))}</failure>")
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"
