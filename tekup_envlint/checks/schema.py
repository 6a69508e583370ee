"""Schema: which PostgreSQL schema, database, user and pooler mode a connection selects.

Most checks read the `Target` the classifier made of a connection string; the helpers
below pick the connections each check reads, find the Compose database a connection is
aimed at, and resolve the variables a Prisma datasource reads with `env("...")`.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Dict, FrozenSet, Iterator, List, Optional, Set, Tuple

from tekup_envlint import dsn as _dsn
from tekup_envlint.checks import rule
from tekup_envlint.classify import classify, is_local_host, secret_state
from tekup_envlint.config import Config
from tekup_envlint.models import ComposeService, Hit, ParsedFile, PrismaDatasource, PrismaValue, Target
from tekup_envlint.patterns import load
from tekup_envlint.workspace import App, Connection, Workspace, published_ports

# `public` exists in every PostgreSQL database and is Prisma's default schema.
DEFAULT_SCHEMA = "public"
# Kinds that point somewhere other than the monorepo's own databases (an external server
# whose schemas nobody here declares) or nowhere yet (a template to fill in).
FOREIGN_KINDS = ("other", "placeholder")
# Keys Prisma reads by convention even when no schema.prisma of the repository names them
# (the Prisma client of a shared database package, Vercel's Postgres integration).
PRISMA_URL_KEYS = ("DATABASE_URL", "POSTGRES_PRISMA_URL")
# A key named for a schema: DATABASE_URL_BILLY, DIRECT_URL_BILLY, BILLY_DATABASE_URL.
_NAMED_URL = re.compile(
    r"^(?:DATABASE|DIRECT)_URL_(?P<a>[A-Z0-9]+(?:_[A-Z0-9]+)*)$|^(?P<b>[A-Z0-9]+(?:_[A-Z0-9]+)*)_DATABASE_URL$"
)
ENV_KINDS = ("dotenv", "compose")  # files whose settings define variables for an app


# --------------------------------------------------------------------------- helpers


def _literal(value: Optional[str]) -> Optional[str]:
    """The value when it is a concrete one: not absent, not a `${VAR}`, not a placeholder."""
    return value if value is not None and secret_state(value) == "literal" else None


def _hit(app: App, conn: Connection, message: str, value: Optional[str]) -> Hit:
    return Hit(conn.file.source.path, conn.span, app.root, conn.key, message, value=value)


def _dsns(ws: Workspace) -> Iterator[Tuple[App, Connection]]:
    """Every connection-string setting: a URI, or a `${VAR}` under a connection-string name."""
    for app in ws.apps.values():
        for conn in app.connections:
            if conn.target.source == "dsn" and conn.setting is not None:
                yield app, conn


def _schemas(ws: Workspace) -> Iterator[Tuple[App, Connection, str]]:
    """DSNs with a concrete `?schema=`, except fill-in templates (placeholder hosts)."""
    for app, conn in _dsns(ws):
        schema = _literal(conn.target.schema)
        if schema is not None and conn.target.kind != "placeholder":
            yield app, conn, schema


def _first_host(conn: Connection) -> str:
    return (conn.target.host or "").split(",")[0].strip().lower().rstrip(".")


def _in_container(conn: Connection) -> bool:
    """A Compose `environment` entry: `localhost` there is the container itself."""
    return conn.setting is not None and bool(conn.setting.service)


def _this_machine(conn: Connection) -> bool:
    """A DSN read on the host machine that names the host machine (not a socket path).

    Narrower than `classify.is_local_endpoint` on purpose: this asks whether the DSN reaches
    a port published on the developer's machine (`localhost:5433`), so it takes only
    `is_local_host` names, and not a socket path, a Compose service name, a Supabase CLI
    container, or `localhost` inside a Compose `environment` (the container itself).
    """
    host = _first_host(conn)
    return bool(host) and not host.startswith(("/", "@")) and is_local_host(host) and not _in_container(conn)


def _password(conn: Connection) -> Optional[str]:
    """The literal password of a DSN (only ever compared, never shown)."""
    if conn.setting is None or conn.setting.value is None:
        return None
    text = conn.setting.value.strip()
    ref = _dsn.whole_reference(text)
    if ref is not None:
        if ref.operator not in ("-", ":-") or not ref.default:
            return None
        text = ref.default.strip()
    parsed = _dsn.parse_lenient(text)
    return _literal(parsed.password) if parsed is not None else None


def _glob(root: str, pattern: str) -> bool:
    return fnmatchcase(root.lower(), pattern.lower())


def _declared_in(ws: Workspace) -> str:
    """Where the declared schemas come from (the config, Prisma datasources as path:line)."""
    places = ["the config"] if ws.config.schemas else []
    places += [
        f"{parsed.source.path}:{ds.schemas[0][1].line}"
        for parsed in ws.files for ds in parsed.datasources if ds.schemas
    ]
    return " in " + " and ".join(places)


def _own_prisma_schemas(app: App) -> Set[str]:
    """Schemas the app's own Prisma datasources list: it manages them."""
    return {name for f in app.files for ds in f.datasources for name, _ in ds.schemas}


