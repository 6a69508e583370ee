"""Secrets never leave the tool in full: every output shows at most a short prefix and a length.

The shapes of secrets (tokens, keys, JWTs, private key blocks, ...) are data in
`rules/secrets.toml`, read through `tekup_envlint.patterns.secret_shapes()`; the credentials
rules use the same shapes, so what is reported is also what is scrubbed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict, Iterable, Iterator, List, Optional, Set, Tuple, Union

from tekup_envlint.patterns import SecretShape, secret_like_name, secret_shapes

# Well-known local defaults are not secrets and are common words; scrubbing them would
# garble ordinary text such as "postgresql://".
_NOT_SECRET = frozenset({"postgres", "password", "secret", "admin", "root", "example", "changeme"})
_MIN_SCRUB = 6
_GRAM = 4  # the pieces secrets are indexed by (see Redactor)
_STEP = _MIN_SCRUB - _GRAM + 1  # a text is sampled every _STEP characters
_CHUNK = 3 << 16  # characters of a text sampled at a time (a multiple of _STEP)

# The password slot of a URI written in a text (a Prisma `url = "..."` literal in a code
# frame, a `REDIS_URL=redis://:pw@host` or `MONGODB_URI=mongodb+srv://u:pw@host` under a name
# that says nothing): any scheme, because a credential in a Redis, MySQL or AMQP URL is as
# much a secret as in a PostgreSQL one. libpq ends the credentials at the first "@", which
# must come before any "/"; a raw "/" inside a password is read as its author meant it
# (`dsn._misplaced_credentials`), unless what comes before the "/" is a port. The regex
# finds the scheme and user; the password's end is found by `_scrub_uri_passwords`.
_URI_USER = re.compile(r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*://(?:[^\s:@/\"'`]|…\[\d+ chars\])*:")
_PASSWORD_STOP = re.compile(r"[\s\"'`]")
_PORT = re.compile(r"\d*/")


def redact(value: Optional[str]) -> str:
    """`eyJh…[212 chars]` for long values, `…[8 chars]` for short ones (no prefix to guess from)."""
    if value is None:
        return "…[no value]"
    if len(value) >= 20:
        return f"{value[:4]}…[{len(value)} chars]"
    shown = f"…[{len(value)} chars]"
    # a value such as "char" or "4 ch" is part of its own redaction; say nothing about it then
    return shown if value not in shown else "…[redacted]"


class Redactor:
    """Replaces every known secret value in a text by its redacted form (the last safety net).

    Besides the values it is given, it scrubs anything of a self-identifying secret shape
    (`secrets.toml`), the password slot of any PostgreSQL URI and the value of any
    credential parameter (`password=`, `token=`, ...) in the text, so that a secret the
    workspace did not list (a Prisma datasource literal, a commented-out token) still
    cannot reach the output.

    `written` adds texts with their own replacement: an assignment as the file writes it
    (`KEY="esc\\"aped"`, a short value under a secret name), so that a secret whose
    written form differs from its value, or that is too short to scrub on its own, is
    still hidden where the file shows it (see `written_forms`).
    """

    def __init__(self, secrets: Iterable[str] = (), written: Iterable[Tuple[str, str]] = ()) -> None:
        found = {s for s in secrets if len(s) >= _MIN_SCRUB and s.lower() not in _NOT_SECRET}
        self._replacement: Dict[str, str] = {s: redact(s) for s in found}
        for needle, replacement in written:
            if len(needle) >= _MIN_SCRUB and needle != replacement:
                self._replacement.setdefault(needle, replacement)
        # One alternation of every secret tried them all at every position of every text:
        # scrubbing grew with secrets x findings. Now a text is sampled every _STEP
        # characters, and each secret is indexed by the _STEP grams (of _GRAM characters)
        # that start at _STEP consecutive offsets of it: any occurrence of the secret covers
        # one sample, which is one of those grams. The window of offsets is the one whose
        # grams the fewest secrets share, so that thousands of secrets with a common prefix
        # (every JWT starts `eyJhbG`) do not all become candidates for every line. The
        # candidates are then tested for real (`in`), and only those present go into the
        # alternation (longest first), so the result is the same as one alternation of all.
        self._by_gram: Dict[str, List[str]] = {}
        needles = sorted(self._replacement)
        frequency: Dict[str, int] = {}
        for needle in needles:
            for i in range(len(needle) - _GRAM + 1):
                gram = needle[i : i + _GRAM]
                frequency[gram] = frequency.get(gram, 0) + 1
        for needle in needles:
            start = _rarest_window(needle, frequency)
            for offset in range(start, start + _STEP):
                self._by_gram.setdefault(needle[offset : offset + _GRAM], []).append(needle)
        self._patterns: Dict[Tuple[str, ...], "re.Pattern[str]"] = {}

    def scrub(self, text: str) -> str:
        if self._by_gram:
            pattern = self._pattern_for(text)
            if isinstance(pattern, str):  # one secret: a plain replace does what sub would
                text = text.replace(pattern, self._replacement[pattern])
            elif pattern is not None:
                table = self._replacement
                text = pattern.sub(lambda m: table[m.group(0)], text)
        return scrub_shapes(text)

    def scrub_field(self, text: str) -> str:
        """For a data field (a host, user or database in the map), not prose: hidden whole
        when it is a known secret; inside it only secret shapes, URI passwords and known
        secrets of 8 characters or more are hidden (a 6-character password such as
        `teable` would otherwise garble every host name that holds it, `teable-db`)."""
        if text in self._replacement:
            return self._replacement[text]
        if self._by_gram:
            present = [s for s in self._present(text) if len(s) >= 8]
            for secret in sorted(present, key=lambda s: (-len(s), s)):
                text = text.replace(secret, self._replacement[secret])
        return scrub_shapes(text)

    def _present(self, text: str) -> Set[str]:
        """The known secrets that occur in text (found through the gram index)."""
        grams = self._by_gram.keys()
        hits: Set[str] = set()
        last = len(text) - _GRAM + 1  # the last start of a whole gram, plus one
        for lo in range(0, max(last, 0), _CHUNK):  # bounded memory for a long text
            hits.update(grams & {text[i : i + _GRAM] for i in range(lo, min(lo + _CHUNK, last), _STEP)})
        return {s for g in hits for s in self._by_gram[g] if s in text}

    def _pattern_for(self, text: str) -> "Union[None, str, re.Pattern[str]]":
        """The alternation (longest first) of the known secrets that occur in text, or the
        secret itself when only one does (compiling a pattern per line cost more than the
        scrubbing)."""
        present = self._present(text)
        if len(present) <= 1:
            return next(iter(present), None)
        candidates = tuple(sorted(present, key=lambda s: (-len(s), s)))
        pattern = self._patterns.get(candidates)
        if pattern is None:
            if len(self._patterns) > 256:
                self._patterns.clear()
            pattern = self._patterns[candidates] = re.compile("|".join(map(re.escape, candidates)))
        return pattern


def _rarest_window(needle: str, frequency: Dict[str, int]) -> int:
    """The first of _STEP consecutive gram offsets whose grams the fewest needles share."""
    windows = len(needle) - _GRAM - _STEP + 2
    if windows <= 1:
        return 0
    counts = [frequency[needle[i : i + _GRAM]] for i in range(len(needle) - _GRAM + 1)]
    total = sum(counts[:_STEP])
    best, best_total = 0, total
    for start in range(1, windows):
        total += counts[start + _STEP - 1] - counts[start - 1]
        if total < best_total:
            best, best_total = start, total
    return best


def scrub_shapes(text: str) -> str:
    """Redact every self-identifying secret shape and every URI password slot in a text."""
    for shape, literal in _shape_probes():
        if literal not in text or _probe(shape).search(text) is None:
            continue  # the shape cannot match: sub would give the text back unchanged
        text = shape.regex.sub(lambda m: redact(m.group(0)), text)
    if "=" in text or "%3" in text:  # `%3D`: an encoded "=" (either case)
        text = _credential_parameters().sub(_scrub_password, text)
    if "://" not in text:  # a URI password needs one
        return text
    return _scrub_uri_passwords(text)


def _scrub_uri_passwords(text: str) -> str:
    """Redact the password slot of every URI in a text, in linear time.

    The password runs from the user's ":" to the first "@", with no space or quote before
    it. One regex for the whole slot (`[^\\s@]+(?=@)`) scanned to the end of the text from
    every URI when no "@" follows: a 900 kB line of `postgresql://u:` took minutes. The next
    "@" and the next stop character are found once and reused by every URI before them.
    """
    out: List[str] = []
    last = 0
    at = stop = -1  # positions at or after the current URI's password (len(text) for none)
    m = _URI_USER.search(text)
    while m is not None:
        start = m.end()
        if at < start:
            found = text.find("@", start)
            at = found if found >= 0 else len(text)
        if stop < start:
            hit = _PASSWORD_STOP.search(text, start)
            stop = hit.start() if hit else len(text)
        if start < at < len(text) and at <= stop and not _PORT.match(text, start, at):
            replaced = _scrub_password_text(text[start:at])
            if replaced is not None:
                out.append(text[last:start])
                out.append(replaced)
                last = at
            m = _URI_USER.search(text, at)
        else:  # no password here: another URI may start inside this one's user
            m = _URI_USER.search(text, m.start() + 1)
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


@lru_cache(maxsize=1)
def _credential_parameters() -> "re.Pattern[str]":
    """`password=...`, `token=...` (the names are data, `[secret_names] parameters`) in a
    libpq keyword/value string or a URI query: the value up to a space, `&` or quote, or a
    whole single-quoted libpq value. Percent-encoded too (`options=-c%20password%3D...` in
    a URI), where an encoded space or a `+` comes before the name and `%3D` stands for `=`;
    such a value runs to the next `&` or space, which may hide a little more than it."""
    from tekup_envlint.patterns import load

    names = "|".join(sorted((re.escape(n) for n in load().secret_parameters), key=len, reverse=True))
    return re.compile(
        rf"(?:(?<![\w.-])|(?<=%20)|(?<=%09)|(?<=\+))(?:{names})[ \t]*(?:=|%3D)[ \t]*"
        rf"(?P<password>'(?:[^'\\\r\n]|\\.)*'?|[^\s&'\"`;#,]+)",
        re.IGNORECASE,
    )


_PROBES: Dict["re.Pattern[str]", "Optional[re.Pattern[str]]"] = {}


@lru_cache(maxsize=1)
def _shape_probes() -> "Tuple[Tuple[SecretShape, str], ...]":
    """Each self-identifying shape with a literal every match starts with ("" when it cannot
    tell); `_probe` is the regex to try once a text holds it.

    Most texts (messages, code frames, values) hold no token at all. One alternation of
    every shape's probe was tried branch by branch at every position of a text; a substring
    test for each literal prefix runs at C speed and leaves the regex to the few texts that
    hold the prefix (about 3x faster on the messages and files of a large tree). The
    literal is read from the probe's text, so a probe is compiled only when a text first
    holds its literal: a pre-commit run meets a few of the shapes."""
    return tuple((shape, _literal_prefix(_lookbehind_free(shape.regex) or shape.regex.pattern, shape.regex.flags))
                 for shape in secret_shapes().self_identifying)


def _probe(shape: SecretShape) -> "re.Pattern[str]":
    """The shape's probe: `without_lookbehind` (memoised there), or the shape itself."""
    return without_lookbehind(shape.regex) or shape.regex


