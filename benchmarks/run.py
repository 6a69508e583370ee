"""Benchmark `tekup-envlint check` against a bare interpreter, a minimal scan and two peers.

    python benchmarks/run.py            # the full run: writes docs/performance.md and .png
    python benchmarks/run.py --quick    # a smoke run on small trees; writes nothing to docs/

Everything runs side by side in one process of this script, on one machine, in rounds:
each round runs every command once, in a fixed order, so that a burst of load from
elsewhere hits all of them alike. Times are wall-clock medians over the rounds; memory
is the peak resident set size of each command's own process (`os.wait4`).

Set-up (once, in `benchmarks/.work/`, which git ignores):

* a virtual environment `benchmarks/.work/venv` with the peers (`detect-secrets`,
  `dotenv-linter`), the floor's parsers (`python-dotenv`, `PyYAML`), matplotlib for the
  plot and pyinstrument; none of them is a dependency of the project;
* the project itself, installed into that environment as a regular (non-editable)
  package on every run, so that it is measured as users and pre-commit get it: with
  bytecode compiled, from the current work tree;
* synthetic monorepos from `benchmarks/generate.py` (seeded, cached between runs).

Commands are run with `PYTHONDONTWRITEBYTECODE` removed from their environment, as on a
developer's machine, and once before the timed rounds (a warm-up that also lets the
catalogue cache of `catalogue.load_data` be written).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
VENV = WORK / "venv"
TREES = WORK / "trees"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
BENCH_PACKAGES = ["detect-secrets", "dotenv-linter", "python-dotenv", "pyyaml", "matplotlib", "pyinstrument",
                  "setuptools>=77", "wheel"]  # 77: the project's SPDX `license`

sys.path.insert(0, str(HERE))
import generate  # noqa: E402  (the sibling module)

COMPANY = {"files": 8000, "apps": 20}
CHECK_FORMATS = ("text", "json", "concise", "sarif", "github", "markdown", "junit")  # the size of the monorepo the linter was written for


# --------------------------------------------------------------------------- set-up


def log(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def setup_venv() -> None:
    """The benchmark environment with the peers, and the project installed from this tree."""
    marker = VENV / ".bench-packages"
    if not marker.is_file() or marker.read_text() != " ".join(BENCH_PACKAGES):
        log(f"creating {VENV} with {', '.join(BENCH_PACKAGES)} and the project's own dependencies")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(PY), "-m", "pip", "install", "--quiet", *BENCH_PACKAGES], check=True)
        subprocess.run([str(PY), "-m", "pip", "install", "--quiet", "--no-build-isolation", str(ROOT)],
                       check=True, env=_env(), stdout=subprocess.DEVNULL)
        marker.write_text(" ".join(BENCH_PACKAGES))
    log("installing tekup-envlint from the work tree into the benchmark environment")
    subprocess.run([str(PY), "-m", "pip", "install", "--quiet", "--no-build-isolation", "--force-reinstall",
                    "--no-deps", str(ROOT)], check=True, env=_env(), stdout=subprocess.DEVNULL)


def _env() -> Dict[str, str]:
    env = dict(os.environ)
    for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "PYTHONSTARTUP", "NO_COLOR"):
        env.pop(name, None)
    env["PYTHONHASHSEED"] = "0"
    return env


def config_files(tree: Path) -> List[str]:
    """The configuration files tekup-envlint discovers in a tree (what the peers are given)."""
    code = ("import json, sys; from pathlib import Path; from tekup_envlint.config import DEFAULT; "
            "from tekup_envlint.discovery import discover; "
            "json.dump([(f.path, f.kind) for f in discover(Path(sys.argv[1]), DEFAULT)], sys.stdout)")
    out = subprocess.run([str(PY), "-c", code, str(tree)], check=True, capture_output=True, text=True, env=_env())
    return [path for path, _ in json.loads(out.stdout)]


def one_app(tree: Path, with_compose: bool) -> List[str]:
    """The configuration files of one app (at most 10), as pre-commit would pass them."""
    by_app: Dict[str, List[str]] = {}
    for path in config_files(tree):
        parts = path.split("/")
        if parts[0] == "apps" and len(parts) >= 4:
            by_app.setdefault("/".join(parts[:3]), []).append(path)
    for app in sorted(by_app):
        files = by_app[app]
        has_compose = any("compose" in f for f in files)
        if has_compose == with_compose and len(files) >= 3:
            return files[:10]
    raise SystemExit(f"no app {'with' if with_compose else 'without'} a Compose file in {tree}")


# --------------------------------------------------------------------------- measuring


class Measure:
    """One command, run once per round: wall times and peak memory of its own process."""

    def __init__(self, name: str, argv: Sequence[str], cwd: Path, ok: Tuple[int, ...] = (0, 1)) -> None:
        self.name, self.argv, self.cwd, self.ok = name, list(argv), cwd, ok
        self.times: List[float] = []
        self.rss_kb: List[int] = []

    def run(self) -> None:
        start = time.perf_counter()
        process = subprocess.Popen(self.argv, cwd=str(self.cwd), env=_env(), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        stderr = process.stderr.read() if process.stderr else b""
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in self.ok:
            raise SystemExit(f"{self.name}: exit {process.returncode}: {' '.join(self.argv)[:300]}\n"
                             f"{stderr.decode(errors='replace')[-2000:]}")
        self.times.append(elapsed)
        self.rss_kb.append(usage.ru_maxrss)  # kilobytes on Linux

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def rss_mb(self) -> float:
        return max(self.rss_kb) / 1024


def rounds(measures: Sequence[Measure], runs: int, label: str) -> None:
    for m in measures:  # warm-up: caches, bytecode, the catalogue cache
        m.run()
        m.times.clear()
        m.rss_kb.clear()
    for i in range(runs):
        log(f"  {label}: round {i + 1}/{runs}")
        for m in measures:
            m.run()


# --------------------------------------------------------------------------- stages


STAGES = r'''
import json, sys, time
t0 = time.perf_counter()
from pathlib import Path
from tekup_envlint import engine
from tekup_envlint.config_file import load
from tekup_envlint.discovery import discover
from tekup_envlint.parsers import read
from tekup_envlint.workspace import build
from tekup_envlint.checks import load as load_checks
from tekup_envlint.catalogue import catalogue
import tekup_envlint.discovery as discovery
import resource
out = {}
mem = {}
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t = time.perf_counter(); out["import"] = t - t0; mem["import"] = peak()
root = Path(sys.argv[1]).resolve()
config = load(root)
t1 = time.perf_counter(); listing = discovery._git_listing(root); out["git ls-files (both, at once)"] = time.perf_counter() - t1
t1 = time.perf_counter(); sources = discover(root, config); out["discover (git + filter + app/env)"] = time.perf_counter() - t1; mem["discover (git + filter + app/env)"] = peak()
t1 = time.perf_counter(); files = [read(root, s, config.max_file_size) for s in sources]; out["read + parse"] = time.perf_counter() - t1; mem["read + parse"] = peak()
t1 = time.perf_counter(); ws = build(root, config, files); out["workspace + classify"] = time.perf_counter() - t1; mem["workspace + classify"] = peak()
t1 = time.perf_counter(); redactor = engine.workspace_redactor(ws); out["redactor (secrets of every setting)"] = time.perf_counter() - t1; mem["redactor (secrets of every setting)"] = peak()
registry = load_checks(); catalogue()
per_check = {}
for code, check in list(registry.items()):
    def timed(*args, _check=check, _code=code):  # (workspace) or (workspace, outcome)
        t2 = time.perf_counter()
        hits = list(_check(*args))
        per_check[_code] = per_check.get(_code, 0.0) + time.perf_counter() - t2
        return hits
    registry[code] = timed
t1 = time.perf_counter(); findings = engine.run_checks(ws, config, redactor); out["checks (with message scrubbing)"] = time.perf_counter() - t1; mem["checks (with message scrubbing)"] = peak()
names = {code: rule.name for code, rule in catalogue().items()}
import os, tempfile
from tekup_envlint.report.json import write_check_report
with tempfile.TemporaryFile("w+", encoding="utf-8") as sink:
    t1 = time.perf_counter(); write_check_report(sink, str(root), findings, names, len(files)); sink.flush(); out["JSON report"] = time.perf_counter() - t1; mem["JSON report"] = peak()
    json_bytes = os.fstat(sink.fileno()).st_size
from tekup_envlint.report.text import check_lines, render
by_path = {f.source.path: f for f in ws.files}
t1 = time.perf_counter(); text = render(check_lines(findings, by_path, len(files), redactor.scrub), False); out["text report (instead of JSON)"] = time.perf_counter() - t1; mem["text report (instead of JSON)"] = peak()
out["total"] = time.perf_counter() - t0 - out["text report (instead of JSON)"]
json.dump({"stages": out, "memory": mem, "checks": per_check, "files": len(files), "findings": len(findings),
           "json_bytes": json_bytes, "text_bytes": len(text.encode())}, sys.stdout)
'''


def stages(tree: Path, runs: int) -> Dict[str, object]:
    """Time each stage of a full check in one process (medians over runs)."""
    results = []
    for _ in range(runs):
        out = subprocess.run([str(PY), "-c", STAGES, str(tree)], check=True, capture_output=True, text=True,
                             env=_env())
        results.append(json.loads(out.stdout))
    med = {k: statistics.median(r["stages"][k] for r in results) for k in results[0]["stages"]}
    checks = {k: statistics.median(r["checks"].get(k, 0.0) for r in results) for k in results[0]["checks"]}
    memory = {k: max(r["memory"][k] for r in results) for k in results[0]["memory"]}
    return {"stages": med, "memory": memory, "checks": checks, "files": results[0]["files"], "findings": results[0]["findings"],
            "json_bytes": results[0]["json_bytes"], "text_bytes": results[0].get("text_bytes", 0)}


PARALLEL = r'''
import json, sys, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from tekup_envlint.config import DEFAULT
from tekup_envlint.discovery import discover
from tekup_envlint.parsers import read

def parse_chunk(args):
    root, sources = args
    return [read(Path(root), s, DEFAULT.max_file_size) for s in sources]

if __name__ == "__main__":
    root = Path(sys.argv[1]).resolve()
    sources = discover(root, DEFAULT)
    t = time.perf_counter(); serial = [read(root, s, DEFAULT.max_file_size) for s in sources]; t_serial = time.perf_counter() - t
    t = time.perf_counter()
    chunks = [(str(root), sources[i::2]) for i in range(2)]
    with ProcessPoolExecutor(2) as pool:
        parallel = [f for part in pool.map(parse_chunk, chunks) for f in part]
    t_parallel = time.perf_counter() - t
    assert len(parallel) == len(serial)
    json.dump({"serial": t_serial, "parallel": t_parallel, "files": len(serial)}, sys.stdout)
'''


def parallel_parse(tree: Path, runs: int) -> Dict[str, float]:
    """Whether parsing in two processes pays: serial vs a pool of two (results sent back)."""
    script = WORK / "parallel_parse.py"
    script.write_text(PARALLEL)
    results = []
    for _ in range(runs):
        out = subprocess.run([str(PY), str(script), str(tree)], check=True, capture_output=True, text=True,
                             env=_env())
        results.append(json.loads(out.stdout))
    return {k: statistics.median(r[k] for r in results) for k in ("serial", "parallel", "files")}


# --------------------------------------------------------------------------- report


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def machine() -> str:
    try:
        model = next(
            (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
             if line.startswith("model name")), platform.processor() or "?")
    except OSError:
        model = platform.processor() or "?"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    version = subprocess.run([str(PY), "-c", "import sys; print(sys.version.split()[0])"], capture_output=True,
                             text=True).stdout.strip()
    git = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    return (f"{os.cpu_count()} cores ({model}), Python {version}, {git}, {platform.system()} "
            f"{platform.release()}; load average {load:.1f} when the run started")


def plot(data: Dict[str, object], out: Path) -> None:
    """Time and peak memory against tree size, drawn by matplotlib in the benchmark venv."""
    payload = WORK / "plot.json"
    payload.write_text(json.dumps(data))
    code = r'''
import json, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
d = json.load(open(sys.argv[1]))
sizes = [row["files"] for row in d["growth"]]
fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
for key, label in (("check_text", "tekup-envlint check (text)"), ("check", "tekup-envlint check --format json"),
                   ("floor", "floor (walk + python-dotenv + PyYAML)")):
    if all(key in row for row in d["growth"]):
        a.plot(sizes, [row[key]["time"] for row in d["growth"]], marker="o", label=label)
        b.plot(sizes, [row[key]["rss_mb"] for row in d["growth"]], marker="o", label=label)
a.set_xlabel("files in the tree"); a.set_ylabel("wall time, median (s)"); a.set_title("time")
b.set_xlabel("files in the tree"); b.set_ylabel("peak RSS (MB)"); b.set_title("memory")
b.axhline(100, color="grey", linestyle=":", linewidth=1)
for ax in (a, b):
    ax.grid(True, alpha=0.3); ax.legend(fontsize=8); ax.set_xlim(left=0); ax.set_ylim(bottom=0)
fig.suptitle("tekup-envlint on synthetic monorepos (medians; peak memory of the process)")
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)
'''
    subprocess.run([str(PY), "-c", code, str(payload), str(out)], check=True)


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def write_report(data: Dict[str, object], path: Path) -> None:
    pre = data["precommit"]
    full = data["full"]
    growth = data["growth"]
    st = data["stages"]
    par = data["parallel"]
    lines: List[str] = []
    add = lines.append
    add("# Performance")
    add("")
    add("Written by `make bench` (`benchmarks/run.py`); see [benchmarks/README.md](../benchmarks/README.md). "
        "Every number below comes from one run of that script, with all commands measured side by side "
        f"in rounds on one machine: {data['machine']}. Times are medians of {data['runs']} rounds (after a "
        "warm-up run); memory is the peak resident set of the command's own process. The machine is shared, "
        "so absolute times vary from run to run; the ratios, measured in the same rounds, vary much less.")
    add("")
    add("## Pre-commit: the files of one app")
    add("")
    add("`tekup-envlint check FILES` in the company-sized tree (8,000 files), as the pre-commit hook runs it "
        "(the default text report), with the default embedded configuration, against a bare `python -c pass` "
        "of the same interpreter, and against the floor of a full scan (below) given the same files: it "
        "imports python-dotenv and PyYAML and parses the files, nothing more.")
    add("")
    add("| command | median | ratio to `python -c pass` | peak memory |")
    add("|---|---|---|---|")
    base = pre["pass"]["time"]
    for key, label in (("pass", "`python -c pass`"),
                       ("env_only", f"`check` on {pre['env_only_files']} files of one app (env files and a Prisma schema)"),
                       ("with_compose", f"`check` on {pre['with_compose_files']} files of an app with a Compose file"),
                       ("env_only_json", f"`check --format json` on the {pre['env_only_files']} files of the first row"),
                       ("floor_env_only", f"the floor (`benchmarks/floor.py FILES`) on the {pre['env_only_files']} files "
                                          "of the first row"),
                       ("floor_with_compose", f"the floor on the {pre['with_compose_files']} files of the second row"),
                       ("import_stdlib", f"`python -c 'import ...'` of the {pre.get('stdlib_modules', 0)} standard-library "
                                         "modules that run imports"),
                       ("import_all", f"the same and the {pre.get('own_modules', 0)} tekup-envlint modules it imports "
                                      "(nothing run)")):
        if key in pre:
            add(f"| {label} | {fmt_s(pre[key]['time'])} | {pre[key]['time'] / base:.1f}x | {pre[key]['rss_mb']:.0f} MB |")
    add("")
    cpu = pre.get("cpu")
    if cpu:
        add(f"The CPU time of that first run in its own process is {fmt_s(cpu['total'])} (git's processes "
            f"not counted): {fmt_s(cpu['dataclasses'])} of it creating {cpu['classes']:.0f} dataclasses (their "
            f"generated methods are compiled at import) and {fmt_s(cpu['regex'])} compiling {cpu['regexes']:.0f} "
            "regular expressions (the rules' patterns and shapes from `rules/*.toml`, and the modules' own).")
        add("")
    add(f"Modules a pre-commit run imports: {pre['modules_note']}")
    add("")
    add("## Full scan, the floor and the peers")
    add("")
    add("The floor (`benchmarks/floor.py`) walks the tree with pruning, reads every env and Compose file, "
        "parses them with python-dotenv and PyYAML's C loader and counts DSNs with a regex: the least a "
        "Python tool can do. `detect-secrets scan` and the `dotenv-linter` PyPI package are given the "
        "configuration files that tekup-envlint discovers (dotenv-linter only the env files: it reads "
        "nothing else); tekup-envlint is given the root and discovers them itself."
        + (" `fix --diff` computes every safe fix to a fixed point in memory and prints the diff, writing nothing."
           if data.get("fix") else ""))
    add("")
    add("| tree | files | config files | command | median | ratio to floor | peak memory |")
    add("|---|---|---|---|---|---|---|")
    labels = (("check_text", "`tekup-envlint check ROOT` (text)"), ("check", "`tekup-envlint check ROOT --format json`"),
              ("fix_diff", "`tekup-envlint fix --diff ROOT`"), ("floor", "floor"),
              ("detect_secrets", "`detect-secrets scan FILES`"), ("dotenv_linter", "`dotenv-linter ENV_FILES`"))
    for row in full:
        floor = row["floor"]["time"]
        for key, label in labels:
            if key in row:
                add(f"| {row['name']} | {row['files']:,} | {row['config']:,} | {label} | {fmt_s(row[key]['time'])} | "
                    f"{row[key]['time'] / floor:.2f}x | {row[key]['rss_mb']:.0f} MB |")
    add("")
    formats = data.get("formats")
    if formats:
        add(f"### Every output format on the {formats['tree']} tree")
        add("")
        add(f"`tekup-envlint check ROOT --format FORMAT` on the {formats['files']:,}-file tree, one run each "
            "(times are single runs, for orientation; the peak memory is the point).")
        add("")
        add("| format | time | peak memory |")
        add("|---|---|---|")
        for fmt, r in formats["rows"].items():
            add(f"| {fmt} | {fmt_s(r['time'])} | {r['rss_mb']:.0f} MB |")
        add("")
    add("## Growth")
    add("")
    add("![time and memory against tree size](performance.png)")
    add("")
    add("| files | config files | `check` (text) | per 1,000 files | `check --format json` | floor | ratio text / JSON | peak memory text / JSON |")
    add("|---|---|---|---|---|---|---|---|")
    for row in growth:
        text = row.get("check_text", row["check"])
        add(f"| {row['files']:,} | {row['config']:,} | {fmt_s(text['time'])} | "
            f"{text['time'] / row['files'] * 1000 * 1000:.0f} ms | {fmt_s(row['check']['time'])} | "
            f"{fmt_s(row['floor']['time'])} | {text['time'] / row['floor']['time']:.2f}x / "
            f"{row['check']['time'] / row['floor']['time']:.2f}x | {text['rss_mb']:.0f} MB / {row['check']['rss_mb']:.0f} MB |")
    add("")
    add("## Goals (issue #12)")
    add("")
    ratios = "; ".join(f"{row['name']}: text {row.get('check_text', row['check'])['time'] / row['floor']['time']:.2f}x, "
                       f"JSON {row['check']['time'] / row['floor']['time']:.2f}x" for row in full)
    full_ok = all(r[k]["time"] <= 1.5 * r["floor"]["time"] for r in full for k in ("check", "check_text") if k in r)
    add(f"1. Full scan within 1.5x the floor, text and JSON: {verdict(full_ok)} ({ratios}).")
    worst_pre = max(pre[k]["time"] for k in ("env_only", "with_compose", "env_only_json") if k in pre) / base
    add(f"2. Pre-commit within 5x `python -c pass`: {verdict(worst_pre <= 5)} "
        f"({pre['env_only']['time'] / base:.1f}x for one app's env files and schema, "
        f"{pre['with_compose']['time'] / base:.1f}x with a Compose file"
        + (f", {pre['env_only_json']['time'] / base:.1f}x in JSON" if "env_only_json" in pre else "") + ").")
    hundred = next((row for row in growth if row["files"] == 100_000), None)
    peaks = dict((fmt, r["rss_mb"]) for fmt, r in formats["rows"].items()) if formats else {}
    if hundred is not None:
        peaks.setdefault("text", hundred.get("check_text", hundred["check"])["rss_mb"])
        peaks.setdefault("json", hundred["check"]["rss_mb"])
    if peaks:
        worst_fmt = max(peaks, key=peaks.get)
        add(f"3. At most 100 MB at 100,000 files in every format: {verdict(max(peaks.values()) <= 100)} "
            f"(the most: {peaks[worst_fmt]:.0f} MB for {worst_fmt}"
            + (f", on the {formats['tree']} tree" if formats else "") + ").")
    else:
        add("3. At most 100 MB at 100,000 files in every format: not measured.")
    per_file = [row.get("check_text", row["check"])["time"] / row["files"] for row in growth]
    spread = max(per_file) / min(per_file) if per_file else float("nan")
    add(f"4. Linear growth: time per file (text) varies {spread:.2f}x from the smallest to the largest tree "
        f"({verdict(spread <= 1.5)}, taking within 1.5x as linear).")
    fixrow = next((row for row in full if "fix_diff" in row and row["files"] >= 100_000), None)
    if fixrow is not None:
        ratio = fixrow["fix_diff"]["time"] / fixrow.get("check_text", fixrow["check"])["time"]
        add(f"5. `fix --diff` within 2x `check` on the 100k tree: {verdict(ratio <= 2)} ({ratio:.2f}x).")
    else:
        add("5. `fix --diff` within 2x `check` on the 100k tree: not measured (this version has no `fix --diff`).")
    peers = []
    for row in full:
        for key, label in (("detect_secrets", "detect-secrets"), ("dotenv_linter", "dotenv-linter")):
            if key in row:
                ratio = row[key]["time"] / row["check"]["time"]
                peers.append(f"{ratio:.1f}x faster than {label}" if ratio >= 1 else
                             f"{1 / ratio:.1f}x slower than {label}")
                peers[-1] += f" on {row['name']}"
    add("")
    add(f"The peers, for orientation (JSON): {'; '.join(peers)}. detect-secrets runs its scan in a pool of worker "
        "processes (both cores); tekup-envlint and dotenv-linter use one.")
    add("")
    add("## Where the time goes")
    add("")
    add(f"One full check of the {st['tree']} tree ({st['files']:,} config files, {st['findings']:,} findings, "
        f"{st['json_bytes'] / 1e6:.1f} MB of JSON, {st.get('text_bytes', 0) / 1e6:.1f} MB of text), stage by stage "
        f"in one process (medians of {st['runs']} runs); the text report is timed after the JSON one, on the same "
        "findings, and is not counted in the total:")
    add("")
    size = int(st["tree"].split("-")[0].replace(",", ""))
    floor_row = next((row for row in growth if row["files"] == size), None)
    floor = floor_row["floor"]["time"] if floor_row else None
    add("| stage | time | share | in floors | peak memory so far |")
    add("|---|---|---|---|---|")
    total = st["stages"]["total"]
    memory = st.get("memory", {})
    for name, seconds in st["stages"].items():
        if name in ("total", "git ls-files (both, at once)"):
            continue
        mb = f"{memory[name]:.0f} MB" if name in memory else ""
        floors = f"{seconds / floor:.2f}" if floor else ""
        add(f"| {name} | {fmt_s(seconds)} | {seconds / total:.0%} | {floors} | {mb} |")
    add(f"| total | {fmt_s(total)} | | {total / floor:.2f} |" if floor else f"| total | {fmt_s(total)} | | | |")
    if floor:
        add("")
        add(f"\"In floors\" divides a stage's time by the floor's whole run on the same tree ({fmt_s(floor)} "
            "in the growth rounds); the goal allows 1.5 for the whole run.")
    add("")
    add(f"Of discovery, git's two listings take {fmt_s(st['stages']['git ls-files (both, at once)'])} "
        f"(run at once; {st['stages']['git ls-files (both, at once)'] / total:.0%} of the run): git is not the bottleneck.")
    add("")
    slow = sorted(st["checks"].items(), key=lambda kv: -kv[1])[:8]
    add("The slowest checks: " + ", ".join(f"{code} {fmt_s(t)}" for code, t in slow) + ".")
    add("")
    add(f"Parsing in two processes does not pay: parsing the {int(par['files']):,} config files of the "
        f"{par['tree']} tree takes {fmt_s(par['serial'])} in one process and {fmt_s(par['parallel'])} in a pool "
        "of two (start-up, and pickling the parsed files back, eat the gain), and parsing is a small share "
        "of the run.")
    add("")
    add(NARRATIVE.strip())
    add("")
    add(standing(data).strip())
    add("")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


NARRATIVE = """
## What was done about it

