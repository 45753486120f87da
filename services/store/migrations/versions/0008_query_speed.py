"""query speed: case tallies kept by triggers, search and scope indexes (services/store/tally_tables.py)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22

- `case_tallies` (statistics pre-added per audience, month and dimensions), appended to by triggers on
  `cases`, `restricted_cases` and `case_audience_views` in the writer's own transaction, and filled here
  from the existing rows;
- on PostgreSQL, pg_trgm GIN indexes on the folded search text of cases and audience views;
- province-and-date indexes for scoped searches and exports, the audience views by case id, and the few
  restricted cases with a running embargo.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

KEYS = ("current_province_code", "opened_by", "category", "bucket", "platform", "status")
MEASURES = ("cases", "penalized_cases", "referred_cases", "fines_vnd", "goods_value_vnd")
COLUMNS = ", ".join(("audience", "month", *KEYS, *MEASURES, "compacted"))
MONTH = {
    "postgresql": "to_char({r}.first_event_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM')",
    "sqlite": "strftime('%Y-%m', {r}.first_event_at, '+7 hours')",
}
# Must stay identical to services.store.queries.text.searchable (PostgreSQL), or the index is not used.
_LOWER = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
_BASE = "aaaaaaaaaaaaaaaaadeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyy"
COMBINING = "\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323"
SEARCHABLE = (
    "lower(translate(coalesce(case_id, '') || ' ' || coalesce(title, '') || ' ' || coalesce(goods, ''), "
    f"'{_LOWER}{_LOWER.upper()}{COMBINING}', '{_BASE}{_BASE}'))"
)


def tally_values(dialect: str, r: str, sign: int, audience: str, grouped: bool) -> str:
    """The select list of a tally row from case-shaped rows `r` (aggregated over them when grouped)."""
    keys = [MONTH[dialect].format(r=r), *(f"coalesce({r}.{k}, '')" for k in KEYS)]
    # A frozen copy of services/store/queries/case_measures.py (tests/unit/test_case_measures.py compares).
    penalized = f"CASE WHEN {r}.total_fines_vnd > 0 THEN 1 ELSE 0 END"
    referred = f"CASE WHEN {r}.status = 'referred' OR {r}.outcome = 'TRANSFERRED' THEN 1 ELSE 0 END"
    parts = ["1", penalized, referred, f"{r}.total_fines_vnd", f"{r}.goods_value_vnd"]
    measures = [f"{sign} * sum({p})" if grouped else f"{sign} * {p}" for p in parts]
    compacted = "false" if dialect == "postgresql" else "0"
    return ", ".join([audience, *keys, *measures, compacted])


def delta(
    dialect: str, source: str, sign: int, audience: str = "''", where: str = "true", grouped: bool = True
) -> str:
    """INSERT the signed tallies of the case-shaped rows `r` of `source`, one row per key."""
    tail = f" GROUP BY {', '.join(str(i) for i in range(1, len(KEYS) + 3))}" if grouped else ""
    values = tally_values(dialect, "r", sign, audience, grouped)
    return f"INSERT INTO case_tallies ({COLUMNS}) SELECT {values} FROM {source} WHERE {where}{tail}"


SHARED = "NOT EXISTS (SELECT 1 FROM restricted_cases x WHERE x.case_id = r.case_id)"


def postgresql_triggers() -> list[tuple[str, str, str, list[str]]]:
    """(table, event, referencing, body statements) of each statement-level trigger."""
    pg = "postgresql"
    shared_cases = "cases r JOIN {t} n ON n.case_id = r.case_id"
    return [
        ("cases", "INSERT", "NEW TABLE AS new_rows", [delta(pg, "new_rows r", 1, where=SHARED)]),
        (
            "cases",
            "UPDATE",
            "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            [delta(pg, "old_rows r", -1, where=SHARED), delta(pg, "new_rows r", 1, where=SHARED)],
        ),
        ("cases", "DELETE", "OLD TABLE AS old_rows", [delta(pg, "old_rows r", -1, where=SHARED)]),
        (
            "restricted_cases",
            "INSERT",
            "NEW TABLE AS new_rows",
            [delta(pg, shared_cases.format(t="new_rows"), -1)],
        ),
        (
            "restricted_cases",
            "DELETE",
            "OLD TABLE AS old_rows",
            [delta(pg, shared_cases.format(t="old_rows"), 1)],
        ),
        (
            "case_audience_views",
            "INSERT",
            "NEW TABLE AS new_rows",
            [delta(pg, "new_rows r", 1, "r.audience")],
        ),
        (
            "case_audience_views",
            "UPDATE",
            "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            [delta(pg, "old_rows r", -1, "r.audience"), delta(pg, "new_rows r", 1, "r.audience")],
        ),
        (
            "case_audience_views",
            "DELETE",
            "OLD TABLE AS old_rows",
            [delta(pg, "old_rows r", -1, "r.audience")],
        ),
    ]


def sqlite_triggers() -> list[tuple[str, str, str, list[str]]]:
    """(table, event, WHEN condition, body statements) of each row-level trigger."""
    lite = "sqlite"

    def row(prefix: str, sign: int, audience: str = "''") -> str:
        return (
            f"INSERT INTO case_tallies ({COLUMNS}) SELECT {tally_values(lite, prefix, sign, audience, False)}"
        )

    def shared(prefix: str) -> str:
        return f"NOT EXISTS (SELECT 1 FROM restricted_cases x WHERE x.case_id = {prefix}.case_id)"

    def of_case(prefix: str, sign: int) -> str:
        values = tally_values(lite, "r", sign, "''", False)
        where = f"r.case_id = {prefix}.case_id"
        return f"INSERT INTO case_tallies ({COLUMNS}) SELECT {values} FROM cases r WHERE {where}"

    return [
        ("cases", "INSERT", shared("NEW"), [row("NEW", 1)]),
        ("cases", "UPDATE", shared("NEW"), [row("OLD", -1), row("NEW", 1)]),
        ("cases", "DELETE", shared("OLD"), [row("OLD", -1)]),
        ("restricted_cases", "INSERT", "1", [of_case("NEW", -1)]),
        ("restricted_cases", "DELETE", "1", [of_case("OLD", 1)]),
        ("case_audience_views", "INSERT", "1", [row("NEW", 1, "NEW.audience")]),
        (
            "case_audience_views",
            "UPDATE",
            "1",
            [row("OLD", -1, "OLD.audience"), row("NEW", 1, "NEW.audience")],
        ),
        ("case_audience_views", "DELETE", "1", [row("OLD", -1, "OLD.audience")]),
    ]


def _name(table: str, event: str) -> str:
    return f"tally_{table}_{event.lower()}"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "case_tallies",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        *(sa.Column(k, sa.String(length=64), nullable=False) for k in KEYS),
        *(sa.Column(m, sa.BigInteger(), nullable=False) for m in MEASURES),
        sa.Column("compacted", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_tallies_audience_month", "case_tallies", ["audience", "month"])
    op.create_index(
        "ix_case_tallies_pending",
        "case_tallies",
        ["id"],
        postgresql_where=sa.text("NOT compacted"),
        sqlite_where=sa.text("NOT compacted"),
    )
    op.execute(delta(dialect, "cases r", 1, where=SHARED))
    op.execute(delta(dialect, "case_audience_views r", 1, "r.audience"))
    op.execute("UPDATE case_tallies SET compacted = true")
    if dialect == "postgresql":
        for table, event, referencing, body in postgresql_triggers():
            name = _name(table, event)
            statements = ";\n  ".join(body)
            op.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"BEGIN\n  {statements};\n  RETURN NULL;\nEND $$"
            )
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
    else:
        for table, event, when, body in sqlite_triggers():
            statements = "; ".join(body)
            op.execute(
                f"CREATE TRIGGER {_name(table, event)} AFTER {event} ON {table} FOR EACH ROW "
                f"WHEN {when} BEGIN {statements}; END"
            )
    _indexes(dialect)


def _indexes(dialect: str) -> None:
    op.create_index(
        "ix_restricted_cases_valid_until",
        "restricted_cases",
        ["valid_until"],
        postgresql_where=sa.text("valid_until IS NOT NULL"),
        sqlite_where=sa.text("valid_until IS NOT NULL"),
    )
    op.create_index("ix_cases_province_first_event", "cases", ["current_province_code", "first_event_at"])
    op.create_index("ix_case_audience_views_case_id", "case_audience_views", ["case_id"])
    op.create_index(
        "ix_case_audience_views_scope",
        "case_audience_views",
        ["audience", "current_province_code", "first_event_at"],
    )
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table in ("cases", "case_audience_views"):
            op.execute(f"CREATE INDEX ix_{table}_searchable ON {table} USING gin ({SEARCHABLE} gin_trgm_ops)")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in ("cases", "case_audience_views"):
        if dialect == "postgresql":
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_searchable")
    op.drop_index("ix_case_audience_views_scope", table_name="case_audience_views")
    op.drop_index("ix_case_audience_views_case_id", table_name="case_audience_views")
    op.drop_index("ix_cases_province_first_event", table_name="cases")
    op.drop_index("ix_restricted_cases_valid_until", table_name="restricted_cases")
    triggers = postgresql_triggers() if dialect == "postgresql" else sqlite_triggers()
    for table, event, *_ in triggers:
        op.execute(
            f"DROP TRIGGER IF EXISTS {_name(table, event)}"
            + (f" ON {table}" if dialect == "postgresql" else "")
        )
        if dialect == "postgresql":
            op.execute(f"DROP FUNCTION IF EXISTS {_name(table, event)}()")
    op.drop_table("case_tallies")
