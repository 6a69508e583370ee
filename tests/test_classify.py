"""Where each connection-bearing setting points, for every shape the Tekup monorepo has."""

from __future__ import annotations

import base64
from typing import Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tekup_envlint import classify as classify_module
from tekup_envlint.classify import (
    classify,
    classify_pg_vars,
    classify_service,
    image_repository,
    is_placeholder,
    is_postgres_image,
    is_public_key,
    jwt_claims,
    secret_state,
)
from tekup_envlint.config import Config, SupabaseProject
from tekup_envlint.models import ComposeService, EnvFileRef, Setting, Span, Target
from tekup_envlint.patterns import load
from conftest import jwt

CONFIG = Config()
PRIMARY = "oaevagdgrasfppbrxbey"
LEGACY = "twaoebtlusudzxshjral"
OTHER_REF = "abcdefghijklmnopqrsz"
POOLER = "aws-1-eu-central-1.pooler.supabase.com"
SPAN = Span(0, 0, 1, 1)


def c(key: str, value: Optional[str], config: Config = CONFIG) -> Optional[Target]:
    return classify(key, value, config)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


HOSTED_ANON = jwt({"iss": "supabase", "ref": PRIMARY, "role": "anon", "iat": 1700000000, "exp": 2015576000})
HOSTED_SERVICE = jwt({"iss": "supabase", "ref": PRIMARY, "role": "service_role", "iat": 1700000000, "exp": 2015576000})
LEGACY_ANON = jwt({"iss": "supabase", "ref": LEGACY, "role": "anon", "iat": 1650000000, "exp": 1965576000})
DEMO_SERVICE = jwt({"iss": "supabase-demo", "role": "service_role", "exp": 1983812996})
# the published `supabase start` anon key
CLI_ANON = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9"
    ".CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0"
)


def setting(key: str, value: Optional[str], service: str = "") -> Setting:
    return Setting(key, value, SPAN, SPAN, service=service)


# ----------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    "value",
    [
        "your_supabase_url",
        "https://your-project.supabase.co",
        "YOUR_PASSWORD",
        "[YOUR-PASSWORD]",
        "<password>",
        "<SUPABASE_ANON_KEY>",
        "changeme",
        "change_me",
        "CHANGE-ME",
        "changePassword",
        "replace-me-with-a-random-string",
        "__REPLACE_ME__",
        "__XX_XX_XX__",
        "xxx",
        "XXXXXXXX",
        "sk-proj-xxxxxxxx",
        "sk-...",
        "eyJ...",
        "...",
        "your-super-secret-and-long-postgres-password",
        "your_secret_key_here",
        "yourPassword",
        "placeholder",
        "example",
        "TODO",
        "https://api.example.com",
        "DBNAME",  # corpus review: postgresql://postgres:password@localhost:5432/DBNAME
        "DATABASE_NAME",
    ],
)
def test_placeholders(value: str) -> None:
    assert is_placeholder(value)
    assert secret_state(value) == "placeholder"


@pytest.mark.parametrize(
    "value",
    [
        "postgres",
        "password",
        "secret",
        "tekup123",
        "testpass",
        "s3cr3t-P@ss",
        "hunter2",
        "xyz",
        "boxer",
        "2xxx1",
        "yourls",
        "somewhere",
        "dbname",  # a real (lower-case) database name: only the upper-case slot is a placeholder
        "postgresql://postgres:postgres@localhost:5432/postgres",
        "https://oaevagdgrasfppbrxbey.supabase.co",
        "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz",
        CLI_ANON,
        "",
        "   ",
    ],
)
def test_not_placeholders(value: str) -> None:
    assert not is_placeholder(value)


def test_secret_state() -> None:
    assert secret_state(None) == "absent"
    assert secret_state("") == "absent"
    assert secret_state("${DB_PASSWORD}") == "reference"
    assert secret_state("$DB_PASSWORD") == "reference"
    assert secret_state("${DB_PASSWORD:-postgres}") == "reference"
    assert secret_state("<password>") == "placeholder"
    assert secret_state("tekup123") == "literal"
    assert secret_state("pa$word") == "literal"


def test_jwt_claims_decodes_without_verifying() -> None:
    claims = jwt_claims(HOSTED_ANON)
    assert claims == {"iss": "supabase", "ref": PRIMARY, "role": "anon", "iat": 1700000000, "exp": 2015576000}
    assert jwt_claims(CLI_ANON) == {"iss": "supabase-demo", "role": "anon", "exp": 1983812996}


@pytest.mark.parametrize(
    "token",
    [
        "eyJhbGciOiJIUzI1NiJ9",
        "eyJhbGciOiJIUzI1NiJ9.!!!.sig",
        "eyJhbGciOiJIUzI1NiJ9.e30x.sig",
        "eyJhbGciOiJIUzI1NiJ9." + b64(b"not json") + ".sig",
        "eyJhbGciOiJIUzI1NiJ9." + b64(b"[1, 2]") + ".sig",
        "eyJhbGciOiJIUzI1NiJ9." + b64(b"\xff\xfe") + ".sig",
        "eyJhbGciOiJIUzI1NiJ9." + b64(b"[" * 100000) + ".sig",
        "a.b.c.d",
        "",
    ],
)
def test_malformed_jwts_do_not_raise(token: str) -> None:
    assert jwt_claims(token) is None


