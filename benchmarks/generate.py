"""Generate a seeded synthetic monorepo for the benchmarks.

    python benchmarks/generate.py OUT --files 100000 [--apps N] [--seed 0] [--no-git]

The tree looks like the Tekup monorepo the linter was written for, scaled up:

* `apps/<group>/<app>/` folders, each with a `package.json`, source files under `src/`,
  a `node_modules/` (gitignored, must be skipped; it even holds a few `.env.example`
  files of its own, as real packages do) and sometimes a `dist/` build folder;
* 2-6 env files per app (`.env`, `.env.example`, `.env.local`, `.env.production`, ...)
  with realistic keys and shapes: Supabase pooler and direct DSNs, the legacy project,
  Docker PostgreSQL DSNs, split `PG*` settings, Supabase URLs and fake JWTs (well-formed,
  signed with random bytes), `${VAR}` references, comments, quotes and `export`;
* Compose files in both `environment` forms (a mapping and a list of `KEY=value`),
  Prisma schemas with `schemas = [...]` and `@@schema("...")`;
* a root `.gitignore` that ignores `node_modules/`, `dist/`, `.env` and `.env.local`,
  so that some env files exist only on disk (a developer's own), and a git repository
  (`git init` + `git add -A` + `git commit`).

`--files` is the number of files written, everything included (node_modules, sources,
config files); the number of apps defaults to one per 200 files, which gives about 4.6
configuration files per app. The same seed and sizes always give the same tree.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

PRIMARY = "oaevagdgrasfppbrxbey"
LEGACY = "twaoebtlusudzxshjral"
SCHEMAS = ("vault", "billy", "renos", "crm", "flow", "shared")
GROUPS = ("production", "web", "services", "internal", "tools", "experiments")
WORDS = (
    "billy", "vault", "renos", "crm", "flow", "ai", "portal", "admin", "invoice", "gateway",
    "mailer", "scheduler", "booking", "search", "ledger", "sync", "notify", "catalog",
    "auth", "media", "reports", "quotes", "chat", "agent", "import", "export", "api", "web",
)
ENV_FILES = (
    # name, weight, ignored by the root .gitignore
    (".env.example", 10, False),
    (".env", 8, True),
    (".env.local", 4, True),
    (".env.development", 3, False),
    (".env.production", 3, False),
    (".env.test", 2, False),
    (".env.staging", 1, False),
    (".env.docker", 1, False),
    ("env.sample", 1, False),
)
GITIGNORE = """\
node_modules/
dist/
.turbo/
coverage/
.env
.env.local
.env.*.local
*.log
"""
FILES_PER_APP = 200


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def fake_jwt(rng: random.Random, ref: str, role: str) -> str:
    """A well-formed Supabase-style JWT whose signature is random bytes (it verifies nothing)."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    iat = 1_700_000_000 + rng.randrange(50_000_000)
    claims = {"iss": "supabase", "ref": ref, "role": role, "iat": iat, "exp": iat + 315_360_000}
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{header}.{payload}.{_b64(rng.randbytes(32))}"


