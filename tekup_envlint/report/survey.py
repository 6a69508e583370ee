"""`survey` and `survey --compare` for people (rich tables, a fileable markdown report) and machines (JSON).

Names read from a database (schemas, tables) are as untrusted as the repository's files:
text output escapes control characters and never reads them as rich markup; markdown
escapes the characters that would break a table row.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

from tekup_envlint import __version__
from tekup_envlint.report.text import printable
from tekup_envlint.survey import (
    EMPTY, MISSING, MISSING_ON_B, MORE_ON_B, POPULATED, UNREADABLE, Comparison, Outcome, SchemaRow, Snapshot, Table,
    Unreachable, hidden_schemas, human_size, migration_complete, schema_rows, table_rows,
)

SCHEMA_VERSION = 1
STATUS_MARK = {MISSING: "🔴 missing", EMPTY: "🟡 empty", POPULATED: "🟢 populated", UNREADABLE: "⚪ unreadable"}
STATUS_STYLE = {MISSING: "red", EMPTY: "yellow", POPULATED: "green", UNREADABLE: "dim"}
# Schemas Supabase (and its extensions) create and manage; left out unless expected.
MANAGED_SCHEMAS = (
    "auth", "storage", "realtime", "_realtime", "graphql", "graphql_public", "extensions", "pgbouncer",
    "supabase_functions", "supabase_migrations", "net", "pgsodium", "pgsodium_masks", "vault", "cron",
    "_analytics", "pgtle", "topology", "tiger", "tiger_data",
)


@dataclass(frozen=True)
class View:
    """One surveyed target as the reports show it."""

    outcome: Outcome
    rows: List[SchemaRow]
    hidden: List[str]


def view(outcome: Outcome, expected: Sequence[str] = (), all_schemas: bool = False) -> View:
    if isinstance(outcome, Unreachable):
        return View(outcome, [], [])
    hidden = [] if all_schemas else hidden_schemas(outcome, MANAGED_SCHEMAS, expected)
    return View(outcome, schema_rows(outcome, expected, hidden), hidden)


def rows_text(table: Table) -> str:
    """`0`, `12` (exact), `~1200` (estimate), `≥1` (has rows, never analysed), `?` (not readable)."""
    rows, exact = table_rows(table)
    if rows is not None:
        return str(rows) if exact else f"~{rows}"
    return "≥1" if table.has_rows else "?"


def _schema_rows_text(row: SchemaRow) -> str:
    if row.status == MISSING:
        return "-"
    if row.rows is None:
        return "≥1" if row.status == POPULATED else "?"
    return str(row.rows) if row.rows_known else f"~{row.rows}"


def _totals(rows: List[SchemaRow]) -> Dict[str, Any]:
    present = [r for r in rows if r.status != MISSING]
    known = all(r.rows is not None for r in present)
    return {
        "schemas": len(present),
        "missing_schemas": len(rows) - len(present),
        "tables": sum(r.tables for r in present),
        "rows": sum(r.rows or 0 for r in present) if known else None,
        "rows_exact": known and all(r.rows_known for r in present),
    }


def _verdict(v: View) -> str:
    present = [r for r in v.rows if r.status != MISSING]
    missing = [r.name for r in v.rows if r.status == MISSING]
    empty = [r.name for r in present if r.status == EMPTY]
    parts = []
    if present and len(empty) == len(present):
        parts.append("every schema is empty: the schema was deployed but the data was not migrated")
    elif empty:
        parts.append(f"empty: {', '.join(empty)}")
    if missing:
        parts.append(f"missing: {', '.join(missing)}")
    return "; ".join(parts) if parts else "every schema holds data"


# --------------------------------------------------------------------------- text


def _console(color: bool):
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=None if color else 120,
                      highlight=False)
    return console, buffer


def survey_text(views: Sequence[View], color: bool) -> str:
    from rich.table import Table as RichTable
    from rich.text import Text

    console, buffer = _console(color)
    for index, v in enumerate(views):
        if index:
            console.print()
        if isinstance(v.outcome, Unreachable):
            console.print(Text(f"{printable(v.outcome.label)}: cannot be reached ({v.outcome.reason}): "
                               f"{printable(v.outcome.detail)}", style="bold red"))
            continue
        snap = v.outcome
        totals = _totals(v.rows)
        rows_total = "?" if totals["rows"] is None else str(totals["rows"])
        console.print(Text(printable(snap.label), style="bold"))
        console.print(Text(
            f"PostgreSQL {printable(snap.server_version)} · database {printable(snap.database)} · "
            f"{human_size(snap.size)} · {totals['schemas']} schemas · {totals['tables']} tables · {rows_total} rows"
        ))
        schemas = RichTable(title="Schemas", title_justify="left")
        for column in ("schema", "tables", "rows", "size", "status"):
            schemas.add_column(column, justify="right" if column in ("tables", "rows", "size") else "left")
        for row in v.rows:
            schemas.add_row(Text(printable(row.name)), str(row.tables), _schema_rows_text(row),
                            human_size(row.size) if row.status != MISSING else "-",
                            Text(row.status, style=STATUS_STYLE[row.status]))
        console.print(schemas)
        shown = {r.name for r in v.rows}
        tables = RichTable(title="Tables", title_justify="left")
        for column in ("schema", "table", "rows", "size"):
            tables.add_column(column, justify="right" if column in ("rows", "size") else "left")
        for table in (t for r in v.rows for t in snap.tables_in(r.name)):
            if table.schema in shown:
                tables.add_row(Text(printable(table.schema)), Text(printable(table.name)), rows_text(table),
                               human_size(table.size))
        if tables.row_count:
            console.print(tables)
        extensions = RichTable(title="Extensions", title_justify="left")
        extensions.add_column("extension")
        extensions.add_column("version")
        for ext in snap.extensions:
            extensions.add_row(Text(printable(ext.name)), Text(printable(ext.version)))
        console.print(extensions)
        if v.hidden:
            console.print(Text(f"{len(v.hidden)} schemas the platform manages are not shown "
                               f"({printable(', '.join(v.hidden))}); --all-schemas shows them"))
        console.print(Text(f"Verdict: {printable(_verdict(v))}"))
    return buffer.getvalue()


def compare_text(a: Outcome, b: Outcome, rows: Sequence[Comparison], color: bool) -> str:
    from rich.table import Table as RichTable
    from rich.text import Text

    console, buffer = _console(color)
    console.print(Text(f"A: {printable(a.label)}\nB: {printable(b.label)}", style="bold"))
    table = RichTable(title="Tables of A on B", title_justify="left")
    for column in ("schema", "table", "rows on A", "rows on B", "status"):
        table.add_column(column, justify="right" if column.startswith("rows") else "left")
    for row in rows:
        style = "green" if row.status == "equal" else "yellow" if row.status == MORE_ON_B else "red"
        table.add_row(Text(printable(row.schema)), Text(printable(row.name)), _count(row.rows_a),
                      "-" if row.status == MISSING_ON_B else _count(row.rows_b),
                      Text(row.status, style=style))
    console.print(table)
    console.print(Text(compare_verdict(rows)))
    return buffer.getvalue()


def _count(value: Optional[int]) -> str:
    return "?" if value is None else str(value)


def compare_verdict(rows: Sequence[Comparison]) -> str:
    counts: Dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    done = "Migration complete" if migration_complete(rows) else "Migration incomplete"
    return f"{done}: {summary or 'A has no tables'}"


# --------------------------------------------------------------------------- markdown


def _md(text: str) -> str:
    """A cell: pipes and line breaks would end it, backticks would open code."""
    return printable(text).replace("|", "\\|").replace("`", "'")


def survey_markdown(views: Sequence[View], date: str) -> str:
    out: List[str] = ["# Database survey", "", f"**Date:** {date}  ", f"**Tool:** tekup-envlint {__version__}", ""]
    for v in views:
        out += ["---", "", f"## {_md(v.outcome.label)}", ""]
        if isinstance(v.outcome, Unreachable):
            out += [f"🔴 **Cannot be reached ({v.outcome.reason}):** {_md(v.outcome.detail)}", ""]
            continue
        snap = v.outcome
        totals = _totals(v.rows)
        rows_total = "unknown" if totals["rows"] is None else str(totals["rows"])
        rows_total += "" if totals["rows"] is None or totals["rows_exact"] else " (estimated)"
        out += [
            f"**Server:** PostgreSQL {_md(snap.server_version)}  ",
            f"**Database:** `{_md(snap.database)}`",
            "",
            "### Summary",
            "",
            "```",
            f"Total Schemas:     {totals['schemas']}"
            + (f" (+{totals['missing_schemas']} missing)" if totals["missing_schemas"] else ""),
            f"Total Tables:      {totals['tables']}",
            f"Total Data Rows:   {rows_total}",
            f"Database Size:     {human_size(snap.size)}",
            "```",
            "",
            f"**Verdict:** {_md(_verdict(v))}",
            "",
            "### Per schema",
            "",
            "| Schema | Tables | Rows | Size | Status |",
            "| ------ | ------ | ---- | ---- | ------ |",
        ]
        for row in v.rows:
            size = human_size(row.size) if row.status != MISSING else "-"
            out.append(f"| {_md(row.name)} | {row.tables} | {_schema_rows_text(row)} | {size} | {STATUS_MARK[row.status]} |")
        out.append("")
        for row in v.rows:
            tables = snap.tables_in(row.name)
            if not tables:
                continue
            out += [f"### Schema `{_md(row.name)}` ({row.tables} tables)", "", "| Table | Rows | Size |", "| ----- | ---- | ---- |"]
            out += [f"| `{_md(t.name)}` | {rows_text(t)} | {human_size(t.size)} |" for t in tables]
            out.append("")
        out += ["### Installed extensions", "", "| Extension | Version |", "| --------- | ------- |"]
        out += [f"| `{_md(e.name)}` | {_md(e.version)} |" for e in snap.extensions]
        out.append("")
        if v.hidden:
            out += [f"_Not shown: {len(v.hidden)} schemas the platform manages ({_md(', '.join(v.hidden))})._", ""]
    out += ["Rows marked `~` are PostgreSQL's estimates and `≥1` means rows exist but were never counted; "
            "`survey --exact` counts them.", ""]
    return "\n".join(out)


def compare_markdown(a: Outcome, b: Outcome, rows: Sequence[Comparison], date: str) -> str:
    out = [
        "# Migration comparison", "", f"**Date:** {date}  ", f"**A:** {_md(a.label)}  ", f"**B:** {_md(b.label)}", "",
        f"**Verdict:** {_md(compare_verdict(rows))}", "",
        "| Schema | Table | Rows on A | Rows on B | Status |", "| ------ | ----- | --------- | --------- | ------ |",
    ]
    for row in rows:
        rows_b = "-" if row.status == MISSING_ON_B else _count(row.rows_b)
        out.append(f"| {_md(row.schema)} | `{_md(row.name)}` | {_count(row.rows_a)} | {rows_b} | {row.status} |")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- JSON


def _snapshot_json(v: View) -> Dict[str, Any]:
    if isinstance(v.outcome, Unreachable):
        return {"label": v.outcome.label, "reachable": False, "reason": v.outcome.reason, "detail": v.outcome.detail}
    snap: Snapshot = v.outcome
    return {
        "label": snap.label,
        "reachable": True,
        "server_version": snap.server_version,
        "database": snap.database,
        "size": snap.size,
        "size_pretty": human_size(snap.size),
        "summary": _totals(v.rows),
        "schemas": [
            {"name": r.name, "status": r.status, "tables": r.tables, "rows": r.rows, "rows_exact": r.rows_known,
             "size": r.size}
            for r in v.rows
        ],
        "tables": [
            {"schema": t.schema, "name": t.name, "rows": table_rows(t)[0], "rows_exact": table_rows(t)[1],
             "has_rows": t.has_rows, "size": t.size}
            for r in v.rows for t in snap.tables_in(r.name)
        ],
        "extensions": [{"name": e.name, "version": e.version} for e in snap.extensions],
        "hidden_schemas": v.hidden,
    }


def survey_json(views: Sequence[View]) -> str:
    document = {"tool": "tekup-envlint", "version": __version__, "schema_version": SCHEMA_VERSION,
                "targets": [_snapshot_json(v) for v in views]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def compare_json(a: Outcome, b: Outcome, rows: Sequence[Comparison]) -> str:
    counts: Dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    document = {
        "tool": "tekup-envlint",
        "version": __version__,
        "schema_version": SCHEMA_VERSION,
        "a": a.label,
        "b": b.label,
        "complete": migration_complete(rows),
        "summary": counts,
        "tables": [
            {"schema": r.schema, "name": r.name, "rows_a": r.rows_a, "rows_b": r.rows_b, "status": r.status}
            for r in rows
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
