"""Which databases the live commands can reach, and how: from a DSN, an env var or the workspace.

An `Endpoint` is where a connection goes (hosts, ports, user, database and the libpq
parameters that matter), not who the configuration says it is for: the template and the
real `.env` of an app usually name the same database, and are reached once. The password
rides along but is not part of the identity, never printed, and never in a label.

`${VAR}` references are resolved as the app would see them: the process environment
first (dotenv never overrides it), then the env files of the app, then those of the
repository root. An unresolved or placeholder password is left to libpq (PGPASSWORD,
~/.pgpass); an unresolved host, port, user or database makes the endpoint unknown.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple

if TYPE_CHECKING:
    from tekup_envlint.survey import Outcome

from tekup_envlint import dsn as _dsn
from tekup_envlint.classify import classify, is_local_host, is_placeholder
from tekup_envlint.models import ParsedFile, PrismaDatasource, Span, Target
from tekup_envlint.workspace import PROVIDER_OF_KIND, App, Connection, Workspace, describe

# Kinds whose host is known and real; placeholders and unresolved references are not reached.
REACHABLE_KINDS = ("supabase", "legacy-vault", "supabase-local", "docker", "other")
SUPABASE_KINDS = ("supabase", "legacy-vault")
PROVIDERS = ("supabase", "docker", "legacy-vault", "other")  # what `survey --target` takes
# Query parameters libpq understands and that change how or where it connects; Prisma's own
# (`schema`, `pgbouncer`, `connection_limit`, ...) are dropped: libpq rejects them.
LIBPQ_PARAMS = frozenset({
    "sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl", "sslcrldir", "sslsni", "channel_binding",
    "require_auth", "gssencmode", "target_session_attrs", "load_balance_hosts", "hostaddr",
    "application_name", "options", "passfile", "krbsrvname", "ssl_min_protocol_version",
})

Lookup = Callable[[str], Optional[str]]


@dataclass(frozen=True)
class Endpoint:
    """Where a connection goes. Equal endpoints are one database, whatever the password."""

    kind: str
    hosts: str  # "h1,h2" as libpq takes a host list
    ports: str
    user: Optional[str]
    database: Optional[str]
    params: Tuple[Tuple[str, str], ...] = ()  # libpq parameters only
    label: str = field(default="", compare=False)  # secret-free, for people
    password: Optional[str] = field(default=None, repr=False, compare=False)

    def conninfo(self) -> Dict[str, str]:
        """Keyword arguments for libpq. Supabase requires TLS: `sslmode=require` unless the
        DSN says otherwise (its own `sslmode`, e.g. verify-full with a root certificate)."""
        info = {"host": self.hosts, "port": self.ports}
        if self.user:
            info["user"] = self.user
        if self.database:
            info["dbname"] = self.database
        if self.password is not None:
            info["password"] = self.password
        info.update(self.params)
        if self.kind in SUPABASE_KINDS:
            info.setdefault("sslmode", "require")
        return info


def interpolate(text: str, lookup: Lookup) -> Optional[str]:
    """`${VAR}`, `${VAR:-default}` and a whole-value `$VAR` replaced; None when one is unset."""
    whole = _dsn.whole_reference(text)
    if whole is not None and not text.startswith("${"):  # a bare $VAR
        return lookup(whole.name)
    out: List[str] = []
    last = 0
    for ref in _dsn.find_references(text):
        value = lookup(ref.name)
        if not value and ref.operator in (":-", "-") and (value is None or ref.operator == ":-"):
            value = interpolate(ref.default or "", lookup)
        if value is None:
            return None
        out.append(text[last:ref.start] + value)
        last = ref.end
    out.append(text[last:])
    return "".join(out)


def from_dsn(text: str, lookup: Lookup = os.environ.get, config=None) -> Optional[Endpoint]:
    """The endpoint a PostgreSQL URI names; None when it is not one or where it goes is unknown."""
    parsed = _dsn.parse_lenient(text)
    if parsed is None:
        return None
    target = classify("DATABASE_URL", text, config)
    if target is None or target.kind not in REACHABLE_KINDS:
        return None
    written = (",".join(parsed.hosts), ",".join(parsed.ports), parsed.user or "", parsed.database or "")
    parts = [interpolate(p, lookup) for p in written]
    if any(p is None for p in parts):
        return None
    hosts, ports, user, database = (p or "" for p in parts)
    password = interpolate(parsed.password, lookup) if parsed.password is not None else None
    if password is not None and is_placeholder(password):  # `[YOUR-PASSWORD]`: not a password to send
        password = None
    params: List[Tuple[str, str]] = []
    for key, value in parsed.params:
        if key in LIBPQ_PARAMS:
            resolved = interpolate(value, lookup)
            if resolved is not None:
                params.append((key, resolved))
    where = replace(target, schema=None, host=hosts or "localhost", database=database or None, user=user or None)
    return Endpoint(
        kind=target.kind,
        hosts=hosts or "localhost",
        ports=ports or "5432",
        user=user or None,
        database=database or None,
        params=tuple(params),
        label=label(where),
        password=password,
    )


def label(target: Target) -> str:
    """`Docker PostgreSQL (tekup@localhost:5432/tekup_db)`: kind and where, no password."""
    text = describe(target)
    if target.user and "(" in text:
        text = text.replace("(", f"({target.user}@", 1)
    return text


# --------------------------------------------------------------------------- the workspace


def _env_values(app: Optional[App]) -> Dict[str, str]:
    """The values the app's dotenv files set (the first file that sets a key wins)."""
    values: Dict[str, str] = {}
    if app is None:
        return values
    for parsed in app.files:
        if parsed.source.kind == "dotenv":
            for setting in parsed.settings:
                if setting.value is not None:
                    values.setdefault(setting.key, setting.value)
    return values


