"""The rule catalogue: every rule's code, name, category, severity and docs, read from `rules/`.

The catalogue is data (TOML files shipped inside the package as `tekup_envlint.rules`);
the checks that implement it live in `tekup_envlint.checks`, registered by code.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, Mapping, Optional, Tuple

CATEGORIES = ("hybrid", "credentials", "schema", "consistency", "drift", "syntax", "strategy", "suppression")
SEVERITIES = ("info", "warning", "error")


@dataclass(frozen=True)
class Example:
    """A tiny workspace: repo-relative path -> file content.

    `git = true` runs it inside a fresh repository (`git init` + `git add -A`), for rules
    that only mean something in git (a tracked env file).
    """

    files: Mapping[str, str]
    note: str = ""
    git: bool = False
    # A live rule's example also needs a database: `live` is the SQL that builds the one
    # behind `localhost:5432/tekup_db` in the files ("" an empty one). The catalogue test
    # builds it on its own PostgreSQL server and points the files there (docs/live.md).
    live: Optional[str] = None


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    category: str
    severity: str
    summary: str
    why: str
    fix: str
    fixable: bool
    bad: Example
    good: Example
    notes: str = ""
    extra: Mapping[str, object] = field(default_factory=dict)


def rules_dir() -> Path:
    """The folder holding the catalogue: inside the installed package, else the source tree.

    The installed package's own folder is tried first without `importlib.resources`, whose
    import (zipfile, shutil, tempfile, lzma) costs more than reading the catalogue; it
    still covers editable installs and custom loaders.
    """
    installed = Path(__file__).resolve().parent / "rules"
    if installed.is_dir() and any(installed.glob("*.toml")):
        return installed
    try:
        from importlib.resources import files

        here = files("tekup_envlint.rules")
        path = Path(str(here))
        if path.is_dir() and any(path.glob("*.toml")):
            return path
    except (ImportError, ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parent.parent / "rules"


def load_toml(path: Path) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.9/3.10
        import tomli as tomllib
    with open(path, "rb") as handle:
        return tomllib.load(handle)


_CACHE_FORMAT = 1


def load_data(path: Path) -> dict:
    """A data file shipped in `rules/`, parsed once per change of it, as bytecode is.

    Parsing the TOML of the catalogue and the patterns costs about as much as starting
    Python, on every run (a pre-commit hook runs often). The parsed table is kept as JSON
    in `__pycache__` beside the file, stamped with the file's size and modification time,
    and read back while the stamp matches. Like `.pyc` files, it is not written when
    Python is told not to (`PYTHONDONTWRITEBYTECODE`, `-B`) or cannot write there; it is
    only written when JSON gives back exactly the parsed table. Never for a user's config.
    """
    try:
        st = os.stat(path)
    except OSError:
        return load_toml(path)  # the same error as without a cache
    stamp = [_CACHE_FORMAT, st.st_size, st.st_mtime_ns]
    cache = path.parent / "__pycache__" / (path.name + ".json")
    try:
        with open(cache, "rb") as handle:
            cached = json.loads(handle.read())
        if isinstance(cached, dict) and cached.get("stamp") == stamp and isinstance(cached.get("data"), dict):
            return cached["data"]
    except (OSError, ValueError):
        pass
    data = load_toml(path)
    if not sys.dont_write_bytecode:
        try:
            text = json.dumps({"stamp": stamp, "data": data}, ensure_ascii=False)
            if json.loads(text)["data"] == data:
                cache.parent.mkdir(exist_ok=True)
                scratch = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
                scratch.write_text(text, encoding="utf-8")
                os.replace(scratch, cache)
        except (OSError, TypeError, ValueError):  # read-only install, a TOML date, NaN
            pass
    return data


def _example(raw: Optional[dict]) -> Example:
    raw = raw or {}
    live = raw.get("live")
    return Example(
        files=dict(raw.get("files", {})), note=raw.get("note", ""), git=bool(raw.get("git", False)),
        live=None if live is None else str(live),
    )


@lru_cache(maxsize=1)
def catalogue() -> Dict[str, Rule]:
    """Every rule by code, in catalogue order."""
    rules: Dict[str, Rule] = {}
    for path in sorted(rules_dir().glob("*.toml")):
        for raw in load_data(path).get("rule", []):
            rule = Rule(
                code=raw["code"],
                name=raw["name"],
                category=raw["category"],
                severity=raw["severity"],
                summary=raw["summary"],
                why=raw["why"].strip(),
                fix=raw.get("fix", "").strip(),
                fixable=bool(raw.get("fixable", False)),
                bad=_example(raw.get("bad")),
                good=_example(raw.get("good")),
                notes=raw.get("notes", "").strip(),
                extra={k: v for k, v in raw.items() if k not in Rule.__dataclass_fields__},
            )
            rules[rule.code] = rule
    return dict(sorted(rules.items()))


def matches(code: str, selectors: Tuple[str, ...]) -> bool:
    """Whether a code is named by any selector: a full code, a prefix, or ALL."""
    return any(s == "ALL" or code.startswith(s) for s in selectors)


def select_codes(select: Tuple[str, ...], ignore: Tuple[str, ...]) -> Tuple[str, ...]:
    """The codes a run checks: all (or the selected) minus the ignored."""
    codes = catalogue().keys()
    chosen = [c for c in codes if (not select or matches(c, select)) and not matches(c, ignore)]
    return tuple(chosen)


def unknown_selectors(selectors: Tuple[str, ...]) -> Tuple[str, ...]:
    """Selectors that name no rule (a typo in --select or config is an error, not a no-op)."""
    codes = tuple(catalogue())
    return tuple(s for s in selectors if s != "ALL" and not any(c.startswith(s) for c in codes))
