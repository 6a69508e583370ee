"""Findings and the connection map for people: grouped by file, with a one-line code frame.

Colour (through rich) only when writing to a terminal; otherwise plain text, and rich is
never imported.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from tekup_envlint.models import Finding, ParsedFile
from tekup_envlint.text import printable
from tekup_envlint.workspace import LoadSet, Workspace, describe

Segment = Tuple[str, str]  # (text, rich style)
Line = List[Segment]

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}

# Lines end where `LineIndex` ends them (LF, CR LF, a lone CR), not where str.splitlines
# does (it also breaks at \v, \f, U+2028 ...), so a frame shows the line a finding names.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
def render(lines: Iterable[Line], color: bool) -> str:
    if not color:  # `printable` escapes character by character: once per line is the same
        return "".join(printable("".join(text for text, _ in line)) + "\n" for line in lines)
    lines = [[(printable(text), style) for text, style in line] for line in lines]
    import io

    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, soft_wrap=True, highlight=False)
    for line in lines:
        console.print(Text.assemble(*line))
    return buffer.getvalue()


def source_lines(parsed: ParsedFile) -> List[str]:
    """A file's lines as `LineIndex` counts them, for code frames."""
    lines = _LINE_BREAK.split(parsed.text)
    if lines and not lines[-1]:
        lines.pop()
    return lines


def frame(lines: Optional[List[str]], line: int, scrub: Callable[[str], str]) -> Optional[str]:
    """One line of a file (from `source_lines`), scrubbed, then cut to width."""
    if not lines or not 1 <= line <= len(lines):
        return None
    source = scrub(lines[line - 1].lstrip("\ufeff"))  # before cutting, so no secret is cut short
    return source if len(source) <= 160 else source[:157] + "..."


def remembered(scrub: Callable[[str], str]) -> Callable[[str], str]:
    """`scrub` answering a line it has seen from memory: the files of a monorepo repeat the
    same lines, and a report frames each finding's line."""
    seen: Dict[str, str] = {}

    def scrub_line(text: str) -> str:
        done = seen.get(text)
        if done is None:
            done = seen[text] = scrub(text)
        return done

    return scrub_line


def plural(count: int, noun: str) -> str:
    """`1 file`, `2 files`, `2 fixes`."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {noun}{'es' if noun.endswith(('s', 'x', 'z', 'ch', 'sh')) else 's'}"


_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def errors_first(findings: Sequence[Finding]) -> List[Finding]:
    """Files in order, and within a file errors before warnings before infos, each by line."""
    return sorted(findings, key=lambda f: (f.path, _SEVERITY_ORDER.get(f.severity, 3)))


def source_line(parsed: ParsedFile, line: int, scrub: Callable[[str], str]) -> Optional[str]:
    """One line of a file for a code frame or a SARIF snippet: scrubbed, then cut to width."""
    return frame(source_lines(parsed), line, scrub)


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
) -> Iterator[Line]:
    """The report line by line, made as it is written: a large tree's report held as lines
    of segments took more memory than the whole scan."""
    current = None
    lines: Optional[List[str]] = None  # the current file split into lines, once per file
    scrub = remembered(scrub)
    for f in errors_first(findings):
        if f.path != current:
            if current is not None:
                yield []
            yield [(f.path, "bold underline")]
            current = f.path
            parsed = files.get(f.path)
            lines = source_lines(parsed) if parsed is not None else None
        fixable = " [*]" if f.fix is not None else ""
        yield [
            (f"  {f.line}:{f.column}", "dim"),
            ("  ", ""),
            (f"{f.severity:<7}", SEVERITY_STYLE[f.severity]),
            ("  ", ""),
            (f.code, "bold"),
            (fixable, "green"),
            (f"  {f.message}", ""),
        ]
        shown = frame(lines, f.line, scrub)
        if shown is not None:
            yield [(f"  {f.line:>5} | ", "dim"), (shown, "")]
        for other in f.related:  # the other settings of the problem (JSON `related`, SARIF relatedLocations)
            key = f" {other.key}" if other.key else ""
            yield [("        related: ", "dim"), (f"{other.path}:{other.line}:{other.column}{key}", "")]
    if findings:
        yield []
    counts = Counter(f.severity for f in findings)
    fixable = sum(1 for f in findings if f.fix is not None and f.fix.applicability == "safe")
    unsafe = sum(1 for f in findings if f.fix is not None and f.fix.applicability != "safe")
    if findings:
        parts = [plural(counts[s], s) for s in ("error", "warning", "info") if counts[s]]
        summary = f"Found {plural(len(findings), 'finding')} ({', '.join(parts)}) in {plural(checked, 'file')} checked."
        if fixable:
            summary += f" {fixable} fixable with `tekup-envlint fix`"
            summary += f" ({unsafe} more with --unsafe-fixes)." if unsafe else "."
        elif unsafe:
            summary += f" {unsafe} fixable with `tekup-envlint fix --unsafe-fixes`."
        yield [(summary, "bold")]
    else:
        yield [(f"All checks passed ({plural(checked, 'file')} checked).", "bold green")]


def _relative(path: str, app: str) -> str:
    return path[len(app) + 1:] if app != "." and path.startswith(app + "/") else path


def _fit(text: str, width: int) -> str:
    """Cut a line to the width, marking the cut."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _set_title(load_set: LoadSet, app: str) -> str:
    """`.env + .env.local  (dotenv, default)`, files relative to the app."""
    if load_set.service is not None:
        path, _, name = load_set.service.rpartition("#")
        title = f"service {name} in {_relative(path, app)}"
        baked = [_relative(f, app) for f in load_set.baked]
        reads = [_relative(f, app) for f in load_set.files if f != path and f not in load_set.baked]
        if baked:
            title += " baking in " + " + ".join(baked)
        if reads:
            title += ("," if baked else "") + " reading " + " + ".join(reads)
    else:
        title = " + ".join(_relative(f, app) for f in load_set.files)
    what = load_set.kind if load_set.kind != "compose-service" else "compose"
    detail = what if load_set.mode == what else f"{what}, {load_set.mode}"
    if load_set.template_of is not None:
        detail += f", copied to {_relative(load_set.template_of, app)}"
    return f"{title}  ({detail})"


