"""Read a live database: the only module that talks to a server, and the only one that imports psycopg.

psycopg 3 is an optional extra (`pip install 'tekup-envlint[live]'`); it is imported inside
`reach`, so importing this module costs nothing and the rest of the tool never needs it.

Every visit is read-only and bounded: a short connect timeout (so an unreachable host is an
answer, not a hang), one `READ ONLY` transaction, a statement timeout set inside it (`SET
LOCAL`, which a transaction pooler also honours), and no prepared statements (PgBouncer and
Supavisor in transaction mode cannot keep them). Rows are probed with `EXISTS` per table,
which is exact and cheap at any size; `exact=True` counts them, one statement per table.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from tekup_envlint.endpoints import Endpoint
from tekup_envlint.redact import Redactor
from tekup_envlint.survey import Extension, Outcome, Snapshot, Table, Unreachable

INSTALL_HINT = "the live commands need psycopg 3: pip install 'tekup-envlint[live]'"
CONNECT_TIMEOUT = 5  # seconds; libpq's minimum useful value is 2
STATEMENT_TIMEOUT = 15  # seconds, per statement
_BATCH = 200  # tables per EXISTS probe statement

# libpq's own words for why a connection failed -> the reason a person acts on
_REASONS: Tuple[Tuple[str, "re.Pattern[str]"], ...] = tuple(
    (reason, re.compile(pattern, re.IGNORECASE)) for reason, pattern in (
        ("refused", r"connection refused|could not connect to server: No such file"),
        ("timeout", r"timeout expired|timed out|connection timeout"),
        ("authentication", r"authentication failed|no password supplied|password is required|"
                           r"no pg_hba\.conf entry|role \".*\" does not exist|Tenant or user not found"),
        ("tls", r"\bSSL\b|\bTLS\b|certificate|server does not support SSL"),
        ("dns", r"could not translate host name|Name or service not known|nodename nor servname|"
                r"Temporary failure in name resolution|No address associated"),
        ("database", r"database \".*\" does not exist"),
    )
)


class LiveUnavailable(Exception):
    """psycopg is not installed: the message says how to install it."""


def _psycopg():
    try:
        import psycopg
    except ImportError:
        raise LiveUnavailable(INSTALL_HINT) from None
    return psycopg


def available() -> bool:
    try:
        _psycopg()
    except LiveUnavailable:
        return False
    return True


def reason_of(message: str) -> str:
    """The first reason whose words the error message holds; `error` when none does."""
    for reason, pattern in _REASONS:
        if pattern.search(message):
            return reason
    return "error"


def _detail(err: BaseException, endpoint: Endpoint) -> str:
    """The driver's message on one line, with the endpoint's password scrubbed out."""
    text = " ".join(str(err).split()) or type(err).__name__
    secrets = [endpoint.password] if endpoint.password else []
    return Redactor(secrets).scrub(text)[:300]


def reach(endpoint: Endpoint, exact: bool = False, connect_timeout: int = CONNECT_TIMEOUT) -> Outcome:
    """Survey one endpoint: a Snapshot, or an Unreachable with its reason. Never raises
    for anything the server or the network does (LiveUnavailable without psycopg)."""
    psycopg = _psycopg()
    try:
        conn = connect(endpoint, connect_timeout)
    except psycopg.Error as err:
        detail = _detail(err, endpoint)
        return Unreachable(endpoint.label, reason_of(detail), detail)
    try:
        with session(conn) as cursor:
            return _snapshot(cursor, endpoint.label, exact)
    except psycopg.Error as err:
        detail = _detail(err, endpoint)
        return Unreachable(endpoint.label, "timeout" if "statement timeout" in detail else "error", detail)


def connect(endpoint: Endpoint, connect_timeout: int = CONNECT_TIMEOUT) -> Any:
    """A psycopg connection with no prepared statements (poolers in transaction mode)."""
    return _psycopg().connect(
        autocommit=False, prepare_threshold=None, connect_timeout=max(2, connect_timeout),
        **endpoint.conninfo(),
    )


@contextmanager
def session(conn: Any) -> Iterator[Any]:
    """The one read-only transaction a survey runs in, with its statement timeout; the
    connection is closed afterwards (and nothing is ever committed: the transaction is
    rolled back)."""
    with conn:
        conn.read_only = True
        tx = conn.transaction(force_rollback=True)
        with tx:
            conn.execute(f"SET LOCAL statement_timeout = '{STATEMENT_TIMEOUT}s'")
            yield conn


def reach_all(endpoints: Sequence[Endpoint], exact: bool = False) -> Dict[Endpoint, Outcome]:
    """Survey several endpoints at once, so unreachable hosts wait their timeouts together."""
    if not endpoints:
        return {}
    _psycopg()
    with ThreadPoolExecutor(max_workers=min(8, len(endpoints))) as pool:
        outcomes = list(pool.map(lambda e: reach(e, exact), endpoints))
    return dict(zip(endpoints, outcomes))


_SCHEMAS = """
SELECT nspname FROM pg_namespace
WHERE nspname NOT IN ('pg_catalog', 'information_schema')
  AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp\\_%'
