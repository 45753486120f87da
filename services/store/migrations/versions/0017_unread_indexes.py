"""drop the indexes no query reads: every materialized row paid for them (issue 17)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06

Why: each index on a written table is one more index entry per written row, in the materializer's
transaction (PostgreSQL CPU and WAL per event). These serve no query of the store:
- `ix_cases_current_province_code`: `ix_cases_province_first_event` (current_province_code,
  first_event_at) starts with the same column, so every lookup by province uses that one as well;
- `ix_cases_opened_at`: no filter, sort or join reads `cases.opened_at` (the sortable columns are
  services/store/queries/case_filter.py's SORTABLE; the date filters are on first_event_at);
- `ix_violations_category`, `ix_takedowns_request_reference`: nothing selects violations by category or
  takedowns by request reference (the alert facts read whole tables joined on event_id);
- `ix_<table>_case_id` of the nine per-event tables (penalties ... subject_observations): no query selects
  their rows by case (a case's history is read from `case_events`, whose case_id index stays; the alert
  facts join on event_id; dossiers find observations by subject_id, whose index stays). About one
  per-event row is written per event, so this is one random b-tree insert fewer per event.
A query that needs one of them later brings it back in its own migration, with the query that reads it.
Downgrade recreates them all as 0004 made them.
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

PER_EVENT_BY_CASE = (
    "penalties",
    "seizures",
    "violations",
    "inspections",
    "referrals",
    "reactions",
    "takedowns",
    "tips",
    "subject_observations",
)
UNREAD = {
    "ix_cases_current_province_code": ("cases", "current_province_code"),
    "ix_cases_opened_at": ("cases", "opened_at"),
    "ix_violations_category": ("violations", "category"),
    "ix_takedowns_request_reference": ("takedowns", "request_reference"),
    **{f"ix_{table}_case_id": (table, "case_id") for table in PER_EVENT_BY_CASE},
}


def upgrade() -> None:
    for name, (table, _column) in UNREAD.items():
        op.drop_index(name, table_name=table, if_exists=True)


def downgrade() -> None:
    for name, (table, column) in UNREAD.items():
        op.create_index(name, table, [column], unique=False, if_not_exists=True)
