"""Credentials rules (CRD001-CRD007), each positive and negative, with exact positions.

Token-shaped test values are assembled at run time so that this file itself holds no
string a secret scanner would stop.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import List, Tuple

import pytest

from tekup_envlint import cli
from tekup_envlint.patterns import secret_shapes
from tekup_envlint.redact import Redactor, redact, secrets_in
from conftest import app, git_init, jwt, lint


PRIMARY = "oaevagdgrasfppbrxbey"
POOLER = "aws-1-eu-central-1.pooler.supabase.com"

# Random-looking bodies; the prefixes are added where used.
GH = "ghp" + "_" + "R8vLq2mTz6WbN4kXc9pHs1dYf7gJe3aUi5oK"
GH_PAT = "github" + "_pat_" + "11ABCDE2F0qR7sT9uV1wX3_yZ5aB7cD9eF1gH3iJ5kL7mN9oP1qR3sT5uV7wX9yZ1aB3cD5eF7gH9iJ1kL"
OPENAI = "sk" + "-proj-" + "Qw3rTy7uIo9pAs1dFg5hJk2lZx8cVb4nMq6wE0rT"
ANTHROPIC = "sk" + "-ant-api03-" + "Zx7cV9bN1mQ3wE5rT7yU9iO1pA3sD5fG7hJ9kL1zX3cV5bN7"
STRIPE_LIVE = "sk" + "_live_" + "51HqLyjWDarjtT1zdp7dcXvMBe5tWfk8bX0pL2r"
STRIPE_TEST = "rk" + "_test_" + "51HqLyjWDarjtT1zdp7dcXvMBe5tWfk8bX0pL2r"
AWS_ID = "AKIA" + "Q3EGRT7WZL5XH2MD"
AWS_SECRET = "wJa7rXUtnF9MI/K7MDxNG/bPxRf" + "iCYz4Kq8Ld2Vb"
SLACK = "xox" + "b-" + "2837465019-9182736450-Qw7eRt9yUi1oPa3sDf5gHj7k"
SB_SECRET = "sb" + "_secret_" + "Zq8xLm3vRt6sKd9wPq2nBc5y"
SB_ACCESS = "sbp" + "_" + "3f9a1c7e5b2d8f4a6c0e9b7d5f3a1c8e6b4d2f0a"
HEX_SECRET = "9f3b7c1e5a2d8f4b6c0e9a7d5f3b1c8e"
B64_SECRET = "Zk1xL8vQ2rT5wY9pN3mB6cX4sD7fG0hJ2kL5zQ8v"
PEM_BODY = "MIIEpAIBAAKCAQEA7Vq3Lm9Xc2Rt8Yp1Wk5Nz4Hb6Gd0Fs3Jq7Ue2Ia9Ov5Pl1Mn8Kj4Hg6Fd0Sa2Qw"
PRIVATE_KEY = "-----BEGIN " + "RSA PRIVATE KEY-----\n" + PEM_BODY + "\n-----END RSA PRIVATE KEY-----"
PG_PASSWORD = "Xq7pLm2vRt9sKd4w"


SERVICE_JWT = jwt({"iss": "supabase", "ref": PRIMARY, "role": "service_role", "iat": 1700000000, "exp": 2015576000})
ANON_JWT = jwt({"iss": "supabase", "ref": PRIMARY, "role": "anon", "iat": 1700000000, "exp": 2015576000})
DEMO_SERVICE_JWT = jwt({"iss": "supabase-demo", "role": "service_role", "exp": 1983812996})
CLI_SB_SECRET = "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz"  # `supabase start`'s fixed local key


def hits(root: Path, code: str) -> List[Tuple[str, int, int, object]]:
    return [(f.path, f.line, f.column, f.key) for f in lint(root, select=code) if f.code == code]


def messages(root: Path, code: str) -> List[str]:
    return [f.message for f in lint(root, select=code) if f.code == code]


# --------------------------------------------------------------------------- CRD001


def test_crd001_pooler_dsn_with_password(tree) -> None:
    dsn = f"postgresql://postgres.{PRIMARY}:{PG_PASSWORD}@{POOLER}:6543/postgres"
    root = tree(app({".env.production": f"# prod\nDATABASE_URL={dsn}\n"}))
    found = lint(root, select="CRD001")
    assert [(f.path, f.line, f.column, f.key) for f in found] == [("apps/a/.env.production", 2, 14, "DATABASE_URL")]
    assert found[0].severity == "error" and found[0].category == "credentials"
    assert PG_PASSWORD not in found[0].message and f"Supabase project {PRIMARY}" in found[0].message


def test_crd001_compose_prisma_driver_and_query_password(tree) -> None:
    root = tree(app({
        "docker-compose.prod.yml": (
            "services:\n"
            "  api:\n"
            "    image: node:20\n"
            "    environment:\n"
            f"      DATABASE_URL: postgresql://app:{PG_PASSWORD}@db.internal.tekup.dk:5432/app\n"
        ),
        "prisma/schema.prisma": (
            "datasource db {\n"
            '  provider = "postgresql"\n'
            f'  url      = "postgresql://app:{PG_PASSWORD}@db.internal.tekup.dk:5432/app"\n'
            "}\n"
        ),
        ".env": (
            f"ASYNC_URL=postgresql+asyncpg://app:{PG_PASSWORD}@db.internal.tekup.dk/app\n"
            f"QUERY_URL=postgres://db.internal.tekup.dk/app?user=app&password={PG_PASSWORD}\n"
            f"FALLBACK_URL=${{DATABASE_URL:-postgresql://app:{PG_PASSWORD}@db.internal.tekup.dk/app}}\n"
        ),
    }))
    # one password written three times in `.env` is one concern, reported once
    assert hits(root, "CRD001") == [
        ("apps/a/.env", 1, 11, "ASYNC_URL"),
        ("apps/a/docker-compose.prod.yml", 5, 21, "DATABASE_URL"),
        ("apps/a/prisma/schema.prisma", 3, 14, "url"),
    ]
    first = lint(root, select="CRD001")[0]
    assert "also written on lines 2, 3" in first.message


def test_crd001_local_default_outside_a_template_says_so(tree) -> None:
    root = tree(app({".env": "DATABASE_URL=postgresql://tekup:tekup123@localhost:5432/tekup_db\n"}))
    found = lint(root, select="CRD001")
    assert [(f.line, f.column) for f in found] == [(1, 14)]
    assert "well-known local default password" in found[0].message
    assert hits(root, "CRD007") == []


@pytest.mark.parametrize(
    "value",
    [
        "postgresql://tekup:${POSTGRES_PASSWORD}@db.internal.tekup.dk:5432/tekup_db",
        f"postgresql://postgres.{PRIMARY}:[YOUR-PASSWORD]@{POOLER}:5432/postgres",
        "postgresql://postgres:<password>@db.internal.tekup.dk:5432/postgres",
        "postgresql://tekup@db.internal.tekup.dk:5432/tekup_db",
        "postgresql://tekup:${POSTGRES_PASSWORD:-postgres}@localhost:5432/tekup_db",
        "${DATABASE_URL:-postgresql://postgres:postgres@localhost:5432/app}",
        "${DATABASE_URL}",
        "postgres://user:password@host:port/db_name",
        "mysql://root:" + PG_PASSWORD + "@db.internal.tekup.dk/app",
    ],
)
def test_crd001_references_placeholders_and_others_are_clean(tree, value: str) -> None:
    root = tree(app({".env.production": f"DATABASE_URL={value}\n"}))
    assert hits(root, "CRD001") == []


def test_crd001_gitignored_file_is_not_flagged(tmp_path: Path) -> None:
    dsn = f"postgresql://app:{PG_PASSWORD}@db.internal.tekup.dk:5432/app"
    from conftest import write_tree

    write_tree(tmp_path, {".gitignore": ".env\n", **app({".env": f"DATABASE_URL={dsn}\n", ".env.production": f"DATABASE_URL={dsn}\n"})})
    git_init(tmp_path)
    assert hits(tmp_path, "CRD001") == [("apps/a/.env.production", 1, 14, "DATABASE_URL")]


# --------------------------------------------------------------------------- CRD002


def test_crd002_service_role_jwt_and_secret_key(tree) -> None:
    root = tree(app({
        ".env": (
            f"SUPABASE_URL=https://{PRIMARY}.supabase.co\n"
            f"SUPABASE_SERVICE_ROLE_KEY={SERVICE_JWT}\n"
            f"SUPABASE_SECRET_KEY='{SB_SECRET}'\n"
            f"SUPABASE_ANON_KEY={ANON_JWT}\n"
        ),
    }))
    found = lint(root, select="CRD002")
    assert [(f.line, f.column, f.key) for f in found] == [
        (2, 27, "SUPABASE_SERVICE_ROLE_KEY"),
        (3, 21, "SUPABASE_SECRET_KEY"),
    ]
    assert all(SERVICE_JWT not in f.message and SB_SECRET not in f.message for f in found)


def test_crd002_commented_out_key_in_raw_text(tree) -> None:
    root = tree(app({".env.example": f"SUPABASE_SERVICE_ROLE_KEY=\n# old: {SERVICE_JWT}\n"}))
    assert hits(root, "CRD002") == [("apps/a/.env.example", 2, 8, None)]


def test_crd002_demo_keys(tree) -> None:
    root = tree(app({
        ".env.example": f"SERVICE_ROLE_KEY={DEMO_SERVICE_JWT}\nSUPABASE_SECRET_KEY={CLI_SB_SECRET}\n",
        ".env.development": f"SERVICE_ROLE_KEY={DEMO_SERVICE_JWT}\n",
        ".env.production": f"SERVICE_ROLE_KEY={DEMO_SERVICE_JWT}\nSUPABASE_SECRET_KEY={CLI_SB_SECRET}\n",
    }))
    found = lint(root, select="CRD002")
    assert [(f.path, f.line, f.column) for f in found] == [
        ("apps/a/.env.production", 1, 18),
        ("apps/a/.env.production", 2, 21),
    ]
    assert "the public demo Supabase service_role key in a production file" in found[0].message


@pytest.mark.parametrize(
    "value",
    ["${SUPABASE_SERVICE_ROLE_KEY}", "your_supabase_service_role_key", "", "eyJ...", ANON_JWT, "sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH"],
)
def test_crd002_clean(tree, value: str) -> None:
    root = tree(app({".env": f"SUPABASE_SERVICE_ROLE_KEY={value}\n"}))
    assert hits(root, "CRD002") == []


# --------------------------------------------------------------------------- CRD003


def test_crd003_secrets_under_public_prefixes(tree) -> None:
    root = tree(app({
        ".env.local": (
            f"NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY={SERVICE_JWT}\n"
            f"VITE_DATABASE_URL=postgresql://app:{PG_PASSWORD}@localhost:5432/app\n"
            "NEXT_PUBLIC_SUPABASE_JWT_SECRET=Qm9vbXNoYWthbGFrYS1ub3QtYS10b2tlbg\n"
            f"EXPO_PUBLIC_OPENAI_KEY={OPENAI}\n"
            f"PUBLIC_SUPABASE_KEY={DEMO_SERVICE_JWT}\n"
            f"REACT_APP_SB_KEY={CLI_SB_SECRET}\n"
            "NUXT_PUBLIC_SUPABASE_ACCESS_TOKEN=sbp_notahexbutstillatoken\n"
        ),
    }))
    found = lint(root, select="CRD003")
    assert [(f.line, f.column, f.key) for f in found] == [
        (1, 39, "NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY"),
        (2, 19, "VITE_DATABASE_URL"),
        (3, 33, "NEXT_PUBLIC_SUPABASE_JWT_SECRET"),
        (4, 24, "EXPO_PUBLIC_OPENAI_KEY"),
        (5, 21, "PUBLIC_SUPABASE_KEY"),
        (6, 18, "REACT_APP_SB_KEY"),
        (7, 35, "NUXT_PUBLIC_SUPABASE_ACCESS_TOKEN"),
    ]
    assert "NEXT_PUBLIC_ prefix" in found[0].message and SERVICE_JWT not in found[0].message


def test_crd003_reads_gitignored_files(tmp_path: Path) -> None:
    from conftest import write_tree

    write_tree(tmp_path, {".gitignore": ".env.local\n", **app({".env.local": f"NEXT_PUBLIC_SERVICE_KEY={SERVICE_JWT}\n"})})
    git_init(tmp_path)
    assert hits(tmp_path, "CRD003") == [("apps/a/.env.local", 1, 25, "NEXT_PUBLIC_SERVICE_KEY")]
    assert hits(tmp_path, "CRD002") == []  # not tracked


@pytest.mark.parametrize(
    "line",
    [
        f"NEXT_PUBLIC_SUPABASE_ANON_KEY={ANON_JWT}",
        "NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY=sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH",
        f"NEXT_PUBLIC_SUPABASE_URL=https://{PRIMARY}.supabase.co",
        "NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY=${SUPABASE_SERVICE_ROLE_KEY}",
        "VITE_SUPABASE_JWT_SECRET=your-super-secret-jwt-token-with-at-least-32-characters-long",
        "VITE_DATABASE_URL=postgresql://app@localhost:5432/app",
        "NEXT_PUBLIC_STRIPE_KEY=pk_live_51HqLyjWDarjtT1zdp7dcXvMBe5tWfk8bX0pL2r",
        f"SUPABASE_SERVICE_ROLE_KEY={SERVICE_JWT}",
    ],
)
def test_crd003_clean(tree, line: str) -> None:
    root = tree(app({".env.local": line + "\n"}))
    assert hits(root, "CRD003") == []


# --------------------------------------------------------------------------- CRD004


@pytest.mark.parametrize(
    "key,value,shape",
    [
        ("GITHUB_TOKEN", GH, "GitHub token"),
        ("GH_PAT", GH_PAT, "fine-grained"),
        ("OPENAI_API_KEY", OPENAI, "OpenAI"),
        ("ANTHROPIC_API_KEY", ANTHROPIC, "Anthropic"),
        ("STRIPE_SECRET_KEY", STRIPE_LIVE, "Stripe live"),
        ("STRIPE_RESTRICTED_KEY", STRIPE_TEST, "Stripe test"),
        ("AWS_ACCESS_KEY_ID", AWS_ID, "AWS access key id"),
        ("AWS_SECRET_ACCESS_KEY", AWS_SECRET, "AWS secret access key"),
        ("SLACK_BOT_TOKEN", SLACK, "Slack"),
        ("SUPABASE_ACCESS_TOKEN", SB_ACCESS, "Supabase personal access token"),
        ("ENCRYPTION_KEY", HEX_SECRET, "hex secret"),
        ("SESSION_SECRET", B64_SECRET, "base64 secret"),
    ],
)
def test_crd004_shapes(tree, key: str, value: str, shape: str) -> None:
    root = tree(app({".env.example": f"# tokens\n{key}={value}\n"}))
    found = lint(root, select="CRD004")
    assert [(f.line, f.column, f.key) for f in found] == [(2, len(key) + 2, key)]
    assert shape in found[0].message and value not in found[0].message


def test_crd004_private_key_block(tree) -> None:
    escaped = PRIVATE_KEY.replace("\n", "\\n")
    root = tree(app({".env.example": f'JWT_PRIVATE_KEY="{escaped}"\n'}))
    found = lint(root, select="CRD004")
    assert [(f.line, f.column, f.key) for f in found] == [(1, 17, "JWT_PRIVATE_KEY")]
    assert "private key block" in found[0].message


def test_crd004_raw_text_outside_settings(tree) -> None:
    root = tree(app({
        ".env.example": f"OPENAI_API_KEY=\n# OPENAI_API_KEY={OPENAI}\n",
        "docker-compose.yml": (
            "services:\n"
            "  web:\n"
            "    build:\n"
            "      context: .\n"
            "      args:\n"
            f"        NPM_TOKEN: {GH}\n"
        ),
    }))
    assert hits(root, "CRD004") == [
        ("apps/a/.env.example", 2, 18, None),
        ("apps/a/docker-compose.yml", 6, 20, None),
    ]


@pytest.mark.parametrize(
    "key,value",
    [
        ("OPENAI_API_KEY", "sk-..."),
        ("OPENAI_API_KEY", "sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        ("GITHUB_TOKEN", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        ("GITHUB_TOKEN", "ghp_xxx"),
        ("OPENAI_API_KEY", "your_openai_api_key"),
        ("OPENAI_API_KEY", "${OPENAI_API_KEY}"),
        ("STRIPE_PUBLISHABLE_KEY", "pk_live_51HqLyjWDarjtT1zdp7dcXvMBe5tWfk8bX0pL2r"),
        ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        ("SUPABASE_ANON_KEY", ANON_JWT),
        ("SUPABASE_PUBLISHABLE_KEY", "sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH"),
        ("SUPABASE_SERVICE_ROLE_KEY", SERVICE_JWT),  # CRD002 only
        ("SUPABASE_SECRET_KEY", SB_SECRET),  # CRD002 only
        ("DATABASE_URL", f"postgresql://app:{B64_SECRET}@db.internal.tekup.dk/app"),  # CRD001 only
        ("SESSION_SECRET", "this_is_a_long_but_very_regular_secret_value"),  # low entropy
        ("SESSION_SECRET", "0123456789abcdef0123456789abcdef"[:4] * 8),  # low entropy hex
        ("LICENSE_KEY_ID", HEX_SECRET),  # an id, not a secret
        ("NEXT_PUBLIC_POSTHOG_KEY", B64_SECRET),  # public by name
        ("JWT_SECRET", "super-secret-jwt-token-with-at-least-32-characters-long"),  # CLI demo value
    ],
)
def test_crd004_clean(tree, key: str, value: str) -> None:
    root = tree(app({".env.example": f"{key}={value}\n"}))
    assert hits(root, "CRD004") == []


def test_crd004_demo_value_outside_local_files(tree) -> None:
    demo = "UpNVntn3cDxHJpq99YMc1T1AQgQpc8kfYTuRgBiYa15BLrx8etQoXz3gZv1/u2oq"
    root = tree(app({".env.example": f"SECRET_KEY_BASE={demo}\n", ".env.production": f"SECRET_KEY_BASE={demo}\n"}))
    found = lint(root, select="CRD004")
    assert [(f.path, f.line, f.column) for f in found] == [("apps/a/.env.production", 1, 17)]
    assert "upstream example" in found[0].message


def test_crd004_compose_password_is_crd005_only(tree) -> None:
    root = tree(app({
        "docker-compose.yml": (
            "services:\n"
            "  db:\n"
            "    image: postgres:16\n"
            "    environment:\n"
            f"      POSTGRES_PASSWORD: {B64_SECRET}\n"
        ),
    }))
    assert hits(root, "CRD004") == []
    assert hits(root, "CRD005") == [("apps/a/docker-compose.yml", 5, 26, "POSTGRES_PASSWORD")]


# --------------------------------------------------------------------------- CRD005


COMPOSE = """services:
  db:
    image: pgvector/pgvector:pg16
    environment:
{env}
"""


def test_crd005_literal_passwords(tree) -> None:
    root = tree(app({
        "docker-compose.yml": COMPOSE.format(env=(
            "      POSTGRES_USER: tekup\n"
            f"      POSTGRES_PASSWORD: {PG_PASSWORD}\n"
            "  pgadmin:\n"
            "    image: dpage/pgadmin4\n"
            "    environment:\n"
            f"      - PGADMIN_DEFAULT_PASSWORD={PG_PASSWORD}\n"
            "      - MYSQL_ALLOW_EMPTY_PASSWORD=yes\n"
            f"      - DB_PASSWORD=${{DB_PASSWORD:-{PG_PASSWORD}}}"
        )),
    }))
    found = lint(root, select="CRD005")
    # the same password for three services of one file: one concern, reported once
    assert [(f.line, f.column, f.key) for f in found] == [(6, 26, "POSTGRES_PASSWORD")]
    assert PG_PASSWORD not in found[0].message and "service db" in found[0].message
    assert "also written on lines 10, 12" in found[0].message


def test_crd005_different_passwords_are_different_findings(tree) -> None:
    root = tree(app({
        "docker-compose.yml": COMPOSE.format(env=(
            f"      POSTGRES_PASSWORD: {PG_PASSWORD}\n"
            "  pgadmin:\n"
            "    image: dpage/pgadmin4\n"
            "    environment:\n"
            f"      - PGADMIN_DEFAULT_PASSWORD={PG_PASSWORD[::-1]}\n"
        )),
    }))
    assert [(f.line, f.key) for f in lint(root, select="CRD005")] == [(5, "POSTGRES_PASSWORD"), (9, "PGADMIN_DEFAULT_PASSWORD")]


def test_crd005_local_default_in_production_compose(tree) -> None:
    root = tree(app({"docker-compose.prod.yml": COMPOSE.format(env="      POSTGRES_PASSWORD: postgres")}))
    assert hits(root, "CRD005") == [("apps/a/docker-compose.prod.yml", 5, 26, "POSTGRES_PASSWORD")]
    assert hits(root, "CRD007") == []


def test_crd005_merged_anchor_is_one_finding(tree) -> None:
    root = tree(app({
        "docker-compose.yml": (
            "x-db-env: &db-env\n"
            f"  POSTGRES_PASSWORD: {PG_PASSWORD}\n"
            "services:\n"
            "  api:\n"
            "    image: node:20\n"
            "    environment:\n"
            "      <<: *db-env\n"
            "  worker:\n"
            "    image: node:20\n"
            "    environment:\n"
            "      <<: *db-env\n"
        ),
    }))
    assert hits(root, "CRD005") == [("apps/a/docker-compose.yml", 2, 22, "POSTGRES_PASSWORD")]


@pytest.mark.parametrize(
    "entry",
    [
        "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}",
        "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-postgres}",
        "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}",
        "      POSTGRES_PASSWORD_FILE: /run/secrets/pg",
        '      POSTGRES_PASSWORD: ""',
        "      POSTGRES_PASSWORD: changeme",
        "      POSTGRES_PASSWORD: <password>",
        "      - POSTGRES_PASSWORD",
        '      MYSQL_RANDOM_ROOT_PASSWORD: "yes"',
    ],
)
def test_crd005_clean(tree, entry: str) -> None:
    root = tree(app({"docker-compose.yml": COMPOSE.format(env=entry)}))
    assert hits(root, "CRD005") == []


# --------------------------------------------------------------------------- CRD006


def test_crd006_tracked_env_files_in_git(tmp_path: Path) -> None:
    from conftest import write_tree

    write_tree(tmp_path, {
        ".gitignore": ".env.production\n",
        **app({
            ".env": f"NODE_ENV=development\nSESSION_SECRET={HEX_SECRET}\n",
            ".env.example": "DATABASE_URL=\n",
            ".env.production": f"SESSION_SECRET={HEX_SECRET}\n",
            ".env.vault": "DOTENV_VAULT_DEVELOPMENT=encrypted\n",
            ".env.test": "DATABASE_URL=postgresql://postgres:postgres@localhost:5432/t\nAPI_KEY=your-api-key\n",
            ".env.supabase.backup": "SUPABASE_URL=https://your-project.supabase.co\nSUPABASE_SERVICE_ROLE_KEY=your-key\n",
        }),
    })
    git_init(tmp_path)
    # not added, not ignored: would be committed
    write_tree(tmp_path, {"apps/a/.env.local": "PORT=3000\nGITHUB_TOKEN=" + GH + "\n"})
    found = lint(tmp_path, select="CRD006")
    # the fixtures-only `.env.test` and the placeholder backup are templates in all but name
    assert [(f.path, f.line, f.column, f.key) for f in found] == [
        ("apps/a/.env", 1, 1, None),
        ("apps/a/.env.local", 1, 1, None),
    ]
    assert "apps/a/.env.example" in found[0].message and ".gitignore" in found[0].message
    assert "SESSION_SECRET (line 2)" in found[0].message and "GITHUB_TOKEN (line 2)" in found[1].message
    assert HEX_SECRET not in found[0].message


def test_crd006_never_outside_git(tree) -> None:
    root = tree(app({".env": "NODE_ENV=development\n"}))
    assert hits(root, "CRD006") == []


# --------------------------------------------------------------------------- CRD007


def test_crd007_local_defaults_in_template_and_local_compose(tree) -> None:
    root = tree(app({
        ".env.example": "\nDATABASE_URL=postgresql://postgres:postgres@localhost:5432/app\n",
        "docker-compose.yml": COMPOSE.format(env=(
            "      POSTGRES_PASSWORD: tekup123\n"
            "  api:\n"
            "    image: node:20\n"
            "    environment:\n"
            "      DATABASE_URL: postgresql://tekup:tekup123@db:5432/tekup_db"
        )),
    }))
    found = lint(root, select="CRD007")
    assert [(f.path, f.line, f.column, f.key) for f in found] == [
        ("apps/a/.env.example", 2, 14, "DATABASE_URL"),
        ("apps/a/docker-compose.yml", 5, 26, "POSTGRES_PASSWORD"),  # and line 9: one concern
    ]
    assert "also written on line 9" in found[1].message
    assert all(f.severity == "info" for f in found)
    assert hits(root, "CRD001") == [] and hits(root, "CRD005") == []


@pytest.mark.parametrize(
    "value,other",
    [
        ("postgresql://postgres:postgres@db.internal.tekup.dk:5432/app", "CRD001"),  # not a local host
    ],
)
def test_crd007_only_local_hosts(tree, value: str, other: str) -> None:
    root = tree(app({".env.example": f"DATABASE_URL={value}\n"}))
    assert hits(root, "CRD007") == []
    assert hits(root, other) == [("apps/a/.env.example", 1, 14, "DATABASE_URL")]


# --------------------------------------------------------------------------- redaction


def test_secret_shapes_come_from_data() -> None:
    names = {s.name for s in secret_shapes().shapes}
    assert {"github-token", "openai-api-key", "anthropic-api-key", "private-key", "generic-hex-secret"} <= names
    assert "tekup123" in secret_shapes().local_default_passwords
    assert secret_shapes() is secret_shapes()  # cached: built once per process


def test_secrets_in_uses_the_shapes() -> None:
    assert GH in secrets_in("NOTE", f"token {GH} here")
    assert SERVICE_JWT in secrets_in("ANY", SERVICE_JWT)
    assert PG_PASSWORD in secrets_in("DATABASE_URL", f"postgresql://u:{PG_PASSWORD}@h/db")
    assert PG_PASSWORD in secrets_in("POSTGRES_PASSWORD", f"${{POSTGRES_PASSWORD:-{PG_PASSWORD}}}")
    assert PEM_BODY in secrets_in("JWT_PRIVATE_KEY", PRIVATE_KEY)
    assert list(secrets_in("GREETING", "hello world")) == []


def test_redactor_scrubs_shapes_and_uri_passwords_it_was_not_given() -> None:
    text = f'url = "postgresql://app:{PG_PASSWORD}@db:5432/app" # {OPENAI}'
    out = Redactor().scrub(text)
    assert PG_PASSWORD not in out and OPENAI not in out
    assert "postgresql://app:" in out and redact(PG_PASSWORD) in out
    assert Redactor().scrub("postgresql://u:${PW}@h/db") == "postgresql://u:${PW}@h/db"
    # a well-known local default is masked in its slot too, as the checks' messages mask it
    assert Redactor().scrub("postgres://u:postgres@h") == "postgres://u:…[8 chars]@h"


PLANTED = {
    "dsn": PG_PASSWORD,
    "prisma": "Pr1smaL1teralPw0rd",
    "compose": "C0mp0seS3cretPw",
    "fallback": "F4llbackS3cretPw",
    "service": SERVICE_JWT,
    "sb_secret": SB_SECRET,
    "github": GH,
    "openai": OPENAI,
    "aws": AWS_SECRET,
    "pem": PEM_BODY,
    "commented": ANTHROPIC,
}


def _planted_workspace(root: Path) -> None:
    from conftest import write_tree

    escaped = PRIVATE_KEY.replace("\n", "\\n")
    write_tree(root, app({
        ".env": (
            f"DATABASE_URL=postgresql://app:{PLANTED['dsn']}@db.internal.tekup.dk:5432/app\n"
            f"SUPABASE_SERVICE_ROLE_KEY={PLANTED['service']}\n"
            f"NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY={PLANTED['service']}\n"
            f"SUPABASE_SECRET_KEY={PLANTED['sb_secret']}\n"
            f"GITHUB_TOKEN={PLANTED['github']}\n"
            f"VITE_OPENAI_KEY={PLANTED['openai']}\n"
            f"AWS_SECRET_ACCESS_KEY={PLANTED['aws']}\n"
            f'JWT_PRIVATE_KEY="{escaped}"\n'
            f"# ANTHROPIC_API_KEY={PLANTED['commented']}\n"
        ),
        "docker-compose.prod.yml": (
            "services:\n"
            "  db:\n"
            "    image: postgres:16\n"
            "    environment:\n"
            f"      POSTGRES_PASSWORD: {PLANTED['compose']}\n"
            f"      PGPASSWORD: ${{PGPASSWORD:-{PLANTED['fallback']}}}\n"
        ),
        "prisma/schema.prisma": (
            "datasource db {\n"
            '  provider = "postgresql"\n'
            f'  url      = "postgresql://app:{PLANTED["prisma"]}@db.internal.tekup.dk:5432/app"\n'
            "}\n"
        ),
    }))


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_no_planted_secret_reaches_the_output(tmp_path: Path, capsys, fmt: str) -> None:
    _planted_workspace(tmp_path)
    code = cli.main(["check", str(tmp_path), "--format", fmt])
    out, err = capsys.readouterr()
    assert code == 1
    for code_ in ("CRD001", "CRD002", "CRD003", "CRD004", "CRD005"):
        assert code_ in out
    for name, secret in PLANTED.items():
        assert secret not in out and secret not in err, f"{name} leaked in {fmt} output"


def test_no_planted_secret_reaches_the_map(tmp_path: Path, capsys) -> None:
    _planted_workspace(tmp_path)
    cli.main(["map", str(tmp_path)])
    out, err = capsys.readouterr()
    for name, secret in PLANTED.items():
        assert secret not in out and secret not in err, f"{name} leaked in map output"


def test_crd007_needs_a_known_local_host(tree) -> None:
    root = tree(app({
        ".env.example": (
            "DATABASE_URL=postgresql://postgres:postgres@${DB_HOST}:5432/app\n"
            "LOCAL_URL=postgresql://postgres:postgres@${DB_HOST:-localhost}:5432/app\n"
            "SOCKET_URL=postgresql://postgres:postgres@/app?host=/var/run/postgresql\n"
        ),
    }))
    # one password, three places: reported once, at its widest reach (a host that could be anywhere)
    assert hits(root, "CRD001") == [("apps/a/.env.example", 1, 14, "DATABASE_URL")]
    assert hits(root, "CRD007") == []
    assert "also written on lines 2, 3" in lint(root, select="CRD001")[0].message


def test_crd007_local_hosts_in_a_template(tree) -> None:
    root = tree(app({
        ".env.example": (
            "LOCAL_URL=postgresql://postgres:postgres@${DB_HOST:-localhost}:5432/app\n"
            f"SOCKET_URL=postgresql://postgres:{PG_PASSWORD}@/app?host=/var/run/postgresql\n"
        ),
    }))
    assert hits(root, "CRD001") == []
    assert hits(root, "CRD007") == [("apps/a/.env.example", 1, 11, "LOCAL_URL"), ("apps/a/.env.example", 2, 12, "SOCKET_URL")]


# --------------------------------------------------------------------------- corpus review regressions
# Each case below is a false positive found in the real-world corpus review
# (docs/corpus-review.md), rebuilt as a minimal fixture.


def _hs256(payload: dict, secret: str) -> str:
    import hashlib
    import hmac

    def part(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    head = f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(payload)}"
    sig = hmac.new(secret.encode(), head.encode(), hashlib.sha256).digest()
    return head + "." + base64.urlsafe_b64encode(sig).rstrip(b"=").decode()


TEST_STACK_SECRET = "f0e1d2c3-test-stack-jwt-secret-0001"
SELF_SIGNED_SERVICE = _hs256({"role": "service_role", "iat": 1613531985, "exp": 1929107985}, TEST_STACK_SECRET)


def test_crd002_key_signed_with_a_secret_the_repository_publishes_is_a_demo_key(tree) -> None:
    # a test stack's template: its own JWT secret, and a service key signed with it
    root = tree(app({
        ".env.sample": f"AUTH_JWT_SECRET={TEST_STACK_SECRET}\n",
        ".env.test.sample": f"SERVICE_KEY={SELF_SIGNED_SERVICE}\n",
        ".env.production": f"SERVICE_KEY={SELF_SIGNED_SERVICE}\n",
    }))
    found = lint(root, select="CRD002")
    assert [(f.path, f.line, f.column) for f in found] == [("apps/a/.env.production", 1, 13)]
    assert "signed with a JWT secret the repository publishes (apps/a/.env.sample:1)" in found[0].message
    assert TEST_STACK_SECRET not in found[0].message


def test_crd002_key_signed_with_an_unpublished_secret_is_still_reported(tree) -> None:
    other = _hs256({"role": "service_role", "iat": 1613531985, "exp": 1929107985}, "a-secret-nobody-committed-0001")
    root = tree(app({
        ".env.sample": f"AUTH_JWT_SECRET={TEST_STACK_SECRET}\n",
        ".env.test.sample": f"SERVICE_KEY={other}\n# {other}\n",
    }))
    assert hits(root, "CRD002") == [("apps/a/.env.test.sample", 1, 13, "SERVICE_KEY"), ("apps/a/.env.test.sample", 2, 3, None)]


def test_crd005_secret_file_path_is_not_a_password(tree) -> None:
    root = tree(app({"compose.yaml": COMPOSE.format(env="      - DATABASE_PASSWORD=/run/secrets/db-password")}))
    assert hits(root, "CRD005") == []


def test_crd007_minioadmin_is_the_minio_default(tree) -> None:
    compose = "services:\n  minio:\n    image: minio/minio\n    environment:\n      MINIO_ROOT_PASSWORD: minioadmin\n"
    root = tree(app({"docker/docker-compose.yml": compose, "docker/docker-compose.prod.yml": compose}))
    assert hits(root, "CRD007") == [("apps/a/docker/docker-compose.yml", 5, 28, "MINIO_ROOT_PASSWORD")]
    assert hits(root, "CRD005") == [("apps/a/docker/docker-compose.prod.yml", 5, 28, "MINIO_ROOT_PASSWORD")]


def test_crd007_local_default_in_a_local_environment_dotenv(tree) -> None:
    dsn = "DATABASE_URL=postgres://supabase_auth_admin:root@localhost:5432/postgres\n"
    root = tree(app({"hack/test.env": dsn, ".env.development": dsn, ".env": dsn}))
    assert hits(root, "CRD007") == [
        ("apps/a/.env.development", 1, 14, "DATABASE_URL"),
        ("apps/a/hack/test.env", 1, 14, "DATABASE_URL"),
    ]
    assert hits(root, "CRD001") == [("apps/a/.env", 1, 14, "DATABASE_URL")]  # `.env` may be deployed


def test_crd005_fallback_message_names_the_fallback(tree) -> None:
    root = tree(app({"docker-compose.yml": COMPOSE.format(env="      CLICKHOUSE_PASSWORD: ${CLICKHOUSE_PASSWORD:-clickhouse}")}))
    found = lint(root, select="CRD005")
    assert [(f.line, f.column) for f in found] == [(5, 28)]
    assert "as its fallback" in found[0].message and "${CLICKHOUSE_PASSWORD:?set CLICKHOUSE_PASSWORD}" in found[0].message
    assert "clickhouse" not in found[0].message.replace("CLICKHOUSE", "")
