"""Drift: env files that have grown apart from their template, from each other or from Compose."""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import replace
from pathlib import Path
from typing import Dict, FrozenSet, Iterator, List, Optional, Sequence, Set, Tuple

from tekup_envlint.catalogue import catalogue
from tekup_envlint.checks import rule
from tekup_envlint.models import Edit, Fix, Hit, Interpolation, ParsedFile, Setting, SourceFile
from tekup_envlint.text import BOM
from tekup_envlint.workspace import App, Workspace

# Interpolations that fail without a value: no operator (`${VAR}`, `$VAR`) or "required".
_NO_DEFAULT = ("", ":?", "?")
_MAX_PLACES = 3


def _dotenvs(app: App) -> List[ParsedFile]:
    return [f for f in app.files if f.source.kind == "dotenv"]


def _first_settings(parsed: ParsedFile) -> Dict[str, Setting]:
    """Each key's first setting in a file, in file order."""
    found: Dict[str, Setting] = {}
    for setting in parsed.settings:
        found.setdefault(setting.key, setting)
    return found


def _keys(files: Sequence[ParsedFile]) -> Set[str]:
    return {s.key for f in files for s in f.settings}


def _places(paths: Sequence[str]) -> str:
    shown = list(paths[:_MAX_PLACES])
    rest = len(paths) - len(shown)
    return ", ".join(shown) + (f" and {rest} more" if rest > 0 else "")


def _hit(parsed: ParsedFile, setting: Setting, message: str, value: Optional[str] = None) -> Hit:
    span = setting.value_span or setting.key_span
    return Hit(parsed.source.path, span, parsed.source.app, setting.key, message, value=value)


# --------------------------------------------------------------------------- DRF001, DRF002


def _templates_by_copy(ws: Workspace) -> Iterator[Tuple[ParsedFile, List[ParsedFile], List[ParsedFile]]]:
    """Each existing file that templates are copied to, as (it, its templates, the files it
    is read with): `.env.example` -> `.env` + `.env.local`; `.env.production.example` -> the
    production chain. Never an overlay such as `.env.ports` or `.env.local` on its own:
    nobody makes those from the template."""
    done: Set[str] = set()
    for load_set in ws.load_sets:
        target = load_set.template_of
        if load_set.kind != "template" or target is None or target in done:
            continue
        done.add(target)
        real = ws.real_set_of(load_set)
        if real is None:
            continue
        copy = ws.file(target)
        templates = [f for f in (ws.file(t.files[0]) for t in ws.template_for(target)) if f is not None]
        reals = [f for f in map(ws.file, real.files) if f is not None and f.source.kind == "dotenv"]
        if copy is not None and templates and reals:
            yield copy, templates, reals


def _missing(ws: Workspace, to_real: bool) -> Iterator[Tuple[ParsedFile, Setting, str]]:
    """Keys one side sets and the other lacks, with where the other side is.

    `to_real`: keys of a template missing from the files its copy is read with (DRF002);
    else keys of the file a template is copied to missing from its templates (DRF001).
    """
    for copy, templates, reals in _templates_by_copy(ws):
        if to_real:
            keys, names = _keys(reals), _places([f.source.path for f in reals])
            for template in templates:
                for key, setting in _first_settings(template).items():
                    if key not in keys:
                        yield template, setting, names
            continue
        keys, names = _keys(templates), _places([f.source.path for f in templates])
        for key, setting in _first_settings(copy).items():
            if key not in keys:
                yield copy, setting, names


@rule("DRF001")
def missing_from_template(ws: Workspace) -> Iterator[Hit]:
    for parsed, setting, names in _missing(ws, to_real=False):
        yield _hit(
            parsed,
            setting,
            f"{setting.key} is set here but missing from the template ({names}); add it there "
            f"with a placeholder value so that a fresh checkout knows it is needed",
            value=setting.key,
        )


@rule("DRF002")
def missing_from_real(ws: Workspace) -> Iterator[Hit]:
    for parsed, setting, names in _missing(ws, to_real=True):
        yield _hit(
            parsed,
            setting,
            f"{setting.key} is in the template but in none of the files its copy is read with ({names}); "
            f"either a file lacks it or the template documents a setting nobody uses",
            value=setting.key,
        )


