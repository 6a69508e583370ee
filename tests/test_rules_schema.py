"""Schema rules (SCH001-SCH009): positives with exact positions, and the cases they must skip."""

from __future__ import annotations

from dataclasses import replace
from typing import Dict, List, Tuple

from tekup_envlint.config import DEFAULT

from conftest import lint

PKG = "{}\n"
PW = "${POSTGRES_PASSWORD}"
SB_PW = "${SUPABASE_DB_PASSWORD}"
REF = "oaevagdgrasfppbrxbey"
POOLER = "aws-1-eu-central-1.pooler.supabase.com"
DOCKER = f"postgresql://tekup:{PW}@localhost:5432/tekup_db"
SESSION = f"postgresql://postgres.{REF}:{SB_PW}@{POOLER}:5432/postgres"
TRANSACTION = f"postgresql://postgres.{REF}:{SB_PW}@{POOLER}:6543/postgres"

PRISMA_URL_ONLY = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n'

COMPOSE = """\
services:
  postgres:
    image: pgvector/pgvector:pg16
    environment:
      POSTGRES_USER: tekup
      POSTGRES_PASSWORD: tekup123
      POSTGRES_DB: tekup_db
    ports:
      - "5432:5432"
"""


def where(findings) -> List[Tuple[str, int, int]]:
    return [(f.path, f.line, f.column) for f in findings]


def run(tree, files: Dict[str, str], code: str, config=DEFAULT):
    return [f for f in lint(tree(files), config, select=code) if f.code == code]


def app_env(app: str, env: str, name: str = ".env") -> Dict[str, str]:
    return {f"{app}/package.json": PKG, f"{app}/{name}": env}


# --------------------------------------------------------------------------- SCH001


def test_sch001_undeclared_schema_with_a_hint(tree) -> None:
    found = run(tree, app_env("apps/billy", f"# billy\nDATABASE_URL={DOCKER}?schema=billing\n"), "SCH001")
    assert where(found) == [("apps/billy/.env", 2, 14)]
    assert "schema billing" in found[0].message
    assert "did you mean billy?" in found[0].message
    assert found[0].severity == "error" and found[0].key == "DATABASE_URL"


def test_sch001_schema_declared_only_by_prisma_is_allowed_and_named(tree) -> None:
    prisma = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n  schemas = ["analytics"]\n}\n'
    files = {
        **app_env("apps/db", f"DATABASE_URL={DOCKER}?schema=analytics\nOTHER_URL={DOCKER}?schema=stats\n"),
        "apps/db/prisma/schema.prisma": prisma,
    }
    found = run(tree, files, "SCH001")
    assert where(found) == [("apps/db/.env", 2, 11)]
    assert "apps/db/prisma/schema.prisma:4" in found[0].message


def test_sch001_quiet_cases(tree) -> None:
    env = "\n".join([
        f"A_URL={DOCKER}?schema=public",
        f"B_URL={DOCKER}?schema=shared",
        f"C_URL={DOCKER}?schema=${{SCHEMA}}",
        "D_URL=postgresql://app:secret@db.internal.acme.net:5432/app?schema=reporting",
        "E_URL=postgresql://user:pass@HOST:5432/db?schema=reporting",
        f"F_URL={DOCKER}",
    ]) + "\n"
    assert run(tree, app_env("apps/billy", env), "SCH001") == []


def test_sch001_silent_when_nothing_is_declared(tree) -> None:
    config = replace(DEFAULT, schemas=())
    found = run(tree, app_env("apps/x", f"DATABASE_URL={DOCKER}?schema=anything\n"), "SCH001", config)
    assert found == []


def test_sch001_checks_compose_environment(tree) -> None:
    compose = (
        "services:\n  api:\n    image: node:20\n    environment:\n"
        "      DATABASE_URL: postgresql://tekup:x@postgres:5432/tekup_db?schema=vaullt\n"
    )
    found = run(tree, {"apps/vault/package.json": PKG, "apps/vault/docker-compose.yml": compose}, "SCH001")
    assert where(found) == [("apps/vault/docker-compose.yml", 5, 21)]
    assert "did you mean vault?" in found[0].message


