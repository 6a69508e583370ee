"""Trust boundaries: a repository under scan is data, never code, and never a place to write.

`check` executes nothing from the repository, reads nothing outside the scanned root,
writes nothing, opens no network connection and never lets PyYAML build objects.
"""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
import yaml

from conftest import ROOT, git_init, write_tree

COMMAND = Path(sys.executable).parent / "tekup-envlint"
needs_command = pytest.mark.skipif(not COMMAND.exists(), reason="the console script is not installed")
needs_posix = pytest.mark.skipif(os.name == "nt", reason="POSIX scripts, symlinks and modes")

LEGACY_LINE = "SUPABASE_URL=https://twaoebtlusudzxshjral.supabase.co\n"
PACKAGE = ROOT / "tekup_envlint"


def run(args, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TEKUP_ENVLINT_DEBUG"}
    return subprocess.run([str(COMMAND), *args], cwd=cwd, env=env, capture_output=True, timeout=120)


def _trap(marker: Path, name: str) -> str:
    return f"#!/bin/sh\necho {name} >> '{marker}'\n"


def _armed_repository(root: Path, marker: Path) -> None:
    """A work tree whose git config and hooks would each run a program that leaves a mark."""
    write_tree(root, {
        "apps/a/package.json": '{"scripts": {"preinstall": "touch owned", "postinstall": "touch owned"}}',
        "apps/a/.env": LEGACY_LINE,
        "apps/a/compose.yaml": '!!python/object/apply:os.system ["touch owned"]\n',
        "apps/a/prisma/schema.prisma": 'generator client {\n  provider = "touch owned"\n}\n',
        ".gitattributes": "* filter=trap diff=trap\n",
    })
    git_init(root)
    traps = root.parent / "traps"
    traps.mkdir()
    for name in ("fsmonitor", "pager", "editor", "ssh", "filter", "diff", "credential", "gpg"):
        script = traps / name
        script.write_text(_trap(marker, name))
        script.chmod(0o755)
    hooks = root / ".git" / "hooks"
    for hook in ("pre-commit", "post-checkout", "post-index-change", "reference-transaction", "fsmonitor-watchman",
                 "pre-auto-gc", "post-rewrite", "push-to-checkout"):
        (hooks / hook).write_text(_trap(marker, f"hook {hook}"))
        (hooks / hook).chmod(0o755)
    config = {
        "core.fsmonitor": traps / "fsmonitor",
        "core.pager": traps / "pager",
        "core.editor": traps / "editor",
        "core.sshCommand": traps / "ssh",
        "filter.trap.clean": traps / "filter",
        "filter.trap.smudge": traps / "filter",
        "filter.trap.process": traps / "filter",
        "diff.trap.command": traps / "diff",
        "diff.external": traps / "diff",
        "credential.helper": traps / "credential",
        "gpg.program": traps / "gpg",
    }
    for key, value in config.items():
        subprocess.run(["git", "-C", str(root), "config", key, str(value)], check=True)


@needs_command
@needs_posix
def test_check_executes_nothing_from_the_repository(tmp_path: Path) -> None:
    root, marker = tmp_path / "repo", tmp_path / "marker"
    _armed_repository(root, marker)
    for args in (["check", str(root)], ["check", str(root), "--format", "json"], ["map", str(root)],
                 ["check", "apps/a/.env"]):  # a pre-commit style run finds the root through git
        done = run(args, cwd=root)
        assert done.returncode in (0, 1) and b"Traceback" not in done.stderr, done.stderr
        assert not marker.exists(), marker.read_text()
        assert not (root / "owned").exists() and not (root / "apps/a/owned").exists()
    # the trap is real: plain git, as a shell prompt would run it, sets it off
    subprocess.run(["git", "-C", str(root), "ls-files", "--others"], capture_output=True, check=False)
    assert marker.exists() and "fsmonitor" in marker.read_text()


def test_git_is_the_only_program_and_always_without_fsmonitor(tmp_path: Path, monkeypatch) -> None:
    from tekup_envlint import cli

    write_tree(tmp_path, {"apps/a/package.json": "{}", "apps/a/.env": LEGACY_LINE})
    git_init(tmp_path)
    calls: List[List[str]] = []
    real_popen = subprocess.Popen

    class Recording(real_popen):  # type: ignore[misc, valid-type]
        def __init__(self, args, *rest, **kwargs):
            calls.append([str(a) for a in args])
            assert not kwargs.get("shell"), args
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", Recording)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", str(tmp_path), "--format", "json"]) == 1
    assert cli.main(["check", "apps/a/.env", "--format", "json"]) == 1
    assert calls, "git was expected to list the work tree"
    for argv in calls:
        assert Path(argv[0]).name == "git", argv
        assert "core.fsmonitor=false" in argv, argv


