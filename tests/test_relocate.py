"""Moving secrets out of tracked files (`relocate.py`) and the credential fixes that use it.

Every test builds a small git repository, runs the engine, applies the fixes' edits with
`edits.apply_edits` (round after round, as the fix loop does) and checks the files and a
second `check`. Secret-looking test values are assembled at run time.
"""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import pytest

from tekup_envlint import engine, relocate
from tekup_envlint.config import DEFAULT
from tekup_envlint.edits import apply_edits
from tekup_envlint.models import Finding
from conftest import app, jwt, write_tree

PW = "Xq7pLm2v" + "Rt9sKd4w"
POOLER = "aws-1-eu-central-1.pooler.supabase.com"
# a role of its own (not the project owner `postgres`, whose password is SUPABASE_DB_PASSWORD):
# the password takes a name derived from the key
REMOTE_DSN = f"postgresql://tekup_app.oaevagdgrasfppbrxbey:{PW}@{POOLER}:6543/postgres"
SALT = "7c1e9a4f" + "2b8d6e3a0f5c9b2d4e8a1f6c"
SERVICE_JWT = jwt({"iss": "supabase", "ref": "oaevagdgrasfppbrxbey", "role": "service_role", "iat": 1700000000,
                   "exp": 2015576000})
CRD = ("CRD001", "CRD002", "CRD004", "CRD005", "CRD008")


