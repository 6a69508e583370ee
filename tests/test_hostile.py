"""Hostile input through the installed command: nothing breaks, nothing is skipped silently.

One workspace holds every hostile file, each in its own app (`apps/<case>/`), next to a good
app whose template names the legacy Supabase project (HYB002). `check` and `map` run once
per discovery mode (a plain folder walk and a git work tree) and every case reads its
expectation from those runs:

* the command exits 0 or 1, never 2, and stderr holds no traceback;
* the hostile file is reported by name, at its line where it has one;
* every other file is still checked: the good app's HYB002 is there, and `map` lists
  every readable file.

Cases that need the process itself (a file that vanishes between discovery and read, a
file root could read anyway) run in-process against `tekup_envlint.parsers.read`.
Broken *configuration* is the one exception: it exits 2 with a message naming the file
and the key.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Tuple, Union

import pytest

COMMAND = Path(sys.executable).parent / ("tekup-envlint.exe" if os.name == "nt" else "tekup-envlint")
pytestmark = [
    pytest.mark.skipif(not COMMAND.exists(), reason="the console script is not installed next to python"),
    pytest.mark.skipif(os.name == "nt", reason="POSIX file system semantics (FIFOs, symlinks, byte names)"),
]

LEGACY = "twaoebtlusudzxshjral"
LEGACY_URL = f"https://{LEGACY}.supabase.co"
LEGACY_LINE = f"SUPABASE_URL={LEGACY_URL}\n"
GOOD = "apps/good/.env.example"
OUTSIDE_SECRET = "outside-the-root-7Qm2Xv9Lp4Rt"  # what a symlink out of the root would leak
MAX_SIZE = 2_000_000  # the default max-file-size

Content = Union[bytes, str, Callable[[Path, Path], None]]  # a maker gets (path, outside folder)


@dataclass
class Case:
    """A hostile file (or files) in `apps/<name>/` and what `check` must say about it."""

    name: str
    files: Dict[str, Content]
    expect: List[Tuple[str, str, Optional[int], str]]  # (file, code, line or None, text in message)
    readable: Tuple[str, ...] = ()  # files `map` must list (read, parsed, part of their app)
    absent: Tuple[str, ...] = ()  # codes that must not be reported for this app
    walk_only: bool = False  # git lists no FIFOs or folders


def _sparse(size: int) -> Callable[[Path, Path], None]:
    def make(path: Path, outside: Path) -> None:
        with open(path, "wb") as handle:
            handle.truncate(size)

    return make


def _symlink(target: str) -> Callable[[Path, Path], None]:
    def make(path: Path, outside: Path) -> None:
        os.symlink(target.format(outside=outside), path)

    return make


def _fifo(path: Path, outside: Path) -> None:
    os.mkfifo(path)


def _folder(path: Path, outside: Path) -> None:
    path.mkdir()
    (path / "inner").write_text(LEGACY_LINE)


def _line_of(text: str, needle: str) -> int:
    """1-based line of needle, counting LF, CR LF and a lone CR as the tool does."""
    before = text[: text.index(needle)].replace("\r\n", "\n").replace("\r", "\n")
    return before.count("\n") + 1


def _billion_laughs() -> str:
    lines = ['lol: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    prev = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
        prev = name
    return "\n".join(lines) + "\n"


SPANNING = 'NOTE="' + "a line of a long quoted value\n" * 5000 + '"\n' + LEGACY_LINE
UNICODE_KEYS = "ключ=значение\nKÉY=ü\n名前=値\n" + LEGACY_LINE
MIXED = "A=1\r\nB=2\nC=3\rD=4\r\n" + LEGACY_LINE.replace("\n", "\r\n")
LONG = "LONG=" + "x" * (MAX_SIZE - 200) + "\n" + LEGACY_LINE
NESTED_DEFAULTS = (
    'x-deep: "' + "${A:-" * 20000 + "}" * 20000 + '"\n'
    "services:\n  api:\n    environment:\n      SUPABASE_URL: " + LEGACY_URL + "\n"
)
DEEP_BLOCK = "".join(" " * i + f"k{i}:\n" for i in range(1100))
COMPOSE_ENV = "services:\n  api:\n    image: node\n    environment:\n      SUPABASE_URL: " + LEGACY_URL + "\n"

PORTS = ('services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${{PW}}\n'
         '    ports:\n      - "{port}:5432"\n')
LOCAL_DSN = "DATABASE_URL=postgresql://postgres:${PW}@localhost:5432/postgres\n"
# a 400 kB scalar aliased 200 times: few nodes, 80 MB of text once expanded (took minutes)
ALIASED_SCALAR = ("x-big: &big " + "x" * 400_000 + "\nservices:\n  api:\n    image: node\n    environment:\n"
                  + "".join(f"      K{i}: *big\n" for i in range(200)))
# 30,000 references in one value: the outermost-reference search was quadratic (100 s)
MANY_REFERENCES = ('services:\n  api:\n    image: node\n    environment:\n      X: "' + "${A}" * 30_000 + '"\n')
# a 900 kB line of URI users with no "@": the password-slot regex scanned to the end of the
# line from each of them (minutes); the code frame of the line's finding scrubs it
URI_USERS = LEGACY_LINE.rstrip("\n") + " # " + "postgresql://u:" * 60_000 + "\n"
# a .dockerignore of 29 bytes against a 60-character folder: the regex Docker would build
# (`[^/]*a[^/]*a...b`) backtracked for minutes in Python's `re`
LONG_FOLDER = "a" * 60
STARRED_BUILD = ("services:\n  api:\n    build:\n      context: .\n      dockerfile: " + LONG_FOLDER
                 + "/Dockerfile\n    environment:\n      DATABASE_URL: postgresql://u:${P}@localhost:5432/db\n")
DEEP_LEVELS = 1100  # os.walk recursed once per level: RecursionError past ~1,000 on Python <= 3.11
DEEP_ENV = "deep/" + "d/" * DEEP_LEVELS + ".env"


def _fifo_manifest(path: Path, outside: Path) -> None:
    """The app's package.json becomes a FIFO, with an env file in a subfolder: discovery
    reads the manifest to learn whether it declares workspaces (it hung there, blocked)."""
    (path.parent / "package.json").unlink()
    os.mkfifo(path.parent / "package.json")
    path.mkdir()
    (path / ".env").write_text(LEGACY_LINE)


def _deep(path: Path, content: str) -> None:
    """A folder DEEP_LEVELS levels deep with a .env at the bottom (made with relative steps)."""
    path.mkdir()
    here = os.getcwd()
    try:
        os.chdir(path)
        for _ in range(DEEP_LEVELS):
            os.mkdir("d")
            os.chdir("d")
        Path(".env").write_text(content)
    finally:
        os.chdir(here)


CASES = [
    # -- bytes that are not UTF-8 text ---------------------------------------------
    Case("nul-bytes", {".env": b"A=1\x00\x00\x01\x02binary"}, [(".env", "SYN003", 1, "NUL byte")]),
    Case("binary", {".env.local": bytes(range(256)) * 4}, [(".env.local", "SYN003", 1, "binary")]),
    Case("invalid-utf8", {".env": b"A=caf\xc3\x28\n" + LEGACY_LINE.encode()},
         [(".env", "SYN003", 1, "not valid UTF-8")]),
    Case("utf16-le-bom", {".env": LEGACY_LINE.encode("utf-16")},
         [(".env", "SYN003", 1, "UTF-16"), (".env", "HYB002", 1, LEGACY)]),  # recovered and checked
    Case("utf16-be-bom", {".env": b"\xfe\xff" + LEGACY_LINE.encode("utf-16-be")}, [(".env", "SYN003", 1, "UTF-16")]),
    Case("lone-bom", {".env": b"\xef\xbb\xbf"}, [], readable=(".env",), absent=("SYN001", "SYN003")),
    Case("bom-then-text", {".env": b"\xef\xbb\xbf" + LEGACY_LINE.encode()},
         [(".env", "HYB002", 1, LEGACY)], readable=(".env",)),
    # -- line ends and sizes -------------------------------------------------------
    Case("mixed-crlf", {".env": MIXED}, [(".env", "HYB002", _line_of(MIXED, "SUPABASE_URL"), LEGACY)],
         readable=(".env",), absent=("SYN001",)),
    Case("no-final-newline", {".env": "A=1\n" + LEGACY_LINE.rstrip("\n")}, [(".env", "HYB002", 2, LEGACY)]),
    Case("empty", {".env": b""}, [], readable=(".env",)),
    Case("huge-sparse", {".env.production": _sparse(200 * 1024 * 1024)},
         [(".env.production", "SYN006", 1, "over the")]),
    Case("long-line", {".env": LONG}, [(".env", "HYB002", 2, LEGACY)], readable=(".env",)),
    # -- dotenv syntax -------------------------------------------------------------
    Case("unterminated-double", {".env": 'A="open\n' + LEGACY_LINE},
         [(".env", "SYN002", 1, "unterminated double quote"), (".env", "HYB002", 2, LEGACY)]),
    Case("unterminated-single", {".env": "A='open\n" + LEGACY_LINE},
         [(".env", "SYN002", 1, "unterminated single quote"), (".env", "HYB002", 2, LEGACY)]),
    Case("quote-spanning-5000-lines", {".env": SPANNING},
         [(".env", "HYB002", _line_of(SPANNING, "SUPABASE_URL"), LEGACY)], absent=("SYN001", "SYN002")),
    Case("unterminated-spanning", {".env": 'A="' + "open\n" * 5000}, [(".env", "SYN002", 1, "unterminated")]),
    Case("key-with-space", {".env": "MY KEY=1\n" + LEGACY_LINE},
         [(".env", "SYN001", 1, "keys cannot hold spaces"), (".env", "HYB002", 2, LEGACY)]),
    Case("spaces-in-broken-line", {".env": "MY" + " " * 1_000_000 + "TOKEN=x\n" + LEGACY_LINE},
         [(".env", "SYN001", 1, "keys cannot hold spaces"), (".env", "HYB002", 2, LEGACY)]),
    Case("unicode-keys", {".env": UNICODE_KEYS}, [(".env", "HYB002", 4, LEGACY)], absent=("SYN001",)),
    Case("equals-in-value", {".env": f"SUPABASE_URL={LEGACY_URL}/rest?a=b=c==\nX=a=b\n"},
         [(".env", "HYB002", 1, LEGACY)], absent=("SYN001",)),
    Case("only-export", {".env": "export\nexport \n  export\t\n" + LEGACY_LINE},
         [(".env", "SYN001", 2, "nothing after 'export'"), (".env", "HYB002", 4, LEGACY)]),
    Case("terminal-escapes", {".env": LEGACY_LINE.rstrip("\n") + " # \x1b[2J\x1b]0;owned\x07\x9b31m\n"},
         [(".env", "HYB002", 1, LEGACY)]),
    Case("private-key-flood", {".env": "KEY=" + "-----BEGIN PRIVATE KEY-----" * 20000 + "\n" + LEGACY_LINE},
         [(".env", "HYB002", 2, LEGACY)]),
    # -- YAML ----------------------------------------------------------------------
    Case("billion-laughs", {"docker-compose.yml": _billion_laughs()},
         [("docker-compose.yml", "SYN004", 1, "aliases expand beyond")]),
    Case("self-alias", {"docker-compose.yml": "a: &a [*a]\n"}, [("docker-compose.yml", "SYN004", 1, "infinite")]),
    Case("deep-flow", {"docker-compose.yml": "a: " + "[" * 20000 + "]" * 20000 + "\n"},
         [("docker-compose.yml", "SYN004", 1, "nesting depth")]),
    Case("deep-block", {"docker-compose.yml": DEEP_BLOCK}, [("docker-compose.yml", "SYN004", None, "nesting depth")]),
    Case("duplicate-keys", {"docker-compose.yml": "services:\n  db:\n    image: postgres\n    image: mysql\n"},
         [("docker-compose.yml", "SYN005", 4, "duplicate key 'image'")]),
    Case("tabs", {"docker-compose.yml": "services:\n\tdb:\n\t\timage: postgres\n"},
         [("docker-compose.yml", "SYN004", 2, "tabs")]),
    Case("list-document", {"compose.yaml": "- a\n- b\n"}, [("compose.yaml", "SYN004", 1, "not a list")]),
    Case("scalar-document", {"compose.yaml": "just text\n"}, [("compose.yaml", "SYN004", 1, "not the scalar")]),
    Case("multi-document",
         {"compose.yaml": "services:\n  a:\n    image: x\n---\n" + COMPOSE_ENV.replace("  api:", "  b:") + "---\n- c\n"},
         [("compose.yaml", "HYB002", 9, LEGACY), ("compose.yaml", "SYN004", 11, "not a list")]),
    Case("merge-keys",
         {"compose.yaml": f"x-env: &env\n  SUPABASE_URL: {LEGACY_URL}\nservices:\n  api:\n"
                          "    environment:\n      <<: *env\n      OTHER: 1\n"},
         [("compose.yaml", "HYB002", 2, LEGACY)], absent=("SYN004", "SYN005")),
    Case("custom-tags",
         {"compose.yaml": "services:\n  api:\n    ports: !reset []\n    volumes: !override\n      - a:/a\n"
                          f"    environment: !override\n      SUPABASE_URL: {LEGACY_URL}\n"},
         [("compose.yaml", "HYB002", 7, LEGACY)], absent=("SYN004",)),
    Case("environment-list", {"compose.yaml": f"services:\n  api:\n    environment:\n      - SUPABASE_URL={LEGACY_URL}\n"},
         [("compose.yaml", "HYB002", 4, LEGACY)]),
    Case("nested-defaults", {"compose.yaml": NESTED_DEFAULTS}, [("compose.yaml", "HYB002", 5, LEGACY)]),
    Case("python-tag", {"compose.yaml": '!!python/object/apply:os.system ["echo owned"]\n'},
         [("compose.yaml", "SYN004", 1, "must be a mapping at the top level")]),
    # -- Prisma --------------------------------------------------------------------
    Case("prisma-unterminated", {"schema.prisma": 'datasource db {\n  provider = "postgresql\n  url = env("X")\n}\n'},
         [("schema.prisma", "SYN007", 2, "unterminated string")]),
    Case("prisma-binary", {"schema.prisma": b"datasource db {\x00}"}, [("schema.prisma", "SYN003", 1, "NUL")]),
    # -- the file system -----------------------------------------------------------
    Case("folder-named-env", {".env": _folder}, [(".env", "SYN006", 1, "is a directory")], walk_only=True),
    Case("fifo", {".env": _fifo}, [(".env", "SYN006", 1, "not a regular file")], walk_only=True),
    Case("symlink-out-file", {".env": _symlink("{outside}/secret.env")},
         [(".env", "SYN006", 1, "outside the scanned root")]),
    Case("symlink-out-folder", {".env.local": _symlink("{outside}")},
         [(".env.local", "SYN006", 1, "outside the scanned root")]),
    Case("symlink-in-folder", {"target": lambda path, outside: path.mkdir(), ".env.local": _symlink("target")},
         [(".env.local", "SYN006", 1, "is a directory")]),
    Case("symlink-in-file", {"real.txt": LEGACY_LINE, ".env": _symlink("real.txt")},
         [(".env", "HYB002", 1, LEGACY)], readable=(".env",)),
    Case("symlink-loop", {".env": _symlink(".env.local"), ".env.local": _symlink(".env")},
         [(".env", "SYN006", 1, "loops"), (".env.local", "SYN006", 1, "loops")]),
    Case("symlink-dangling", {".env": _symlink("nowhere")}, [(".env", "SYN006", 1, "points at nothing")]),
    Case("name-not-utf8", {os.fsdecode(b".env.\xff\xfe"): LEGACY_LINE},
         [(os.fsdecode(b".env.\xff\xfe"), "HYB002", 1, LEGACY)], readable=(os.fsdecode(b".env.\xff\xfe"),)),
    Case("name-with-newline", {".env.a\ninjected: line": LEGACY_LINE},
         [(".env.a\ninjected: line", "HYB002", 1, LEGACY)]),
    Case("name-with-escape", {".env.a\x1b[31m": LEGACY_LINE}, [(".env.a\x1b[31m", "HYB002", 1, LEGACY)]),
    # -- second round (issue 9) ------------------------------------------------------
    Case("port-unicode-digits", {"docker-compose.yml": PORTS.format(port="²"), ".env": LOCAL_DSN},
         [("docker-compose.yml", "SYN004", 7, "invalid port number (published port '²')")]),
    Case("port-thousands-of-digits", {"docker-compose.yml": PORTS.format(port="9" * 5000), ".env": LOCAL_DSN},
         [("docker-compose.yml", "SYN004", 7, "invalid port number (published port '999999999999…')")]),
    Case("aliased-large-scalar", {"docker-compose.yml": ALIASED_SCALAR},
         [("docker-compose.yml", "SYN004", 1, "aliases expand the file's text beyond")]),
    Case("many-references", {"docker-compose.yml": MANY_REFERENCES, ".env": "B=1\n"},
         [("docker-compose.yml", "DRF004", 5, "${A} has no default")]),
    Case("uri-users-without-at", {".env": URI_USERS}, [(".env", "HYB002", 1, LEGACY)]),
    Case("dockerignore-stars", {"docker-compose.yml": STARRED_BUILD, ".dockerignore": "*a" * 14 + "b\n",
                                f"{LONG_FOLDER}/.env": LEGACY_LINE},
         [(f"{LONG_FOLDER}/.env", "HYB002", 1, LEGACY)]),
    Case("fifo-manifest", {"docker": _fifo_manifest}, [("docker/.env", "HYB002", 1, LEGACY)], walk_only=True),
    Case("deep-tree", {"deep": lambda path, outside: _deep(path, LEGACY_LINE)},
         [(DEEP_ENV, "HYB002", 1, LEGACY)]),
    Case("deep-tree-ignored", {".gitignore": "ignored/\n", "ignored": lambda path, outside: _deep(path, LEGACY_LINE)},
         [("ignored" + DEEP_ENV[4:], "HYB002", 1, LEGACY)]),
]


def _write(root: Path, outside: Path) -> None:
    (root / "apps/good").mkdir(parents=True)
    (root / "apps/good/package.json").write_text("{}")
    (root / GOOD).write_text(LEGACY_LINE)
    for case in CASES:
        app = root / "apps" / case.name
        app.mkdir(parents=True)
        (app / "package.json").write_text("{}")
        for name, content in case.files.items():
            path = app / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if callable(content):
                content(path, outside)
            elif isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_bytes(content.encode("utf-8"))


def run(*args: str, cwd: Optional[Path] = None, env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    """The installed command; stdout and stderr as bytes (a file name need not be UTF-8)."""
    environment = dict(os.environ, **(env or {}))
    environment.pop("TEKUP_ENVLINT_DEBUG", None)
    return subprocess.run([str(COMMAND), *args], cwd=cwd, env=environment, capture_output=True, timeout=120)


def run_measured(*args: str, cwd: Optional[Path] = None) -> Tuple[subprocess.CompletedProcess, int, float]:
    """The installed command with its peak resident memory (KiB, Linux) and wall time."""
    probe = (
        "import resource, subprocess, sys, time; t = time.perf_counter();"
        "p = subprocess.run(sys.argv[1:], capture_output=True);"
        "sys.stdout.buffer.write(p.stdout); sys.stderr.buffer.write(p.stderr);"
        "sys.stderr.write('\\n@@%d %f %d' % (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
        " time.perf_counter() - t, p.returncode))"
    )
    env = dict(os.environ)
    env.pop("TEKUP_ENVLINT_DEBUG", None)
    done = subprocess.run([sys.executable, "-c", probe, str(COMMAND), *args], cwd=cwd, env=env,
                          capture_output=True, timeout=120)
    stderr, _, tail = done.stderr.rpartition(b"\n@@")
    rss, seconds, code = tail.split()
    return subprocess.CompletedProcess(done.args, int(code), done.stdout, stderr), int(rss), float(seconds)


def assert_sane(done: subprocess.CompletedProcess, codes=(0, 1)) -> None:
    assert b"Traceback" not in done.stderr, done.stderr.decode("utf-8", "replace")
    assert done.returncode in codes, (done.returncode, done.stderr.decode("utf-8", "replace"))


@dataclass
class Report:
    mode: str
    findings: List[dict]
    files: List[str]  # every file `map` lists, over all apps
    text: bytes
    rss_kib: int
    seconds: float
    stderr: bytes = b""
    by_app: Dict[str, List[dict]] = field(default_factory=dict)


@pytest.fixture(scope="module", params=["walk", "git"])
def report(request, tmp_path_factory) -> Iterator[Report]:
    base = tmp_path_factory.mktemp(f"hostile-{request.param}")
    root, outside = base / "repo", base / "outside"
    outside.mkdir()
    (outside / "secret.env").write_text(f"DB_PASSWORD={OUTSIDE_SECRET}\n{LEGACY_LINE}")
    root.mkdir()
    _write(root, outside)
    if request.param == "git":
        if shutil.which("git") is None:
            pytest.skip("git is not installed")
        subprocess.run(["git", "init", "-q", str(root)], check=True)
    done, rss, seconds = run_measured("check", str(root), "--format", "json")
    assert_sane(done)
    text = run("check", str(root), "--no-color")
    assert_sane(text)
    mapped = run("map", str(root), "--format", "json")
    assert_sane(mapped, codes=(0,))
    assert_sane(run("map", str(root), "--no-color"), codes=(0,))
    document = json.loads(done.stdout)
    findings = document["findings"]
    files = [f for app in json.loads(mapped.stdout)["apps"] for f in app["files"]]
    result = Report(request.param, findings, files, text.stdout, rss, seconds, done.stderr + text.stderr)
    for finding in findings:
        result.by_app.setdefault(finding["app"], []).append(finding)
    yield result
    remove_tree(base)


def remove_tree(top: Path) -> None:
    """Remove a tree without recursion. The deep-tree cases are 1,100 folders deep, and
    `shutil.rmtree` recurses once per level on Python <= 3.11: left behind, they made a later
    pytest session's clean-up of its old temporary folders fail with RecursionError."""
    folders, stack = [], [str(top)]
    while stack:
        folder = stack.pop()
        folders.append(folder)
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    os.unlink(entry.path)
    for folder in reversed(folders):
        os.rmdir(folder)


