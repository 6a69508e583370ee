"""The plan: what a person must still do after `fix` (the seed survey's "next steps").

Built from the notes of the fixes that were applied (keys to fetch, where a secret went)
and from the fixed workspace (what the strategy could not write, the databases and schemas
the data moves between). Data steps are concrete commands for this repository: migrate
the target with Prisma, `pg_dump` the data from the source, restore it with `psql`, and
compare both sides with `tekup-envlint survey --compare`. A password is never written:
commands read it from a shell variable (`PGPASSWORD="${POSTGRES_PASSWORD}"`) the person
sets first.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from tekup_envlint import strategy as _strategy
from tekup_envlint.classify import classify_service
from tekup_envlint.models import Fix
from tekup_envlint.workspace import Workspace, published_ports

_MOVED = re.compile(r"kept as a comment|\bmoved (?:from|to) |the value kept|\bmoved\b.* to ")
_LEGACY = re.compile(r"^Data: legacy project ([a-z]{20}) \(app (\S+), schema ([A-Za-z0-9_]+)\)")


@dataclass(frozen=True)
class Database:
    """One side of a data move, password aside (`password_var` names the shell variable)."""

    label: str
    slug: str  # names its dump file
    host: str
    port: int
    user: str
    database: str
    password_var: str
    compose: Optional[Tuple[str, str]] = None  # (Compose file, service) that runs it

    def uri(self) -> str:
        return f"postgresql://{self.user}:${{{self.password_var}}}@{self.host}:{self.port}/{self.database}"

    def libpq(self) -> str:
        return f"--host={self.host} --port={self.port} --username={self.user} --dbname={self.database}"


@dataclass(frozen=True)
class Step:
    title: str
    commands: Tuple[str, ...] = ()
    why: str = ""


@dataclass(frozen=True)
class Plan:
    strategy: Optional[str]
    keys: Tuple[str, ...] = ()  # keys and passwords to fetch or set
    secrets: Tuple[str, ...] = ()  # where each secret went
    removed: Tuple[str, ...] = ()  # settings a strategy took out (no secret in them)
    manual: Tuple[str, ...] = ()  # what the fix could not do, and why
    data: Tuple[Step, ...] = ()  # the data to move, as commands

    @property
    def empty(self) -> bool:
        return not (self.keys or self.secrets or self.removed or self.manual or self.data)


# --------------------------------------------------------------------------- building


def _merge(notes: Sequence[str]) -> List[str]:
    """Notes "<what>: read by <file>" become one line per <what> naming every file."""
    files: Dict[str, List[str]] = {}
    for note in notes:
        what, sep, path = note.partition(_strategy.READ_BY)
        files.setdefault(what if sep else note, [])
        if sep and path not in files[what]:
            files[what].append(path)
    return [what + (_strategy.READ_BY + ", ".join(paths) if paths else "") for what, paths in files.items()]


def _sort_notes(fixes: Sequence[Fix]) -> Tuple[List[str], List[str], List[str], List[str], List[Tuple[str, str, str]]]:
    """(keys to fetch, secrets moved, settings removed, other, legacy data) from the fixes' notes."""
    keys: List[str] = []
    secrets: List[str] = []
    removed: List[str] = []
    other: List[str] = []
    legacy: Dict[Tuple[str, str, str], None] = {}
    for fix in fixes:
        for note in fix.notes:
            m = _LEGACY.match(note)
            if m:
                legacy[(m.group(1), m.group(2), m.group(3))] = None
            elif note.startswith(("Fetch ", "Set ")):
                keys.append(note)
            elif _MOVED.search(note):
                secrets.append(note)
            elif " removed from " in note:
                removed.append(note)
            else:
                other.append(note)
    unique = lambda notes: list(dict.fromkeys(notes))  # noqa: E731
    return _merge(keys), unique(secrets), unique(removed), unique(other), list(legacy)


def docker_databases(ws: Workspace) -> List[Database]:
    """The Docker PostgreSQL databases the Compose files describe, seen from the host;
    the config's when none publishes a port."""
    found: Dict[Tuple[str, int, str], Database] = {}
    for parsed in ws.files:
        if parsed.source.kind != "compose":
            continue
        for service in parsed.services:
            target = classify_service(service, ws.config)
            ports = published_ports(service)
            if target is None or target.kind != "docker" or not ports:
                continue
            user = target.user or "postgres"
            database = target.database or user
            key = ("localhost", ports[0], database)
            found.setdefault(key, Database(f"Docker ({parsed.source.path}#{service.name})", f"docker-{database}",
                                           "localhost", ports[0], user, database, "POSTGRES_PASSWORD",
                                           (parsed.source.path, service.name)))
    if not found:
        d = ws.config.docker
        return [Database("Docker (config)", f"docker-{d.database}", d.host, d.port, d.user, d.database, "POSTGRES_PASSWORD")]
    return list(found.values())


