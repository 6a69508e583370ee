"""Suppression: inline `# tekup-envlint: ignore[...]` comments that do not do what they say."""

from __future__ import annotations

from typing import Iterator

from tekup_envlint.catalogue import catalogue, matches
from tekup_envlint.checks import rule
from tekup_envlint.models import Hit
from tekup_envlint.suppressions import Outcome, find
from tekup_envlint.workspace import Workspace


@rule("SUP001", after_suppressions=True)
def unused_suppression(ws: Workspace, outcome: Outcome) -> Iterator[Hit]:
    known = tuple(catalogue())
    for number, suppression in enumerate(outcome.suppressions):
        if not suppression.reason:
            continue  # SUP002 reports it; it silenced nothing on purpose
        for code in suppression.codes:
            if (number, code) in outcome.used:
                continue
            if not any(matches(c, (code,)) for c in known):
                why = f"no rule has the code {code}"
            elif not any(matches(c, (code,)) for c in outcome.enabled):
                why = f"{code} is not enabled in this run"
            else:
                why = f"{code} reports nothing on this line or the next"
            yield Hit(suppression.path, suppression.span, suppression.app, None,
                      f"Unused suppression: {why}; remove it (or the code)")


@rule("SUP002")
def suppression_without_reason(ws: Workspace) -> Iterator[Hit]:
    for suppression in find(ws.files):
        if not suppression.codes:
            yield Hit(suppression.path, suppression.span, suppression.app, None,
                      "Suppression names no code: write `ignore[CODE] reason`; it silences nothing")
        elif not suppression.reason:
            yield Hit(suppression.path, suppression.span, suppression.app, None,
                      f"Suppression of {', '.join(suppression.codes)} gives no reason after the codes, "
                      "so it silences nothing; say why")