def repo(root: Path, files: Dict[str, str], commit: bool = True) -> Path:
    write_tree(root, files)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    if commit:
        subprocess.run(["git", "-C", str(root), "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "x"],
                       check=True)
    return root


def read(root: Path, rel: str) -> Optional[str]:
    path = root / rel
    return path.read_bytes().decode("utf-8") if path.exists() else None


def fix(root: Path, codes: Sequence[str] = CRD, rounds: int = 5) -> List[Finding]:
    """Apply every fix of `codes` until none is left; the fixed findings, in order."""
    applied: List[Finding] = []
    for _ in range(rounds):
        findings = [f for f in engine.run(root, DEFAULT).findings if f.fix is not None and f.code in codes]
        if not findings:
            return applied
        by_path = defaultdict(list)
        for finding in findings:
            for edit in finding.fix.edits:
                by_path[edit.path].append(edit)
        for path, edits in by_path.items():
            old = read(root, path) or ""
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(apply_edits(old, edits).encode("utf-8"))
        applied.extend(findings)
    raise AssertionError("fixes did not converge")


def codes(root: Path) -> List[str]:
    return sorted(f.code for f in engine.run(root, DEFAULT).findings if f.code.startswith("CRD"))


def ignored(root: Path, rel: str) -> bool:
    done = subprocess.run(["git", "-C", str(root), "check-ignore", "-q", "--no-index", rel])
    return done.returncode == 0


# --------------------------------------------------------------------------- dotenv


def test_dsn_password_moves_to_env_local_with_gitignore(tmp_path):
    root = repo(tmp_path, app({".env": f"# prod\nDATABASE_URL={REMOTE_DSN}\nPORT=3000\n"}))
    fixed = fix(root)
    assert [f.code for f in fixed] == ["CRD001"]
    assert fixed[0].fix.applicability == "unsafe"
    note = fixed[0].fix.notes[0]
    assert "apps/a/.env.local" in note and PW not in note and PW not in fixed[0].fix.title
    assert read(root, "apps/a/.env") == (
        "# prod\nDATABASE_URL=postgresql://tekup_app.oaevagdgrasfppbrxbey:${DATABASE_PASSWORD}@"
        f"{POOLER}:6543/postgres\nPORT=3000\n")
    assert read(root, "apps/a/.env.local") == f"DATABASE_PASSWORD={PW}\n"
    assert read(root, ".gitignore") == "/apps/a/.env.local\n"
    assert ignored(root, "apps/a/.env.local")
    assert codes(root) == []
    assert fix(root) == []  # fixing a fixed tree changes nothing


MODES = ("development", "production", "test")


def three_modes(tmp_path: Path) -> Path:
    """An app with a remote DSN's password in `.env.development`, `.env.production` and `.env.test`."""
    return repo(tmp_path, app({f".env.{mode}": f"DATABASE_URL={REMOTE_DSN}\n" for mode in MODES}))


def crd001_fixes(root: Path) -> list:
    """The fixes a check computes for its CRD001 findings (one per mode file here)."""
    fixes = [f.fix for f in engine.run(root, DEFAULT).findings if f.code == "CRD001"]
    assert len(fixes) == len(MODES) and all(fixes)
    return fixes


def test_the_local_files_of_every_mode_are_asked_of_git_at_once(tmp_path, monkeypatch):
    """A check computes each finding's fix: secrets in `.env.development`, `.env.production`
    and `.env.test` move to three `.local` files, and git is asked whether those are ignored
    in one process, not one per name (the workspace asks once more, for its own load sets)."""
    from tekup_envlint import discovery

    root = three_modes(tmp_path)
    asked: List[List[str]] = []
    real = discovery.git_ignored

    def counting(at: Path, paths: Sequence[str]) -> Optional[set]:
        asked.append(list(paths))
        return real(at, paths)

    monkeypatch.setattr(discovery, "git_ignored", counting)
    crd001_fixes(root)
    relocated = [paths for paths in asked if "apps/a/.env.test.local" in paths]
    assert len(relocated) == 1 and len(asked) <= 2, asked
    assert {f"apps/a/.env.{mode}.local" for mode in MODES} <= set(relocated[0])


def test_the_local_file_names_are_found_once_per_workspace(tmp_path, monkeypatch):
    """Every fix asks whether its destination is ignored; the names of the local files are
    found from the workspace's files once, not once per fix (that made a check of a large
    tree quadratic: files x fixes)."""
    root = three_modes(tmp_path)
    seen: List[str] = []
    real = relocate.dotenv_name

    def counting(name, config):
        if sys._getframe(2).f_code.co_name == "_local_names":  # its scan (a generator expression)
            seen.append(name)
        return real(name, config)

    monkeypatch.setattr(relocate, "dotenv_name", counting)
    crd001_fixes(root)
    assert sorted(seen) == [f".env.{mode}" for mode in MODES]


def test_whole_secret_line_is_deleted_and_set_in_the_local_file(tmp_path):
    root = repo(tmp_path, app({".env.production": f"A=1\nexport ENCRYPTION_SALT={SALT}  # salt\nB=2\n"}))
    fix(root)
    assert read(root, "apps/a/.env.production") == "A=1\nB=2\n"
    assert read(root, "apps/a/.env.production.local") == f"ENCRYPTION_SALT={SALT}  # salt\n"  # the comment goes along
    assert codes(root) == []


def test_service_role_key_keeps_its_quotes(tmp_path):
    root = repo(tmp_path, app({".env": f'SUPABASE_URL=https://oaevagdgrasfppbrxbey.supabase.co\n'
                                       f'SUPABASE_SERVICE_ROLE_KEY="{SERVICE_JWT}"\n'}))
    fixed = fix(root)
    assert [f.code for f in fixed] == ["CRD002"]
    assert read(root, "apps/a/.env.local") == f'SUPABASE_SERVICE_ROLE_KEY="{SERVICE_JWT}"\n'
    assert "SERVICE_ROLE" not in read(root, "apps/a/.env")
    assert codes(root) == []


@pytest.mark.parametrize("quote", ['"', "'"])
def test_quoted_dsn(tmp_path, quote):
    root = repo(tmp_path, app({".env": f"DATABASE_URL={quote}{REMOTE_DSN}{quote}\n"}))
    fix(root)
    # a single-quoted value becomes double-quoted: dotenv-expand and Compose expand nothing in ''
    assert read(root, "apps/a/.env") == (
        f'DATABASE_URL="postgresql://tekup_app.oaevagdgrasfppbrxbey:${{DATABASE_PASSWORD}}@{POOLER}:6543/postgres"\n')
    assert read(root, "apps/a/.env.local") == f"DATABASE_PASSWORD={PW}\n"


def test_crlf_bom_and_existing_destination_without_final_newline(tmp_path):
    root = repo(tmp_path, app({
        ".env": f"\ufeffENCRYPTION_SALT={SALT}\r\nA=1\r\n",
        ".env.local": "X=0\nLOCAL=1",  # LF, no final newline
        ".gitignore": ".env.local\n",  # already covered
    }))
    fix(root)
    assert read(root, "apps/a/.env") == "\ufeffA=1\r\n"
    assert read(root, "apps/a/.env.local") == f"X=0\nLOCAL=1\nENCRYPTION_SALT={SALT}\n"  # its own line break
    assert read(root, "apps/a/.gitignore") == ".env.local\n"
    assert not (root / ".gitignore").exists()


def test_new_destination_takes_the_sources_line_break(tmp_path):
    root = repo(tmp_path, app({".env": f"DATABASE_URL={REMOTE_DSN}\r\n"}))
    fix(root)
    assert read(root, "apps/a/.env.local") == f"DATABASE_PASSWORD={PW}\r\n"


def test_nearest_gitignore_gets_the_line(tmp_path):
    root = repo(tmp_path, app({".env": f"DATABASE_URL={REMOTE_DSN}\n", ".gitignore": "node_modules"}))
    fix(root)
    assert read(root, "apps/a/.gitignore") == "node_modules\n/.env.local\n"
    assert ignored(root, "apps/a/.env.local")


OWNER_DSN = REMOTE_DSN.replace("tekup_app.", "postgres.")


def test_the_project_owners_password_takes_the_strategies_name(tmp_path):
    """The primary project's `postgres` password is SUPABASE_DB_PASSWORD, the name every DSN a
    strategy writes reads: one project, one password variable."""
    root = repo(tmp_path, {**app({".env": f"DATABASE_URL={OWNER_DSN}\n"}), ".gitignore": ".env.local\n"})
    fix(root)
    assert "${SUPABASE_DB_PASSWORD}@" in read(root, "apps/a/.env")
    assert read(root, "apps/a/.env.local") == f"SUPABASE_DB_PASSWORD={PW}\n"
    assert codes(root) == []


def test_the_strategies_name_set_to_another_value_falls_back_to_the_derived_name(tmp_path):
    root = repo(tmp_path, {**app({".env": f"DATABASE_URL={OWNER_DSN}\n", ".env.local": "SUPABASE_DB_PASSWORD=other\n"}),
                           ".gitignore": ".env.local\n"})
    fix(root)
    assert "${DATABASE_PASSWORD}@" in read(root, "apps/a/.env")
    assert read(root, "apps/a/.env.local") == f"SUPABASE_DB_PASSWORD=other\nDATABASE_PASSWORD={PW}\n"
    assert codes(root) == []


def test_name_clash_picks_another_name_for_a_password(tmp_path):
    root = repo(tmp_path, {**app({".env": f"DATABASE_URL={REMOTE_DSN}\n", ".env.local": "DATABASE_PASSWORD=other\n"}),
                           ".gitignore": ".env.local\n"})
    fix(root)
    assert "${DATABASE_PASSWORD_2}" in read(root, "apps/a/.env")
    assert read(root, "apps/a/.env.local") == f"DATABASE_PASSWORD=other\nDATABASE_PASSWORD_2={PW}\n"
    assert codes(root) == []


def test_name_clash_of_a_whole_secret_is_left_to_a_person(tmp_path):
    root = repo(tmp_path, {**app({".env": f"ENCRYPTION_SALT={SALT}\n", ".env.local": "ENCRYPTION_SALT=mine\n"}),
                           ".gitignore": ".env.local\n"})
    assert fix(root) == []
    assert codes(root) == ["CRD006", "CRD008"]


def test_same_value_already_in_destination_is_not_appended_again(tmp_path):
    root = repo(tmp_path, {**app({".env": f"ENCRYPTION_SALT={SALT}\n", ".env.local": f"ENCRYPTION_SALT={SALT}\n"}),
                           ".gitignore": ".env.local\n"})
    fix(root)
    assert read(root, "apps/a/.env") == ""
    assert read(root, "apps/a/.env.local") == f"ENCRYPTION_SALT={SALT}\n"


def test_one_password_on_two_lines_moves_once(tmp_path):
    root = repo(tmp_path, app({".env": f"DB_PASSWORD={PW}\nDATABASE_URL=postgresql://u:{PW}@db.tekup.dk/app\n"}))
    fixed = fix(root)
    assert len(fixed) == 1
    assert read(root, "apps/a/.env") == "DATABASE_URL=postgresql://u:${DB_PASSWORD}@db.tekup.dk/app\n"
    assert read(root, "apps/a/.env.local") == f"DB_PASSWORD={PW}\n"


def test_test_mode_gets_its_own_local_file(tmp_path):
    # test mode skips .env.local: the value must also reach .env.test.local
    root = repo(tmp_path, app({".env": f"ENCRYPTION_SALT={SALT}\n", ".env.test": "NODE_ENV=test\n"}))
    fix(root)
    assert read(root, "apps/a/.env.local") == f"ENCRYPTION_SALT={SALT}\n"
    assert read(root, "apps/a/.env.test.local") == f"ENCRYPTION_SALT={SALT}\n"
    assert ignored(root, "apps/a/.env.test.local")


def test_new_password_name_is_added_to_the_template(tmp_path):
    root = repo(tmp_path, app({".env": f"DATABASE_URL={REMOTE_DSN}\n", ".env.example": "DATABASE_URL=\n"}))
    fix(root)
    assert read(root, "apps/a/.env.example") == "DATABASE_URL=\nDATABASE_PASSWORD=your_database_password\n"
    assert not [f for f in engine.run(root, DEFAULT).findings if f.code == "DRF001"]


def test_committed_destination_is_refused(tmp_path):
    root = repo(tmp_path, app({".env": f"ENCRYPTION_SALT={SALT}\n", ".env.local": "A=1\n"}))
    assert fix(root) == []


def test_template_gets_a_placeholder_and_the_value_stays_in_its_copy(tmp_path):
    root = repo(tmp_path, {**app({".env.example": f"GITHUB_TOKEN={'ghp' + '_R8vLq2mTz6WbN4kXc9pHs1dYf7gJe3aUi5oK'}\n",
                                  ".env": "A=1\n"}), ".gitignore": ".env\n"})
    fixed = fix(root)
    assert [f.code for f in fixed] == ["CRD004"]
    assert read(root, "apps/a/.env.example") == "GITHUB_TOKEN=your_github_token\n"
    assert read(root, "apps/a/.env") == "A=1\n# GITHUB_TOKEN=ghp" + "_R8vLq2mTz6WbN4kXc9pHs1dYf7gJe3aUi5oK\n"
    assert codes(root) == []


def test_template_without_its_copy_is_left_alone(tmp_path):
    root = repo(tmp_path, app({".env.example": f"GITHUB_TOKEN={'ghp' + '_R8vLq2mTz6WbN4kXc9pHs1dYf7gJe3aUi5oK'}\n"}))
    assert fix(root) == []


def test_recovered_file_is_never_edited(tmp_path):
    root = tmp_path
    write_tree(root, app({"package.json": "{}"}))
    (root / "apps/a/.env").write_bytes(b"A=1\n" + "ENCRYPTION_SALT=7c1e9a4f2b8d6e3a\r\n".encode("utf-16-le"))
    repo(root, {})
    assert fix(root) == []


# --------------------------------------------------------------------------- Compose


COMPOSE_MAP = """services:
  db:
    image: postgres:16
    environment:
      POSTGRES_USER: tekup
      POSTGRES_PASSWORD: "Tq8vWz3kLp6sRn"
      POSTGRES_DB: tekup_db
"""

COMPOSE_LIST = """services:
  db:
    image: postgres:16
    environment:
      - POSTGRES_USER=tekup
      - POSTGRES_PASSWORD=Tq8vWz3kLp6sRn
  api:
    image: api
    environment:
      - DATABASE_URL=postgresql://tekup:Tq8vWz3kLp6sRn@db:5432/tekup_db
"""


def test_compose_map_environment(tmp_path):
    root = repo(tmp_path, app({"docker-compose.yml": COMPOSE_MAP}))
    fixed = fix(root)
    assert [f.code for f in fixed] == ["CRD005"]
    assert read(root, "apps/a/docker-compose.yml") == COMPOSE_MAP.replace('"Tq8vWz3kLp6sRn"', '"${POSTGRES_PASSWORD}"')
    assert read(root, "apps/a/.env") == "POSTGRES_PASSWORD=Tq8vWz3kLp6sRn\n"
    assert ignored(root, "apps/a/.env")
    assert codes(root) == []


def test_compose_list_environment_and_dsn_share_one_name(tmp_path):
    root = repo(tmp_path, app({"docker-compose.yml": COMPOSE_LIST}))
    fix(root)
    text = read(root, "apps/a/docker-compose.yml")
    assert "- POSTGRES_PASSWORD=${POSTGRES_PASSWORD}" in text
    assert "- DATABASE_URL=postgresql://tekup:${POSTGRES_PASSWORD}@db:5432/tekup_db" in text
    assert read(root, "apps/a/.env") == "POSTGRES_PASSWORD=Tq8vWz3kLp6sRn\n"
    assert codes(root) == []


def test_compose_fallback_is_dropped_and_kept_in_dot_env(tmp_path):
    compose = COMPOSE_MAP.replace('"Tq8vWz3kLp6sRn"', "${PGPASS:-Tq8vWz3kLp6sRn}")
    root = repo(tmp_path, app({"docker-compose.yml": compose}))
    fix(root)
    assert "POSTGRES_PASSWORD: ${PGPASS}\n" in read(root, "apps/a/docker-compose.yml")
    assert read(root, "apps/a/.env") == "PGPASS=Tq8vWz3kLp6sRn\n"


def test_compose_project_env_with_another_value_gets_a_service_name(tmp_path):
    root = repo(tmp_path, {**app({"docker-compose.yml": COMPOSE_MAP, ".env": "POSTGRES_PASSWORD=other\n"}),
                           ".gitignore": ".env\n"})
    fix(root)
    assert '"${DB_POSTGRES_PASSWORD}"' in read(root, "apps/a/docker-compose.yml")
    assert read(root, "apps/a/.env") == "POSTGRES_PASSWORD=other\nDB_POSTGRES_PASSWORD=Tq8vWz3kLp6sRn\n"


# --------------------------------------------------------------------------- move_out (strategy removals)


def _setting(root: Path, path: str, key: str):
    ws = engine.run(root, DEFAULT).workspace
    parsed = ws.file(path)
    return ws, parsed, next(s for s in parsed.settings if s.key == key)


def test_move_out_of_a_tracked_file(tmp_path):
    root = repo(tmp_path, app({".env": f"SUPABASE_SERVICE_ROLE_KEY={SERVICE_JWT}\nA=1\n"}))
    ws, parsed, setting = _setting(root, "apps/a/.env", "SUPABASE_SERVICE_ROLE_KEY")
    edits, note = relocate.move_out(ws, parsed, setting, None)
    assert note == "SUPABASE_SERVICE_ROLE_KEY moved from apps/a/.env to apps/a/.env.local"
    assert apply_edits(parsed.text, [e for e in edits if e.path == "apps/a/.env"]) == "A=1\n"
    assert apply_edits("", [e for e in edits if e.path == "apps/a/.env.local"]) == f"SUPABASE_SERVICE_ROLE_KEY={SERVICE_JWT}\n"


def test_move_out_inactive_keeps_a_comment(tmp_path):
    root = repo(tmp_path, app({".env": f"SUPABASE_SERVICE_ROLE_KEY={SERVICE_JWT}\n"}))
    ws, parsed, setting = _setting(root, "apps/a/.env", "SUPABASE_SERVICE_ROLE_KEY")
    edits, note = relocate.move_out(ws, parsed, setting, "${SUPABASE_SERVICE_ROLE_KEY_DOCKER}", active=False,
                                    header="fix --strategy docker took out SUPABASE_SERVICE_ROLE_KEY")
    assert "kept as a comment" in note
    assert apply_edits(parsed.text, [e for e in edits if e.path == "apps/a/.env"]) == \
        "SUPABASE_SERVICE_ROLE_KEY=${SUPABASE_SERVICE_ROLE_KEY_DOCKER}\n"
    assert apply_edits("", [e for e in edits if e.path == "apps/a/.env.local"]) == (
        f"# fix --strategy docker took out SUPABASE_SERVICE_ROLE_KEY\n# SUPABASE_SERVICE_ROLE_KEY={SERVICE_JWT}\n")


def test_move_out_of_an_untracked_file_comments_it_out(tmp_path):
    root = repo(tmp_path, {**app({".env": f"export KEY={SALT}\r\nA=1"}), ".gitignore": ".env\n"})
    ws, parsed, setting = _setting(root, "apps/a/.env", "KEY")
    assert not parsed.source.tracked
    edits, note = relocate.move_out(ws, parsed, setting, "${NEW}")
    assert apply_edits(parsed.text, edits) == f"# export KEY={SALT}\r\nexport KEY=${{NEW}}\r\nA=1"
    assert "not tracked" in note and SALT not in note
    ws, parsed, setting = _setting(root, "apps/a/.env", "A")
    edits, _ = relocate.move_out(ws, parsed, setting, None)
    assert apply_edits(parsed.text, edits) == f"export KEY={SALT}\r\n# A=1"


def test_move_out_refusal_is_an_empty_edit_list_with_a_reason(tmp_path):
    root = repo(tmp_path, {**app({".env": f"KEY={SALT}\n", ".env.local": "KEY=other\n"}), ".gitignore": ".env.local\n"})
    ws, parsed, setting = _setting(root, "apps/a/.env", "KEY")
    edits, why = relocate.move_out(ws, parsed, setting, None)
    assert edits == () and "already sets KEY" in why


def test_quote_value():
    assert relocate.quote_value("abc+/=") == "abc+/="
    assert relocate.quote_value("a b#c") == "'a b#c'"
    assert relocate.quote_value("a'b") is None
    assert relocate.quote_value("a$b") is None


# --------------------------------------------------------------------------- the demo workspace


def test_demo_workspace_no_credential_finding_left_and_no_secret_dropped(tmp_path):
    from conftest import EXAMPLE
    import shutil

    from tekup_envlint.config_file import load as load_config
    from tekup_envlint.redact import secrets_in

    root = tmp_path / "demo"
    shutil.copytree(EXAMPLE, root)
    repo(root, {})
    config = load_config(root)
    before = engine.run(root, config)
    tracked = {p.source.path: p for p in before.workspace.files  # a recovered file's text is not its bytes
               if p.source.tracked and not any(x.code == "SYN003" for x in p.problems)}
    secrets = {(s, path) for path, parsed in tracked.items() for st in parsed.settings
               for s in secrets_in(st.key, st.value) if len(s) >= 6}
    fixed = fix(root)
    assert {f.code for f in fixed} == {"CRD001", "CRD002", "CRD008"}
    after = engine.run(root, config).findings
    left = {(f.code, f.path, f.key) for f in after}
    assert not [f for f in fixed if (f.code, f.path, f.key) in left]
    # what needs a person: a recovered (mixed-encoding) file, a template whose copy does not exist
    assert sorted((f.code, f.path) for f in after if f.code in CRD) == [
        ("CRD002", "apps/production/tekup-vault/.env.example"),
        ("CRD008", "apps/tools/tekup-scripts/.env.production"),
    ]
    listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--others", "--ignored", "--exclude-standard"],
                            stdout=subprocess.PIPE, check=True).stdout.decode().split("\0")
    ignored_text = "\n".join(read(root, p) or "" for p in listed if p)
    gone = [(s, p) for s, p in secrets if s not in (read(root, p) or "")]
    assert gone  # secrets did leave tracked files
    assert [(s[:4], p) for s, p in gone if s not in ignored_text] == []
    assert all(f.fix.notes and all(s not in f.fix.notes[0] for s, _ in secrets) for f in fixed)
    assert fix(root) == []