# --------------------------------------------------------------------------- SCH002


def test_sch002_named_url_selects_another_schema(tree) -> None:
    env = (
        f"DATABASE_URL_BILLY={DOCKER}?schema=renos\n"
        f"CRM_DATABASE_URL={DOCKER}?schema=flow\n"
        f"DIRECT_URL_VAULT={DOCKER}?schema=public\n"
    )
    found = run(tree, app_env("apps/tekup-database", env, ".env.example"), "SCH002")
    assert where(found) == [
        ("apps/tekup-database/.env.example", 1, 20),
        ("apps/tekup-database/.env.example", 2, 18),
        ("apps/tekup-database/.env.example", 3, 18),
    ]
    assert found[0].message == "DATABASE_URL_BILLY is named for schema billy but selects schema renos"


def test_sch002_quiet_cases(tree) -> None:
    env = (
        f"DATABASE_URL_BILLY={DOCKER}?schema=billy\n"
        f"DATABASE_URL_VAULT={DOCKER}\n"  # no ?schema=: a libpq client's URL
        f"DATABASE_URL_TEST={DOCKER}?schema=renos\n"  # test is not a schema
        f"DATABASE_URL_CRM={DOCKER}?schema=${{CRM_SCHEMA}}\n"
    )
    assert run(tree, app_env("apps/tekup-database", env), "SCH002") == []


# --------------------------------------------------------------------------- SCH003


def test_sch003_billy_on_the_renos_schema(tree) -> None:
    files = {
        **app_env("apps/production/tekup-billy", f"# Billy\n\nDATABASE_URL={DOCKER}?schema=renos\n"),
        **app_env("apps/web/rendetalje-os", f"DATABASE_URL={DOCKER}?schema=renos\n"),
    }
    found = run(tree, files, "SCH003")
    assert where(found) == [("apps/production/tekup-billy/.env", 3, 14)]
    message = found[0].message
    assert "schema renos" in message and "apps/web/rendetalje-os" in message
    assert "`*rendetalje*`" in message and "not to app apps/production/tekup-billy" in message


def test_sch003_app_without_a_schema_using_an_owned_one(tree) -> None:
    found = run(tree, app_env("apps/production/tekup-ai", f"DATABASE_URL_VAULT={DOCKER}?schema=vault\n"), "SCH003")
    assert where(found) == [("apps/production/tekup-ai/.env", 1, 20)]
    assert "the apps matching `*vault*`" in found[0].message


def test_sch003_quiet_cases(tree) -> None:
    prisma = (
        'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n'
        '  schemas = ["vault", "billy", "renos"]\n}\n'
    )
    own = f"A_URL={DOCKER}?schema=billy\nB_URL={DOCKER}?schema=shared\nC_URL={DOCKER}?schema=public\n"
    package = f"DATABASE_URL_VAULT={DOCKER}?schema=vault\nDATABASE_URL_RENOS={DOCKER}?schema=renos\n"
    files = {
        **app_env("apps/billy", own),
        **app_env("apps/tekup-database", package),
        "apps/tekup-database/prisma/schema.prisma": prisma,
        ".env": f"DATABASE_URL_BILLY={DOCKER}?schema=billy\n",
        **app_env("apps/ext", "DATABASE_URL=postgresql://a:b@pg.partner.example.net:5432/x?schema=renos\n"),
    }
    assert run(tree, files, "SCH003") == []


# --------------------------------------------------------------------------- SCH004


