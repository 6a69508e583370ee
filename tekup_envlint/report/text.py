"""Findings and the connection map for people: grouped by file, with a one-line code frame.

Colour (through rich) only when writing to a terminal; otherwise plain text, and rich is
never imported.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from tekup_envlint.models import Finding, ParsedFile
from tekup_envlint.workspace import KIND_LABEL, Workspace

Segment = Tuple[str, str]  # (text, rich style)
Line = List[Segment]

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def render(lines: Sequence[Line], color: bool) -> str:
    if not color:
        return "".join("".join(text for text, _ in line) + "\n" for line in lines)
    import io

    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, soft_wrap=True, highlight=False)
    for line in lines:
        console.print(Text.assemble(*line))
    return buffer.getvalue()


def _frame(parsed: Optional[ParsedFile], line: int, scrub: Callable[[str], str]) -> Optional[str]:
    if parsed is None or not parsed.text:
        return None
    lines = parsed.text.splitlines()
    if not 1 <= line <= len(lines):
        return None
    source = scrub(lines[line - 1].lstrip("\ufeff"))  # before cutting, so no secret is cut short
    return source if len(source) <= 160 else source[:157] + "..."


def check_lines(
    findings: Sequence[Finding],
    files: Dict[str, ParsedFile],
    checked: int,
    scrub: Callable[[str], str],
) -> List[Line]:
    out: List[Line] = []
    current = None
    for f in findings:
        if f.path != current:
            if current is not None:
                out.append([])
            out.append([(f.path, "bold underline")])
            current = f.path
        fixable = " [*]" if f.fix is not None else ""
        out.append([
            (f"  {f.line}:{f.column}", "dim"),
            ("  ", ""),
            (f"{f.severity:<7}", SEVERITY_STYLE[f.severity]),
            ("  ", ""),
            (f.code, "bold"),
            (fixable, "green"),
            (f"  {f.message}", ""),
        ])
        frame = _frame(files.get(f.path), f.line, scrub)
        if frame is not None:
            out.append([(f"  {f.line:>5} | ", "dim"), (frame, "")])
    if findings:
        out.append([])
    counts = Counter(f.severity for f in findings)
    fixable = sum(1 for f in findings if f.fix is not None)
    if findings:
        parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in ("error", "warning", "info") if counts[s]]
        summary = f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''} ({', '.join(parts)}) in {checked} files checked."
        if fixable:
            summary += f" {fixable} fixable with `tekup-envlint fix`."
        out.append([(summary, "bold")])
    else:
        out.append([(f"All checks passed ({checked} files checked).", "bold green")])
    return out


def map_lines(workspace: Workspace) -> List[Line]:
    """The per-app connection map the survey drew by hand."""
    out: List[Line] = []
    for app in workspace.apps.values():
        if not app.connections:
            continue
        providers = sorted({c.provider for c in app.connections if c.provider})
        flag = ("  HYBRID: " + " + ".join(providers), "bold red") if len(providers) > 1 else ("", "")
        out.append([(app.root, "bold underline"), flag])
        by_kind: Dict[str, List[str]] = {}
        for c in app.connections:
            t = c.target
            detail = ""
            if t.host and t.source != "supabase-url":
                detail = f"{t.host}:{t.port}" if t.port else t.host
                detail += f"/{t.database}" if t.database else ""
                detail += f"?schema={t.schema}" if t.schema else ""
            elif t.project_ref:
                detail = t.project_ref
            if t.role:
                detail += f" role={t.role}"
            by_kind.setdefault(t.kind, []).append(
                f"{c.key} = {detail}".rstrip(" =") + f"   {c.file.source.path}:{c.span.line} [{c.file.source.env}]"
            )
        for kind, entries in by_kind.items():
            out.append([(f"  {KIND_LABEL.get(kind, kind)}", "bold")])
            for entry in entries:
                out.append([(f"    {entry}", "")])
        out.append([])
    if not out:
        out.append([("No database connections found.", "bold")])
    return out
