"""Time every hostile case of tests/test_hostile.py on its own, through the installed command.

The test suite checks all cases in one workspace (a few seconds for the lot); issue 9 asks
that no single case take more than 10 s on a file under 1 MB. This runs `check --format
json` and `check --no-color` (the text report scrubs every code frame) on a workspace
holding one case and the good app, in a plain folder and in a git work tree, and prints the
slowest run of each case.

    .venv/bin/python benchmarks/hostile_times.py [--limit 10]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import test_hostile as hostile  # noqa: E402


def _workspace(base: Path, case: "hostile.Case") -> Path:
    root, outside = base / "repo", base / "outside"
    outside.mkdir()
    (outside / "secret.env").write_text(f"DB_PASSWORD={hostile.OUTSIDE_SECRET}\n")
    root.mkdir()
    saved = hostile.CASES
    hostile.CASES = [case]
    try:
        hostile._write(root, outside)
    finally:
        hostile.CASES = saved
    return root


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=10.0, help="seconds a case may take (default 10)")
    args = parser.parse_args(argv)
    slow = 0
    for case in hostile.CASES:
        worst = 0.0
        for mode in ("walk", "git"):
            if case.walk_only and mode == "git":
                continue
            tmp = tempfile.mkdtemp()
            try:
                root = _workspace(Path(tmp), case)
                if mode == "git":
                    subprocess.run(["git", "init", "-q", str(root)], check=True)
                for fmt in (["--format", "json"], ["--no-color"]):
                    start = time.perf_counter()
                    done = subprocess.run([str(hostile.COMMAND), "check", str(root), *fmt], capture_output=True,
                                          timeout=600)
                    seconds = time.perf_counter() - start
                    worst = max(worst, seconds)
                    if done.returncode not in (0, 1):
                        print(f"{case.name}: exit {done.returncode} ({mode})", file=sys.stderr)
                        slow += 1
            finally:
                hostile.remove_tree(Path(tmp))  # the deep-tree cases are too deep for shutil.rmtree
        mark = "  SLOW" if worst > args.limit else ""
        slow += bool(mark)
        print(f"{worst:7.2f} s  {case.name}{mark}", flush=True)
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