def test_sch004_localhost_on_the_published_port_with_the_wrong_user(tree) -> None:
    files = {
        **app_env("apps/tekup-database", f"DATABASE_URL=postgresql://postgres:{PW}@localhost:5432/tekup_db\n"),
        "apps/tekup-database/docker-compose.yml": COMPOSE,
    }
    found = run(tree, files, "SCH004")
    assert where(found) == [("apps/tekup-database/.env", 1, 14)]
    assert found[0].message == (
        "DATABASE_URL connects to Compose service postgres (apps/tekup-database/docker-compose.yml:2) "
        "with user postgres (the service creates tekup)"
    )


def test_sch004_service_name_from_another_app_and_a_password_that_is_never_shown(tree) -> None:
    compose = (
        "services:\n  api:\n    image: node:20\n    environment:\n"
        "      DATABASE_URL: postgresql://tekup:Wr0ngPassw0rd@postgres:5432/tekup\n"
    )
    files = {
        "apps/tekup-database/package.json": PKG,
        "apps/tekup-database/docker-compose.yml": COMPOSE,
        "apps/api/package.json": PKG,
        "apps/api/docker-compose.yml": compose,
    }
    # another Compose project's service is reached only when it is the configured Docker database
    found = run(tree, files, "SCH004", replace(DEFAULT, docker=replace(
        DEFAULT.docker, compose_file="apps/tekup-database/docker-compose.yml")))
    assert where(found) == [("apps/api/docker-compose.yml", 5, 21)]
    assert "database tekup (the service creates tekup_db)" in found[0].message
    assert "a password that differs from its POSTGRES_PASSWORD" in found[0].message
    assert "Wr0ng" not in found[0].message and "tekup123" not in found[0].message


def test_sch004_reads_env_file_and_project_env_defaults(tree) -> None:
    compose = (
        "services:\n  db:\n    image: postgres:16\n    env_file: db.env\n"
        "    environment:\n      POSTGRES_DB: ${DB_NAME:-app}\n    ports:\n      - \"${DB_PORT:-5433}:5432\"\n"
    )
    files = {
        "svc/package.json": PKG,
        "svc/docker-compose.yml": compose,
        "svc/db.env": "POSTGRES_USER=svc\nPOSTGRES_PASSWORD=${SECRET}\n",
        "svc/.env": "DB_NAME=svc_db\nDATABASE_URL=postgresql://svc:x@127.0.0.1:5433/app\n",
    }
    found = run(tree, files, "SCH004")
    assert where(found) == [("svc/.env", 2, 14)]
    assert "database app (the service creates svc_db)" in found[0].message
    assert "user" not in found[0].message.split(" with ", 1)[1]


def test_sch004_quiet_cases(tree) -> None:
    unknown = (
        "services:\n  db:\n    image: postgres:16\n    environment:\n"
        "      POSTGRES_USER: ${PGUSER}\n      POSTGRES_PASSWORD: x\n    ports:\n      - \"5434:5432\"\n"
    )
    in_container = (
        "services:\n  api:\n    image: node:20\n    environment:\n"
        "      DATABASE_URL: postgresql://other:x@localhost:5432/other\n"
    )
    files = {
        "apps/tekup-database/package.json": PKG,
        "apps/tekup-database/docker-compose.yml": COMPOSE,
        "apps/tekup-database/.env": (
            f"A_URL=postgresql://tekup:{PW}@localhost:5432/tekup_db\n"  # agrees
            "B_URL=postgresql://tekup:tekup123@postgres:5432/tekup_db\n"  # agrees, password too
            "C_URL=postgresql://other:x@localhost:6000/other\n"  # no service publishes 6000
            "D_URL=postgresql://anyone:x@localhost:5434/anyone\n"  # user unknown, db follows it
        ),
        "apps/unknown/package.json": PKG,
        "apps/unknown/docker-compose.yml": unknown,
        "apps/api/package.json": PKG,
        "apps/api/docker-compose.yml": in_container,
    }
    assert run(tree, files, "SCH004") == []


