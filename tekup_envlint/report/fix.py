"""What a fix run did, as text, JSON and a unified diff (strings only; the CLI prints).

Every string that quotes the repository goes through `scrub` (the run's redactors: a
secret value is never shown, not even in `--diff`) and `printable` (no terminal escapes).
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple

from tekup_envlint.models import Finding, Fix
from tekup_envlint.report.text import plural
from tekup_envlint.text import printable

Scrub = Callable[[str], str]
Changes = Mapping[str, Tuple[Optional[str], str]]


def _clean(text: str, scrub: Scrub) -> str:
    return printable(scrub(text))


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _lines(text: str) -> List[str]:
    """The lines of a text with their breaks (LF, CR LF or CR only, as the parsers count)."""
    return _LINE.findall(text)


def unified_diff(changes: Changes, scrub: Scrub) -> Iterator[str]:
    """A unified diff of every change (`a/` old, `b/` new; `/dev/null` for a created file),
    each line scrubbed of secrets; line breaks are shown as line ends, whatever they are.

    Given file by file, in path order, for the caller to write as it comes: a large run
    need not hold the whole diff (megabytes with `--unsafe-fixes`) on top of its texts."""
    for path in sorted(changes):
        old, new = changes[path]
        yield _file_diff(path, old, new, scrub)


def _file_diff(path: str, old: Optional[str], new: str, scrub: Scrub) -> str:
    """The unified diff of one file (see `unified_diff`)."""
    out: List[str] = []
    before, after = _lines(old or ""), _lines(new)
    header_a = "/dev/null" if old is None else f"a/{path}"
    lines = difflib.unified_diff(before, after, header_a, f"b/{path}", lineterm="")
    for number, line in enumerate(lines):
        if number < 2 or line.startswith("@@"):  # the two file headers, hunk headers
            out.append(_clean(line, scrub))
            continue
        body = line.rstrip("\r\n")
        out.append(_clean(body, scrub))
        if body == line:  # the file's last line, with no line break
            out.append("\\ No newline at end of file")
    return "".join(line + "\n" for line in out)


def _notes(applied: Sequence[Tuple[Finding, Fix]]) -> List[str]:
    return list(dict.fromkeys(note for _, fix in applied for note in fix.notes))


def fixed_lines(applied: Sequence[Tuple[Finding, Fix]], scrub: Scrub, verb: str = "Fixed") -> List[str]:
    """The fixes by file: `path:line CODE title [unsafe]` (`--show-fixes`)."""
    if not applied:
        return []
    out = [f"{verb} {plural(len(applied), 'finding')}:"]
    for finding, fix in sorted(applied, key=lambda pair: (pair[0].path, pair[0].line, pair[0].code)):
        mark = " (unsafe)" if fix.applicability == "unsafe" else ""
        out.append(_clean(f"  {finding.path}:{finding.line}  {finding.code}  {fix.title}{mark}", scrub))
    return out


def summary_lines(outcome, scrub: Scrub, *, diff: bool, unsafe: bool, plan_text: Optional[str]) -> List[str]:
    """The text report of `fix`: what was (or would be) fixed, rejected, left, and the plan."""
    out: List[str] = []
    verb = "Would fix" if diff else "Fixed"
    out.extend(fixed_lines(outcome.applied, scrub, verb))
    if outcome.changes:
        created = [p for p, (old, _) in outcome.changes.items() if old is None]
        what = plural(len(outcome.changes), "file")
        out.append(f"{'Would change' if diff else 'Changed'} {what}"
                   + (f" ({plural(len(created), 'file')} created)" if created else "") + ".")
    if outcome.rejected:
        out.append(f"Not fixed ({plural(len(outcome.rejected), 'fix')} rejected, files left as they were):")
        for finding, why in outcome.rejected:
            out.append(_clean(f"  {finding.path}:{finding.line}  {finding.code}  {why}", scrub))
    if not outcome.converged:
        out.append("The fixes did not settle within the pass limit; run `tekup-envlint fix` again and "
                   "report the files if it keeps changing them.")
    hidden = sum(1 for f in outcome.remaining
                 if f.fix is not None and f.fix.applicability == "unsafe" and not unsafe)
    if outcome.remaining:
        line = f"{plural(len(outcome.remaining), 'finding')} left"
        if hidden:
            line += f" ({hidden} with a fix that --unsafe-fixes applies)"
        out.append(line + "; `tekup-envlint check` shows them.")
    elif not outcome.applied:
        out.append("Nothing to fix.")
    if plan_text:
        out.append("")
        out.append(plan_text.rstrip("\n"))
    elif _notes(outcome.applied):
        out.append("")
        out.append("What needs a person:")
        out.extend(_clean(f"  - {note}", scrub) for note in _notes(outcome.applied))
    return out


def notes_markdown(applied: Sequence[Tuple[Finding, Fix]], scrub: Scrub) -> str:
    """The fixes' notes as Markdown, for a run that checked nothing and so has no plan."""
    notes = _notes(applied)
    body = "\n".join(f"- {scrub(n)}" for n in notes) if notes else "Nothing needs a person."
    return f"# tekup-envlint fix plan\n\n{body}\n"


def fix_json(outcome, scrub: Scrub, *, diff: bool, plan_text: Optional[str]) -> str:
    """The outcome as one JSON document (no values: titles and notes are scrubbed)."""

    def where(f: Finding) -> Dict[str, object]:
        return {"code": f.code, "path": f.path, "line": f.line, "column": f.column, "key": f.key}

    from tekup_envlint import __version__
    from tekup_envlint.report.json import SCHEMA_VERSION

    document = {
        "tool": "tekup-envlint",
        "version": __version__,
        "schema_version": SCHEMA_VERSION,
        "root": str(outcome.result.root) if outcome.result is not None else None,
        "written": not diff,
        "changed": [{"path": p, "created": old is None} for p, (old, _) in sorted(outcome.changes.items())],
        "applied": [dict(where(f), title=scrub(fix.title), applicability=fix.applicability,
                         notes=[scrub(n) for n in fix.notes]) for f, fix in outcome.applied],
        "rejected": [dict(where(f), reason=scrub(why)) for f, why in outcome.rejected],
        "converged": outcome.converged,
        "remaining": len(outcome.remaining),
        "remaining_fixable": sum(1 for f in outcome.remaining if f.fix is not None),
        "plan": scrub(plan_text) if plan_text else None,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def check_fix_lines(outcome, show_fixes: bool) -> List[str]:
    """What `check --fix` says on stderr: how many were fixed (each, with `--show-fixes`)
    and the fixes rejected."""
    applied = outcome.applied
    lines = fixed_lines(applied, outcome.scrub) if show_fixes else (
        [f"Fixed {plural(len(applied), 'finding')}."] if applied else [])
    lines += [_clean(f"Not fixed: {f.path}:{f.line} {f.code} {why}", outcome.scrub) for f, why in outcome.rejected]
    return lines


def available_lines(findings: Iterable[Finding], scrub: Scrub, unsafe: bool) -> List[str]:
    """`check --show-fixes` without `--fix`: the fixes `--fix` would apply."""
    pairs = [(f, f.fix) for f in findings if f.fix is not None and (f.fix.applicability == "safe" or unsafe)]
    return fixed_lines(pairs, scrub, "Fixes available for")  # type: ignore[arg-type]