def _literal_prefix(pattern: str, flags: int = 0) -> str:
    """The plain characters every match of the pattern starts with, or "" when it cannot tell
    (a leading group or class, a flag that changes matching, an alternation at top level)."""
    if flags & (re.IGNORECASE | re.VERBOSE) or _top_level_bar(pattern):
        return ""
    end = 0
    while end < len(pattern) and pattern[end] not in _REGEX_SYNTAX:
        end += 1
    if end < len(pattern) and pattern[end] in "?*{":
        end -= 1  # the last plain character is optional or repeated
    return pattern[:max(end, 0)]


_REGEX_SYNTAX = frozenset("\\.^$*+?{}[]|()")


def _top_level_bar(pattern: str) -> bool:
    """Whether the pattern has a `|` outside every group (an alternative that need not
    start with the first one's prefix)."""
    depth = 0
    for _, ch in _syntax(pattern):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return True
    return False


def may_hold_shape(text: str) -> bool:
    """False only when no self-identifying secret shape can match anywhere in `text`."""
    return any(literal in text and _probe(shape).search(text) is not None for shape, literal in _shape_probes())


def without_lookbehind(regex: "re.Pattern[str]") -> "Optional[re.Pattern[str]]":
    """The regex without its leading lookbehind, or None when it has none.

    A pattern that starts with a lookbehind, as most token shapes do (`(?<![A-Za-z0-9])ghp_`),
    is tried at every position of a text; without it, `re` jumps straight to its literal
    prefix. The probe matches wherever the shape matches (it only drops a condition), so a
    text without a probe match holds no match of the shape either.
    """
    try:
        return _PROBES[regex]
    except KeyError:
        pass
    probe = None
    pattern = _lookbehind_free(regex)
    if pattern is not None:
        try:
            probe = re.compile(pattern, regex.flags)
        except re.error:
            probe = None
    _PROBES[regex] = probe
    return probe


