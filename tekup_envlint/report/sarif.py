"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Every rule of the catalogue goes into the tool's `rules` with its documentation as `help`
(the page `explain` prints), so code scanning shows what, why, an example and the fix.
Each result carries its fingerprint as a partial fingerprint (no line number, no value),
and the source line as a snippet, scrubbed of secrets like the text output's code frame.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any, Callable, Dict, Optional, Sequence, TextIO
from urllib.parse import quote

from tekup_envlint import __version__
from tekup_envlint.catalogue import Rule
from tekup_envlint.models import Finding, ParsedFile
from tekup_envlint.report.docs import rule_page
from tekup_envlint.report.text import frame, remembered, source_lines

_SURROGATE = re.compile("[\ud800-\udfff]")

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SECURITY_SEVERITY = {"error": "8.0", "warning": "5.0", "info": "2.0"}  # GitHub: high, medium, low
INFORMATION_URI = "https://github.com/TekupDK/tekup-envlint"


def _rule(rule: Rule) -> Dict[str, Any]:
    page = rule_page(rule)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.why},
        "help": {"text": page, "markdown": page},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": _properties(rule),
    }


def _properties(rule: Rule) -> Dict[str, Any]:
    """Tags for code scanning; a credentials rule is a security alert with a severity score."""
    if rule.category != "credentials":
        return {"tags": [rule.category], "category": rule.category}
    return {"tags": [rule.category, "security"], "category": rule.category,
            "security-severity": SECURITY_SEVERITY[rule.severity]}


def _uri(path: str) -> str:
    """A repo-relative path as a relative URI reference (spaces and the like percent-encoded)."""
    return quote(path, safe="/", errors="surrogateescape")


def sarif(
    findings: Sequence[Finding],
    rules: Dict[str, Rule],
    files: Dict[str, ParsedFile],
    scrub: Callable[[str], str],
) -> str:
    out = io.StringIO()
    write_sarif(out, findings, rules, files, scrub)
    return out.getvalue()


def write_sarif(
    stream: TextIO,
    findings: Sequence[Finding],
    rules: Dict[str, Rule],
    files: Dict[str, ParsedFile],
    scrub: Callable[[str], str],
) -> None:
    """`sarif`, written to a stream a result at a time.

    The document of a large tree (tens of thousands of results) held as objects, then as
    the pieces of the indenting encoder, took twice the memory of the whole scan. The
    document is written without its results, and each result is encoded on its own and
    indented to its depth: a JSON encoding holds no raw line break (a string's are
    escaped), so indenting the lines of a piece gives the bytes the whole would have.
    """
    index = {code: number for number, code in enumerate(rules)}
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "tekup-envlint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(rule) for rule in rules.values()],
            }},
            "columnKind": "unicodeCodePoints",
            "results": [],
        }],
    }
    whole = _encode(document)
    cut = whole.rindex(_EMPTY_RESULTS)  # the last member of the last run: after every rule's text
    if not findings:
        stream.write(whole + "\n")
        return
    stream.write(whole[:cut] + '"results": [')
    current, lines = None, None  # the current file's lines: findings come file by file
    scrub = remembered(scrub)
    for number, f in enumerate(findings):
        if f.path != current:
            current = f.path
            parsed = files.get(f.path)
            lines = source_lines(parsed) if parsed is not None else None
        snippet = frame(lines, f.line, scrub) if lines is not None else None
        piece = _encode(_result(f, index, snippet)).replace("\n", _RESULT_BREAK)
        stream.write(("," if number else "") + _RESULT_BREAK + piece)
    stream.write("\n" + _RESULTS_INDENT + "]" + whole[cut + len(_EMPTY_RESULTS):] + "\n")


_EMPTY_RESULTS = '"results": []'
_RESULTS_INDENT = " " * 6  # document > runs > run > results, two spaces a level
_RESULT_BREAK = "\n" + " " * 8  # a result's lines, one level deeper


def _encode(value: Any) -> str:
    """JSON with the layout of the whole document; surrogates (a file name that is not
    UTF-8) as \\u escapes, so the output is valid JSON and UTF-8."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return text.encode("utf-8", "backslashreplace").decode("utf-8") if _SURROGATE.search(text) else text


def _result(f: Finding, index: Dict[str, int], snippet: Optional[str]) -> Dict[str, Any]:
    region: Dict[str, Any] = {"startLine": f.line, "startColumn": f.column}
    if snippet is not None:
        region["snippet"] = {"text": snippet}
    return {
        "ruleId": f.code,
        "ruleIndex": index[f.code],
        "level": LEVEL[f.severity],
        "message": {"text": f.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": _uri(f.path), "uriBaseId": "%SRCROOT%"},
                "region": region,
            },
        }],
        **({"relatedLocations": [
            {
                "id": number,
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(r.path), "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": r.line, "startColumn": r.column},
                },
                **({"message": {"text": r.key}} if r.key else {}),
            }
            for number, r in enumerate(f.related)
        ]} if f.related else {}),
        "partialFingerprints": {"tekupEnvlint/v1": f.fingerprint},
        "properties": {"app": f.app, "category": f.category, **({"key": f.key} if f.key else {})},
    }