# --------------------------------------------------------------------------- Compose databases


@dataclass(frozen=True)
class _Database:
    """A Docker PostgreSQL Compose service as its clients see it (None: cannot be known)."""

    app: str
    conn: Connection
    user: Optional[str]
    database: Optional[str]
    password: Optional[str]
    published: Tuple[int, ...]  # host ports that reach its PostgreSQL port
    created: FrozenSet[str] = frozenset()  # databases its init scripts create as well


def _interpolate(text: str, env: Dict[str, Optional[str]]) -> Optional[str]:
    """Compose interpolation with the project `.env` and no shell; None when unknowable."""
    out: List[str] = []
    last = 0
    for ref in _dsn.find_references(text):
        value = env.get(ref.name)
        if ref.operator == ":-" and not value:
            value = ref.default
        elif ref.operator == "-" and value is None:
            value = ref.default
        elif ref.operator not in ("", ":-", "-", ":?", "?"):
            return None
        if value is None or "$" in value:
            return None
        out.append(text[last:ref.start] + value)
        last = ref.end
    out.append(text[last:])
    result = "".join(out)
    return None if "$" in result else result


def _files_by_path(ws: Workspace) -> Dict[str, ParsedFile]:
    """The discovered files by path, so a lookup does not scan them all (the first wins)."""
    index: Dict[str, ParsedFile] = {}
    for parsed in ws.files:
        index.setdefault(parsed.source.path, parsed)
    return index


def _dotenv(files: Dict[str, ParsedFile], path: str) -> Optional[Dict[str, Optional[str]]]:
    """The settings of one discovered file by key; None when it was not read."""
    parsed = files.get(path)
    if parsed is None:
        return None
    return {s.key: s.value for s in parsed.settings}


def _service_env(
    ws: Workspace, files: Dict[str, ParsedFile], parsed: ParsedFile, service: ComposeService,
) -> Tuple[Dict[str, Optional[str]], bool]:
    """The service's environment after `env_file` (None: passed through from the shell),
    and whether every `env_file` that exists could be read."""
    folder = posixpath.dirname(parsed.source.path)
    values: Dict[str, Optional[str]] = {}
    complete = True
    for ref in service.env_files:
        path = posixpath.normpath(posixpath.join(folder, ref.path))
        found = _dotenv(files, path)
        if found is None:
            # not read: unknown, unless it does not exist (an optional env_file)
            complete = complete and not path.startswith("../") and not (ws.root / path).exists()
            continue
        values.update(found)
    values.update({s.key: s.value for s in service.environment})
    return values, complete


