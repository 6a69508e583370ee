"""Credentials: secrets written into files that git tracks, or exposed to the browser.

Every rule but CRD003 and CRD006 looks only at files git tracks or would track
(`source.tracked`; every file outside git). `${VAR}` references and placeholders are
never findings. A reference's *default* (`${PW:-s3cret}`) is written in the file, so it is
judged like a literal, except that a well-known local default password as a fallback
(`${POSTGRES_PASSWORD:-postgres}`) is never reported: that line already does what the
rules ask for. Secret values reach messages only through `redact()`.

Literal passwords and secret-named values are judged by reach (`_concerns`): each value of a
file is one concern, an error where it reaches beyond this machine or may be deployed, else
the CRD007 note. `patterns.is_secret_name` says which names hold secrets.
"""

from __future__ import annotations

import base64
import json
import math
import posixpath
import re
import weakref
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache, wraps
from typing import TYPE_CHECKING, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, TypeVar

from tekup_envlint import dsn as _dsn
from tekup_envlint.checks import rule
from tekup_envlint.classify import (
    classify as _classify,
    is_local_endpoint,
    is_placeholder,
    is_placeholder_host,
    is_public_key,
    jwt_claims,
    secret_state,
)
from tekup_envlint.config import Config
from tekup_envlint.models import Fix, Hit, ParsedFile, Setting, SourceFile, Span
from tekup_envlint.patterns import SecretShape, is_database_password_name, is_secret_name, load, secret_shapes
from tekup_envlint.redact import may_hold_shape, without_lookbehind, redact
from tekup_envlint.text import LineIndex
from tekup_envlint.workspace import Workspace, describe

if TYPE_CHECKING:
    from tekup_envlint.relocate import Place

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}={0,2}\.[A-Za-z0-9_-]{8,}={0,2}\.[A-Za-z0-9_-]*")
_SB_SECRET = re.compile(r"sb_secret_[A-Za-z0-9_-]+")
_HOST_PORT = re.compile(r"^(?:\[([^\]]+)\]|([^:\[\]]+)):\d{1,5}$")  # host:port or [v6]:port
_PASSWORD_SUFFIX = re.compile(r"(PASSWORD|PASSWD|PASS|PWD)$")
_MAX_DEPTH = 3
# Names that hold a JWT signing secret (`JWT_SECRET`, `AUTH_JWT_SECRET`, `PGRST_JWT_SECRET`).
_JWT_SECRET_NAME = re.compile(r"JWT_SECRET|JWT_SIGNING_(?:KEY|SECRET)")
_HMAC = {"HS256": "sha256", "HS384": "sha384", "HS512": "sha512"}  # JWT alg -> hashlib name


# --------------------------------------------------------------------------- helpers


@lru_cache(maxsize=1 << 14)
def classify(key: str, value: Optional[str], config: Optional[Config] = None):
    """`classify.classify`, once per distinct setting: a monorepo repeats the same lines in
    file after file, and several rules here classify every setting (the result is immutable)."""
    return _classify(key, value, config)


def entropy(text: str) -> float:
    """Shannon entropy of a string in bits per character (0 for an empty string)."""
    if not text:
        return 0.0
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


def demo_ok(source: SourceFile, config: Config) -> bool:
    """Where a published demo secret is expected: a template or a file of a local environment.

    Elsewhere (production, the default `.env`, a Prisma schema) it may configure a deployed
    stack, which anyone who read the upstream example could then open.
    """
    return source.env == "template" or source.env in config.local_environments