def test_two_compose_files_of_one_folder_share_the_project_env(tmp_path):
    compose = COMPOSE_MAP.replace('"Tq8vWz3kLp6sRn"', "${PGPASS:-Tq8vWz3kLp6sRn}")
    root = repo(tmp_path, app({"docker-compose.yml": compose, "docker-compose.build.yml": compose}))
    findings = [f for f in engine.run(root, DEFAULT).findings if f.code == "CRD005"]
    assert len(findings) == 2 and all(f.fix is not None for f in findings)  # one value, no clash
    fix(root)
    assert read(root, "apps/a/.env") == "PGPASS=Tq8vWz3kLp6sRn\n"
    assert codes(root) == []


def test_two_compose_files_with_different_values_do_not_clash_in_one_pass(tmp_path):
    one = COMPOSE_MAP.replace('"Tq8vWz3kLp6sRn"', "${PGPASS:-Tq8vWz3kLp6sRn}")
    two = COMPOSE_MAP.replace('"Tq8vWz3kLp6sRn"', "${PGPASS:-Hn4bVc8xZq2wLp}")
    root = repo(tmp_path, app({"docker-compose.yml": one, "docker-compose.prod.yml": two}))
    findings = [f for f in engine.run(root, DEFAULT).findings if f.code == "CRD005"]
    assert len(findings) == 2 and sum(f.fix is not None for f in findings) == 1
    fix(root)
    assert read(root, "apps/a/.env").count("PGPASS=") == 1  # the second value needs a person


