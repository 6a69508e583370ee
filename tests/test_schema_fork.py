"""SCH011 schema-fork: two apps' Prisma datasources migrating one schema of one database."""

from __future__ import annotations

from conftest import lint

REF = "oaevagdgrasfppbrxbey"
DIRECT = f"postgresql://postgres:${{PW}}@db.{REF}.supabase.co:5432/postgres"
POOLED = f"postgresql://postgres.{REF}:${{PW}}@aws-1-eu-central-1.pooler.supabase.com:5432/postgres"


def prisma(schemas: str = "") -> str:
    line = f"  schemas  = [{schemas}]\n" if schemas else ""
    return f'datasource db {{\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n{line}}}\n'


def two_apps(a_env: str, a_schemas: str, b_env: str, b_schemas: str, b_name: str = ".env") -> dict:
    return {
        "apps/a/package.json": "{}", "apps/a/.env": a_env, "apps/a/prisma/schema.prisma": prisma(a_schemas),
        "apps/b/package.json": "{}", f"apps/b/{b_name}": b_env, "apps/b/prisma/schema.prisma": prisma(b_schemas),
    }


def test_one_supabase_project_reached_directly_and_through_the_pooler(tree) -> None:
    root = tree(two_apps(f"DATABASE_URL={DIRECT}\n", '"billy", "shared"', f"DATABASE_URL={POOLED}\n", '"shared"'))
    found = lint(root, select="SCH011")
    assert [(f.path, f.line, f.column) for f in found] == [("apps/a/prisma/schema.prisma", 1, 1)]
    assert "schema shared" in found[0].message and "apps/b/prisma/schema.prisma" in found[0].message
    assert found[0].severity == "error"


def test_the_default_public_schema_counts(tree) -> None:
    url = "postgresql://tekup:${PW}@localhost:5432/tekup_db"
    root = tree(two_apps(f"DATABASE_URL={url}\n", "", f"DATABASE_URL={url.replace('localhost', '127.0.0.1')}\n", ""))
    assert [f.path for f in lint(root, select="SCH011")] == ["apps/a/prisma/schema.prisma"]


def test_own_schemas_are_no_fork(tree) -> None:
    root = tree(two_apps(f"DATABASE_URL={DIRECT}\n", '"billy"', f"DATABASE_URL={POOLED}\n", '"vault"'))
    assert lint(root, select="SCH011") == []


def test_other_databases_are_no_fork(tree) -> None:
    root = tree(two_apps("DATABASE_URL=postgresql://u:${PW}@localhost:5432/billy\n", "",
                         "DATABASE_URL=postgresql://u:${PW}@localhost:5432/vault\n", ""))
    assert lint(root, select="SCH011") == []


def test_templates_and_placeholders_are_not_compared(tree) -> None:
    root = tree(two_apps(f"DATABASE_URL={DIRECT}\n", '"shared"', f"DATABASE_URL={DIRECT}\n", '"shared"',
                         b_name=".env.example"))
    assert lint(root, select="SCH011") == []
    root2 = tree(two_apps("DATABASE_URL=postgresql://u:p@host:5432/db\n", "",
                          "DATABASE_URL=postgresql://u:p@host:5432/db\n", ""))
    assert lint(root2, select="SCH011") == []