Three rounds of profiles (cProfile, the stage timer above, CPU time and callgrind's
instruction counts for the pre-commit path) drove these changes. Each keeps the output
the same byte for byte: `benchmarks/identical.py` compares every output format with
outputs recorded before the change, on the demo workspace, the 14 monorepo skeletons of
`../shared/monorepos` and the generated 8k, 30k and 100k trees, and `tests/test_identical.py`
does it for JSON and text on the small trees in CI (golden files in `tests/resources/golden`).

### Third round (issue #12, 29 November)

Profiles of the merged autofix found the fixes' own costs and one regression; each change
was compared as above, and with `cmp` on the `fix --diff` output (safe, unsafe and the
docker strategy) and `check --show-fixes` of the 8k and 30k trees.

* **Secret shapes by their literal prefix.** The combined shape probe was one alternation of
  every shape, tried branch by branch at every position of a text. Most shapes begin with
  a literal (`ghp_`, `sk-ant-`, `eyJ`); a substring test for it runs at C speed and leaves
  the regex to the few texts that hold it (messages 0.32 s to 0.11 s, file texts 0.16 s to
  0.02 s at 100k), `secrets_in` runs only the shapes whose probe matches, and a probe is
  compiled only when a text first holds its literal (a pre-commit run compiles 28 fewer).