def test_compose_interpolation_file_and_env_file_are_left_alone(tmp_path):
    compose = "services:\n  db:\n    image: postgres:16\n    env_file: [db.env]\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n"
    root = repo(tmp_path, app({"docker-compose.yml": compose, ".env": f"POSTGRES_PASSWORD={PW}\nSESSION_SECRET={SALT}\n"}))
    assert [f for f in engine.run(root, DEFAULT).findings if f.fix is not None] == []


def test_prisma_reader_is_named_in_the_note(tmp_path):
    schema = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
    root = repo(tmp_path, app({".env": f"DATABASE_URL={REMOTE_DSN}\n", "prisma/schema.prisma": schema}))
    fixed = fix(root)
    assert "Prisma CLI loads only .env" in fixed[0].fix.notes[0]


def test_env_file_of_a_service_is_left_alone(tmp_path):
    compose = "services:\n  api:\n    image: api\n    env_file: [.env.production]\n"
    root = repo(tmp_path, {**app({"compose/docker-compose.yml": compose.replace(".env.production", "../.env.production"),
                                  ".env.production": f"SESSION_SECRET={SALT}\n"})})
    found = [f for f in engine.run(root, DEFAULT).findings if f.code in CRD]
    assert found and all(f.fix is None for f in found)


def test_multi_line_private_key_moves_whole(tmp_path):
    body = "MIIEpAIBAAKCAQEA7Vq3Lm9Xc2Rt8Yp1Wk5Nz4Hb6Gd0Fs3Jq7Ue2Ia9Ov5Pl1Mn8Kj4Hg6Fd0Sa2Qw"
    key = "-----BEGIN " + "RSA PRIVATE KEY-----\n" + body + "\n-----END RSA PRIVATE KEY-----"
    root = repo(tmp_path, app({".env.production": f'A=1\nJWT_PRIVATE_KEY="{key}"\nB=2\n'}))
    fixed = fix(root)
    assert [f.code for f in fixed] == ["CRD004"]
    assert read(root, "apps/a/.env.production") == "A=1\nB=2\n"
    assert read(root, "apps/a/.env.production.local") == f'JWT_PRIVATE_KEY="{key}"\n'


