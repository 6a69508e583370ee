"""Is the output the same, byte for byte, as recorded? The guard of every speed change.

    python benchmarks/identical.py             # compare: the demo and ../shared/monorepos/*
    python benchmarks/identical.py --update    # record them again, after a deliberate change
    python benchmarks/identical.py --tree DIR --golden OUT [--update] [--formats text,json,sarif]

An optimisation must not change a byte of what `check` prints, and the small trees are
where every rule fires on real layouts: the embedded demo workspace and the monorepo
skeletons in ../shared/monorepos. Their `check` output (JSON and the default text) is
recorded in `tests/resources/golden/`; `tests/test_identical.py` runs this comparison in
CI. A rule change that changes output on purpose records it again with `--update` (or
`TEKUP_ENVLINT_UPDATE_GOLDEN=1 pytest tests/test_identical.py`); the diff of the golden
files then shows the change in review.

Each small tree is copied to a temporary folder and every file added to a fresh git
index (`git add -A --force`, as upstream tracked them), so the result does not depend on
the checkout it is run from. `--tree` checks a tree in place (a synthetic one from
`generate.py`, already a git repository) against outputs recorded in `--golden`, for
trees too large to keep in the repository. The tree's absolute path is written as
`<root>`. The runs are in this process, with the `tekup_envlint` this Python imports.
"""

from __future__ import annotations

import argparse
import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "tekup-workspace"
MONOREPOS = ROOT.parent / "shared" / "monorepos"
GOLDEN = ROOT / "tests" / "resources" / "golden"
FORMATS = ("json", "text")
SUFFIX = {"text": "txt", "json": "json", "concise": "concise.txt", "sarif": "sarif", "github": "github.txt",
          "markdown": "md", "junit": "xml"}
UPDATE_ENV = "TEKUP_ENVLINT_UPDATE_GOLDEN"


def cases() -> List[Tuple[str, Optional[Path]]]:
    """(name, folder) of each small tree; the folder is None when it is not on this machine."""
    found: List[Tuple[str, Optional[Path]]] = [("demo", DEMO if DEMO.is_dir() else None)]
    if MONOREPOS.is_dir():
        found += [(p.name, p) for p in sorted(MONOREPOS.iterdir()) if p.is_dir() and not p.name.startswith(".")]
    return found


def git_copy(folder: Path, into: Path) -> Path:
    """A copy of the folder whose every file git tracks (index only: no commit is needed)."""
    out = into / folder.name
    shutil.copytree(folder, out, symlinks=True)
    quiet = {"check": True, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run(["git", "init", "-q", str(out)], **quiet)
    subprocess.run(["git", "-C", str(out), "add", "-A", "--force"], **quiet)
    return out


def outputs(tree: Path, formats: Sequence[str] = FORMATS) -> Dict[str, bytes]:
    """`check TREE --format F` for each format, as written to a file, with the root as `<root>`."""
    from tekup_envlint.cli import main

    found: Dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for fmt in formats:
            out = Path(scratch) / f"out.{fmt}"
            code = main(["check", str(tree), "--format", fmt, "-o", str(out)])
            if code not in (0, 1):
                raise RuntimeError(f"check {tree} --format {fmt} exited {code}")
            found[fmt] = out.read_bytes().replace(str(tree.resolve()).encode(), b"<root>")
    return found


def small_tree_outputs(name: str, folder: Path, formats: Sequence[str] = FORMATS) -> Dict[str, bytes]:
    """The outputs of one small tree, checked in a fresh git copy of it."""
    with tempfile.TemporaryDirectory() as scratch:
        return outputs(git_copy(folder, Path(scratch)), formats)


def golden_path(golden: Path, name: str, fmt: str) -> Path:
    return golden / f"{name}.{SUFFIX[fmt]}"


def differences(name: str, got: Dict[str, bytes], golden: Path) -> List[str]:
    """A short unified diff per format whose output is not the recorded one."""
    found: List[str] = []
    for fmt, data in got.items():
        path = golden_path(golden, name, fmt)
        want = path.read_bytes() if path.is_file() else None
        if want == data:
            continue
        if want is None:
            found.append(f"{path} is missing (record it with --update)")
            continue
        diff = difflib.unified_diff(want.decode("utf-8", "replace").splitlines(),
                                    data.decode("utf-8", "replace").splitlines(),
                                    str(path), f"{name} now ({fmt})", lineterm="", n=1)
        lines = list(diff)
        more = f"\n... {len(lines) - 40} more diff lines" if len(lines) > 40 else ""
        found.append("\n".join(lines[:40]) + more)
    return found


def record(name: str, got: Dict[str, bytes], golden: Path) -> None:
    golden.mkdir(parents=True, exist_ok=True)
    for fmt, data in got.items():
        golden_path(golden, name, fmt).write_bytes(data)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="record the outputs instead of comparing them")
    parser.add_argument("--tree", type=Path, help="a tree to check in place (it must be a git repository)")
    parser.add_argument("--golden", type=Path, help=f"where the outputs are recorded (default {GOLDEN})")
    parser.add_argument("--formats", help=f"comma-separated check formats (default {','.join(FORMATS)})")
    args = parser.parse_args(argv)
    update = args.update or bool(os.environ.get(UPDATE_ENV))
    formats = tuple(args.formats.split(",")) if args.formats else FORMATS
    golden = args.golden or GOLDEN
    if args.tree is not None:
        if args.golden is None:
            parser.error("--tree needs --golden: large trees are not recorded in the repository")
        runs: Iterator[Tuple[str, Dict[str, bytes]]] = iter([(args.tree.name, outputs(args.tree, formats))])
    else:
        present = [(name, folder) for name, folder in cases() if folder is not None]
        missing = [name for name, folder in cases() if folder is None]
        if missing or not MONOREPOS.is_dir():
            sys.stderr.write(f"not on this machine: {', '.join(missing) or MONOREPOS}\n")
        runs = ((name, small_tree_outputs(name, folder, formats)) for name, folder in present)
    failed = 0
    for name, got in runs:
        if update:
            record(name, got, golden)
            print(f"recorded {name}")
            continue
        problems = differences(name, got, golden)
        failed += bool(problems)
        print(f"{'DIFFERS' if problems else 'same   '} {name}")
        for problem in problems:
            print(problem)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
