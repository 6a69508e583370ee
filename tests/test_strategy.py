"""fix --strategy: the DSNs each strategy writes, the fixes HYB001/HYB002/STR001 carry, the plan.

`converge` runs the real loop (`fix.run_fix`); the demo is also fixed through the CLI.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import pytest

from conftest import EXAMPLE, git_init, jwt, write_tree
from tekup_envlint import engine, plan as _plan
from tekup_envlint.config import DEFAULT, Config, SupabaseProject
from tekup_envlint.models import Fix

PRIMARY = "oaevagdgrasfppbrxbey"
LEGACY = "twaoebtlusudzxshjral"
POOLER = "aws-1-eu-central-1.pooler.supabase.com"
SESSION = f"postgresql://postgres.{PRIMARY}:${{SUPABASE_DB_PASSWORD}}@{POOLER}:5432/postgres"
TRANSACTION = f"postgresql://postgres.{PRIMARY}:${{SUPABASE_DB_PASSWORD}}@{POOLER}:6543/postgres?pgbouncer=true"
DOCKER = "postgresql://tekup:${POSTGRES_PASSWORD}@localhost:5432/tekup_db"
PRISMA = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
# a pooler URL already in the repository: where the shard comes from
CRM = {"apps/crm/package.json": "{}", "apps/crm/.env": f"DATABASE_URL={SESSION}?schema=crm\n",
       "apps/crm/prisma/schema.prisma": PRISMA}


def converge(root: Path, config: Config, unsafe: bool = True) -> Tuple[List[Fix], engine.Result]:
    """The real fix loop (`fix.run_fix`), written to disk: the fixes applied and the last check."""
    from tekup_envlint.fix import run_fix

    outcome = run_fix(root, config, unsafe=unsafe, write=True, allow_dirty=True)
    assert outcome.converged and not outcome.rejected, outcome.rejected
    assert outcome.result is not None
    return [fix for _, fix in outcome.applied], outcome.result


def run(tmp_path: Path, files: Dict[str, str], strategy: str, config: Config = DEFAULT, unsafe: bool = True,
        select: Tuple[str, ...] = ("HYB", "STR")):
    """Fix a small tree with the strategy's rules only (the demo tests run every rule)."""
    root = write_tree(tmp_path, files)
    git_init(root)
    applied, result = converge(root, replace(config, strategy=strategy, select=select), unsafe)
    return root, applied, result


def read(root: Path, path: str) -> str:
    return (root / path).read_text(encoding="utf-8")


def codes(result: engine.Result, prefixes: Sequence[str] = ("HYB", "STR")) -> List[Tuple[str, str]]:
    return [(f.code, f.path) for f in result.findings if f.code.startswith(tuple(prefixes))]


# --------------------------------------------------------------------------- supabase DSNs


def test_runtime_url_goes_to_the_transaction_pooler_with_pgbouncer(tmp_path: Path) -> None:
    root, applied, result = run(tmp_path, {
        **CRM,
        "apps/billy/package.json": "{}",
        "apps/billy/.env": "# cache\nDATABASE_URL=postgresql://tekup:tekup123@localhost:5432/tekup_db?schema=billy\n",
    }, "supabase")
    assert read(root, "apps/billy/.env") == f"# cache\nDATABASE_URL={TRANSACTION}&schema=billy\n"
    assert codes(result) == []
    assert all(f.applicability == "safe" for f in applied)  # a local default password is no secret lost


def test_direct_url_goes_to_session_mode(tmp_path: Path) -> None:
    root, _, result = run(tmp_path, {
        **CRM,
        "apps/billy/package.json": "{}",
        "apps/billy/.env": (f"DATABASE_URL={DOCKER}?schema=billy\n"
                            f"DIRECT_URL={DOCKER}?schema=billy&connect_timeout=10\n"),
    }, "supabase")
    assert read(root, "apps/billy/.env") == (f"DATABASE_URL={TRANSACTION}&schema=billy\n"
                                             f"DIRECT_URL={SESSION}?schema=billy&connect_timeout=10\n")
    assert codes(result) == []


def test_prisma_direct_url_variable_is_direct(tmp_path: Path) -> None:
    root, _, _ = run(tmp_path, {
        **CRM,
        "apps/billy/package.json": "{}",
        "apps/billy/prisma/schema.prisma": ('datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n'
                                            '  directUrl = env("MIGRATE_URL")\n}\n'),
        "apps/billy/.env": f"MIGRATE_URL={DOCKER}\n",
    }, "supabase")
    assert read(root, "apps/billy/.env") == f"MIGRATE_URL={SESSION}?schema=billy\n"  # schema from app-schemas


