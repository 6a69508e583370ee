"""Per-path rule selection (`per-path-ignores`): archived folders keep credential rules only."""

from __future__ import annotations

from pathlib import Path

import pytest

from tekup_envlint.config import ConfigError
from tekup_envlint.config_file import load
from conftest import lint, write_tree

PRIMARY = "oaevagdgrasfppbrxbey"
HYBRID_WITH_TOKEN = (
    f"SUPABASE_URL=https://{PRIMARY}.supabase.co\n"
    "DATABASE_URL=postgresql://tekup:${POSTGRES_PASSWORD}@localhost:5432/tekup_db\n"
    "GITHUB_TOKEN=ghp_R8vLq2mTz6WbN4kXc9pHs1dYf7gJe3aUi5oK\n"
)


@pytest.mark.parametrize("folder", ["archive/billy", "apps/archived/billy", "apps/billy-archived-2024",
                                    "deprecated/billy", "apps/legacy/billy"])
def test_archived_folders_keep_credentials_and_drop_hybrid(tree, folder: str) -> None:
    root = tree({f"{folder}/package.json": "{}", f"{folder}/.env": HYBRID_WITH_TOKEN})
    codes = {f.code for f in lint(root)}
    assert "CRD004" in codes
    assert not codes & {"HYB001"}


def test_the_same_app_outside_an_archive_is_hybrid(tree) -> None:
    root = tree({"apps/billy/package.json": "{}", "apps/billy/.env": HYBRID_WITH_TOKEN})
    assert {"CRD004", "HYB001"} <= {f.code for f in lint(root)}


def test_a_name_that_only_contains_the_word_is_not_archived(tree) -> None:
    root = tree({"apps/legacyportal/package.json": "{}", "apps/legacyportal/.env": HYBRID_WITH_TOKEN})
    assert "HYB001" in {f.code for f in lint(root)}


def test_config_adds_and_reenables_globs(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        ".tekup-envlint.toml": '[per-path-ignores]\n"apps/old-*" = ["CRD004"]\n"*/legacy" = []\n"legacy" = []\n',
        "apps/old-billy/package.json": "{}", "apps/old-billy/.env": HYBRID_WITH_TOKEN,
        "apps/legacy/billy/package.json": "{}", "apps/legacy/billy/.env": HYBRID_WITH_TOKEN,
    })
    found = {(f.path.split("/")[1], f.code) for f in lint(tmp_path, load(tmp_path))}
    assert ("old-billy", "CRD004") not in found and ("old-billy", "HYB001") in found
    assert ("legacy", "HYB001") in found and ("legacy", "CRD004") in found


@pytest.mark.parametrize("content, needle", [
    ('[per-path-ignores]\n"x" = ["NOPE9"]\n', "per-path-ignores.x"),
    ('[per-path-ignores]\n"x" = "CRD"\n', "per-path-ignores.x"),
])
def test_bad_per_path_ignores_name_the_key(tmp_path: Path, content: str, needle: str) -> None:
    write_tree(tmp_path, {".tekup-envlint.toml": content})
    with pytest.raises(ConfigError, match=needle):
        load(tmp_path)
