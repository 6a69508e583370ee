"""The pure half of the live survey: row counts as shown, schema status, the comparison, endpoints."""

from __future__ import annotations

from tekup_envlint.endpoints import from_dsn, interpolate
from tekup_envlint.survey import (
    EMPTY, EQUAL, FEWER_ON_B, MISSING, MISSING_ON_B, MORE_ON_B, POPULATED, UNKNOWN, UNREADABLE, Snapshot, Table,
    compare, human_size, migration_complete, schema_rows, table_rows,
)


def snap(*tables: Table, schemas=("public", "billy", "vault")) -> Snapshot:
    return Snapshot("db", "16.4", "tekup_db", 11 * 1024 * 1024, tuple(schemas), tables, ())


def t(name: str, rows, exact=True, has=None, schema="billy") -> Table:
    has = bool(rows) if has is None and exact else has
    return Table(schema, name, rows, exact, has, 8192)


def test_rows_as_shown() -> None:
    assert table_rows(t("a", 0, exact=False, has=False)) == (0, True)  # empty is exact without counting
    assert table_rows(t("a", 1200, exact=False, has=True)) == (1200, False)  # an estimate
    assert table_rows(t("a", None, exact=False, has=True)) == (None, False)  # never analysed
    assert table_rows(t("a", 0, exact=False, has=True)) == (None, False)  # estimate stale: rows exist
    assert table_rows(t("a", 7)) == (7, True)


def test_schema_status_and_order() -> None:
    s = snap(t("users", 0), t("orgs", 3, schema="vault"), t("x", 0, schema="auth"),
             schemas=("public", "billy", "vault", "auth"))
    rows = schema_rows(s, ["billy", "crm"], hidden=["auth"])
    assert [(r.name, r.tables, r.rows, r.status) for r in rows] == [
        ("billy", 1, 0, EMPTY), ("crm", 0, None, MISSING), ("vault", 1, 3, POPULATED),
    ]
    hidden = snap(t("users", 0), t("secrets", None, exact=False, has=None))
    assert schema_rows(hidden, ["billy"])[0].status == UNREADABLE  # not empty: rows may be hidden


def test_compare_statuses() -> None:
    a = snap(t("gone", 4), t("same", 2), t("fewer", 5), t("more", 1), t("unknown", None, exact=False, has=True))
    b = snap(t("same", 2), t("fewer", 1), t("more", 9), t("unknown", 3))
    statuses = {c.name: c.status for c in compare(a, b)}
    assert statuses == {"gone": MISSING_ON_B, "same": EQUAL, "fewer": FEWER_ON_B, "more": MORE_ON_B,
                        "unknown": UNKNOWN}
    assert not migration_complete(compare(a, b))
    assert migration_complete(compare(b, b))


def test_human_size_as_pg_size_pretty() -> None:
    assert [human_size(n) for n in (512, 8791 * 1024, 11 * 1024 * 1024, 3 * 1024 ** 3)] == [
        "512 bytes", "8791 kB", "11 MB", "3072 MB",
    ]


def test_interpolation_and_unknown_endpoints() -> None:
    env = {"PW": "s3cret", "EMPTY": ""}.get
    assert interpolate("a${PW}b", env) == "as3cretb"
    assert interpolate("${EMPTY:-d}|${EMPTY-d}|${NOPE-x}", env) == "d||x"
    assert interpolate("${NOPE}", env) is None
    assert interpolate("$PW", env) == "s3cret"
    endpoint = from_dsn("postgresql://tekup:${PW}@localhost:5432/tekup_db?schema=vault", env)
    assert endpoint is not None and endpoint.password == "s3cret" and "s3cret" not in repr(endpoint)
    assert "s3cret" not in endpoint.label
    assert from_dsn("postgresql://tekup:${NOPE}@localhost:5432/db", env).password is None  # libpq's turn
    assert from_dsn("postgresql://tekup:[YOUR-PASSWORD]@localhost:5432/db", env).password is None
    assert from_dsn("postgresql://tekup:pw@${DB_HOST}:5432/db", env) is None  # where is unknown
    assert from_dsn("postgresql://user:pw@YOUR_HOST:5432/db", env) is None  # a placeholder
    same = from_dsn("postgresql://tekup:other@localhost:5432/tekup_db?schema=billy", env)
    assert same == endpoint  # one database, whatever the password and schema


def test_reports_render_without_a_server() -> None:
    from tekup_envlint.report.survey import compare_markdown, survey_markdown, survey_text, view
    from tekup_envlint.survey import Extension, Unreachable

    s = Snapshot("Docker PostgreSQL (tekup@localhost:5432/tekup_db)", "16.4", "tekup_db", 11 * 1024 * 1024,
                 ("public", "billy"), (t("users", 0), t("orgs", None, exact=False, has=True)),
                 (Extension("plpgsql", "1.0"),))
    down = Unreachable("Supabase project x (db.x.supabase.co:5432/postgres)", "dns", "failed to resolve host")
    views = [view(s, ["billy", "vault"]), view(down)]
    coloured = survey_text(views, color=True)
    assert "\x1b[" in coloured and "billy" in coloured and "cannot be reached (dns)" in coloured
    markdown = survey_markdown(views, "2025-10-26")
    assert "| billy | 2 | ≥1 | 16 kB | 🟢 populated |" in markdown and "| vault | 0 | - | - | 🔴 missing |" in markdown
    assert "Total Schemas:     1 (+1 missing)" in markdown and "Total Data Rows:   unknown" in markdown
    verdict = "**Verdict:** Migration incomplete: 1 equal, 1 rows unknown"  # an uncounted table proves nothing
    assert verdict in compare_markdown(s, s, compare(s, s), "2025-10-26")