def test_schema_kept_or_taken_from_the_app_map(tmp_path: Path) -> None:
    root, _, _ = run(tmp_path, {
        **CRM,
        "apps/billy/package.json": "{}",
        "apps/billy/prisma/schema.prisma": PRISMA,
        "apps/billy/.env": (f"DATABASE_URL={DOCKER}?schema=renos\n"
                            f"OTHER_DATABASE_URL={DOCKER}\n"
                            f"PATH_DATABASE_URL={DOCKER}?options=-c%20search_path%3Dbilly\n"),
    }, "supabase")
    assert read(root, "apps/billy/.env") == (f"DATABASE_URL={TRANSACTION}&schema=renos\n"
                                             f"OTHER_DATABASE_URL={TRANSACTION}&schema=billy\n"
                                             f"PATH_DATABASE_URL={TRANSACTION}&options=-c%20search_path%3Dbilly\n")


def test_unknown_shard_is_never_guessed(tmp_path: Path) -> None:
    files = {
        "apps/billy/package.json": "{}",
        "apps/billy/.env": f"SUPABASE_URL=https://{PRIMARY}.supabase.co\nDATABASE_URL={DOCKER}\nDIRECT_URL={DOCKER}\n",
    }
    root, applied, result = run(tmp_path, files, "supabase")
    text = read(root, "apps/billy/.env")
    assert "pooler.supabase.com" not in text and "aws-" not in text
    # the direct host needs no shard, the runtime URL does: it stays, and the plan says why;
    # DIRECT_URL stays with it (migrations on Supabase while the app runs on Docker would
    # migrate a database the app does not use)
    assert f"DATABASE_URL={DOCKER}\nDIRECT_URL={DOCKER}\n" in text
    assert ("STR001", "apps/billy/.env") in codes(result)
    made = _plan.build_plan(result.workspace, applied, "supabase")
    assert any("pooler host" in line and "cannot be derived" in line for line in made.manual)
    assert "pooler" in _plan.to_markdown(made)


def test_configured_pooler_host_wins(tmp_path: Path) -> None:
    config = replace(DEFAULT, primary=SupabaseProject(PRIMARY, "eu-central-1", "aws-0-eu-central-1.pooler.supabase.com"))
    root, _, result = run(tmp_path, {
        **CRM, "apps/billy/package.json": "{}", "apps/billy/.env": f"DATABASE_URL={DOCKER}\n",
        "apps/billy/prisma/schema.prisma": PRISMA,
    }, "supabase", config)
    assert "@aws-0-eu-central-1.pooler.supabase.com:6543/postgres?pgbouncer=true" in read(root, "apps/billy/.env")
    assert codes(result) == []


def test_local_files_keep_docker(tmp_path: Path) -> None:
    local = f"DATABASE_URL={DOCKER}?schema=billy\n"
    root, applied, _ = run(tmp_path, {
        **CRM, "apps/billy/package.json": "{}", "apps/billy/.env.development": local,
    }, "supabase")
    assert read(root, "apps/billy/.env.development") == local and applied == []


def test_quote_style_kept(tmp_path: Path) -> None:
    root, _, _ = run(tmp_path, {
        **CRM, "apps/billy/package.json": "{}", "apps/billy/prisma/schema.prisma": PRISMA,
        "apps/billy/.env": f'DATABASE_URL="{DOCKER}"\nDIRECT_URL=\'postgresql://u:postgres@localhost/db\'\n',
    }, "supabase")
    # double quotes stay; single quotes would stop ${...} expansion for Compose, so they become double
    assert read(root, "apps/billy/.env") == f'DATABASE_URL="{TRANSACTION}&schema=billy"\nDIRECT_URL="{SESSION}?schema=billy"\n'


# --------------------------------------------------------------------------- legacy project


