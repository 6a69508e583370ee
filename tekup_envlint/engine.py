"""The core: discover, parse, build the workspace, run the checks, return findings as data.

Nothing here prints or exits; the CLI and the reporters do that.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from tekup_envlint.catalogue import catalogue, matches, select_codes
from tekup_envlint.config import Config
from tekup_envlint.discovery import _matches as path_matches, discover
from tekup_envlint.models import Finding, Hit, ParsedFile, SourceFile
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


# The key of the fingerprint's HMAC (docs/baseline.md explains the choice): everyone who
# compares against one baseline (teammates, CI) must use the same key, so it cannot be
# random per machine, and it must not be stored in the baseline. The built-in key makes
# the hash specific to this tool; a team sets TEKUP_ENVLINT_BASELINE_KEY (the CLI passes
# it here) so that nobody without it can test guesses of a secret against the baseline.
DEFAULT_KEY = b"tekup-envlint fingerprint v1"
Progress = Callable[[int, int], None]  # (files read, files in all)


def _hmac_sha256(key: bytes, message: bytes) -> str:
    """HMAC-SHA256 (RFC 2104) on the start-up-cheap SHA-256; equal to `hmac.new(..).hexdigest()`."""
    inner_pad, outer_pad = _pads(key)
    inner = _sha256(inner_pad + message).digest()
    return _sha256(outer_pad + inner).hexdigest()


@lru_cache(maxsize=4)
def _pads(key: bytes) -> Tuple[bytes, bytes]:
    """HMAC's inner and outer padded keys: one key per run, and a finding per call."""
    if len(key) > 64:
        key = _sha256(key).digest()
    key = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def fingerprint(code: str, path: str, key: Optional[str], value: Optional[str], secret: bytes = DEFAULT_KEY) -> str:
    """A finding's identity without its line, so that a baseline survives edits.

    A keyed hash (HMAC) of code, path, key and the offending value: the value may be a
    secret, and an unkeyed hash of a short password can be reversed by guessing.
    """
    message = "\0".join((code, path, key or "", value or "")).encode("utf-8", "surrogatepass")
    return _hmac_sha256(secret, message)[:16]


def severity_for(code: str, default: str, config: Config) -> str:
    """The configured severity: the longest matching code or prefix wins."""
    best = ""
    chosen = default
    for selector, severity in config.severity:
        if matches(code, (selector,)) and len(selector) >= len(best):
            best, chosen = selector, severity
    return chosen


def ignored_at(code: str, path: str, config: Config) -> bool:
    """Whether `per-path-ignores` turns the rule off for this file (or a folder above it)."""
    return any(matches(code, codes) and path_matches(path, (glob,)) for glob, codes in config.per_path_ignores)


def _ignored_at(config: Config) -> Callable[[str, str], bool]:
    """`ignored_at` for many hits: the globs are matched once per file, not once per hit,
    and the globs that turn off the same rules (the defaults all do) as one matcher."""
    by_codes: Dict[Tuple[str, ...], List[str]] = {}
    for glob, codes in config.per_path_ignores:
        by_codes.setdefault(codes, []).append(glob)
    groups = [(tuple(globs), codes) for codes, globs in by_codes.items()]
    by_path: Dict[str, Tuple[Tuple[str, ...], ...]] = {}

    def ignored(code: str, path: str) -> bool:
        selectors = by_path.get(path)
        if selectors is None:
            selectors = by_path[path] = tuple(codes for globs, codes in groups if path_matches(path, globs))
        return any(matches(code, codes) for codes in selectors)

    return ignored


@dataclass(frozen=True)
class Overlay:
    """Texts that stand in for files on disk during a fix run (nothing written yet).

    `texts`: repo-relative path -> the text a run should see. `created`: the paths among
    them that do not exist on disk, each with whether git would ignore it.
    """

    texts: Mapping[str, str]
    created: Mapping[str, bool]


# A file's parse depends only on its SourceFile and its text: path -> (source, the overlay
# text it was parsed from or None for the disk's, the parse). The fix loop keeps one across
# its passes, so that a pass re-parses only the files the previous pass changed.
ParseCache = Dict[str, Tuple[SourceFile, Optional[str], ParsedFile]]