def resolve(value: Optional[str], depth: int = 0) -> Optional[str]:
    """The text a reader gets when no variable is set: a whole `${VAR:-x}` gives `x`.

    None for no value, an empty value or a reference without a default; other text
    (possibly with references inside) is returned stripped.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    ref = _dsn.whole_reference(text)
    if ref is None:
        return text
    if ref.operator in ("-", ":-") and ref.default and depth < _MAX_DEPTH:
        return resolve(ref.default, depth + 1)
    return None


def _is_fallback(value: Optional[str]) -> bool:
    """Whether a value is a `${VAR:-default}` reference (what it gives is only a fallback)."""
    return value is not None and _dsn.whole_reference(value.strip()) is not None


def _literal(text: Optional[str]) -> bool:
    """A value that is usable as written: not empty, no reference, not a placeholder."""
    return text is not None and secret_state(text) == "literal"


def _local_host(host: str) -> bool:
    """This machine, a Compose service name or a Supabase CLI container
    (`classify.is_local_endpoint`), for a host as written: empty is libpq's local socket,
    `${HOST:-x}` is judged by `x`, and any other reference could be anywhere."""
    if not host.strip():
        return True  # libpq's default host is the local socket
    text = resolve(host)
    if text is None or _dsn.has_reference(text):
        return False  # `${DB_HOST}`: could be anywhere
    bare = _HOST_PORT.match(text)
    return is_local_endpoint((bare.group(1) or bare.group(2)) if bare else text)  # `localhost:3306` too


def _noise(text: str, shape: Optional[SecretShape] = None) -> bool:
    """A match that is no secret: a placeholder, a public value, or too regular to be random."""
    if is_placeholder(text) or secret_shapes().is_public_value(text):
        return True
    if shape is not None and shape.material is not None and not shape.material.search(text):
        return True  # a private-key block whose body is no key material
    return shape is not None and entropy(text) < shape.min_entropy


class _Covered:
    """Text ranges that the setting-level checks read (setting values, Prisma literals)."""

    def __init__(self, parsed: ParsedFile) -> None:
        ranges = [(s.value_span.start, s.value_span.end) for s in parsed.settings if s.value_span is not None]
        for ds in parsed.datasources:
            for value in (ds.url, ds.direct_url):
                if value is not None and value.literal is not None:
                    ranges.append((value.span.start, value.span.end))
        ranges.sort()
        self._starts = [lo for lo, _ in ranges]
        self._reach: List[int] = []  # the furthest end among ranges starting at or before each
        furthest = -1
        for _, hi in ranges:
            furthest = max(furthest, hi)
            self._reach.append(furthest)

    def __contains__(self, offset: int) -> bool:
        i = bisect_right(self._starts, offset) - 1
        return i >= 0 and offset < self._reach[i]


def _raw_matches(parsed: ParsedFile, pattern: "re.Pattern[str]") -> Iterator[Tuple["re.Match[str]", Span]]:
    """Matches in a file's raw text outside every setting value (comments, unread YAML, ...)."""
    if not parsed.text:
        return
    # A pattern starting with a lookbehind is tried at every position; its probe (the same
    # pattern without the lookbehind) jumps to the literal prefix. No match can start
    # before the probe's first match, so the scan starts there.
    first = (without_lookbehind(pattern) or pattern).search(parsed.text)
    if first is None or not pattern.search(parsed.text, first.start()):
        return
    covered = _Covered(parsed)
    lines = LineIndex(parsed.text)
    for m in pattern.finditer(parsed.text, first.start()):
        if m.start() not in covered:
            yield m, lines.span(m.start(), m.end())


def _tracked(ws: Workspace) -> Iterator[ParsedFile]:
    for parsed in ws.files:
        if parsed.source.tracked and parsed.source.skip is None:
            yield parsed


def _span(setting: Setting) -> Span:
    return setting.value_span or setting.key_span


def _where(key: str, text: str, uri: _dsn.DSN, config: Config) -> str:
    """A secret-free description of where a URI points."""
    target = classify(key, text, config)
    if target is not None and target.source == "dsn":
        return describe(target)
    return ",".join(h for h in uri.hosts if h) or "the default host"


# --------------------------------------------------------------------------- DSN passwords


@dataclass(frozen=True)
class _DsnPassword:
    parsed: ParsedFile
    key: str
    span: Span
    password: str
    where: str
    local: bool  # every host is this machine or a Compose service
    default: bool  # a well-known local default password


def _dsn_password(parsed: ParsedFile, key: str, value: Optional[str], span: Span, config: Config) -> Optional[_DsnPassword]:
    if value is None or "://" not in value:
        return None  # no URI (what `resolve` gives is a part of the value)
    text = resolve(value)
    if text is None:
        return None
    uri = _dsn.parse_lenient(text)
    if uri is None or not uri.password:
        return None
    if any(h and is_placeholder_host(h) for h in uri.hosts):
        return None  # `postgres://user:password@host:port/db`: a template's slot, not a server
    if f"{uri.user or ''}:{uri.password}".lower() in load().credential_pairs:
        return None  # `postgresql://username:password@db.internal/app`: two slots, not a login
    password = uri.password
    if _dsn.whole_reference(password) is not None:
        fallback = resolve(password)
        if fallback is None or fallback in secret_shapes().local_default_passwords:
            return None  # `${PW}`, or a well-known default as the fallback
        password = fallback
    if not _literal(password):
        return None
    local = all(_local_host(h) for h in uri.hosts) if uri.hosts else True
    default = password in secret_shapes().local_default_passwords
    if default and _is_fallback(value):
        return None  # `${DATABASE_URL:-postgresql://postgres:postgres@localhost/db}`
    return _DsnPassword(parsed, key, span, password, _where(key, text, uri, config), local, default)