def test_legacy_jwt_becomes_a_reference_and_the_plan_says_which_key(tmp_path: Path) -> None:
    key = jwt({"iss": "supabase", "ref": LEGACY, "role": "service_role", "iat": 1700000000, "exp": 2015576000})
    root, applied, result = run(tmp_path, {
        "apps/vault/package.json": "{}",
        "apps/vault/.env.production": f"SUPABASE_URL=https://{LEGACY}.supabase.co\nSUPABASE_SERVICE_KEY={key}\n",
        "apps/vault/.env.example": f"SUPABASE_SERVICE_KEY={key}\n",
    }, "supabase")
    assert read(root, "apps/vault/.env.production") == (
        f"SUPABASE_URL=https://{PRIMARY}.supabase.co\nSUPABASE_SERVICE_KEY=${{SUPABASE_SERVICE_KEY}}\n")
    assert read(root, "apps/vault/.env.example") == "SUPABASE_SERVICE_KEY=your_supabase_service_key\n"
    # moved, never dropped: the old key waits, not loaded (a comment), in gitignored files: the
    # local file of .env.production, and one for the template's value
    import subprocess

    ignored = subprocess.run(["git", "-C", str(root), "ls-files", "--others", "--ignored", "--exclude-standard"],
                             capture_output=True, text=True, check=True).stdout.split()
    holding = [p for p in ignored if key in read(root, p)]
    assert "apps/vault/.env.production.local" in holding and len(holding) == 2
    assert all(line.startswith("#") for p in holding for line in read(root, p).splitlines() if key in line)
    assert codes(result) == []
    assert any(f.applicability == "unsafe" for f in applied)
    made = _plan.build_plan(result.workspace, applied, "supabase")
    assert any("service_role key" in k and PRIMARY in k and "API Keys" in k for k in made.keys)
    assert any(".env.production.local" in s for s in made.secrets)
    for text in (_plan.to_markdown(made), _plan.to_text(made)):
        assert key not in text and key[-20:] not in text


def test_legacy_dsn_moves_to_the_primary_project(tmp_path: Path) -> None:
    root, applied, result = run(tmp_path, {
        **CRM, "apps/vault/package.json": "{}",
        "apps/vault/.env.example": f"DATABASE_URL=postgresql://postgres:[YOUR-PASSWORD]@db.{LEGACY}.supabase.co:5432/postgres\n",
    }, "supabase")
    assert read(root, "apps/vault/.env.example") == f"DATABASE_URL={TRANSACTION}&schema=vault\n"
    assert codes(result) == []
    made = _plan.build_plan(result.workspace, applied, "supabase")
    dump = [c for step in made.data for c in step.commands if f"db.{LEGACY}.supabase.co" in c and "pg_dump" in c]
    assert dump and "--schema=vault" in dump[0] and 'PGPASSWORD="${LEGACY_DB_PASSWORD}"' in dump[0]


# --------------------------------------------------------------------------- Compose environments


@pytest.mark.parametrize("form", ["list", "map", "quoted-list", "quoted-map"])
def test_compose_environment_forms(tmp_path: Path, form: str) -> None:
    dsn = "postgresql://tekup:${POSTGRES_PASSWORD:-}@postgres:5432/tekup_db?schema=crm"
    entry = {
        "list": f"      - DATABASE_URL={dsn}\n",
        "map": f"      DATABASE_URL: {dsn}\n",
        "quoted-list": f'      - "DATABASE_URL={dsn}"\n',
        "quoted-map": f"      DATABASE_URL: '{dsn}'\n",
    }[form]
    compose = f"# the CRM\nservices:\n  crm:\n    build: .\n    environment:\n{entry}"
    root, _, result = run(tmp_path, {
        "apps/crm/package.json": "{}",
        "apps/crm/.env": f"SUPABASE_URL=https://{PRIMARY}.supabase.co\nDATABASE_URL={SESSION}?schema=crm\n",
        "apps/crm/docker-compose.yml": compose,
    }, "supabase")
    want = f"{TRANSACTION}&schema=crm"
    expected = {
        "list": f"      - DATABASE_URL={want}\n",
        "map": f"      DATABASE_URL: {want}\n",
        "quoted-list": f'      - "DATABASE_URL={want}"\n',
        "quoted-map": f"      DATABASE_URL: '{want}'\n",
    }[form]
    assert read(root, "apps/crm/docker-compose.yml") == compose.replace(entry, expected)
    assert codes(result) == []
    import yaml

    env = yaml.safe_load(read(root, "apps/crm/docker-compose.yml"))["services"]["crm"]["environment"]
    assert (env["DATABASE_URL"] if isinstance(env, dict) else env[0].split("=", 1)[1]) == want


