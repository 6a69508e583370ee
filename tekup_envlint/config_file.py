"""Find and validate a user's configuration; pydantic is imported only when a file exists.

`[tool.tekup-envlint]` in `pyproject.toml` or a `.tekup-envlint.toml` (whose top level is
the same table) overrides the embedded Tekup profile value by value. Keys are written in
kebab-case (`app-roots`) like ruff's; snake_case is accepted too.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from tekup_envlint.catalogue import load_toml, unknown_selectors
from tekup_envlint.config import DEFAULT, Config, ConfigError
from tekup_envlint.text import printable

SECTION = "tool.tekup-envlint"
MAX_CONFIG_SIZE = 1_000_000  # bytes: a configuration file is a few kilobytes
MAX_GLOBS = 5_000  # per list: each glob is compiled, and a real configuration has a few dozen
# fields written as TOML tables but kept as ordered pairs
_PAIR_FIELDS = ("app_schemas", "severity", "environments", "per_path_ignores")


def find(start: Path) -> Optional[Path]:
    """The nearest `.tekup-envlint.toml`, or `pyproject.toml` with our table, from start upwards."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        own = folder / ".tekup-envlint.toml"
        if own.is_file():
            _refuse_link_out(own)
            return own
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            _refuse_link_out(pyproject)
            try:
                _check_size(pyproject)
                text = pyproject.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if "[tool.tekup-envlint" in text:
                return pyproject
    return None


def _refuse_link_out(path: Path) -> None:
    """A configuration file found in a repository is repository content: a symlink that
    leads out of its folder is not followed (it could echo any file of the machine)."""
    if not path.is_symlink():
        return
    import os

    folder = os.path.realpath(path.parent)
    target = os.path.realpath(path)
    if not target.startswith(folder.rstrip(os.sep) + os.sep):
        raise ConfigError(f"{path}: is a symlink that leads outside {path.parent}; not read "
                          "(pass --config to use it on purpose)")


def _snake(data: Any) -> Any:
    if isinstance(data, dict):
        return {k.replace("-", "_") if isinstance(k, str) else k: v for k, v in data.items()}
    return data


def _check_size(path: Path) -> None:
    """A configuration file is a few kilobytes; a huge one (a repository may hold anything)
    is refused before it is read, so memory stays bounded."""
    size = path.stat().st_size
    if size > MAX_CONFIG_SIZE:
        raise ConfigError(f"{path}: is {size:,} bytes, over the {MAX_CONFIG_SIZE:,}-byte limit for a configuration file")


def _table(path: Path) -> Dict[str, Any]:
    try:
        _check_size(path)
        raw = load_toml(path)
    except OSError as err:
        raise ConfigError(f"{path}: cannot be read ({err.strerror})") from None
    except ValueError as err:  # tomllib.TOMLDecodeError is a ValueError
        raise ConfigError(f"{path}: not valid TOML: {err}") from None
    if path.name == "pyproject.toml":
        raw = raw.get("tool", {}).get("tekup-envlint", {})
        if not isinstance(raw, dict):
            raise ConfigError(f"{path}: [{SECTION}] must be a table")
    return raw


def _merge(user: Dict[str, Any]) -> Dict[str, Any]:
    """The embedded profile with the user's values laid over it, value by value."""
    merged: Dict[str, Any] = {
        f.name: getattr(DEFAULT, f.name) for f in dataclasses.fields(Config) if f.name != "source"
    }
    for key, value in _snake(user).items():
        current = merged.get(key)
        if key in _PAIR_FIELDS and isinstance(value, dict):
            base = dict(current or ())
            base.update(value)
            merged[key] = tuple(base.items())
        elif dataclasses.is_dataclass(current) and isinstance(value, dict):
            nested = dataclasses.asdict(current)
            nested.update(_snake(value))
            merged[key] = nested
        elif key == "legacy" and isinstance(value, list):
            merged[key] = [_snake(v) for v in value]
        else:
            merged[key] = value
    return merged