def test_public_prefixes() -> None:
    assert is_public_key("NEXT_PUBLIC_SUPABASE_URL")
    assert is_public_key("VITE_SUPABASE_ANON_KEY")
    assert is_public_key("PUBLIC_ENV__DB")
    assert not is_public_key("SUPABASE_SERVICE_ROLE_KEY")
    assert load().public_prefixes == (
        "NEXT_PUBLIC_", "VITE_", "EXPO_PUBLIC_", "REACT_APP_", "PUBLIC_", "NUXT_PUBLIC_", "PUBLIC_ENV__",
    )


def test_patterns_ship_as_package_data() -> None:
    from importlib.resources import files

    from tekup_envlint.patterns import _read_text

    try:
        packaged = files("tekup_envlint.rules").joinpath("patterns.toml").read_text(encoding="utf-8")
    except ModuleNotFoundError:
        pytest.skip("tekup_envlint.rules is mapped only in an installed (or editable) package")
    assert packaged == _read_text()


def test_patterns_load_once_and_hold_the_reference_facts() -> None:
    pats = load()
    assert load() is pats
    assert pats.local_ports == {"api": 54321, "db": 54322, "shadow_db": 54320, "pooler": 54329}
    assert {"localhost", "127.0.0.1", "::1", "0.0.0.0", "host.docker.internal"} <= pats.local_hosts
    assert pats.supabase_api_host.match(f"{PRIMARY}.supabase.co").group(1) == PRIMARY
    assert pats.supabase_db_host.match(f"db.{PRIMARY}.supabase.co").group(1) == PRIMARY
    assert pats.pooler_host.match(POOLER)
    assert pats.pooler_host.match("aws-0-us-east-1.pooler.supabase.com")
    assert not pats.pooler_host.match("pooler.supabase.com")


# ----------------------------------------------------------------------- DSNs


def test_tekup_docker_dsn() -> None:
    t = c("DATABASE_URL", "postgresql://tekup:tekup123@localhost:5432/tekup_db?schema=renos")
    assert t == Target(
        kind="docker",
        source="dsn",
        host="localhost",
        port=5432,
        database="tekup_db",
        schema="renos",
        user="tekup",
        secret_state="literal",
        params=(("schema", "renos"),),
    )


def test_dsn_in_any_variable_and_both_schemes() -> None:
    assert c("SOMETHING", "postgres://u:p@localhost/db").kind == "docker"
    assert c("SOMETHING", "postgresql://u:p@localhost/db").kind == "docker"
    assert c("NEXT_PRIVATE_DATABASE_URL", "postgres://u:p@127.0.0.1:5433/db").kind == "docker"


def test_upper_case_scheme_still_classified() -> None:
    # not a URI to libpq, but Node and Prisma accept it, so it still points somewhere
    assert c("DATABASE_URL", "POSTGRES://u:p@localhost/db").kind == "docker"


def test_default_port_and_missing_database() -> None:
    t = c("DATABASE_URL", "postgresql://u:p@localhost")
    assert t.port == 5432 and t.database is None


def test_percent_encoded_password_is_literal_and_not_stored() -> None:
    t = c("DATABASE_URL", "postgresql://tekup:p%40ss@localhost:5432/tekup_db")
    assert t.secret_state == "literal"
    assert "p@ss" not in repr(t) and "p%40ss" not in repr(t)


def test_password_states() -> None:
    assert c("DATABASE_URL", "postgresql://tekup@localhost/db").secret_state == "absent"
    assert c("DATABASE_URL", "postgresql://tekup:${DB_PASSWORD}@localhost/db").secret_state == "reference"
    assert c("DATABASE_URL", "postgresql://tekup:$DB_PASSWORD@localhost/db").secret_state == "reference"
    t = c("DATABASE_URL", f"postgresql://postgres:[YOUR-PASSWORD]@db.{PRIMARY}.supabase.co:5432/postgres")
    assert t.kind == "supabase" and t.secret_state == "placeholder" and t.project_ref == PRIMARY
    assert c("DATABASE_URL", "postgresql://u:<password>@localhost/db").secret_state == "placeholder"
    assert c("DATABASE_URL", "postgresql://u@localhost/db?password=x").secret_state == "literal"


@pytest.mark.parametrize("host", ["postgres", "db", "tekup-db", "supabase_db_other"])
def test_compose_service_names_as_hosts(host: str) -> None:
    t = c("DATABASE_URL", f"postgresql://tekup:pw@{host}:5432/tekup_db")
    expected = "supabase-local" if host.startswith("supabase_db_") else "docker"
    assert t.kind == expected and t.host == host and t.port == 5432


def test_local_hosts() -> None:
    for host in ("localhost", "127.0.0.1", "[::1]", "0.0.0.0", "host.docker.internal", "LOCALHOST"):
        assert c("DATABASE_URL", f"postgresql://u:p@{host}:5432/db").kind == "docker", host
    assert c("DATABASE_URL", "postgresql://u:p@[::1]:5432/db").host == "::1"