* **Work done once instead of per finding.** Each distinct message is scrubbed once (12,232
  findings hold 6,848 messages at 100k); `dsn.whole_reference`, `dsn.parse_lenient` and
  `loadsets.dotenv_name` are memoised (70,000, 59,000 and 6,100 calls for a few thousand
  values); CRD002's and CRD004's hits are found once per workspace and shared with CRD006,
  which found them all again (230 ms to 8 ms); the default `per-path-ignores` globs that
  turn off the same rules are matched as one; a Prisma schema whose datasource lines the
  first reading tokenised in full is not read a second time.
* **A quadratic fix computation.** Asking git about every local file a fix may write to in
  one process (below) first made each fix scan every file of the workspace for those names:
  files x fixes, about 2 s of a check at 100k, found by the profile before this run. They are
  found once per workspace now, and a test counts the scan.
* **`fix --diff` memory.** Its peak came at the end of the second pass's checks, while the
  whole first result (12,232 findings with their fixes, the first workspace, its indexes)
  was still held for the redactor it had built. Each pass now lets go of the previous
  pass's check and keeps only that redactor, and the diff is written file by file as it is
  made: 102 MB to 87 MB at 100k in a side measurement (the docker strategy with unsafe fixes,
  six passes: 135 MB to 98 MB), the same time; a test holds the first result to being freed.
