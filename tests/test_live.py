"""The live survey against a real PostgreSQL server the suite starts itself (tests/pgserver.py).

Every test here builds its own database on the session's server and runs the installed
`tekup-envlint` as a user would; nothing mocks the database. Passwords must never show in
any output, so every run is checked for them.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, Tuple

import jsonschema
import pytest

from conftest import ROOT, app, write_tree
from pgserver import PASSWORD, Server
from seed_db import SCHEMAS, ddl, insert

EXE = Path(sys.executable).parent / "tekup-envlint"
SECRETS = (PASSWORD, "wrongpass99")
SURVEY_SCHEMA = json.loads((ROOT / "docs/schema/survey.schema.json").read_text())
COMPARE_SCHEMA = json.loads((ROOT / "docs/schema/compare.schema.json").read_text())


def cli(*argv: str, env: Dict[str, str] = None, cwd: Path = None) -> Tuple[int, str, str]:
    result = subprocess.run(
        [str(EXE), *argv], capture_output=True, text=True, cwd=cwd or Path("/"),
        env={**os.environ, "NO_COLOR": "1", **(env or {})}, timeout=120,
    )
    for secret in SECRETS:
        assert secret not in result.stdout and secret not in result.stderr, f"{secret} leaked: {argv}"
    return result.returncode, result.stdout, result.stderr


@pytest.fixture(scope="module")
def seed(pg_server: Server) -> str:
    """The seed survey's database: six schemas, 53 tables, 0 rows, plpgsql and uuid-ossp."""
    return pg_server.create_database("seed_db", ddl())


# --------------------------------------------------------------------------- survey


def test_survey_json_reproduces_the_seed_database(seed: str) -> None:
    code, out, _ = cli("survey", "--env", "SEED_URL", "--format", "json", env={"SEED_URL": seed})
    assert code == 0
    jsonschema.validate(json.loads(out), SURVEY_SCHEMA)
    target = json.loads(out)["targets"][0]
    assert target["reachable"] and target["database"] == "seed_db"
    assert [(s["name"], s["tables"], s["rows"], s["status"]) for s in target["schemas"]] == [
        (name, len(tables), 0, "empty") for name, tables in SCHEMAS.items()
    ]
    assert target["summary"] == {"schemas": 6, "missing_schemas": 0, "tables": 53, "rows": 0, "rows_exact": True}
    assert {(e["name"], e["version"]) for e in target["extensions"]} == {("plpgsql", "1.0"), ("uuid-ossp", "1.1")}
    assert {(t["schema"], t["name"]) for t in target["tables"]} == {(s, t) for s, ts in SCHEMAS.items() for t in ts}
    assert target["server_version"].split(".")[0].isdigit()
    assert target["size"] > 1_000_000 and target["size_pretty"].endswith(("kB", "MB"))


def test_survey_text_shows_the_seed_tables(seed: str) -> None:
    code, out, _ = cli("survey", seed)
    assert code == 0
    for name, tables in SCHEMAS.items():
        assert any(line.split("│")[1:4] and line.split("│")[1].strip() == name
                   and line.split("│")[2].strip() == str(len(tables)) and line.split("│")[5].strip() == "empty"
                   for line in out.splitlines() if "│" in line), name
    assert "6 schemas · 53 tables · 0 rows" in out
    assert "uuid-ossp" in out and "plpgsql" in out
    assert "the data was not migrated" in out


def test_survey_markdown_is_a_fileable_report(seed: str) -> None:
    code, out, _ = cli("survey", "--env", "SEED_URL", "--format", "markdown", env={"SEED_URL": seed})
    assert code == 0
    assert out.startswith("# Database survey")
    assert "Total Schemas:     6" in out and "Total Tables:      53" in out and "Total Data Rows:   0" in out
    for name, tables in SCHEMAS.items():
        assert f"| {name} | {len(tables)} | 0 |" in out and f"### Schema `{name}` ({len(tables)} tables)" in out
    assert out.count("🟡 empty") == 6
    assert "| `uuid-ossp` | 1.1 |" in out


def test_survey_counts_and_estimates_rows(pg_server: Server) -> None:
    dsn = pg_server.create_database("counted", ddl({"billy": ["organizations", "users"]}) + insert("billy", "users", 3))
    _, out, _ = cli("survey", dsn, "--format", "json")
    rows = {t["name"]: (t["rows"], t["rows_exact"]) for t in json.loads(out)["targets"][0]["tables"]}
    assert rows["organizations"] == (0, True)  # empty is exact without counting
    assert rows["users"] == (None, False)  # has rows, never analysed: no number is invented
    _, out, _ = cli("survey", dsn, "--format", "json", "--exact")
    jsonschema.validate(json.loads(out), SURVEY_SCHEMA)
    target = json.loads(out)["targets"][0]
    assert {t["name"]: t["rows"] for t in target["tables"]} == {"organizations": 0, "users": 3}
    billy = next(s for s in target["schemas"] if s["name"] == "billy")
    assert (billy["status"], billy["rows"]) == ("populated", 3)
    assert [s["status"] for s in target["schemas"] if s["name"] == "vault"] == ["missing"]


