"""A PostgreSQL connection URI parser that reads URIs the way libpq does.

`urllib.parse` disagrees with libpq on exactly the inputs that matter for a linter
(raw `@` or `#` in passwords, several hosts, percent-encoded socket paths, `+` in
parameters, `POSTGRES://`), so this follows libpq's `conninfo_uri_parse_options`
step by step (postgres/postgres `src/interfaces/libpq/fe-connect.c`):

* the scheme is `postgresql://` or `postgres://`, case-sensitive (`ecto://`, which
  Supavisor's Compose file uses, is read with the same grammar);
* credentials are present only when an `@` comes before the first `/`, and they end at
  that *first* `@`; the user ends at the first `:`;
* hosts are `host[:port]` items separated by `,`; `[...]` holds an IPv6 address;
* the database runs from `/` to `?`; parameters are `&`-separated `key=value` pairs,
  percent-decoded, `+` kept; a `host`, `port`, `user`, `password` or `dbname` parameter
  overrides the URI part.

Unlike libpq this never fails: what libpq would reject is listed in `DSN.errors` and
parsing goes on. `${VAR}` references (Compose and dotenv interpolation, resolved before
any client sees the string) are masked while parsing so that a `:` or `/` inside
`${VAR:-default}` cannot split the URI, then put back verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import List, Optional, Tuple

SCHEMES = ("postgresql://", "postgres://", "ecto://")

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BARE_REF = re.compile(r"^\$[A-Za-z_][A-Za-z0-9_]*$")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")
# Private-use code points frame a masked reference; none of them is a URI delimiter.
_OPEN, _CLOSE = "\ue000", "\ue001"
_MASKED = re.compile(_OPEN + r"(\d+)" + _CLOSE)
_HEX = "0123456789abcdefABCDEF"


@dataclass(frozen=True)
class Reference:
    """One `${NAME}` / `${NAME:-default}` (or a whole-value `$NAME`) inside a string."""

    start: int
    end: int
    name: str
    operator: str = ""  # "", ":-", "-", ":?", "?", ":+", "+"
    default: Optional[str] = None  # the text after the operator, as written


def port_number(text: str) -> Optional[int]:
    """A TCP port written as 1 to 5 ASCII digits, or None.

    `str.isdigit()` also accepts `²` and other Unicode digits, which `int()` then refuses,
    and `int()` of thousands of digits hits Python's integer-string limit: neither may
    crash a scan.
    """
    if not text or len(text) > 5 or not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if number <= 65535 else None


def find_references(text: str) -> Tuple[Reference, ...]:
    """Top-level `${...}` references in `text`, in order; `$$` is a literal dollar.

    Nesting inside a default (`${A:-${B}}`) is matched so the outer reference ends at the
    right brace. An unterminated `${` is not a reference.
    """
    found: List[Reference] = []
    i, n = 0, len(text)
    while i < n:
        i = text.find("$", i)  # jump to the next "$" instead of stepping a character at a time
        if i < 0:
            break
        if text.startswith("$$", i):
            i += 2
            continue
        if not text.startswith("${", i):
            i += 1
            continue
        m = _NAME.match(text, i + 2)
        if m is None:
            i += 2
            continue
        j = m.end()
        operator = ""
        if j < n and text[j] != "}":
            operator = next((op for op in _OPERATORS if text.startswith(op, j)), "")
            if not operator:
                i = j
                continue
        start_default = j + len(operator)
        depth, k = 1, start_default
        while k < n:
            if text.startswith("${", k):
                depth += 1
                k += 2
                continue
            if text[k] == "}":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        if depth:
            break  # unterminated: the rest is literal text
        default = text[start_default:k] if operator else None
        found.append(Reference(i, k + 1, m.group(0), operator, default))
        i = k + 1
    return tuple(found)


@lru_cache(maxsize=1 << 14)
def whole_reference(text: str) -> Optional[Reference]:
    """The reference that makes up all of `text` (`${VAR}`, `${VAR:-x}` or `$VAR`), if any.

    Memoised, as `parse_lenient` is: the rules ask it of the same few thousand values about
    70,000 times in a check of 100k files."""
    if _BARE_REF.match(text):
        return Reference(0, len(text), text[1:])
    refs = find_references(text)
    if len(refs) == 1 and refs[0].start == 0 and refs[0].end == len(text):
        return refs[0]
    return None


def has_reference(text: Optional[str]) -> bool:
    """Whether `text` contains a `${...}` reference or is a bare `$VAR`."""
    if not text:
        return False
    return bool(_BARE_REF.match(text)) or bool(find_references(text))


@dataclass(frozen=True)
class DSN:
    """A parsed connection URI. Parts are percent-decoded; absent parts are None or ()."""

    scheme: str  # "postgresql", "postgres" or "ecto"
    user: Optional[str] = None
    password: Optional[str] = field(default=None, repr=False)
    hosts: Tuple[str, ...] = ()  # after a `host` parameter override; "" is the default host
    ports: Tuple[str, ...] = ()  # as written, one per host (or one for all); "" is default
    database: Optional[str] = None
    params: Tuple[Tuple[str, str], ...] = ()  # every query parameter, in order
    references: Tuple[str, ...] = ()  # names of ${VAR} references anywhere in the URI
    errors: Tuple[str, ...] = ()  # what libpq would reject

    def param(self, name: str) -> Optional[str]:
        """The last value of a query parameter (libpq keeps the last one)."""
        value = None
        for key, val in self.params:
            if key == name:
                value = val
        return value

    @property
    def host(self) -> Optional[str]:
        """The first host, or None when the URI names none (libpq's default applies)."""
        return self.hosts[0] if self.hosts and self.hosts[0] else None

    @property
    def port(self) -> Optional[int]:
        """The first port as a number; None when absent or not a number."""
        if not self.ports:
            return None
        return port_number(self.ports[0])

    @property
    def schema(self) -> Optional[str]:
        """Prisma's `?schema=` parameter (libpq itself rejects it)."""
        return self.param("schema")


def _mask(text: str) -> Tuple[str, List[str]]:
    """Replace each top-level `${...}` by a placeholder token; return the originals."""
    refs = find_references(text)
    if not refs:
        return text, []
    out: List[str] = []
    originals: List[str] = []
    last = 0
    for ref in refs:
        out.append(text[last : ref.start])
        out.append(f"{_OPEN}{len(originals)}{_CLOSE}")
        originals.append(text[ref.start : ref.end])
        last = ref.end
    out.append(text[last:])
    return "".join(out), originals


def _unmask(text: str, originals: List[str]) -> str:
    if not originals or _OPEN not in text:
        return text
    return _MASKED.sub(lambda m: originals[int(m.group(1))] if int(m.group(1)) < len(originals) else m.group(0), text)


def _decode(text: str, what: str, errors: List[str]) -> str:
    """libpq's `conninfo_uri_decode`: `%XX` only, `+` kept, `%00` forbidden.

    On a bad escape libpq gives up; here the part is kept as written and the error noted.
    """
    if "%" not in text:
        return text
    out = bytearray()
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "%":
            pair = text[i + 1 : i + 3]
            if len(pair) < 2 or pair[0] not in _HEX or pair[1] not in _HEX:
                errors.append(f"invalid percent-encoded token in the {what}")
                return text
            if pair == "00":
                errors.append(f"forbidden value %00 in the {what}")
                return text
            out.append(int(pair, 16))
            i += 3
        else:
            out.extend(c.encode("utf-8", "surrogatepass"))
            i += 1
    return out.decode("utf-8", "replace")


def _parse_params(text: str, errors: List[str]) -> List[Tuple[str, str]]:
    params: List[Tuple[str, str]] = []
    if not text:
        return params
    pieces = text.split("&")
    for index, piece in enumerate(pieces):
        if piece == "" and index == len(pieces) - 1:
            break  # a trailing "&" is fine
        if "=" not in piece:
            errors.append(f"missing key/value separator '=' in query parameter {piece!r}")
            key, value = piece, ""
        else:
            key, value = piece.split("=", 1)
            if "=" in value:
                errors.append(f"extra key/value separator '=' in query parameter {key!r}")
        params.append((_decode(key, "query parameter name", errors), _decode(value, f"value of {key!r}", errors)))
    return params


_LENIENT_SCHEME = re.compile(r"^(?:jdbc:)?([A-Za-z]+)(?:\+[A-Za-z0-9_]+)?://")


@lru_cache(maxsize=1 << 14)
def parse_lenient(text: str) -> Optional[DSN]:
    """A PostgreSQL URI as applications write it, not only as libpq reads it: an upper-case
    scheme (Node and Prisma lower-case it), a driver (`postgresql+asyncpg://`) or `jdbc:`.
    Memoised like `whole_reference` (about 59,000 calls for 3,600 values at 100k files)."""
    stripped = text.strip()
    m = _LENIENT_SCHEME.match(stripped)
    if m is None or m.group(1).lower() + "://" not in SCHEMES:
        return None
    return parse(m.group(1).lower() + "://" + stripped[m.end():])


def parse(value: object) -> Optional[DSN]:
    """Parse a PostgreSQL URI; None when `value` is not one. Never raises."""
    if not isinstance(value, str):
        return None
    return _parse_once(value)


@lru_cache(maxsize=1 << 14)
def _parse_once(value: str) -> Optional[DSN]:
    """`parse`, memoized: the workspace and several checks each parse the same values, and
    a `DSN` is immutable. Bounded, so memory stays flat on a huge monorepo."""
    try:
        return _parse(value)
    except Exception:  # pragma: no cover - a bug here must not stop a lint run
        return None


def _misplaced_credentials(s: str, slash: int, errors: List[str]) -> int:
    """Where the credentials end when a password holds a raw `/` (`u:pa/ss@host/db`).

    libpq ends the authority at that `/`: it would read `u` as the host, `pa` as the port
    and `ss@host/db` as the database, so the tail of the password would be shown as a
    database name. When a `user:` comes before the `/` and an `@` after it (before the
    query), the URI is read as its author meant it, and the mistake is listed in `errors`.
    Otherwise the `/` stays where the authority ends.
    """
    colon = s.find(":", 0, slash)
    query = s.find("?", slash)
    at = s.find("@", slash, query if query >= 0 else len(s))
    if colon < 0 or at < 0 or s[colon + 1 : slash].isdigit():
        return slash  # no `user:` before it, or `host:port/db@x`: a database name with an @
    errors.append("the password holds a raw '/', where libpq ends the host; percent-encode it as %2F")
    return at


def _last_at(s: str, at: int, errors: List[str]) -> int:
    """Where the credentials end when they hold a raw `@` (`u:p@ss@host/db`).

    libpq ends them at the first `@` and would read `ss@host` as the host, showing the
    password's tail as a host name; the author meant the last `@` before the host's end.
    """
    ends = [i for i in (s.find("/", at), s.find("?", at)) if i >= 0]
    last = s.rfind("@", at + 1, min(ends) if ends else len(s))
    if last < 0:
        return at
    errors.append("the credentials hold a raw '@', where libpq ends them; percent-encode it as %40")
    return last


def password_span(value: str) -> Optional[Tuple[int, int]]:
    """Offsets in `value` of the password of a URI's `user:password@` part, as written
    (percent-encoding kept), read as `parse_lenient` reads it; None when there is none or a
    `${...}` reference comes before the credentials end (its text is not the password's).
    A fix replaces exactly this text (`relocate.py`)."""
    lead = len(value) - len(value.lstrip())
    m = _LENIENT_SCHEME.match(value[lead:])
    if m is None or m.group(1).lower() + "://" not in SCHEMES:
        return None
    offset = lead + m.end()
    s, originals = _mask(value[offset:])
    at = next((i for i, ch in enumerate(s) if ch in "@/"), -1)
    if at >= 0 and s[at] == "/":
        at = _misplaced_credentials(s, at, [])
    elif at >= 0:
        at = _last_at(s, at, [])
    if at < 0 or s[at] != "@":
        return None
    refs = find_references(value[offset:])
    if refs and refs[0].start < at:
        return None
    colon = s.find(":", 0, at)
    if colon < 0 or colon + 1 == at:
        return None
    return offset + colon + 1, offset + at


def _parse(value: str) -> Optional[DSN]:
    prefix = next((s for s in SCHEMES if value.startswith(s)), None)
    if prefix is None:
        return None
    errors: List[str] = []
    s, originals = _mask(value[len(prefix) :])
    n = len(s)

    # Credentials: only when an "@" comes before any "/"; they end at that first "@".
    user = password = None
    pos = 0
    at = next((i for i, ch in enumerate(s) if ch in "@/"), -1)
    if at >= 0 and s[at] == "/":
        at = _misplaced_credentials(s, at, errors)
    elif at >= 0:
        at = _last_at(s, at, errors)
    if at >= 0 and s[at] == "@":
        cred = s[:at]
        colon = cred.find(":")
        user_raw, pw_raw = (cred, None) if colon < 0 else (cred[:colon], cred[colon + 1 :])
        if user_raw:
            user = _decode(user_raw, "user name", errors)
        if pw_raw:
            password = _decode(pw_raw, "password", errors)
        pos = at + 1

    # Hosts: host[:port] items separated by ","; "[...]" holds an IPv6 address.
    hosts: List[str] = []
    ports: List[str] = []
    prev = ""
    while True:
        if pos < n and s[pos] == "[":
            close = s.find("]", pos + 1)
            if close < 0:
                errors.append("end of string reached when looking for matching ']' in IPv6 host address")
                host = s[pos + 1 :]
                pos = n
            else:
                host = s[pos + 1 : close]
                if not host:
                    errors.append("IPv6 host address may not be empty")
                pos = close + 1
                if pos < n and s[pos] not in ":/?,":
                    errors.append(f"unexpected character {s[pos]!r} after an IPv6 host address")
                    while pos < n and s[pos] not in ":/?,":
                        pos += 1
        else:
            start = pos
            while pos < n and s[pos] not in ":/?,":
                pos += 1
            host = s[start:pos]
        prev = s[pos] if pos < n else ""
        port = ""
        if prev == ":":
            pos += 1
            start = pos
            while pos < n and s[pos] not in "/?,":
                pos += 1
            port = s[start:pos]
            prev = s[pos] if pos < n else ""
        hosts.append(_decode(host, "host", errors))
        ports.append(_decode(port, "port", errors))
        if prev != ",":
            break
        pos += 1

    database = None
    if prev and prev != "?":  # "/"
        pos += 1
        query = s.find("?", pos)
        end = query if query >= 0 else n
        if end > pos:
            database = _decode(s[pos:end], "database name", errors)
        pos = end
        prev = "?" if query >= 0 else ""
    params = _parse_params(s[pos + 1 :], errors) if prev == "?" else []

    # Query parameters override the URI's parts (libpq stores them last).
    host_list: Tuple[str, ...] = tuple(hosts) if any(hosts) or len(hosts) > 1 else ()
    port_list: Tuple[str, ...] = tuple(ports) if any(ports) else ()
    for key, val in params:
        if key == "host":
            host_list = tuple(val.split(","))
        elif key == "port":
            port_list = tuple(val.split(","))
        elif key == "user":
            user = val
        elif key == "password":
            password = val
        elif key == "dbname":
            database = val

    def back(text: Optional[str]) -> Optional[str]:
        return None if text is None else _unmask(text, originals)

    host_list = tuple(_unmask(h, originals) for h in host_list)
    port_list = tuple(_unmask(p, originals) for p in port_list)
    for p in port_list:
        if p and port_number(p) is None and not has_reference(p):
            errors.append(f"invalid port number {p!r}")
    if port_list and len(port_list) not in (1, len(host_list) or 1):
        errors.append(f"could not match {len(port_list)} port numbers to {len(host_list)} hosts")
    params_out = tuple((_unmask(k, originals), _unmask(v, originals)) for k, v in params)
    names: List[str] = []
    for original in originals:
        ref = whole_reference(original)
        if ref is not None:
            names.append(ref.name)
    for part in (user, password, database) + host_list + port_list:
        if part and _BARE_REF.match(part):
            names.append(part[1:])
    return DSN(
        scheme=prefix[:-3],
        user=back(user),
        password=back(password),
        hosts=host_list,
        ports=port_list,
        database=back(database),
        params=params_out,
        references=tuple(dict.fromkeys(names)),
        errors=tuple(errors),
    )
