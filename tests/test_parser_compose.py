"""The Compose parser: positions, YAML corner cases and hostile input."""

from __future__ import annotations

import time
from typing import Iterator, List, Optional

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tekup_envlint.models import ParsedFile, SourceFile, Span
from tekup_envlint.parsers import compose
from tekup_envlint.text import LineIndex

SOURCE = SourceFile(path="docker-compose.yml", kind="compose", app=".", env="compose", tracked=True)

LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])


@pytest.fixture(params=LOADERS, ids=lambda loader: loader.__name__)
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[type]:
    """Run a test with libyaml and with the pure-Python fallback."""
    monkeypatch.setattr(compose, "_LOADER", request.param)
    yield request.param


def parse(text: str) -> ParsedFile:
    return compose.parse(SOURCE, text)


def cut(text: str, span: Optional[Span]) -> Optional[str]:
    return None if span is None else text[span.start:span.end]


def pos(span: Span) -> tuple:
    return (span.line, span.column)


def assert_spans_consistent(parsed: ParsedFile) -> None:
    """Every span lies inside the text and its line/column match the offset.

    Also checks that the parser's last-resort handler (an unexpected exception) never ran.
    """
    text = parsed.text
    assert not any(p.message.startswith("could not read") for p in parsed.problems)
    index = LineIndex(text)
    spans: List[Span] = [p.span for p in parsed.problems]
    spans += [i.span for i in parsed.interpolations]
    for service in parsed.services:
        spans.append(service.span)
        if service.image_span:
            spans.append(service.image_span)
        spans += [s.key_span for s in service.environment]
        spans += [s.value_span for s in service.environment if s.value_span]
        spans += [ref.span for ref in service.env_files]
        spans += [span for _, span in service.ports]
    for span in spans:
        assert 0 <= span.start <= span.end <= len(text)
        assert index.position(span.start) == (span.line, span.column)


# -- environment ---------------------------------------------------------------

MAP_FORM = """\
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: "s3cret # not a comment"
      POSTGRES_DB: 'app''s'
      PORT: 5432
      DEBUG: true
      PASSTHROUGH:
      NULLED: ~
      EMPTY: ""
      NOTE: |
        multi
        line
"""


def test_map_form_environment_positions(loader: type) -> None:
    parsed = parse(MAP_FORM)
    assert not parsed.problems
    (db,) = parsed.services
    assert db.name == "db" and pos(db.span) == (2, 3) and cut(MAP_FORM, db.span) == "db"
    env = {s.key: s for s in db.environment}
    assert [s.key for s in db.environment] == [
        "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "PORT", "DEBUG",
        "PASSTHROUGH", "NULLED", "EMPTY", "NOTE",
    ]
    assert parsed.settings == db.environment
    user = env["POSTGRES_USER"]
    assert (user.value, user.quote, user.service) == ("app", "", "db")
    assert pos(user.key_span) == (5, 7) and pos(user.value_span) == (5, 22)
    assert cut(MAP_FORM, user.key_span) == "POSTGRES_USER" and cut(MAP_FORM, user.value_span) == "app"

    password = env["POSTGRES_PASSWORD"]
    assert password.value == "s3cret # not a comment" and password.quote == '"'
    assert cut(MAP_FORM, password.value_span) == '"s3cret # not a comment"'
    assert pos(password.value_span) == (6, 26)

    name = env["POSTGRES_DB"]
    assert name.value == "app's" and name.quote == "'" and cut(MAP_FORM, name.value_span) == "'app''s'"

    assert (env["PORT"].value, env["DEBUG"].value) == ("5432", "true")  # the text as written
    assert env["PASSTHROUGH"].value is None and env["PASSTHROUGH"].value_span is None
    assert env["NULLED"].value is None and cut(MAP_FORM, env["NULLED"].value_span) == "~"
    assert env["EMPTY"].value == "" and env["EMPTY"].quote == '"'
    assert env["NOTE"].value == "multi\nline\n" and env["NOTE"].quote == "|"
    assert cut(MAP_FORM, env["NOTE"].value_span).startswith("|\n        multi")
    assert_spans_consistent(parsed)


