"""Decide whether a setting holds a database connection and where it points.

Every check reasons about *targets*, not strings: this module turns a `KEY=value`
pair, a group of split `PGHOST`-style fields or a Compose database service into a
`Target`. Classification is by value first (a DSN, a Supabase URL or key is
recognised under any name) and by name only where the value cannot say (empty values,
placeholders, `${VAR}` references).

Kinds: supabase, legacy-vault, supabase-local, docker, other, placeholder, unresolved.
`placeholder` and `unresolved` mean *where* it points is unknown; a placeholder or
referenced password with a known host keeps the host's kind and says so in
`secret_state`. Secrets are never copied into a Target, and JWTs are decoded, never
verified.
"""

from __future__ import annotations

import base64
import json
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple
from urllib.parse import urlsplit

from tekup_envlint import dsn as _dsn
from tekup_envlint.models import ComposeService, Setting, Target
from tekup_envlint.patterns import Patterns, load

if TYPE_CHECKING:
    from tekup_envlint.config import Config

KINDS = ("supabase", "legacy-vault", "supabase-local", "docker", "other", "placeholder", "unresolved")
SECRET_STATES = ("absent", "placeholder", "reference", "literal")

DEFAULT_PORT = 5432
_JWT = re.compile(r"^eyJ[A-Za-z0-9_-]*={0,2}\.[A-Za-z0-9_-]+={0,2}\.[A-Za-z0-9_-]*={0,2}$")
_LABEL = re.compile(r"^[a-z0-9_-]+$")
_NEW_KEY_PREFIX = re.compile(r"sb_(publishable|secret)_")
# URL schemes whose database is PostgreSQL behind a proxy (Prisma Accelerate, Prisma Postgres).
_PG_PROXY_SCHEMES = ("prisma://", "prisma+postgres://")


def _config(config: Optional["Config"]) -> "Config":
    if config is None:
        from tekup_envlint.config import DEFAULT

        return DEFAULT
    return config


# --------------------------------------------------------------------------- helpers


@lru_cache(maxsize=1 << 14)
def is_placeholder(value: Optional[str]) -> bool:
    """Whether a value is a slot for a human to fill in (`YOUR_PASSWORD`, `<password>`, `xxx`).

    Empty is not a placeholder (it is absent), and weak literals such as `postgres`,
    `password` or `secret` are not either: they work, so they are real secrets.
    """
    if value is None:
        return False
    text = value.strip()
    if not text:
        return False
    pats = load()
    if text.lower() in pats.placeholder_words:
        return True
    return any(p.search(text) for p in pats.placeholder_patterns)


@lru_cache(maxsize=1 << 14)
def secret_state(value: Optional[str]) -> str:
    """absent (None or empty), reference (`${VAR}` or `$VAR`), placeholder, or literal."""
    if value is None or not value.strip():
        return "absent"
    if _dsn.has_reference(value.strip()):
        return "reference"
    if is_placeholder(value):
        return "placeholder"
    return "literal"


def is_placeholder_host(host: str) -> bool:
    """Whether a host is a slot (`host`, `<host>`, `db.example.com`, `YOUR_PROJECT_REF...`)."""
    pats = load()
    h = host.strip().lower().rstrip(".")
    if h in pats.placeholder_hosts or is_placeholder(host):
        return True
    return any(p.search(h) for p in pats.placeholder_host_patterns)


def is_local_host(host: str) -> bool:
    """This machine: loopback names, `host.docker.internal`, an empty host or a socket path."""
    h = host.strip().lower().rstrip(".")
    if h == "" or h.startswith("/") or h.startswith("@"):
        return True
    pats = load()
    return h in pats.local_hosts or any(p.search(h) for p in pats.local_host_patterns)


def _is_service_label(h: str) -> bool:
    """A bare single label (`db`, `postgres_1`): a Compose service name on the project network.

    `h` is already lower-cased with no trailing dot.
    """
    return "." not in h and ":" not in h and bool(_LABEL.match(h))


