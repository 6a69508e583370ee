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


def test_a_pass_parses_again_only_the_files_the_last_pass_changed(tmp_path: Path, monkeypatch) -> None:
    # the same run as above, with a second app the fixes never touch: its file is read
    # once, the changed file once per text it has, and the outcome is the same
    from tekup_envlint import engine

    text = "A=1\nA=1\nA=1\nB=2\n"
    files = app({".env": text})
    files.update(app({".env": "C=3\n"}, name="apps/b"))
    root = repo(tmp_path, files)
    reads = []
    real = engine.read

    def counting(root_, source, *args):
        reads.append(source.path)
        return real(root_, source, *args)

    monkeypatch.setattr(engine, "read", counting)
    outcome = run_fix(root, DEFAULT, unsafe=False, write=False)
    assert outcome.changes == {"apps/a/.env": (text, "A=1\nB=2\n")}
    assert reads.count("apps/b/.env") == 1
    assert reads.count("apps/a/.env") == 2  # the disk's text, then the fixed text (a second pass)


def test_a_pass_lets_go_of_the_checks_of_earlier_passes(tmp_path: Path, monkeypatch) -> None:
    # each pass checks the whole workspace again; holding an earlier pass's workspace and
    # findings meanwhile only raised the peak memory of a large run (`fix --diff` at 100k)
    import gc
    import weakref

    from tekup_envlint import engine

    text = "A=1\nA=1\nA=1\nB=2\n"
    root = repo(tmp_path, app({".env": text}))
    checks: list = []
    held: list = []
    real = engine.run

    def run(*args, **kwargs):
        gc.collect()
        held.append(sum(1 for ref in checks if ref() is not None))
        result = real(*args, **kwargs)
        checks.append(weakref.ref(result))
        return result

    monkeypatch.setattr(engine, "run", run)
    outcome = run_fix(root, DEFAULT, unsafe=False, write=False)
    assert outcome.changes == {"apps/a/.env": (text, "A=1\nB=2\n")}
    assert len(held) >= 2 and held == [0] * len(held)
    assert outcome.result is checks[-1]()  # the last check stays, for the plan and the report


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


# --------------------------------------------------------------------------- bytes kept


@pytest.mark.parametrize("before, after", [
    ("\ufeffPORT=3000\r\nNAME=x\r\nPORT=3000\r\n# end\r\n", "\ufeffPORT=3000\r\nNAME=x\r\n# end\r\n"),  # BOM, CRLF
    ('A="x y"\nexport A="x y"\nB=1', 'A="x y"\nB=1'),  # quoted, export
    ("A='x'\nB=1\nA=x", "A='x'\nB=1"),  # the last line, no final newline: the break before it goes
    ("A=1\rA=1\rB=2\r", "A=1\rB=2\r"),  # old Mac line ends
    ("  export  A=1  \nA=1\t\n", "  export  A=1  \n"),
])
def test_bytes_outside_the_deleted_line_are_kept(tmp_path: Path, before: str, after: str) -> None:
    root = repo(tmp_path, app({}))
    (root / "apps/a/.env").write_bytes(before.encode("utf-8"))
    subprocess.run(GIT + ["-C", str(root), "add", "-A"], check=True)
    run_fix(root, DEFAULT, unsafe=False, write=True)
    assert (root / "apps/a/.env").read_bytes() == after.encode("utf-8")


def test_a_recovered_file_is_never_edited(tmp_path: Path) -> None:
    root = repo(tmp_path, app({}))
    data = DUPLICATE.encode() + "X=1\r\n".encode("utf-16-le")  # SYN003: mixed encodings
    (root / "apps/a/.env").write_bytes(data)
    subprocess.run(GIT + ["-C", str(root), "add", "-A"], check=True)
    outcome = run_fix(root, DEFAULT, unsafe=False, write=True)
    assert (root / "apps/a/.env").read_bytes() == data
    assert outcome.changes == {} and outcome.applied == []


# --------------------------------------------------------------------------- what may be written


