"""Property: the credential fixes never drop a secret (issue 10).

Over generated env and Compose files in a git repository: after applying every credential
fix until none is left, each secret that is no longer in its tracked file is in a file git
ignores; the fixed files still parse (python-dotenv and the project's parser) with the same
keys except the lines a fix deletes by design; a second fix changes nothing.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Dict, List, Tuple

from dotenv import dotenv_values
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from tekup_envlint import engine
from tekup_envlint.classify import is_placeholder
from tekup_envlint.config import DEFAULT
from tekup_envlint.models import SourceFile
from tekup_envlint.parsers import dotenv as our_dotenv
from test_relocate import fix, read, repo

_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_secret = st.text(alphabet=_ALPHABET + "-_.+/", min_size=14, max_size=28).filter(
    lambda s: not is_placeholder(s) and s[0] not in "-_.+/" and len(set(s)) > 6)
_password = st.text(alphabet=_ALPHABET + "-_.~", min_size=10, max_size=20).filter(
    lambda s: not is_placeholder(s) and len(set(s)) > 5)


@st.composite
def env_line(draw, index: int) -> Tuple[str, List[str], str]:
    """(line, secrets it holds, its key)."""
    kind = draw(st.sampled_from(["plain", "secret", "dsn", "comment"]))
    export = draw(st.sampled_from(["", "export "]))
    quote = draw(st.sampled_from(["", '"', "'"]))
    if kind == "plain":
        return f"{export}PLAIN_{index}={quote}v{index}{quote}", [], f"PLAIN_{index}"
    if kind == "comment":
        return f"# note {index}", [], ""
    if kind == "secret":
        value = draw(_secret)
        key = f"APP{index}_" + draw(st.sampled_from(["API_SECRET", "SESSION_TOKEN", "ENCRYPTION_SALT", "WEBHOOK_SECRET"]))
        return f"{export}{key}={quote}{value}{quote}", [value], key
    password = draw(_password)
    key = f"DB{index}_URL"
    return f"{export}{key}={quote}postgresql://app:{password}@db{index}.tekup.dk:5432/app{quote}", [password], key


@st.composite
def workspace(draw) -> Tuple[Dict[str, str], List[Tuple[str, str]]]:
    """The files of one app and every (secret, tracked file it starts in)."""
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [draw(env_line(i)) for i in range(draw(st.integers(1, 6)))]
    text = newline.join(line for line, _, _ in lines)
    if draw(st.booleans()):
        text += newline
    if draw(st.booleans()):
        text = "\ufeff" + text
    name = draw(st.sampled_from([".env", ".env.production"]))
    files = {"apps/a/package.json": "{}", f"apps/a/{name}": text}
    secrets = [(s, f"apps/a/{name}") for _, found, _ in lines for s in found]
    if draw(st.booleans()):  # a local file that already sets some names, gitignored
        clash = [key for _, found, key in lines if found]
        local = "".join(f"{key}=mine{i}\n" for i, key in enumerate(clash) if draw(st.booleans()))
        local += "DATABASE_PASSWORD=mine\n" if draw(st.booleans()) else ""
        files[f"apps/a/{name}.local"] = local
        files[".gitignore"] = draw(st.sampled_from(["*.local\n", "node_modules\n*.local", "*.local\r\n"]))
    elif draw(st.booleans()):
        files[".gitignore"] = draw(st.sampled_from(["node_modules", "node_modules\r\n", "dist\n"]))
    if name == ".env" and draw(st.booleans()):
        files["apps/a/.env.test"] = "NODE_ENV=test\n"  # test mode skips .env.local
    if draw(st.booleans()):
        password = draw(_password)
        form = draw(st.sampled_from(["map", "list", "fallback"]))
        if form == "fallback":
            env = f"      POSTGRES_PASSWORD: ${{PGPASS:-{password}}}\n      POSTGRES_DB: app\n"
        elif form == "map":
            env = f"      POSTGRES_PASSWORD: {password}\n      POSTGRES_DB: app\n"
        else:
            env = f"      - POSTGRES_PASSWORD={password}\n      - POSTGRES_DB=app\n"
        files["apps/a/docker-compose.yml"] = (
            f"services:\n  db:\n    image: postgres:16\n    environment:\n{env}")
        secrets.append((password, "apps/a/docker-compose.yml"))
    return files, secrets


def _ignored_texts(root: Path) -> str:
    listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--others", "--ignored", "--exclude-standard"],
                            stdout=subprocess.PIPE, check=True).stdout.decode().split("\0")
    return "\n".join(read(root, p) or "" for p in listed if p)


def _keys(text: str) -> Dict[str, object]:
    return dict(dotenv_values(stream=io.StringIO(text.lstrip("\ufeff"))))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(workspace())
def test_no_secret_is_dropped(case):
    files, secrets = case
    passwords = [s for s, _ in secrets]
    assume(len(set(passwords)) == len(passwords))
    assume(not any(a != b and a in b for a in passwords for b in passwords))
    root = Path(tempfile.mkdtemp())
    try:
        repo(root, files)
        before = {p: read(root, p) for p in files}
        fixed = fix(root)
        event(f"fixes applied: {'some' if fixed else 'none'}")
        assert fix(root) == []  # idempotent
        ignored = _ignored_texts(root)
        for secret, path in secrets:
            if secret not in read(root, path):
                assert secret in ignored, f"a secret left {path} and is in no gitignored file"
        moved_keys = set()
        for finding in fixed:  # titles and notes name where a value went, never the value
            assert all(secret not in n for secret, _ in secrets for n in finding.fix.notes + (finding.fix.title,))
            moved_keys.add(finding.key)
        for path, old in before.items():
            if not path.endswith((".env", ".env.production")):
                continue
            new = read(root, path)
            old_keys, new_keys = _keys(old), _keys(new)
            assert set(new_keys) <= set(old_keys)
            assert set(old_keys) - set(new_keys) <= moved_keys  # only lines a fix deletes by design
            source = SourceFile(path=path, kind="dotenv", app="apps/a", env="default", tracked=True)
            assert len(our_dotenv.parse(source, new).problems) <= len(our_dotenv.parse(source, old).problems)
            assert [k for k in our_dotenv_keys(path, new)] == [k for k in our_dotenv_keys(path, old) if k in new_keys]
        if "apps/a/docker-compose.yml" in files:
            import yaml

            old_doc = yaml.safe_load(files["apps/a/docker-compose.yml"])
            new_doc = yaml.safe_load(read(root, "apps/a/docker-compose.yml"))
            env_keys = lambda doc: sorted(e.split("=")[0] if isinstance(e, str) else e  # noqa: E731
                                          for e in doc["services"]["db"]["environment"])
            assert env_keys(new_doc) == env_keys(old_doc)  # the Compose file still loads, same keys
        remaining = {(f.code, f.path, f.key) for f in engine.run(root, DEFAULT).findings}
        for finding in fixed:
            assert (finding.code, finding.path, finding.key) not in remaining
    finally:
        shutil.rmtree(root, ignore_errors=True)


def our_dotenv_keys(path: str, text: str) -> List[str]:
    source = SourceFile(path=path, kind="dotenv", app="apps/a", env="default", tracked=True)
    return [s.key for s in our_dotenv.parse(source, text).settings]
