"""Every output format of `check` and `map`, through the installed command as CI runs it."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Tuple

import jsonschema
import pytest

from tekup_envlint.report.github import escape_data, escape_property

from conftest import EXAMPLE, ROOT, app, write_tree

COMMAND = Path(sys.executable).parent / "tekup-envlint"
pytestmark = pytest.mark.skipif(not COMMAND.exists(), reason="the console script is not installed next to python")
SARIF_SCHEMA = json.loads((ROOT / "tests/resources/sarif/sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def cli(*args: str, cwd: Path = ROOT) -> Tuple[int, str, str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    done = subprocess.run([str(COMMAND), *args], cwd=cwd, env=env, capture_output=True, timeout=120)
    return done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")


@pytest.fixture(scope="module")
def demo_json():
    return json.loads(cli("check", str(EXAMPLE), "--format", "json")[1])["findings"]


def test_sarif_validates_against_the_official_schema(demo_json) -> None:
    code, out, _ = cli("check", str(EXAMPLE), "--format", "sarif")
    assert code == 1
    document = json.loads(out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(document)
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    hyb = next(r for r in rules if r["id"] == "HYB001")
    assert hyb["name"] == "hybrid-database" and "## Why is this bad?" in hyb["help"]["markdown"]
    assert hyb["defaultConfiguration"]["level"] == "error"
    crd = next(r for r in rules if r["id"] == "CRD001")
    assert "security" in crd["properties"]["tags"] and crd["properties"]["security-severity"] == "8.0"
    assert "security" not in hyb["properties"]["tags"]
    assert len(run["results"]) == len(demo_json)
    first = run["results"][0]
    assert rules[first["ruleIndex"]]["id"] == first["ruleId"]
    billy = next(r for r in run["results"] if r["ruleId"] == "HYB001"
                 and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "apps/production/tekup-billy/.env"
                 and r["locations"][0]["physicalLocation"]["region"]["startLine"] == 6)
    region = billy["locations"][0]["physicalLocation"]["region"]
    assert region["startColumn"] == 14 and region["snippet"]["text"].startswith("SUPABASE_URL=")
    # the other side of the hybrid is a related location, as in the JSON report's `related`
    related = {(r["physicalLocation"]["region"]["startLine"], r["message"]["text"]) for r in billy["relatedLocations"]}
    assert (11, "DATABASE_URL") in related
    assert {r["level"] for r in run["results"]} <= {"error", "warning", "note"}


def test_sarif_of_a_clean_repo_and_odd_paths_validate(tmp_path: Path) -> None:
    write_tree(tmp_path, app({".env.example": "PORT=3000\n"}, "apps/my app"))
    code, out, _ = cli("check", str(tmp_path), "--format", "sarif")
    assert code == 0
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(json.loads(out))
    write_tree(tmp_path, app({".env": "DATABASE_URL: postgresql://localhost/app\n"}, "apps/my app"))
    code, out, _ = cli("check", str(tmp_path), "--format", "sarif")
    document = json.loads(out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(document)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]}
    assert "apps/my%20app/.env" in uris


def test_text_lists_the_related_locations_under_a_finding(demo_json) -> None:
    """HYB001 is reported once per load set; the text report names every other setting of
    it on `related:` lines, as JSON's `related` and SARIF's relatedLocations do."""
    code, out, _ = cli("check", str(EXAMPLE), "--select", "HYB001", "--no-color")
    assert code == 1
    billy = out.split("apps/production/tekup-billy/.env\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert billy[0].startswith("  6:14  error    HYB001") and "  SUPABASE_URL points at" in billy[0]  # [*] if fixable
    assert billy[1].startswith("      6 | SUPABASE_URL=")
    assert billy[2:] == [
        "        related: apps/production/tekup-billy/.env:7:19 SUPABASE_ANON_KEY",
        "        related: apps/production/tekup-billy/.env:8:22 SUPABASE_SERVICE_KEY",
        "        related: apps/production/tekup-billy/.env:11:14 DATABASE_URL",
    ]
    related = {(r["path"], r["line"], r["column"], r["key"]) for f in demo_json if f["code"] == "HYB001"
               for r in f["related"]}
    assert len(related) == out.count("        related: ")


def test_concise_is_one_line_per_finding(demo_json) -> None:
    code, out, _ = cli("check", str(EXAMPLE), "--output-format", "concise")
    lines = out.splitlines()
    assert code == 1 and len(lines) == len(demo_json)
    assert "apps/production/tekup-billy/.env:6:14: HYB001 SUPABASE_URL points at" in out
    assert all(line.split(":")[1].isdigit() and line.split(":")[2].isdigit() for line in lines)


def test_github_annotations_escape_per_the_runner(demo_json) -> None:
    code, out, _ = cli("check", str(EXAMPLE), "--format", "github")
    lines = out.splitlines()
    assert code == 1 and len(lines) == len(demo_json)
    assert "::error file=apps/production/tekup-billy/.env,line=6,col=14,title=HYB001 hybrid-database::" in out
    assert any(line.startswith("::warning ") for line in lines)
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_notice_for_infos(tmp_path: Path) -> None:
    write_tree(tmp_path, app({".env": "PORT=3000  # tekup-envlint: ignore[CRD001] was a password, rotated\n"}))
    code, out, _ = cli("check", str(tmp_path), "--format", "github")
    assert code == 0 and out.startswith("::notice file=apps/a/.env,line=1,col=12,title=SUP001 unused-suppression::")


def test_junit_is_xml_with_a_failure_per_finding(demo_json, tmp_path: Path) -> None:
    code, out, _ = cli("check", str(EXAMPLE), "--format", "junit")
    root = ET.fromstring(out)
    assert root.tag == "testsuites" and int(root.get("failures")) == len(demo_json)
    cases = root.findall(".//testcase")
    assert len(cases) == len(demo_json) and all(c.find("failure") is not None for c in cases)
    assert {s.get("name") for s in root.findall("testsuite")} == {f["path"] for f in demo_json}
    write_tree(tmp_path, app({".env.example": "PORT=3000\n"}))
    code, out, _ = cli("check", str(tmp_path), "--format", "junit")
    root = ET.fromstring(out)
    assert code == 0 and root.get("failures") == "0" and len(root.findall(".//testcase")) == 1


def test_markdown_summary_embeds_the_mermaid_map(demo_json) -> None:
    code, out, _ = cli("check", str(EXAMPLE), "--format", "markdown")
    _, diagram, _ = cli("map", str(EXAMPLE), "--format", "mermaid")
    assert code == 1
    assert f"**{len(demo_json)} findings**" in out
    assert "```mermaid\n" + diagram in out + "\n"
    hybrids = sum(1 for f in demo_json if f["code"] == "HYB001")
    assert hybrids and f"| `HYB001` | hybrid-database | {hybrids} |" in out
    assert "<details><summary>Findings</summary>" in out


def test_mermaid_puts_apps_against_providers_and_marks_hybrids() -> None:
    code, out, _ = cli("map", str(EXAMPLE), "--format", "mermaid")
    assert code == 0 and out.startswith("flowchart LR\n")
    assert '["apps/production/tekup-billy<br/>HYBRID"]:::hybrid' in out
    assert '["apps/web/rendetalje-os"]\n' in out  # clean: not highlighted
    for node in ('supabase[("Supabase")]', 'docker[("Docker PostgreSQL")]', 'legacy[("legacy Supabase project")]'):
        assert node in out
    billy = out.split('["apps/production/tekup-billy')[0].rsplit("\n", 1)[1].strip()
    assert f"{billy} -->|3 settings| supabase" in out and f"{billy} -->|1 setting| docker" in out


def test_mermaid_labels_cannot_break_the_diagram(tmp_path: Path) -> None:
    write_tree(tmp_path, app({".env": "DATABASE_URL=postgresql://u:${P}@localhost:5432/db\n"}, 'apps/we"ird<b>'))
    out = cli("map", str(tmp_path), "--format", "mermaid")[1]
    assert '"apps/we#quot;ird#lt;b#gt;"' in out


def test_output_file_writes_the_report_there(tmp_path: Path) -> None:
    target = tmp_path / "report.sarif"
    code, out, _ = cli("check", str(EXAMPLE), "--format", "sarif", "-o", str(target))
    assert code == 1 and out == ""
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(json.loads(target.read_text(encoding="utf-8")))
    code, out, _ = cli("map", str(EXAMPLE), "--format", "mermaid", "--output-file", str(tmp_path / "map.mmd"))
    assert code == 0 and out == "" and (tmp_path / "map.mmd").read_text().startswith("flowchart LR")
    code, _, err = cli("check", str(EXAMPLE), "-o", str(tmp_path / "missing/dir/x.txt"))
    assert code == 2 and "cannot be written" in err


def test_statistics_counts_by_rule_and_by_app(demo_json) -> None:
    code, out, _ = cli("check", str(EXAMPLE), "--statistics")
    assert code == 1
    rules, apps = out.split("By app")
    by_rule = Counter(f["code"] for f in demo_json)
    by_app = Counter(f["app"] for f in demo_json)
    assert f"{by_rule['STR001']:>6}  STR001" in rules and "hybrid-database" in rules
    billy = "apps/production/tekup-billy"
    assert f"{by_app[billy]:>6}  {billy}" in apps
    assert f"{len(demo_json)} findings in {len(by_rule)} rules and {len(by_app)} apps." in out
    assert cli("check", str(EXAMPLE), "--statistics", "--format", "json")[0] == 2


def test_errors_come_before_infos_within_a_file(tmp_path: Path) -> None:
    write_tree(tmp_path, app({".env": "# tekup-envlint: ignore[CRD999] stale\nPORT=3000\nDATABASE_URL: x\n"}))
    out = cli("check", str(tmp_path), "--no-color")[1]
    body = [line for line in out.splitlines() if line.startswith("  ") and "|" not in line]
    assert [line.split()[1] for line in body] == ["error", "info"]
    assert "in 1 file checked." in out


def test_one_file_is_singular(tmp_path: Path) -> None:
    write_tree(tmp_path, app({".env.example": "PORT=3000\n"}))
    assert "All checks passed (1 file checked)." in cli("check", str(tmp_path))[1]


def test_rules_as_json_and_explain_all() -> None:
    from tekup_envlint.catalogue import catalogue

    code, out, _ = cli("rules", "--format", "json")
    rules = json.loads(out)
    assert code == 0 and [r["code"] for r in rules] == list(catalogue())
    assert {"code", "name", "category", "severity", "summary", "fixable"} == set(rules[0])
    code, out, _ = cli("explain", "--all")
    assert code == 0 and out.count("## Why is this bad?") == len(catalogue())
    assert "# unused-suppression (SUP001)" in out
    assert cli("explain")[0] == 2 and cli("explain", "HYB001", "--all")[0] == 2


def test_markdown_is_cut_to_a_comment_size_and_escapes_cells() -> None:
    from tekup_envlint.models import Finding
    from tekup_envlint.report.markdown import MAX_ROWS, markdown

    findings = [Finding("DRF003", "drift", "warning", f"apps/a|{n}/.env", n + 1, 1, "apps/a", "K",
                        "a <b>pipe</b> | and `tick`") for n in range(MAX_ROWS + 50)]
    out = markdown(findings, {"DRF003": "duplicate-key"}, 3, "flowchart LR\n")
    assert "… and 50 more" in out and out.count("| :warning: |") == MAX_ROWS
    assert "<b>" not in out and "apps/a\\|0/.env" in out and "a &lt;b&gt;pipe&lt;/b&gt; \\| and 'tick'" in out
    assert len(out) < 65536