def _lookbehind_free(regex: "re.Pattern[str]") -> Optional[str]:
    """The text of `without_lookbehind`'s probe, or None when the regex has no leading lookbehind."""
    pattern = regex.pattern
    if isinstance(pattern, str) and pattern.startswith(("(?<!", "(?<=")) and not regex.flags & re.VERBOSE:
        end = _group_end(pattern)
        if end is not None:
            return pattern[end:]
    return None


def _group_end(pattern: str) -> Optional[int]:
    """The index just past the group that opens the pattern, or None if it cannot tell
    (a group nested inside it, or no end)."""
    depth = 0
    for i, ch in _syntax(pattern):
        if ch == "(":
            depth += 1
            if depth > 1:
                return None  # a group inside the lookbehind: keep it simple, no probe
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def _syntax(pattern: str) -> Iterator[Tuple[int, str]]:
    """(index, character) of each character of a pattern outside its classes (`[...]`)
    that is not escaped: where its groups and alternatives are."""
    i, in_class = 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
        elif ch == "[":
            in_class = True
            if pattern.startswith("[]", i) or pattern.startswith("[^]", i):
                i += 2 if pattern[i + 1] == "]" else 3  # a "]" right after "[" or "[^" is literal
                continue
        else:
            yield i, ch
        i += 1


