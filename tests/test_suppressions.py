"""Inline suppressions: applied by the engine on their line and the next, with a reason only."""

from __future__ import annotations

import hashlib
import hmac

from tekup_envlint import engine

from conftest import app, lint

BAD_LINE = "DATABASE_URL: postgresql://localhost/app\n"  # SYN001


def codes_at(findings, code):
    return [(f.path, f.line) for f in findings if f.code == code]


def test_suppression_on_the_line_above_silences_the_finding(tree) -> None:
    root = tree(app({".env": "# tekup-envlint: ignore[SYN001] read by our own loader\n" + BAD_LINE}))
    found = lint(root)
    assert codes_at(found, "SYN001") == [] and codes_at(found, "SUP001") == [] and codes_at(found, "SUP002") == []


def test_trailing_suppression_in_compose_silences_its_own_line(tree) -> None:
    compose = ("services:\n  db:\n    image: postgres:16\n    environment:\n"
               "      POSTGRES_PASSWORD: postgres  # tekup-envlint: ignore[CRD007] local-only database\n")
    plain = compose.replace("  # tekup-envlint: ignore[CRD007] local-only database", "")
    assert codes_at(lint(tree(app({"docker-compose.yml": plain})), select="CRD007"), "CRD007")
    assert codes_at(lint(tree(app({"docker-compose.yml": compose}))), "CRD007") == []


def test_suppression_two_lines_above_does_not_reach(tree) -> None:
    root = tree(app({".env": "# tekup-envlint: ignore[SYN001] too far away\nPORT=3000\n" + BAD_LINE}))
    found = lint(root)
    assert codes_at(found, "SYN001") == [("apps/a/.env", 3)]
    assert codes_at(found, "SUP001") == [("apps/a/.env", 1)]


def test_prefix_and_several_codes(tree) -> None:
    root = tree(app({".env": "# tekup-envlint: ignore[SYN, CRD001] legacy file kept as is\n" + BAD_LINE}))
    found = lint(root)
    assert codes_at(found, "SYN001") == []
    unused = [f.message for f in found if f.code == "SUP001"]
    assert len(unused) == 1 and "CRD001 reports nothing" in unused[0]


def test_without_a_reason_nothing_is_silenced(tree) -> None:
    root = tree(app({".env": "# tekup-envlint: ignore[SYN001]\n" + BAD_LINE}))
    found = lint(root)
    assert codes_at(found, "SYN001") == [("apps/a/.env", 2)]
    assert codes_at(found, "SUP002") == [("apps/a/.env", 1)]
    assert codes_at(found, "SUP001") == []  # SUP002 already says it; not twice
    assert all(f.severity == "info" for f in found if f.code.startswith("SUP"))


def test_unknown_and_not_enabled_codes_are_unused(tree) -> None:
    root = tree(app({".env": "PORT=3000  # tekup-envlint: ignore[XYZ123,HYB001] because\n"}))
    messages = [f.message for f in lint(root, select="SUP")]
    assert any("no rule has the code XYZ123" in m for m in messages)
    assert any("HYB001 is not enabled" in m for m in messages)


def test_directive_inside_a_quoted_value_is_not_a_suppression(tree) -> None:
    root = tree(app({".env": 'NOTE="# tekup-envlint: ignore[SYN001] nope"\n' + BAD_LINE}))
    found = lint(root)
    assert codes_at(found, "SYN001") == [("apps/a/.env", 2)] and codes_at(found, "SUP001") == []


def test_prisma_comments_are_not_read(tree) -> None:
    root = tree(app({"prisma/schema.prisma": "# tekup-envlint: ignore[SYN007] x\n"}))
    assert codes_at(lint(root, select="SUP"), "SUP001") == []


def test_fingerprint_is_an_hmac_and_keyed() -> None:
    message = "\0".join(("CRD001", "apps/a/.env", "DB_PASSWORD", "hunter2")).encode()
    expected = hmac.new(engine.DEFAULT_KEY, message, hashlib.sha256).hexdigest()[:16]
    assert engine.fingerprint("CRD001", "apps/a/.env", "DB_PASSWORD", "hunter2") == expected
    assert engine.fingerprint("CRD001", "apps/a/.env", "DB_PASSWORD", "hunter2", b"team key") != expected
    long_key = b"k" * 100
    assert engine.fingerprint("C", "p", None, None, long_key) == hmac.new(long_key, b"C\0p\0\0", hashlib.sha256).hexdigest()[:16]
    assert hashlib.sha256(b"hunter2").hexdigest()[:16] != expected