# What the postgres image (and Bitnami's) creates on first start.
_USER_VARS = ("POSTGRES_USER", "POSTGRESQL_USERNAME", "POSTGRESQL_USER")
_DB_VARS = ("POSTGRES_DB", "POSTGRESQL_DATABASE")
_PASSWORD_VARS = ("POSTGRES_PASSWORD", "POSTGRESQL_PASSWORD")


def _service_value(
    env: Dict[str, Optional[str]], complete: bool, project: Dict[str, Optional[str]],
    names: Tuple[str, ...], default: Optional[str],
) -> Optional[str]:
    """The first of `names` the service sets, interpolated; the image's default when none is set."""
    for name in names:
        if name in env:
            raw = env[name]
            return None if raw is None else _literal(_interpolate(raw, project))
    return default if complete else None


def _compose_databases(ws: Workspace) -> List[_Database]:
    files = _files_by_path(ws)
    found: List[_Database] = []
    for app in ws.apps.values():
        for conn in app.connections:
            service = conn.service
            if conn.target.source != "compose-service" or conn.target.kind != "docker" or service is None:
                continue
            folder = posixpath.dirname(conn.file.source.path)
            project = _dotenv(files, posixpath.join(folder, ".env")) or {}
            env, complete = _service_env(ws, files, conn.file, service)
            user = _service_value(env, complete, project, _USER_VARS, "postgres")
            found.append(_Database(
                app=app.root,
                conn=conn,
                user=user,
                database=_service_value(env, complete, project, _DB_VARS, user),
                password=_service_value(env, complete, project, _PASSWORD_VARS, None),
                published=published_ports(service, conn.target.port or 5432, lambda text: _interpolate(text, project)),
                created=frozenset(ws.initdb_databases(conn.file, service)),
            ))
    return found


class _Databases:
    """The Compose databases indexed by service name and by published port, built once per
    run so that finding the ones a DSN reaches does not compare it with every database."""

    def __init__(self, ws: Workspace, databases: List[_Database]) -> None:
        self.ws = ws
        self.all = databases
        self.by_name: Dict[str, List[int]] = {}
        self.by_port: Dict[int, List[int]] = {}
        # many DSNs of an app name the same host and port: answer each question once
        self.memo: Dict[Tuple[str, str, Optional[int]], List[_Database]] = {}
        for index, db in enumerate(databases):
            if db.conn.service is not None:
                self.by_name.setdefault(db.conn.service.name.lower(), []).append(index)
            for port in db.published:
                self.by_port.setdefault(port, []).append(index)

    def __bool__(self) -> bool:
        return bool(self.all)

    def aimed_at(self, app: App, conn: Connection) -> List[_Database]:
        """The Compose databases a DSN reaches in its app's context (the Compose files the
        workspace says reach the app): by service name, or by a published port on this
        machine. Those of the DSN's own app come first and alone when there are any."""
        host = _first_host(conn)
        port = (conn.target.port or 5432) if _this_machine(conn) else None
        key = (app.root, host, port)
        if key not in self.memo:
            indexes = set(self.by_name.get(host, ()))
            if port is not None:
                indexes.update(self.by_port.get(port, ()))
            reach = self.ws.compose_files_reaching(app.root)
            found = [self.all[index] for index in sorted(indexes)
                     if self.all[index].conn.file.source.path in reach]  # in discovery order
            own = [db for db in found if db.app == app.root]
            self.memo[key] = own or found
        return self.memo[key]


# The maintenance database every PostgreSQL server has. A service that creates no other
# leaves the application database to the app's own tooling (Prisma's `migrate deploy` and
# `migrate dev` create a missing database), so another name there is no mismatch.
MAINTENANCE_DATABASE = "postgres"


