"""Properties that hold for any input: parsers never raise, positions lie inside the file,
spans cut out exactly what they name, and redaction never gives a secret away.

Parsers are reached through `tekup_envlint.parsers.parse_text` (text) and `read` (bytes on
disk), the way the engine reaches them. Examples are kept few so the suite stays fast.
"""

from __future__ import annotations

import string
import tempfile
from pathlib import Path
from typing import Iterator, List, Tuple

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tekup_envlint.models import ParsedFile, SourceFile, Span
from tekup_envlint.parsers import parse_text, read
from tekup_envlint.redact import _NOT_SECRET, Redactor, redact
from tekup_envlint.text import LineIndex

KINDS = ("dotenv", "compose", "prisma")
NAMES = {"dotenv": ".env", "compose": "docker-compose.yml", "prisma": "schema.prisma"}
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Characters that mean something to one of the three grammars, mixed into random text so
# that examples reach the interesting paths rather than only plain words.
SYNTAX = list("=#'\"\\ \t\r\n:-[]{}&*!|>$@(),/\ufeffxyzAZ09_é")
TEXT = st.text(alphabet=st.one_of(st.sampled_from(SYNTAX), st.characters()), max_size=300)
WORDS = st.sampled_from([
    "export ", "KEY=", "A=", "'", '"', "\\", "#", "\n", "\r\n", "\r", " ", "\t", "${A:-", "}", "$$",
    "services:\n", "  db:\n", "    environment:\n", "      K: ", "      - K=", "<<: *a\n", "&a ", "*a",
    "!reset ", "!override ", "---\n", "datasource db {\n", "  url = ", 'env("X")', "@@schema(", ")",
    "}\n", "postgresql://u:p@h/db", "\ufeff", "é", "ключ",
])
TOKENS = st.lists(WORDS, max_size=40).map("".join)
ANY_TEXT = st.one_of(TEXT, TOKENS)


def source(kind: str) -> SourceFile:
    return SourceFile(path=NAMES[kind], kind=kind, app=".", env="default", tracked=True)


def spans(parsed: ParsedFile) -> Iterator[Tuple[str, Span]]:
    """Every span a parsed file reports, named for the assertion message."""
    for s in parsed.settings:
        yield f"key {s.key!r}", s.key_span
        if s.value_span is not None:
            yield f"value of {s.key!r}", s.value_span
    for p in parsed.problems:
        yield f"problem {p.code}", p.span
    for i in parsed.interpolations:
        yield f"interpolation {i.name}", i.span
    for service in parsed.services:
        yield f"service {service.name!r}", service.span
        if service.image_span is not None:
            yield "image", service.image_span
        for ref in service.env_files:
            yield "env_file", ref.span
        for _, span in service.ports:
            yield "port", span
    for ds in parsed.datasources:
        yield f"datasource {ds.name}", ds.span
        for value in (ds.url, ds.direct_url):
            if value is not None:
                yield "datasource value", value.span
        for _, span in ds.schemas:
            yield "schemas entry", span
    for _, span in parsed.model_schemas:
        yield "@@schema", span


def assert_inside(text: str, parsed: ParsedFile) -> None:
    index = LineIndex(text)
    for what, span in spans(parsed):
        assert 0 <= span.start <= span.end <= len(text), (what, span, len(text))
        assert (span.line, span.column) == index.position(span.start), (what, span)


# -- parsers never raise, positions lie inside the file -----------------------------------