@needs_command
@needs_posix
def test_symlink_out_of_the_root_is_reported_not_read(tmp_path: Path) -> None:
    root, outside = tmp_path / "repo", tmp_path / "outside"
    outside.mkdir()
    (outside / "real.env").write_text(LEGACY_LINE + "DB_PASSWORD=OutsideSecret1234567\n")
    write_tree(root, {"apps/a/package.json": "{}", "apps/a/.env.example": "A=1\n"})
    os.symlink(outside / "real.env", root / "apps/a/.env")
    os.symlink(outside, root / "apps/a/.env.local")
    os.symlink("../../../outside/real.env", root / "apps/a/.env.test")  # relative, through ..
    for mode in ("walk", "git"):
        if mode == "git":
            git_init(root)
        done = run(["check", str(root), "--format", "json"], cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        findings = json.loads(done.stdout)["findings"]
        for name in (".env", ".env.local", ".env.test"):
            path = f"apps/a/{name}"
            codes = [(f["code"], f["line"]) for f in findings if f["path"] == path]
            assert ("SYN006", 1) in codes, (mode, path, codes)
            # nothing about what the target holds (git's word on a tracked link is fine)
            assert {code for code, _ in codes} <= {"SYN006", "CRD006"}, (mode, path, codes)
            message = next(f["message"] for f in findings if f["path"] == path and f["code"] == "SYN006")
            assert "outside the scanned root" in message
        assert b"OutsideSecret" not in done.stdout and b"twaoebtlusudzxshjral" not in done.stdout


def test_nothing_outside_the_root_is_opened(tmp_path: Path, monkeypatch) -> None:
    """In-process, with every open recorded: the target of a symlink out of the root is never opened."""
    import builtins
    import io

    from tekup_envlint import engine
    from tekup_envlint.config import DEFAULT

    root, outside = tmp_path / "repo", tmp_path / "outside"
    outside.mkdir()
    (outside / "real.env").write_text(LEGACY_LINE)
    (outside / ".dockerignore").write_text(".env\n")
    (outside / "Dockerfile.dockerignore").write_text(".env\n")
    (outside / "initdb").mkdir()
    (outside / "initdb" / "create.sql").write_text("CREATE DATABASE outside_db;\n")
    write_tree(root, {"apps/a/package.json": "{}", "apps/a/.env.example": "A=1\n",
                      # a build context (and a Dockerfile's folder) that leads out of the root:
                      # its .dockerignore is read by the load-set model, never through the link
                      "apps/a/docker-compose.yml": "services:\n  api:\n    build: ./ctx\n    env_file: .env.example\n"
                                                   "  web:\n    build:\n      context: .\n      dockerfile: ctx/Dockerfile\n"
                                                   "    env_file: .env.example\n"
                                                   # init scripts mounted from a folder that leads out of the root
                                                   "  db:\n    image: postgres:16\n    volumes:\n"
                                                   "      - ./ctx/initdb:/docker-entrypoint-initdb.d\n"
                                                   "      - ./ctx/initdb/create.sql:/docker-entrypoint-initdb.d/x.sql\n"})
    os.symlink(outside / "real.env", root / "apps/a/.env")
    os.symlink(outside, root / "apps/a/.env.local")
    os.symlink(outside, root / "apps/a/ctx")
    opened: List[str] = []
    real_os_open, real_open, real_io_open = os.open, builtins.open, io.open

    def spy(real):
        def opener(path, *args, **kwargs):
            name = None
            if isinstance(path, (str, bytes, os.PathLike)):
                name = os.fsdecode(path)
                if kwargs.get("dir_fd") is not None:  # opened one folder at a time from the root
                    name = os.path.join(os.readlink(f"/proc/self/fd/{kwargs['dir_fd']}"), name)
            handle = real(path, *args, **kwargs)  # an open refused (O_NOFOLLOW on a link) opened nothing
            if name is not None:
                opened.append(os.path.realpath(name))
            return handle
        return opener

    monkeypatch.setattr(os, "open", spy(real_os_open))
    monkeypatch.setattr(builtins, "open", spy(real_open))
    monkeypatch.setattr(io, "open", spy(real_io_open))
    result = engine.run(root, DEFAULT)
    assert {(f.path, f.code) for f in result.findings} >= {("apps/a/.env", "SYN006"), ("apps/a/.env.local", "SYN006")}
    assert any(p.endswith("/apps/a/.env.example") for p in opened)  # the spy sees reads
    outside_real = os.path.realpath(outside)
    assert not [p for p in opened if p.startswith(outside_real)]


def _snapshot(root: Path) -> Dict[str, Tuple[int, int, bytes]]:
    """Every entry under root (the .git folder included): mode, mtime and content."""
    found: Dict[str, Tuple[int, int, bytes]] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            st = os.lstat(path)
            if stat.S_ISREG(st.st_mode):
                content = path.read_bytes()
            elif stat.S_ISLNK(st.st_mode):
                content = os.readlink(path).encode()
            else:
                content = b""
            found[str(path.relative_to(root))] = (st.st_mode, st.st_mtime_ns, content)
        found[str(Path(folder).relative_to(root)) + "/"] = (0, os.lstat(folder).st_mtime_ns, b"")
    return found


@needs_command
@pytest.mark.parametrize("git", [False, True], ids=["folder", "git work tree"])
def test_check_writes_nothing(tmp_path: Path, git: bool) -> None:
    root = tmp_path / "repo"
    write_tree(root, {
        "apps/a/package.json": "{}",
        "apps/a/.env": LEGACY_LINE + "DATABASE_URL=postgresql://u:SecretPass123@localhost:5432/db\n",
        "apps/a/.env.example": "DATABASE_URL=\n",
        "apps/a/compose.yaml": "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: x\n",
        "apps/a/prisma/schema.prisma": 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n',
        ".tekup-envlint.toml": 'strategy = "docker"\n',
    })
    if git:
        git_init(root)
    before = _snapshot(root)
    for args in (["check", str(root)], ["check", str(root), "--format", "json"], ["map", str(root)],
                 ["map", str(root), "--format", "json"], ["check", "apps/a/.env"]):
        done = run(args, cwd=root)
        assert done.returncode in (0, 1), done.stderr
    after = _snapshot(root)
    assert sorted(after) == sorted(before)
    changed = [path for path in before if before[path] != after[path]]
    assert changed == []


def test_check_opens_no_network_connection(monkeypatch, capsys) -> None:
    from tekup_envlint import cli

    from conftest import EXAMPLE

    attempts: List[str] = []

    def refuse(name):
        def blocked(*args, **kwargs):
            attempts.append(name)
            raise OSError(f"network access attempted: {name}")
        return blocked

    monkeypatch.setattr(socket, "socket", refuse("socket"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "gethostbyname", refuse("gethostbyname"))
    for argv in (["check", str(EXAMPLE)], ["check", str(EXAMPLE), "--format", "json"],
                 ["map", str(EXAMPLE)], ["map", str(EXAMPLE), "--format", "json"], ["rules"], ["explain", "HYB001"]):
        assert cli.main(argv) in (0, 1)
        out, err = capsys.readouterr()
        assert "internal error" not in err
    assert attempts == []


def test_yaml_is_never_loaded_with_an_unsafe_loader(tmp_path: Path, monkeypatch) -> None:
    """Every loader that can build objects is poisoned, and so is object construction itself."""
    from tekup_envlint import engine
    from tekup_envlint.config import DEFAULT
    from tekup_envlint.parsers import compose

    assert compose._LOADER in (yaml.SafeLoader, getattr(yaml, "CSafeLoader", None))

    def poisoned(*args, **kwargs):
        raise AssertionError("an object-building YAML API was used")

    class Poisoned:
        def __init__(self, *args, **kwargs):
            poisoned()

    for name in ("load", "load_all", "full_load", "full_load_all", "unsafe_load", "unsafe_load_all",
                 "safe_load", "safe_load_all"):
        monkeypatch.setattr(yaml, name, poisoned)
    for name in ("Loader", "FullLoader", "UnsafeLoader", "CLoader", "CFullLoader", "CUnsafeLoader"):
        if hasattr(yaml, name):
            monkeypatch.setattr(yaml, name, Poisoned)
    monkeypatch.setattr(yaml.constructor.BaseConstructor, "construct_document", poisoned)
    monkeypatch.setattr(yaml.constructor.BaseConstructor, "construct_object", poisoned)

    write_tree(tmp_path, {
        "apps/a/package.json": "{}",
        "apps/a/compose.yaml": (
            "x-env: &env\n  SUPABASE_URL: https://twaoebtlusudzxshjral.supabase.co\n"
            "services:\n  api:\n    image: !!python/name:os.system\n    environment:\n      <<: *env\n"
            "  evil: !!python/object/apply:os.system [\"touch owned\"]\n"
        ),
    })
    result = engine.run(tmp_path, DEFAULT)
    assert ("apps/a/compose.yaml", "HYB002", 2) in {(f.path, f.code, f.line) for f in result.findings}
    assert not (tmp_path / "owned").exists() and not Path("owned").exists()


_SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_the_source_never_names_an_unsafe_loader_or_a_way_to_run_code() -> None:
    forbidden = re.compile(
        r"\byaml\.(?:load|load_all|full_load|full_load_all|unsafe_load|unsafe_load_all|Loader|FullLoader"
        r"|UnsafeLoader|CLoader|CFullLoader|CUnsafeLoader|add_constructor|add_multi_constructor)\b"
        r"|\b(?:UnsafeLoader|FullLoader|CUnsafeLoader|CFullLoader)\b"
        r"|(?<![.\w])(?:eval|exec|compile|__import__)\(|\bos\.(?:system|popen|exec\w*|spawn\w*)\b|\bshell\s*=\s*True"
        r"|\bimport (?:pickle|marshal|shelve|socket|urllib\.request|http|requests|ssl|ftplib|smtplib)\b"
        r"|\bfrom (?:socket|urllib\.request|http|requests|ssl)\b[\w.]* import\b"  # urllib.parse is pure
    )
    offences = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _SOURCES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if forbidden.search(line) and not line.lstrip().startswith("#")
    ]
    assert offences == []


def test_only_the_cli_and_discovery_start_programs() -> None:
    starters = {
        str(path.relative_to(PACKAGE)) for path in _SOURCES
        if re.search(r"\bsubprocess\b", path.read_text(encoding="utf-8"))
    }
    # both start git only (recorded in test_git_is_the_only_program_and_always_without_fsmonitor)
    assert starters <= {"cli.py", "discovery.py"}, starters


@needs_command
@needs_posix
def test_a_folder_in_the_middle_that_leads_out_of_the_root_is_not_followed(tmp_path: Path) -> None:
    """git's index names `apps/a/cfg/.env`; `cfg` is then swapped for a symlink to a folder
    outside the root. `O_NOFOLLOW` alone guards only the last part of the path."""
    root, outside = tmp_path / "repo", tmp_path / "outside"
    (outside / "cfg").mkdir(parents=True)
    (outside / "cfg" / ".env").write_text(LEGACY_LINE + "DB_PASSWORD=OutsideMiddle12345678\n")
    write_tree(root, {"apps/a/package.json": "{}", "apps/a/cfg/.env": "A=1\n", "apps/a/inside/.env.local": "B=2\n"})
    git_init(root)
    (root / "apps/a/cfg/.env").unlink()
    (root / "apps/a/cfg").rmdir()
    os.symlink(outside / "cfg", root / "apps/a/cfg")
    os.symlink("inside", root / "apps/a/linked")  # a symlink that stays inside is followed
    done = run(["check", str(root), "--format", "json"], cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert [(f["code"], f["line"]) for f in findings if f["path"] == "apps/a/cfg/.env" and f["code"] != "CRD006"] == [
        ("SYN006", 1)]
    assert b"OutsideMiddle" not in done.stdout and b"twaoebtlusudzxshjral" not in done.stdout
    from tekup_envlint.models import SourceFile
    from tekup_envlint.parsers import read

    linked = read(root.resolve(), SourceFile("apps/a/linked/.env.local", "dotenv", "apps/a", "local", True), 10_000)
    assert [s.key for s in linked.settings] == ["B"] and not linked.problems


@needs_command
@needs_posix
@pytest.mark.parametrize("name", [".tekup-envlint.toml", "pyproject.toml"])
def test_a_configuration_file_that_leads_out_of_the_root_is_not_read(tmp_path: Path, name: str) -> None:
    root, outside = tmp_path / "repo", tmp_path / "outside"
    outside.mkdir()
    body = 'strategy = "OutsideConfigValue7"\n'
    (outside / name).write_text(body if name.startswith(".") else "[tool.tekup-envlint]\n" + body)
    write_tree(root, {"apps/a/package.json": "{}", "apps/a/.env": LEGACY_LINE})
    os.symlink(outside / name, root / name)
    done = run(["check", str(root)], cwd=tmp_path)
    assert done.returncode == 2 and b"Traceback" not in done.stderr
    assert f"{root / name}: is a symlink that leads outside".encode() in done.stderr
    assert b"OutsideConfigValue7" not in done.stdout + done.stderr
    # named on purpose with --config, it is read (and its value refused as usual)
    done = run(["check", str(root), "--config", str(root / name)], cwd=tmp_path)
    assert done.returncode == 2 and b"key `strategy`" in done.stderr
