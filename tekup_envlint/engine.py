"""The core: discover, parse, build the workspace, run the checks, return findings as data.

Nothing here prints or exits; the CLI and the reporters do that.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from tekup_envlint.catalogue import catalogue, matches, select_codes
from tekup_envlint.config import Config
from tekup_envlint.discovery import discover
from tekup_envlint.models import Finding, Hit, ParsedFile
from tekup_envlint.parsers import read
from tekup_envlint.redact import (
    Redactor,
    hidden_as_written,
    secret_by_name_only,
    secrets_in,
    unread_assignments,
    written_forms,
)
from tekup_envlint.workspace import Workspace, build

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@dataclass
class Result:
    root: Path
    workspace: Workspace
    findings: List[Finding]
    redactor: Redactor  # knows every literal secret of the workspace, for code frames


try:  # CPython's own SHA-256: the same digest as hashlib's, without loading OpenSSL at start-up
    from _sha256 import sha256 as _sha256  # Python < 3.12
except ImportError:  # pragma: no cover - depends on the Python version
    try:
        from _sha2 import sha256 as _sha256  # Python >= 3.12
    except ImportError:
        from hashlib import sha256 as _sha256


def fingerprint(code: str, path: str, key: Optional[str], value: Optional[str]) -> str:
    """A finding's identity without its line, so that a baseline survives edits."""
    digest = _sha256("\0".join((code, path, key or "", value or "")).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:16]


def severity_for(code: str, default: str, config: Config) -> str:
    """The configured severity: the longest matching code or prefix wins."""
    best = ""
    chosen = default
    for selector, severity in config.severity:
        if matches(code, (selector,)) and len(selector) >= len(best):
            best, chosen = selector, severity
    return chosen


def load_files(root: Path, config: Config, scope: Optional[Sequence[str]] = None) -> List[ParsedFile]:
    return [read(root, source, config.max_file_size) for source in discover(root, config, scope)]


def workspace_redactor(workspace: Workspace) -> Redactor:
    """A redactor that knows every literal secret any setting of the workspace holds."""
    # secrets_in is a pure function of (key, value); the same lines repeat across files
    found: Dict[tuple, List[str]] = {}
    by_name: Dict[tuple, bool] = {}  # secret by its name alone (short, or a local default)
    written: List[tuple] = []  # (as written, redacted): values the file writes differently
    for parsed in workspace.files:
        for setting in parsed.settings:
            pair = (setting.key, setting.value)
            secrets = found.get(pair)
            if secrets is None:
                secrets = found[pair] = list(secrets_in(*pair))
                by_name[pair] = secret_by_name_only(*pair)
            span = setting.value_span
            if span is not None and (secrets or by_name[pair]):
                if hidden_as_written(secrets, parsed.text[span.start:span.end], setting.key, setting.value):
                    written.extend(written_forms(parsed.text, span.start, span.end, setting.key_span.start))
        for datasource in parsed.datasources:  # a Prisma literal URL
            for value in (datasource.url, datasource.direct_url):
                if value is not None and value.literal:
                    secrets = list(secrets_in("url", value.literal))
                    found[("url", value.literal)] = secrets
                    text = parsed.text[value.span.start:value.span.end]
                    if secrets and hidden_as_written(secrets, text, "url", value.literal):
                        written.extend(written_forms(parsed.text, value.span.start, value.span.end))
        # a line no parser could read still shows in the code frame of its problem
        if parsed.problems and parsed.text:
            for pair in unread_assignments(parsed.text, (p.span.start for p in parsed.problems)):
                if pair not in found:
                    found[pair] = list(secrets_in(*pair))
    return Redactor((s for secrets in found.values() for s in secrets), written)


def run_checks(workspace: Workspace, config: Config, redactor: Optional[Redactor] = None) -> List[Finding]:
    """Run the selected checks; messages are scrubbed of secrets before they leave the core."""
    from tekup_envlint.checks import load

    registry = load()
    rules = catalogue()
    scrub = (redactor or workspace_redactor(workspace)).scrub
    findings: List[Finding] = []
    for code in select_codes(config.select, config.ignore):
        rule = rules[code]
        check = registry[code]
        for hit in check(workspace):
            severity = severity_for(code, rule.severity, config)
            findings.append(_finding(code, rule.category, severity, hit, scrub(hit.message)))
    findings.sort(key=lambda f: (f.path, f.line, f.column, f.code))
    return _dedupe(findings)


def _finding(code: str, category: str, severity: str, hit: Hit, message: str) -> Finding:
    return Finding(
        code=code,
        category=category,
        severity=severity,
        path=hit.path,
        line=hit.span.line,
        column=hit.span.column,
        app=hit.app,
        key=hit.key,
        message=message,
        fix=hit.fix,
        fingerprint=fingerprint(code, hit.path, hit.key, hit.value),
    )


def _dedupe(findings: List[Finding]) -> List[Finding]:
    seen: Dict[tuple, Finding] = {}
    for f in findings:
        seen.setdefault((f.code, f.path, f.line, f.column, f.key, f.message), f)
    return list(seen.values())


def run(root: Path, config: Config, scope: Optional[Sequence[str]] = None) -> Result:
    """Check a monorepo (or only the apps in scope) and return the findings."""
    root = root.resolve()
    files = load_files(root, config, scope)
    workspace = build(root, config, files)
    redactor = workspace_redactor(workspace)
    findings = run_checks(workspace, workspace.config, redactor)
    return Result(root=root, workspace=workspace, findings=findings, redactor=redactor)


def failing(findings: Sequence[Finding], fail_on: str) -> bool:
    threshold = SEVERITY_RANK[fail_on]
    return any(SEVERITY_RANK[f.severity] >= threshold for f in findings)


def restrict(findings: Sequence[Finding], paths: Sequence[str]) -> List[Finding]:
    """Only the findings located in the given repo-relative files (pre-commit passes files)."""
    wanted = set(paths)
    return [f for f in findings if f.path in wanted]

