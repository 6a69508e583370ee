"""Moving a secret out of a file without dropping it (issue 10: "moved, never dropped").

A hardcoded credential in a tracked file becomes a reference (or, in a template, a
placeholder); its value goes to the gitignored file that the same process loads after it,
so the app and `docker compose up` keep working:

* dotenv: the local file of each load set that holds the file (`loadsets.py`): `.env` ->
  `.env.local` (and `.env.test.local` when a test chain loads `.env`, since test mode skips
  `.env.local`), `.env.production` -> `.env.production.local`; a template -> the file it is
  copied to. `.env.local` itself, standalone files and Prisma schemas have no such file.
* Compose: the project `.env` beside the Compose file, the file `${VAR}` is interpolated from.

The destination is created if missing, and `.gitignore` (the nearest one above it, else
the root's) gets a line when git does not already ignore it. A destination that git already
holds (committed) is refused: `.gitignore` would not keep the secret out of the next commit.
A destination that sets the name to another value is never overwritten: a new name is chosen
where the reference can carry it, otherwise the move is refused with a reason.

Everything here returns edits on the original texts (`models.Edit`); nothing is written.
Values reach notes and titles only as names and paths, never as text.
"""

from __future__ import annotations

import posixpath
import re
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple, Union

from tekup_envlint import dsn as _dsn
from tekup_envlint.edits import line_bounds
from tekup_envlint.loadsets import mode_words, dotenv_name
from tekup_envlint.models import Edit, ParsedFile, Setting, SourceFile
from tekup_envlint.workspace import Workspace

#: A name Compose and every dotenv reader accept in `${NAME}`.
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Characters a value may hold unquoted and be read alike by python-dotenv, Node's dotenv,
#: dotenv-expand and Compose (no `#`, quote, `$`, backslash or white space).
_PLAIN = re.compile(r"^[A-Za-z0-9_./+=:@%,;!?*~^&()\[\]{}<>|-]+$")
#: Suffixes a connection-string name carries that its password variable drops.
_URL_WORDS = frozenset({"URL", "URI", "DSN", "CONNECTION", "STRING", "CONN", "CONNSTR"})
#: A placeholder `classify.is_placeholder` recognises, for a template's password slot.
PASSWORD_PLACEHOLDER = "[YOUR-PASSWORD]"


class Refused(Exception):
    """A move that cannot keep the value safe; the message says why (never the value)."""


def placeholder_for(key: str) -> str:
    """A template's placeholder for a whole secret (`your_github_token`)."""
    return "your_" + re.sub(r"[^a-z0-9]+", "_", key.strip().lower()).strip("_")


def quote_value(value: str) -> Optional[str]:
    """The value written so every reader gets it back unchanged: plain when it is safe,
    else single-quoted (literal for Compose and Node's dotenv; python-dotenv unescapes only
    `\\\\` and `\\'`, and expands `${...}` even there). None when no form reads alike."""
    if _PLAIN.match(value):
        return value
    if any(c in value for c in "'\\\n\r$") or value != value.strip() or not value:
        return None
    return f"'{value}'"


def newline_of(text: str, fallback: str = "\n") -> str:
    """The file's own line break: that of its first line, else `fallback`."""
    at = text.find("\n")
    if at < 0:
        return "\r" if "\r" in text else fallback
    return "\r\n" if at > 0 and text[at - 1] == "\r" else "\n"


def _gitignore_escape(path: str) -> str:
    """A path as a `.gitignore` pattern that matches exactly it (anchored by the caller)."""
    out = re.sub(r"([*?\[\]\\!#])", r"\\\1", path)
    return out[:-1] + "\\ " if out.endswith(" ") else out


# --------------------------------------------------------------------------- reading


def _read(ws: Workspace, path: str) -> Optional[str]:
    """The text a fix run sees for a repo-relative path: the workspace's parse of it, the
    fix loop's in-memory text (`Workspace.overlay`), else the disk; None when missing.
    Raises Refused for a file that cannot be edited exactly."""
    parsed = ws.file(path)
    if parsed is not None:
        _editable(parsed)
        return parsed.text
    if path in ws.overlay:
        return ws.overlay[path]
    texts = _state(ws).texts
    if path not in texts:
        from tekup_envlint.parsers import read_text

        try:
            texts[path] = read_text(ws.root, path, ws.config.max_file_size)
        except (OSError, ValueError) as why:
            texts[path] = why
    found = texts[path]
    if isinstance(found, Exception):
        raise Refused(f"{path} cannot be read exactly ({found})")
    return found