def test_root_env_file(tmp_path):
    root = repo(tmp_path, {"package.json": "{}", ".env": f"DATABASE_URL={REMOTE_DSN}\n"})
    fix(root)
    assert read(root, ".env.local") == f"DATABASE_PASSWORD={PW}\n"
    assert read(root, ".gitignore") == "/.env.local\n"
    assert codes(root) == []


def test_template_dsn_gets_the_password_placeholder(tmp_path):
    root = repo(tmp_path, {**app({".env.example": f"DATABASE_URL={REMOTE_DSN}\n", ".env": "A=1\n"}),
                           ".gitignore": ".env\n"})
    fixed = fix(root)
    assert [f.code for f in fixed] == ["CRD001"]
    assert read(root, "apps/a/.env.example") == (
        f"DATABASE_URL=postgresql://tekup_app.oaevagdgrasfppbrxbey:[YOUR-PASSWORD]@{POOLER}:6543/postgres\n")
    assert read(root, "apps/a/.env") == f"A=1\n# DATABASE_PASSWORD={PW}\n"
    assert codes(root) == []


def test_catalogue_says_fixable_and_unsafe_for_every_rule_with_a_fix(tmp_path):
    from tekup_envlint.catalogue import catalogue

    rules = {r.code: r for r in (catalogue().values() if isinstance(catalogue(), dict) else catalogue())}
    dotenv = (f"DATABASE_URL={REMOTE_DSN}\nENCRYPTION_SALT={SALT}\nSUPABASE_SERVICE_ROLE_KEY={SERVICE_JWT}\n"
              f"GITHUB_TOKEN={'ghp' + '_R8vLq2mTz6WbN4kXc9pHs1dYf7gJe3aUi5oK'}\n")
    root = repo(tmp_path, {**app({".env": dotenv}), **app({"docker-compose.yml": COMPOSE_MAP}, name="apps/b")})
    fixed = {f.code: f.fix for f in engine.run(root, DEFAULT).findings if f.fix is not None}
    assert set(fixed) == {"CRD001", "CRD002", "CRD004", "CRD005", "CRD008"}
    for code, found in fixed.items():
        assert rules[code].fixable and rules[code].extra.get("fix_applicability") == found.applicability == "unsafe"
    for code in ("CRD003", "CRD006", "CRD007"):
        assert not rules[code].fixable