def test_a_read_only_file_is_reported_not_written(tmp_path: Path) -> None:
    root = repo(tmp_path, {**app({".env": DUPLICATE}, "apps/a"), **app({".env": DUPLICATE}, "apps/b")})
    (root / "apps/a/.env").chmod(0o444)
    outcome = run_fix(root, DEFAULT, unsafe=False, write=True)
    assert (root / "apps/a/.env").read_text() == DUPLICATE
    assert (root / "apps/b/.env").read_text() == "PORT=3000\nNAME=x\n"
    assert [(f.path, "read-only" in why) for f, why in outcome.rejected] == [("apps/a/.env", True)]


def test_a_symlink_inside_the_root_stays_a_symlink(tmp_path: Path) -> None:
    root = repo(tmp_path, {**app({}), "config/shared.env": DUPLICATE})
    (root / "apps/a/.env").symlink_to("../../config/shared.env")
    subprocess.run(GIT + ["-C", str(root), "add", "-A"], check=True)
    subprocess.run(GIT + ["-C", str(root), "commit", "-qm", "link"], check=True)
    run_fix(root, DEFAULT, unsafe=False, write=True)
    assert (root / "apps/a/.env").is_symlink()
    assert (root / "config/shared.env").read_text() == "PORT=3000\nNAME=x\n"


def test_never_written_through_a_symlink_out_of_the_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.env").write_text(DUPLICATE)
    root = repo(tmp_path / "repo", app({}))
    (root / "apps/a/.env").symlink_to(outside / "x.env")
    (root / "apps/b").symlink_to(outside, target_is_directory=True)
    run_fix(root, DEFAULT, unsafe=False, write=True, allow_dirty=True)
    assert (outside / "x.env").read_text() == DUPLICATE
    for path in ("apps/a/.env", "apps/b/x.env", "../outside/x.env", str(outside / "x.env")):
        assert writes.refusal(root, path) is not None
        done = writes.write_all(root, {path: (DUPLICATE, "")})
        assert path in done.refused and not done.written
    assert (outside / "x.env").read_text() == DUPLICATE


def test_a_hard_link_is_replaced_not_written_in_place(tmp_path: Path) -> None:
    root = repo(tmp_path, app({".env": DUPLICATE}))
    other = tmp_path / "apps/a/other-name"
    os.link(root / "apps/a/.env", other)
    inode = other.stat().st_ino
    run_fix(root, DEFAULT, unsafe=False, write=True, allow_dirty=True)
    assert (root / "apps/a/.env").read_text() == "PORT=3000\nNAME=x\n"
    assert other.read_text() == DUPLICATE and other.stat().st_ino == inode
    assert (root / "apps/a/.env").stat().st_ino != inode


def test_file_mode_is_kept(tmp_path: Path) -> None:
    root = repo(tmp_path, app({".env": DUPLICATE}))
    (root / "apps/a/.env").chmod(0o600)
    run_fix(root, DEFAULT, unsafe=False, write=True)
    assert (root / "apps/a/.env").stat().st_mode & 0o777 == 0o600


def test_a_file_changed_since_it_was_read_is_not_written(tmp_path: Path) -> None:
    (tmp_path / "a.env").write_text("A=1\n")
    (tmp_path / "b.env").write_text("B=1\n")
    done = writes.write_all(tmp_path, {"a.env": ("A=0\n", "A=2\n"), "b.env": ("B=1\n", "B=2\n")})
    assert list(done.refused) == ["a.env"] and not done.written  # all or nothing
    assert (tmp_path / "b.env").read_text() == "B=1\n"


# --------------------------------------------------------------------------- interrupted writes


def _two_apps(tmp_path: Path) -> Path:
    return repo(tmp_path, {**app({".env": DUPLICATE}, "apps/a"), **app({".env": DUPLICATE}, "apps/b"),
                           **app({".env": DUPLICATE}, "apps/c")})


def _temps(root: Path):
    return [p for p in root.rglob("*") if p.name.endswith(writes.TEMP_SUFFIX)]