def _editable(parsed: ParsedFile) -> None:
    """Refuse a file whose offsets are not its own (recovered from mixed encodings) or
    that could not be read: an edit there would corrupt bytes it was not asked to change."""
    if parsed.source.skip is not None or any(p.code in ("SYN003", "SYN006") for p in parsed.problems):
        raise Refused(f"{parsed.source.path} cannot be edited exactly (re-save it as UTF-8 first)")


def _settings(path: str, text: str) -> Dict[str, Optional[str]]:
    """What a dotenv file sets (the last value of each key wins, as in every reader)."""
    from tekup_envlint.parsers import dotenv

    parsed = dotenv.parse(SourceFile(path=path, kind="dotenv", app=".", env="default", tracked=False), text)
    return {s.key: s.value for s in parsed.settings}


# --------------------------------------------------------------------------- destinations


def _local_of(ws: Workspace, parsed: ParsedFile, active: bool = True) -> List[str]:
    """The gitignored files a process loads after a real dotenv file, one per kind of chain
    that holds it; raises Refused when none exists by convention. A template's value kept
    only as a comment (`active=False`, a strategy) whose copy does not exist goes to the
    copy's local file: a comment hands the app nothing, and the copy is not created."""
    path = parsed.source.path
    folder, base = posixpath.split(path)
    name = dotenv_name(base, ws.config)
    if name.role == "template":
        targets = [ls.template_of for ls in ws.load_sets_reading(path) if ls.kind == "template" and ls.files == (path,)]
        if not targets or targets[0] is None:
            raise Refused(f"{path} is a template copied to no known file")
        if _read(ws, targets[0]) is None:
            if not active:
                return [targets[0] + ".local"]
            # creating the copy would hand the app settings it never had; a person decides
            raise Refused(f"{path} is copied to {targets[0]}, which does not exist")
        return [targets[0]]
    if name.role not in ("base", "mode") or parsed.source.kind != "dotenv":
        raise Refused(f"no convention loads a local file after {path}")
    compose_read = _compose_reads(ws).get(path)
    if compose_read is not None:
        raise Refused(compose_read)
    tests = {w for w, env in mode_words(ws.config).items() if env == "test"}
    found: List[str] = []
    for load_set in ws.load_sets_reading(path):
        if load_set.kind != "dotenv":
            continue
        if name.role == "base" and load_set.mode in tests:
            mode_file = next((f for f in load_set.files if dotenv_name(posixpath.basename(f), ws.config).role == "mode"),
                             None)
            if mode_file is None:
                continue
            found.append(mode_file + ".local")
        else:
            found.append(path + ".local")
    if not found:
        raise Refused(f"no load set reads {path}")
    return list(dict.fromkeys(found))


def destinations(ws: Workspace, parsed: ParsedFile, active: bool = True) -> List[str]:
    """Where a secret of `parsed` goes (see the module docstring); raises Refused. A value
    kept only as a comment (`active=False`) need not be where Compose reads: beside a
    committed project `.env` it goes to `.env.local`."""
    source = parsed.source
    if source.kind == "compose":
        folder = posixpath.dirname(source.path)
        project = posixpath.join(folder, ".env") if folder else ".env"
        if not active and _read(ws, project) is not None and _committed(ws, project):
            return [project + ".local"]
        return [project]
    if source.kind != "dotenv":
        raise Refused(f"{source.path}: a Prisma schema reads a secret only through env(\"...\")")
    return _local_of(ws, parsed, active)


@dataclass
class _Destination:
    """A file a secret goes to: its text now ("" when missing), what it sets, what to append."""

    path: str
    text: str
    values: Dict[str, Optional[str]]
    lines: List[str] = field(default_factory=list)  # lines to append, in order


def _gitignore_edits(ws: Workspace, paths: Sequence[str]) -> List[Edit]:
    """Edits that make git ignore each path: a line in the nearest `.gitignore` above it
    (the root's when none), unless git already ignores it or the line is there already."""
    edits: List[Edit] = []
    for path in paths:
        if _ignored(ws, path):
            continue
        folder = posixpath.dirname(path)
        chosen, text = ".gitignore", None
        while True:
            candidate = posixpath.join(folder, ".gitignore") if folder else ".gitignore"
            if candidate not in ws.overlay and (ws.root / candidate).is_symlink():
                # git does not read a `.gitignore` that is a symbolic link (2.32+): a line there
                # would leave the secret's file unignored. A new one beside the file is read.
                chosen = posixpath.join(posixpath.dirname(path), ".gitignore") if posixpath.dirname(path) \
                    else ".gitignore"
                if chosen == candidate:
                    raise Refused(f"{candidate} is a symbolic link, which git does not read as ignore rules")
                text = _read(ws, chosen)
                break
            found = _read(ws, candidate)
            if found is not None:
                chosen, text = candidate, found
                break
            if not folder:
                break
            folder = posixpath.dirname(folder)
        home = posixpath.dirname(chosen)
        line = "/" + _gitignore_escape(path[len(home) + 1:] if home else path)
        current = text or ""
        if chosen in ws.overlay and line in (l.strip() for l in current.splitlines()):
            continue  # written by an earlier pass of this run (on disk, a later `!` line undoes it: repeat it)
        newline = newline_of(current)
        end = len(current)
        if current and not current.endswith(("\n", "\r")):
            edits.append(Edit(chosen, end, end, newline))
        edits.append(Edit(chosen, end, end, line + newline))
    return edits