def test_supabase_cli_local_ports() -> None:
    t = c("DB_URL", "postgresql://postgres:postgres@127.0.0.1:54322/postgres")
    assert t.kind == "supabase-local" and t.port == 54322
    for port in (54320, 54321, 54329):
        assert c("DB_URL", f"postgresql://postgres:postgres@localhost:{port}/postgres").kind == "supabase-local"
    # from inside a container, host.docker.internal:54322 is the CLI database on the host
    assert c("DB_URL", "postgresql://postgres:postgres@host.docker.internal:54322/postgres").kind == "supabase-local"


def test_cli_port_with_an_app_user_is_a_plain_docker_database() -> None:
    # documenso maps postgres:15 to 54320 and connects as its own user
    t = c("NEXT_PRIVATE_DATABASE_URL", "postgres://documenso:password@127.0.0.1:54320/documenso")
    assert t.kind == "docker"
    assert c("DB_URL", "postgresql://tekup:pw@localhost:54322/tekup_db").kind == "docker"


def test_direct_supabase_host() -> None:
    t = c("DIRECT_URL", f"postgresql://postgres:${{DB_PASSWORD}}@db.{PRIMARY}.supabase.co:5432/postgres")
    assert (t.kind, t.project_ref, t.pooler_mode, t.port) == ("supabase", PRIMARY, None, 5432)
    assert t.secret_state == "reference"
    t = c("DATABASE_URL", f"postgresql://postgres:pw@db.{PRIMARY}.supabase.co:6543/postgres")
    assert t.pooler_mode == "transaction"  # dedicated PgBouncer


def test_pooler_hosts_and_modes() -> None:
    t = c("DATABASE_URL", f"postgresql://postgres.{PRIMARY}:pw@{POOLER}:5432/postgres")
    assert (t.kind, t.project_ref, t.pooler_mode, t.user) == ("supabase", PRIMARY, "session", f"postgres.{PRIMARY}")
    t = c("DATABASE_URL", f"postgresql://postgres.{PRIMARY}:pw@{POOLER}:6543/postgres?pgbouncer=true")
    assert (t.kind, t.project_ref, t.pooler_mode) == ("supabase", PRIMARY, "transaction")
    assert t.params == (("pgbouncer", "true"),)
    t = c("DATABASE_URL", f"postgresql://postgres.{PRIMARY}:pw@{POOLER}/postgres")
    assert t.port == 5432 and t.pooler_mode == "session"


def test_pooler_user_without_ref() -> None:
    t = c("DATABASE_URL", f"postgresql://postgres:pw@{POOLER}:6543/postgres")
    assert t.kind == "supabase" and t.project_ref is None


def test_pooler_with_other_ref_is_supabase() -> None:
    t = c("DATABASE_URL", f"postgresql://postgres.{OTHER_REF}:pw@{POOLER}:6543/postgres")
    assert t.kind == "supabase" and t.project_ref == OTHER_REF


def test_legacy_ref_in_every_place() -> None:
    direct = c("DATABASE_URL", f"postgresql://postgres:pw@db.{LEGACY}.supabase.co:5432/postgres")
    pooler = c("DATABASE_URL", f"postgresql://postgres.{LEGACY}:pw@{POOLER}:6543/postgres")
    url = c("SUPABASE_URL", f"https://{LEGACY}.supabase.co")
    key = c("SUPABASE_ANON_KEY", LEGACY_ANON)
    for t in (direct, pooler, url, key):
        assert t.kind == "legacy-vault" and t.project_ref == LEGACY
    assert key.jwt_ref == LEGACY


def test_legacy_refs_come_from_config() -> None:
    config = Config(primary=SupabaseProject(ref=LEGACY), legacy=(SupabaseProject(ref=PRIMARY),))
    assert c("SUPABASE_URL", f"https://{PRIMARY}.supabase.co", config).kind == "legacy-vault"
    assert c("SUPABASE_URL", f"https://{LEGACY}.supabase.co", config).kind == "supabase"


def test_other_hosts() -> None:
    t = c("POSTGRES_URL", "postgres://default:pw@ep-x-pooler.eu-central-1.postgres.vercel-storage.com:5432/verceldb")
    assert t.kind == "other"
    assert c("DATABASE_URL", "postgresql://u:p@10.0.0.5:5432/db").kind == "other"
    assert c("DATABASE_URL", "postgresql://u:p@[2001:db8::1]:5432/db").kind == "other"


def test_multi_host() -> None:
    t = c("DATABASE_URL", "postgresql://u:p@localhost:5432,127.0.0.1:5433/db")
    assert t.kind == "docker" and t.host == "localhost,127.0.0.1" and t.port == 5432
    t = c("DATABASE_URL", "postgresql://u:p@localhost:5432,db.example.org:5432/db")
    assert t.kind == "placeholder"
    t = c("DATABASE_URL", "postgresql://u:p@localhost:5432,pg.acme.io:5432/db")
    assert t.kind == "other"


