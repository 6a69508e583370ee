"""What a strategy wants each connection to point at, and the span edits that get it there.

`fix --strategy supabase|docker` carries the survey's decision out: Option B (supabase) puts
every deployable load set on the primary project and keeps Docker for local development;
Option A (docker) puts every DSN on the Docker database and takes Supabase out of the
deployable load sets. HYB001, HYB002 and STR001 attach the fixes built here, so that the
three rules write the same value for the same setting (equal edits count once).

One function decides per connection (`change`); everything else renders it as edits.
A literal password is never written: DSNs carry `${SUPABASE_DB_PASSWORD}` or
`${POSTGRES_PASSWORD}`. A secret a change takes out of a file is kept, as a comment, in the
app's gitignored local file (`relocate.move_out(..., active=False)`), never dropped.
"""

from __future__ import annotations

import json
import posixpath
from collections import Counter
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from tekup_envlint import dsn as _dsn
from tekup_envlint.classify import classify_service
from tekup_envlint.edits import line_bounds
from tekup_envlint.loadsets import mode_words, dotenv_name
from tekup_envlint.models import Edit, Fix, ParsedFile, Setting
from tekup_envlint.patterns import load as patterns, secret_shapes
from tekup_envlint.redact import secrets_in
from tekup_envlint.workspace import Connection, Workspace, describe, published_ports

STRATEGIES = ("supabase", "docker")
SUPABASE_PASSWORD = "${SUPABASE_DB_PASSWORD}"
DOCKER_PASSWORD = "${POSTGRES_PASSWORD}"
# Variables that Prisma's directUrl (migrations) or a non-pooling client reads.
DIRECT_KEYS = ("DIRECT_URL", "DIRECT_DATABASE_URL", "POSTGRES_URL_NON_POOLING", "DATABASE_URL_UNPOOLED",
               "SHADOW_DATABASE_URL", "MIGRATION_DATABASE_URL")
# Query parameters a target decides; everything else the app wrote is kept as written.
_ENDPOINT_PARAMS = {"host", "hostaddr", "port", "user", "password", "dbname", "pgbouncer", "schema"}
_SUPABASE_ONLY_PARAMS = {"sslmode", "sslrootcert", "sslcert", "sslkey", "supa"}
# A note "<what>: read by <file>" is merged by the plan into one line per <what>.
READ_BY = ": read by "
# Where the dashboard shows the keys and the database password.
KEY_DASHBOARD = "Supabase dashboard → Project Settings → API Keys"
DB_DASHBOARD = "Supabase dashboard → Connect (top bar)"


@dataclass(frozen=True)
class Change:
    """What the strategy does to one connection.

    `value` is the new value; `remove` takes the setting out (kept as a comment in the app's
    local file when it holds a secret); neither: no fix, and `reason` says why for the plan.
    """

    conn: Connection
    value: Optional[str] = None
    remove: bool = False
    reason: str = ""
    notes: Tuple[str, ...] = ()

    @property
    def fixable(self) -> bool:
        return self.value is not None or self.remove


# --------------------------------------------------------------------------- where a connection lives


def scope(ws: Workspace, conn: Connection) -> str:
    """deployable, local or alternative (a template copied to a file no convention loads,
    such as `.env.supabase.example`: a documented alternative the strategy leaves alone)."""
    source = conn.file.source
    if source.kind == "compose":
        return "deployable" if _deploying_service(ws, conn) else "local"
    if source.env == "template":
        for load_set in ws.load_sets_reading(conn.file.source.path):
            if load_set.kind == "template" and load_set.template_of is not None:
                if dotenv_name(posixpath.basename(load_set.template_of), ws.config).role == "standalone":
                    return "alternative"
        # a template is what its copy will be: `.env.test.example` is copied to a test file
        # (which keeps Docker), never to one that deploys
        copy = dotenv_name(posixpath.basename(source.path), ws.config).target
        real = dotenv_name(copy, ws.config) if copy else None
        if real is not None and real.role == "local":
            return "local"
        if real is not None and real.role in ("mode", "mode-local") \
                and mode_words(ws.config).get(real.mode) in ws.config.local_environments:
            return "local"
        return "deployable"
    return "local" if source.env in ws.config.local_environments else "deployable"


