"""Severity by reach, one concern once, secret-named keys (CRD008) and placeholders.

Each case is a minimal reproduction of a pattern seen in the monorepo review
(docs/corpus-review.md, "Real monorepos"), written for this project.
"""

from __future__ import annotations

import pytest

from conftest import app, at, lint

PW = "Xq7pLm2vRt9sKd4w"
COMPOSE_DB = "services:\n  db:\n    image: postgres:16\n    environment:\n{env}\n"


def codes(root, *wanted):
    return [(f.code, f.path.split("/", 2)[-1], f.line, f.severity) for f in lint(root) if f.code in wanted]


# --------------------------------------------------------------------------- reach


def test_literal_password_of_a_dev_compose_container_is_a_note(tree) -> None:
    # formbricks docker-compose.dev.yml: `RUSTFS_ADMIN_PASSWORD=devrustfs123`
    root = tree(app({"docker-compose.dev.yml": COMPOSE_DB.format(env=f"      - POSTGRES_PASSWORD={PW}")}))
    assert codes(root, "CRD005", "CRD007") == [("CRD007", "docker-compose.dev.yml", 5, "info")]


def test_the_same_password_in_a_production_compose_file_is_an_error(tree) -> None:
    root = tree(app({"docker-compose.prod.yml": COMPOSE_DB.format(env=f"      - POSTGRES_PASSWORD={PW}")}))
    assert codes(root, "CRD005", "CRD007") == [("CRD005", "docker-compose.prod.yml", 5, "error")]


def test_a_compose_file_naming_no_environment_keeps_chosen_passwords_as_errors(tree) -> None:
    # plane's deployment bundle: `docker-compose.yml` with `${POSTGRES_PASSWORD:-plane}`
    root = tree(app({"docker-compose.yml": COMPOSE_DB.format(env="      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-plane}")}))
    assert codes(root, "CRD005", "CRD007") == [("CRD005", "docker-compose.yml", 5, "error")]


def test_a_cloud_dsn_sharing_a_local_password_is_one_error(tree) -> None:
    root = tree(app({"docker-compose.dev.yml": COMPOSE_DB.format(env=(
        f"      POSTGRES_PASSWORD: {PW}\n"
        "  api:\n    image: node:20\n    environment:\n"
        f"      DATABASE_URL: postgresql://app:{PW}@db.internal.tekup.dk:5432/app"
    ))}))
    found = [f for f in lint(root) if f.code.startswith("CRD")]
    assert [(f.code, f.line) for f in found] == [("CRD001", 9)]
    assert "also written on line 5" in found[0].message


def test_db_host_with_a_port_is_still_local(tree) -> None:
    # unkey web/apps/portal/.env.example: DATABASE_HOST=localhost:3306
    root = tree(app({".env.example": "DATABASE_HOST=localhost:3306\nDATABASE_USERNAME=unkey\nDATABASE_PASSWORD=password\n"}))
    assert codes(root, "CRD007", "CRD008") == [("CRD007", ".env.example", 3, "info")]


def test_db_password_for_a_remote_host_in_a_template_is_an_error(tree) -> None:
    root = tree(app({".env.example": f"PGHOST=db.internal.tekup.dk\nPGPASSWORD={PW}\n"}))
    assert codes(root, "CRD007", "CRD008") == [("CRD008", ".env.example", 2, "error")]


# --------------------------------------------------------------------------- CRD008


def test_secret_named_key_whatever_its_length(tree) -> None:
    root = tree(app({".env.production": "ENCRYPTION_SALT=tekup-salt\nPOSTGRES_PASSWORD=teable\nGREETING=hello\n"}))
    found = lint(root, select="CRD008")
    assert at(found, "CRD008") == [("apps/a/.env.production", 1, 17, "ENCRYPTION_SALT"),
                                   ("apps/a/.env.production", 2, 19, "POSTGRES_PASSWORD")]
    assert all("tekup-salt" not in f.message and "teable" not in f.message for f in found)


