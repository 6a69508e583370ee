"""`fix` end to end on the real configuration skeletons in ../shared/monorepos.

Each skeleton is copied, made a git repository (as its README says) and fixed with both
strategies, unsafe fixes included, through `cli.main`. Nothing may break: the command ends
with 0 or 1; every Compose file that loaded before still loads with the same services;
every env file still parses with python-dotenv, with no new unreadable line and the same
keys except those a fix that was applied names (removed by design); `check` with the same
strategy reports none of the findings the fixes claimed; and a second run would change
nothing.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Dict, Optional, Set, Tuple

import pytest

from conftest import SHARED
from tekup_envlint import cli
from tekup_envlint.discovery import file_kind

MONOREPOS = SHARED / "monorepos"
REPOS = sorted(p.name for p in MONOREPOS.iterdir() if p.is_dir()) if MONOREPOS.is_dir() else []
pytestmark = pytest.mark.skipif(not REPOS, reason=f"the shared monorepo skeletons are not at {MONOREPOS}")
APPLIED: Dict[Tuple[str, str], int] = {}  # fixes applied per repository and strategy
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "core.autocrlf=false", "-c", "commit.gpgsign=false"]


def _skeleton(name: str, into: Path) -> Path:
    shutil.copytree(MONOREPOS / name, into, symlinks=True)
    for path in [into, *into.rglob("*")]:  # the shared copy is read-only; a checkout is not
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
    subprocess.run(GIT + ["init", "-q", str(into)], check=True)
    subprocess.run(GIT + ["-C", str(into), "add", "-A", "--force"], check=True)
    subprocess.run(GIT + ["-C", str(into), "commit", "-qm", "skeleton"], check=True)
    return into


def _files(root: Path) -> Dict[str, Tuple[str, bytes]]:
    """Every dotenv and Compose file of the tree: path -> (kind, bytes)."""
    found = {}
    for path in root.rglob("*"):
        if ".git" in path.parts or not path.is_file() or path.is_symlink():
            continue
        kind = file_kind(path.name, path.parent.name)
        if kind in ("dotenv", "compose"):
            found[path.relative_to(root).as_posix()] = (kind, path.read_bytes())
    return found


def _services(data: bytes) -> Optional[Set[str]]:
    import yaml

    try:
        document = yaml.safe_load(data)
    except yaml.YAMLError:
        return None
    services = document.get("services") if isinstance(document, dict) else None
    return set(services) if isinstance(services, dict) else set()


def _dotenv(data: bytes) -> Optional[Tuple[Set[str], int]]:
    """(keys, unreadable lines) as python-dotenv reads them; None for a file not UTF-8."""
    from dotenv.parser import parse_stream

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    bindings = list(parse_stream(io.StringIO(text)))
    return {b.key for b in bindings if b.key is not None}, sum(1 for b in bindings if b.error)


@pytest.mark.parametrize("name", REPOS)
def test_fix_both_strategies_breaks_nothing(name: str, tmp_path: Path, capsys) -> None:
    for strategy in ("supabase", "docker"):
        root = _skeleton(name, tmp_path / strategy)
        before = _files(root)
        report = tmp_path / f"{strategy}.json"
        code = cli.main(["fix", str(root), "--strategy", strategy, "--unsafe-fixes", "--format", "json",
                         "-o", str(report)])
        err = capsys.readouterr().err
        assert code in (0, 1), f"{name} --strategy {strategy}: exit {code}: {err}"
        outcome = json.loads(report.read_text())
        APPLIED[name, strategy] = len(outcome["applied"])
        assert not [r for r in outcome["rejected"] if "read-only" in r["reason"]]
        named = " ".join([a["title"] for a in outcome["applied"]] + [n for a in outcome["applied"] for n in a["notes"]]
                         + [a["key"] or "" for a in outcome["applied"]])
        by_design = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", named))
        after = _files(root)
        for path, (kind, data) in before.items():
            assert path in after, f"{name} ({strategy}): {path} was removed"
            new = after[path][1]
            if new == data:
                continue
            if kind == "compose":
                services = _services(data)
                if services is not None:
                    assert _services(new) == services, f"{name} ({strategy}): {path} lost its services or YAML"
            else:
                old_read, new_read = _dotenv(data), _dotenv(new)
                assert old_read is not None and new_read is not None, f"{name}: {path} edited though not UTF-8"
                assert new_read[1] <= old_read[1], f"{name} ({strategy}): {path} gained unreadable lines"
                lost = old_read[0] - new_read[0] - by_design
                assert not lost, f"{name} ({strategy}): {path} lost {sorted(lost)}, which no applied fix names"
        for path, (kind, data) in after.items():
            if path not in before and kind == "dotenv":
                assert _dotenv(data) is not None and _dotenv(data)[1] == 0, f"{name}: created {path} does not parse"
        # check (with the same strategy) reports none of the findings the fixes claimed
        from dataclasses import replace

        from tekup_envlint import engine
        from tekup_envlint.config import DEFAULT

        left = {(f.code, f.path, f.key) for f in engine.run(root, replace(DEFAULT, strategy=strategy)).findings}
        claimed = {(a["code"], a["path"], a["key"]) for a in outcome["applied"]}
        assert not claimed & left, f"{name} ({strategy}): fixed, yet still reported: {sorted(claimed & left)}"
        # a second run changes nothing
        again = cli.main(["fix", str(root), "--strategy", strategy, "--unsafe-fixes", "--diff", "--allow-dirty"])
        out = capsys.readouterr().out
        assert again == 0, f"{name} ({strategy}): a second run would still change:\n{out[:2000]}"


def test_the_fixes_really_ran() -> None:
    """Not vacuous: with the strategy fixes in the tree, some skeletons are really changed."""
    if not APPLIED:
        pytest.skip("the end-to-end test above did not run")
    assert sum(APPLIED.values()) > 0, APPLIED
