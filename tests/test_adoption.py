"""Adopting the tool in a messy repository: baseline, init, config, the progress bar and the
small frictions of a first run, through the installed command."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional, Tuple

import pytest

from tekup_envlint import baseline
from tekup_envlint.progress import Bar, wanted

from conftest import app, git_init, write_tree

COMMAND = Path(sys.executable).parent / "tekup-envlint"
pytestmark = pytest.mark.skipif(not COMMAND.exists(), reason="the console script is not installed next to python")
PASSWORD = "Zq8rT2vLk9mW3xYp"


def cli(*args: str, cwd: Optional[Path] = None, env: Optional[Dict[str, str]] = None) -> Tuple[int, str, str]:
    base = {"PATH": "/usr/bin:/bin", "HOME": str(cwd or Path.cwd())}
    base.update(env or {})
    done = subprocess.run([str(COMMAND), *args], cwd=cwd, env=base, capture_output=True, timeout=120)
    return done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")


def messy(root: Path) -> Path:
    write_tree(root, {
        **app({".env.example": f"DATABASE_URL=postgresql://app:{PASSWORD}@db.acme-internal.net:5432/app\n"
                               "SUPABASE_URL=https://twaoebtlusudzxshjral.supabase.co\n"}, "apps/api"),
        **app({".env.example": "PORT=3000\n"}, "apps/web"),
    })
    git_init(root)  # a literal password is a finding in a file git tracks
    return root


# --- baseline -------------------------------------------------------------------------------

def test_baseline_reports_only_new_findings(tmp_path: Path) -> None:
    root = messy(tmp_path / "repo")
    base = tmp_path / "baseline.txt"
    today = json.loads(cli("check", str(root), "--format", "json")[1])["findings"]
    assert {f["code"] for f in today} >= {"CRD001", "HYB002"}
    code, out, err = cli("check", str(root), "--write-baseline", str(base))
    assert code == 0 and out == "" and f"wrote {len(today)} findings" in err
    text = base.read_text()
    assert PASSWORD not in text and "postgresql" not in text
    rows = [line for line in text.splitlines() if not line.startswith("#")]
    assert rows == sorted(rows) and len(rows) == len(today)
    assert {row.split("\t")[0] for row in rows} == {f["fingerprint"] for f in today}
    assert cli("check", str(root), "--baseline", str(base))[0] == 0
    # an edit that moves the old findings does not bring them back; a new finding shows
    env = root / "apps/api/.env.example"
    env.write_text("# moved down\n\n" + env.read_text() + "DIRECT_URL=postgresql://app:Other9Secret4@db.acme-internal.net/app\n")
    code, out, err = cli("check", str(root), "--baseline", str(base), "--format", "json")
    found = json.loads(out)["findings"]
    assert code == 1 and {f["key"] for f in found} == {"DIRECT_URL"} and "CRD001" in {f["code"] for f in found}
    assert f"{len(today)} findings recorded in" in err


def test_a_new_secret_under_an_old_key_is_new(tmp_path: Path) -> None:
    root = messy(tmp_path / "repo")
    base = tmp_path / "baseline.txt"
    cli("check", str(root), "--write-baseline", str(base))
    env = root / "apps/api/.env.example"
    env.write_text(env.read_text().replace(PASSWORD, "AnotherLeaked77Pw"))
    code, out, _ = cli("check", str(root), "--baseline", str(base), "--format", "concise")
    assert code == 1 and "CRD001" in out


def test_the_baseline_hash_is_keyed(tmp_path: Path) -> None:
    root = messy(tmp_path / "repo")
    plain, keyed = tmp_path / "a.txt", tmp_path / "b.txt"
    cli("check", str(root), "--write-baseline", str(plain))
    cli("check", str(root), "--write-baseline", str(keyed), env={"TEKUP_ENVLINT_BASELINE_KEY": "team secret"})
    assert plain.read_text() != keyed.read_text()
    assert cli("check", str(root), "--baseline", str(keyed), env={"TEKUP_ENVLINT_BASELINE_KEY": "team secret"})[0] == 0
    assert cli("check", str(root), "--baseline", str(keyed))[0] == 1  # without the key nothing matches


def test_a_conflicted_or_broken_baseline_is_an_error(tmp_path: Path) -> None:
    root = messy(tmp_path / "repo")
    base = tmp_path / "baseline.txt"
    cli("check", str(root), "--write-baseline", str(base))
    lines = base.read_text().splitlines(keepends=True)
    base.write_text("".join(lines[:-1]) + "<<<<<<< ours\n" + lines[-1] + "=======\n>>>>>>> theirs\n")
    code, _, err = cli("check", str(root), "--baseline", str(base))
    assert code == 2 and "merge conflict" in err and "--write-baseline" in err
    base.write_text("not a fingerprint\n")
    assert cli("check", str(root), "--baseline", str(base))[0] == 2
    assert cli("check", str(root), "--baseline", str(tmp_path / "missing"))[0] == 2


def test_baseline_is_a_multiset(tmp_path: Path) -> None:
    from tekup_envlint.models import Finding

    def finding(fp: str) -> Finding:
        return Finding("DRF003", "drift", "warning", "a/.env", 1, 1, "a", "K", "m", fingerprint=fp)

    path = tmp_path / "baseline.txt"
    baseline.write(path, [finding("0123456789abcdef")])
    fresh, forgiven = baseline.new_findings([finding("0123456789abcdef")] * 2, baseline.load(path))
    assert len(fresh) == 1 and forgiven == 1
    assert baseline.dumps([finding("0123456789abcdef")]).endswith("0123456789abcdef\tDRF003\ta/.env\tK\n")


# --- init and config -----------------------------------------------------------------------

def test_init_then_check_is_the_adoption_path(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {
        **app({".env": "DATABASE_URL=postgresql://postgres.kqzvbnmrtyuwpleoxhgd:${P}@aws-0-eu-west-1.pooler.supabase.com:6543/postgres\n"
                       "SUPABASE_URL=https://kqzvbnmrtyuwpleoxhgd.supabase.co\n"}, "apps/api"),
        **app({".env": "SUPABASE_URL=https://wjxhdpqeoiruvnbcmzta.supabase.co\n"}, "apps/crm"),
        **app({"docker-compose.yml": "services:\n  pg:\n    image: postgres:16\n    environment:\n"
                                     "      POSTGRES_USER: app\n      POSTGRES_DB: appdb\n"}, "infra"),
        **app({"prisma/schema.prisma": 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n'
                                       '  schemas = ["sales", "ops"]\n}\n'}, "packages/db"),
        **app({".env": "SUPABASE_URL=https://plmoknijbuhvygctfxrd.supabase.co\n"}, "archive/legacy-app"),
    })
    code, out, err = cli("init", cwd=root)
    assert code == 0, err
    written = (root / ".tekup-envlint.toml").read_text()
    assert 'ref = "kqzvbnmrtyuwpleoxhgd"' in written.split("[primary]")[1].split("[[legacy]]")[0]
    assert '[[legacy]]' in written and 'ref = "wjxhdpqeoiruvnbcmzta"' in written
    assert "plmoknij" not in written and 'exclude = ["archive"]' in written
    assert 'compose-file = "infra/docker-compose.yml"' in written and 'service = "pg"' in written
    assert 'prisma-schema = "packages/db/prisma/schema.prisma"' in written and 'schemas = ["ops", "sales"]' in written
    assert "Assumed:" in out and "is the primary (the project most settings use" in out
    assert "is legacy, to be retired" in out and "tekup-envlint check" in out
    code, out, _ = cli("check", "--format", "json", cwd=root)
    paths = {f["path"] for f in json.loads(out)["findings"]}
    assert not any(p.startswith("archive/") for p in paths)
    assert any(f["code"] == "HYB002" for f in json.loads(out)["findings"])  # the old project is legacy now
    code, _, err = cli("init", cwd=root)
    assert code == 2 and "--force" in err
    assert cli("init", "--force", cwd=root)[0] == 0


def test_config_says_where_each_value_came_from(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {".tekup-envlint.toml": 'strategy = "docker"\n[docker]\nport = 5433\n'
                                                                 '[app-schemas]\n"*my-api*" = "api"\n'})
    code, out, _ = cli("config", str(root), "--select", "HYB", "--format", "json")
    rows = {r["key"]: (r["value"], r["origin"]) for r in json.loads(out)["settings"]}
    source = f"file {root / '.tekup-envlint.toml'}"
    assert code == 0
    assert rows["strategy"] == ("docker", source)
    assert rows["docker.port"] == (5433, source)
    assert rows["docker.user"] == ("tekup", "embedded profile")
    assert rows['app-schemas."*my-api*"'] == ("api", source)
    assert rows['app-schemas."*billy*"'] == ("billy", "embedded profile")
    assert rows["select"] == (["HYB"], "command line")
    code, out, _ = cli("config", str(root))
    assert code == 0 and any(line.startswith("docker.port = 5433") and line.endswith(source) for line in out.splitlines())


def test_config_shows_the_docker_values_read_from_compose(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {
        ".tekup-envlint.toml": '[docker]\ncompose-file = "infra/db.yml"\n',
        "infra/db.yml": "services:\n  pg:\n    image: postgres:16\n    ports: ['5433:5432']\n"
                        "    environment:\n      POSTGRES_USER: app\n      POSTGRES_DB: appdb\n",
    })
    rows = {r["key"]: (r["value"], r["origin"]) for r in json.loads(cli("config", str(root), "--format", "json")[1])["settings"]}
    assert rows["docker.user"] == ("app", "Compose file infra/db.yml")
    assert rows["docker.port"] == (5433, "Compose file infra/db.yml")
    assert rows["docker.host"] == ("localhost", "embedded profile")


def test_config_without_a_file_is_the_profile(tmp_path: Path) -> None:
    code, out, _ = cli("config", str(tmp_path))
    assert code == 0 and "config file: none (the embedded profile)" in out
    assert all(line.endswith("# embedded profile") for line in out.splitlines()[2:])


# --- friction ------------------------------------------------------------------------------

def test_a_file_that_is_not_configuration_says_so(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {".tekup-envlint.toml": "", "README.md": "# hi\n", **app({".env.example": "A=1\n"})})
    code, out, err = cli("check", "README.md", cwd=root)
    assert code == 0 and "README.md is not a configuration file" in err
    assert "All checks passed" not in out and "Nothing to check" in out
    code, out, err = cli("check", "README.md", "apps/a/.env.example", cwd=root)
    assert code == 0 and "README.md is not a configuration file" in err and "1 file checked" in out


def test_a_folder_is_linted_within_its_repository(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {
        ".tekup-envlint.toml": "",
        **app({".env": "SUPABASE_URL=https://twaoebtlusudzxshjral.supabase.co\n"}, "apps/x"),
        **app({".env": "SUPABASE_URL=https://twaoebtlusudzxshjral.supabase.co\n"}, "apps/y"),
    })
    code, out, _ = cli("check", "apps/x", "--format", "json", cwd=root)
    document = json.loads(out)
    assert document["root"] == str(root.resolve())
    assert {f["path"] for f in document["findings"]} == {"apps/x/.env"}
    git_root = write_tree(tmp_path / "gitrepo", app({".env": "SUPABASE_URL=https://twaoebtlusudzxshjral.supabase.co\n"}, "apps/x"))
    git_init(git_root)
    document = json.loads(cli("check", str(git_root / "apps/x"), "--format", "json", cwd=tmp_path)[1])
    assert document["root"] == str(git_root.resolve()) and document["findings"][0]["path"].startswith("apps/x/")


def test_empty_no_color_does_not_turn_colour_off(tmp_path: Path) -> None:
    import pty

    write_tree(tmp_path, app({".env": "SUPABASE_URL=https://twaoebtlusudzxshjral.supabase.co\n"}))

    def on_terminal(no_color: str) -> bytes:
        master, slave = pty.openpty()
        env = {"PATH": "/usr/bin:/bin", "TERM": "xterm-256color", "NO_COLOR": no_color}
        process = subprocess.Popen([str(COMMAND), "check", str(tmp_path)], env=env, stdout=slave,
                                   stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        os.close(master)
        process.wait(timeout=60)
        return b"".join(chunks)

    assert b"\x1b[" in on_terminal("")
    assert b"\x1b[" not in on_terminal("1")


# --- progress ------------------------------------------------------------------------------

class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_only_after_the_delay_and_erases_itself() -> None:
    now = [0.0]
    stream = FakeTerminal()
    bar = Bar(stream, delay=1.0, clock=lambda: now[0])
    bar(1, 10)
    assert stream.getvalue() == ""  # a quick scan shows nothing
    now[0] = 1.5
    bar(5, 10)
    assert "5/10" in stream.getvalue() and "#" * 15 in stream.getvalue()
    bar.close()
    assert stream.getvalue().endswith("\r")


def test_progress_never_in_ci_pipes_or_machine_formats() -> None:
    assert wanted(FakeTerminal(), {}, machine_format=False)
    assert not wanted(FakeTerminal(), {"CI": "true"}, machine_format=False)
    assert not wanted(FakeTerminal(), {}, machine_format=True)
    assert not wanted(io.StringIO(), {}, machine_format=False)


def test_progress_through_the_command_on_a_terminal(tmp_path: Path) -> None:
    import pty

    write_tree(tmp_path, app({".env.example": "PORT=3000\n"}))

    def stderr_of(extra: Dict[str, str], *args: str) -> bytes:
        master, slave = pty.openpty()
        env = {"PATH": "/usr/bin:/bin", "TEKUP_ENVLINT_PROGRESS_DELAY": "0", **extra}
        process = subprocess.Popen([str(COMMAND), "check", str(tmp_path), *args], env=env,
                                   stdout=subprocess.DEVNULL, stderr=slave, stdin=subprocess.DEVNULL)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        os.close(master)
        process.wait(timeout=60)
        return b"".join(chunks)

    assert b"reading files" in stderr_of({})
    assert b"reading files" not in stderr_of({"CI": "1"})
    assert b"reading files" not in stderr_of({}, "--format", "json")
    assert b"reading files" not in cli("check", str(tmp_path), env={"TEKUP_ENVLINT_PROGRESS_DELAY": "0"})[2].encode()


def test_a_baseline_written_for_the_repository_holds_for_the_files_pre_commit_passes(tmp_path: Path) -> None:
    root = messy(tmp_path / "repo")
    (root / ".tekup-envlint.toml").write_text("")
    assert cli("check", "--write-baseline", ".tekup-envlint-baseline", cwd=root)[0] == 0
    assert cli("check", "apps/api/.env.example", cwd=root)[0] == 1
    assert cli("check", "apps/api/.env.example", "--baseline", ".tekup-envlint-baseline", cwd=root)[0] == 0