def map_table(
    workspace: Workspace, color: bool, width: int = 80, scrub: Callable[[str], str] = lambda text: text
) -> str:
    """Each app's load sets as a tree, like the map the survey drew by hand: one block per
    app, each load set (the files one process reads), and each database setting it sees
    with the target it points at. Hybrid apps and load sets are marked. Lines are cut to
    `width` (the CLI passes COLUMNS, 80 in a pipe). `scrub` (the workspace's redactor) hides
    a credential misread as a host or database, as in the JSON map."""
    lines: List[Line] = []
    width = max(width, 40)
    for app in workspace.apps.values():
        sets = [ls for ls in app.load_sets if ls.connections]
        if not sets:
            continue
        hybrid = sorted({p for ls in sets if ls.hybrid for p in ls.providers})
        head: Line = [(printable(_fit(app.root, width)), "bold")]
        if hybrid:
            head.append((_fit(f"  HYBRID: {' + '.join(hybrid)}", max(width - len(app.root), 0)), "bold red"))
        lines.append(head)
        for i, load_set in enumerate(sets):
            last_set = i == len(sets) - 1
            branch, stem = ("└─ ", "   ") if last_set else ("├─ ", "│  ")
            title = branch + _set_title(load_set, app.root)
            mark = "  HYBRID" if load_set.hybrid else ""
            lines.append([(printable(_fit(title, width - len(mark))), ""), (mark, "bold red")])
            conns = load_set.connections
            for j, conn in enumerate(conns):
                twig = "└─ " if j == len(conns) - 1 else "├─ "
                where = f"{_relative(conn.file.source.path, app.root)}:{conn.span.line} {conn.key}"
                target = f"→ {scrub(describe(conn.target))}"
                text = f"{stem}{twig}{where} {target}"
                style = "red" if load_set.hybrid and conn.provider is not None else ""
                if len(text) <= width:
                    lines.append([(printable(text), style)])
                    continue
                # too wide: the target goes on a line of its own under the setting
                under = stem + ("   " if j == len(conns) - 1 else "│  ") + "  "
                lines.append([(printable(_fit(f"{stem}{twig}{where}", width)), style)])
                lines.append([(printable(_fit(under + target, width)), style)])
        lines.append([])
    if not lines:
        return "No database connections found.\n"
    return render(lines, color)