def is_local_endpoint(host: str) -> bool:
    """A host that reaches a database started for development, not a deployed one: this
    machine (`is_local_host`), a Supabase CLI container (`supabase_db_<project>` and the
    other `local_container` names) or a bare single label (a Compose service name).

    Wider than `is_local_host` on purpose: `is_local_host` is this machine only, while a
    service name or a CLI container is also a database on the developer's machine or a CI
    runner. `_host_kind` tests the three parts one by one because each gives a different
    kind; checks that only ask "local or not" use this. `host` is taken as written (strip
    and resolve references before calling): it is lower-cased and a trailing dot dropped.
    """
    h = host.lower().rstrip(".")
    return is_local_host(h) or bool(load().local_container.match(h)) or _is_service_label(h)


def is_public_key(key: str) -> bool:
    """Whether a variable name carries a prefix that frameworks inline into browser bundles."""
    return key.upper().startswith(load().public_prefixes)


def jwt_claims(token: str) -> Optional[Dict[str, Any]]:
    """The payload of a JWT, decoded and NOT verified; None for anything malformed."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        return None
    segment = parts[1].rstrip("=")
    if not segment:
        return None
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _str_claim(claims: Dict[str, Any], name: str) -> Optional[str]:
    value = claims.get(name)
    return value if isinstance(value, str) else None


def _int_claim(claims: Dict[str, Any], name: str) -> Optional[int]:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return int(value)
    except (OverflowError, ValueError):  # inf, nan
        return None


def _matches(patterns: Sequence[re.Pattern[str]], key: str) -> bool:
    return any(p.search(key) for p in patterns)


def _named_source(key: str) -> Optional[str]:
    """The source a key's *name* implies: supabase-url, supabase-key, dsn, or None."""
    pats = load()
    k = key.strip().upper()
    if _matches(pats.supabase_url_keys, k):
        return "supabase-url"
    if _matches(pats.supabase_key_keys, k):
        return "supabase-key"
    if _matches(pats.dsn_keys, k):
        return "dsn"
    return None


def _ref_kind(ref: str, config: "Config") -> str:
    return "legacy-vault" if ref in config.legacy_refs else "supabase"


def _supabase_domain(host: str, pats: Patterns) -> Optional[str]:
    for domain in pats.supabase_domains:
        if host.endswith("." + domain):
            return domain
    return None


def _supabase_host(host: str, pats: Patterns, config: "Config") -> Optional[Tuple[str, Optional[str]]]:
    """(kind, ref) for a host under a Supabase project domain; None for other hosts."""
    domain = _supabase_domain(host, pats)
    if domain is None:
        return None
    labels = host[: -len(domain) - 1].split(".")
    first = labels[0]
    if (
        first in pats.placeholder_supabase_labels
        or any(not _LABEL.match(label) or "_" in label for label in labels)
        or is_placeholder(first)
    ):
        return "placeholder", None
    for label in labels[:2]:
        if pats.project_ref.match(label):
            return _ref_kind(label, config), label
    return "supabase", None


# --------------------------------------------------------------------------- endpoints


def _port_of(text: str) -> Tuple[str, Optional[int]]:
    """("ok", port) / ("reference", None) / ("placeholder", None); "" means the default."""
    t = text.strip()
    if t == "":
        return "ok", DEFAULT_PORT
    if _dsn.port_number(t) is not None:
        return "ok", _dsn.port_number(t)
    if _dsn.has_reference(t):
        return "reference", None
    return "placeholder", None


def _cli_user(user: Optional[str], pats: Patterns) -> bool:
    """Whether a user could be talking to the Supabase CLI database (roles it ships with)."""
    if user is None or _dsn.has_reference(user) or is_placeholder(user):
        return True
    name = user.split(".", 1)[0] if user.startswith("postgres.") else user
    return name in pats.local_roles


