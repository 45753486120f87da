"""Case tallies: the statistics' measures pre-added per audience, month and dimension values.

Grouping a million case rows per request costs seconds; grouping their tallies costs milliseconds. Rows are
kept by database triggers (migration 0008) on `cases`, `restricted_cases` and `case_audience_views`, in
the writer's transaction, so every writer (the materializer, a rebuild, a clone) keeps them exact without
calling anything. Triggers only append signed deltas (no row is updated, so concurrent writers never wait on
or deadlock over a hot month), and `services.store.queries.tallies.compact_tallies` folds them per key.

`audience` is "" for the shared rows of cases without restricted events (everyone sees them as they are),
else the audience of a `case_audience_views` row. Dimension values are stored as "" for none, so keys
compare with `=` on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, String, Table, text

from services.store.tables import Base

SHARED_AUDIENCE = ""
# Tally column -> cases column; the statistics' dimensions are these (plus the month).
KEYS = {
    "current_province_code": "current_province_code",
    "opened_by": "opened_by",
    "category": "category",
    "bucket": "bucket",
    "platform": "platform",
    "status": "status",
}
MEASURES = ("cases", "penalized_cases", "referred_cases", "fines_vnd", "goods_value_vnd")

CASE_TALLIES = Table(
    "case_tallies",
    Base.metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("audience", String(16), nullable=False),
    Column("month", String(7), nullable=False, doc="Vietnamese month of the case's first event, YYYY-MM."),
    *(Column(name, String(64), nullable=False) for name in KEYS),
    *(Column(name, BigInteger, nullable=False) for name in MEASURES),
    Column("compacted", Boolean, nullable=False, server_default=text("false")),
    Index("ix_case_tallies_audience_month", "audience", "month"),
    Index(
        "ix_case_tallies_pending",
        "id",
        postgresql_where=text("NOT compacted"),
        sqlite_where=text("NOT compacted"),
    ),
)