def _token(rng: random.Random, n: int, alphabet: str = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


class App:
    def __init__(self, rng: random.Random, path: str, name: str) -> None:
        self.rng = rng
        self.path = path
        self.name = name
        self.schema = next((s for s in SCHEMAS if s in name), rng.choice(SCHEMAS))
        # what the app is on: most are on one provider, some are half-migrated
        self.style = rng.choices(("supabase", "docker", "hybrid", "legacy"), weights=(5, 3, 2, 1))[0]


def _dsn(rng: random.Random, app: App, provider: str, env: str) -> str:
    schema = app.schema
    if provider == "docker":
        host = rng.choice(("localhost", "127.0.0.1", "postgres", "tekup-database-postgres"))
        password = rng.choice(("tekup123", "${POSTGRES_PASSWORD}", "tekup"))
        return f"postgresql://tekup:{password}@{host}:5432/tekup_db?schema={schema}"
    if provider == "legacy":
        return f"postgresql://postgres:{_token(rng, 16)}@db.{LEGACY}.supabase.co:5432/postgres"
    if env == "template":
        password = rng.choice(("[YOUR-PASSWORD]", "your_password", "${SUPABASE_DB_PASSWORD}"))
    else:
        password = rng.choice((_token(rng, 20), "${SUPABASE_DB_PASSWORD}"))
    port = rng.choice((6543, 5432))
    extra = "&pgbouncer=true" if port == 6543 else ""
    return (f"postgresql://postgres.{PRIMARY}:{password}@aws-1-eu-central-1.pooler.supabase.com:{port}/"
            f"postgres?schema={schema}{extra}")


def env_text(rng: random.Random, app: App, name: str) -> str:
    template = any(w in name for w in ("example", "sample"))
    env = "template" if template else name
    provider = {"hybrid": rng.choice(("supabase", "docker")), "legacy": "legacy"}.get(app.style, app.style)
    ref = LEGACY if provider == "legacy" else PRIMARY
    lines: List[str] = [f"# {app.name}: {name}", f"NODE_ENV={rng.choice(('development', 'production', 'test'))}",
                        f"PORT={rng.choice((3000, 3001, 4000, 8080))}", ""]
    lines.append("# Database")
    lines.append(f"DATABASE_URL={_dsn(rng, app, provider, env)}")
    if rng.random() < 0.5:
        lines.append(f'DIRECT_URL="{_dsn(rng, app, provider, env)}"')
    if app.style == "hybrid" and not template:
        lines.append(f"DATABASE_URL_{app.schema.upper()}={_dsn(rng, app, 'docker', env)}")
    if rng.random() < 0.2:
        lines += ["PGHOST=localhost", "PGPORT=5432", "PGUSER=tekup", "PGPASSWORD=tekup123", "PGDATABASE=tekup_db"]
    lines.append("")
    if provider != "docker" or rng.random() < 0.4:
        lines.append("# Supabase")
        lines.append(f"SUPABASE_URL=https://{ref}.supabase.co")
        if template:
            lines += ["SUPABASE_ANON_KEY=your_supabase_anon_key", "SUPABASE_SERVICE_ROLE_KEY="]
        else:
            lines.append(f"SUPABASE_ANON_KEY={fake_jwt(rng, ref, 'anon')}")
            if rng.random() < 0.6:
                lines.append(f"SUPABASE_SERVICE_ROLE_KEY='{fake_jwt(rng, ref, 'service_role')}'")
        if rng.random() < 0.4:
            lines.append("NEXT_PUBLIC_SUPABASE_URL=${SUPABASE_URL}")
    lines.append("")
    lines.append("# Other services")
    for _ in range(rng.randrange(3, 12)):
        key = rng.choice(("REDIS_URL", "SENTRY_DSN", "LOG_LEVEL", "API_BASE_URL", "FEATURE_FLAGS",
                          "SMTP_HOST", "SMTP_PORT", "OPENAI_MODEL", "CACHE_TTL", "JWT_ISSUER", "TIMEZONE"))
        value = rng.choice(("redis://localhost:6379", "info", "https://api.example.com", "a,b,c",
                            "smtp.example.com", "587", "gpt-4o-mini", "3600", "Europe/Copenhagen"))
        prefix = "export " if rng.random() < 0.05 else ""
        lines.append(f"{prefix}{key}={value}")
    if not template and rng.random() < 0.5:
        lines.append(f"SESSION_SECRET={_token(rng, 40)}")
    if template:
        lines.append("OPENAI_API_KEY=sk-...")
    return "\n".join(lines) + "\n"


def compose_text(rng: random.Random, app: App, list_form: bool) -> str:
    password = rng.choice(("tekup123", "${POSTGRES_PASSWORD:-tekup123}", "${POSTGRES_PASSWORD}"))
    env_map = {"POSTGRES_USER": "tekup", "POSTGRES_PASSWORD": password, "POSTGRES_DB": "tekup_db"}
    app_env = {"NODE_ENV": "production", "DATABASE_URL": f"postgresql://tekup:{password}@postgres:5432/tekup_db?schema={app.schema}"}
    if list_form:
        pg = "\n".join(f'      - "{k}={v}"' if "$" in v else f"      - {k}={v}" for k, v in env_map.items())
        svc = "\n".join(f'      - "{k}={v}"' for k, v in app_env.items())
    else:
        pg = "\n".join(f'      {k}: "{v}"' if "$" in v else f"      {k}: {v}" for k, v in env_map.items())
        svc = "\n".join(f'      {k}: "{v}"' for k, v in app_env.items())
    image = rng.choice(("pgvector/pgvector:pg16", "postgres:16-alpine", "postgres:15"))
    return f"""services:
  postgres:
    image: {image}
    container_name: {app.name}-postgres
    environment:
{pg}
    ports:
      - "5432:5432"
    volumes:
      - pgdata:/var/lib/postgresql/data
  {app.name}:
    build: .
    env_file:
      - .env
    environment:
{svc}
    depends_on:
      - postgres

volumes:
  pgdata:
"""


def prisma_text(rng: random.Random, app: App) -> str:
    models = []
    for i in range(rng.randrange(3, 10)):
        schema = app.schema if rng.random() < 0.8 else rng.choice(SCHEMAS)
        models.append(f"""model {app.name.title().replace('-', '')}Model{i} {{
  id        String   @id @default(uuid())
  name      String
  createdAt DateTime @default(now())

  @@schema("{schema}")
}}
""")
    schemas = ", ".join(f'"{s}"' for s in SCHEMAS)
    return f"""generator client {{
  provider        = "prisma-client-js"
  previewFeatures = ["multiSchema"]
}}

datasource db {{
  provider  = "postgresql"
  url       = env("DATABASE_URL")
  directUrl = env("DIRECT_URL")
  schemas   = [{schemas}]
}}

""" + "\n".join(models)


def source_text(rng: random.Random, app: App, i: int) -> str:
    # a few lines that mention env names, as real code does (a scan must not read these)
    return (f"import {{ config }} from '../config';\n\nexport function handler{i}(input: string) {{\n"
            f"  const url = process.env.DATABASE_URL ?? '';\n  return `${{input}}:{app.schema}:{rng.randrange(10**6)}`;\n}}\n")


def plan_apps(rng: random.Random, count: int) -> List[App]:
    apps: List[App] = []
    used = set()
    for i in range(count):
        group = GROUPS[i % len(GROUPS)] if count > 6 else GROUPS[i % 2]
        base = f"tekup-{rng.choice(WORDS)}"
        name = base
        n = 2
        while (group, name) in used:
            name = f"{base}-{n}"
            n += 1
        used.add((group, name))
        apps.append(App(rng, f"apps/{group}/{name}", name))
    return apps


def generate(out: Path, files: int, apps: Optional[int] = None, seed: int = 0, git: bool = True) -> Dict[str, int]:
    """Write the tree under `out` (which must not exist); returns counts of what was written."""
    rng = random.Random(seed)
    if out.exists():
        raise SystemExit(f"{out} exists; remove it first")
    n_apps = apps if apps is not None else max(2, files // FILES_PER_APP)
    planned = plan_apps(rng, n_apps)
    written: Dict[str, str] = {}  # rel path -> content, written at the end in one pass
    counts = {"files": 0, "config": 0, "ignored_config": 0, "node_modules": 0, "apps": n_apps}

    def put(rel: str, text: str) -> None:
        written[rel] = text

    put(".gitignore", GITIGNORE)
    put("package.json", json.dumps({"name": "tekup", "private": True, "workspaces": ["apps/*/*", "packages/*"]}, indent=2) + "\n")
    put("README.md", "# Tekup monorepo (synthetic)\n")
    db = App(rng, "packages/database", "tekup-database")
    db.style = "docker"
    put("packages/database/package.json", json.dumps({"name": "@tekup/database"}) + "\n")
    put("packages/database/docker-compose.yml", compose_text(rng, db, list_form=False))
    put("packages/database/prisma/schema.prisma", prisma_text(rng, db))
    put("packages/database/.env.example", env_text(rng, db, ".env.example"))

    for app in planned:
        put(f"{app.path}/package.json", json.dumps({"name": f"@tekup/{app.name}", "version": "1.0.0"}) + "\n")
        names = [n for n, _, _ in ENV_FILES]
        weights = [w for _, w, _ in ENV_FILES]
        chosen: List[str] = []
        wanted = rng.randrange(2, 7)
        while len(chosen) < wanted:  # weighted, without repeats
            pick = rng.choices(names, weights=weights)[0]
            if pick not in chosen:
                chosen.append(pick)
        for name in chosen:
            put(f"{app.path}/{name}", env_text(rng, app, name))
        if rng.random() < 0.5:
            put(f"{app.path}/docker-compose.yml", compose_text(rng, app, list_form=rng.random() < 0.5))
            if rng.random() < 0.25:
                put(f"{app.path}/docker-compose.prod.yml", compose_text(rng, app, list_form=rng.random() < 0.5))
        if rng.random() < 0.4:
            put(f"{app.path}/prisma/schema.prisma", prisma_text(rng, app))

    # fill up to `files` with sources (about 60%), node_modules (about 35%) and dist output
    remaining = max(0, files - len(written))
    per_app = remaining // max(1, len(planned))
    extra = remaining - per_app * len(planned)
    for index, app in enumerate(planned):
        budget = per_app + (1 if index < extra else 0)
        n_modules = budget * 35 // 100
        n_dist = budget * 5 // 100 if rng.random() < 0.5 else 0
        n_src = budget - n_modules - n_dist
        for i in range(n_src):
            module = f"m{i // 12}"
            ext = rng.choice((".ts", ".ts", ".tsx", ".json", ".md"))
            put(f"{app.path}/src/{module}/file{i}{ext}", source_text(rng, app, i))
        pkgs = max(1, n_modules // 15)
        for i in range(n_modules):
            pkg = f"pkg{i % pkgs}"
            if i < pkgs and i % 7 == 3:
                put(f"{app.path}/node_modules/{pkg}/.env.example", "SECRET=not-ours\n")
            else:
                put(f"{app.path}/node_modules/{pkg}/lib/f{i}.js", f"module.exports = {i};\n")
        for i in range(n_dist):
            put(f"{app.path}/dist/chunk{i}.js", f"console.log({i});\n")

    ignored_env = {n for n, _, ig in ENV_FILES if ig}
    for rel, text in written.items():
        base = rel.rsplit("/", 1)[-1]
        if "/node_modules/" in rel:
            counts["node_modules"] += 1
        elif base.startswith((".env", "env.")) or base.endswith((".yml", ".prisma")):
            counts["config"] += 1
            counts["ignored_config"] += base in ignored_env
    counts["files"] = len(written)

    out.mkdir(parents=True)
    made = set()
    for rel, text in written.items():
        parent = os.path.dirname(rel)
        if parent not in made:
            os.makedirs(out / parent, exist_ok=True)
            made.add(parent)
        with open(out / rel, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    if git:
        run_git(out)
        with open(out / ".git" / "info" / "exclude", "a", encoding="utf-8") as handle:
            handle.write(".bench-tree.json\n")  # the marker below is no file of the monorepo
    (out / ".bench-tree.json").write_text(json.dumps(counts), encoding="utf-8")
    return counts


def run_git(out: Path) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.com",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.com",
               GIT_AUTHOR_DATE="2025-01-01T00:00:00Z", GIT_COMMITTER_DATE="2025-01-01T00:00:00Z")
    quiet = {"check": True, "env": env, "stdout": subprocess.DEVNULL}
    subprocess.run(["git", "init", "-q", "-b", "main", str(out)], **quiet)
    subprocess.run(["git", "-C", str(out), "add", "-A"], **quiet)
    subprocess.run(["git", "-C", str(out), "commit", "-q", "-m", "synthetic monorepo"], **quiet)


def tree(base: Path, files: int, apps: Optional[int] = None, seed: int = 0, git: bool = True) -> Path:
    """The cached tree for these parameters under `base`, generated on first use."""
    name = f"tree-{files}-{apps if apps is not None else 'auto'}-{seed}{'' if git else '-nogit'}"
    out = base / name
    if (out / ".bench-tree.json").is_file():
        return out
    if out.exists():
        shutil.rmtree(out)
    generate(out, files, apps, seed, git)
    return out


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=8000)
    parser.add_argument("--apps", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-git", action="store_true")
    args = parser.parse_args(argv)
    counts = generate(args.out, args.files, args.apps, args.seed, not args.no_git)
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
