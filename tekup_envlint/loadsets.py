"""Load sets: the files one process reads together, in order (part of the workspace stage).

A running process never reads "the app's env files"; it reads a few of them, in an order
where later files override earlier ones key by key. The checks compare settings within one
load set, so a template for the cloud and a template for local Docker are alternatives, not
a hybrid, and an overlay such as `.env.ports` is never taken for the file a template is
copied to.

The conventions modelled here:

* dotenv-flow, Vite and Next.js: in one folder, `.env`, `.env.local`, `.env.<mode>` and
  `.env.<mode>.local`, loaded in that order (dotenv-flow's and Vite's; Next.js swaps the
  middle two, which only matters when both set a key), `.env.local` left out in test mode.
  A mode is a word the config's `environments` name (production, test, development, ...);
  `docker` and `compose` are not modes: a file named for a container is an `env_file`.
* a template (a name with a template word: `.env.example`, `.env.production.example`,
  `example.env`) is its own load set; it is copied to the name without the template word,
  so it belongs to that file's mode.
* any other dotenv file (`render.env`, `databases.env`, `.env.ports`, `.env.supabase`), and
  every file under a documentation or migrations folder, stands alone.
* a Compose service reads the env files baked into the image it builds (its build context's
  `.env` and `.env.local`, unless `.dockerignore` keeps them out; lowest priority, because
  dotenv never overrides a variable that is already set), then its `env_file` entries in
  order, then its `environment`; `${VAR}` in `environment` is interpolated from the project
  `.env` beside the Compose file.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from tekup_envlint.config import Config
from tekup_envlint.dsn import whole_reference
from tekup_envlint.models import ComposeService, ParsedFile

if TYPE_CHECKING:  # the workspace imports this module
    from tekup_envlint.workspace import Connection

# A process's environment: what every check that compares settings looks at.
KINDS = ("dotenv", "template", "standalone", "compose-service")
# Folders whose env files are snippets for people to read, not files a process loads.
SNIPPET_FOLDERS = frozenset({"docs", "doc", "documentation", "migrations"})
# Words that name a container's env file rather than a dotenv-flow mode.
CONTAINER_WORDS = frozenset({"docker", "compose", "container"})
_WORDS = re.compile(r"[.\-_]+")
_DOCKERIGNORE_CAP = 256_000


@dataclass(frozen=True)
class LoadSet:
    """The files one process reads together, in load order (later overrides earlier).

    `connections` are the settings that process sees (each key once, from the last file that
    sets it) with their targets; `service` names the Compose service (`path#name`);
    `template_of` is the real file a template is copied to (it may not exist);
    `interpolation` is the project `.env` a Compose file interpolates from; `baked` are the
    files of `files` that travel into the service's image through its build context.
    """

    app: str
    kind: str
    mode: str
    files: Tuple[str, ...]
    service: Optional[str] = None
    template_of: Optional[str] = None
    interpolation: Optional[str] = None
    baked: Tuple[str, ...] = ()
    connections: Tuple["Connection", ...] = field(default=(), compare=False, repr=False)

    @property
    def providers(self) -> Tuple[str, ...]:
        """The database providers its settings point at (supabase, docker, ...), sorted. A
        Compose database service itself is no client setting: a PostgreSQL server does not
        read the `SUPABASE_URL` its build context bakes in."""
        return tuple(sorted({c.provider for c in self.connections if c.provider is not None and c.service is None}))

    @property
    def hybrid(self) -> bool:
        """Whether one process of this load set reads two database providers."""
        return len(self.providers) > 1

    @property
    def label(self) -> str:
        """A short name for people: the files joined by `+`, or the service."""
        if self.service is not None:
            return self.service
        return " + ".join(self.files)


# --------------------------------------------------------------------------- dotenv names


def _template_words(config: Config) -> Set[str]:
    return {w.lower() for env, words in config.environments if env == "template" for w in words}


def mode_words(config: Config) -> Dict[str, str]:
    """Mode word -> the environment it selects (`prod` -> production), without `local`."""
    found: Dict[str, str] = {}
    for env, words in config.environments:
        if env in ("template", "local"):
            continue
        for word in words:
            if word.lower() not in CONTAINER_WORDS:
                found.setdefault(word.lower(), env)
    return found


def _name_words(name: str) -> Optional[List[str]]:
    """The words after `.env` (`.env.production.local` -> [production, local]), of `x.env`
    before it (`example.env` -> [example]) or after `env.` (`env.example`); None when the
    name follows no dotenv naming at all."""
    lower = name.lower()
    if lower == ".env":
        return []
    if lower.startswith((".env.", ".env-", ".env_")):
        rest = lower[5:]
    elif lower.startswith(("env.", "env-", "env_")):
        rest = lower[4:]
    elif lower.endswith(".env"):
        rest = lower[:-4]
    else:
        return None
    return [w for w in _WORDS.split(rest) if w]


@dataclass(frozen=True)
class DotenvName:
    """What a dotenv file's name says about who loads it.

    role: base (`.env`), local (`.env.local`), mode (`.env.<mode>`), mode-local
    (`.env.<mode>.local`), template, or standalone. `target` is the name a template is
    copied to.
    """

    role: str
    mode: str = "default"
    target: Optional[str] = None


@lru_cache(maxsize=1 << 12)
def dotenv_name(name: str, config: Config) -> DotenvName:
    """Memoised: a monorepo repeats a few file names (`.env`, `.env.local`) in every app."""
    words = _name_words(name)
    if words is None:
        return DotenvName("standalone")
    templates = _template_words(config)
    if any(w in templates for w in words):
        rest = [w for w in words if w not in templates]
        target = ".env" + "".join("." + w for w in rest)
        real = dotenv_name(target, config)
        mode = real.mode if real.role != "standalone" else "default"
        return DotenvName("template", mode, target)
    if not name.lower().startswith(".env") or "-" in name[4:5] or "_" in name[4:5]:
        return DotenvName("standalone")
    modes = mode_words(config)
    if words == []:
        return DotenvName("base")
    if words == ["local"]:
        return DotenvName("local")
    if len(words) == 1 and words[0] in modes:
        return DotenvName("mode", words[0])
    if len(words) == 2 and words[0] in modes and words[1] == "local":
        return DotenvName("mode-local", words[0])
    return DotenvName("standalone")


def _snippet(path: str) -> bool:
    return any(part.lower() in SNIPPET_FOLDERS for part in path.split("/")[:-1])


# --------------------------------------------------------------------------- effective settings


def _effective(
    files: Sequence[ParsedFile], by_file: Dict[str, List[Connection]], service: Optional[ComposeService] = None,
) -> List[Connection]:
    """The connections a process sees: each key from the last file that sets it.

    A later file that sets a key to anything (even a value that is no connection) hides the
    earlier connection. In a Compose file only the named service's settings count.
    """
    seen: List[Tuple[Set[str], List[Connection]]] = []
    for parsed in files:
        if parsed.source.kind == "compose":
            keys = {s.key for s in service.environment} if service is not None else set()
            conns = list(by_file.get(f"{parsed.source.path}#{service.name}", ())) if service is not None else []
        else:
            keys = {s.key for s in parsed.settings}
            conns = list(by_file.get(parsed.source.path, ()))
        seen.append((keys, conns))
    out: List[Connection] = []
    for index, (_, conns) in enumerate(seen):
        later: Set[str] = set()
        for keys, _ in seen[index + 1:]:
            later |= keys
        out.extend(c for c in conns if c.key not in later)
    return out


# --------------------------------------------------------------------------- .dockerignore


_GLUED_LIMIT = 4  # `**` written inside a path segment (`a**b`): each doubles the alternatives


def _dockerignore_pattern(line: str) -> Optional[Tuple[bool, Tuple[Tuple[str, ...], ...]]]:
    """One `.dockerignore` line as (negated, alternatives), each alternative a tuple of
    path-segment globs in which `**` is a whole segment (any number of folders).

    Docker matches a line as a regular expression (`*` and `?` within a folder name, `**`
    across folders). Python's backtracking `re` took minutes on `*a*a*a...b` against a long
    folder name; here each segment is matched on its own with `fnmatchcase` (linear since
    Python 3.9) and the `**` segments by a small table over segments. A `**` inside a
    segment (`a**b`) is `a*b` within one folder or `a*`, `**`, `*b` across folders.
    """
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    negate = text.startswith("!")
    text = text[1:].strip() if negate else text
    text = posixpath.normpath(text.lstrip("/"))
    alternatives: List[Tuple[str, ...]] = [()]
    for segment in text.split("/"):
        if segment == "**" or "**" not in segment:
            alternatives = [alt + (segment,) for alt in alternatives]
            continue
        pieces = re.split(r"\*\*+", segment)
        if len(pieces) - 1 > _GLUED_LIMIT:  # beyond the limit, the rest stay within one folder
            pieces = pieces[:_GLUED_LIMIT] + ["*".join(pieces[_GLUED_LIMIT:])]
        grown: List[Tuple[str, ...]] = [alt + (pieces[0],) for alt in alternatives]
        for piece in pieces[1:]:
            grown = [g[:-1] + (g[-1] + "*" + piece,) for g in grown] + [
                g[:-1] + (g[-1] + "*", "**", "*" + piece) for g in grown]
        alternatives = grown
    return negate, tuple(dict.fromkeys(alternatives))


def _segments_match(pattern: Tuple[str, ...], parts: Sequence[str]) -> bool:
    """Whether path segments match segment globs (`**` any number of whole segments, but a
    final `**` after a folder at least one: Docker reads `a/**` as `a/.*`, which `a` fails)."""
    from fnmatch import fnmatchcase

    # reach[j]: the first i pattern segments can match the first j path segments
    reach = [True] + [False] * len(parts)
    for i, glob in enumerate(pattern):
        if glob == "**":
            if 0 < i == len(pattern) - 1:
                reach = [False] + [any(reach[: j + 1]) for j in range(len(parts))]
                continue
            for j in range(1, len(parts) + 1):
                reach[j] = reach[j] or reach[j - 1]
            continue
        reach = [False] + [reach[j] and fnmatchcase(parts[j], glob) for j in range(len(parts))]
        if not any(reach):
            return False
    return reach[len(parts)]


def _ignored_by(patterns: Sequence[Tuple[bool, Tuple[Tuple[str, ...], ...]]], rel: str) -> bool:
    """Docker's rule: the last matching pattern wins; a pattern that matches a folder
    matches everything below it."""
    parts = rel.split("/")
    candidates = [parts[: i + 1] for i in range(len(parts))]
    ignored = False
    for negate, alternatives in patterns:
        if any(_segments_match(alt, c) for alt in alternatives for c in candidates):
            ignored = not negate
    return ignored


def _read_dockerignore(root: Path, context: str, dockerfile: Optional[str]) -> List[Tuple[bool, Tuple[Tuple[str, ...], ...]]]:
    """The patterns of the build's `.dockerignore` (a `<Dockerfile>.dockerignore` first, as
    BuildKit reads it). Read here because discovery takes only configuration files; never
    through a symlink, and only a small file."""
    from tekup_envlint.parsers import read_small

    names = ([f"{dockerfile}.dockerignore"] if dockerfile else []) + [posixpath.join(context, ".dockerignore")]
    for rel in names:
        text = read_small(root, rel, _DOCKERIGNORE_CAP)  # no folder on the way may lead out of the root
        if text is None:
            continue
        return [p for p in map(_dockerignore_pattern, text.splitlines()) if p is not None]
    return []


# --------------------------------------------------------------------------- building


def _join(folder: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(folder, path)) if folder else posixpath.normpath(path)


def _inside(rel: str) -> bool:
    return rel != ".." and not rel.startswith("../") and not posixpath.isabs(rel)


class _Builder:
    """One workspace's load sets: its dotenv files by folder, its connections by file (and by
    Compose service), read once and shared by the dotenv and the Compose half."""

    def __init__(
        self, root: Path, config: Config, files: Sequence[ParsedFile], connections: Iterable[Connection],
        ignored: Callable[[Sequence[str]], Set[str]] = lambda paths: set(),
    ) -> None:
        self.root = root
        self.ignored = ignored
        self.config = config
        self.files = {f.source.path: f for f in files}
        self.by_file: Dict[str, List[Connection]] = {}
        for conn in connections:
            self.by_file.setdefault(conn.file.source.path, []).append(conn)
            # a Compose file's connections also by service (`path#name`), for its services' sets
            service = conn.service.name if conn.service is not None else conn.setting.service if conn.setting else ""
            if service:
                self.by_file.setdefault(f"{conn.file.source.path}#{service}", []).append(conn)
        self.folders: Dict[str, List[ParsedFile]] = {}
        for parsed in files:
            if parsed.source.kind == "dotenv":
                self.folders.setdefault(posixpath.dirname(parsed.source.path), []).append(parsed)
        self.names = {f.source.path: dotenv_name(posixpath.basename(f.source.path), config)
                      for f in files if f.source.kind == "dotenv"}

    # -- dotenv ---------------------------------------------------------------

    def _conventional(self, folder: str) -> Dict[str, ParsedFile]:
        """The folder's files that dotenv conventions load, by role (`mode:<m>`, ...)."""
        found: Dict[str, ParsedFile] = {}
        for parsed in self.folders.get(folder, ()):
            name = self.names[parsed.source.path]
            if _snippet(parsed.source.path) or name.role in ("template", "standalone"):
                continue
            slot = name.role if name.role in ("base", "local") else f"{name.role}:{name.mode}"
            found.setdefault(slot, parsed)
        return found

    def _chain(self, folder: str, mode: str) -> List[ParsedFile]:
        """The folder's files a process in `mode` loads, in load order."""
        slots = self._conventional(folder)
        test = dict(mode_words(self.config)).get(mode) == "test"
        order = ["base"] + ([] if test else ["local"])
        if mode != "default":
            order += [f"mode:{mode}", f"mode-local:{mode}"]
        return [slots[s] for s in order if s in slots]

    def _copies(self) -> Dict[str, str]:
        """Where a template's copy goes when the convention says it is not the file the
        template is named after: when the repository ignores `.env.local` but not `.env`,
        `.env` holds committed shared defaults and the developer copies the template to
        `.env.local` (Next.js's convention; the same for `.env.<mode>.local`)."""
        targets: Set[str] = set()
        for folder, parsed_files in self.folders.items():
            for parsed in parsed_files:
                name = self.names[parsed.source.path]
                if name.role == "template" and name.target and parsed.source.in_git:
                    if dotenv_name(name.target, self.config).role in ("base", "mode"):
                        targets.add(_join(folder, name.target))
        if not targets:
            return {}
        ignored = self.ignored(sorted(targets | {t + ".local" for t in targets}))
        return {t: t + ".local" for t in targets if t + ".local" in ignored and t not in ignored}

    def dotenv_sets(self) -> List[LoadSet]:
        out: List[LoadSet] = []
        copies = self._copies()
        for folder, parsed_files in self.folders.items():
            slots = self._conventional(folder)
            modes = ["default"] if ("base" in slots or "local" in slots) else []
            modes += sorted({slot.split(":", 1)[1] for slot in slots if ":" in slot})
            for mode in modes:
                out.append(self._set("dotenv", mode, self._chain(folder, mode)))
            for parsed in parsed_files:
                name = self.names[parsed.source.path]
                if name.role == "template":
                    target = _join(folder, name.target or ".env")
                    target = copies.get(target, target)
                    out.append(self._set("template", name.mode, [parsed], template_of=target))
                elif name.role == "standalone" or _snippet(parsed.source.path):
                    out.append(self._set("standalone", parsed.source.env, [parsed]))
        return out

    def _set(self, kind: str, mode: str, files: List[ParsedFile], **extra: Optional[str]) -> LoadSet:
        return LoadSet(
            app=files[0].source.app, kind=kind, mode=mode,
            files=tuple(f.source.path for f in files),
            connections=tuple(_effective(files, self.by_file)),
            **extra,  # type: ignore[arg-type]
        )

    def real_chain(self, path: str, mode: str) -> List[str]:
        """The files loaded together with a real file in a mode (itself alone if it stands alone)."""
        folder = posixpath.dirname(path)
        chain = [f.source.path for f in self._chain(folder, mode)]
        return chain if path in chain else [path]

    # -- Compose --------------------------------------------------------------

    def _build_folder(self, compose: ParsedFile, service: ComposeService) -> Optional[Tuple[str, str, Optional[str]]]:
        """(the folder of the app a service builds, its context, its Dockerfile), repo-relative."""
        if service.build_context is None or "$" in service.build_context or "://" in service.build_context:
            return None
        context = _join(posixpath.dirname(compose.source.path), service.build_context)
        if not _inside(context):
            return None
        context = "" if context == "." else context
        dockerfile = None
        folder = context
        if service.dockerfile and "$" not in service.dockerfile:
            dockerfile = _join(context, service.dockerfile)
            if not _inside(dockerfile):
                return None
            folder = posixpath.dirname(dockerfile)
        return folder, context, dockerfile

    def app_at(self, folder: str, apps: Iterable[str], fallback: str) -> str:
        """The app a folder belongs to: that of a configuration file in it, else the deepest
        app whose root holds it."""
        here = self.folders.get(folder)
        if here:
            return here[0].source.app
        holding = [r for r in apps if r != "." and (folder == r or folder.startswith(r + "/"))]
        return max(holding, key=len) if holding else fallback

    def compose_sets(self, apps: Iterable[str]) -> Tuple[List[LoadSet], Dict[str, Set[str]]]:
        """A load set per Compose service that reads anything, and which apps each Compose
        file builds (for reachability)."""
        out: List[LoadSet] = []
        builds: Dict[str, Set[str]] = {}
        app_roots = list(apps)
        for compose in self.files.values():
            if compose.source.kind != "compose":
                continue
            folder = posixpath.dirname(compose.source.path)
            project = _join(folder, ".env")
            project_file = self.files.get(project)
            for service in compose.services:
                app = compose.source.app
                baked: List[ParsedFile] = []
                built = self._build_folder(compose, service)
                if built is not None:
                    where, context, dockerfile = built
                    app = self.app_at(where, app_roots, compose.source.app)
                    builds.setdefault(compose.source.path, set()).add(app)
                    ignore = _read_dockerignore(self.root, context, dockerfile)
                    for path in self.real_chain(_join(where, ".env"), "default"):
                        rel = path[len(context) + 1:] if context else path
                        if path in self.files and not _ignored_by(ignore, rel):
                            baked.append(self.files[path])
                env_files = [self.files[p] for p in (_join(folder, r.path) for r in service.env_files)
                             if "$" not in p and p in self.files]
                chain = baked + env_files + [compose]
                own = self.by_file.get(f"{compose.source.path}#{service.name}", ())
                if len(chain) == 1 and not service.environment and not any(c.service is not None for c in own):
                    continue  # reads nothing and is no database: no process environment to model
                conns = _effective(chain, self.by_file, service)
                if project_file is not None:
                    conns = self._interpolated(conns, compose, project_file)
                out.append(LoadSet(
                    app=app, kind="compose-service", mode=compose.source.env,
                    files=tuple(f.source.path for f in chain),
                    service=f"{compose.source.path}#{service.name}",
                    interpolation=project if project_file is not None else None,
                    baked=tuple(f.source.path for f in baked),
                    connections=tuple(conns),
                ))
        return out, builds

    def _interpolated(self, conns: List[Connection], compose: ParsedFile, project: ParsedFile) -> List[Connection]:
        """`KEY: ${VAR}` in a service's environment takes the target the project `.env` gives VAR."""
        targets = {c.key: c.target for c in self.by_file.get(project.source.path, ()) if c.setting is not None}
        out = []
        for conn in conns:
            if conn.file is compose and conn.setting is not None and conn.setting.value is not None:
                ref = whole_reference(conn.setting.value.strip())
                if ref is not None and ref.name in targets:
                    conn = replace(conn, target=targets[ref.name])
            out.append(conn)
        return out


def build_load_sets(
    root: Path, config: Config, files: Sequence[ParsedFile], connections: Iterable[Connection], apps: Iterable[str],
    ignored: Callable[[Sequence[str]], Set[str]] = lambda paths: set(),
) -> Tuple[List[LoadSet], Dict[str, Set[str]]]:
    """Every load set of the workspace, dotenv ones first, and the apps each Compose file builds.

    `ignored` says which repo-relative paths the repository's ignore rules match (git's view,
    from discovery), for the conventions that depend on what stays uncommitted."""
    builder = _Builder(root, config, files, connections, ignored)
    compose, builds = builder.compose_sets(apps)
    return builder.dotenv_sets() + compose, builds