def test_socket_and_empty_hosts_are_this_machine() -> None:
    t = c("DATABASE_URL", "postgresql://u@%2Fvar%2Frun%2Fpostgresql/db")
    assert t.kind == "docker" and t.host == "/var/run/postgresql"
    t = c("DATABASE_URL", "postgresql://u@/db?host=/tmp")
    assert t.kind == "docker" and t.host == "/tmp"
    t = c("DATABASE_URL", "postgresql:///db")
    assert t.kind == "docker" and t.host is None


def test_host_param_overrides() -> None:
    t = c("DATABASE_URL", f"postgresql://u:p@localhost:5432/db?host=db.{PRIMARY}.supabase.co")
    assert t.kind == "supabase" and t.project_ref == PRIMARY


def test_unresolved_dsns() -> None:
    t = c("DATABASE_URL", "${DATABASE_URL}")
    assert t == Target(kind="unresolved", source="dsn", secret_state="reference")
    assert c("DATABASE_URL", "postgresql://u:${PW}@${DB_HOST}:5432/db").kind == "unresolved"
    assert c("DATABASE_URL", "postgresql://u:p@db.${REF}.supabase.co:5432/postgres").kind == "unresolved"
    assert c("DATABASE_URL", f"postgresql://postgres.${{REF}}:p@{POOLER}:6543/postgres").kind == "unresolved"
    assert c("DATABASE_URL", "postgresql://u:p@localhost:${DB_PORT}/db").kind == "unresolved"
    assert c("DATABASE_URL", "${DATABASE_URL:?set it}").kind == "unresolved"
    # a reference to a connection-bearing variable under another name
    assert c("PRISMA_URL_FOR_TESTS", "${DATABASE_URL}").kind == "unresolved"
    assert c("FOO", "${BAR}") is None
    assert c("DATABASE_URL", None) == Target(kind="unresolved", source="dsn", secret_state="reference")
    assert c("FOO", None) is None


def test_reference_with_default_classifies_the_default() -> None:
    t = c("DATABASE_URL", "${DATABASE_URL:-postgresql://postgres:${POSTGRES_PASSWORD}@postgres:5432/main}")
    assert t.kind == "docker" and t.host == "postgres" and t.secret_state == "reference"


def test_placeholder_dsns() -> None:
    for value in (
        "postgresql://user:password@host:5432/db",
        "postgresql://username:password@host:port/db_name",
        "postgresql://__USER__:__PASSWORD__@__HOST__/__DATABASE__",
        "postgresql://<user>:<password>@<netloc>:<port>/<database>?<options>",
        "postgresql://postgres:YOUR_PASSWORD@db.YOUR_PROJECT_REF.supabase.co:5432/postgres",
        "postgres://postgres.[USERNAME]:[PASSWORD]@aws-0-eu-central-1.pooler.supabase.com:6543/postgres",
        "postgresql://u:p@db.example.com:5432/app",
        "__YOUR_DATABASE_CONNECTION_STRING__",
        "your-database-url",
    ):
        assert c("DATABASE_URL", value).kind == "placeholder", value
    # the host is real: where it points is known, only the password is a slot
    t = c("DATABASE_URL", "postgresql://<USER-HERE>:<PASSWORD-HERE>@localhost:5432/<DATABASE NAME HERE>")
    assert t.kind == "docker" and t.secret_state == "placeholder"


def test_empty_values() -> None:
    assert c("DATABASE_URL", "") == Target(kind="placeholder", source="dsn")
    assert c("SUPABASE_URL", "  ") == Target(kind="placeholder", source="supabase-url")
    assert c("SUPABASE_SERVICE_ROLE_KEY", "") == Target(kind="placeholder", source="supabase-key")
    assert c("REDIS_URL", "") is None


def test_other_database_urls() -> None:
    assert c("DATABASE_URL", "file:./dev.db") is None
    assert c("DATABASE_URL", "mysql://root:pw@localhost:3306/app") is None
    t = c("DATABASE_URL", "prisma://accelerate.prisma-data.net/?api_key=abc123")
    assert t.kind == "other" and t.host == "accelerate.prisma-data.net"
    assert c("DATABASE_URL", "prisma://accelerate.prisma-data.net/?api_key=__XX_XX_XX__").kind == "placeholder"


# ----------------------------------------------------------------------- Supabase URLs


def test_supabase_api_urls() -> None:
    t = c("NEXT_PUBLIC_SUPABASE_URL", f"https://{PRIMARY}.supabase.co")
    assert t == Target(kind="supabase", source="supabase-url", host=f"{PRIMARY}.supabase.co", project_ref=PRIMARY)
    # any variable holding a project URL points at it
    t = c("STORAGE_CDN", f"https://{PRIMARY}.supabase.co/storage/v1/object/public/x.png")
    assert t.kind == "supabase" and t.project_ref == PRIMARY
    t = c("EDGE_URL", f"https://{PRIMARY}.functions.supabase.co/hello")
    assert t.project_ref == PRIMARY
    assert c("OLD_URL", f"https://{PRIMARY}.supabase.in").kind == "supabase"
    # a vanity or custom subdomain is Supabase, project unknown
    t = c("SUPABASE_URL", "https://tekup.supabase.co")
    assert t.kind == "supabase" and t.project_ref is None