def _local_file(source: SourceFile, config: Config, default: bool) -> bool:
    """Whether a file configures only a developer's machine or a CI container: a template
    (copied before use) or a file named for a local environment (`.env.test`,
    `docker-compose.dev.yml`). A Compose file whose name names no environment
    (`docker-compose.yml`) may be what a server runs: there only a well-known default
    password counts as local, as it cannot have been chosen for a server."""
    if source.env == "template":
        return True
    if source.env not in config.local_environments:
        return False
    return default or source.env != "compose"


@dataclass(frozen=True)
class _Credential:
    """A literal password or secret written in a tracked file, and how far it reaches."""

    parsed: ParsedFile
    key: str
    span: Span
    secret: str
    code: str  # the rule that reports it when it reaches beyond this machine
    local: bool  # opens only a database on this machine or in a local or test container
    default: bool  # a well-known local default password
    hosts_local: bool  # every host it is for is this machine or a Compose service
    where: str = ""  # for a connection string: a secret-free description of its target
    service: str = ""  # the Compose service that sets it
    value: Optional[str] = None  # the value as written (a `${VAR:-fallback}` for the message)

    def hit(self, message: str, others: Tuple["_Credential", ...], fix: Optional[Fix] = None) -> Hit:
        source = self.parsed.source
        message += _also(self.span, (o.span for o in others))
        return Hit(source.path, self.span, source.app, self.key, message, value=self.secret, fix=fix)


# --------------------------------------------------------------------------- fixes


def _setting_at(parsed: ParsedFile, span: Span) -> Optional[Setting]:
    """The setting whose value is written at `span` (None for a Prisma datasource literal)."""
    return next((s for s in parsed.settings if s.value_span == span), None)


def _move_fix(ws: Workspace, parsed: ParsedFile, places: List[Place], what: str) -> Optional[Fix]:
    """The unsafe fix that moves one secret out of a tracked file (`relocate.move_secret`):
    None when the value cannot be kept safely (the rule's docs list when)."""
    from tekup_envlint import relocate

    try:
        edits, note = relocate.move_secret(ws, parsed, places, what)
    except relocate.Refused:
        return None
    return Fix(f"Move {what} out of {parsed.source.path} into a gitignored file", edits, "unsafe", (note,))


def _concern_fix(ws: Workspace, found: _Credential, others: Tuple[_Credential, ...]) -> Optional[Fix]:
    """The fix of one credential concern: every place of the value in the file moves at once,
    so that `check` afterwards finds none of them."""
    from tekup_envlint import relocate, strategy  # only for a secret to move: a plain run skips them

    places = []
    for c in (found,) + others:
        setting = _setting_at(c.parsed, c.span)
        if setting is None:
            return None  # a Prisma `url = "..."` literal: env("...") needs a person
        password = c.code == "CRD001"
        name = strategy.password_variable(ws, c.parsed, setting) if password else None
        places.append(relocate.Place(setting, password=password, name=name))
    what = f"the password of {found.key.strip()}" if found.code == "CRD001" else f"the value of {found.key.strip()}"
    return _move_fix(ws, found.parsed, places, what)


def _setting_fix(ws: Workspace, parsed: ParsedFile, settings: Iterable[Setting], key: str) -> Optional[Fix]:
    """The fix of a whole secret written at one or more settings of a file."""
    from tekup_envlint import relocate

    return _move_fix(ws, parsed, [relocate.Place(s) for s in settings], f"the value of {key.strip()}")


# What `_setting_fix` moves for a hit: the file, the settings that hold the value, the key.
_Move = Tuple[ParsedFile, List[Setting], str]


def _with_fixes(ws: Workspace, found: List[Tuple[Hit, Optional[_Move]]]) -> Iterator[Hit]:
    """The hits of a rule, each with the fix of its move (CRD006 shares the hits, not the fixes)."""
    for hit, move in found:
        yield hit if move is None else replace(hit, fix=_setting_fix(ws, *move))


def _also(here: Span, others: Iterable[Span]) -> str:
    """` (the same value is also written on lines 7, 12)`: the other places of one concern."""
    lines = sorted({span.line for span in others} - {here.line})
    if not lines:
        return ""
    return f" (the same value is also written on line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))})"


def _credentials(ws: Workspace) -> Iterator[_Credential]:
    """Every literal password and secret-named value of the tracked files, with its reach."""
    for found in _dsn_passwords(ws):
        local = found.local and _local_file(found.parsed.source, ws.config, found.default)
        yield _Credential(found.parsed, found.key, found.span, found.password, "CRD001", local,
                          found.default, found.local, found.where)
    for cp in _compose_passwords(ws):
        local = cp.local and _local_file(cp.parsed.source, ws.config, cp.default)
        yield _Credential(cp.parsed, cp.setting.key, _span(cp.setting), cp.password, "CRD005", local,
                          cp.default, cp.local, "", cp.setting.service, cp.setting.value)
    yield from _named_secrets(ws)


_T = TypeVar("_T")


