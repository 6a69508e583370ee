"""What makes a fast pre-commit run possible: a run imports only what it needs (issue #4).

The timings themselves live in `benchmarks/` (docs/performance.md); these tests pin the
import discipline behind them. Each run happens in a fresh interpreter, which reports the
modules it ended up with.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List

from conftest import git_init, write_tree

# what a clean pre-commit run must not import: heavy libraries, and modules only a finding
# needs (not datetime: tomllib imports it whenever the rule catalogue is parsed, not cached)
HEAVY = ("pydantic", "rich", "dotenv", "yaml", "hashlib", "hmac", "difflib", "psycopg",
         # only a live survey needs these (their dataclasses and regexes cost at start-up)
         "tekup_envlint.survey", "tekup_envlint.endpoints")

# the fix machinery a check imports only when a finding's fix needs it: moving a secret out
# of a tracked file (relocate) or a configured strategy (strategy); 5 dataclasses and ~3 ms
FIX_MACHINERY = ("tekup_envlint.relocate", "tekup_envlint.strategy")

# every pattern compiled through re.compile is counted (the rules' data, the modules' own,
# the standard library's): compiling costs ~0.1 ms each, at every start
PROBE = textwrap.dedent(
    """
    import contextlib, io, json, re, sys
    compiled = set()
    _compile = re.compile

    def counting(pattern, flags=0):
        compiled.add((type(pattern), pattern, flags))
        return _compile(pattern, flags)

    re.compile = counting
    from tekup_envlint.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(sys.argv[1:])
    print(json.dumps({
        "code": code,
        "output": out.getvalue(),
        "modules": sorted(m for m in %r if m in sys.modules),
        "fix_machinery": sorted(m for m in %r if m in sys.modules),
        "compiled": len(compiled),
    }))
    """
    % (HEAVY, FIX_MACHINERY)
)

APP = {
    "package.json": '{"name": "mono", "private": true}\n',
    "apps/web/package.json": '{"name": "web"}\n',
    # hybrid within the one load set `.env` (a template is its own load set)
    "apps/web/.env": "DATABASE_URL=postgresql://tekup:tekup123@localhost:5432/tekup_db\n"
    "SUPABASE_URL=https://oaevagdgrasfppbrxbey.supabase.co\n",
    "apps/web/.env.example": "DATABASE_URL=postgresql://postgres.oaevagdgrasfppbrxbey:${PW}"
    "@aws-1-eu-central-1.pooler.supabase.com:6543/postgres\n",
    ".gitignore": ".env\n",
}
COMPOSE = (
    "services:\n  postgres:\n    image: postgres:16\n    environment:\n"
    "      POSTGRES_USER: tekup\n      POSTGRES_PASSWORD: tekup123\n"
)


def probe(cwd: Path, *argv: str) -> Dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def repo(tmp_path: Path, extra: Dict[str, str]) -> Path:
    write_tree(tmp_path, {**APP, **extra})
    git_init(tmp_path)
    return tmp_path


def modules(report: Dict[str, object]) -> List[str]:
    return list(report["modules"])  # type: ignore[arg-type]


def test_pre_commit_run_on_env_files_imports_none_of_the_heavy_libraries(tmp_path: Path) -> None:
    root = repo(tmp_path, {})
    report = probe(root, "check", "apps/web/.env", "apps/web/.env.example", "--format", "json")
    document = json.loads(str(report["output"]))
    assert document["summary"]["files"] == 2  # the run did read the app
    assert report["code"] == 1 and document["findings"]  # and found its hybrid setup
    assert modules(report) == []


def test_a_check_with_no_secret_to_move_imports_no_fix_machinery(tmp_path: Path) -> None:
    """`check` computes each finding's fix (it shows which are fixable), but the modules that
    move secrets and apply a strategy load only when a finding needs them: here the secret
    sits in an ignored `.env` (nothing to move) and no strategy is configured."""
    root = repo(tmp_path, {})
    report = probe(root, "check", "apps/web/.env", "apps/web/.env.example")
    assert "HYB001" in str(report["output"])
    assert report["fix_machinery"] == []


def test_a_secret_to_move_brings_in_the_fix_machinery(tmp_path: Path) -> None:
    """The sanity check of the one above: a database password in a committed env file is
    moved by its fix, so relocate loads (and strategy, which names the password's variable)."""
    root = repo(tmp_path, {"apps/web/.env.development": "DATABASE_URL=postgresql://app:Zq8vN2rT5wLx9Kp3"
                                                   "@db.internal.acme.io:5432/app\n"})
    report = probe(root, "check", "apps/web/.env.development", "--format", "json")
    assert any(f["fixable"] for f in json.loads(str(report["output"]))["findings"])
    assert report["fix_machinery"] == list(FIX_MACHINERY)


def test_a_pre_commit_run_compiles_only_the_patterns_it_needs(tmp_path: Path) -> None:
    """A bound, not an exact figure: about 165 patterns today (the rules' placeholder and
    secret shapes, the combined shape probe, the parsers' and modules' own). Building the
    combined probe once compiled each shape's lookbehind-free probe too (28 more), only to
    read back its text."""
    root = repo(tmp_path, {})
    report = probe(root, "check", "apps/web/.env", "apps/web/.env.example")
    assert 0 < int(report["compiled"]) <= 180, report["compiled"]  # type: ignore[call-overload]


def test_text_output_off_a_terminal_does_not_import_rich(tmp_path: Path) -> None:
    root = repo(tmp_path, {})
    report = probe(root, "check", "apps/web/.env", "--format", "text")
    assert "HYB001" in str(report["output"])
    assert modules(report) == []


def test_a_whole_repository_without_compose_files_needs_no_yaml(tmp_path: Path) -> None:
    root = repo(tmp_path, {})
    report = probe(root, "check", ".", "--format", "json")
    assert modules(report) == []


def test_a_compose_file_in_the_app_brings_in_yaml_only(tmp_path: Path) -> None:
    """The sanity check of the probe: reading a Compose file does import PyYAML."""
    root = repo(tmp_path, {"apps/web/docker-compose.yml": COMPOSE})
    report = probe(root, "check", "apps/web/docker-compose.yml", "apps/web/.env", "--format", "json")
    assert json.loads(str(report["output"]))["summary"]["files"] == 3
    assert modules(report) == ["yaml"]


def test_a_config_file_is_validated_with_pydantic(tmp_path: Path) -> None:
    root = repo(tmp_path, {".tekup-envlint.toml": 'fail-on = "error"\n'})
    report = probe(root, "check", "apps/web/.env", "--format", "json")
    assert "pydantic" in modules(report)
    assert "rich" not in modules(report) and "dotenv" not in modules(report)


def test_a_pre_commit_run_asks_git_only_what_it_must(tmp_path: Path) -> None:
    """Each git process costs a few milliseconds of a run of about a hundred: the top of the
    work tree is found without one, so a run on one app's files lists the app (two
    `ls-files`, at once) and asks which conventional names are ignored (`check-ignore`)."""
    import os
    import shutil

    root = repo(tmp_path / "repo", {})
    real = shutil.which("git")
    assert real is not None
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "git.log"
    wrapper = bin_dir / "git"
    wrapper.write_text(f'#!/bin/sh\nfor a in "$@"; do case "$a" in ls-files|check-ignore|rev-parse|status|diff) '
                       f'echo "$a" >> "{log}";; esac; done\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    result = subprocess.run([sys.executable, "-c", PROBE, "check", "apps/web/.env", "apps/web/.env.example"],
                            cwd=root, capture_output=True, text=True, check=False, env=env)
    assert result.returncode == 0, result.stderr
    asked = sorted(log.read_text().split()) if log.exists() else []
    assert "rev-parse" not in asked
    assert asked.count("ls-files") <= 2 and len(asked) <= 3, asked