def _allowed(loc: Tuple[Any, ...]) -> str:
    """What may be written at a location that was refused (for unknown keys)."""
    cls: Any = Config
    for part in loc[:-1]:
        fields = {f.name: f for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else {}
        field = fields.get(str(part))
        if field is None:
            break
        default = getattr(DEFAULT, field.name, None) if cls is Config else None
        target = type(default) if dataclasses.is_dataclass(default) else None
        if target is None and field.name == "legacy":
            from tekup_envlint.config import SupabaseProject

            target = SupabaseProject
        if target is None:
            break
        cls = target
    names = [f.name.replace("_", "-") for f in dataclasses.fields(cls) if f.name != "source"]
    return ", ".join(names)


def _named_loc(loc: Tuple[Any, ...], merged: Dict[str, Any]) -> Tuple[Any, ...]:
    """A table written as pairs is validated as a list: name its entry by its key, not
    its index (`severity.SYN001`, not `severity.0.1`)."""
    if len(loc) >= 2 and loc[0] in _PAIR_FIELDS and isinstance(loc[1], int):
        pairs = merged.get(loc[0])
        try:
            return (loc[0], pairs[loc[1]][0]) + tuple(loc[3:])  # type: ignore[index]
        except (TypeError, IndexError, KeyError):
            return loc
    return loc


def _describe(errors: List[Dict[str, Any]], path: Path, merged: Optional[Dict[str, Any]] = None) -> str:
    lines = [f"{path}: invalid configuration"]
    for err in errors:
        loc = _named_loc(tuple(err["loc"]), merged or {})
        key = printable(".".join(str(p).replace("_", "-") for p in loc))  # a key may hold a line break
        if err["type"] == "unexpected_keyword_argument":
            lines.append(f"  key `{key}`: unknown key; allowed here: {_allowed(loc)}")
        else:
            lines.append(f"  key `{key}`: {err['msg']} (got {err.get('input')!r})")
    return "\n".join(lines)


def validate(user: Dict[str, Any], path: Path) -> Config:
    """Validate a user's table over the embedded profile into a `Config`."""
    import pydantic

    from tekup_envlint import config as config_module

    for cls in (config_module.Config, config_module.SupabaseProject, config_module.DockerDatabase):
        cls.__pydantic_config__ = pydantic.ConfigDict(extra="forbid")  # type: ignore[attr-defined]
    try:
        merged = _merge(user)
        config = pydantic.TypeAdapter(Config).validate_python(merged)
    except pydantic.ValidationError as err:
        raise ConfigError(_describe(err.errors(), path, merged)) from None
    for field in ("exclude", "include", "app_roots"):
        count = len(getattr(config, field))
        if count > MAX_GLOBS:
            raise ConfigError(f"{path}: key `{field.replace('_', '-')}`: {count:,} globs, over the limit of "
                              f"{MAX_GLOBS:,}; use fewer, broader globs")
    for field in ("select", "ignore"):
        unknown = unknown_selectors(getattr(config, field))
        if unknown:
            raise ConfigError(f"{path}: key `{field}`: no rule has the code {', '.join(unknown)}; "
                              "`tekup-envlint rules` lists them")
    unknown = unknown_selectors(tuple(code for code, _ in config.severity))
    if unknown:
        raise ConfigError(f"{path}: key `severity`: no rule has the code {', '.join(unknown)}")
    for glob, codes in config.per_path_ignores:
        unknown = unknown_selectors(codes)
        if unknown:
            raise ConfigError(f"{path}: key `per-path-ignores.{glob}`: no rule has the code {', '.join(unknown)}")
    return dataclasses.replace(config, source=str(path))


def load(start: Path, explicit: Optional[Path] = None) -> Config:
    """The configuration for a scan from start: a file if one is found, else the profile."""
    path = explicit or find(start)
    if path is None:
        return DEFAULT
    if explicit is not None and not explicit.is_file():
        raise ConfigError(f"{explicit}: no such configuration file")
    return validate(_table(path), path)


def read_table(path: Path) -> Dict[str, Any]:
    """A config file's own table, keys in snake_case (nested tables too), for `config` to say
    which values the file set."""
    return {k: v if k in _PAIR_FIELDS else _snake(v) for k, v in _snake(_table(path)).items()}