* **Features that are not asked for.** A check works out each finding's fix only to say
  whether it is fixable (`[*]`, `fixable` in JSON): in a profile of the 100k check that is
  0.26 s of 4.5 s profiled (about 6%), after the quadratic scan above was removed. The
  baseline, the fix loop, the plan and every report but the one asked for are imported only
  when used (`tests/test_imports.py`).
* **A password in a URI's `options`.** Left open by the last review: `options=-c%20password%3D...`
  was printed in full in code frames. The credential-parameter scrub reads the encoded
  form now (one more alternative in its regex, tried only where a text holds `=` or `%3`).
* **The pre-commit start.** `relocate` and `strategy` (and their dataclasses) are imported
  only when a finding's fix needs them; the compiled pattern holders of `patterns.py` are
  named tuples, with none of a dataclass's generated methods to compile; the local files a
  check's fixes move secrets to are asked of git in one `check-ignore` (an app with a
  Compose file: 6 git processes to 4). `tests/test_imports.py` holds the run to the modules
  and to a bound on the patterns it compiles.

### Second round (issue #12)

Before/after figures in this list were measured side by side in one run each, on the
loaded two-core machine; the tables above are the state after all of them.

* **The text report.** The first round timed only JSON. The redactor index by the rarest
  grams of each secret (a shared-prefix report: 15 s to 2 s) had landed already; on the
  100k tree the text report still cost 2 s more than JSON. Two checks compared every app
  with every Compose file (`compose_files_reaching`, CON005: 1.4 s in a profile) or every
  Compose file with every file (DRF004's sources); both now read indexes built once per
  run. `per-path-ignores` globs were matched for every hit (1 s in a profile) and are now
  matched once per file, and `Globs` remembers the answer for each folder. The HMAC of the
  fingerprints padded its key for each finding, the text renderer escaped each segment of
  each line instead of each line. The text report is now made line by line as it is
  written, holding one file's lines at a time (peak 104-112 MB to 92 MB on the 100k tree),
  and frames remember each scrubbed line (files repeat the same lines). At 100k: text
  6.85 s to 4.84 s (the floor 0.91 s in the same round, before the later changes below).
* **Every output format within 100 MB.** Measured for the first time: SARIF took 19.6 s and
  205 MB at 100k (it split the whole file into lines once per finding, and built the
  document, then its indented string, in memory), JUnit 131 MB. Both now write to the
  stream as they go; SARIF encodes each result on its own and indents it to its depth
  (JSON text holds no raw line break, so this gives the bytes of the whole): 5.3 s and 76 MB.
* **JSON.** `json.dump(indent=2)` always runs CPython's pure-Python encoder (the C encoder
  does not indent before 3.13). The report is now written by a small indenting writer over
  `json`'s C string encoder: the same bytes (also compared with `json.dump` on random
  documents), 0.20 s to 0.13 s of CPU for the 100k report.