# --------------------------------------------------------------------------- DRF003


@rule("DRF003")
def duplicate_key(ws: Workspace) -> Iterator[Hit]:
    for parsed in ws.files:
        if parsed.source.kind != "dotenv":
            continue
        # A bare `KEY` (no "=") sets nothing that all readers agree on; only assignments count.
        assigned = [s for s in parsed.settings if s.value is not None]
        last: Dict[str, Setting] = {}
        for setting in assigned:
            last[setting.key] = setting
        seen: Dict[str, Setting] = {}
        for setting in assigned:
            previous = seen.get(setting.key)
            seen[setting.key] = setting
            if previous is None:
                continue
            winner = last[setting.key]
            same = "the same value as" if previous.value == setting.value else "a different value from"
            wins = "this one" if winner is setting else f"line {winner.key_span.line}"
            hit = _hit(
                parsed,
                setting,
                f"{setting.key} is set again here with {same} line {previous.key_span.line}; "
                f"python-dotenv, Compose and Node's dotenv all keep the last value ({wins}), so "
                f"the earlier line is dead",
                value=setting.value,
            )
            if previous.value == setting.value:
                hit = replace(hit, fix=_drop_repeat(parsed, setting, previous.key_span.line))
            yield hit


_LINE_END = re.compile(r"[^\S\r\n]*(\r\n|\n|\r|$)")


def _drop_repeat(parsed: ParsedFile, setting: Setting, first_line: int) -> Optional[Fix]:
    """Delete the line of a repeat that sets the same value as the occurrence before it.

    Nothing a reader sees changes: the earlier line has the same value, and whichever of
    the two was last, the value kept is that value. Not offered when the line holds more
    than the assignment (a comment would be lost) or when the value may be expanded (`$`:
    python-dotenv and Compose expand it with what is defined at that point of the file).
    """
    text = parsed.text
    span = setting.value_span
    if span is None or "$" in text[span.start:span.end]:
        return None
    start = max(text.rfind("\n", 0, setting.key_span.start), text.rfind("\r", 0, setting.key_span.start)) + 1
    head = text[start:setting.key_span.start].lstrip(BOM).strip()
    if head not in ("", "export"):
        return None
    end = _LINE_END.match(text, span.end)
    if end is None:
        return None
    stop = end.end()
    if not end.group(1):  # the last line, with no line break: take the break before it
        before = text[:start]
        start -= 2 if before.endswith("\r\n") else 1 if before.endswith(("\n", "\r")) else 0
    if start < 0 or (start == 0 and text.startswith(BOM)):
        return None
    return Fix(f"delete the repeated {setting.key} (line {setting.key_span.line} sets the value of line {first_line} again)",
               (Edit(parsed.source.path, start, stop, ""),), "safe")


# --------------------------------------------------------------------------- DRF004


def _shell_variables() -> FrozenSet[str]:
    """Variables every shell exports, from the DRF004 entry of `rules/drift.toml`."""
    entry = catalogue().get("DRF004")
    names = entry.extra.get("shell_variables", []) if entry is not None else []
    return frozenset(str(n) for n in names)


def _inside_root(rel: str) -> bool:
    return rel != ".." and not rel.startswith("../") and not posixpath.isabs(rel)


def _resolves_inside(root: Path, path: Path) -> bool:
    try:
        path.resolve(strict=True).relative_to(root.resolve())
    except (OSError, RuntimeError, ValueError):
        return False
    return True