@pytest.mark.parametrize("fail_at", [1, 2, 3])
def test_a_rename_failing_part_way_leaves_each_file_old_or_new(tmp_path: Path, monkeypatch, fail_at: int) -> None:
    root = _two_apps(tmp_path)
    real_replace = os.replace
    calls = []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == fail_at:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(writes.os, "replace", replace)
    with pytest.raises(writes.WriteFailed) as failed:
        run_fix(root, DEFAULT, unsafe=False, write=True)
    texts = [(root / f"apps/{a}/.env").read_text() for a in "abc"]
    assert all(t in (DUPLICATE, "PORT=3000\nNAME=x\n") for t in texts)
    assert sum(t != DUPLICATE for t in texts) == fail_at - 1 == len(failed.value.written)
    assert not _temps(root)


def test_a_kill_while_staging_writes_nothing(tmp_path: Path, monkeypatch) -> None:
    root = _two_apps(tmp_path)
    real_stage = writes._stage
    calls = []

    def stage(real, data):
        calls.append(real)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_stage(real, data)

    monkeypatch.setattr(writes, "_stage", stage)
    with pytest.raises(KeyboardInterrupt):
        run_fix(root, DEFAULT, unsafe=False, write=True)
    assert all((root / f"apps/{a}/.env").read_text() == DUPLICATE for a in "abc")
    assert not _temps(root)


def test_a_failed_write_is_exit_2_naming_the_files(tmp_path: Path, monkeypatch, capsys) -> None:
    root = _two_apps(tmp_path)

    def replace(src, dst):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(writes.os, "replace", replace)
    monkeypatch.chdir(root)
    assert cli.main(["fix"]) == 2
    assert "untouched" in capsys.readouterr().err
    assert not _temps(root)


# --------------------------------------------------------------------------- rejected fixes


def _broken_fix(monkeypatch, replacement: str) -> None:
    """Make DRF003's fix replace the repeat with `replacement` (a fix that breaks the file)."""
    from tekup_envlint.checks import drift
    from tekup_envlint.models import Edit, Fix

    real = drift._drop_repeat

    def broken(parsed, setting, first_line):
        fix = real(parsed, setting, first_line)
        edit = fix.edits[0]
        return Fix("break it", (Edit(edit.path, edit.start, edit.end, replacement),))

    monkeypatch.setattr(drift, "_drop_repeat", broken)


def test_a_fix_that_adds_a_parser_problem_is_rejected(tmp_path: Path, monkeypatch) -> None:
    root = repo(tmp_path, app({".env": DUPLICATE}))
    _broken_fix(monkeypatch, '\nBROKEN="never closed\n')
    outcome = run_fix(root, DEFAULT, unsafe=False, write=True)
    assert (root / "apps/a/.env").read_text() == DUPLICATE
    assert outcome.applied == [] and len(outcome.rejected) == 1
    assert "SYN002" in outcome.rejected[0][1]


def test_fixes_that_never_settle_stop_at_the_cap(tmp_path: Path, monkeypatch) -> None:
    root = repo(tmp_path, app({".env": DUPLICATE}))
    _broken_fix(monkeypatch, "\nPORT=3000\nPORT=3000\n")  # each fix makes another repeat
    outcome = run_fix(root, DEFAULT, unsafe=False, write=False)
    assert not outcome.converged
    assert (root / "apps/a/.env").read_text() == DUPLICATE


# --------------------------------------------------------------------------- secrets


SECRET = "s3cr3t-Passw0rd-that-is-long"


def test_diff_and_json_never_show_a_secret(tmp_path: Path, monkeypatch, capsys) -> None:
    text = f"DB_PASSWORD={SECRET}\nPORT=1\nDB_PASSWORD={SECRET}\n"
    root = repo(tmp_path, app({".env": text}))
    monkeypatch.chdir(root)
    assert cli.main(["fix", "--diff"]) == 1
    captured = capsys.readouterr()
    assert "-DB_PASSWORD=" in captured.out
    assert SECRET not in captured.out + captured.err
    assert cli.main(["fix", "--diff", "--format", "json"]) == 1
    assert SECRET not in capsys.readouterr().out
    assert cli.main(["fix", "--format", "json"]) == 1  # the password is still a finding
    out = capsys.readouterr().out
    assert SECRET not in out and '"DRF003"' in out


