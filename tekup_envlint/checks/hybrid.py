"""Hybrid configuration: one app whose database points at more than one provider."""

from __future__ import annotations

from typing import Dict, Iterator, List, Set

from tekup_envlint.checks import rule
from tekup_envlint.models import Hit
from tekup_envlint.workspace import App, Connection, Workspace, describe

# Files a developer makes from the template: the template must agree with these.
TEMPLATE_PEERS = ("default", "local", "compose")


def _by_env(app: App) -> Dict[str, List[Connection]]:
    groups: Dict[str, List[Connection]] = {}
    for c in app.connections:
        if c.provider is not None:
            groups.setdefault(c.file.source.env, []).append(c)
    return groups


def _overlay(base: List[Connection], top: List[Connection]) -> List[Connection]:
    """What a reader sees: the environment's file overrides `.env` key by key."""
    keys = {c.key for c in top}
    return [c for c in base if c.key not in keys] + top


def environments(app: App) -> Iterator[List[Connection]]:
    """The sets of connections that one running copy of the app sees together."""
    by_env = _by_env(app)
    default = by_env.get("default", [])
    template = by_env.get("template", [])
    effective: Dict[str, List[Connection]] = {}
    for env, conns in by_env.items():
        if env == "template":
            continue
        layered = env not in ("default", "compose")
        effective[env] = _overlay(default, conns) if layered else conns
    yield from effective.values()
    if template:
        yield template
        for env in TEMPLATE_PEERS:
            if env in effective:
                yield template + effective[env]


@rule("HYB001")
def hybrid_database(ws: Workspace) -> Iterator[Hit]:
    for app in ws.apps.values():
        reported: Set[int] = set()
        for group in environments(app):
            providers = {c.provider for c in group}
            if len(providers) < 2:
                continue
            for conn in group:
                if id(conn) in reported:
                    continue
                other = next(c for c in group if c.provider != conn.provider)
                reported.add(id(conn))
                yield Hit(
                    conn.file.source.path,
                    conn.span,
                    app.root,
                    conn.key,
                    f"{conn.key} points at {describe(conn.target)}, but {other.key} "
                    f"({other.where}) points at {describe(other.target)}: one environment of "
                    f"app {app.root} uses two database providers",
                    value=conn.target.kind,
                )


@rule("HYB002")
def legacy_project(ws: Workspace) -> Iterator[Hit]:
    for app in ws.apps.values():
        for conn in app.connections:
            if conn.target.kind == "legacy-vault":
                yield Hit(
                    conn.file.source.path,
                    conn.span,
                    app.root,
                    conn.key,
                    f"{conn.key} points at the legacy Supabase project {conn.target.project_ref}, "
                    f"which is to be retired; point it at the primary project "
                    f"{ws.config.primary.ref} or the Docker database",
                    value=conn.target.project_ref,
                )


STRATEGY_PROVIDERS = {"supabase": {"supabase"}, "docker": {"docker"}}


@rule("STR001")
def strategy_contradiction(ws: Workspace) -> Iterator[Hit]:
    strategy = ws.config.strategy
    if strategy is None:
        return
    allowed = STRATEGY_PROVIDERS[strategy]
    for app in ws.apps.values():
        for conn in app.connections:
            env = conn.file.source.env
            if conn.provider is None or conn.provider in allowed or env in ws.config.local_environments:
                continue
            yield Hit(
                conn.file.source.path,
                conn.span,
                app.root,
                conn.key,
                f"{conn.key} points at {describe(conn.target)} in a {env} file, but the strategy "
                f"is {strategy}: deployable environments use "
                + ("the primary Supabase project" if strategy == "supabase" else "the Docker database"),
                value=conn.target.kind,
            )