def test_docker_reads_the_compose_database(tmp_path: Path) -> None:
    compose = ("services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: app\n"
               "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n      POSTGRES_DB: appdb\n    ports:\n"
               "      - \"5544:5432\"\n  api:\n    build: .\n    environment:\n"
               f"      - DATABASE_URL=postgresql://postgres:[YOUR-PASSWORD]@db.{LEGACY}.supabase.co:5432/postgres\n")
    root, _, result = run(tmp_path, {
        "apps/api/package.json": "{}",
        "apps/api/docker-compose.yml": compose,
        "apps/api/.env": f"DATABASE_URL={SESSION}?schema=api&sslmode=require\nSUPABASE_URL=https://{PRIMARY}.supabase.co\n",
    }, "docker")
    # from the host: localhost and the published port; inside the project (a legacy DSN, which
    # HYB002 reports everywhere): the service and its container port
    assert read(root, "apps/api/.env") == "DATABASE_URL=postgresql://app:${POSTGRES_PASSWORD}@localhost:5544/appdb?schema=api\n"
    assert "      - DATABASE_URL=postgresql://app:${POSTGRES_PASSWORD}@db:5432/appdb\n" in read(
        root, "apps/api/docker-compose.yml")
    assert codes(result) == []


# --------------------------------------------------------------------------- the rules agree


def test_hyb001_and_str001_write_the_same_edit(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        **CRM, "apps/billy/package.json": "{}",
        "apps/billy/.env": f"SUPABASE_URL=https://{PRIMARY}.supabase.co\nDATABASE_URL={DOCKER}\n",
    })
    git_init(root)
    found = engine.run(root, replace(DEFAULT, strategy="supabase")).findings
    hyb = next(f for f in found if f.code == "HYB001")
    str1 = next(f for f in found if f.code == "STR001")
    assert hyb.fix is not None and str1.fix is not None
    assert set(str1.fix.edits) <= set(hyb.fix.edits)


def test_no_strategy_no_fix(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {
        **CRM, "apps/billy/package.json": "{}",
        "apps/billy/.env": f"SUPABASE_URL=https://{LEGACY}.supabase.co\nDATABASE_URL={DOCKER}\n",
    })
    found = engine.run(root, replace(DEFAULT, strategy=None)).findings
    assert [f for f in found if f.code.startswith(("HYB", "STR")) and f.fix is not None] == []


# --------------------------------------------------------------------------- the demo


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(EXAMPLE, root)
    git_init(root)
    return root


def _tracked_secrets(root: Path) -> Dict[str, List[str]]:
    """The secrets of each tracked file (well-known local defaults aside)."""
    from tekup_envlint.patterns import secret_shapes
    from tekup_envlint.redact import secrets_in

    result = engine.run(root, DEFAULT)
    defaults = secret_shapes().local_default_passwords
    found: Dict[str, List[str]] = {}
    for parsed in result.workspace.files:
        if parsed.source.tracked:
            found[parsed.source.path] = [s for st in parsed.settings for s in secrets_in(st.key, st.value)
                                         if s not in defaults]
    return found


@pytest.mark.parametrize("strategy", ["supabase", "docker"])
def test_demo_converges_without_hybrid_or_strategy_findings(demo: Path, strategy: str) -> None:
    from tekup_envlint import config_file

    before = _tracked_secrets(demo)
    config = replace(config_file.load(demo), strategy=strategy)
    applied, result = converge(demo, config)
    assert applied and codes(result) == []
    snapshot = {p: p.read_bytes() for p in demo.rglob("*") if p.is_file() and ".git" not in p.parts}
    again, _ = converge(demo, config)
    assert again == [] and snapshot == {p: p.read_bytes() for p in demo.rglob("*") if p.is_file() and ".git" not in p.parts}
    # every secret a fix took out of a tracked file is in a gitignored file
    import subprocess

    ignored = subprocess.run(["git", "-C", str(demo), "ls-files", "--others", "--ignored", "--exclude-standard"],
                             capture_output=True, text=True, check=True).stdout.split()
    kept = "".join(read(demo, path) for path in ignored)
    changed = {e.path for fix in applied for e in fix.edits}
    gone = [s for path, secrets in before.items() if path in changed for s in secrets if s not in read(demo, path)]
    assert gone if strategy == "docker" else True
    assert all(s in kept for s in gone)
    made = _plan.build_plan(result.workspace, applied, strategy)
    text = _plan.to_markdown(made) + _plan.to_text(made)
    assert all(s not in text for secrets in before.values() for s in secrets)
    assert "pg_dump" in text and "npx prisma migrate deploy" in text and "survey --compare" in text


