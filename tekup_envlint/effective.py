"""The effective configuration, value by value, with where each value came from.

A value comes from the embedded Tekup profile, from the config file, or from the command
line (`--select`, `--ignore`, `--fail-on`). `tekup-envlint config` prints this list.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, List, Optional, Tuple

from tekup_envlint.config import Config

PROFILE = "embedded profile"
COMMAND_LINE = "command line"
_PAIRS = ("app_schemas", "severity", "environments")
_FROM_COMPOSE = ("user", "database", "port", "image")  # what `docker.compose-file` provides


def _kebab(name: str) -> str:
    return name.replace("_", "-")


def entries(config: Config, table: Dict[str, Any], file: Optional[str], cli: Tuple[str, ...]) -> List[Tuple[str, Any, str]]:
    """(dotted key, value, origin) for every setting; `table` is the file's own table.

    `config` is the resolved one: with `docker.compose-file` set, the Docker values are the
    ones read from that Compose service."""
    from_file = f"file {file}"
    out: List[Tuple[str, Any, str]] = []
    for f in dataclasses.fields(Config):
        if f.name == "source":
            continue
        value = getattr(config, f.name)
        key = _kebab(f.name)
        if f.name in cli:
            out.append((key, _plain(value), COMMAND_LINE))
        elif dataclasses.is_dataclass(value):
            nested = table.get(f.name) if isinstance(table.get(f.name), dict) else {}
            compose = getattr(value, "compose_file", None)
            for sub in dataclasses.fields(value):
                origin = from_file if sub.name in nested else PROFILE
                if compose and sub.name in _FROM_COMPOSE:  # `workspace.resolve_config` read them
                    origin = f"Compose file {compose}"
                out.append((f"{key}.{_kebab(sub.name)}", getattr(value, sub.name), origin))
        elif f.name in _PAIRS:
            nested = table.get(f.name) if isinstance(table.get(f.name), dict) else {}
            raw_keys = {str(k) for k in nested}
            for name, item in value:
                origin = from_file if name in raw_keys else PROFILE
                out.append((f'{key}."{name}"', _plain(item), origin))
        else:
            out.append((key, _plain(value), from_file if f.name in table else PROFILE))
    return out


def _plain(value: Any) -> Any:
    """Tuples as lists and projects as their refs, for printing as TOML or JSON."""
    if dataclasses.is_dataclass(value):
        return {k: v for k, v in dataclasses.asdict(value).items() if v is not None}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value