def test_no_traceback_and_exit_1(report: Report) -> None:
    assert b"Traceback" not in report.stderr and b"internal error" not in report.stderr


def test_the_good_app_is_still_checked(report: Report) -> None:
    assert [(f["code"], f["line"], f["column"]) for f in report.findings if f["path"] == GOOD] == [("HYB002", 1, 14)]
    assert f"{GOOD}\n  1:14  error    HYB002".encode() in report.text


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_is_reported_by_file_and_line(report: Report, case: Case) -> None:
    if case.walk_only and report.mode == "git":
        pytest.skip("git lists no FIFOs or folders")
    app = f"apps/{case.name}"
    found = report.by_app.get(app, [])
    for name, code, line, text in case.expect:
        path = f"{app}/{name}"
        hits = [f for f in found if f["path"] == path and f["code"] == code]
        assert hits, f"no {code} for {path!r}; got {[(f['path'], f['code'], f['line']) for f in found]}"
        if line is not None:
            assert line in [f["line"] for f in hits], (code, path, [f["line"] for f in hits])
        assert any(text in f["message"] for f in hits), [f["message"] for f in hits]
        # the file is named in the text report too (control characters shown as escapes)
        shown = path.encode("utf-8", "surrogateescape")
        for raw, escaped in ((b"\n", b"\\x0a"), (b"\x1b", b"\\x1b"), (b"\xff", b"\\xff"), (b"\xfe", b"\\xfe")):
            shown = shown.replace(raw, escaped)
        assert shown + b"\n" in report.text
    for code in case.absent:
        assert not [f for f in found if f["code"] == code], [f for f in found if f["code"] == code]
    for name in case.readable:
        assert f"{app}/{name}" in report.files