def _destination(ws: Workspace, path: str, source: ParsedFile) -> _Destination:
    if path == source.source.path:
        raise Refused(f"{path} would move into itself")
    parts = path.split("/")
    if ".." in parts or path.startswith("/"):
        raise Refused(f"{path} lies outside the root")
    text = _read(ws, path)
    if text is not None and _committed(ws, path):
        raise Refused(f"{path} is committed, so a secret moved there would be committed too")
    return _Destination(path, text or "", _settings(path, text) if text else {})


# --------------------------------------------------------------------------- a move


def _inner(text: str, setting: Setting) -> Tuple[int, int]:
    """The offsets of a setting's value without its quotes, when the text there is exactly
    the value (no escapes); raises Refused otherwise."""
    span = setting.value_span
    if span is None or setting.value is None:
        raise Refused(f"{setting.key} has no value")
    raw = text[span.start:span.end]
    if raw == setting.value:
        return span.start, span.end
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"" and raw[1:-1] == setting.value:
        return span.start + 1, span.end - 1
    raise Refused(f"{setting.key}'s value is written with escapes")


@dataclass(frozen=True)
class Place:
    """One place of a secret in a file: a whole value, or the password of a connection string."""

    setting: Setting
    password: bool = False  # the secret is the password inside the value's connection string
    name: Optional[str] = None  # the password's variable when the database already has one (a strategy's)