def _scrub_password(match: "re.Match[str]") -> str:
    replaced = _scrub_password_text(match.group("password"))
    if replaced is None:
        return match.group(0)
    start = match.start("password") - match.start()
    return match.group(0)[:start] + replaced


def _scrub_password_text(password: str) -> Optional[str]:
    """The redacted password, or None when it stays as written."""
    bare = password.strip("'")
    # a well-known local default (`postgres`) is masked in its slot as the checks' messages
    # mask it; only a reference, a placeholder or a redaction already made stays
    if not bare or bare.startswith("$") or "…" in bare:
        return None
    from tekup_envlint.classify import is_placeholder

    if is_placeholder(bare):
        return None
    return redact(password)


# A libpq keyword/value connection string (`host=db port=5432 password=...`): keywords are
# words followed by `=`; a value is a single-quoted string (`\'` and `\\` escaped) or runs to
# the next whitespace.
_KEYWORD_VALUE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*('(?:[^'\\]|\\.)*'|[^\s']*)")
_KV_ESCAPE = re.compile(r"\\(.)")


def credential_parameters(value: str) -> List[str]:
    """The values of credential parameters (`password`, `sslpassword`, `token`, ...) of a
    libpq keyword/value string or of a URI's query, as a client reads them."""
    from tekup_envlint.patterns import load

    names = load().secret_parameters
    found: List[str] = []
    if "://" in value:
        from tekup_envlint import dsn

        parsed = dsn.parse_lenient(value)
        if parsed is not None:
            found.extend(v for k, v in parsed.params if k.lower() in names and v)
            # `options` carries server options (`-c name=value`), percent-encoded in a URI
            found.extend(secret for k, v in parsed.params if k.lower() == "options" and "://" not in v
                         for secret in credential_parameters(v))
        return found
    if "=" not in value:
        return found
    for m in _KEYWORD_VALUE.finditer(value):
        if m.group(1).lower() in names and m.group(2):
            raw = m.group(2)
            found.append(_KV_ESCAPE.sub(r"\1", raw[1:-1]) if raw.startswith("'") else raw)
    return found


