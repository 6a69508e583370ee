"""The command line: parse arguments, load config, wire the stages, print, exit.

The only module that prints or exits. Exit codes follow ruff: 0 no failing findings,
1 failing findings, 2 usage, configuration or internal error.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from tekup_envlint import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
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

    def scan_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("paths", nargs="*", metavar="PATH", help="a monorepo folder, or files of it (pre-commit)")
        p.add_argument("--format", choices=("text", "json"), default="text")
        p.add_argument("--config", type=Path, help="use this config file instead of searching for one")
        p.add_argument("--no-color", action="store_true", help="plain text even on a terminal")

    check = sub.add_parser("check", help="lint the configuration and report findings")
    scan_options(check)
    check.add_argument("--select", action="append", help="only these rule codes or prefixes (comma-separated)")
    check.add_argument("--ignore", action="append", help="skip these rule codes or prefixes (comma-separated)")
    check.add_argument("--fail-on", choices=("info", "warning", "error"), help="lowest severity that exits 1")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")

    mapping = sub.add_parser("map", help="show which database each app's configuration points at")
    scan_options(mapping)

    sub.add_parser("rules", help="list every rule")
    explain = sub.add_parser("explain", help="show the documentation of one rule")
    explain.add_argument("code")
    return parser


def _git_toplevel(start: Path) -> Optional[Path]:
    try:
        out = subprocess.run(
            ["git", "-c", "core.fsmonitor=false", "-C", str(start), "rev-parse", "--show-toplevel"],
            capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
            timeout=GIT_TIMEOUT,  # a FIFO in the repository must not hang a pre-commit run
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return Path(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None


def resolve_scope(paths: Sequence[str]) -> Tuple[Path, List[str], Optional[List[str]]]:
    """(root, repo-relative folders, repo-relative files) for the paths on the command line.

    One folder is a monorepo root. Files (as pre-commit passes them) are checked within
    their repository, found from the config file or git, and only their findings shown.
    """
    if len(paths) == 1 and Path(paths[0]).is_dir():
        return Path(paths[0]).resolve(), [], None
    from tekup_envlint.config_file import find

    here = Path.cwd()
    config_path = find(here)
    root = ((config_path.parent if config_path else None) or _git_toplevel(here) or here).resolve()
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
        and "NO_COLOR" not in os.environ
        and sys.stdout.isatty()
    )


def _check(args: argparse.Namespace) -> int:
    from tekup_envlint import engine

    root, folders, only = resolve_scope(args.paths)
    config = _load_config(args, root)
    scope = _scope(root, folders, only, config)
    result = engine.run(root, config, scope)
    findings = engine.restrict(result.findings, only) if only is not None else result.findings
    files = {f.source.path: f for f in result.workspace.files}
    if args.format == "json":
        from tekup_envlint.catalogue import catalogue
        from tekup_envlint.report.json import write_check_report

        names = {code: rule.name for code, rule in catalogue().items()}
        # streamed: the report of a large tree is tens of MB as one string
        write_check_report(sys.stdout, str(result.root), findings, names, len(files))
    else:
        from tekup_envlint.report.text import check_lines, render

        sys.stdout.write(render(check_lines(findings, files, len(files), result.redactor.scrub), _color(args)))
    if args.exit_zero:
        return EXIT_OK
    return EXIT_FINDINGS if engine.failing(findings, config.fail_on) else EXIT_OK


def _map(args: argparse.Namespace) -> int:
    from tekup_envlint import engine
    from tekup_envlint.workspace import build

    root, folders, files = resolve_scope(args.paths)
    config = _load_config(args, root)
    scope = _scope(root, folders, files, config)
    workspace = build(root, config, engine.load_files(root, config, scope))
    if args.format == "json":
        from tekup_envlint.report.json import map_report

        output = map_report(workspace, engine.workspace_redactor(workspace).scrub_field)
    else:
        from tekup_envlint.report.text import map_table

        output = map_table(workspace, _color(args))
    sys.stdout.write(output)  # the map holds no values, only where settings point
    return EXIT_OK


def _rules(args: argparse.Namespace) -> int:
    from tekup_envlint.catalogue import catalogue

    for rule in catalogue().values():
        sys.stdout.write(f"{rule.code}  {rule.name:<32} {rule.category:<12} {rule.severity:<8} {rule.summary}\n")
    return EXIT_OK


def _explain(args: argparse.Namespace) -> int:
    from tekup_envlint.catalogue import catalogue

    rule = catalogue().get(args.code.upper())
    if rule is None:
        raise UsageError(f"no rule has the code {args.code}; `tekup-envlint rules` lists them")
    from tekup_envlint.report.docs import rule_page

    sys.stdout.write(rule_page(rule))
    return EXIT_OK


COMMANDS = {"check": _check, "map": _map, "rules": _rules, "explain": _explain}


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