class Mover:
    """The edits that move the secrets of one file out, shared by the places of one fix:
    the source's own edits, the lines each destination gets, the templates' new names."""

    def __init__(self, ws: Workspace, parsed: ParsedFile, active: bool = True) -> None:
        _editable(parsed)
        self.ws = ws
        self.parsed = parsed
        self.text = parsed.text
        self.source = parsed.source
        self.compose = parsed.source.kind == "compose"
        self.template = dotenv_name(posixpath.basename(self.source.path), ws.config).role == "template" \
            if not self.compose else False
        self.edits: List[Edit] = []
        self.templates: Dict[str, Tuple[str, List[str]]] = {}  # template -> (its text, lines to add)
        self.dests = [_destination(ws, p, parsed) for p in destinations(ws, parsed, active)]

    # -- names ---------------------------------------------------------------

    def _others(self) -> Dict[str, Optional[str]]:
        """What the files loaded with the source set (the source too), and for Compose the
        names it interpolates that no destination sets: a new name must not take its value
        from them (a `.env.production` that sets it would win)."""
        values: Dict[str, Optional[str]] = {}
        paths: Set[str] = {self.source.path}
        for load_set in self.ws.load_sets_reading(self.source.path):
            paths.update(load_set.files)
        for path in sorted(paths):
            parsed = self.ws.file(path)
            if parsed is not None and parsed.source.kind == "dotenv":
                values.update({s.key: s.value for s in parsed.settings})
        if self.compose:
            for ref in self.parsed.interpolations:
                if not any(ref.name in d.values for d in self.dests):
                    values.setdefault(ref.name, None)  # from the shell: never taken over
        return values

    def refuse_if_shadowed(self, key: str, value: str, places: Sequence["Place"]) -> None:
        """Refuse to move a whole value that another assignment of `key` in a file of the
        source's load sets sets to something else (a repeat later in the file, a mode file):
        the local file is read after them all, so the moved value would win where the other
        one wins today, and the process would run with another value."""
        moving = {id(p.setting) for p in places}
        last = max(p.setting.key_span.start for p in places)  # what it shadows in its own file stays shadowed
        paths: Set[str] = {self.source.path}
        for load_set in self.ws.load_sets_reading(self.source.path):
            paths.update(load_set.files)
        for path in sorted(paths):
            parsed = self.parsed if path == self.source.path else self.ws.file(path)
            if parsed is None or parsed.source.kind != "dotenv":
                continue
            for other in parsed.settings:
                if parsed is self.parsed and other.key_span.start < last:
                    continue
                if other.key.strip() == key and id(other) not in moving and other.value != value:
                    raise Refused(f"{path}:{other.key_span.line} sets {key} to another value; moving this one "
                                  "into the local file, which is read after it, would change what the process gets")

    def free(self, name: str, value: str, taken: Dict[str, str]) -> bool:
        """Whether `name` can carry `value`: not taken by another fix for these destinations,
        and no destination or loaded file sets it to anything else."""
        if taken.get(name, value) != value:
            return False
        if any(name in d.values and d.values[name] != value for d in self.dests):
            return False
        others = self._others()
        return name not in others or others[name] == value

    def pick(self, wanted: str, value: str, taken: Dict[str, str]) -> str:
        """`wanted`, or `wanted_2`, `wanted_3`, ...: the first name free for `value`."""
        for n in range(1, 100):
            name = wanted if n == 1 else f"{wanted}_{n}"
            if self.free(name, value, taken):
                return name
        raise Refused(f"no free name near {wanted}")

    # -- appending -------------------------------------------------------------

    def keep(self, name: str, value: str, line: str, active: bool = True, header: Optional[str] = None) -> None:
        """Make every destination hold `name=value` (as `line`, or commented out, after a
        `# header` comment line when given). Raises Refused when one already sets `name` to
        another value and the line is active."""
        for dest in self.dests:
            if dest.values.get(name, None) == value and name in dest.values:
                continue  # already there, the same value
            if name in dest.values and active:
                raise Refused(f"{dest.path} already sets {name} to another value")
            text = line if active else "# " + line
            if not active and text in (l.strip() for l in dest.text.splitlines()):
                continue  # kept aside by an earlier round
            if text not in dest.lines:
                if header is not None:
                    dest.lines.append("# " + header.replace("\n", " ").replace("\r", " "))
                dest.lines.append(text)

    # -- the places ------------------------------------------------------------

    def announce(self, name: str) -> None:
        """A new variable the destinations now set: the templates copied into the source's
        load sets list it with a placeholder (DRF001: a fresh checkout must know it is needed)."""
        paths: Set[str] = {self.source.path} | {d.path for d in self.dests}
        for load_set in self.ws.load_sets_reading(self.source.path):
            paths.update(load_set.files)
        for path in sorted(paths):
            for template in self.ws.template_for(path):
                parsed = self.ws.file(template.files[0])
                if parsed is None or parsed.source.path == self.source.path:
                    continue
                try:
                    _editable(parsed)
                except Refused:
                    continue  # cosmetic: DRF001 then says so
                if any(s.key == name for s in parsed.settings):
                    continue
                self.templates.setdefault(parsed.source.path, (parsed.text, []))[1].append(
                    f"{name}={placeholder_for(name)}")

    def replace_value(self, setting: Setting, new: str) -> None:
        start, end = _inner(self.text, setting)
        self.edits.append(Edit(self.source.path, start, end, new))

    def delete_line(self, setting: Setting) -> None:
        start = setting.key_span.start
        end = setting.value_span.end if setting.value_span is not None else setting.key_span.end
        begin, stop = line_bounds(self.text, start, end)
        before = self.text[begin:start].strip()
        if before not in ("", "export", "-", "- '", '- "') and not (self.compose and before in ("'", '"')):
            raise Refused(f"{setting.key} shares its line with other text")
        self.edits.append(Edit(self.source.path, begin, stop, ""))

    def finish(self, title: str) -> Tuple[Tuple[Edit, ...], str]:
        """The edits (source, destinations, `.gitignore`) and the note of where values went."""
        edits = list(self.edits)
        for dest in self.dests:
            if not dest.lines:
                continue
            newline = newline_of(dest.text, newline_of(self.text))
            end = len(dest.text)
            if dest.text and not dest.text.endswith(("\n", "\r")):
                edits.append(Edit(dest.path, end, end, newline))
            edits.extend(Edit(dest.path, end, end, line + newline) for line in dest.lines)
        for path, (text, lines) in self.templates.items():
            newline = newline_of(text)
            end = len(text)
            if text and not text.endswith(("\n", "\r")):
                edits.append(Edit(path, end, end, newline))
            edits.extend(Edit(path, end, end, line + newline) for line in dict.fromkeys(lines))
        edits.extend(_gitignore_edits(self.ws, [d.path for d in self.dests]))
        return tuple(edits), title


