"""Secrets never leave the tool in full: every output shows at most a short prefix and a length.

The shapes of secrets (tokens, keys, JWTs, private key blocks, ...) are data in
`rules/secrets.toml`, read through `tekup_envlint.patterns.secret_shapes()`; the credentials
rules use the same shapes, so what is reported is also what is scrubbed.
"""

from __future__ import annotations

import re
from typing import Iterable, List, Optional

from tekup_envlint.patterns import secret_shapes

# Well-known local defaults are not secrets and are common words; scrubbing them would
# garble ordinary text such as "postgresql://".
_NOT_SECRET = frozenset({"postgres", "password", "secret", "admin", "root", "example", "changeme"})
_MIN_SCRUB = 6

# The password slot of a PostgreSQL URI written in a text (a Prisma `url = "..."` literal in
# a code frame): libpq ends the credentials at the first "@", which must come before any "/".
_DSN_PASSWORD = re.compile(
    r"(?<![A-Za-z0-9+.-])(?:postgres(?:ql)?|ecto)(?:\+[A-Za-z0-9_]+)?://[^\s:@/\"'`]*:"
    r"(?P<password>[^\s@/\"'`]+)(?=@)"
)


def redact(value: Optional[str]) -> str:
    """`eyJh…[212 chars]` for long values, `…[8 chars]` for short ones (no prefix to guess from)."""
    if value is None:
        return "…[no value]"
    if len(value) >= 20:
        return f"{value[:4]}…[{len(value)} chars]"
    return f"…[{len(value)} chars]"


class Redactor:
    """Replaces every known secret value in a text by its redacted form (the last safety net).

    Besides the values it is given, it scrubs anything of a self-identifying secret shape
    (`secrets.toml`) and the password slot of any PostgreSQL URI in the text, so that a
    secret the workspace did not list (a Prisma datasource literal, a commented-out token)
    still cannot reach the output.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        found = {s for s in secrets if len(s) >= _MIN_SCRUB and s.lower() not in _NOT_SECRET}
        ordered = sorted(found, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def scrub(self, text: str) -> str:
        if self._pattern is not None:
            text = self._pattern.sub(lambda m: redact(m.group(0)), text)
        return scrub_shapes(text)


def scrub_shapes(text: str) -> str:
    """Redact every self-identifying secret shape and every URI password slot in a text."""
    for shape in secret_shapes().self_identifying:
        text = shape.regex.sub(lambda m: redact(m.group(0)), text)
    return _DSN_PASSWORD.sub(_scrub_password, text)


def _scrub_password(match: "re.Match[str]") -> str:
    password = match.group("password")
    if password.startswith("$") or "…" in password or password.lower() in _NOT_SECRET:
        return match.group(0)
    from tekup_envlint.classify import is_placeholder

    if is_placeholder(password):
        return match.group(0)
    start = match.start("password") - match.start()
    return match.group(0)[:start] + redact(password)


_SECRET_NAME = re.compile(r"PASSWORD|PASSWD|PASS$|PWD|SECRET|TOKEN|PRIVATE|CREDENTIAL|API_?KEY|_KEY$|^KEY$|AUTH", re.I)


def _defaults(text: str) -> List[str]:
    """The `${VAR:-default}` defaults written in a text: literal values that ship with the file."""
    from tekup_envlint import dsn

    found: List[str] = []
    for ref in dsn.find_references(text):
        if ref.operator in ("-", ":-") and ref.default:
            found.append(ref.default)
    return found


def secrets_in(key: str, value: Optional[str], _depth: int = 0) -> Iterable[str]:
    """The secret strings one setting holds: its whole value, a DSN password, or token shapes.

    A `${VAR:-default}` default is written in the file, so its secrets count too; a secret
    that spans lines (a private key) also yields each of its lines, since output shows one
    line at a time.
    """
    if not value:
        return ()
    from tekup_envlint.classify import secret_state

    found: List[str] = []
    for shape in secret_shapes().shapes:
        if shape.applies_to(key):
            found.extend(m.group(0) for m in shape.regex.finditer(value))
    if "://" in value:
        from tekup_envlint import dsn

        parsed = dsn.parse(value)
        if parsed is not None and parsed.password:
            state = secret_state(parsed.password)
            if state == "literal":
                found.append(parsed.password)
            elif state == "reference":
                found.extend(d for d in _defaults(parsed.password) if secret_state(d) == "literal")
    if _SECRET_NAME.search(key) and secret_state(value) == "literal":
        found.append(value)
    if _depth < 3:
        for default in _defaults(value):
            found.extend(secrets_in(key, default, _depth + 1))
    for secret in list(found):
        if "\n" in secret or "\r" in secret:
            found.extend(line.strip() for line in secret.splitlines() if len(line.strip()) >= _MIN_SCRUB)
    return found
