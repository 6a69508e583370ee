"""Shared helpers: build small monorepos in a temporary folder and run the engine on them."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from tekup_envlint.config import DEFAULT, Config
from tekup_envlint.models import Finding

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "tekup-workspace"
SHARED = ROOT.parent / "shared"


def write_tree(root: Path, files: Dict[str, str]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8"))
    return root


def git_init(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)


def lint(root: Path, config: Config = DEFAULT, select: Optional[str] = None) -> List[Finding]:
    from tekup_envlint import engine

    if select:
        from dataclasses import replace

        config = replace(config, select=(select,))
    return engine.run(root, config).findings


@pytest.fixture
def tree(tmp_path: Path):
    """`tree({"apps/a/.env": "..."})` writes files and returns the root."""

    def make(files: Dict[str, str]) -> Path:
        return write_tree(tmp_path, files)

    return make
