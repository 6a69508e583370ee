"""Files that fail to decode: what can be read is still checked, credentials above all."""

from __future__ import annotations

from pathlib import Path

from tekup_envlint.text import recover
from conftest import lint

GH = "ghp" + "_" + "R8vLq2mTz6WbN4kXc9pHs1dYf7gJe3aUi5oK"


def write(root: Path, rel: str, data: bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_utf16_lines_appended_to_a_utf8_file_are_recovered() -> None:
    data = b"PORT=3000\n" + f"GITHUB_TOKEN={GH}\r\n".encode("utf-16-le")
    assert recover(data) == f"PORT=3000\nGITHUB_TOKEN={GH}\r\n"


def test_utf16_with_a_bom_and_stray_nuls_are_recovered() -> None:
    assert recover("A=1\n".encode("utf-16")) == "A=1\n"
    assert recover(b"A=1\nB=\x002\n" + b"C=3\n" * 5) == "A=1\nB=2\n" + "C=3\n" * 5


def test_a_binary_file_is_not_recovered() -> None:
    assert recover(bytes(range(256)) * 4) is None
    assert recover(b"\x00\x01\x02\x03\x04\x05") is None


def test_credentials_in_a_mixed_encoding_file_are_reported(tmp_path: Path) -> None:
    write(tmp_path, "apps/a/package.json", b"{}")
    data = b"PORT=3000\n" + f"GITHUB_TOKEN={GH}\nENCRYPTION_SALT=tekup-salt-2025\n".encode("utf-16-le")
    write(tmp_path, "apps/a/.env.production", data)
    found = {(f.code, f.line, f.key) for f in lint(tmp_path)}
    assert ("SYN003", 1, None) in found
    assert ("CRD004", 2, "GITHUB_TOKEN") in found and ("CRD008", 3, "ENCRYPTION_SALT") in found
    syn = next(f for f in lint(tmp_path) if f.code == "SYN003")
    assert "3 lines" in syn.message or "4 lines" in syn.message
