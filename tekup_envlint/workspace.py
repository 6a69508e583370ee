"""The monorepo as the checks see it: apps, their files by environment, and where each points.

Built once per run from parsed files; checks only read it.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, Iterator, List, Optional, Set, Tuple

from tekup_envlint.classify import classify, classify_pg_vars, classify_service, interpolate_defaults
from tekup_envlint.config import Config, ConfigError
from tekup_envlint.loadsets import LoadSet, build_load_sets
from tekup_envlint.dsn import port_number
from tekup_envlint.models import ComposeService, ParsedFile, Setting, Span, Target

if TYPE_CHECKING:
    from tekup_envlint.endpoints import Reached

PROVIDER_OF_KIND = {
    "supabase": "supabase",
    "supabase-local": "supabase",
    "legacy-vault": "legacy-vault",
    "docker": "docker",
    "other": "other",
}


@dataclass(frozen=True)
class Connection:
    """A connection-bearing setting (or Compose service) and the target it points at."""

    file: ParsedFile
    key: str
    span: Span
    target: Target
    setting: Optional[Setting] = None
    service: Optional[ComposeService] = None

    @property
    def provider(self) -> Optional[str]:
        """supabase, docker, legacy-vault or other; None for placeholders and unresolved values.

        Also None for a Supabase key that names no project (no `ref` claim: an `sb_` key, a
        demo key, a key a self-hosted or test stack signs with its own secret): a key tells
        which database only through its project; where the app connects is said by the URL
        or connection string beside it.
        """
        if self.target.source == "supabase-key" and not self.target.project_ref:
            return None
        return PROVIDER_OF_KIND.get(self.target.kind)

    @property
    def where(self) -> str:
        return f"{self.file.source.path}:{self.span.line}"


@dataclass
class App:
    root: str
    files: List[ParsedFile] = field(default_factory=list)
    connections: List[Connection] = field(default_factory=list)
    load_sets: List[LoadSet] = field(default_factory=list)  # what its processes read (loadsets.py)

    @property
    def environments(self) -> List[str]:
        return sorted({f.source.env for f in self.files})


@dataclass
class Workspace:
    root: Path
    config: Config
    files: List[ParsedFile]
    apps: Dict[str, App]
    load_sets: List[LoadSet] = field(default_factory=list)
    builds: Dict[str, Set[str]] = field(default_factory=dict)  # Compose file -> apps it builds
    # the fix loop's in-memory texts (`fix --diff`): files a fix reads beyond the parsed ones
    # (a `.gitignore`, a local env file created in an earlier round) are read from here first
    overlay: Dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    _templates: Optional[Dict[str, List[str]]] = field(default=None, init=False, repr=False, compare=False)
    _by_path: Optional[Dict[str, ParsedFile]] = field(default=None, init=False, repr=False, compare=False)
    _reach: Optional[Dict[str, Set[str]]] = field(default=None, init=False, repr=False, compare=False)
    _reach_index: Optional[tuple] = field(default=None, init=False, repr=False, compare=False)
    _load_set_index: Optional[Tuple[Dict[str, List[LoadSet]], Dict[str, List[LoadSet]]]] = field(
        default=None, init=False, repr=False, compare=False)
    _readers: Optional[Dict[str, List[LoadSet]]] = field(default=None, init=False, repr=False, compare=False)

    def file(self, path: str) -> Optional[ParsedFile]:
        """The discovered file at a repo-relative path, if any."""
        if self._by_path is None:
            self._by_path = {}
            for parsed in self.files:
                self._by_path.setdefault(parsed.source.path, parsed)
        return self._by_path.get(path)

    def load_sets_reading(self, path: str) -> List[LoadSet]:
        """Every load set (of any kind) whose process reads a file, from an index built once:
        the fixes ask it per setting."""
        if self._readers is None:
            self._readers = {}
            for load_set in self.load_sets:
                for member in load_set.files:
                    self._readers.setdefault(member, []).append(load_set)
        return self._readers.get(path, [])

    def load_set_connections(self, load_set: LoadSet) -> Tuple[Connection, ...]:
        """The connections one process of a load set sees (each key from the file that wins)."""
        return load_set.connections

    def real_set_of(self, template: LoadSet) -> Optional[LoadSet]:
        """The load set a template's copy joins: the dotenv chain of its mode that holds the
        file it is copied to (`.env.example` -> `.env` + `.env.local`), or that file alone
        when it stands alone. None when that file does not exist."""
        target = template.template_of
        if target is None:
            return None
        holding = self._index()[0].get(target, [])
        return next((ls for ls in holding if ls.mode == template.mode), None) or next(iter(holding), None)

    def _index(self) -> Tuple[Dict[str, List[LoadSet]], Dict[str, List[LoadSet]]]:
        """(real load sets by the files they hold, templates by the file they are copied to),
        built once so that pairing templates does not scan every load set per template."""
        if self._load_set_index is None:
            holding: Dict[str, List[LoadSet]] = {}
            templates: Dict[str, List[LoadSet]] = {}
            for load_set in self.load_sets:
                if load_set.kind in ("dotenv", "standalone"):
                    for path in load_set.files:
                        holding.setdefault(path, []).append(load_set)
                elif load_set.kind == "template" and load_set.template_of is not None:
                    templates.setdefault(load_set.template_of, []).append(load_set)
            self._load_set_index = (holding, templates)
        return self._load_set_index

    def resolve(self, app: str, name: str) -> List[Tuple[LoadSet, Connection]]:
        """Where a variable a Prisma datasource names (`env("DATABASE_URL")`) points, in each
        load set of the app (then of the repository root) that sets it: the value each
        process would hand to Prisma."""
        found: List[Tuple[LoadSet, Connection]] = []
        for root in dict.fromkeys((app, ".")):
            owner = self.apps.get(root)
            for load_set in owner.load_sets if owner is not None else ():
                found.extend((load_set, c) for c in load_set.connections if c.key == name)
            if found:
                break
        return found

    def template_for(self, path: str) -> List[LoadSet]:
        """The templates that are copied to a real file."""
        return list(self._index()[1].get(path, ()))

    def compose_files_reaching(self, app: str) -> Set[str]:
        """The Compose files whose databases an app's DSNs can reach: the app's own, those
        in a folder above the app (a root `docker-compose.yml` serves the apps beneath it),
        those that build one of its services or read its env files (`env_file`), for the
        repository root those of a top-level folder without a manifest (`docker/`), and the
        configured Docker database's. Not every PostgreSQL of the repository that happens to
        publish the same port."""
        if self._reach is None:
            self._reach = {}
        if app not in self._reach:
            by_app, by_folder, by_read, by_build, files_of = self._compose_index()
            here = "" if app == "." else app
            found: Set[str] = set(by_app.get(app, ()))
            folder = here
            while True:  # the app's folder and every folder above it, up to the root ("")
                found.update(by_folder.get(folder, ()))
                if not folder:
                    break
                folder = posixpath.dirname(folder)
            for path in files_of.get(app, ()):
                found.update(by_read.get(path, ()))
            found.update(by_build.get(app, ()))
            if app == ".":
                found.update(p.source.path for p in self.files
                             if p.source.kind == "compose" and self._top_config_folder(p.source.app))
            if self.config.docker.compose_file:
                found.add(self.config.docker.compose_file)
            self._reach[app] = found
        return self._reach[app]

    def _compose_index(self) -> Tuple[Dict[str, Set[str]], Dict[str, List[str]], Dict[str, Set[str]],
                                      Dict[str, Set[str]], Dict[str, List[str]]]:
        """Compose files by app, by folder, by the files they read (`env_file`) and by the
        apps they build, and every file by app: built once, so that finding the files that
        reach each app is linear in the workspace, not apps x Compose files."""
        if self._reach_index is None:
            by_app: Dict[str, Set[str]] = {}
            by_folder: Dict[str, List[str]] = {}
            by_read: Dict[str, Set[str]] = {}
            by_build: Dict[str, Set[str]] = {}
            files_of: Dict[str, List[str]] = {}
            for parsed in self.files:
                path = parsed.source.path
                files_of.setdefault(parsed.source.app, []).append(path)
                if parsed.source.kind != "compose":
                    continue
                by_app.setdefault(parsed.source.app, set()).add(path)
                folder = posixpath.dirname(path)
                by_folder.setdefault(folder, []).append(path)
                for service in parsed.services:
                    for ref in service.env_files:
                        by_read.setdefault(posixpath.normpath(posixpath.join(folder, ref.path)), set()).add(path)
            compose = {path for paths in by_app.values() for path in paths}
            for path, apps in self.builds.items():
                if path in compose:
                    for built in apps:
                        by_build.setdefault(built, set()).add(path)
            self._reach_index = (by_app, by_folder, by_read, by_build, files_of)
        return self._reach_index

    def _top_config_folder(self, unit: str) -> bool:
        """A folder right under the root with no manifest of its own (`docker/`, `infra/`): the
        workspace's own infrastructure, which serves the env files at the root."""
        from tekup_envlint.discovery import MANIFESTS

        return unit != "." and "/" not in unit and not any((self.root / unit / m).is_file() for m in MANIFESTS)

    def initdb_databases(self, compose: ParsedFile, service: ComposeService) -> Set[str]:
        """Databases a Compose PostgreSQL service creates beyond POSTGRES_DB, where that can be
        read statically: names in POSTGRES_MULTIPLE_DATABASES, and `CREATE DATABASE x` in the
        `.sql` and `.sh` scripts mounted at /docker-entrypoint-initdb.d (read here, as small
        files inside the root and never through a symlink, because discovery takes only
        configuration files)."""
        found: Set[str] = set()
        for setting in service.environment:
            if setting.key == "POSTGRES_MULTIPLE_DATABASES" and setting.value and "$" not in setting.value:
                found.update(n.strip() for n in re.split(r"[,\s]+", setting.value) if n.strip())
        folder = posixpath.dirname(compose.source.path)
        for volume in service.volumes:
            source, _, rest = volume.partition(":")
            if not rest.startswith(INITDB) or not source.startswith((".", "/")) or "$" in source:
                continue
            rel = posixpath.normpath(posixpath.join(folder, source))
            for text in _small_files(self.root, rel):
                found.update(m.group(1) for m in _CREATE_DATABASE.finditer(text))
        return found
    # what `check --live` found on the databases (an `endpoints.Reached`); None offline
    live: Optional["Reached"] = field(default=None, init=False, repr=False, compare=False)

    def templates_by_folder(self) -> Dict[str, List[str]]:
        """The discovered dotenv templates by folder, in workspace order.

        The folder is `posixpath.dirname` of the repo-relative path: no trailing "/", and ""
        for the root. Built once per workspace and shared by the checks: read it, never
        change it.
        """
        if self._templates is None:
            found: Dict[str, List[str]] = {}
            for parsed in self.files:
                source = parsed.source
                if source.kind == "dotenv" and source.env == "template":
                    found.setdefault(posixpath.dirname(source.path), []).append(source.path)
            self._templates = found
        return self._templates

    def settings(self) -> Iterator[Tuple[ParsedFile, Setting]]:
        """Every setting of every file (dotenv lines and Compose environment entries)."""
        for parsed in self.files:
            for setting in parsed.settings:
                yield parsed, setting

    def declared_schemas(self) -> Set[str]:
        """Schemas that config lists or any Prisma datasource declares."""
        declared = set(self.config.schemas)
        for parsed in self.files:
            for ds in parsed.datasources:
                declared.update(name for name, _ in ds.schemas)
        return declared