def test_supabase_url_placeholders() -> None:
    for value in (
        "your_supabase_url",
        "https://your-project.supabase.co",
        "https://YOUR_PROJECT_REF.supabase.co",
        "https://<project-ref>.supabase.co",
        "https://xyzcompany.supabase.co",
        "<SUPABASE_URL>",
    ):
        t = c("SUPABASE_URL", value)
        assert t.kind == "placeholder" and t.source == "supabase-url", value
    assert c("ANY_URL", "https://your-project.supabase.co").kind == "placeholder"


def test_supabase_local_urls() -> None:
    for value in ("http://localhost:54321", "http://127.0.0.1:54321", "localhost:54321", "http://kong:8000"):
        assert c("SUPABASE_URL", value).kind == "supabase-local", value
    assert c("VITE_SUPABASE_URL", "http://localhost:8000").kind == "supabase-local"  # self-hosted Kong
    assert c("SUPABASE_PUBLIC_URL", "http://localhost:8000").kind == "supabase-local"
    assert c("SUPABASE_URL", "https://supabase.acme.io").kind == "other"


def test_api_url_only_with_a_supabase_looking_value() -> None:
    assert c("API_URL", "http://127.0.0.1:54321").kind == "supabase-local"
    assert c("API_URL", f"https://{PRIMARY}.supabase.co").kind == "supabase"
    assert c("API_URL", "http://localhost:3000") is None
    assert c("NEXT_PUBLIC_API_URL", "http://localhost:3003") is None


def test_unrelated_urls_and_keys() -> None:
    assert c("SUPABASE_AUTH_GITHUB_REDIRECT_URI", "http://localhost:54321/auth/v1/callback") is None
    assert c("REDIS_URL", "redis://localhost:6379") is None
    assert c("SITE_URL", "http://localhost:3000") is None
    assert c("SUPABASE_JWT_SECRET", "super-secret-jwt-token-with-at-least-32-characters-long") is None
    assert c("SECRET_KEY", "60gp0byfz2dvffa45cxl20p1scy9xbpf6d8c5y0geejgkyp1b5") is None
    assert c("STRIPE_PUBLISHABLE_KEY", "your_publishable_key_here") is None
    assert c("POSTGRES_PASSWORD", "tekup123") is None
    assert c("OPENAI_API_KEY", "sk-...") is None


def test_supabase_url_reference() -> None:
    t = c("SUPABASE_URL", "${SUPABASE_PUBLIC_URL}")
    assert t.kind == "unresolved" and t.source == "supabase-url"
    assert c("SUPABASE_URL", "https://${SUPABASE_REF}.supabase.co").kind == "unresolved"


# ----------------------------------------------------------------------- Supabase keys


def test_hosted_jwt() -> None:
    t = c("NEXT_PUBLIC_SUPABASE_ANON_KEY", HOSTED_ANON)
    assert t == Target(
        kind="supabase",
        source="supabase-key",
        secret_state="literal",
        project_ref=PRIMARY,
        role="anon",
        jwt_ref=PRIMARY,
        jwt_exp=2015576000,
        jwt_iss="supabase",
    )
    t = c("SUPABASE_SERVICE_ROLE_KEY", HOSTED_SERVICE)
    assert t.role == "service_role" and t.kind == "supabase"
    assert HOSTED_SERVICE not in repr(t)


def test_demo_jwt_is_supabase_local() -> None:
    t = c("SUPABASE_SERVICE_ROLE_KEY", DEMO_SERVICE)
    assert (t.kind, t.role, t.jwt_iss, t.jwt_exp, t.jwt_ref) == (
        "supabase-local", "service_role", "supabase-demo", 1983812996, None,
    )
    assert c("NEXT_PUBLIC_SUPABASE_ANON_KEY", CLI_ANON).kind == "supabase-local"


def test_jwt_in_any_variable_counts_by_issuer() -> None:
    assert c("MY_TOKEN", HOSTED_ANON).kind == "supabase"
    assert c("MY_TOKEN", DEMO_SERVICE).kind == "supabase-local"
    foreign = jwt({"iss": "https://clerk.acme.dev", "sub": "user_1"})
    assert c("MY_TOKEN", foreign) is None
    # under a Supabase-ish name a JWT counts even without an issuer; its project is unknown
    bare = jwt({"role": "anon", "iat": 1613531985, "exp": 1929107985})
    for key in ("ANON_KEY", "SERVICE_KEY", "SERVICE_ROLE_KEY", "SUPABASE_KEY"):
        t = c(key, bare)
        assert (t.kind, t.source, t.role, t.project_ref) == ("supabase", "supabase-key", "anon", None), key
    # a foreign issuer under a Supabase name is not Supabase's
    assert c("SUPABASE_ANON_KEY", foreign).kind == "other"


