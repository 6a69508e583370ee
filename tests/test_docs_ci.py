"""The CI and pre-commit docs name every hook and every output format, and their YAML is valid."""

from __future__ import annotations

import re

import pytest
import yaml

from tekup_envlint.cli import CHECK_FORMATS, MAP_FORMATS

from conftest import ROOT

HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
DOCS = {name: (ROOT / name).read_text(encoding="utf-8") for name in ("README.md", "docs/ci.md")}


@pytest.mark.parametrize("doc", sorted(DOCS))
@pytest.mark.parametrize("hook", [h["id"] for h in HOOKS])
def test_every_hook_id_is_documented(doc: str, hook: str) -> None:
    assert f"`{hook}`" in DOCS[doc]


@pytest.mark.parametrize("doc", sorted(DOCS))
@pytest.mark.parametrize("fmt", sorted(set(CHECK_FORMATS) | set(MAP_FORMATS)))
def test_every_output_format_is_documented(doc: str, fmt: str) -> None:
    assert f"`{fmt}`" in DOCS[doc]


def test_hooks_run_the_documented_commands() -> None:
    entries = {h["id"]: h["entry"] for h in HOOKS}
    assert entries == {"tekup-envlint": "tekup-envlint check", "tekup-envlint-fix": "tekup-envlint fix"}
    assert all(h["language"] == "python" and h["files"] for h in HOOKS)


@pytest.mark.parametrize("doc", sorted(DOCS))
def test_yaml_in_the_docs_parses(doc: str) -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS[doc], re.S)
    assert blocks
    for block in blocks:
        assert yaml.safe_load(block)


def test_the_workflow_uploads_sarif_and_writes_a_step_summary() -> None:
    workflow = yaml.safe_load(re.search(r"```yaml\n(name: tekup-envlint.*?)```", DOCS["docs/ci.md"], re.S).group(1))
    steps = workflow["jobs"]["envlint"]["steps"]
    runs = " ".join(s.get("run", "") for s in steps)
    assert "--format sarif" in runs and "GITHUB_STEP_SUMMARY" in runs and "--format github" in runs
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif") for s in steps)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "pull_request" in triggers