@FAST
@given(st.sampled_from(KINDS), ANY_TEXT)
def test_parsers_never_raise_and_positions_lie_inside(kind: str, text: str) -> None:
    parsed = parse_text(source(kind), text)
    assert parsed.text == text
    assert_inside(text, parsed)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(KINDS), st.one_of(
    st.binary(max_size=300),
    ANY_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),  # a lone surrogate is bytes too
    st.tuples(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00", b""]), st.binary(max_size=60))
    .map(lambda pair: pair[0] + pair[1]),
))
def test_read_never_raises_on_any_bytes(kind: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / NAMES[kind]).write_bytes(data)
        parsed = read(root, source(kind), max_size=200)
    if len(data) > 200:
        assert [p.code for p in parsed.problems] == ["SYN006"]
    else:
        try:
            data.decode("utf-8")
            decodable = b"\x00" not in data and not data.startswith((b"\xff\xfe", b"\xfe\xff"))
        except UnicodeDecodeError:
            decodable = False
        if not decodable:
            # refused, or recovered (mixed UTF-8 and UTF-16, stray NULs) and parsed after SYN003
            assert parsed.problems[0].code == "SYN003"
            assert "\x00" not in parsed.text
        else:
            assert parsed.text == data.decode("utf-8")  # nothing translated: offsets are the file's
    assert_inside(parsed.text, parsed)


# -- spans cut out exactly what they name -------------------------------------------------

DOTENV_KEY = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.\-]{0,12}", fullmatch=True)
UNQUOTED = st.text(alphabet=string.ascii_letters + string.digits + "_-./:@?=%+~,${}!*&é ", max_size=30)
DOTENV_LINE = st.one_of(
    st.tuples(st.sampled_from(["", "export ", "  "]), DOTENV_KEY, st.sampled_from(["=", " = ", "= "]), UNQUOTED,
              st.sampled_from(["", " # comment", "  "])).map("".join),
    st.tuples(DOTENV_KEY, st.sampled_from(["='", '="']), UNQUOTED).map(lambda t: t[0] + t[1] + t[2] + t[1][-1]),
    TEXT.filter(lambda t: "\n" not in t and "\r" not in t),
)
DOTENV = st.tuples(st.lists(DOTENV_LINE, max_size=12), st.sampled_from(["\n", "\r\n", "\r"]), st.booleans()).map(
    lambda t: t[1].join(t[0]) + (t[1] if t[2] else "")
)


@FAST
@given(st.one_of(DOTENV, ANY_TEXT))
def test_dotenv_spans_are_exact(text: str) -> None:
    parsed = parse_text(source("dotenv"), text)
    assert_inside(text, parsed)
    for s in parsed.settings:
        assert text[s.key_span.start:s.key_span.end] == s.key
        if s.value_span is None:
            assert s.value is None
            continue
        written = text[s.value_span.start:s.value_span.end]
        if s.quote == "":
            assert written == s.value, (s.key, written, s.value)
        else:
            assert written[0] == written[-1] == s.quote and len(written) >= 2


YAML_KEY = st.from_regex(r"[A-Z_][A-Z0-9_]{0,10}", fullmatch=True)
# plain YAML scalars on one line: start with a letter or digit, no ": ", " #", no trailing ":"
PLAIN = st.text(alphabet=string.ascii_letters + string.digits + "_-./@%+=?~", min_size=1, max_size=24).filter(
    lambda v: v[0].isalnum() and v not in ("null", "Null", "NULL", "true", "false")
)
PLAIN_WITH_COLON = st.tuples(PLAIN, st.sampled_from(["", "://host:5432/db", ":x"])).map("".join)


@FAST
@given(st.lists(st.tuples(YAML_KEY, PLAIN_WITH_COLON), min_size=1, max_size=8, unique_by=lambda kv: kv[0]),
       st.booleans(), st.sampled_from(["\n", "\r\n"]))
def test_compose_plain_scalar_spans_are_exact(pairs: List[Tuple[str, str]], as_list: bool, newline: str) -> None:
    lines = ["services:", "  api:", "    image: node", "    environment:"]
    lines += [f"      - {k}={v}" if as_list else f"      {k}: {v}" for k, v in pairs]
    text = newline.join(lines) + newline
    parsed = parse_text(source("compose"), text)
    assert parsed.problems == ()
    assert_inside(text, parsed)
    assert [(s.key, s.value) for s in parsed.settings] == pairs
    for s in parsed.settings:
        assert text[s.key_span.start:s.key_span.end] == s.key
        assert s.value_span is not None
        assert text[s.value_span.start:s.value_span.end] == s.value


