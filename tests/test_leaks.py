"""Secrets never leak: not one planted secret appears in full in any output of any command.

A workspace carries secrets of every shape in every place a value can sit (dotenv lines,
Compose `environment` maps and lists, `${VAR:-default}` defaults, a Prisma datasource
literal, lines no parser can read, a commented-out token). Every command runs through the
installed script, with text and JSON output, without colour and with colour on a real
terminal (a pty), plus the error paths; stdout and stderr are searched for each secret.
"""

from __future__ import annotations

import base64
import json
import os
import random
import string
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

from conftest import git_init, jwt, write_tree

COMMAND = Path(sys.executable).parent / "tekup-envlint"
pytestmark = pytest.mark.skipif(not COMMAND.exists(), reason="the console script is not installed next to python")

PRIMARY = "oaevagdgrasfppbrxbey"
_RNG = random.Random(20240605)
RANDOM_PASSWORD = "".join(_RNG.choice(string.ascii_letters + string.digits + "!%^*-_+.~") for _ in range(40))


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


SERVICE_ROLE = jwt({"iss": "supabase", "ref": PRIMARY, "role": "service_role", "iat": 1700000000, "exp": 2000000000},
                   signature="Xk3dP0aQ9rL2mN8vB7cY6tR5eW4qZ1sH0gJ3fK2lM9o")
SECRETS: Dict[str, str] = {
    "pooler DSN password": "Zq8rT2vLk9mW3xYp",
    "direct DSN password (percent-encoded)": "p%40ss-W0rd-7Hq2",
    "service_role JWT": SERVICE_ROLE,
    "service_role JWT signature": "Xk3dP0aQ9rL2mN8vB7cY6tR5eW4qZ1sH0gJ3fK2lM9o",
    "sb_secret_ key": "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz",
    "GitHub token": "ghp_R4nd0mT0k3nV4lu3Xy9Zq8Wv7Ut6Sr5Qp4On",
    "OpenAI key": "sk-proj-Ab3De5Gh7Jk9Mn2Pq4St6Vw8Yz1Bc3Df5Hg7",
    "Stripe key": "sk_live_4eC39HqLyjWDarjtT1zdp7dcXyZ9",
    "random DB_PASSWORD": RANDOM_PASSWORD,
    "Compose map password": "ComposeMapSecret4242",
    "Compose map DSN password": "MapDsnSecret9191",
    "Compose list password": "ComposeListSecret5353",
    "Compose list DSN password": "ListDsnSecret8282",
    "Compose default": "DefaultedSecret6161",
    "Prisma literal password": "PrismaLiteralSecret6464",
    "secret on a line with a space in the key": "BrokenLineSecret9999",
    "secret in an unterminated quote": "UnterminatedSecret7777",
    "secret on a broken YAML line": "BrokenYamlSecret3131",
    "commented-out token": "ghp_C0mm3nt3dT0k3nXy9Zq8Wv7Ut6Sr5Qp4OnAb",
    # secret by its name alone, whatever its length or entropy
    "32-hex ENCRYPTION_SALT": "0f3a9c2e7b1d4f6a8c0e2b4d6f8a1c3e",
    "5-character SMTP_PASSWORD": "k9Q2x",
    # credentials that are not a URI's password
    "libpq keyword/value password": "KvLibpqSecret4711",
    "DSN sslpassword parameter": "SslParamSecret2323",
    "DSN token parameter": "TokParamSecret4545",
    "password in a DSN's encoded options": "OptsParamSecret3434",
    "raw '/' in a DSN password": "Raw/SlashSecret6868",
    # the password of a URI of any scheme, under a name that says nothing
    "Redis URL password": "RedisUrlSecret4141",
    "MongoDB URI password": "MongoUriSecret5151",
    # written with escapes: the file holds this text, a reader takes the value below
    "dotenv escaped quote (as written)": r'Esc\"aped\\Value9393',
    "dotenv single-quoted escape (as written)": r"Sin\'gleQuoted4848",
    "Compose ''-quoted (as written)": "Yaml''Single2727",
    "Compose JSON document (as written)": r"Json\/Escaped1515",
    "Prisma escaped password (as written)": r"Prisma\u0041Escaped3737",
}
YAML_SINGLE = "Compose ''-quoted (as written)"
ENCODED_OPTIONS = "password in a DSN's encoded options"
RAW_SLASH = "raw '/' in a DSN password"
# what a reader of the file would take for the secret, too
DECODED = {
    "direct DSN password (decoded)": "p@ss-W0rd-7Hq2",
    "raw '/' password's tail (libpq's database name)": "SlashSecret6868",
    "dotenv escaped quote (as read)": 'Esc"aped\\Value9393',
    "dotenv single-quoted escape (as read)": "Sin'gleQuoted4848",
    "Compose ''-quoted (as read)": "Yaml'Single2727",
    "Compose JSON document (as read)": "Json/Escaped1515",
    "Prisma escaped password (as read)": "PrismaAEscaped3737",
}