def _per_workspace(build: Callable[[Workspace], _T]) -> Callable[[Workspace], _T]:
    """`build` once per workspace for the rules that share its result: the last
    workspace's result is kept, the workspace held by a weak reference so that a finished
    run can be freed."""
    last: List[Tuple["weakref.ref[Workspace]", _T]] = []

    @wraps(build)
    def cached(ws: Workspace) -> _T:
        if last and last[0][0]() is ws:
            return last[0][1]
        result = build(ws)
        last[:] = [(weakref.ref(ws), result)]
        return result

    return cached


@_per_workspace
def _concerns(ws: Workspace) -> List[Tuple[_Credential, Tuple[_Credential, ...]]]:
    """Each secret value of a file once: (where to report it, its other places in the file).

    One value is one concern, reported at its widest reach: a password that a local
    container and a cloud connection string of one file share is one error at the
    connection string, not a note on one line and an error two lines below. Built once per
    workspace for the rules that share it (CRD001, CRD005, CRD007, CRD008, CRD006).
    """
    groups: Dict[Tuple[str, str], List[_Credential]] = {}
    for found in _credentials(ws):
        groups.setdefault((found.parsed.source.path, found.secret), []).append(found)
    result: List[Tuple[_Credential, Tuple[_Credential, ...]]] = []
    for members in groups.values():
        members.sort(key=lambda c: c.span.start)
        wide = [c for c in members if not c.local]
        first = wide[0] if wide else members[0]
        result.append((first, tuple(c for c in members if c is not first)))
    return result


def _dsn_passwords(ws: Workspace) -> Iterator[_DsnPassword]:
    for parsed in _tracked(ws):
        for setting in parsed.settings:
            found = _dsn_password(parsed, setting.key, setting.value, _span(setting), ws.config)
            if found is not None:
                yield found
        for ds in parsed.datasources:
            for name, value in (("url", ds.url), ("directUrl", ds.direct_url)):
                if value is not None and value.literal is not None:
                    found = _dsn_password(parsed, name, value.literal, value.span, ws.config)
                    if found is not None:
                        yield found


@rule("CRD001")
def dsn_literal_password(ws: Workspace) -> Iterator[Hit]:
    for found, others in _concerns(ws):
        if found.code != "CRD001" or found.local:
            continue
        if found.default and found.hosts_local:
            detail = (
                f"the well-known local default password {redact(found.secret)} for {found.where}, "
                f"in a tracked file that is neither a template nor a file of a local environment"
            )
        else:
            detail = f"a literal password {redact(found.secret)} for {found.where}"
        yield found.hit(
            f"{found.key} holds a PostgreSQL connection string with {detail}; write the password as "
            f"a ${{VAR}} reference and keep its value in an untracked file or a secret store",
            others,
            _concern_fix(ws, found, others),
        )


# --------------------------------------------------------------------------- Supabase keys


def _service_role_setting(setting: Setting, config: Config) -> Optional[Tuple[str, bool]]:
    """(what, demo) when a setting holds a Supabase service_role JWT or sb_secret_ key."""
    if setting.value is None or not setting.value.strip():
        return None
    target = classify(setting.key, setting.value, config)
    if target is None or target.source != "supabase-key" or target.secret_state != "literal":
        return None
    if target.kind == "placeholder" or target.role not in ("service_role", "secret"):
        return None
    if target.role == "secret":
        return "a Supabase secret key (sb_secret_)", target.kind == "supabase-local"
    return "a Supabase service_role key", target.jwt_iss in load().demo_jwt_issuers


def _b64(segment: str) -> Optional[bytes]:
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (ValueError, TypeError):
        return None


def signed_with(token: str, secrets: Dict[str, str]) -> Optional[str]:
    """Where the secret that signed an HS256/384/512 JWT is written, if it is one of `secrets`.

    `secrets` maps a signing secret to the place that publishes it (path:line). Only the
    signature is computed; nothing is trusted from the token.
    """
    parts = token.strip().split(".")
    if len(parts) != 3 or not secrets:
        return None
    raw = _b64(parts[0])
    try:
        header = json.loads(raw.decode("utf-8")) if raw else None
    except (ValueError, UnicodeDecodeError, RecursionError):
        header = None
    digest = _HMAC.get(str(header.get("alg"))) if isinstance(header, dict) else None
    signature = _b64(parts[2])
    if digest is None or not signature:
        return None
    import hmac  # only here: it loads OpenSSL, which the pre-commit path does not need

    signing_input = (parts[0] + "." + parts[1]).encode("ascii", "replace")
    for secret, where in secrets.items():
        mac = hmac.new(secret.encode("utf-8"), signing_input, digest).digest()
        if hmac.compare_digest(mac, signature):
            return where
    return None


