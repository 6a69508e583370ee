"""The real monorepo skeletons in ../shared/monorepos, each run as its own git root.

A user meets the tool this way (see the monorepos README): the folder is the repository
root and every upstream-tracked file is tracked. Every finding of these runs was reviewed
(tests/resources/monorepo-review.json: true, false or judgement, with a reason;
docs/corpus-review.md has the table). This test holds the tool to that review:

* every repository is checked without a crash or an internal error (exit 0 or 1);
* precision: no rule reports more findings in a repository than the review recorded;
* recall: every finding the review judged true (or a judgement call) is still reported.

Without ../shared the test skips and says why.
"""

from __future__ import annotations

import collections
import json
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from tekup_envlint.cli import main

from conftest import ROOT, SHARED

MONOREPOS = SHARED / "monorepos"
REVIEW = ROOT / "tests" / "resources" / "monorepo-review.json"
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "core.autocrlf=false", "-c", "commit.gpgsign=false"]
pytestmark = [
    pytest.mark.skipif(not MONOREPOS.is_dir(), reason=f"the shared monorepo skeletons are not at {MONOREPOS}"),
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]

REPOS = sorted(p.name for p in MONOREPOS.iterdir() if p.is_dir() and "__" in p.name) if MONOREPOS.is_dir() else []


def _review() -> List[Dict[str, object]]:
    return json.loads(REVIEW.read_text(encoding="utf-8"))["findings"]


def _committed_copy(src: Path, dest: Path) -> Path:
    """The skeleton as its own repository: copied, `git add -A --force`, committed."""
    shutil.copytree(src, dest, dirs_exist_ok=True)
    for args in (["init", "-q"], ["add", "-A", "--force"], ["commit", "-qm", "skeleton"]):
        subprocess.run(GIT + ["-C", str(dest)] + args, check=True, capture_output=True)
    return dest


@pytest.mark.parametrize("repo", REPOS)
def test_monorepo_is_checked_as_reviewed(repo: str, tmp_path: Path, capsys, monkeypatch) -> None:
    root = _committed_copy(MONOREPOS / repo, tmp_path / repo)
    code = main(["check", str(root), "--format", "json"])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    assert "internal error" not in err and "Traceback" not in err, err
    findings = json.loads(out)["findings"]
    assert not [f for f in findings if f["code"].startswith("SYN")], "the skeletons hold no broken file"

    reviewed = [r for r in _review() if r["repo"] == repo]
    allowed = collections.Counter(str(r["code"]) for r in reviewed)
    got = collections.Counter(f["code"] for f in findings)
    over = {c: (n, allowed[c]) for c, n in got.items() if n > allowed[c]}
    assert not over, f"more findings than reviewed (got, reviewed): {over}; review them in {REVIEW.name}"

    reported = {(f["path"], f["code"], f["key"]) for f in findings}
    kept: List[Tuple[object, object, object]] = [(r["path"], r["code"], r["key"]) for r in reviewed
                                                 if r["label"] in ("true", "judgement")]
    lost = [k for k in kept if k not in reported]
    assert not lost, f"reviewed true findings no longer reported: {lost}"

    # the map of the same repository: every app with an env file shows its load sets (a
    # Compose service that reads nothing, or a Prisma schema alone, is no load set of its own)
    assert main(["map", str(root), "--format", "json"]) == 0
    apps = json.loads(capsys.readouterr().out)["apps"]
    without = [a["app"] for a in apps
               if not a["load_sets"] and any(not f.endswith((".prisma", ".yml", ".yaml")) for f in a["files"])]
    assert not without, without
    # ... and its text map is readable at 80 columns (the width in a pipe)
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["map", str(root), "--no-color"]) == 0
    text = capsys.readouterr().out
    assert max((len(line) for line in text.splitlines()), default=0) <= 80


def test_the_review_covers_every_repository() -> None:
    """Each reviewed finding names a repository that exists, and the labels are known."""
    review = _review()
    assert {r["repo"] for r in review} <= set(REPOS)
    assert {r["label"] for r in review} <= {"true", "false", "judgement"}
    assert all(r["reason"] for r in review)
