"""The catalogue and the checks match one to one, and every documented example runs.

Bad examples must raise their rule; good examples must not (pycodestyle's docs-as-tests).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tekup_envlint.catalogue import CATEGORIES, SEVERITIES, Example, catalogue
from tekup_envlint.checks import load
from tekup_envlint.config_file import load as load_config
from tekup_envlint.report.docs import rule_page

from conftest import git_init, lint, write_tree

RULES = catalogue()


def test_every_rule_has_a_check_and_every_check_a_rule() -> None:
    assert set(load()) == set(RULES)


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_entry_is_complete(code: str) -> None:
    rule = RULES[code]
    assert re.fullmatch(r"[A-Z]{3}\d{3}", code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.category in CATEGORIES
    assert rule.severity in SEVERITIES
    assert rule.summary and rule.why and rule.fix
    assert rule.bad.files and rule.good.files
    assert rule.code in rule_page(rule)


def test_names_are_unique() -> None:
    names = [r.name for r in RULES.values()]
    assert len(names) == len(set(names))


def _run_example(tmp_path: Path, example: Example, code: str, request: pytest.FixtureRequest):
    files = example.files
    if example.live is not None:  # a live rule: build its database on the test server
        server = request.getfixturevalue("pg_server")
        files = server.example_files(files, example.live, f"example_{code.lower()}_{tmp_path.name[-12:]}")
    write_tree(tmp_path, files)
    if example.git:  # the rule needs git's view (tracked or ignored)
        git_init(tmp_path)
    config = load_config(tmp_path)  # an example may carry its own .tekup-envlint.toml
    return [f for f in lint(tmp_path, config, select=code, live=example.live is not None) if f.code == code]


@pytest.mark.parametrize("code", sorted(RULES))
def test_bad_example_is_flagged(tmp_path: Path, code: str, request: pytest.FixtureRequest) -> None:
    found = _run_example(tmp_path, RULES[code].bad, code, request)
    assert found, f"{code}: the bad example raised nothing"


@pytest.mark.parametrize("code", sorted(RULES))
def test_good_example_is_clean(tmp_path: Path, code: str, request: pytest.FixtureRequest) -> None:
    found = _run_example(tmp_path, RULES[code].good, code, request)
    assert not found, f"{code}: the good example raised {[f.message for f in found]}"