class _EnvKeys:
    """Keys of dotenv files by repo-relative path: parsed ones from the workspace, others read."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.parsed = {f.source.path: f for f in ws.files}
        self.cache: Dict[str, Optional[Set[str]]] = {}

    def exists(self, rel: str) -> bool:
        return rel in self.parsed or (_inside_root(rel) and (self.ws.root / rel).is_file())

    def keys(self, rel: str) -> Optional[Set[str]]:
        """The keys a file sets; an empty set when it is absent; None when it cannot be read."""
        if rel in self.cache:
            return self.cache[rel]
        found: Optional[Set[str]]
        parsed = self.parsed.get(rel)
        if parsed is not None:
            unreadable = parsed.source.skip is not None or (not parsed.text and bool(parsed.problems))
            found = None if unreadable else {s.key for s in parsed.settings}
        elif not _inside_root(rel):
            found = None
        else:
            path = self.ws.root / rel
            if not path.exists():
                found = set()
            elif not _resolves_inside(self.ws.root, path):
                found = None  # a symlink out of the scanned tree is never read
            else:
                from tekup_envlint.parsers import read

                source = SourceFile(path=rel, kind="dotenv", app=".", env="default", tracked=True)
                data = read(self.ws.root, source, self.ws.config.max_file_size)
                found = None if not data.text and data.problems else {s.key for s in data.settings}
        self.cache[rel] = found
        return found


def _join(folder: str, path: str) -> str:
    """A path relative to a Compose file's folder as a normalised repo-relative path."""
    return posixpath.normpath(posixpath.join(folder, path)) if folder else posixpath.normpath(path)


def _dotenvs_by_folder(ws: Workspace) -> Dict[str, List[Tuple[int, str]]]:
    """(workspace order, path) of every dotenv file, by folder: built once per run, so that
    finding a Compose file's sources does not read every file of the workspace again."""
    found: Dict[str, List[Tuple[int, str]]] = {}
    for index, parsed in enumerate(ws.files):
        if parsed.source.kind == "dotenv":
            found.setdefault(posixpath.dirname(parsed.source.path), []).append((index, parsed.source.path))
    return found


def _sources(ws: Workspace, compose: ParsedFile,
             dotenvs: Optional[Dict[str, List[Tuple[int, str]]]] = None) -> List[str]:
    """Files whose keys may feed a Compose file's interpolation, repo-relative.

    Compose reads the project `.env` beside the file. The app's own env files count too
    (a developer often runs `docker compose --env-file .env.local`), and so do those of the
    apps it builds (firecrawl's root Compose file is run with a `.env` made from the
    template of the app it builds), the files its services name in `env_file` (often passed
    the same way), and the env files of the folders above it (`docker compose -f docker/production/compose.yml --env-file .env` run
    from the repository root, whose `.env.example` documents the variables).
    """
    folder = posixpath.dirname(compose.source.path)
    found = [_join(folder, ".env")]
    for root in [compose.source.app, *sorted(ws.builds.get(compose.source.path, ()))]:
        app = ws.apps.get(root)  # its own app, and the apps it builds (their template is copied here)
        if app is not None:
            found += [f.source.path for f in _dotenvs(app)]
    above = {folder} | {"/".join(folder.split("/")[:i]) for i in range(len(folder.split("/")))}
    by_folder = _dotenvs_by_folder(ws) if dotenvs is None else dotenvs
    found += [path for _, path in sorted(entry for f in above for entry in by_folder.get(f, ()))]
    for service in compose.services:
        for ref in service.env_files:
            if "$" not in ref.path:
                found.append(_join(folder, ref.path))
    return list(dict.fromkeys(found))


def _outermost(interpolations: Sequence[Interpolation]) -> List[Interpolation]:
    """Interpolations not nested in another's default (`${B}` in `${A:-${B}}` only matters if A is unset).

    One sweep in (start, longest first) order: a reference is nested when one before it,
    with another span, reaches at least as far. Comparing every pair took 100 s on a value
    of 30,000 references.
    """
    ordered = sorted(range(len(interpolations)), key=lambda i: (interpolations[i].span.start, -interpolations[i].span.end))
    nested: Set[int] = set()
    reach = -1  # the furthest end of the references before the current span
    i = 0
    while i < len(ordered):
        span = interpolations[ordered[i]].span
        j = i
        while j < len(ordered) and interpolations[ordered[j]].span == span:  # the same span, listed twice
            j += 1
        if span.end <= reach:
            nested.update(ordered[i:j])
        reach = max(reach, span.end)
        i = j
    return [it for index, it in enumerate(interpolations) if index not in nested]