def test_move_out_of_compose_beside_a_committed_env_keeps_a_comment_in_env_local(tmp_path):
    root = repo(tmp_path, app({"docker-compose.yml": COMPOSE_MAP, ".env": "A=1\n"}))
    ws, parsed, setting = _setting(root, "apps/a/docker-compose.yml", "POSTGRES_PASSWORD")
    assert relocate.move_out(ws, parsed, setting, "${POSTGRES_PASSWORD}")[0] == ()  # .env is committed
    edits, note = relocate.move_out(ws, parsed, setting, "${POSTGRES_PASSWORD}", active=False)
    assert "apps/a/.env.local" in note
    assert apply_edits("", [e for e in edits if e.path == "apps/a/.env.local"]) == "# POSTGRES_PASSWORD=Tq8vWz3kLp6sRn\n"
    assert apply_edits(parsed.text, [e for e in edits if e.path == parsed.source.path]) == \
        COMPOSE_MAP.replace('"Tq8vWz3kLp6sRn"', '"${POSTGRES_PASSWORD}"')


def test_one_value_under_several_keys_moves_together_and_the_note_names_each(tmp_path):
    root = repo(tmp_path, app({".env": f"A_PASSWORD={PW}\nB=1\nC_SECRET={PW}\n"}))
    fixed = fix(root)
    assert len(fixed) == 1 and "as A_PASSWORD, C_SECRET" in fixed[0].fix.notes[0]
    assert read(root, "apps/a/.env") == "B=1\n"
    assert read(root, "apps/a/.env.local") == f"A_PASSWORD={PW}\nC_SECRET={PW}\n"


