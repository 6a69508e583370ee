"""The pattern data of `rules/patterns.toml`, loaded and compiled once per process.

Placeholder shapes, Supabase host and key shapes, local ports and hosts are data so that
they can be reviewed and extended without touching the classifier. The file ships inside
the wheel as the package `tekup_envlint.rules`; in a source checkout it is the top-level
`rules/` folder.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, NamedTuple, Optional, Sequence, Tuple

FILE_NAME = "patterns.toml"


class Patterns(NamedTuple):
    """Compiled pattern data; every tuple keeps the file's order.

    This and the two secret-shape holders below are NamedTuples, not frozen dataclasses:
    they are built once per run and only read, and a dataclass's generated methods are
    compiled at every import (about 0.5 ms a class on the pre-commit path, 1.5 ms for
    these 37 fields; a NamedTuple costs a fraction).
    """

    placeholder_words: FrozenSet[str]  # lower-case whole values
    placeholder_patterns: Tuple[re.Pattern[str], ...]  # searched anywhere
    placeholder_hosts: FrozenSet[str]  # lower-case hosts
    placeholder_host_patterns: Tuple[re.Pattern[str], ...]
    placeholder_supabase_labels: FrozenSet[str]
    project_ref: re.Pattern[str]
    supabase_api_host: re.Pattern[str]  # group 1: the ref
    supabase_domains: Tuple[str, ...]
    supabase_db_host: re.Pattern[str]  # group 1: the ref
    pooler_host: re.Pattern[str]
    pooler_session_port: int
    pooler_transaction_port: int
    jwt_issuers: FrozenSet[str]
    demo_jwt_issuers: FrozenSet[str]
    new_key: re.Pattern[str]  # group 1: publishable | secret
    local_keys: FrozenSet[str]
    local_container: re.Pattern[str]
    local_roles: FrozenSet[str]
    local_ports: Dict[str, int]  # api, db, shadow_db, pooler
    local_hosts: FrozenSet[str]
    local_host_patterns: Tuple[re.Pattern[str], ...]
    dsn_keys: Tuple[re.Pattern[str], ...]
    supabase_url_keys: Tuple[re.Pattern[str], ...]
    api_url_keys: Tuple[re.Pattern[str], ...]
    supabase_key_keys: Tuple[re.Pattern[str], ...]
    jwt_key_words: Tuple[str, ...]
    public_prefixes: Tuple[str, ...]
    postgres_images: FrozenSet[str]
    postgres_image_names: FrozenSet[str]
    supabase_images: FrozenSet[str]
    credential_pairs: FrozenSet[str]  # lower-case "user:password"
    secret_names: Optional[re.Pattern[str]]  # `[secret_names]`: a literal value is a credential
    secret_names_exclude: Optional[re.Pattern[str]]
    password_names: Optional[re.Pattern[str]]  # database passwords
    hidden_names: Optional[re.Pattern[str]]  # `[hidden_names]`: values hidden, not reported
    hidden_names_exclude: Optional[re.Pattern[str]]
    secret_parameters: FrozenSet[str]  # lower-case

    @property
    def supabase_local_ports(self) -> FrozenSet[int]:
        return frozenset(self.local_ports.values())


def _read_text() -> str:
    """The TOML text of the package `tekup_envlint.rules`, or of the source tree's `rules/`.

    The two plain paths are tried first because importing `importlib.resources` costs more
    than the whole lookup; `files()` still covers zip imports and custom loaders.
    """
    here = Path(__file__).resolve().parent
    for path in (here / "rules" / FILE_NAME, here.parent / "rules" / FILE_NAME):
        if path.is_file():
            return path.read_text(encoding="utf-8")
    from importlib.resources import files

    return files("tekup_envlint.rules").joinpath(FILE_NAME).read_text(encoding="utf-8")


def _data(name: str) -> Dict[str, Any]:
    """The parsed table of one data file of `tekup_envlint.rules` (cached like bytecode,
    see `catalogue.load_data`); a zip import falls back to reading the text."""
    here = Path(__file__).resolve().parent
    for path in (here / "rules" / name, here.parent / "rules" / name):
        if path.is_file():
            from tekup_envlint.catalogue import load_data

            return load_data(path)
    return _toml_loads(_read_rules_file(name))


def _toml_loads(text: str) -> Dict[str, Any]:
    try:
        import tomllib  # Python 3.11+
    except ModuleNotFoundError:  # pragma: no cover - exercised on 3.9/3.10 only
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib.loads(text)


def _compile(items: Any, flags: int = 0) -> Tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, flags) for p in items)


@lru_cache(maxsize=1)
def load() -> Patterns:
    """Read and compile `patterns.toml` (once; later calls return the same object)."""
    data = _data(FILE_NAME)
    ph = data["placeholder"]
    sb = data["supabase"]
    local = data["local"]
    keys = data["keys"]
    images = data["images"]
    names = data["secret_names"]
    hidden = data["hidden_names"]
    i = re.IGNORECASE
    return Patterns(
        placeholder_words=frozenset(w.lower() for w in ph["words"]),
        placeholder_patterns=_compile(ph["patterns"], i) + _compile(ph["case_sensitive_patterns"]),
        placeholder_hosts=frozenset(h.lower() for h in ph["hosts"]),
        placeholder_host_patterns=_compile(ph["host_patterns"], i),
        placeholder_supabase_labels=frozenset(x.lower() for x in ph["supabase_labels"]),
        project_ref=re.compile(sb["project_ref"]),
        supabase_api_host=re.compile(sb["api_host"]),
        supabase_domains=tuple(sb["project_domains"]),
        supabase_db_host=re.compile(sb["db_host"]),
        pooler_host=re.compile(sb["pooler_host"]),
        pooler_session_port=int(sb["pooler_session_port"]),
        pooler_transaction_port=int(sb["pooler_transaction_port"]),
        jwt_issuers=frozenset(sb["jwt_issuers"]),
        demo_jwt_issuers=frozenset(sb["demo_jwt_issuers"]),
        new_key=re.compile(sb["new_key"]),
        local_keys=frozenset(sb["local_keys"]),
        local_container=re.compile(sb["local_container"]),
        local_roles=frozenset(sb["local_roles"]),
        local_ports={k: int(v) for k, v in sb["local_ports"].items()},
        local_hosts=frozenset(h.lower() for h in local["hosts"]),
        local_host_patterns=_compile(local["host_patterns"], i),
        dsn_keys=_compile(keys["dsn"]),
        supabase_url_keys=_compile(keys["supabase_url"]),
        api_url_keys=_compile(keys["api_url"]),
        supabase_key_keys=_compile(keys["supabase_key"]),
        jwt_key_words=tuple(keys["jwt_key_words"]),
        public_prefixes=tuple(data["public"]["prefixes"]),
        postgres_images=frozenset(images["postgres"]),
        postgres_image_names=frozenset(images["postgres_names"]),
        supabase_images=frozenset(images["supabase"]),
        credential_pairs=frozenset(p.lower() for p in ph["credential_pairs"]),
        secret_names=_alternation(names["patterns"]),
        secret_names_exclude=_alternation(names["exclude"]),
        password_names=_alternation(names["database_password_patterns"]),
        hidden_names=_alternation(hidden["patterns"]),
        hidden_names_exclude=_alternation(hidden["exclude"]),
        secret_parameters=frozenset(p.lower() for p in hidden["parameters"]),
    )


def _alternation(items: Sequence[str]) -> Optional[re.Pattern[str]]:
    """One compiled alternation of the patterns (None for none): one search per name."""
    return re.compile("|".join(f"(?:{p})" for p in items)) if items else None


def _named(name: str, patterns: Optional[re.Pattern[str]], exclude: Optional[re.Pattern[str]]) -> bool:
    return bool(patterns and patterns.search(name)) and not (exclude and exclude.search(name))


@lru_cache(maxsize=1 << 12)
def is_secret_name(key: str) -> bool:
    """Whether a variable name says its value is a credential (`*_SECRET`, `*_TOKEN`,
    `*_PASSWORD`, `*_SALT`, `*PRIVATE_KEY`, `*API_KEY`, ...; `[secret_names]`), so that a
    literal value under it is reported whatever its length or entropy."""
    pats = load()
    return _named(key.strip().upper(), pats.secret_names, pats.secret_names_exclude)


def is_database_password_name(key: str) -> bool:
    """A secret name for a database password (`PGPASSWORD`, `POSTGRES_PASSWORD`, `DB_PASS`)."""
    name = key.strip().upper()
    return is_secret_name(name) and bool(load().password_names and load().password_names.search(name))


@lru_cache(maxsize=1 << 12)
def secret_like_name(key: str) -> bool:
    """Whether a setting's value is hidden from every output because of its name: every
    credential name (`is_secret_name`) and the wider `[hidden_names]`, since hiding a value
    that was not secret costs nothing and printing one that was cannot be undone."""
    pats = load()
    name = key.strip().upper()
    return is_secret_name(name) or _named(name, pats.hidden_names, pats.hidden_names_exclude)


# --------------------------------------------------------------------------- secret shapes

SECRETS_FILE_NAME = "secrets.toml"


class SecretShape(NamedTuple):
    """One kind of secret a value can hold (`rules/secrets.toml`, `[[shape]]`)."""

    name: str
    description: str
    regex: re.Pattern[str]
    key: Optional[re.Pattern[str]] = None  # only under names matching this (upper-cased)
    key_exclude: Optional[re.Pattern[str]] = None
    min_entropy: float = 0.0
    report: bool = True  # False: redacted only, another rule (or nobody) reports it
    material: Optional[re.Pattern[str]] = None  # the match counts only when this is found in it

    def applies_to(self, key: str) -> bool:
        """Whether the shape counts under a variable name (always, for self-identifying shapes)."""
        if self.key is None:
            return True
        name = key.strip().upper()
        return bool(self.key.search(name)) and not (self.key_exclude and self.key_exclude.search(name))


class SecretShapes(NamedTuple):
    """Compiled `secrets.toml`: secret shapes and the credential word lists of the CRD rules."""

    shapes: Tuple[SecretShape, ...]
    local_default_passwords: FrozenSet[str]  # case-sensitive
    public_values: Tuple[re.Pattern[str], ...]
    demo_values: FrozenSet[str]
    compose_password_keys: Tuple[re.Pattern[str], ...]
    compose_password_key_exclude: Tuple[re.Pattern[str], ...]
    flag_values: FrozenSet[str]  # lower-case
    public_secret_names: Tuple[Tuple[re.Pattern[str], str], ...]  # (name regex, description)

    @property
    def self_identifying(self) -> Tuple[SecretShape, ...]:
        """Shapes recognisable from the value alone (no name condition)."""
        return tuple(s for s in self.shapes if s.key is None)

    def is_public_value(self, text: str) -> bool:
        return any(p.search(text) for p in self.public_values)


def _read_rules_file(name: str) -> str:
    """The text of one data file of `tekup_envlint.rules` (or of the source tree's `rules/`)."""
    here = Path(__file__).resolve().parent
    for path in (here / "rules" / name, here.parent / "rules" / name):
        if path.is_file():
            return path.read_text(encoding="utf-8")
    from importlib.resources import files

    return files("tekup_envlint.rules").joinpath(name).read_text(encoding="utf-8")


def _optional(pattern: Optional[str]) -> Optional[re.Pattern[str]]:
    return re.compile(pattern) if pattern else None


@lru_cache(maxsize=1)
def secret_shapes() -> SecretShapes:
    """Read and compile `secrets.toml` (once; later calls return the same object)."""
    data = _data(SECRETS_FILE_NAME)
    shapes = tuple(
        SecretShape(
            name=raw["name"],
            description=raw["description"],
            regex=re.compile(raw["regex"]),
            key=_optional(raw.get("key")),
            key_exclude=_optional(raw.get("key_exclude")),
            min_entropy=float(raw.get("min_entropy", 0.0)),
            report=bool(raw.get("report", True)),
            material=_optional(raw.get("material")),
        )
        for raw in data.get("shape", [])
    )
    return SecretShapes(
        shapes=shapes,
        local_default_passwords=frozenset(data.get("local_default_passwords", [])),
        public_values=_compile(data.get("public_values", [])),
        demo_values=frozenset(data.get("demo_values", [])),
        compose_password_keys=_compile(data.get("compose_password_keys", [])),
        compose_password_key_exclude=_compile(data.get("compose_password_key_exclude", [])),
        flag_values=frozenset(v.lower() for v in data.get("flag_values", [])),
        public_secret_names=tuple(
            (re.compile(raw["regex"]), raw["description"]) for raw in data.get("public_secret_name", [])
        ),
    )