def _disagreements(conn: Connection, candidates: List[_Database]) -> Optional[List[str]]:
    """What the DSN says that its first candidate does not create, when it agrees with none
    of them; None when it agrees with one (or has none). The DSN's side is read once, and
    each distinct (user, database, password) of the services compared once."""
    mine = (_literal(conn.target.user), _literal(conn.target.database), _password(conn))
    first: Optional[List[str]] = None
    seen: Set[Tuple[Optional[str], Optional[str], Optional[str]]] = set()
    for db in candidates:
        theirs = (db.user, db.database, db.password)
        if theirs in seen:
            continue
        seen.add(theirs)
        wrong = _compare(mine, db)
        if not wrong:
            return None
        if first is None:
            first = wrong
    return first


def _compare(mine: Tuple[Optional[str], Optional[str], Optional[str]], db: _Database) -> List[str]:
    """What a DSN's (user, database, password) says that the service does not create
    (values known on both sides)."""
    out: List[str] = []
    user, database, password = mine
    if user and db.user and user != db.user:
        out.append(f"user {user} (the service creates {db.user})")
    if (database and db.database and database != db.database and db.database != MAINTENANCE_DATABASE
            and database not in db.created):
        out.append(f"database {database} (the service creates {db.database})")
    if password and db.password and password != db.password:
        out.append("a password that differs from its POSTGRES_PASSWORD")
    return out


# --------------------------------------------------------------------------- Prisma


def _prisma_datasources(ws: Workspace) -> Iterator[Tuple[App, ParsedFile, PrismaDatasource]]:
    for app in ws.apps.values():
        for parsed in app.files:
            for ds in parsed.datasources:
                yield app, parsed, ds


def _env_scope(ws: Workspace, app: App) -> List[App]:
    """The apps whose env files define variables for an app: itself, then the repository root."""
    root = ws.apps.get(".")
    return [app] + ([root] if root is not None and root is not app else [])


def _env_keys(app: App) -> Set[str]:
    """The keys the app's env files define, gathered once per app rather than per lookup."""
    return {s.key for f in app.files if f.source.kind in ENV_KINDS for s in f.settings}


def _env_connections_by_key(app: App) -> Dict[str, List[Connection]]:
    """The app's env-file connections by key, in order, gathered once per app."""
    index: Dict[str, List[Connection]] = {}
    for conn in app.connections:
        if conn.setting is not None and conn.file.source.kind in ENV_KINDS:
            index.setdefault(conn.key, []).append(conn)
    return index


# --------------------------------------------------------------------------- rules


@rule("SCH001")
def undeclared_schema(ws: Workspace) -> Iterator[Hit]:
    declared = ws.declared_schemas()
    if not declared:
        return
    by_lower = {name.lower(): name for name in declared}
    listed = ", ".join(sorted(declared))
    declared_in: Optional[str] = None  # scans every file: once, and only when there is a hit
    for app, conn, schema in _schemas(ws):
        if schema in declared or schema == DEFAULT_SCHEMA or conn.target.kind in FOREIGN_KINDS:
            continue
        import difflib  # only when a finding suggests a name

        close = difflib.get_close_matches(schema.lower(), sorted(by_lower), n=1)
        hint = f"; did you mean {by_lower[close[0]]}?" if close else ""
        if declared_in is None:
            declared_in = _declared_in(ws)
        yield _hit(
            app, conn,
            f"{conn.key} selects schema {schema}, which neither the config (`schemas`) nor any "
            f"Prisma datasource declares (declared: {listed}{declared_in}){hint}",
            schema,
        )


@rule("SCH002")
def schema_name_mismatch(ws: Workspace) -> Iterator[Hit]:
    by_lower = {name.lower(): name for name in ws.declared_schemas()}
    for app, conn, schema in _schemas(ws):
        m = _NAMED_URL.match(conn.key.strip().upper())
        named = by_lower.get((m.group("a") or m.group("b")).lower()) if m else None
        if named is not None and schema != named:
            yield _hit(
                app, conn,
                f"{conn.key} is named for schema {named} but selects schema {schema}",
                schema,
            )


