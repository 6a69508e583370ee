"""A real, throw-away PostgreSQL server for the live tests: `initdb` + `pg_ctl` on loopback.

Started once per test session in a fresh folder under the system temp dir on a free port,
as an unprivileged user when the suite runs as root (the server refuses to run as root),
and removed at the end. Passwords are checked over TCP (scram-sha-256), so a wrong
password is a real authentication failure. Nothing here mocks the database.

When no server can be had (no binaries, no psycopg) the live tests skip with the reason on
a developer machine, and FAIL under CI (`CI` set): a CI run must not pass without them.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, Optional

import pytest

USER = "tekup"
PASSWORD = "tekup123"


def _binaries() -> Optional[Path]:
    """The folder holding initdb and pg_ctl: `PG_BINDIR` when set, else on PATH, else
    Debian's newest cluster version."""
    chosen = os.environ.get("PG_BINDIR")
    if chosen:
        return Path(chosen) if (Path(chosen) / "initdb").exists() and (Path(chosen) / "pg_ctl").exists() else None
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unavailable(reason: str) -> None:
    """Skip on a developer machine; fail loudly in CI, where the server must be there."""
    if os.environ.get("CI"):
        pytest.fail(f"live tests need a PostgreSQL server: {reason}", pytrace=False)
    pytest.skip(f"live tests need a PostgreSQL server: {reason}")


@dataclass
class Server:
    port: int
    folder: Path

    def dsn(self, database: str = "postgres", password: str = PASSWORD, **params: str) -> str:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return f"postgresql://{USER}:{password}@127.0.0.1:{self.port}/{database}" + (f"?{query}" if query else "")

    def create_database(self, name: str, sql: str = "") -> str:
        """A fresh database built by `sql` (dropped first if a test made it before); its DSN."""
        import psycopg

        with psycopg.connect(self.dsn(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        if sql.strip():
            with psycopg.connect(self.dsn(name), autocommit=True) as conn:
                conn.execute(sql)
        return self.dsn(name)

    def example_files(self, files: Dict[str, str], sql: str, name: str) -> Dict[str, str]:
        """A live catalogue example made real: its database built by `sql` on this server,
        and `localhost:5432/tekup_db` in its files pointed at it."""
        self.create_database(name, sql)
        return {path: text.replace("localhost:5432/tekup_db", f"localhost:{self.port}/{name}") for path, text in files.items()}


def _run_as(user: Optional[str]) -> dict:
    return {"user": user} if user else {}


def start() -> Iterator[Server]:
    """Start a server, yield it, stop and remove it."""
    try:
        import psycopg  # noqa: F401  (the tests build their databases with it)
    except ImportError:
        unavailable("psycopg is not installed (pip install -e '.[test,live]', or `make test`)")
    bindir = _binaries()
    if bindir is None:
        unavailable("initdb/pg_ctl not found (install Debian's `postgresql` package, or set PG_BINDIR)")
        return
    user = None
    folder = Path(tempfile.mkdtemp(prefix="tekup-envlint-pg-"))
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        import pwd

        for name in ("postgres", "nobody"):
            try:
                entry = pwd.getpwnam(name)
            except KeyError:
                continue
            user = name
            os.chown(folder, entry.pw_uid, entry.pw_gid)
            break
    run = _run_as(user)
    data = folder / "data"
    pwfile = folder / "pw"
    pwfile.write_text(PASSWORD + "\n")
    if user:
        shutil.chown(pwfile, user)
    init = subprocess.run(
        [str(bindir / "initdb"), "-D", str(data), "-U", USER, f"--pwfile={pwfile}", "-E", "UTF8",
         "--locale=C", "--auth-host=scram-sha-256", "--auth-local=trust", "--no-sync"],
        cwd=folder, capture_output=True, text=True, **run,
    )
    if init.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        unavailable(f"initdb failed: {init.stderr.strip()[-400:]}")
    server = None
    for _ in range(5):  # a free port can be taken between asking and binding
        port = _free_port()
        options = f"-p {port} -c listen_addresses=127.0.0.1 -k {folder} -c fsync=off -c full_page_writes=off"
        started = subprocess.run(
            [str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "-t", "30", "start"],
            cwd=folder, capture_output=True, text=True, **run,
        )
        if started.returncode == 0:
            server = Server(port, folder)
            break
        time.sleep(0.2)
    if server is None:
        log = (folder / "log").read_text(errors="replace")[-600:] if (folder / "log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        unavailable(f"pg_ctl could not start the server: {log}")
        return
    try:
        yield server
    finally:
        subprocess.run(
            [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            cwd=folder, capture_output=True, **run,
        )
        shutil.rmtree(folder, ignore_errors=True)