def primary_database(ws: Workspace) -> Database:
    """The primary project for pg_dump, psql and migrations: the pooler in session mode
    (IPv4) when its host is known, else the direct host."""
    ref = ws.config.primary.ref
    host = _strategy.pooler_host(ws)
    if host is not None:
        return Database(f"Supabase {ref} (session pooler)", f"supabase-{ref}", host, 5432, f"postgres.{ref}", "postgres",
                        "SUPABASE_DB_PASSWORD")
    return Database(f"Supabase {ref} (direct)", f"supabase-{ref}", f"db.{ref}.supabase.co", 5432, "postgres", "postgres",
                    "SUPABASE_DB_PASSWORD")


def _legacy_database(ref: str) -> Database:
    return Database(f"legacy Supabase {ref} (direct)", f"legacy-{ref}", f"db.{ref}.supabase.co", 5432, "postgres", "postgres",
                    "LEGACY_DB_PASSWORD")


def _schemas(ws: Workspace) -> List[str]:
    """The schemas to dump: the config's, those Prisma declares, and those the apps' Supabase
    and Docker connection strings use (`?schema=`; `public` for one that names none, which is
    where Prisma and every client then write): a schema left out is data left behind."""
    declared = set(ws.declared_schemas())
    for app in ws.apps.values():
        for conn in app.connections:
            if conn.target.source == "dsn" and conn.provider in ("supabase", "docker"):
                declared.add(conn.target.schema or "public")
    return list(ws.config.schemas) + sorted(declared - set(ws.config.schemas))


def _migrations(ws: Workspace, target: Database) -> List[str]:
    """`prisma migrate deploy` per app with a schema.prisma, with the variables its
    datasource reads pointed at the target."""
    commands: List[str] = []
    for parsed in sorted((f for f in ws.files if f.source.kind == "prisma"), key=lambda f: f.source.path):
        ds = next((d for d in parsed.datasources if d.url is not None), None)
        if ds is None:
            continue
        app = parsed.source.app
        names = [v.env for v in (ds.url, ds.direct_url) if v is not None and v.env]
        assigns = " ".join(f'{name}="{target.uri()}"' for name in dict.fromkeys(names))
        schema_file = posixpath.relpath(parsed.source.path, app if app != "." else ".")
        prefix = f"cd {shlex.quote(app)} && " if app != "." else ""
        commands.append(f"({prefix}{assigns} npx prisma migrate deploy --schema {shlex.quote(schema_file)})")
    return commands


def _move(source: Database, target: Database, schemas: Sequence[str]) -> List[Step]:
    dump = f"{source.slug}-data.sql"
    flags = " ".join(f"--schema={shlex.quote(s)}" for s in schemas)
    return [
        Step(f"Dump the data of {source.label}", (
            f'PGPASSWORD="${{{source.password_var}}}" pg_dump {source.libpq()} --data-only --no-owner '
            f"--no-privileges {flags} --exclude-table-data='*._prisma_migrations' --file={dump}",
        ), "data only: the tables come from the migrations; skip this and the restore when `survey` shows "
           "the source empty"),
        Step(f"Restore it into {target.label}", (
            f'PGPASSWORD="${{{target.password_var}}}" psql {target.libpq()} --single-transaction '
            f"--variable=ON_ERROR_STOP=1 --command='SET session_replication_role = replica' --file={dump}",
        ), "replica mode skips triggers and foreign-key checks while rows arrive in any order"),
        Step("Verify: compare the tables of both sides, counting rows", (
            f"tekup-envlint survey --compare '{source.uri()}' '{target.uri()}' --exact",
        ), "the single quotes keep ${...} for tekup-envlint, which reads the passwords from the environment"),
    ]


def _data_steps(ws: Workspace, strategy: Optional[str], legacy: Sequence[Tuple[str, str, str]]) -> List[Step]:
    if strategy not in _strategy.STRATEGIES:
        return []
    schemas = _schemas(ws)
    steps: List[Step] = []
    if strategy == "supabase":
        target = primary_database(ws)
        sources = docker_databases(ws)
    else:
        target = docker_databases(ws)[0]
        sources = [primary_database(ws)]
        if target.compose is not None:
            compose, service = target.compose
            steps.append(Step("Start the Docker database",
                              (f"docker compose -f {shlex.quote(compose)} up -d {shlex.quote(service)}",)))
    migrations = _migrations(ws, target)
    if migrations:
        steps.append(Step(f"Create the schemas and tables on {target.label}", tuple(migrations),
                          "before the data: a data-only restore needs the tables"))
    for source in sources:
        steps.extend(_move(source, target, schemas))
    for ref, app, schema in legacy:
        steps.extend(_move(_legacy_database(ref), target, [schema]))
    if strategy == "docker":
        steps.append(Step("Set up backups of the Docker database", (
            f'PGPASSWORD="${{{target.password_var}}}" pg_dump {target.libpq()} --format=custom '
            f"--file=backup-$(date +%F).dump",
        ), "Supabase took backups; a Docker database has none until you schedule this"))
    return steps