def committed_jwt_secrets(ws: Workspace) -> Dict[str, str]:
    """JWT signing secrets that the repository publishes: literal values under a JWT secret
    name in tracked files (a `${JWT_SECRET:-default}` default too), and upstream demo values."""
    found: Dict[str, str] = {}
    for parsed in _tracked(ws):
        for setting in parsed.settings:
            if not _JWT_SECRET_NAME.search(setting.key.strip().upper()):
                continue
            text = resolve(setting.value)
            if text is not None and _literal(text):
                found.setdefault(text, f"{parsed.source.path}:{setting.key_span.line}")
    for value in secret_shapes().demo_values:
        found.setdefault(value, "a published upstream example")
    return found


@rule("CRD002")
def service_role_key_committed(ws: Workspace) -> Iterator[Hit]:
    return _with_fixes(ws, _service_role_hits(ws))


@_per_workspace
def _service_role_hits(ws: Workspace) -> List[Tuple[Hit, Optional[_Move]]]:
    """CRD002's hits, those on a setting with what their fix moves (CRD006 reads them too)."""
    pats = load()
    found_hits: List[Tuple[Hit, Optional[_Move]]] = []
    secrets: Optional[Dict[str, str]] = None
    for parsed in _tracked(ws):
        source = parsed.source
        shared = demo_ok(source, ws.config)
        for setting in parsed.settings:
            found = _service_role_setting(setting, ws.config)
            if found is None:
                continue
            what, demo = found
            signer = None
            if not demo and setting.value and setting.value.strip().startswith("eyJ"):
                if secrets is None:
                    secrets = committed_jwt_secrets(ws)
                signer = signed_with(setting.value, secrets)
            if (demo or signer) and shared:
                continue  # a public demo key (`supabase start`, self-hosting, the repo's own test stack)
            if signer:
                message = (
                    f"{setting.key} holds {what} signed with a JWT secret the repository publishes "
                    f"({signer}), in a {source.env} file git tracks; anyone can forge tokens for a stack "
                    f"that runs with it, so give that stack its own secret and keys and read them from an "
                    f"untracked file or a secret store"
                )
            elif demo:
                message = (
                    f"{setting.key} holds the public demo {what[2:]} in a {source.env} file git "
                    f"tracks; anyone can forge tokens for a stack that runs with it, so give that stack its "
                    f"own keys and read them from an untracked file or a secret store"
                )
            else:
                message = (
                    f"{setting.key} holds {what}, which bypasses row-level security, in a file git "
                    f"tracks; rotate it and read it from an untracked file or a secret store"
                )
            same = [s for s in parsed.settings if s.value == setting.value and s.key == setting.key]
            found_hits.append((Hit(source.path, _span(setting), source.app, setting.key, message, value=setting.value),
                               (parsed, same, setting.key)))
        for m, span in _raw_matches(parsed, _JWT):
            claims = jwt_claims(m.group(0))
            if claims is None or claims.get("role") != "service_role":
                continue
            iss = claims.get("iss")
            demo = isinstance(iss, str) and iss in pats.demo_jwt_issuers
            if not demo and shared:
                if secrets is None:
                    secrets = committed_jwt_secrets(ws)
                demo = signed_with(m.group(0), secrets) is not None
            if demo and shared:
                continue
            found_hits.append((Hit(
                source.path, span, source.app, None,
                "a Supabase service_role key appears outside any setting (a comment or text the "
                "linter does not read as a setting) in a file git tracks; remove it and rotate it",
                value=m.group(0),
            ), None))
        for m, span in _raw_matches(parsed, _SB_SECRET):
            demo = m.group(0) in pats.local_keys
            if (demo and shared) or _noise(m.group(0)):
                continue
            found_hits.append((Hit(
                source.path, span, source.app, None,
                f"a Supabase secret key ({redact(m.group(0))}) appears outside any setting (a comment "
                f"or text the linter does not read as a setting) in a file git tracks; remove it and rotate it",
                value=m.group(0),
            ), None))
    return found_hits


# --------------------------------------------------------------------------- public prefixes


def _prefix_of(key: str) -> str:
    upper = key.strip().upper()
    return next((p for p in load().public_prefixes if upper.startswith(p)), "")


def _public_secret(setting: Setting, config: Config) -> Optional[Tuple[str, str]]:
    """(what, value) when a browser-exposed setting holds a secret."""
    text = resolve(setting.value)
    if text is None:
        return None
    found = _service_role_setting(setting, config)
    if found is not None:
        return found[0], text
    uri = _dsn.parse_lenient(text)
    if uri is not None:
        password = resolve(uri.password) if uri.password else None
        if _literal(password):
            return "a database connection string with a password", text
        return None
    if not _literal(text) or secret_shapes().is_public_value(text):
        return None
    name = setting.key.strip().upper()
    for pattern, description in secret_shapes().public_secret_names:
        if pattern.search(name):
            return description, text
    for shape in secret_shapes().self_identifying:
        if shape.name == "supabase-jwt":
            continue  # a JWT is judged by its role above (anon keys are public by design)
        for m in shape.regex.finditer(text):
            if not _noise(m.group(0), shape):
                return shape.description, text
    return None