INITDB = "/docker-entrypoint-initdb.d"
_CREATE_DATABASE = re.compile(r'\bCREATE\s+DATABASE\s+(?:IF\s+NOT\s+EXISTS\s+)?"?([A-Za-z0-9_\-]+)"?', re.I)
_SCRIPT_SUFFIXES = (".sql", ".sh")
_SCRIPT_CAP = 1_000_000


def _small_files(root: Path, rel: str) -> Iterator[str]:
    """The text of an init script mounted as one file, or of the scripts in a mounted
    folder; nothing outside the root (through any folder on the way), through a symlink
    out of it, blocking (a FIFO), or too big."""
    from tekup_envlint.parsers import read_small

    if rel == ".." or rel.startswith("../") or posixpath.isabs(rel):
        return
    base = root / rel
    real_root = os.path.realpath(root)
    try:
        real = os.path.realpath(base)
        if base.is_symlink() or real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep):
            return  # the folder is listed only when no part of its path leads out of the root
        paths = [rel] if base.is_file() else [posixpath.join(rel, n) for n in sorted(os.listdir(base))] \
            if base.is_dir() else []
    except OSError:
        return
    for path in paths:
        if path.endswith(_SCRIPT_SUFFIXES):
            text = read_small(root, path, _SCRIPT_CAP)
            if text is not None:
                yield text


