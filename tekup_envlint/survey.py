"""What a live database holds, as plain data, and the comparisons made on it.

`live.py` fills these shapes from a server (and is the only module that imports psycopg);
everything here is pure: the per-schema summary of the seed survey (tables, rows, size and
a status of missing, empty or populated) and the side-by-side comparison of two databases
that shows whether a migration is complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

MISSING, EMPTY, POPULATED = "missing", "empty", "populated"
UNREADABLE = "unreadable"  # no rows visible, but some table may not be read (privileges, row security)
# how a table of A fares on B in `survey --compare`
MISSING_ON_B, FEWER_ON_B, EQUAL = "missing on B", "fewer rows on B", "equal"
MORE_ON_B, UNKNOWN = "more rows on B", "rows unknown"
# why a target could not be surveyed (the first word of an Unreachable)
REASONS = ("refused", "timeout", "authentication", "tls", "dns", "database", "error")


@dataclass(frozen=True)
class Table:
    """One table. `rows` is exact when `exact`, else PostgreSQL's estimate (None: never
    analysed); `has_rows` is exact (an EXISTS probe), None when the survey cannot know: no
    privilege to read the table, or row security that may hide its rows from this user."""

    schema: str
    name: str
    rows: Optional[int]
    exact: bool
    has_rows: Optional[bool]
    size: int  # bytes, with indexes and TOAST


@dataclass(frozen=True)
class Extension:
    name: str
    version: str


@dataclass(frozen=True)
class Snapshot:
    """One database as a survey saw it. `label` names the target without its password."""

    label: str
    server_version: str
    database: str
    size: int  # bytes
    schemas: Tuple[str, ...]  # every schema that exists (system schemas left out)
    tables: Tuple[Table, ...]
    extensions: Tuple[Extension, ...]
    available: Tuple[str, ...] = ()  # extensions the server could install

    def tables_in(self, schema: str) -> List[Table]:
        return [t for t in self.tables if t.schema == schema]

    def has_extension(self, name: str) -> bool:
        return any(e.name == name for e in self.extensions)


@dataclass(frozen=True)
class Unreachable:
    """A target that could not be surveyed: `reason` is one of REASONS, `detail` the
    server's or the driver's words (scrubbed of secrets by the caller)."""

    label: str
    reason: str
    detail: str


Outcome = Union[Snapshot, Unreachable]


@dataclass(frozen=True)
class SchemaRow:
    """One line of the seed's per-schema table."""

    name: str
    tables: int
    rows: Optional[int]  # None when some table's count is unknown
    rows_known: bool  # False: some tables have rows whose number is only estimated
    size: int
    status: str  # missing | empty | populated | unreadable


def table_rows(table: Table) -> Tuple[Optional[int], bool]:
    """(rows, exact) as shown to a person: an empty table is exactly 0 even without --exact."""
    if table.exact or table.has_rows is False:
        return (table.rows if table.exact else 0), True
    if table.has_rows and (table.rows or 0) < 1:
        return None, False  # has rows, not analysed yet: the estimate says nothing
    return table.rows, False


def schema_rows(snapshot: Snapshot, expected: Sequence[str] = (), hidden: Iterable[str] = ()) -> List[SchemaRow]:
    """Per schema: expected ones first (in their order, `missing` when absent), then every
    other schema that holds tables, except the `hidden` ones (managed by the platform)."""
    hidden_set = set(hidden) - set(expected)
    names: List[str] = list(dict.fromkeys(expected))
    names += sorted({t.schema for t in snapshot.tables} - set(names) - hidden_set)
    out: List[SchemaRow] = []
    for name in names:
        if name not in snapshot.schemas:
            out.append(SchemaRow(name, 0, None, True, 0, MISSING))
            continue
        tables = snapshot.tables_in(name)
        counted = [table_rows(t) for t in tables]
        known = all(rows is not None for rows, _ in counted)
        total = sum(rows or 0 for rows, _ in counted)
        if any(t.has_rows for t in tables) or total > 0:
            status = POPULATED
        else:
            status = EMPTY if all(t.has_rows is False for t in tables) else UNREADABLE
        out.append(SchemaRow(
            name, len(tables), total if known else None, all(exact for _, exact in counted),
            sum(t.size for t in tables), status,
        ))
    return out


def hidden_schemas(snapshot: Snapshot, managed: Iterable[str], expected: Sequence[str]) -> List[str]:
    """The platform's own schemas (Supabase's auth, storage, ...) that a survey leaves out."""
    managed_set = set(managed) - set(expected)
    return sorted({t.schema for t in snapshot.tables} & managed_set)


@dataclass(frozen=True)
class Comparison:
    """One table of A beside the same table on B."""

    schema: str
    name: str
    rows_a: Optional[int]
    rows_b: Optional[int]  # None: missing on B
    status: str


def compare(a: Snapshot, b: Snapshot) -> List[Comparison]:
    """Every table of A with its rows on B: `missing on B`, `fewer rows on B`, `equal`, and
    `more rows on B` (B moved on); `rows unknown` unless both counts are known (the CLI
    counts exactly for a comparison)."""
    on_b: Dict[Tuple[str, str], Table] = {(t.schema, t.name): t for t in b.tables}
    out: List[Comparison] = []
    for table in sorted(a.tables, key=lambda t: (t.schema, t.name)):
        rows_a, _ = table_rows(table)
        other = on_b.get((table.schema, table.name))
        if other is None:
            out.append(Comparison(table.schema, table.name, rows_a, None, MISSING_ON_B))
            continue
        rows_b, _ = table_rows(other)
        if rows_a is None or rows_b is None:
            status = UNKNOWN
        elif rows_a == rows_b:
            status = EQUAL
        else:
            status = FEWER_ON_B if rows_b < rows_a else MORE_ON_B
        out.append(Comparison(table.schema, table.name, rows_a, rows_b, status))
    return out


def migration_complete(rows: Sequence[Comparison]) -> bool:
    """Whether B holds every table of A with at least as many rows."""
    return not any(r.status in (MISSING_ON_B, FEWER_ON_B, UNKNOWN) for r in rows)


def human_size(size: int) -> str:
    """`11 MB` as psql's pg_size_pretty writes it (1024-based, rounded, no decimals)."""
    value = float(size)
    for unit in ("bytes", "kB", "MB", "GB"):
        if value < 10 * 1024 or unit == "GB":
            return f"{int(round(value))} {unit}"
        value /= 1024
    return f"{int(round(value))} TB"  # pragma: no cover - unreachable