@dataclass
class _State:
    """What the fixes of one workspace share: the names each fix of a file chose (with the
    fix that chose it: two fixes of one round must never append one name with two values,
    and asking again for the same fix gives the same names), git's answers, the files read."""

    # destination -> name -> (the fix that appends it, the value)
    reserved: Dict[str, Dict[str, Tuple[Tuple[object, ...], str]]] = field(default_factory=dict)
    ignored: Dict[str, bool] = field(default_factory=dict)
    committed: Dict[str, bool] = field(default_factory=dict)
    ignored_names: Set[str] = field(default_factory=set)  # file names asked of git for every folder
    committed_names: Dict[str, Optional[Set[str]]] = field(default_factory=dict)  # name -> every committed path
    # app -> (Prisma schema path, env name a datasource reads), in workspace order
    prisma_reads: Optional[Dict[str, List[Tuple[str, str]]]] = None
    compose_reads: Optional[Dict[str, str]] = None  # file -> why Compose lets no local file follow it
    texts: Dict[str, Union[str, None, Exception]] = field(default_factory=dict)  # files read from disk, or why not
    local_names: Optional[List[str]] = None  # `_local_names`, found once per workspace


# the last workspace's state, weakly held like credentials' concerns
_STATE: Dict[int, Tuple["weakref.ref[Workspace]", _State]] = {}


def _state(ws: Workspace) -> _State:
    held = _STATE.get(id(ws))
    if held is None or held[0]() is not ws:
        _STATE.clear()
        held = (weakref.ref(ws), _State())
        _STATE[id(ws)] = held
    return held[1]


def _compose_reads(ws: Workspace) -> Dict[str, str]:
    """File -> why no local file follows it, for each file a Compose service interpolates
    from or reads as an env_file (not baked in); the first service in workspace order
    speaks, as a walk of the load sets per file would find it. Built once per workspace."""
    state = _state(ws)
    if state.compose_reads is None:
        reads: Dict[str, str] = {}
        for load_set in ws.load_sets:  # the interpolation file need not be among a set's files
            if load_set.kind != "compose-service":
                continue
            if load_set.interpolation is not None:
                reads.setdefault(load_set.interpolation, f"{load_set.interpolation} is what Compose interpolates "
                                                          f"{load_set.service} from; it reads no other file")
            for member in load_set.files:
                if member not in load_set.baked:
                    reads.setdefault(member, f"{load_set.service} reads {member} as an env_file, "
                                             "and no file after it")
        state.compose_reads = reads
    return state.compose_reads


def _taken(ws: Workspace, dests: Sequence[str], owner: Tuple[object, ...]) -> Dict[str, str]:
    """The names other fixes append to any of these destinations, with their values (two
    Compose files of one folder share the project `.env`; a strategy removal and a
    credential fix share `.env.local`). The same name with the same value is no clash: the
    two appended lines are equal edits, which count once."""
    reserved = _state(ws).reserved
    return {name: value for d in dests for name, (by, value) in reserved.get(d, {}).items() if by != owner}


def _reserve(ws: Workspace, dests: Sequence[str], owner: Tuple[object, ...], names: Dict[str, str]) -> None:
    """Record the names (-> values) a fix appends to its destinations."""
    reserved = _state(ws).reserved
    for dest in dests:
        for name, value in names.items():
            reserved.setdefault(dest, {}).setdefault(name, (owner, value))


def _ignored(ws: Workspace, path: str) -> bool:
    """Whether git's ignore rules match the path (asked once per workspace)."""
    from tekup_envlint.discovery import git_ignored

    state = _state(ws)
    return _asked_of_git(ws, path, state.ignored, state.ignored_names, git_ignored, _local_names(ws))


def _local_names(ws: Workspace) -> List[str]:
    """The local files a fix moves secrets to (`.env.local`, `.env.<mode>.local`: one per base
    or mode file of the workspace). git is asked about all of them at once: a check whose
    fixes move secrets out of `.env.development`, `.env.production` and `.env.test` started
    one process per name. Found once per workspace: every fix asks."""
    state = _state(ws)
    if state.local_names is None:
        names = (posixpath.basename(f.source.path) for f in ws.files if f.source.kind == "dotenv")
        state.local_names = list(dict.fromkeys(n + ".local" for n in names
                                               if dotenv_name(n, ws.config).role in ("base", "mode")))
    return state.local_names


def _committed(ws: Workspace, path: str) -> bool:
    """Whether git's index holds the path (asked once per workspace; the first time a
    file name is asked, git lists every committed file of that name at once)."""
    from tekup_envlint.discovery import committed, committed_named

    state = _state(ws)
    memo = state.committed
    if path not in memo:
        name = posixpath.basename(path)
        if name not in state.committed_names:
            state.committed_names[name] = committed_named(ws.root, name)
        listed = state.committed_names[name]
        memo[path] = path in listed if listed is not None else path in committed(ws.root, [path])
    return memo[path]