# --------------------------------------------------------------------------- files a fix creates


def _creating_fix(monkeypatch) -> None:
    """Make DRF003's fix also create `.env.local` (with a repeat of its own) and ignore it."""
    from tekup_envlint.checks import drift
    from tekup_envlint.models import Edit, Fix

    real = drift._drop_repeat

    def creating(parsed, setting, first_line):
        fix = real(parsed, setting, first_line)
        if not parsed.source.path.endswith("/.env"):
            return fix
        folder = parsed.source.path.rsplit("/", 1)[0]
        return Fix(fix.title, fix.edits + (Edit(f"{folder}/.env.local", 0, 0, "LOCAL=1\nLOCAL=1\n"),
                                           Edit(".gitignore", 0, 0, ".env.local\n")),
                   "unsafe", (f"LOCAL kept in {folder}/.env.local",))

    monkeypatch.setattr(drift, "_drop_repeat", creating)


def test_created_files_join_the_next_pass_in_memory_and_on_disk(tmp_path: Path, monkeypatch) -> None:
    root = repo(tmp_path, app({".env": DUPLICATE}))
    _creating_fix(monkeypatch)
    assert run_fix(root, DEFAULT, unsafe=False, write=False).changes == {}  # unsafe: not without asking
    outcome = run_fix(root, DEFAULT, unsafe=True, write=False)
    assert outcome.changes["apps/a/.env.local"] == (None, "LOCAL=1\n")  # its repeat fixed in memory
    assert outcome.changes[".gitignore"] == (None, ".env.local\n")
    created = next(f for f in outcome.result.workspace.files if f.source.path == "apps/a/.env.local")
    assert created.source.ignored  # the .gitignore line the run adds covers it
    assert not (root / "apps/a/.env.local").exists()
    written = run_fix(root, DEFAULT, unsafe=True, write=True)
    assert written.changes == outcome.changes
    assert (root / "apps/a/.env.local").read_text() == "LOCAL=1\n"
    assert run_fix(root, DEFAULT, unsafe=True, write=True, allow_dirty=True).changes == {}


def test_plan_out_lists_the_notes(tmp_path: Path, monkeypatch) -> None:
    root = repo(tmp_path, app({".env": DUPLICATE}))
    _creating_fix(monkeypatch)
    monkeypatch.chdir(root)
    cli.main(["fix", "--unsafe-fixes", "--diff", "--plan-out", str(tmp_path / "plan.md")])
    assert "LOCAL kept in apps/a/.env.local" in (tmp_path / "plan.md").read_text()


# --------------------------------------------------------------------------- properties

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_LINES = st.sampled_from(["A=1", "A=1", "export A=1", 'A="1"', "B='x y'", "B='x y'", "# c", "",
                          "C=${A}", "C=${A}", "A=2", "D=1 # note", "D=1"])


@st.composite
def env_files(draw) -> str:
    lines = draw(st.lists(_LINES, min_size=1, max_size=8))
    breaks = draw(st.lists(st.sampled_from(["\n", "\r\n"]), min_size=len(lines), max_size=len(lines)))
    text = "".join(line + end for line, end in zip(lines, breaks))
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    return ("\ufeff" if draw(st.booleans()) else "") + text


def _split(text: str):
    from tekup_envlint.report.fix import _lines

    return [(line.rstrip("\r\n"), line[len(line.rstrip("\r\n")):]) for line in _lines(text)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=env_files())
