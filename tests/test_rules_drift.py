"""Drift rules (DRF001-DRF005), each positive and negative, with exact positions."""

from __future__ import annotations
from conftest import app, at, git_init, lint


DOCKER_DSN = "postgresql://tekup:${POSTGRES_PASSWORD}@localhost:5432/tekup_db"


# --------------------------------------------------------------------------- DRF001


def test_key_missing_from_the_template(tree) -> None:
    root = tree(app({
        ".env.example": "DATABASE_URL=postgresql://tekup:<password>@localhost:5432/tekup_db\n",
        ".env": f"DATABASE_URL={DOCKER_DSN}\n\nSTRIPE_KEY=sk_test\nSTRIPE_KEY=sk_test2\n",
        ".env.local": "  BARE\n",
    }))
    found = lint(root, select="DRF001")
    # once per file, at the first line; `.env.local` is an overlay nobody copies from the template
    assert at(found, "DRF001") == [("apps/a/.env", 3, 12, "STRIPE_KEY")]
    assert "apps/a/.env.example" in found[0].message and "sk_test" not in found[0].message
    assert found[0].severity == "warning" and found[0].category == "drift"


def test_gitignored_env_is_compared_with_its_own_template(tree) -> None:
    root = tree(app({
        ".gitignore": ".env\n",
        ".env.example": "A=1\n",
        ".env.production.example": "B=1\n",  # the template of .env.production, not of .env
        ".env": "A=2\nB=2\nC=3\n",
    }))
    git_init(root)
    assert at(lint(root, select="DRF001"), "DRF001") == [("apps/a/.env", 2, 3, "B"), ("apps/a/.env", 3, 3, "C")]


def test_templates_of_one_file_count_together(tree) -> None:
    root = tree(app({".env.example": "A=1\n", "example.env": "B=1\n", ".env": "A=2\nB=2\nC=3\n"}))
    assert at(lint(root, select="DRF001"), "DRF001") == [("apps/a/.env", 3, 3, "C")]


def test_no_template_no_drift(tree) -> None:
    root = tree(app({".env": "A=1\n", "compose.yaml": "services:\n  x:\n    environment:\n      Z: 1\n"}))
    assert lint(root, select="DRF001") == []


def test_apps_have_their_own_templates(tree) -> None:
    files = app({".env.example": "A=\n", ".env": "A=1\n"})
    files.update(app({".env": "B=1\n"}, name="apps/b"))
    assert lint(tree(files), select="DRF001") == []


# --------------------------------------------------------------------------- DRF002


def test_template_key_in_no_env_file(tree) -> None:
    root = tree(app({
        ".env.example": "A=your_a\nB=your_b\nexport C=\n",
        ".env": "A=1\n",
        ".env.test": "B=2\n",
    }))
    found = lint(root, select="DRF002")
    # .env.test is not what a copy of .env.example is read with
    assert at(found, "DRF002") == [("apps/a/.env.example", 2, 3, "B"), ("apps/a/.env.example", 3, 10, "C")]
    assert "(apps/a/.env)" in found[0].message
    assert found[0].severity == "info"


def test_template_is_compared_with_the_chain_of_its_copy(tree) -> None:
    root = tree(app({
        ".env.example": "A=\nB=\n",
        ".env": "A=1\n",
        ".env.local": "B=1\n",  # read with .env: B is there
        ".env.production.example": "P=\nQ=\n",
        ".env.production": "P=1\n",
    }))
    assert at(lint(root, select="DRF002"), "DRF002") == [("apps/a/.env.production.example", 2, 3, "Q")]


def test_committed_env_is_not_the_templates_copy(tree) -> None:
    # teable's layout: a committed .env of shared defaults, the template documents optional
    # settings for the gitignored .env.local
    root = tree(app({".gitignore": ".env.local\n", ".env": "A=1\n", ".env.example": "A=\nOPTIONAL=\n"}))
    git_init(root)
    assert lint(root, select="DRF002") == []


def test_gitignored_copy_is_compared(tree) -> None:
    root = tree(app({".gitignore": ".env\n", ".env": "A=1\n", ".env.example": "A=\nB=\n"}))
    git_init(root)
    assert at(lint(root, select="DRF002"), "DRF002") == [("apps/a/.env.example", 2, 3, "B")]


