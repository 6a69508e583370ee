"""Find the configuration files of a monorepo and say whose they are.

Inside a git work tree git's own view is used (two `git ls-files` calls: what is or
would be committed, and what is ignored); elsewhere the tree is walked with pruning.
Each file gets its kind (dotenv, compose, prisma), its app and its environment.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from tekup_envlint.config import Config
from tekup_envlint.models import SourceFile

SKIP_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "node_modules", "bower_components", "jspm_packages",
        ".venv", "venv", ".tox", ".nox", "__pycache__", "site-packages", ".mypy_cache",
        ".pytest_cache", ".ruff_cache", ".next", ".nuxt", ".svelte-kit", ".turbo",
        ".cache", ".parcel-cache", ".yarn", ".pnpm-store", ".terraform", "vendor",
        "third_party", "dist", "build", "coverage", ".idea", ".vscode",
    }
)
MANIFESTS = frozenset(
    {
        "package.json", "pyproject.toml", "setup.py", "setup.cfg", "Cargo.toml", "go.mod",
        "composer.json", "Gemfile", "pom.xml", "build.gradle", "build.gradle.kts",
        "deno.json", "mix.exs",
    }
)
# Files whose presence says a folder is a monorepo's workspace root, not an app.
WORKSPACE_MARKERS = frozenset({"pnpm-workspace.yaml", "turbo.json", "nx.json", "lerna.json", "go.work", "rush.json"})
# Manifests that declare workspaces in their content: (file name, what it holds).
_WORKSPACE_DECLARATIONS = (
    ("package.json", re.compile(r'"workspaces"\s*:')),
    ("pyproject.toml", re.compile(r"^\[tool\.(?:uv\.workspace|pdm\.workspace|hatch\.workspace)\]", re.M)),
    ("Cargo.toml", re.compile(r"^\[workspace\]", re.M)),
)
_MANIFEST_READ_CAP = 1_000_000
_CODE_SUFFIXES = (
    ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".py", ".rb", ".go", ".rs", ".php",
    ".json", ".yml", ".yaml", ".toml", ".md", ".sh", ".ps1", ".bat", ".txt", ".lock",
    ".d.ts", ".java", ".kt", ".swift", ".cs", ".html", ".vue", ".svelte",
)
_ENV_WORD = re.compile(r"^(?:example|sample|template|tmpl|tpl|dist|defaults?|local|dev|"
                       r"development|prod|production|staging|stage|test|testing|ci|"
                       r"preview|docker|compose)$")
# `docker-compose.override.yml.example` and kin: a Compose template is a Compose file too
_COMPOSE = re.compile(r"^(?:docker-)?compose(?:[.\-_][^/]*)?\.ya?ml(?:[.\-_](?:example|sample|template|tmpl|tpl|dist|defaults?))?$")
_TOKEN_SPLIT = re.compile(r"[.\-_]+")


def file_kind(name: str, parent: str = "") -> Optional[str]:
    """The kind of configuration a file name holds, or None for anything else."""
    lower = name.lower()
    if _COMPOSE.match(lower):
        return "compose"
    if lower == "schema.prisma" or (lower.endswith(".prisma") and parent in ("schema", "prisma")):
        return "prisma"
    if lower == ".env":
        return "dotenv"
    if lower.endswith(_CODE_SUFFIXES) or lower == ".envrc":
        return None
    if lower.startswith((".env.", ".env-", ".env_")) or (lower.endswith(".env") and len(lower) > 4):
        return "dotenv"
    if lower.startswith(("env.", "env-", "env_")):
        words = [w for w in _TOKEN_SPLIT.split(lower[4:]) if w]
        if words and all(_ENV_WORD.match(w) for w in words):
            return "dotenv"
    return None


def environment_of(name: str, kind: str, config: Config) -> str:
    """The environment a file serves, from the words in its name (first match in config order)."""
    if kind == "compose":
        words = set(_TOKEN_SPLIT.split(name.lower())) - {"docker", "compose", "yml", "yaml"}
        for env, markers in config.environments:
            if env != "template" and words & set(markers):
                return env
        return "compose"
    if kind == "prisma":
        return "default"
    words = set(_TOKEN_SPLIT.split(name.lower())) - {"env", ""}
    for env, markers in config.environments:
        if words & set(markers):
            return env
    return "default"


def _matches(path: str, patterns: Sequence[str]) -> bool:
    """fnmatch a repo-relative path, or any of its parent folders, against globs."""
    if not patterns:
        return False
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(fnmatchcase(c, p) for p in patterns for c in candidates)


def _git_listing(root: Path, folders: Sequence[str] = ()) -> Optional[Tuple[List[str], List[str]]]:
    """(committed or committable paths, ignored paths) under root, or None outside git.

    With `folders` (repo-relative, for a scan scoped to some apps) git lists only those
    folders, plus any ignored folder that holds one of them: the caller still filters by
    prefix, so the result is the same, but git no longer walks the whole work tree for a
    pre-commit run on one app.

    Repository config that could run a program (core.fsmonitor) is switched off: the
    linter never executes anything from the repository.
    """
    base = ["git", "--literal-pathspecs", "-c", "core.fsmonitor=false", "-c", "core.untrackedCache=false",
            "-C", str(root)]
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0")
    pathspecs = ["--", *folders] if folders else []
    # Both listings run at once: each walks the work tree, and on a large repository
    # they take about as long as each other, so two cores halve the wait.
    commands = (
        base + ["ls-files", "-z", "--cached", "--others", "--exclude-standard"] + pathspecs,
        base + ["ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"] + pathspecs,
    )
    started: List["subprocess.Popen[bytes]"] = []
    try:
        for command in commands:
            started.append(subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
            ))
        outputs = [process.communicate() for process in started]
    except OSError:
        for process in started:
            process.kill()
            process.wait()
        return None
    (live, _), (ignored, _) = outputs
    if started[0].returncode != 0:
        return None

    def split(out: bytes) -> List[str]:
        return [p for p in os.fsdecode(out).split("\0") if p]

    return split(live), split(ignored) if started[1].returncode == 0 else []


def ignored_by_git(root: Path, paths: Sequence[str]) -> Set[str]:
    """Which of these repo-relative paths (existing or not) the repository's ignore rules
    match, tracked or not (`git check-ignore --no-index`); empty outside git or on error.

    The workspace asks this of names a convention implies (is `.env.local` meant to stay
    uncommitted here?). Same safety as `_git_listing`: nothing from the repository runs.
    """
    if not paths:
        return set()
    command = ["git", "-c", "core.fsmonitor=false", "-C", str(root),
               "check-ignore", "--no-index", "--stdin", "-z"]
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0")
    try:
        done = subprocess.run(command, input=os.fsencode("\0".join(paths) + "\0"), stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, env=env, check=False)
    except OSError:
        return set()
    if done.returncode not in (0, 1):  # 1: none of them is ignored
        return set()
    return {p for p in os.fsdecode(done.stdout).split("\0") if p}


def _walk(top: Path, root: Path, config: Config) -> Iterable[str]:
    """Repo-relative paths under top, pruning vendored and excluded folders."""
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        dirnames[:] = [
            d for d in dirnames
            if d not in SKIP_DIRS and not _matches(rel_dir + d, config.exclude)
        ]
        # a directory whose name looks like a config file (a folder called `.env`) is
        # reported by the reader, so keep it as an entry
        for d in dirnames:
            if file_kind(d):
                filenames.append(d)
        for f in filenames:
            yield rel_dir + f


def app_of(
    path: str, config: Config, has_manifest: Callable[[str], bool],
    declares_workspaces: Callable[[str], bool] = lambda folder: False,
) -> str:
    """The app a repo-relative file belongs to.

    With `app-roots` globs, the shallowest folder that matches one; otherwise the nearest
    folder holding a package manifest; else the repository root ("."). A workspace root (a
    manifest that declares workspaces: `package.json` `workspaces`, `pnpm-workspace.yaml`,
    `turbo.json`, `nx.json`, a uv or Cargo workspace) is no app for the folders below it
    that lack a manifest: such a folder (`docker/`, `supabase/`) is its own unit.
    """
    parts = path.split("/")[:-1]
    folders = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    if config.app_roots:
        return next((f for f in folders if any(fnmatchcase(f, g) for g in config.app_roots)), ".")
    nearest = next((f for f in reversed(folders) if has_manifest(f)), ".")
    own = folders[-1] if folders else "."
    if own != nearest and declares_workspaces("" if nearest == "." else nearest):
        return own
    return nearest


def _workspace_root_test(root: Path, names: Callable[[str], Set[str]]) -> Callable[[str], bool]:
    """Whether a folder ("" for the root) is a workspace root; each folder's manifests are read
    at most once, and only those of folders some configuration file asks about."""
    memo: Dict[str, bool] = {}

    def declares(folder: str) -> bool:
        if folder not in memo:
            present = names(folder)
            found = bool(present & WORKSPACE_MARKERS)
            for name, pattern in _WORKSPACE_DECLARATIONS:
                if found or name not in present:
                    continue
                full = root / folder / name
                try:
                    if full.is_symlink() or full.stat().st_size > _MANIFEST_READ_CAP:
                        continue
                    found = bool(pattern.search(full.read_text(encoding="utf-8", errors="replace")))
                except OSError:
                    continue
            memo[folder] = found
        return memo[folder]

    return declares


def app_folder_of(root: Path, path: str, config: Config) -> str:
    """The app of one file, looking for manifests on disk (for a scan scoped to some files)."""
    names = WORKSPACE_MARKERS | MANIFESTS

    def present(folder: str) -> Set[str]:
        return {n for n in names if (root / folder / n).is_file()}

    return app_of(path, config, lambda folder: any((root / folder / m).is_file() for m in MANIFESTS),
                  _workspace_root_test(root, present))


def _link_problem(full: Path, root_real: str) -> Optional[str]:
    """Why a symlink may not be followed, or None when it stays inside the root."""
    try:
        target = str(full.resolve(strict=True))
    except (OSError, RuntimeError):
        return "is a symlink that loops or points at nothing; not followed"
    if target != root_real and not target.startswith(root_real + os.sep):
        return "is a symlink that leads outside the scanned root; not followed"
    return None


def _outside_problem(full: Path, root_real: str) -> Optional[str]:
    """Why a file the configuration names may not be read (`../x`, `/etc/x`, or a path
    through a folder symlink that leaves the root), or None when it is inside the root."""
    target = os.path.realpath(full)
    if target != root_real and not target.startswith(root_real + os.sep):
        return "is outside the scanned root (named by the configuration); not read"
    return None


def discover(root: Path, config: Config, scope: Optional[Sequence[str]] = None) -> List[SourceFile]:
    """Every configuration file under root (or under the repo-relative folders in scope)."""
    root = root.resolve()
    prefixes = tuple(s.rstrip("/") + "/" for s in scope if s not in (".", "")) if scope else ()
    # a pathspec per scoped folder; past a few hundred, one listing of everything is cheaper
    listing = _git_listing(root, [p.rstrip("/") for p in prefixes] if 0 < len(prefixes) <= 256 else ())
    ignored_set: Set[str] = set()
    if listing is None:
        tops = [root / s for s in scope] if scope else [root]
        paths = [p for top in tops for p in _walk(top, root, config)]
        ignored_dirs: List[str] = []
    else:
        paths, ignored = listing
        ignored_dirs = [p.rstrip("/") for p in ignored if p.endswith("/")]
        ignored_files = [p for p in ignored if not p.endswith("/")]
        ignored_set = set(ignored_files)
        # ignored folders (other than vendored ones) may hold a developer's own .env
        for d in ignored_dirs:
            if not any(part in SKIP_DIRS for part in d.split("/")):
                for p in _walk(root / d, root, config):
                    ignored_set.add(p)
        paths = paths + sorted(ignored_set)
        if prefixes:
            paths = [p for p in paths if p.startswith(prefixes)]

    # files the config names are taken whatever their names (the Docker database's Compose
    # file, the Prisma schema that declares the schemas)
    named = [p for p in (config.docker.compose_file, config.prisma_schema) if p]
    paths = paths + [p for p in named if p not in paths and (root / p).is_file()]
    manifest_dirs = {p.rsplit("/", 1)[0] if "/" in p else "" for p in paths if p.rsplit("/", 1)[-1] in MANIFESTS}
    names_by_dir: Dict[str, Set[str]] = {}
    for p in paths:
        folder, _, name = p.rpartition("/")
        if name in MANIFESTS or name in WORKSPACE_MARKERS:
            names_by_dir.setdefault(folder, set()).add(name)
    declares_workspaces = _workspace_root_test(root, lambda folder: names_by_dir.get(folder, set()))
    root_real = os.path.realpath(root)
    found: Dict[str, SourceFile] = {}
    for path in paths:
        parts = path.split("/")
        name, parent = parts[-1], parts[-2] if len(parts) > 1 else ""
        kind = file_kind(name, parent)
        if path in named:
            kind = "compose" if path == config.docker.compose_file else "prisma"
        if kind is None or path in found:
            continue
        if any(part in SKIP_DIRS for part in parts[:-1]):
            continue
        if _matches(path, config.exclude) or (config.include and not _matches(path, config.include)):
            continue
        full = root / path
        skip = None
        try:
            st = os.lstat(full)
        except OSError:
            continue  # deleted in the work tree but still in git's index
        if stat.S_ISLNK(st.st_mode):
            skip = _link_problem(full, root_real)
        if skip is None and path in named:
            skip = _outside_problem(full, root_real)
        found[path] = SourceFile(
            path=path,
            kind=kind,
            app=app_of(path, config, manifest_dirs.__contains__, declares_workspaces),
            env=environment_of(name, kind, config),
            tracked=path not in ignored_set,
            ignored=path in ignored_set,
            skip=skip,
            in_git=listing is not None,
        )
    return sorted(found.values(), key=lambda f: f.path)
