"""JUnit XML for CI test tabs (GitLab, Jenkins, Azure): a test suite per file with findings.

Each finding is a failed test case named after its rule and line; a run without findings
is one passing test case, so the tab still shows that the check ran.
"""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Dict, List, Sequence, TextIO
from xml.sax.saxutils import escape, quoteattr

from tekup_envlint.models import Finding
from tekup_envlint.report.text import printable


def _text(value: str) -> str:
    """Repository text made valid XML 1.0: control characters as visible escapes."""
    return printable(value)


def junit(findings: Sequence[Finding], names: Dict[str, str], checked: int) -> str:
    out = io.StringIO()
    write_junit(out, findings, names, checked)
    return out.getvalue()


def write_junit(stream: TextIO, findings: Sequence[Finding], names: Dict[str, str], checked: int) -> None:
    """`junit`, written to a stream line by line (a large tree's report is tens of MB)."""
    by_file: Dict[str, List[Finding]] = defaultdict(list)
    for f in findings:
        by_file[f.path].append(f)
    write = stream.write
    write('<?xml version="1.0" encoding="UTF-8"?>\n'
          f'<testsuites name="tekup-envlint" tests="{max(len(findings), 1)}" failures="{len(findings)}">\n')
    if not findings:
        write('  <testsuite name="tekup-envlint" tests="1" failures="0">\n')
        write(f'    <testcase name={quoteattr(f"no findings in {checked} files checked")} classname="tekup-envlint"/>\n')
        write("  </testsuite>\n")
    for path, items in by_file.items():
        write(f"  <testsuite name={quoteattr(_text(path))} tests=\"{len(items)}\" failures=\"{len(items)}\">\n")
        for f in items:
            name = f"{f.code} {names.get(f.code, '')} at line {f.line}, column {f.column}"
            write(f"    <testcase name={quoteattr(_text(name))} classname={quoteattr(_text(path))} "
                  f"file={quoteattr(_text(path))} line=\"{f.line}\">\n")
            detail = f"{f.severity} {f.code} {path}:{f.line}:{f.column}: {f.message}"
            write(f"      <failure type={quoteattr(f.severity)} message={quoteattr(_text(f.message))}>"
                  f"{escape(_text(detail))}</failure>\n")
            write("    </testcase>\n")
        write("  </testsuite>\n")
    write("</testsuites>\n")