@pytest.mark.parametrize("line", [
    "JWT_SECRET=${JWT_SECRET}",
    "JWT_SECRET=",
    "JWT_SECRET=change-in-production",
    "JWT_SECRET=your-jwt-secret",
    "JWT_SECRET=<jwt secret>",
    "JWT_PRIVATE_KEY_PATH=./keys/jwt.pem",
    "JWT_PRIVATE_KEY=./keys/jwt.pem",
    "DB_PASSWORD_FILE=/run/secrets/db",
    "MYSQL_ALLOW_EMPTY_PASSWORD=yes",
    "STRIPE_PUBLISHABLE_KEY=pk_live_123",
    "NEXT_PUBLIC_API_KEY=abc123",  # CRD003's
    "MINIO_SECRET_KEY=example2secret",  # teable dockers/examples: says `example`
    "POSTGRES_PASSWORD=swarm2replace2password",  # teable docker-swarm example: says `replace`
    "TOKEN_EXPIRES=3600",
    "SECRET=RANDOM_STRING",  # prisma-examples rest-nextjs-api-routes-auth/.env: an instruction
])
def test_secret_named_key_clean(tree, line: str) -> None:
    root = tree(app({".env.production": line + "\n"}))
    assert lint(root, select="CRD008") == []


def test_non_database_passwords_in_templates_are_left_to_their_shape(tree) -> None:
    # dub, formbricks `.env.example`: SMTP_PASSWORD=smtpPassword
    root = tree(app({".env.example": "SMTP_PASSWORD=smtpPassword\nE2E_USER_PASSWORD=test_Password123\n",
                     ".env.test": "EMAIL_PASSWORD=password\n"}))
    assert codes(root, "CRD004", "CRD007", "CRD008") == []


# --------------------------------------------------------------------------- placeholders


@pytest.mark.parametrize("dsn", [
    "postgresql://username:password@db.internal.tekup.dk:5432/app",
    "postgresql://user:pass@db.internal.tekup.dk:5432/app",
    "postgresql://app:change-in-production@db.internal.tekup.dk:5432/app",
    "postgresql://app:change_me@db.internal.tekup.dk:5432/app",
    "postgresql://app:replace-me@db.internal.tekup.dk:5432/app",
    "postgresql://app:<password>@db.internal.tekup.dk:5432/app",
    "postgresql://app:your-password@db.internal.tekup.dk:5432/app",
    f"postgresql://app:{PW}@db.example.com:5432/app",
])
def test_placeholder_credentials_are_not_findings(tree, dsn: str) -> None:
    root = tree(app({".env.production": f"DATABASE_URL={dsn}\n"}))
    assert codes(root, "CRD001", "CRD007") == []


def test_private_key_block_without_key_material_is_a_placeholder(tree) -> None:
    begin, end = "-----BEGIN " + "PRIVATE KEY-----", "-----END " + "PRIVATE KEY-----"
    body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7Vq3Lm9Xc2Rt8Yp1Wk5Nz4Hb6"
    root = tree(app({".env.production": f'SIGNING_KEY="{begin}\\nput the key in this slot\\n{end}"\n'
                                        f'REAL_SIGNING_KEY="{begin}\\n{body}\\n{end}"\n'}))
    assert [(f.code, f.line) for f in lint(root) if f.code in ("CRD004", "CRD008")] == [("CRD004", 2)]


def test_one_token_written_twice_in_a_file_is_one_crd004(tree) -> None:
    # plane's Compose file: the same LIVE_SERVER_SECRET_KEY fallback for two services
    token = "2FiJk1U2aiVPEQtzLehYGlTSnTnrs7LW"[::-1] + "Qx"
    root = tree(app({".env.production": f"A_SECRET_KEY={token}\nOTHER=1\nB_SECRET_KEY={token}\n"}))
    found = lint(root, select="CRD004")
    assert [(f.line, f.key) for f in found] == [(1, "A_SECRET_KEY")]
    assert "also written on line 3" in found[0].message and token not in found[0].message