LIST_FORM = """\
services:
  api:
    environment:
      - DATABASE_URL=postgres://u:p@db:5432/app?x=1
      - "QUOTED=some value"
      - 'SINGLE=it''s'
      - PASSTHROUGH
      - EMPTY=
      - EQUALS=a=b=c
"""


def test_list_form_environment_positions(loader: type) -> None:
    parsed = parse(LIST_FORM)
    assert not parsed.problems
    env = {s.key: s for s in parsed.services[0].environment}
    url = env["DATABASE_URL"]
    assert url.value == "postgres://u:p@db:5432/app?x=1" and url.quote == ""
    assert pos(url.key_span) == (4, 9) and cut(LIST_FORM, url.key_span) == "DATABASE_URL"
    assert pos(url.value_span) == (4, 22) and cut(LIST_FORM, url.value_span) == url.value

    quoted = env["QUOTED"]
    assert quoted.quote == '"' and quoted.value == "some value"
    assert pos(quoted.key_span) == (5, 10)  # just after the opening quote
    assert cut(LIST_FORM, quoted.key_span) == "QUOTED"
    assert cut(LIST_FORM, quoted.value_span) == "some value"  # inside the item's quotes

    single = env["SINGLE"]
    assert single.value == "it's" and single.quote == "'"
    assert cut(LIST_FORM, single.key_span) == "SINGLE"
    # ``''`` stands for one character, so the value's text cannot be cut out exactly:
    # the span falls back to the whole scalar.
    assert cut(LIST_FORM, single.value_span) == "'SINGLE=it''s'"

    assert env["PASSTHROUGH"].value is None and env["PASSTHROUGH"].value_span is None
    assert cut(LIST_FORM, env["PASSTHROUGH"].key_span) == "PASSTHROUGH"
    empty = env["EMPTY"]
    assert empty.value == "" and empty.value_span.start == empty.value_span.end
    assert LIST_FORM[empty.value_span.start - 1] == "="
    assert env["EQUALS"].value == "a=b=c" and cut(LIST_FORM, env["EQUALS"].value_span) == "a=b=c"
    assert_spans_consistent(parsed)


def test_escaped_list_item_falls_back_to_whole_scalar() -> None:
    text = 'services:\n  a:\n    environment:\n      - "K\\u0045Y=v\\tw"\n'
    (setting,) = parse(text).services[0].environment
    assert (setting.key, setting.value) == ("KEY", "v\tw")
    assert cut(text, setting.key_span) == '"K\\u0045Y=v\\tw"'
    assert cut(text, setting.value_span) == '"K\\u0045Y=v\\tw"'


def test_environment_of_wrong_shape_is_a_problem() -> None:
    text = "services:\n  a:\n    environment:\n      - K: v\n  b:\n    environment: text\n"
    parsed = parse(text)
    assert [(p.code, pos(p.span)) for p in parsed.problems] == [("SYN004", (4, 9)), ("SYN004", (6, 18))]
    assert "KEY=value" in parsed.problems[0].message


# -- env_file, image, ports ----------------------------------------------------

def test_env_file_forms() -> None:
    text = """\
services:
  one:
    env_file: .env
  two:
    env_file:
      - ./a.env
      - "./b.env"
  three:
    env_file:
      - path: ./default.env
      - path: ./optional.env
        required: false
      - path: ./strict.env
        required: true
"""
    parsed = parse(text)
    assert not parsed.problems
    refs = {s.name: s.env_files for s in parsed.services}
    (one,) = refs["one"]
    assert (one.path, one.required, pos(one.span), cut(text, one.span)) == (".env", True, (3, 15), ".env")
    assert [(r.path, r.required) for r in refs["two"]] == [("./a.env", True), ("./b.env", True)]
    assert cut(text, refs["two"][1].span) == '"./b.env"' and pos(refs["two"][1].span) == (7, 9)
    assert [(r.path, r.required) for r in refs["three"]] == [
        ("./default.env", True), ("./optional.env", False), ("./strict.env", True),
    ]
    assert pos(refs["three"][1].span) == (11, 15) and cut(text, refs["three"][1].span) == "./optional.env"