def lookup_for(ws: Workspace, app: App, environ: Mapping[str, str] = os.environ) -> Lookup:
    """How `${VAR}` resolves for an app: the process environment, the app, the repository root."""
    own = _env_values(app)
    root = _env_values(ws.apps.get(".")) if app.root != "." else {}

    def lookup(name: str) -> Optional[str]:
        for scope in (environ, own, root):
            if name in scope:
                return scope[name]
        return None

    return lookup


def reachable(conn: Connection) -> bool:
    """A DSN in an env file whose host this machine can try: not a Compose service name,
    which only resolves on the project's network."""
    if conn.setting is None or conn.setting.value is None or conn.target.source != "dsn":
        return False
    if conn.file.source.kind != "dotenv" or conn.target.kind not in REACHABLE_KINDS:
        return False
    host = (conn.target.host or "").split(",")[0].strip().lower()
    return "." in host or ":" in host or is_local_host(host)


@dataclass(frozen=True)
class Use:
    """A place in the configuration that sends a client to an endpoint."""

    app: str
    path: str
    span: Span
    key: Optional[str]  # the setting, or None for a datasource's literal url
    schema: Optional[str]  # the schema it selects (`?schema=`), if any


class Resolver:
    """Endpoints of a workspace's connections, computed once per connection."""

    def __init__(self, ws: Workspace, environ: Mapping[str, str] = os.environ) -> None:
        self.ws = ws
        self.environ = environ
        self._lookups: Dict[str, Lookup] = {}

    def lookup(self, app: App) -> Lookup:
        if app.root not in self._lookups:
            self._lookups[app.root] = lookup_for(self.ws, app, self.environ)
        return self._lookups[app.root]

    def of_connection(self, app: App, conn: Connection) -> Optional[Endpoint]:
        if not reachable(conn):
            return None
        return from_dsn(conn.setting.value, self.lookup(app), self.ws.config)  # type: ignore[union-attr]

    def of_value(self, app: App, text: str) -> Optional[Endpoint]:
        return from_dsn(text, self.lookup(app), self.ws.config)

    def connections(self) -> Iterator[Tuple[App, Connection, Endpoint]]:
        for app in self.ws.apps.values():
            for conn in app.connections:
                endpoint = self.of_connection(app, conn)
                if endpoint is not None:
                    yield app, conn, endpoint

    def uses(self) -> Iterator[Tuple[Use, Endpoint]]:
        """Every place that names a reachable endpoint: env-file DSNs, then Prisma literal urls."""
        for app, conn, endpoint in self.connections():
            schema = conn.target.schema if conn.target.schema and "$" not in conn.target.schema else None
            yield Use(app.root, conn.file.source.path, conn.span, conn.key, schema), endpoint
        for app, parsed, ds in self.datasources():
            if ds.url is not None and ds.url.literal is not None:
                endpoint = self.of_value(app, ds.url.literal)
                if endpoint is not None:
                    schema = _dsn.parse_lenient(ds.url.literal).schema  # type: ignore[union-attr]
                    yield Use(app.root, parsed.source.path, ds.url.span, None, schema), endpoint

    def datasources(self) -> Iterator[Tuple[App, ParsedFile, PrismaDatasource]]:
        for app in self.ws.apps.values():
            for parsed in app.files:
                for ds in parsed.datasources:
                    yield app, parsed, ds

    def of_datasource(self, app: App, ds: PrismaDatasource) -> List[Tuple[Endpoint, str]]:
        """The endpoints a datasource's `url` reaches, each with its default schema (the
        url's `?schema=`, else `public`): a literal url, or every DSN that the app's (or
        the repository root's) env files give the variable of `env("...")`."""
        found: List[Tuple[Endpoint, str]] = []
        if ds.url is None:
            return found
        if ds.url.literal is not None:
            endpoint = self.of_value(app, ds.url.literal)
            if endpoint is not None:
                found.append((endpoint, _dsn.parse_lenient(ds.url.literal).schema or "public"))  # type: ignore[union-attr]
            return found
        scopes = [app] + ([self.ws.apps["."]] if "." in self.ws.apps and app.root != "." else [])
        for scope in scopes:
            for conn in scope.connections:
                if conn.key == ds.url.env:
                    endpoint = self.of_connection(scope, conn)
                    if endpoint is not None:
                        pair = (endpoint, conn.target.schema or "public")
                        if pair not in found:
                            found.append(pair)
        return found

    def endpoints(self) -> List[Endpoint]:
        """Every distinct endpoint, each with the first password the configuration gives it."""
        return distinct(endpoint for _, endpoint in self.uses())


