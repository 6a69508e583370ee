"""The database of the seed survey (/work/shared/seed/000_a888f09004001bf8.txt), as SQL.

Six schemas, 53 tables with the survey's names, 0 rows, and the extensions plpgsql and
uuid-ossp; `vector` (pgvector) is not packaged for the test server, so it is the one the
Prisma schema declares and the database lacks.
"""

from __future__ import annotations

from typing import Dict, List

SCHEMAS: Dict[str, List[str]] = {
    "vault": ["documents", "embeddings", "sync_status"],
    "billy": ["organizations", "users", "cached_invoices", "cached_customers", "cached_products",
              "audit_logs", "usage_metrics", "rate_limits"],
    "renos": ["leads", "customers", "bookings", "invoices", "invoice_line_items", "quotes", "services",
              "cleaning_plans", "cleaning_plan_bookings", "cleaning_tasks", "task_executions",
              "email_threads", "email_messages", "email_responses", "email_ingest_runs", "chat_sessions",
              "chat_messages", "conversations", "analytics", "competitor_pricing", "escalations", "labels",
              "breaks"],
    "crm": ["CrmCompany", "CrmContact", "CrmDeal", "CrmDealProduct", "CrmActivity", "CrmTask", "CrmEmail",
            "CrmMetric"],
    "flow": ["FlowWorkflow", "FlowExecution", "FlowExecutionStep", "FlowExecutionLog", "FlowSchedule",
             "FlowIntegration", "FlowWebhook", "FlowVariable", "FlowMetric"],
    "shared": ["users", "audit_logs"],
}


def ddl(schemas: Dict[str, List[str]] = SCHEMAS) -> str:
    """CREATE statements for the schemas and their tables (uuid keys, as Prisma makes them)."""
    statements = ['CREATE EXTENSION IF NOT EXISTS "uuid-ossp";']
    for schema, tables in schemas.items():
        statements.append(f'CREATE SCHEMA "{schema}";')
        statements += [
            f'CREATE TABLE "{schema}"."{table}" (id uuid PRIMARY KEY DEFAULT uuid_generate_v4(), '
            f"created_at timestamptz NOT NULL DEFAULT now(), data jsonb);"
            for table in tables
        ]
    return "\n".join(statements)


def insert(schema: str, table: str, rows: int) -> str:
    return f'INSERT INTO "{schema}"."{table}" (data) SELECT jsonb_build_object(\'n\', g) FROM generate_series(1, {rows}) g;'
