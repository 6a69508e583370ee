"""Run tekup-envlint on every repository of ../shared/monorepos, each as its own git root.

The way a user meets the tool: each skeleton is copied to a temporary folder, committed as a
git repository (`git add -A --force`, so every upstream-tracked file is tracked, see the
monorepos README), and checked with `--format json`. The findings are written as JSON lines
with their source line, for the review in docs/corpus-review.md; a per-rule count goes to
stderr.

    python benchmarks/monorun.py [--tool PATH] [--out FILE] [--counts FILE]

`--counts` writes `{repo: {code: n}}`, the shape of tests/resources/monorepo-counts.json.
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, Iterator, List

HERE = Path(__file__).resolve().parent
MONOREPOS = HERE.parent.parent / "shared" / "monorepos"
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "core.autocrlf=false"]


def committed_copy(src: Path, dest: Path) -> Path:
    """Copy one skeleton and commit it as its own repository root."""
    shutil.copytree(src, dest, dirs_exist_ok=True)
    for args in (["init", "-q"], ["add", "-A", "--force"], ["commit", "-qm", "skeleton"]):
        subprocess.run(GIT + ["-C", str(dest)] + args, check=True)
    return dest


def repositories(base: Path = MONOREPOS) -> List[Path]:
    return sorted(p for p in base.iterdir() if p.is_dir() and "__" in p.name)


def run_one(tool: List[str], root: Path) -> Dict[str, object]:
    """One `check --format json`; the document, or the failure with its stderr."""
    proc = subprocess.run(tool + ["check", str(root), "--format", "json"], capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        return {"error": proc.returncode, "stderr": proc.stderr}
    return {"document": json.loads(proc.stdout), "stderr": proc.stderr}


def rows(repo: str, root: Path, document: Dict[str, object]) -> Iterator[Dict[str, object]]:
    for finding in document["findings"]:  # type: ignore[union-attr]
        lines = (root / finding["path"]).read_text("utf-8", "replace").splitlines()
        line = lines[finding["line"] - 1] if 0 < finding["line"] <= len(lines) else ""
        yield {"repo": repo, **finding, "source": line.strip()[:200]}


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", default=str(HERE.parent / ".venv" / "bin" / "tekup-envlint"))
    parser.add_argument("--out", default="-", help="JSON lines of findings (default: stdout)")
    parser.add_argument("--counts", help="write per-repository rule counts here")
    args = parser.parse_args(argv)
    totals: Dict[str, int] = collections.Counter()
    counts: Dict[str, Dict[str, int]] = {}
    failed = 0
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        for src in repositories():
            root = committed_copy(src, Path(tmp) / src.name)
            result = run_one([args.tool], root)
            if "error" in result:
                failed += 1
                print(f"{src.name}: exit {result['error']}\n{result['stderr']}", file=sys.stderr)
                continue
            document = result["document"]
            counts[src.name] = dict(sorted(document["summary"]["by_code"].items()))  # type: ignore[index]
            totals.update(counts[src.name])
            for row in rows(src.name, root, document):  # type: ignore[arg-type]
                out.write(json.dumps(row) + "\n")
    if out is not sys.stdout:
        out.close()
    if args.counts:
        Path(args.counts).write_text(json.dumps(counts, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{sum(totals.values())} findings: " + ", ".join(f"{c} {n}" for c, n in totals.most_common()), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