def _host_kind(
    host: str, port_text: str, user: Optional[str], config: "Config"
) -> Tuple[str, Optional[int], Optional[str], Optional[str]]:
    """(kind, port, project_ref, pooler_mode) for one PostgreSQL host and port."""
    pats = load()
    port_state, port = _port_of(port_text)
    h = host.strip().lower().rstrip(".")
    if _dsn.has_reference(host):
        return "unresolved", port, None, None
    if h and is_placeholder_host(host):
        return "placeholder", port, None, None
    if port_state == "placeholder":
        return "placeholder", None, None, None
    m = pats.supabase_db_host.match(h)
    if m:
        ref = m.group(1)
        mode = "transaction" if port == pats.pooler_transaction_port else None
        return _ref_kind(ref, config), port, ref, mode
    if pats.pooler_host.match(h):
        if port == pats.pooler_session_port:
            mode: Optional[str] = "session"
        elif port == pats.pooler_transaction_port:
            mode = "transaction"
        else:
            mode = None
        if user is None:
            return "supabase", port, None, mode
        if _dsn.has_reference(user):
            return "unresolved", port, None, mode
        if is_placeholder(user):
            return "placeholder", port, None, mode
        tenant = user.rsplit(".", 1)[1] if "." in user else ""
        if tenant in config.legacy_refs:
            return "legacy-vault", port, tenant, mode
        if pats.project_ref.match(tenant):
            return "supabase", port, tenant, mode
        return "supabase", port, None, mode
    hit = _supabase_host(h, pats, config)
    if hit is not None:
        return hit[0], port, hit[1], None
    local_port = port in pats.supabase_local_ports and _cli_user(user, pats)
    # the three parts of `is_local_endpoint`, apart because each gives its own kind
    if is_local_host(h):
        if port_state == "reference":
            return "unresolved", None, None, None
        return ("supabase-local" if local_port else "docker"), port, None, None
    if pats.local_container.match(h):
        return "supabase-local", port, None, None
    if _is_service_label(h):
        # a bare single label: a Compose service name on the project network
        return ("supabase-local" if local_port else "docker"), port, None, None
    return "other", port, None, None


def _endpoint_target(
    source: str,
    hosts: Sequence[str],
    ports: Sequence[str],
    user: Optional[str],
    database: Optional[str],
    secret: str,
    config: "Config",
    schema: Optional[str] = None,
    params: Tuple[Tuple[str, str], ...] = (),
) -> Target:
    """One Target for a host list: the common kind, or `other` when hosts disagree."""
    host_list = list(hosts) or [""]
    port_list = list(ports)
    results = []
    for index, host in enumerate(host_list):
        if len(port_list) == len(host_list):
            port_text = port_list[index]
        elif len(port_list) == 1:
            port_text = port_list[0]
        else:
            port_text = ""
        results.append(_host_kind(host, port_text, user, config))
    kinds = {r[0] for r in results}
    if len(kinds) == 1:
        kind = results[0][0]
    elif "unresolved" in kinds:
        kind = "unresolved"
    elif "placeholder" in kinds:
        kind = "placeholder"
    else:
        kind = "other"
    ref = next((r[2] for r in results if r[2]), None)
    joined = ",".join(host_list)
    return Target(
        kind=kind,
        source=source,
        host=joined or None,
        port=results[0][1],
        database=database or None,
        schema=schema,
        user=user,
        secret_state=secret,
        project_ref=ref,
        pooler_mode=results[0][3],
        params=params,
    )


def _dsn_target(parsed: "_dsn.DSN", config: "Config") -> Target:
    return _endpoint_target(
        "dsn",
        parsed.hosts,
        parsed.ports,
        parsed.user,
        parsed.database,
        secret_state(parsed.password),
        config,
        schema=parsed.schema,
        params=parsed.params,
    )


# --------------------------------------------------------------------------- keys and URLs


def _new_key_target(value: str, config: "Config") -> Optional[Target]:
    """`sb_publishable_...` / `sb_secret_...` anywhere in a value (also JSON key maps)."""
    prefix = _NEW_KEY_PREFIX.search(value)
    if prefix is None:
        return None
    if is_placeholder(value):
        return Target(kind="placeholder", source="supabase-key", secret_state="placeholder", role=prefix.group(1))
    pats = load()
    found = list(pats.new_key.finditer(value))
    if not found:
        return None
    role = "secret" if any(m.group(1) == "secret" for m in found) else "publishable"
    local = all(m.group(0) in pats.local_keys for m in found)
    kind = "supabase-local" if local else "supabase"
    return Target(kind=kind, source="supabase-key", secret_state="literal", role=role)


