"""The machine-readable shapes of `check --format json` and `map --format json` (docs/json-format.md)."""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from typing import Any, Callable, Dict, List, Sequence, TextIO

from tekup_envlint import __version__
from tekup_envlint.models import Finding
from tekup_envlint.workspace import LoadSet, Workspace, describe

SCHEMA_VERSION = 1

# A file name that is not UTF-8 reaches us with lone surrogates (surrogateescape); written
# as they are they would make the output invalid UTF-8 (or crash a strict stdout), so they
# are written as JSON escapes, which json.loads reads back to the same string.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(text: str) -> str:
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def _dumps(document: Dict[str, Any]) -> str:
    return _escape(json.dumps(document, indent=2, ensure_ascii=False))


class _EscapingWriter:
    """Collects the encoder's pieces and writes them, escaped, some 64K characters at a time.

    `json.dump` with an indent hands over about a million small pieces for a large report;
    writing them in batches keeps memory flat without a write call per piece. A surrogate
    is one character of one piece, so escaping batch by batch gives the same text.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.pieces: List[str] = []
        self.size = 0  # characters held: a piece may be a whole finding

    def write(self, piece: str) -> None:
        self.pieces.append(piece)
        self.size += len(piece)
        if self.size >= 1 << 16:
            self.flush()

    def flush(self) -> None:
        self.stream.write(_escape("".join(self.pieces)))
        self.pieces.clear()
        self.size = 0


def _dump(document: Dict[str, Any], stream: TextIO) -> None:
    """Write what `_dumps` returns to a stream without building it as one string.

    `json.dump` with an indent always takes the pure-Python encoder (CPython's C encoder
    does not indent before 3.13), which spent more on a large report than making it. Here
    each value is written by `_indented`, the strings by the C string encoder `json` uses:
    the same bytes as `json.dump(document, indent=2, ensure_ascii=False)`.
    """
    writer = _EscapingWriter(stream)
    if not document:
        writer.write("{}")
    else:
        writer.write("{")
        for number, (key, value) in enumerate(document.items()):
            writer.write(("," if number else "") + "\n  " + _string(key) + ": ")
            if isinstance(value, list) and value:  # the findings: a piece each, not one string
                writer.write("[")
                for index, item in enumerate(value):
                    writer.write(("," if index else "") + "\n    " + _indented(item, "\n    "))
                writer.write("\n  ]")
            else:
                writer.write(_indented(value, "\n  "))
        writer.write("\n}")
    writer.flush()


_string = json.encoder.encode_basestring  # the C encoder when there is one, as json.dumps uses


def _indented(value: Any, newline: str) -> str:
    """`value` as `json.dumps(value, indent=2, ensure_ascii=False)` writes it at the depth
    whose line break and indent is `newline`."""
    if isinstance(value, str):
        return _string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    inner = newline + "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{" + ",".join(inner + _key(k) + ": " + _indented(v, inner) for k, v in value.items()) + newline + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        return "[" + ",".join(inner + _indented(v, inner) for v in value) + newline + "]"
    return json.dumps(value, ensure_ascii=False)  # a float, or anything json itself refuses


def _key(key: Any) -> str:
    """A dict key as json writes it: strings as they are, numbers and constants as text."""
    if isinstance(key, str):
        return _string(key)
    return _string(json.dumps(key)) if not isinstance(key, float) else _string(repr(key))


def finding_dict(finding: Finding, name: str) -> Dict[str, Any]:
    return {
        "code": finding.code,
        "name": name,
        "category": finding.category,
        "severity": finding.severity,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "app": finding.app,
        "key": finding.key,
        "message": finding.message,
        "fixable": finding.fix is not None,
        "fingerprint": finding.fingerprint,
        "related": [
            {"path": r.path, "line": r.line, "column": r.column, "key": r.key} for r in finding.related
        ],
    }


def check_report(root: str, findings: Sequence[Finding], names: Dict[str, str], files: int) -> str:
    return _dumps(check_document(root, findings, names, files))


def write_check_report(stream: TextIO, root: str, findings: Sequence[Finding], names: Dict[str, str], files: int) -> None:
    """`check_report`, written to a stream."""
    _dump(check_document(root, findings, names, files), stream)


def check_document(root: str, findings: Sequence[Finding], names: Dict[str, str], files: int) -> Dict[str, Any]:
    severities = Counter(f.severity for f in findings)
    return {
        "tool": "tekup-envlint",
        "version": __version__,
        "schema_version": SCHEMA_VERSION,
        "root": root,
        "findings": [finding_dict(f, names.get(f.code, "")) for f in findings],
        "summary": {
            "files": files,
            "findings": len(findings),
            "errors": severities.get("error", 0),
            "warnings": severities.get("warning", 0),
            "infos": severities.get("info", 0),
            "fixable": sum(1 for f in findings if f.fix is not None),
            "by_code": dict(sorted(Counter(f.code for f in findings).items())),
        },
    }


def _load_set(load_set: LoadSet, scrub: Callable[[str], str]) -> Dict[str, Any]:
    """A load set: the files one process reads, in order, and the database settings it sees."""
    return {
        "kind": load_set.kind,
        "mode": load_set.mode,
        "files": list(load_set.files),
        "service": load_set.service,
        "template_of": load_set.template_of,
        "baked": list(load_set.baked),
        "providers": list(load_set.providers),
        "hybrid": load_set.hybrid,
        "settings": [
            {
                "key": c.key,
                "path": c.file.source.path,
                "line": c.span.line,
                "column": c.span.column,
                "kind": c.target.kind,
                "provider": c.provider,
                "target": scrub(describe(c.target)),
            }
            for c in load_set.connections
        ],
    }


def map_report(workspace: Workspace, scrub: Callable[[str], str] = lambda text: text) -> str:
    """The connection map; `scrub` (the workspace's redactor) is applied to every string a
    target carries, so that a credential misread as a host, user or database cannot leak."""
    from tekup_envlint.patterns import load, secret_like_name

    credential = load().secret_parameters
    apps: List[Dict[str, Any]] = []
    for app in workspace.apps.values():
        targets = []
        for conn in app.connections:
            entry: Dict[str, Any] = {
                "key": conn.key,
                "path": conn.file.source.path,
                "line": conn.span.line,
                "column": conn.span.column,
                "env": conn.file.source.env,
                "provider": conn.provider,
            }
            entry.update((k, scrub(v) if isinstance(v, str) else v) for k, v in dataclasses.asdict(conn.target).items())
            # a DSN may carry `?password=`, `?token=`: parameters that hold secrets are left out
            entry["params"] = {
                scrub(k): scrub(v) for k, v in conn.target.params
                if k.lower() not in credential and not secret_like_name(k)
            }
            targets.append(entry)
        providers = sorted({c.provider for c in app.connections if c.provider})
        apps.append({
            "app": app.root,
            "files": [f.source.path for f in app.files],
            "providers": providers,
            "targets": targets,
            "load_sets": [_load_set(ls, scrub) for ls in app.load_sets],
        })
    document = {
        "tool": "tekup-envlint",
        "version": __version__,
        "schema_version": SCHEMA_VERSION,
        "root": str(workspace.root),
        "apps": apps,
    }
    return _dumps(document)