def test_demo_with_the_fix_loop_diff_equals_the_real_run(tmp_path):
    """`fix --unsafe-fixes` on the demo through the fix loop: `--diff` (in memory, the
    overlay) computes exactly what the real run writes, and the credential findings it
    claimed are gone afterwards."""
    from conftest import EXAMPLE
    import shutil

    from tekup_envlint.config_file import load as load_config
    from tekup_envlint.fix import run_fix

    root = tmp_path / "demo"
    shutil.copytree(EXAMPLE, root)
    repo(root, {})
    # the credential fixes alone: the demo's strategy rewrites some of the same DSNs first
    # (tests/test_strategy.py runs both together)
    config = replace(load_config(root), strategy=None)
    preview = run_fix(root, config, unsafe=True, write=False)
    done = run_fix(root, config, unsafe=True, write=True)
    assert {p: new for p, (_, new) in preview.changes.items()} == {p: read(root, p) for p in preview.changes}
    claimed = {(f.code, f.path, f.key) for f, _ in done.applied if f.code in CRD}
    assert len(claimed) == 6
    assert not claimed & {(f.code, f.path, f.key) for f in engine.run(root, config).findings}
    assert read(root, ".gitignore").count("\n") == 4  # one line per destination, once
    assert run_fix(root, config, unsafe=True, write=False, allow_dirty=True).changes == {}


@pytest.mark.parametrize("code", ["CRD001", "CRD002", "CRD004", "CRD005", "CRD008"])
def test_the_bad_example_of_each_credential_rule_is_fixed_or_says_why_not(tmp_path, code):
    """sqlfluff's harness for the docs: the rule's bad example, fixed, no longer flags."""
    from tekup_envlint.catalogue import catalogue

    rule = catalogue()[code]
    root = repo(tmp_path, {p: t.lstrip("\n") for p, t in rule.bad.files.items()})
    offered = [f for f in engine.run(root, DEFAULT).findings if f.code == code and f.fix is not None]
    if code == "CRD004":  # a template whose copy does not exist: a person decides
        assert offered == [] and "copy does\nnot exist" in rule.fix
        return
    assert offered
    fix(root, (code,))
    assert [f for f in engine.run(root, DEFAULT).findings if f.code == code] == []


def test_gitignore_and_destination_are_read_from_the_fix_loops_overlay(tmp_path):
    """`fix --diff` converges in memory: a later pass sees the `.gitignore` line and the local
    file an earlier pass wrote (only in the overlay), and adds neither again."""
    root = repo(tmp_path, app({".env": f"DATABASE_URL={REMOTE_DSN}\nENCRYPTION_SALT={SALT}\n"}))
    texts = {".gitignore": "/apps/a/.env.local\n", "apps/a/.env.local": f"DATABASE_PASSWORD={PW}\n"}
    overlay = engine.Overlay(texts=texts, created={".gitignore": False, "apps/a/.env.local": True})
    findings = [f for f in engine.run(root, DEFAULT, overlay=overlay).findings if f.fix is not None]
    by_code = {f.code: f.fix for f in findings}
    assert not [e for f in findings for e in f.fix.edits if e.path == ".gitignore"]
    local = [e for e in by_code["CRD001"].edits if e.path == "apps/a/.env.local"]
    assert local == []  # the same name and value are there already: only the reference is written
    salt = [e for e in by_code["CRD008"].edits if e.path == "apps/a/.env.local"]
    assert [(e.start, e.replacement) for e in salt] == [(len(texts["apps/a/.env.local"]), f"ENCRYPTION_SALT={SALT}\n")]


def test_move_out_of_a_compose_list_entry(tmp_path):
    root = repo(tmp_path, {**app({"docker-compose.yml": COMPOSE_LIST}), ".gitignore": ".env\n"})
    ws, parsed, setting = _setting(root, "apps/a/docker-compose.yml", "POSTGRES_PASSWORD")
    edits, note = relocate.move_out(ws, parsed, setting, None)
    assert note == "POSTGRES_PASSWORD moved from apps/a/docker-compose.yml to apps/a/.env"
    assert apply_edits(parsed.text, [e for e in edits if e.path == parsed.source.path]) == \
        COMPOSE_LIST.replace("      - POSTGRES_PASSWORD=Tq8vWz3kLp6sRn\n", "")
    assert apply_edits("", [e for e in edits if e.path == "apps/a/.env"]) == "POSTGRES_PASSWORD=Tq8vWz3kLp6sRn\n"
    assert not [e for e in edits if e.path.endswith(".gitignore")]  # git already ignores it