def test_template_is_never_compared_with_an_overlay(tree) -> None:
    # no .env: the template's copy does not exist; .env.ports and .env.local set a few keys on top
    root = tree(app({".env.example": "A=\nB=\nC=\n", ".env.ports": "PORT=1\n", ".env.local": "A=1\n"}))
    assert lint(root, select="DRF002") == []
    assert lint(root, select="DRF001") == []


def test_template_without_env_files_is_not_judged(tree) -> None:
    root = tree(app({".env.example": "A=your_a\n", "compose.yaml": "services:\n  x:\n    image: node\n"}))
    assert lint(root, select="DRF002") == []


def test_bare_key_counts_as_present(tree) -> None:
    root = tree(app({".env.example": "A=your_a\n", ".env": "A\n"}))
    assert lint(root, select="DRF002") == []


# --------------------------------------------------------------------------- DRF003


def test_duplicate_key_reported_at_the_later_line(tree) -> None:
    root = tree(app({".env": f"DATABASE_URL={DOCKER_DSN}\nPORT=3000\nexport DATABASE_URL='{DOCKER_DSN}?schema=billy'\n"}))
    found = lint(root, select="DRF003")
    assert at(found, "DRF003") == [("apps/a/.env", 3, 21, "DATABASE_URL")]
    message = found[0].message
    assert "line 1" in message and "different value" in message and "(this one)" in message
    assert "tekup" not in message


def test_three_times_names_the_previous_line_and_the_winner(tree) -> None:
    root = tree(app({".env": "A=1\nA=1\nA=2\n"}))
    found = lint(root, select="DRF003")
    assert at(found, "DRF003") == [("apps/a/.env", 2, 3, "A"), ("apps/a/.env", 3, 3, "A")]
    assert "same value as line 1" in found[0].message and "(line 3)" in found[0].message
    assert "different value from line 2" in found[1].message and "(this one)" in found[1].message


def test_empty_value_duplicate_is_reported_at_the_value_position(tree) -> None:
    root = tree(app({".env": "A=1\nA=\n"}))
    assert [(f.line, f.column) for f in lint(root, select="DRF003")] == [(2, 3)]


def test_no_duplicates(tree) -> None:
    root = tree(app({
        ".env": "A=1\nB=1\nA_B=2\na=3\nBARE\nBARE=1\n",  # keys are case-sensitive; a bare key sets nothing
        ".env.local": "A=2\n",
        "compose.yaml": "services:\n  x:\n    environment:\n      - A=1\n",
    }))
    assert lint(root, select="DRF003") == []


# --------------------------------------------------------------------------- DRF004

COMPOSE = """services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}
      POSTGRES_USER: ${POSTGRES_USER:-tekup}
      POSTGRES_DB: $POSTGRES_DB
      PGDATA: $${PGDATA_NOT_INTERPOLATED}
    ports:
      - "${DB_PORT:?set DB_PORT}:5432"
    volumes:
      - ${HOME}/pg:/var/lib/postgresql/data
      - ${DATA_DIR:-${DATA_ROOT}/data}:/data
    command: ["postgres", "-c", "log_statement=${LOG_STATEMENT:+all}", "${POSTGRES_PASSWORD}"]
"""


def test_undefined_variables_in_compose(tree) -> None:
    root = tree(app({"docker-compose.yml": COMPOSE}))
    found = lint(root, select="DRF004")
    assert at(found, "DRF004") == [
        ("apps/a/docker-compose.yml", 5, 26, "POSTGRES_PASSWORD"),
        ("apps/a/docker-compose.yml", 7, 20, "POSTGRES_DB"),
        ("apps/a/docker-compose.yml", 10, 10, "DB_PORT"),
    ]
    assert "substitutes an empty string" in found[0].message
    assert "refuses to start" in found[2].message
    assert "there is no apps/a/.env" in found[0].message


