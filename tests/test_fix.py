"""The fix loop, its CLI (`fix`, `--diff`, `check --fix`) and the safety of its writes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Dict

import pytest

from conftest import app, write_tree
from tekup_envlint import cli, writes
from tekup_envlint.config import DEFAULT
from tekup_envlint.fix import FixRefused, run_fix

GIT = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"]


def repo(root: Path, files: Dict[str, str]) -> Path:
    """A git repository with these files committed."""
    write_tree(root, files)
    subprocess.run(GIT + ["init", "-q", str(root)], check=True)
    subprocess.run(GIT + ["-C", str(root), "add", "-A"], check=True)
    subprocess.run(GIT + ["-C", str(root), "commit", "-qm", "init"], check=True)
    return root


DUPLICATE = "PORT=3000\nNAME=x\nPORT=3000\n"


def test_duplicate_line_is_deleted_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    root = repo(tmp_path, app({".env": DUPLICATE}))
    outcome = run_fix(root, DEFAULT, unsafe=False, write=True)
    assert (root / "apps/a/.env").read_text() == "PORT=3000\nNAME=x\n"
    assert [f.code for f, _ in outcome.applied] == ["DRF003"]
    assert outcome.written == ["apps/a/.env"]
    assert outcome.changes == {"apps/a/.env": (DUPLICATE, "PORT=3000\nNAME=x\n")}
    again = run_fix(root, DEFAULT, unsafe=False, write=True)
    assert again.changes == {} and again.applied == []


def test_diff_writes_nothing_and_converges_in_memory(tmp_path: Path) -> None:
    # three repeats: each pass's fixes overlap nothing, and the overlay sees the result
    text = "A=1\nA=1\nA=1\nB=2\n"
    root = repo(tmp_path, app({".env": text}))
    outcome = run_fix(root, DEFAULT, unsafe=False, write=False)
    assert (root / "apps/a/.env").read_text() == text
    assert outcome.changes == {"apps/a/.env": (text, "A=1\nB=2\n")}
    assert not [f for f in outcome.remaining if f.code == "DRF003"]


def test_different_values_and_interpolated_values_are_not_fixed(tmp_path: Path) -> None:
    text = "A=1\nA=2\nB=${A}\nB=${A}\nC=x # keep me\nC=x # keep me\n"
    root = repo(tmp_path, app({".env": text}))
    outcome = run_fix(root, DEFAULT, unsafe=False, write=True)
    assert outcome.changes == {} and (root / "apps/a/.env").read_text() == text


def test_cli_fix_diff_exit_codes(tmp_path: Path, monkeypatch, capsys) -> None:
    root = repo(tmp_path, app({".env": DUPLICATE}))
    monkeypatch.chdir(root)
    assert cli.main(["fix", "--diff"]) == 1
    out = capsys.readouterr().out
    assert "--- a/apps/a/.env" in out and "-PORT=3000" in out
    assert (root / "apps/a/.env").read_text() == DUPLICATE
    assert cli.main(["fix"]) == 0
    assert cli.main(["fix", "--diff"]) == 0
    assert capsys.readouterr().out.count("---") == 0


def test_check_fix_reports_what_is_left(tmp_path: Path, monkeypatch, capsys) -> None:
    root = repo(tmp_path, app({".env": DUPLICATE}))
    monkeypatch.chdir(root)
    assert cli.main(["check", "--fix", "--show-fixes"]) == 0
    captured = capsys.readouterr()
    assert "DRF003" in captured.err and "All checks passed" in captured.out
    assert (root / "apps/a/.env").read_text() == "PORT=3000\nNAME=x\n"


def test_dirty_file_is_refused_unless_allowed(tmp_path: Path, monkeypatch, capsys) -> None:
    root = repo(tmp_path, app({".env": "X=1\n"}))
    (root / "apps/a/.env").write_text(DUPLICATE)  # an unstaged edit git cannot bring back
    with pytest.raises(FixRefused) as refused:
        run_fix(root, DEFAULT, unsafe=False, write=True)
    assert refused.value.paths == ("apps/a/.env",)
    assert (root / "apps/a/.env").read_text() == DUPLICATE
    monkeypatch.chdir(root)
    assert cli.main(["fix"]) == 2
    assert "--allow-dirty" in capsys.readouterr().err
    assert cli.main(["fix", "--allow-dirty"]) == 0
    assert (root / "apps/a/.env").read_text() == "PORT=3000\nNAME=x\n"


def test_staged_changes_count_as_saved(tmp_path: Path) -> None:
    root = repo(tmp_path, app({".env": "X=1\n"}))
    (root / "apps/a/.env").write_text(DUPLICATE)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)  # what pre-commit sees
    run_fix(root, DEFAULT, unsafe=False, write=True)
    assert (root / "apps/a/.env").read_text() == "PORT=3000\nNAME=x\n"


def test_outside_git_needs_force(tmp_path: Path) -> None:
    root = write_tree(tmp_path, app({".env": DUPLICATE}))
    with pytest.raises(FixRefused):
        run_fix(root, DEFAULT, unsafe=False, write=True)
    assert (root / "apps/a/.env").read_text() == DUPLICATE
    run_fix(root, DEFAULT, unsafe=False, write=True, force=True)
    assert (root / "apps/a/.env").read_text() == "PORT=3000\nNAME=x\n"


def test_pre_commit_file_names_scope_the_run(tmp_path: Path, monkeypatch) -> None:
    files = {**app({".env": DUPLICATE}, "apps/a"), **app({".env": DUPLICATE}, "apps/b")}
    root = repo(tmp_path, files)
    monkeypatch.chdir(root)
    assert cli.main(["fix", "apps/a/.env"]) == 0
    assert (root / "apps/a/.env").read_text() == "PORT=3000\nNAME=x\n"
    assert (root / "apps/b/.env").read_text() == DUPLICATE


def test_write_all_keeps_mode_and_leaves_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "a.env"
    path.write_text("A=1\n")
    path.chmod(0o640)
    done = writes.write_all(tmp_path, {"a.env": ("A=1\n", "A=2\n"), "new.env": (None, "B=1\n")})
    assert sorted(done.written) == ["a.env", "new.env"] and not done.refused
    assert path.read_text() == "A=2\n" and (path.stat().st_mode & 0o777) == 0o640
    assert not [p for p in os.listdir(tmp_path) if p.endswith(writes.TEMP_SUFFIX)]
