"""The pre-commit hooks of this repository, run by pre-commit itself as a user's repository would.

`pre-commit try-repo` clones this repository (a copy of the working tree committed in a
temporary git repository, so uncommitted work is tested too), installs it into its own
virtual environment from PyPI's dependencies, and runs the hook on a temporary project:
one that passes and one that fails. The README's snippet is run too, with its `repo` and
`rev` pointed at that copy. Needs `git` and network access to PyPI.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

from conftest import ROOT, write_tree

PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
pytestmark = [
    pytest.mark.skipif(not PRE_COMMIT.exists(), reason="pre-commit is not installed (pip install -e '.[test]')"),
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    return subprocess.run(["git", "-c", "core.fsmonitor=false", "-C", str(cwd), *args], check=True,
                          capture_output=True, text=True, env=env).stdout


def _project_files() -> List[str]:
    """The files of this repository's working tree: tracked and new, not ignored."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    return [p for p in listed.split("\0") if p and (ROOT / p).is_file()]


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("hook-repo")
    for rel in _project_files():
        target = copy / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target)
    git(copy, "init", "-q", "-b", "main")
    git(copy, "add", "-A")
    git(copy, "commit", "-q", "-m", "snapshot for pre-commit")
    return copy


@pytest.fixture(scope="module")
def pre_commit_env(tmp_path_factory) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "TEKUP_ENVLINT"))}
    env["PRE_COMMIT_HOME"] = str(tmp_path_factory.mktemp("pre-commit-home"))  # shared by the tests here
    env.update({"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                "GIT_COMMITTER_EMAIL": "t@t", "NO_COLOR": "1"})
    return env


def user_project(root: Path, files: Dict[str, str]) -> Path:
    write_tree(root, {".gitignore": ".env\n", **files})
    git(root, "init", "-q")
    git(root, "add", "-A")
    return root


def pre_commit(args: List[str], cwd: Path, env: Dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(PRE_COMMIT), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def test_try_repo_passes_a_clean_project(hook_repo: Path, pre_commit_env, tmp_path: Path) -> None:
    project = user_project(tmp_path / "clean", {
        "apps/api/package.json": "{}",
        "apps/api/.env.example": "DATABASE_URL=postgresql://app:${DB_PASSWORD}@localhost:5432/app\n",
        "apps/api/README.md": "# not configuration: the hook's `files` pattern leaves it out\n",
    })
    done = pre_commit(["try-repo", str(hook_repo), "tekup-envlint", "--all-files"], project, pre_commit_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"tekup-envlint\.+Passed", done.stdout), done.stdout


def test_try_repo_fails_a_project_with_findings(hook_repo: Path, pre_commit_env, tmp_path: Path) -> None:
    project = user_project(tmp_path / "hybrid", {
        "apps/api/package.json": "{}",
        "apps/api/.env.example": "SUPABASE_URL=https://twaoebtlusudzxshjral.supabase.co\n",
    })
    done = pre_commit(["try-repo", str(hook_repo), "tekup-envlint", "--all-files"], project, pre_commit_env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"tekup-envlint\.+Failed", done.stdout), done.stdout
    assert "HYB002" in done.stdout and "apps/api/.env.example" in done.stdout


def readme_snippet() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", readme, re.S)
    assert match, "README has no pre-commit snippet"
    return match.group(1)


def test_the_readme_snippet_runs(hook_repo: Path, pre_commit_env, tmp_path: Path) -> None:
    """The snippet exactly as written, but for the repository's address (here the local
    copy, whose branch is `main` like this repository's)."""
    snippet = readme_snippet()
    assert "repo: https://github.com/TekupDK/tekup-envlint" in snippet
    config = snippet.replace("https://github.com/TekupDK/tekup-envlint", str(hook_repo), 1)
    project = user_project(tmp_path / "snippet", {
        "apps/api/package.json": "{}",
        "apps/api/.env.example": "SUPABASE_URL=https://twaoebtlusudzxshjral.supabase.co\n",
        ".pre-commit-config.yaml": config,
    })
    done = pre_commit(["run", "--all-files"], project, pre_commit_env)
    assert done.returncode == 1 and "HYB002" in done.stdout, done.stdout + done.stderr
    (project / "apps/api/.env.example").write_text("SUPABASE_URL=https://oaevagdgrasfppbrxbey.supabase.co\n")
    done = pre_commit(["run", "--all-files"], project, pre_commit_env)
    assert done.returncode == 0, done.stdout + done.stderr
    # the documented next step pins `rev` to a commit (there is no release tag yet)
    done = pre_commit(["autoupdate", "--freeze"], project, pre_commit_env)
    assert done.returncode == 0, done.stdout + done.stderr
    head = git(hook_repo, "rev-parse", "HEAD").strip()
    assert f"rev: {head}" in (project / ".pre-commit-config.yaml").read_text()
    assert pre_commit(["run", "--all-files"], project, pre_commit_env).returncode == 0


def test_try_repo_fix_hook_fixes_the_files_it_is_given(hook_repo: Path, pre_commit_env, tmp_path: Path) -> None:
    """`tekup-envlint-fix` gets the staged file names and fixes them (pre-commit then fails
    the commit because files changed, and the person adds the fix)."""
    project = user_project(tmp_path / "fixable", {
        "apps/api/package.json": "{}",
        "apps/api/.env.example": "PORT=3000\nNAME=api\nPORT=3000\n",
    })
    done = pre_commit(["try-repo", str(hook_repo), "tekup-envlint-fix", "--all-files"], project, pre_commit_env)
    assert done.returncode == 1 and "files were modified by this hook" in done.stdout, done.stdout + done.stderr
    assert (project / "apps/api/.env.example").read_text() == "PORT=3000\nNAME=api\n"
    git(project, "add", "-A")
    done = pre_commit(["try-repo", str(hook_repo), "tekup-envlint-fix", "--all-files"], project, pre_commit_env)
    assert done.returncode == 0, done.stdout + done.stderr