def _memo(ws: Workspace, name: str, compute):  # type: ignore[no-untyped-def]
    """A value computed once per workspace (the checks ask per connection)."""
    key = f"_strategy_{name}"
    if key not in ws.__dict__:
        ws.__dict__[key] = compute()
    return ws.__dict__[key]


def _deploying_service(ws: Workspace, conn: Connection) -> bool:
    """A Compose service deploys when it bakes a deployable env file into its image (its
    build context's `.env`), or its Compose file is named for production."""
    if conn.setting is None:
        return False
    name = f"{conn.file.source.path}#{conn.setting.service}"
    words = posixpath.basename(conn.file.source.path).lower().replace("-", ".").split(".")
    production = {w for env, ws_words in ws.config.environments if env == "production" for w in ws_words}
    if production & set(words):
        return True
    return any(ls.service == name and ls.baked for ls in ws.load_sets_reading(conn.file.source.path))


def is_direct(ws: Workspace, conn: Connection) -> bool:
    """Whether a DSN is the one migrations use: `DIRECT_URL` and friends, or a variable a
    Prisma datasource of the app names as `directUrl`."""
    if conn.key.upper() in DIRECT_KEYS:
        return True
    for root in dict.fromkeys((conn.file.source.app, ".")):
        app = ws.apps.get(root)
        for parsed in app.files if app is not None else ():
            if any(ds.direct_url is not None and ds.direct_url.env == conn.key for ds in parsed.datasources):
                return True
    return False


def app_schema(ws: Workspace, app: str) -> Optional[str]:
    """The schema the config's app-to-schema map gives an app (the first glob that matches,
    case-insensitive as SCH003 reads the map)."""
    for glob, schema in ws.config.app_schemas:
        if fnmatchcase(app.lower(), glob.lower()):
            return schema
    return None


# --------------------------------------------------------------------------- the decision


def change(ws: Workspace, conn: Connection, strategy: str, hybrid: bool = False) -> Optional[Change]:
    """What `strategy` does to a connection; None when it already follows the strategy.

    `hybrid`: the connection is part of a hybrid load set, which the docker strategy
    makes Docker-only wherever its files are (a Supabase key in `.env.local` is read by
    the same process as `.env`)."""
    if conn.setting is None or conn.provider is None:
        return None  # a Compose database service itself, a placeholder, a reference
    where = scope(ws, conn)
    target = conn.target
    legacy = target.kind == "legacy-vault"
    if where == "alternative" and not legacy and not hybrid:
        return None
    source = target.source
    if strategy == "supabase":
        primary = ws.config.primary.ref
        if not legacy and (where != "deployable" or conn.provider == "supabase" and target.project_ref in (None, primary)):
            return None
        if conn.provider == "supabase" and target.kind == "supabase-local":
            return None
        if conn.provider == "other":
            return _not_a_strategy_database(conn, strategy)
        if source == "dsn":
            item = _to_supabase_dsn(ws, conn)
            return _with_legacy_note(ws, item) if legacy else item
        if source == "supabase-url":
            return _to_primary_url(ws, conn)
        if source == "supabase-key":
            return _replace_key(ws, conn, strategy)
        return Change(conn, reason=f"{conn.key} in {conn.where} is one of split fields: point them at the "
                                   "primary project by hand")
    # docker
    if not legacy and conn.provider == "docker":
        return None
    if not legacy and where != "deployable" and source != "dsn" and not hybrid:
        return None  # Supabase keys and URLs may stay in local files
    if conn.provider == "other":
        return _not_a_strategy_database(conn, strategy)
    if source == "dsn":
        item = _to_docker_dsn(ws, conn)
        return _with_legacy_note(ws, item) if legacy else item
    if source in ("supabase-url", "supabase-key"):
        return _remove(ws, conn, strategy)
    return Change(conn, reason=f"{conn.key} in {conn.where} is one of split fields: point them at the "
                               "Docker database by hand")