def test_project_env_beside_the_compose_file_defines(tree) -> None:
    root = tree(app({
        "docker/compose.yaml": COMPOSE,
        "docker/.env": "POSTGRES_PASSWORD=x\nPOSTGRES_DB=tekup_db\n",
    }))
    found = lint(root, select="DRF004")
    assert at(found, "DRF004") == [("apps/a/docker/compose.yaml", 10, 10, "DB_PORT")]
    assert "looked in apps/a/docker/.env" in found[0].message


def test_app_env_files_and_env_file_entries_define(tree) -> None:
    compose = (
        "services:\n"
        "  api:\n"
        "    image: node:20\n"
        "    env_file: ../../shared/.env.docker\n"
        "    environment:\n"
        "      A: ${A}\n"
        "      B: ${B}\n"
        "      C: ${C}\n"
        "      D: ${D}\n"
    )
    files = app({"compose.yaml": compose, ".env.example": "A=\n", ".env.local": "B=1\n"})
    files["shared/.env.docker"] = "C=1\n"
    found = lint(tree(files), select="DRF004")
    assert at(found, "DRF004") == [("apps/a/compose.yaml", 9, 10, "D")]


def test_uid_is_not_exported_by_bash(tree) -> None:
    root = tree(app({"compose.yaml": "services:\n  x:\n    user: \"${UID}:${GID:-1000}\"\n"}))
    assert at(lint(root, select="DRF004"), "DRF004") == [("apps/a/compose.yaml", 3, 12, "UID")]


def test_unreadable_env_file_makes_the_compose_file_unknown(tree) -> None:
    files = app({"compose.yaml": "services:\n  x:\n    image: node\n    environment:\n      A: ${A}\n"})
    files["apps/a/.env/keep"] = ""  # a folder named .env: unreadable
    assert lint(tree(files), select="DRF004") == []


def test_only_compose_files_interpolate(tree) -> None:
    root = tree(app({".env": "DATABASE_URL=${UNDEFINED_ANYWHERE}\n"}))
    assert lint(root, select="DRF004") == []


# --------------------------------------------------------------------------- DRF005


def test_missing_env_files(tree) -> None:
    compose = (
        "services:\n"
        "  api:\n"
        "    image: node:20\n"
        "    env_file:\n"
        "      - .env.docker\n"
        "      - path: ./secrets/.env\n"
        "        required: true\n"
        "      - path: .env.override\n"
        "        required: false\n"
        "  worker:\n"
        "    env_file: ../.env.shared\n"
    )
    found = lint(tree(app({"docker/compose.yaml": compose})), select="DRF005")
    assert at(found, "DRF005") == [
        ("apps/a/docker/compose.yaml", 5, 9, None),
        ("apps/a/docker/compose.yaml", 6, 15, None),
        ("apps/a/docker/compose.yaml", 11, 15, None),
    ]
    assert "service worker" in found[2].message and "apps/a/.env.shared" in found[2].message
    assert found[0].severity == "error"


def test_present_optional_and_machine_paths_are_clean(tree) -> None:
    compose = (
        "services:\n"
        "  api:\n"
        "    image: node:20\n"
        "    env_file:\n"
        "      - .env\n"
        "      - ../b/.env.b\n"
        "      - path: .env.missing\n"
        "        required: false\n"
        "      - ${ENV_FILE:-.env.dev}\n"
        "      - /etc/app/app.env\n"
        "      - ~/app.env\n"
    )
    files = app({"compose.yaml": compose, ".env": "A=1\n"})
    files["apps/b/.env.b"] = "B=1\n"
    assert lint(tree(files), select="DRF005") == []


def test_compose_at_the_repository_root(tree) -> None:
    root = tree({"compose.yaml": "services:\n  api:\n    env_file: .env\n"})
    assert at(lint(root, select="DRF005"), "DRF005") == [("compose.yaml", 3, 15, None)]


def test_env_file_outside_discovery_is_read_from_disk(tmp_path) -> None:
    from dataclasses import replace

    from conftest import write_tree
    from tekup_envlint.config import DEFAULT

    root = write_tree(tmp_path, app({
        "compose.yaml": "services:\n  x:\n    image: node\n    environment:\n      A: ${A}\n      B: ${B}\n",
        ".env": "A=1\n",
    }))
    config = replace(DEFAULT, exclude=("apps/a/.env",))
    assert at(lint(root, config, select="DRF004"), "DRF004") == [("apps/a/compose.yaml", 6, 10, "B")]