def test_image_and_ports() -> None:
    text = """\
services:
  db:
    image: "postgres:16-alpine"
    ports:
      - 22:22
      - "127.0.0.1:54322:5432"
      - 5432
      - target: 5432
        published: "5433"
      - target: 80
        host_ip: 0.0.0.0
        published: 8080
        protocol: udp
"""
    parsed = parse(text)
    (db,) = parsed.services
    assert db.image == "postgres:16-alpine"
    assert pos(db.image_span) == (3, 12) and cut(text, db.image_span) == '"postgres:16-alpine"'
    rendered = [p for p, _ in db.ports]
    # ``22:22`` stays as written (PyYAML would construct the base-60 int 1342)
    assert rendered == ["22:22", "127.0.0.1:54322:5432", "5432", "5433:5432", "0.0.0.0:8080:80/udp"]
    spans = [span for _, span in db.ports]
    assert [pos(s) for s in spans] == [(5, 9), (6, 9), (7, 9), (8, 9), (10, 9)]
    assert cut(text, spans[1]) == '"127.0.0.1:54322:5432"'
    assert cut(text, spans[3]) == 'target: 5432\n        published: "5433"'
    assert_spans_consistent(parsed)


# -- anchors, merges, duplicates, tags -------------------------------------------

MERGES = """\
x-env: &common-env
  POSTGRES_USER: app
  POSTGRES_DB: shared
x-extra: &extra
  POSTGRES_DB: extra
  EXTRA: "1"
x-service: &base
  image: postgres:16
  environment: *common-env
services:
  db:
    <<: *base
  db2:
    <<: *base
    image: postgres:17
    environment:
      <<: [*common-env, *extra]
      POSTGRES_USER: own
  db3:
    environment:
      - &line KEY=value
      - *line
"""


def test_anchors_and_merge_keys(loader: type) -> None:
    parsed = parse(MERGES)
    assert not parsed.problems
    services = {s.name: s for s in parsed.services}
    db = services["db"]
    assert db.image == "postgres:16" and pos(db.image_span) == (8, 10)
    env = {s.key: s for s in db.environment}
    assert {k: s.value for k, s in env.items()} == {"POSTGRES_USER": "app", "POSTGRES_DB": "shared"}
    # merged entries point at the anchored text
    assert pos(env["POSTGRES_USER"].key_span) == (2, 3)
    assert all(s.service == "db" for s in db.environment)

    db2 = services["db2"]
    assert db2.image == "postgres:17" and pos(db2.image_span) == (15, 12)
    env2 = {s.key: s for s in db2.environment}
    # the mapping's own key wins; among merged mappings the earlier one wins
    assert {k: s.value for k, s in env2.items()} == {
        "POSTGRES_USER": "own", "POSTGRES_DB": "shared", "EXTRA": "1",
    }
    assert pos(env2["POSTGRES_USER"].key_span) == (18, 7)
    assert pos(env2["POSTGRES_DB"].key_span) == (3, 3)

    db3 = services["db3"]
    assert [(s.key, s.value) for s in db3.environment] == [("KEY", "value"), ("KEY", "value")]
    assert cut(MERGES, db3.environment[1].key_span) == "KEY"
    assert_spans_consistent(parsed)


def test_duplicate_keys_are_reported_at_the_second(loader: type) -> None:
    text = """\
services:
  db:
    image: postgres:15
    environment:
      A: "1"
      B: "2"
      A: "3"
    image: postgres:16
"""
    parsed = parse(text)
    problems = [(p.code, pos(p.span)) for p in parsed.problems]
    assert problems == [("SYN005", (7, 7)), ("SYN005", (8, 5))]
    message = parsed.problems[0].message
    assert "'A'" in message and "line 5" in message and "PyYAML keeps the last" in message
    assert "Compose refuses" in message
    (db,) = parsed.services
    assert db.image == "postgres:16"  # like PyYAML, the last one
    assert [(s.key, s.value) for s in db.environment] == [("B", "2"), ("A", "3")]


