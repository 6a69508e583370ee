"""Findings and the connection map for people: grouped by file, with a one-line code frame.

Colour (through rich) only when writing to a terminal; otherwise plain text, and rich is
never imported.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from tekup_envlint.models import Finding, ParsedFile
from tekup_envlint.workspace import KIND_LABEL, Workspace

Segment = Tuple[str, str]  # (text, rich style)
Line = List[Segment]

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}

# Lines end where `LineIndex` ends them (LF, CR LF, a lone CR), not where str.splitlines
# does (it also breaks at \v, \f, U+2028 ...), so a frame shows the line a finding names.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# What the repository may not send to a terminal: control characters (an ESC sequence in
# a value or a file name could rewrite the screen; a line break in a file name could forge
# an output line), and the lone surrogates that stand for the bytes of a file name that is
# not UTF-8 (a strict stdout cannot encode them).
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escape(match: "re.Match[str]") -> str:
    code = ord(match.group(0))
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a non-UTF-8 file name (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """Text from the repository made safe for a terminal: control characters as escapes."""
    return _UNPRINTABLE.sub(_escape, text)


def render(lines: Sequence[Line], color: bool) -> str:
    lines = [[(printable(text), style) for text, style in line] for line in lines]
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


def _source_lines(parsed: ParsedFile) -> List[str]:
    lines = _LINE_BREAK.split(parsed.text)
    if lines and not lines[-1]:
        lines.pop()
    return lines


def _frame(lines: Optional[List[str]], line: int, scrub: Callable[[str], str]) -> Optional[str]:
    if not lines or not 1 <= line <= len(lines):
        return None
    source = scrub(lines[line - 1].lstrip("\ufeff"))  # before cutting, so no secret is cut short
    return source if len(source) <= 160 else source[:157] + "..."


def plural(count: int, noun: str) -> str:
    """`1 file`, `2 files`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def errors_first(findings: Sequence[Finding]) -> List[Finding]:
    """Files in order, and within a file errors before warnings before infos, each by line."""
    return sorted(findings, key=lambda f: (f.path, _SEVERITY_ORDER.get(f.severity, 3)))


def source_line(parsed: ParsedFile, line: int, scrub: Callable[[str], str]) -> Optional[str]:
    """One line of a file for a code frame or a SARIF snippet: scrubbed, then cut to width."""
    return _frame(_source_lines(parsed), line, scrub)


def statistics_lines(findings: Sequence[Finding], names: Dict[str, str]) -> List[Line]:
    """Counts by rule and by app, most first (ruff's `--statistics`)."""
    if not findings:
        return [[("No findings.", "bold green")]]
    by_rule = Counter(f.code for f in findings)
    fixable = {f.code for f in findings if f.fix is not None}
    by_app = Counter(f.app for f in findings)
    out: List[Line] = [[("By rule", "bold")]]
    for code, count in sorted(by_rule.items(), key=lambda item: (-item[1], item[0])):
        out.append([(f"{count:>6}", ""), ("  ", ""), (code, "bold"), ("  ", ""),
                    ("[*] " if code in fixable else "    ", "green"), (names.get(code, ""), "")])
    out.append([])
    out.append([("By app", "bold")])
    for app_root, count in sorted(by_app.items(), key=lambda item: (-item[1], item[0])):
        out.append([(f"{count:>6}", ""), ("  ", ""), (app_root, "")])
    out.append([])
    out.append([(f"{plural(len(findings), 'finding')} in {plural(len(by_rule), 'rule')} and "
                 f"{plural(len(by_app), 'app')}.", "bold")])
    return out


def check_lines(
    findings: Sequence[Finding],
    files: Dict[str, ParsedFile],
    checked: int,
    scrub: Callable[[str], str],
) -> List[Line]:
    out: List[Line] = []
    current = None
    split: Dict[str, List[str]] = {}  # each file split once, not once per finding
    for f in errors_first(findings):
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
        parsed = files.get(f.path)
        if parsed is not None and f.path not in split:
            split[f.path] = _source_lines(parsed)
        frame = _frame(split.get(f.path), f.line, scrub)
        if frame is not None:
            out.append([(f"  {f.line:>5} | ", "dim"), (frame, "")])
    if findings:
        out.append([])
    counts = Counter(f.severity for f in findings)
    fixable = sum(1 for f in findings if f.fix is not None)
    if findings:
        parts = [plural(counts[s], s) for s in ("error", "warning", "info") if counts[s]]
        summary = f"Found {plural(len(findings), 'finding')} ({', '.join(parts)}) in {plural(checked, 'file')} checked."
        if fixable:
            summary += f" {fixable} fixable with `tekup-envlint fix`."
        out.append([(summary, "bold")])
    else:
        out.append([(f"All checks passed ({plural(checked, 'file')} checked).", "bold green")])
    return out


MAP_KINDS = ("supabase", "docker", "legacy-vault", "supabase-local", "other", "placeholder", "unresolved")


def _relative(path: str, app: str) -> str:
    return path[len(app) + 1:] if app != "." and path.startswith(app + "/") else path


def map_table(workspace: Workspace, color: bool) -> str:
    """The per-app connection map the survey drew by hand: apps against target kinds.

    Each cell lists the settings of that kind as `file:line KEY`, the file relative to the
    app. Always drawn with rich (this is not the pre-commit path).
    """
    import io

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text  # cells as Text: a `[` in a path or key is not rich markup

    apps = [a for a in workspace.apps.values() if a.connections]
    if not apps:
        return "No database connections found.\n"
    kinds = [k for k in MAP_KINDS if any(c.target.kind == k for a in apps for c in a.connections)]
    table = Table(show_lines=True, title="Database connections per app")
    table.add_column("app", style="bold", no_wrap=True)
    for kind in kinds:
        table.add_column(KIND_LABEL[kind] if kind != "legacy-vault" else "legacy project")
    for app in apps:
        providers = sorted({c.provider for c in app.connections if c.provider})
        label = printable(app.root) + ("\nHYBRID: " + " + ".join(providers) if len(providers) > 1 else "")
        cells = []
        for kind in kinds:
            entries = [
                printable(f"{_relative(c.file.source.path, app.root)}:{c.span.line} {c.key}")
                for c in app.connections if c.target.kind == kind
            ]
            cells.append("\n".join(entries))
        table.add_row(*(Text(cell) for cell in [label, *cells]),
                      style="red" if len(providers) > 1 else None)
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=240 if not color else None,
                      highlight=False)
    console.print(table)
    return buffer.getvalue()