def _connections(parsed: ParsedFile, config: Config, memo: Dict[Tuple[str, Optional[str]], Optional[Target]]) -> List[Connection]:
    found: List[Connection] = []
    for setting in parsed.settings:
        # classify is a pure function of (key, value, config), and a monorepo repeats the
        # same lines (PORT=3000, the shared DSN) in file after file: classify each once
        pair = (setting.key, setting.value)
        try:
            target = memo[pair]
        except KeyError:
            target = memo[pair] = classify(setting.key, setting.value, config)
        if target is not None:
            span = setting.value_span or setting.key_span
            found.append(Connection(parsed, setting.key, span, target, setting=setting))
    claimed = {id(c.setting) for c in found}
    services: Dict[str, List[Setting]] = {}
    for setting in parsed.settings:
        services.setdefault(setting.service, []).append(setting)
    for group in services.values():
        for setting, target in classify_pg_vars(group, config):
            if id(setting) not in claimed:
                span = setting.value_span or setting.key_span
                found.append(Connection(parsed, setting.key, span, target, setting=setting))
    for service in parsed.services:
        target = classify_service(service, config)
        if target is not None:
            found.append(Connection(parsed, service.name, service.span, target, service=service))
    return found


def published_ports(
    service: ComposeService, port: int = 5432, interpolate: Callable[[str], Optional[str]] = interpolate_defaults
) -> Tuple[int, ...]:
    """Host ports of the `ports` entries whose container port is `port` (`"5433:5432"` -> 5433).

    Entries are interpolated first (by default as Compose does with no variable set).
    """
    found: List[int] = []
    for text, _ in service.ports:
        entry = interpolate(text.strip())
        parts = (entry or "").split("/")[0].rsplit(":", 2)
        published = port_number(parts[-2]) if len(parts) >= 2 and parts[-1] == str(port) else None
        if published is not None:  # not `²` nor thousands of digits: the parser reports those
            found.append(published)
    return tuple(found)