def test_reset_and_override_tags(loader: type) -> None:
    text = """\
services:
  db:
    image: !override postgres:16
    ports: !reset []
    env_file: !reset null
    environment: !override
      A: !reset
      B: !!str 5
"""
    parsed = parse(text)
    assert not parsed.problems
    (db,) = parsed.services
    assert db.image == "postgres:16" and cut(text, db.image_span) == "postgres:16"
    assert db.ports == () and db.env_files == ()
    assert [(s.key, s.value) for s in db.environment] == [("A", None), ("B", "5")]
    assert cut(text, db.environment[1].value_span) == "5"


# -- broken and hostile input ---------------------------------------------------

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
services:
  db:
    image: postgres
    environment:
      X: ${X}
"""


def test_billion_laughs_is_skipped_quickly(loader: type) -> None:
    began = time.perf_counter()
    parsed = parse(BILLION_LAUGHS)
    assert time.perf_counter() - began < 2.0
    assert [p.code for p in parsed.problems] == ["SYN004"]
    assert "aliases expand beyond 100000 nodes" in parsed.problems[0].message
    assert parsed.services == () and parsed.settings == () and parsed.interpolations == ()


def test_self_referencing_alias_is_skipped(loader: type) -> None:
    parsed = parse("a: &x [1, *x]\nservices: {db: {image: x}}\n")
    assert [p.code for p in parsed.problems] == ["SYN004"] and parsed.services == ()


def test_deep_nesting_is_a_problem(loader: type) -> None:
    parsed = parse("services: " + "[" * 10_000)
    assert [p.code for p in parsed.problems] == ["SYN004"]
    assert_spans_consistent(parsed)


def test_deep_but_legal_nesting_does_not_break_the_walk() -> None:
    depth = 900  # libyaml accepts up to 1000 levels; our walks must not recurse
    parsed = parse("x: " + "[" * depth + "$V" + "]" * depth + "\nservices: {db: {image: pg}}\n")
    assert not parsed.problems and parsed.services[0].image == "pg"
    assert [i.name for i in parsed.interpolations] == ["V"]


def test_broken_yaml_reports_the_mark(loader: type) -> None:
    text = "services:\n  db:\n    image: [postgres\n    ports: 1\n"
    parsed = parse(text)
    (problem,) = parsed.problems
    assert problem.code == "SYN004" and problem.message.startswith("invalid YAML: ")
    assert problem.span.line >= 3
    assert parsed.services == ()


def test_tab_indentation(loader: type) -> None:
    parsed = parse("services:\n\tdb:\n\t\timage: x\n")
    (problem,) = parsed.problems
    assert problem.code == "SYN004" and pos(problem.span) == (2, 1)
    assert "tabs" in problem.message


def test_unreadable_character_is_placed_in_text_offsets(loader: type) -> None:
    text = "services:\n  é: {image: \x01}\n"
    (problem,) = parse(text).problems
    assert problem.code == "SYN004" and "U+0001" in problem.message
    assert problem.span.start == text.index("\x01")


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("- a\n- b\n", "a list"),
        ("just text\n", "the scalar 'just text'"),
        ("services: [db]\n", "'services' must be a mapping"),
        ("services:\n  db: postgres\n", "service 'db' must be a mapping"),
    ],
)
def test_wrong_document_shapes(text: str, fragment: str) -> None:
    parsed = parse(text)
    assert [p.code for p in parsed.problems] == ["SYN004"]
    assert fragment in parsed.problems[0].message


def test_empty_and_comment_only_documents_are_fine() -> None:
    for text in ("", "# nothing\n", "---\n...\n", "services:\n", "services:\n  db:\n"):
        parsed = parse(text)
        assert not parsed.problems, text
    assert [s.name for s in parse("services:\n  db:\n").services] == ["db"]


def test_multi_document_files(loader: type) -> None:
    text = "services:\n  a:\n    image: one\n---\n# second\nservices:\n  b:\n    environment: ['K=${V}']\n"
    parsed = parse(text)
    assert not parsed.problems
    assert [s.name for s in parsed.services] == ["a", "b"]
    (setting,) = parsed.services[1].environment
    assert pos(setting.key_span) == (8, 20) and cut(text, setting.key_span) == "K"
    (interpolation,) = parsed.interpolations
    assert pos(interpolation.span) == (8, 22) and cut(text, interpolation.span) == "${V}"


def test_error_in_a_later_document_keeps_earlier_ones() -> None:
    parsed = parse("services:\n  a: {}\n---\nservices: [\n")
    assert [s.name for s in parsed.services] == ["a"]
    assert [p.code for p in parsed.problems] == ["SYN004"]


# -- CRLF and BOM --------------------------------------------------------------

def test_crlf_and_bom_spans_slice_the_same_text(loader: type) -> None:
    text = "\ufeffservices:\r\n  db:\r\n    image: postgres\r\n    environment:\r\n" \
           "      USER: \"app\"\r\n      - bad\r\n"
    text = text.replace("      - bad\r\n", "      URL: ${DB_URL:-postgres://db/app}\r\n")
    parsed = parse(text)
    assert not parsed.problems
    (db,) = parsed.services
    assert pos(db.span) == (2, 3) and cut(text, db.span) == "db"
    assert cut(text, db.image_span) == "postgres" and pos(db.image_span) == (3, 12)
    user, url = db.environment
    assert cut(text, user.key_span) == "USER" and pos(user.key_span) == (5, 7)
    assert cut(text, user.value_span) == '"app"'
    (interpolation,) = parsed.interpolations
    assert cut(text, interpolation.span) == "${DB_URL:-postgres://db/app}"
    assert pos(interpolation.span) == (6, 12)
    assert_spans_consistent(parsed)


def test_bom_error_position(loader: type) -> None:
    text = "\ufeffa: [x\r\n"
    (problem,) = parse(text).problems
    assert problem.span.start == len(text)


# -- interpolation -------------------------------------------------------------

INTERPOLATION = """\
services:
  ${NOT_A_KEY}:
    image: "${REGISTRY}/pg:${TAG:-16}"
    environment:
      A: $PLAIN and $$ESCAPED and $${ALSO_ESCAPED}
      B: ${B1-d} ${B2:?need it} ${B3?x} ${B4:+alt} ${B5+alt}
      C: ${OUTER:-${INNER}}
      D: 'single ${SQ}'
      E: "tab\\t then ${DQ}"
      F: "${ESC\\u0041PED}"
    command: >
      sh -c "echo ${FOLDED}"