def test_sch004_agreeing_with_any_matching_service_is_enough(tree) -> None:
    other = COMPOSE.replace("tekup", "other").replace("pgvector/pgvector:pg16", "postgres:16")
    files = {
        "apps/a/package.json": PKG,
        "apps/a/docker-compose.yml": COMPOSE,
        "apps/b/package.json": PKG,
        "apps/b/docker-compose.yml": other,
        **app_env("apps/c", f"DATABASE_URL=postgresql://other:{PW}@localhost:5432/other_db\n"),
    }
    assert run(tree, files, "SCH004") == []


# --------------------------------------------------------------------------- SCH005


def test_sch005_supabase_database_other_than_postgres(tree) -> None:
    env = (
        f"DATABASE_URL={SESSION.replace('/postgres', '/crm')}\n"
        "LEGACY_DATABASE_URL=postgresql://postgres:x@db.twaoebtlusudzxshjral.supabase.co:5432/vault\n"
    )
    found = run(tree, app_env("apps/crm", env), "SCH005")
    assert where(found) == [("apps/crm/.env", 1, 14), ("apps/crm/.env", 2, 21)]
    assert "database crm on Supabase" in found[0].message


def test_sch005_configured_docker_database(tree) -> None:
    env = (
        "DATABASE_URL=postgresql://tekup:x@127.0.0.1:5432/tekup\n"
        "OTHER_URL=postgresql://tekup:x@localhost:5433/tekup\n"  # another server
    )
    found = run(tree, app_env("apps/crm", env), "SCH005")
    assert where(found) == [("apps/crm/.env", 1, 14)]
    assert found[0].message == (
        "DATABASE_URL names database tekup on the Docker PostgreSQL at localhost:5432, whose database is tekup_db"
    )


def test_sch005_quiet_cases(tree) -> None:
    env = (
        f"A_URL={SESSION}?schema=crm\n"
        f"B_URL={DOCKER}?schema=crm\n"
        f"C_URL=postgresql://postgres:{SB_PW}@db.{REF}.supabase.co:5432/${{DB_NAME}}\n"
        "D_URL=postgresql://tekup:x@localhost:5432\n"
    )
    assert run(tree, app_env("apps/crm", env), "SCH005") == []


def test_sch005_defers_to_the_compose_service(tree) -> None:
    files = {
        **app_env("apps/tekup-database", "DATABASE_URL=postgresql://tekup:x@localhost:5432/wrong\n"),
        "apps/tekup-database/docker-compose.yml": COMPOSE,
    }
    assert run(tree, files, "SCH005") == []
    assert where(run(tree, files, "SCH004")) == [("apps/tekup-database/.env", 1, 14)]


# --------------------------------------------------------------------------- SCH006


def test_sch006_transaction_pooler_without_pgbouncer(tree) -> None:
    prisma = 'datasource db {\n  provider = "postgresql"\n  url = env("TEKUP_DB_URL")\n}\n'
    env = (
        f"DATABASE_URL={TRANSACTION}?schema=renos\n"
        f"TEKUP_DB_URL={TRANSACTION}?pgbouncer=false\n"
        f"POSTGRES_PRISMA_URL=postgresql://postgres:{SB_PW}@db.{REF}.supabase.co:6543/postgres\n"
    )
    files = {**app_env("apps/renos", env), "packages/db/package.json": PKG, "packages/db/schema.prisma": prisma}
    found = run(tree, files, "SCH006")
    assert where(found) == [("apps/renos/.env", 1, 14), ("apps/renos/.env", 2, 14), ("apps/renos/.env", 3, 21)]
    assert f"({POOLER}:6543)" in found[0].message and "pgbouncer=true" in found[0].message


