"""The checks: one small function per rule, registered under its catalogue code.

A check takes the workspace and yields `Hit`s (what and where); the engine stamps the
code, category and configured severity from the catalogue (yamllint's split).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Callable, Dict, Iterator, Set

from tekup_envlint.models import Hit
from tekup_envlint.workspace import Workspace

Check = Callable[[Workspace], Iterator[Hit]]
REGISTRY: Dict[str, Check] = {}
# checks that run after inline suppressions were applied, called as check(workspace, outcome)
AFTER_SUPPRESSIONS: Set[str] = set()


def rule(code: str, after_suppressions: bool = False) -> Callable[[Check], Check]:
    """Register a check under its rule code."""

    def register(check: Check) -> Check:
        if code in REGISTRY:
            raise ValueError(f"rule {code} is registered twice")
        REGISTRY[code] = check
        if after_suppressions:
            AFTER_SUPPRESSIONS.add(code)
        return check

    return register


def load() -> Dict[str, Check]:
    """Import every family module of this package so that its checks register themselves."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return REGISTRY