"""


def test_interpolation_spans(loader: type) -> None:
    parsed = parse(INTERPOLATION)
    assert not parsed.problems
    found = [(i.name, i.operator, i.default, cut(INTERPOLATION, i.span), pos(i.span)) for i in parsed.interpolations]
    assert found == [
        ("REGISTRY", "", None, "${REGISTRY}", (3, 13)),
        ("TAG", ":-", "16", "${TAG:-16}", (3, 28)),
        ("PLAIN", "", None, "$PLAIN", (5, 10)),
        ("B1", "-", "d", "${B1-d}", (6, 10)),
        ("B2", ":?", "need it", "${B2:?need it}", (6, 18)),
        ("B3", "?", "x", "${B3?x}", (6, 33)),
        ("B4", ":+", "alt", "${B4:+alt}", (6, 41)),
        ("B5", "+", "alt", "${B5+alt}", (6, 52)),
        ("OUTER", ":-", "${INNER}", "${OUTER:-${INNER}}", (7, 10)),
        ("INNER", "", None, "${INNER}", (7, 19)),
        ("SQ", "", None, "${SQ}", (8, 18)),
        ("DQ", "", None, "${DQ}", (9, 22)),
        # an escape inside the reference: only the whole scalar can be pointed at
        ("ESCAPED", "", None, '"${ESC\\u0041PED}"', (10, 10)),
        ("FOLDED", "", None, "${FOLDED}", (12, 19)),
    ]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("$A$B", [("A", "", None), ("B", "", None)]),
        ("$$A", []),
        ("$$$A", [("A", "", None)]),
        ("${A:-}", [("A", ":-", "")]),
        ("${A:-a:b-c}", [("A", ":-", "a:b-c")]),
        ("${A:-${B:-${C}}}", [("A", ":-", "${B:-${C}}"), ("B", ":-", "${C}"), ("C", "", None)]),
        ("${A:-{x}}", [("A", ":-", "{x")]),
        ("${1A} ${} ${A B} $ ${A", []),
        ("${_x9}", [("_x9", "", None)]),
        ("x$", []),
    ],
)
def test_scan_interpolations(value: str, expected: list) -> None:
    assert [(n, op, d) for n, op, d, _, _ in compose.scan_interpolations(value)] == expected


def test_deeply_nested_defaults_do_not_recurse() -> None:
    value = "${A:-" * 5000 + "}" * 5000
    # no recursion, and defaults are searched only so deep: each level copies its default,
    # so following all of them is quadratic (see tests/test_hostile.py)
    assert len(compose.scan_interpolations(value)) == compose._MAX_NESTING + 1


def test_plain_multiline_value_spans() -> None:
    text = "services:\n  a:\n    environment:\n      K: first ${ONE}\n        second ${TWO}\n"
    parsed = parse(text)
    (setting,) = parsed.services[0].environment
    assert setting.value == "first ${ONE} second ${TWO}"
    assert [cut(text, i.span) for i in parsed.interpolations] == ["${ONE}", "${TWO}"]
    assert [pos(i.span) for i in parsed.interpolations] == [(4, 16), (5, 16)]


# -- properties ----------------------------------------------------------------

@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_never_raises_and_spans_are_consistent(text: str) -> None:
    assert_spans_consistent(parse(text))


YAMLISH = st.lists(
    st.sampled_from(
        ["services:", "  db:", "    image: x", "    environment:", "      - A=1", "      K: v",
         "  <<: *a", "&a", "*a", "x: &a {K: v}", "---", "[", "]", "{", "}", '"', "'", "${", "$$",
         "\t", "#", ":", "- ", "!reset", "|", ">", "\r\n", "\ufeff", "é"]
    ),
    max_size=30,
).map(lambda parts: "\n".join(parts))


@settings(max_examples=300, deadline=None)
@given(YAMLISH)
def test_never_raises_on_yaml_like_text(text: str) -> None:
    assert_spans_consistent(parse(text))


KEYS = st.from_regex(r"[A-Z_][A-Z0-9_]{0,12}", fullmatch=True)
# Plain scalars that stay one string: they start and end with a letter or digit (so no
# ": " or " #" can appear) and are not YAML's null.
PLAIN_VALUES = st.from_regex(
    r"[a-z0-9](?:[a-z0-9/:@.=-]{0,10}[a-z0-9])?(?: [a-z0-9](?:[a-z0-9/:@.]{0,6}[a-z0-9])?)?",
    fullmatch=True,
).filter(lambda v: v != "null")


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(KEYS, PLAIN_VALUES, min_size=1, max_size=6),
    st.booleans(),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_generated_environments_slice_exactly(env: dict, as_list: bool, newline: str, bom: bool) -> None:
    lines = ["services:", "  svc:", "    environment:"]
    for key, value in env.items():
        lines.append(f"      - {key}={value}" if as_list else f"      {key}: {value}")
    text = ("\ufeff" if bom else "") + newline.join(lines) + newline
    parsed = parse(text)
    assert not parsed.problems
    settings_ = parsed.services[0].environment
    assert [s.key for s in settings_] == list(env)
    for setting in settings_:
        assert text[setting.key_span.start:setting.key_span.end] == setting.key
        assert cut(text, setting.value_span) == setting.value == env[setting.key]
    assert_spans_consistent(parsed)
