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
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from tekup_envlint.config import Config
from tekup_envlint.models import SourceFile
from tekup_envlint.parsers import read_small

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


_WILDCARD = re.compile(r"[*?\[]")
_GLOBS_PER_REGEX = 256  # compiling one alternation grows faster than its size; chunks stay linear


class Globs:
    """fnmatch globs compiled once into one matcher (`fnmatchcase` semantics).

    Trying each glob on each path with `fnmatchcase` cost globs x paths, and beyond the size
    of fnmatch's own cache every call compiled its glob again: a configuration with tens of
    thousands of globs took minutes. Literal globs are a set; the others are a few
    alternations, each compiled once.
    """

    def __init__(self, patterns: Sequence[str]) -> None:
        from fnmatch import translate

        self.literals = frozenset(p for p in patterns if not _WILDCARD.search(p))
        wild = [translate(p) for p in dict.fromkeys(patterns) if _WILDCARD.search(p)]
        self.regexes = tuple(
            re.compile("|".join(wild[i : i + _GLOBS_PER_REGEX])) for i in range(0, len(wild), _GLOBS_PER_REGEX)
        )
        self._folders: Dict[str, bool] = {}

    def __bool__(self) -> bool:
        return bool(self.literals or self.regexes)

    def match(self, text: str) -> bool:
        return text in self.literals or any(regex.match(text) for regex in self.regexes)

    def match_path(self, path: str) -> bool:
        """The repo-relative path, or any of its parent folders, matches a glob."""
        if not self:
            return False
        return ("/" in path and self._folder(path.rpartition("/")[0])) or self.match(path)

    def _folder(self, folder: str) -> bool:
        """The folder or one above it matches; remembered, since a tree's paths share their folders."""
        known = self._folders
        hit = known.get(folder)
        if hit is not None:
            return hit
        chain = [folder]  # the folder and those above it whose answer is not known yet
        while "/" in chain[-1] and chain[-1].rpartition("/")[0] not in known:
            chain.append(chain[-1].rpartition("/")[0])
        above = chain[-1].rpartition("/")[0]
        hit = "/" in chain[-1] and known[above]
        if len(known) > 1 << 16:
            known.clear()
        for name in reversed(chain):
            hit = hit or self.match(name)
            known[name] = hit
        return hit


@lru_cache(maxsize=16)
def globs(patterns: Tuple[str, ...]) -> Globs:
    return Globs(patterns)


def _matches(path: str, patterns: Sequence[str]) -> bool:
    """fnmatch a repo-relative path, or any of its parent folders, against globs."""
    return bool(patterns) and globs(tuple(patterns)).match_path(path)


#: Seconds all of git's listings of one scan may take together. `git ls-files` answers in
#: well under a second on a 100k-file tree; it only waits this long when something blocks
#: it (a FIFO where it reads a control file, such as a `.gitignore`).
GIT_TIMEOUT = 5.0
#: How deep repositories nested in repositories (submodules, untracked clones) are listed.
_MAX_NESTING = 3


# git's own answer to "where is the top of the work tree" depends on these; with any of
# them set, ask git
_GIT_LOCATION_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES",
                     "GIT_DISCOVERY_ACROSS_FILESYSTEM")
_GIT_CONFIG_MOVES_TOP = re.compile(rb"(?im)^\s*(?:worktree\s*=|bare\s*=\s*true|\[include)")


def work_tree_top(start: Path) -> Optional[Path]:
    """The top of the git work tree around `start`, found as git finds it (the nearest
    folder above holding a `.git` repository folder), when that is certain; None when only
    `git rev-parse --show-toplevel` can tell.

    A pre-commit run asked git this in a process of its own, one of its three. The common
    case is a plain `.git` folder owned by the user; anything else (a `.git` file of a
    worktree or submodule, a config that moves the work tree, another owner, whom git's
    `safe.directory` may refuse, a filesystem boundary, git's location variables, a start
    inside `.git`) is left to git.
    """
    if any(name in os.environ for name in _GIT_LOCATION_ENV):
        return None
    try:
        here = start.resolve()
        device = os.stat(here).st_dev
    except OSError:
        return None
    if ".git" in here.parts:
        return None
    for folder in (here, *here.parents):
        try:
            if os.stat(folder).st_dev != device:
                return None  # git stops at a filesystem boundary
            info = os.lstat(folder / ".git")
        except FileNotFoundError:
            continue
        except OSError:
            return None
        git = folder / ".git"
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or os.stat(folder).st_uid != os.geteuid():
            return None
        try:
            if not (git / "HEAD").is_file() or not (git / "objects").is_dir() or not (git / "refs").is_dir():
                return None
            if (git / "config.worktree").exists():
                return None
            with open(git / "config", "rb") as handle:
                if _GIT_CONFIG_MOVES_TOP.search(handle.read(1 << 20)):
                    return None
        except OSError:
            return None
        return folder
    return None