def _defaults(text: str) -> List[str]:
    """The `${VAR:-default}` defaults written in a text: literal values that ship with the file."""
    from tekup_envlint import dsn

    found: List[str] = []
    for ref in dsn.find_references(text):
        if ref.operator in ("-", ":-") and ref.default:
            found.append(ref.default)
    return found


def secrets_in(key: str, value: Optional[str], _depth: int = 0) -> Iterable[str]:
    """The secret strings one setting holds: its whole value, a DSN password, or token shapes.

    A `${VAR:-default}` default is written in the file, so its secrets count too; a secret
    that spans lines (a private key) also yields each of its lines, since output shows one
    line at a time.
    """
    if not value:
        return ()
    from tekup_envlint.classify import secret_state

    found: List[str] = []
    for shape, literal in _shape_probes():  # a shape whose probe misses cannot match
        if literal in value and _probe(shape).search(value) is not None:
            found.extend(m.group(0) for m in shape.regex.finditer(value))
    for shape in secret_shapes().shapes:
        if shape.key is not None and shape.applies_to(key):  # the shapes bound to a name
            found.extend(m.group(0) for m in shape.regex.finditer(value))
    if "://" in value:
        from tekup_envlint import dsn

        parsed = dsn.parse_lenient(value)
        if parsed is not None and parsed.password:
            state = secret_state(parsed.password)
            if state == "literal":
                found.append(parsed.password)
            elif state == "reference":
                found.extend(d for d in _defaults(parsed.password) if secret_state(d) == "literal")
    found.extend(v for v in credential_parameters(value) if secret_state(v) == "literal")
    if secret_like_name(key) and secret_state(value) == "literal":
        found.append(value)
    if _depth < 3:
        for default in _defaults(value):
            found.extend(secrets_in(key, default, _depth + 1))
    for secret in list(found):
        if "\n" in secret or "\r" in secret:
            found.extend(line.strip() for line in secret.splitlines() if len(line.strip()) >= _MIN_SCRUB)
    return found


# `KEY=value`, `KEY: value`, `- KEY=value`, `export KEY=value`, read loosely: a line that a
# parser could not read (a key with a space, an unterminated quote, broken YAML) still shows
# in a code frame, and the value under a secret-sounding name on it is still a secret.
# Found with str.find, not one regex: a lazy key followed by optional spaces backtracks
# quadratically on a long line of spaces.
_LOOSE_PREFIX = re.compile(r"\s*(?:-\s+)?(?:export\s+)?")
_ANY_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _loose_assignment(line: str) -> Optional[Tuple[str, str]]:
    body = _LOOSE_PREFIX.match(line).end()  # type: ignore[union-attr]
    sep = line.find("=", body)
    colon = line.find(":", body)
    while 0 <= colon < (sep if sep >= 0 else len(line)):
        if colon + 1 == len(line) or line[colon + 1] in " \t":  # YAML's `key: value`
            sep = colon
            break
        colon = line.find(":", colon + 1)
    if sep < 0:
        return None
    key = line[body:sep].strip().strip("\"'").strip()
    if not key or "#" in key:
        return None
    return key, line[sep + 1:].strip()