def test_fixing_deletes_whole_repeats_only_keeps_values_and_is_idempotent(text: str) -> None:
    import io
    import tempfile

    from dotenv import dotenv_values

    with tempfile.TemporaryDirectory() as folder:
        root = write_tree(Path(folder), app({".env": text}))
        outcome = run_fix(root, DEFAULT, unsafe=False, write=False)
        new = outcome.changes.get("apps/a/.env", (text, text))[1]
        # the values every reader gets are the same
        assert dotenv_values(stream=io.StringIO(new), interpolate=False) == \
            dotenv_values(stream=io.StringIO(text), interpolate=False)
        # the BOM stays, and the new text is the old one with whole lines taken out
        assert new.startswith("\ufeff") == text.startswith("\ufeff")
        old_lines, new_lines = _split(text), _split(new)
        i = 0
        for n, (content, end) in enumerate(new_lines):
            while old_lines[i][0] != content:
                assert "=" in old_lines[i][0] and "#" not in old_lines[i][0]  # only assignments go
                i += 1
            last = n == len(new_lines) - 1
            assert end == old_lines[i][1] or (last and end == old_lines[-1][1])
            i += 1
        # fixing the result changes nothing
        (root / "apps/a/.env").write_bytes(new.encode("utf-8"))
        assert run_fix(root, DEFAULT, unsafe=False, write=False).changes == {}


# --------------------------------------------------------------------------- what git can restore


def test_an_untracked_file_is_unsaved_an_ignored_one_is_not(tmp_path: Path) -> None:
    root = repo(tmp_path, {**app({}, "apps/a"), **app({}, "apps/b"), ".gitignore": "apps/b/.env\n"})
    (root / "apps/a/.env").write_text(DUPLICATE)  # git does not know it: nothing could restore it
    (root / "apps/b/.env").write_text(DUPLICATE)  # ignored: never git's to restore
    with pytest.raises(FixRefused) as refused:
        run_fix(root, DEFAULT, unsafe=False, write=True)
    assert refused.value.paths == ("apps/a/.env",)
    run_fix(root, DEFAULT, unsafe=False, write=True, only=["apps/b/.env"], scope=["apps/b"])
    assert (root / "apps/b/.env").read_text() == "PORT=3000\nNAME=x\n"


def test_the_dirty_check_runs_no_filter_of_the_repository(tmp_path: Path) -> None:
    root = repo(tmp_path, {**app({".env": DUPLICATE}), ".gitattributes": "* filter=trap\n"})
    marker = tmp_path.parent / f"{tmp_path.name}-filter-ran"
    subprocess.run(["git", "-C", str(root), "config", "filter.trap.clean", f"touch {marker}; cat"], check=True)
    os.utime(root / "apps/a/.env", (1, 1))  # stat data no longer matches the index
    run_fix(root, DEFAULT, unsafe=False, write=True)
    assert not marker.exists()
    assert (root / "apps/a/.env").read_text() == "PORT=3000\nNAME=x\n"


def test_a_fix_whose_edits_miss_the_text_is_rejected(tmp_path: Path, monkeypatch) -> None:
    from tekup_envlint.checks import drift
    from tekup_envlint.models import Edit, Fix

    monkeypatch.setattr(drift, "_drop_repeat", lambda parsed, setting, first_line: Fix(
        "out of range", (Edit(parsed.source.path, 10_000, 10_001, ""),)))
    root = repo(tmp_path, app({".env": DUPLICATE}))
    outcome = run_fix(root, DEFAULT, unsafe=False, write=True)
    assert outcome.changes == {} and "outside" in outcome.rejected[0][1]


def test_a_file_reached_through_two_paths_is_edited_through_one(tmp_path: Path) -> None:
    root = repo(tmp_path, {**app({}), "config/shared.env": DUPLICATE})
    (root / "apps/a/.env").symlink_to("../../config/shared.env")
    subprocess.run(GIT + ["-C", str(root), "add", "-A"], check=True)
    subprocess.run(GIT + ["-C", str(root), "commit", "-qm", "link"], check=True)
    outcome = run_fix(root, DEFAULT, unsafe=False, write=True)
    assert len(outcome.changes) == 1 and (root / "config/shared.env").read_text() == "PORT=3000\nNAME=x\n"
    assert (root / "apps/a/.env").is_symlink()


# --------------------------------------------------------------------------- Compose files


NEW_URL = "postgresql://app@db.internal:5432/app"