def test_self_hosted_payload_with_whitespace() -> None:
    raw = b'{  \n    "role": "anon",\n    "iss": "supabase-demo",\n    "iat": 1641769200,\n    "exp": 1799535600\n}'
    t = c("ANON_KEY", jwt(None, raw=raw))
    assert t.kind == "supabase-local" and t.jwt_exp == 1799535600


def test_user_access_token_issuer_gives_the_ref() -> None:
    token = jwt({"iss": f"https://{LEGACY}.supabase.co/auth/v1", "role": "authenticated", "exp": 1})
    t = c("TEST_TOKEN", token)
    assert t.kind == "legacy-vault" and t.project_ref == LEGACY and t.jwt_ref is None


def test_odd_claims() -> None:
    t = c("SUPABASE_ANON_KEY", jwt({"iss": "supabase", "ref": "not-a-ref", "role": 5, "exp": True}))
    assert (t.kind, t.project_ref, t.jwt_ref, t.role, t.jwt_exp) == ("supabase", None, "not-a-ref", None, None)
    t = c("SUPABASE_ANON_KEY", jwt({"iss": "supabase", "exp": 1.9e9}))
    assert t.jwt_exp == 1900000000


@pytest.mark.parametrize(
    "value",
    [
        "eyJhbGciOiJIUzI1NiJ9.!!!.sig",
        "eyJhbGciOiJIUzI1NiJ9." + b64(b"not json") + ".sig",
        "eyJhbGciOiJIUzI1NiJ9.e30",
    ],
)
def test_malformed_jwt_under_a_key_name(value: str) -> None:
    t = c("SUPABASE_ANON_KEY", value)
    assert t is not None and (t.source, t.kind, t.project_ref) == ("supabase-key", "supabase", None)
    assert c("SOME_TOKEN", value) is None


def test_new_api_keys() -> None:
    t = c("SUPABASE_PUBLISHABLE_KEY", "sb_publishable_abcDEF123_-xyz")
    assert (t.kind, t.source, t.role, t.secret_state) == ("supabase", "supabase-key", "publishable", "literal")
    t = c("WHATEVER", "sb_secret_abcDEF123_-xyz")
    assert (t.kind, t.role) == ("supabase", "secret")
    t = c("SUPABASE_SECRET_KEYS", '{"default": "sb_secret_abc123", "web": "sb_publishable_def456"}')
    assert t.role == "secret"
    assert c("SUPABASE_SECRET_KEY", "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz").kind == "supabase-local"
    assert c("SUPABASE_PUBLISHABLE_KEY", "sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH").kind == "supabase-local"
    t = c("SUPABASE_SECRET_KEY", "sb_secret_...")
    assert t.kind == "placeholder" and t.role == "secret"
    assert c("SUPABASE_SECRET_KEY", "sb_secret_xxxxxxxx").kind == "placeholder"


def test_key_placeholders_and_references() -> None:
    for value in ("YOUR_ANON_KEY", "<supabase-anon-key>", "your-anon-key", "eyJ...", "xxx", "changeme"):
        t = c("NEXT_PUBLIC_SUPABASE_ANON_KEY", value)
        assert t.kind == "placeholder" and t.secret_state == "placeholder", value
    t = c("SUPABASE_SERVICE_KEY", "${SERVICE_ROLE_KEY}")
    assert t == Target(kind="unresolved", source="supabase-key", secret_state="reference")
    t = c("SUPABASE_ANON_KEY", "some-opaque-value")
    assert t.kind == "supabase" and t.project_ref is None and t.secret_state == "literal"


# ----------------------------------------------------------------------- split fields


def test_pg_vars_group() -> None:
    settings_ = [
        setting("PGHOST", "localhost"),
        setting("PGPORT", "5432"),
        setting("PGDATABASE", "tekup_db"),
        setting("PGUSER", "tekup"),
        setting("PGPASSWORD", "${PGPASSWORD_SECRET}"),
    ]
    [(attached, t)] = classify_pg_vars(settings_, CONFIG)
    assert attached is settings_[0]
    assert t == Target(
        kind="docker", source="pg-vars", host="localhost", port=5432, database="tekup_db", user="tekup",
        secret_state="reference",
    )


def test_pg_vars_postgres_and_db_prefixes() -> None:
    settings_ = [
        setting("POSTGRES_HOST", f"db.{PRIMARY}.supabase.co"),
        setting("POSTGRES_DB", "postgres"),
        setting("POSTGRES_USER", "postgres"),
        setting("POSTGRES_PASSWORD", "<password>"),
        setting("DB_HOST", POOLER),
        setting("DB_PORT", "6543"),
        setting("DB_USER", f"postgres.{LEGACY}"),
    ]
    result = {s.key: t for s, t in classify_pg_vars(settings_, CONFIG)}
    assert result["POSTGRES_HOST"].kind == "supabase"
    assert result["POSTGRES_HOST"].project_ref == PRIMARY
    assert result["POSTGRES_HOST"].secret_state == "placeholder"
    assert result["DB_HOST"].kind == "legacy-vault"
    assert result["DB_HOST"].pooler_mode == "transaction"
    assert result["DB_HOST"].secret_state == "absent"


