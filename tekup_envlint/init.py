"""`tekup-envlint init`: a starting configuration detected from the repository.

It reads the repository the way `check` does (with the embedded profile) and writes what
it found: the Supabase projects (the most used one, or the profile's primary, as primary;
the others as legacy), the Docker PostgreSQL (a Compose service, else the local connection
strings), the schemas Prisma declares, the apps and the archived folders to exclude. Every
guess is said out loud, in the file as a comment and on the terminal.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Tuple

from tekup_envlint.config import DEFAULT
from tekup_envlint.report.text import plural
from tekup_envlint.workspace import Workspace

FILE_NAME = ".tekup-envlint.toml"
ARCHIVE_WORDS = {"archive", "archived", "archives", "_archive", ".archive", "attic", "deprecated", "old", "_old",
                 "backup", "backups", "legacy-apps", "graveyard", "unused"}


@dataclass
class Detected:
    lines: List[str] = field(default_factory=list)  # the TOML, with comments
    assumptions: List[str] = field(default_factory=list)


def toml_value(value: object) -> str:
    """A str, int, bool, list or table of them as TOML (a JSON string is a TOML basic string)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{str(k).replace('_', '-')} = {toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(str(value), ensure_ascii=False)


def _archived(workspace: Workspace) -> List[str]:
    """Folders whose name says archived that hold configuration files."""
    found = set()
    for parsed in workspace.files:
        parts = parsed.source.path.split("/")[:-1]
        for depth, part in enumerate(parts):
            if part.lower() in ARCHIVE_WORDS or part.lower().startswith(("archive", "_archive")):
                found.add("/".join(parts[: depth + 1]))
                break
    return sorted(found)


def _outside(path: str, excluded: List[str]) -> bool:
    return not any(path == e or path.startswith(e + "/") for e in excluded)


def detect(workspace: Workspace) -> Detected:
    out = Detected()
    say = out.assumptions.append
    archived = _archived(workspace)
    conns = [c for app in workspace.apps.values() for c in app.connections
             if _outside(c.file.source.path, archived)]
    top = [
        "# tekup-envlint configuration, written by `tekup-envlint init` from what it found here.",
        "# Check each value (the comments say what was assumed), then run `tekup-envlint check`.",
        "# Every key is documented in the README (Configuration); unset keys keep the embedded profile.",
        "",
        '# strategy = "supabase"   # or "docker": the database deployable environments must use',
    ]
    tables = _supabase(conns, top, say) + _docker(conns, say)
    out.lines = top + _top_level(workspace, conns, archived, say) + tables
    return out


def _supabase(conns, top: List[str], say) -> List[str]:
    """[primary] and [[legacy]] from the project refs the settings use."""
    refs = Counter(c.target.project_ref for c in conns
                   if c.target.project_ref and c.target.kind in ("supabase", "legacy-vault"))
    if not refs:
        say("no Supabase project found; the embedded profile's projects stay configured")
        return []
    primary = DEFAULT.primary.ref if DEFAULT.primary.ref in refs else refs.most_common(1)[0][0]
    why = "the embedded profile's primary project" if primary == DEFAULT.primary.ref else "the project most settings use"
    say(f"Supabase project {primary} is the primary ({why}; {plural(refs[primary], 'setting')})")
    lines = ["[primary]", f"ref = {toml_value(primary)}", ""]
    from tekup_envlint.checks.consistency import edit_distance

    others = []
    for ref in sorted((r for r in refs if r != primary), key=lambda r: (-refs[r], r)):
        if edit_distance(ref, primary) <= 2:
            say(f"Supabase project {ref} looks like a typo of {primary}, not a project of its own "
                "(CON001 reports it); not configured")
        else:
            others.append(ref)
    for ref in others:
        say(f"Supabase project {ref} is legacy, to be retired ({plural(refs[ref], 'setting')}); delete its [[legacy]] entry if not")
        lines += ["[[legacy]]   # assumed: a second project is one being retired", f"ref = {toml_value(ref)}", ""]
    if not others:
        top.append("legacy = []   # no second Supabase project found")
    return lines


def _docker(conns, say) -> List[str]:
    """[docker] from a Compose PostgreSQL service, else from local connection strings."""
    services = [c for c in conns if c.service is not None and c.target.source == "compose-service"
                and c.target.kind == "docker"]
    if services:
        chosen = services[0]
        say(f"the Docker database is service `{chosen.service.name}` of {chosen.file.source.path}"
            + (f" ({len(services) - 1} other PostgreSQL services found)" if len(services) > 1 else ""))
        return ["[docker]   # user, database, port and image are read from this Compose service",
                f"compose-file = {toml_value(chosen.file.source.path)}",
                f"service = {toml_value(chosen.service.name)}", ""]
    local = Counter((c.target.host, c.target.port, c.target.user, c.target.database) for c in conns
                    if c.target.kind == "docker" and c.target.source == "dsn" and c.target.host)
    if not local:
        say("no Docker PostgreSQL found; the embedded profile's Docker database stays configured")
        return []
    (host, port, user, database), count = local.most_common(1)[0]
    say(f"the Docker database is {user}@{host}:{port or 5432}/{database} ({count} connection strings)")
    lines = ["[docker]", f"host = {toml_value(host)}", f"port = {port or 5432}"]
    lines += [f"user = {toml_value(user)}"] if user else []
    lines += [f"database = {toml_value(database)}"] if database else []
    return lines + [""]


def _top_level(workspace: Workspace, conns, archived: List[str], say) -> List[str]:
    """The keys that must come before the first [table]: schemas, apps, excluded folders."""
    lines: List[str] = [""]
    prisma: List[Tuple[str, List[str]]] = []
    for parsed in workspace.files:
        if parsed.source.kind == "prisma" and _outside(parsed.source.path, archived):
            declared = [name for ds in parsed.datasources for name, _ in ds.schemas]
            prisma.append((parsed.source.path, declared))
    declared = sorted({name for _, names in prisma for name in names})
    if declared:
        main = max(prisma, key=lambda p: len(p[1]))[0]
        say(f"the schemas are the {len(declared)} that Prisma declares ({main} and others)" if len(prisma) > 1
            else f"the schemas are the {len(declared)} that {main} declares")
        lines.append(f"prisma-schema = {toml_value(main)}   # its datasource `schemas` are read too")
        lines.append(f"schemas = {toml_value(declared)}")
    else:
        used = sorted({c.target.schema for c in conns if c.target.schema})
        if prisma:
            say(f"Prisma schemas found ({', '.join(p for p, _ in prisma)}) declare no multi-schema list")
        say("the schemas are the ones connection strings name today" if used
            else "no schemas found: schema checks have nothing declared to compare with")
        lines.append(f"schemas = {toml_value(used)}   # the `?schema=` values found in connection strings")
    apps = [a for a in workspace.apps if a != "." and _outside(a, archived)]
    root_note = " (files outside them belong to the root, itself an app)" if "." in workspace.apps else ""
    say(f"{plural(len(apps), 'app')} with configuration files, each the nearest folder with a package manifest"
        + (": " + ", ".join(apps[:8]) + (", ..." if len(apps) > 8 else "") if apps else "") + root_note)
    lines.append(f"# apps with configuration files ({len(apps)}), each the nearest folder with a package manifest:")
    for app_root in apps[:50]:
        lines.append(f"#   {app_root}")
    lines.append("# app-roots = [\"apps/*\"]   # set globs only if an app has no manifest of its own")
    if archived:
        say(f"archived folders are excluded: {', '.join(archived)}")
        lines.append(f"exclude = {toml_value(archived)}   # folders named archive, old, deprecated ...")
    lines.append("")
    return lines


def write(root: Path, workspace: Workspace, force: bool) -> Tuple[Path, Detected]:
    """Write the detected configuration to `.tekup-envlint.toml` at the root."""
    target = root / FILE_NAME
    if target.exists() and not force:
        raise FileExistsError(str(target))
    detected = detect(workspace)
    target.write_text("\n".join(detected.lines).rstrip("\n") + "\n", encoding="utf-8")
    return target, detected


