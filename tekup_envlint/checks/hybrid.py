"""Hybrid configuration: one process (a load set) whose database settings point at more than one provider."""

from __future__ import annotations

from typing import FrozenSet, Iterator, List, Optional, Set, Tuple

from tekup_envlint.checks import rule
from tekup_envlint.models import Fix, Hit, Related, Span
from tekup_envlint.workspace import Connection, LoadSet, Workspace, describe

_NAMED = 4  # settings of the other provider named in a message; `related` lists them all


def _identity(conn: Connection) -> Tuple[str, int]:
    return conn.file.source.path, conn.span.start


def _anchor(ws: Workspace, load_set: LoadSet, first: Connection) -> Tuple[str, Span, Optional[str]]:
    """Where a load set's hybrid is reported: at a Compose service's name for a service
    (its runtime environment mixes files), else at the load set's first database setting."""
    if load_set.service is not None:
        path, _, name = load_set.service.rpartition("#")
        parsed = ws.file(path)
        service = next((s for s in parsed.services if s.name == name), None) if parsed is not None else None
        if service is not None:
            return path, service.span, name
    return first.file.source.path, first.span, first.key


def _strategy_fix(ws: Workspace, conns: List[Connection], what: str, hybrid: bool = False) -> Optional[Fix]:
    """The configured strategy's fix for these connections (strategy.py decides the values,
    so that HYB001, HYB002 and STR001 write the same edit for one setting); None without a
    strategy, or when the strategy cannot write every connection the finding is about."""
    strategy = ws.config.strategy
    if strategy is None:
        return None
    from tekup_envlint import strategy as _strategy  # only with a strategy: a plain run skips its import

    items = _strategy.changes(ws, conns, strategy, hybrid)
    if not items:
        return None
    target = "the primary Supabase project" if strategy == "supabase" else "the Docker database"
    title = (_strategy.describe_change(items[0], strategy) if len(items) == 1
             else f"{what}: {len(items)} settings follow the {strategy} strategy ({target})")
    return _strategy.fix_for(ws, items, strategy, title)


def _hybrid_fix(ws: Workspace, load_set: LoadSet, conns: List[Connection]) -> Optional[Fix]:
    """A fix only when, once applied, the load set reads one provider."""
    strategy = ws.config.strategy
    if strategy is None:
        return None
    from tekup_envlint import strategy as _strategy

    if _strategy.keeps_hybrid(ws, conns, strategy):
        return None
    return _strategy_fix(ws, conns, load_set.label, hybrid=True)


def _where(conn: Connection, load_set: LoadSet) -> str:
    baked = " baked into the image" if conn.file.source.path in load_set.baked else ""
    return f"{conn.key} ({conn.where}{baked})"


@rule("HYB001")
def hybrid_database(ws: Workspace) -> Iterator[Hit]:
    """One finding per load set whose settings point at two providers, reported once: a load
    set whose database settings another reported one already holds is the same problem."""
    reported: List[FrozenSet[Tuple[str, int]]] = []
    covered: Set[Tuple[str, int]] = set()  # every setting of the reported ones: one test, not one per report
    for load_set in ws.load_sets:
        if not load_set.hybrid:
            continue
        conns = [c for c in load_set.connections if c.provider is not None and c.service is None]
        providers = load_set.providers
        ids = frozenset(_identity(c) for c in conns)
        # held by a reported one (ids <= done), or sharing its first setting with one; the
        # first implies the second, since the first setting is one of ids
        if (reported and not conns) or (conns and _identity(conns[0]) in covered):
            continue
        reported.append(ids)
        covered |= ids
        first = conns[0]
        path, span, key = _anchor(ws, load_set, first)
        others = [c for c in conns if c.provider != first.provider]
        named = ", ".join(_where(c, load_set) for c in others[:_NAMED])
        more = f" and {len(others) - _NAMED} more" if len(others) > _NAMED else ""
        verb = "points" if len(others) == 1 else "point"
        if load_set.service is not None:
            head = f"service {key} runs with {_where(first, load_set)} pointing at {describe(first.target)}"
            scope = f"in its runtime environment ({' + '.join(load_set.files)})"
        else:
            head = f"{first.key} points at {describe(first.target)}"
            scope = f"read by the same process ({load_set.label})"
        yield Hit(
            path, span, load_set.app, key,
            f"{head}, but {named}{more} {scope} {verb} at {describe(others[0].target)}: one process "
            f"of app {load_set.app} uses two database providers ({' + '.join(providers)})",
            value=f"{load_set.label}:{'+'.join(providers)}",
            fix=_hybrid_fix(ws, load_set, conns),
            related=tuple(
                Related(c.file.source.path, c.span.line, c.span.column, c.key)
                for c in conns if c is not first or load_set.service is not None
            ),
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
                    fix=_strategy_fix(ws, [conn], conn.key),
                )


STRATEGY_PROVIDERS = {"supabase": {"supabase"}, "docker": {"docker"}}


@rule("STR001")
def strategy_contradiction(ws: Workspace) -> Iterator[Hit]:
    strategy = ws.config.strategy
    if strategy is None:
        return
    allowed = STRATEGY_PROVIDERS[strategy]
    from tekup_envlint import strategy as _strategy

    for app in ws.apps.values():
        for conn in app.connections:
            env = conn.file.source.env
            if conn.provider is None or conn.provider in allowed or conn.service is not None:
                continue
            if _strategy.scope(ws, conn) != "deployable":
                # a local file, a Compose service that does not deploy, or a documented
                # alternative (`.env.supabase.example`: no process loads its copy)
                continue
            where = (f"Compose service {conn.setting.service}, which deploys," if conn.file.source.kind == "compose"
                     and conn.setting is not None else f"a {env} file")
            yield Hit(
                conn.file.source.path,
                conn.span,
                app.root,
                conn.key,
                f"{conn.key} points at {describe(conn.target)} in {where} but the strategy "
                f"is {strategy}: deployable environments use "
                + ("the primary Supabase project" if strategy == "supabase" else "the Docker database"),
                value=conn.target.kind,
                fix=None if _strategy.strands_a_partner(ws, conn, strategy) else _strategy_fix(ws, [conn], conn.key),
            )
