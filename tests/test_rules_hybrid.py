"""Hybrid, legacy and strategy rules, each positive and negative, with exact positions."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tekup_envlint.config import DEFAULT
from conftest import at as positions, jwt, lint


PRIMARY = "oaevagdgrasfppbrxbey"
LEGACY = "twaoebtlusudzxshjral"
DOCKER_DSN = "postgresql://tekup:${POSTGRES_PASSWORD}@localhost:5432/tekup_db"
POOLER_DSN = f"postgresql://postgres.{PRIMARY}:${{DB_PASSWORD}}@aws-1-eu-central-1.pooler.supabase.com:5432/postgres"


def test_both_providers_in_one_file(tree) -> None:
    root = tree({
        "apps/billy/package.json": "{}",
        "apps/billy/.env": f"SUPABASE_URL=https://{PRIMARY}.supabase.co\n\nDATABASE_URL={DOCKER_DSN}?schema=billy\n",
    })
    found = [f for f in lint(root, select="HYB001")]
    # one problem, reported once at the first setting, naming the other with its location
    assert positions(found, "HYB001") == [("apps/billy/.env", 1, 14, "SUPABASE_URL")]
    assert "DATABASE_URL (apps/billy/.env:3)" in found[0].message
    assert "Docker PostgreSQL" in found[0].message and "Supabase project" in found[0].message
    assert [(r.path, r.line, r.column, r.key) for r in found[0].related] == [("apps/billy/.env", 3, 14, "DATABASE_URL")]
    assert all(f.app == "apps/billy" and f.severity == "error" and f.category == "hybrid" for f in found)


def test_template_is_its_own_load_set(tree) -> None:
    # a template is what someone copies; no process reads it together with `.env`
    root = tree({
        "apps/a/package.json": "{}",
        "apps/a/.env.example": f"DATABASE_URL={POOLER_DSN}\n",
        "apps/a/.env": f"DATABASE_URL={DOCKER_DSN}\n",
    })
    assert lint(root, select="HYB001") == []


def test_two_templates_are_alternatives(tree) -> None:
    # one template for local Docker, one for the cloud: a choice, not a hybrid
    root = tree({
        "apps/a/package.json": "{}",
        "apps/a/.env.example": f"DATABASE_URL={DOCKER_DSN}\n",
        "apps/a/.env.supabase.example": f"DATABASE_URL={POOLER_DSN}\nSUPABASE_URL=https://{PRIMARY}.supabase.co\n",
    })
    assert lint(root, select="HYB001") == []


def test_template_mixing_providers_is_hybrid_within_itself(tree) -> None:
    root = tree({
        "apps/a/package.json": "{}",
        "apps/a/.env.example": f"SUPABASE_URL=https://{PRIMARY}.supabase.co\nDATABASE_URL={DOCKER_DSN}\n",
    })
    assert positions(lint(root, select="HYB001"), "HYB001") == [("apps/a/.env.example", 1, 14, "SUPABASE_URL")]


def test_standalone_file_is_not_layered_on_env(tree) -> None:
    # `.env.ports` and `render.env` are passed explicitly, never loaded over `.env`
    root = tree({
        "apps/a/package.json": "{}",
        "apps/a/.env": f"SUPABASE_URL=https://{PRIMARY}.supabase.co\n",
        "apps/a/render.env": f"DATABASE_URL={DOCKER_DSN}\n",
        "apps/a/.env.ports": f"DATABASE_URL={DOCKER_DSN}\n",
    })
    assert lint(root, select="HYB001") == []


def test_template_beside_a_compose_database_is_not_hybrid(tree) -> None:
    root = tree({
        "apps/a/package.json": "{}",
        "apps/a/.env.example": f"DATABASE_URL={POOLER_DSN}\n",
        "apps/a/compose.yaml": "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${PW}\n",
    })
    assert lint(root, select="HYB001") == []


def test_service_running_local_postgres_with_baked_supabase_env(tree) -> None:
    # the build context's `.env` travels into the image; the service points DATABASE_URL at
    # the Compose postgres: at run time the process sees both
    root = tree({
        "package.json": '{"workspaces": ["apps/*"]}',
        "apps/web/package.json": "{}",
        "apps/web/.env": f"SUPABASE_URL=https://{PRIMARY}.supabase.co\n",
        "docker-compose.yml": (
            "services:\n  db:\n    image: postgres:16\n  web:\n    build: ./apps/web\n"
            "    environment:\n      DATABASE_URL: postgresql://postgres:pw@db:5432/postgres\n"
        ),
    })
    found = lint(root, select="HYB001")
    assert positions(found, "HYB001") == [("docker-compose.yml", 4, 3, "web")]
    assert found[0].app == "apps/web"
    assert "apps/web/.env:1 baked into the image" in found[0].message
    assert {r.key for r in found[0].related} == {"SUPABASE_URL", "DATABASE_URL"}


def test_dockerignore_keeps_env_out_of_the_image(tree) -> None:
    root = tree({
        "package.json": '{"workspaces": ["apps/*"]}',
        "apps/web/package.json": "{}",
        "apps/web/.env": f"SUPABASE_URL=https://{PRIMARY}.supabase.co\n",
        "apps/web/.dockerignore": "node_modules\n.env*\n!.env.example\n",
        "docker-compose.yml": (
            "services:\n  web:\n    build: ./apps/web\n"
            "    environment:\n      DATABASE_URL: postgresql://postgres:pw@db:5432/postgres\n"
        ),
    })
    assert lint(root, select="HYB001") == []


def test_environments_that_differ_are_not_hybrid(tree) -> None:
    root = tree({
        "apps/a/package.json": "{}",
        "apps/a/.env.development": f"DATABASE_URL={DOCKER_DSN}\n",
        "apps/a/.env.production": f"DATABASE_URL={POOLER_DSN}\nSUPABASE_URL=https://{PRIMARY}.supabase.co\n",
    })
    assert lint(root, select="HYB001") == []


def test_environment_file_overrides_dotenv_key_by_key(tree) -> None:
    base = {"apps/a/package.json": "{}", "apps/a/.env": f"DATABASE_URL={DOCKER_DSN}\n"}
    # .env.production replaces DATABASE_URL: production sees only Supabase
    overridden = tree(dict(base, **{"apps/a/.env.production": f"DATABASE_URL={POOLER_DSN}\n"}))
    assert positions(lint(overridden, select="HYB001"), "HYB001") == []


def test_environment_file_adding_a_second_provider(tmp_path: Path) -> None:
    from conftest import write_tree

    root = write_tree(tmp_path, {
        "apps/a/package.json": "{}",
        "apps/a/.env": f"DATABASE_URL={DOCKER_DSN}\n",
        "apps/a/.env.production": f"SUPABASE_URL=https://{PRIMARY}.supabase.co\n",
    })
    found = lint(root, select="HYB001")
    assert positions(found, "HYB001") == [("apps/a/.env", 1, 14, "DATABASE_URL")]
    assert "SUPABASE_URL (apps/a/.env.production:1)" in found[0].message


def test_placeholders_and_references_are_not_providers(tree) -> None:
    root = tree({
        "apps/a/package.json": "{}",
        "apps/a/.env": f"SUPABASE_URL=your_supabase_url\nSUPABASE_ANON_KEY=your_supabase_anon_key\nDATABASE_URL={DOCKER_DSN}\nDIRECT_URL=${{DATABASE_URL}}\n",
    })
    assert lint(root, select="HYB001") == []


def test_apps_are_judged_apart(tree) -> None:
    root = tree({
        "apps/a/package.json": "{}",
        "apps/a/.env": f"DATABASE_URL={DOCKER_DSN}\n",
        "apps/b/package.json": "{}",
        "apps/b/.env": f"SUPABASE_URL=https://{PRIMARY}.supabase.co\n",
    })
    assert lint(root, select="HYB001") == []


def test_legacy_project_in_every_form(tree) -> None:
    key = jwt({"iss": "supabase", "ref": LEGACY, "role": "anon", "iat": 1, "exp": 4102444800})
    root = tree({
        "apps/vault/package.json": "{}",
        "apps/vault/.env.example": (
            f"SUPABASE_URL=https://{LEGACY}.supabase.co\n"
            f"SUPABASE_ANON_KEY={key}\n"
            f"DATABASE_URL=postgresql://postgres.{LEGACY}:${{PW}}@aws-0-eu-west-1.pooler.supabase.com:6543/postgres\n"
            f"DIRECT_URL=postgresql://postgres:${{PW}}@db.{LEGACY}.supabase.co:5432/postgres\n"
        ),
    })
    assert [(f.line, f.column) for f in lint(root, select="HYB002")] == [(1, 14), (2, 19), (3, 14), (4, 12)]


def test_primary_project_is_not_legacy(tree) -> None:
    root = tree({".env": f"SUPABASE_URL=https://{PRIMARY}.supabase.co\n"})
    assert lint(root, select="HYB002") == []


def test_legacy_projects_are_configurable(tree) -> None:
    from tekup_envlint.config import SupabaseProject

    root = tree({".env": f"SUPABASE_URL=https://{PRIMARY}.supabase.co\n"})
    config = replace(DEFAULT, legacy=(SupabaseProject(ref=PRIMARY),), primary=SupabaseProject(ref="a" * 20))
    assert [f.code for f in lint(root, config, select="HYB002")] == ["HYB002"]


def test_strategy_supabase_keeps_docker_for_local_files(tree) -> None:
    root = tree({
        "apps/a/package.json": "{}",
        "apps/a/.env.local": f"DATABASE_URL={DOCKER_DSN}\n",
        "apps/a/compose.yaml": "services:\n  db:\n    image: postgres:16\n",
        "apps/a/.env.production": f"DATABASE_URL={DOCKER_DSN}\n",
    })
    config = replace(DEFAULT, strategy="supabase")
    assert positions(lint(root, config, select="STR001"), "STR001") == [("apps/a/.env.production", 1, 14, "DATABASE_URL")]


def test_strategy_docker_refuses_supabase_in_production(tree) -> None:
    root = tree({
        "apps/a/package.json": "{}",
        "apps/a/.env.production": f"SUPABASE_URL=https://{PRIMARY}.supabase.co\nDATABASE_URL={DOCKER_DSN}\n",
    })
    config = replace(DEFAULT, strategy="docker")
    found = lint(root, config, select="STR001")
    assert positions(found, "STR001") == [("apps/a/.env.production", 1, 14, "SUPABASE_URL")]
    assert "strategy is docker" in found[0].message


def test_no_strategy_no_strategy_findings(tree) -> None:
    root = tree({"apps/a/package.json": "{}", "apps/a/.env.production": f"DATABASE_URL={DOCKER_DSN}\n"})
    assert lint(root, select="STR001") == []


# --------------------------------------------------------------------------- corpus review regressions


def test_key_that_names_no_project_is_not_a_provider(tree) -> None:
    # a test stack's own keys (no iss, no ref) beside its plain Docker PostgreSQL
    anon = jwt({"role": "anon", "iat": 1613531985, "exp": 1929107985})
    root = tree({
        "apps/a/package.json": "{}",
        "apps/a/.env.sample": f"ANON_KEY={anon}\nDATABASE_URL=postgresql://postgres:${{PW}}@127.0.0.1:5432/postgres\n",
    })
    assert lint(root, select="HYB001") == []


def test_key_of_a_hosted_project_is_still_a_provider(tree) -> None:
    anon = jwt({"iss": "supabase", "ref": PRIMARY, "role": "anon", "iat": 1, "exp": 4102444800})
    root = tree({
        "apps/a/package.json": "{}",
        "apps/a/.env": f"SUPABASE_ANON_KEY={anon}\nDATABASE_URL={DOCKER_DSN}\n",
    })
    assert positions(lint(root, select="HYB001"), "HYB001") == [("apps/a/.env", 1, 19, "SUPABASE_ANON_KEY")]


SELF_HOSTED = """services:
  kong:
    image: kong:2.8.1
    environment:
      SUPABASE_URL: http://kong:8000
  db:
    image: supabase/postgres:15.8.1.060