def _compose_fix(monkeypatch, replacement=None) -> None:
    """Stand DRF003 in for a test rule whose fix points each Compose DATABASE_URL at NEW_URL
    (keeping the value's quotes), or writes `replacement` over it."""
    from tekup_envlint.checks import REGISTRY, load
    from tekup_envlint.models import Edit, Fix, Hit

    load()

    def check(ws):
        for parsed in ws.files:
            for service in parsed.services:
                for s in service.environment:
                    if s.key != "DATABASE_URL" or s.value == NEW_URL or s.value_span is None:
                        continue
                    quote = s.quote if s.quote in ("'", '"') else ""
                    new = replacement if replacement is not None else f"{quote}{NEW_URL}{quote}"
                    yield Hit(parsed.source.path, s.value_span, parsed.source.app, s.key, "test",
                              fix=Fix("point DATABASE_URL at the new database",
                                      (Edit(parsed.source.path, s.value_span.start, s.value_span.end, new),)))

    monkeypatch.setitem(REGISTRY, "DRF003", check)


COMPOSE = """\
# the stack
x-db-env: &db-env
  DATABASE_URL: "postgresql://old@localhost:5432/app"   # anchored
services:
  api:
    image: node:20
    environment: *db-env
  worker:
    image: node:20
    environment:
      <<: *db-env
      QUEUE: jobs
  web:
    image: node:20
    environment:
      - PORT=3000
      - DATABASE_URL=postgresql://old@localhost:5432/app
  cron:
    environment:
      DATABASE_URL: 'postgresql://old@localhost:5432/app'
"""


def test_compose_values_in_map_list_and_anchor_form_are_rewritten_in_place(tmp_path: Path, monkeypatch) -> None:
    import yaml

    _compose_fix(monkeypatch)
    root = repo(tmp_path, {"docker-compose.yml": COMPOSE.replace("\n", "\r\n")})
    run_fix(root, DEFAULT, unsafe=False, write=True)
    new = (root / "docker-compose.yml").read_bytes().decode()
    expected = (COMPOSE.replace('"postgresql://old@localhost:5432/app"', f'"{NEW_URL}"')
                .replace("=postgresql://old@localhost:5432/app", f"={NEW_URL}")
                .replace("'postgresql://old@localhost:5432/app'", f"'{NEW_URL}'").replace("\n", "\r\n"))
    assert new == expected
    services = yaml.safe_load(new)["services"]
    assert set(services) == {"api", "worker", "web", "cron"}
    assert services["api"]["environment"]["DATABASE_URL"] == NEW_URL  # through the anchor
    assert services["worker"]["environment"]["DATABASE_URL"] == NEW_URL
    assert run_fix(root, DEFAULT, unsafe=False, write=True).changes == {}


def test_a_fix_that_breaks_the_yaml_is_rejected(tmp_path: Path, monkeypatch) -> None:
    _compose_fix(monkeypatch, replacement="[unclosed")
    root = repo(tmp_path, {"docker-compose.yml": COMPOSE})
    outcome = run_fix(root, DEFAULT, unsafe=False, write=True)
    # in a list entry the text is a plain scalar still (`DATABASE_URL=[unclosed`): taken;
    # as a mapping value it is broken YAML: rejected, and the YAML still loads
    assert (root / "docker-compose.yml").read_text() == COMPOSE.replace(
        "=postgresql://old@localhost:5432/app", "=[unclosed")
    assert len(outcome.rejected) == 2 and all("parser problems" in why for _, why in outcome.rejected)
    import yaml

    assert set(yaml.safe_load((root / "docker-compose.yml").read_text())["services"]) == {"api", "worker", "web", "cron"}


def test_fix_json_validates_against_its_schema(tmp_path: Path, monkeypatch, capsys) -> None:
    import json

    import jsonschema

    from conftest import ROOT

    schema = json.loads((ROOT / "docs/schema/fix.schema.json").read_text())
    root = repo(tmp_path, app({".env": DUPLICATE, ".env.production": "A=1\nA=2\nB=1\nB=1\n"}))
    (root / "apps/a/.env").chmod(0o444)  # one rejected fix too
    monkeypatch.chdir(root)
    for args in (["fix", "--diff", "--format", "json"], ["fix", "--format", "json"]):
        cli.main(args)
        document = json.loads(capsys.readouterr().out)
        jsonschema.Draft202012Validator(schema).validate(document)
        assert document["rejected"] and document["written"] == (args[1] != "--diff")
        assert document["applied"] or args[1] != "--diff"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(st.tuples(st.text("ab\r\n=#\ufeffé", max_size=12), st.text("ab\r\n=#é", max_size=12),
                                st.booleans()), min_size=1, max_size=5),
       fail_at=st.integers(0, 6), kill=st.booleans())