def test_sch006_quiet_cases(tree) -> None:
    prisma = PRISMA_URL_ONLY.replace("}\n", '  directUrl = env("DIRECT_URL")\n}\n')
    env = (
        f"DATABASE_URL={TRANSACTION}?pgbouncer=true&schema=renos\n"
        f"POSTGRES_PRISMA_URL={SESSION}\n"
        f"DIRECT_URL={TRANSACTION}\n"  # a directUrl: SCH006 leaves it to SCH008
        f"ANALYTICS_URL={TRANSACTION}\n"  # not read by Prisma
    )
    files = {**app_env("apps/renos", env), "apps/renos/prisma/schema.prisma": prisma}
    assert run(tree, files, "SCH006") == []


# --------------------------------------------------------------------------- SCH007


def test_sch007_wrong_user_form_for_the_host(tree) -> None:
    env = (
        f"DATABASE_URL=postgresql://postgres:{SB_PW}@{POOLER}:6543/postgres?pgbouncer=true\n"
        f"DIRECT_URL=postgresql://postgres.{REF}:{SB_PW}@db.{REF}.supabase.co:5432/postgres\n"
        f"POOLED_URL=postgresql://postgres.myproject:{SB_PW}@{POOLER}:5432/postgres\n"
    )
    found = run(tree, app_env("apps/crm", env), "SCH007")
    assert where(found) == [("apps/crm/.env", 1, 14), ("apps/crm/.env", 2, 12), ("apps/crm/.env", 3, 12)]
    assert f"e.g. postgres.{REF}" in found[0].message and "Tenant or user not found" in found[0].message
    assert "plain role postgres" in found[1].message


def test_sch007_quiet_cases(tree) -> None:
    env = (
        f"A_URL={SESSION}\n"
        f"B_URL=postgresql://postgres:{SB_PW}@db.{REF}.supabase.co:6543/postgres\n"
        f"C_URL=postgresql://${{DB_USER}}:{SB_PW}@{POOLER}:5432/postgres\n"
        f"D_URL=postgresql://[USERNAME]:{SB_PW}@{POOLER}:5432/postgres\n"
        f"E_URL={DOCKER}\n"
    )
    assert run(tree, app_env("apps/crm", env), "SCH007") == []


# --------------------------------------------------------------------------- SCH008

def test_sch008_pooler_url_without_directurl(tree) -> None:
    files = {
        **app_env("apps/renos", f"# pooled\nDATABASE_URL={TRANSACTION}?pgbouncer=true\n", ".env.example"),
        "apps/renos/prisma/schema.prisma": PRISMA_URL_ONLY,
    }
    found = run(tree, files, "SCH008")
    assert where(found) == [("apps/renos/prisma/schema.prisma", 3, 14)]
    assert "apps/renos/.env.example:2" in found[0].message and found[0].severity == "warning"
    assert found[0].key == "DATABASE_URL"


def test_sch008_resolves_in_the_repository_root_and_reads_literal_urls(tree) -> None:
    literal = f'datasource db {{\n  provider = "postgresql"\n  url = "{TRANSACTION}"\n}}\n'
    files = {
        ".env": f"DATABASE_URL={TRANSACTION}\n",
        "apps/renos/package.json": PKG,
        "apps/renos/prisma/schema.prisma": PRISMA_URL_ONLY,
        "apps/crm/package.json": PKG,
        "apps/crm/schema.prisma": literal,
    }
    found = run(tree, files, "SCH008")
    assert where(found) == [("apps/crm/schema.prisma", 3, 9), ("apps/renos/prisma/schema.prisma", 3, 14)]
    assert ".env:1" in found[1].message


def test_sch008_quiet_cases(tree) -> None:
    with_direct = PRISMA_URL_ONLY.replace("}\n", '  directUrl = env("DIRECT_URL")\n}\n')
    files = {
        **app_env("apps/renos", f"DATABASE_URL={TRANSACTION}?pgbouncer=true\nDIRECT_URL={SESSION}\n"),
        "apps/renos/prisma/schema.prisma": with_direct,
        **app_env("apps/crm", f"DATABASE_URL={SESSION}\n"),  # the session pooler keeps a session
        "apps/crm/prisma/schema.prisma": PRISMA_URL_ONLY,
        "apps/flow/package.json": PKG,  # DATABASE_URL undefined here: SCH009's business
        "apps/flow/prisma/schema.prisma": PRISMA_URL_ONLY,
    }
    assert run(tree, files, "SCH008") == []