ORDER BY nspname
"""
# per table: whether it can be read at all, and whether row security may hide rows from
# this user (not a superuser or BYPASSRLS role, and not the owner of a table without FORCE)
_TABLES = """
SELECT n.nspname, c.relname, c.reltuples::bigint, pg_total_relation_size(c.oid),
       has_table_privilege(c.oid, 'SELECT') AND has_schema_privilege(n.oid, 'USAGE'),
       c.relrowsecurity AND NOT r.rolsuper AND NOT r.rolbypassrls
         AND (c.relforcerowsecurity OR NOT pg_has_role(c.relowner, 'USAGE'))
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_roles r ON r.rolname = current_user
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
ORDER BY n.nspname, c.relname
"""


def _snapshot(conn, label: str, exact: bool) -> Snapshot:
    version, database, size = conn.execute(
        "SELECT current_setting('server_version'), current_database(), pg_database_size(current_database())"
    ).fetchone()
    schemas = tuple(row[0] for row in conn.execute(_SCHEMAS))
    raw = conn.execute(_TABLES).fetchall()
    readable = [(schema, name) for schema, name, _, _, can_read, _ in raw if can_read]
    counts = _counts(conn, readable) if exact else {}
    present = {} if exact else _has_rows(conn, readable)
    tables: List[Table] = []
    for schema, name, estimate, table_size, _, filtered in raw:
        key = (schema, name)
        rows: Optional[int] = estimate if estimate >= 0 else None
        if key in counts and not (filtered and counts[key] == 0):
            # under row security a count is what this user sees: at least that many
            tables.append(Table(schema, name, counts[key], not filtered, counts[key] > 0, table_size))
            continue
        has = present.get(key)
        if exact and key in readable and key not in counts:  # its count timed out: probe it
            has = _has_rows(conn, [key]).get(key)
        if filtered and not has:
            has = None  # no visible rows says nothing when rows may be hidden
        tables.append(Table(schema, name, rows, False, has, table_size))
    installed = conn.execute("SELECT extname, extversion FROM pg_extension ORDER BY 1")
    extensions = tuple(Extension(name, version) for name, version in installed)
    available = tuple(row[0] for row in conn.execute("SELECT name FROM pg_available_extensions ORDER BY 1"))
    return Snapshot(label, version, database, size, schemas, tuple(tables), extensions, available)


def _has_rows(conn, tables: Sequence[Tuple[str, str]]) -> Dict[Tuple[str, str], bool]:
    """EXISTS per table, many tables to a statement."""
    from psycopg import sql

    found: Dict[Tuple[str, str], bool] = {}
    for start in range(0, len(tables), _BATCH):
        batch = tables[start:start + _BATCH]
        probe = sql.SQL(" UNION ALL ").join(
            sql.SQL("SELECT {}, EXISTS (SELECT 1 FROM {})").format(sql.Literal(i), sql.Identifier(schema, name))
            for i, (schema, name) in enumerate(batch)
        )
        for index, has in conn.execute(probe):
            found[batch[index]] = bool(has)
    return found


def _counts(conn, tables: Sequence[Tuple[str, str]]) -> Dict[Tuple[str, str], int]:
    """count(*) per table, each in its own savepoint so one slow table does not void the rest."""
    psycopg = _psycopg()
    from psycopg import sql

    found: Dict[Tuple[str, str], int] = {}
    for schema, name in tables:
        try:
            with conn.transaction():
                row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, name))).fetchone()
        except psycopg.errors.QueryCanceled:
            continue
        found[(schema, name)] = int(row[0])
    return found