def _moves_data(ws: Workspace, applied: Sequence[Fix], strategy: Optional[str]) -> bool:
    """Whether data must move: a strategy fix was applied in this run, or the repository
    still names both the strategy's database and the one it replaces (a second run)."""
    if strategy is None:
        return False
    if any(_strategy.is_strategy_note(n) for fix in applied for n in fix.notes):
        return True
    providers = {c.provider for app in ws.apps.values() for c in app.connections}
    return {"supabase", "docker"} <= providers


def _direct_url_lines(ws: Workspace) -> List[str]:
    """Prisma datasources whose url now goes through the transaction pooler without a
    directUrl: migrations would run through the pooler (SCH008); adding one is a person's edit."""
    found: List[str] = []
    target = primary_database(ws)
    for parsed in ws.files:
        for ds in parsed.datasources:
            if ds.url is None or not ds.url.env or ds.direct_url is not None:
                continue
            pooled = [c for _, c in ws.resolve(parsed.source.app, ds.url.env) if c.target.pooler_mode == "transaction"]
            if pooled:
                found.append(f"{parsed.source.path}: datasource {ds.name} reads {ds.url.env} through the transaction "
                             f"pooler ({pooled[0].where}) and has no directUrl: add `directUrl = env(\"DIRECT_URL\")` "
                             f"and set DIRECT_URL to {target.uri()} so that `prisma migrate` does not run through the "
                             "pooler")
    return found


def build_plan(ws: Workspace, applied: Sequence[Fix], strategy: Optional[str]) -> Plan:
    """The plan after a fix: `ws` is the fixed workspace, `applied` the fixes written."""
    keys, secrets, removed, other, legacy = _sort_notes(applied)
    manual = other + (_strategy.unresolved(ws, strategy) if strategy else [])
    if strategy == "supabase":
        manual += _direct_url_lines(ws)
    manual = list(dict.fromkeys(manual))
    steps = _data_steps(ws, strategy, legacy) if _moves_data(ws, applied, strategy) else []
    if steps:
        names = ["POSTGRES_PASSWORD", "SUPABASE_DB_PASSWORD"] + (["LEGACY_DB_PASSWORD"] if legacy else [])
        keys.append(f"Before the data steps, set {', '.join(names)} in your shell (never in a tracked file)"
                    + (f"; LEGACY_DB_PASSWORD is the database password of {', '.join(sorted({r for r, _, _ in legacy}))}"
                       if legacy else ""))
    return Plan(strategy, tuple(dict.fromkeys(keys)), tuple(secrets), tuple(removed), tuple(manual), tuple(steps))


# --------------------------------------------------------------------------- rendering


def _sections(plan: Plan) -> List[Tuple[str, List[str]]]:
    return [
        ("Keys and passwords to fetch", list(plan.keys)),
        ("Secrets moved", list(plan.secrets)),
        ("Settings removed", list(plan.removed)),
        ("Needs a person", list(plan.manual)),
    ]


def to_markdown(plan: Plan) -> str:
    """The plan as Markdown for a pull request."""
    title = f"# Plan: strategy {plan.strategy}" if plan.strategy else "# Plan"
    out = [title, ""]
    if plan.empty:
        return "\n".join(out + ["Nothing needs a person.", ""])
    for heading, lines in _sections(plan):
        if lines:
            out += [f"## {heading}", ""] + [f"- [ ] {line}" for line in lines] + [""]
    if plan.data:
        out += ["## Data to move", ""]
        for number, step in enumerate(plan.data, 1):
            out.append(f"{number}. {step.title}" + (f" ({step.why})" if step.why else ""))
            if step.commands:
                out += ["", "   ```sh"] + [f"   {c}" for c in step.commands] + ["   ```", ""]
        if out[-1] != "":
            out.append("")
    return "\n".join(out)


def to_text(plan: Plan) -> str:
    """The plan for a terminal, printed at the end of `fix`."""
    title = f"Plan (strategy {plan.strategy})" if plan.strategy else "Plan"
    if plan.empty:
        return f"{title}: nothing needs a person.\n"
    out = [f"{title}:"]
    for heading, lines in _sections(plan):
        if lines:
            out += ["", f"{heading}:"] + [f"  - {line}" for line in lines]
    if plan.data:
        out += ["", "Data to move:"]
        for number, step in enumerate(plan.data, 1):
            out.append(f"  {number}. {step.title}" + (f" ({step.why})" if step.why else ""))
            out += [f"       {c}" for c in step.commands]
    return "\n".join(out) + "\n"