"""


def test_host_naming_a_supabase_compose_service_is_the_local_stack(tree) -> None:
    # Supabase's self-hosting layout: POSTGRES_HOST=db names the supabase/postgres service
    root = tree({
        "docker/.env.example": "SUPABASE_PUBLIC_URL=http://localhost:8000\nPOSTGRES_HOST=db\nPOSTGRES_PORT=5432\n",
        "docker/docker-compose.yml": SELF_HOSTED,
    })
    assert lint(root, select="HYB001") == []


def test_host_naming_a_plain_postgres_service_stays_docker(tree) -> None:
    root = tree({
        "docker/.env.example": "SUPABASE_PUBLIC_URL=http://localhost:8000\nPOSTGRES_HOST=db\nPOSTGRES_PORT=5432\n",
        "docker/docker-compose.yml": SELF_HOSTED.replace("supabase/postgres:15.8.1.060", "postgres:16"),
    })
    found = lint(root, select="HYB001")
    assert positions(found, "HYB001") == [("docker/.env.example", 1, 21, "SUPABASE_PUBLIC_URL")]
    assert "POSTGRES_HOST (docker/.env.example:2)" in found[0].message


def test_service_env_file_on_supabase_and_environment_on_compose_postgres(tree) -> None:
    root = tree({
        "deploy/supabase.env": f"SUPABASE_URL=https://{PRIMARY}.supabase.co\n",
        "deploy/compose.yml": (
            "services:\n  db:\n    image: postgres:16\n  api:\n    image: node:20\n    env_file: supabase.env\n"
            "    environment:\n      DATABASE_URL: postgresql://postgres:pw@db:5432/postgres\n"
        ),
    })
    found = lint(root, select="HYB001")
    assert positions(found, "HYB001") == [("deploy/compose.yml", 4, 3, "api")]
    assert "SUPABASE_URL (deploy/supabase.env:1)" in found[0].message


def test_environment_overriding_the_baked_file_is_one_provider(tree) -> None:
    root = tree({
        "apps/web/package.json": "{}",
        "apps/web/.env": f"DATABASE_URL={POOLER_DSN}\n",
        "compose.yml": "services:\n  web:\n    build: apps/web\n    environment:\n      DATABASE_URL: postgresql://postgres:pw@db:5432/postgres\n",
    })
    assert lint(root, select="HYB001") == []


def test_database_service_built_beside_a_supabase_env_is_not_a_client(tree) -> None:
    # a custom PostgreSQL image built from a folder whose .env names Supabase
    root = tree({
        "db/.env": f"SUPABASE_URL=https://{PRIMARY}.supabase.co\n",
        "compose.yml": "services:\n  db:\n    build: ./db\n    image: postgres:16\n",
    })
    assert lint(root, select="HYB001") == []
