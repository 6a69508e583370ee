"""The floor of a full scan: the least any Python tool must do to look at a monorepo's config.

    python benchmarks/floor.py ROOT
    python benchmarks/floor.py FILE...    # the pre-commit floor: only the files given

Walk the tree with pruning (vendored and build folders are never entered), read every
env and Compose file, parse env files with python-dotenv and Compose files with PyYAML's
C loader, and count the PostgreSQL connection strings with a regex. No git, no
classification, no checks, no report: `tekup-envlint check` is measured against this.
Given files instead of a root (as pre-commit passes them), it reads and parses just
those: the least a Python tool with these parsers spends on a pre-commit run.
Prints the counts as JSON, so a run can be checked for having seen the same files.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys

import yaml
from dotenv import dotenv_values

PRUNE = {".git", "node_modules", "dist", "build", ".next", ".turbo", "coverage", ".venv", "__pycache__", "vendor"}
COMPOSE = re.compile(r"^(?:docker-)?compose(?:[.\-_][^/]*)?\.ya?ml$")
DSN = re.compile(r"postgres(?:ql)?://[^\s\"'`]+")
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def is_env(name: str) -> bool:
    return name == ".env" or name.startswith(".env.") or name.startswith("env.") or name.endswith(".env")


def scan(root: str) -> dict:
    counts = {"env_files": 0, "compose_files": 0, "settings": 0, "dsns": 0}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in PRUNE]
        for name in filenames:
            parse(os.path.join(dirpath, name), counts)
    return counts


def parse(path: str, counts: dict) -> None:
    """Read and parse one file if it is an env or Compose file, adding to the counts."""
    lower = os.path.basename(path).lower()
    env, compose = is_env(lower), COMPOSE.match(lower) is not None
    if not env and not compose:
        return
    with open(path, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    if env:
        values = dotenv_values(stream=io.StringIO(text), interpolate=False)
        counts["env_files"] += 1
        counts["settings"] += len(values)
        counts["dsns"] += sum(1 for v in values.values() if v and DSN.search(v))
    else:
        try:
            yaml.load(text, Loader=LOADER)
        except yaml.YAMLError:
            pass
        counts["compose_files"] += 1
        counts["dsns"] += len(DSN.findall(text))


def main() -> int:
    args = sys.argv[1:] or ["."]
    if len(args) == 1 and os.path.isdir(args[0]):
        counts = scan(args[0])
    else:
        counts = {"env_files": 0, "compose_files": 0, "settings": 0, "dsns": 0}
        for path in args:
            parse(path, counts)
    json.dump(counts, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