@rule("CRD003")
def secret_in_public_variable(ws: Workspace) -> Iterator[Hit]:
    for parsed in ws.files:
        if parsed.source.skip is not None:
            continue
        for setting in parsed.settings:
            if not is_public_key(setting.key):
                continue
            found = _public_secret(setting, ws.config)
            if found is None:
                continue
            what, text = found
            prefix = _prefix_of(setting.key)
            yield Hit(
                parsed.source.path,
                _span(setting),
                parsed.source.app,
                setting.key,
                f"{setting.key} holds {what} ({redact(text)}), but the {prefix} prefix inlines it into "
                f"code sent to every browser; rename it without the prefix, use it on the server only, "
                f"and rotate it",
                value=text,
            )


# --------------------------------------------------------------------------- other secret shapes


def _is_compose(parsed: ParsedFile) -> bool:
    return parsed.source.kind == "compose"


def _compose_password_key(key: str) -> bool:
    data = secret_shapes()
    name = key.strip().upper()
    return any(p.search(name) for p in data.compose_password_keys) and not any(
        p.search(name) for p in data.compose_password_key_exclude
    )


def _owned_elsewhere(parsed: ParsedFile, setting: Setting, text: str, config: Config) -> bool:
    """Settings another credentials rule judges: Supabase keys, DSNs, Compose passwords."""
    if _is_compose(parsed) and _compose_password_key(setting.key):
        return True  # CRD005 / CRD007
    if _dsn.parse_lenient(text) is not None:
        return True  # CRD001 / CRD007
    target = classify(setting.key, setting.value, config)
    return target is not None and target.source == "supabase-key"  # CRD002, or public by design


@lru_cache(maxsize=1 << 14)
def _shape_in(key: str, text: str) -> Optional[Tuple[SecretShape, str]]:
    for shape in secret_shapes().shapes:
        if not shape.report or not shape.applies_to(key):
            continue
        for m in shape.regex.finditer(text):
            if not _noise(m.group(0), shape):
                return shape, m.group(0)
    return None


def _is_demo(text: str) -> bool:
    return text in secret_shapes().demo_values


@rule("CRD004")
def known_secret_shape(ws: Workspace) -> Iterator[Hit]:
    return _with_fixes(ws, _shape_hits(ws))


@_per_workspace
def _shape_hits(ws: Workspace) -> List[Tuple[Hit, Optional[_Move]]]:
    """CRD004's hits, those on settings with what their fix moves (CRD006 reads them too)."""
    raw_shapes = [s for s in secret_shapes().self_identifying if s.report]
    found_hits: List[Tuple[Hit, Optional[_Move]]] = []
    for parsed in _tracked(ws):
        source = parsed.source
        shared = demo_ok(source, ws.config)
        places: Dict[str, List[Tuple[Setting, SecretShape]]] = {}  # one token, one concern per file
        for setting in parsed.settings:
            text = resolve(setting.value)
            if text is None or _owned_elsewhere(parsed, setting, text, ws.config):
                continue
            found = _shape_in(setting.key, text)
            if found is None:
                continue
            shape, secret = found
            if _is_demo(secret) and shared:
                continue
            places.setdefault(secret, []).append((setting, shape))
        for secret, ((setting, shape), *others) in places.items():
            note = " (a value published in an upstream example)" if _is_demo(secret) else ""
            also = _also(_span(setting), (_span(o) for o, _ in others))
            found_hits.append((Hit(
                source.path,
                _span(setting),
                source.app,
                setting.key,
                f"{setting.key} holds {shape.description} ({redact(secret)}){note} in a file git tracks; "
                f"rotate it and read it from an untracked file or a secret store{also}",
                value=secret,
            ), (parsed, [setting] + [o for o, _ in others], setting.key)))
        for shape in raw_shapes if parsed.text and may_hold_shape(parsed.text) else ():
            for m, span in _raw_matches(parsed, shape.regex):
                secret = m.group(0)
                if _noise(secret, shape) or (_is_demo(secret) and shared):
                    continue
                found_hits.append((Hit(
                    source.path, span, source.app, None,
                    f"{shape.description} ({redact(secret)}) appears outside any setting (a comment or "
                    f"text the linter does not read as a setting) in a file git tracks; remove it and rotate it",
                    value=secret,
                ), None))
    return found_hits


# --------------------------------------------------------------------------- Compose passwords