def test_compose_secret_kept_beside_a_committed_project_env(tmp_path: Path) -> None:
    key = jwt({"iss": "supabase", "ref": PRIMARY, "role": "service_role", "iat": 1700000000, "exp": 2015576000})
    compose = ("services:\n  api:\n    build: .\n    environment:\n"
               f"      DATABASE_URL: {DOCKER}\n      SUPABASE_SERVICE_KEY: {key}\n      PORT: '3000'\n")
    root, applied, result = run(tmp_path, {
        "apps/api/package.json": "{}",
        "apps/api/.env": "LOG_LEVEL=info\n",  # the Compose project's .env, committed
        "apps/api/docker-compose.yml": compose,
    }, "docker")
    assert read(root, "apps/api/docker-compose.yml") == compose.replace(f"      SUPABASE_SERVICE_KEY: {key}\n", "")
    assert read(root, "apps/api/.env") == "LOG_LEVEL=info\n"  # never a secret into a committed file
    assert f"# SUPABASE_SERVICE_KEY={key}" in read(root, "apps/api/.env.local")
    assert codes(result) == []
    import yaml

    assert sorted(yaml.safe_load(read(root, "apps/api/docker-compose.yml"))["services"]["api"]["environment"]) == [
        "DATABASE_URL", "PORT"]


def test_plan_without_strategy_work_is_empty(tmp_path: Path) -> None:
    root, applied, result = run(tmp_path, {
        "apps/billy/package.json": "{}", "apps/billy/.env": f"DATABASE_URL={DOCKER}?schema=billy\n",
    }, "docker")
    made = _plan.build_plan(result.workspace, applied, "docker")
    assert applied == [] and made.empty
    assert "nothing needs a person" in _plan.to_text(made)


def test_a_dsn_default_is_rewritten_and_the_variable_still_overrides(tmp_path: Path) -> None:
    compose = ("services:\n  crm:\n    build: .\n    environment:\n"
               "      DATABASE_URL: ${CRM_DATABASE_URL:-postgresql://postgres:postgres@postgres:5432/crm?sslmode=disable}\n")
    root, _, result = run(tmp_path, {
        **CRM,
        "apps/crm/docker-compose.yml": compose,
        "apps/crm/.env": f"SUPABASE_URL=https://{PRIMARY}.supabase.co\n" + CRM["apps/crm/.env"],
    }, "supabase")
    assert read(root, "apps/crm/docker-compose.yml") == compose.replace(
        "postgresql://postgres:postgres@postgres:5432/crm?sslmode=disable",
        f"{TRANSACTION}&schema=crm")  # no sslmode=disable towards the cloud
    assert codes(result) == []


# --------------------------------------------------------------------------- rendering


from hypothesis import given, settings, strategies as st  # noqa: E402

from tekup_envlint.models import SourceFile  # noqa: E402
from tekup_envlint.parsers import parse_text  # noqa: E402
from tekup_envlint.strategy import _list_item_quoted, render  # noqa: E402

_VALUES = st.text(st.sampled_from(list("abcXYZ019:/@?&=%._-${}#' \"\\")), min_size=1, max_size=30)
_DOTENV = ["K={v}\n", 'K="{v}"\n', "K='{v}'\n", "export K={v}\n"]
_COMPOSE = ["services:\n  s:\n    environment:\n      K: {v}\n",
            "services:\n  s:\n    environment:\n      K: \"{v}\"\n",
            "services:\n  s:\n    environment:\n      K: '{v}'\n",
            "services:\n  s:\n    environment:\n      - K={v}\n",
            "services:\n  s:\n    environment:\n      - \"K={v}\"\n"]


@settings(max_examples=150, deadline=None)
@given(form=st.sampled_from(_DOTENV + _COMPOSE), value=_VALUES)
def test_a_rendered_value_reads_back(form: str, value: str) -> None:
    """Whatever the quoting, the written value is what a reader gets back, and the text
    around it is unchanged."""
    kind, name = ("compose", "docker-compose.yml") if form.startswith("services") else ("dotenv", ".env")
    source = SourceFile(name, kind, ".", "default", True)
    text = form.format(v="postgresql://u@h/db")
    parsed = parse_text(source, text)
    setting = next(s for s in parsed.settings if s.key == "K")
    whole = _list_item_quoted(parsed, setting, value)
    start, end = (whole.start, whole.end) if whole else (setting.value_span.start, setting.value_span.end)
    new = text[:start] + (whole.replacement if whole else render(parsed, setting, value)) + text[end:]
    again = parse_text(source, new)
    assert [s.value for s in again.settings if s.key == "K"] == [value]
    assert not again.problems
    assert new.startswith(text[:start]) and new.endswith(text[end:])


