"""Consistency: settings in one file that contradict each other or themselves.

A Supabase URL, its keys and its connection strings each name a project; a key's name
says which role it holds; a JWT says when it expires; two names for one value must agree.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from tekup_envlint import dsn as _dsn
from tekup_envlint.catalogue import catalogue
from tekup_envlint.checks import rule
from tekup_envlint.classify import classify, is_placeholder
from tekup_envlint.models import Hit, ParsedFile, Setting
from tekup_envlint.redact import redact
from tekup_envlint.workspace import Connection, Workspace, describe, published_ports

HOSTED = ("supabase", "legacy-vault")
SUPABASE_KINDS = ("supabase", "legacy-vault", "supabase-local")


def now() -> float:
    """The current time as a Unix timestamp; tests monkeypatch this module attribute."""
    return time.time()


def _by_file(ws: Workspace) -> Iterator[Tuple[ParsedFile, List[Connection]]]:
    """Each file with its connections, in file order (the workspace keeps them per app)."""
    for app in ws.apps.values():
        groups: Dict[str, List[Connection]] = {}
        files: Dict[str, ParsedFile] = {}
        for conn in app.connections:
            path = conn.file.source.path
            groups.setdefault(path, []).append(conn)
            files[path] = conn.file
        for path, conns in groups.items():
            yield files[path], sorted(conns, key=lambda c: c.span.start)


def _hit(conn: Connection, message: str, value: Optional[str]) -> Hit:
    return Hit(conn.file.source.path, conn.span, conn.file.source.app, conn.key, message, value=value)


# --------------------------------------------------------------------------- CON001


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (refs are 20 letters, so the quadratic table is tiny)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


# Which setting speaks for a file's project on a tie: the API URL, then a DSN, then a key.
_SOURCE_RANK = {"supabase-url": 0, "dsn": 1, "pg-vars": 1, "supabase-key": 2}


def _ref_origin(conn: Connection) -> str:
    """Where a connection's ref comes from, for messages."""
    target = conn.target
    if target.source == "supabase-url":
        return "URL host"
    if target.source == "supabase-key":
        return "JWT ref claim" if target.jwt_ref == target.project_ref else "JWT issuer"
    if target.host and target.host.lower().startswith("db."):
        return "database host"
    return "pooler user"


def _anchor(conns: Sequence[Connection], configured: Sequence[str]) -> Connection:
    """The setting whose ref the file most likely means.

    A configured project's ref (primary first) wins; otherwise the ref most settings
    name; on a tie the Supabase URL, then a connection string, then a key, in file order.
    """
    counts = Counter(c.target.project_ref for c in conns)

    def rank(c: Connection) -> Tuple[int, int, int, int]:
        ref = c.target.project_ref
        known = configured.index(ref) if ref in configured else len(configured)
        return known, -counts[ref], _SOURCE_RANK.get(c.target.source, 3), c.span.start

    return min(conns, key=rank)


def _typo_note(a: str, b: str) -> str:
    distance = edit_distance(a, b)
    if distance == 1:
        return "; they differ in one letter, which looks like a typo"
    if distance == 2:
        return "; they differ in two letters, which looks like a typo"
    return ""


@rule("CON001")
def project_ref_mismatch(ws: Workspace) -> Iterator[Hit]:
    configured = ws.config.supabase_refs
    for _parsed, conns in _by_file(ws):
        refs = [c for c in conns if c.target.project_ref and c.target.kind in HOSTED]
        if len({c.target.project_ref for c in refs}) < 2:
            continue
        anchor = _anchor(refs, configured)
        want = anchor.target.project_ref or ""
        for conn in refs:
            ref = conn.target.project_ref or ""
            if ref == want:
                continue
            if ref in configured and want in configured:
                continue  # the primary beside a legacy project: HYB002 reports the legacy one
            yield _hit(
                conn,
                f"{conn.key} names Supabase project {ref} ({_ref_origin(conn)}), but "
                f"{anchor.key} ({anchor.where}) names project {want} ({_ref_origin(anchor)})"
                f"{_typo_note(ref, want)}",
                ref,
            )


# --------------------------------------------------------------------------- CON002

PRIVILEGED_ROLES = ("service_role", "secret", "supabase_admin")
PUBLIC_ROLES = ("anon", "publishable")
_PUBLIC_WORDS = ("ANON", "PUBLISHABLE")
_SECRET_WORDS = ("SERVICE_ROLE", "SERVICE_KEY", "SECRET")


def named_role(key: str) -> Optional[str]:
    """"public" or "secret" when a variable name says which kind of key it holds.

    Role words decide first; a bare `PUBLIC` (as in `NEXT_PUBLIC_`) counts only when no
    role word is present, so `NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY` claims a secret key
    (exposing it is a credentials finding, not a mislabel). Names with both kinds of
    role word say nothing.
    """
    k = key.upper()
    public = any(w in k for w in _PUBLIC_WORDS)
    secret = any(w in k for w in _SECRET_WORDS)
    if public and secret:
        return None
    if public:
        return "public"
    if secret:
        return "secret"
    return "public" if "PUBLIC" in k else None


