"""Project-level promises: hooks are documented, the README's commands are what CI runs."""

from __future__ import annotations

import re

import yaml

from conftest import ROOT


def test_every_hook_id_is_in_the_readme() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    readme = (ROOT / "README.md").read_text()
    assert hooks
    for hook in hooks:
        assert f"id: {hook['id']}" in readme


def test_hook_file_pattern_takes_config_files_only() -> None:
    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]
    pattern, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])
    for path in (".env", "apps/a/.env.example", "docker.env", "apps/a/docker-compose.yml",
                 "compose.override.yaml", "prisma/schema.prisma", "env.example",
                 "apps/a/docker-compose.override.yml.example", "compose.yaml.sample"):
        assert pattern.search(path) and not exclude.search(path), path
    for path in ("src/env.ts", ".env.ts", ".envrc", "apps/a/environment.py", "README.md"):
        assert not pattern.search(path) or exclude.search(path), path


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make test" in ci
    assert "make demo" in readme


def test_readme_configuration_example_is_valid(tmp_path) -> None:
    """The README's [tool.tekup-envlint] example validates (docs that run cannot rot)."""
    from tekup_envlint.config_file import load

    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Configuration"):]
    example = section[section.index("```toml") + len("```toml"):section.index("```", section.index("```toml") + 7)]
    (tmp_path / "pyproject.toml").write_text(example)
    config = load(tmp_path)
    assert config.strategy == "supabase" and config.primary.ref == "oaevagdgrasfppbrxbey"
    assert ("SYN006", "info") in config.severity


def test_licence_is_an_spdx_expression() -> None:
    """A `license = { text = ... }` table makes setuptools warn three times on every install."""
    from tekup_envlint.catalogue import load_toml

    pyproject = load_toml(ROOT / "pyproject.toml")
    assert pyproject["project"]["license"] == "MIT"
    assert any(r.replace(" ", "").startswith("setuptools>=77") for r in pyproject["build-system"]["requires"])