def test_rows_the_user_cannot_see_are_unknown_not_empty(pg_server: Server) -> None:
    """A table the user may not read, or whose rows row security hides, is never called empty."""
    pg_server.create_database("guarded", ddl({"billy": ["organizations", "secrets", "open"]})
                              + insert("billy", "organizations", 2) + insert("billy", "secrets", 1) + f"""
        CREATE ROLE guarded_reader LOGIN PASSWORD '{PASSWORD}';
        GRANT USAGE ON SCHEMA billy TO guarded_reader;
        GRANT SELECT ON billy.organizations, billy.open TO guarded_reader;
        ALTER TABLE billy.organizations ENABLE ROW LEVEL SECURITY;  -- no policy: the reader sees no row
    """)
    reader = pg_server.dsn("guarded").replace("tekup:", "guarded_reader:", 1)
    for extra in ((), ("--exact",)):
        code, out, _ = cli("survey", reader, "--format", "json", *extra)
        assert code == 0
        target = json.loads(out)["targets"][0]
        assert {t["name"]: t["has_rows"] for t in target["tables"]} == {"organizations": None, "secrets": None, "open": False}
        assert [s["status"] for s in target["schemas"] if s["name"] == "billy"] == ["unreadable"]


def test_names_from_the_database_cannot_forge_output(pg_server: Server) -> None:
    """A table name is data: no terminal escapes in text, no broken rows in markdown."""
    dsn = pg_server.create_database("hostile", 'CREATE SCHEMA billy; CREATE TABLE billy."a|b\x1b[2J\nc" (id int);')
    _, text, _ = cli("survey", dsn)
    _, markdown, _ = cli("survey", dsn, "--format", "markdown")
    assert "\x1b" not in text and "\\x1b[2J" in text
    assert "| `a\\|b\\x1b[2J\\x0ac` | 0 |" in markdown
    _, out, _ = cli("survey", dsn, "--format", "json")
    assert [t["name"] for t in json.loads(out)["targets"][0]["tables"]] == ["a|b\x1b[2J\nc"]


def test_survey_of_an_app_resolves_its_password_from_its_env_files(tmp_path: Path, seed: str, pg_server: Server) -> None:
    port = pg_server.port
    write_tree(tmp_path, app({
        ".env": f"POSTGRES_PASSWORD={PASSWORD}\n"
                f"DATABASE_URL=postgresql://tekup:${{POSTGRES_PASSWORD}}@localhost:{port}/seed_db?schema=vault\n",
        ".env.example": f"DATABASE_URL=postgresql://tekup:${{POSTGRES_PASSWORD}}@localhost:{port}/seed_db?schema=vault\n",
    }, "apps/tekup-database"))
    for selector in (("--app", "tekup-database"), ("--target", "docker")):
        code, out, err = cli("survey", *selector, "--root", str(tmp_path), "--format", "json")
        assert code == 0, err
        targets = json.loads(out)["targets"]
        assert len(targets) == 1 and targets[0]["summary"]["tables"] == 53  # template and .env: one database
    code, _, err = cli("survey", "--target", "supabase", "--root", str(tmp_path))
    assert code == 2 and "no reachable supabase database" in err


def test_survey_says_why_a_target_cannot_be_reached(pg_server: Server) -> None:
    code, out, _ = cli("survey", pg_server.dsn("seed_db", password="wrongpass99"), "--format", "json")
    assert code == 1
    jsonschema.validate(json.loads(out), SURVEY_SCHEMA)
    target = json.loads(out)["targets"][0]
    assert (target["reachable"], target["reason"]) == (False, "authentication")


# --------------------------------------------------------------------------- reasons and safety


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts TCP connections and never answers: a server that hangs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


def _reason(dsn: str) -> str:
    from tekup_envlint import endpoints, live

    endpoint = endpoints.from_dsn(dsn)
    assert endpoint is not None
    outcome = live.reach(endpoint, connect_timeout=2)
    assert isinstance(outcome, live.Unreachable), outcome
    for secret in SECRETS:
        assert secret not in outcome.detail
    return outcome.reason


