"""The command line: parse arguments, load config, wire the stages, print, exit.

The only module that prints or exits. Exit codes follow ruff: 0 no failing findings,
1 failing findings, 2 usage, configuration or internal error.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Iterator, List, Optional, Sequence, TextIO, Tuple

from tekup_envlint import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
CHECK_FORMATS = ("text", "concise", "json", "sarif", "github", "markdown", "junit")
MAP_FORMATS = ("text", "json", "mermaid")
GIT_TIMEOUT = 5.0  # seconds, as discovery.GIT_TIMEOUT (not imported: the CLI starts fast)


class UsageError(Exception):
    pass


def _codes(values: Optional[List[str]]) -> Tuple[str, ...]:
    return tuple(c.strip().upper() for v in values or () for c in v.split(",") if c.strip())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tekup-envlint",
        description="Find drifted database configuration (Supabase, Docker PostgreSQL, Prisma) in a monorepo.",
    )
    parser.add_argument("--version", action="version", version=f"tekup-envlint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def scan_options(p: argparse.ArgumentParser, formats: Sequence[str] = ("text", "json")) -> None:
        p.add_argument("paths", nargs="*", metavar="PATH",
                       help="a monorepo, a folder in one, or files of one (pre-commit); default: the repository here")
        p.add_argument("--format", "--output-format", dest="format", choices=formats, default="text",
                       metavar="FORMAT", help=f"{', '.join(formats)} (default: text)")
        p.add_argument("--config", type=Path, help="use this config file instead of searching for one")
        p.add_argument("--no-color", action="store_true", help="plain text even on a terminal")
        p.add_argument("-o", "--output-file", type=Path, metavar="FILE",
                       help="write the report to this file instead of stdout")

    def fix_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--unsafe-fixes", action="store_true",
                       help="also apply the unsafe fixes (those that move or remove a secret)")
        p.add_argument("--allow-dirty", action="store_true",
                       help="write files that have changes git could not restore")
        p.add_argument("--force", action="store_true", help="write even outside a git repository")

    check = sub.add_parser("check", help="lint the configuration and report findings")
    scan_options(check, CHECK_FORMATS)
    check.add_argument("--statistics", action="store_true", help="counts by rule and by app instead of each finding")
    check.add_argument("--baseline", type=Path, metavar="FILE", help="report only findings not recorded in FILE")
    check.add_argument("--write-baseline", type=Path, metavar="FILE",
                       help="record today's findings in FILE (for --baseline) and exit 0")
    check.add_argument("--select", action="append", help="only these rule codes or prefixes (comma-separated)")
    check.add_argument("--ignore", action="append", help="skip these rule codes or prefixes (comma-separated)")
    check.add_argument("--fail-on", choices=("info", "warning", "error"), help="lowest severity that exits 1")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    check.add_argument("--live", action="store_true",
                       help="also connect (read-only) to the databases the configuration names (LIV rules)")
    check.add_argument("--fix", action="store_true", help="apply the safe fixes, then report what is left")
    check.add_argument("--show-fixes", action="store_true",
                       help="list the fixes applied (with --fix) or available (without it)")
    fix_options(check)

    fix = sub.add_parser("fix", help="apply the fixes (the strategy's, and the safe ones of every rule)")
    scan_options(fix, ("text", "json"))
    fix.add_argument("--strategy", choices=("supabase", "docker"),
                     help="what the databases should be: supabase (Option B) or docker (Option A); "
                          "default: the config file's `strategy`")
    fix.add_argument("--diff", action="store_true",
                     help="print a unified diff of the changes and write nothing; exit 1 if anything would change")
    fix.add_argument("--plan-out", type=Path, metavar="FILE", help="write the plan as Markdown to FILE")
    fix.add_argument("--select", action="append", help="only the fixes of these rule codes or prefixes")
    fix.add_argument("--ignore", action="append", help="not the fixes of these rule codes or prefixes")
    fix_options(fix)

    mapping = sub.add_parser("map", help="show which database each app's configuration points at")
    scan_options(mapping, MAP_FORMATS)

    survey = sub.add_parser("survey", help="connect read-only and report what a database holds")
    survey.add_argument("dsn", nargs="?", metavar="DSN", help="a PostgreSQL URI (default: $DATABASE_URL)")
    survey.add_argument("--env", metavar="VAR", help="read the DSN from this environment variable")
    survey.add_argument("--app", help="survey the databases the env files of this app name")
    survey.add_argument("--target", choices=("supabase", "docker", "legacy-vault", "other"),  # endpoints.PROVIDERS
                        help="survey the databases of this provider")
    survey.add_argument("--compare", nargs=2, metavar=("A", "B"),
                        help="tables of A beside B, each a DSN, a provider or an env var name")
    survey.add_argument("--exact", action="store_true", help="count rows instead of estimating them")
    survey.add_argument("--all-schemas", action="store_true", help="also show schemas the platform manages")
    survey.add_argument("--root", type=Path, help="the monorepo, for --app and --target (default: found from here)")
    survey.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    survey.add_argument("--config", type=Path, help="use this config file instead of searching for one")
    survey.add_argument("--no-color", action="store_true", help="plain text even on a terminal")

    rules = sub.add_parser("rules", help="list every rule")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    explain = sub.add_parser("explain", help="show the documentation of one rule (or --all)")
    explain.add_argument("code", nargs="?")
    explain.add_argument("--all", action="store_true", help="every rule's documentation, in catalogue order")

    init = sub.add_parser("init", help="write a starting .tekup-envlint.toml detected from the repository")
    init.add_argument("path", nargs="?", metavar="PATH", help="the repository root (default: around the current folder)")
    init.add_argument("--force", action="store_true", help="overwrite an existing .tekup-envlint.toml")

    config = sub.add_parser("config", help="print the effective configuration and where each value came from")
    config.add_argument("path", nargs="?", metavar="PATH", help="the repository root (default: around the current folder)")
    config.add_argument("--config", type=Path, help="use this config file instead of searching for one")
    config.add_argument("--select", action="append", help="as for check")
    config.add_argument("--ignore", action="append", help="as for check")
    config.add_argument("--fail-on", choices=("info", "warning", "error"), help="as for check")
    config.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def _git_toplevel(start: Path) -> Optional[Path]:
    from tekup_envlint.discovery import work_tree_top

    top = work_tree_top(start)  # without a git process when the answer is certain
    if top is not None:
        return top
    try:
        out = subprocess.run(
            ["git", "-c", "core.fsmonitor=false", "-C", str(start), "rev-parse", "--show-toplevel"],
            capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
            timeout=GIT_TIMEOUT,  # a FIFO in the repository must not hang a pre-commit run
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return Path(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None


def _root_around(start: Path) -> Path:
    """The repository root for a folder: its config file's folder, else git's top level, else itself."""
    from tekup_envlint.config_file import ConfigError, find

    try:
        config_path = find(start)
    except ConfigError:  # refused when the config is loaded (unless --config names a file)
        config_path = None
    return ((config_path.parent if config_path else None) or _git_toplevel(start) or start).resolve()


def resolve_scope(paths: Sequence[str]) -> Tuple[Path, List[str], Optional[List[str]]]:
    """(root, repo-relative folders, repo-relative files) for the paths on the command line.

    One folder is a monorepo root. Files (as pre-commit passes them) are checked within
    their repository, found from the config file or git, and only their findings shown.
    """
    if len(paths) == 1 and Path(paths[0]).is_dir():
        # a folder is linted within its repository, as ruff does: the root is found from it
        folder = Path(paths[0]).resolve()
        root = _root_around(folder)
        rel = folder.relative_to(root).as_posix()
        return root, ([] if rel == "." else [rel]), None
    here = Path.cwd()
    root = _root_around(here)
    folders: List[str] = []
    files: List[str] = []
    for raw in paths:
        path = Path(raw).absolute()
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"{raw}: no such file or folder")
        try:
            rel = path.resolve().relative_to(root).as_posix() if path.is_dir() else (
                path.parent.resolve().relative_to(root) / path.name).as_posix()
        except ValueError:
            raise UsageError(f"{raw} is outside the repository root {root}") from None
        (folders if path.is_dir() else files).append(rel)
    return root, folders, (files if files and not folders else None)


def _scope(root: Path, folders: List[str], files: Optional[List[str]], config) -> Optional[List[str]]:
    """The folders to discover in: the given folders plus the apps of the given files."""
    if not folders and not files:
        return None
    from tekup_envlint.discovery import app_folder_of

    return sorted(set(folders) | {app_folder_of(root, f, config) for f in files or ()})


def _load_config(args: argparse.Namespace, root: Path):
    from tekup_envlint.config_file import load

    config = load(root, args.config)
    overrides = {}
    if getattr(args, "select", None):
        overrides["select"] = _codes(args.select)
    if getattr(args, "ignore", None):
        overrides["ignore"] = config.ignore + _codes(args.ignore)
    if getattr(args, "fail_on", None):
        overrides["fail_on"] = args.fail_on
    if overrides:
        from tekup_envlint.catalogue import unknown_selectors

        unknown = unknown_selectors(overrides.get("select", ()) + overrides.get("ignore", ()))
        if unknown:
            raise UsageError(f"no rule has the code {', '.join(unknown)}; `tekup-envlint rules` lists them")
        config = replace(config, **overrides)
    return config


def _color(args: argparse.Namespace) -> bool:
    return (
        args.format == "text"
        and not getattr(args, "no_color", False)
        and not os.environ.get("NO_COLOR")  # no-color.org: only a non-empty value turns colour off
        and getattr(args, "output_file", None) is None
        and sys.stdout.isatty()
    )


def _width() -> int:
    """COLUMNS when set (as in a pipe from a shell that exports it), else the terminal's, else 80."""
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