def _not_a_strategy_database(conn: Connection, strategy: str) -> Change:
    """No fix for a database that is neither Supabase nor Docker (an analytics database, a
    replica, another host): the survey's decision is between those two, and pointing another
    database's DSN at the app's one would send its queries to the wrong data."""
    goal = "the primary Supabase project" if strategy == "supabase" else "the Docker database"
    return Change(conn, reason=f"{conn.key} ({conn.where}) points at {describe(conn.target)}, neither Supabase nor "
                               f"Docker: if it is this app's database, point it at {goal} by hand; if it is another "
                               "database (analytics, a replica), it stays, and the rule can be ignored for it")


STRATEGY_NOTES = ("Set SUPABASE_DB_PASSWORD", "Set POSTGRES_PASSWORD", "Fetch the ", "Data: legacy project ")


def is_strategy_note(note: str) -> bool:
    """Whether a fix note comes from a strategy change (the plan then lists the data to move)."""
    return note.startswith(STRATEGY_NOTES) or "strategy keeps Supabase out" in note or "fix --strategy" in note


def keeps_hybrid(ws: Workspace, conns: Sequence[Connection], strategy: str) -> List[Connection]:
    """The settings of a hybrid load set that the strategy leaves on another provider (a
    Docker DSN in `.env.local` under supabase): while any is left, a fix would not resolve
    the hybrid, so none is offered."""
    changed = {id(i.conn) for i in changes(ws, conns, strategy, hybrid=True)}
    return [c for c in conns if c.provider is not None and c.provider != strategy and id(c) not in changed]


def strands_a_partner(ws: Workspace, conn: Connection, strategy: str) -> bool:
    """Whether moving `conn` alone would leave a setting of one of its load sets on the
    provider it leaves, one the strategy cannot write (a runtime URL without a known pooler
    host beside a `DIRECT_URL` that has a direct host): the fix would make the set hybrid."""
    for load_set in ws.load_sets_reading(conn.file.source.path):
        partners = [c for c in load_set.connections if c is not conn and c.provider == conn.provider]
        if any(not item.fixable for item in changes(ws, partners, strategy)):
            return True
    return False


def legacy_note(ref: str, app: str, schema: Optional[str]) -> str:
    """The plan line (read back by plan.py) that says a legacy project's data must move."""
    return f"Data: legacy project {ref} (app {app}, schema {schema or 'public'}) must move"


def _with_legacy_note(ws: Workspace, item: Change) -> Change:
    ref = item.conn.target.project_ref
    if not ref or not item.fixable:
        return item
    note = legacy_note(ref, item.conn.file.source.app, _schema(ws, item.conn))
    return Change(item.conn, item.value, item.remove, item.reason, item.notes + (note,))


def changes(ws: Workspace, conns: Iterable[Connection], strategy: str, hybrid: bool = False) -> List[Change]:
    found = (change(ws, c, strategy, hybrid) for c in conns)
    return [c for c in found if c is not None]


# --------------------------------------------------------------------------- Supabase values


def pooler_host(ws: Workspace) -> Optional[str]:
    """The primary project's pooler host: from the config, else the one the repository's
    pooler URLs for that project use most (its shard cannot be derived from the region)."""
    if ws.config.primary.pooler_host:
        return ws.config.primary.pooler_host
    return _memo(ws, "pooler", lambda: _pooler_in_repository(ws))


