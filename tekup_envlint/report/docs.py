"""A rule's documentation page (ruff's model): what it does, why it matters, examples, fix."""

from __future__ import annotations

from tekup_envlint.catalogue import Example, Rule


def _example(example: Example) -> str:
    parts = []
    for path, content in example.files.items():
        body = content if content.endswith("\n") else content + "\n"
        parts.append(f"# {path}\n{body}")
    if example.live is not None:
        sql = example.live.strip() or "-- (no tables)"
        parts.append(f"-- the database behind localhost:5432/tekup_db\n{sql}\n")
    return "\n".join(parts)


def rule_page(rule: Rule) -> str:
    sections = [
        f"# {rule.name} ({rule.code})",
        f"Category: {rule.category}. Default severity: {rule.severity}."
        + (f" Fixable ({rule.extra.get('fix_applicability', 'safe')})." if rule.fixable else ""),
        "## What it does\n" + rule.summary + ".",
        "## Why is this bad?\n" + rule.why,
        "## Example\n```\n" + _example(rule.bad) + "```",
        "Use instead:\n```\n" + _example(rule.good) + "```",
        "## Fix\n" + (rule.fix or "No automatic fix."),
    ]
    if rule.notes:
        sections.append("## Notes\n" + rule.notes)
    return "\n\n".join(sections) + "\n"