def _role_text(role: str) -> str:
    if role in ("publishable", "secret"):
        return f"an sb_{role}_ key"
    return f"a {role} JWT"


@rule("CON002")
def key_role_mismatch(ws: Workspace) -> Iterator[Hit]:
    for _parsed, conns in _by_file(ws):
        for conn in conns:
            target = conn.target
            if target.source != "supabase-key" or not target.role or target.kind == "placeholder":
                continue
            claimed = named_role(conn.key)
            if claimed == "public" and target.role in PRIVILEGED_ROLES:
                why = "its name says a public (anon or publishable) key; this key bypasses row-level security"
            elif claimed == "secret" and target.role in PUBLIC_ROLES:
                why = "its name says a service-role or secret key; code that needs one gets row-level security instead"
            else:
                continue
            yield _hit(conn, f"{conn.key} holds {_role_text(target.role)}, but {why}", target.role)


# --------------------------------------------------------------------------- CON003


def _date(timestamp: int) -> str:
    try:
        from datetime import datetime, timezone  # only when an expiry is reported

        return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d")
    except (OverflowError, OSError, ValueError):
        return f"timestamp {timestamp}"


@rule("CON003")
def expired_jwt(ws: Workspace) -> Iterator[Hit]:
    current = now()
    for _parsed, conns in _by_file(ws):
        for conn in conns:
            target = conn.target
            if target.source != "supabase-key" or target.jwt_exp is None or target.kind not in SUPABASE_KINDS:
                continue
            if target.jwt_exp >= current:
                continue
            role = f"{target.role} JWT" if target.role else "JWT"
            article = "an" if role[0] in "aeiou" else "a"
            if target.kind == "supabase-local":
                what = f"a Supabase demo {role} (iss {target.jwt_iss})"
                fix = "regenerate it from the local stack's JWT secret"
            elif target.project_ref:
                what = f"{article} {role} of Supabase project {target.project_ref}"
                fix = "copy the current key from the project's API settings"
            else:
                what = f"a Supabase {role}"
                fix = "copy the current key from the project's API settings"
            yield _hit(
                conn,
                f"{conn.key} holds {what} that expired on {_date(target.jwt_exp)}; every request "
                f"with it is refused: {fix}",
                conn.setting.value if conn.setting is not None else None,
            )


# --------------------------------------------------------------------------- CON004


def alias_groups() -> List[dict]:
    """The groups of names for one value, from the CON004 entry of `rules/consistency.toml`."""
    entry = catalogue().get("CON004")
    groups = entry.extra.get("groups", []) if entry is not None else []
    return [g for g in groups if isinstance(g, dict) and g.get("names")]


def _effective(settings: Sequence[Setting]) -> Dict[Tuple[str, str], Setting]:
    """The setting a reader keeps per (service, key): the last one."""
    found: Dict[Tuple[str, str], Setting] = {}
    for setting in settings:
        found[(setting.service, setting.key)] = setting
    return found


def _usable(value: Optional[str], compare: str) -> bool:
    """Set, not a slot and not a reference: a value that can be compared.

    Keys must be wholly literal; a URL may hold a `${VAR}` in a part that does not say
    where it points (a DSN's password), since those are compared by target.
    """
    if value is None or not value.strip() or is_placeholder(value):
        return False
    text = value.strip()
    if compare == "value":
        return not _dsn.has_reference(text)
    return _dsn.whole_reference(text) is None


def _is_jwt(value: str) -> bool:
    return value.strip().startswith("eyJ") and value.count(".") == 2


def _same_key(a: str, b: str) -> Optional[bool]:
    """Keys agree when equal; a JWT beside an sb_ key is the documented migration: unknown."""
    a, b = a.strip(), b.strip()
    if a == b:
        return True
    if _is_jwt(a) != _is_jwt(b):
        return None
    return False


def _same_url(key_a: str, a: str, key_b: str, b: str, ws: Workspace) -> Optional[bool]:
    """Two API URLs agree unless they name different projects or hosted against local.

    Two local URLs may differ legitimately (the browser's `localhost:54321` and a
    container's `kong:8000` are the same stack); a custom domain beside a `*.supabase.co`
    URL may be the same project, so anything else is unknown.
    """
    ta, tb = classify(key_a, a, ws.config), classify(key_b, b, ws.config)
    if ta is None or tb is None or ta.source != "supabase-url" or tb.source != "supabase-url":
        return None
    if ta.kind in HOSTED and tb.kind in HOSTED:
        if ta.project_ref and tb.project_ref:
            return ta.project_ref == tb.project_ref
        return None
    hosted = {ta.kind in HOSTED, tb.kind in HOSTED}
    local = {ta.kind == "supabase-local", tb.kind == "supabase-local"}
    if hosted == {True, False} and local == {True, False}:
        return False
    return None