@contextmanager
def _output(args: argparse.Namespace) -> Iterator[TextIO]:
    """stdout, or the file of `-o/--output-file`."""
    path = getattr(args, "output_file", None)
    if path is None:
        yield sys.stdout
        return
    try:
        stream = open(path, "w", encoding="utf-8", newline="")
    except OSError as err:
        raise UsageError(f"{path}: cannot be written ({err.strerror})") from None
    with stream:
        yield stream


def _progress(args: argparse.Namespace):
    """The progress bar for a person at a terminal, or None."""
    from tekup_envlint.progress import Bar, delay_from, wanted

    if not wanted(sys.stderr, os.environ, machine_format=args.format != "text"):
        return None
    return Bar(sys.stderr, delay_from(os.environ))


def _baseline_key() -> bytes:
    from tekup_envlint.engine import DEFAULT_KEY

    key = os.environ.get("TEKUP_ENVLINT_BASELINE_KEY")
    return key.encode("utf-8", "surrogateescape") if key else DEFAULT_KEY


def _configuration_files(paths: Sequence[str]) -> Tuple[List[str], List[str]]:
    """The paths to check, and the files among them that are not configuration at all."""
    from tekup_envlint.discovery import file_kind

    kept: List[str] = []
    dropped: List[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_file() and file_kind(path.name, path.parent.name) is None:
            dropped.append(raw)
        else:
            kept.append(raw)
    return kept, dropped


def _check(args: argparse.Namespace) -> int:
    from tekup_envlint import engine

    if args.statistics and args.format != "text":
        raise UsageError("--statistics prints text; leave out --format")
    paths, not_config = _configuration_files(args.paths)
    from tekup_envlint.text import printable

    for raw in not_config:  # file names pre-commit passes are repository content: escaped
        sys.stderr.write(f"tekup-envlint: {printable(raw)} is not a configuration file (tekup-envlint reads .env "
                         "files, Compose files and Prisma schemas); skipped\n")
    if not_config and not paths:
        if args.format in ("text", "concise"):
            with _output(args) as stream:
                stream.write("Nothing to check: no configuration file among the given paths.\n")
        return EXIT_OK
    root, folders, only = resolve_scope(paths)
    config = _load_config(args, root)
    scope = _scope(root, folders, only, config)
    if args.fix and args.live:
        raise UsageError("--fix does not combine with --live")
    if args.live:
        _need_live()
    if args.fix:
        outcome = _run_fix(args, root, config, scope, only, write=True)
        result = outcome.result
        if args.show_fixes or args.format in ("text", "concise"):  # machine formats: stdout alone
            from tekup_envlint.report.fix import check_fix_lines

            sys.stderr.write("".join(line + "\n" for line in check_fix_lines(outcome, args.show_fixes)))
    else:
        bar = _progress(args)
        try:
            result = engine.run(root, config, scope, progress=bar, key=_baseline_key(), live=args.live)
        finally:
            if bar is not None:
                bar.close()
    findings = engine.restrict(result.findings, only) if only is not None else result.findings
    if args.show_fixes and not args.fix:
        from tekup_envlint.report.fix import available_lines

        sys.stderr.write("".join(line + "\n" for line in available_lines(findings, result.redactor.scrub,
                                                                          args.unsafe_fixes)))
    if args.write_baseline is not None:
        return _write_baseline(args.write_baseline, findings)
    if args.baseline is not None:
        findings = _new_since_baseline(args.baseline, findings)
    with _output(args) as stream:
        _write_check(args, stream, result, findings)
    if args.exit_zero:
        return EXIT_OK
    return EXIT_FINDINGS if engine.failing(findings, config.fail_on) else EXIT_OK


def _run_fix(args: argparse.Namespace, root: Path, config, scope, only, *, write: bool):
    """The fix loop for `fix` and `check --fix`; a refusal to write is a usage error."""
    from tekup_envlint.fix import FixRefused, run_fix
    from tekup_envlint.writes import WriteFailed

    try:
        return run_fix(root, config, unsafe=args.unsafe_fixes, scope=scope, write=write, only=only,
                       allow_dirty=args.allow_dirty, force=args.force, key=_baseline_key())
    except FixRefused as err:
        done = f"written before the refusal: {', '.join(err.written)}" if err.written else "nothing written"
        raise UsageError(f"{done}: {err}") from None
    except WriteFailed as err:
        written = ", ".join(err.written) or "none"
        raise UsageError(f"{err}; files written: {written}; untouched: {', '.join(err.unwritten) or 'none'}") from None


def _fix(args: argparse.Namespace) -> int:
    """`fix`: apply the fixes (or show them with --diff), then the plan."""
    from tekup_envlint import engine
    from tekup_envlint.report import fix as report

    paths, not_config = _configuration_files(args.paths)
    for raw in not_config:
        sys.stderr.write(f"tekup-envlint: {raw} is not a configuration file; skipped\n")
    if not_config and not paths:
        return EXIT_OK
    root, folders, only = resolve_scope(paths)
    config = _load_config(args, root)
    if args.strategy:
        config = replace(config, strategy=args.strategy)
    scope = _scope(root, folders, only, config)
    outcome = _run_fix(args, root, config, scope, only, write=not args.diff)
    plan_text = _plan_text(outcome)
    if args.plan_out is not None:
        _write_plan(args.plan_out, outcome)
    with _output(args) as stream:
        if args.format == "json":
            stream.write(report.fix_json(outcome, outcome.scrub, diff=args.diff, plan_text=plan_text))
        else:
            if args.diff:
                stream.writelines(report.unified_diff(outcome.changes, outcome.scrub))
            summary = report.summary_lines(outcome, outcome.scrub, diff=args.diff, unsafe=args.unsafe_fixes,
                                           plan_text=plan_text)
            (sys.stderr if args.diff else stream).write("".join(line + "\n" for line in summary))
    if args.diff:
        return EXIT_FINDINGS if outcome.changes else EXIT_OK
    remaining = engine.restrict(outcome.remaining, only) if only is not None else outcome.remaining
    return EXIT_FINDINGS if engine.failing(remaining, config.fail_on) else EXIT_OK


def _plan_text(outcome) -> Optional[str]:
    """The plan as text (None when nothing was checked: the fixes' notes are listed instead)."""
    if outcome.plan is None:
        return None
    from tekup_envlint import plan as planning

    return outcome.scrub(planning.to_text(outcome.plan))


def _write_plan(path: Path, outcome) -> None:
    """`--plan-out FILE`: the plan as Markdown for a pull request."""
    if outcome.plan is not None:
        from tekup_envlint import plan as planning

        text = outcome.scrub(planning.to_markdown(outcome.plan))
    else:
        from tekup_envlint.report.fix import notes_markdown

        text = notes_markdown(outcome.applied, outcome.scrub)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise UsageError(f"{path}: cannot be written ({err.strerror})") from None


def _write_baseline(path: Path, findings) -> int:
    """`--write-baseline`: record the findings and exit 0."""
    from tekup_envlint import baseline
    from tekup_envlint.report.text import plural

    try:
        baseline.write(path, findings)
    except OSError as err:
        raise UsageError(f"{path}: cannot be written ({err.strerror})") from None
    sys.stderr.write(f"tekup-envlint: wrote {plural(len(findings), 'finding')} to the baseline {path}\n")
    return EXIT_OK


def _new_since_baseline(path: Path, findings):
    """`--baseline`: only the findings the baseline does not record; says how many it hid."""
    from tekup_envlint import baseline
    from tekup_envlint.report.text import plural

    try:
        fresh, forgiven = baseline.new_findings(findings, baseline.load(path))
    except baseline.BaselineError as err:
        raise UsageError(str(err)) from None
    if forgiven:
        sys.stderr.write(f"tekup-envlint: {plural(forgiven, 'finding')} recorded in {path} not shown\n")
    return fresh


def _write_check(args: argparse.Namespace, stream: TextIO, result, findings) -> None:
    """The check report in the chosen format."""
    from tekup_envlint.catalogue import catalogue

    files = {f.source.path: f for f in result.workspace.files}
    rules = catalogue()
    names = {code: rule.name for code, rule in rules.items()}
    fmt = args.format
    if fmt == "json":
        from tekup_envlint.report.json import write_check_report

        # streamed: the report of a large tree is tens of MB as one string
        write_check_report(stream, str(result.root), findings, names, len(files))
    elif fmt == "concise":
        from tekup_envlint.report.concise import concise

        stream.write(concise(findings))
    elif fmt == "sarif":
        from tekup_envlint.report.sarif import write_sarif

        write_sarif(stream, findings, rules, files, result.redactor.scrub)
    elif fmt == "github":
        from tekup_envlint.report.github import annotations

        stream.write(annotations(findings, names))
    elif fmt == "junit":
        from tekup_envlint.report.junit import write_junit

        write_junit(stream, findings, names, len(files))
    elif fmt == "markdown":
        from tekup_envlint.report.markdown import markdown
        from tekup_envlint.report.mermaid import mermaid

        stream.write(markdown(findings, names, len(files), mermaid(result.workspace)))
    elif args.statistics:
        from tekup_envlint.report.text import render, statistics_lines

        stream.write(render(statistics_lines(findings, names), _color(args)))
    else:
        from tekup_envlint.report.text import check_lines, render

        stream.write(render(check_lines(findings, files, len(files), result.redactor.scrub), _color(args)))


def _map(args: argparse.Namespace) -> int:
    from tekup_envlint import engine
    from tekup_envlint.workspace import build

    root, folders, files = resolve_scope(args.paths)
    config = _load_config(args, root)
    scope = _scope(root, folders, files, config)
    bar = _progress(args)
    try:
        workspace = build(root, config, engine.load_files(root, config, scope, bar))
    finally:
        if bar is not None:
            bar.close()
    redactor = engine.workspace_redactor(workspace)  # a credential misread as a host
    if args.format == "json":
        from tekup_envlint.report.json import map_report

        output = map_report(workspace, redactor.scrub_field)
    elif args.format == "mermaid":
        from tekup_envlint.report.mermaid import mermaid

        output = mermaid(workspace)
    else:
        from tekup_envlint.report.text import map_table

        output = map_table(workspace, _color(args), _width(), redactor.scrub_field)
    with _output(args) as stream:
        stream.write(output)  # the map holds no values, only where settings point
    return EXIT_OK


def _need_live() -> None:
    from tekup_envlint.live import INSTALL_HINT, available

    if not available():
        raise UsageError(INSTALL_HINT)


def _survey_root(args: argparse.Namespace) -> Path:
    return args.root.resolve() if args.root else resolve_scope([])[0]


def _survey(args: argparse.Namespace) -> int:
    _need_live()
    from tekup_envlint import live
    from tekup_envlint.report import survey as report

    root = _survey_root(args)
    config = _load_config(args, root)
    built = []

    def workspace():
        if not built:
            from tekup_envlint import engine
            from tekup_envlint.workspace import build

            built.append(build(root, config, engine.load_files(root, config)))
        return built[0]

    from tekup_envlint.endpoints import from_spec, pick

    if args.compare:
        try:
            sides = [from_spec(spec, workspace, config) for spec in args.compare]
        except LookupError as err:
            raise UsageError(str(err)) from None
        return _compare(args, sides)
    if args.app or args.target:
        try:
            targets = pick(workspace(), app=args.app, provider=args.target)
        except LookupError as err:
            raise UsageError(str(err)) from None
        if not targets:
            what = " ".join(filter(None, [args.target, "database", args.app and f"in app {args.app}"]))
            raise UsageError(f"the configuration names no reachable {what} (placeholders, "
                             "unresolved hosts and Compose service names are not tried)")
        expected = list(config.schemas) + sorted(workspace().declared_schemas() - set(config.schemas))
    else:
        spec = args.dsn or args.env or "DATABASE_URL"
        if not args.dsn and not os.environ.get(spec):
            raise UsageError(f"no DSN given and ${spec} is not set; pass a DSN, --env VAR, --app or --target")
        try:
            targets = from_spec(spec, workspace, config)
        except LookupError as err:
            raise UsageError(str(err)) from None
        expected = list(config.schemas)
    outcomes = live.reach_all(targets, exact=args.exact)
    views = [report.view(outcomes[t], expected, args.all_schemas) for t in targets]
    if args.format == "json":
        sys.stdout.write(report.survey_json(views))
    elif args.format == "markdown":
        import datetime

        sys.stdout.write(report.survey_markdown(views, datetime.date.today().isoformat()))
    else:
        sys.stdout.write(report.survey_text(views, _color(args)))
    from tekup_envlint.survey import Unreachable

    return EXIT_FINDINGS if any(isinstance(o, Unreachable) for o in outcomes.values()) else EXIT_OK


def _compare(args: argparse.Namespace, sides: list) -> int:
    from tekup_envlint import live
    from tekup_envlint.report import survey as report
    from tekup_envlint.survey import Unreachable, compare, migration_complete

    for name, spec, found in zip("AB", args.compare, sides):
        if len(found) > 1:
            raise UsageError(f"{name} ({spec}) names {len(found)} databases: "
                             f"{'; '.join(e.label for e in found)}; pass one DSN instead")
    outcomes = live.reach_all([found[0] for found in sides], exact=True)  # both at once
    a, b = (outcomes[found[0]] for found in sides)
    for name, outcome in zip("AB", (a, b)):
        if isinstance(outcome, Unreachable):
            sys.stderr.write(
                f"tekup-envlint: {name}: {outcome.label} cannot be reached ({outcome.reason}): {outcome.detail}\n"
            )
            return EXIT_FINDINGS
    rows = compare(a, b)
    if args.format == "json":
        sys.stdout.write(report.compare_json(a, b, rows))
    elif args.format == "markdown":
        import datetime

        sys.stdout.write(report.compare_markdown(a, b, rows, datetime.date.today().isoformat()))
    else:
        sys.stdout.write(report.compare_text(a, b, rows, _color(args)))
    return EXIT_OK if migration_complete(rows) else EXIT_FINDINGS


def _rules(args: argparse.Namespace) -> int:
    from tekup_envlint.catalogue import catalogue

    if args.format == "json":
        import json

        document = [
            {"code": r.code, "name": r.name, "category": r.category, "severity": r.severity,
             "summary": r.summary, "fixable": r.fixable}
            for r in catalogue().values()
        ]
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    for rule in catalogue().values():
        sys.stdout.write(f"{rule.code}  {rule.name:<32} {rule.category:<12} {rule.severity:<8} {rule.summary}\n")
    return EXIT_OK


def _explain(args: argparse.Namespace) -> int:
    from tekup_envlint.catalogue import catalogue
    from tekup_envlint.report.docs import rule_page

    if args.all:
        if args.code:
            raise UsageError("give a rule code or --all, not both")
        sys.stdout.write("\n".join(rule_page(rule) for rule in catalogue().values()))
        return EXIT_OK
    if not args.code:
        raise UsageError("give a rule code (`tekup-envlint rules` lists them) or --all")
    rule = catalogue().get(args.code.upper())
    if rule is None:
        raise UsageError(f"no rule has the code {args.code}; `tekup-envlint rules` lists them")
    sys.stdout.write(rule_page(rule))
    return EXIT_OK


def _root_of(path: Optional[str]) -> Path:
    if path is None:
        return _root_around(Path.cwd())
    folder = Path(path)
    if not folder.is_dir():
        raise UsageError(f"{path}: no such folder")
    return folder.resolve()


def _init(args: argparse.Namespace) -> int:
    """Write a starting config detected from the repository, and say what was assumed."""
    from tekup_envlint import init
    from tekup_envlint.config import DEFAULT
    from tekup_envlint.config_file import load
    from tekup_envlint.engine import load_files
    from tekup_envlint.report.text import printable
    from tekup_envlint.workspace import build

    root = _root_of(args.path)
    workspace = build(root, DEFAULT, load_files(root, DEFAULT))
    try:
        path, detected = init.write(root, workspace, args.force)
    except FileExistsError:
        raise UsageError(f"{root / init.FILE_NAME} exists; use --force to overwrite it") from None
    load(root, path)  # what was written must be a valid configuration
    out = sys.stdout
    out.write(f"Wrote {path}.\nAssumed:\n")
    for assumption in detected.assumptions:
        out.write(f"  - {printable(assumption)}\n")
    out.write("Review it, then run `tekup-envlint check` (and `tekup-envlint map` to see the connections).\n")
    return EXIT_OK


def _config(args: argparse.Namespace) -> int:
    """The effective configuration and where each value came from."""
    from tekup_envlint import effective
    from tekup_envlint.config_file import read_table

    root = _root_of(args.path)
    config = _load_config(args, root)
    table = read_table(Path(config.source)) if config.source else {}
    if config.docker.compose_file:  # the Docker values come from that Compose service
        from tekup_envlint.engine import load_files
        from tekup_envlint.workspace import resolve_config

        config = resolve_config(config, load_files(root, config))
    cli = tuple(name for name in ("select", "ignore", "fail_on") if getattr(args, name, None))
    rows = effective.entries(config, table, config.source, cli)
    if args.format == "json":
        import json

        document = {"root": str(root), "file": config.source,
                    "settings": [{"key": k, "value": v, "origin": o} for k, v, o in rows]}
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    from tekup_envlint.init import toml_value
    from tekup_envlint.report.text import printable

    sys.stdout.write(printable(f"# effective configuration for {root}") + "\n")
    sys.stdout.write(printable(f"# config file: {config.source or 'none (the embedded profile)'}") + "\n")
    for key, value, origin in rows:
        shown = "(not set)" if value is None else toml_value(value)
        sys.stdout.write(printable(f"{key} = {shown}".ljust(56) + f"  # {origin}") + "\n")
    return EXIT_OK


COMMANDS = {"check": _check, "fix": _fix, "map": _map, "rules": _rules, "explain": _explain, "survey": _survey, "init": _init, "config": _config}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    from tekup_envlint.config_file import ConfigError

    try:
        return COMMANDS[args.command](args)
    except (UsageError, ConfigError) as err:
        from tekup_envlint.redact import scrub_shapes
        from tekup_envlint.text import printable

        # a config error quotes the value it refused, which may be a pasted DSN or token, and
        # names files and keys of the repository, which may hold terminal escapes: each line
        # of the message is escaped, the message's own line breaks kept
        lines = scrub_shapes(str(err)).split("\n")
        sys.stderr.write("tekup-envlint: error: " + "\n".join(printable(line) for line in lines) + "\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK
    except Exception as err:  # an internal error is exit 2 with no secret-bearing traceback
        sys.stderr.write(
            f"tekup-envlint: internal error: {type(err).__name__}; please report it "
            "(set TEKUP_ENVLINT_DEBUG=1 for the traceback)\n"
        )
        if os.environ.get("TEKUP_ENVLINT_DEBUG"):
            raise
        return EXIT_ERROR
