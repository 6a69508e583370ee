"""The autofix loop: check, take the findings' fixes, apply them in memory, re-check, repeat.

Why a loop: one fix changes what the checks see (a DSN rewritten makes a load set
consistent, a secret moved creates a local file), so fixes are applied in passes until
no fix applies any more (at most MAX_PASSES). Everything happens on an in-memory overlay
that the engine's reads honour (`engine.Overlay`), so `--diff` converges exactly as a
real run does without writing; a real run writes the result at the end (`writes.py`) and
checks once more from disk. A fix is taken only when

- it is safe, or unsafe and `unsafe` was asked for;
- its edits do not overlap edits already chosen in this pass (it waits for the next);
- every file it edits could be read exactly (not a SYN003 recovered text, not skipped)
  and could be written (`writes.refusal`);
- no file it edits gains a parser problem.

Otherwise it is rejected, with the reason, and the file is left as it was.
"""

from __future__ import annotations

import bisect
import fnmatch
import posixpath
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from tekup_envlint import engine, writes
from tekup_envlint.config import Config
from tekup_envlint.edits import apply_edits, ordered, overlaps
from tekup_envlint.models import Edit, Finding, Fix, ParsedFile, SourceFile

if TYPE_CHECKING:
    from tekup_envlint.plan import Plan
    from tekup_envlint.redact import Redactor

MAX_PASSES = 10
# problems that say a file's text is not exactly the file's bytes, or was not read at all
_UNEDITABLE = ("SYN003", "SYN006")


