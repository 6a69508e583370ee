"""The monorepo as the checks see it: apps, their files by environment, and where each points.

Built once per run from parsed files; checks only read it.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Set, Tuple

from tekup_envlint.classify import classify, classify_pg_vars, classify_service, interpolate_defaults
from tekup_envlint.config import Config, ConfigError
from tekup_envlint.dsn import port_number
from tekup_envlint.models import ComposeService, ParsedFile, Setting, Span, Target

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

    @property
    def environments(self) -> List[str]:
        return sorted({f.source.env for f in self.files})


@dataclass
class Workspace:
    root: Path
    config: Config
    files: List[ParsedFile]
    apps: Dict[str, App]
    _templates: Optional[Dict[str, List[str]]] = field(default=None, init=False, repr=False, compare=False)

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
    return Workspace(root=root, config=config, files=files, apps=dict(sorted(apps.items())))


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
