"""The Prisma parser: datasource fields, @@schema and broken input, with exact positions."""

from __future__ import annotations

from typing import List, Optional

from hypothesis import given, settings
from hypothesis import strategies as st

from tekup_envlint.models import ParsedFile, SourceFile, Span
from tekup_envlint.parsers import prisma
from tekup_envlint.text import LineIndex

SOURCE = SourceFile(path="prisma/schema.prisma", kind="prisma", app=".", env="default", tracked=True)


def parse(text: str) -> ParsedFile:
    return prisma.parse(SOURCE, text)


def cut(text: str, span: Optional[Span]) -> Optional[str]:
    return None if span is None else text[span.start:span.end]


def pos(span: Span) -> tuple:
    return (span.line, span.column)


def all_spans(parsed: ParsedFile) -> List[Span]:
    spans = [p.span for p in parsed.problems] + [span for _, span in parsed.model_schemas]
    for ds in parsed.datasources:
        spans.append(ds.span)
        spans += [v.span for v in (ds.url, ds.direct_url) if v is not None]
        spans += [span for _, span in ds.schemas]
        spans += [span for _, span in ds.extensions]
    spans += [m.span for m in parsed.models]
    return spans


def assert_spans_consistent(parsed: ParsedFile) -> None:
    index = LineIndex(parsed.text)
    for span in all_spans(parsed):
        assert 0 <= span.start <= span.end <= len(parsed.text)
        assert index.position(span.start) == (span.line, span.column)


SCHEMA = """\
// datasource old {
//   url = env("OLD_URL")
// }

generator client {
  provider = "prisma-client-js"
}

/// The main database.
datasource db {
  provider   = "postgresql" // the provider
  url        = env("DATABASE_URL")
  directUrl  = env( "DIRECT_URL" )
  extensions = [pgvector(map: "vector", schema: "extensions"), postgis]
  schemas    = [
    "public", // app tables
    // "legacy",
    "auth"
  ]
  relationMode = "prisma"
}

model User {
  id    Int    @id
  email String @unique @default("a//b")

  @@schema("auth")
  // @@schema("commented")
}

enum Role {
  USER
  @@schema( "public" )
}
"""


def test_datasource_fields_and_positions() -> None:
    parsed = parse(SCHEMA)
    assert not parsed.problems
    (ds,) = parsed.datasources
    assert ds.name == "db" and pos(ds.span) == (10, 1)
    assert cut(SCHEMA, ds.span).startswith("datasource db {") and cut(SCHEMA, ds.span).endswith("\n}")
    assert ds.provider == "postgresql"
    assert ds.url is not None and (ds.url.env, ds.url.literal) == ("DATABASE_URL", None)
    assert pos(ds.url.span) == (12, 16) and cut(SCHEMA, ds.url.span) == 'env("DATABASE_URL")'
    assert ds.direct_url is not None and ds.direct_url.env == "DIRECT_URL"
    assert pos(ds.direct_url.span) == (13, 16) and cut(SCHEMA, ds.direct_url.span) == 'env( "DIRECT_URL" )'
    assert [name for name, _ in ds.schemas] == ["public", "auth"]  # the commented one is gone
    assert [pos(span) for _, span in ds.schemas] == [(16, 6), (18, 6)]
    assert [cut(SCHEMA, span) for _, span in ds.schemas] == ["public", "auth"]
    assert [(name, pos(span)) for name, span in parsed.model_schemas] == [("auth", (27, 13)), ("public", (33, 14))]
    assert [cut(SCHEMA, span) for _, span in parsed.model_schemas] == ["auth", "public"]
    assert_spans_consistent(parsed)


def test_literal_url_with_slashes_and_braces_survives() -> None:
    text = 'datasource db {\n  provider = "postgresql"\n  url = "postgres://u:p@h:6543/db?x=//y&z=}" // pooled\n}\n'
    (ds,) = parse(text).datasources
    assert ds.url is not None
    assert (ds.url.env, ds.url.literal) == (None, "postgres://u:p@h:6543/db?x=//y&z=}")
    assert pos(ds.url.span) == (3, 9) and cut(text, ds.url.span) == '"postgres://u:p@h:6543/db?x=//y&z=}"'


def test_string_escapes_are_decoded() -> None:
    text = 'datasource db {\n  url = "a\\"b\\\\c\\u0041"\n}\n'
    (ds,) = parse(text).datasources
    assert ds.url is not None and ds.url.literal == 'a"b\\cA'
    assert cut(text, ds.url.span) == '"a\\"b\\\\c\\u0041"'


def test_commented_out_datasource_is_ignored() -> None:
    text = '// datasource db {\n//   provider = "postgresql"\n//   url = env("X")\n// }\n'
    parsed = parse(text)
    assert parsed.datasources == () and not parsed.problems