def distinct(endpoints: Iterable[Endpoint]) -> List[Endpoint]:
    """Each database once, with the first password the configuration gives it, by label."""
    found: Dict[Endpoint, Endpoint] = {}
    for endpoint in endpoints:
        known = found.get(endpoint)
        if known is None or (known.password is None and endpoint.password is not None):
            found.pop(endpoint, None)
            found[endpoint] = endpoint
    return sorted(found, key=lambda e: e.label)


def pick(ws: Workspace, app: Optional[str] = None, provider: Optional[str] = None) -> List[Endpoint]:
    """The distinct endpoints the configuration names: of one app (its folder, or the
    folder's last part: `tekup-billy`) and/or one provider (supabase, docker, legacy-vault,
    other). LookupError when no app has that name."""
    roots = None
    if app is not None:
        wanted = app.strip("/")
        roots = {r for r in ws.apps if r == wanted or r.rsplit("/", 1)[-1] == wanted}
        if not roots:
            raise LookupError(f"no app {app!r} (apps: {', '.join(r for r in ws.apps if r != '.') or 'none'})")
    return distinct(
        endpoint for use, endpoint in Resolver(ws).uses()
        if (roots is None or use.app in roots) and (provider is None or PROVIDER_OF_KIND.get(endpoint.kind) == provider)
    )


def from_spec(spec: str, workspace: Callable[[], Workspace], config=None,
              environ: Mapping[str, str] = os.environ) -> List[Endpoint]:
    """What a user names on the command line: a DSN, a provider of the workspace
    (`supabase`, `docker`, ...), or the name of an environment variable holding a DSN.
    LookupError, with what to do, when it names nothing reachable."""
    if spec in PROVIDERS:
        found = pick(workspace(), provider=spec)
        if not found:
            raise LookupError(f"the configuration names no reachable {spec} database")
        return found
    text = spec if "://" in spec else environ.get(spec)
    if text is None:
        raise LookupError(
            f"{spec} is neither a DSN, a provider ({', '.join(PROVIDERS)}) nor a set environment variable"
        )
    endpoint = from_dsn(text, environ.get, config)
    if endpoint is None:
        raise LookupError(f"{'the DSN' if '://' in spec else spec} is not a PostgreSQL URI with a known host")
    return [endpoint]


@dataclass
class Reached:
    """What `check --live` learnt: the outcome of every endpoint of the workspace."""

    resolver: Resolver
    outcomes: Dict[Endpoint, "Outcome"]


def reach_workspace(ws: Workspace, exact: bool = False) -> Reached:
    """Survey every database the workspace's configuration names (needs psycopg)."""
    from tekup_envlint.live import reach_all

    resolver = Resolver(ws)
    return Reached(resolver, reach_all(resolver.endpoints(), exact))
