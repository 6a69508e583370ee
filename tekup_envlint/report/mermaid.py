"""The connection map as a Mermaid flowchart, which GitHub and GitLab render in Markdown.

Apps on the left, the providers they point at on the right (Supabase, Docker PostgreSQL,
the legacy project, anything else), one edge per app and provider labelled with how many
settings use it; an app with more than one provider is a hybrid and is highlighted.
"""

from __future__ import annotations

from typing import Dict, List

from tekup_envlint.report.text import plural, printable
from tekup_envlint.workspace import Workspace

PROVIDERS = {  # provider -> (node id, label)
    "supabase": ("supabase", "Supabase"),
    "docker": ("docker", "Docker PostgreSQL"),
    "legacy-vault": ("legacy", "legacy Supabase project"),
    "other": ("other", "other PostgreSQL"),
}


def _label(text: str) -> str:
    """Text safe inside a quoted Mermaid label: no quote, no markup, no line break."""
    return printable(text).replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def mermaid(workspace: Workspace) -> str:
    lines: List[str] = ["flowchart LR"]
    edges: List[str] = []
    used: Dict[str, None] = {}
    app_nodes: List[str] = []
    for number, app in enumerate(workspace.apps.values()):
        counts: Dict[str, int] = {}
        for conn in app.connections:
            if conn.provider:
                counts[conn.provider] = counts.get(conn.provider, 0) + 1
        if not counts:
            continue
        node = f"app{number}"
        hybrid = len(counts) > 1
        label = _label(app.root) + ("<br/>HYBRID" if hybrid else "")
        app_nodes.append(f'    {node}["{label}"]' + (":::hybrid" if hybrid else ""))
        for provider in sorted(counts, key=list(PROVIDERS).index):
            used[provider] = None
            edges.append(f"  {node} -->|{plural(counts[provider], 'setting')}| {PROVIDERS[provider][0]}")
    if not app_nodes:
        return 'flowchart LR\n  none["No database connections found"]\n'
    lines.append("  subgraph apps[Apps]")
    lines.extend(app_nodes)
    lines.append("  end")
    lines.append("  subgraph databases[Databases]")
    for provider in PROVIDERS:
        if provider in used:
            node, label = PROVIDERS[provider]
            lines.append(f'    {node}[("{label}")]' + (":::legacy" if provider == "legacy-vault" else ""))
    lines.append("  end")
    lines.extend(edges)
    lines.append("  classDef hybrid fill:#ffe0e0,stroke:#d00,stroke-width:3px,color:#900")
    lines.append("  classDef legacy fill:#fff3cd,stroke:#b58900")
    return "\n".join(lines) + "\n"