def test_pg_vars_without_host_give_nothing() -> None:
    # POSTGRES_USER/PASSWORD/DB alone configure a server (the postgres image), not a client
    settings_ = [
        setting("POSTGRES_USER", "tekup"),
        setting("POSTGRES_PASSWORD", "tekup123"),
        setting("POSTGRES_DB", "tekup_db"),
    ]
    assert classify_pg_vars(settings_, CONFIG) == []


def test_pg_vars_compose_service_names_and_defaults() -> None:
    settings_ = [setting("PGHOST", "${PGHOST:-plane-db}", "api"), setting("PGDATABASE", "${PGDATABASE:-plane}", "api")]
    [(_, t)] = classify_pg_vars(settings_, CONFIG)
    assert (t.kind, t.host, t.database, t.port) == ("docker", "plane-db", "plane", 5432)
    settings_ = [setting("DB_HOST", "${POSTGRES_HOST}", "realtime"), setting("DB_PASSWORD", None, "realtime")]
    [(_, t)] = classify_pg_vars(settings_, CONFIG)
    assert t.kind == "unresolved" and t.secret_state == "reference"


def test_pg_vars_supabase_local_and_host_port() -> None:
    [(_, t)] = classify_pg_vars([setting("PGHOST", "127.0.0.1"), setting("PGPORT", "54322")], CONFIG)
    assert t.kind == "supabase-local"
    [(_, t)] = classify_pg_vars([setting("DB_TYPE", "postgres"), setting("DB_HOST", "db:5432")], CONFIG)
    assert t.kind == "docker" and t.host == "db" and t.port == 5432


def test_generic_db_vars_need_postgres_evidence() -> None:
    mysql = [setting("DB_CONNECTION", "mysql"), setting("DB_HOST", "127.0.0.1"), setting("DB_PORT", "3306")]
    assert classify_pg_vars(mysql, CONFIG) == []
    assert classify_pg_vars([setting("WORDPRESS_DB_HOST", "db"), setting("WORDPRESS_DB_USER", "wp")], CONFIG) == []
    assert classify_pg_vars([setting("DB_HOST", "localhost"), setting("DB_PORT", "5432")], CONFIG)
    mysql_typed = [setting("DB_HOST", "localhost"), setting("DB_PORT", "5432"), setting("DB_TYPE", "mysql")]
    assert classify_pg_vars(mysql_typed, CONFIG) == []


def test_pg_vars_group_per_service() -> None:
    settings_ = [setting("PGHOST", "db", "a"), setting("PGHOST", "localhost", "b"), setting("PGPORT", "54322", "b")]
    result = {s.service: t.kind for s, t in classify_pg_vars(settings_, CONFIG)}
    assert result == {"a": "docker", "b": "supabase-local"}


def test_pg_vars_placeholders() -> None:
    [(_, t)] = classify_pg_vars([setting("POSTGRES_HOST", "YOUR_DB_HOST")], CONFIG)
    assert t.kind == "placeholder"
    [(_, t)] = classify_pg_vars([setting("POSTGRES_HOST", "")], CONFIG)
    assert t.kind == "placeholder"


# ----------------------------------------------------------------------- Compose services


def service(
    image: Optional[str], env: Optional[dict] = None, name: str = "postgres", env_files: tuple = ()
) -> ComposeService:
    environment = tuple(setting(k, v, name) for k, v in (env or {}).items())
    refs = tuple(EnvFileRef(p, True, SPAN) for p in env_files)
    return ComposeService(name=name, span=SPAN, image=image, environment=environment, env_files=refs)


@pytest.mark.parametrize(
    "image",
    [
        "postgres",
        "postgres:16",
        "postgres:16-alpine",
        "pgvector/pgvector:pg16",
        "postgis/postgis:16-3.4",
        "bitnami/postgresql:16",
        "docker.io/library/postgres:16",
        "docker.io/postgres:${POSTGRES_VERSION:-17}",
        "ghcr.io/acme/postgres:16",
        "registry.local:5000/postgres@sha256:abc",
        "${PG_IMAGE:-pgvector/pgvector:pg16}",
        "supabase/postgres:15.8.1.085",
    ],
)
def test_postgres_images(image: str) -> None:
    assert is_postgres_image(image)


@pytest.mark.parametrize(
    "image",
    ["supabase/postgres-meta:v0.95.2", "postgrest/postgrest", "dpage/pgadmin4", "edoburu/pgbouncer",
     "prometheuscommunity/postgres-exporter", "redis:7", "mysql:8", "${IMAGE}", "", None],
)
def test_not_postgres_images(image: Optional[str]) -> None:
    assert not is_postgres_image(image)


def test_image_repository() -> None:
    assert image_repository("docker.io/library/postgres:16@sha256:abc") == "postgres"
    assert image_repository("localhost:5000/pgvector/pgvector:pg16") == "pgvector/pgvector"


def test_tekup_compose_service() -> None:
    svc = service(
        "pgvector/pgvector:pg16",
        {"POSTGRES_USER": "tekup", "POSTGRES_PASSWORD": "tekup123", "POSTGRES_DB": "tekup_db"},
    )
    assert classify_service(svc, CONFIG) == Target(
        kind="docker", source="compose-service", host="postgres", port=5432, database="tekup_db", user="tekup",
        secret_state="literal",
    )