* **Prisma.** A real schema is mostly model fields (trigger.dev's is 104 KB), and the
  tokenizer turned every one into tokens. A token never spans lines, and a line with no
  string, brace or `@@`, whose brackets close on it, cannot open or close a block, change a
  depth or hold an attribute the reader keeps; such lines are now kept as their line break
  only, and datasource blocks are read in full in a second pass. trigger.dev's schema: 93 ms
  to 27 ms; the tests compare the result with reading every token, on generated text and
  on every schema of the monorepos (also with lines cut in half).
* **Smaller things.** `secrets_in` tries the self-identifying secret shapes only when their
  combined probe finds one in the value; `Config` hashes its fields once (memoised helpers
  hashed the whole nested configuration on every call); the LIV checks import the survey
  and endpoint modules (9 dataclasses) only when a live survey ran; the top of the work
  tree is found without a git process when it is certain (a plain `.git` folder of the
  user's; otherwise `git rev-parse` as before), leaving a pre-commit run two git processes.

### First round (issue #4)

* **Secret scrubbing was quadratic**: one alternation of every secret ran over every
  message (183-414 s at 100k). `redact.Redactor` indexes each secret by 4-character grams
  and samples a message every 3 characters, so only the secrets it can hold are tried.
* **Pure functions memoised** (`dsn.parse`, `classify.secret_state`, `is_placeholder`,
  classification per distinct `(key, value)`), the two `git ls-files` listings run at
  once and scoped to the apps of a pre-commit run, the rule catalogue and pattern data
  cached as JSON beside the TOML (as Python caches bytecode), pydantic, rich and PyYAML
  imported only when used (`tests/test_imports.py` keeps it so), checks that scanned every
  app or file per hit given indexes, and the JSON report streamed.
"""


def standing(data: Dict[str, object]) -> str:
    """What stands between the measured figures and the goals, in this run's numbers."""
    pre, st, full = data["precommit"], data["stages"], data["full"]
    base = pre["pass"]["time"]
    stdlib, own, check = pre["import_stdlib"]["time"], pre["import_all"]["time"], pre["env_only"]["time"]
    cpu = pre.get("cpu") or {}
    floor_pre = pre.get("floor_env_only", {}).get("time")
    bullets = [
        f"**Pre-commit (5x `python -c pass`).** In this run a bare interpreter takes {fmt_s(base)}, so 5x "
        f"is {fmt_s(5 * base)}. Importing the {pre.get('stdlib_modules', 0)} standard-library modules a check "
        f"needs takes {fmt_s(stdlib)} ({stdlib / base:.1f}x) before a line of tekup-envlint runs (`dataclasses` "
        "with `inspect`, `ast` and `dis`; `pathlib` with `urllib.parse` and `ipaddress`; `subprocess` with "
        "`threading` and `selectors`; `argparse` with `gettext`; `typing`, `re`, `json`); the tool's own "
        f"modules bring it to {fmt_s(own)} ({own / base:.1f}x), and the check itself to {fmt_s(check)} "
        f"({check / base:.1f}x)."
        + (f" Even the floor, which imports python-dotenv and PyYAML, parses the same files and does nothing "
           f"else, takes {fmt_s(floor_pre)} ({floor_pre / base:.1f}x)." if floor_pre else "")
        + (f" Of the check's own cost, {fmt_s(cpu['dataclasses'])} of CPU goes on creating {cpu['classes']:.0f} "
           "dataclasses (Python generates their `__init__`, `__eq__`, `__hash__`, `__repr__` and frozen "
           f"`__setattr__` as source and compiles them at every start) and {fmt_s(cpu['regex'])} on compiling "
           f"{cpu['regexes']:.0f} regular expressions (the placeholder patterns and secret shapes of "
           "`rules/*.toml`, which every value is tried against, and the modules' own; Python keeps no "
           "compiled expression between processes)." if cpu else "")
        + " The rest is two or three git processes (what is tracked and what is ignored: the rules' answers "
        "depend on them), reading and checking the files, and the report. Reaching 5x in CPython would take "
        "a start path without `dataclasses`, `pathlib`, `typing` and `argparse`, and no regular expressions "
        "compiled at start: a different program, not a faster one; the standard library alone costs most "
        "of the 5x.",
    ]
    size = int(st["tree"].split("-")[0].replace(",", ""))
    growth_row = next((row for row in data["growth"] if row["files"] == size), None)
    if growth_row:
        floor = growth_row["floor"]["time"]
        stages = {k: v for k, v in st["stages"].items()
                  if k not in ("total", "import", "git ls-files (both, at once)", "text report (instead of JSON)")}
        before_rules = sum(v for k, v in stages.items() if k.startswith(("discover", "read", "workspace")))
        rules = stages.get("checks (with message scrubbing)", 0.0)
        redactor = stages.get("redactor (secrets of every setting)", 0.0)
        largest = max(stages, key=stages.get)
        rest = (st["stages"]["total"] - stages[largest]) / floor
        slow = sorted(st["checks"].items(), key=lambda kv: -kv[1])
        biggest = slow[0] if slow else ("-", 0.0)
        bullets.append(
            f"**Full scan (1.5x the floor).** The goal allows {fmt_s(1.5 * floor)} for the {size:,}-file tree. "
            "Discovering the files, reading them with exact spans (what the autofix and the code frames stand "
            "on) and building the workspace (classifying every setting, the load sets a process reads) take "
            f"{fmt_s(before_rules)} together, {before_rules / floor:.2f} floors, before any rule runs; "
            f"collecting every secret for the redactor, so that no output prints one, takes {fmt_s(redactor)} "
            f"({redactor / floor:.2f}); the rules with message scrubbing {fmt_s(rules)} ({rules / floor:.2f}), "
            f"spread over {len(st['checks'])} checks (the slowest, {biggest[0]}, {fmt_s(biggest[1])}). The run grows "
            f"linearly (Growth above), and without its largest stage, {largest}, it would still take {rest:.2f} "
            "floors: what is left is the Python cost of the work itself, not one stage's defect. The floor parses with python-dotenv "
            "and PyYAML's C loader and keeps nothing. Garbage collection runs inside these stages: in a side "
            "measurement, a check of the 100k tree with the cyclic collector off took 6-12% less CPU with the "
            "same peak memory, but the passes of the fix loop drop whole workspaces, so it stays on.")
    fixrow = next((row for row in full if "fix_diff" in row and row["files"] >= 100_000), None)
    if fixrow is not None:
        check_time = fixrow.get("check_text", fixrow["check"])["time"]
        bullets.append(
            "**`fix --diff` (2x `check`).** A fix run checks the workspace at least twice: once to find the "
            "fixes, then again on the fixed texts in memory, to see that nothing more applies; the second "
            "pass reuses the parse of every file the first did not change (`engine.ParseCache`) and lets go "
            f"of the first pass's workspace before it runs. At 100k: {fmt_s(fixrow['fix_diff']['time'])} "
            f"against {fmt_s(check_time)} for `check` ({fixrow['fix_diff']['time'] / check_time:.2f}x), "
            f"peak {fixrow['fix_diff']['rss_mb']:.0f} MB.")
    bullets += [
        "**How much the machine's load moves these ratios.** The machine is a shared two-core one; load "
        "slows a short interpreter start more than a long run, so the pre-commit ratios move most between "
        "runs (two earlier full runs gave 11.9x and 8.0x for the same command). The verdicts above are those "
        "of this run; the CPU-time line and the stage table are the steadier guides.",
        "**Peers.** detect-secrets scans in a pool of processes; the `dotenv-linter` package only tokenises "
        "env files (no Compose, no Prisma, no git, no classification).",
    ]
    wrapped = [textwrap.fill(b, width=92, initial_indent="* ", subsequent_indent="  ", break_long_words=False,
                             break_on_hyphens=False) for b in bullets]
    return "## What stands between this and the goals\n\n" + "\n".join(wrapped)


# --------------------------------------------------------------------------- main


def count_config(tree: Path) -> int:
    return int(json.loads((tree / ".bench-tree.json").read_text())["config"])


def imported_modules(tree: Path, files: List[str]) -> str:
    code = ("import sys, io, contextlib; from tekup_envlint.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): main(['check', *sys.argv[1:], '--format', 'json'])\n"
            "print(' '.join(sorted(m for m in ('pydantic', 'rich', 'yaml', 'dotenv') if m in sys.modules)))")
    env_only = subprocess.run([str(PY), "-c", code, *files], cwd=str(tree), capture_output=True, text=True,
                              env=_env()).stdout.strip()
    return f"of pydantic, rich, PyYAML and python-dotenv, the env-files-only run imports {env_only or 'none'}."


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small trees, few rounds, nothing written to docs/")
    parser.add_argument("--runs", type=int, help="rounds per measurement (default 5, quick 3)")
    parser.add_argument("--sizes", help="comma-separated tree sizes for the growth curve")
    parser.add_argument("--out", type=Path, help="where to write the report (default docs/performance.md)")
    parser.add_argument("--only", choices=("report", "stages"),
                        help="report: write the report again from the last run's data; "
                             "stages: time the stages (and parallel parsing) again, then write it")
    args = parser.parse_args(argv)
    data_file = WORK / ("last-run-quick.json" if args.quick else "last-run.json")
    if args.only:
        data = json.loads(data_file.read_text())
        if args.only == "stages":
            setup_venv()
            profiled = max(row["files"] for row in data["growth"] if row["files"] <= 100_000)
            tree = generate.tree(TREES, profiled)
            data["stages"] = dict(stages(tree, 3), tree=f"{profiled:,}-file", runs=3)
            data["parallel"] = dict(parallel_parse(tree, 3), tree=f"{profiled:,}-file")
            data_file.write_text(json.dumps(data, indent=2))
        out = args.out or (WORK / "performance-quick.md" if data.get("quick") else ROOT / "docs" / "performance.md")
        plot(data, out.with_suffix(".png"))
        write_report(data, out)
        log(f"wrote {out} and {out.with_suffix('.png')}")
        return 0
    runs = args.runs or (3 if args.quick else 5)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else (
        [2000, 5000] if args.quick else [10_000, 30_000, 100_000, 300_000])
    WORK.mkdir(parents=True, exist_ok=True)
    setup_venv()
    data: Dict[str, object] = {"machine": machine(), "runs": runs, "quick": args.quick}
    envlint = str(BIN / "tekup-envlint")

    log("generating trees (cached in benchmarks/.work/trees)")
    company = generate.tree(TREES, COMPANY["files"], COMPANY["apps"])
    trees = {size: generate.tree(TREES, size) for size in sizes}

    # 1. pre-commit: `tekup-envlint check FILES`, as the hook runs it (text), and in JSON
    env_only = one_app(company, with_compose=False)
    with_compose = one_app(company, with_compose=True)
    pre = [
        Measure("pass", [str(PY), "-c", "pass"], company, ok=(0,)),
        Measure("env_only", [envlint, "check", *env_only], company),
        Measure("with_compose", [envlint, "check", *with_compose], company),
        Measure("env_only_json", [envlint, "check", *env_only, "--format", "json"], company),
        # the least a Python tool with python-dotenv and PyYAML spends on the same files
        Measure("floor_env_only", [str(PY), str(HERE / "floor.py"), *env_only], company, ok=(0,)),
        Measure("floor_with_compose", [str(PY), str(HERE / "floor.py"), *with_compose], company, ok=(0,)),
    ]
    stdlib, own = run_modules(company, env_only)
    pre += [  # where the time of the first check goes: importing what it imports, then the run
        Measure("import_stdlib", [str(PY), "-c", "import " + ",".join(stdlib)], company, ok=(0,)),
        Measure("import_all", [str(PY), "-c", "import " + ",".join(stdlib + own)], company, ok=(0,)),
    ]
    rounds(pre, runs * 2, "pre-commit")
    data["precommit"] = {m.name: {"time": m.median, "rss_mb": m.rss_mb} for m in pre}
    data["precommit"].update(stdlib_modules=len(stdlib), own_modules=len(own), cpu=precommit_cpu(company, env_only))
    data["precommit"].update(env_only_files=len(env_only), with_compose_files=len(with_compose),
                             modules_note=imported_modules(company, env_only))

    # 2. full scans (text and JSON), the floor, the peers and `fix --diff`
    full_trees = [("company-sized", company)] + [(f"{s // 1000}k", trees[s]) for s in sizes if s == 100_000]
    if args.quick:
        full_trees = [("company-sized", company)]
    fix = has_fix(envlint)
    full = []
    for name, tree in full_trees:
        paths = config_files(tree)
        env_files = [p for p in paths if not p.endswith((".yml", ".yaml", ".prisma"))]
        ms = [
            Measure("check_text", [envlint, "check", "."], tree),
            Measure("check", [envlint, "check", ".", "--format", "json"], tree),
            Measure("floor", [str(PY), str(HERE / "floor.py"), "."], tree, ok=(0,)),
            Measure("detect_secrets", [str(BIN / "detect-secrets"), "scan", *paths], tree, ok=(0,)),
            Measure("dotenv_linter", [str(BIN / "dotenv-linter"), *env_files], tree),
        ]
        if fix:  # the autofix (issue #10): what it would change, written nowhere
            ms.append(Measure("fix_diff", [envlint, "fix", "--diff", "."], tree))
        rounds(ms, runs, f"full scan {name}")
        row = {m.name: {"time": m.median, "rss_mb": m.rss_mb} for m in ms}
        row.update(name=name, files=generate_count(tree), config=len(paths))
        full.append(row)
    data["full"] = full
    data["fix"] = fix

    # 3. peak memory of every output format on the largest full-scan tree (one run each)
    name, tree = full_trees[-1]
    ms = [Measure(fmt, [envlint, "check", ".", "--format", fmt], tree) for fmt in CHECK_FORMATS]
    for m in ms:
        log(f"  memory: --format {m.name} on {name}")
        m.run()
    data["formats"] = {"tree": name, "files": generate_count(tree),
                       "rows": {m.name: {"time": m.times[0], "rss_mb": m.rss_mb} for m in ms}}

    # 4. growth
    growth = []
    for size in sizes:
        tree = trees[size]
        ms = [Measure("check_text", [envlint, "check", "."], tree),
              Measure("check", [envlint, "check", ".", "--format", "json"], tree),
              Measure("floor", [str(PY), str(HERE / "floor.py"), "."], tree, ok=(0,))]
        rounds(ms, runs if size <= 100_000 else max(3, runs // 2), f"growth {size:,}")
        row = {m.name: {"time": m.median, "rss_mb": m.rss_mb} for m in ms}
        row.update(files=size, config=count_config(tree))
        growth.append(row)
    data["growth"] = growth

    # where the time goes
    profiled = 100_000 if 100_000 in trees else max(sizes)
    log(f"stage timings on the {profiled:,}-file tree")
    st = stages(trees[profiled], 3)
    st.update(tree=f"{profiled:,}-file", runs=3)
    data["stages"] = st
    par_tree = 100_000 if 100_000 in trees else max(sizes)
    data["parallel"] = dict(parallel_parse(trees[par_tree], 3), tree=f"{par_tree:,}-file")

    data_file.write_text(json.dumps(data, indent=2))
    out = args.out or (WORK / "performance-quick.md" if args.quick else ROOT / "docs" / "performance.md")
    plot(data, out.with_suffix(".png"))
    write_report(data, out)
    log(f"wrote {out} and {out.with_suffix('.png')}")
    sys.stdout.write(out.read_text())
    return 0


def run_modules(tree: Path, files: List[str]) -> Tuple[List[str], List[str]]:
    """The modules a `check FILES` imports beyond a bare interpreter: (standard library, ours)."""
    code = ("import sys, io, contextlib; before = set(sys.modules); from tekup_envlint.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): main(['check', *sys.argv[1:]])\n"
            "print(' '.join(m for m in sys.modules if m not in before))")
    out = subprocess.run([str(PY), "-c", code, *files], cwd=str(tree), capture_output=True, text=True,
                         env=_env(), check=True).stdout.split()
    own = [m for m in out if m.split(".")[0] == "tekup_envlint"]
    stdlib = [m for m in out if m not in own and not m.startswith("_")]  # private ones come with them
    return stdlib, own


CPU = r'''
import re, sys, time, dataclasses, subprocess
spent = {"regex": 0.0, "dataclasses": 0.0}
count = {"regex": 0, "dataclasses": 0}
def timed(kind, function):
    def wrapper(*args, **kwargs):
        t = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[kind] += time.process_time() - t
            count[kind] += 1
    return wrapper
compiled = re._compile
def _compile(pattern, flags):  # only real compilations count, not re's cache hits
    key = (type(pattern), pattern, flags)
    if isinstance(pattern, re.Pattern) or key in re._cache:
        return compiled(pattern, flags)
    return timed("regex", compiled)(pattern, flags)
re._compile = _compile
dataclasses._process_class = timed("dataclasses", dataclasses._process_class)
t0 = time.process_time()
import io, contextlib
from tekup_envlint.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    main(["check", *sys.argv[1:]])
total = time.process_time() - t0
import json
print(json.dumps({"total": total, "regex": spent["regex"], "regexes": count["regex"],
                  "dataclasses": spent["dataclasses"], "classes": count["dataclasses"]}))
'''


def precommit_cpu(tree: Path, files: List[str], runs: int = 5) -> Dict[str, float]:
    """CPU time (not wall time: git's processes are not in it) of a pre-commit check in its
    own process, and the parts spent compiling regular expressions and creating dataclasses
    (medians of runs)."""
    results = [json.loads(subprocess.run([str(PY), "-c", CPU, *files], cwd=str(tree), capture_output=True,
                                         text=True, env=_env(), check=True).stdout) for _ in range(runs)]
    return {k: statistics.median(r[k] for r in results) for k in results[0]}


def has_fix(envlint: str) -> bool:
    """Whether this version has the `fix` command (issue #10): its row is measured only then."""
    done = subprocess.run([envlint, "fix", "--help"], capture_output=True, env=_env())
    return done.returncode == 0 and b"--diff" in done.stdout


def generate_count(tree: Path) -> int:
    return int(json.loads((tree / ".bench-tree.json").read_text())["files"])


if __name__ == "__main__":
    sys.exit(main())