def resolve_config(config: Config, files: List[ParsedFile]) -> Config:
    """Fill what the config says to read from files: the Docker database from its Compose service."""
    docker = config.docker
    if not docker.compose_file:
        return config
    where = f"{config.source or 'config'}: key `docker.compose-file`"
    parsed = next((f for f in files if f.source.path == docker.compose_file), None)
    if parsed is None:
        raise ConfigError(f"{where}: {docker.compose_file} was not found under the root")
    if not parsed.services and parsed.problems:  # unreadable, outside the root, broken YAML
        raise ConfigError(f"{where}: {parsed.problems[0].message}")
    for service in parsed.services:
        if docker.service not in (None, service.name):
            continue
        target = classify_service(service, config)
        if target is None:
            continue
        return replace(config, docker=replace(
            docker,
            user=target.user or docker.user,
            database=target.database or docker.database,
            image=service.image or docker.image,
            port=next(iter(published_ports(service, target.port or 5432)), docker.port),
        ))
    wanted = f"PostgreSQL service named {docker.service}" if docker.service else "PostgreSQL service"
    raise ConfigError(f"{where}: {docker.compose_file} has no {wanted}")


def build(root: Path, config: Config, files: List[ParsedFile]) -> Workspace:
    config = resolve_config(config, files)
    apps: Dict[str, App] = {}
    memo: Dict[Tuple[str, Optional[str]], Optional[Target]] = {}
    for parsed in files:
        app = apps.setdefault(parsed.source.app, App(parsed.source.app))
        app.files.append(parsed)
        app.connections.extend(_connections(parsed, config, memo))
    _through_services(apps)
    connections = [c for app in apps.values() for c in app.connections]
    from tekup_envlint.discovery import ignored_by_git  # git's view stays in discovery

    load_sets, builds = build_load_sets(root, config, files, connections, list(apps),
                                        lambda paths: ignored_by_git(root, paths))
    for load_set in load_sets:
        apps.setdefault(load_set.app, App(load_set.app)).load_sets.append(load_set)
    return Workspace(root=root, config=config, files=files, apps=dict(sorted(apps.items())),
                     load_sets=load_sets, builds=builds)