class GitTimeout(Exception):
    """git did not answer in time; the scan walks the tree instead."""


def _git_listing(
    root: Path, folders: Sequence[str] = (), deadline: Optional[float] = None
) -> Optional[Tuple[List[str], List[str]]]:
    """(committed or committable paths, ignored paths) under root, or None outside git.

    With `folders` (repo-relative, for a scan scoped to some apps) git lists only those
    folders, plus any ignored folder that holds one of them: the caller still filters by
    prefix, so the result is the same, but git no longer walks the whole work tree for a
    pre-commit run on one app.

    Repository config that could run a program (core.fsmonitor) is switched off: the
    linter never executes anything from the repository. Raises `GitTimeout` when git has
    not answered by the deadline (its processes are killed).
    """
    import time

    deadline = time.monotonic() + GIT_TIMEOUT if deadline is None else deadline
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
        outputs = [process.communicate(timeout=max(0.0, deadline - time.monotonic())) for process in started]
    except (OSError, subprocess.TimeoutExpired) as err:
        for process in started:
            process.kill()
            process.communicate()
        if isinstance(err, subprocess.TimeoutExpired):
            raise GitTimeout from None
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
    return git_ignored(root, paths) or set()


def git_ignored(root: Path, paths: Sequence[str]) -> Optional[Set[str]]:
    """`ignored_by_git`, but None when git gave no answer (outside git, or it refused a path),
    so that a caller asking many paths at once can tell that from "none of them"."""
    if not paths:
        return set()
    command = ["git", "-c", "core.fsmonitor=false", "-C", str(root),
               "check-ignore", "--no-index", "--stdin", "-z"]
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0")
    try:
        done = subprocess.run(command, input=os.fsencode("\0".join(paths) + "\0"), stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, env=env, check=False, timeout=GIT_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode not in (0, 1):  # 1: none of them is ignored
        return None
    return {p for p in os.fsdecode(done.stdout).split("\0") if p}


def committed(root: Path, paths: Sequence[str]) -> Set[str]:
    """Which of these repo-relative paths git's index holds (committed or staged); empty
    outside git or on error. A fix asks before it moves a secret into a file: `.gitignore`
    does not stop git tracking a file it already holds. Same safety as `ignored_by_git`."""
    if not paths:
        return set()
    command = ["git", "--literal-pathspecs", "-c", "core.fsmonitor=false", "-C", str(root),
               "ls-files", "-z", "--cached", "--", *paths]
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0")
    try:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, env=env, check=False, timeout=GIT_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return set()
    if done.returncode != 0:
        return set()
    return {p for p in os.fsdecode(done.stdout).split("\0") if p} & set(paths)



def committed_named(root: Path, name: str) -> Optional[Set[str]]:
    """Every path below `root` git's index holds whose file name is `name`, in one
    process (a fix asks `committed` of one name app after app); None when the name holds
    pattern characters or git fails, and the caller asks path by path."""
    if not name or any(c in name for c in "*?[]\\/:!"):
        return None
    command = ["git", "-c", "core.fsmonitor=false", "-C", str(root),
               "ls-files", "-z", "--cached", "--", name, "*/" + name]
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0", GIT_LITERAL_PATHSPECS="0",
               GIT_GLOB_PATHSPECS="0", GIT_NOGLOB_PATHSPECS="0", GIT_ICASE_PATHSPECS="0")
    try:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, env=env, check=False, timeout=GIT_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return {p for p in os.fsdecode(done.stdout).split("\0") if p and p.rpartition("/")[2] == name}