def _ref_from_issuer(iss: Optional[str], pats: Patterns) -> Optional[str]:
    """A user access token's issuer is `https://<ref>.supabase.co/auth/v1`."""
    if not iss or "://" not in iss:
        return None
    try:
        host = urlsplit(iss).hostname or ""
    except ValueError:
        return None
    m = pats.supabase_api_host.match(host)
    return m.group(1) if m else None


def _jwt_target(key: str, value: str, config: "Config") -> Optional[Target]:
    pats = load()
    claims = jwt_claims(value)
    if claims is None:
        return None  # a malformed token counts only under a Supabase key name (see _classify)
    named = any(word in key.upper() for word in pats.jwt_key_words)
    iss = _str_claim(claims, "iss")
    ref_claim = _str_claim(claims, "ref")
    issuer_ref = _ref_from_issuer(iss, pats)
    if not (named or iss in pats.jwt_issuers or iss in pats.demo_jwt_issuers or issuer_ref):
        return None
    ref: Optional[str] = None
    if ref_claim and (ref_claim in config.legacy_refs or pats.project_ref.match(ref_claim)):
        ref = ref_claim
    elif issuer_ref:
        ref = issuer_ref
    if ref:
        kind = _ref_kind(ref, config)
    elif iss in pats.demo_jwt_issuers:
        kind = "supabase-local"
    elif iss is None or iss in pats.jwt_issuers:
        kind = "supabase"  # a Supabase key of an unknown project, like an sb_ key
    else:
        kind = "other"
    return Target(
        kind=kind,
        source="supabase-key",
        secret_state="literal",
        project_ref=ref,
        role=_str_claim(claims, "role"),
        jwt_ref=ref_claim,
        jwt_exp=_int_claim(claims, "exp"),
        jwt_iss=iss,
    )


def _split_url(value: str, schemeless: bool) -> Optional[Tuple[str, str, Optional[int], bool]]:
    """(host, netloc, port, port_ok) of an http(s) URL; also of `host:port/...` if `schemeless`."""
    text = value.strip()
    if "://" in text:
        scheme = text.split("://", 1)[0].lower()
        if scheme not in ("http", "https"):
            return None
    elif schemeless and re.match(r"^[A-Za-z0-9_.\-\[\]:$\{\}<>]+(?:[/?#].*)?$", text):
        text = "//" + text
    else:
        return None
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
    except ValueError:
        return None
    try:
        port = parts.port
        port_ok = True
    except ValueError:
        port, port_ok = None, False
    return host, parts.netloc, port, port_ok


def _url_target(key: str, value: str, config: "Config", named: Optional[str]) -> Optional[Target]:
    pats = load()
    url_named = named == "supabase-url"
    api_named = _matches(pats.api_url_keys, key.strip().upper())
    split = _split_url(value, schemeless=url_named or api_named)
    if split is None:
        return None
    host, netloc, port, port_ok = split
    supa_domain = _supabase_domain(host, pats) is not None
    if not (url_named or supa_domain or api_named):
        return None
    if _dsn.has_reference(netloc):
        if url_named or supa_domain:
            return Target(kind="unresolved", source="supabase-url", host=host or None, port=port)
        return None
    if supa_domain:
        kind, ref = _supabase_host(host, pats, config) or ("supabase", None)
        return Target(kind=kind, source="supabase-url", host=host, port=port, project_ref=ref)
    local = is_local_host(host) and host != ""
    if api_named and not url_named:
        if local and port == pats.local_ports.get("api"):
            return Target(kind="supabase-local", source="supabase-url", host=host, port=port)
        return None
    if not host or is_placeholder_host(host) or is_placeholder(netloc) or not port_ok:
        return Target(kind="placeholder", source="supabase-url", host=host or None, port=port)
    if local or pats.local_container.match(host) or ("." not in host and ":" not in host):
        # a local Supabase: the CLI on any (configurable) port, or self-hosted Kong
        return Target(kind="supabase-local", source="supabase-url", host=host, port=port)
    return Target(kind="other", source="supabase-url", host=host, port=port)


# --------------------------------------------------------------------------- classify