@rule("SCH003")
def foreign_schema(ws: Workspace) -> Iterator[Hit]:
    # Which globs own each schema, which schemas each app's root owns, and which apps own
    # each schema: computed once, not per hit (a hit used to match every app against
    # every glob).
    owners: Dict[str, List[str]] = {}
    for glob, owned in ws.config.app_schemas:
        owners.setdefault(owned, []).append(glob)
    owned_by = {root: {owned for glob, owned in ws.config.app_schemas if _glob(root, glob)} for root in ws.apps}
    owner_text: Dict[str, str] = {}
    prisma: Dict[str, Set[str]] = {}
    for app, conn, schema in _schemas(ws):
        if (
            app.root == "."
            or schema not in owners
            or conn.target.kind in FOREIGN_KINDS
            or schema in owned_by[app.root]
        ):
            continue
        if app.root not in prisma:
            prisma[app.root] = _own_prisma_schemas(app)
        if schema in prisma[app.root]:
            continue
        if schema not in owner_text:
            owner_apps = [root for root, owned in owned_by.items() if schema in owned]
            globs = ", ".join(f"`{g}`" for g in owners[schema])
            owner_text[schema] = (
                f"app {', '.join(owner_apps)} (app_schemas {globs})" if owner_apps else f"the apps matching {globs}"
            )
        owner = owner_text[schema]
        yield _hit(
            app, conn,
            f"{conn.key} selects schema {schema}, which belongs to {owner}, not to app {app.root}",
            schema,
        )


@rule("SCH004")
def compose_credentials_mismatch(ws: Workspace) -> Iterator[Hit]:
    databases = _Databases(ws, _compose_databases(ws))
    if not databases:
        return
    for app, conn in _dsns(ws):
        candidates = databases.aimed_at(app, conn)
        wrong = _disagreements(conn, candidates)
        if wrong is None:
            continue  # no Compose database, or one it agrees with
        db = candidates[0]
        name = db.conn.service.name if db.conn.service is not None else db.conn.key
        yield _hit(
            app, conn,
            f"{conn.key} connects to Compose service {name} ({db.conn.where}) with "
            f"{' and '.join(wrong)}",
            name,
        )


def _on_configured_docker(conn: Connection, config: Config) -> bool:
    """Whether a DSN is aimed at the configured Docker database: its host (or service) and
    port, and its user. Any local PostgreSQL listens on localhost:5432, so only a DSN that
    also logs in as the configured user (`tekup`) is taken to mean that database."""
    docker = config.docker
    host = _first_host(conn)
    if conn.target.port != docker.port or _literal(conn.target.user) != docker.user:
        return False
    if docker.service and host == docker.service.lower():
        return True
    if is_local_host(docker.host):
        return _this_machine(conn)
    return host == docker.host.lower()


@rule("SCH005")
def database_name_mismatch(ws: Workspace) -> Iterator[Hit]:
    databases = _Databases(ws, _compose_databases(ws))
    docker = ws.config.docker
    for app, conn in _dsns(ws):
        database = _literal(conn.target.database)
        if database is None:
            continue
        if conn.target.kind in ("supabase", "legacy-vault") and database != "postgres":
            yield _hit(
                app, conn,
                f"{conn.key} names database {database} on Supabase, where the database is always postgres "
                f"(select data with ?schema= instead)",
                database,
            )
        elif (
            conn.target.kind == "docker"
            and database != docker.database
            and _on_configured_docker(conn, ws.config)
            and not databases.aimed_at(app, conn)  # a Compose service there decides (SCH004)
        ):
            yield _hit(
                app, conn,
                f"{conn.key} names database {database} on the Docker PostgreSQL at "
                f"{docker.host}:{docker.port}, whose database is {docker.database}",
                database,
            )


def _prisma_url_keys(ws: Workspace) -> Set[str]:
    keys = set(PRISMA_URL_KEYS)
    for _, _, ds in _prisma_datasources(ws):
        if ds.url is not None and ds.url.env:
            keys.add(ds.url.env)
    return keys