# --------------------------------------------------------------------------- SCH009

PRISMA_BOTH = (
    'datasource db {\n  provider  = "postgresql"\n  url       = env("DATABASE_URL")\n'
    '  directUrl = env( "DIRECT_URL" )\n}\n'
)


def test_sch009_undefined_variable(tree) -> None:
    files = {
        **app_env("apps/production/tekup-database", f"DATABASE_URL={DOCKER}\n", ".env.example"),
        "apps/production/tekup-database/prisma/schema.prisma": PRISMA_BOTH,
    }
    found = run(tree, files, "SCH009")
    assert where(found) == [("apps/production/tekup-database/prisma/schema.prisma", 4, 15)]
    assert found[0].key == "DIRECT_URL"
    assert found[0].message == (
        'directUrl of datasource db reads env("DIRECT_URL"), but no env file of app '
        "apps/production/tekup-database or the repository root defines DIRECT_URL"
    )


def test_sch009_root_schema(tree) -> None:
    found = run(tree, {"schema.prisma": PRISMA_BOTH, ".env": "DIRECT_URL=\n"}, "SCH009")
    assert where(found) == [("schema.prisma", 3, 15)]
    assert "no env file of the repository root defines DATABASE_URL" in found[0].message


def test_sch009_quiet_cases(tree) -> None:
    compose = "services:\n  migrate:\n    image: node:20\n    environment:\n      - DIRECT_URL\n"
    files = {
        ".env": f"DATABASE_URL={DOCKER}\n",  # the repository root's .env counts
        "apps/db/package.json": PKG,
        "apps/db/prisma/schema.prisma": PRISMA_BOTH,
        "apps/db/docker-compose.yml": compose,  # a pass-through entry defines it too
    }
    assert run(tree, files, "SCH009") == []


# --------------------------------------------------------------------------- corpus review regressions


MAINTENANCE_ONLY = """\
services:
  postgres:
    image: postgres:17
    environment:
      POSTGRES_USER: ${POSTGRES_USER:-postgres}
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-postgres}
      POSTGRES_DB: ${POSTGRES_DB:-postgres}
    ports:
      - 5432:5432
"""


def test_sch004_service_with_only_the_maintenance_database(tree) -> None:
    # the app's migrations create their own database (Prisma's migrate deploy creates a missing one)
    files = {
        "svc/package.json": PKG,
        "svc/docker-compose.yml": MAINTENANCE_ONLY,
        "svc/.env.test.example": (
            "DATABASE_URL=postgresql://postgres:postgres@localhost:5432/app_test\n"
            "OTHER_URL=postgresql://app:postgres@localhost:5432/app_test\n"  # a user it does not create
        ),
    }
    found = run(tree, files, "SCH004")
    assert where(found) == [("svc/.env.test.example", 2, 11)]
    assert "user app (the service creates postgres)" in found[0].message
    assert "database" not in found[0].message


def test_sch004_upper_case_slot_is_a_placeholder(tree) -> None:
    files = {
        "svc/package.json": PKG,
        "svc/docker-compose.yml": COMPOSE,
        "svc/.env.example": "DB_URL=postgresql://tekup:tekup123@localhost:5432/DBNAME\n",
    }
    assert run(tree, files, "SCH004") == []


def test_sch005_docker_database_needs_the_configured_user(tree) -> None:
    # any local PostgreSQL listens on localhost:5432: another repository's DSN is no Tekup DSN
    env = (
        "DATABASE_URL=postgres://supabase_auth_admin:root@localhost:5432/postgres\n"
        "DIRECT_URL=postgresql://postgres:postgres@localhost:5432/postgres?schema=public\n"
        "TEKUP_URL=postgresql://tekup:x@localhost:5432/postgres\n"
    )
    found = run(tree, app_env("apps/crm", env), "SCH005")
    assert where(found) == [("apps/crm/.env", 3, 11)]