def test_a_baked_env_file_names_the_image_in_the_note(tmp_path):
    compose = "services:\n  web:\n    build: .\n    environment:\n      PORT: 3000\n"
    root = repo(tmp_path, app({".env": f"ENCRYPTION_SALT={SALT}\n", "compose/docker-compose.yml":
                               compose.replace("build: .", "build: ..")}))
    fixed = fix(root)
    assert "baked into the image of apps/a/compose/docker-compose.yml#web" in fixed[0].fix.notes[0]


def test_a_negated_gitignore_line_is_overridden_by_the_appended_one(tmp_path):
    root = repo(tmp_path, {**app({".env": f"DATABASE_URL={REMOTE_DSN}\n"}),
                           ".gitignore": "/apps/a/.env.local\n!/apps/a/.env.local\n"})
    fix(root)
    assert read(root, ".gitignore") == "/apps/a/.env.local\n!/apps/a/.env.local\n/apps/a/.env.local\n"
    assert ignored(root, "apps/a/.env.local")


def _dotenv_chain(root: Path, *paths: str) -> Dict[str, Optional[str]]:
    """What a process reading `paths` in order gets (a later file wins, as in every loader)."""
    from dotenv import dotenv_values

    values: Dict[str, Optional[str]] = {}
    for rel in paths:
        if (root / rel).exists():
            values.update(dotenv_values(root / rel))
    return values


def test_a_value_that_a_later_repeat_overrides_stays_where_it_is(tmp_path):
    """Only the repeat that wins may move: the local file is read after the tracked one, so
    moving the dead first value there would make it the one the process gets."""
    first, last = "aa8Xv3Lm" + "9Rt2Wp7Ks4Yd", "bb8Xv3Lm" + "9Rt2Wp7Ks4Yd"
    root = repo(tmp_path, {**app({".env": f"API_SECRET={first}\nAPI_SECRET={last}\n"}), ".gitignore": ".env.local\n"})
    before = _dotenv_chain(root, "apps/a/.env", "apps/a/.env.local")
    fix(root)
    assert _dotenv_chain(root, "apps/a/.env", "apps/a/.env.local") == before == {"API_SECRET": last}
    assert read(root, "apps/a/.env.local") == f"API_SECRET={last}\n"
    assert read(root, "apps/a/.env") == f"API_SECRET={first}\n"  # dead, reported, a person decides


def test_a_value_a_mode_file_overrides_is_not_moved_over_it(tmp_path):
    """`.env.local` is read after `.env.production` too: the production process would get the
    default file's value."""
    default, production = "aa8Xv3Lm" + "9Rt2Wp7Ks4Yd", "bb8Xv3Lm" + "9Rt2Wp7Ks4Yd"
    root = repo(tmp_path, {**app({".env": f"API_SECRET={default}\n", ".env.production": f"API_SECRET={production}\n"}),
                           ".gitignore": ".env*.local\n"})
    chains = {"production": ("apps/a/.env", "apps/a/.env.production", "apps/a/.env.local", "apps/a/.env.production.local"),
              "development": ("apps/a/.env", "apps/a/.env.local")}
    before = {mode: _dotenv_chain(root, *paths) for mode, paths in chains.items()}
    fix(root)
    assert {mode: _dotenv_chain(root, *paths) for mode, paths in chains.items()} == before


def test_a_gitignore_that_is_a_symlink_is_not_where_the_line_goes(tmp_path):
    """git does not read a `.gitignore` that is a symbolic link: a line written through it
    would leave the secret's new file unignored, one `git add -A` from a commit."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "ignore-rules").write_text("node_modules\r\n", encoding="utf-8")
    (root / ".gitignore").symlink_to("ignore-rules")
    repo(root, app({".env": f"PORT=1\nENCRYPTION_SALT={SALT}\n"}))
    fix(root)
    assert read(root, "apps/a/.env.local") == f"ENCRYPTION_SALT={SALT}\n"
    assert ignored(root, "apps/a/.env.local")
    assert read(root, "apps/a/.gitignore") == "/.env.local\n"
    assert (root / ".gitignore").is_symlink() and read(root, "ignore-rules") == "node_modules\r\n"


def test_a_symlinked_gitignore_beside_the_file_refuses_the_move(tmp_path):
    root = tmp_path / "repo"
    write_tree(root, app({".env": f"PORT=1\nENCRYPTION_SALT={SALT}\n", "ignore-rules": "node_modules\n"}))
    (root / "apps/a/.gitignore").symlink_to("ignore-rules")
    repo(root, {})
    assert fix(root) == []
    assert read(root, "apps/a/.env") == f"PORT=1\nENCRYPTION_SALT={SALT}\n"
    assert read(root, "apps/a/.env.local") is None


def test_a_deleted_line_takes_its_comment_to_the_destination(tmp_path):
    """A moved line's ` # comment` is documentation the fix was not asked to drop."""
    root = repo(tmp_path, {**app({".env": f"A=1\nexport ENCRYPTION_SALT={SALT} # rotate yearly\nB=2\n"}),
                           ".gitignore": ".env.local\n"})
    fix(root)
    assert read(root, "apps/a/.env") == "A=1\nB=2\n"
    assert read(root, "apps/a/.env.local") == f"ENCRYPTION_SALT={SALT} # rotate yearly\n"
    assert _dotenv_chain(root, "apps/a/.env", "apps/a/.env.local")["ENCRYPTION_SALT"] == SALT