def test_block_comments_are_not_prisma() -> None:
    # Prisma has no /* */ comments; such a line is not a datasource header.
    text = '/* datasource db { */\ndatasource real {\n  url = env("REAL")\n}\n'
    (ds,) = parse(text).datasources
    assert ds.name == "real" and ds.url is not None and ds.url.env == "REAL"


def test_other_values_keep_their_span() -> None:
    text = 'datasource db {\n  url = env(URL)\n  directUrl = concat("a", "b")\n}\n'
    (ds,) = parse(text).datasources
    assert ds.url is not None and (ds.url.env, ds.url.literal) == (None, None)
    assert cut(text, ds.url.span) == "env(URL)"
    assert ds.direct_url is not None and cut(text, ds.direct_url.span) == 'concat("a", "b")'


def test_two_datasources_and_multi_line_header() -> None:
    text = 'datasource a {\n  provider = "sqlite"\n}\n\ndatasource b\n{\n  provider = "postgres"\n}\n'
    parsed = parse(text)
    assert [(d.name, d.provider, pos(d.span)) for d in parsed.datasources] == [
        ("a", "sqlite", (1, 1)), ("b", "postgres", (5, 1)),
    ]


def test_crlf_positions() -> None:
    text = 'datasource db {\r\n  provider = "postgresql"\r\n  url = env("DATABASE_URL")\r\n' \
           '  schemas = ["a",\r\n    "b"]\r\n}\r\nmodel M {\r\n  id Int @id\r\n  @@schema("b")\r\n}\r\n'
    parsed = parse(text)
    assert not parsed.problems
    (ds,) = parsed.datasources
    assert ds.url is not None and pos(ds.url.span) == (3, 9) and cut(text, ds.url.span) == 'env("DATABASE_URL")'
    assert [(n, pos(s), cut(text, s)) for n, s in ds.schemas] == [("a", (4, 15), "a"), ("b", (5, 6), "b")]
    assert [(n, pos(s)) for n, s in parsed.model_schemas] == [("b", (9, 13))]
    assert cut(text, ds.span).endswith("}")
    assert_spans_consistent(parsed)


def test_bom_positions() -> None:
    text = '\ufeffdatasource db {\n  url = env("X")\n}\n'
    (ds,) = parse(text).datasources
    assert pos(ds.span) == (1, 2) and ds.url is not None and pos(ds.url.span) == (2, 9)


def test_unterminated_string() -> None:
    text = 'datasource db {\n  provider = "postgresql\n  url = env("DATABASE_URL")\n}\n'
    parsed = parse(text)
    (problem,) = parsed.problems
    assert problem.code == "SYN007" and "unterminated string" in problem.message
    assert pos(problem.span) == (2, 14) and cut(text, problem.span) == '"postgresql'
    (ds,) = parsed.datasources  # the rest of the block is still read
    assert ds.provider == "postgresql" and ds.url is not None and ds.url.env == "DATABASE_URL"


def test_unterminated_block() -> None:
    text = 'model A {\n  id Int @id\n}\n\ndatasource db {\n  url = env("DATABASE_URL")\n'
    parsed = parse(text)
    (problem,) = parsed.problems
    assert problem.code == "SYN007" and "never closed" in problem.message and "'db'" in problem.message
    assert pos(problem.span) == (5, 1) and cut(text, problem.span) == "datasource db {"
    (ds,) = parsed.datasources
    assert ds.url is not None and ds.url.env == "DATABASE_URL"
    assert ds.span.end == len(text)


def test_unbalanced_bracket_does_not_swallow_the_file() -> None:
    text = 'datasource db {\n  schemas = ["a",\n}\ndatasource other {\n  url = env("O")\n}\n'
    parsed = parse(text)
    assert [d.name for d in parsed.datasources] == ["db", "other"]
    assert parsed.datasources[0].schemas[0][0] == "a"


def test_empty_and_garbage_input() -> None:
    for text in ("", "}", "datasource", "datasource db", "{{{{", '"', "@@schema(", "datasource db {"):
        parsed = parse(text)
        assert_spans_consistent(parsed)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises_on_arbitrary_text(text: str) -> None:
    parsed = parse(text)
    assert not any("could not read" in p.message for p in parsed.problems)
    assert_spans_consistent(parsed)


PRISMAISH = st.lists(
    st.sampled_from(
        ["datasource", "db", "model", "{", "}", "(", ")", "[", "]", "=", ",", '"', '"x"', "env",
         "url", "schemas", "@@schema", "//", "///", "\n", "\r\n", "\r", " ", "\\", "é", "\ufeff"]
    ),
    max_size=40,
).map(" ".join)