def test_docker_from_a_container_without_its_own_database(tmp_path: Path) -> None:
    compose = ("services:\n  crm:\n    build: .\n    environment:\n"
               f"      DATABASE_URL: {SESSION}?schema=crm\n      SUPABASE_URL: https://{LEGACY}.supabase.co\n")
    root, applied, result = run(tmp_path, {
        "apps/crm/package.json": "{}", "apps/crm/docker-compose.yml": compose,
    }, "docker")
    text = read(root, "apps/crm/docker-compose.yml")
    assert "DATABASE_URL: postgresql://tekup:${POSTGRES_PASSWORD}@host.docker.internal:5432/tekup_db?schema=crm\n" in text
    assert "SUPABASE_URL" not in text and codes(result) == []
    made = _plan.build_plan(result.workspace, applied, "docker")
    assert any("host-gateway" in line for line in made.manual)


@pytest.mark.parametrize("strategy", ["supabase", "docker"])
def test_demo_through_the_cli(demo: Path, strategy: str) -> None:
    """As a user runs it: `fix --strategy X --unsafe-fixes`, then `check` shows no hybrid or
    strategy finding and a second `fix --diff` would change nothing."""
    import json
    import os
    import subprocess
    import sys

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "tekup_envlint", *args], cwd=demo, capture_output=True, text=True,
                              env=dict(os.environ, NO_COLOR="1"))

    subprocess.run(["git", "-C", str(demo), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "demo"],
                   check=True)
    done = cli("fix", "--strategy", strategy, "--unsafe-fixes", ".")
    assert done.returncode in (0, 1), done.stderr
    assert "Plan (strategy" in done.stdout and "pg_dump" in done.stdout
    config = demo / ".tekup-envlint.toml"
    config.write_text(config.read_text().replace('strategy = "supabase"', f'strategy = "{strategy}"'))
    report = json.loads(cli("check", "--format", "json", ".").stdout)
    assert [f["code"] for f in report["findings"] if f["code"].startswith(("HYB", "STR"))] == []
    assert cli("fix", "--strategy", strategy, "--unsafe-fixes", "--diff", ".").returncode == 0


def test_a_hybrid_made_by_a_local_file_needs_a_person(tmp_path: Path) -> None:
    files = {**CRM, "apps/billy/package.json": "{}",
             "apps/billy/.env": f"DATABASE_URL={TRANSACTION}&schema=billy\n",
             "apps/billy/.env.local": f"DATABASE_URL_LOCAL={DOCKER}\n"}
    root, applied, result = run(tmp_path, files, "supabase")
    assert read(root, "apps/billy/.env.local") == files["apps/billy/.env.local"]  # local keeps Docker
    assert ("HYB001", "apps/billy/.env") in codes(result)
    made = _plan.build_plan(result.workspace, applied, "supabase")
    assert any("still reads two providers" in line and "DATABASE_URL_LOCAL" in line for line in made.manual)


def test_a_client_that_is_not_prisma_gets_libpq_parameters(tmp_path: Path) -> None:
    # a driver's scheme is never Prisma's: no `schema=` nor `pgbouncer=` (its client rejects
    # both), the scheme the app wrote is kept, and the plan says what to turn off
    root, applied, result = run(tmp_path, {
        **CRM, "apps/billy/package.json": "{}",
        "apps/billy/.env": "DATABASE_URL=postgresql+asyncpg://tekup:tekup123@localhost:5432/tekup_db?sslmode=disable\n",
    }, "supabase")
    assert read(root, "apps/billy/.env") == (
        f"DATABASE_URL=postgresql+asyncpg://postgres.{PRIMARY}:${{SUPABASE_DB_PASSWORD}}@{POOLER}:6543/postgres"
        "?options=-c%20search_path%3Dbilly\n")
    made = _plan.build_plan(result.workspace, applied, "supabase")
    assert any("prepared" in line for line in made.manual)


def test_plan_asks_for_a_direct_url_when_prisma_would_migrate_through_the_pooler(tmp_path: Path) -> None:
    root, applied, result = run(tmp_path, {
        **CRM, "apps/billy/package.json": "{}", "apps/billy/prisma/schema.prisma": PRISMA,
        "apps/billy/.env": f"DATABASE_URL={DOCKER}\n",
    }, "supabase")
    made = _plan.build_plan(result.workspace, applied, "supabase")
    assert any(line.startswith("apps/billy/prisma/schema.prisma: datasource db reads DATABASE_URL through the "
                               "transaction pooler") and f"{SESSION}" in line for line in made.manual)