def unsaved(root: Path, paths: Sequence[str]) -> Optional[Set[str]]:
    """Which of these repo-relative files git could not bring back if they were rewritten
    now, or None when the root is not in a git work tree.

    A file is saved when its bytes are the blob git's index holds for it (staged changes
    count as saved: that is what a pre-commit hook sees), or when git ignores it (it was
    never git's to restore; the fixes keep its values themselves). Otherwise, an unstaged
    edit or a file git does not know, it is unsaved: `fix` refuses to write it without
    `--allow-dirty`. The blob id is computed here rather than asking `git status`, which
    would run the repository's clean filters; so a file git converts (autocrlf, filters)
    counts as unsaved, erring on the side of asking.
    """
    import hashlib

    base = ["git", "--literal-pathspecs", "-c", "core.fsmonitor=false", "-C", str(root)]
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0")
    try:
        inside = subprocess.run(base + ["rev-parse", "--is-inside-work-tree"], stdin=subprocess.DEVNULL,
                                capture_output=True, env=env, check=False, timeout=GIT_TIMEOUT)
        if inside.returncode != 0 or inside.stdout.strip() != b"true":
            return None
        if not paths:
            return set()
        staged = subprocess.run(base + ["ls-files", "-s", "-z", "--", *paths], stdin=subprocess.DEVNULL,
                                capture_output=True, env=env, check=False, timeout=GIT_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if staged.returncode != 0:
        return None
    blobs: Dict[str, Tuple[str, str]] = {}  # path -> (mode, blob id)
    for entry in os.fsdecode(staged.stdout).split("\0"):
        meta, _, path = entry.partition("\t")
        fields = meta.split()
        if len(fields) == 3 and fields[2] == "0":  # stage 0: not a merge conflict
            blobs[path] = (fields[0], fields[1])
    found = set(paths) - set(blobs)
    found -= ignored_by_git(root, sorted(found))
    for path, (mode, blob) in blobs.items():
        full = root / path
        try:
            data = os.fsencode(os.readlink(full)) if mode == "120000" else full.read_bytes()
        except OSError:
            found.add(path)
            continue
        digest = hashlib.sha256 if len(blob) == 64 else hashlib.sha1
        if digest(b"blob %d\0" % len(data) + data).hexdigest() != blob:
            found.add(path)
    return found & set(paths)


_SUBMODULE_PATH = re.compile(r"^\s*path\s*=\s*(.+?)\s*$", re.MULTILINE)


def _submodules(root: Path, live: Set[str]) -> List[str]:
    """The submodule folders `.gitmodules` names that git lists (as gitlinks).

    Read without following a symlink or blocking on a FIFO, and only a small file: it is
    repository content like any other.
    """
    if ".gitmodules" not in live:
        return []
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(root / ".gitmodules", flags)
    except OSError:
        return []
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > 1_000_000:
            return []
        text = handle.read(1_000_000).decode("utf-8", "replace")
    return [p.strip("/") for p in _SUBMODULE_PATH.findall(text) if p.strip("/") in live]


def _nested_listing(
    root: Path, live: List[str], ignored: List[str], deadline: float, depth: int = 0
) -> Tuple[List[str], List[str], List[str]]:
    """The listing of root with the repositories nested in it listed too.

    git lists a submodule as one entry (a gitlink) and an untracked clone as `folder/`, and
    looks no further into either, so their `.env` files went unchecked. Each is listed by
    its own git (its own ignore rules) and its paths prefixed. Returns (live, ignored,
    nested folders left out: too deep, or a symlink), so that what is skipped is said.
    """
    nested = [p.rstrip("/") for p in live if p.endswith("/")] + _submodules(root, set(live))
    out_live = [p for p in live if not p.endswith("/")]
    out_ignored = list(ignored)
    skipped: List[str] = []
    for folder in nested:
        full = root / folder
        if any(part in SKIP_DIRS for part in folder.split("/")) or not full.is_dir():
            continue
        if depth >= _MAX_NESTING or full.is_symlink():
            skipped.append(folder)
            continue
        listing = _git_listing(full, (), deadline)
        if listing is None:  # not a repository of its own after all: walk it
            out_live.extend(f"{folder}/{p}" for p in _walk(full, full, None))
            continue
        inner_live, inner_ignored, inner_skipped = _nested_listing(full, listing[0], listing[1], deadline, depth + 1)
        out_live.extend(f"{folder}/{p}" for p in inner_live)
        out_ignored.extend(f"{folder}/{p}" for p in inner_ignored)
        skipped.extend(f"{folder}/{p}" for p in inner_skipped)
    return out_live, out_ignored, skipped


def _walk(top: Path, root: Path, config: Optional[Config]) -> Iterable[str]:
    """Repo-relative paths under top, pruning vendored and excluded folders.

    An explicit stack, not recursion: `os.walk` recurses once per level on Python 3.11 and
    earlier, so a tree over 1,000 folders deep raised RecursionError. Symlinks to folders
    are not followed (they are taken as entries, and discovery reports them by name).
    """
    exclude = globs(tuple(config.exclude)) if config is not None and config.exclude else None
    base = os.path.relpath(top, root).replace(os.sep, "/")
    stack = ["" if base == "." else base + "/"]
    while stack:
        rel_dir = stack.pop()
        try:
            with os.scandir(root / rel_dir if rel_dir else root) as entries:
                listed = list(entries)
        except OSError:
            continue  # unreadable, vanished, or not a folder
        folders: List[str] = []
        for entry in listed:
            name = entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if not is_dir:
                yield rel_dir + name
            elif name not in SKIP_DIRS and not (exclude is not None and exclude.match_path(rel_dir + name)):
                # a directory whose name looks like a config file (a folder called `.env`) is
                # reported by the reader, so keep it as an entry
                if file_kind(name):
                    yield rel_dir + name
                folders.append(rel_dir + name + "/")
        stack.extend(reversed(folders))


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
        roots = globs(tuple(config.app_roots))
        return next((f for f in folders if roots.match(f)), ".")
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
                # a manifest is repository content: a FIFO named package.json hung the scan
                text = read_small(root, f"{folder}/{name}" if folder else name, _MANIFEST_READ_CAP)
                found = text is not None and bool(pattern.search(text))
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


def discover(root: Path, config: Config, scope: Optional[Sequence[str]] = None,
             created: Optional[Mapping[str, bool]] = None) -> List[SourceFile]:
    """Every configuration file under root (or under the repo-relative folders in scope).

    `created`: files a fix run would create (not on disk yet), each with whether git would
    ignore it; they are found as if they existed.
    """
    root = root.resolve()
    prefixes = tuple(s.rstrip("/") + "/" for s in scope if s not in (".", "")) if scope else ()
    # a pathspec per scoped folder; past a few hundred, one listing of everything is cheaper
    notices: Dict[str, str] = {}  # what could not be looked at, and why (reported as SYN006)
    try:
        listing = _git_listing(root, [p.rstrip("/") for p in prefixes] if 0 < len(prefixes) <= 256 else ())
        if listing is not None:
            import time

            live, ignored, nested_skipped = _nested_listing(root, *listing, time.monotonic() + GIT_TIMEOUT)
            listing = live, ignored
            for folder in nested_skipped:
                notices[folder] = ("is a repository nested too deeply (or through a symlink) to be listed; "
                                   "its files are not checked")
    except GitTimeout:
        listing = None
        notices[".git"] = (
            f"git did not answer within {GIT_TIMEOUT:g} s (something blocks it, such as a FIFO where it "
            "reads a control file like .gitignore); the tree was walked instead, so ignore rules and "
            "git's tracked state are not known"
        )
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
    created = {p: ign for p, ign in (created or {}).items()
               if p not in paths and (not prefixes or p.startswith(prefixes))}
    paths = paths + sorted(created)
    ignored_set.update(p for p, ign in created.items() if ign)
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
            if path not in created:
                continue  # deleted in the work tree but still in git's index
            st = None
        if st is not None and stat.S_ISLNK(st.st_mode):
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
    for path, why in notices.items():
        found.setdefault(path, SourceFile(path=path, kind="dotenv", app=app_of(path + "/x", config, manifest_dirs.__contains__),
                                          env="default", tracked=False, skip=why, in_git=listing is not None))
    return sorted(found.values(), key=lambda f: f.path)