def classify(key: str, value: Optional[str], config: Optional["Config"] = None) -> Optional[Target]:
    """Where a setting points, or None when it holds no database connection. Never raises."""
    try:
        return _classify(str(key), value, _config(config), 0)
    except Exception:  # pragma: no cover - a bug here must not stop a lint run
        return None


def _classify(key: str, value: Optional[str], config: "Config", depth: int) -> Optional[Target]:
    named = _named_source(key)
    if value is None:
        # a bare KEY: the value comes from the environment (Compose passes it through)
        return Target(kind="unresolved", source=named, secret_state="reference") if named else None
    text = value.strip()
    if not text:
        return Target(kind="placeholder", source=named) if named else None

    ref = _dsn.whole_reference(text)
    if ref is not None:
        if ref.operator in ("-", ":-") and ref.default and ref.default.strip() and depth < 3:
            target = _classify(key, ref.default, config, depth + 1)
            if target is not None:
                return target
        source = named or _named_source(ref.name)
        if source is None:
            return None
        return Target(kind="unresolved", source=source, secret_state="reference")

    parsed = _dsn.parse_lenient(text)
    if parsed is not None:
        return _dsn_target(parsed, config)

    target = _new_key_target(text, config)
    if target is not None:
        return target
    if _JWT.match(text):
        target = _jwt_target(key, text, config)
        if target is not None:
            return target

    target = _url_target(key, text, config, named)
    if target is not None:
        return target

    if named is None:
        return None
    if _dsn.has_reference(text):
        return Target(kind="unresolved", source=named, secret_state="reference")
    if is_placeholder(text):
        state = "absent" if named == "supabase-url" else "placeholder"
        return Target(kind="placeholder", source=named, secret_state=state)
    if named == "dsn":
        if text.startswith(_PG_PROXY_SCHEMES):
            host = None
            try:
                host = urlsplit(text).hostname
            except ValueError:
                pass
            return Target(kind="other", source="dsn", host=host, secret_state=secret_state(text))
        return None  # another database (file:, mysql://, ...) or not a URL at all
    if named == "supabase-key":
        # an opaque value under a Supabase key name: a Supabase key of an unknown project
        return Target(kind="supabase", source=named, secret_state="literal")
    return Target(kind="other", source=named)


# --------------------------------------------------------------------------- split fields

_PG_VAR = re.compile(
    r"^(?P<group>(?:[A-Z0-9_]*_)?(?:PG|POSTGRES_|POSTGRESQL_|DB_|DATABASE_))"
    r"(?P<field>HOST|HOSTNAME|PORT|DB|DATABASE|NAME|USER|USERNAME|PASSWORD|PASS|PASSWD)$"
)
_PG_FIELDS = {
    "PG": {"HOST": "host", "PORT": "port", "DATABASE": "database", "USER": "user", "PASSWORD": "password"},
    "POSTGRES_": {
        "HOST": "host", "HOSTNAME": "host", "PORT": "port", "DB": "database", "DATABASE": "database",
        "USER": "user", "USERNAME": "user", "PASSWORD": "password",
    },
    "DB_": {
        "HOST": "host", "HOSTNAME": "host", "PORT": "port", "NAME": "database", "DATABASE": "database",
        "USER": "user", "USERNAME": "user", "PASSWORD": "password", "PASS": "password", "PASSWD": "password",
    },
}
_PG_FIELDS["POSTGRESQL_"] = _PG_FIELDS["POSTGRES_"]
_PG_FIELDS["DATABASE_"] = _PG_FIELDS["DB_"]
# Generic DB_* / DATABASE_* fields serve MySQL and friends just as often (WORDPRESS_DB_HOST),
# so such a group counts only with evidence of PostgreSQL and none against it.
_OTHER_ENGINE = re.compile(r"mysql|maria|sqlite|mongo|mssql|sqlserver|oracle|redis|cockroach|clickhouse", re.I)
_PG_ENGINE = re.compile(r"postgres|^pg|psql|supabase", re.I)
_ENGINE_FIELDS = ("CONNECTION", "TYPE", "DRIVER", "DIALECT", "ENGINE", "CLIENT", "PROVIDER", "ADAPTER", "KIND")
_PG_PORTS = {"5432", "5433", "5434", "6543", "54320", "54322", "54329"}
_HOST_PORT = re.compile(r"^(?P<host>[^:,\[\]]+):(?P<port>\d{1,5})$")