def _pgbouncer(params: Tuple[Tuple[str, str], ...]) -> bool:
    value = ""
    for key, val in params:
        if key == "pgbouncer":
            value = val
    return value.strip().lower() == "true"


@rule("SCH006")
def pooler_without_pgbouncer(ws: Workspace) -> Iterator[Hit]:
    keys = _prisma_url_keys(ws)
    for app, conn in _dsns(ws):
        target = conn.target
        if conn.key in keys and target.pooler_mode == "transaction" and not _pgbouncer(target.params):
            yield _hit(
                app, conn,
                f"{conn.key} uses the transaction pooler ({_first_host(conn)}:{target.port}) without "
                f"pgbouncer=true, so Prisma's prepared statements fail with "
                f"'prepared statement \"s0\" already exists'",
                conn.key,
            )


@rule("SCH007")
def pooler_user_ref(ws: Workspace) -> Iterator[Hit]:
    pats = load()
    for app, conn in _dsns(ws):
        host, user = _first_host(conn), _literal(conn.target.user)
        if not host or user is None:
            continue
        role, _, ref = user.rpartition(".")
        has_ref = bool(role) and bool(pats.project_ref.match(ref))
        if pats.pooler_host.match(host) and not has_ref:
            yield _hit(
                app, conn,
                f"{conn.key} connects to the pooler {host} as user {user}, which lacks the "
                f".<project-ref> suffix the pooler routes by (e.g. {user}.{ws.config.primary.ref}); "
                f"it fails with 'Tenant or user not found'",
                user,
            )
        elif pats.supabase_db_host.match(host) and has_ref:
            yield _hit(
                app, conn,
                f"{conn.key} connects to the direct host {host} as user {user}, but the direct host "
                f"takes the plain role {role}; the .{ref} suffix is for the pooler only",
                user,
            )


def _pooler_source(
    ws: Workspace, app: App, value: PrismaValue, env: Dict[str, Dict[str, List[Connection]]],
) -> Optional[str]:
    """Where the datasource's url is a transaction pooler URL (path:line), if it is one.
    `env` caches `_env_connections_by_key` per app root."""
    if value.literal is not None:
        target = classify("url", value.literal, ws.config)
        return "the schema" if target is not None and target.pooler_mode == "transaction" else None
    if value.env is None:
        return None
    for scope in _env_scope(ws, app):
        if scope.root not in env:
            env[scope.root] = _env_connections_by_key(scope)
        for conn in env[scope.root].get(value.env, ()):
            if conn.target.pooler_mode == "transaction":
                return conn.where
    return None


@rule("SCH008")
def prisma_pooler_without_directurl(ws: Workspace) -> Iterator[Hit]:
    env: Dict[str, Dict[str, List[Connection]]] = {}
    for app, parsed, ds in _prisma_datasources(ws):
        if ds.url is None or ds.direct_url is not None:
            continue
        where = _pooler_source(ws, app, ds.url, env)
        if where is None:
            continue
        what = f'env("{ds.url.env}")' if ds.url.env else "its url"
        yield Hit(
            parsed.source.path, ds.url.span, app.root, ds.url.env,
            f"datasource {ds.name} reads {what}, a transaction pooler URL in {where}, and has no "
            f"directUrl, so prisma migrate and db push run through the pooler and fail",
            ds.url.env or ds.name,
        )


@rule("SCH009")
def prisma_env_undefined(ws: Workspace) -> Iterator[Hit]:
    keys: Dict[str, Set[str]] = {}  # env keys per app root, gathered once

    def defined(app: App, name: str) -> bool:
        scopes = _env_scope(ws, app)
        if not any(f.source.kind == "dotenv" for f in app.files):
            # a shared database package has no env of its own: the app that runs it supplies it
            scopes = list(ws.apps.values())
        for scope in scopes:
            if scope.root not in keys:
                keys[scope.root] = _env_keys(scope)
            if name in keys[scope.root]:
                return True
        return False

    for app, parsed, ds in _prisma_datasources(ws):
        for field_name, value in (("url", ds.url), ("directUrl", ds.direct_url)):
            if value is None or not value.env or defined(app, value.env):
                continue
            scope = "the repository root" if app.root == "." else f"app {app.root} or the repository root"
            yield Hit(
                parsed.source.path, value.span, app.root, value.env,
                f'{field_name} of datasource {ds.name} reads env("{value.env}"), but no env file of '
                f"{scope} defines {value.env}",
                value.env,
            )