def load_files(root: Path, config: Config, scope: Optional[Sequence[str]] = None,
               progress: Optional[Progress] = None, overlay: Optional[Overlay] = None,
               cache: Optional[ParseCache] = None) -> List[ParsedFile]:
    """Discover and read every configuration file; `overlay` (the fix loop's texts in
    memory) replaces what is on disk and adds the files it creates. With `cache`, a file
    whose source and overlay text are those of a parse in it is not read again (the
    caller vouches that the disk has not changed since)."""
    created = overlay.created if overlay is not None else None
    texts = overlay.texts if overlay is not None else None
    sources = discover(root, config, scope, created)
    files: List[ParsedFile] = []
    for done, source in enumerate(sources, 1):
        if cache is None:
            files.append(read(root, source, config.max_file_size, texts))
        else:
            text = texts.get(source.path) if texts is not None else None
            held = cache.get(source.path)
            if held is not None and held[0] == source and held[1] == text:
                files.append(held[2])
            else:
                parsed = read(root, source, config.max_file_size, texts)
                cache[source.path] = (source, text, parsed)
                files.append(parsed)
        if progress is not None:
            progress(done, len(sources))
    return files


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


def run_checks(workspace: Workspace, config: Config, redactor: Optional[Redactor] = None,
               key: bytes = DEFAULT_KEY) -> List[Finding]:
    """Run the selected checks and apply inline suppressions (the one place they apply);
    messages are scrubbed of secrets before they leave the core."""
    from tekup_envlint import suppressions
    from tekup_envlint.checks import AFTER_SUPPRESSIONS, load

    registry = load()
    rules = catalogue()
    # messages repeat (one drift in many files, 12k findings and 7k messages at 100k): scrub each once
    scrub = lru_cache(maxsize=None)((redactor or workspace_redactor(workspace)).scrub)
    codes = select_codes(config.select, config.ignore)
    ignored = _ignored_at(config)
    hits: List[Tuple[str, Hit]] = [
        (code, hit) for code in codes if code not in AFTER_SUPPRESSIONS for hit in registry[code](workspace)
        if not ignored(code, hit.path)
    ]
    hits, outcome = suppressions.apply(hits, suppressions.find(workspace.files), codes)
    for code in codes:
        if code in AFTER_SUPPRESSIONS:
            hits.extend(
                (code, hit) for hit in registry[code](workspace, outcome)  # type: ignore[call-arg]
                if not ignored(code, hit.path)
            )
    findings = [
        _finding(code, rules[code].category, severity_for(code, rules[code].severity, config), hit,
                 scrub(hit.message), key)
        for code, hit in hits
    ]
    findings.sort(key=lambda f: (f.path, f.line, f.column, f.code))
    return _dedupe(findings)


def _finding(code: str, category: str, severity: str, hit: Hit, message: str, key: bytes = DEFAULT_KEY) -> Finding:
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
        fingerprint=fingerprint(code, hit.path, hit.key, hit.value, key),
        related=hit.related,
    )


def _dedupe(findings: List[Finding]) -> List[Finding]:
    seen: Dict[tuple, Finding] = {}
    for f in findings:
        seen.setdefault((f.code, f.path, f.line, f.column, f.key, f.message), f)
    return list(seen.values())


def run(root: Path, config: Config, scope: Optional[Sequence[str]] = None,
        progress: Optional[Progress] = None, key: bytes = DEFAULT_KEY, live: bool = False,
        overlay: Optional[Overlay] = None, cache: Optional[ParseCache] = None) -> Result:
    """Check a monorepo (or only the apps in scope) and return the findings.

    With `overlay`, the files it holds are checked as they would be after a fix
    (`fix.py`), without anything being written; `cache` (`load_files`) spares the
    passes of a fix run parsing again what they did not change.

    With `live`, every database the configuration names is surveyed first (`live.py`), so
    the LIV rules can hold the configuration against it; without it they find nothing.
    """
    root = root.resolve()
    files = load_files(root, config, scope, progress, overlay, cache)
    workspace = build(root, config, files)
    if overlay is not None:
        workspace.overlay = dict(overlay.texts)  # what a fix reads beyond the parsed files (relocate.py)
    if live:
        from tekup_envlint.endpoints import reach_workspace

        workspace.live = reach_workspace(workspace)
    redactor = workspace_redactor(workspace)
    findings = run_checks(workspace, workspace.config, redactor, key)
    return Result(root=root, workspace=workspace, findings=findings, redactor=redactor)


def failing(findings: Sequence[Finding], fail_on: str) -> bool:
    threshold = SEVERITY_RANK[fail_on]
    return any(SEVERITY_RANK[f.severity] >= threshold for f in findings)


def restrict(findings: Sequence[Finding], paths: Sequence[str]) -> List[Finding]:
    """Only the findings located in the given repo-relative files (pre-commit passes files)."""
    wanted = set(paths)
    return [f for f in findings if f.path in wanted]

