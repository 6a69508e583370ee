"""Discovery: which files are taken, whose app they are, which environment, tracked or not."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tekup_envlint.config import DEFAULT, Config
from tekup_envlint.discovery import discover, environment_of, file_kind

from conftest import git_init, write_tree


@pytest.mark.parametrize(
    "name,kind",
    [
        (".env", "dotenv"),
        (".env.example", "dotenv"),
        (".env.production", "dotenv"),
        (".env.local.example", "dotenv"),
        (".env.example.production", "dotenv"),
        (".env-template", "dotenv"),
        (".env_sample", "dotenv"),
        ("docker.env", "dotenv"),
        ("databases.env", "dotenv"),
        ("env.example", "dotenv"),
        ("env.sample", "dotenv"),
        ("compose.yaml", "compose"),
        ("compose.yml", "compose"),
        ("docker-compose.yml", "compose"),
        ("docker-compose.yaml", "compose"),
        ("docker-compose.override.yml", "compose"),
        ("compose.override.yaml", "compose"),
        ("docker-compose.prod.yml", "compose"),
        ("docker-compose-dev.yml", "compose"),
        ("docker-compose.override.yml.example", "compose"),
        ("compose.yaml.sample", "compose"),
        ("docker-compose.yml.dist", "compose"),
        ("docker-compose.yml.bak", None),
        ("schema.prisma", "prisma"),
        ("env.ts", None),
        ("env.py", None),
        ("env.d.ts", None),
        (".envrc", None),
        (".env.ts", None),
        ("environment.ts", None),
        ("env.mjs", None),
        ("package.json", None),
        ("compose.ts", None),
    ],
)
def test_file_kind(name: str, kind: str) -> None:
    assert file_kind(name) == kind


def test_prisma_multi_file_schema_folder() -> None:
    assert file_kind("models.prisma", "schema") == "prisma"
    assert file_kind("models.prisma", "src") is None


@pytest.mark.parametrize(
    "name,env",
    [
        (".env", "default"),
        (".env.example", "template"),
        (".env.local.example", "template"),
        (".env.example.production", "template"),
        (".env.local", "local"),
        (".env.development", "development"),
        (".env.development.local", "development"),
        (".env.test", "test"),
        (".env.production", "production"),
        (".env.prod", "production"),
        (".env.staging", "production"),
        ("docker.env", "development"),
    ],
)
def test_environment_from_name(name: str, env: str) -> None:
    assert environment_of(name, "dotenv", DEFAULT) == env


def test_compose_environment() -> None:
    assert environment_of("docker-compose.yml", "compose", DEFAULT) == "compose"
    assert environment_of("docker-compose.prod.yml", "compose", DEFAULT) == "production"


def test_environment_words_are_configurable() -> None:
    config = Config(environments=(("production", ("live",)),))
    assert environment_of(".env.live", "dotenv", config) == "production"


MONOREPO = {
    "package.json": "{}",
    ".env": "ROOT=1\n",
    "apps/api/package.json": "{}",
    "apps/api/.env": "A=1\n",
    "apps/api/src/env.ts": "export {}\n",
    "apps/api/config/.env.production": "A=2\n",
    "apps/api/node_modules/pkg/.env": "SKIP=1\n",
    "apps/worker/pyproject.toml": "[project]\nname='w'\n",
    "apps/worker/docker-compose.yml": "services: {}\n",
    "packages/db/package.json": "{}",
    "packages/db/prisma/schema.prisma": "datasource db {}\n",
    "loose/.env.example": "X=\n",
    ".venv/lib/.env": "SKIP=1\n",
}


def test_walk_outside_git(tmp_path: Path) -> None:
    write_tree(tmp_path, MONOREPO)
    found = {f.path: f for f in discover(tmp_path, DEFAULT)}
    assert sorted(found) == [
        ".env",
        "apps/api/.env",
        "apps/api/config/.env.production",
        "apps/worker/docker-compose.yml",
        "loose/.env.example",
        "packages/db/prisma/schema.prisma",
    ]
    assert found["apps/api/config/.env.production"].app == "apps/api"
    assert found["apps/api/config/.env.production"].env == "production"
    assert found["packages/db/prisma/schema.prisma"].app == "packages/db"
    assert found["loose/.env.example"].app == "."
    assert found["apps/worker/docker-compose.yml"].kind == "compose"
    assert all(f.tracked for f in found.values())  # without git every file may be committed


def test_git_view_marks_ignored_files(tmp_path: Path) -> None:
    write_tree(tmp_path, dict(MONOREPO, **{".gitignore": ".env\nnode_modules/\n.venv/\n"}))
    git_init(tmp_path)
    write_tree(tmp_path, {"apps/api/.env.local": "NEW=1\n"})  # untracked, not ignored
    found = {f.path: f for f in discover(tmp_path, DEFAULT)}
    assert found["apps/api/.env"].ignored and not found["apps/api/.env"].tracked
    assert found[".env"].ignored
    assert found["apps/api/.env.local"].tracked  # would be committed
    assert found["apps/api/config/.env.production"].tracked
    assert "apps/api/node_modules/pkg/.env" not in found


def test_app_roots_and_excludes_from_config(tmp_path: Path) -> None:
    write_tree(tmp_path, MONOREPO)
    config = Config(app_roots=("apps/*",), exclude=("loose",))
    found = {f.path: f for f in discover(tmp_path, config)}
    assert "loose/.env.example" not in found
    assert found["apps/api/config/.env.production"].app == "apps/api"
    assert found["packages/db/prisma/schema.prisma"].app == "."


def test_nested_app_roots_the_shallowest_match_wins(tmp_path: Path) -> None:
    """As the README says ("Apps and load sets"): `*` crosses `/`, so with `apps/*` and
    `apps/web/*` the folder `apps/web` matches first and owns `apps/web/admin`; patterns
    that do not match the parent make nested apps."""
    write_tree(tmp_path, {"apps/web/.env": "A=1\n", "apps/web/admin/.env": "A=1\n", "apps/api/.env": "A=1\n",
                          "tools/.env": "A=1\n"})
    nested = {f.path: f.app for f in discover(tmp_path, Config(app_roots=("apps/*", "apps/web/*")))}
    assert nested["apps/web/admin/.env"] == "apps/web" and nested["apps/web/.env"] == "apps/web"
    apart = {f.path: f.app for f in discover(tmp_path, Config(app_roots=("apps/api", "apps/web/*")))}
    assert apart["apps/web/admin/.env"] == "apps/web/admin" and apart["apps/api/.env"] == "apps/api"
    assert apart["apps/web/.env"] == "." and apart["tools/.env"] == "."  # no glob matches: the root


def test_include_restricts(tmp_path: Path) -> None:
    write_tree(tmp_path, MONOREPO)
    found = [f.path for f in discover(tmp_path, Config(include=("apps/api/*",)))]
    assert found == ["apps/api/.env", "apps/api/config/.env.production"]


def test_symlinks(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_tree(outside, {"secret.env": "X=1\n"})
    repo = write_tree(tmp_path / "repo", {"package.json": "{}", ".env.shared": "A=1\n"})
    os.symlink(outside / "secret.env", repo / ".env")
    os.symlink(repo / ".env.shared", repo / ".env.local")
    os.symlink(repo / "loop.env", repo / "loop.env")
    found = {f.path: f for f in discover(repo, DEFAULT)}
    assert "outside the scanned root" in (found[".env"].skip or "")
    assert found[".env.local"].skip is None
    assert "loops" in (found["loop.env"].skip or "")


def test_directory_named_like_env_file_is_kept_for_reporting(tmp_path: Path) -> None:
    write_tree(tmp_path, {".env/README": "x"})
    found = [f.path for f in discover(tmp_path, DEFAULT)]
    assert found == [".env"]


def test_compose_template_is_parsed_and_reported_when_broken(tmp_path: Path) -> None:
    from conftest import lint, write_tree

    write_tree(tmp_path, {
        "apps/a/package.json": "{}",
        "apps/a/docker-compose.override.yml.example": "services:\n  db:\n    image: [postgres\n",
        "apps/b/package.json": "{}",
        "apps/b/compose.yaml.sample": "services:\n  db:\n    image: postgres:16\n    environment:\n"
                                      "      POSTGRES_PASSWORD: Xq7pLm2vRt9sKd4w\n",
    })
    found = [(f.path, f.code) for f in lint(tmp_path)]
    assert ("apps/a/docker-compose.override.yml.example", "SYN004") in found
    assert ("apps/b/compose.yaml.sample", "CRD005") in found


def test_work_tree_top_is_what_git_says_or_left_to_git(tmp_path: Path, monkeypatch) -> None:
    """The top of the work tree found without a git process (issue #12) is git's answer,
    and where it cannot be sure (a worktree's `.git` file, inside `.git`) it asks git."""
    from tekup_envlint.discovery import work_tree_top

    def git_top(folder: Path):
        done = subprocess.run(["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
                              capture_output=True, text=True)
        return Path(done.stdout.strip()).resolve() if done.returncode == 0 else None

    repo = write_tree(tmp_path / "repo", {"apps/web/.env": "A=1\n", "nested/inner/x.txt": "x\n"})
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "init", "-q", str(repo / "nested")], check=True)
    (tmp_path / "plain").mkdir()
    for folder in (repo, repo / "apps", repo / "apps/web", repo / "nested", repo / "nested/inner", tmp_path / "plain"):
        found = work_tree_top(folder)
        assert found is None or found == git_top(folder), folder
    assert work_tree_top(repo / "apps/web") == repo.resolve()
    assert work_tree_top(repo / "nested/inner") == (repo / "nested").resolve()
    assert work_tree_top(repo / ".git") is None  # git: not a work tree
    (repo / "sub").mkdir()
    (repo / "sub" / ".git").write_text("gitdir: ../.git\n")  # a worktree's or submodule's file: git reads it
    assert work_tree_top(repo / "sub") is None
    monkeypatch.setenv("GIT_DIR", str(repo / ".git"))
    assert work_tree_top(repo / "apps") is None


def test_committed_named_agrees_with_committed_path_by_path(tmp_path: Path) -> None:
    # the one-process listing a fix uses must answer as `committed` does for each path
    from tekup_envlint.discovery import committed, committed_named

    write_tree(tmp_path, {".env.local": "A=1\n", "apps/a/.env.local": "A=1\n", "apps/a/x.env.local": "A=1\n",
                          "apps/b/.env.local/.env.local": "A=1\n", "apps/c/.env": "A=1\n"})
    git_init(tmp_path)  # stages everything: the index holds them
    write_tree(tmp_path, {"apps/d/.env.local": "A=1\n"})  # on disk only
    asked = [".env.local", "apps/a/.env.local", "apps/b/.env.local",
             "apps/b/.env.local/.env.local", "apps/c/.env.local", "apps/d/.env.local", "apps/e/.env.local"]
    listed = committed_named(tmp_path, ".env.local")
    assert listed is not None and "apps/a/x.env.local" not in listed
    assert {p for p in asked if p in listed} == {p for p in asked if p in committed(tmp_path, [p])}
    assert committed_named(tmp_path, "*.local") is None  # a pattern: asked path by path
    sub = committed_named(tmp_path / "apps", ".env.local")  # paths relative to the root given
    assert sub is not None and "a/.env.local" in sub