# --------------------------------------------------------------------------- schema fork


def _database_identity(target: Target) -> Optional[Tuple[str, ...]]:
    """One database, however it is reached: a Supabase project by its ref (direct host and
    pooler alike), any other server by host, port and database (this machine's names as one)."""
    if target.kind in ("supabase", "legacy-vault") and target.project_ref:
        return ("supabase", target.project_ref, target.database or "postgres")
    if target.kind in FOREIGN_KINDS + ("unresolved",) or not target.host:
        return None
    host = target.host.split(",")[0].strip().lower()
    host = "localhost" if is_local_host(host) else host
    return ("server", host, str(target.port or 5432), target.database or "")


def _migrated_schemas(
    ws: Workspace, app: App, ds: PrismaDatasource, env: Dict[str, Dict[str, List[Connection]]],
) -> Set[Tuple[Tuple[str, ...], str]]:
    """(database, schema) pairs a datasource migrates: the schemas it lists (multiSchema), else
    the url's `?schema=` or `public`, on each database its url reaches outside templates."""
    if ds.url is None or (ds.provider or "postgresql").lower() not in ("postgresql", "postgres"):
        return set()
    targets: List[Target] = []
    if ds.url.literal is not None:
        target = classify("url", ds.url.literal, ws.config)
        targets += [target] if target is not None else []
    elif ds.url.env:
        for scope in _env_scope(ws, app):
            if scope.root not in env:
                env[scope.root] = _env_connections_by_key(scope)
            targets += [c.target for c in env[scope.root].get(ds.url.env, ()) if c.file.source.env != "template"]
    found: Set[Tuple[Tuple[str, ...], str]] = set()
    for target in targets:
        database = _database_identity(target)
        if database is None:
            continue
        schemas = [name for name, _ in ds.schemas] or [target.schema or DEFAULT_SCHEMA]
        found.update((database, schema) for schema in schemas)
    return found


@rule("SCH011")
def schema_fork(ws: Workspace) -> Iterator[Hit]:
    env: Dict[str, Dict[str, List[Connection]]] = {}
    claims: Dict[Tuple[Tuple[str, ...], str], List[Tuple[App, ParsedFile, PrismaDatasource]]] = {}
    for app, parsed, ds in _prisma_datasources(ws):
        for pair in sorted(_migrated_schemas(ws, app, ds, env)):
            claims.setdefault(pair, []).append((app, parsed, ds))
    reported: Set[Tuple[str, int, str]] = set()
    for (database, schema), owners in claims.items():
        apps = {app.root for app, _, _ in owners}
        if len(apps) < 2:
            continue
        app, parsed, ds = owners[0]
        others = [(a, p) for a, p, _ in owners[1:] if a.root != app.root]
        where = "Supabase project " + database[1] if database[0] == "supabase" else f"{database[1]}:{database[2]}/{database[3]}"
        if (parsed.source.path, ds.span.start, schema) in reported:
            continue
        reported.add((parsed.source.path, ds.span.start, schema))
        names = ", ".join(f"{p.source.path} (app {a.root})" for a, p in others)
        yield Hit(
            parsed.source.path, ds.span, app.root, None,
            f"datasource {ds.name} migrates schema {schema} on {where}, and so does {names}: two "
            f"migration sources for one schema, so `prisma db push` or `migrate` from either drops "
            f"the other's tables; let one app own the schema and give the other its own",
            value=f"{where}/{schema}",
        )