class FixRefused(Exception):
    """The run would write files git cannot restore (or there is no git and no --force)."""

    def __init__(self, message: str, paths: Sequence[str] = (), written: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.paths = tuple(paths)
        self.written = tuple(written)  # files earlier rounds of the run had written


@dataclass
class FixOutcome:
    """What a fix run did (or, without writing, would do)."""

    changes: Dict[str, Tuple[Optional[str], str]] = field(default_factory=dict)  # path -> (old or None, new)
    applied: List[Tuple[Finding, Fix]] = field(default_factory=list)
    rejected: List[Tuple[Finding, str]] = field(default_factory=list)
    remaining: List[Finding] = field(default_factory=list)  # the findings of the last check
    plan: Optional["Plan"] = None  # what needs a person (plan.py); None when nothing was checked
    written: List[str] = field(default_factory=list)
    converged: bool = True
    result: Optional[engine.Result] = None  # the last check (its redactor scrubs output)
    # the first check's redactor (it knows the secrets before the fix); only it is kept of
    # that check, so that a pass never holds the workspace and findings of an earlier one
    first_redactor: Optional["Redactor"] = None

    def scrub(self, text: str) -> str:
        """`text` with every secret either check knew replaced by its redacted form."""
        for redactor in (self.first_redactor, self.result.redactor if self.result is not None else None):
            if redactor is not None:
                text = redactor.scrub(text)
        return text


def wanted(fix: Optional[Fix], unsafe: bool) -> bool:
    return fix is not None and bool(fix.edits) and (fix.applicability == "safe" or unsafe)


def run_fix(root: Path, config: Config, *, unsafe: bool, scope: Optional[Sequence[str]] = None,
            write: bool, only: Optional[Sequence[str]] = None, allow_dirty: bool = False,
            force: bool = False, key: bytes = engine.DEFAULT_KEY) -> FixOutcome:
    """Apply the fixes of the findings (only those located in `only`, when given) until
    none applies; write the files at the end when `write`.

    Raises FixRefused before writing anything when a file to write has changes git could
    not restore (unless `allow_dirty`) or the root is not in git (unless `force`).
    """
    root = root.resolve()
    loop = _Loop(root, config, unsafe, scope, only, key)
    outcome = loop.outcome
    unsaved: Set[str] = set()
    asked: Set[str] = set()
    while True:
        loop.converge()
        pending = loop.pending
        if not write:
            outcome.changes = pending
            break
        if not pending:
            break
        # asked before a path is first written (a file this run wrote is its own work)
        fresh = sorted(p for p, (old, _) in pending.items()
                       if old is not None and p not in outcome.written and p not in asked)
        asked.update(fresh)
        unsaved |= _unsaved(root, fresh, force)
        blocked = sorted(p for p in pending if p in unsaved and p not in outcome.written)
        if blocked and not allow_dirty:
            raise FixRefused("these files have changes git could not restore (commit or stash them, "
                             "or pass --allow-dirty): " + ", ".join(blocked), blocked, outcome.written)
        done = writes.write_all(root, pending)
        if done.refused:  # changed or locked since the run began: nothing written this round
            loop.refuse(done.refused)
            continue
        outcome.written.extend(p for p in done.written if p not in outcome.written)
        loop.committed()
    outcome.plan = _plan(outcome, config)
    return outcome


def _unsaved(root: Path, paths: Sequence[str], force: bool) -> Set[str]:
    from tekup_envlint.discovery import unsaved

    found = unsaved(root, paths)
    if found is None:
        if not force:
            raise FixRefused(f"{root} is not in a git repository, so the files could not be restored "
                             "after a fix; pass --force to write anyway (or --diff to see the changes)")
        return set()
    return found


def _plan(outcome: FixOutcome, config: Config) -> Optional["Plan"]:
    """The plan of what needs a person after this run (imported here: only `fix` needs it)."""
    from tekup_envlint import plan as planning

    if outcome.result is None:
        return None
    return planning.build_plan(outcome.result.workspace, [fix for _, fix in outcome.applied], config.strategy)


class _Loop:
    """The passes of one run: the overlay of changed texts and what each pass decided."""

    def __init__(self, root: Path, config: Config, unsafe: bool, scope: Optional[Sequence[str]],
                 only: Optional[Sequence[str]], key: bytes) -> None:
        self.root, self.config, self.unsafe, self.scope, self.key = root, config, unsafe, scope, key
        self.only = set(only) if only is not None else None
        self.outcome = FixOutcome()
        self.texts: Dict[str, str] = {}  # the overlay: changed files not yet written
        self.disk: Dict[str, Optional[str]] = {}  # each changed file's text on disk (None: absent)
        self.refused: Dict[str, str] = {}  # paths that cannot be written, and why
        self.passes_left = MAX_PASSES
        self._rejected: Set[Tuple[str, str, int, str, str]] = set()
        self._written_applied = 0  # fixes of rounds already on disk
        self._owner: Dict[str, str] = {}  # real file -> the one path it is edited through
        self.parses: engine.ParseCache = {}  # what the passes parsed, reused while unchanged

    # -- one pass ---------------------------------------------------------------------
    def converge(self) -> None:
        """Passes until no fix applies (or the cap); leaves the last check in the outcome."""
        while self._pass():
            pass

    def _pass(self) -> bool:
        """Check the overlay and apply the fixes found; whether another pass is needed.

        The previous pass's check is let go first: the next one parses again only what
        changed (`self.parses`), so holding both workspaces and their findings at once
        would only raise the run's peak memory.
        """
        outcome = self.outcome
        outcome.result, outcome.remaining = None, []
        result = engine.run(self.root, self.config, self.scope, key=self.key, overlay=self._overlay(),
                            cache=self.parses)
        if outcome.first_redactor is None:
            outcome.first_redactor = result.redactor
        outcome.result = result
        outcome.remaining = list(result.findings)
        candidates = [(f, f.fix) for f in result.findings
                      if wanted(f.fix, self.unsafe) and (self.only is None or f.path in self.only)]
        if not candidates:
            outcome.converged = True
            return False
        if not self.passes_left:
            outcome.converged = False
            return False
        self.passes_left -= 1
        if not self._apply(result, candidates):
            outcome.converged = True
            return False
        return True

    def _apply(self, result: engine.Result, candidates: List[Tuple[Finding, Fix]]) -> bool:
        """Choose and apply this pass's fixes; whether any was applied.

        Greedy and linear in the common case: every fix whose edits overlap none chosen
        before it is taken, each changed file is built and parsed once, and only when a
        file gains a parser problem are its fixes tried one by one (`_settle`).
        """
        parsed = {f.source.path: f for f in result.workspace.files}
        current: Dict[str, Optional[str]] = {}  # path -> text this pass started from
        unusable: Dict[str, str] = {}  # path -> why no fix may edit it
        taken = _Taken()
        selected: List[Tuple[Finding, Fix]] = []
        for finding, fix in candidates:
            why = self._why_not(fix, parsed, current, unusable) or _broken(fix, current)
            if why is not None:
                self._reject(finding, fix, why)
            elif taken.fits(fix):  # else it overlaps a fix chosen this pass: the next pass looks again
                taken.add(fix)
                selected.append((finding, fix))
        selected = self._settle(selected, current, parsed)
        edits: Dict[str, List[Edit]] = {}
        for _, fix in selected:
            for edit in fix.edits:
                edits.setdefault(edit.path, []).append(edit)
        for path, those in edits.items():
            new = apply_edits(current[path] or "", those)
            if new == current[path]:
                continue
            self.disk.setdefault(path, current[path])  # first change of this round: the disk's text
            self.texts[path] = new
        self.outcome.applied.extend(selected)
        return bool(selected)

    def _settle(self, selected: List[Tuple[Finding, Fix]], current: Mapping[str, Optional[str]],
                parsed: Mapping[str, ParsedFile]) -> List[Tuple[Finding, Fix]]:
        """The selected fixes minus those that make a file gain a parser problem (rejected);
        when only their combination does, all but the first of them wait for the next pass."""
        before: Dict[str, Counter] = {}
        while selected:
            edits: Dict[str, List[Edit]] = {}
            for _, fix in selected:
                for edit in fix.edits:
                    edits.setdefault(edit.path, []).append(edit)
            bad = {path for path, those in edits.items()
                   if self._gains(path, apply_edits(current[path] or "", those), current, parsed, before)}
            if not bad:
                return selected
            kept: List[Tuple[Finding, Fix]] = []
            suspects: List[Tuple[Finding, Fix]] = []
            for finding, fix in selected:
                if not bad & set(_paths(fix)):
                    kept.append((finding, fix))
                    continue
                gained = {p: self._gains(p, apply_edits(current[p] or "", [e for e in fix.edits if e.path == p]),
                                         current, parsed, before) for p in _paths(fix)}
                broken = [p for p, codes in gained.items() if codes]
                if broken:
                    codes = sorted(set().union(*gained.values()))
                    self._reject(finding, fix, f"{', '.join(broken)} would gain parser problems "
                                               f"({', '.join(codes)}); left as it was")
                else:
                    suspects.append((finding, fix))
                    kept.append((finding, fix))
            if len(kept) == len(selected):  # each is fine alone: only together they break a file
                later = {id(pair) for pair in suspects[1:]}
                kept = [pair for pair in kept if id(pair) not in later]
            selected = kept
        return selected

    def _gains(self, path: str, text: str, current: Mapping[str, Optional[str]],
               parsed: Mapping[str, ParsedFile], before: Dict[str, Counter]) -> Set[str]:
        """The parser problem codes `text` has more of than the file's current text."""
        from tekup_envlint.parsers import parse_text

        source = parsed[path].source if path in parsed else _source_for(path)
        if source is None:
            return set()  # not configuration (a .gitignore): no parser to ask
        if path not in before:
            before[path] = Counter(p.code for p in parse_text(source, current[path] or "").problems)
        after = Counter(p.code for p in parse_text(source, text).problems)
        return set(after - before[path])

    def _why_not(self, fix: Fix, parsed: Mapping[str, ParsedFile], current: Dict[str, Optional[str]],
                 unusable: Dict[str, str]) -> Optional[str]:
        """Why a fix cannot be applied to the files it edits (None: it can be tried);
        fills `current` with the text of each file it edits, `unusable` with why not."""
        for path in _paths(fix):
            if path in current:
                continue
            if path not in unusable:
                why = self._unusable(path, parsed, current)
                if why is None:
                    continue
                unusable[path] = why
            return unusable[path]
        return None

    def _unusable(self, path: str, parsed: Mapping[str, ParsedFile], current: Dict[str, Optional[str]]) -> Optional[str]:
        """Why no fix may edit `path` (None: it may, and its text is now in `current`)."""
        if path in self.refused:
            return f"{path} {self.refused[path]}"
        why = writes.refusal(self.root, path)
        if why is not None:
            return f"{path} {why}"
        real, _ = writes.target(self.root, path)
        alias = self._owner.setdefault(real or path, path)
        if alias != path:
            return f"{path} is the same file as {alias} (a symlink); it is changed through that path only"
        if path in parsed:
            problems = [p for p in parsed[path].problems if p.code in _UNEDITABLE]
            if problems:
                return (f"{path} was not read exactly ({problems[0].code}: its text was recovered "
                        "or not read), so it is never edited")
            current[path] = parsed[path].text
        elif path in self.texts:
            current[path] = self.texts[path]
        else:
            try:
                from tekup_envlint.parsers import read_text

                current[path] = read_text(self.root, path, self.config.max_file_size)
            except (OSError, ValueError) as err:
                return f"{path} cannot be read exactly ({type(err).__name__}), so it is never edited"
        return None

    def _reject(self, finding: Finding, fix: Fix, why: str) -> None:
        marker = (finding.code, finding.path, finding.line, fix.title, why)
        if marker not in self._rejected:
            self._rejected.add(marker)
            self.outcome.rejected.append((finding, why))

    # -- the overlay and the disk ---------------------------------------------------------
    def _overlay(self) -> Optional[engine.Overlay]:
        if not self.texts:
            return None
        absent = [p for p in self.texts if self.disk.get(p) is None]
        created: Dict[str, bool] = {}
        if absent:
            from tekup_envlint.discovery import ignored_by_git

            ignored = ignored_by_git(self.root, absent)
            created = {p: p in ignored or _ignored_by_overlay(p, self.texts, self.disk) for p in absent}
        return engine.Overlay(texts=dict(self.texts), created=created)

    def refuse(self, refused: Mapping[str, str]) -> None:
        """Files that could not be written: forget the overlay and never touch them again."""
        self.refused.update(refused)
        for path in refused:  # changed on disk since the run began
            self.parses.pop(path, None)
        self.texts.clear()
        self.disk.clear()
        del self.outcome.applied[self._written_applied:]
        self.passes_left = MAX_PASSES

    def committed(self) -> None:
        """The overlay is on disk now: record the changes and check from disk next."""
        for path, new in self.texts.items():
            old = self.outcome.changes.get(path, (self.disk[path], ""))[0]
            self.outcome.changes[path] = (old, new)
            self.parses.pop(path, None)  # the disk holds the new text now
        self._written_applied = len(self.outcome.applied)
        self.texts.clear()
        self.disk.clear()

    @property
    def pending(self) -> Dict[str, Tuple[Optional[str], str]]:
        """The changes not written yet: path -> (text on disk or None, new text)."""
        return {p: (self.disk[p], t) for p, t in self.texts.items() if t != self.disk[p]}


def _broken(fix: Fix, current: Mapping[str, Optional[str]]) -> Optional[str]:
    """Why a fix cannot be applied even on its own (its edits overlap or miss the text)."""
    for path in _paths(fix):
        size = len(current[path] or "")
        own = ordered(dict.fromkeys(e for e in fix.edits if e.path == path))
        if any(not 0 <= e.start <= e.end <= size for e in own) or any(
                overlaps(a, b) for a, b in zip(own, own[1:])):
            return f"{path}: the fix's edits overlap each other or lie outside the file's text"
    return None


class _Taken:
    """The edits chosen in one pass, by file and position, to test a new fix against.

    Chosen edits never overlap, so sorted by position their ends are sorted too: only the
    neighbours of a new edit's position (those that touch it) need a look.
    """

    def __init__(self) -> None:
        self.edits: Dict[str, List[Edit]] = {}
        self.keys: Dict[str, List[Tuple[int, int]]] = {}

    def fits(self, fix: Fix) -> bool:
        """Whether none of the fix's edits overlaps a chosen one (an equal edit is fine)."""
        for edit in fix.edits:
            chosen = self.edits.get(edit.path, [])
            i = bisect.bisect_left(self.keys.get(edit.path, []), (edit.start, edit.end))
            k = i
            while k < len(chosen) and chosen[k].start <= edit.end:
                if chosen[k] != edit and overlaps(chosen[k], edit):
                    return False
                k += 1
            k = i - 1
            while k >= 0 and chosen[k].end >= edit.start:
                if chosen[k] != edit and overlaps(chosen[k], edit):
                    return False
                k -= 1
        return True

    def add(self, fix: Fix) -> None:
        for edit in fix.edits:
            keys = self.keys.setdefault(edit.path, [])
            i = bisect.bisect_right(keys, (edit.start, edit.end))
            keys.insert(i, (edit.start, edit.end))
            self.edits.setdefault(edit.path, []).insert(i, edit)


def _paths(fix: Fix) -> List[str]:
    return list(dict.fromkeys(e.path for e in fix.edits))


def _source_for(path: str) -> Optional[SourceFile]:
    """A SourceFile to parse a file that discovery has not seen (one a fix creates)."""
    from tekup_envlint.discovery import file_kind

    folder, _, name = path.rpartition("/")
    kind = file_kind(name, folder.rpartition("/")[2])
    if kind is None:
        return None
    return SourceFile(path=path, kind=kind, app=".", env="default", tracked=False)


def _ignored_by_overlay(path: str, texts: Mapping[str, str], disk: Mapping[str, Optional[str]]) -> bool:
    """Whether a line the run adds to a `.gitignore` covers `path` (git reads the disk, not
    the overlay, so a file created and ignored in the same run is judged here). Simple
    patterns only: a name anywhere below the `.gitignore`, or a path from its folder."""
    for ignore_path, text in texts.items():
        folder, _, name = ignore_path.rpartition("/")
        if name != ".gitignore" or (folder and not path.startswith(folder + "/")):
            continue
        rel = path[len(folder) + 1:] if folder else path
        old_lines = set((disk.get(ignore_path) or "").splitlines())
        for line in text.splitlines():
            pattern = line.strip()
            if not pattern or pattern in old_lines or pattern.startswith(("#", "!")):
                continue
            if "/" in pattern.rstrip("/"):
                if fnmatch.fnmatchcase(rel, pattern.lstrip("/")):
                    return True
            elif fnmatch.fnmatchcase(posixpath.basename(rel), pattern):
                return True
    return False
