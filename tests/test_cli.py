"""The command line end to end through `main()`: exit codes, formats, config errors."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tekup_envlint import __version__
from tekup_envlint.cli import main

from conftest import EXAMPLE, ROOT, write_tree

CHECK_SCHEMA = json.loads((ROOT / "docs/schema/check.schema.json").read_text())
MAP_SCHEMA = json.loads((ROOT / "docs/schema/map.schema.json").read_text())


def run(capsys, *argv: str):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_no_command_is_usage_error(capsys) -> None:
    assert main([]) == 2


def test_demo_workspace_fails_with_hybrid_findings(capsys) -> None:
    code, out, _ = run(capsys, "check", str(EXAMPLE), "--no-color")
    assert code == 1
    assert "apps/production/tekup-billy/.env" in out
    assert "HYB001" in out and "HYB002" in out


def test_demo_json_validates_and_names_the_hybrid_apps(capsys) -> None:
    code, out, _ = run(capsys, "check", str(EXAMPLE), "--format", "json")
    assert code == 1
    document = json.loads(out)
    jsonschema.validate(document, CHECK_SCHEMA)
    hybrid_apps = {f["app"] for f in document["findings"] if f["code"] == "HYB001"}
    assert hybrid_apps == {"apps/production/tekup-billy", "apps/production/tekup-ai", "apps/production/tekup-crm"}
    billy = next(f for f in document["findings"] if f["code"] == "HYB001" and f["app"] == "apps/production/tekup-billy")
    # one finding for the load set, at its first database setting, naming the others
    assert (billy["path"], billy["line"], billy["column"], billy["key"]) == (
        "apps/production/tekup-billy/.env", 6, 14, "SUPABASE_URL")
    assert {"path": "apps/production/tekup-billy/.env", "line": 11, "column": 14, "key": "DATABASE_URL"} in billy["related"]


def test_demo_environment_model_cases(capsys) -> None:
    _, out, _ = run(capsys, "check", str(EXAMPLE), "--format", "json")
    findings = json.loads(out)["findings"]
    # alternatives: two templates in one app are no hybrid
    assert not [f for f in findings if f["code"] == "HYB001" and f["app"] == "apps/production/tekup-database"]
    # overlay: the template is never compared with .env.ports
    assert not [f for f in findings if f["code"] in ("DRF001", "DRF002") and f["app"] == "apps/web/tekup-portal"]
    # build-context runtime hybrid: reported at the service, naming both sides
    crm = [f for f in findings if f["code"] == "HYB001" and f["app"] == "apps/production/tekup-crm"]
    assert [(f["path"], f["line"], f["key"]) for f in crm] == [("apps/production/tekup-crm/docker-compose.yml", 5, "crm")]
    assert "SUPABASE_URL (apps/production/tekup-crm/.env:2 baked into the image)" in crm[0]["message"]
    assert "DATABASE_URL (apps/production/tekup-crm/docker-compose.yml:8)" in crm[0]["message"]


def test_demo_shows_every_family(capsys) -> None:
    from tekup_envlint.catalogue import CATEGORIES

    _, out, _ = run(capsys, "check", str(EXAMPLE), "--format", "json")
    # the suppression rules judge `# tekup-envlint: ignore[...]` comments; the demo has none
    assert {f["category"] for f in json.loads(out)["findings"]} == set(CATEGORIES) - {"suppression"}


def test_clean_app_has_no_findings(capsys) -> None:
    _, out, _ = run(capsys, "check", str(EXAMPLE), "--format", "json")
    assert [f for f in json.loads(out)["findings"] if f["app"] == "apps/web/rendetalje-os"] == []


def test_map_json_validates_and_lists_targets(capsys) -> None:
    code, out, _ = run(capsys, "map", str(EXAMPLE), "--format", "json")
    assert code == 0
    document = json.loads(out)
    jsonschema.validate(document, MAP_SCHEMA)
    apps = {a["app"]: a for a in document["apps"]}
    assert apps["apps/production/tekup-billy"]["providers"] == ["docker", "supabase"]
    assert apps["apps/production/tekup-vault"]["providers"] == ["legacy-vault"]
    database = apps["apps/production/tekup-database"]
    service = next(t for t in database["targets"] if t["source"] == "compose-service")
    assert (service["kind"], service["user"], service["database"]) == ("docker", "tekup", "tekup_db")


def test_map_json_lists_load_sets(capsys) -> None:
    _, out, _ = run(capsys, "map", str(EXAMPLE), "--format", "json")
    apps = {a["app"]: a for a in json.loads(out)["apps"]}
    billy = apps["apps/production/tekup-billy"]["load_sets"]
    assert [(ls["kind"], ls["files"], ls["hybrid"]) for ls in billy] == [
        ("dotenv", ["apps/production/tekup-billy/.env"], True),
        ("template", ["apps/production/tekup-billy/.env.example"], False),
    ]
    assert billy[1]["template_of"] == "apps/production/tekup-billy/.env"
    database = apps["apps/production/tekup-database"]["load_sets"]
    assert any(ls["service"] == "apps/production/tekup-database/docker-compose.yml#postgres" for ls in database)


def test_map_text_fits_80_columns_in_a_pipe(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    command = str(Path(sys.executable).parent / "tekup-envlint")  # the console script beside pytest's Python
    env = dict(os.environ, COLUMNS="80")
    out = subprocess.run([command, "map", str(EXAMPLE)], capture_output=True, text=True, env=env, check=True).stdout
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "└─ .env.example  (template, default, copied to .env)" in out
    wide = subprocess.run([command, "map", str(EXAMPLE)], capture_output=True, text=True,
                          env=dict(env, COLUMNS="200"), check=True).stdout
    assert max(len(line) for line in wide.splitlines()) > 80


def test_readme_map_example_is_the_real_output(capsys) -> None:
    from tekup_envlint.report.text import map_table
    from tekup_envlint import engine
    from tekup_envlint.config_file import load as load_config
    from tekup_envlint.workspace import build

    config = load_config(EXAMPLE)
    out = map_table(build(EXAMPLE.resolve(), config, engine.load_files(EXAMPLE.resolve(), config)), False, 80)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for app in ("apps/production/tekup-crm", "apps/production/tekup-billy"):  # load sets; the quick start
        block = out[out.index(app):]
        block = block[:block.index("\n\n")]
        assert block.count("\n") >= 5 and block in readme, app


def test_map_text_marks_hybrid_apps(capsys) -> None:
    code, out, _ = run(capsys, "map", str(EXAMPLE), "--no-color")
    assert code == 0
    billy = out[out.index("apps/production/tekup-billy"):out.index("apps/production/tekup-database")]
    assert "HYBRID: docker + supabase" in billy and ".env:11 DATABASE_URL" in billy
    assert "HYBRID" not in out[out.index("apps/web/rendetalje-os"):]


def test_clean_repo_exits_zero(tmp_path: Path, capsys) -> None:
    write_tree(tmp_path, {"apps/a/package.json": "{}", "apps/a/.env.example": "PORT=3000\n"})
    code, out, _ = run(capsys, "check", str(tmp_path), "--no-color")
    assert code == 0 and "All checks passed" in out


def test_select_ignore_and_exit_zero(capsys) -> None:
    code, out, _ = run(capsys, "check", str(EXAMPLE), "--format", "json", "--select", "HYB002")
    assert {f["code"] for f in json.loads(out)["findings"]} == {"HYB002"}
    code, out, _ = run(capsys, "check", str(EXAMPLE), "--format", "json", "--ignore", "ALL")
    assert code == 0 and json.loads(out)["findings"] == []
    assert run(capsys, "check", str(EXAMPLE), "--exit-zero")[0] == 0


def test_unknown_rule_code_is_usage_error(capsys) -> None:
    code, _, err = run(capsys, "check", str(EXAMPLE), "--select", "NOPE1")
    assert code == 2 and "NOPE1" in err


def test_fail_on_error_ignores_warnings(tmp_path: Path, capsys) -> None:
    write_tree(tmp_path, {".tekup-envlint.toml": '[severity]\nHYB002 = "warning"\n',
                          ".env.example": "SUPABASE_URL=https://twaoebtlusudzxshjral.supabase.co\n"})
    assert run(capsys, "check", str(tmp_path), "--select", "HYB002")[0] == 1
    assert run(capsys, "check", str(tmp_path), "--select", "HYB002", "--fail-on", "error")[0] == 0


@pytest.mark.parametrize(
    "content,needle",
    [
        ("[tool.tekup-envlint]\nstrategy = \"cloud\"\n", "strategy"),
        ("[tool.tekup-envlint]\nbogus = 1\n", "bogus"),
        ("[tool.tekup-envlint.primary]\nref = 1\n", "primary.ref"),
        ("[tool.tekup-envlint.docker]\nprot = 1\n", "allowed here: host, port"),
        ("[tool.tekup-envlint]\nselect = [\"XYZ999\"]\n", "XYZ999"),
        ("[tool.tekup-envlint\n", "not valid TOML"),
    ],
)
def test_config_errors_exit_2_naming_file_and_key(tmp_path: Path, capsys, content: str, needle: str) -> None:
    write_tree(tmp_path, {"pyproject.toml": content, ".env": "A=1\n"})
    code, out, err = run(capsys, "check", str(tmp_path))
    assert code == 2
    assert "pyproject.toml" in err and needle in err
    assert "Traceback" not in err and out == ""


def test_config_overrides_profile_value_by_value(tmp_path: Path) -> None:
    from tekup_envlint.config_file import load

    write_tree(tmp_path, {"pyproject.toml": "[tool.tekup-envlint.docker]\nport = 5433\n"
                                            "[tool.tekup-envlint.app-schemas]\n\"*api*\" = \"api\"\n"})
    config = load(tmp_path)
    assert config.docker.port == 5433 and config.docker.database == "tekup_db"
    assert ("*api*", "api") in config.app_schemas and ("*billy*", "billy") in config.app_schemas
    assert config.source == str(tmp_path / "pyproject.toml")


def test_explain_and_rules(capsys) -> None:
    code, out, _ = run(capsys, "explain", "hyb001")
    assert code == 0 and "# hybrid-database (HYB001)" in out and "## Why is this bad?" in out
    code, out, _ = run(capsys, "rules")
    assert code == 0 and "HYB001" in out and "SYN006" in out
    assert run(capsys, "explain", "XYZ001")[0] == 2


def test_files_as_pre_commit_passes_them(tmp_path: Path, capsys, monkeypatch) -> None:
    write_tree(tmp_path, {
        ".tekup-envlint.toml": "",
        "apps/a/package.json": "{}",
        "apps/a/.env": "SUPABASE_URL=https://oaevagdgrasfppbrxbey.supabase.co\nDATABASE_URL=postgresql://u:${P}@localhost/db\n",
        "apps/b/package.json": "{}",
        "apps/b/.env.example": "SUPABASE_URL=https://twaoebtlusudzxshjral.supabase.co\n",
    })
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "check", "apps/a/.env", "--format", "json")
    findings = json.loads(out)["findings"]
    assert code == 1 and {f["path"] for f in findings} == {"apps/a/.env"}
    code, out, _ = run(capsys, "check", "apps/b/.env.example", "--format", "json", "--select", "HYB")
    assert {f["code"] for f in json.loads(out)["findings"]} == {"HYB002"}


def test_path_outside_root_is_usage_error(tmp_path: Path, capsys, monkeypatch) -> None:
    write_tree(tmp_path, {"repo/.tekup-envlint.toml": "", "other/.env": "A=1\n"})
    monkeypatch.chdir(tmp_path / "repo")
    code, _, err = run(capsys, "check", str(tmp_path / "other/.env"))
    assert code == 2 and "outside the repository root" in err


def test_docker_database_read_from_its_compose_service(tmp_path: Path) -> None:
    from tekup_envlint import engine
    from tekup_envlint.config_file import load

    write_tree(tmp_path, {
        ".tekup-envlint.toml": '[docker]\ncompose-file = "infra/db.yml"\nservice = "pg"\n',
        "infra/db.yml": "services:\n  pg:\n    image: postgres:16\n    ports: ['${PG_PORT:-5433}:5432']\n"
                        "    environment:\n      POSTGRES_USER: app\n      POSTGRES_DB: appdb\n",
    })
    result = engine.run(tmp_path, load(tmp_path))
    docker = result.workspace.config.docker
    assert (docker.user, docker.database, docker.port, docker.image) == ("app", "appdb", 5433, "postgres:16")


def test_docker_compose_file_that_is_missing_is_a_config_error(tmp_path: Path, capsys) -> None:
    write_tree(tmp_path, {".tekup-envlint.toml": '[docker]\ncompose-file = "nope.yml"\n', ".env": "A=1\n"})
    code, _, err = run(capsys, "check", str(tmp_path))
    assert code == 2 and "docker.compose-file" in err and ".tekup-envlint.toml" in err


def test_declared_schemas_read_from_the_configured_prisma_file(tmp_path: Path) -> None:
    from tekup_envlint import engine
    from tekup_envlint.config_file import load

    write_tree(tmp_path, {
        ".tekup-envlint.toml": 'prisma-schema = "db/main.prisma"\nschemas = []\n',
        "db/main.prisma": 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n'
                          '  schemas = ["sales", "ops"]\n}\n',
    })
    result = engine.run(tmp_path, load(tmp_path))
    assert result.workspace.declared_schemas() == {"sales", "ops"}