@rule("DRF004")
def compose_undefined_variable(ws: Workspace) -> Iterator[Hit]:
    shell = _shell_variables()
    env = _EnvKeys(ws)
    dotenvs = _dotenvs_by_folder(ws)
    for parsed in ws.files:
        if parsed.source.kind != "compose" or not parsed.interpolations:
            continue
        sources = _sources(ws, parsed, dotenvs)
        defined: Set[str] = set()
        unknown = False
        for rel in sources:
            keys = env.keys(rel)
            if keys is None:
                unknown = True  # a file we cannot see may define anything
                break
            defined |= keys
        if unknown:
            continue
        existing = [rel for rel in sources if env.exists(rel)]
        if existing:
            looked = f"looked in {_places(existing)}"
        else:
            looked = f"there is no {sources[0]} and the app has no env file"
        reported: Set[str] = set()
        for it in _outermost(parsed.interpolations):
            if it.operator not in _NO_DEFAULT or it.name in defined or it.name in shell or it.name in reported:
                continue
            reported.add(it.name)
            if it.operator:
                outcome = "Compose refuses to start until it is set"
            else:
                outcome = "Compose warns and substitutes an empty string"
            yield Hit(
                parsed.source.path,
                it.span,
                parsed.source.app,
                it.name,
                f"${{{it.name}}} has no default and no env file defines it ({looked}); {outcome}",
                value=it.name,
            )


# --------------------------------------------------------------------------- DRF005

_NAME_TOKENS = re.compile(r"[.\-_]+")


def _tokens(name: str) -> FrozenSet[str]:
    return frozenset(t for t in _NAME_TOKENS.split(name.lower()) if t)


def _templates(ws: Workspace) -> Dict[str, List[Tuple[FrozenSet[str], str]]]:
    """The discovered env templates by folder (`Workspace.templates_by_folder`), each as
    (its name's tokens without the template markers, path), in workspace order."""
    markers = frozenset(w.lower() for env, words in ws.config.environments if env == "template" for w in words)
    return {
        folder: [(_tokens(posixpath.basename(path)) - markers, path) for path in paths]
        for folder, paths in ws.templates_by_folder().items()
    }


def _template_of(templates: Dict[str, List[Tuple[FrozenSet[str], str]]], rel: str) -> Optional[str]:
    """A discovered template for a missing file, beside it (`.env` -> `.env.example`,
    `example.env`, `.env.sample`): the file is meant to be made from it."""
    folder, name = posixpath.split(rel)
    wanted = _tokens(name)
    return next((path for tokens, path in templates.get(folder, ()) if tokens == wanted), None)


@rule("DRF005")
def missing_env_file(ws: Workspace) -> Iterator[Hit]:
    templates: Optional[Dict[str, List[Tuple[FrozenSet[str], str]]]] = None  # built at the first missing file
    present = {f.source.path for f in ws.files}  # a file a fix creates is here before it is on disk
    for parsed in ws.files:
        if parsed.source.kind != "compose":
            continue
        folder = posixpath.dirname(parsed.source.path)
        base = ws.root / folder if folder else ws.root
        for service in parsed.services:
            for ref in service.env_files:
                path = ref.path.strip()
                if not ref.required or not path or "$" in path or path.startswith("~"):
                    continue
                if Path(path).is_absolute() or os.path.isabs(path):
                    continue  # a path on some machine, not in the repository
                if _join(folder, path) in present or (base / path).exists():
                    continue
                if templates is None:
                    templates = _templates(ws)
                if _template_of(templates, _join(folder, path)) is not None:
                    continue  # a fresh clone's `.env`, made by copying the template beside it
                yield Hit(
                    parsed.source.path,
                    ref.span,
                    parsed.source.app,
                    None,
                    f"service {service.name} reads env_file {path} ({_join(folder, path)}), which "
                    f"does not exist, so `docker compose up` stops with an error; create it (from "
                    f"the template) or mark the entry `required: false`",
                    value=f"{service.name}:{path}",
                )