def test_every_file_is_found(report: Report) -> None:
    """Each case's app has at least one finding or a readable file: nothing vanished."""
    for case in CASES:
        if case.walk_only and report.mode == "git":
            continue
        app = f"apps/{case.name}"
        assert report.by_app.get(app) or any(f.startswith(app + "/") for f in report.files), app


def test_huge_file_is_skipped_with_bounded_memory(report: Report) -> None:
    # 200 MB on disk; reading it would need at least that much
    assert 0 < report.rss_kib < 150 * 1024, f"peak RSS {report.rss_kib} KiB"


def test_the_whole_hostile_workspace_is_fast(report: Report) -> None:
    # quadratic paths (nested ${A:-${A:-...}}, thousands of BEGIN PRIVATE KEY lines, a
    # split per finding) each took minutes on these files before they were fixed
    assert report.seconds < 30, report.seconds


def test_nothing_from_outside_the_root_is_read(report: Report) -> None:
    assert OUTSIDE_SECRET.encode() not in report.text
    assert not [f for f in report.findings if OUTSIDE_SECRET in f["message"]]


def test_text_output_carries_no_terminal_control_characters(report: Report) -> None:
    # --no-color: not one escape sequence, and a file name cannot forge an output line
    assert b"\x1b" not in report.text and b"\x07" not in report.text and b"\xc2\x9b" not in report.text
    assert b"\ninjected: line" not in report.text
    assert b"\\x1b[2J" in report.text  # the code frame still shows what is there