def _service_kinds(conns: List[Connection]) -> Dict[str, Set[str]]:
    kinds: Dict[str, Set[str]] = {}
    for c in conns:
        if c.service is not None and c.target.source == "compose-service":
            kinds.setdefault(c.service.name.lower(), set()).add(c.target.kind)
    return kinds


def _through_services(apps: Dict[str, App]) -> None:
    """A connection that names a Compose PostgreSQL service as its host reaches whatever that
    service runs: `POSTGRES_HOST=db` beside a `db` service on `supabase/postgres` is the
    local Supabase stack, not a plain Docker PostgreSQL. Services of the connection's own app
    decide when it has any; a name whose services run different kinds is left as classified."""
    own = {root: _service_kinds(app.connections) for root, app in apps.items()}
    everywhere: Dict[str, Set[str]] = {}
    for kinds in own.values():
        for name, found in kinds.items():
            everywhere.setdefault(name, set()).update(found)
    if not everywhere:
        return
    for root, app in apps.items():
        table = own[root] or everywhere
        for index, conn in enumerate(app.connections):
            target = conn.target
            if target.source not in ("dsn", "pg-vars") or target.kind not in ("docker", "supabase-local"):
                continue
            host = (target.host or "").split(",")[0].strip().lower()
            kinds = table.get(host)
            if kinds is None or len(kinds) != 1:
                continue
            kind = next(iter(kinds))
            if kind != target.kind:
                app.connections[index] = replace(conn, target=replace(target, kind=kind))


KIND_LABEL = {
    "supabase": "Supabase",
    "legacy-vault": "the legacy Supabase project",
    "supabase-local": "the local Supabase CLI stack",
    "docker": "Docker PostgreSQL",
    "other": "an external PostgreSQL",
    "placeholder": "a placeholder",
    "unresolved": "an unresolved reference",
}


def describe(target: Target) -> str:
    """A short, secret-free description of a target for messages: kind, then where."""
    label = KIND_LABEL.get(target.kind, target.kind)
    if target.kind in ("supabase", "legacy-vault") and target.project_ref:
        label = f"{label} project {target.project_ref}" if target.kind == "supabase" else f"{label} {target.project_ref}"
    where = ""
    if target.host and target.source in ("dsn", "pg-vars", "compose-service"):
        where = target.host + (f":{target.port}" if target.port else "")
        where += f"/{target.database}" if target.database else ""
        where += f"?schema={target.schema}" if target.schema else ""
    return f"{label} ({where})" if where else label