def test_reasons_for_unreachable_targets(pg_server: Server, silent_port: int) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    assert _reason(f"postgresql://tekup:{PASSWORD}@127.0.0.1:{port}/x") == "refused"
    assert _reason(f"postgresql://tekup:{PASSWORD}@127.0.0.1:{silent_port}/x") == "timeout"
    assert _reason(pg_server.dsn("postgres", password="wrongpass99")) == "authentication"
    assert _reason(pg_server.dsn("no_such_database")) == "database"
    assert _reason(pg_server.dsn("postgres", sslmode="require")) == "tls"  # the test server has no TLS


def test_the_survey_session_is_read_only_with_a_statement_timeout(seed: str) -> None:
    import psycopg

    from tekup_envlint import endpoints, live

    with live.session(live.connect(endpoints.from_dsn(seed))) as conn:
        assert conn.execute("SHOW transaction_read_only").fetchone() == ("on",)
        assert conn.execute("SHOW statement_timeout").fetchone() == (f"{live.STATEMENT_TIMEOUT}s",)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("CREATE TABLE vault.written (id int)")


def test_supabase_targets_require_tls_unless_the_dsn_says_otherwise() -> None:
    from tekup_envlint.endpoints import from_dsn

    pooler = "postgresql://postgres.oaevagdgrasfppbrxbey:pw@aws-1-eu-central-1.pooler.supabase.com:5432/postgres"
    assert from_dsn(pooler + "?schema=renos&pgbouncer=true").conninfo()["sslmode"] == "require"
    info = from_dsn(pooler + "?sslmode=verify-full&sslrootcert=/etc/prod-ca.crt").conninfo()
    assert (info["sslmode"], info["sslrootcert"]) == ("verify-full", "/etc/prod-ca.crt")
    assert "schema" not in info and "pgbouncer" not in info  # Prisma's own: libpq rejects them
    assert "sslmode" not in from_dsn("postgresql://tekup:pw@localhost:5432/tekup_db").conninfo()