@settings(max_examples=500, deadline=None)
@given(PRISMAISH)
def test_never_raises_on_prisma_like_text(text: str) -> None:
    parsed = parse(text)
    assert not any("could not read" in p.message for p in parsed.problems)
    assert_spans_consistent(parsed)


def test_models_with_map_schema_and_views() -> None:
    text = (
        "model Document {\n  id String @id @map(\"doc_id\")\n  @@map(\"documents\")\n  @@schema(\"vault\")\n}\n"
        "// model Commented {\n"
        "model CrmCompany {\n  id Int @id\n}\n"
        "view Totals {\n  n Int @unique\n}\n"
        "enum Role {\n  ADMIN\n}\n"
    )
    parsed = parse(text)
    assert [(m.name, m.table, m.schema, m.kind) for m in parsed.models] == [
        ("Document", "documents", "vault", "model"),  # a field's @map is not the table's
        ("CrmCompany", "CrmCompany", None, "model"),
        ("Totals", "Totals", None, "view"),
    ]
    assert [(cut(text, m.span), pos(m.span)) for m in parsed.models] == [
        ("Document", (1, 7)), ("CrmCompany", (7, 7)), ("Totals", (10, 6)),
    ]


def test_datasource_extensions_by_database_name() -> None:
    text = (
        'datasource db {\n  provider = "postgresql"\n'
        '  extensions = [vector, uuidOssp(map: "uuid-ossp", schema: "extensions"), pgcrypto(schema: "x")]\n}\n'
    )
    ds = parse(text).datasources[0]
    assert [name for name, _ in ds.extensions] == ["vector", "uuid-ossp", "pgcrypto"]
    assert [cut(text, span) for _, span in ds.extensions] == ["vector", "uuidOssp", "pgcrypto"]


# --- reading only the lines that matter (issue #12) ------------------------------------------

def full_read(text: str) -> ParsedFile:
    """The schema read from every token of every line: what `parse` must equal."""
    return prisma._Reader(SOURCE, text, full=True).read()


SCHEMA_PIECES = st.lists(
    st.sampled_from(
        ["datasource", "db", "model", "view", "type", "enum", "generator", "User", "{", "}", "(", ")", "[",
         "]", "=", ",", ":", '"', '"x"', '"pub"', "env", "url", "directUrl", "provider", "schemas",
         "extensions", "vector", "map", "schema", "@@schema", "@@map", "@@", "@", "@id", "@default(now())",
         "String?", "//", "// (", "///", "\n", "\n", "\n", "\r\n", "\r", " ", "  ", "\\", "\ufeff"]
    ),
    max_size=60,
)


@settings(max_examples=1500, deadline=None)
@given(SCHEMA_PIECES, st.sampled_from(["", " "]))
def test_reading_the_lines_that_matter_gives_what_reading_every_line_gives(pieces: List[str], glue: str) -> None:
    text = glue.join(pieces)
    assert parse(text) == full_read(text)


def test_real_schemas_read_the_same_from_the_lines_that_matter() -> None:
    import pytest
    from conftest import SHARED

    schemas = {}  # one path per distinct schema
    for path in sorted((SHARED / "monorepos").glob("*/**/*.prisma")):
        schemas.setdefault(path.read_bytes(), path)
    if not schemas:
        pytest.skip(f"no Prisma schemas under {SHARED / 'monorepos'}")
    for path in schemas.values():
        text = path.read_text(encoding="utf-8", errors="replace")
        assert parse(text) == full_read(text), path
        lines = text.splitlines(keepends=True)  # and with one line cut in half (an open string, bracket)
        for i in range(0, len(lines), max(1, len(lines) // 8)):
            broken = "".join(lines[:i]) + lines[i][: len(lines[i]) // 2] + "".join(lines[i + 1:])
            assert parse(broken) == full_read(broken), (path, i)


def test_a_datasource_read_in_full_already_is_not_read_again(monkeypatch) -> None:
    """The second reading (every line of the datasource blocks) is skipped when the first
    already tokenised each of those lines; a line it left out (`extensions = [vector]`:
    no string, balanced brackets) still gets it."""
    reads = []
    original = prisma._Reader._read
    monkeypatch.setattr(prisma._Reader, "_read", lambda self: reads.append(1) or original(self))
    plain = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n\nmodel A {\n  id Int @id\n}\n'
    assert parse(plain) == full_read(plain)
    assert len(reads) == 2  # parse once, full_read once
    reads.clear()
    extended = plain.replace("}\n\nmodel", "  extensions = [vector]\n}\n\nmodel", 1)
    assert parse(extended) == full_read(extended)
    assert len(reads) == 3  # parse twice, full_read once
    assert [name for name, _ in parse(extended).datasources[0].extensions] == ["vector"]