def test_map_with_markup_in_folder_names(tmp_path: Path) -> None:
    for name in ("x[/y]", "[bold red]z"):
        app = tmp_path / "apps" / name
        app.mkdir(parents=True)
        (app / "package.json").write_text("{}")
        (app / ".env").write_text("DATABASE_URL=postgresql://u:${P}@localhost:5432/db\n")
    for fmt in ("--no-color", "--format=json"):
        done = run("map", str(tmp_path), fmt)
        assert_sane(done, codes=(0,))
        assert b"[bold red]z" in done.stdout and b"x[/y]" in done.stdout


# -- what only the process itself can arrange ---------------------------------------------

def _source(path: str):
    from tekup_envlint.models import SourceFile

    return SourceFile(path=path, kind="dotenv", app=".", env="default", tracked=True)


def test_file_that_vanishes_between_discovery_and_read(tmp_path: Path) -> None:
    from tekup_envlint.config import DEFAULT
    from tekup_envlint.discovery import discover
    from tekup_envlint.parsers import read

    (tmp_path / ".env").write_text(LEGACY_LINE)
    (tmp_path / ".env.local").write_text(LEGACY_LINE)
    sources = discover(tmp_path, DEFAULT)
    assert [s.path for s in sources] == [".env", ".env.local"]
    (tmp_path / ".env").unlink()
    gone, kept = (read(tmp_path.resolve(), s, MAX_SIZE) for s in sources)
    assert [(p.code, p.span.line) for p in gone.problems] == [("SYN006", 1)]
    assert "vanished" in gone.problems[0].message and ".env" in gone.problems[0].message
    assert [s.key for s in kept.settings] == ["SUPABASE_URL"]


