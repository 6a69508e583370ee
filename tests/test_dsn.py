"""The URI parser against libpq's behaviour (docs/domain reference §3, libpq t/001_uri.pl)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tekup_envlint import dsn
from tekup_envlint.dsn import find_references, has_reference, parse, whole_reference


def test_tekup_docker_dsn_with_schema() -> None:
    d = parse("postgresql://tekup:tekup123@localhost:5432/tekup_db?schema=renos")
    assert d is not None
    assert d.scheme == "postgresql"
    assert (d.user, d.password, d.host, d.port, d.database) == ("tekup", "tekup123", "localhost", 5432, "tekup_db")
    assert d.schema == "renos"
    assert d.params == (("schema", "renos"),)
    assert d.errors == ()


def test_both_schemes_are_uris_and_case_matters() -> None:
    assert parse("postgres://u@h/db").scheme == "postgres"
    assert parse("postgresql://u@h/db").scheme == "postgresql"
    assert parse("POSTGRES://u@h/db") is None
    assert parse("PostgreSQL://u@h/db") is None
    assert parse(" postgresql://u@h/db") is None  # libpq does not skip leading blanks


def test_non_dsn_strings() -> None:
    for value in (
        "", "localhost:5432", "mysql://u@h/db", "https://x.supabase.co", "host=localhost dbname=x", "postgresql:/x",
    ):
        assert parse(value) is None
    assert parse(None) is None  # type: ignore[arg-type]
    assert parse(5432) is None  # type: ignore[arg-type]


def test_ecto_scheme_is_accepted() -> None:
    d = parse("ecto://supabase_admin:${POSTGRES_PASSWORD}@db:5432/_supabase")
    assert d is not None and d.scheme == "ecto"
    assert (d.user, d.password, d.host, d.database) == ("supabase_admin", "${POSTGRES_PASSWORD}", "db", "_supabase")


def test_percent_encoded_password_is_decoded() -> None:
    d = parse("postgresql://u:p%40ss%23w@h/db")
    assert d.password == "p@ss#w"
    assert parse("postgresql://u:p%40ss@h/db").password == "p@ss"


def test_password_repr_is_hidden() -> None:
    assert "s3cret" not in repr(parse("postgresql://u:s3cret@h/db"))


def test_a_raw_at_sign_in_the_credentials_is_read_as_meant_and_noted() -> None:
    """libpq ends the credentials at the first "@" and would read `ss@host` as the host,
    showing the password's tail as a host name (in `map --format json`); the author meant
    the last "@" before the host. The difference is listed in `errors`."""
    d = parse("postgresql://u:p@ss@host/db")
    assert (d.password, d.host) == ("p@ss", "host")
    assert any("raw '@'" in e for e in d.errors)
    assert parse("postgresql://me@x.org:pw@host/db?a=b@c").user == "me@x.org"


def test_hash_and_question_mark_in_password() -> None:
    assert parse("postgresql://u:pa#ss@host/db").password == "pa#ss"
    d = parse("postgresql://u:pa?ss@host/db")
    assert d.password == "pa?ss" and d.host == "host"


def test_credentials_only_before_first_slash() -> None:
    # an "@" after the first "/" is not a credentials designator
    d = parse("postgresql://host/db@x")
    assert d.user is None and d.host == "host" and d.database == "db@x"


def test_user_without_password_and_empty_password() -> None:
    d = parse("postgresql://alice@h")
    assert d.user == "alice" and d.password is None
    d = parse("postgresql://alice:@h")
    assert d.user == "alice" and d.password is None  # libpq does not store an empty password


def test_multiple_hosts_and_ports() -> None:
    d = parse("postgresql://h1:5432,h2:5433/db")
    assert d.hosts == ("h1", "h2")
    assert d.ports == ("5432", "5433")
    assert d.host == "h1" and d.port == 5432 and d.database == "db"
    d = parse("postgresql://h1:1,h2/db")
    assert d.hosts == ("h1", "h2") and d.ports == ("1", "")


def test_ipv6_in_brackets() -> None:
    d = parse("postgresql://[::1]:5433/db")
    assert d.hosts == ("::1",) and d.port == 5433
    d = parse("postgresql://u@[2001:db8::1234]/db")
    assert d.host == "2001:db8::1234" and d.ports == ()
    d = parse("postgresql://[::1")
    assert d is not None and d.errors


def test_empty_host_and_socket_host() -> None:
    d = parse("postgresql:///db")
    assert d.hosts == () and d.host is None and d.database == "db"
    d = parse("postgresql://u@/db?host=/tmp")
    assert d.hosts == ("/tmp",) and d.host == "/tmp"
    d = parse("postgresql://%2Fvar%2Frun%2Fpostgresql/db")
    assert d.host == "/var/run/postgresql" and d.database == "db"


def test_bare_scheme() -> None:
    d = parse("postgresql://")
    assert d is not None and d.hosts == () and d.database is None and d.errors == ()


def test_params_in_order_last_wins_and_plus_kept() -> None:
    d = parse("postgresql://h/db?sslmode=disable&options=-c+x%3Dy&sslmode=require")
    assert d.params == (("sslmode", "disable"), ("options", "-c+x=y"), ("sslmode", "require"))
    assert d.param("sslmode") == "require"
    assert d.param("missing") is None


def test_host_and_port_params_override() -> None:
    d = parse("postgresql://h:5432/db?host=o&port=6543")
    assert d.hosts == ("o",) and d.port == 6543
    d = parse("postgresql://u:p@h/db?user=v&password=q&dbname=e")
    assert (d.user, d.password, d.database) == ("v", "q", "e")


def test_fragment_is_part_of_the_value() -> None:
    assert parse("postgresql://h/db?sslmode=require#f").param("sslmode") == "require#f"


def test_libpq_errors_are_reported_not_raised() -> None:
    assert parse("postgresql://h:notaport/db").errors
    assert parse("postgresql://h:notaport/db").port is None
    assert parse("postgresql://u:p%zz@h/db").errors
    assert parse("postgresql://u:p%zz@h/db").password == "p%zz"
    assert parse("postgresql://h/db?a=1&&b=2").errors
    assert parse("postgresql://h/db?a").errors
    assert parse("postgresql://h/db?options=-c search_path=x").errors  # a raw "=" in a value
    assert parse("postgresql://h/db?a=1&").errors == ()


def test_prisma_params_are_kept() -> None:
    d = parse("postgresql://u:p@aws-1-eu-central-1.pooler.supabase.com:6543/postgres?pgbouncer=true&connection_limit=1")
    assert d.param("pgbouncer") == "true" and d.param("connection_limit") == "1"


def test_references_in_a_dsn() -> None:
    d = parse("postgresql://tekup:${DB_PASSWORD}@localhost:5432/tekup_db")
    assert d.password == "${DB_PASSWORD}" and d.host == "localhost"
    assert d.references == ("DB_PASSWORD",)
    d = parse("postgresql://${DB_USER:-postgres}:${DB_PASSWORD}@${DB_HOST}:${DB_PORT:-5432}/${DB_NAME}")
    assert d.user == "${DB_USER:-postgres}"
    assert d.password == "${DB_PASSWORD}"
    assert d.hosts == ("${DB_HOST}",)
    assert d.ports == ("${DB_PORT:-5432}",)
    assert d.database == "${DB_NAME}"
    assert d.errors == ()
    assert d.references == ("DB_USER", "DB_PASSWORD", "DB_HOST", "DB_PORT", "DB_NAME")
    d = parse("postgresql://u:$PGPASS@h/db")
    assert d.references == ("PGPASS",)


def test_reference_scanner() -> None:
    refs = find_references("a${X}b${Y:-${Z}}c$$d${")
    assert [(r.name, r.operator, r.default) for r in refs] == [("X", "", None), ("Y", ":-", "${Z}")]
    assert whole_reference("${DATABASE_URL}").name == "DATABASE_URL"
    assert whole_reference("$DATABASE_URL").name == "DATABASE_URL"
    assert whole_reference("${A:?missing}").operator == ":?"
    assert whole_reference("x${A}") is None
    assert whole_reference("${A}${B}") is None
    assert has_reference("pre${X}") and has_reference("$X")
    assert not has_reference("pa$$word") and not has_reference("p$ss!") and not has_reference("${1}")


@settings(max_examples=400)
@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    dsn._parse(text)
    dsn._parse("postgresql://" + text)
    find_references(text)


_URI_CHARS = st.text(alphabet="abc:@/?&=,[]%#+$-_{}.0123456789", max_size=40)


@settings(max_examples=600)
@given(_URI_CHARS)
def test_never_raises_on_uri_shaped_text(text: str) -> None:
    d = dsn._parse("postgres://" + text)
    assert d is not None
    assert d.port is None or 0 <= d.port <= 65535
    assert d.host is None or isinstance(d.host, str)
    assert d.param("host") is None or isinstance(d.param("host"), str)


def test_parse_lenient_takes_application_spellings() -> None:
    for text in ("POSTGRES://u:pw@h/db", "postgresql+asyncpg://u:pw@h/db", "jdbc:postgresql://u:pw@h/db"):
        parsed = dsn.parse_lenient(text)
        assert parsed is not None and parsed.password == "pw" and parsed.host == "h", text
    assert dsn.parse("POSTGRES://u:pw@h/db") is None  # libpq itself refuses it
    assert dsn.parse_lenient("mysql://u:pw@h/db") is None
    assert dsn.parse_lenient("not a url") is None


def test_redactor_learns_passwords_of_upper_case_schemes() -> None:
    from tekup_envlint.redact import secrets_in

    assert "s3cretPassw0rd" in secrets_in("DATABASE_URL", "POSTGRES://u:s3cretPassw0rd@db.example.org/db")


def test_a_raw_slash_in_the_password_is_read_as_meant_and_noted() -> None:
    """libpq would read `u` as the host, `pa` as the port and `ss@host/db` as the database,
    showing the password's tail as a database name; the author meant user, password, host."""
    parsed = dsn.parse("postgresql://app:pa/ss-Secret@db.acme.dev:5432/app")
    assert (parsed.user, parsed.password, parsed.host, parsed.database) == ("app", "pa/ss-Secret", "db.acme.dev", "app")
    assert any("raw '/'" in e for e in parsed.errors)
    # a port before the slash is a port, and a database name may hold an "@"
    parsed = dsn.parse("postgresql://localhost:5432/my@db")
    assert (parsed.host, parsed.port, parsed.database, parsed.password) == ("localhost", 5432, "my@db", None)


def test_password_span_is_the_password_as_written():
    from tekup_envlint.dsn import password_span

    cases = {
        "postgresql://u:pw@h/db": "pw",
        " postgres://u:p%40w@h:5/db?x=1": "p%40w",
        "jdbc:postgresql+asyncpg://u:a@b@h/db": "a@b",  # a raw '@': the last one before the host
        "postgresql://u:pa/ss@h/db": "pa/ss",  # a raw '/', read as its author meant it
        "POSTGRES://u:pw@h/db": "pw",
    }
    for value, password in cases.items():
        span = password_span(value)
        assert span is not None and value[span[0]:span[1]] == password, value
    for value in ("postgresql://u@h/db", "postgresql://u:@h/db", "postgresql://u:${PW}@h/db",
                  "postgresql://${USER}:pw@h/db", "mysql://u:pw@h/db", "postgresql://h/db?password=pw"):
        assert password_span(value) is None, value
