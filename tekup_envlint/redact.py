"""Secrets never leave the tool in full: every output shows at most a short prefix and a length."""

from __future__ import annotations

import re
from typing import Iterable, Optional

# Well-known local defaults are not secrets and are common words; scrubbing them would
# garble ordinary text such as "postgresql://".
_NOT_SECRET = frozenset({"postgres", "password", "secret", "admin", "root", "example", "changeme"})
_MIN_SCRUB = 6


def redact(value: Optional[str]) -> str:
    """`eyJh…[212 chars]` for long values, `…[8 chars]` for short ones (no prefix to guess from)."""
    if value is None:
        return "…[no value]"
    if len(value) >= 20:
        return f"{value[:4]}…[{len(value)} chars]"
    return f"…[{len(value)} chars]"


class Redactor:
    """Replaces every known secret value in a text by its redacted form (the last safety net)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        found = {s for s in secrets if len(s) >= _MIN_SCRUB and s.lower() not in _NOT_SECRET}
        ordered = sorted(found, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def scrub(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: redact(m.group(0)), text)


_SECRET_NAME = re.compile(r"PASSWORD|PASSWD|PASS$|PWD|SECRET|TOKEN|PRIVATE|CREDENTIAL|API_?KEY|_KEY$|^KEY$|AUTH", re.I)
_SECRET_SHAPE = re.compile(
    r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"  # JWT
    r"|sb_secret_[A-Za-z0-9_-]+"
    r"|(?:ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{20,}"
    r"|sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}"
    r"|[rs]k_(?:live|test)_[A-Za-z0-9]{16,}"
    r"|(?:AKIA|ASIA)[A-Z0-9]{16}"
)


def secrets_in(key: str, value: Optional[str]) -> Iterable[str]:
    """The secret strings one setting holds: its whole value, a DSN password, or token shapes."""
    if not value:
        return ()
    from tekup_envlint.classify import secret_state

    found = [m.group(0) for m in _SECRET_SHAPE.finditer(value)]
    if "://" in value:
        from tekup_envlint import dsn

        parsed = dsn.parse(value)
        if parsed is not None and parsed.password and secret_state(parsed.password) == "literal":
            found.append(parsed.password)
    if _SECRET_NAME.search(key) and secret_state(value) == "literal":
        found.append(value)
    return found