def test_file_swapped_for_a_symlink_after_discovery_is_not_followed(tmp_path: Path) -> None:
    from tekup_envlint.config import DEFAULT
    from tekup_envlint.discovery import discover
    from tekup_envlint.parsers import read

    root, outside = tmp_path / "repo", tmp_path / "outside.env"
    root.mkdir()
    outside.write_text(f"DB_PASSWORD={OUTSIDE_SECRET}\n")
    (root / ".env").write_text("A=1\n")
    (source,) = discover(root, DEFAULT)
    (root / ".env").unlink()
    os.symlink(outside, root / ".env")  # after discovery looked: a race an attacker could win
    parsed = read(root.resolve(), source, MAX_SIZE)
    assert [(p.code, p.span.line) for p in parsed.problems] == [("SYN006", 1)]
    assert "outside the scanned root" in parsed.problems[0].message
    assert OUTSIDE_SECRET not in parsed.text


def test_configuration_naming_a_file_outside_the_root(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (tmp_path / "schema.prisma").write_text(f'datasource db {{\n  url = "postgresql://u:{OUTSIDE_SECRET}@h/db"\n')
    for named in ("../schema.prisma", str(tmp_path / "schema.prisma")):
        (root / ".tekup-envlint.toml").write_text(f"prisma-schema = {json.dumps(named)}\n")
        done = run("check", str(root), "--format", "json")
        assert_sane(done)
        (finding,) = json.loads(done.stdout)["findings"]
        assert finding["code"] == "SYN006" and "outside the scanned root" in finding["message"]
        assert OUTSIDE_SECRET.encode() not in done.stdout + done.stderr


def test_unreadable_file_in_process(tmp_path: Path, monkeypatch) -> None:
    """Root reads a chmod 000 file anyway, so the refusal is simulated at the one open call."""
    import tekup_envlint.parsers as parsers
    from tekup_envlint import engine
    from tekup_envlint.config import DEFAULT

    (tmp_path / "apps/a").mkdir(parents=True)
    (tmp_path / "apps/a/package.json").write_text("{}")
    (tmp_path / "apps/a/.env").write_text("A=1\n")
    (tmp_path / "apps/a/.env.example").write_text(LEGACY_LINE)
    real_open = os.open

    def refusing(path, flags, *args, **kwargs):
        name = str(path)
        if kwargs.get("dir_fd") is not None:  # opened one folder at a time from the root
            name = os.path.join(os.readlink(f"/proc/self/fd/{kwargs['dir_fd']}"), name)
        if name.endswith("/apps/a/.env"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(parsers.os, "open", refusing)
    found = {(f.path, f.code, f.line) for f in engine.run(tmp_path, DEFAULT).findings}
    assert ("apps/a/.env", "SYN006", 1) in found
    assert ("apps/a/.env.example", "HYB002", 1) in found


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads a chmod 000 file anyway")
def test_unreadable_file_through_the_command(tmp_path: Path) -> None:
    (tmp_path / "apps/a").mkdir(parents=True)
    (tmp_path / "apps/a/package.json").write_text("{}")
    locked = tmp_path / "apps/a/.env"
    locked.write_text("A=1\n")
    (tmp_path / "apps/a/.env.example").write_text(LEGACY_LINE)
    locked.chmod(0)
    try:
        done = run("check", str(tmp_path), "--format", "json")
    finally:
        locked.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert_sane(done)
    found = {(f["path"], f["code"]) for f in json.loads(done.stdout)["findings"]}
    assert ("apps/a/.env", "SYN006") in found and ("apps/a/.env.example", "HYB002") in found


def test_strict_stdout_and_a_name_that_is_not_utf8(tmp_path: Path) -> None:
    """With a strict UTF-8 stdout (PYTHONIOENCODING) a surrogate in a path once crashed the run."""
    (tmp_path / os.fsdecode(b".env.\xff")).write_text(LEGACY_LINE)
    for fmt in ("text", "json"):
        done = run("check", str(tmp_path), "--format", fmt, env={"PYTHONIOENCODING": "utf-8"})
        assert_sane(done)
        assert done.returncode == 1
        done.stdout.decode("utf-8")  # valid UTF-8
    (finding,) = json.loads(done.stdout)["findings"]
    assert finding["path"] == os.fsdecode(b".env.\xff")


# -- broken configuration: exit 2, naming the file and the key, no traceback -------------

CONFIG_ERRORS = [
    ("pyproject.toml", "[tool.tekup-envlint]\nstrategy = \n", "not valid TOML"),
    ("pyproject.toml", '[tool.tekup-envlint]\nstrategy = "mongo"\n', "key `strategy`"),
    ("pyproject.toml", '[tool.tekup-envlint]\nselect = ["ZZZ999"]\n', "key `select`: no rule has the code ZZZ999"),
    ("pyproject.toml", '[tool.tekup-envlint]\nignore = ["HYB", "NOPE1"]\n', "key `ignore`: no rule has the code NOPE1"),
    ("pyproject.toml", '[tool.tekup-envlint.severity]\nSYN001 = "fatal"\n', "key `severity.SYN001`"),
    ("pyproject.toml", '[tool.tekup-envlint.severity]\nQQQ1 = "info"\n', "key `severity`: no rule has the code QQQ1"),
    ("pyproject.toml", '[tool.tekup-envlint]\nmax-file-size = "big"\n', "key `max-file-size`"),
    ("pyproject.toml", "[tool.tekup-envlint]\nbogus = 1\n", "key `bogus`: unknown key"),
    (".tekup-envlint.toml", 'strategy = "x"\n', "key `strategy`"),
    (".tekup-envlint.toml", b"\xff\xfe\x00", "not valid TOML"),
]


@pytest.mark.parametrize("name,content,expected", CONFIG_ERRORS, ids=[e[2].split(":")[0] for e in CONFIG_ERRORS])
def test_broken_configuration_exits_2(tmp_path: Path, name: str, content, expected: str) -> None:
    (tmp_path / ".env").write_text(LEGACY_LINE)
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    done = run("check", str(tmp_path))
    assert done.returncode == 2 and done.stdout == b""
    err = done.stderr.decode()
    assert "Traceback" not in err
    assert err.startswith(f"tekup-envlint: error: {path}") and expected in err, err


def test_unknown_rule_code_on_the_command_line(tmp_path: Path) -> None:
    for args in (("check", str(tmp_path), "--select", "NOPE1"), ("check", str(tmp_path), "--ignore", "ZZ"),
                 ("explain", "NOPE1")):
        done = run(*args)
        assert done.returncode == 2 and b"Traceback" not in done.stderr
        assert b"no rule has the code" in done.stderr


def test_missing_config_file(tmp_path: Path) -> None:
    done = run("check", str(tmp_path), "--config", str(tmp_path / "nope.toml"))
    assert done.returncode == 2 and b"Traceback" not in done.stderr
    assert str(tmp_path / "nope.toml").encode() in done.stderr


@pytest.mark.parametrize("name", ["pyproject.toml", ".tekup-envlint.toml"])
def test_huge_configuration_file_is_refused_unread(tmp_path: Path, name: str) -> None:
    (tmp_path / ".env").write_text(LEGACY_LINE)
    _sparse(200 * 1024 * 1024)(tmp_path / name, tmp_path)
    done, rss, _ = run_measured("check", str(tmp_path))
    assert done.returncode == 2 and b"Traceback" not in done.stderr
    assert f"{tmp_path / name}: is 209,715,200 bytes, over the".encode() in done.stderr
    assert rss < 100 * 1024, f"peak RSS {rss} KiB"


def test_code_frame_shows_the_line_the_finding_names(tmp_path: Path) -> None:
    """Lines end at LF, CR LF or CR only; U+2028, \\v and \\f are text (str.splitlines disagrees)."""
    (tmp_path / ".env").write_text('A=1\u2028B=2\x0bC=3\x0cD=4\nE="open\n', encoding="utf-8")
    done = run("check", str(tmp_path), "--no-color")
    assert_sane(done)
    assert b'  2:3  error    SYN002' in done.stdout
    assert b'      2 | E="open\n' in done.stdout


# -- second round (issue 9) ----------------------------------------------------------------

CONTROL_CONFIGS = [
    ("pyproject.toml", '[tool.tekup-envlint]\n"bad\\u001b]0;owned\\u0007\\nforged: line" = 1\n'),
    ("pyproject.toml", '[tool.tekup-envlint]\nstrategy = "x\\u001b[2J\\u0007"\n'),
    (".tekup-envlint.toml", 'fail-on = "\\u001b]0;title\\u0007"\n'),
    (".tekup-envlint.toml", "strategy = \x1b[2J\x07\n"),  # raw bytes: not valid TOML
]


@pytest.mark.parametrize("name,content", CONTROL_CONFIGS, ids=["key", "value", "fail-on", "invalid-toml"])
def test_config_errors_carry_no_terminal_control_characters(tmp_path: Path, name: str, content: str) -> None:
    """Configuration error messages quote the repository's keys, values and folder names:
    ESC and BEL reach stderr as escapes, and a line break cannot forge a message line."""
    root = tmp_path / "repo\x1b[31m\x07"
    root.mkdir()
    (root / ".env").write_text(LEGACY_LINE)
    (root / name).write_text(content)
    done = run("check", str(root))
    assert done.returncode == 2 and b"Traceback" not in done.stderr, done.stderr
    assert b"\x1b" not in done.stderr and b"\x07" not in done.stderr, done.stderr
    assert b"\nforged: line" not in done.stderr
    assert b"\\x1b" in done.stderr  # shown, escaped


def test_file_names_passed_on_the_command_line_reach_stderr_escaped(tmp_path: Path) -> None:
    """pre-commit passes the repository's staged file names: one that is not configuration
    is named on stderr, with ESC and BEL shown as escapes, not sent to the terminal."""
    name = "notes\x1b]0;owned\x07\x1b[2J.md"
    (tmp_path / name).write_text("x\n")
    (tmp_path / ".env").write_text(LEGACY_LINE)
    done = run("check", name, ".env", cwd=tmp_path)
    assert_sane(done)
    assert b"\x1b" not in done.stderr and b"\x07" not in done.stderr, done.stderr
    assert b"notes\\x1b]0;owned\\x07\\x1b[2J.md is not a configuration file" in done.stderr


def test_git_that_does_not_answer_falls_back_to_a_walk_with_a_finding(tmp_path: Path) -> None:
    """A `.gitignore` that is a FIFO blocks `git ls-files` forever: git is stopped after its
    timeout, the tree is walked, and a SYN006 on `.git` says why."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    (tmp_path / "apps/a").mkdir(parents=True)
    (tmp_path / "apps/a/package.json").write_text("{}")
    (tmp_path / "apps/a/.env.example").write_text(LEGACY_LINE)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    os.mkfifo(tmp_path / ".gitignore")
    for args in (("check", str(tmp_path), "--format", "json"), ("check", "apps/a/.env.example", "--format", "json")):
        done = run(*args, cwd=tmp_path)  # run() has a 120 s watchdog: a hang fails, not blocks
        assert_sane(done)
        found = {(f["path"], f["code"]): f["message"] for f in json.loads(done.stdout)["findings"]}
        assert ("apps/a/.env.example", "HYB002") in found  # still checked
        if "apps/a/.env.example" not in args:
            assert "git did not answer within" in found[(".git", "SYN006")]


def test_repositories_nested_in_the_work_tree_are_checked(tmp_path: Path) -> None:
    """git lists a submodule as one entry and an untracked clone as `folder/`, and looks no
    further: their `.env` files are listed with their own git and checked."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    upstream = tmp_path / "upstream"
    upstream.mkdir()
    (upstream / "package.json").write_text("{}")
    (upstream / ".env.example").write_text(LEGACY_LINE)
    git = ["git", "-c", "user.email=t@example.org", "-c", "user.name=t", "-c", "protocol.file.allow=always"]
    subprocess.run(["git", "init", "-q", str(upstream)], check=True)
    subprocess.run(git + ["-C", str(upstream), "add", "-A"], check=True)
    subprocess.run(git + ["-C", str(upstream), "commit", "-qm", "x"], check=True)
    root = tmp_path / "repo"
    (root / "clone/app").mkdir(parents=True)
    (root / "package.json").write_text("{}")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(git + ["-C", str(root), "submodule", "add", "-q", str(upstream), "libs/sub"], check=True)
    subprocess.run(["git", "init", "-q", str(root / "clone")], check=True)  # untracked, not a submodule
    (root / "clone/app/package.json").write_text("{}")
    (root / "clone/app/.env").write_text(LEGACY_LINE)
    (root / "clone/.gitignore").write_text("secret/\n")
    (root / "clone/secret").mkdir()
    (root / "clone/secret/.env.local").write_text(LEGACY_LINE)
    done = run("check", str(root), "--format", "json")
    assert_sane(done)
    found = {(f["path"], f["code"]) for f in json.loads(done.stdout)["findings"]}
    for path in ("libs/sub/.env.example", "clone/app/.env", "clone/secret/.env.local"):
        assert (path, "HYB002") in found, (path, sorted(found))


def test_too_many_globs_and_a_large_configuration_are_refused(tmp_path: Path) -> None:
    """Tens of thousands of globs made a scan take minutes: over 5,000 in a list is a
    configuration error, and up to that they are compiled once into one matcher."""
    (tmp_path / "apps/a/skip").mkdir(parents=True)
    (tmp_path / "apps/a/package.json").write_text("{}")
    (tmp_path / "apps/a/.env").write_text(LEGACY_LINE)
    (tmp_path / "apps/a/skip/.env").write_text(LEGACY_LINE)
    config = tmp_path / ".tekup-envlint.toml"
    config.write_text("exclude = " + json.dumps([f"apps/app{i}/**/x{i}*.env" for i in range(20_000)]) + "\n")
    done = run("check", str(tmp_path))
    assert done.returncode == 2 and b"key `exclude`: 20,000 globs, over the limit of 5,000" in done.stderr
    config.write_text("exclude = " + json.dumps([f"apps/app{i}/**/x{i}*.env" for i in range(4_999)] + ["*/skip"]) + "\n")
    done = run("check", str(tmp_path), "--format", "json")
    assert_sane(done)
    assert {f["path"] for f in json.loads(done.stdout)["findings"]} == {"apps/a/.env"}
    config.write_text("# " + "x" * 1_100_000 + "\n")
    done = run("check", str(tmp_path))
    assert done.returncode == 2 and b"over the 1,000,000-byte limit for a configuration file" in done.stderr
