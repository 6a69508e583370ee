"""Consistency rules (CON001-CON004), each positive and negative, with exact positions."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tekup_envlint.checks import consistency
from tekup_envlint.config import DEFAULT
from conftest import app, at, jwt, lint


PRIMARY = "oaevagdgrasfppbrxbey"
TYPO = "oaevagdgrasfppbrxbay"  # one letter off PRIMARY
LEGACY = "twaoebtlusudzxshjral"
FOREIGN = "qwertyuiopasdfghjklz"
POOLER = "aws-1-eu-central-1.pooler.supabase.com"
FAR_FUTURE = 4102444800  # 2100-01-01
PAST = 1700000000  # 2023-11-14


def key(role: str, ref: str = PRIMARY, exp: int = FAR_FUTURE, iss: str = "supabase") -> str:
    return jwt({"iss": iss, "ref": ref, "role": role, "iat": 1600000000, "exp": exp})


def pooler(ref: str, port: int = 6543) -> str:
    return f"postgresql://postgres.{ref}:${{DB_PASSWORD}}@{POOLER}:{port}/postgres"


# --------------------------------------------------------------------------- CON001


def test_pooler_user_one_letter_off_the_url(tree) -> None:
    root = tree(app({".env": f"SUPABASE_URL=https://{PRIMARY}.supabase.co\nDATABASE_URL={pooler(TYPO)}\n"}))
    found = lint(root, select="CON001")
    assert at(found, "CON001") == [("apps/a/.env", 2, 14, "DATABASE_URL")]
    message = found[0].message
    assert TYPO in message and PRIMARY in message and "apps/a/.env:1" in message
    assert "one letter" in message and "pooler user" in message
    assert found[0].severity == "error" and found[0].category == "consistency"


def test_typo_in_the_url_is_reported_at_the_url(tree) -> None:
    root = tree(app({
        ".env": (
            f"SUPABASE_URL=https://{TYPO}.supabase.co\n"
            f"SUPABASE_ANON_KEY={key('anon')}\n"
            f"DIRECT_URL=postgresql://postgres:${{PW}}@db.{PRIMARY}.supabase.co:5432/postgres\n"
        ),
    }))
    found = lint(root, select="CON001")
    assert at(found, "CON001") == [("apps/a/.env", 1, 14, "SUPABASE_URL")]
    # the anchor is the configured project's ref; on a tie a connection string speaks before a key
    assert "DIRECT_URL (apps/a/.env:3)" in found[0].message
    assert "(URL host)" in found[0].message and "(database host)" in found[0].message


def test_key_of_another_project_names_no_typo(tree) -> None:
    root = tree(app({".env.local": f"SUPABASE_URL=https://{PRIMARY}.supabase.co\nSUPABASE_SERVICE_ROLE_KEY={key('service_role', FOREIGN)}\n"}))
    found = lint(root, select="CON001")
    assert at(found, "CON001") == [("apps/a/.env.local", 2, 27, "SUPABASE_SERVICE_ROLE_KEY")]
    assert "typo" not in found[0].message


def test_database_host_two_letters_off(tree) -> None:
    two_off = "oaevagdgrasfppbrxbaa"
    root = tree(app({".env": f"SUPABASE_URL=https://{PRIMARY}.supabase.co\nDIRECT_URL=postgresql://postgres:${{PW}}@db.{two_off}.supabase.co:5432/postgres\n"}))
    found = lint(root, select="CON001")
    assert at(found, "CON001") == [("apps/a/.env", 2, 12, "DIRECT_URL")]
    assert "two letters" in found[0].message and "database host" in found[0].message


def test_compose_environment_is_one_file(tree) -> None:
    root = tree(app({
        "compose.yaml": (
            "services:\n"
            "  api:\n"
            "    environment:\n"
            f"      SUPABASE_URL: https://{PRIMARY}.supabase.co\n"
            f"      DATABASE_URL: {pooler(TYPO, 5432)}\n"
        ),
    }))
    assert at(lint(root, select="CON001"), "CON001") == [("apps/a/compose.yaml", 5, 21, "DATABASE_URL")]


def test_one_project_everywhere_is_clean(tree) -> None:
    root = tree(app({
        ".env": (
            f"SUPABASE_URL=https://{PRIMARY}.supabase.co\n"
            f"SUPABASE_ANON_KEY={key('anon')}\n"
            f"DATABASE_URL={pooler(PRIMARY)}\n"
            f"DIRECT_URL=postgresql://postgres:${{PW}}@db.{PRIMARY}.supabase.co:5432/postgres\n"
        ),
    }))
    assert lint(root, select="CON001") == []


def test_primary_beside_legacy_is_left_to_hyb002(tree) -> None:
    root = tree(app({".env": f"SUPABASE_URL=https://{PRIMARY}.supabase.co\nSUPABASE_ANON_KEY={key('anon', LEGACY)}\n"}))
    assert lint(root, select="CON001") == []
    assert [f.line for f in lint(root, select="HYB002")] == [2]


def test_a_typo_of_the_legacy_ref_is_still_reported(tree) -> None:
    typo = LEGACY[:-1] + "k"
    root = tree(app({".env": f"SUPABASE_URL=https://{LEGACY}.supabase.co\nDATABASE_URL={pooler(typo)}\n"}))
    assert at(lint(root, select="CON001"), "CON001") == [("apps/a/.env", 2, 14, "DATABASE_URL")]


def test_refs_in_different_files_and_placeholders_are_not_compared(tree) -> None:
    root = tree(app({
        ".env": f"SUPABASE_URL=https://{PRIMARY}.supabase.co\nDATABASE_URL=postgresql://postgres.[YOUR-PROJECT-REF]:pw@{POOLER}:6543/postgres\n",
        ".env.production": f"DATABASE_URL={pooler(FOREIGN)}\n",
    }))
    assert lint(root, select="CON001") == []


def test_edit_distance() -> None:
    assert consistency.edit_distance(PRIMARY, TYPO) == 1
    assert consistency.edit_distance(PRIMARY, PRIMARY) == 0
    assert consistency.edit_distance("abc", "acb") == 2
    assert consistency.edit_distance("", "abc") == 3


# --------------------------------------------------------------------------- CON002


def test_public_name_holding_a_service_role_jwt(tree) -> None:
    root = tree(app({".env.local": f"# browser\nNEXT_PUBLIC_SUPABASE_ANON_KEY={key('service_role')}\n"}))
    found = lint(root, select="CON002")
    assert at(found, "CON002") == [("apps/a/.env.local", 2, 31, "NEXT_PUBLIC_SUPABASE_ANON_KEY")]
    assert "service_role JWT" in found[0].message and "eyJ" not in found[0].message


def test_service_name_holding_an_anon_jwt(tree) -> None:
    root = tree(app({".env": f"SUPABASE_SERVICE_ROLE_KEY={key('anon')}\n"}))
    found = lint(root, select="CON002")
    assert at(found, "CON002") == [("apps/a/.env", 1, 27, "SUPABASE_SERVICE_ROLE_KEY")]
    assert "anon JWT" in found[0].message


@pytest.mark.parametrize(
    "line, column",
    [
        ("SUPABASE_PUBLISHABLE_KEY=sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz", 26),
        ("SUPABASE_SECRET_KEY=sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH", 21),
        ("SUPABASE_SERVICE_KEY='sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH'", 22),
    ],
)
def test_new_keys_under_the_wrong_name(tree, line: str, column: int) -> None:
    root = tree(app({".env": line + "\n"}))
    assert [(f.line, f.column) for f in lint(root, select="CON002")] == [(1, column)]


def test_names_that_match_their_keys_are_clean(tree) -> None:
    root = tree(app({
        ".env": (
            f"NEXT_PUBLIC_SUPABASE_ANON_KEY={key('anon')}\n"
            f"SUPABASE_SERVICE_ROLE_KEY={key('service_role')}\n"
            f"NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY={key('service_role')}\n"  # exposure: a credentials finding
            "SUPABASE_PUBLISHABLE_KEY=sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH\n"
            "SUPABASE_SECRET_KEY=sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz\n"
            "SUPABASE_ANON_KEY=your_supabase_anon_key\n"
            "SUPABASE_SERVICE_KEY=${SUPABASE_SERVICE_ROLE_KEY}\n"
            "NEXT_PUBLIC_SUPABASE_ANON_KEY_2=sb_secret_your_key_here\n"
        ),
    }))
    assert lint(root, select="CON002") == []


def test_named_role() -> None:
    assert consistency.named_role("VITE_SUPABASE_ANON_KEY") == "public"
    assert consistency.named_role("NEXT_PUBLIC_SUPABASE_KEY") == "public"
    assert consistency.named_role("NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY") == "secret"
    assert consistency.named_role("SUPABASE_JWT_SECRET") == "secret"
    assert consistency.named_role("ANON_OR_SERVICE_ROLE_KEY") is None
    assert consistency.named_role("SUPABASE_KEY") is None


# --------------------------------------------------------------------------- CON003


def test_expired_hosted_key(tree, monkeypatch) -> None:
    monkeypatch.setattr(consistency, "now", lambda: PAST + 1)
    root = tree(app({".env": f"APP=1\nSUPABASE_ANON_KEY={key('anon', exp=PAST)}\n"}))
    found = lint(root, select="CON003")
    assert at(found, "CON003") == [("apps/a/.env", 2, 19, "SUPABASE_ANON_KEY")]
    assert "2023-11-14" in found[0].message and PRIMARY in found[0].message
    assert found[0].severity == "warning" and "eyJ" not in found[0].message


def test_key_is_live_until_its_exp(tree, monkeypatch) -> None:
    monkeypatch.setattr(consistency, "now", lambda: PAST)
    root = tree(app({".env": f"SUPABASE_ANON_KEY={key('anon', exp=PAST)}\n"}))
    assert lint(root, select="CON003") == []


def test_expired_demo_key_in_a_template(tree, monkeypatch) -> None:
    # the self-hosted docker/.env.example keys expire on 2027-01-09
    demo = jwt({"role": "anon", "iss": "supabase-demo", "iat": 1641769200, "exp": 1799535600})
    root = tree(app({".env.example": f"ANON_KEY={demo}\n"}))
    monkeypatch.setattr(consistency, "now", lambda: 1799535600 - 1)
    assert lint(root, select="CON003") == []
    monkeypatch.setattr(consistency, "now", lambda: 1799535600 + 1)
    found = lint(root, select="CON003")
    assert at(found, "CON003") == [("apps/a/.env.example", 1, 10, "ANON_KEY")]
    assert "demo" in found[0].message and "2027-01-09" in found[0].message


def test_expired_user_token_of_a_project(tree, monkeypatch) -> None:
    monkeypatch.setattr(consistency, "now", lambda: PAST + 10)
    token = jwt({"iss": f"https://{PRIMARY}.supabase.co/auth/v1", "role": "authenticated", "exp": PAST, "sub": "u"})
    root = tree(app({".env": f"SUPABASE_ACCESS_JWT={token}\n"}))
    assert [(f.line, f.column) for f in lint(root, select="CON003")] == [(1, 21)]


def test_jwts_that_are_not_supabase_keys_are_ignored(tree, monkeypatch) -> None:
    monkeypatch.setattr(consistency, "now", lambda: PAST + 10)
    other = jwt({"iss": "https://clerk.example.dev", "exp": PAST})
    root = tree(app({".env": f"CLERK_TOKEN={other}\nSUPABASE_ANON_KEY=your_supabase_anon_key\n"}))
    assert lint(root, select="CON003") == []


def test_default_clock_is_the_real_time() -> None:
    import time

    assert abs(consistency.now() - time.time()) < 5


# --------------------------------------------------------------------------- CON004


def test_url_aliases_naming_two_projects(tree) -> None:
    root = tree(app({".env.local": f"SUPABASE_URL=https://{PRIMARY}.supabase.co\nVITE_SUPABASE_URL=https://{LEGACY}.supabase.co\n"}))
    found = lint(root, select="CON004")
    assert at(found, "CON004") == [("apps/a/.env.local", 2, 19, "VITE_SUPABASE_URL")]
    assert "SUPABASE_URL (apps/a/.env.local:1)" in found[0].message
    assert found[0].severity == "warning"


def test_hosted_url_beside_a_local_one(tree) -> None:
    root = tree(app({".env": f"NEXT_PUBLIC_SUPABASE_URL=http://127.0.0.1:54321\nSUPABASE_URL=https://{PRIMARY}.supabase.co\n"}))
    assert at(lint(root, select="CON004"), "CON004") == [("apps/a/.env", 2, 14, "SUPABASE_URL")]


def test_urls_that_may_agree_are_clean(tree) -> None:
    root = tree(app({
        ".env": (
            "SUPABASE_URL=http://kong:8000\n"
            "NEXT_PUBLIC_SUPABASE_URL=http://localhost:8000\n"  # one local stack, two network views
            "API_URL=http://localhost:3000\n"  # the app's own API, not Supabase
        ),
        ".env.production": (
            f"SUPABASE_URL=https://{PRIMARY}.supabase.co\n"
            "NEXT_PUBLIC_SUPABASE_URL=${SUPABASE_URL}\n"
            "EXPO_PUBLIC_SUPABASE_URL=https://api.tekup.dk\n"  # a custom domain may be the project
            "VITE_SUPABASE_URL=your_supabase_url\n"
            "REACT_APP_SUPABASE_URL=\n"
        ),
    }))
    assert lint(root, select="CON004") == []


def test_api_url_joins_when_it_is_a_supabase_url(tree) -> None:
    root = tree(app({".env": f"API_URL=https://{LEGACY}.supabase.co\nSUPABASE_URL=https://{PRIMARY}.supabase.co\n"}))
    assert at(lint(root, select="CON004"), "CON004") == [("apps/a/.env", 2, 14, "SUPABASE_URL")]


def test_service_key_aliases_with_different_keys_are_redacted(tree) -> None:
    old, new = key("service_role", exp=FAR_FUTURE - 1), key("service_role")
    root = tree(app({".env": f"SUPABASE_SERVICE_KEY={old}\nOTHER=1\nSUPABASE_SERVICE_ROLE_KEY={new}\n"}))
    found = lint(root, select="CON004")
    assert at(found, "CON004") == [("apps/a/.env", 3, 27, "SUPABASE_SERVICE_ROLE_KEY")]
    assert old not in found[0].message and new not in found[0].message
    assert f"[{len(new)} chars]" in found[0].message


def test_equal_keys_and_the_jwt_to_sb_migration_are_clean(tree) -> None:
    anon = key("anon")
    root = tree(app({
        ".env": f"SUPABASE_ANON_KEY={anon}\nNEXT_PUBLIC_SUPABASE_ANON_KEY={anon}\n",
        ".env.local": f"ANON_KEY={anon}\nVITE_SUPABASE_ANON_KEY=sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH\n",
    }))
    assert lint(root, select="CON004") == []


def test_database_urls_reaching_different_databases(tree) -> None:
    root = tree(app({
        ".env": (
            "DATABASE_URL=postgresql://tekup:${PW}@localhost:5432/tekup_db?schema=billy\n"
            f"POSTGRES_PRISMA_URL={pooler(PRIMARY)}?pgbouncer=true\n"
        ),
    }))
    found = lint(root, select="CON004")
    assert at(found, "CON004") == [("apps/a/.env", 2, 21, "POSTGRES_PRISMA_URL")]
    assert "Docker PostgreSQL" in found[0].message


def test_pooled_and_direct_urls_of_one_database_agree(tree) -> None:
    root = tree(app({
        ".env": (
            f"DATABASE_URL=postgresql://postgres:pw@db.{PRIMARY}.supabase.co:5432/postgres\n"
            f"POSTGRES_PRISMA_URL={pooler(PRIMARY).replace('${DB_PASSWORD}', 'pw')}?pgbouncer=true&connection_limit=1\n"
        ),
    }))
    assert lint(root, select="CON004") == []


def test_compose_services_are_compared_apart(tree) -> None:
    root = tree(app({
        "compose.yaml": (
            "services:\n"
            "  web:\n"
            "    environment:\n"
            f"      - SUPABASE_URL=https://{PRIMARY}.supabase.co\n"
            "  worker:\n"
            "    environment:\n"
            f"      - NEXT_PUBLIC_SUPABASE_URL=https://{LEGACY}.supabase.co\n"
            f"      - VITE_SUPABASE_URL=https://{FOREIGN}.supabase.co\n"
        ),
    }))
    assert at(lint(root, select="CON004"), "CON004") == [("apps/a/compose.yaml", 8, 27, "VITE_SUPABASE_URL")]


def test_groups_are_data() -> None:
    groups = consistency.alias_groups()
    names = {n for g in groups for n in g["names"]}
    assert {"SUPABASE_SERVICE_KEY", "EXPO_PUBLIC_SUPABASE_ANON_KEY", "POSTGRES_PRISMA_URL"} <= names
    assert {g["compare"] for g in groups} == {"value", "supabase-url", "database"}


def test_configured_legacy_project_changes_nothing_for_con004(tree) -> None:
    root = tree(app({".env": f"SUPABASE_URL=https://{PRIMARY}.supabase.co\nVITE_SUPABASE_URL=https://{FOREIGN}.supabase.co\n"}))
    config = replace(DEFAULT, legacy=())
    assert [f.line for f in lint(root, config, select="CON004")] == [2]


# --------------------------------------------------------------------------- CON005

PG = "services:\n  db:\n    image: postgres:16\n    ports: ['{port}:5432']\n"


def test_con005_root_stack_and_app_stack_on_one_port(tree) -> None:
    root = tree({
        "package.json": '{"workspaces": ["apps/*"]}',
        "docker-compose.yml": PG.format(port=5432),
        "apps/web/package.json": "{}",
        "apps/web/compose.yaml": PG.format(port="${DB_PORT:-5432}"),
    })
    found = [f for f in lint(root, select="CON005") if f.code == "CON005"]
    assert [(f.path, f.line, f.column, f.key) for f in found] == [("docker-compose.yml", 2, 3, "db")]
    assert "apps/web/compose.yaml:2" in found[0].message


def test_con005_alternative_examples_and_one_folders_files_are_not_compared(tree) -> None:
    # teable's layout: dockers/examples/{cluster,standalone} are alternatives no app runs together
    root = tree({
        "package.json": '{"workspaces": ["apps/*"]}',
        "dockers/examples/cluster/docker-compose.yaml": PG.format(port=42345),
        "dockers/examples/standalone/docker-compose.yaml": PG.format(port=42345),
        "apps/web/package.json": "{}",
        "apps/web/docker-compose.dev.yml": PG.format(port=5432),
        "apps/web/docker-compose.test.yml": PG.format(port=5432),
    })
    assert lint(root, select="CON005") == []


def test_con005_one_apps_samples_are_not_compared(tree) -> None:
    # docker/awesome-compose: independent samples in folders of one app (no manifests)
    root = tree({
        "postgresql-pgadmin/compose.yaml": PG.format(port=5432),
        "react-rust-postgres/compose.yaml": PG.format(port=5432),
    })
    assert lint(root, select="CON005") == []