def workspace(root: Path) -> Path:
    s = SECRETS
    write_tree(root, {
        "apps/api/package.json": "{}",
        "apps/api/.env": (
            f"DATABASE_URL=postgresql://postgres.{PRIMARY}:{s['pooler DSN password']}"
            "@aws-1-eu-central-1.pooler.supabase.com:6543/postgres\n"
            f"DIRECT_URL=postgresql://postgres:{s['direct DSN password (percent-encoded)']}@db.{PRIMARY}.supabase.co:5432/postgres\n"
            f"SUPABASE_URL=https://{PRIMARY}.supabase.co\n"
            f"SUPABASE_SERVICE_ROLE_KEY={s['service_role JWT']}\n"
            f"SUPABASE_SECRET_KEY={s['sb_secret_ key']}\n"
            f"GITHUB_TOKEN={s['GitHub token']}\n"
            f"OPENAI_API_KEY={s['OpenAI key']}\n"
            f"STRIPE_SECRET_KEY={s['Stripe key']}\n"
            f"DB_PASSWORD={s['random DB_PASSWORD']}\n"
            f"# GITHUB_TOKEN={s['commented-out token']}\n"
            f"BROKEN TOKEN={s['secret on a line with a space in the key']}\n"
            f"ENCRYPTION_SALT={s['32-hex ENCRYPTION_SALT']}\n"
            f"SMTP_PASSWORD={s['5-character SMTP_PASSWORD']}\n"
            "PG_CONNECTION=\"host=db.acme-internal.dev port=5432 user=app "
            f"password={s['libpq keyword/value password']} dbname=app\"\n"
            f"REPLICA_URL=postgresql://app@db.acme-internal.dev:5432/app?sslpassword={s['DSN sslpassword parameter']}"
            f"&token={s['DSN token parameter']}\n"
            "TUNED_URL=postgresql://app@db.acme-internal.dev:5432/app?options=-c%20statement_timeout%3D5000"
            f"%20-c%20password%3D{s[ENCODED_OPTIONS]}&sslmode=require\n"
            "ANALYTICS_DATABASE_URL=postgresql://app:"
            f"{s[RAW_SLASH]}@db.acme-internal.dev:5432/app\n"
            f"CACHE_URL=redis://:{s['Redis URL password']}@cache.acme-internal.dev:6379/0\n"
            f"MONGODB_URI=mongodb+srv://app:{s['MongoDB URI password']}@cluster0.acme-internal.dev/app\n"
            f"ESCAPED_SECRET=\"{s['dotenv escaped quote (as written)']}\"\n"
            f"QUOTED_TOKEN='{s['dotenv single-quoted escape (as written)']}'\n"
            f"BROKEN_PASSWORD=\"{s['secret in an unterminated quote']}\n"
        ),
        "apps/json/package.json": "{}",
        "apps/json/docker-compose.yml": json.dumps(
            {"services": {"db": {"image": "postgres:16", "environment": {"POSTGRES_PASSWORD": "@@"}}}}
        ).replace("@@", s["Compose JSON document (as written)"]) + "\n",
        "apps/api/.env.example": (
            f"NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY={s['service_role JWT']}\n"
            f"DB_PASSWORD={s['random DB_PASSWORD']}\n"
        ),
        "apps/db/package.json": "{}",
        "apps/db/docker-compose.yml": (
            "services:\n"
            "  db:\n"
            "    image: postgres:16\n"
            "    environment:\n"
            f"      POSTGRES_PASSWORD: {s['Compose map password']}\n"
            f"      DATABASE_URL: postgresql://app:{s['Compose map DSN password']}@db:5432/app\n"
            f"      PGPASSWORD: ${{PG_PASS:-{s['Compose default']}}}\n"
            f"      REDIS_PASSWORD: '{s[YAML_SINGLE]}'\n"
            "  app:\n"
            "    image: node:20\n"
            "    environment:\n"
            f"      - POSTGRES_PASSWORD={s['Compose list password']}\n"
            f"      - DATABASE_URL=postgresql://app:{s['Compose list DSN password']}@db:5432/app\n"
        ),
        "apps/broken/package.json": "{}",
        "apps/broken/compose.yaml": (
            "services:\n  db:\n    environment:\n"
            f"      POSTGRES_PASSWORD: \"{s['secret on a broken YAML line']}\n"
        ),
        "apps/web/package.json": "{}",
        "apps/web/prisma/schema.prisma": (
            "datasource db {\n"
            '  provider = "postgresql"\n'
            f'  url      = "postgresql://prisma:{s["Prisma literal password"]}@db.example.com:5432/app"\n'
            "}\n"
            "datasource other {\n"
            '  provider = "postgresql"\n'
            f'  url      = "postgresql://prisma:{s["Prisma escaped password (as written)"]}@db.acme-internal.dev:5432/app"\n'
            "}\n"
        ),
    })
    return root