def test_a_fault_at_any_point_leaves_every_file_old_or_new(files, fail_at: int, kill: bool) -> None:
    """Any number of files (some created), a fault (an OS error, or an interrupt standing in
    for a kill) at any rename: each file holds its old bytes or its new ones, never a mix,
    and no temporary file is left."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        changes = {}
        for n, (old, new, exists) in enumerate(files):
            if exists:
                (root / f"f{n}.env").write_bytes(old.encode("utf-8"))
            changes[f"f{n}.env"] = (old if exists else None, new)
        calls = []
        real_replace = os.replace

        def replace(src, dst):
            calls.append(dst)
            if len(calls) == fail_at:
                raise KeyboardInterrupt if kill else OSError(28, "No space left on device")
            real_replace(src, dst)

        import unittest.mock

        with unittest.mock.patch.object(writes.os, "replace", replace):
            try:
                writes.write_all(root, changes)
            except (KeyboardInterrupt, writes.WriteFailed):
                assert 1 <= fail_at <= len(files)
        for path, (old, new) in changes.items():
            data = (root / path).read_bytes() if (root / path).exists() else None
            assert data in ((None if old is None else old.encode("utf-8")), new.encode("utf-8"))
        assert not [p for p in os.listdir(root) if p.endswith(writes.TEMP_SUFFIX)]


def test_fixes_that_break_a_file_only_together_wait_for_the_next_pass(tmp_path: Path, monkeypatch) -> None:
    """Two fixes that each add the same key to one Compose mapping: each is fine alone,
    together they make a duplicate key. The first is applied; the second, computed again on
    the new text, is no longer needed."""
    from tekup_envlint.checks import REGISTRY, load
    from tekup_envlint.models import Edit, Fix, Hit

    load()

    def check(ws):
        for parsed in ws.files:
            if parsed.source.kind != "compose" or "EXTRA:" in parsed.text:
                continue
            queue = parsed.text.index("      QUEUE: jobs\n")
            for at in (queue, queue + len("      QUEUE: jobs\n")):  # before and after QUEUE
                yield Hit(parsed.source.path, parsed.services[0].span, parsed.source.app, "EXTRA", "test",
                          fix=Fix(f"add EXTRA at {at}", (Edit(parsed.source.path, at, at, "      EXTRA: 1\n"),)))

    monkeypatch.setitem(REGISTRY, "DRF003", check)
    root = repo(tmp_path, {"docker-compose.yml": COMPOSE})
    outcome = run_fix(root, DEFAULT, unsafe=False, write=True)
    assert outcome.rejected == [] and len(outcome.applied) == 1
    assert (root / "docker-compose.yml").read_text().count("EXTRA: 1") == 1


def test_check_show_fixes_lists_what_fix_would_do_and_unsafe_ones_on_request(tmp_path: Path, monkeypatch, capsys) -> None:
    root = repo(tmp_path, app({".env": DUPLICATE}))
    _creating_fix(monkeypatch)  # DRF003's fix becomes unsafe
    monkeypatch.chdir(root)
    cli.main(["check", "--show-fixes"])
    captured = capsys.readouterr()
    assert "DRF003" not in captured.err and "fix --unsafe-fixes" in captured.out
    cli.main(["check", "--show-fixes", "--unsafe-fixes"])
    assert "Fixes available for 1 finding" in capsys.readouterr().err
    assert (root / "apps/a/.env").read_text() == DUPLICATE
    cli.main(["check", "--fix"])
    assert (root / "apps/a/.env").read_text() == DUPLICATE  # unsafe: not without asking
    cli.main(["check", "--fix", "--unsafe-fixes"])
    assert (root / "apps/a/.env").read_text() == "PORT=3000\nNAME=x\n"
    assert (root / "apps/a/.env.local").read_text() == "LOCAL=1\n"


KILLED_WRITER = """
import os, sys, time
from pathlib import Path
from tekup_envlint import writes