def _setting_secret(setting: Optional[Setting]) -> str:
    """secret_state of a setting; a bare Compose entry passes the shell's value through."""
    if setting is None:
        return "absent"
    if setting.value is None:
        return "reference" if setting.service else "absent"
    return secret_state(setting.value)


def _stem(group: str) -> str:
    for stem in ("POSTGRESQL_", "POSTGRES_", "DATABASE_", "DB_", "PG"):
        if group.endswith(stem):
            return stem
    return ""


def classify_pg_vars(settings: Sequence[Setting], config: Optional["Config"] = None) -> List[Tuple[Setting, Target]]:
    """Targets of split-field connections (`PGHOST`/`PGPORT`/..., `POSTGRES_HOST`/..., `DB_HOST`/...).

    Fields group by their common prefix (and Compose service); a group yields one Target,
    attached to its HOST setting. A group without a host yields nothing: `POSTGRES_USER`
    and `POSTGRES_PASSWORD` alone configure a server (the `postgres` image), they do not
    say where a client connects. `DB_*` groups whose port or engine says MySQL and the
    like are skipped. Never raises.
    """
    try:
        return _classify_pg_vars(settings, _config(config))
    except Exception:  # pragma: no cover - a bug here must not stop a lint run
        return []


def _classify_pg_vars(settings: Sequence[Setting], config: "Config") -> List[Tuple[Setting, Target]]:
    groups: Dict[Tuple[str, str], Dict[str, Setting]] = {}
    siblings: Dict[Tuple[str, str], Dict[str, Optional[str]]] = {}
    for setting in settings:
        k = setting.key.strip().upper()
        m = _PG_VAR.match(k)
        if m:
            group, field_name = m.group("group"), m.group("field")
            role = _PG_FIELDS.get(_stem(group), {}).get(field_name)
            if role:
                groups.setdefault((setting.service, group), {})[role] = setting  # last wins
        for extra in _ENGINE_FIELDS:
            if k.endswith("_" + extra):
                siblings.setdefault((setting.service, k[: -len(extra)]), {})[extra] = setting.value
    found: List[Tuple[Setting, Target]] = []
    for (service, group), fields in groups.items():
        host = fields.get("host")
        if host is None:
            continue

        def field_value(role: str) -> Optional[str]:
            setting = fields.get(role)
            if setting is None or setting.value is None or not setting.value.strip():
                return None
            return _resolve_default(setting.value)

        host_text, port_text = field_value("host"), field_value("port") or ""
        user, database = field_value("user"), field_value("database")
        if host_text and not port_text:
            m = _HOST_PORT.match(host_text)  # DB_HOST=db:5432
            if m:
                host_text, port_text = m.group("host"), m.group("port")
        if _stem(group) in ("DB_", "DATABASE_") and not _looks_postgres(
            host_text, port_text, user, siblings.get((service, group), {})
        ):
            continue
        secret = _setting_secret(fields.get("password"))
        if host.value is None:
            target = Target(kind="unresolved", source="pg-vars", user=user, database=database, secret_state=secret)
        elif not host_text:
            target = Target(kind="placeholder", source="pg-vars", user=user, database=database, secret_state=secret)
        else:
            target = _endpoint_target(
                "pg-vars", host_text.split(","), port_text.split(",") if port_text else [],
                user, database, secret, config,
            )
        found.append((host, target))
    return found


def _looks_postgres(
    host: Optional[str], port: str, user: Optional[str], engines: Dict[str, Optional[str]]
) -> bool:
    """Evidence that a generic DB_* group is PostgreSQL: engine, port, user or host."""
    values = [v for v in engines.values() if v]
    if any(_OTHER_ENGINE.search(v) for v in values):
        return False
    if any(_PG_ENGINE.search(v) for v in values):
        return True
    if port in _PG_PORTS or re.search(r"POSTGRES|PG", port):
        return True
    if user and (user == "postgres" or user.startswith("postgres.") or re.search(r"\$\{?(?:POSTGRES|PG)", user)):
        return True
    if host:
        if re.search(r"\$\{?(?:POSTGRES|PG)", host) or re.search(r"postgres|supabase", host, re.I):
            return True
    return False


