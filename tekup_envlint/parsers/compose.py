"""Read a Docker Compose file into services, settings and ``${VAR}`` references.

The file is only *composed* by PyYAML (never constructed), so we see every node with
its position, keep duplicate keys (which Compose refuses but PyYAML silently drops),
keep custom tags such as ``!reset``, and never build Python objects from aliases. An
alias is the anchor's node object, so a "billion laughs" file is small as a graph; we
measure how big it would be when expanded and skip it if it is too big, as Compose does.

Offsets: PyYAML marks are code-point indexes into the ``str`` it was given. libyaml does
not count a leading BOM, so we strip it before parsing and add it back to every index,
which makes both loaders agree with our text offsets. Marks of a node with an anchor or
tag start at that property, so we skip it. Lines and columns always come from
:class:`LineIndex`, never from the marks.

Spans inside a scalar (a list entry's key and value, a ``${VAR}``) are exact whenever
those characters were written literally; we rebuild the scalar's value from its text
and check it against PyYAML's. Where an escape (``\\u0041``, ``''``) or a line fold sits
inside the part we want, the span falls back to the whole scalar, quotes included.

List-form ``environment`` entries: ``key_span`` and ``value_span`` cover the text on
each side of the first ``=``, *inside* the item's quotes; ``quote`` is the item's
style. Map form: ``key_span`` is the key without quotes and ``value_span`` the value
node with its quotes (``None`` for a bare ``KEY:``).
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Sequence, Set, Tuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tekup_envlint.models import (
    ComposeService,
    EnvFileRef,
    Interpolation,
    ParsedFile,
    Problem,
    Setting,
    SourceFile,
    Span,
)
from tekup_envlint.text import BOM, LineIndex

_LOADER = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader

SYNTAX = "SYN004"  # the file is not YAML we can read (or not a Compose shape)
DUPLICATE = "SYN005"  # a mapping repeats a key

#: Most nodes a file may have once aliases are expanded (a classic 9-level billion
#: laughs expands to about 10**9); real Compose files stay far below this.
NODE_BUDGET = 100_000
#: Most characters of scalar text a file may hold once aliases are expanded (or four times
#: the file's own size, if more): a Compose file that merges one ``x-env`` block into every
#: service stays far below it.
CHAR_BUDGET = 1_000_000
#: How deep ``<<`` merges may chain (``a`` merges ``b`` which merges ``c`` ...).
_MAX_MERGE_DEPTH = 32
#: How deep ``${A:-${B:-...}}`` defaults are searched for further references.
_MAX_NESTING = 16

_MERGE_TAG = "tag:yaml.org,2002:merge"
_NULL_TAG = "tag:yaml.org,2002:null"
_STR_TAG = "tag:yaml.org,2002:str"
_NULL_WORDS = ("~", "null", "Null", "NULL")

_NAME = re.compile(r"[_A-Za-z][_A-Za-z0-9]*")
# Longest first, so ":-" is not read as ":" plus "-".
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")

# Escapes of double-quoted YAML scalars that stand for one character (PyYAML's table).
_ESCAPES = {
    "0": "\0", "a": "\x07", "b": "\x08", "t": "\t", "\t": "\t", "n": "\n", "v": "\x0b",
    "f": "\x0c", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\",
    "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def parse(source: SourceFile, text: str) -> ParsedFile:
    """Read one Compose file; every difficulty becomes a Problem, never an exception."""
    try:
        return _Reader(source, text).read()
    except Exception as err:  # a last resort so one odd file cannot stop a whole run
        span = LineIndex(text).span(0, 0)
        message = f"could not read the Compose file ({type(err).__name__}: {err})"
        return ParsedFile(source=source, text=text, problems=(Problem(SYNTAX, message, span),))


def scan_interpolations(value: str) -> List[Tuple[str, str, Optional[str], int, int]]:
    """Find ``$VAR`` / ``${VAR<op>rest}`` in a scalar's value, following compose-go.

    Returns ``(name, operator, default, start, end)`` with offsets into ``value``, sorted
    by start. ``$$`` is an escaped dollar. References nested in a default such as
    ``${A:-${B}}`` are returned too. Malformed ones (``${1}``, an unclosed ``${``, a lone
    ``$``), which make Compose stop with "invalid interpolation format", are skipped.
    Uses a work list instead of recursion so deep nesting cannot overflow the stack, finds
    every closing brace in one pass, and looks into defaults only ``_MAX_NESTING`` levels
    deep: each level copies its default, so ``${A:-${A:-...}}`` 20,000 levels deep would
    otherwise cost minutes and gigabytes (every reference a real file holds is far shallower).
    """
    found: List[Tuple[str, str, Optional[str], int, int]] = []
    closing = _closing_braces(value)
    ranges: List[Tuple[int, int, int]] = [(0, len(value), 0)]
    while ranges:
        lo, hi, level = ranges.pop()
        i = lo
        while i < hi:
            dollar = value.find("$", i, hi)
            if dollar < 0:
                break
            nxt = dollar + 1
            if nxt < hi and value[nxt] == "$":
                i = nxt + 1
                continue
            named = _NAME.match(value, nxt, hi)
            if named:
                found.append((named.group(), "", None, dollar, named.end()))
                i = named.end()
                continue
            if nxt < hi and value[nxt] == "{":
                close = closing.get(dollar, -1)
                if close < 0 or close >= hi:
                    i = nxt + 1
                    continue
                name = _NAME.match(value, nxt + 1, close)
                if name:
                    after = name.end()
                    if after == close:
                        found.append((name.group(), "", None, dollar, close + 1))
                    else:
                        rest = value[after:close]
                        op = next((o for o in _OPERATORS if rest.startswith(o)), None)
                        if op is not None:
                            found.append((name.group(), op, rest[len(op):], dollar, close + 1))
                            if level < _MAX_NESTING:
                                ranges.append((after + len(op), close, level + 1))
                i = close + 1
                continue
            i = nxt
    found.sort(key=lambda item: (item[3], -item[4]))
    return found


def _closing_braces(value: str) -> Dict[int, int]:
    """Index of the ``}`` that closes each ``${`` (compose-go counts nested ``${``; a lone
    ``{`` does not count), for the whole value in one pass; unclosed ones are absent."""
    closing: Dict[int, int] = {}
    open_at: List[int] = []
    j, n = 0, len(value)
    while j < n:
        ch = value[j]
        if ch == "}":
            if open_at:
                closing[open_at.pop()] = j
        elif ch == "$" and value.startswith("${", j):
            open_at.append(j)
            j += 1
        j += 1
    return closing


def _children(node: Node) -> Sequence[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return node.value
    return ()


def _expanded_size(roots: Sequence[Node], budget: int, char_budget: int = 0) -> Tuple[int, int, bool, int]:
    """(nodes after expanding aliases, distinct nodes, found a cycle, characters of scalar
    text after expanding aliases), expanding nothing.

    Each distinct node's expanded size is computed once (memoized by identity) with an
    explicit stack, so shared aliases cost nothing and deep nesting cannot overflow
    Python's stack. A node that contains itself (``&a [*a]``) is infinite. Characters
    count too: one large scalar aliased many times is few nodes, but every setting that
    holds it is read, scanned and hashed in full.
    """
    cap = budget + 1
    char_cap = (char_budget or budget) + 1
    memo: Dict[int, int] = {}
    chars: Dict[int, int] = {}
    busy: Set[int] = set()
    total = total_chars = 0
    for root in roots:
        stack: List[Tuple[Node, bool]] = [(root, False)]
        while stack:
            node, done = stack.pop()
            nid = id(node)
            if done:
                busy.discard(nid)
                children = _children(node)
                memo[nid] = min(cap, 1 + sum(memo[id(child)] for child in children))
                own = len(node.value) if isinstance(node, ScalarNode) else 0
                chars[nid] = min(char_cap, own + sum(chars[id(child)] for child in children))
                continue
            if nid in memo:
                continue
            if nid in busy:
                return cap, len(memo), True, char_cap
            busy.add(nid)
            stack.append((node, True))
            for child in _children(node):
                if id(child) not in memo:
                    stack.append((child, False))
        total = min(cap, total + memo[id(root)])
        total_chars = min(char_cap, total_chars + chars[id(root)])
    return total, len(memo), False, total_chars


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return f"the scalar {node.value!r}"


def _is_null(node: Node) -> bool:
    """A plain empty, ``~`` or ``null`` scalar: Compose reads it as "no value".

    Under a custom tag (``!reset null``) the resolver leaves the tag alone, so the
    null spellings are checked by hand.
    """
    if not isinstance(node, ScalarNode) or node.style:
        return False
    if node.tag == _NULL_TAG:
        return True
    if node.tag == _STR_TAG:
        return False
    return node.value == "" or (node.tag.startswith("!") and node.value in _NULL_WORDS)


def _is_merge(key: Node) -> bool:
    return isinstance(key, ScalarNode) and key.tag == _MERGE_TAG


def _flow_table(text: str, start: int, end: int, style: Optional[str]) -> Tuple[str, List[int]]:
    """Rebuild a plain or quoted scalar's value with the text offset of each character.

    Follows YAML's folding (a single line break becomes a space, n breaks become n-1
    newlines, whitespace around breaks is dropped), ``''`` in single quotes and escapes
    in double quotes. A character made from an escape gets the offset of its backslash.
    """
    i, stop = (start + 1, end - 1) if style in ("'", '"') else (start, end)
    chars: List[str] = []
    where: List[int] = []
    while i < stop:
        ch = text[i]
        if ch in " \t":
            j = i
            while j < stop and text[j] in " \t":
                j += 1
            if j < stop and text[j] in "\r\n":
                i = j  # whitespace before a line break is not part of the value
                continue
            chars.extend(text[i:j])
            where.extend(range(i, j))
            i = j
            continue
        if ch in "\r\n":
            first = i
            breaks, i = _skip_breaks(text, i, stop)
            if breaks == 1:
                chars.append(" ")
                where.append(first)
            else:
                chars.extend("\n" * (breaks - 1))
                where.extend([first] * (breaks - 1))
            continue
        if style == "'" and ch == "'" and i + 1 < stop and text[i + 1] == "'":
            chars.append("'")
            where.append(i)
            i += 2
            continue
        if style == '"' and ch == "\\" and i + 1 < stop:
            code = text[i + 1]
            if code in "\r\n":  # an escaped line break joins the lines without a space
                breaks, i = _skip_breaks(text, i + 1, stop)
                chars.extend("\n" * (breaks - 1))
                where.extend([i] * (breaks - 1))
                continue
            if code in _ESCAPES:
                chars.append(_ESCAPES[code])
                where.append(i)
                i += 2
                continue
            width = _HEX_ESCAPES.get(code, 0)
            digits = text[i + 2:i + 2 + width]
            if width and len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
                chars.append(chr(int(digits, 16)))
                where.append(i)
                i += 2 + width
                continue
        chars.append(ch)
        where.append(i)
        i += 1
    return "".join(chars), where


def _skip_breaks(text: str, i: int, stop: int) -> Tuple[int, int]:
    """Skip a line break, then blank lines and the next line's indentation; count breaks."""
    breaks = 0
    while i < stop:
        m = _LINE_BREAK.match(text, i, stop)
        if not m:
            break
        breaks += 1
        j = m.end()
        while j < stop and text[j] in " \t":
            j += 1
        i = j
        if j >= stop or text[j] not in "\r\n":
            break
    return breaks, i


def _block_table(text: str, start: int, end: int, value: str) -> List[int]:
    """Offsets of a block scalar's characters, found line by line (-1 where unknown).

    Each content line of the source, without its indentation, appears in the value in
    order, separated only by spaces and newlines (literal or folded), so we look it up
    from where the previous one ended and stop at the first line that does not fit.
    """
    where = [-1] * len(value)
    body = _LINE_BREAK.search(text, start, end)
    if body is None:
        return where
    cursor = 0
    pos = body.end()
    while pos < end:
        m = _LINE_BREAK.search(text, pos, end)
        line_end = m.start() if m else end
        line = text[pos:line_end]
        content = line.lstrip(" ")
        if content:
            found = value.find(content, cursor)
            if found < 0 or value[cursor:found].strip(" \n"):
                break
            offset = pos + len(line) - len(content)
            where[found:found + len(content)] = range(offset, offset + len(content))
            cursor = found + len(content)
        if m is None:
            break
        pos = m.end()
    return where


class _Reader:
    """One file's parse: collects services, interpolations and problems."""

    def __init__(self, source: SourceFile, text: str) -> None:
        self.source = source
        self.text = text
        self.lines = LineIndex(text)
        self.base = 1 if text.startswith(BOM) else 0
        self.problems: List[Problem] = []
        self.services: List[ComposeService] = []
        self.interpolations: List[Interpolation] = []
        self._tables: Dict[int, Optional[List[int]]] = {}

    # -- positions -------------------------------------------------------------

    def _offset(self, index: int) -> int:
        return min(max(index + self.base, 0), len(self.text))

    def _bounds(self, node: Node) -> Tuple[int, int]:
        """Text offsets of a node without its anchor and tag (PyYAML's marks include them).

        A block collection's end mark sits at the next token, after blank lines and
        comments, so it ends instead where its last entry ends.
        """
        start = self._offset(node.start_mark.index)
        last = node
        steps = 0  # bounded: an alias can make a collection its own last entry
        while (
            isinstance(last, (MappingNode, SequenceNode)) and not last.flow_style and last.value
            and steps < 2000
        ):
            steps += 1
            tail = last.value[-1]
            last = tail[1] if isinstance(last, MappingNode) else tail
        end = max(start, self._offset(last.end_mark.index))
        text = self.text
        while start < end and text[start] in "&!":
            while start < end and text[start] not in " \t\r\n,[]{}":
                start += 1
            while start < end:
                if text[start] in " \t\r\n":
                    start += 1
                elif text[start] == "#":
                    while start < end and text[start] not in "\r\n":
                        start += 1
                else:
                    break
        return start, end

    def _span(self, node: Node) -> Span:
        return self.lines.span(*self._bounds(node))

    def _table(self, node: ScalarNode) -> Optional[List[int]]:
        """Per-character text offsets of a scalar's value, or None if we cannot tell."""
        key = id(node)
        if key not in self._tables:
            start, end = self._bounds(node)
            table: Optional[List[int]] = None
            if node.style in ("|", ">"):
                table = _block_table(self.text, start, end, node.value)
            elif node.style in (None, "", "'", '"') and end - start >= (2 if node.style else 0):
                value, where = _flow_table(self.text, start, end, node.style)
                table = where if value == node.value else None
            self._tables[key] = table
        return self._tables[key]

    def _sub_span(self, node: ScalarNode, i: int, j: int) -> Span:
        """The text of ``node.value[i:j]`` in the file.

        Exact when those characters were written literally (no escape, fold or ``''``
        inside them); otherwise the whole scalar, quotes included.
        """
        table = self._table(node)
        value = node.value
        if table is not None and 0 <= i <= j <= len(value):
            if i == j:
                if i > 0 and table[i - 1] >= 0 and self.text[table[i - 1]] == value[i - 1]:
                    return self.lines.span(table[i - 1] + 1, table[i - 1] + 1)
                if i < len(value) and table[i] >= 0 and self.text[table[i]] == value[i]:
                    return self.lines.span(table[i], table[i])
            else:
                start, last = table[i], table[j - 1]
                if start >= 0 and last >= start and self.text[start:last + 1] == value[i:j]:
                    return self.lines.span(start, last + 1)
        return self._span(node)

    def _content_span(self, node: ScalarNode) -> Span:
        """The scalar's text without quotes (the whole node if escapes get in the way)."""
        return self._sub_span(node, 0, len(node.value))

    def _problem(self, code: str, message: str, span: Span) -> None:
        self.problems.append(Problem(code, message, span))

    # -- the file --------------------------------------------------------------

    def read(self) -> ParsedFile:
        docs = self._compose()
        total, distinct, cycle, chars = _expanded_size(docs, NODE_BUDGET, max(CHAR_BUDGET, 4 * len(self.text)))
        if total > NODE_BUDGET or chars > max(CHAR_BUDGET, 4 * len(self.text)):
            if cycle:
                message = "a YAML alias refers to a node that contains it (infinite expansion); file skipped"
            elif distinct > NODE_BUDGET:
                message = f"YAML has more than {NODE_BUDGET} nodes; file skipped"
            elif total > NODE_BUDGET:
                message = f"YAML aliases expand beyond {NODE_BUDGET} nodes; file skipped"
            else:
                message = (f"YAML aliases expand the file's text beyond {max(CHAR_BUDGET, 4 * len(self.text)):,} "
                           "characters; file skipped")
            problems = tuple(self.problems) + (Problem(SYNTAX, message, self.lines.span(0, 0)),)
            return ParsedFile(source=self.source, text=self.text, problems=problems)
        for doc in docs:
            self._scan(doc)
            self._document(doc)
        self.problems.sort(key=lambda p: (p.span.start, p.code))
        self.interpolations.sort(key=lambda it: (it.span.start, -it.span.end))
        return ParsedFile(
            source=self.source,
            text=self.text,
            settings=tuple(s for service in self.services for s in service.environment),
            services=tuple(self.services),
            interpolations=tuple(self.interpolations),
            problems=tuple(self.problems),
        )

    def _compose(self) -> List[Node]:
        """Every document that composes; a YAML error becomes a problem at its mark."""
        docs: List[Node] = []
        stream = self.text[self.base:]
        try:
            for doc in yaml.compose_all(stream, Loader=_LOADER):
                if doc is not None:
                    docs.append(doc)
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            at = self._offset(mark.index) if mark is not None else 0
            what = err.problem or err.context or "invalid YAML"
            context = f" ({err.context})" if err.context and err.problem else ""
            if at < len(self.text) and self.text[at] == "\t":
                context += "; YAML indents with spaces, never tabs"
            self._problem(SYNTAX, f"invalid YAML: {what}{context}", self.lines.span(at, at))
        except yaml.reader.ReaderError as err:
            at = self._reader_offset(stream, err.position)
            self._problem(
                SYNTAX,
                f"invalid YAML: character U+{err.character:04X} is not allowed in YAML"
                if isinstance(err.character, int)
                else f"invalid YAML: {err.reason}",
                self.lines.span(at, at),
            )
        except RecursionError:
            self._problem(SYNTAX, "YAML is nested too deeply to read; file skipped", self.lines.span(0, 0))
            return []
        except (yaml.YAMLError, UnicodeError, ValueError) as err:
            self._problem(SYNTAX, f"invalid YAML: {err}", self.lines.span(0, 0))
        return docs

    def _reader_offset(self, stream: str, position: int) -> int:
        """libyaml reports unreadable characters at a UTF-8 byte offset; make it a text offset."""
        if _LOADER is not yaml.SafeLoader:
            position = len(stream.encode("utf-8", "surrogatepass")[:position].decode("utf-8", "ignore"))
        return self._offset(position)

    def _scan(self, root: Node) -> None:
        """Visit each distinct node once: duplicate keys and interpolations in values."""
        seen: Set[int] = set()
        stack: List[Node] = [root]
        values: Dict[int, ScalarNode] = {}
        if isinstance(root, ScalarNode):
            values[id(root)] = root
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, MappingNode):
                self._duplicates(node)
                for _key, value in node.value:  # keys are never interpolated
                    if isinstance(value, ScalarNode):
                        values[id(value)] = value
                    stack.append(value)
            elif isinstance(node, SequenceNode):
                for item in node.value:
                    if isinstance(item, ScalarNode):
                        values[id(item)] = item
                    stack.append(item)
        for node in values.values():
            if "$" in node.value:
                for name, op, default, i, j in scan_interpolations(node.value):
                    self.interpolations.append(Interpolation(name, op, default, self._sub_span(node, i, j)))

    def _duplicates(self, node: MappingNode) -> None:
        first: Dict[str, ScalarNode] = {}
        for key, _ in node.value:
            if not isinstance(key, ScalarNode) or _is_merge(key):
                continue
            if key.value in first:
                line = self._span(first[key.value]).line
                self._problem(
                    DUPLICATE,
                    f"duplicate key {key.value!r} (first on line {line}); PyYAML keeps the last "
                    "value but Compose refuses the file",
                    self._content_span(key),
                )
            else:
                first[key.value] = key

    def _entries(self, node: MappingNode, depth: int = 0) -> List[Tuple[Node, Node]]:
        """The mapping's pairs after YAML ``<<`` merges, as PyYAML would build the dict.

        A key the mapping sets itself beats a merged one; among ``<<: [*a, *b]`` the
        earlier mapping wins; among duplicate keys the last wins. Merged pairs appear
        where the ``<<`` is, with the positions of the anchored text.
        """
        own: Dict[str, int] = {}
        for idx, (key, _) in enumerate(node.value):
            if isinstance(key, ScalarNode) and not _is_merge(key):
                own[key.value] = idx
        out: List[Tuple[Node, Node]] = []
        taken: Set[str] = set()
        for idx, (key, value) in enumerate(node.value):
            if _is_merge(key):
                if depth >= _MAX_MERGE_DEPTH:
                    continue
                if isinstance(value, MappingNode):
                    sources = [value]
                elif isinstance(value, SequenceNode):
                    sources = [item for item in value.value if isinstance(item, MappingNode)]
                else:
                    sources = []
                for merged in sources:
                    if merged is node:
                        continue
                    for mkey, mvalue in self._entries(merged, depth + 1):
                        if isinstance(mkey, ScalarNode):
                            if mkey.value in own or mkey.value in taken:
                                continue
                            taken.add(mkey.value)
                        out.append((mkey, mvalue))
                continue
            if isinstance(key, ScalarNode):
                if own.get(key.value) != idx:
                    continue
                taken.add(key.value)
            out.append((key, value))
        return out

    def _lookup(self, entries: List[Tuple[Node, Node]], name: str) -> Optional[Node]:
        for key, value in entries:
            if isinstance(key, ScalarNode) and key.value == name:
                return value
        return None

    # -- the Compose model -----------------------------------------------------

    def _document(self, doc: Node) -> None:
        if not isinstance(doc, MappingNode):
            if not _is_null(doc):
                self._problem(
                    SYNTAX,
                    f"a Compose file must be a mapping at the top level, not {_kind(doc)}",
                    self._span(doc),
                )
            return
        services = self._lookup(self._entries(doc), "services")
        if services is None or _is_null(services):
            return
        if not isinstance(services, MappingNode):
            self._problem(SYNTAX, f"'services' must be a mapping of service names, not {_kind(services)}", self._span(services))
            return
        for key, value in self._entries(services):
            if not isinstance(key, ScalarNode):
                continue
            if isinstance(value, MappingNode):
                self.services.append(self._service(key, value))
            elif _is_null(value):
                self.services.append(ComposeService(name=key.value, span=self._content_span(key)))
            else:
                self._problem(SYNTAX, f"service {key.value!r} must be a mapping, not {_kind(value)}", self._span(value))

    def _service(self, key: ScalarNode, node: MappingNode) -> ComposeService:
        name = key.value
        entries = self._entries(node)
        image: Optional[str] = None
        image_span: Optional[Span] = None
        image_node = self._lookup(entries, "image")
        if isinstance(image_node, ScalarNode) and not _is_null(image_node):
            image, image_span = image_node.value, self._span(image_node)
        return ComposeService(
            name=name,
            span=self._content_span(key),
            image=image,
            image_span=image_span,
            environment=self._environment(name, self._lookup(entries, "environment")),
            env_files=self._env_files(name, self._lookup(entries, "env_file")),
            ports=self._ports(name, self._lookup(entries, "ports")),
            **self._build(self._lookup(entries, "build")),
            volumes=self._volumes(self._lookup(entries, "volumes")),
        )

    def _build(self, node: Optional[Node]) -> Dict[str, Optional[str]]:
        """`build: ./dir` or `build: {context, dockerfile}`: the folder an image is built from."""
        if isinstance(node, ScalarNode) and not _is_null(node):
            return {"build_context": node.value, "dockerfile": None}
        if isinstance(node, MappingNode):
            entries = self._entries(node)
            context = self._lookup(entries, "context")
            dockerfile = self._lookup(entries, "dockerfile")
            return {
                "build_context": context.value if isinstance(context, ScalarNode) and not _is_null(context) else ".",
                "dockerfile": dockerfile.value if isinstance(dockerfile, ScalarNode) and not _is_null(dockerfile) else None,
            }
        return {"build_context": None, "dockerfile": None}

    def _volumes(self, node: Optional[Node]) -> Tuple[str, ...]:
        """Volume entries as `source:target` (the long syntax rendered like the short one)."""
        if not isinstance(node, SequenceNode):
            return ()
        found: List[str] = []
        for item in node.value:
            if isinstance(item, ScalarNode) and not _is_null(item):
                found.append(item.value)
            elif isinstance(item, MappingNode):
                entries = self._entries(item)
                source, target = self._lookup(entries, "source"), self._lookup(entries, "target")
                if isinstance(source, ScalarNode) and isinstance(target, ScalarNode):
                    found.append(f"{source.value}:{target.value}")
        return tuple(found)

    def _environment(self, service: str, node: Optional[Node]) -> Tuple[Setting, ...]:
        if node is None or _is_null(node):
            return ()
        settings: List[Setting] = []
        if isinstance(node, MappingNode):
            for key, value in self._entries(node):
                if not isinstance(key, ScalarNode):
                    continue
                if not isinstance(value, ScalarNode):
                    self._problem(
                        SYNTAX,
                        f"environment value of {key.value!r} in service {service!r} must be a "
                        f"string, number, boolean or empty, not {_kind(value)}",
                        self._span(value),
                    )
                    continue
                text_value: Optional[str] = None if _is_null(value) else value.value
                value_span = self._span(value)
                if text_value is None and value_span.start == value_span.end:
                    value_span_opt: Optional[Span] = None
                else:
                    value_span_opt = value_span
                settings.append(
                    Setting(key.value, text_value, self._content_span(key), value_span_opt,
                            value.style or "", service)
                )
        elif isinstance(node, SequenceNode):
            for item in node.value:
                if not isinstance(item, ScalarNode):
                    self._problem(
                        SYNTAX,
                        f"environment entries of service {service!r} must be strings like "
                        f"KEY=value, not {_kind(item)}",
                        self._span(item),
                    )
                    continue
                if _is_null(item):
                    continue
                raw = item.value
                eq = raw.find("=")
                if eq < 0:
                    setting = Setting(raw, None, self._sub_span(item, 0, len(raw)), None, item.style or "", service)
                else:
                    setting = Setting(
                        raw[:eq], raw[eq + 1:], self._sub_span(item, 0, eq),
                        self._sub_span(item, eq + 1, len(raw)), item.style or "", service,
                    )
                settings.append(setting)
        else:
            self._problem(
                SYNTAX,
                f"'environment' of service {service!r} must be a mapping or a list, not {_kind(node)}",
                self._span(node),
            )
        return tuple(settings)

    def _env_files(self, service: str, node: Optional[Node]) -> Tuple[EnvFileRef, ...]:
        if node is None or _is_null(node):
            return ()
        items = node.value if isinstance(node, SequenceNode) else [node]
        refs: List[EnvFileRef] = []
        for item in items:
            if isinstance(item, ScalarNode):
                if not _is_null(item):
                    refs.append(EnvFileRef(item.value, True, self._span(item)))
                continue
            if isinstance(item, MappingNode):
                entries = self._entries(item)
                path = self._lookup(entries, "path")
                if isinstance(path, ScalarNode) and not _is_null(path):
                    required = self._lookup(entries, "required")
                    refs.append(EnvFileRef(path.value, not _is_false(required), self._span(path)))
                    continue
            self._problem(
                SYNTAX,
                f"'env_file' of service {service!r} must be a path, a list of paths or "
                f"{{path, required}} entries, not {_kind(item)}",
                self._span(item),
            )
        return tuple(refs)

    def _ports(self, service: str, node: Optional[Node]) -> Tuple[Tuple[str, Span], ...]:
        if node is None or _is_null(node):
            return ()
        if not isinstance(node, SequenceNode):
            self._problem(SYNTAX, f"'ports' of service {service!r} must be a list, not {_kind(node)}", self._span(node))
            return ()
        ports: List[Tuple[str, Span]] = []
        for item in node.value:
            if isinstance(item, ScalarNode):
                if not _is_null(item):
                    ports.append((item.value, self._span(item)))
            elif isinstance(item, MappingNode):
                ports.append((self._long_port(item), self._span(item)))
            else:
                continue
            wrong = _invalid_port(ports[-1][0])
            if wrong is not None:
                self._problem(SYNTAX, f"port entry of service {service!r} has an invalid port number "
                              f"({wrong}); Compose refuses the file", ports[-1][1])
        return tuple(ports)

    def _long_port(self, node: MappingNode) -> str:
        """Render ``{target, published, host_ip, protocol}`` like the short syntax."""
        entries = self._entries(node)
        parts: Dict[str, str] = {}
        for name in ("host_ip", "published", "target", "protocol"):
            value = self._lookup(entries, name)
            if isinstance(value, ScalarNode) and not _is_null(value):
                parts[name] = value.value
        rendered = parts.get("target", "")
        if "published" in parts or "host_ip" in parts:
            rendered = f"{parts.get('published', '')}:{rendered}"
        if "host_ip" in parts:
            rendered = f"{parts['host_ip']}:{rendered}"
        if "protocol" in parts:
            rendered = f"{rendered}/{parts['protocol']}"
        return rendered


_PORT_RANGE = re.compile(r"([0-9]{1,5})(?:-([0-9]{1,5}))?")


def _invalid_port(entry: str) -> Optional[str]:
    """Why a `[[ip:]published:]target[/protocol]` entry holds no valid port number, or None.

    Only ASCII digits up to 65535 (or a range of them) are ports: `²` passes `isdigit()`
    and a port thousands of digits long hits Python's integer-string limit. An entry with
    a `${VAR}` is judged once interpolated, so not here.
    """
    if "$" in entry:
        return None
    parts = entry.split("/", 1)[0].rsplit(":", 2)
    for index, part in enumerate(parts[-2:] if len(parts) > 1 else parts):
        published = len(parts) > 1 and index == 0
        if published and part == "":
            continue  # `127.0.0.1::5432`: any free port
        m = _PORT_RANGE.fullmatch(part)
        if m is None or any(int(g) > 65535 for g in m.groups() if g):
            shown = part if len(part) <= 12 else part[:12] + "…"
            return f"{'published' if published else 'container'} port {shown!r}"
    return None


def _is_false(node: Optional[Node]) -> bool:
    """``required: false`` (go-yaml also reads no/off/n into a bool field)."""
    return isinstance(node, ScalarNode) and node.value.strip().lower() in ("false", "no", "off", "n")