def test_docker_moves_a_deploying_compose_service_off_supabase(tmp_path: Path) -> None:
    compose = ("services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: app\n"
               "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n      POSTGRES_DB: appdb\n  api:\n    build: .\n"
               f"    environment:\n      DATABASE_URL: {TRANSACTION}&schema=api\n")
    root, _, result = run(tmp_path, {
        "apps/api/package.json": "{}", "apps/api/docker-compose.yml": compose,
        "apps/api/.env": "LOG_LEVEL=info\n",  # baked into the image: the service deploys
    }, "docker")
    assert "      DATABASE_URL: postgresql://app:${POSTGRES_PASSWORD}@db:5432/appdb?schema=api\n" in read(
        root, "apps/api/docker-compose.yml")
    assert codes(result) == []


def test_a_compose_service_that_does_not_deploy_is_local(tmp_path: Path) -> None:
    compose = ("services:\n  api:\n    image: node:20\n    environment:\n"
               f"      DATABASE_URL: {DOCKER}\n")
    root, applied, result = run(tmp_path, {**CRM, "apps/api/package.json": "{}",
                                           "apps/api/docker-compose.yml": compose}, "supabase")
    assert read(root, "apps/api/docker-compose.yml") == compose and applied == [] and codes(result) == []


@pytest.mark.parametrize("strategy", ["supabase", "docker"])
def test_one_database_one_password_variable(tmp_path: Path, strategy: str) -> None:
    """A password the credential fix moves out of a DSN that logs in to a strategy's target as
    its owner takes the strategy's variable (SUPABASE_DB_PASSWORD, POSTGRES_PASSWORD), so the
    DSNs the strategy rewrites read the same, already set, variable; a legacy project's
    password, another database, keeps a name of its own."""
    pooled = f"postgresql://postgres.{PRIMARY}:Xk9pQ2vLm7RtW4sZ@{POOLER}:6543/postgres"
    root, _, result = run(tmp_path, {
        **CRM,
        "apps/ai/package.json": "{}",
        "apps/ai/.env": (f"DATABASE_URL={pooled}\n"
                         "DATABASE_URL_VAULT=postgresql://tekup:tekup123@localhost:5432/tekup_db?schema=vault\n"
                         f"LEGACY_URL=postgresql://postgres:Lg7vQ2pLm9RtW4sX@db.{LEGACY}.supabase.co:5432/postgres\n"),
    }, strategy, select=("HYB", "STR", "CRD001"))
    env, local = read(root, "apps/ai/.env"), read(root, "apps/ai/.env.local")
    if strategy == "supabase":
        assert f"DATABASE_URL=postgresql://postgres.{PRIMARY}:${{SUPABASE_DB_PASSWORD}}@{POOLER}:6543" in env
        assert "SUPABASE_DB_PASSWORD=Xk9pQ2vLm7RtW4sZ\n" in local
        assert "DATABASE_VAULT_PASSWORD" not in env + local  # rewritten by the strategy, not moved
    else:
        assert "DATABASE_URL_VAULT=postgresql://tekup:${POSTGRES_PASSWORD}@localhost:5432/tekup_db?schema=vault" in env
        assert "POSTGRES_PASSWORD=tekup123\n" in local
        assert "DATABASE_VAULT_PASSWORD" not in env + local
    assert "SUPABASE_DB_PASSWORD=Lg7v" not in local and "POSTGRES_PASSWORD=Lg7v" not in local
    assert [f.code for f in result.findings if f.code in ("CRD001", "HYB001", "STR001")] == []