# -- redaction ----------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text(min_size=4, max_size=60))
def test_redact_never_returns_the_value(value: str) -> None:
    shown = redact(value)
    assert value not in shown
    if len(value) >= 20:
        assert shown.startswith(value[:4]) and value[4:] not in shown  # a prefix and a length
    else:
        assert not shown.startswith(value[:1]) or value[:1] in "…["  # no prefix to guess from


# Secrets of random shapes. The redaction marker is built from "…", "[", "]" and spaces, so
# a "secret" made of the marker's own text (`chars]`) would be re-created by the marker
# itself; real secrets hold none of them. Words the redactor deliberately leaves alone
# (well-known local defaults such as "postgres") are not secrets.
SECRET_ALPHABET = string.ascii_letters + string.digits + "!\"#$%&'()*+,-./:;<=>?@\\^_`{|}~éøß漢"
SECRETS = st.one_of(
    st.text(alphabet=SECRET_ALPHABET, min_size=6, max_size=80),
    st.from_regex(r"(ghp|sk|sb_secret|sk_live|xoxb)_?[A-Za-z0-9]{20,40}", fullmatch=True),
    st.from_regex(r"eyJ[A-Za-z0-9_-]{10,40}\.[A-Za-z0-9_-]{10,60}\.[A-Za-z0-9_-]{10,40}", fullmatch=True),
).filter(lambda s: s.lower() not in _NOT_SECRET)
CONTEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=200, deadline=None)
@given(st.lists(SECRETS, min_size=1, max_size=4), st.lists(CONTEXT, min_size=5, max_size=5))
def test_scrub_removes_every_planted_secret(secrets: List[str], context: List[str]) -> None:
    text = context[0]
    for secret, around in zip(secrets, context[1:]):
        text += secret + around
    text += f"postgresql://user:{secrets[0]}@host/db" if "@" not in secrets[0] and "/" not in secrets[0] else ""
    scrubbed = Redactor(secrets).scrub(text)
    for secret in secrets:
        assert secret not in scrubbed, (secret, scrubbed)


@settings(max_examples=100, deadline=None)
@given(SECRETS, st.sampled_from(["DB_PASSWORD", "API_TOKEN", "SUPABASE_SERVICE_ROLE_KEY", "JWT_SECRET"]))
def test_secret_of_a_secret_named_setting_is_scrubbed_from_its_line(secret: str, key: str) -> None:
    """The path the CLI takes: secrets_in() of a setting feeds the Redactor that scrubs frames."""
    from tekup_envlint.classify import secret_state
    from tekup_envlint.redact import secrets_in

    assume(secret_state(secret) == "literal")
    line = f"{key}={secret}"
    assert secret not in Redactor(secrets_in(key, secret)).scrub(line)


# -- globs ----------------------------------------------------------------------------------

GLOB = st.lists(st.sampled_from(["a", "b", "*", "?", "**", "[ab]", "[!a]", ".", "-", "/", "env"]), max_size=6).map("".join)
PATH = st.lists(st.sampled_from(["a", "b", "ab", ".env", "x", "a.b"]), min_size=1, max_size=4).map("/".join)


@FAST
@given(st.lists(GLOB, max_size=6), PATH)
def test_one_glob_matcher_agrees_with_fnmatchcase(patterns: List[str], path: str) -> None:
    """`discovery.Globs` (compiled once) matches a path or one of its folders exactly when
    `fnmatchcase` does for some glob."""
    from fnmatch import fnmatchcase

    from tekup_envlint.discovery import Globs

    parts = path.split("/")
    expected = any(fnmatchcase("/".join(parts[: i + 1]), p) for p in patterns for i in range(len(parts)))
    assert Globs(patterns).match_path(path) == expected
