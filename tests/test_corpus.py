"""The real-world corpus in ../shared/corpus: no crash, every finding has a file and a line.

The corpus sits beside the project's clone in CI, not in users' checkouts: without it the
test skips and says why. The reviewed findings are in docs/corpus-review.md.
"""

from __future__ import annotations

import json

import pytest

from tekup_envlint.cli import main

from conftest import SHARED

CORPUS = SHARED / "corpus"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not at {CORPUS}")


def test_whole_corpus_checks_without_error(capsys) -> None:
    code = main(["check", str(CORPUS), "--format", "json"])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    document = json.loads(out)
    assert document["summary"]["files"] >= 200
    for finding in document["findings"]:
        assert finding["path"] and not finding["path"].startswith("/")
        assert finding["line"] >= 1 and finding["column"] >= 1
        assert (CORPUS / finding["path"]).exists()


def test_corpus_map_without_error(capsys) -> None:
    assert main(["map", str(CORPUS), "--format", "json"]) == 0
    apps = json.loads(capsys.readouterr().out)["apps"]
    assert apps