@pytest.mark.parametrize("strategy", ["supabase", "docker"])
def test_a_database_that_is_neither_supabase_nor_docker_is_never_repointed(tmp_path: Path, strategy: str) -> None:
    """An analytics database or a replica on another host is not one of the two options the
    strategy decides between: its DSN (in a deployable file, in a Compose anchor that a
    hybrid service merges) keeps its value, and the finding says a person decides."""
    analytics = "postgresql://reader:${ANALYTICS_PASSWORD}@analytics-db.acme.io:5432/events"
    compose = ("x-env: &env\n"
               "  DATABASE_URL: postgresql://app:${POSTGRES_PASSWORD}@postgres:5432/appdb\n"
               f"  ANALYTICS_DATABASE_URL: {analytics}\n"
               "services:\n"
               "  postgres:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: app\n"
               "      POSTGRES_DB: appdb\n    ports: [\"5433:5432\"]\n"
               "  worker:\n    image: x\n    environment:\n      <<: *env\n")
    root, _, result = run(tmp_path, {
        **CRM,
        "apps/billy/package.json": "{}",
        "apps/billy/.env": f"DATABASE_URL={DOCKER}?schema=billy\nANALYTICS_URL={analytics}\n",
        "docker-compose.yml": compose,
    }, strategy)
    assert f"ANALYTICS_URL={analytics}\n" in read(root, "apps/billy/.env")
    assert read(root, "docker-compose.yml") == compose
    left = [f for f in result.findings if f.key in ("ANALYTICS_URL", "ANALYTICS_DATABASE_URL")
            or "ANALYTICS" in f.message]
    assert left and all(f.fix is None for f in left), [(f.code, f.key, f.message[:80]) for f in result.findings]
    if strategy == "supabase":
        assert f"DATABASE_URL={TRANSACTION}&schema=billy\n" in read(root, "apps/billy/.env")


def test_a_direct_url_does_not_leave_its_runtime_url_behind(tmp_path: Path) -> None:
    """Without a pooler host the runtime URL has no fix; moving only DIRECT_URL (the direct
    host needs no shard) would run migrations on Supabase while the app reads Docker, and
    make a Docker-only load set hybrid."""
    env = f"DATABASE_URL={DOCKER}\nDIRECT_URL={DOCKER}\n"
    root, applied, result = run(tmp_path, {"apps/billy/package.json": "{}", "apps/billy/.env": env}, "supabase")
    assert read(root, "apps/billy/.env") == env and applied == []
    assert [f.code for f in result.findings if f.code == "HYB001"] == []
    assert all(f.fix is None for f in result.findings if f.code == "STR001")


@pytest.mark.parametrize("name", [".env.test.example", ".env.development.example", ".env.local.example"])
def test_a_template_of_a_local_file_keeps_docker(tmp_path: Path, name: str) -> None:
    """A template is what its copy will be: `.env.test.example` becomes a test file, which
    keeps Docker under the supabase strategy (tests and migrations never reach production)."""
    local = f"DIRECT_URL={DOCKER}\nDATABASE_URL={DOCKER}\n"
    root, applied, result = run(tmp_path, {**CRM, "apps/billy/package.json": "{}", f"apps/billy/{name}": local},
                                "supabase")
    assert read(root, f"apps/billy/{name}") == local and applied == []
    assert ("STR001", f"apps/billy/{name}") not in codes(result)


def test_the_data_steps_dump_every_schema_the_apps_use(tmp_path: Path) -> None:
    """The dump takes the schemas the connection strings name, and `public` for one that
    names none: a schema missing from `pg_dump --schema` is data left behind."""
    root, applied, result = run(tmp_path, {
        **CRM,
        "apps/api/package.json": "{}",
        "apps/api/.env": f"DATABASE_URL={DOCKER}?schema=api\n",
        "apps/web/package.json": "{}",
        "apps/web/.env": f"DATABASE_URL={DOCKER}\n",
    }, "supabase")
    text = _plan.to_markdown(_plan.build_plan(result.workspace, applied, "supabase"))
    dump = next(line for line in text.splitlines() if "pg_dump" in line and "tekup_db" in line)
    assert "--schema=api" in dump and "--schema=public" in dump and "--schema=crm" in dump


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_a_removed_first_line_keeps_the_bom_and_the_line_breaks(tmp_path: Path, newline: str) -> None:
    """docker takes SUPABASE_URL out of a tracked default file: the line goes, the BOM before
    it and the file's own line breaks (CR LF, a lone CR) stay."""
    nl = newline
    text = f"\ufeffSUPABASE_URL=https://{PRIMARY}.supabase.co{nl}DATABASE_URL={DOCKER}{nl}PORT=3000{nl}"
    root = write_tree(tmp_path, {"apps/web/package.json": "{}"})
    (root / "apps/web/.env").write_bytes(text.encode("utf-8"))
    git_init(root)
    converge(root, replace(DEFAULT, strategy="docker", select=("HYB", "STR")))
    assert (root / "apps/web/.env").read_bytes().decode("utf-8") == f"\ufeffDATABASE_URL={DOCKER}{nl}PORT=3000{nl}"