def _pooler_in_repository(ws: Workspace) -> Optional[str]:
    pattern = patterns().pooler_host
    seen: Counter = Counter()
    for app in ws.apps.values():
        for conn in app.connections:
            host = (conn.target.host or "").lower()
            if conn.target.source == "dsn" and conn.target.project_ref == ws.config.primary.ref and pattern.match(host):
                seen[host] += 1
    if not seen:
        return None
    return sorted(seen.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def _fallback(setting: Optional[Setting]) -> Optional[_dsn.Reference]:
    """`${VAR:-dsn}`: the reference whose default is the DSN (the variable still overrides it)."""
    ref = _dsn.whole_reference((setting.value or "").strip()) if setting is not None else None
    return ref if ref is not None and ref.operator in (":-", "-") and ref.default else None


def dsn_text(conn: Connection) -> Optional[str]:
    """The DSN a setting writes: its value, or the default of a `${VAR:-...}` around it."""
    ref = _fallback(conn.setting)
    if ref is not None:
        return ref.default
    return conn.setting.value if conn.setting is not None else None


def _raw_query(value: str) -> List[str]:
    """The query parameters as written (`&`-separated, encoding kept)."""
    masked, _ = _dsn._mask(value)  # noqa: SLF001 - the same masking the parser uses
    tail = masked[masked.rfind("@") + 1:] if "@" in masked else masked
    if "?" not in tail:
        return []
    start = len(value) - len(tail) + tail.index("?") + 1
    return [p for p in value[start:].split("&") if p]


def _kept_params(value: Optional[str], drop: Iterable[str]) -> List[str]:
    dropped = set(drop)
    kept = []
    for piece in _raw_query(value or ""):
        key = piece.split("=", 1)[0]
        if key.lower() not in dropped:
            kept.append(piece)
    return kept


def _schema(ws: Workspace, conn: Connection) -> Optional[str]:
    """The app's schema: the DSN's `?schema=`, else the app-to-schema map; None when the
    DSN sets a search_path through `options` (kept as written) or nothing says."""
    parsed = _dsn.parse_lenient(dsn_text(conn) or "")
    if parsed is not None and parsed.schema:
        return parsed.schema
    if parsed is not None and "search_path" in (parsed.param("options") or ""):
        return None
    return app_schema(ws, conn.file.source.app)


def _scheme(value: Optional[str]) -> str:
    """The scheme as the app wrote it (`postgres`, `postgresql+asyncpg`, `jdbc:postgresql`)."""
    text = (value or "").strip()
    head, sep, _ = text.partition("://")
    return head if sep and _dsn.parse_lenient(text) is not None else "postgresql"


def is_prisma_url(conn: Connection) -> bool:
    """Whether Prisma could read the DSN: its scheme is plain `postgresql://` or `postgres://`.
    A driver's scheme (`postgresql+asyncpg`, `jdbc:postgresql`, `ecto`) is never Prisma's, and
    its client rejects Prisma's own parameters (`schema`, `pgbouncer`), so it gets libpq's."""
    return _scheme(dsn_text(conn)) in ("postgresql", "postgres")


def _schema_param(ws: Workspace, conn: Connection, schema: Optional[str]) -> Optional[str]:
    """`schema=x` for Prisma, a search path in `options` for any other client."""
    if not schema:
        return None
    return f"schema={schema}" if is_prisma_url(conn) else f"options=-c%20search_path%3D{schema}"


def _query(first: Sequence[str], schema: Optional[str], rest: Sequence[str]) -> str:
    parts = list(first) + ([schema] if schema else []) + list(rest)
    return "?" + "&".join(parts) if parts else ""


def supabase_dsn(ws: Workspace, conn: Connection, direct: bool) -> Tuple[Optional[str], str]:
    """(value, reason): the primary project's DSN for this setting; None with a reason when
    the pooler host is unknown for a runtime URL (never guessed)."""
    ref = ws.config.primary.ref
    value = dsn_text(conn)
    schema = _schema_param(ws, conn, _schema(ws, conn))
    # a local database's `sslmode=disable` would send the cloud password in clear text
    rest = [p for p in _kept_params(value, _ENDPOINT_PARAMS) if p.lower() != "sslmode=disable"]
    host = pooler_host(ws)
    scheme = _scheme(value)
    if direct:
        if host is not None:
            return f"{scheme}://postgres.{ref}:{SUPABASE_PASSWORD}@{host}:5432/postgres{_query((), schema, rest)}", ""
        return f"{scheme}://postgres:{SUPABASE_PASSWORD}@db.{ref}.supabase.co:5432/postgres{_query((), schema, rest)}", ""
    if host is None:
        return None, (f"{conn.key} ({conn.where}): the pooler host of project {ref} is unknown (its shard "
                      f"`aws-N-<region>` cannot be derived from the region); set `primary.pooler-host` in the "
                      f"config from {DB_DASHBOARD} → Transaction pooler, then run fix again")
    first = ("pgbouncer=true",) if is_prisma_url(conn) else ()
    return f"{scheme}://postgres.{ref}:{SUPABASE_PASSWORD}@{host}:6543/postgres{_query(first, schema, rest)}", ""


def _dropped_secret(conn: Connection) -> bool:
    """Whether replacing the value loses a secret (not a well-known local default)."""
    defaults = secret_shapes().local_default_passwords
    return any(s not in defaults for s in secrets_in(conn.key, conn.setting.value if conn.setting else None))


def _rewrite(conn: Connection, value: Optional[str], reason: str, notes: Tuple[str, ...] = ()) -> Change:
    return Change(conn, reason=reason) if value is None else Change(conn, value=value, notes=notes)


def _to_supabase_dsn(ws: Workspace, conn: Connection) -> Change:
    direct = is_direct(ws, conn)
    value, reason = supabase_dsn(ws, conn, direct)
    notes = (f"Set SUPABASE_DB_PASSWORD, the database password of project {ws.config.primary.ref} "
             f"({DB_DASHBOARD}; reset it under Project Settings → Database){READ_BY}{conn.file.source.path}",)
    if value is not None and not direct and not is_prisma_url(conn):
        notes += (f"{conn.key} ({conn.where}) now uses the transaction pooler (port 6543), which keeps no prepared "
                  "statements: turn them off in its client (asyncpg `statement_cache_size=0`, psycopg "
                  "`prepare_threshold=None`, node-postgres: no named queries)",)
    if value is not None and direct and pooler_host(ws) is None:
        notes += (f"{conn.key} ({conn.where}) uses the direct host db.{ws.config.primary.ref}.supabase.co, which is "
                  "IPv6 only unless the IPv4 add-on is on",)
    return _rewrite(conn, value, reason, notes)


def _to_primary_url(ws: Workspace, conn: Connection) -> Change:
    ref = ws.config.primary.ref
    old = conn.target.project_ref
    value = conn.setting.value or ""
    if not old or f"{old}." not in value:
        return Change(conn, reason=f"{conn.key} ({conn.where}): no project ref to replace in the URL")
    return Change(conn, value=value.replace(f"{old}.", f"{ref}.", 1))


def _replace_key(ws: Workspace, conn: Connection, strategy: str) -> Change:
    """A legacy JWT cannot be converted: a template gets a placeholder, a real file a
    reference; the plan says which key to fetch. The old key is kept in the local file."""
    role = conn.target.role or "anon"
    template = conn.file.source.env == "template"
    value = f"your_{conn.key.lower()}" if template else "${" + conn.key + "}"
    fetch = (f"Fetch the {role} key of project {ws.config.primary.ref} from {KEY_DASHBOARD} "
             f"for {conn.key} ({conn.file.source.path}"
             + (": put it in the file the template is copied to" if template else ": set it in the environment")
             + ")")
    return Change(conn, value=value, notes=(fetch,))


def _remove(ws: Workspace, conn: Connection, strategy: str) -> Change:
    note = f"{conn.key} removed from {conn.file.source.path}: the {strategy} strategy keeps Supabase out of that load set"
    return Change(conn, remove=True, notes=(note,))


# --------------------------------------------------------------------------- Docker values


@dataclass(frozen=True)
class DockerDatabase:
    host: str
    port: int
    user: str
    database: str
    where: str  # the Compose service it was read from, or "config"


def docker_database(ws: Workspace, conn: Connection) -> DockerDatabase:
    """The Docker database a connection should use: a PostgreSQL service of a Compose file
    that reaches the app (by service name and container port inside that Compose project,
    at localhost and the published port from the host), else the config's."""
    app = conn.file.source.app
    inside = conn.file.source.kind == "compose"
    published: Optional[DockerDatabase] = None
    for path in sorted(ws.compose_files_reaching(app)):
        parsed = ws.file(path)
        for service in parsed.services if parsed is not None else ():
            target = classify_service(service, ws.config)
            if target is None or target.kind != "docker":
                continue
            user = target.user or "postgres"
            database = target.database or user
            if inside and path == conn.file.source.path:
                return DockerDatabase(service.name, 5432, user, database, f"{path}#{service.name}")
            ports = published_ports(service)
            if ports and published is None:
                published = DockerDatabase("localhost", ports[0], user, database, f"{path}#{service.name}")
    if published is None:
        d = ws.config.docker
        published = DockerDatabase(d.host, d.port, d.user, d.database, "config")
    if inside and published.host in ("localhost", "127.0.0.1"):
        # another Compose project's database, from inside a container: the host's published port
        return DockerDatabase("host.docker.internal", published.port, published.user, published.database,
                              published.where)
    return published


def docker_dsn(ws: Workspace, conn: Connection) -> str:
    db = docker_database(ws, conn)
    value = dsn_text(conn)
    rest = _kept_params(value, _ENDPOINT_PARAMS | _SUPABASE_ONLY_PARAMS)
    return (f"{_scheme(value)}://{db.user}:{DOCKER_PASSWORD}@{db.host}:{db.port}/{db.database}"
            f"{_query((), _schema_param(ws, conn, _schema(ws, conn)), rest)}")


def _to_docker_dsn(ws: Workspace, conn: Connection) -> Change:
    db = docker_database(ws, conn)
    notes = (f"Set POSTGRES_PASSWORD, the password of the Docker database {db.database} "
             f"({db.where if db.where != 'config' else 'the config'}){READ_BY}{conn.file.source.path}",)
    if db.host == "host.docker.internal":
        notes += (f"{conn.key} ({conn.where}) reaches the Docker database through host.docker.internal: on Linux "
                  "the service needs `extra_hosts: [\"host.docker.internal:host-gateway\"]`",)
    return Change(conn, value=docker_dsn(ws, conn), notes=notes)


_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def password_variable(ws: Workspace, parsed: ParsedFile, setting: Setting) -> Optional[str]:
    """The variable the strategies read this connection string's password from, when the
    string logs in as the owner role of one of their targets: `SUPABASE_DB_PASSWORD` for the
    primary project's `postgres` user, `POSTGRES_PASSWORD` for the Docker database's
    `POSTGRES_USER`. A credential fix that moves such a password out uses this name, so one
    database has one password variable and the DSNs a strategy writes find it set."""
    app = ws.apps.get(parsed.source.app)
    conn = next((c for c in app.connections if c.file is parsed and c.setting is not None
                 and c.setting.key_span == setting.key_span), None) if app is not None else None
    if conn is None or conn.target.source != "dsn":
        return None
    target = conn.target
    ref = ws.config.primary.ref
    if target.kind == "supabase" and target.project_ref == ref and target.user in ("postgres", f"postgres.{ref}"):
        return SUPABASE_PASSWORD[2:-1]
    if conn.provider == "docker":
        db = docker_database(ws, conn)
        same_host = target.host == db.host or (target.host in _LOOPBACK and db.host in _LOOPBACK)
        if same_host and target.port in (None, db.port) and (target.user, target.database) == (db.user, db.database):
            return DOCKER_PASSWORD[2:-1]
    return None


# --------------------------------------------------------------------------- edits


def render(parsed: ParsedFile, setting: Setting, value: str) -> str:
    """A value written the way the setting was written (its quotes), where still valid."""
    span = setting.value_span
    written = parsed.text[span.start:span.end] if span is not None else ""
    quote = setting.quote
    if parsed.source.kind == "compose":
        enclosed = len(written) >= 2 and written[0] == written[-1] and written[0] in "'\""
        if quote == '"':
            inner = json.dumps(value, ensure_ascii=False)
            return inner if enclosed else inner[1:-1]
        if quote == "'":
            inner = value.replace("'", "''")
            return f"'{inner}'" if enclosed else inner
        if span is not None and parsed.text[setting.key_span.end:span.start] == "=":
            return value  # a plain list entry: `_list_item_quoted` quotes the entry when it must
        return value if _plain_yaml(f"k: {value}", {"k": value}) else json.dumps(value, ensure_ascii=False)
    if quote == '"' or (quote == "'" and "${" in value):  # single quotes stop Compose's interpolation
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if quote == "'":
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if any(c in value for c in " \t#'\"\\\n"):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


def _plain_yaml(document: str, meant: object) -> bool:
    """Whether YAML reads `document` (a plain scalar in it) as `meant`: the reference's test
    before writing a value unquoted."""
    import yaml

    if "\n" in document or "\t" in document:
        return False
    try:
        return yaml.safe_load(document) == meant
    except yaml.YAMLError:
        return False


def _list_item_quoted(parsed: ParsedFile, setting: Setting, value: str) -> Optional[Edit]:
    """A Compose list entry written plain (`- K=v`) whose new value cannot stay plain: the
    whole entry is quoted, since the value alone is not a YAML scalar there."""
    span = setting.value_span
    if parsed.source.kind != "compose" or setting.quote or span is None:
        return None
    if parsed.text[setting.key_span.end:span.start] != "=":
        return None  # a map entry
    item = f"{setting.key}={value}"
    if _plain_yaml(f"- {item}", [item]):
        return None
    return Edit(parsed.source.path, setting.key_span.start, span.end, json.dumps(item, ensure_ascii=False))


def edits_for(ws: Workspace, item: Change, strategy: str) -> Tuple[Tuple[Edit, ...], Tuple[str, ...], bool, str]:
    """(edits, notes, unsafe, refusal) of one change; the same change always gives the same
    edits. A value that holds a secret, or any value of an untracked file, is kept by
    `relocate.move_out` as a comment (not loaded, so it cannot bring the provider back);
    when that is refused there are no edits and `refusal` says why."""
    conn, parsed, setting = item.conn, item.conn.file, item.conn.setting
    assert setting is not None and item.fixable
    path = parsed.source.path
    notes = item.notes
    if _dropped_secret(conn) or (item.remove and not parsed.source.tracked):
        from tekup_envlint.relocate import move_out

        verb = "took out" if item.remove else "replaced"
        edits, note = move_out(ws, parsed, setting, None if item.remove else _whole(setting, item.value or ""),
                               active=False, header=f"fix --strategy {strategy} {verb} {setting.key} in {path}; it was:")
        if not edits:
            return (), (), True, f"{conn.where}: {describe_change(item, strategy)} was not written: {note}"
        # the note on where the value went says it all for a removal
        kept = tuple(n for n in notes if " removed from " not in n) if item.remove else notes
        return edits, kept + (f"{note} (fix --strategy {strategy})",), True, ""
    if item.remove:
        start, end = line_bounds(parsed.text, setting.key_span.start,
                                  setting.value_span.end if setting.value_span else setting.key_span.end)
        return (Edit(path, start, end, ""),), notes, True, ""
    if _fallback(setting) is not None and _default_span(parsed, setting) is not None:
        start, end = _default_span(parsed, setting)
        # only the default changes: the variable keeps overriding it; written raw, as Compose
        # and dotenv read a default (a DSN holds no quote or backslash)
        return (Edit(path, start, end, item.value or ""),), notes, False, ""
    whole = _list_item_quoted(parsed, setting, item.value or "")
    if whole is not None:
        return (whole,), notes, False, ""
    span = setting.value_span
    replacement = render(parsed, setting, item.value or "")
    if span is None:
        end = setting.key_span.end
        return (Edit(path, end, end, ("=" if parsed.source.kind != "compose" else ": ") + replacement),), notes, False, ""
    return (Edit(path, span.start, span.end, replacement),), notes, False, ""


def _whole(setting: Setting, value: str) -> str:
    """The new value as a whole: a `${VAR:-dsn}` keeps its variable around the new default."""
    ref = _fallback(setting)
    if ref is not None and ref.default and setting.value:
        return setting.value.replace(ref.default, value, 1)
    return value


def _default_span(parsed: ParsedFile, setting: Setting) -> Optional[Tuple[int, int]]:
    """Where the default of a `${VAR:-dsn}` value is written in the file, when it is written
    once and as read (no escapes inside it)."""
    ref = _fallback(setting)
    span = setting.value_span
    if ref is None or span is None or ref.default is None:
        return None
    written = parsed.text[span.start:span.end]
    at = written.find(ref.default)
    if at < 0 or written.find(ref.default, at + 1) >= 0:
        return None
    return span.start + at, span.start + at + len(ref.default)


def fix_for(ws: Workspace, items: Sequence[Change], strategy: str, title: str) -> Optional[Fix]:
    """One Fix for changes that must all happen (None when any has no value: a partial fix
    would not resolve the finding it is attached to)."""
    if not items or not all(i.fixable for i in items):
        return None
    edits: List[Edit] = []
    notes: List[str] = []
    unsafe = False
    for item in items:
        e, n, u, refused = edits_for(ws, item, strategy)
        if refused:
            return None
        edits.extend(e)
        notes.extend(n)
        unsafe = unsafe or u
    return Fix(title, tuple(dict.fromkeys(edits)), "unsafe" if unsafe else "safe", tuple(dict.fromkeys(notes)))


def describe_change(item: Change, strategy: str) -> str:
    """A short title, secret-free: what happens to the setting."""
    if item.remove:
        return f"remove {item.conn.key}"
    target = "the primary Supabase project" if strategy == "supabase" else "the Docker database"
    if item.conn.target.source == "supabase-key":
        return f"replace {item.conn.key} by a {'placeholder' if item.conn.file.source.env == 'template' else 'reference'}"
    return f"point {item.conn.key} at {target}"


def unresolved(ws: Workspace, strategy: str) -> List[str]:
    """What the strategy could not write in this workspace, and why (plan lines)."""
    from tekup_envlint.engine import ignored_at

    found: Dict[str, None] = {}
    for load_set in ws.load_sets:
        conns = [c for c in load_set.connections if c.provider is not None and c.service is None]
        if not load_set.hybrid or not conns or ignored_at("HYB001", conns[0].file.source.path, ws.config):
            continue
        left = keeps_hybrid(ws, conns, strategy)
        if left:
            named = ", ".join(f"{c.key} ({c.where})" for c in left[:4])
            found[f"{load_set.label} still reads two providers: the {strategy} strategy leaves {named} as it is "
                  f"({scope(ws, left[0])} file); decide which database that process uses"] = None
    for app in ws.apps.values():
        for conn in app.connections:
            if ignored_at("STR001", conn.file.source.path, ws.config):
                continue
            item = change(ws, conn, strategy)
            if item is None:
                continue
            if not item.fixable:
                found[item.reason] = None
            elif edits_for(ws, item, strategy)[3]:
                found[edits_for(ws, item, strategy)[3]] = None
            elif conn.setting is not None and (item.remove or _dropped_secret(conn)):
                found[f"{conn.where}: the fix that would {describe_change(item, strategy)} was not applied; it "
                      "takes a value out of the file (kept as a comment in the app's gitignored local file), so "
                      "it is unsafe and needs `fix --unsafe-fixes` (and a writable file)"] = None
    return list(found)


__all__ = [
    "Change", "DockerDatabase", "STRATEGIES", "change", "changes", "docker_database", "docker_dsn", "edits_for",
    "fix_for", "is_direct", "pooler_host", "render", "scope", "supabase_dsn", "unresolved",
]
