"""The provider shapes of `rules/secrets.toml` taken from gitleaks' rule set: each one is
found by CRD004 in a tracked file and scrubbed from output, and its placeholder is not.

Token-shaped values are built at run time from a seeded generator, so this file holds no
string a secret scanner would stop, and every run builds the same values.
"""

from __future__ import annotations

import base64
import random
import string

import pytest

from tekup_envlint.redact import scrub_shapes
from conftest import app, lint

HEX = "0123456789abcdef"
ALNUM = string.ascii_letters + string.digits


def fake(alphabet: str, n: int, seed: int = 7) -> str:
    rng = random.Random(seed * 1000 + n)
    return "".join(rng.choice(alphabet) for _ in range(n))


def sentry_org() -> str:
    claims = b'{"iat":1724988098.97,"url":"https://sentry.io","region_url":"https://de.sentry.io","org":"tekup"}'
    body = base64.b64encode(claims).decode()
    return "sntry" + "s_" + body + "_" + fake(ALNUM, 43)


CASES = [
    ("sentry-org-token", "SENTRY_AUTH_TOKEN", sentry_org()),
    ("sentry-user-token", "SENTRY_AUTH_TOKEN", "sntry" + "u_" + fake(HEX, 64)),
    ("brave-search-api-key", "BRAVE_SEARCH_API_KEY", "BS" + "A" + fake(ALNUM + "_-", 28)),
    ("gitlab-token", "GITLAB_TOKEN", "glp" + "at-" + fake(ALNUM, 20)),
    ("google-api-key", "GOOGLE_MAPS_KEY", "AI" + "za" + fake(ALNUM + "_-", 35)),
    ("huggingface-token", "HF_TOKEN", "h" + "f_" + fake(string.ascii_letters, 34)),
    ("npm-token", "NPM_TOKEN", "np" + "m_" + fake(ALNUM, 36)),
    ("digitalocean-token", "DIGITALOCEAN_TOKEN", "do" + "p_v1_" + fake(HEX, 64)),
    ("sendgrid-api-key", "SENDGRID_API_KEY", "S" + "G." + fake(ALNUM, 22) + "." + fake(ALNUM, 43)),
    ("linear-api-key", "LINEAR_API_KEY", "lin" + "_api_" + fake(ALNUM, 40)),
    ("doppler-token", "DOPPLER_TOKEN", "dp" + ".pt." + fake(ALNUM, 43)),
    ("pulumi-token", "PULUMI_ACCESS_TOKEN", "pu" + "l-" + fake(HEX, 40)),
    ("planetscale-token", "DATABASE_PASSWORD_PS", "pscale" + "_pw_" + fake(ALNUM, 43)),
    ("perplexity-api-key", "PERPLEXITY_API_KEY", "ppl" + "x-" + fake(ALNUM, 48)),
    ("shopify-token", "SHOPIFY_ACCESS_TOKEN", "shp" + "at_" + fake(HEX, 32)),
    ("postman-api-key", "POSTMAN_API_KEY", "PM" + "AK-" + fake(HEX, 24) + "-" + fake(HEX, 34)),
    ("databricks-token", "DATABRICKS_TOKEN", "da" + "pi" + fake(HEX, 32)),
    ("notion-token", "NOTION_TOKEN", "nt" + "n_" + fake(string.digits, 11) + fake(ALNUM, 35)),
    ("grafana-token", "GRAFANA_TOKEN", "gls" + "a_" + fake(ALNUM, 32) + "_" + fake(HEX, 8)),
    ("slack-webhook-url", "SLACK_WEBHOOK", "https://hooks.slack" + ".com/services/" + fake(ALNUM, 44)),
    ("twilio-api-key", "TWILIO_API_KEY", "S" + "K" + fake(HEX, 32)),
    ("age-secret-key", "AGE_KEY", "AGE-SECRET" + "-KEY-1" + fake("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)),
]


@pytest.mark.parametrize("shape, key, value", CASES, ids=[c[0] for c in CASES])
def test_provider_shape_is_found_and_scrubbed(tree, shape: str, key: str, value: str) -> None:
    root = tree(app({".env.production": f"{key}={value}\n"}))
    found = [f for f in lint(root) if f.code == "CRD004"]
    assert [(f.path, f.line, f.key) for f in found] == [("apps/a/.env.production", 1, key)]
    assert value not in found[0].message
    if shape != "brave-search-api-key":  # a name-bound shape is scrubbed by name, not by shape
        assert value not in scrub_shapes(f"echo {value} done")


@pytest.mark.parametrize("key, value", [
    ("SENTRY_AUTH_TOKEN", "sntrys_your_token_here"),
    ("BRAVE_SEARCH_API_KEY", "BSA" + "x" * 28),
    ("GITLAB_TOKEN", "glpat-xxxxxxxxxxxxxxxxxxxx"),
    ("TWILIO_ACCOUNT_SID_NOTE", "SK" + "0" * 32),
    ("SEARCH_KEY", "BSA" + fake(ALNUM, 28)),  # Brave's prefix under a name that does not say BRAVE
])
def test_provider_placeholders_are_not_findings(tree, key: str, value: str) -> None:
    root = tree(app({".env.production": f"{key}={value}\n"}))
    assert [f for f in lint(root) if f.code == "CRD004"] == []


def test_the_shape_probe_misses_no_shape() -> None:
    """`may_hold_shape` skips a shape's regex when the shape's literal prefix is not in the
    text: wherever a shape matches, it must still say the text may hold one."""
    from tekup_envlint.patterns import secret_shapes
    from tekup_envlint.redact import may_hold_shape

    texts = [f"echo {value} done" for _, _, value in CASES] + [value for _, _, value in CASES]
    texts += ["sk_" + "live_" + fake(ALNUM, 24), "AK" + "IA" + fake(HEX.upper(), 16), "gh" + "p_" + fake(ALNUM, 30),
              "no token here", "sk-", "eyJ"]
    for text in texts:
        matches = any(shape.regex.search(text) for shape in secret_shapes().self_identifying)
        assert may_hold_shape(text) or not matches, text


@pytest.mark.parametrize("pattern, prefix", [
    ("ghp_[A-Z]+", "ghp_"), ("sb_secret_x?", "sb_secret_"), ("ab{2}", "a"), ("ab*c", "a"), ("ab+", "ab"),
    ("SG\\.[A-Z]", "SG"), ("[rs]k_live_", ""), ("(?:a|b)c", ""), ("abc|def", ""), ("ab(c|d)", "ab"), ("^ab", ""),
])
def test_literal_prefix(pattern: str, prefix: str) -> None:
    import re

    from tekup_envlint.redact import _literal_prefix

    assert _literal_prefix(pattern) == prefix
    assert _literal_prefix(pattern, re.IGNORECASE) == ""
