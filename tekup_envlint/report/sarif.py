"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Every rule of the catalogue goes into the tool's `rules` with its documentation as `help`
(the page `explain` prints), so code scanning shows what, why, an example and the fix.
Each result carries its fingerprint as a partial fingerprint (no line number, no value),
and the source line as a snippet, scrubbed of secrets like the text output's code frame.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, List, Sequence
from urllib.parse import quote

from tekup_envlint import __version__
from tekup_envlint.catalogue import Rule
from tekup_envlint.models import Finding, ParsedFile
from tekup_envlint.report.docs import rule_page
from tekup_envlint.report.text import source_line

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
    index = {code: number for number, code in enumerate(rules)}
    results: List[Dict[str, Any]] = []
    for f in findings:
        region: Dict[str, Any] = {"startLine": f.line, "startColumn": f.column}
        parsed = files.get(f.path)
        snippet = source_line(parsed, f.line, scrub) if parsed is not None else None
        if snippet is not None:
            region["snippet"] = {"text": snippet}
        results.append({
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
        })
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
            "results": results,
        }],
    }
    # surrogates (a file name that is not UTF-8) are written as \u escapes: valid JSON and UTF-8
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8", "backslashreplace").decode("utf-8") + "\n"