def test_symlink_out_of_the_root_is_not_read(tmp_path) -> None:
    from dataclasses import replace

    from conftest import write_tree
    from tekup_envlint.config import DEFAULT

    outside = tmp_path / "outside.env"
    outside.write_text("A=1\n")
    root = write_tree(tmp_path / "repo", app({
        "compose.yaml": "services:\n  x:\n    image: node\n    environment:\n      A: ${A}\n",
    }))
    (root / "apps/a/.env").symlink_to(outside)
    config = replace(DEFAULT, exclude=("apps/a/.env",))
    assert lint(root, config, select="DRF004") == []


# --------------------------------------------------------------------------- corpus review regressions


def test_templates_speak_for_the_env_files_of_their_folder(tree) -> None:
    # a committed test fixture in a subfolder is not made from the app's template, and the
    # template's keys are not expected in it
    root = tree(app({
        ".env.example": "DATABASE_URL=\nSITE_URL=\n",
        "hack/test.env": "DATABASE_URL=postgres://localhost/test\nGOTRUE_SAML_ENABLED=true\n",
        "deploy/variables.env": "SECRET_KEY=${SECRET_KEY}\n",
    }))
    assert lint(root, select="DRF001") == []
    assert lint(root, select="DRF002") == []


def test_template_and_env_in_one_subfolder_are_still_compared(tree) -> None:
    root = tree(app({
        "docker/.env.example": "A=\nB=\n",
        "docker/.env": "A=1\nC=1\n",
    }))
    assert at(lint(root, select="DRF001"), "DRF001") == [("apps/a/docker/.env", 2, 3, "C")]
    assert at(lint(root, select="DRF002"), "DRF002") == [("apps/a/docker/.env.example", 2, 3, "B")]


def test_missing_env_file_with_a_template_beside_it(tree) -> None:
    # a fresh clone has no `.env` yet: it is made from the template beside it
    compose = (
        "services:\n"
        "  api:\n"
        "    image: node:20\n"
        "    env_file:\n"
        "      - ./.env\n"
        "      - ./apps/api/.env\n"
        "      - .env.docker\n"
    )
    root = tree(app({
        "compose.yaml": compose,
        ".env.example": "A=\n",
        "apps/api/.env.example": "B=\n",
    }))
    assert at(lint(root, select="DRF005"), "DRF005") == [("apps/a/compose.yaml", 7, 9, None)]


def test_workspace_templates_by_folder_in_workspace_order_and_cached() -> None:
    from pathlib import Path

    from tekup_envlint.config import DEFAULT
    from tekup_envlint.models import ParsedFile, SourceFile
    from tekup_envlint.workspace import Workspace

    def f(path: str, env: str, kind: str = "dotenv") -> ParsedFile:
        return ParsedFile(SourceFile(path, kind, ".", env, True), "")

    files = [f("apps/web/.env.example", "template"), f(".env.sample", "template"), f("apps/web/.env", "local"),
             f("apps/web/.env.local.example", "template"), f("docker-compose.yml", "template", "compose")]
    ws = Workspace(root=Path("."), config=DEFAULT, files=files, apps={})
    found = ws.templates_by_folder()
    assert found == {"apps/web": ["apps/web/.env.example", "apps/web/.env.local.example"], "": [".env.sample"]}
    assert ws.templates_by_folder() is found


def test_drf004_reads_the_env_files_of_the_app_a_compose_file_builds(tree) -> None:
    # firecrawl's layout: the root Compose file builds apps/api, whose template documents the variables
    root = tree({
        "docker-compose.yaml": "services:\n  api:\n    build: apps/api\n    environment:\n"
                               "      USE_DB_AUTHENTICATION: ${USE_DB_AUTHENTICATION}\n      OTHER: ${OTHER}\n",
        "apps/api/package.json": "{}",
        "apps/api/.env.example": "USE_DB_AUTHENTICATION=true\n",
    })
    assert [f.key for f in lint(root, select="DRF004")] == ["OTHER"]
