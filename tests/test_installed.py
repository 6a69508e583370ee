"""Build a wheel, install it in a fresh virtual environment outside the source tree, and run
the installed command on a copy of the demo workspace, as a user would."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE, ROOT


@pytest.fixture(scope="session")
def installed(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("installed")
    wheels = work / "wheels"
    # an isolated build, as a user's `pip install` would do it (fresh setuptools from PyPI)
    build = [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(wheels)]
    subprocess.run(build, check=True, cwd=work)
    wheel = next(wheels.glob("tekup_envlint-*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], check=True, cwd=work)
    return venv / "bin"


def test_installed_command_checks_the_demo(installed: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "tekup-workspace"
    shutil.copytree(EXAMPLE, workspace)
    result = subprocess.run(
        [str(installed / "tekup-envlint"), "check", str(workspace), "--format", "json"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert {"HYB001", "HYB002"} <= {f["code"] for f in findings}
    assert all(not f["path"].startswith("/") for f in findings)


def test_installed_package_carries_its_catalogue(installed: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(installed / "python"), "-m", "tekup_envlint", "explain", "HYB001"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "hybrid-database" in result.stdout
    where = subprocess.run(
        [str(installed / "python"), "-c", "import tekup_envlint.catalogue as c; print(c.rules_dir())"],
        capture_output=True, text=True, cwd=tmp_path,
    ).stdout
    assert str(ROOT) not in where  # read from the installed package, not the source tree


def test_installed_version_and_help(installed: Path) -> None:
    from tekup_envlint import __version__

    out = subprocess.run([str(installed / "tekup-envlint"), "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and __version__ in out.stdout
    out = subprocess.run([str(installed / "tekup-envlint"), "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "check" in out.stdout and "map" in out.stdout
