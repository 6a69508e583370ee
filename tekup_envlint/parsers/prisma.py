"""Read the ``datasource`` blocks, ``model`` names and ``@@schema`` attributes of a Prisma schema.

Of a model only what the live checks compare with a database is kept: its name, the
table it maps to (``@@map``) and its schema (``@@schema``); fields are not read.

A full Prisma grammar is not needed: one tokenizer regex whose *string* rule is tried
at the same scan position as the *comment* rule, so ``"postgres://h/db"`` and ``"}"``
stay strings and a ``//`` (or ``///`` doc comment) only starts a comment outside one.
Prisma's grammar (prisma-engines ``datamodel.pest``) has no block comments, so ``/*``
is ordinary text here as well. Strings follow JSON: a backslash escapes the next
character and a raw line break ends the line, so a string still open at the end of
its line is unterminated. A BOM is read as a space, so offsets still match the file.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Dict, List, NamedTuple, Optional, Set, Tuple

from tekup_envlint.models import ParsedFile, PrismaDatasource, PrismaModel, PrismaValue, Problem, SourceFile, Span
from tekup_envlint.text import LineIndex

UNREADABLE = "SYN007"  # an unterminated string or block

_TOKEN = re.compile(
    r"""
    (?P<string>"(?:[^"\\\r\n]|\\[^\r\n])*")
  | (?P<open_string>"(?:[^"\\\r\n]|\\[^\r\n])*\\?)
  | (?P<comment>//[^\r\n]*)
  | (?P<newline>\r\n|\r|\n)
  | (?P<space>(?:[^\S\r\n]|\ufeff)+)      # a BOM counts as a space
  | (?P<name>[A-Za-z0-9_][A-Za-z0-9_\-]*)
  | (?P<punct>@@|[@{}()\[\]=,:.?!])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

#: Top-level blocks of a schema; ``type`` is also a type alias (``type A = B``).
_BLOCKS = ("datasource", "generator", "model", "enum", "view", "type")

_JSON_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class _Token(NamedTuple):
    """One token; a named tuple, not a frozen dataclass: a schema has thousands and a
    frozen dataclass's `__init__` costs several times more per token."""

    kind: str
    text: str
    start: int
    end: int


def parse(source: SourceFile, text: str) -> ParsedFile:
    """Read one ``.prisma`` file; problems are returned as data, nothing is raised."""
    try:
        return _Reader(source, text).read()
    except Exception as err:  # a last resort so one odd file cannot stop a whole run
        span = LineIndex(text).span(0, 0)
        message = f"could not read the Prisma schema ({type(err).__name__}: {err})"
        return ParsedFile(source=source, text=text, problems=(Problem(UNREADABLE, message, span),))


def unescape(body: str) -> str:
    """A Prisma (JSON) string's content without its escapes; unknown escapes are kept."""
    if "\\" not in body:
        return body
    out: List[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\" or i + 1 >= len(body):
            out.append(ch)
            i += 1
            continue
        code = body[i + 1]
        if code in _JSON_ESCAPES:
            out.append(_JSON_ESCAPES[code])
            i += 2
        elif code == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", body[i + 2:i + 6]):
            out.append(chr(int(body[i + 2:i + 6], 16)))
            i += 6
        else:
            out.append(body[i:i + 2])
            i += 2
    return "".join(out)


_BRACKETS = re.compile(r"[^()\[\]]+")
_BLOCK_LINE = re.compile(r"(?:[^\S\r\n]|\ufeff)*(?:" + "|".join(_BLOCKS) + r")(?![A-Za-z0-9_\-])")


def _meaningful(line: str) -> bool:
    """Whether a line (without its line break) can matter outside a datasource block: it holds
    a string, a brace or a `@@` attribute, or brackets that leave the depth changed (those
    of a comment do not count). `id Int @id @default(autoincrement())` does not."""
    if '"' in line or "{" in line or "}" in line or "@@" in line:
        return True
    cut = line.find("//")
    code = line if cut < 0 else line[:cut]
    if "(" not in code and "[" not in code and ")" not in code and "]" not in code:
        return False
    depth = 0
    for ch in _BRACKETS.sub("", code):
        depth += 1 if ch in "([" else -1
        if depth < 0:
            return True  # closes a bracket opened on an earlier line
    return depth != 0


class _Reader:
    """Reads a schema from its tokens.

    Tokenising a whole schema (a real one is 100 KB of model fields) cost more than the rest
    of a pre-commit run, and almost none of it matters: a token never spans lines, and a
    field line such as `name String? @default(now())` holds no string, brace or `@@`
    attribute and leaves the bracket depth as it found it, so outside a datasource block it
    can neither open nor close a block, change a depth, start an attribute statement, hold
    the value of one nor be a `@@schema`. Such lines are kept as their line break only. The datasource blocks found that way (their extent is the same, since
    only such lines were left out) are then tokenised in full and read again. `full=True`
    tokenises everything (the tests compare the two).
    """

    def __init__(self, source: SourceFile, text: str, full: bool = False) -> None:
        self.source = source
        self.text = text
        self.lines = LineIndex(text)
        self.problems: List[Problem] = []
        self.full = full
        self.tokens = self._tokens(full)

    def _tokens(self, full: bool) -> List[_Token]:
        """Only tokens that carry meaning: comments and spaces are dropped, line breaks kept.

        With `full` every line is tokenised; otherwise a line only when it is `_meaningful`,
        starts a block, or is one of the two lines after a block keyword that carry tokens
        (the block's name and `{` may follow on later lines).
        """
        text = self.text
        if full:
            return self._line_tokens(0, len(text))
        tokens: List[_Token] = []
        starts = self.lines.starts
        last = len(starts) - 1
        pending = 0  # lines after a block keyword still to tokenise in full
        for index, start in enumerate(starts):
            end = starts[index + 1] if index < last else len(text)
            body_end = end
            while body_end > start and text[body_end - 1] in "\r\n":
                body_end -= 1
            keyword = _BLOCK_LINE.match(text, start, body_end) is not None
            if keyword or pending or _meaningful(text[start:body_end]):
                before = len(tokens)
                tokens.extend(self._line_tokens(start, end))
                if keyword:
                    pending = 2
                elif pending and any(t.kind != "newline" for t in tokens[before:]):
                    pending -= 1
            elif body_end < end:
                tokens.append(_Token("newline", text[body_end:end], body_end, end))
        return tokens

    def _line_tokens(self, start: int, end: int) -> List[_Token]:
        return [
            _Token(m.lastgroup or "other", m.group(), m.start(), m.end())
            for m in _TOKEN.finditer(self.text, start, end) if m.lastgroup not in ("comment", "space")
        ]

    def _with_lines_in_full(self, ranges: List[Tuple[int, int]]) -> List[_Token]:
        """The tokens with every line that (start, end) offset ranges touch tokenised in full.

        Only the left-out lines change: a line tokenised before gives the same tokens again,
        and which lines are tokenised does not depend on these (a line after a block keyword
        counts down `pending` only when it was tokenised anyway). Tokens never span lines,
        so each line's tokens are found by their offsets."""
        text, starts, tokens = self.text, self.lines.starts, self.tokens
        wanted: Set[int] = set()  # the lines of the ranges, by index
        for lo, hi in ranges:
            wanted.update(range(self.lines.position(lo)[0] - 1, self.lines.position(hi)[0]))
        offsets = [t.start for t in tokens]
        result: List[_Token] = []
        kept = 0  # tokens before this index are in result
        for index in sorted(wanted):
            start = starts[index]
            end = starts[index + 1] if index + 1 < len(starts) else len(text)
            first = bisect_left(offsets, start, kept)
            result.extend(tokens[kept:first])
            result.extend(self._line_tokens(start, end))
            kept = bisect_left(offsets, end, first)
        result.extend(tokens[kept:])
        return result

    def _span(self, start: int, end: int) -> Span:
        return self.lines.span(start, end)

    def read(self) -> ParsedFile:
        parsed = self._read()
        if self.full or not parsed.datasources:
            return parsed
        self.full = True  # read again with the datasource blocks' every line
        tokens = self._with_lines_in_full([(d.span.start, d.span.end) for d in parsed.datasources])
        if tokens == self.tokens:
            return parsed  # each of those lines was read in full already: the reading is the same
        self.tokens = tokens
        self.problems = []
        return self._read()

    def _read(self) -> ParsedFile:
        for token in self.tokens:
            if token.kind == "open_string":
                self.problems.append(Problem(
                    UNREADABLE,
                    "unterminated string: the closing '\"' is missing before the end of the line",
                    self._span(token.start, token.end),
                ))
        datasources: List[PrismaDatasource] = []
        models: List[PrismaModel] = []
        toks = self.tokens
        i = 0
        while i < len(toks):
            tok = toks[i]
            if tok.kind == "name" and tok.text in _BLOCKS and self._starts_line(i):
                name_at = self._next(i + 1)
                brace_at = self._next(name_at + 1) if name_at < len(toks) else len(toks)
                if (
                    name_at < len(toks) and toks[name_at].kind == "name"
                    and brace_at < len(toks) and toks[brace_at].text == "{"
                ):
                    close, statements = self._block(brace_at + 1)
                    if close is None:
                        self.problems.append(Problem(
                            UNREADABLE,
                            f"{tok.text} block {toks[name_at].text!r} is never closed: '}}' is missing",
                            self._span(tok.start, toks[brace_at].end),
                        ))
                        end = len(self.text)
                        i = len(toks)
                    else:
                        end = toks[close].end
                        i = close + 1
                    if tok.text == "datasource":
                        datasources.append(self._datasource(toks[name_at].text, tok.start, end, statements))
                    elif tok.text in ("model", "view"):
                        models.append(self._model(tok.text, toks[name_at], statements))
                    continue
            i += 1
        self.problems.sort(key=lambda p: (p.span.start, p.code))
        return ParsedFile(
            source=self.source,
            text=self.text,
            datasources=tuple(datasources),
            model_schemas=self._model_schemas(),
            models=tuple(models),
            problems=tuple(self.problems),
        )

    def _starts_line(self, i: int) -> bool:
        return i == 0 or self.tokens[i - 1].kind == "newline"

    def _next(self, i: int) -> int:
        """Index of the next token that is not a line break (len(tokens) if none)."""
        while i < len(self.tokens) and self.tokens[i].kind == "newline":
            i += 1
        return i

    def _block(self, i: int) -> Tuple[Optional[int], List[List[_Token]]]:
        """Statements of a block body, split at line breaks outside brackets.

        Returns the index of the closing ``}`` (None when missing) and the statements.
        A ``}`` closes the block outside brackets, or at the start of a line even
        inside them, so one unbalanced ``(`` cannot swallow the rest of the file.
        """
        toks = self.tokens
        depth = 0
        statements: List[List[_Token]] = []
        current: List[_Token] = []
        line_start = True
        while i < len(toks):
            tok = toks[i]
            if tok.kind == "newline":
                line_start = True
                if depth == 0 and current:
                    statements.append(current)
                    current = []
                i += 1
                continue
            if tok.text == "}" and (depth == 0 or line_start):
                if current:
                    statements.append(current)
                return i, statements
            if tok.text in ("(", "["):
                depth += 1
            elif tok.text in (")", "]"):
                depth = max(0, depth - 1)
            current.append(tok)
            line_start = False
            i += 1
        if current:
            statements.append(current)
        return None, statements

    def _datasource(self, name: str, start: int, end: int, statements: List[List[_Token]]) -> PrismaDatasource:
        fields: Dict[str, List[_Token]] = {}
        for statement in statements:
            if len(statement) >= 2 and statement[0].kind == "name" and statement[1].text == "=":
                fields[statement[0].text] = statement[2:]  # Prisma rejects repeats; the last is kept
        provider = None
        provider_tokens = fields.get("provider") or []
        if provider_tokens and provider_tokens[0].kind in ("string", "open_string"):
            provider = self._string(provider_tokens[0])
        schemas: Tuple[Tuple[str, Span], ...] = ()
        if "schemas" in fields:
            schemas = tuple(
                (self._string(t), self._content_span(t))
                for t in fields["schemas"] if t.kind in ("string", "open_string")
            )
        return PrismaDatasource(
            name=name,
            span=self._span(start, end),
            provider=provider,
            url=self._value(fields.get("url")),
            direct_url=self._value(fields.get("directUrl")),
            schemas=schemas,
            extensions=self._extensions(fields.get("extensions") or []),
        )

    def _extensions(self, tokens: List[_Token]) -> Tuple[Tuple[str, Span], ...]:
        """``[vector, uuidOssp(map: "uuid-ossp", schema: "extensions")]``: each item's
        database name (``map:`` when given, else the identifier) and the identifier's span."""
        found: List[Tuple[str, Span]] = []
        depth = 0
        for i, tok in enumerate(tokens):
            if tok.text in ("[", "("):
                depth += 1
            elif tok.text in ("]", ")"):
                depth -= 1
            elif depth == 1 and tok.kind == "name":
                found.append((tok.text, self._span(tok.start, tok.end)))
            elif (
                depth == 2 and found and tok.text == "map" and i + 2 < len(tokens)
                and tokens[i + 1].text == ":" and tokens[i + 2].kind in ("string", "open_string")
            ):
                found[-1] = (self._string(tokens[i + 2]), found[-1][1])
        return tuple(found)

    def _model(self, kind: str, name: _Token, statements: List[List[_Token]]) -> PrismaModel:
        """A model's table (``@@map``) and schema (``@@schema``), from its block attributes."""
        attributes: Dict[str, str] = {}
        for statement in statements:
            if len(statement) >= 4 and statement[0].text == "@@" and statement[2].text == "(":
                value = next((t for t in statement[3:] if t.kind in ("string", "open_string")), None)
                if value is not None:
                    attributes[statement[1].text] = self._string(value)
        return PrismaModel(
            name=name.text,
            span=self._span(name.start, name.end),
            table=attributes.get("map", name.text),
            schema=attributes.get("schema"),
            kind=kind,
        )

    def _value(self, tokens: Optional[List[_Token]]) -> Optional[PrismaValue]:
        """``env("NAME")`` or a string literal; anything else keeps only its span."""
        if not tokens:
            return None
        span = self._span(tokens[0].start, tokens[-1].end)
        kinds = [t.kind for t in tokens]
        texts = [t.text for t in tokens]
        if kinds[0] in ("string", "open_string") and len(tokens) == 1:
            return PrismaValue(env=None, literal=self._string(tokens[0]), span=span)
        if texts[:2] == ["env", "("] and len(tokens) == 4 and kinds[2] == "string" and texts[3] == ")":
            return PrismaValue(env=self._string(tokens[2]), literal=None, span=span)
        return PrismaValue(env=None, literal=None, span=span)

    def _string(self, token: _Token) -> str:
        body = token.text[1:-1] if token.kind == "string" else token.text[1:]
        return unescape(body)

    def _content_span(self, token: _Token) -> Span:
        """A string's text between its quotes."""
        end = token.end - 1 if token.kind == "string" else token.end
        return self._span(token.start + 1, end)

    def _model_schemas(self) -> Tuple[Tuple[str, Span], ...]:
        """Every ``@@schema("x")``, with the span of ``x`` (commented ones are gone already)."""
        toks = self.tokens
        found: List[Tuple[str, Span]] = []
        for i in range(len(toks) - 3):
            if (
                toks[i].text == "@@" and toks[i + 1].text == "schema" and toks[i + 2].text == "("
                and toks[i + 3].kind in ("string", "open_string")
            ):
                found.append((self._string(toks[i + 3]), self._content_span(toks[i + 3])))
        return tuple(found)