def _asked_of_git(ws: Workspace, path: str, memo: Dict[str, bool], names: Set[str],
                  ask: Callable[[Path, Sequence[str]], Optional[Set[str]]], also: Sequence[str] = ()) -> bool:
    """`path in ask(root, [path])`, memoised; the first time a file name is asked, it is
    asked in one git process for every folder holding configuration too, since the fixes
    of a workspace ask about the same name (`.env.local`, `.env`) app after app, and so are
    the names of `also` not asked yet (git answers each path alone: the same answers)."""
    if path not in memo:
        name = posixpath.basename(path)
        batch = [path]
        if name not in names:
            fresh = [n for n in dict.fromkeys((name, *also)) if n not in names]
            names.update(fresh)
            folders = dict.fromkeys(posixpath.dirname(f.source.path) for f in ws.files)
            batch.extend(p for p in (posixpath.join(d, n) for n in fresh for d in folders)
                         if p not in memo and p != path)
        found = ask(ws.root, batch)
        if found is None and len(batch) > 1:  # git refused one of them: ask alone
            batch = [path]
            found = ask(ws.root, batch)
        for asked in batch:
            memo[asked] = found is not None and asked in found
    return memo[path]


def _password_name(key: str) -> str:
    """`DATABASE_URL` -> `DATABASE_PASSWORD`, `DATABASE_URL_VAULT` -> `DATABASE_VAULT_PASSWORD`."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", key.strip().upper()) if w and w not in _URL_WORDS]
    stem = "_".join(words) or "DB"
    if not _NAME.match(stem):
        stem = "DB_" + stem
    return stem + "_PASSWORD"


def _dsn_password(value: str) -> Optional[Tuple[int, int]]:
    """Offsets of the literal password inside a connection string value (the URI's own
    `user:password@`); None when there is none or it is a reference."""
    found = _dsn.password_span(value)
    if found is None:
        return None
    start, end = found
    if "$" in value[start:end]:
        return None
    return found


def move_secret(
    ws: Workspace, parsed: ParsedFile, places: Sequence[Place], what: str,
) -> Tuple[Tuple[Edit, ...], str]:
    """Move one secret (written at `places` of one tracked file) out: the fix of one
    credential concern. Returns the edits and the note; raises Refused with a reason.

    * a dotenv whole value: the line is deleted (the local file that loads later sets the
      name, so the process still gets it); in a template the value becomes a placeholder;
    * a Compose whole value: `KEY: ${NAME}` (a `${NAME:-fallback}` loses its fallback), the
      value in the project `.env`;
    * a connection string's password: `user:${NAME}@host`, the password (as written, with
      its percent-encoding) under a derived name; a template gets `[YOUR-PASSWORD]`.
    """
    mover = Mover(ws, parsed)
    owner = (parsed.source.path,) + tuple(sorted(p.setting.key_span.start for p in places))
    dest_paths = [d.path for d in mover.dests]
    taken = _taken(ws, dest_paths, owner)
    names: Dict[str, str] = {}  # the text kept -> the name a reference to it uses
    moved: Dict[str, str] = {}  # every name kept -> its value (for the note and the reservations)
    wholes = [p for p in places if not p.password]
    for place in wholes + [p for p in places if p.password]:  # a password reuses a whole value's name
        setting = place.setting
        key = setting.key.strip()
        value = setting.value
        if value is None or setting.value_span is None:
            raise Refused(f"{key} has no value")
        if place.password:
            start, end = _inner(parsed.text, setting)
            span = _dsn_password(value)
            if span is None:
                raise Refused(f"{key}: the password is not in the URI's user:password@ part")
            raw = value[span[0]:span[1]]
            name = names.get(raw) or (place.name if place.name and mover.free(place.name, raw, taken)
                                      else mover.pick(_password_name(key), raw, taken))
            if name not in names.values():
                mover.keep(name, raw, _line(name, raw), active=not mover.template)
                names[raw] = name
                if not mover.template:
                    mover.announce(name)
            slot = PASSWORD_PLACEHOLDER if mover.template else "${" + name + "}"
            _write_reference(mover, setting, start, end, value[:span[0]] + slot + value[span[1]:])
            continue
        ref = _dsn.whole_reference(value.strip())
        if mover.compose:
            if ref is not None:
                if ref.operator not in ("-", ":-") or not ref.default or "$" in ref.default:
                    raise Refused(f"{key}'s fallback is not a plain value")
                name, secret = ref.name, ref.default
                # the reference is already there: only a destination or another fix may clash
                if taken.get(name, secret) != secret or any(name in d.values and d.values[name] != secret
                                                            for d in mover.dests):
                    raise Refused(f"{name} is set to another value where Compose reads it")
            else:
                if "$" in value:
                    raise Refused(f"{key}'s value holds a '$'")
                secret = value
                wanted = key if _NAME.match(key) else "SECRET"
                service = re.sub(r"[^A-Za-z0-9]+", "_", setting.service).upper().strip("_")
                fallback = f"{service}_{wanted}" if _NAME.match(f"{service}_{wanted}") else wanted
                name = names.get(secret) or (wanted if mover.free(wanted, secret, taken) else
                                             mover.pick(fallback, secret, taken))
            if names.get(secret) != name:
                mover.keep(name, secret, _line(name, secret))
                names[secret] = name
                if name != key:
                    mover.announce(name)
            mover.replace_value(setting, "${" + name + "}")
            continue
        # a dotenv whole value: the destination sets the key itself
        if ref is not None or "${" in value:
            raise Refused(f"{key}'s value holds a reference")
        if not _NAME.match(key):
            raise Refused(f"{key} is not a name every reader accepts")
        raw = parsed.text[setting.value_span.start:setting.value_span.end]
        line = f"{key}={raw}" + _trailing_comment(parsed.text, setting.value_span.end)
        if taken.get(key, value) != value:
            raise Refused(f"another fix moves another value under {key} in this run")
        if not mover.template:
            mover.refuse_if_shadowed(key, value, places)
        if mover.template:
            # kept aside in the copy, as a comment: the copy's process keeps what it had
            mover.keep(key, value, line, active=False)
            mover.replace_value(setting, placeholder_for(key))
        else:
            mover.keep(key, value, line)
            mover.delete_line(setting)
        names.setdefault(value, key)
        moved[key] = value
    moved.update({name: value for value, name in names.items() if name not in moved})
    _reserve(ws, dest_paths, owner, moved)
    dests = ", ".join(d.path for d in mover.dests)
    kept = ", ".join(moved)
    if mover.template:
        note = f"{what} in {parsed.source.path} replaced by a placeholder; the value is kept as a comment in {dests} ({kept})"
    else:
        note = (f"{what} moved from {parsed.source.path} to {dests} as {kept}"
                + _prisma_caveat(ws, parsed, places) + _baked_caveat(ws, parsed))
    return mover.finish(note)


def _baked_caveat(ws: Workspace, parsed: ParsedFile) -> str:
    """A file a Compose build bakes into an image: the local file reaches the container only
    when `.dockerignore` lets it in, which a person checks."""
    services = sorted({ls.service for ls in ws.load_sets_reading(parsed.source.path)
                       if ls.kind == "compose-service" and ls.service and parsed.source.path in ls.baked})
    if not services:
        return ""
    return (f"; {parsed.source.path} is baked into the image of {', '.join(services)}: check that "
            f".dockerignore lets the local file in, or give the container the value another way")


def _prisma_caveat(ws: Workspace, parsed: ParsedFile, places: Sequence[Place]) -> str:
    """The Prisma CLI loads only `.env` (and expands it), never `.env.local`: a connection
    string a datasource reads now needs the local file loaded when prisma runs."""
    if parsed.source.kind != "dotenv":
        return ""
    keys = {p.setting.key.strip() for p in places if p.password}
    for path, env in _prisma_reads(ws).get(parsed.source.app, ()):
        if env in keys:
            return (f"; {path} reads {env}, and the Prisma CLI loads only .env: "
                    f"load the local file too when running prisma (e.g. dotenv-cli)")
    return ""


def _trailing_comment(text: str, end: int) -> str:
    """The ` # comment` after a value on its line ("" when none): a line that is deleted takes
    its comment with it to the destination, so the fix drops no byte of documentation."""
    stop = len(text)
    for breaker in ("\n", "\r"):
        found = text.find(breaker, end)
        if found != -1:
            stop = min(stop, found)
    tail = text[end:stop]
    return tail if tail.strip().startswith("#") and tail[:1] in (" ", "\t") else ""


def _prisma_reads(ws: Workspace) -> Dict[str, List[Tuple[str, str]]]:
    """Each app's datasource env reads, indexed once per workspace (a caveat per fix would
    otherwise walk every file of the workspace)."""
    state = _state(ws)
    if state.prisma_reads is None:
        reads: Dict[str, List[Tuple[str, str]]] = {}
        for other in ws.files:
            for ds in other.datasources:
                for value in (ds.url, ds.direct_url):
                    if value is not None and value.env is not None:
                        reads.setdefault(other.source.app, []).append((other.source.path, value.env))
        state.prisma_reads = reads
    return state.prisma_reads


def _line(name: str, value: str) -> str:
    written = quote_value(value)
    if written is None:
        raise Refused(f"the value of {name} holds characters no env reader reads alike")
    return f"{name}={written}"


def _write_reference(mover: Mover, setting: Setting, start: int, end: int, new: str) -> None:
    """Replace a value's text; a single-quoted dotenv value becomes double-quoted, since
    dotenv-expand and Compose leave references in single quotes alone."""
    if not mover.compose and setting.quote == "'" and "${" in new:
        if any(c in new for c in '"\\'):
            raise Refused(f"{setting.key} cannot be re-quoted")
        mover.edits.append(Edit(mover.source.path, start - 1, end + 1, f'"{new}"'))
        return
    mover.edits.append(Edit(mover.source.path, start, end, new))


def move_out(
    ws: Workspace, parsed: ParsedFile, setting: Setting, replacement: Optional[str], *, active: bool = True,
    header: Optional[str] = None,
) -> Tuple[Tuple[Edit, ...], str]:
    """Take `setting`'s value out of `parsed` without losing it (the contract of issue 10).

    The value is replaced with `replacement` (a `${REF}` or a placeholder), or its line is
    deleted when `replacement` is None. Where the value goes:

    * `parsed` tracked: the gitignored local file of its load sets (or the Compose project
      `.env`), created if missing, with a `.gitignore` line when needed. `active=False` keeps
      it there as a comment (`# KEY=value`): for a strategy that removes the setting from
      the process, where an active line in a file loaded later would bring it back.
    * `parsed` not tracked (gitignored: git cannot bring the value back): the line is
      commented out in place, and the replacement, if any, is written on a new line below.

    `header` (never a value) is written as a comment line above the kept line in the
    destination ("fix --strategy docker took out KEY ..."). Returns (edits, note); when the
    value cannot be kept safely, () and the reason.
    """
    try:
        return _move_out(ws, parsed, setting, replacement, active, header)
    except Refused as why:
        return (), str(why)


def _move_out(ws: Workspace, parsed: ParsedFile, setting: Setting, replacement: Optional[str],
              active: bool, header: Optional[str]) -> Tuple[Tuple[Edit, ...], str]:
    key = setting.key.strip()
    path = parsed.source.path
    if setting.value is None or setting.value_span is None:
        raise Refused(f"{key} has no value to keep")
    _editable(parsed)
    if not parsed.source.tracked:
        text = parsed.text
        begin, stop = line_bounds(text, setting.key_span.start, setting.value_span.end)
        line = text[begin:stop]
        if "\n" in line.rstrip("\r\n") or "\r" in line.rstrip("\r\n"):
            raise Refused(f"{key} spans several lines")
        if parsed.source.kind != "dotenv" and text[begin:setting.key_span.start].strip() not in ("", "-"):
            raise Refused(f"{key} shares its line with other text")
        edits = [Edit(path, begin, begin, "# ")]
        if replacement is not None:
            if parsed.source.kind != "dotenv":
                raise Refused(f"{path}: a replacement in a Compose file is written by its strategy")
            body = line.rstrip("\r\n")
            ending = line[len(body):] or newline_of(text)
            indent = body[: len(body) - len(body.lstrip())]
            prefix = "export " if body.lstrip().startswith("export") else ""
            if not line.endswith(("\n", "\r")):
                edits.append(Edit(path, stop, stop, ending))
                ending = ""
            edits.append(Edit(path, stop, stop, f"{indent}{prefix}{key}={replacement}{ending}"))
        return tuple(edits), f"{key} in {path} (not tracked) was commented out there, the value kept"
    mover = Mover(ws, parsed, active)
    owner = (path, setting.key_span.start)
    dest_paths = [d.path for d in mover.dests]
    value = setting.value
    if _taken(ws, dest_paths, owner).get(key, value if active else "\0# " + value) != (value if active else "\0# " + value):
        raise Refused(f"another fix moves another value under {key} in this run")
    if mover.compose:
        if "$" in value:
            raise Refused(f"{key}'s value holds a '$'")
        line = _line(key, value)
    else:
        if "${" in value:
            raise Refused(f"{key}'s value holds a reference")
        raw = parsed.text[setting.value_span.start:setting.value_span.end]
        line = f"{key}={raw}"
    if mover.template:
        active = False  # the copy's process keeps what it had; the value is kept aside
    if active and not _NAME.match(key):
        raise Refused(f"{key} is not a name every reader accepts")
    mover.keep(key, value, line, active=active, header=header)
    if replacement is None:
        mover.delete_line(setting)
    else:
        mover.replace_value(setting, replacement)
    # a line kept as a comment conflicts with an active one of the same value: a strategy that
    # takes the key out of the process and a fix that moves it must not both land in one pass
    _reserve(ws, dest_paths, owner, {key: value if active else "\0# " + value})
    dests = ", ".join(d.path for d in mover.dests)
    how = "moved" if active else "kept as a comment"
    return mover.finish(f"{key} {how} from {path} to {dests}")