root = Path(sys.argv[1])
real_replace = os.replace
done = []

def replace(src, dst):
    real_replace(src, dst)
    done.append(dst)
    if len(done) == 2:  # two files renamed: say so, then wait for the kill
        (root.parent / "renamed-two").write_text("")
        time.sleep(60)

os.replace = replace
changes = {f"f{n}.env": (f"OLD={n}\\n" * 1000, f"NEW={n}\\n" * 1000) for n in range(4)}
writes.write_all(root, changes)
"""


def test_a_kill_part_way_leaves_every_file_old_or_new(tmp_path: Path) -> None:
    """SIGKILL (no cleanup can run) after the second of four renames: two files are new,
    two old, none half-written; the staged temporary files are left, named as ours."""
    import signal
    import sys

    root = tmp_path / "root"
    root.mkdir()
    for n in range(4):
        (root / f"f{n}.env").write_text(f"OLD={n}\n" * 1000)
    process = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(root)])
    try:
        for _ in range(600):
            if (tmp_path / "renamed-two").exists() or process.poll() is not None:
                break
            import time

            time.sleep(0.1)
        assert (tmp_path / "renamed-two").exists()
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
    texts = [(root / f"f{n}.env").read_text() for n in range(4)]
    assert sorted(t.split("=")[0] for t in texts) == ["NEW", "NEW", "OLD", "OLD"]
    assert all(t in (f"OLD={n}\n" * 1000, f"NEW={n}\n" * 1000) for n, t in enumerate(texts))
    assert all(p.name.endswith(writes.TEMP_SUFFIX) for p in root.iterdir() if not p.name.endswith(".env"))


def test_the_strategy_comes_from_the_config_file_as_the_pre_commit_hook_needs(tmp_path: Path, monkeypatch) -> None:
    pooler = "postgresql://postgres.oaevagdgrasfppbrxbey:${SUPABASE_DB_PASSWORD}@aws-1-eu-central-1.pooler.supabase.com"
    root = repo(tmp_path, {
        # in a pre-commit run only the changed file's app is read: the pooler host must be configured
        ".tekup-envlint.toml": 'strategy = "supabase"\n[primary]\npooler-host = "aws-1-eu-central-1.pooler.supabase.com"\n',
        **app({".env": f"DATABASE_URL={pooler}:5432/postgres?schema=crm\n"}, "apps/crm"),
        **app({".env": "DATABASE_URL=postgresql://tekup:${POSTGRES_PASSWORD}@localhost:5432/tekup_db?schema=billy\n"},
              "apps/billy"),
    })
    monkeypatch.chdir(root)
    cli.main(["fix", "apps/billy/.env"])
    assert (root / "apps/billy/.env").read_text() == f"DATABASE_URL={pooler}:6543/postgres?pgbouncer=true&schema=billy\n"


def test_the_diff_comes_file_by_file_in_path_order() -> None:
    # the CLI writes each file's diff as it comes: a large run never holds the whole diff
    from tekup_envlint.report.fix import unified_diff

    changes = {"b/.env": ("A=1\n", "A=2\n"), "a/.env": (None, "X=1")}
    assert list(unified_diff(changes, lambda text: text)) == [
        "--- /dev/null\n+++ b/a/.env\n@@ -0,0 +1 @@\n+X=1\n\\ No newline at end of file\n",
        "--- a/b/.env\n+++ b/b/.env\n@@ -1 +1 @@\n-A=1\n+A=2\n",
    ]


def test_counts_in_the_fix_report_are_english() -> None:
    """`2 fixes rejected`, never `2 fixs` (report/fix.py counts with report.text.plural)."""
    from tekup_envlint.report.text import plural

    assert [plural(1, "fix"), plural(2, "fix"), plural(2, "file"), plural(0, "finding")] == \
        ["1 fix", "2 fixes", "2 files", "0 findings"]