@dataclass(frozen=True)
class _ComposePassword:
    parsed: ParsedFile
    setting: Setting
    password: str
    local: bool
    default: bool


def _group_host(env: Dict[str, Setting], key: str) -> Optional[Setting]:
    """The HOST setting of a password's group: PGPASSWORD -> PGHOST, DB_PASSWORD -> DB_HOST."""
    m = _PASSWORD_SUFFIX.search(key)
    if m is None:
        return None
    prefix = key[: m.start()]
    for suffix in ("HOST", "HOSTNAME"):
        if prefix + suffix in env:
            return env[prefix + suffix]
    return None


def _compose_passwords(ws: Workspace) -> Iterator[_ComposePassword]:
    data = secret_shapes()
    for parsed in _tracked(ws):
        if not _is_compose(parsed):
            continue
        seen = set()  # a setting merged into several services (`<<: *env`) is one finding
        for service in parsed.services:
            env = {s.key.strip().upper(): s for s in service.environment}
            for setting in service.environment:
                if not _compose_password_key(setting.key) or (_span(setting).start, setting.key) in seen:
                    continue
                seen.add((_span(setting).start, setting.key))
                text = resolve(setting.value)
                if text is None or not _literal(text) or text.lower() in data.flag_values:
                    continue
                if data.is_public_value(text):
                    continue  # `/run/secrets/db-password`: where the secret is, not the secret
                default = text in data.local_default_passwords
                if default and _is_fallback(setting.value):
                    continue  # `${POSTGRES_PASSWORD:-postgres}`
                host = _group_host(env, setting.key.strip().upper())
                local = host is None or host.value is None or _local_host(host.value)
                yield _ComposePassword(parsed, setting, text, local, default)


@rule("CRD005")
def compose_literal_password(ws: Workspace) -> Iterator[Hit]:
    for found, others in _concerns(ws):
        if found.code != "CRD005" or found.local:
            continue
        kind = "the well-known default password" if found.default else "a literal password"
        name = found.key.strip()
        ref = _dsn.whole_reference((found.value or "").strip())
        if ref is not None:
            # `${CLICKHOUSE_PASSWORD:-clickhouse}`: the reference is there, its fallback ships
            message = (
                f"service {found.service} sets {name} to ${{{ref.name}}} with {kind} "
                f"{redact(found.secret)} as its fallback, which ships in a Compose file git tracks "
                f"and runs whenever {ref.name} is unset; drop the fallback (${{{ref.name}:?set {ref.name}}}) "
                f"and set {ref.name} in an untracked .env"
            )
        else:
            message = (
                f"service {found.service} sets {name} to {kind} {redact(found.secret)} in a Compose "
                f"file git tracks; use ${{{name}}} (set in an untracked .env) or a {name}_FILE secret"
            )
        yield found.hit(message, others, _concern_fix(ws, found, others))


# --------------------------------------------------------------------------- secret-named keys


def _path_like(text: str) -> bool:
    """A file path or URL where the secret is kept (`./keys/jwt.pem`), not the secret."""
    return bool(_PATH_VALUE.match(text))


_PATH_VALUE = re.compile(r"^(?:\.{0,2}/|~/|[A-Za-z]:\\|[a-z][a-z0-9+.-]*://)[^\s]*$|^[\w./-]+\.(?:pem|key|crt|cer|p12|pfx|json|txt|jks)$")


def _hollow(text: str) -> bool:
    """A value shaped like a secret that holds none: a private-key block with no key material."""
    for shape in secret_shapes().shapes:
        if shape.material is not None:
            for m in shape.regex.finditer(text):
                if not shape.material.search(m.group(0)):
                    return True
    return False


def _named_secrets(ws: Workspace) -> Iterator[_Credential]:
    """Literal values under secret names (`JWT_SECRET`, `ENCRYPTION_SALT`, `PGPASSWORD`) that no
    other rule owns: not a connection string, Compose password, Supabase key or known shape."""
    data = secret_shapes()
    for parsed in _tracked(ws):
        source = parsed.source
        groups: Dict[str, Dict[str, Setting]] = {}
        for setting in parsed.settings:
            groups.setdefault(setting.service, {})[setting.key.strip().upper()] = setting
        for setting in parsed.settings:
            key = setting.key.strip()
            if not is_secret_name(key) or is_public_key(key):
                continue
            text = resolve(setting.value)
            if text is None or not _literal(text) or text.lower() in data.flag_values:
                continue
            if data.is_public_value(text) or _path_like(text) or _owned_elsewhere(parsed, setting, text, ws.config):
                continue
            if _shape_in(setting.key, text) is not None or _hollow(text):
                continue  # CRD004, or a private-key block around no key
            default = text in data.local_default_passwords
            if default and _is_fallback(setting.value):
                continue  # `${POSTGRES_PASSWORD:-postgres}`
            if is_database_password_name(key):
                host = _group_host(groups[setting.service], key.upper())
                hosts_local = host is None or host.value is None or _local_host(host.value)
                local = hosts_local and _local_file(source, ws.config, default)
            elif demo_ok(source, ws.config):
                continue  # a template's or a test file's own value: CRD004 judges its shape
            else:
                hosts_local, local = False, False
            yield _Credential(parsed, setting.key, _span(setting), text, "CRD008", local, default,
                              hosts_local, "", setting.service, setting.value)