def unread_assignments(text: str, offsets: Iterable[int]) -> List[Tuple[str, str]]:
    """(key, value) of the line around each offset (where a parser reported a problem), read loosely.

    The value is given both as written and without an opening and closing quote, so that
    `secrets_in` sees what a reader of the file would take for the secret. Lines are found
    once per file (LF, CR LF or a lone CR, as everywhere), each line read once.
    """
    from bisect import bisect_right

    starts = [0] + [m.end() for m in _ANY_LINE_BREAK.finditer(text)]
    found: List[Tuple[str, str]] = []
    for index in sorted({bisect_right(starts, offset) - 1 for offset in offsets}):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        pair = _loose_assignment(text[starts[index]:end].rstrip("\r\n"))
        if pair is None:
            continue
        key, value = pair
        found.append((key, value))
        if value[:1] in ("'", '"'):
            body = value[1:]
            found.append((key, body[:-1] if body.endswith(value[0]) else body))
    return found


def written_forms(text: str, value_start: int, value_end: int, key_start: Optional[int] = None) -> List[Tuple[str, str]]:
    """(as written, redacted) for a value as its file writes it, line by line.

    A value read through escapes or quoting (`"a\\"b"`, `'it''s'`, `\\/` in JSON, a YAML
    scalar folded over lines) is not found in the file's text by its value, and a short
    value under a secret name is too short to scrub anywhere it appears; the text the file
    holds is. The first line carries the key (from `key_start`), so even a short value is
    only hidden where it is assigned; each further line of a value that spans lines is
    hidden on its own (from 6 characters).
    """
    lines = _ANY_LINE_BREAK.split(text[value_start:value_end])
    prefix = text[key_start:value_start] if key_start is not None and key_start <= value_start else ""
    if "\n" in prefix or "\r" in prefix:  # the key sits on a line of its own
        prefix = ""
    found: List[Tuple[str, str]] = []
    head = lines[0]
    if head.strip():
        found.append((prefix + head, prefix + redact(head)))
    for line in lines[1:]:
        body = line.strip()
        if len(body) >= _MIN_SCRUB:
            found.append((body, redact(body)))
    return found


def hidden_as_written(secrets: Iterable[str], written: str, key: str, value: Optional[str]) -> bool:
    """Whether the value must be hidden as written, not only by its secrets: some secret
    does not appear in the written text (escapes, quoting), or the name says the whole
    value is secret however short it is."""
    if not all(_shown_as_is(secret, written) for secret in secrets):
        return True
    return secret_by_name_only(key, value)


def secret_by_name_only(key: str, value: Optional[str]) -> bool:
    """A literal value under a secret name that scrubbing by value would leave in view:
    shorter than 6 characters, or a well-known local default (`postgres`), which the
    checks' own messages still mask. Switches (`true`, `no`) are not secrets."""
    if not value or (len(value) >= _MIN_SCRUB and value.lower() not in _NOT_SECRET):
        return False
    if value.lower() in secret_shapes().flag_values or not secret_like_name(key):
        return False
    from tekup_envlint.classify import secret_state

    return secret_state(value) == "literal"


def _shown_as_is(secret: str, written: str) -> bool:
    """Whether scrubbing the written text by the secret (or by its shape) hides it: the
    secret is there as it is, or percent-encoded in a URI's password slot, which
    `scrub_shapes` hides."""
    if secret in written:
        return True
    if "%" not in written:
        return False
    from urllib.parse import unquote

    return secret in unquote(written) and secret not in unquote(scrub_shapes(written))