def _database(key: str, value: str, ws: Workspace) -> Optional[Tuple[object, ...]]:
    """The database a URL reaches, ignoring port, pooler and parameters other than schema."""
    target = classify(key, value, ws.config)
    if target is None or target.source != "dsn" or target.kind in ("placeholder", "unresolved"):
        return None
    where = target.project_ref or (target.host or "").lower()
    return target.kind, where, target.database or "", target.schema or ""


def _same_database(key_a: str, a: str, key_b: str, b: str, ws: Workspace) -> Optional[bool]:
    da, db = _database(key_a, a, ws), _database(key_b, b, ws)
    if da is None or db is None:
        return None
    return da == db


def _difference(compare: str, a: Setting, b: Setting, ws: Workspace) -> Optional[Tuple[str, str]]:
    """Secret-free accounts of two values that differ, or None when they agree (or may)."""
    va, vb = a.value or "", b.value or ""
    if compare == "supabase-url":
        same = _same_url(a.key, va, b.key, vb, ws)
    elif compare == "database":
        same = _same_database(a.key, va, b.key, vb, ws)
    else:
        same = _same_key(va, vb)
    if same is not False:
        return None
    if compare in ("supabase-url", "database"):
        ta, tb = classify(a.key, va, ws.config), classify(b.key, vb, ws.config)
        if ta is not None and tb is not None:
            return describe(ta), describe(tb)
    return redact(va), redact(vb)


@rule("CON004")
def alias_disagreement(ws: Workspace) -> Iterator[Hit]:
    groups = [
        ({str(n).upper() for n in group["names"]}, str(group.get("compare", "value")), str(group.get("what", "one value")))
        for group in alias_groups()
    ]
    aliases = set().union(*(names for names, _, _ in groups))
    for parsed in ws.files:
        if not parsed.settings:
            continue
        # the effective settings under any alias name, with their upper-case keys, in order
        effective = [(key.upper(), s) for (_svc, key), s in _effective(parsed.settings).items() if key.upper() in aliases]
        if not effective:
            continue
        for names, compare, what in groups:
            members = sorted(
                (s for key, s in effective if key in names and _usable(s.value, compare)),
                key=lambda s: s.key_span.start,
            )
            for index, later in enumerate(members):
                for earlier in members[:index]:
                    if earlier.service != later.service or earlier.key == later.key:
                        continue
                    difference = _difference(compare, earlier, later, ws)
                    if difference is None:
                        continue
                    other_is, this_is = difference
                    span = later.value_span or later.key_span
                    yield Hit(
                        parsed.source.path,
                        span,
                        parsed.source.app,
                        later.key,
                        f"{later.key} and {earlier.key} ({parsed.source.path}:{earlier.key_span.line}) "
                        f"are two names for {what} but disagree: {later.key} is {this_is}, "
                        f"{earlier.key} is {other_is}; one of them is stale",
                        value=later.value,
                    )
                    break


# --------------------------------------------------------------------------- CON005


def _postgres_services(ws: Workspace) -> Dict[str, List[Connection]]:
    """The Compose PostgreSQL services by Compose file."""
    found: Dict[str, List[Connection]] = {}
    for app in ws.apps.values():
        for conn in app.connections:
            if conn.service is not None and conn.target.source == "compose-service":
                found.setdefault(conn.file.source.path, []).append(conn)
    return found


@rule("CON005")
def published_port_clash(ws: Workspace) -> Iterator[Hit]:
    """Compose stacks of two apps that one app reaches publish a PostgreSQL on the same host
    port: they cannot run together, and the app's `localhost` DSN means whichever started
    first. One app's own stacks are its alternatives (dev, test, independent samples) and
    are never compared; stacks no app reaches together (alternative deployment examples)
    neither."""
    services = _postgres_services(ws)
    if len(services) < 2:
        return
    reported = set()
    for app in ws.apps.values():
        first: Dict[int, Connection] = {}
        for path in sorted(ws.compose_files_reaching(app.root)):
            for conn in services.get(path, ()):
                service = conn.service
                assert service is not None
                for port in published_ports(service, conn.target.port or 5432):
                    earlier = first.setdefault(port, conn)
                    if earlier is conn or earlier.file.source.app == conn.file.source.app:
                        continue  # one app's stacks are its alternatives (dev, test, samples)
                    if (path, service.name, port) in reported:
                        continue
                    reported.add((path, service.name, port))
                    yield Hit(
                        path, service.span, conn.file.source.app, service.name,
                        f"service {service.name} publishes PostgreSQL on host port {port}, as service "
                        f"{earlier.key} ({earlier.where}) does, and app {app.root} reaches both: the "
                        f"two stacks cannot run at the same time, and a DSN on localhost:{port} reaches "
                        f"whichever started first; publish one on another port",
                        value=str(port),
                    )
