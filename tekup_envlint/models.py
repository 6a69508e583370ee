"""The plain data that flows between the stages.

Every stage takes these shapes from the one before it and returns new ones; nothing
here knows about files on disk, configuration or output.

Offsets are code-point offsets into a file's *text*: its bytes decoded as UTF-8 with
nothing translated (a BOM stays as U+FEFF at offset 0, CRLF stays CR LF). Lines and
columns are 1-based and count code points.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Tuple


@dataclass(frozen=True)
class Span:
    """A half-open range ``[start, end)`` of a file's text with its 1-based start position."""

    start: int
    end: int
    line: int
    column: int


@dataclass(frozen=True)
class SourceFile:
    """A configuration file found by discovery."""

    path: str  # repo-relative, forward slashes
    kind: str  # "dotenv" | "compose" | "prisma"
    app: str  # the app root, repo-relative ("." for the repository root)
    env: str  # template | local | development | test | production | compose | default
    tracked: bool  # committed, or would be committed (not gitignored)
    ignored: bool = False  # gitignored
    skip: Optional[str] = None  # why it cannot be read (a symlink out of the root, ...)
    in_git: bool = False  # found through git (inside a work tree); `tracked` is then git's word


@dataclass(frozen=True)
class Problem:
    """Something a parser could not read, reported as data under a rule code."""

    code: str
    message: str
    span: Span


@dataclass(frozen=True)
class Setting:
    """One ``KEY=value`` pair: a dotenv line or a Compose ``environment`` entry.

    ``value`` is what a reader gets (quotes and escapes removed) but not interpolated;
    ``None`` means the key has no value at all (``KEY`` with no ``=``).
    ``value_span`` covers the value as written, quotes included.
    """

    key: str
    value: Optional[str]
    key_span: Span
    value_span: Optional[Span]
    quote: str = ""  # "", "'", '"' (or a YAML style: "|", ">")
    service: str = ""  # the Compose service that holds it; "" in dotenv files


@dataclass(frozen=True)
class EnvFileRef:
    """An ``env_file`` entry of a Compose service."""

    path: str  # as written, relative to the Compose file
    required: bool
    span: Span


@dataclass(frozen=True)
class ComposeService:
    """A service of a Compose file with what matters for its database."""

    name: str
    span: Span  # the service key
    image: Optional[str] = None
    image_span: Optional[Span] = None
    environment: Tuple[Setting, ...] = ()
    env_files: Tuple[EnvFileRef, ...] = ()
    ports: Tuple[Tuple[str, Span], ...] = ()  # each port entry as written
    build_context: Optional[str] = None  # `build:` or `build.context`, relative to the Compose file
    dockerfile: Optional[str] = None  # `build.dockerfile`, relative to the context
    volumes: Tuple[str, ...] = ()  # each volume entry as `source:target[:mode]`


@dataclass(frozen=True)
class Interpolation:
    """A ``${VAR}`` reference in a Compose file."""

    name: str
    operator: str  # "", ":-", "-", ":?", "?", ":+", "+"
    default: Optional[str]
    span: Span


@dataclass(frozen=True)
class PrismaValue:
    """A datasource field: either ``env("NAME")`` or a literal string."""

    env: Optional[str]
    literal: Optional[str]
    span: Span


@dataclass(frozen=True)
class PrismaDatasource:
    name: str
    span: Span
    provider: Optional[str] = None
    url: Optional[PrismaValue] = None
    direct_url: Optional[PrismaValue] = None
    schemas: Tuple[Tuple[str, Span], ...] = ()
    # `extensions = [...]`: each extension's database name (its `map:` when given) and span
    extensions: Tuple[Tuple[str, Span], ...] = ()


@dataclass(frozen=True)
class PrismaModel:
    """A ``model`` (or ``view``) block: the table it maps to and the schema it lives in."""

    name: str
    span: Span  # the model's name
    table: str  # ``@@map("...")``, else the model's name
    schema: Optional[str] = None  # ``@@schema("...")``; None: the datasource's default
    kind: str = "model"  # "model" | "view"


@dataclass(frozen=True)
class ParsedFile:
    """What a parser read from one file."""

    source: SourceFile
    text: str
    settings: Tuple[Setting, ...] = ()
    services: Tuple[ComposeService, ...] = ()
    interpolations: Tuple[Interpolation, ...] = ()
    datasources: Tuple[PrismaDatasource, ...] = ()
    model_schemas: Tuple[Tuple[str, Span], ...] = ()  # every @@schema("x")
    models: Tuple[PrismaModel, ...] = ()
    problems: Tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Target:
    """Where a connection-bearing setting points.

    ``kind`` is one of supabase, legacy-vault, supabase-local, docker, other,
    placeholder, unresolved. ``secret_state`` is absent, placeholder, reference or
    literal. The secret itself is never stored here.
    """

    kind: str
    source: str  # "dsn" | "supabase-url" | "supabase-key" | "pg-vars" | "compose-service"
    host: Optional[str] = None
    port: Optional[int] = None
    database: Optional[str] = None
    schema: Optional[str] = None
    user: Optional[str] = None
    secret_state: str = "absent"
    project_ref: Optional[str] = None
    pooler_mode: Optional[str] = None  # "session" | "transaction" | None
    role: Optional[str] = None  # JWT role claim, or "publishable"/"secret" for sb_ keys
    jwt_ref: Optional[str] = None
    jwt_exp: Optional[int] = None
    jwt_iss: Optional[str] = None
    params: Tuple[Tuple[str, str], ...] = ()  # DSN query parameters, in order


@dataclass(frozen=True)
class Edit:
    """A replacement of ``[start, end)`` of one file's text (`edits.apply_edits`).

    A file that does not exist yet is the empty text: an insertion at 0 creates it.
    """

    path: str  # repo-relative, forward slashes
    start: int  # offset into the file's original text
    end: int  # start == end inserts; replacement "" deletes
    replacement: str


@dataclass(frozen=True)
class Fix:
    """The edits that resolve one finding, and what a person must still do afterwards."""

    title: str  # what the fix does, for `--show-fixes` ("DATABASE_URL -> Supabase pooler")
    edits: Tuple[Edit, ...]
    applicability: str = "safe"  # "safe" | "unsafe" (ruff's meaning)
    notes: Tuple[str, ...] = ()  # lines for the plan: a key to fetch, where a secret went


@dataclass(frozen=True)
class Related:
    """Another place a finding involves (the other settings of a hybrid load set)."""

    path: str
    line: int
    column: int
    key: Optional[str] = None


@dataclass(frozen=True)
class Finding:
    code: str
    category: str
    severity: str
    path: str
    line: int
    column: int
    app: str
    key: Optional[str]
    message: str
    fix: Optional[Fix] = None
    fingerprint: str = field(default="", compare=False)  # code, path, key and a value hash
    related: Tuple[Related, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Hit:
    """What a check reports: what and where. The engine stamps code, category and severity."""

    path: str
    span: Span
    app: str
    key: Optional[str]
    message: str
    value: Optional[str] = None  # the offending value; only its hash leaves the engine
    fix: Optional[Fix] = None
    related: Tuple[Related, ...] = ()
