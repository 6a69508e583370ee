"""The demo workspace's recall cases, through the installed command as a user runs it:
an archived folder, a schema fork, a secret-named key and a file of mixed encodings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE

COMMAND = Path(sys.executable).parent / ("tekup-envlint.exe" if os.name == "nt" else "tekup-envlint")
pytestmark = pytest.mark.skipif(not COMMAND.exists(), reason="the console script is not installed next to python")


@pytest.fixture(scope="module")
def findings():
    out = subprocess.run([str(COMMAND), "check", str(EXAMPLE), "--format", "json"], capture_output=True, timeout=120)
    assert out.returncode == 1, out.stderr
    return json.loads(out.stdout)["findings"]


def under(findings, folder: str):
    return sorted((f["code"], f["line"], f["key"]) for f in findings if f["path"].startswith(folder))


def test_archived_folder_keeps_only_credential_findings(findings) -> None:
    got = under(findings, "apps/archive/tekup-crm-2024/")
    assert ("CRD008", 4, "CRM_WEBHOOK_SECRET") in got and ("CRD006", 1, None) in got
    assert {code[:3] for code, _, _ in got} == {"CRD"}  # its hybrid and strategy findings are off


def test_schema_fork_between_crm_and_flow(findings) -> None:
    fork = [f for f in findings if f["code"] == "SCH011"]
    assert [(f["path"], f["line"]) for f in fork] == [("apps/production/tekup-crm/prisma/schema.prisma", 1)]
    assert "schema shared" in fork[0]["message"] and "apps/production/tekup-flow/prisma/schema.prisma" in fork[0]["message"]


def test_secret_named_key_is_reported_and_never_shown(findings) -> None:
    salt = [f for f in findings if f["code"] == "CRD008" and f["key"] == "ENCRYPTION_SALT"]
    assert [(f["path"], f["line"]) for f in salt] == [("apps/production/tekup-flow/.env", 3)]
    text = json.dumps(findings)
    assert "7c1e9a4f2b8d6e3a0f5c9b2d4e8a1f6c" not in text
    crd006 = next(f for f in findings if f["code"] == "CRD006" and f["path"] == "apps/production/tekup-flow/.env")
    assert "ENCRYPTION_SALT (line 3)" in crd006["message"]


def test_mixed_encoding_file_is_recovered_and_checked(findings) -> None:
    got = under(findings, "apps/tools/tekup-scripts/")
    assert ("SYN003", 1, None) in got and ("CRD008", 3, "EXPORT_API_TOKEN") in got
