"""Syntax: what the parsers could not read, one rule per kind of problem."""

from __future__ import annotations

from typing import Iterator

from tekup_envlint.checks import rule
from tekup_envlint.models import Hit
from tekup_envlint.workspace import Workspace


def _problems(ws: Workspace, code: str) -> Iterator[Hit]:
    for parsed in ws.files:
        for problem in parsed.problems:
            if problem.code == code:
                yield Hit(parsed.source.path, problem.span, parsed.source.app, None, problem.message)


@rule("SYN001")
def invalid_dotenv_line(ws: Workspace) -> Iterator[Hit]:
    return _problems(ws, "SYN001")


@rule("SYN002")
def unterminated_quote(ws: Workspace) -> Iterator[Hit]:
    return _problems(ws, "SYN002")


@rule("SYN003")
def undecodable_file(ws: Workspace) -> Iterator[Hit]:
    return _problems(ws, "SYN003")


@rule("SYN004")
def invalid_yaml(ws: Workspace) -> Iterator[Hit]:
    return _problems(ws, "SYN004")


@rule("SYN005")
def duplicate_yaml_key(ws: Workspace) -> Iterator[Hit]:
    return _problems(ws, "SYN005")


@rule("SYN006")
def unreadable_file(ws: Workspace) -> Iterator[Hit]:
    return _problems(ws, "SYN006")


@rule("SYN007")
def invalid_prisma(ws: Workspace) -> Iterator[Hit]:
    return _problems(ws, "SYN007")