@rule("CRD008")
def secret_named_key(ws: Workspace) -> Iterator[Hit]:
    for found, others in _concerns(ws):
        if found.code != "CRD008" or found.local:
            continue
        source = found.parsed.source
        what = "a literal password" if _PASSWORD_SUFFIX.search(found.key.strip().upper()) else "a literal secret"
        holder = f"service {found.service} sets {found.key.strip()} to" if found.service else f"{found.key.strip()} holds"
        yield found.hit(
            f"{holder} {what} ({redact(found.secret)}) in a {source.env} file git tracks; the name says "
            f"it is secret, so whatever its length anyone who reads the repository can use it: rotate "
            f"it and read it from an untracked file or a secret store",
            others,
            _concern_fix(ws, found, others),
        )


# --------------------------------------------------------------------------- local only


@rule("CRD007")
def local_only_password(ws: Workspace) -> Iterator[Hit]:
    for found, others in _concerns(ws):
        if not found.local:
            continue
        kind = "the well-known default password" if found.default else "a literal password"
        name = found.key.strip()
        if found.code == "CRD001":
            message = (
                f"{name} holds {kind} {redact(found.secret)} for {found.where}, a database that runs "
                f"only on this machine or in a local or test container; no leak, but write it as a "
                f"${{VAR}} reference so that a copy pointed at a shared database cannot keep it"
            )
        elif found.service:
            message = (
                f"service {found.service} sets {name} to {kind} {redact(found.secret)} in a Compose "
                f"file for local development or tests; no leak, but prefer ${{{name}}} set from an "
                f"untracked .env so that the same file cannot carry it to a shared server"
            )
        else:
            message = (
                f"{name} holds {kind} {redact(found.secret)} for a database that runs only on this "
                f"machine or in a local or test container; no leak, but keep real values out of "
                f"tracked files"
            )
        yield found.hit(message, others)


# --------------------------------------------------------------------------- tracked env files


def _secrets_by_path(ws: Workspace) -> Dict[str, List[Tuple[int, str]]]:
    """(line, key) of every secret an error-level credential rule finds, by file: literal
    passwords and secret-named values that reach beyond this machine, Supabase secret keys
    and known token shapes. A key of None (a token in a comment) is named "a comment"."""
    found: Dict[str, List[Tuple[int, str]]] = {}
    for first, others in _concerns(ws):
        if not first.local:
            for c in (first,) + others:
                found.setdefault(c.parsed.source.path, []).append((c.span.line, c.key.strip()))
    for check in (_service_role_hits, _shape_hits):
        for hit, _ in check(ws):
            found.setdefault(hit.path, []).append((hit.span.line, hit.key.strip() if hit.key else "a comment"))
    return {path: sorted(set(items)) for path, items in found.items()}


@rule("CRD006")
def tracked_env_file(ws: Workspace) -> Iterator[Hit]:
    templates = ws.templates_by_folder()
    secrets: Optional[Dict[str, List[Tuple[int, str]]]] = None
    for parsed in ws.files:
        source = parsed.source
        if source.kind != "dotenv" or source.env == "template" or not source.tracked or not source.in_git:
            continue
        if source.path.rsplit("/", 1)[-1].lower().endswith(".vault"):
            continue  # dotenv-vault's encrypted file is meant to be committed
        if secrets is None:
            secrets = _secrets_by_path(ws)
        held = secrets.get(source.path)
        if not held:
            continue  # only placeholders, public values or local fixtures: a template in all but name
        line, key = held[0]
        more = len({k for _, k in held} - {key})
        also = f" and {more} more" if more else ""
        folder = posixpath.dirname(source.path)
        beside = templates.get(folder)  # the first env template of the folder, in workspace order
        template = beside[0] if beside else (folder + "/" if folder else "") + ".env.example"
        yield Hit(
            source.path,
            Span(0, 0, 1, 1),
            source.app,
            None,
            f"{source.path} is a real env file that git tracks (committed, or not gitignored so the "
            f"next `git add` commits it) and it holds a secret: {key} (line {line}){also}; remove it "
            f"from git, add it to .gitignore, rotate the secret and keep a template such as {template} "
            f"beside it",
            value=source.path,
        )