ALL_SECRETS = {**SECRETS, **DECODED}


def leaked(output: bytes) -> List[str]:
    text = output.decode("utf-8", "replace")
    return [name for name, secret in ALL_SECRETS.items() if secret in text]


def _env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TEKUP_ENVLINT_DEBUG", "NO_COLOR", "FORCE_COLOR")}
    env.update(extra or {})
    return env


def run(args: Tuple[str, ...], cwd: Path, extra: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(COMMAND), *args], cwd=cwd, env=_env(extra), capture_output=True, timeout=120)


def run_on_terminal(args: Tuple[str, ...], cwd: Path) -> Tuple[int, bytes, bytes]:
    """The command with stdout on a pseudo-terminal, so that it colours as for a person."""
    import pty

    master, slave = pty.openpty()
    env = _env({"TERM": "xterm-256color", "COLUMNS": "200", "FORCE_COLOR": "1"})
    process = subprocess.Popen([str(COMMAND), *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                               stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    stderr = process.stderr.read() if process.stderr else b""
    return process.wait(timeout=120), b"".join(chunks), stderr


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = workspace(tmp_path_factory.mktemp("leaks") / "repo")
    git_init(root)  # tracked files: the credential rules report them as committed
    return root


COMMANDS = [
    ("check", "--no-color"),
    ("check", "--format", "text"),
    ("check", "--format", "json"),
    ("check", "--fail-on", "info", "--no-color"),
    ("check", "--select", "CRD,SYN", "--format", "json"),
    ("check", "apps/api/.env", "apps/db/docker-compose.yml", "--no-color"),  # pre-commit passes files
    ("map", "--no-color"),
    ("map", "--format", "text"),
    ("map", "--format", "json"),
    ("rules",),
    ("explain", "CRD001"),
    ("explain", "CRD002"),
    ("explain", "SYN002"),
    # the adoption formats and commands (issue 11)
    ("check", "--format", "concise"),
    ("check", "--format", "sarif"),  # with a scrubbed source line as each result's snippet
    ("check", "--format", "github"),
    ("check", "--format", "markdown"),
    ("check", "--format", "junit"),
    ("check", "--statistics"),
    ("check", "--fail-on", "info", "--format", "sarif"),
    ("map", "--format", "mermaid"),
    ("config",),
    ("config", "--format", "json"),
    ("rules", "--format", "json"),
    ("explain", "--all"),
    ("check", "--show-fixes", "--unsafe-fixes"),
    ("fix", "--diff"),
    ("fix", "--diff", "--unsafe-fixes", "--strategy", "supabase"),
    ("fix", "--diff", "--unsafe-fixes", "--strategy", "docker", "--format", "json"),
]


def test_the_secrets_are_there_to_find(repo: Path) -> None:
    """Not a vacuous test: the files are read and the credential rules see the secrets."""
    done = run(("check", "--format", "json"), repo)
    assert done.returncode == 1, done.stderr
    found = {(f["path"], f["code"]) for f in json.loads(done.stdout)["findings"]}
    for expected in [("apps/api/.env", "CRD001"), ("apps/api/.env", "CRD002"), ("apps/api/.env", "SYN001"),
                     ("apps/api/.env", "SYN002"), ("apps/db/docker-compose.yml", "CRD005"),
                     ("apps/broken/compose.yaml", "SYN004")]:
        assert expected in found, (expected, sorted(found))
    files = "".join(path.read_text() for path in repo.glob("apps/**/*") if path.is_file())
    assert [name for name, secret in SECRETS.items() if secret not in files] == []
    # each new class sits on a line shown in a code frame, so hiding it there is tested
    text = run(("check", "--no-color"), repo).stdout.decode()
    for key in ("ENCRYPTION_SALT", "SMTP_PASSWORD", "PG_CONNECTION", "REPLICA_URL", "ANALYTICS_DATABASE_URL",
                "ESCAPED_SECRET", "QUOTED_TOKEN", "REDIS_PASSWORD", '{"services"', "url      =", "CACHE_URL",
                "MONGODB_URI"):
        assert f" | {key}" in text or f" |       {key}" in text or f" |   {key}" in text, key


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_no_command_prints_a_secret(repo: Path, args: Tuple[str, ...]) -> None:
    done = run(args, repo)
    assert b"Traceback" not in done.stderr
    assert done.returncode in (0, 1), done.stderr
    assert leaked(done.stdout) == [] and leaked(done.stderr) == []


@pytest.mark.parametrize("args", [("check",), ("map",)], ids=["check", "map"])
def test_no_secret_in_colour_on_a_terminal(repo: Path, args: Tuple[str, ...]) -> None:
    code, out, err = run_on_terminal(args, repo)
    assert code in (0, 1), err
    assert b"\x1b[" in out  # colour really was on
    assert leaked(out) == [] and leaked(err) == []
    # NO_COLOR turns it off again, with nothing leaked either
    plain = run(args, repo, {"NO_COLOR": "1"})
    assert b"\x1b[" not in plain.stdout and leaked(plain.stdout) == []


def test_render_with_colour_in_process(repo: Path) -> None:
    from tekup_envlint import engine
    from tekup_envlint.config_file import load
    from tekup_envlint.report.text import check_lines, map_table, render

    result = engine.run(repo, load(repo))
    files = {f.source.path: f for f in result.workspace.files}
    for color in (True, False):
        out = render(check_lines(result.findings, files, len(files), result.redactor.scrub), color)
        assert leaked(out.encode()) == []
        assert leaked(map_table(result.workspace, color).encode()) == []
    messages = "\n".join(f.message for f in result.findings)
    assert leaked(messages.encode()) == []


def test_error_paths_print_no_secret(repo: Path, tmp_path: Path) -> None:
    s = SECRETS
    bad = tmp_path / "bad.toml"
    bad.write_text(
        f'schemas = "postgresql://u:{s["pooler DSN password"]}@h/db"\n'
        f'strategy = "{s["GitHub token"]}"\n'
        f'fail-on = "{s["OpenAI key"]}"\n'
    )
    for args in [("check", "--config", str(bad)), ("map", "--config", str(bad)),
                 ("check", "--select", s["Stripe key"]), ("explain", s["sb_secret_ key"]),
                 ("check", "--config", str(tmp_path / "missing.toml"))]:
        done = run(args, repo)
        assert done.returncode == 2 and b"Traceback" not in done.stderr, done.stderr
        assert leaked(done.stdout) == [] and leaked(done.stderr) == [], (args, done.stderr)


def test_internal_error_prints_no_secret(repo: Path, monkeypatch, capsys) -> None:
    """An unexpected exception whose message holds a secret: exit 2, type name only."""
    from tekup_envlint import cli, engine

    def explode(*args, **kwargs):
        raise ValueError(f"could not parse {SECRETS['random DB_PASSWORD']}")

    monkeypatch.delenv("TEKUP_ENVLINT_DEBUG", raising=False)
    monkeypatch.setattr(engine, "run", explode)
    assert cli.main(["check", str(repo)]) == 2
    out, err = capsys.readouterr()
    assert "internal error: ValueError" in err
    assert leaked((out + err).encode()) == []


# -- every quoting and escaping style of each format (hypothesis) -------------------------
#
# A secret is hidden both as a reader of the file takes it (the value) and as the file writes
# it (quotes, escapes, percent-encoding, a YAML scalar folded over two lines). Each example
# writes one value in one style, runs the engine and every reporter in-process, and checks
# that neither form appears in any output, and that the line really is shown in a code frame
# (so the test cannot pass by showing nothing).

import re as _re  # noqa: E402
from urllib.parse import quote as _pct  # noqa: E402

from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_ALPHABET = string.ascii_letters + string.digits + " \"'\\/#@:!%&*.,;=?+-_~é"


def _mixed(value: str) -> bool:
    """An upper-case letter, a lower-case letter and a digit, as a real secret has: a value
    such as `PASSWORD` or `12 chars` is also the text of a key or of a redaction, so
    finding it in the output would say nothing about a leak."""
    return any(c.isupper() for c in value) and any(c.islower() for c in value) and any(c.isdigit() for c in value)


_VALUES = st.text(alphabet=_ALPHABET, min_size=8, max_size=40).filter(
    lambda v: v == v.strip() and "  " not in v and _mixed(v)
)
_PLAIN = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.!%-]{6,30}[A-Za-z0-9]", fullmatch=True).filter(_mixed)


def _dotenv(style: str, value: str, escape_single: bool) -> str:
    if style == "unquoted":
        return value
    if style == "single":
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    body = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + (body.replace("'", "\\'") if escape_single else body) + '"'


def _yaml_double(value: str, seed: int) -> str:
    """A YAML double-quoted scalar, with some characters written as escapes (\\/, \\xNN, \\uNNNN)."""
    out = []
    for i, ch in enumerate(value):
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "/" and seed % 2:
            out.append("\\/")
        elif (i + seed) % 5 == 0:
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _json_string(value: str, seed: int) -> str:
    """A JSON (Prisma) string body, with some characters written as \\uNNNN and \\/."""
    out = []
    for i, ch in enumerate(value):
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "/":
            out.append("\\/")
        elif (i + seed) % 4 == 0:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


DSN_HOST = "db.acme-internal.dev:5432/app"


def _styled_workspace(fmt: str, style: str, value: str, seed: int) -> Tuple[Dict[str, str], List[str], List[str]]:
    """(files, forms that must not appear, lines that must be shown in a code frame)."""
    files = {"apps/a/package.json": "{}", "apps/a/.env.example": "OTHER=1\n"}
    if fmt == "dotenv":
        written = _dotenv(style, value, bool(seed % 2))
        dsn_written = _pct(value, safe="")
        files["apps/a/.env"] = f"APP_PASSWORD={written}\nDATABASE_URL=postgresql://app:{dsn_written}@{DSN_HOST}\n"
        forms = [value, written.strip("'\""), dsn_written]
        shown = ["APP_PASSWORD", "DATABASE_URL"]
    elif fmt == "libpq":  # a keyword/value string and a URI query parameter, under innocent names
        kv = "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"  # libpq's own quoting
        quoting = "double" if style == "kv" else "single"
        written = _dotenv(quoting, f"host=db.acme-internal.dev password={kv} dbname=app", bool(seed % 2))
        query = _pct(value, safe="")
        files["apps/a/.env"] = (f"PG_CONNECTION={written}\n"
                                f"REPLICA_URL=postgresql://app@{DSN_HOST}?sslmode=require&sslpassword={query}\n")
        forms = [value, kv, kv[1:-1], _dotenv(quoting, kv[1:-1], bool(seed % 2))[1:-1], query]
        shown = ["PG_CONNECTION", "REPLICA_URL"]
    elif fmt == "compose":
        if style == "single":
            written = "'" + value.replace("'", "''") + "'"
        elif style == "double":
            written = _yaml_double(value, seed)
        else:  # "plain" or "continued" (a plain scalar folded onto the next line)
            written = value
        if style == "continued":
            half = len(value) // 2
            written = value[:half] + "\n        " + value[half:]
            value = value[:half] + " " + value[half:]
        files["apps/a/docker-compose.yml"] = (
            "services:\n  db:\n    image: postgres:16\n    environment:\n"
            f"      POSTGRES_PASSWORD: {written}\n"
        )
        forms = [value, written.strip("'\"")] + [line.strip() for line in written.strip("'\"").split("\n")]
        shown = ["POSTGRES_PASSWORD"]
    elif fmt == "compose-json":
        document = {"services": {"db": {"image": "postgres:16", "environment": {"POSTGRES_PASSWORD": value}}}}
        text = json.dumps(document, ensure_ascii=bool(seed % 2)).replace("/", "\\/")
        files["apps/a/docker-compose.yml"] = text + "\n"
        written = json.dumps(value, ensure_ascii=bool(seed % 2)).replace("/", "\\/")[1:-1]
        forms = [value, written]
        shown = ["POSTGRES_PASSWORD"]
    else:  # prisma: a literal URL whose password is percent-encoded, then JSON-escaped
        encoded = _pct(value, safe="")
        written = _json_string(encoded, seed)
        files["apps/a/prisma/schema.prisma"] = (
            f'datasource db {{\n  provider = "postgresql"\n  url      = "postgresql://app:{written}@{DSN_HOST}"\n}}\n'
        )
        forms = [value, encoded, written]
        shown = ["url"]
    return files, [f for f in forms if len(f) >= 6], shown


STYLES = st.one_of(
    st.tuples(st.just("dotenv"), st.sampled_from(["single", "double"]), _VALUES),
    st.tuples(st.just("dotenv"), st.just("unquoted"), _PLAIN),
    st.tuples(st.just("libpq"), st.sampled_from(["kv", "kv-single"]), _VALUES),
    st.tuples(st.just("compose"), st.sampled_from(["single", "double"]), _VALUES),
    st.tuples(st.just("compose"), st.sampled_from(["plain", "continued"]), _PLAIN.filter(lambda v: len(v) >= 12)),
    st.tuples(st.just("compose-json"), st.just("json"), _VALUES),
    st.tuples(st.just("prisma"), st.just("json"), _VALUES),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(STYLES, st.integers(min_value=0, max_value=9))
def test_no_secret_in_any_quoting_or_escaping_style(tmp_path_factory, case: Tuple[str, str, str], seed: int) -> None:
    from tekup_envlint import engine
    from tekup_envlint.catalogue import catalogue
    from tekup_envlint.classify import secret_state
    from tekup_envlint.config import DEFAULT
    from tekup_envlint.report.concise import concise
    from tekup_envlint.report.github import annotations
    from tekup_envlint.report.json import check_report, map_report
    from tekup_envlint.report.junit import junit
    from tekup_envlint.report.markdown import markdown
    from tekup_envlint.report.mermaid import mermaid
    from tekup_envlint.report.sarif import sarif
    from tekup_envlint.report.text import check_lines, map_table, render

    fmt, style, value = case
    assume(secret_state(value) == "literal" and "$" not in value)
    files, forms, shown = _styled_workspace(fmt, style, value, seed)
    root = write_tree(tmp_path_factory.mktemp("styled"), files)
    result = engine.run(root, DEFAULT)
    parsed = {f.source.path: f for f in result.workspace.files}
    names = {code: rule.name for code, rule in catalogue().items()}
    rules = catalogue()
    mermaid_text = mermaid(result.workspace)
    outputs = {
        "text": render(check_lines(result.findings, parsed, len(parsed), result.redactor.scrub), False),
        "json": check_report(str(root), result.findings, names, len(parsed)),
        "map": map_report(result.workspace, result.redactor.scrub_field),
        "map text": map_table(result.workspace, False, 200, result.redactor.scrub_field),
        "mermaid": mermaid_text,
        "sarif": sarif(result.findings, rules, parsed, result.redactor.scrub),
        "concise": concise(result.findings),
        "github": annotations(result.findings, names),
        "junit": junit(result.findings, names, len(parsed)),
        "markdown": markdown(result.findings, names, len(parsed), mermaid_text),
    }
    for what, output in outputs.items():
        for form in forms:
            assert form not in output, (what, form, output)
    for key in shown:  # the line holding the secret is in a code frame: not vacuous
        assert _re.search(rf"\d+ \| +{key}\b", outputs["text"]) or _re.search(rf'\d+ \| .*"{key}"', outputs["text"]), (
            key, outputs["text"])


# -- the pieces, one by one ---------------------------------------------------------------

@pytest.mark.parametrize("key,secret", [
    ("ENCRYPTION_SALT", True), ("DB_PASSWORD", True), ("JWT_PRIVATE_KEY", True), ("STRIPE_API_KEY", True),
    ("NEXTAUTH_SECRET", True), ("PASSWORD_SALT", True), ("GITHUB_TOKEN", True), ("PGPASSWORD", True),
    ("NEXTAUTH_URL", False), ("POSTGRES_PASSWORD_FILE", False), ("PASSWORD_MIN_LENGTH", False),
    ("AUTHOR", False), ("PORT", False), ("DATABASE_URL", False), ("BYPASS_CACHE", False),
])
def test_secret_like_name(key: str, secret: bool) -> None:
    from tekup_envlint.patterns import secret_like_name

    assert secret_like_name(key) is secret


def test_credential_parameters_of_libpq_strings_and_uri_queries() -> None:
    from tekup_envlint.redact import credential_parameters, scrub_shapes

    assert credential_parameters("host=db port=5432 password='it\\'s s3cret' sslpassword=Ssl4242 user=x") == [
        "it's s3cret", "Ssl4242"]
    assert credential_parameters("postgresql://u@h/db?sslmode=require&token=T0k3n99&api_key=K3y77&pwd=P4ss") == [
        "T0k3n99", "K3y77", "P4ss"]
    scrubbed = scrub_shapes("host=db password=KvSecret42 x postgresql://h/db?apikey=ApiSecret42&sslmode=require")
    assert "KvSecret42" not in scrubbed and "ApiSecret42" not in scrubbed and "sslmode=require" in scrubbed
    # libpq's `options`, percent-encoded in a URI: `-c password=...` is a credential too
    encoded = "postgresql://u@h/db?options=-c%20password%3DOpt5ecret42&sslmode=require"
    assert credential_parameters(encoded) == ["Opt5ecret42"]
    for text in (encoded, encoded.replace("%3D", "%3d").replace("%20", "+"), "options=-c%20password%3DOpt5ecret42"):
        assert "Opt5ecret42" not in scrub_shapes(text) and "options=-c" in scrub_shapes(text), text
    assert scrub_shapes("mypassword%3Dnot_a_parameter") == "mypassword%3Dnot_a_parameter"
    # references and placeholders are not secrets
    assert scrub_shapes("password=${PGPASSWORD} token=changeme") == "password=${PGPASSWORD} token=changeme"


def test_a_short_value_under_a_secret_name_is_hidden_only_where_it_is_assigned() -> None:
    from tekup_envlint.redact import Redactor, written_forms

    text = "SMTP_PASSWORD=k9Q2x\n"
    redactor = Redactor((), written_forms(text, 14, 19, 0))
    assert redactor.scrub("SMTP_PASSWORD=k9Q2x") == "SMTP_PASSWORD=…[5 chars]"
    assert redactor.scrub("k9Q2x elsewhere") == "k9Q2x elsewhere"  # too short to scrub as a word


def test_shared_prefix_secrets_are_found_by_their_rare_part() -> None:
    """Thousands of secrets sharing a long prefix (every JWT starts `eyJhbG`): each line only
    tries the secrets it really holds, and every one of them is still scrubbed."""
    from tekup_envlint.redact import Redactor

    prefix = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + "S" * 40
    secrets = [f"{prefix}{i:06d}tail{i * 7919 % 10007:05d}" for i in range(3000)]
    redactor = Redactor(secrets)
    for i in (0, 1234, 2999):
        line = f"KEY_{i}={secrets[i]} and {secrets[(i + 1) % 3000]}"
        scrubbed = redactor.scrub(line)
        assert secrets[i] not in scrubbed and secrets[(i + 1) % 3000] not in scrubbed
        assert len(redactor._pattern_for(line).pattern) < 4 * len(prefix) + 100  # two candidates, not 3000


@pytest.mark.parametrize("fmt", ["text", "concise", "json", "sarif", "github", "markdown", "junit"])
def test_no_secret_in_an_output_file(repo: Path, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"report.{fmt}"
    done = run(("check", "--format", fmt, "-o", str(target)), repo)
    assert done.returncode == 1, done.stderr
    assert target.stat().st_size > 0 and leaked(target.read_bytes()) == [] and leaked(done.stderr) == []


def test_sarif_snippets_are_there_and_scrubbed(repo: Path) -> None:
    """Not vacuous: the SARIF results carry the source lines, with the secrets cut out."""
    done = run(("check", "--format", "sarif"), repo)
    results = json.loads(done.stdout)["runs"][0]["results"]
    snippets = [r["locations"][0]["physicalLocation"]["region"].get("snippet", {}).get("text", "") for r in results]
    assert any(s.startswith("DATABASE_URL=postgresql://") for s in snippets)
    assert any(s.startswith("SUPABASE_SERVICE_ROLE_KEY=") for s in snippets)
    assert leaked("\n".join(snippets).encode()) == []


def test_the_baseline_holds_no_secret_and_no_plain_hash_of_one(repo: Path, tmp_path: Path) -> None:
    import hashlib

    target = tmp_path / "baseline.txt"
    done = run(("check", "--write-baseline", str(target)), repo)
    assert done.returncode == 0, done.stderr
    text = target.read_bytes()
    assert leaked(text) == []
    for secret in ALL_SECRETS.values():
        for algorithm in ("sha1", "sha256", "md5"):
            digest = hashlib.new(algorithm, secret.encode()).hexdigest()
            assert digest[:16].encode() not in text and digest.encode() not in text


def test_init_writes_no_secret(repo: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(repo, copy)
    done = run(("init",), copy)
    assert done.returncode == 0, done.stderr
    assert leaked(done.stdout) == [] and leaked(done.stderr) == []
    assert leaked((copy / ".tekup-envlint.toml").read_bytes()) == []


def test_thousands_of_secrets_sharing_a_prefix_in_the_text_report(tmp_path: Path) -> None:
    """`DB_PASSWORD_i=SharedPrefix...` thousands of times made the text report take minutes
    (every line compiled an alternation of every secret); it must hide each one."""
    rng = random.Random(7)
    prefix = "SharedPrefix" + "x" * 60
    secrets = [prefix + "".join(rng.choice(string.ascii_letters) for _ in range(20)) for _ in range(3000)]
    write_tree(tmp_path, {
        "apps/a/package.json": "{}",
        "apps/a/.env.example": "OTHER=1\n",
        "apps/a/.env": "".join(f"DB_PASSWORD_{i}={s}\n" for i, s in enumerate(secrets)),
    })
    done = run(("check", "--no-color"), tmp_path)
    assert done.returncode == 1, done.stderr
    text = done.stdout.decode()
    assert text.count(" | DB_PASSWORD_") >= 3000  # every line is shown in a frame
    assert not [s for s in secrets if s in text]


def test_a_frame_masks_what_its_message_masks(tmp_path: Path) -> None:
    """A well-known local default (`postgres`) is masked in a finding's message; its code
    frame masks it too, in a URI's password slot and under a secret name. A switch under a
    secret-sounding name (`USE_DB_AUTHENTICATION=true`) is not a secret and stays in view."""
    from tekup_envlint import engine
    from tekup_envlint.config import DEFAULT
    from tekup_envlint.report.text import check_lines, render

    write_tree(tmp_path, {
        "apps/a/package.json": "{}",
        "apps/a/.env.example": "OTHER=1\n",
        "apps/a/.env": "DATABASE_URL=postgresql://app:postgres@localhost:5432/app\nUSE_DB_AUTHENTICATION=true\n",
        "apps/a/docker-compose.yml": "services:\n  db:\n    image: postgres:16\n    environment:\n"
                                     "      POSTGRES_PASSWORD: postgres\n",
    })
    result = engine.run(tmp_path, DEFAULT)
    files = {f.source.path: f for f in result.workspace.files}
    text = render(check_lines(result.findings, files, len(files), result.redactor.scrub), False)
    assert "| DATABASE_URL=postgresql://app:…[8 chars]@localhost:5432/app" in text
    assert "|       POSTGRES_PASSWORD: …[8 chars]" in text
    assert "| USE_DB_AUTHENTICATION=true" in text
