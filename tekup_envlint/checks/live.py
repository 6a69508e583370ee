"""Live: the configuration held against the databases it names (`check --live`).

These checks read `Workspace.live`, what the engine surveyed before the checks ran
(`endpoints.reach_workspace`); offline it is None and they find nothing. They never
connect themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Iterator, List, Optional, Set, Tuple

from tekup_envlint.checks import rule
from tekup_envlint.models import Hit, ParsedFile, PrismaDatasource, PrismaModel
from tekup_envlint.workspace import App, Workspace

if TYPE_CHECKING:  # imported where a survey was made: an offline run (pre-commit) needs neither
    from tekup_envlint.endpoints import Endpoint, Reached, Use
    from tekup_envlint.survey import Snapshot

PRISMA_MIGRATIONS = "_prisma_migrations"  # Prisma's own bookkeeping table, in the default schema


def _reached(ws: Workspace) -> Optional[Reached]:
    return ws.live


def _snapshot(reached: Reached, endpoint: Endpoint) -> Optional[Snapshot]:
    from tekup_envlint.survey import Snapshot

    outcome = reached.outcomes.get(endpoint)
    return outcome if isinstance(outcome, Snapshot) else None


def _hit(use: Use, message: str, value: str) -> Hit:
    return Hit(use.path, use.span, use.app, use.key, message, value)


def _names(values: List[str], limit: int = 8) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def _prisma_apps(reached: Reached) -> Iterator[Tuple[App, ParsedFile, PrismaDatasource, List[PrismaModel]]]:
    """Each app's first datasource with a url, with the models of all its Prisma files
    (a schema split over several files shares one datasource)."""
    for app in reached.resolver.ws.apps.values():
        prisma = [f for f in app.files if f.source.kind == "prisma"]
        source = next(((f, ds) for f in prisma for ds in f.datasources if ds.url is not None), None)
        if source is not None:
            yield app, source[0], source[1], [m for f in prisma for m in f.models]


def _model_file(app: App, model: PrismaModel) -> str:
    return next(f.source.path for f in app.files if model in f.models)


@rule("LIV001")
def live_unreachable(ws: Workspace) -> Iterator[Hit]:
    reached = _reached(ws)
    if reached is None:
        return
    from tekup_envlint.survey import Unreachable

    uses: Dict[Endpoint, List[Use]] = {}
    for use, endpoint in reached.resolver.uses():
        uses.setdefault(endpoint, []).append(use)
    for endpoint, found in uses.items():
        outcome = reached.outcomes.get(endpoint)
        if not isinstance(outcome, Unreachable):
            continue
        more = len(found) - 1
        also = f"; {more} more setting{'s use' if more > 1 else ' uses'} it" if more else ""
        yield _hit(
            found[0],
            f"{outcome.label} cannot be reached ({outcome.reason}): {outcome.detail}{also}",
            f"{outcome.reason}:{endpoint.label}",
        )


@rule("LIV002")
def live_missing_schema(ws: Workspace) -> Iterator[Hit]:
    reached = _reached(ws)
    if reached is None:
        return
    for use, endpoint in reached.resolver.uses():
        snapshot = _snapshot(reached, endpoint)
        if snapshot is not None and use.schema and use.schema not in snapshot.schemas:
            yield _hit(use, f"?schema={use.schema} names a schema that {snapshot.label} does not have"
                       f"{_has(snapshot)}", f"{use.schema}@{endpoint.label}")
    for app, parsed, ds in reached.resolver.datasources():
        for endpoint, _ in reached.resolver.of_datasource(app, ds):
            snapshot = _snapshot(reached, endpoint)
            if snapshot is None:
                continue
            for name, span in ds.schemas:
                if name not in snapshot.schemas:
                    yield Hit(
                        parsed.source.path, span, app.root, None,
                        f"datasource {ds.name} declares schema {name}, which {snapshot.label} "
                        f"does not have{_has(snapshot)}",
                        f"{name}@{endpoint.label}",
                    )


def _has(snapshot: Snapshot) -> str:
    own = [s for s in snapshot.schemas if s != "public"]
    return f" (it has {_names(own)})" if own else " (it has only public)"


@rule("LIV003")
def live_missing_table(ws: Workspace) -> Iterator[Hit]:
    reached = _reached(ws)
    if reached is None:
        return
    for app, _, ds, models in _prisma_apps(reached):
        for endpoint, default in reached.resolver.of_datasource(app, ds):
            snapshot = _snapshot(reached, endpoint)
            if snapshot is None:
                continue
            tables = {(t.schema, t.name) for t in snapshot.tables}
            for model in models:
                schema = model.schema or default
                if model.kind != "model" or schema not in snapshot.schemas or (schema, model.table) in tables:
                    continue  # a missing schema is LIV002's finding
                yield Hit(
                    _model_file(app, model), model.span, app.root, None,
                    f"model {model.name} maps to table {schema}.{model.table}, which {snapshot.label} "
                    f"does not have: the migration that creates it has not run there",
                    f"{schema}.{model.table}@{endpoint.label}",
                )


@rule("LIV004")
def live_undeclared_table(ws: Workspace) -> Iterator[Hit]:
    reached = _reached(ws)
    if reached is None:
        return
    for app, parsed, ds, models in _prisma_apps(reached):
        if not models:
            continue  # a datasource without models describes no tables
        for endpoint, default in reached.resolver.of_datasource(app, ds):
            snapshot = _snapshot(reached, endpoint)
            if snapshot is None:
                continue
            declared = {(m.schema or default, m.table) for m in models}
            spans = dict(ds.schemas)
            for schema in list(spans) or [default]:
                extra = sorted(
                    t.name for t in snapshot.tables_in(schema)
                    if (schema, t.name) not in declared and t.name != PRISMA_MIGRATIONS
                )
                if extra:
                    yield Hit(
                        parsed.source.path, spans.get(schema, ds.span), app.root, None,
                        f"schema {schema} on {snapshot.label} holds {len(extra)} table"
                        f"{'s' if len(extra) > 1 else ''} that no model declares: {_names(extra)}",
                        f"{schema}:{','.join(extra)}@{endpoint.label}",
                    )


@rule("LIV005")
def live_missing_extension(ws: Workspace) -> Iterator[Hit]:
    reached = _reached(ws)
    if reached is None:
        return
    for app, parsed, ds in reached.resolver.datasources():
        for endpoint, _ in reached.resolver.of_datasource(app, ds):
            snapshot = _snapshot(reached, endpoint)
            if snapshot is None:
                continue
            for name, span in ds.extensions:
                if snapshot.has_extension(name):
                    continue
                can = "the server offers it" if name in snapshot.available else "the server does not even offer it"
                yield Hit(
                    parsed.source.path, span, app.root, None,
                    f"datasource {ds.name} declares extension {name}, which {snapshot.label} "
                    f"has not installed ({can})",
                    f"{name}@{endpoint.label}",
                )


@rule("LIV006")
def live_empty_schema(ws: Workspace) -> Iterator[Hit]:
    reached = _reached(ws)
    if reached is None:
        return
    from tekup_envlint.endpoints import Use
    from tekup_envlint.survey import EMPTY, schema_rows

    seen: Set[Tuple[Endpoint, str]] = set()
    named: List[Tuple[Use, Endpoint, str]] = [(u, e, u.schema) for u, e in reached.resolver.uses() if u.schema]
    for app, parsed, ds in reached.resolver.datasources():
        for endpoint, _ in reached.resolver.of_datasource(app, ds):
            named += [(Use(app.root, parsed.source.path, span, None, name), endpoint, name) for name, span in ds.schemas]
    for use, endpoint, schema in named:
        snapshot = _snapshot(reached, endpoint)
        if snapshot is None or schema not in snapshot.schemas or (endpoint, schema) in seen:
            continue
        seen.add((endpoint, schema))
        row = schema_rows(snapshot, [schema])[0]
        if row.status != EMPTY:
            continue
        held = f"holds {row.tables} table{'s' if row.tables != 1 else ''} and no rows" if row.tables else "holds no tables"
        yield _hit(use, f"schema {schema} on {snapshot.label} {held}: the data was never migrated",
                   f"{schema}@{endpoint.label}")
