"""docs/fix.md shows the real `fix --diff` output and plan of both strategies on the demo.

The blocks between `<!-- demo:NAME -->` and `<!-- /demo -->` are the output of the commands
below on a fresh copy of examples/tekup-workspace; this test fails when they drift.
Regenerate them with `TEKUP_ENVLINT_WRITE_DOCS=1 pytest tests/test_fix_docs.py`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict

from conftest import EXAMPLE, ROOT

DOC = ROOT / "docs" / "fix.md"
_BLOCK = re.compile(r"(<!-- demo:(?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- /demo -->)", re.S)


def _demo(tmp: Path, strategy: str) -> Dict[str, str]:
    root = tmp / strategy / "tekup-workspace"
    shutil.copytree(EXAMPLE, root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1", COLUMNS="200")
    plan = tmp / f"plan-{strategy}.md"
    done = subprocess.run(
        [sys.executable, "-m", "tekup_envlint", "fix", "--strategy", strategy, "--unsafe-fixes", "--diff",
         "--plan-out", str(plan), "."],
        cwd=root, env=env, capture_output=True, text=True,
    )
    assert done.returncode == 1, done.stderr  # something would change
    return {f"{strategy}-diff": f"```diff\n{done.stdout}```\n", f"{strategy}-plan": f"````markdown\n{plan.read_text()}````\n"}


def test_doc_blocks_are_the_real_output(tmp_path: Path) -> None:
    real: Dict[str, str] = {}
    for strategy in ("supabase", "docker"):
        real.update(_demo(tmp_path, strategy))
    text = DOC.read_text(encoding="utf-8")
    if os.environ.get("TEKUP_ENVLINT_WRITE_DOCS"):
        text = _BLOCK.sub(lambda m: m.group(1) + real.get(m.group("name"), m.group("body")) + m.group(4), text)
        DOC.write_text(text, encoding="utf-8")
    found = {m.group("name"): m.group("body") for m in _BLOCK.finditer(text)}
    assert sorted(found) == sorted(real)
    for name, body in real.items():
        assert found[name] == body, f"docs/fix.md block {name} differs from the real output"
