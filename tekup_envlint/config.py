"""The settings a run uses, with the embedded Tekup profile as the default.

These are plain dataclasses so that a run with no config file never imports pydantic;
`config_file.py` validates a user's file into these same shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Dict, Literal, Optional, Tuple

Severity = Literal["info", "warning", "error"]


class ConfigError(Exception):
    """A configuration that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class SupabaseProject:
    ref: str
    region: Optional[str] = None
    pooler_host: Optional[str] = None  # e.g. aws-1-eu-central-1.pooler.supabase.com


@dataclass(frozen=True)
class DockerDatabase:
    """The local PostgreSQL that Docker runs for the monorepo."""

    host: str = "localhost"
    port: int = 5432
    user: str = "tekup"
    database: str = "tekup_db"
    image: str = "pgvector/pgvector:pg16"
    compose_file: Optional[str] = None  # read the values from this Compose file instead
    service: Optional[str] = None


DEFAULT_ENVIRONMENTS: Dict[str, Tuple[str, ...]] = {
    # environment name -> words in a file name that select it (first match wins, in order)
    "template": ("example", "sample", "template", "dist", "defaults", "tpl"),
    "test": ("test", "testing", "ci"),
    "production": ("production", "prod", "staging", "stage", "preview"),
    "development": ("development", "dev", "docker"),
    "local": ("local",),
}

# Archived code: drift, hybrid, schema, strategy and consistency findings there describe
# nothing that runs, but a secret in dead code is still a live leak, so credential rules
# (and syntax rules, which say what could not be checked) stay on.
_ARCHIVED_OFF = ("DRF", "HYB", "SCH", "STR", "CON")
DEFAULT_PER_PATH_IGNORES: Tuple[Tuple[str, Tuple[str, ...]], ...] = tuple(
    (glob, _ARCHIVED_OFF)
    for word in ("archive", "archived", "*-archived-*", "deprecated", "legacy")
    for glob in ((word, "*/" + word) if "*" not in word else (word,))
)


@dataclass(frozen=True)
class Config:
    primary: SupabaseProject = SupabaseProject(
        ref="oaevagdgrasfppbrxbey", region="eu-central-1"
    )
    legacy: Tuple[SupabaseProject, ...] = (SupabaseProject(ref="twaoebtlusudzxshjral"),)
    docker: DockerDatabase = DockerDatabase()
    schemas: Tuple[str, ...] = ("vault", "billy", "renos", "crm", "flow", "shared")
    prisma_schema: Optional[str] = None  # read declared schemas from this file too
    # app path glob -> the schema that app owns
    app_schemas: Tuple[Tuple[str, str], ...] = (
        ("*billy*", "billy"),
        ("*vault*", "vault"),
        ("*rendetalje*", "renos"),
        ("*renos*", "renos"),
        ("*crm*", "crm"),
        ("*flow*", "flow"),
    )
    app_roots: Tuple[str, ...] = ()  # globs of app folders; empty: nearest package manifest
    include: Tuple[str, ...] = ()  # extra globs of files to take
    exclude: Tuple[str, ...] = ()  # globs of files and folders to skip
    environments: Tuple[Tuple[str, Tuple[str, ...]], ...] = tuple(DEFAULT_ENVIRONMENTS.items())
    local_environments: Tuple[str, ...] = ("local", "development", "test", "compose")
    strategy: Optional[Literal["supabase", "docker"]] = None
    severity: Tuple[Tuple[str, Severity], ...] = ()  # rule code or prefix -> severity
    select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()
    # path glob -> rule codes or prefixes not reported there (ruff's per-file-ignores); a
    # glob matches a file's repo-relative path or any folder above it, `*` crosses folders
    per_path_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = DEFAULT_PER_PATH_IGNORES
    fail_on: Severity = "warning"  # lowest severity that makes `check` exit 1
    max_file_size: int = 2_000_000  # bytes; larger files are reported and skipped
    source: Optional[str] = field(default=None, compare=False)  # the file it came from

    def __hash__(self) -> int:
        """The hash of the compared fields, computed once: memoised helpers take the config
        as an argument and hashed all of it, nested tuples and all, on every call."""
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(tuple(getattr(self, f.name) for f in fields(self) if f.compare))
            object.__setattr__(self, "_hash", cached)
        return cached

    def __getstate__(self) -> Dict[str, object]:
        """Pickled without the cached hash: another process hashes strings differently."""
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}

    @property
    def supabase_refs(self) -> Tuple[str, ...]:
        return (self.primary.ref,) + tuple(p.ref for p in self.legacy)

    @property
    def legacy_refs(self) -> Tuple[str, ...]:
        return tuple(p.ref for p in self.legacy)


DEFAULT = Config()