def test_shared_prisma_package_reads_the_env_of_the_app_that_runs_it(tree) -> None:
    # teable's layout: packages/db holds only the schema; apps/web's .env defines the URL
    schema = 'datasource db {\n  provider = "postgresql"\n  url      = env("PRISMA_DATABASE_URL")\n}\n'
    root = tree({
        "pnpm-workspace.yaml": "packages: ['apps/*', 'packages/*']\n",
        "package.json": "{}",
        "packages/db/package.json": "{}",
        "packages/db/prisma/schema.prisma": schema,
        "apps/web/package.json": "{}",
        "apps/web/.env": "PRISMA_DATABASE_URL=postgresql://u:p@localhost:5432/app\n",
    })
    assert lint(root, select="SCH009") == []
    (root / "apps/web/.env").write_text("OTHER=1\n")
    assert [f.key for f in lint(root, select="SCH009")] == ["PRISMA_DATABASE_URL"]


def test_sch004_compares_only_with_databases_the_app_reaches(tree) -> None:
    # two unrelated stacks publish 5432; the app's DSN reaches only its own
    other = "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: other\n    ports: ['5432:5432']\n"
    mine = "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: app\n    ports: ['5432:5432']\n"
    files = {
        "package.json": '{"workspaces": ["apps/*", "examples/*"]}',
        "apps/web/package.json": PKG,
        "apps/web/.env": "DATABASE_URL=postgresql://app:pw@localhost:5432/app\n",
        "apps/web/docker-compose.yml": mine,
        "examples/demo/package.json": PKG,
        "examples/demo/docker-compose.yml": other,
    }
    assert run(tree, files, "SCH004") == []


def test_sch004_root_compose_serves_the_apps_beneath(tree) -> None:
    compose = "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: app\n    ports: ['5432:5432']\n"
    files = {
        "package.json": '{"workspaces": ["apps/*"]}',
        "docker-compose.yml": compose,
        "apps/web/package.json": PKG,
        "apps/web/.env": "DATABASE_URL=postgresql://someone:pw@localhost:5432/app\n",
    }
    assert [f.key for f in run(tree, files, "SCH004")] == ["DATABASE_URL"]


def test_sch004_databases_created_by_init_scripts(tree) -> None:
    compose = (
        "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: app\n"
        "      POSTGRES_DB: app\n      POSTGRES_MULTIPLE_DATABASES: billing,crm\n"
        "    ports: ['5432:5432']\n    volumes:\n      - ./initdb:/docker-entrypoint-initdb.d\n"
    )
    files = {
        "apps/web/package.json": PKG,
        "apps/web/docker-compose.yml": compose,
        "apps/web/initdb/01.sql": 'CREATE DATABASE "analytics";\n',
        "apps/web/.env": (
            "A_URL=postgresql://app:pw@localhost:5432/billing\n"
            "B_URL=postgresql://app:pw@localhost:5432/analytics\n"
            "C_URL=postgresql://app:pw@localhost:5432/missing\n"
        ),
    }
    assert [f.key for f in run(tree, files, "SCH004")] == ["C_URL"]


def test_sch004_top_level_docker_folder_serves_the_root_env(tree) -> None:
    # trigger.dev's layout: docker/docker-compose.yml runs the database for the root .env
    compose = "services:\n  database:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: app\n    ports: ['5432:5432']\n"
    files = {
        "package.json": '{"workspaces": ["apps/*"]}',
        "docker/docker-compose.yml": compose,
        ".env.example": "DATABASE_URL=postgresql://someone:pw@localhost:5432/app\n",
    }
    assert [f.key for f in run(tree, files, "SCH004")] == ["DATABASE_URL"]