# --------------------------------------------------------------------------- compose services


def _resolve_default(text: str) -> str:
    """`${X:-d}` -> `d` (what Compose uses when X is unset); anything else as written."""
    ref = _dsn.whole_reference(text.strip())
    if ref is not None and ref.operator in ("-", ":-") and ref.default:
        return ref.default
    return text.strip()


def interpolate_defaults(text: str) -> str:
    """Every `${X:-d}` replaced by `d` and every other reference by "" (Compose with X unset)."""
    out: List[str] = []
    last = 0
    for ref in _dsn.find_references(text):
        out.append(text[last : ref.start])
        if ref.operator in ("-", ":-") and ref.default:
            out.append(interpolate_defaults(ref.default))
        last = ref.end
    out.append(text[last:])
    return "".join(out)


def image_repository(image: str) -> str:
    """`docker.io/library/postgres:16@sha256:..` -> `postgres`: no registry, tag or digest."""
    s = image.strip().split("@", 1)[0]
    slash, colon = s.rfind("/"), s.rfind(":")
    if colon > slash:
        s = s[:colon]
    parts = s.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    if len(parts) > 1 and parts[0] == "library":
        parts = parts[1:]
    return "/".join(parts).lower()


def is_postgres_image(image: Optional[str]) -> bool:
    """Whether a Compose image runs PostgreSQL (official, pgvector, PostGIS, Bitnami, Supabase...)."""
    if not image:
        return False
    pats = load()
    repo = image_repository(interpolate_defaults(image))
    if not repo:
        return False
    return repo in pats.postgres_images or repo.rsplit("/", 1)[-1] in pats.postgres_image_names


def classify_service(service: ComposeService, config: Optional["Config"] = None) -> Optional[Target]:
    """The database a PostgreSQL Compose service provides, as its neighbours reach it.

    Host is the service name and port the container port (5432, or `PGPORT`), not the
    published host port. User and database follow the `postgres` image's defaults; a
    `${X:-default}` value counts as its default. A password missing from `environment`
    but possibly in an `env_file` counts as a reference. Never raises.
    """
    try:
        return _classify_service(service, _config(config))
    except Exception:  # pragma: no cover - a bug here must not stop a lint run
        return None


def _classify_service(service: ComposeService, config: "Config") -> Optional[Target]:
    if not service.image or not is_postgres_image(service.image):
        return None
    pats = load()
    repo = image_repository(interpolate_defaults(service.image))
    env: Dict[str, Setting] = {}
    for setting in service.environment:
        env[setting.key.strip().upper()] = setting

    def value(*names: str) -> Optional[str]:
        for name in names:
            s = env.get(name)
            if s is not None and s.value is not None and s.value.strip():
                return _resolve_default(s.value)
        return None

    user = value("POSTGRES_USER", "POSTGRESQL_USERNAME", "POSTGRESQL_USER") or "postgres"
    database = value("POSTGRES_DB", "POSTGRESQL_DATABASE") or user
    port_text = value("PGPORT", "POSTGRESQL_PORT_NUMBER") or ""
    port = _dsn.port_number(port_text) or DEFAULT_PORT

    password = env.get("POSTGRES_PASSWORD") or env.get("POSTGRESQL_PASSWORD")
    if password is not None:
        secret = _setting_secret(password)
    elif "POSTGRES_PASSWORD_FILE" in env or "POSTGRESQL_PASSWORD_FILE" in env:
        secret = "reference"
    elif (value("POSTGRES_HOST_AUTH_METHOD") or "").lower() == "trust" or (
        value("ALLOW_EMPTY_PASSWORD") or ""
    ).lower() in ("yes", "true", "1"):
        secret = "absent"
    elif service.env_files:
        secret = "reference"
    else:
        secret = "absent"
    kind = "supabase-local" if repo in pats.supabase_images else "docker"
    return Target(
        kind=kind,
        source="compose-service",
        host=service.name,
        port=port,
        database=database,
        user=user,
        secret_state=secret,
    )
