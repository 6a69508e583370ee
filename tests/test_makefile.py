"""`make` recreates a stale .venv and `make demo` ends cleanly, on a copy of the Makefile with
a stand-in .venv (the real one runs these tests)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)


def sandbox(tmp_path: Path, venv_python: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "pyproject.toml").write_text("")
    bin_dir = tmp_path / ".venv/bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").write_text(f"#!/bin/sh\nexec {venv_python} \"$@\"\n")
    script = bin_dir / "tekup-envlint"
    script.write_text('#!/bin/sh\nif [ "$1" = check ]; then echo "Found 3 findings."; exit 1; fi\necho "the map"\n')
    for path in (bin_dir / "python", script):
        path.chmod(0o755)
    later = os.stat(tmp_path / "pyproject.toml").st_mtime + 10
    os.utime(script, (later, later))  # installed after the last change of pyproject.toml
    return tmp_path


def make(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", *args, f"PYTHON={BASE_PYTHON}"], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_a_matching_venv_is_reused(tmp_path: Path) -> None:
    done = make(sandbox(tmp_path, BASE_PYTHON), "-n", ".venv/bin/tekup-envlint")
    assert "-m venv" not in done.stdout and "up to date" in done.stdout, done.stdout


def test_a_venv_of_another_python_is_recreated(tmp_path: Path) -> None:
    other = tmp_path / "other-python"
    other.write_text("#!/bin/sh\necho /opt/elsewhere 3 8 0\n")
    other.chmod(0o755)
    done = make(sandbox(tmp_path / "repo", str(other)), "-n", ".venv/bin/tekup-envlint")
    assert "-m venv --clear .venv" in done.stdout, done.stdout + done.stderr


def test_demo_ends_cleanly_and_says_what_exit_1_means(tmp_path: Path) -> None:
    done = make(sandbox(tmp_path, BASE_PYTHON), "demo")
    assert done.returncode == 0, done.stderr
    assert "Found 3 findings." in done.stdout and "exited 1, which means findings" in done.stdout and "the map" in done.stdout
    assert "Error" not in done.stdout + done.stderr and "ignored" not in done.stdout + done.stderr