def test_compose_service_defaults_and_password_states() -> None:
    t = classify_service(service("postgres:16", {"POSTGRES_PASSWORD": "${POSTGRES_PASSWORD}"}, name="db"), CONFIG)
    assert (t.host, t.user, t.database, t.secret_state) == ("db", "postgres", "postgres", "reference")
    t = classify_service(service("postgres:16", {"POSTGRES_USER": "app"}), CONFIG)
    assert t.database == "app" and t.secret_state == "absent"
    t = classify_service(service("postgres:16", {"POSTGRES_PASSWORD_FILE": "/run/secrets/pg"}), CONFIG)
    assert t.secret_state == "reference"
    t = classify_service(service("postgres:16", {"POSTGRES_PASSWORD": "changeme"}), CONFIG)
    assert t.secret_state == "placeholder"
    t = classify_service(service("postgres:16", {"POSTGRES_PASSWORD": None}), CONFIG)
    assert t.secret_state == "reference"  # passed through from the shell
    t = classify_service(service("postgres:16", env_files=(".env",)), CONFIG)
    assert t.secret_state == "reference"  # may come from the env_file
    t = classify_service(service("postgres:16", {"POSTGRES_HOST_AUTH_METHOD": "trust"}), CONFIG)
    assert t.secret_state == "absent"
    t = classify_service(service("postgres:16", {"POSTGRES_USER": "${POSTGRES_USER:-tekup}", "PGPORT": "5433"}), CONFIG)
    assert (t.user, t.database, t.port) == ("tekup", "tekup", 5433)


def test_supabase_postgres_service_is_supabase_local() -> None:
    svc = service("supabase/postgres:15.8.1.085", {"POSTGRES_PASSWORD": "${POSTGRES_PASSWORD}"}, name="db")
    t = classify_service(svc, CONFIG)
    assert t.kind == "supabase-local" and t.host == "db"


def test_non_postgres_services() -> None:
    assert classify_service(service("redis:7"), CONFIG) is None
    assert classify_service(service(None), CONFIG) is None


# ----------------------------------------------------------------------- robustness


def test_default_config_is_used_when_none() -> None:
    assert classify("SUPABASE_URL", f"https://{LEGACY}.supabase.co").kind == "legacy-vault"


_KEYS = st.sampled_from(["DATABASE_URL", "SUPABASE_URL", "SUPABASE_ANON_KEY", "API_URL", "PGHOST", "X", ""])
_VALUES = st.one_of(
    st.none(),
    st.text(),
    st.text(alphabet="postgresql:/@[]%?&=,.${}-_:abcdefghijklmnopqrstuvwxyz0123456789", max_size=60).map(
        lambda s: "postgresql://" + s
    ),
    st.text(alphabet="htps:/.[]{}$%@:-_supabaeco0123456789<>", max_size=50).map(lambda s: "https://" + s),
    st.text(alphabet="eyJ.-_=ABCabc0123456789", max_size=60).map(lambda s: "eyJ" + s),
)


@settings(max_examples=500)
@given(_KEYS | st.text(max_size=20), _VALUES)
def test_classify_never_raises(key: str, value: Optional[str]) -> None:
    target = classify_module._classify(key, value, CONFIG, 0)
    assert target is None or target.kind in classify_module.KINDS
    assert target is None or target.secret_state in classify_module.SECRET_STATES


@settings(max_examples=200)
@given(st.lists(st.tuples(st.sampled_from(["PGHOST", "PGPORT", "DB_HOST", "DB_PORT", "DB_TYPE", "POSTGRES_USER"]),
                          st.one_of(st.none(), st.text(max_size=30))), max_size=6))
def test_pg_vars_never_raise(pairs: list) -> None:
    classify_module._classify_pg_vars([setting(k, v) for k, v in pairs], CONFIG)


@settings(max_examples=200)
@given(st.one_of(st.none(), st.text(max_size=40)), st.dictionaries(st.sampled_from(
    ["POSTGRES_USER", "POSTGRES_DB", "POSTGRES_PASSWORD", "PGPORT", "POSTGRES_HOST_AUTH_METHOD"]),
    st.one_of(st.none(), st.text(max_size=20))))
def test_classify_service_never_raises(image: Optional[str], env: dict) -> None:
    classify_module._classify_service(service(image, env), CONFIG)


def test_is_local_endpoint_is_local_host_cli_containers_and_service_names() -> None:
    from tekup_envlint.classify import is_local_endpoint, is_local_host

    for host in ("localhost", "127.0.0.1", "host.docker.internal", "supabase_db_myapp", "db", "Postgres_1", "db."):
        assert is_local_endpoint(host), host
    for host in ("db.example.com", "abcdefghijklmnopqrst.supabase.co", "db:5432"):
        assert not is_local_endpoint(host), host
    # narrower on purpose: a service name or a CLI container is not this machine
    assert not is_local_host("db") and not is_local_host("supabase_db_myapp")