def test_without_psycopg_the_live_commands_say_how_to_install_it(tmp_path: Path) -> None:
    probe = (
        "import sys; sys.modules['psycopg'] = None\n"
        "from tekup_envlint.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    write_tree(tmp_path, app({".env": "DATABASE_URL=postgresql://tekup:x@localhost:5432/tekup_db\n"}))
    for argv in (["survey", "postgresql://tekup@localhost:5432/tekup_db"], ["check", "--live", str(tmp_path)]):
        result = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True, cwd=tmp_path)
        assert result.returncode == 2
        assert "pip install 'tekup-envlint[live]'" in result.stderr
    result = subprocess.run([sys.executable, "-c", probe, "check", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr  # the offline check needs none of it


# --------------------------------------------------------------------------- check --live

PRISMA = """
generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["multiSchema", "postgresqlExtensions"]
}

datasource db {
  provider   = "postgresql"
  url        = env("DATABASE_URL")
  schemas    = ["vault", "billy", "crm", "flow"]
  extensions = [vector, uuidOssp(map: "uuid-ossp")]
}

model Document {
  id String @id
  @@map("documents")
  @@schema("vault")
}

model Embedding {
  id String @id
  @@map("embeddings")
  @@schema("vault")
}

model Organization {
  id String @id
  @@map("organizations")
  @@schema("billy")
}

model AuditLog {
  id String @id
  @@map("audit_logs")
  @@schema("billy")
}

model CrmCompany {
  id String @id
  @@schema("crm")
}

model FlowWorkflow {
  id String @id
  @@schema("flow")
}
"""


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_check_live_finds_each_planted_problem_and_nothing_else(tmp_path: Path, pg_server: Server, silent_port: int) -> None:
    schemas = {"vault": ["documents", "embeddings"], "billy": ["organizations"], "crm": ["CrmCompany"]}
    pg_server.create_database(
        "planted", ddl(schemas) + insert("billy", "organizations", 2) + insert("crm", "CrmCompany", 1)
    )
    prisma = "\n".join(PRISMA.splitlines()[1:])
    db = f"postgresql://tekup:${{POSTGRES_PASSWORD}}@localhost:{pg_server.port}/planted"
    write_tree(tmp_path, {
        **app({
            ".env": f"POSTGRES_PASSWORD={PASSWORD}\nDATABASE_URL={db}?schema=vault\n",
            "prisma/schema.prisma": prisma,
        }, "apps/tekup-database"),
        **app({".env": f"DATABASE_URL=postgresql://tekup:{PASSWORD}@127.0.0.1:{silent_port}/tekup_db\n"},
              "apps/legacy-api"),
    })
    code, out, err = cli("check", "--live", "--select", "LIV", "--format", "json", str(tmp_path))
    assert code == 1, err
    found = {(f["code"], f["path"], f["line"]) for f in json.loads(out)["findings"]}
    schema_file = "apps/tekup-database/prisma/schema.prisma"
    assert found == {
        ("LIV001", "apps/legacy-api/.env", 1),  # the unreachable host
        ("LIV002", schema_file, _line_of(prisma, "schemas ")),  # flow does not exist
        ("LIV003", schema_file, _line_of(prisma, "model AuditLog")),  # billy.audit_logs does not exist
        ("LIV005", schema_file, _line_of(prisma, "extensions")),  # vector is not installed
        ("LIV006", "apps/tekup-database/.env", 2),  # vault holds no rows
    }
    messages = {f["code"]: f["message"] for f in json.loads(out)["findings"]}
    assert "(timeout)" in messages["LIV001"]
    assert "schema flow" in messages["LIV002"] and "billy.audit_logs" in messages["LIV003"]
    assert "extension vector" in messages["LIV005"] and "does not even offer it" in messages["LIV005"]
    assert "vault" in messages["LIV006"] and "2 tables and no rows" in messages["LIV006"]


def test_check_live_reports_tables_no_model_declares(tmp_path: Path, pg_server: Server) -> None:
    pg_server.create_database("undeclared", ddl({"crm": ["CrmCompany", "old_contacts", "_prisma_migrations"]})
                              + insert("crm", "CrmCompany", 1))
    write_tree(tmp_path, app({
        ".env": f"DATABASE_URL=postgresql://tekup:{PASSWORD}@localhost:{pg_server.port}/undeclared?schema=crm\n",
        "prisma/schema.prisma": 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n\n'
                                "model CrmCompany {\n  id String @id\n}\n",
    }, "apps/crm"))
    code, out, _ = cli("check", "--live", "--select", "LIV", "--format", "json", str(tmp_path))
    findings = json.loads(out)["findings"]
    assert [(f["code"], f["path"], f["line"]) for f in findings] == [("LIV004", "apps/crm/prisma/schema.prisma", 1)]
    assert "old_contacts" in findings[0]["message"] and "_prisma_migrations" not in findings[0]["message"]


def test_check_without_live_never_connects(tmp_path: Path, silent_port: int) -> None:
    write_tree(tmp_path, app({".env": f"DATABASE_URL=postgresql://tekup:{PASSWORD}@127.0.0.1:{silent_port}/x?schema=vault\n"}))
    code, out, _ = cli("check", "--select", "LIV", "--format", "json", str(tmp_path))
    assert (code, json.loads(out)["findings"]) == (0, [])


# --------------------------------------------------------------------------- compare


def test_compare_shows_a_partial_migration(pg_server: Server) -> None:
    schemas = {"billy": ["organizations", "users", "audit_logs"], "vault": ["documents"]}
    source = pg_server.create_database("compare_a", ddl(schemas) + insert("billy", "organizations", 3)
                                       + insert("billy", "users", 5) + insert("vault", "documents", 2))
    partial = {"billy": ["organizations", "users"], "vault": ["documents"]}
    target = pg_server.create_database("compare_b", ddl(partial) + insert("billy", "organizations", 3)
                                       + insert("billy", "users", 1))
    code, out, _ = cli("survey", "--compare", "A_URL", "B_URL", "--format", "json",
                       env={"A_URL": source, "B_URL": target})
    assert code == 1
    document = json.loads(out)
    jsonschema.validate(document, COMPARE_SCHEMA)
    assert document["complete"] is False
    assert [(t["schema"], t["name"], t["rows_a"], t["rows_b"], t["status"]) for t in document["tables"]] == [
        ("billy", "audit_logs", 0, None, "missing on B"),
        ("billy", "organizations", 3, 3, "equal"),
        ("billy", "users", 5, 1, "fewer rows on B"),
        ("vault", "documents", 2, 0, "fewer rows on B"),
    ]
    code, out, _ = cli("survey", "--compare", source, target)
    assert code == 1 and "Migration incomplete" in out and "missing on B" in out
    code, out, _ = cli("survey", "--compare", source, source, "--format", "markdown")
    assert code == 0 and "**Verdict:** Migration complete: 4 equal" in out


# --------------------------------------------------------------------------- no server


@pytest.mark.parametrize("ci, outcome", [("true", "1 error"), ("", "1 skipped")])
def test_without_a_server_the_live_tests_fail_in_ci_and_skip_elsewhere(tmp_path: Path, ci: str, outcome: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update({"PG_BINDIR": str(tmp_path), **({"CI": ci} if ci else {})})  # a folder with no server in it
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rsf",
         f"{Path(__file__).name}::test_reasons_for_unreachable_targets"],
        cwd=Path(__file__).parent, env=env, capture_output=True, text=True, timeout=120,
    )
    assert outcome in result.stdout, result.stdout[-2000:]
    assert "live tests need a PostgreSQL server: initdb/pg_ctl not found" in result.stdout
    assert result.returncode == (1 if ci else 0)
