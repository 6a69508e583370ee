"""Load sets: which files one process reads together, in order (tekup_envlint/loadsets.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from tekup_envlint import engine
from tekup_envlint.config import DEFAULT
from tekup_envlint.loadsets import dotenv_name
from tekup_envlint.workspace import Workspace, build

PRIMARY = "oaevagdgrasfppbrxbey"
DOCKER_DSN = "postgresql://tekup:${POSTGRES_PASSWORD}@localhost:5432/tekup_db"
SUPABASE_URL = f"https://{PRIMARY}.supabase.co"


def workspace(root: Path) -> Workspace:
    return build(root.resolve(), DEFAULT, engine.load_files(root.resolve(), DEFAULT))


def sets(ws: Workspace) -> List[Tuple[str, str, Tuple[str, ...]]]:
    return sorted((ls.kind, ls.mode, ls.files) for ls in ws.load_sets)


@pytest.mark.parametrize("name, role, mode, target", [
    (".env", "base", "default", None),
    (".env.local", "local", "default", None),
    (".env.production", "mode", "production", None),
    (".env.test.local", "mode-local", "test", None),
    (".env.example", "template", "default", ".env"),
    (".env.production.example", "template", "production", ".env.production"),
    ("example.env", "template", "default", ".env"),
    (".env.supabase.example", "template", "default", ".env.supabase"),
    (".env.ports", "standalone", "default", None),
    (".env.docker", "standalone", "default", None),
    ("render.env", "standalone", "default", None),
    ("databases.env", "standalone", "default", None),
])
def test_dotenv_names(name: str, role: str, mode: str, target: str) -> None:
    found = dotenv_name(name, DEFAULT)
    assert (found.role, found.mode, found.target) == (role, mode, target)


def test_dotenv_flow_chains(tree) -> None:
    root = tree({
        "apps/a/package.json": "{}",
        "apps/a/.env": "A=1\n",
        "apps/a/.env.local": "A=2\n",
        "apps/a/.env.production": "B=1\n",
        "apps/a/.env.test": "C=1\n",
        "apps/a/.env.example": "A=\n",
        "apps/a/.env.ports": "PORT=1\n",
        "apps/a/docs/.env": "X=1\n",
        "apps/a/migrations/.env.production": "X=1\n",  # a snippet: not the app's production mode
        "apps/a/databases.env": "X=1\n",
    })
    assert sets(workspace(root)) == [
        ("dotenv", "default", ("apps/a/.env", "apps/a/.env.local")),
        ("dotenv", "production", ("apps/a/.env", "apps/a/.env.local", "apps/a/.env.production")),
        ("dotenv", "test", ("apps/a/.env", "apps/a/.env.test")),  # .env.local is not read in test
        ("standalone", "default", ("apps/a/.env.ports",)),
        ("standalone", "default", ("apps/a/databases.env",)),
        ("standalone", "default", ("apps/a/docs/.env",)),
        ("standalone", "production", ("apps/a/migrations/.env.production",)),
        ("template", "default", ("apps/a/.env.example",)),
    ]


def test_later_file_hides_earlier_connection(tree) -> None:
    root = tree({
        "apps/a/package.json": "{}",
        "apps/a/.env": f"DATABASE_URL={DOCKER_DSN}\nSUPABASE_URL={SUPABASE_URL}\n",
        "apps/a/.env.local": "DATABASE_URL=\n",  # set, even if to nothing
    })
    ws = workspace(root)
    default = next(ls for ls in ws.load_sets if ls.mode == "default")
    assert [(c.key, c.file.source.path) for c in default.connections if c.provider] == [
        ("SUPABASE_URL", "apps/a/.env"),
    ]


def test_template_joins_the_chain_of_its_copy(tree) -> None:
    root = tree({
        "apps/a/package.json": "{}",
        "apps/a/.env": "A=1\n",
        "apps/a/.env.production": "A=1\n",
        "apps/a/.env.production.example": "A=\n",
        "apps/a/.env.example": "A=\n",
    })
    ws = workspace(root)
    production = next(ls for ls in ws.load_sets if ls.kind == "template" and ls.mode == "production")
    assert production.template_of == "apps/a/.env.production"
    assert ws.real_set_of(production).files == ("apps/a/.env", "apps/a/.env.production")


def test_compose_service_reads_baked_env_files_then_env_file_then_environment(tree) -> None:
    root = tree({
        "package.json": '{"workspaces": ["apps/*"]}',
        "apps/web/package.json": "{}",
        "apps/web/.env": f"SUPABASE_URL={SUPABASE_URL}\n",
        "apps/web/.env.local": "X=1\n",
        "apps/web/.dockerignore": ".env.local\n",
        "docker/shared.env": "Y=1\n",
        "docker/compose.yml": (
            "services:\n  web:\n    build:\n      context: ../apps/web\n    env_file: [shared.env]\n"
            f"    environment:\n      DATABASE_URL: {DOCKER_DSN.replace('$', '$$')}\n"
        ),
    })
    ws = workspace(root)
    web = next(ls for ls in ws.load_sets if ls.kind == "compose-service")
    assert web.app == "apps/web" and web.service == "docker/compose.yml#web"
    assert web.files == ("apps/web/.env", "docker/shared.env", "docker/compose.yml")
    assert web.baked == ("apps/web/.env",)
    assert {c.key: c.provider for c in web.connections} == {"SUPABASE_URL": "supabase", "DATABASE_URL": "docker"}
    assert ws.compose_files_reaching("apps/web") >= {"docker/compose.yml"}


def test_environment_interpolated_from_project_env(tree) -> None:
    root = tree({
        "compose.yml": "services:\n  api:\n    image: node\n    environment:\n      DATABASE_URL: ${DATABASE_URL}\n",
        ".env": f"DATABASE_URL={DOCKER_DSN}\n",
    })
    api = next(ls for ls in workspace(root).load_sets if ls.kind == "compose-service")
    assert api.interpolation == ".env"
    assert [(c.key, c.provider) for c in api.connections] == [("DATABASE_URL", "docker")]


def test_workspace_root_does_not_swallow_config_folders(tree) -> None:
    files: Dict[str, str] = {
        "package.json": '{"name": "mono", "workspaces": ["apps/*"]}',
        "apps/web/package.json": "{}",
        "apps/web/.env": "A=1\n",
        "docker/.env": "B=1\n",
        ".env": "C=1\n",
    }
    ws = workspace(tree(files))
    assert set(ws.apps) == {".", "apps/web", "docker"}


@pytest.mark.parametrize("marker", ["pnpm-workspace.yaml", "turbo.json", "nx.json"])
def test_workspace_markers(tree, marker: str) -> None:
    ws = workspace(tree({"package.json": "{}", marker: "{}\n", "infra/db/.env": "B=1\n"}))
    assert set(ws.apps) == {"infra/db"}


def test_plain_root_manifest_still_owns_its_folders(tree) -> None:
    ws = workspace(tree({"package.json": "{}", "config/.env": "B=1\n"}))
    assert set(ws.apps) == {"."}


def test_template_copied_to_env_local_when_env_is_committed_defaults(tree) -> None:
    # Next.js's convention, as teable uses it: the repository ignores .env.local, not .env
    from conftest import git_init

    root = tree({
        "apps/a/package.json": "{}",
        "apps/a/.gitignore": ".env.local\n.env.*.local\n",
        "apps/a/.env": "A=1\n",
        "apps/a/.env.example": "A=\nOPTIONAL=\n",
        "apps/a/.env.production.example": "P=\n",
    })
    git_init(root)
    ws = workspace(root)
    assert {ls.files[0]: ls.template_of for ls in ws.load_sets if ls.kind == "template"} == {
        "apps/a/.env.example": "apps/a/.env.local",
        "apps/a/.env.production.example": "apps/a/.env.production.local",
    }


def test_template_copied_to_env_when_env_is_ignored(tree) -> None:
    from conftest import git_init

    root = tree({"apps/a/package.json": "{}", "apps/a/.gitignore": ".env\n.env.*\n!.env.example\n",
                 "apps/a/.env.example": "A=\n"})
    git_init(root)
    assert [ls.template_of for ls in workspace(root).load_sets if ls.kind == "template"] == ["apps/a/.env"]


def test_prisma_variable_resolved_in_the_apps_load_sets(tree) -> None:
    root = tree({
        "apps/a/package.json": "{}",
        "apps/a/prisma/schema.prisma": 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n',
        "apps/a/.env": f"DATABASE_URL={DOCKER_DSN}\n",
        "apps/a/.env.production": "DATABASE_URL=postgresql://postgres.oaevagdgrasfppbrxbey:${PW}@aws-1-eu-central-1.pooler.supabase.com:5432/postgres\n",
    })
    found = workspace(root).resolve("apps/a", "DATABASE_URL")
    assert [(ls.mode, c.provider) for ls, c in found] == [("default", "docker"), ("production", "supabase")]


def test_scoped_run_finds_the_same_unit_on_disk(tree) -> None:
    from tekup_envlint.discovery import app_folder_of

    root = tree({"package.json": '{"workspaces": ["apps/*"]}', "apps/web/package.json": "{}", "docker/.env": "A=1\n"})
    assert app_folder_of(root, "docker/.env", DEFAULT) == "docker"
    assert app_folder_of(root, "apps/web/sub/.env", DEFAULT) == "apps/web"
    assert app_folder_of(root, ".env", DEFAULT) == "."


# --------------------------------------------------------------------------- .dockerignore


def _reference_regex(line: str):
    """The translation `.dockerignore` lines had before (Docker's own: `*` and `?` within a
    folder, `**` across folders), as an oracle for short inputs, where backtracking is cheap."""
    import posixpath
    import re

    text = posixpath.normpath(line.strip().lstrip("/"))
    out, i = [], 0
    while i < len(text):
        if text.startswith("**", i):
            out.append(".*")
            i += 2
            if text.startswith("/", i):
                out[-1] = "(?:.*/)?"
                i += 1
            continue
        ch = text[i]
        out.append("[^/]*" if ch == "*" else "[^/]" if ch == "?" else re.escape(ch))
        i += 1
    return re.compile("".join(out) + r"\Z")


from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab.*?/", min_size=1, max_size=9).filter(lambda p: p.strip("/") and "//" not in p),
       st.lists(st.text(alphabet="ab.", min_size=1, max_size=4), min_size=1, max_size=4))
@example("?/**", ["a"])  # a final `**` after a folder needs one more segment (found by hypothesis)
def test_dockerignore_matching_agrees_with_dockers_regex(line: str, parts: List[str]) -> None:
    from tekup_envlint.loadsets import _dockerignore_pattern, _segments_match

    parsed = _dockerignore_pattern(line)
    if parsed is None or any(p in (".", "..") for p in parts):
        return
    path = "/".join(parts)
    expected = bool(_reference_regex(line).match(path))
    assert any(_segments_match(alt, parts) for alt in parsed[1]) == expected, (line, path, parsed)


def test_dockerignore_with_many_stars_and_a_long_folder_name() -> None:
    """`*a*a*a...b` against a 60-character folder name: Python's backtracking `re` took
    minutes on the regex Docker would use; matched segment by segment it is instant."""
    from tekup_envlint.loadsets import _dockerignore_pattern, _ignored_by

    patterns = [_dockerignore_pattern("*a" * 14 + "b"), _dockerignore_pattern("**/x**y/.env")]
    assert not _ignored_by(patterns, "a" * 60 + "/.env")
    assert _ignored_by(patterns, "deep/er/x1/2y/.env") and _ignored_by(patterns, "x12y/.env")
