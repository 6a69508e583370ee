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


def lint(root: Path, config: Config = DEFAULT, select: Optional[str] = None, live: bool = False) -> List[Finding]:
    from tekup_envlint import engine

    if select:
        from dataclasses import replace

        config = replace(config, select=(select,))
    return engine.run(root, config, live=live).findings


@pytest.fixture
def tree(tmp_path: Path):
    """`tree({"apps/a/.env": "..."})` writes files and returns the root."""

    def make(files: Dict[str, str]) -> Path:
        return write_tree(tmp_path, files)

    return make


def jwt(payload: object, signature: str = "c2lnbmF0dXJlLW5vdC1jaGVja2Vk", raw: Optional[bytes] = None) -> str:
    """An unsigned-looking HS256 JWT with the given claims (`raw` replaces the JSON body)."""
    import base64
    import json

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    body = raw if raw is not None else json.dumps(payload).encode()
    return f"{part(json.dumps({'alg': 'HS256', 'typ': 'JWT'}).encode())}.{part(body)}.{signature}"


def at(findings: List[Finding], code: str) -> List[tuple]:
    """(path, line, column, key) of the findings of one rule."""
    return [(f.path, f.line, f.column, f.key) for f in findings if f.code == code]


def app(files: Dict[str, str], name: str = "apps/a") -> Dict[str, str]:
    """The files of one app folder, with the manifest that makes it an app."""
    out = {f"{name}/package.json": "{}"}
    out.update({f"{name}/{path}": text for path, text in files.items()})
    return out


@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL server for the whole session (tests/pgserver.py): skipped without
    one on a developer machine, a failure in CI."""
    from pgserver import start

    yield from start()
